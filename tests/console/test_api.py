"""Console JSON API (/api/v1) against a real broker: cluster, topics with
partitions, messages by offset and timestamp, produce (with the write switch),
topic creation, groups with members, assignments and lag in records and
seconds, live figures over Server-Sent Events, and errors as Kafka codes."""

import http.client
import json
import os
import socket
import subprocess
import time

import pytest

import clients
from console_client import CONSOLE, Console

WRITES = {**CONSOLE, "http.write.enabled": "true"}


def produce(bootstrap, topic, records, timestamp=None):
    """records: [(key, value, partition or None)]; returns [(partition, offset)] in the order of
    `records` (delivery reports of different partitions arrive in any order)."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "partitioner": "murmur2_random"})
    got = [None] * len(records)

    def deliver(i):
        return lambda err, m: got.__setitem__(i, err or (m.partition(), m.offset()))

    for i, (key, value, partition) in enumerate(records):
        kw = {"key": key, "value": value, "on_delivery": deliver(i)}
        if partition is not None:
            kw["partition"] = partition
        if timestamp is not None:
            kw["timestamp"] = timestamp
        p.produce(topic, **kw)
    assert p.flush(30) == 0
    assert all(isinstance(g, tuple) for g in got), got
    return got


def test_start_up_line_names_the_console_and_the_port_file_has_its_port(broker_factory):
    b = broker_factory(CONSOLE)
    c = Console(b)
    with open(b.log_path) as f:
        log = f.read()
    assert f"console http://127.0.0.1:{c.port}/" in log
    status, body = c.get("/api/v1/cluster")
    assert status == 200
    assert body["listeners"][0]["port"] == b.port
    assert body["console"]["write_enabled"] is False


def test_none_turns_the_console_off(broker_factory):
    b = broker_factory({"http.listeners": "none"})
    assert not os.path.exists(os.path.join(b.work_dir, "port.http"))
    with open(b.log_path) as f:
        assert "console: off" in f.read()


def test_a_busy_chosen_port_stops_the_start(broker_factory):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    with pytest.raises(RuntimeError, match="http listener cannot bind"):
        broker_factory({"http.listeners": f"http://127.0.0.1:{port}"})
    s.close()


def test_topics_partitions_messages_and_the_partitioner(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("orders")
    clients.create_topic(b.bootstrap, t, 3)
    keys = [f"customer-{i}".encode() for i in range(12)]
    placed = produce(b.bootstrap, t, [(k, json.dumps({"n": i}).encode(), None) for i, k in enumerate(keys)])

    status, topics = c.get("/api/v1/topics")
    assert status == 200
    mine = [x for x in topics["topics"] if x["name"] == t][0]
    assert sum(p["high_watermark"] for p in mine["partitions"]) == 12
    assert all(not x["internal"] for x in topics["topics"])

    status, detail = c.get(f"/api/v1/topics/{t}")
    assert status == 200
    assert len(detail["partitions"]) == 3
    for p in detail["partitions"]:
        expected = sum(1 for (part, _) in placed if part == p["partition"])
        assert p["high_watermark"] == expected
        assert p["records_in"] == expected
        assert p["segments"] == 1 and p["segment_base_offsets"] == [0]
        assert (p["size_bytes"] > 0) == (expected > 0)
    assert detail["configs"]["effective"]["cleanup.policy"] == "delete"

    # Every record is where the broker's murmur2 says, as librdkafka put it.
    for part in range(3):
        status, page = c.get(f"/api/v1/topics/{t}/partitions/{part}/messages?offset=0&limit=100")
        assert status == 200
        for r in page["records"]:
            assert r["partitioner"]["partition"] == part, r
            assert r["partitioner"]["partitions"] == 3
        assert len(page["records"]) == detail["partitions"][part]["high_watermark"]

    # Offset and limit page through; next_offset continues.
    busiest = max(detail["partitions"], key=lambda p: p["high_watermark"])
    part, hw = busiest["partition"], busiest["high_watermark"]
    status, first = c.get(f"/api/v1/topics/{t}/partitions/{part}/messages?offset=0&limit=1")
    assert [r["offset"] for r in first["records"]] == [0]
    assert first["next_offset"] == 1
    status, rest = c.get(f"/api/v1/topics/{t}/partitions/{part}/messages?offset=1&limit=100")
    assert [r["offset"] for r in rest["records"]] == list(range(1, hw))

    status, missing = c.get(f"/api/v1/topics/{t}/partitions/7/messages")
    assert status == 404 and missing["error"]["code"] == 3
    status, missing = c.get("/api/v1/topics/no-such-topic")
    assert status == 404 and missing["error"]["name"] == "UNKNOWN_TOPIC_OR_PARTITION"
    status, far = c.get(f"/api/v1/topics/{t}/partitions/{part}/messages?offset=999")
    assert status == 416 and far["error"]["code"] == 1

    status, steps = c.get(f"/api/v1/topics/{t}/partitioner?key=customer-3")
    assert status == 200
    assert steps["partition"] == placed[3][0]
    assert steps["positive"] == steps["murmur2"] & 0x7FFFFFFF


def test_messages_from_a_timestamp(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("times")
    clients.create_topic(b.bootstrap, t, 1)
    base = 1_700_000_000_000
    for i in range(5):
        produce(b.bootstrap, t, [(b"k", f"v{i}".encode(), 0)], timestamp=base + i * 1000)
    status, page = c.get(f"/api/v1/topics/{t}/partitions/0/messages?timestamp={base + 2500}&limit=10")
    assert status == 200
    assert [r["offset"] for r in page["records"]] == [3, 4]
    assert page["records"][0]["timestamp"] == base + 3000
    assert page["records"][0]["value"] == "v3"


def test_produce_needs_the_write_switch(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("ro")
    clients.create_topic(b.bootstrap, t, 1)
    status, body = c.post(f"/api/v1/topics/{t}/messages", {"value": "x"})
    assert status == 403
    assert body["error"]["name"] == "CLUSTER_AUTHORIZATION_FAILED"
    status, body = c.post("/api/v1/topics", {"name": name("new"), "partitions": 1})
    assert status == 403
    assert c.get(f"/api/v1/topics/{t}")[1]["partitions"][0]["high_watermark"] == 0


def test_produce_by_key_partition_and_headers(broker_factory, name):
    b = broker_factory(WRITES)
    c = Console(b)
    t = name("w")
    clients.create_topic(b.bootstrap, t, 4)
    status, body = c.post(f"/api/v1/topics/{t}/messages",
                          {"key": "user-42", "value": {"total": 3}, "headers": {"source": "test"}})
    assert status == 201, body
    steps = c.get(f"/api/v1/topics/{t}/partitioner?key=user-42")[1]
    assert body["partition"] == steps["partition"]
    assert body["chosen_by"].startswith("murmur2")
    status, page = c.get(f"/api/v1/topics/{t}/partitions/{body['partition']}/messages?offset={body['offset']}")
    r = page["records"][0]
    assert r["key"] == "user-42" and json.loads(r["value"]) == {"total": 3}
    assert r["headers"] == [{"key": "source", "value": "test"}]

    status, body = c.post(f"/api/v1/topics/{t}/messages", {"value": "to two", "partition": 2})
    assert status == 201 and body["partition"] == 2
    # What a Kafka consumer reads is what the console wrote.
    from confluent_kafka import Consumer, TopicPartition
    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": name("g"), "enable.auto.commit": False})
    cons.assign([TopicPartition(t, 2, 0)])
    m = cons.poll(15)
    assert m is not None and m.error() is None and m.value() == b"to two"
    cons.close()

    status, body = c.post(f"/api/v1/topics/{t}/messages", {"value": "x", "partition": 9})
    assert status == 400 and body["error"]["code"] == 3
    status, body = c.post(f"/api/v1/topics/{name('none')}/messages", {"value": "x"})
    assert status == 404 and body["error"]["code"] == 3
    status, _, payload = c.request("POST", f"/api/v1/topics/{t}/messages", raw_body=b"{not json",
                                   headers={"Content-Type": "application/json"})
    assert status == 400 and json.loads(payload)["error"]["name"] == "INVALID_REQUEST"
    # A form post from another site cannot be JSON without a preflight: refused.
    status, _, payload = c.request("POST", f"/api/v1/topics/{t}/messages", raw_body=b"value=x",
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415


def test_create_topic(broker_factory, name):
    b = broker_factory(WRITES)
    c = Console(b)
    t = name("made")
    status, body = c.post("/api/v1/topics", {"name": t, "partitions": 2, "configs": {"retention.ms": "60000"}})
    assert status == 201, body
    status, detail = c.get(f"/api/v1/topics/{t}")
    assert len(detail["partitions"]) == 2
    assert detail["configs"]["overrides"] == {"retention.ms": "60000"}
    assert clients.ck_partitions(b.bootstrap, t) == [0, 1]
    status, body = c.post("/api/v1/topics", {"name": t, "partitions": 2})
    assert status == 409 and body["error"]["name"] == "TOPIC_ALREADY_EXISTS"
    status, body = c.post("/api/v1/topics", {"name": "bad name!", "partitions": 1})
    assert status == 400 and body["error"]["name"] == "INVALID_TOPIC_EXCEPTION"


def test_groups_members_assignments_and_lag(broker_factory, name):
    from confluent_kafka import Consumer, TopicPartition
    b = broker_factory(CONSOLE)
    c = Console(b)
    t, g = name("lag"), name("grp")
    clients.create_topic(b.bootstrap, t, 1)
    old = int(time.time() * 1000) - 60_000  # a minute ago
    produce(b.bootstrap, t, [(b"k", f"v{i}".encode(), 0) for i in range(10)], timestamp=old)
    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": g, "enable.auto.commit": False,
                     "auto.offset.reset": "earliest", "client.id": "lag-test"})
    cons.subscribe([t])
    deadline = time.monotonic() + 30
    while not cons.assignment() and time.monotonic() < deadline:
        cons.poll(0.2)
    assert cons.assignment()
    cons.commit(offsets=[TopicPartition(t, 0, 4)], asynchronous=False)

    status, groups = c.get("/api/v1/groups")
    mine = [x for x in groups["groups"] if x["group_id"] == g][0]
    assert mine["state"] == "Stable" and mine["members"] == 1 and mine["lag"] == 6

    status, detail = c.get(f"/api/v1/groups/{g}")
    assert status == 200
    assert detail["state"] == "Stable"
    [member] = detail["members"]
    assert member["client_id"] == "lag-test"
    assert member["assignment"] == [{"topic": t, "partitions": [0]}]
    [off] = detail["offsets"]
    assert off["committed_offset"] == 4 and off["high_watermark"] == 10 and off["lag"] == 6
    assert off["first_unconsumed_timestamp"] == old
    assert 55 <= off["lag_seconds"] <= 120

    cons.commit(offsets=[TopicPartition(t, 0, 10)], asynchronous=False)
    off = c.get(f"/api/v1/groups/{g}")[1]["offsets"][0]
    assert off["lag"] == 0 and off["lag_seconds"] == 0
    cons.close()
    status, body = c.get(f"/api/v1/groups/{name('nobody')}")
    assert status == 404 and body["error"]["name"] == "GROUP_ID_NOT_FOUND"


def test_live_figures_stream(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("live")
    clients.create_topic(b.bootstrap, t, 1)
    conn = http.client.HTTPConnection("127.0.0.1", c.port, timeout=10)
    conn.request("GET", f"/api/v1/events?topic={t}")
    res = conn.getresponse()
    assert res.status == 200 and res.getheader("Content-Type") == "text/event-stream"

    def next_event():
        data = []
        while True:
            line = res.fp.readline().decode().rstrip("\n")
            if line.startswith("data: "):
                data.append(line[6:])
            elif line == "" and data:
                return json.loads("\n".join(data))

    first = next_event()
    assert first["partitions"][0]["high_watermark"] == 0
    produce(b.bootstrap, t, [(None, b"x", 0)] * 5)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        e = next_event()
        if e["partitions"][0]["high_watermark"] == 5:
            assert e["partitions"][0]["records_in"] == 5
            break
    else:
        raise AssertionError("the stream never showed the new records")
    conn.close()


def raw_exchange(port, data):
    """Sends raw bytes and returns the status code of the answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    answer = b""
    while b"\r\n" not in answer:
        try:
            chunk = s.recv(4096)
        except ConnectionResetError:
            break
        if not chunk:
            break
        answer += chunk
    s.close()
    return int(answer.split(b" ")[1]) if answer else None


