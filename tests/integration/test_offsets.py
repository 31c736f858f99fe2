"""Offsets (issue 4): earliest/latest/by-timestamp lookups with three clients,
seek, auto.offset.reset earliest/latest, out-of-range positions, and starting
to consume in the middle of a compressed batch."""

import time

import clients

N = 100
BASE_TS = 1_700_000_000_000


def produce_timed(broker, topic, compression="none"):
    """N messages to partition 0 with CreateTime BASE_TS + i seconds, in few batches."""
    from confluent_kafka import Producer
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all", "linger.ms": 50,
                  "compression.type": compression, "batch.num.messages": 1000})
    acks = []
    for i in range(N):
        p.produce(topic, value=f"m{i}".encode(), key=b"k", partition=0, timestamp=BASE_TS + i * 1000,
                  on_delivery=lambda err, m: acks.append(err or m.offset()))
    assert p.flush(30) == 0
    assert sorted(acks) == list(range(N)), acks[:5]


def test_watermarks_and_times_confluent(broker, name):
    from confluent_kafka import Consumer, TopicPartition
    t = name("off")
    clients.create_topic(broker.bootstrap, t, 2)
    produce_timed(broker, t)
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "enable.auto.commit": False})
    try:
        assert c.get_watermark_offsets(TopicPartition(t, 0), timeout=10) == (0, N)
        assert c.get_watermark_offsets(TopicPartition(t, 1), timeout=10) == (0, 0)
        q = [TopicPartition(t, 0, BASE_TS + 50_000), TopicPartition(t, 0, BASE_TS + 50_500)]
        for want, tp in zip([50, 51], q):
            (r,) = c.offsets_for_times([tp], timeout=10)
            assert r.error is None and r.offset == want, f"offsets_for_times({tp.offset}) -> {r}"
        (r,) = c.offsets_for_times([TopicPartition(t, 0, BASE_TS - 1)], timeout=10)
        assert r.offset == 0
        (r,) = c.offsets_for_times([TopicPartition(t, 0, BASE_TS + N * 1000 + 1)], timeout=10)
        assert r.offset == -1, f"past the last timestamp: expected -1 (end), got {r.offset}"
    finally:
        c.close()


def test_offsets_kafka_python(broker, name):
    from kafka import KafkaConsumer, TopicPartition
    t = name("off")
    clients.create_topic(broker.bootstrap, t, 2)
    produce_timed(broker, t, compression="gzip")
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None, enable_auto_commit=False)
    try:
        tp0, tp1 = TopicPartition(t, 0), TopicPartition(t, 1)
        assert c.beginning_offsets([tp0, tp1]) == {tp0: 0, tp1: 0}
        assert c.end_offsets([tp0, tp1]) == {tp0: N, tp1: 0}
        r = c.offsets_for_times({tp0: BASE_TS + 30_000})
        assert r[tp0].offset == 30 and r[tp0].timestamp == BASE_TS + 30_000
        r = c.offsets_for_times({tp0: BASE_TS + N * 1000 + 5})
        assert r[tp0] is None
    finally:
        c.close()


def test_offsets_kafkajs(broker, name):
    t = name("off")
    clients.create_topic(broker.bootstrap, t, 2)
    produce_timed(broker, t, compression="lz4")
    r = clients.run_kafkajs("offsets", {"brokers": [broker.bootstrap], "topic": t, "timestamp": BASE_TS + 70_000})
    latest = {x["partition"]: x for x in r["latest"]}
    assert latest[0]["offset"] == str(N) and latest[0]["low"] == "0" and latest[0]["high"] == str(N), latest
    assert latest[1]["offset"] == "0"
    by_time = {x["partition"]: x["offset"] for x in r["byTime"]}
    assert by_time[0] == "70", by_time


def test_seek_confluent(broker, name):
    from confluent_kafka import Consumer, TopicPartition
    t = name("seek")
    clients.create_topic(broker.bootstrap, t, 1)
    produce_timed(broker, t, compression="zstd")
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "enable.auto.commit": False})
    try:
        c.assign([TopicPartition(t, 0, 10)])
        got = clients.ck_drain(c, 5, 20)
        assert [g.offset for g in got[:5]] == [10, 11, 12, 13, 14]
        c.seek(TopicPartition(t, 0, 77))
        got = clients.ck_drain(c, 3, 20)
        assert got and got[0].offset == 77 and got[0].value == b"m77", got[:1]
        c.seek(TopicPartition(t, 0, 3))
        got = clients.ck_drain(c, 1, 20)
        assert got[0].offset == 3 and got[0].value == b"m3"
    finally:
        c.close()


