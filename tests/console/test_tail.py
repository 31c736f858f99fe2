"""Messages and search from an offset or a time, and the streamed search /
live tail (/api/v1/tail, Server-Sent Events) against a real broker: matches
arrive as events, a follow keeps delivering new matching records as they are
produced, and every stream ends on its bounds (limit, scan budget, time)."""

from urllib.parse import quote, urlencode

import clients
from console_client import CONSOLE, Console, EventStream


def produce(bootstrap, topic, records):
    """records: [(key, value, partition, timestamp or None)]; returns [(partition, offset)] in order."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 0})
    got = {}
    for i, (key, value, partition, ts) in enumerate(records):
        kw = {"key": key, "value": value, "partition": partition,
              "on_delivery": (lambda i: lambda err, m: got.__setitem__(i, err or (m.partition(), m.offset())))(i)}
        if ts is not None:
            kw["timestamp"] = ts
        p.produce(topic, **kw)
    assert p.flush(30) == 0
    out = [got[i] for i in range(len(records))]
    assert all(isinstance(g, tuple) for g in out), out
    return out


def add_partitions(bootstrap, topic, total):
    from confluent_kafka.admin import AdminClient, NewPartitions
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for f in admin.create_partitions([NewPartitions(topic, total)]).values():
        f.result(20)


def tail(c, **params):
    return EventStream(c, "/api/v1/tail?" + urlencode(params, quote_via=quote))


def test_search_starts_at_an_offset_or_a_time(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("from")
    clients.create_topic(b.bootstrap, t, 2)
    base = 1_700_000_000_000
    # Partition p, record i: key k-p-i, timestamp base + i s.
    produce(b.bootstrap, t, [(f"k-{p}-{i}".encode(), b"v", p, base + i * 1000) for p in (0, 1) for i in range(10)])

    status, page = c.get(f"/api/v1/topics/{t}/search?key=k-&limit=500&from_timestamp={base + 6500}")
    assert status == 200, page
    assert sorted((m["partition"], m["offset"]) for m in page["matches"]) == [(p, i) for p in (0, 1) for i in (7, 8, 9)]
    status, page = c.get(f"/api/v1/topics/{t}/search?key=k-&limit=500&from_offset=8")
    assert sorted((m["partition"], m["offset"]) for m in page["matches"]) == [(p, i) for p in (0, 1) for i in (8, 9)]
    # From the end: nothing yet.
    status, page = c.get(f"/api/v1/topics/{t}/search?key=k-&from=latest")
    assert status == 200 and page["matches"] == [] and page["complete"]
    # A timestamp after every record starts at the end; an offset past it is clamped.
    status, page = c.get(f"/api/v1/topics/{t}/search?key=k-&from_timestamp={base + 60_000}")
    assert page["matches"] == [] and all(p["next_offset"] == 10 for p in page["positions"])
    # The start carries on through the cursor of a paged search.
    matches, cursor = [], None
    while True:
        q = f"cursor={cursor}" if cursor else f"from_offset=5"
        status, page = c.get(f"/api/v1/topics/{t}/search?key=k-0&max_records=2&{q}")
        assert status == 200, page
        matches += page["matches"]
        if page["complete"]:
            break
        cursor = page["cursor"]
    assert sorted(m["offset"] for m in matches) == [5, 6, 7, 8, 9]

    for bad in ("from=middle", "from_offset=-1", "from_timestamp=soon", "from=latest&from_offset=1"):
        status, body = c.get(f"/api/v1/topics/{t}/search?key=k&{bad}")
        assert status == 400 and body["error"]["name"] == "INVALID_REQUEST", (bad, body)
    status, body = c.get(f"/api/v1/topics/{t}/search?key=k&cursor=0:1&from_offset=2")
    assert status == 400 and "cursor" in body["error"]["message"]


def test_streamed_search_delivers_every_match_then_ends(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("stream")
    clients.create_topic(b.bootstrap, t, 3)
    placed = produce(b.bootstrap, t, [(f"key-{i % 4}".encode(), f'{{"n": {i}}}'.encode(), i % 3, None)
                                      for i in range(60)])
    expected = sorted(pos for i, pos in enumerate(placed) if i % 4 == 1)
    s = tail(c, topic=t, key="key-1", follow="false")
    events, end = s.until("end")
    s.close()
    assert end["reason"] == "complete"
    got = [d for e, d in events if e == "match"]
    assert sorted((m["partition"], m["offset"]) for m in got) == expected
    assert all(m["key"] == "key-1" for m in got)
    assert end["matches"] == len(expected) and end["scanned"]["records"] == 60
    # The same search paged gives the same records.
    status, page = c.get(f"/api/v1/topics/{t}/search?key=key-1&limit=500")
    assert sorted((m["partition"], m["offset"]) for m in page["matches"]) == expected
    # JSON Pointer, one partition.
    s = tail(c, topic=t, pointer="/n", equals="4", partition=1, follow="false")
    events, end = s.until("end")
    s.close()
    assert [(d["partition"], d["offset"]) for e, d in events if e == "match"] == [placed[4]]

    # Bounds: the match limit and the scan budget end the stream, with a
    # cursor a paged search continues from.
    s = tail(c, topic=t, key="key-", follow="false", limit=5)
    events, end = s.until("end")
    s.close()
    assert end["reason"] == "limit" and len([e for e, _ in events if e == "match"]) == 5
    s = tail(c, topic=t, key="key-", follow="false", max_records=7)
    events, end = s.until("end")
    s.close()
    assert end["reason"] == "budget" and end["scanned"]["records"] == 7
    status, page = c.get(f"/api/v1/topics/{t}/search?key=key-&limit=500&cursor={end['cursor']}")
    assert status == 200 and len(page["matches"]) == 60 - 7


def test_live_tail_follows_new_records(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("tail")
    clients.create_topic(b.bootstrap, t, 2)
    produce(b.bootstrap, t, [(b"hot", b"old", 0, None), (b"cold", b"old", 1, None)])
    # From the end (the default for a follow): the old records are not sent.
    s = tail(c, topic=t, key="hot", limit=3)
    events, caught_up = s.until("caught_up")
    assert [e for e, _ in events if e == "match"] == []
    assert sorted(p["next_offset"] for p in caught_up["positions"]) == [1, 1]
    placed = produce(b.bootstrap, t, [(b"cold", b"new-0", 0, None), (b"hot", b"new-1", 0, None),
                                      (b"hot", b"new-2", 1, None)])
    first = [s.next(), s.next()]
    assert all(e == "match" for e, _ in first), first
    assert sorted((d["partition"], d["offset"], d["value"]) for _, d in first) == [
        (placed[1][0], placed[1][1], "new-1"), (placed[2][0], placed[2][1], "new-2")]
    # A third match reaches the limit: the stream ends by itself.
    produce(b.bootstrap, t, [(b"hot", b"new-3", 1, None)])
    events, end = s.until("end")
    s.close()
    assert [d["value"] for e, d in events if e == "match"] == ["new-3"]
    assert end["reason"] == "limit" and end["matches"] == 3

    # No criteria: every record, from an offset; partitions added while it runs are followed too.
    s = tail(c, topic=t, from_offset=1, limit=1000)
    events, _ = s.until("caught_up")
    assert sorted((d["partition"], d["offset"]) for e, d in events if e == "match") == [(0, 1), (0, 2), (1, 1), (1, 2)]
    add_partitions(b.bootstrap, t, 3)
    produce(b.bootstrap, t, [(None, b"in-new-partition", 2, None)])
    event, data = s.next()
    assert event == "match" and (data["partition"], data["offset"], data["value"]) == (2, 0, "in-new-partition")
    s.close()

    # A follow ends after max_ms even when nothing arrives.
    s = tail(c, topic=t, key="never", max_ms=300)
    _, end = s.until("end")
    s.close()
    assert end["reason"] == "time"


def test_tail_errors_end_the_stream_with_a_kafka_code(broker_factory, name):
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("errs")
    clients.create_topic(b.bootstrap, t, 1)
    for params, code in (({"topic": name("missing")}, "UNKNOWN_TOPIC_OR_PARTITION"),
                         ({"topic": t, "partition": 4}, "UNKNOWN_TOPIC_OR_PARTITION"),
                         ({}, "INVALID_REQUEST"),
                         ({"topic": t, "follow": "maybe"}, "INVALID_REQUEST"),
                         ({"topic": t, "max_ms": 0}, "INVALID_REQUEST"),
                         ({"topic": t, "pointer": "no-slash", "equals": "1"}, "INVALID_REQUEST"),
                         ({"topic": t, "limit": "many"}, "INVALID_REQUEST")):
        s = tail(c, **params)
        event, data = s.next()
        s.close()
        assert event == "end" and data["reason"] == "error" and data["error"]["name"] == code, (params, data)