def test_bounds_and_browser_protections(broker_factory):
    b = broker_factory(WRITES)
    c = Console(b)
    # A body over 1 MiB is refused from its Content-Length, before it is read.
    assert raw_exchange(c.port, b"POST /api/v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                b"Content-Type: application/json\r\nContent-Length: 1048577\r\n\r\n") == 413
    assert raw_exchange(c.port, b"GET /api/v1/cluster HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"y" * 20000 +
                        b"\r\n\r\n") == 431
    # Not HTTP at all: a 400 and the connection is closed; the console goes on.
    assert raw_exchange(c.port, b"\x00\x01garbage\r\n\r\n") == 400
    # DNS rebinding: a hostile name pointing at 127.0.0.1 is not served.
    status, _, _ = c.request("GET", "/api/v1/cluster", headers={"Host": "evil.example:80"})
    assert status == 421
    # A page of another origin is answered with a refusal and no CORS headers
    # (tests/console/test_cross_site.py sends such requests from a browser).
    status, headers, _ = c.request("GET", "/api/v1/cluster", headers={"Origin": "http://evil.example"})
    assert status == 403
    assert not any(k.lower().startswith("access-control-") for k in headers)
    status, headers, _ = c.request("GET", "/api/v1/cluster", headers={"Origin": f"http://127.0.0.1:{c.port}"})
    assert status == 200
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, _, _ = c.request("OPTIONS", "/api/v1/topics")
    assert status == 405
    status, body = c.get("/api/v1/nothing")
    assert status == 404 and body["error"]["code"] == 42
    assert c.get("/api/v1/cluster")[0] == 200


def test_deep_bodies_and_wrong_field_types_are_the_clients_error(broker_factory):
    b = broker_factory(WRITES)
    c = Console(b)
    assert c.post("/api/v1/topics", {"name": "kept", "partitions": 1})[0] == 201
    # 100,000 levels in a config value or a record value were printed by a
    # recursive dump() on the console's thread: the stack overflowed and the
    # whole broker died (found by scripts/http_fuzz.py).
    deep = "[" * 100_000 + "]" * 100_000
    for path, raw in (("/api/v1/topics", '{"name":"u","partitions":1,"configs":{"retention.ms":' + deep + '}}'),
                      ("/api/v1/topics/kept/messages", '{"value":' + deep + '}')):
        status, _, payload = c.request("POST", path, raw_body=raw.encode(), headers={"Content-Type": "application/json"})
        assert status == 400 and b"nests deeper than 1000 levels" in payload, (path, payload[:200])
    # A field of the wrong type was a 500 (the JSON library's type_error).
    status, answer = c.post("/api/v1/topics", {"name": "v", "partitions": "3"})
    assert status == 400 and "wrong type" in answer["error"]["message"], answer
    assert b.alive()
    status, body = c.get("/api/v1/topics")
    assert status == 200 and [t["name"] for t in body["topics"]] == ["kept"], body


def test_connection_cap_and_idle_timeout(broker_factory):
    b = broker_factory(CONSOLE)
    c = Console(b)
    # 64 idle connections are held; the 65th is closed at once.
    held = [socket.create_connection(("127.0.0.1", c.port)) for _ in range(64)]
    time.sleep(0.3)
    extra = socket.create_connection(("127.0.0.1", c.port))
    extra.settimeout(5)
    assert extra.recv(1) == b""
    for s in held:
        s.close()
    time.sleep(0.3)
    assert c.get("/api/v1/cluster")[0] == 200


def test_the_page_is_served_from_the_binary(broker_factory):
    b = broker_factory(CONSOLE)
    c = Console(b)
    status, headers, html = c.text("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<script src="/app.js">' in html
    status, headers, js = c.text("/app.js")
    assert status == 200 and "function murmur2" in js
    # No request leaves the broker: every src/href is local.
    assert "http://" not in html and "https://" not in html
