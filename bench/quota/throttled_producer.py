#!/usr/bin/env python3
"""The achieved rate of a producer under a client quota (issue 14).

Starts `samsa serve` (port 0, temporary data directory), sets
producer_byte_rate for the client id `throttled` with `samsa quota set`, then
runs two confluent-kafka producers one after the other (--seconds and
--unlimited-seconds),
sending 10 KiB records as fast as the client lets them: `throttled` and
`unlimited`. Prints each one's achieved rate (bytes acknowledged / time, after
the first --warmup seconds, so the quota's initial ten-window allowance is
spent) and the throttle times the broker reported (librdkafka's
`throttle` statistics). With --runs N the throttled producer is run N times
(a fresh broker each time) and the median achieved rate is reported.
Reports; asserts nothing.

    /usr/bin/python3 bench/quota/throttled_producer.py build/ci/src/cli/samsa --runs 5
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

from confluent_kafka import Producer


def start_broker(samsa, work):
    port_file = os.path.join(work, "port")
    proc = subprocess.Popen([samsa, "serve", "--set", "listeners=PLAINTEXT://127.0.0.1:0",
                             "--set", f"log.dirs={os.path.join(work, 'data')}", "--port-file", port_file,
                             "--set", "http.listeners=none"],
                            stdout=open(os.path.join(work, "broker.log"), "wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            port = int(open(port_file).read().strip())
            if port > 0:
                return proc, f"127.0.0.1:{port}"
        except (OSError, ValueError):
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("samsa serve did not start")


def run_producer(bootstrap, client_id, topic, seconds, warmup):
    throttles = []

    def on_stats(raw):
        for b in json.loads(raw).get("brokers", {}).values():
            if b.get("throttle", {}).get("max", 0) > 0:
                throttles.append(b["throttle"]["max"])

    acked = [0, 0]  # bytes acknowledged between the warm-up and the end of sending; from the start to the end
    start = time.monotonic()
    sending = [True]

    def on_delivery(err, msg):
        if err is None and sending[0]:
            acked[1] += len(msg.value())
        if err is None:
            # Only acknowledgements inside the measured window: what the
            # client still had queued when it stopped is not counted
            # (flushing it would add bytes but not the time they took).
            if sending[0] and time.monotonic() - start >= warmup:
                acked[0] += len(msg.value())

    p = Producer({"bootstrap.servers": bootstrap, "client.id": client_id, "linger.ms": 5,
                  "statistics.interval.ms": 500, "stats_cb": on_stats, "queue.buffering.max.kbytes": 4096})
    value = b"x" * 10240
    while time.monotonic() - start < seconds:
        try:
            p.produce(topic, value=value, on_delivery=on_delivery)
        except BufferError:
            p.poll(0.01)
        p.poll(0)
    end = time.monotonic()
    sending[0] = False
    p.flush(30)
    measured = max(end - start - warmup, 1e-9)
    return {"client_id": client_id, "achieved_bytes_per_s": acked[0] / measured, "total_bytes": acked[1],
            "acked_in_window_bytes": acked[0], "run_seconds": end - start,
            "max_throttle_ms_seen": max(throttles, default=0)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samsa")
    ap.add_argument("--rate", type=int, default=1048576, help="producer_byte_rate of `throttled`")
    ap.add_argument("--seconds", type=float, default=22, help="the throttled producer's run, warm-up included")
    ap.add_argument("--warmup", type=float, default=12)
    ap.add_argument("--unlimited-seconds", type=float, default=5, help="the unlimited producer's run (no warm-up)")
    ap.add_argument("--runs", type=int, default=1, help="runs of the throttled producer; the median is reported")
    args = ap.parse_args()
    runs = [one_run(args) for _ in range(args.runs)]
    rates = [r["results"][0]["achieved_bytes_per_s"] for r in runs]
    median = statistics.median(rates)
    # The whole run less the first ten windows' allowance (quota.window.num - 1
    # windows of 1 s, which Kafka lets through at once).
    allowance = args.rate * 10
    whole = [(r["results"][0]["total_bytes"] - allowance) / r["results"][0]["run_seconds"] for r in runs]
    print(json.dumps({"quota_bytes_per_s": args.rate, "measured_seconds": args.seconds - args.warmup,
                      "warmup": args.warmup, "achieved_bytes_per_s": rates, "median_bytes_per_s": median,
                      "median_vs_quota": median / args.rate,
                      "whole_run_less_allowance_bytes_per_s": whole,
                      "whole_run_median_vs_quota": statistics.median(whole) / args.rate, "runs": runs}, indent=2))


def one_run(args):
    work = tempfile.mkdtemp(prefix="samsa-quota-bench-")
    proc, bootstrap = start_broker(args.samsa, work)
    try:
        subprocess.run([args.samsa, "topic", "create", "metered", "-p", "1", "--bootstrap", bootstrap], check=True,
                       capture_output=True)
        subprocess.run([args.samsa, "quota", "set", "--client-id", "throttled", "--producer-byte-rate",
                        str(args.rate), "--bootstrap", bootstrap], check=True, capture_output=True)
        results = [run_producer(bootstrap, "throttled", "metered", args.seconds, args.warmup),
                   run_producer(bootstrap, "unlimited", "metered", args.unlimited_seconds, 0)]
        return {"results": results}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
