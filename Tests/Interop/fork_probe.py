#!/usr/bin/env python3
"""A stand-in app that does what `flwr-simulation` does when Ray starts its cluster: keep a gRPC
channel busy (as the app's heartbeat and log threads do) and start programs through `fork` with
a `preexec_fn` (as Ray starts `gcs_server` and `raylet`).

With gRPC Python 1.85.3 (pinned in scripts/requirements-interop.txt) and fork support on, gRPC
restarts its poller threads in each forked child (grpc/grpc#43055) and some children crash
before `exec`: `Popen` returns as if the program had started, and the program never runs.

    fork_probe.py --serverappio-api-address HOST:PORT [--forks N] [--until-first-failure]

Writes one JSON object to $SEPAL_FORK_PROBE_OUT (or stdout): forks tried, children lost, the
address it used and the GRPC_ENABLE_FORK_SUPPORT it ran with. Other arguments (the SuperExec's
--token, --parent-pid, --insecure) are accepted and ignored.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import threading

import grpc
from flwr.proto import serverappio_pb2, serverappio_pb2_grpc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serverappio-api-address", required=True)
    parser.add_argument("--forks", type=int, default=600)
    parser.add_argument("--until-first-failure", action="store_true")
    args, _ = parser.parse_known_args()

    channel = grpc.insecure_channel(args.serverappio_api_address)
    stub = serverappio_pb2_grpc.ServerAppIoStub(channel)
    done = threading.Event()

    def keep_busy() -> None:
        while not done.is_set():
            try:
                stub.ListAppsToLaunch(serverappio_pb2.ListAppsToLaunchRequest(), timeout=5)
            except grpc.RpcError:
                pass

    busy = threading.Thread(target=keep_busy, daemon=True)
    busy.start()
    lost = tried = 0
    for tried in range(1, args.forks + 1):
        child = subprocess.Popen(["/bin/true"], preexec_fn=lambda: None)
        if child.wait() != 0:  # died before `exec` (true itself exits 0)
            lost += 1
            if args.until_first_failure:
                break
    done.set()
    busy.join(timeout=10)
    channel.close()
    report = json.dumps({"forks": tried, "lost": lost, "address": args.serverappio_api_address,
                         "fork_support": os.environ.get("GRPC_ENABLE_FORK_SUPPORT")})
    out = os.environ.get("SEPAL_FORK_PROBE_OUT")
    if out:
        with open(out, "w", encoding="utf-8") as file:
            file.write(report)
    else:
        print(report)


if __name__ == "__main__":
    main()
