"""Group administration (issue 5) through three clients' admin APIs: list,
describe (members, client ids, hosts, decoded assignments), offsets and lag,
reset offsets (earliest, latest, timestamp, explicit), delete groups."""

import time

import clients
import groups_util
from groups_util import Member


def committed(bootstrap, group, topic, partitions):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        return {tp.partition: tp.offset for tp in
                c.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=15)}
    finally:
        c.close()


def commit_offsets(bootstrap, group, topic, offsets):
    """Reset a stopped group's offsets the way kafka-consumer-groups does: commit from outside the group."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        res = c.commit(offsets=[TopicPartition(topic, p, o) for p, o in offsets.items()], asynchronous=False)
        assert all(tp.error is None for tp in res), res
    finally:
        c.close()


def test_list_describe_delete(broker, name):
    from confluent_kafka.admin import AdminClient
    from kafka import KafkaAdminClient, errors
    topic, group, idle_group = name("grp"), name("g"), name("idle")
    clients.create_topic(broker.bootstrap, topic, 4)
    seqs = list(groups_util.SeqProducer(broker.bootstrap, topic, 4).produce(100))
    members = [Member("confluent", broker.bootstrap, topic, group, name=f"client-{i}",
                      **{"client.id": f"client-{i}"}) for i in range(2)]
    kp = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=15000)
    try:
        groups_util.wait_balanced(members, 4, sizes=[2, 2])
        groups_util.wait_consumed(members, seqs)
        commit_offsets(broker.bootstrap, idle_group, topic, {0: 1})  # an Empty group with offsets only

        # confluent-kafka: legacy list_groups (ListGroups v0 + DescribeGroups v0).
        groups = {g.id: g for g in AdminClient({"bootstrap.servers": broker.bootstrap}).list_groups(timeout=15)}
        assert group in groups, list(groups)
        g = groups[group]
        assert g.state == "Stable" and g.protocol_type == "consumer", (g.state, g.protocol_type)
        assert sorted(m.client_id for m in g.members) == ["client-0", "client-1"]
        assert all(m.client_host for m in g.members)

        # kafka-python: list, describe with decoded assignments, offsets.
        listed = dict(kp.list_consumer_groups())
        assert listed.get(group) == "consumer" and idle_group in listed, listed
        (desc,) = kp.describe_consumer_groups([group])
        assert desc.error_code == 0 and desc.state == "Stable" and len(desc.members) == 2, desc
        parts = sorted(p for m in desc.members for t, ps in m.member_assignment.assignment for p in ps if t == topic)
        assert parts == [0, 1, 2, 3], desc.members
        offs = kp.list_consumer_group_offsets(group)
        assert {tp.partition: om.offset for tp, om in offs.items() if tp.topic == topic} == {p: 25 for p in range(4)}

        # KafkaJS: list and describe.
        r = clients.run_kafkajs("groups_admin", {"brokers": [broker.bootstrap], "ops": [
            {"id": "list", "op": "list"},
            {"id": "describe", "op": "describe", "groups": [group, idle_group]},
            {"id": "offsets", "op": "offsets", "group": group, "topic": topic},
            {"id": "delete_busy", "op": "delete", "groups": [group]},
        ]})
        assert group in [x["groupId"] for x in r["list"]], r["list"]
        d = {x["groupId"]: x for x in r["describe"]}
        assert d[group]["state"] == "Stable" and len(d[group]["members"]) == 2
        assert sorted(m["clientId"] for m in d[group]["members"]) == ["client-0", "client-1"]
        assert sorted(p for m in d[group]["members"] for p in m["assignment"][topic]) == [0, 1, 2, 3]
        assert d[idle_group]["state"] == "Empty" and d[idle_group]["members"] == []
        (toff,) = r["offsets"]
        assert sorted((p["partition"], p["offset"]) for p in toff["partitions"]) == [(p, "25") for p in range(4)]
        # KafkaJS reports per-group failures in KafkaJSDeleteGroupsError.groups.
        busy = r["delete_busy"]
        assert "error" in busy and busy["error"]["name"] == "KafkaJSDeleteGroupsError", busy
        assert [(g["groupId"], g["errorCode"], g["error"]["type"]) for g in busy["groups"]] == \
            [(group, 68, "NON_EMPTY_GROUP")], busy

        # Lag = high watermark - committed: produce 40 more while nobody consumes.
        groups_util.stop_all(members)
        groups_util.SeqProducer(broker.bootstrap, topic, 4).produce(40)
        from confluent_kafka import Consumer, TopicPartition
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("probe")})
        hw = {p: c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in range(4)}
        c.close()
        lag = {p: hw[p] - committed(broker.bootstrap, group, topic, 4)[p] for p in range(4)}
        assert lag == {p: 10 for p in range(4)}, lag

        # Deleting: kafka-python for one empty group, KafkaJS for another; unknown group errors.
        res = dict(kp.delete_consumer_groups([idle_group]))
        assert res[idle_group] is errors.NoError, res
        r = clients.run_kafkajs("groups_admin", {"brokers": [broker.bootstrap], "ops": [
            {"id": "delete", "op": "delete", "groups": [group]},
            {"id": "delete_unknown", "op": "delete", "groups": [name("nobody")]},
            {"id": "list", "op": "list"},
        ]})
        assert "error" not in r["delete"], r["delete"]
        unknown = r["delete_unknown"]
        assert "error" in unknown and [(g["errorCode"], g["error"]["type"]) for g in unknown["groups"]] == \
            [(69, "GROUP_ID_NOT_FOUND")], unknown
        left = [x["groupId"] for x in r["list"]]
        assert group not in left and idle_group not in left, left
        assert committed(broker.bootstrap, group, topic, 4) == {p: -1001 for p in range(4)}, "offsets outlived the group"
    finally:
        groups_util.stop_all(members)
        kp.close()


def test_reset_offsets(broker, name):
    from confluent_kafka import Consumer, TopicPartition
    topic, group = name("grp"), name("g")
    clients.create_topic(broker.bootstrap, topic, 2)
    # Timestamps 1 s apart so a reset by time lands on a known offset.
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
    base = 1_700_000_000_000
    for i in range(100):
        p.produce(topic, value=str(i).encode(), partition=i % 2, timestamp=base + i * 1000)
    assert p.flush(30) == 0
    seqs = list(range(100))

    def consume(want):
        m = Member("confluent", broker.bootstrap, topic, group, name="reader")
        try:
            groups_util.wait_consumed([m], want, timeout=45)
            time.sleep(0.5)
            return sorted(ev["seq"] for ev in m.consumed())
        finally:
            m.terminate()

    assert consume(seqs) == seqs
    assert committed(broker.bootstrap, group, topic, 2) == {0: 50, 1: 50}

    # KafkaJS resetOffsets(earliest): the group reads everything again.
    r = clients.run_kafkajs("groups_admin", {"brokers": [broker.bootstrap], "ops": [
        {"id": "reset", "op": "reset", "group": group, "topic": topic, "earliest": True}]})
    assert r["reset"] is True, r["reset"]
    assert consume(seqs) == seqs

    # KafkaJS setOffsets to explicit offsets.
    r = clients.run_kafkajs("groups_admin", {"brokers": [broker.bootstrap], "ops": [
        {"id": "set", "op": "set", "group": group, "topic": topic,
         "partitions": [{"partition": 0, "offset": "45"}, {"partition": 1, "offset": "48"}]}]})
    assert r["set"] is True, r["set"]
    assert committed(broker.bootstrap, group, topic, 2) == {0: 45, 1: 48}
    assert consume([90, 92, 94, 96, 98, 97, 99]) == [90, 92, 94, 96, 97, 98, 99]

    # confluent-kafka: reset to a timestamp (offsets_for_times + commit from outside the group).
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("probe")})
    found = c.offsets_for_times([TopicPartition(topic, p, base + 80_000) for p in range(2)], timeout=10)
    c.close()
    commit_offsets(broker.bootstrap, group, topic, {tp.partition: tp.offset for tp in found})
    assert committed(broker.bootstrap, group, topic, 2) == {0: 40, 1: 40}
    assert consume(list(range(80, 100))) == list(range(80, 100))

    # kafka-python: reset to latest.
    from kafka import KafkaConsumer, TopicPartition as KTP
    from kafka.structs import OffsetAndMetadata
    k = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=group, enable_auto_commit=False)
    try:
        tps = [KTP(topic, 0), KTP(topic, 1)]
        ends = k.end_offsets(tps)
        k.commit({tp: OffsetAndMetadata(o, "") for tp, o in ends.items()})
    finally:
        k.close()
    assert committed(broker.bootstrap, group, topic, 2) == {0: 50, 1: 50}
