"""Console search and replay against a real broker: key/value substring, JSON
Pointer equality and header matches over every partition of a topic, a scan
budget that pages through the topic with a cursor, and replaying a stored
record (key, value, headers) to the same or another topic."""

import json
from urllib.parse import quote, urlencode

import clients
from console_client import CONSOLE, Console

WRITES = {**CONSOLE, "http.write.enabled": "true"}


def produce(bootstrap, topic, records, compression="none"):
    """records: [(key, value, headers)]; returns {(partition, offset): record}."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "partitioner": "murmur2_random",
                  "compression.type": compression, "linger.ms": 5})
    placed = {}

    def on_delivery(record):
        return lambda err, m: placed.__setitem__((m.partition(), m.offset()), err or record)

    for key, value, headers in records:
        p.produce(topic, key=key, value=value, headers=headers, on_delivery=on_delivery((key, value, headers)))
    assert p.flush(30) == 0
    assert len(placed) == len(records) and all(isinstance(v, tuple) for v in placed.values()), placed
    return placed


def search(c, topic, **params):
    status, body = c.get(f"/api/v1/topics/{quote(topic, safe='')}/search?" + urlencode(params, quote_via=quote))
    return status, body


def search_all(c, topic, **params):
    """Every page until the search is complete: (matches, pages)."""
    matches, pages, cursor = [], [], None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        status, page = search(c, topic, **params, **extra)
        assert status == 200, page
        pages.append(page)
        matches += page["matches"]
        if page["complete"]:
            assert page["cursor"] is None
            return matches, pages
        cursor = page["cursor"]
        assert len(pages) < 1000


def where(matches):
    return sorted((m["partition"], m["offset"]) for m in matches)


def corpus():
    records = []
    for i in range(60):
        doc = {"n": i, "user": {"name": "alice" if i % 7 == 0 else f"user{i}"}, "a/b": {"~x": i % 3}}
        headers = [("trace", f"t-{i:03d}".encode())] if i % 5 == 0 else [("other", b"1")]
        records.append((f"customer-{i % 12}".encode(), json.dumps(doc).encode(), headers))
    records.append((b"plain", b"not json at all alice", []))
    records.append((None, None, []))
    return records


def test_search_by_key_json_pointer_and_header(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("search")
    clients.create_topic(b.bootstrap, t, 3)
    placed = produce(b.bootstrap, t, corpus(), compression="lz4")

    def expect(pred):
        return sorted(pos for pos, rec in placed.items() if pred(rec))

    def doc(rec):
        try:
            return json.loads(rec[1])
        except (TypeError, ValueError):
            return None

    status, page = search(c, t, key="customer-1", limit=500)
    assert status == 200, page
    assert page["complete"] and page["cursor"] is None
    assert where(page["matches"]) == expect(lambda r: r[0] is not None and b"customer-1" in r[0])
    assert page["scanned"]["records"] == len(placed)
    assert page["scanned"]["bytes"] > 0
    assert {p["partition"] for p in page["positions"]} == {0, 1, 2}
    assert all(p["done"] and p["next_offset"] == p["high_watermark"] for p in page["positions"])
    one = page["matches"][0]
    assert one["key"].startswith("customer-1") and one["partitioner"]["partition"] == one["partition"]

    status, page = search(c, t, pointer="/user/name", equals='"alice"', limit=500)
    assert status == 200, page
    alices = expect(lambda r: doc(r) is not None and doc(r)["user"]["name"] == "alice")
    assert len(alices) == 9 and where(page["matches"]) == alices
    assert page["criteria"] == {"pointer": "/user/name", "equals": "alice"}

    # ~1 is '/', ~0 is '~' (RFC 6901); equals compares JSON values (2 == 2.0).
    status, page = search(c, t, pointer="/a~1b/~0x", equals="2.0", limit=500)
    assert status == 200, page
    assert where(page["matches"]) == expect(lambda r: doc(r) is not None and doc(r)["a/b"]["~x"] == 2)

    status, page = search(c, t, value="alice", limit=500)
    assert where(page["matches"]) == expect(lambda r: r[1] is not None and b"alice" in r[1])

    status, page = search(c, t, header="trace", header_value="-01", limit=500)
    assert where(page["matches"]) == expect(lambda r: any(k == "trace" and b"-01" in v for k, v in r[2]))
    assert all(h["key"] == "trace" for m in page["matches"] for h in m["headers"])

    # Criteria combine: all must hold.
    status, page = search(c, t, key="customer-0", header="trace", limit=500)
    assert where(page["matches"]) == expect(
        lambda r: r[0] == b"customer-0" and any(k == "trace" for k, _ in r[2]))

    # One partition only.
    status, page = search(c, t, key="customer", partition=1, limit=500)
    assert [p["partition"] for p in page["positions"]] == [1]
    assert where(page["matches"]) == [pos for pos in expect(lambda r: r[0] is not None and b"customer" in r[0])
                                      if pos[0] == 1]


def test_the_scan_budget_pages_through_the_topic_with_a_cursor(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("paged")
    clients.create_topic(b.bootstrap, t, 3)
    placed = produce(b.bootstrap, t, corpus())
    everything, _ = search_all(c, t, value="alice", limit=500)

    matches, pages = search_all(c, t, value="alice", max_records=7)
    assert len(pages) >= len(placed) // 7
    assert all(p["scanned"]["records"] <= 7 for p in pages)
    assert sum(p["scanned"]["records"] for p in pages) == len(placed)
    assert where(matches) == where(everything) and len(matches) == len(set(where(matches)))
    # A page that stops early names where each partition will continue.
    first = pages[0]
    assert not first["complete"]
    cursor = dict(item.split(":") for item in first["cursor"].split(","))
    for p in first["positions"]:
        if not p["done"]:
            assert int(cursor[str(p["partition"])]) == p["next_offset"] < p["high_watermark"]

    # A match limit stops the page too.
    status, page = search(c, t, value="alice", limit=2)
    assert status == 200 and len(page["matches"]) == 2 and not page["complete"]

    # A byte budget of 1 still reads one batch per page and moves on.
    matches, pages = search_all(c, t, value="alice", max_bytes=1)
    assert where(matches) == where(everything)
    assert len(pages) > 1


def test_search_errors_are_kafka_codes(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("bad")
    clients.create_topic(b.bootstrap, t, 1)
    cases = [
        ({}, "at least one"),
        ({"pointer": "user", "equals": "1"}, "RFC 6901"),
        ({"pointer": "/a~2", "equals": "1"}, "followed by 0 or 1"),
        ({"pointer": "/a", "equals": "alice"}, "must be JSON"),
        ({"key": "a", "max_records": "-3"}, "max_records"),
        ({"key": "a", "cursor": "0:x"}, "cursor"),
        ({"key": "a", "partition": "x"}, "partition"),
    ]
    for params, message in cases:
        status, body = search(c, t, **params)
        assert status == 400, (params, body)
        assert body["error"]["code"] == 42 and body["error"]["name"] == "INVALID_REQUEST"
        assert message in body["error"]["message"], (params, body)
    status, body = search(c, "no-such-topic", key="a")
    assert status == 404 and body["error"]["code"] == 3
    status, body = search(c, t, key="a", partition=5)
    assert status == 404 and body["error"]["code"] == 3


def replay_path(topic, partition, offset):
    return f"/api/v1/topics/{topic}/partitions/{partition}/messages/{offset}/replay"


def test_replay_needs_the_write_switch(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("ro")
    clients.create_topic(b.bootstrap, t, 1)
    produce(b.bootstrap, t, [(b"k", b"v", [])])
    status, body = c.post(replay_path(t, 0, 0), {})
    assert status == 403 and body["error"]["code"] == 31  # CLUSTER_AUTHORIZATION_FAILED
    status, page = c.get(f"/api/v1/topics/{t}/partitions/0/messages?offset=0&limit=10")
    assert len(page["records"]) == 1


def test_replay_to_the_same_and_another_topic(broker_factory, name):
    b = broker_factory(WRITES)
    c = Console(b)
    src, dst = name("src"), name("dst")
    clients.create_topic(b.bootstrap, src, 2)
    clients.create_topic(b.bootstrap, dst, 5)
    placed = produce(b.bootstrap, src, [(b"order-42", b'{"total": 12}', [("trace", b"abc"), ("empty", None)])])
    (partition, offset), = placed.keys()

    status, body = c.post(replay_path(src, partition, offset), {"topic": dst})
    assert status == 201, body
    assert body["topic"] == dst and body["replayed_from"] == {"topic": src, "partition": partition, "offset": offset}
    assert body["chosen_by"] == "murmur2(key) % partitions"
    assert body["partition"] == body["partitioner"]["partition"]
    status, page = c.get(f"/api/v1/topics/{dst}/partitions/{body['partition']}/messages?offset=0&limit=10")
    assert [(r["key"], r["value"]) for r in page["records"]] == [("order-42", '{"total": 12}')]
    assert page["records"][0]["headers"] == [{"key": "trace", "value": "abc"}, {"key": "empty", "value": None}]

    # Same topic, a chosen partition: the record is appended again there.
    status, body = c.post(replay_path(src, partition, offset), {"partition": 1 - partition})
    assert status == 201, body
    assert body["topic"] == src and body["partition"] == 1 - partition and body["offset"] == 0
    status, page = c.get(f"/api/v1/topics/{src}/partitions/{1 - partition}/messages?offset=0&limit=10")
    assert page["records"][0]["key"] == "order-42"

    status, body = c.post(replay_path(src, partition, offset + 5), {})
    assert status == 416 and body["error"]["code"] == 1  # OFFSET_OUT_OF_RANGE
    status, body = c.post(replay_path(src, 9, 0), {})
    assert status == 404 and body["error"]["code"] == 3
    status, body = c.post(replay_path(src, partition, offset), {"topic": "nowhere"})
    assert status == 404 and body["error"]["code"] == 3
    status, body = c.post(replay_path(src, partition, offset), {"partition": 7})
    assert status == 400 and body["error"]["code"] == 3  # the Produce handler's answer
