"""Round trips (issue 4): messages produced by one client and consumed by
another arrive exactly once, byte-identical, at the acknowledged offsets, with
per-key order kept and each key on one partition. Covers every codec."""

import pytest

import clients
from clients import MIB

BIG_TOPIC_CONFIG = {"max.message.bytes": str(4 * MIB)}
CK_BIG = {"message.max.bytes": 8 * MIB, "fetch.message.max.bytes": 4 * MIB, "queue.buffering.max.kbytes": 65536}


def topic_for(broker, name, partitions=6):
    t = name("rt")
    clients.create_topic(broker.bootstrap, t, partitions, BIG_TOPIC_CONFIG)
    return t


def test_confluent_to_kafka_python_10k(broker, name):
    t = topic_for(broker, name)
    msgs = clients.make_messages(10_000, big={100, 5_000, 9_999})
    pos = clients.ck_produce(broker.bootstrap, t, msgs, timeout=120, **CK_BIG)
    got = clients.kp_consume_assigned(broker.bootstrap, t, len(msgs), timeout=180)
    clients.check_delivery(msgs, got)
    clients.check_positions(pos, got)


def test_kafkajs_gzip_to_confluent_10k(broker, name):
    t = topic_for(broker, name)
    msgs = clients.make_messages(10_000, big={42, 7_777}, seed=2)
    pos = clients.kafkajs_produce(broker.bootstrap, t, msgs, compression="gzip", timeout=180)
    got = clients.ck_consume_assigned(broker.bootstrap, t, len(msgs), timeout=120, **{"fetch.message.max.bytes": 4 * MIB})
    clients.check_delivery(msgs, got)
    clients.check_positions(pos, got)


def test_kafka_python_gzip_to_kafkajs(broker, name):
    t = topic_for(broker, name)
    msgs = clients.make_messages(3_000, big={1_500}, seed=3)
    pos = clients.kp_produce(broker.bootstrap, t, msgs, compression_type="gzip", timeout=120)
    got, _ = clients.kafkajs_consume(broker.bootstrap, t, len(msgs), group=name("g"), timeout=150)
    clients.check_delivery(msgs, got)
    clients.check_positions(pos, got)


def test_kafka_python_to_confluent_uncompressed(broker, name):
    t = topic_for(broker, name)
    msgs = clients.make_messages(2_000, big={3}, seed=4)
    pos = clients.kp_produce(broker.bootstrap, t, msgs, timeout=120)
    got = clients.ck_consume_assigned(broker.bootstrap, t, len(msgs), timeout=120, **{"fetch.message.max.bytes": 4 * MIB})
    clients.check_delivery(msgs, got)
    clients.check_positions(pos, got)


@pytest.mark.parametrize("codec", ["gzip", "snappy", "lz4", "zstd"])
def test_librdkafka_codec(broker, name, codec):
    t = topic_for(broker, name, partitions=3)
    msgs = clients.make_messages(3_000, big={2_000}, seed=10)
    pos = clients.ck_produce(broker.bootstrap, t, msgs, timeout=120, **CK_BIG,
                             **{"compression.type": codec, "linger.ms": 20})
    got = clients.ck_consume_assigned(broker.bootstrap, t, len(msgs), timeout=120, **{"fetch.message.max.bytes": 4 * MIB})
    clients.check_delivery(msgs, got)
    clients.check_positions(pos, got)
    if codec == "gzip":
        # A second client's decompressor reads the same batches.
        kp = clients.kp_consume_assigned(broker.bootstrap, t, len(msgs), timeout=120)
        clients.check_delivery(msgs, kp)


def test_kcat_produce_confluent_consume(broker, name):
    t = topic_for(broker, name, partitions=3)
    lines = [f"k{i % 9}:line {i}" for i in range(500)]
    rc, _, err = clients.kcat(["-b", broker.bootstrap, "-P", "-t", t, "-K:", "-z", "snappy", "-H", "origin=kcat",
                               "-X", "acks=all"], input_bytes=("\n".join(lines) + "\n").encode(), timeout=60)
    assert rc == 0, f"kcat -P failed: {err}"
    got = clients.ck_consume_assigned(broker.bootstrap, t, len(lines), timeout=60)
    assert sorted(g.value.decode() for g in got) == sorted(l.split(":", 1)[1] for l in lines)
    per_key = {}
    for g in sorted(got, key=lambda g: (g.partition, g.offset)):
        assert g.headers == [("origin", b"kcat")]
        assert per_key.setdefault(g.key, g.partition) == g.partition
        n = int(g.value.split()[1])
        assert f"k{n % 9}".encode() == g.key


def test_confluent_produce_kcat_consume(broker, name):
    t = topic_for(broker, name, partitions=2)
    msgs = []
    for i in range(400):
        key = None if i % 10 == 0 else f"key-{i % 7}".encode()
        value = None if i % 13 == 0 else (b"" if i % 17 == 0 else f"value {i}".encode())
        msgs.append(clients.Msg(key, value, [("seq", str(i).encode()), ("h", b"x")]))
    pos = clients.ck_produce(broker.bootstrap, t, msgs, **{"compression.type": "lz4"})
    got = clients.kcat_consume_json(broker.bootstrap, t, len(msgs))
    # kcat -J prints a null and an empty payload alike; compare the rest exactly.
    for g in got:
        m = msgs[clients.seq_of(g)]
        if m.value == b"" and g.value is None:
            got[got.index(g)] = g._replace(value=b"")
    clients.check_delivery(msgs, got)
    clients.check_positions(pos, got)
