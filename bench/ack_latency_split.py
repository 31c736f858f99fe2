#!/usr/bin/python3
"""Where an acks=all acknowledgement's time goes (issue 17): the broker's
part against the client's.

`samsa_load e2e` times each delivery report from the message's scheduled
send: the producer's linger, its threads, the network, the broker's queue,
the append, the group-commit fdatasync and the answer all count. The broker
also times each Produce itself (`/metrics`): how long the request waited
for the handler thread (`samsa_request_queue_time_seconds`), how long it
took from its start to its answer being ready, fdatasync included
(`samsa_request_duration_seconds`), and each fdatasync alone
(`samsa_fsync_duration_seconds`). This script runs the e2e program against
one broker with its console on (the standard set runs brokers without it)
and prints, per run, the client's acknowledgement p50/p99 beside the share
of Produce requests under each of the broker's histogram bounds, and the
smallest bound that holds 99 % of them (the histograms have fixed bounds:
0.1, 0.25, 0.5, 1, 2.5, 5 ms, ...). Nothing is asserted.

Usage: bench/ack_latency_split.py <build dir> [--rates 1000,10000] [--runs 3] [--acks all]"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from suite.processes import Programs  # noqa: E402

HISTOGRAMS = {"queue": ("samsa_request_queue_time_seconds", 'api="Produce"'),
              "produce": ("samsa_request_duration_seconds", 'api="Produce"'),
              "fdatasync": ("samsa_fsync_duration_seconds", "")}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def buckets(metrics_url, name, label):
    """Cumulative counts by upper bound (seconds, as text) of one histogram's series."""
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    out = {}
    for line in text.splitlines():
        if line.startswith(name + "_bucket{") and label in line:
            bound = re.search(r'le="([^"]+)"', line).group(1)
            out[bound] = float(line.rsplit(" ", 1)[1])
    return out


def shares(before, after):
    """Share of the run's observations at or under each bound, and the smallest bound with 99 %."""
    counts = {k: after[k] - before.get(k, 0) for k in after}
    total = counts.get("+Inf", 0)
    if not total:
        return {"count": 0}
    cumulative = {k: v / total for k, v in counts.items() if k != "+Inf"}
    p99_bound = next((float(k) * 1000 for k, v in cumulative.items() if v >= 0.99), None)
    return {"count": int(total), "share_at_or_under_ms": {f"{float(k) * 1000:g}": round(v, 4)
                                                         for k, v in cumulative.items()},
            "p99_at_most_ms": p99_bound}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir")
    ap.add_argument("--rates", default="1000,10000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--acks", default="all")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--linger-ms", type=int, default=1)
    args = ap.parse_args()
    programs = Programs(args.build_dir)
    work = tempfile.mkdtemp(prefix="ack-split-")
    kafka_port, http_port = free_port(), free_port()
    bootstrap = f"127.0.0.1:{kafka_port}"
    metrics_url = f"http://127.0.0.1:{http_port}/metrics"
    broker = subprocess.Popen([programs.samsa, "serve", "--set", f"listeners=PLAINTEXT://{bootstrap}",
                               "--set", f"log.dirs={work}/data", "--set", f"http.listeners=http://127.0.0.1:{http_port}",
                               "--set", "schema.registry.listeners=none", "--set", "http.proxy.listeners=none"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(metrics_url, timeout=1).read()
                break
            except OSError:
                if broker.poll() is not None or time.monotonic() > deadline:
                    sys.exit("samsa did not start")
                time.sleep(0.05)
        subprocess.run([programs.load, "create-topics", "-b", bootstrap, "e2e", "--partitions", "6"],
                       capture_output=True, check=True)
        for rate in [int(r) for r in args.rates.split(",") if r]:
            for run in range(args.runs):
                before = {k: buckets(metrics_url, *h) for k, h in HISTOGRAMS.items()}
                done = subprocess.run([programs.load, "e2e", "-b", bootstrap, "-t", "e2e", "--rate", str(rate),
                                       "--acks", args.acks, "--size", "1024", "--duration", str(args.seconds),
                                       "--warmup", "1", "--linger-ms", str(args.linger_ms)],
                                      capture_output=True, text=True, timeout=args.seconds + 120)
                if done.returncode != 0:
                    sys.exit(f"samsa_load e2e failed: {done.stderr[-500:]}")
                e2e = json.loads(done.stdout.strip().splitlines()[-1])
                after = {k: buckets(metrics_url, *h) for k, h in HISTOGRAMS.items()}
                print(json.dumps({"rate": rate, "acks": args.acks, "run": run,
                                  "client_ack_ms": {k: e2e["ack_latency_ms"][k] for k in ("p50", "p99", "p999")},
                                  "client_e2e_p99_ms": e2e["latency_ms"]["p99"],
                                  **{f"broker_{k}": shares(before[k], after[k]) for k in HISTOGRAMS}}), flush=True)
    finally:
        broker.terminate()
        broker.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
