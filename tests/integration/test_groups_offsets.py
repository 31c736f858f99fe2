"""Committed offsets (issue 5): they survive a consumer restart and a broker
SIGKILL + restart; two groups each read everything; commits from a consumer
outside the group (manual assignment, generation -1) work."""

import time

import clients
import groups_util
from groups_util import Member


def committed(bootstrap, group, topic, partitions):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        res = c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=15)
        return {tp.partition: tp.offset for tp in res}
    finally:
        c.close()


def consume_with(kind, bootstrap, topic, group, want, timeout=60):
    m = Member(kind, bootstrap, topic, group, name=kind)
    try:
        groups_util.wait_consumed([m], want, timeout=timeout)
        time.sleep(0.5)  # anything beyond `want` would show up now
        return sorted(ev["seq"] for ev in m.consumed())
    finally:
        m.terminate()


def test_offsets_survive_consumer_restart(broker, name):
    topic, group = name("grp"), name("g")
    clients.create_topic(broker.bootstrap, topic, 3)
    prod = groups_util.SeqProducer(broker.bootstrap, topic, 3)
    first = list(prod.produce(300))
    assert consume_with("confluent", broker.bootstrap, topic, group, first) == first
    second = list(prod.produce(300))
    # The next member of the group (another client, even) starts where the first stopped.
    assert consume_with("kafka-python", broker.bootstrap, topic, group, second) == second
    third = list(prod.produce(300))
    assert consume_with("kafkajs", broker.bootstrap, topic, group, third) == third


def test_offsets_survive_broker_sigkill(broker, name):
    broker.require_process()
    topic, group = name("grp"), name("g")
    clients.create_topic(broker.bootstrap, topic, 3)
    prod = groups_util.SeqProducer(broker.bootstrap, topic, 3)
    first = list(prod.produce(300))
    assert consume_with("confluent", broker.bootstrap, topic, group, first) == first
    before = committed(broker.bootstrap, group, topic, 3)
    assert before == {0: 100, 1: 100, 2: 100}, before
    broker.restart(kill=True)
    after = committed(broker.bootstrap, group, topic, 3)
    assert after == before, f"committed offsets after SIGKILL+restart {after}, before {before}"
    prod = groups_util.SeqProducer(broker.bootstrap, topic, 3)
    prod.next = 300
    second = list(prod.produce(150))
    assert consume_with("confluent", broker.bootstrap, topic, group, second) == second


def test_two_groups_each_get_everything(broker, name):
    topic = name("grp")
    clients.create_topic(broker.bootstrap, topic, 4)
    seqs = list(groups_util.SeqProducer(broker.bootstrap, topic, 4).produce(400))
    group1, group2 = name("g1"), name("g2")  # one name per group, shared by its members
    g1 = [Member("confluent", broker.bootstrap, topic, group1, name=f"a{i}") for i in range(2)]
    g2 = [Member("kafka-python", broker.bootstrap, topic, group2, name=f"b{i}") for i in range(2)]
    try:
        groups_util.wait_consumed(g1, seqs)
        groups_util.wait_consumed(g2, seqs)
        groups_util.assert_no_duplicates(g1)
        groups_util.assert_no_duplicates(g2)
    finally:
        groups_util.stop_all(g1 + g2)


def test_commit_from_outside_the_group(broker, name):
    # Manual assignment: OffsetCommit with generation -1 and no member id.
    from confluent_kafka import Consumer, TopicPartition
    topic, group = name("grp"), name("g")
    clients.create_topic(broker.bootstrap, topic, 2)
    groups_util.SeqProducer(broker.bootstrap, topic, 2).produce(100)
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        c.assign([TopicPartition(topic, 0, 0), TopicPartition(topic, 1, 0)])
        res = c.commit(offsets=[TopicPartition(topic, 0, 17), TopicPartition(topic, 1, 33)], asynchronous=False)
        assert all(tp.error is None for tp in res), res
    finally:
        c.close()
    assert committed(broker.bootstrap, group, topic, 2) == {0: 17, 1: 33}
    # kafka-python does the same through its coordinator client.
    from kafka import KafkaConsumer, TopicPartition as KTP
    from kafka.structs import OffsetAndMetadata
    k = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    try:
        k.assign([KTP(topic, 0)])
        k.commit({KTP(topic, 0): OffsetAndMetadata(40, "note")})
        assert k.committed(KTP(topic, 0)) == 40
    finally:
        k.close()
    assert committed(broker.bootstrap, group, topic, 2) == {0: 40, 1: 33}
