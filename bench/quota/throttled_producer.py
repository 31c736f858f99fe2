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
`throttle` statistics). Reports; asserts nothing.

    /usr/bin/python3 bench/quota/throttled_producer.py build/ci/src/cli/samsa
"""

import argparse
import json
import os
import shutil
import signal
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

    acked = [0, 0]  # bytes acknowledged after the warm-up, all bytes
    start = time.monotonic()

    def on_delivery(err, msg):
        if err is None:
            acked[1] += len(msg.value())
            if time.monotonic() - start >= warmup:
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
    p.flush(30)
    measured = max(end - start - warmup, 1e-9)
    return {"client_id": client_id, "achieved_bytes_per_s": acked[0] / measured, "total_bytes": acked[1],
            "max_throttle_ms_seen": max(throttles, default=0)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samsa")
    ap.add_argument("--rate", type=int, default=1048576, help="producer_byte_rate of `throttled`")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=12)
    ap.add_argument("--unlimited-seconds", type=float, default=5, help="the unlimited producer's run (no warm-up)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="samsa-quota-bench-")
    proc, bootstrap = start_broker(args.samsa, work)
    try:
        subprocess.run([args.samsa, "topic", "create", "metered", "-p", "1", "--bootstrap", bootstrap], check=True,
                       capture_output=True)
        subprocess.run([args.samsa, "quota", "set", "--client-id", "throttled", "--producer-byte-rate",
                        str(args.rate), "--bootstrap", bootstrap], check=True, capture_output=True)
        results = [run_producer(bootstrap, "throttled", "metered", args.seconds, args.warmup),
                   run_producer(bootstrap, "unlimited", "metered", args.unlimited_seconds, 0)]
        print(json.dumps({"quota_bytes_per_s": args.rate, "seconds": args.seconds, "warmup": args.warmup,
                          "results": results}, indent=2))
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
