"""Rebalance and lag history of a consumer group through the console API,
against a real broker: two librdkafka consumers join and one leaves; the
history names each generation, who joined and left, which partitions moved
and how long it took; lag is sampled at http.lag.sample.ms."""

import time

import clients
from console_client import CONSOLE, Console

FAST = {**CONSOLE, "http.lag.sample.ms": "100", "group.initial.rebalance.delay.ms": "0"}


def consumer(bootstrap, group, topic, client_id):
    from confluent_kafka import Consumer
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "client.id": client_id,
                  "partition.assignment.strategy": "range", "session.timeout.ms": 6000})
    c.subscribe([topic])
    return c


def wait_for(predicate, pump, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for c in pump:
            c.poll(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def stable_history(c, g, generations):
    status, body = c.get(f"/api/v1/groups/{g}/rebalances")
    assert status == 200, body
    done = [e for e in body["rebalances"] if e["outcome"] == "stable"]
    return body["rebalances"] if len(done) >= generations else None


def test_rebalances_and_lag_history(broker_factory, name):
    from confluent_kafka import Producer, TopicPartition
    b = broker_factory(FAST)
    c = Console(b)
    t, g = name("hist"), name("grp")
    clients.create_topic(b.bootstrap, t, 4)

    one = consumer(b.bootstrap, g, t, "first")
    wait_for(lambda: len(one.assignment()) == 4, [one], "the first consumer's assignment")
    history = wait_for(lambda: stable_history(c, g, 1), [one], "generation 1")
    first = [e for e in history if e["outcome"] == "stable"][-1]
    assert len(first["members"]) == 1 and first["joined"] == first["members"] and first["left"] == []
    [member_one] = first["members"]
    assert sorted(m["partition"] for m in first["moved"]) == [0, 1, 2, 3]
    assert all(m["from"] is None and m["to"] == member_one for m in first["moved"])
    assert first["duration_ms"] >= 0 and first["started_ms"] <= first["joined_ms"] <= first["ended_ms"]

    two = consumer(b.bootstrap, g, t, "second")
    wait_for(lambda: len(one.assignment()) == 2 and len(two.assignment()) == 2, [one, two], "a split")
    history = wait_for(lambda: stable_history(c, g, 2), [one, two], "generation 2")
    second = [e for e in history if e["outcome"] == "stable"][-1]
    assert second["generation"] > first["generation"]
    [member_two] = second["joined"]
    assert sorted(second["members"]) == sorted([member_one, member_two]) and second["left"] == []
    # range: the second member takes two partitions from the first.
    assert len(second["moved"]) == 2
    assert all(m["from"] == member_one and m["to"] == member_two for m in second["moved"])
    assert sorted(p["partition"] for p in second["assignment"][member_two]) == \
        sorted(m["partition"] for m in second["moved"])

    two.close()
    wait_for(lambda: len(one.assignment()) == 4, [one], "the first consumer taking everything back")
    history = wait_for(lambda: stable_history(c, g, 3), [one], "generation 3")
    third = [e for e in history if e["outcome"] == "stable"][-1]
    assert third["left"] == [member_two] and third["joined"] == [] and third["members"] == [member_one]
    assert all(m["from"] == member_two and m["to"] == member_one for m in third["moved"])
    assert len(third["moved"]) == 2

    # Lag history: 8 records, nothing committed on partition 0..3 but 3 records.
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    for i in range(8):
        p.produce(t, key=str(i).encode(), value=b"v", partition=i % 4)
    assert p.flush(30) == 0
    one.commit(offsets=[TopicPartition(t, i, 0) for i in range(4)], asynchronous=False)
    def lag_of(expected):
        status, body = c.get(f"/api/v1/groups/{g}/lag-history")
        assert status == 200 and body["interval_ms"] == 100
        return body["samples"] if body["samples"] and body["samples"][-1]["lag"] == expected else None
    samples = wait_for(lambda: lag_of(8), [one], "a lag sample of 8")
    one.commit(offsets=[TopicPartition(t, 0, 2), TopicPartition(t, 1, 1)], asynchronous=False)
    samples = wait_for(lambda: lag_of(5), [one], "a lag sample of 5")
    times = [s["time_ms"] for s in samples]
    assert times == sorted(times) and 8 in [s["lag"] for s in samples]
    one.close()

    status, body = c.get(f"/api/v1/groups/{name('nobody')}/rebalances")
    assert status == 404 and body["error"]["name"] == "GROUP_ID_NOT_FOUND"
    status, body = c.get(f"/api/v1/groups/{name('nobody')}/lag-history")
    assert status == 404


def test_lag_sample_setting_is_checked(broker_factory):
    import pytest
    with pytest.raises(RuntimeError):
        broker_factory({**CONSOLE, "http.lag.sample.ms": "5"})


def test_lag_in_seconds_per_partition_and_group(broker_factory, name):
    """Lag in seconds = now minus the timestamp of the first record not
    consumed: per partition and per group (its latest partition), in the
    group view, the group list and the per-partition lag history."""
    from confluent_kafka import Consumer, Producer, TopicPartition
    b = broker_factory(FAST)
    c = Console(b)
    t, g = name("secs"), name("grp")
    clients.create_topic(b.bootstrap, t, 2)
    old = int(time.time() * 1000) - 600_000  # ten minutes ago
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    for i in range(3):
        p.produce(t, value=b"old", partition=0, timestamp=old + i * 1000)
    for _ in range(2):
        p.produce(t, value=b"new", partition=1)
    assert p.flush(30) == 0
    # Partition 0: offset 1 (ten minutes minus a second old) is the first not consumed; partition 1: caught up.
    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": g, "enable.auto.commit": False})
    cons.commit(offsets=[TopicPartition(t, 0, 1), TopicPartition(t, 1, 2)], asynchronous=False)
    cons.close()

    def sampled():
        status, body = c.get(f"/api/v1/groups/{g}/lag-history")
        assert status == 200, body
        s = body["samples"]
        return body if s and s[-1]["lag"] == 2 and s[-1]["lag_seconds"] > 0 else None
    body = wait_for(sampled, [], "a lag sample in seconds")
    assert 598 <= body["samples"][-1]["lag_seconds"] < 3600
    series = {(x["topic"], x["partition"]): x["samples"] for x in body["partitions"]}
    assert set(series) == {(t, 0), (t, 1)}
    assert series[(t, 0)][-1]["lag"] == 2 and 598 <= series[(t, 0)][-1]["lag_seconds"] < 3600
    assert series[(t, 1)][-1] == {**series[(t, 1)][-1], "lag": 0, "lag_seconds": 0}

    status, group = c.get(f"/api/v1/groups/{g}")
    assert status == 200 and 598 <= group["lag_seconds"] < 3600
    by_partition = {o["partition"]: o for o in group["offsets"]}
    assert by_partition[0]["first_unconsumed_timestamp"] == old + 1000
    assert by_partition[1]["lag_seconds"] == 0
    status, groups = c.get("/api/v1/groups")
    [listed] = [x for x in groups["groups"] if x["group_id"] == g]
    assert listed["lag"] == 2 and 598 <= listed["lag_seconds"] < 3600