def test_middle_of_compressed_batch(broker, name):
    # All N messages go out in one or a few lz4/gzip batches; starting at an
    # offset inside a batch must yield exactly that record first.
    for codec in ["lz4", "gzip"]:
        t = name("mid")
        clients.create_topic(broker.bootstrap, t, 1)
        produce_timed(broker, t, compression=codec)
        got = clients.ck_consume_assigned(broker.bootstrap, t, N - 37, start={0: 37}, timeout=30)
        assert [g.offset for g in got] == list(range(37, N)), f"{codec}: librdkafka got {[g.offset for g in got[:5]]}"
        assert got[0].value == b"m37"
        from kafka import KafkaConsumer, TopicPartition
        c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None, enable_auto_commit=False)
        try:
            tp = TopicPartition(t, 0)
            c.assign([tp])
            c.seek(tp, 61)
            got = clients.kp_drain(c, N - 61, 30)
            assert [g.offset for g in got] == list(range(61, N)), f"{codec}: kafka-python got {[g.offset for g in got[:5]]}"
        finally:
            c.close()
        rc, out, err = clients.kcat(["-b", broker.bootstrap, "-C", "-t", t, "-p", "0", "-o", "90", "-e", "-f", "%o %s\\n"])
        assert rc == 0, err
        assert out.split("\n")[0] == "90 m90", out[:200]


def test_auto_offset_reset_kafka_python(broker, name):
    from kafka import KafkaConsumer, TopicPartition
    t = name("reset")
    clients.create_topic(broker.bootstrap, t, 1)
    produce_timed(broker, t)
    tp = TopicPartition(t, 0)
    latest = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None, auto_offset_reset="latest")
    earliest = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None, auto_offset_reset="earliest")
    try:
        latest.assign([tp])
        earliest.assign([tp])
        assert latest.position(tp) == N
        assert earliest.position(tp) == 0
        clients.ck_produce(broker.bootstrap, t, [clients.Msg(b"k", b"after", [("seq", b"0")])], partition=0)
        got = clients.kp_drain(latest, 1, 20)
        assert [(g.offset, g.value) for g in got] == [(N, b"after")]
        got = clients.kp_drain(earliest, N + 1, 30)
        assert len(got) == N + 1 and got[0].offset == 0
    finally:
        latest.close()
        earliest.close()


def test_out_of_range_resets_librdkafka(broker, name):
    # A position past the log end gets OFFSET_OUT_OF_RANGE; librdkafka then
    # applies auto.offset.reset.
    from confluent_kafka import Consumer, TopicPartition
    t = name("oor")
    clients.create_topic(broker.bootstrap, t, 1)
    produce_timed(broker, t)
    for reset, first in [("earliest", 0), ("latest", None)]:
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "enable.auto.commit": False,
                      "auto.offset.reset": reset})
        try:
            c.assign([TopicPartition(t, 0, 5000)])
            if first is None:
                time.sleep(1.0)
                clients.ck_produce(broker.bootstrap, t, [clients.Msg(b"k", b"late", [("seq", b"0")])], partition=0)
                got = clients.ck_drain(c, 1, 20)
                assert got and got[0].value == b"late", got
            else:
                got = clients.ck_drain(c, 1, 20)
                assert got and got[0].offset == 0, got
        finally:
            c.close()


def test_auto_offset_reset_in_group_librdkafka(broker, name):
    # A new group (no committed offsets) starts where auto.offset.reset says.
    from confluent_kafka import Consumer
    t = name("grst")
    clients.create_topic(broker.bootstrap, t, 2)
    produce_timed(broker, t)
    e = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "auto.offset.reset": "earliest"})
    e.subscribe([t])
    try:
        got = clients.ck_drain(e, N, 30)
        assert len(got) == N and min(g.offset for g in got) == 0
    finally:
        e.close()
    l = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "auto.offset.reset": "latest"})
    assigned = []
    l.subscribe([t], on_assign=lambda c, ps: assigned.extend(ps))
    try:
        deadline = time.monotonic() + 30
        while not assigned and time.monotonic() < deadline:
            l.poll(0.2)
        assert assigned, "no assignment within 30s"
        time.sleep(1.5)  # let the consumer resolve "latest" before producing
        clients.ck_produce(broker.bootstrap, t, [clients.Msg(b"k", b"fresh", [("seq", b"0")])], partition=0)
        got = clients.ck_drain(l, 1, 20)
        assert [(g.offset, g.value) for g in got] == [(N, b"fresh")]
    finally:
        l.close()
