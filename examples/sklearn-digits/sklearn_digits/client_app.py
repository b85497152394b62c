"""ClientApp: local training and evaluation on this SuperNode's partition of the digits.

The partition comes from the SuperNode's `--node-config "partition-id=I num-partitions=N"`.
"""

from __future__ import annotations

from flwr.app import ArrayRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from sklearn_digits import task

app = ClientApp()


def _local_data(context: Context, split: str):
    x_train, y_train, x_test, y_test = task.load_split(
        int(context.run_config["seed"]), float(context.run_config["test-fraction"])
    )
    x, y = (x_train, y_train) if split == "train" else (x_test, y_test)
    return task.partition(
        x, y, int(context.node_config["partition-id"]), int(context.node_config["num-partitions"])
    )


@app.train()
def train(msg: Message, context: Context) -> Message:
    """Start from the global weights, train locally, return new weights + train metrics."""
    x, y = _local_data(context, "train")
    weights = task.train(
        msg.content["arrays"].to_numpy_ndarrays(),
        x,
        y,
        epochs=int(context.run_config["local-epochs"]),
        learning_rate=float(context.run_config["learning-rate"]),
        l2_penalty=float(context.run_config["l2-penalty"]),
    )
    loss, accuracy = task.evaluate(weights, x, y)
    metrics = {"train-loss": loss, "train-accuracy": accuracy, "num-examples": len(y)}
    content = RecordDict({"arrays": ArrayRecord(weights), "metrics": MetricRecord(metrics)})
    return Message(content=content, reply_to=msg)


@app.evaluate()
def evaluate(msg: Message, context: Context) -> Message:
    """Evaluate the global weights on this node's share of the held-out test split."""
    x, y = _local_data(context, "test")
    loss, accuracy = task.evaluate(msg.content["arrays"].to_numpy_ndarrays(), x, y)
    metrics = {"eval-loss": loss, "eval-accuracy": accuracy, "num-examples": len(y)}
    return Message(content=RecordDict({"metrics": MetricRecord(metrics)}), reply_to=msg)
