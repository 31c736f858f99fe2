"""A consumer-group member run as its own process so tests can SIGTERM,
SIGKILL or SIGSTOP it. Prints one JSON event per line:
  {"ev": "assignment", "parts": [...], "t": wall-clock seconds}
  {"ev": "msg", "p": partition, "o": offset, "seq": int(value), "t": ...}   (after a successful sync commit)
  {"ev": "commit_failed", "p": .., "o": .., "err": ..}
  {"ev": "first", "ms": time from subscribe to first message}
  {"ev": "closed"}
Usage: group_worker.py LIB BOOTSTRAP TOPIC GROUP [key=value ...] with LIB confluent or kafka-python;
extra key=value pairs go to the client's configuration (assignment strategy etc.)."""

import json
import signal
import sys
import time

stop = False


def emit(**ev):
    ev.setdefault("t", time.time())
    sys.stdout.write(json.dumps(ev) + "\n")
    sys.stdout.flush()


def on_term(_sig, _frame):
    global stop
    stop = True


def parse_extra(args):
    out = {}
    for a in args:
        k, _, v = a.partition("=")
        out[k] = int(v) if v.lstrip("-").isdigit() else v
    return out


def run_confluent(bootstrap, topic, group, extra):
    from confluent_kafka import Consumer, KafkaException, TopicPartition
    conf = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
            "auto.offset.reset": "earliest", "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
            "topic.metadata.refresh.interval.ms": 2000}
    conf.update(extra)
    c = Consumer(conf)
    owned = set()
    cooperative = conf.get("partition.assignment.strategy") == "cooperative-sticky"

    def on_assign(consumer, parts):
        owned.update(p.partition for p in parts)
        if cooperative:
            consumer.incremental_assign(parts)
        emit(ev="assignment", parts=sorted(owned))

    def on_revoke(consumer, parts):
        owned.difference_update(p.partition for p in parts)
        if cooperative:
            consumer.incremental_unassign(parts)
        emit(ev="assignment", parts=sorted(owned))

    def on_lost(consumer, parts):
        owned.difference_update(p.partition for p in parts)
        emit(ev="lost", parts=sorted(p.partition for p in parts))
        emit(ev="assignment", parts=sorted(owned))

    started = time.time()
    first = True
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_lost)
    while not stop:
        m = c.poll(0.1)
        if m is None:
            continue
        if m.error() is not None:
            emit(ev="error", err=str(m.error()))
            continue
        if first:
            emit(ev="first", ms=(time.time() - started) * 1000)
            first = False
        try:
            c.commit(message=m, asynchronous=False)
            emit(ev="msg", p=m.partition(), o=m.offset(), seq=int(m.value()))
        except KafkaException as e:
            emit(ev="commit_failed", p=m.partition(), o=m.offset(), err=str(e))
            # Not committed, so not done: read it again while the partition is
            # still ours (if it was taken away, its next owner starts at the
            # last committed offset, which is before this message).
            try:
                c.seek(TopicPartition(m.topic(), m.partition(), m.offset()))
            except KafkaException as seek_error:
                emit(ev="seek_failed", p=m.partition(), o=m.offset(), err=str(seek_error))
    c.close()
    emit(ev="closed")


def run_kafka_python(bootstrap, topic, group, extra):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.consumer.subscription_state import ConsumerRebalanceListener
    from kafka.structs import OffsetAndMetadata
    from kafka.coordinator.assignors.range import RangePartitionAssignor
    from kafka.coordinator.assignors.roundrobin import RoundRobinPartitionAssignor
    from kafka.coordinator.assignors.sticky.sticky_assignor import StickyPartitionAssignor
    assignors = {"range": RangePartitionAssignor, "roundrobin": RoundRobinPartitionAssignor,
                 "sticky": StickyPartitionAssignor}
    strategy = extra.pop("strategy", "range")
    conf = {"bootstrap_servers": bootstrap, "group_id": group, "enable_auto_commit": False,
            "auto_offset_reset": "earliest", "session_timeout_ms": 6000, "heartbeat_interval_ms": 500,
            "partition_assignment_strategy": [assignors[strategy]], "metadata_max_age_ms": 2000}
    conf.update(extra)
    c = KafkaConsumer(**conf)

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            emit(ev="assignment", parts=[])

        def on_partitions_assigned(self, assigned):
            emit(ev="assignment", parts=sorted(tp.partition for tp in assigned))

    started = time.time()
    first = True
    c.subscribe([topic], listener=Listener())
    while not stop:
        for tp, records in c.poll(timeout_ms=100).items():
            for r in records:
                if stop:
                    break
                if first:
                    emit(ev="first", ms=(time.time() - started) * 1000)
                    first = False
                try:
                    c.commit({TopicPartition(tp.topic, tp.partition): OffsetAndMetadata(r.offset + 1, "")})
                    emit(ev="msg", p=r.partition, o=r.offset, seq=int(r.value))
                except Exception as e:  # CommitFailedError and friends
                    emit(ev="commit_failed", p=r.partition, o=r.offset, err=repr(e))
                    # The rest of this poll's records are dropped: start again
                    # at the one that was not committed, if still assigned.
                    try:
                        c.seek(tp, r.offset)
                    except Exception as seek_error:  # partition no longer assigned
                        emit(ev="seek_failed", p=r.partition, o=r.offset, err=repr(seek_error))
                    break
    c.close()
    emit(ev="closed")


def main():
    lib, bootstrap, topic, group = sys.argv[1:5]
    extra = parse_extra(sys.argv[5:])
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    {"confluent": run_confluent, "kafka-python": run_kafka_python}[lib](bootstrap, topic, group, extra)


if __name__ == "__main__":
    main()
