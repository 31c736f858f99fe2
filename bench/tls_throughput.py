#!/usr/bin/python3
"""Produce and consume throughput over TLS, SASL_SSL and SASL_PLAINTEXT
against PLAINTEXT, on one broker with all four listeners (certificates from
`samsa certs create`; SASL with SCRAM-SHA-512, the user made by `samsa user
create`), driven by confluent-kafka (librdkafka). A quick comparison, not
part of run.py's suite: the same client, the same bytes, one after the
other; nothing is asserted.
Usage: bench/tls_throughput.py <samsa binary> [--mb N] [--runs N]

Prints a markdown table: MB/s per direction and listener (median of runs)
and the broker's CPU seconds per GB moved (from /proc, user+system)."""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_file(path, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"samsa exited with {proc.returncode}")
        if os.path.exists(path):
            return int(open(path).read().strip())
        time.sleep(0.05)
    sys.exit("samsa did not start")


def produce(bootstrap, conf, topic, total, size):
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "1", "linger.ms": 5, "batch.size": 1 << 20,
                  "queue.buffering.max.kbytes": 262144, **conf})
    value = os.urandom(size)
    started = time.monotonic()
    for _ in range(total // size):
        while True:
            try:
                p.produce(topic, value)
                break
            except BufferError:
                p.poll(0.01)
    assert p.flush(120) == 0
    return time.monotonic() - started


def consume(bootstrap, conf, topic, total):
    from confluent_kafka import Consumer, OFFSET_BEGINNING, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench", "enable.auto.commit": False,
                  "fetch.max.bytes": 52428800, "max.partition.fetch.bytes": 10485760, **conf})
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    got = 0
    started = time.monotonic()
    while got < total:
        for m in c.consume(num_messages=10000, timeout=1):
            assert m.error() is None, m.error()
            got += len(m.value())
    elapsed = time.monotonic() - started
    c.close()
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samsa")
    ap.add_argument("--mb", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--message-bytes", type=int, default=16384)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="samsa-tls-bench-")
    certs = os.path.join(work, "certs")
    subprocess.run([args.samsa, "certs", "create", "--dir", certs], check=True, capture_output=True)
    port_file = os.path.join(work, "port")
    proc = subprocess.Popen([args.samsa, "serve", "--port-file", port_file,
                             "--set", "listeners=PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,"
                                      "SASL_SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                             "--set", "sasl.enabled.mechanisms=SCRAM-SHA-512",
                             "--set", f"log.dirs={work}/data", "--set", "http.listeners=none",
                             "--set", f"ssl.keystore.location={certs}/broker.pem"],
                            stdout=open(os.path.join(work, "broker.log"), "wb"), stderr=subprocess.STDOUT)
    try:
        plain = wait_file(port_file, proc)
        port = {name: int(open(f"{port_file}.{name}").read()) for name in ("SSL", "SASL_SSL", "SASL_PLAINTEXT")}
        subprocess.run([args.samsa, "--bootstrap", f"127.0.0.1:{plain}", "user", "create", "bench",
                        "--password-stdin", "--mechanism", "SCRAM-SHA-512"], input=b"bench-secret\n", check=True,
                       capture_output=True)
        total = args.mb * 1000 * 1000
        tls = {"ssl.ca.location": f"{certs}/ca.pem"}
        scram = {"sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "bench", "sasl.password": "bench-secret"}
        listeners = {"PLAINTEXT": (f"127.0.0.1:{plain}", {}),
                     "SSL": (f"localhost:{port['SSL']}", {"security.protocol": "SSL", **tls}),
                     "SASL_SSL": (f"localhost:{port['SASL_SSL']}", {"security.protocol": "SASL_SSL", **tls,
                                                                     **scram}),
                     "SASL_PLAINTEXT": (f"127.0.0.1:{port['SASL_PLAINTEXT']}",
                                        {"security.protocol": "SASL_PLAINTEXT", **scram})}
        # Runs go round the listeners (a run of each, then the next run), so
        # that load from elsewhere and the data directory's growth hit them
        # alike; each run's topic is produced, read back, then deleted.
        from confluent_kafka.admin import AdminClient
        admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{plain}"})
        samples = {(name, d): ([], []) for name in listeners for d in ("produce", "consume")}
        for run in range(args.runs):
            for name, (bootstrap, conf) in listeners.items():
                topic = f"bench-{name.lower()}-{run}"
                for direction in ("produce", "consume"):
                    before = cpu_seconds(proc.pid)
                    if direction == "produce":
                        elapsed = produce(bootstrap, conf, topic, total, args.message_bytes)
                    else:
                        # Whole messages only: what produce() wrote.
                        elapsed = consume(bootstrap, conf, topic, total // args.message_bytes * args.message_bytes)
                    rates, cpus = samples[(name, direction)]
                    cpus.append((cpu_seconds(proc.pid) - before) / (total / 1e9))
                    rates.append(total / 1e6 / elapsed)
                admin.delete_topics([topic])[topic].result(30)
        rows = [(name, d, statistics.median(r), min(r), max(r), statistics.median(c))
                for (name, d), (r, c) in samples.items()]
        print(f"{args.mb} MB per run, {args.message_bytes}-byte messages, median of {args.runs} "
              f"(min-max), confluent-kafka {__import__('confluent_kafka').libversion()[0]}\n")
        print("| listener | direction | MB/s | min-max | broker CPU s/GB |")
        print("|---|---|---|---|---|")
        for name, direction, med, lo, hi, cpu in rows:
            print(f"| {name} | {direction} | {med:.0f} | {lo:.0f}-{hi:.0f} | {cpu:.2f} |")
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
