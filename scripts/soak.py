#!/usr/bin/env python3
"""Soak test (not part of CI): mixed load from real clients against a real
broker that is SIGKILLed every few minutes, then a check that every message
acknowledged with acks=all can be read back.

Load: idempotent acks=all producers (confluent-kafka), a consumer group
(kafka-python, committing), and admin churn (create, produce to, delete
short-lived topics). Every few seconds the broker's resident memory and open
descriptors are sampled; the report gives their maxima, and the run fails
when either passes its bound (a leak grows them with time; the last 30-minute
run peaked at 18 MB and 88 descriptors).

Usage: scripts/soak.py BUILD_DIR [--minutes 30] [--kill-every 180] [--max-rss-mb 256] [--max-fds 1000]
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.port = free_port()
        self.proc = None
        self.log = open(os.path.join(work, "broker.log"), "ab")

    def start(self):
        started = time.time()
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--set", f"listeners=PLAINTEXT://127.0.0.1:{self.port}",
             "--set", f"log.dirs={self.work}/data"], stdout=self.log, stderr=subprocess.STDOUT)
        while time.time() - started < 30:
            if self.proc.poll() is not None:
                raise RuntimeError(f"broker exited with {self.proc.returncode} while starting (see {self.work}/broker.log)")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return time.time() - started
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("broker did not listen within 30 s")

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)

    def sample(self):
        pid = self.proc.pid
        try:
            with open(f"/proc/{pid}/status") as f:
                rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
            return rss, fds
        except (OSError, StopIteration):
            return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--kill-every", type=float, default=180)
    ap.add_argument("--max-rss-mb", type=float, default=256, help="fail when the broker's RSS passes this")
    ap.add_argument("--max-fds", type=int, default=1000, help="fail when the broker's open descriptors pass this")
    args = ap.parse_args()
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient, NewTopic

    work = tempfile.mkdtemp(prefix="samsa-soak-")
    broker = Broker(os.path.join(args.build_dir, "src/cli/samsa"), work)
    broker.start()
    bootstrap = f"127.0.0.1:{broker.port}"
    topic = "soak"
    admin = AdminClient({"bootstrap.servers": bootstrap})  # kept: a dropped client cancels its requests
    admin.create_topics([NewTopic(topic, 6, 1)])[topic].result(30)

    stop = threading.Event()
    acked, lock = {}, threading.Lock()  # value -> (partition, offset)
    counts = {"sent": 0, "acked": 0, "failed": 0, "consumed": 0, "topics_churned": 0, "admin_errors": 0}
    samples, restarts = [], []

    def produce(n):
        p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                      "linger.ms": 5, "message.timeout.ms": 120000})
        seq = 0

        def done(err, msg):
            with lock:
                if err is None:
                    acked[msg.value().decode()] = (msg.partition(), msg.offset())
                    counts["acked"] += 1
                else:
                    counts["failed"] += 1

        while not stop.is_set():
            value = f"{n}-{seq}"
            try:
                p.produce(topic, value.encode(), key=str(seq % 97).encode(), on_delivery=done)
                seq += 1
                with lock:
                    counts["sent"] += 1
            except BufferError:
                p.poll(0.1)
            p.poll(0)
            if seq % 200 == 0:
                time.sleep(0.05)
        p.flush(180)

    def consume_group():
        from kafka import KafkaConsumer
        while not stop.is_set():
            try:
                c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id="soak-group",
                                  auto_offset_reset="earliest", enable_auto_commit=True,
                                  session_timeout_ms=10000, heartbeat_interval_ms=1000)
                while not stop.is_set():
                    for _tp, records in c.poll(timeout_ms=500).items():
                        with lock:
                            counts["consumed"] += len(records)
                c.close()
            except Exception:  # the broker was killed under it: reconnect
                time.sleep(1)

    def churn():
        n = 0
        while not stop.is_set():
            name = f"soak-churn-{n}"
            n += 1
            try:
                admin = AdminClient({"bootstrap.servers": bootstrap})
                admin.create_topics([NewTopic(name, 3, 1)])[name].result(20)
                p = Producer({"bootstrap.servers": bootstrap, "acks": "all"})
                for i in range(50):
                    p.produce(name, b"x" * 100)
                p.flush(20)
                admin.delete_topics([name])[name].result(20)
                with lock:
                    counts["topics_churned"] += 1
            except Exception as e:  # a SIGKILL can land in the middle of any step
                with lock:
                    counts["admin_errors"] += 1
                    counts.setdefault("admin_error_examples", [])
                    if len(counts["admin_error_examples"]) < 5:
                        counts["admin_error_examples"].append(f"{name}: {e!r}"[:300])
            time.sleep(2)

    threads = [threading.Thread(target=produce, args=(i,)) for i in range(2)]
    threads += [threading.Thread(target=consume_group) for _ in range(2)]
    threads += [threading.Thread(target=churn)]
    for t in threads:
        t.start()

    end = time.time() + args.minutes * 60
    next_kill = time.time() + args.kill_every * random.uniform(0.7, 1.0)
    failure = None
    while time.time() < end and failure is None:
        time.sleep(2)
        s = broker.sample()
        if s:
            samples.append(s)
        if time.time() >= next_kill:
            broker.kill()
            try:
                restarts.append(broker.start())
            except RuntimeError as e:
                failure = f"restart after SIGKILL failed: {e}"
            next_kill = time.time() + args.kill_every * random.uniform(0.7, 1.0)
    stop.set()
    for t in threads:
        t.join(240)

    missing = []
    if failure is None:
        # Read everything back after a clean restart.
        broker.stop()
        broker.start()
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "soak-verify", "enable.auto.commit": False})
        c.assign([TopicPartition(topic, p, 0) for p in range(6)])
        seen, idle = set(), 0
        while idle < 10:
            msgs = c.consume(10000, 1.0)
            idle = 0 if msgs else idle + 1
            for m in msgs:
                if m.error() is None:
                    seen.add(m.value().decode())
        c.close()
        missing = [v for v in acked if v not in seen]
        broker.stop()

    rss_kib_max = max((s[0] for s in samples), default=None)
    fds_max = max((s[1] for s in samples), default=None)
    over = []
    if rss_kib_max is not None and rss_kib_max > args.max_rss_mb * 1024:
        over.append(f"RSS {rss_kib_max} KiB > {args.max_rss_mb} MB")
    if fds_max is not None and fds_max > args.max_fds:
        over.append(f"{fds_max} descriptors > {args.max_fds}")
    if not samples:
        over.append("no RSS or descriptor sample was taken")
    report = dict(counts, minutes=args.minutes, kills=len(restarts),
                  restart_seconds_max=round(max(restarts), 3) if restarts else None,
                  rss_kib_max=rss_kib_max, fds_max=fds_max, bounds_exceeded=over,
                  acked_missing=len(missing), missing_examples=missing[:10], failure=failure, work_dir=work)
    print(json.dumps(report, indent=2))
    ok = failure is None and not missing and not over
    if ok:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
