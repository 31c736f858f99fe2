#!/usr/bin/python3
"""The cost of one /metrics scrape on a broker with many partitions (issue
15: measured at 10,000). Starts `samsa serve` on port 0 with its console on,
creates the partitions through the console's API, writes one record to each
(so every per-partition series has values), then scrapes repeatedly and
reports wall time per scrape (median, min, max), the broker's CPU seconds per
scrape (from /proc, user+system) and the size of the answer. Then it times
acks=1 produces to one partition with and without a scraper running flat out
beside them: a scrape reads per-partition atomics and takes no partition
lock, so produce latency should not follow the scrapes. Nothing is asserted.
Usage: bench/console_scrape.py <samsa binary> [--partitions N] [--scrapes N] [--produce-seconds S]"""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_file(path, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"samsa exited with {proc.returncode}")
        if os.path.exists(path) and open(path).read().strip():
            return int(open(path).read().strip())
        time.sleep(0.05)
    sys.exit("samsa did not start")


def request(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, data


def produce_latencies(port, topic, seconds):
    """acks=1 produce round trips, one record each, through a Kafka client, for `seconds`."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": f"127.0.0.1:{port}", "acks": "1", "linger.ms": 0})
    out = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.perf_counter()
        p.produce(topic, value=b"x" * 100, partition=0)
        p.flush(30)
        out.append(time.perf_counter() - started)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samsa")
    ap.add_argument("--partitions", type=int, default=10_000)
    ap.add_argument("--per-topic", type=int, default=1000)
    ap.add_argument("--scrapes", type=int, default=20)
    ap.add_argument("--produce-seconds", type=float, default=5)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="samsa-scrape-")
    port_file = os.path.join(work, "port")
    log = open(os.path.join(work, "broker.log"), "w")
    proc = subprocess.Popen([args.samsa, "serve", "--set", "listeners=PLAINTEXT://127.0.0.1:0",
                             "--set", f"log.dirs={work}/data", "--port-file", port_file,
                             "--set", "http.listeners=http://127.0.0.1:0", "--set", "http.write.enabled=true"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        kafka_port = wait_file(port_file, proc)
        http_port = wait_file(port_file + ".http", proc)
        started = time.monotonic()
        topics = []
        made = 0
        while made < args.partitions:
            n = min(args.per_topic, args.partitions - made)
            name = f"scrape-{len(topics)}"
            status, body = request(http_port, "POST", "/api/v1/topics", {"name": name, "partitions": n})
            if status != 201:
                sys.exit(f"creating {name}: {status} {body[:300]!r}")
            topics.append((name, n))
            made += n
        created_s = time.monotonic() - started
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": f"127.0.0.1:{kafka_port}", "acks": "1", "linger.ms": 20,
                      "queue.buffering.max.messages": 1_000_000})
        for name, n in topics:
            for part in range(n):
                p.produce(name, value=b"v", partition=part)
            p.poll(0)
        assert p.flush(300) == 0

        request(http_port, "GET", "/metrics")  # warm
        walls, cpus, size = [], [], 0
        for _ in range(args.scrapes):
            cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
            status, data = request(http_port, "GET", "/metrics")
            walls.append(time.perf_counter() - t0)
            cpus.append(cpu_seconds(proc.pid) - cpu0)
            assert status == 200
            size = len(data)

        alone = produce_latencies(kafka_port, topics[0][0], args.produce_seconds)
        stop = threading.Event()
        scrapes_during = [0]

        def scraper():
            while not stop.is_set():
                request(http_port, "GET", "/metrics")
                scrapes_during[0] += 1
        th = threading.Thread(target=scraper, daemon=True)
        th.start()
        beside = produce_latencies(kafka_port, topics[0][0], args.produce_seconds)
        stop.set()
        th.join(timeout=120)

        def pct(xs, q):
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000

        print(f"| figure | value |\n|---|---|")
        print(f"| partitions | {made} ({len(topics)} topics; created in {created_s:.1f} s) |")
        print(f"| /metrics answer | {size / 1e6:.1f} MB, {sum(1 for _ in data.splitlines())} lines |")
        print(f"| scrape wall time | median {statistics.median(walls) * 1000:.0f} ms "
              f"(min {min(walls) * 1000:.0f}, max {max(walls) * 1000:.0f}; {len(walls)} scrapes) |")
        print(f"| broker CPU per scrape | median {statistics.median(cpus) * 1000:.0f} ms |")
        print(f"| acks=1 produce p50 / p99, no scrape ({len(alone)} produces) | "
              f"{pct(alone, 0.5):.2f} / {pct(alone, 0.99):.2f} ms |")
        print(f"| acks=1 produce p50 / p99, scraping flat out ({len(beside)} produces, {scrapes_during[0]} scrapes) | "
              f"{pct(beside, 0.5):.2f} / {pct(beside, 0.99):.2f} ms |")
    finally:
        proc.terminate()
        proc.wait(timeout=120)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
