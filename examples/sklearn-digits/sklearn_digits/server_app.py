"""ServerApp: FedAvg over the SuperNodes, with server-side evaluation on the held-out split.

After every round (and once for the initial model, as round 0) it logs one line in a fixed,
grep-able format that the demo and the interop tests look for:

    round 1: accuracy=0.8858 loss=0.5123

and at the end `final: accuracy=... loss=... rounds=N`. The ClientApps' own train/evaluate
metrics are aggregated by FedAvg and appear in the log as well.
"""

from __future__ import annotations

from logging import INFO

from flwr.app import ArrayRecord, Context, MetricRecord
from flwr.common.logger import log
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg

from sklearn_digits import task

app = ServerApp()


@app.main()
def main(grid: Grid, context: Context) -> None:
    """Run `num-server-rounds` rounds of FedAvg on all (at least two) connected SuperNodes."""
    num_rounds = int(context.run_config["num-server-rounds"])
    _, _, x_test, y_test = task.load_split(
        int(context.run_config["seed"]), float(context.run_config["test-fraction"])
    )

    def evaluate_global(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        loss, accuracy = task.evaluate(arrays.to_numpy_ndarrays(), x_test, y_test)
        log(INFO, "round %d: accuracy=%.4f loss=%.4f", server_round, accuracy, loss)
        return MetricRecord({"accuracy": accuracy, "loss": loss})

    strategy = FedAvg(fraction_train=1.0, fraction_evaluate=1.0, min_available_nodes=2)
    result = strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord(task.initial_weights()),
        num_rounds=num_rounds,
        evaluate_fn=evaluate_global,
    )

    final = result.evaluate_metrics_serverapp[num_rounds]
    log(INFO, "final: accuracy=%.4f loss=%.4f rounds=%d",
        final["accuracy"], final["loss"], num_rounds)
