"""Managing from the console against a real broker (writes on): delete a
topic, add partitions, change and reset a topic's configs, and reset a
group's committed offsets with a dry run first; each refused without the
write switch, and Kafka's errors come back as Kafka codes."""

import time

import clients
from console_client import CONSOLE, Console

WRITES = {**CONSOLE, "http.write.enabled": "true"}


def call(c, method, path, body=None):
    import json
    status, _, payload = c.request(method, path, body=body if body is not None else {})
    return status, json.loads(payload) if payload else None


def test_management_needs_the_write_switch(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("ro")
    clients.create_topic(b.bootstrap, t, 1)
    for method, path, body in [("DELETE", f"/api/v1/topics/{t}", None),
                               ("POST", f"/api/v1/topics/{t}/partitions", {"count": 3}),
                               ("POST", f"/api/v1/topics/{t}/configs", {"set": {"retention.ms": "1000"}}),
                               ("POST", f"/api/v1/groups/g/offsets/reset", {"topic": t, "to": "earliest"})]:
        status, answer = call(c, method, path, body)
        assert status == 403 and answer["error"]["code"] == 31, (path, answer)
    assert len(c.get(f"/api/v1/topics/{t}")[1]["partitions"]) == 1


def test_delete_configure_and_add_partitions(broker_factory, name):
    b = broker_factory(WRITES)
    c = Console(b)
    t = name("managed")
    clients.create_topic(b.bootstrap, t, 1)

    status, body = call(c, "POST", f"/api/v1/topics/{t}/partitions", {"count": 3})
    assert status == 200, body
    assert [p["partition"] for p in c.get(f"/api/v1/topics/{t}")[1]["partitions"]] == [0, 1, 2]
    status, body = call(c, "POST", f"/api/v1/topics/{t}/partitions", {"count": 2})
    assert status == 400 and body["error"]["name"] == "INVALID_PARTITIONS", body

    status, body = call(c, "POST", f"/api/v1/topics/{t}/configs", {"set": {"retention.ms": "123456"}})
    assert status == 200, body
    configs = c.get(f"/api/v1/topics/{t}")[1]["configs"]
    assert configs["overrides"] == {"retention.ms": "123456"} and configs["effective"]["retention.ms"] == 123456
    status, body = call(c, "POST", f"/api/v1/topics/{t}/configs", {"delete": ["retention.ms"]})
    assert status == 200, body
    assert c.get(f"/api/v1/topics/{t}")[1]["configs"]["overrides"] == {}
    status, body = call(c, "POST", f"/api/v1/topics/{t}/configs", {"set": {"no.such.config": "1"}})
    assert status == 400 and body["error"]["code"] != 0, body

    status, body = call(c, "DELETE", f"/api/v1/topics/{t}")
    assert status == 200 and body == {"deleted": t}
    status, body = c.get(f"/api/v1/topics/{t}")
    assert status == 404
    status, body = call(c, "DELETE", f"/api/v1/topics/{t}")
    assert status == 404 and body["error"]["code"] == 3


def test_reset_offsets_dry_run_first(broker_factory, name):
    from confluent_kafka import Consumer, Producer, TopicPartition
    b = broker_factory(WRITES)
    c = Console(b)
    t, g = name("reset"), name("grp")
    clients.create_topic(b.bootstrap, t, 2)
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    for i in range(10):
        p.produce(t, value=b"v", partition=i % 2)
    assert p.flush(30) == 0
    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": g, "enable.auto.commit": False})
    cons.subscribe([t])
    deadline = time.monotonic() + 30
    while len(cons.assignment()) < 2 and time.monotonic() < deadline:
        cons.poll(0.1)
    cons.commit(offsets=[TopicPartition(t, 0, 5), TopicPartition(t, 1, 5)], asynchronous=False)

    path = f"/api/v1/groups/{g}/offsets/reset"
    # An active group: refused, as Kafka refuses it.
    status, body = call(c, "POST", path, {"topic": t, "to": "earliest", "execute": True})
    assert status == 409 and body["error"]["name"] == "NON_EMPTY_GROUP", body
    cons.close()

    status, plan = call(c, "POST", path, {"topic": t, "to": "earliest"})
    assert status == 200 and plan["executed"] is False
    assert plan["partitions"] == [{"partition": 0, "current": 5, "new": 0}, {"partition": 1, "current": 5, "new": 0}]
    offsets = {o["partition"]: o["committed_offset"] for o in c.get(f"/api/v1/groups/{g}")[1]["offsets"]}
    assert offsets == {0: 5, 1: 5}  # a dry run changes nothing

    status, done = call(c, "POST", path, {"topic": t, "to": "earliest", "execute": True})
    assert status == 200 and done["executed"] is True, done
    offsets = {o["partition"]: o["committed_offset"] for o in c.get(f"/api/v1/groups/{g}")[1]["offsets"]}
    assert offsets == {0: 0, 1: 0}

    status, done = call(c, "POST", path, {"topic": t, "to": 99, "execute": True})  # clamped to the end
    assert status == 200 and [r["new"] for r in done["partitions"]] == [5, 5]
    status, done = call(c, "POST", path, {"topic": t, "to": "latest"})
    assert [r["current"] for r in done["partitions"]] == [5, 5]

    status, body = call(c, "POST", path, {"topic": t, "to": "middle"})
    assert status == 400 and body["error"]["code"] == 42
    status, body = call(c, "POST", path, {"topic": name("none"), "to": "earliest"})
    assert status == 404 and body["error"]["code"] == 3
