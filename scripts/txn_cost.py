#!/usr/bin/env python3
"""The cost of transactions on acks=all produce (issue 12; not part of CI).

Starts its own broker (SAMSA_BIN or BUILD_DIR/src/cli/samsa) and, for each of
several runs, sends the same N x M messages (VALUE_BYTES each, over P
partitions) three ways with librdkafka (confluent-kafka), acks=all:

  txn        N transactions of M messages: begin, produce M, commit
  idem-step  idempotent, no transactions, a flush after every M messages
             (the same round trips minus the transaction's own requests)
  idem-bulk  idempotent, all N x M messages then one flush (throughput)

and prints the median and min-max over the runs of each way's time per
group of M messages, and the transaction's cost: txn minus idem-step per
transaction (AddPartitionsToTxn, EndTxn, the markers and their fsyncs).

Usage: /usr/bin/python3 scripts/txn_cost.py BUILD_DIR [--runs 5] [--txns 200] [--msgs 10]
       [--partitions 3] [--value-bytes 100] [--json FILE]
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
from samsa_harness import Broker  # noqa: E402


def producer(bootstrap, **conf):
    from confluent_kafka import Producer
    c = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 1, "enable.idempotence": True}
    c.update(conf)
    return Producer(c)


def produce_group(p, topic, start, m, partitions, value):
    for i in range(start, start + m):
        while True:
            try:
                p.produce(topic, value=value, partition=i % partitions)
                break
            except BufferError:
                p.poll(0.05)


def run_txn(bootstrap, topic, args, value, run):
    p = producer(bootstrap, **{"transactional.id": f"txn-cost-{run}"})
    p.init_transactions(30)
    started = time.perf_counter()
    for t in range(args.txns):
        p.begin_transaction()
        produce_group(p, topic, t * args.msgs, args.msgs, args.partitions, value)
        p.commit_transaction(30)  # flushes first
    return time.perf_counter() - started


def run_idem_step(bootstrap, topic, args, value):
    p = producer(bootstrap)
    produce_group(p, topic, 0, 1, args.partitions, value)  # connect and get a producer id outside the timing
    p.flush(30)
    started = time.perf_counter()
    for t in range(args.txns):
        produce_group(p, topic, t * args.msgs, args.msgs, args.partitions, value)
        if p.flush(30) != 0:
            raise RuntimeError("idempotent flush timed out")
    return time.perf_counter() - started


def run_idem_bulk(bootstrap, topic, args, value):
    p = producer(bootstrap)
    produce_group(p, topic, 0, 1, args.partitions, value)
    p.flush(30)
    started = time.perf_counter()
    produce_group(p, topic, 0, args.txns * args.msgs, args.partitions, value)
    if p.flush(60) != 0:
        raise RuntimeError("idempotent flush timed out")
    return time.perf_counter() - started


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--txns", type=int, default=200)
    ap.add_argument("--msgs", type=int, default=10)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--value-bytes", type=int, default=100)
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ.setdefault("SAMSA_BIN", os.path.join(args.build_dir, "src", "cli", "samsa"))
    from confluent_kafka.admin import AdminClient, NewTopic

    broker = Broker().start()
    try:
        admin = AdminClient({"bootstrap.servers": broker.bootstrap})
        value = b"v" * args.value_bytes
        per_group = {"txn": [], "idem-step": [], "idem-bulk": []}
        for run in range(args.runs):
            topic = f"txn-cost-{run}"
            admin.create_topics([NewTopic(topic, args.partitions, 1)])[topic].result(20)
            # Interleaved so that a busy moment of the machine hits all three ways alike.
            per_group["txn"].append(run_txn(broker.bootstrap, topic, args, value, run) / args.txns * 1000)
            per_group["idem-step"].append(run_idem_step(broker.bootstrap, topic, args, value) / args.txns * 1000)
            per_group["idem-bulk"].append(run_idem_bulk(broker.bootstrap, topic, args, value) / args.txns * 1000)
            print(f"run {run + 1}/{args.runs}: " +
                  ", ".join(f"{k} {v[-1]:.2f} ms" for k, v in per_group.items()), flush=True)
        cost = [t - s for t, s in zip(per_group["txn"], per_group["idem-step"])]
        result = {"settings": vars(args), "ms_per_group_of_m": {k: summary(v) for k, v in per_group.items()},
                  "txn_cost_ms": summary(cost)}
        print(f"\n{args.txns} x {args.msgs} messages of {args.value_bytes} B over {args.partitions} partitions, "
              f"acks=all, {args.runs} runs (median, min-max), ms per group of {args.msgs} messages:")
        for k, s in result["ms_per_group_of_m"].items():
            print(f"  {k:10s} {s['median']:8.2f}  ({s['min']:.2f}-{s['max']:.2f})")
        c = result["txn_cost_ms"]
        print(f"  cost of one transaction (txn - idem-step): {c['median']:.2f} ms ({c['min']:.2f}-{c['max']:.2f})")
        if args.json:
            with open(args.json, "w") as f:
                json.dump(result, f, indent=2)
    finally:
        broker.close()


if __name__ == "__main__":
    main()
