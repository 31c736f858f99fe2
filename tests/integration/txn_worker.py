"""A consume-transform-produce worker for test_transactions.py (run as its own
process so the test can SIGKILL it): reads the input topic in a group with
read_committed, and for each batch begins a transaction, produces one output
per input ("out:" + input value, same key), adds the consumer's positions with
send_offsets_to_transaction and commits. It prints JSON events on stdout
("ready", "in_txn", "committed") and exits 3 on any transaction error; the
test restarts it, as a supervisor would restart a real service.

usage: txn_worker.py BOOTSTRAP INPUT OUTPUT GROUP TRANSACTIONAL_ID SLOW_MS
"""

import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer


def event(kind, **kw):
    print(json.dumps(dict(event=kind, **kw)), flush=True)


def main():
    bootstrap, src, dst, group, txn_id, slow_ms = sys.argv[1:7]
    slow = int(slow_ms) / 1000.0
    consumer = Consumer({
        "bootstrap.servers": bootstrap, "group.id": group, "group.instance.id": txn_id + "-member",
        "enable.auto.commit": False, "auto.offset.reset": "earliest", "isolation.level": "read_committed",
        "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
    })
    producer = Producer({
        "bootstrap.servers": bootstrap, "transactional.id": txn_id, "transaction.timeout.ms": 10000,
        "linger.ms": 5,
    })
    producer.init_transactions(30)
    consumer.subscribe([src])
    event("ready")
    while True:
        batch = [m for m in consumer.consume(num_messages=10, timeout=0.5) if m.error() is None]
        if not batch:
            continue
        try:
            producer.begin_transaction()
            for m in batch:
                producer.produce(dst, key=m.key(), value=b"out:" + m.value())
            producer.flush(30)
            event("in_txn", n=len(batch))
            time.sleep(slow)
            producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                                 consumer.consumer_group_metadata(), 30)
            producer.commit_transaction(30)
        except KafkaException as e:
            event("error", error=str(e.args[0]))
            sys.exit(3)
        event("committed", n=len(batch), values=[m.value().decode() for m in batch])


if __name__ == "__main__":
    main()
