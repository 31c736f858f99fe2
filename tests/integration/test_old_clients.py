"""Old client generations (issue 13): kafka-python with api_version forced to
what Kafka 0.9 ... 2.0 spoke, and kcat (librdkafka) with api.version.request
off and broker.version.fallback 0.9.0 / 0.10.0. Produce v0-2 send message
format v0/v1 and Fetch v0-3 read it, which Samsa converts from and to the
record batches it stores; the newer generations check the same flow at
their versions. Each case produces keyed messages (with headers where the
version carries them, gzip-compressed too), consumes them in a group from
the start, commits, and reads the commit back."""

import pytest

import clients

# api_version -> (magic the producer writes, headers sent, headers read back).
# kafka-python 2.0.2 picks Fetch v4 only for api_version >= (0, 11, 0), and
# the tuple (0, 11) compares below it: its (0, 11) consumer fetches at v3,
# so it reads magic 1, converted down from the stored batches, and the
# headers (which message format v1 cannot carry) are dropped, as Kafka does.
GENERATIONS = {
    (0, 9): (0, False, False),
    (0, 10): (1, False, False),
    (0, 11): (2, True, False),
    (1, 0): (2, True, True),
    (2, 0): (2, True, True),
}


def _produce(bootstrap, topic, api_version, compression, n, headers):
    from kafka import KafkaProducer
    p = KafkaProducer(bootstrap_servers=bootstrap, api_version=api_version, compression_type=compression,
                      linger_ms=20, acks=1)
    try:
        futures = []
        for i in range(n):
            kw = {"key": b"key-%d" % (i % 7), "value": b"%s-%s-%d" % (str(api_version).encode(), compression.encode()
                                                                      if compression else b"none", i)}
            if headers:
                kw["headers"] = [("seq", b"%d" % i)]
            futures.append(p.send(topic, partition=0, **kw))
        p.flush(30)
        return [f.get(timeout=30) for f in futures]
    finally:
        p.close(10)


@pytest.mark.parametrize("api_version", list(GENERATIONS), ids=lambda v: "%d.%d" % v)
def test_kafka_python_generation(broker, name, api_version):
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    magic, headers, headers_back = GENERATIONS[api_version]
    topic, group = name("old"), name("g")
    clients.create_topic(broker.bootstrap, topic, 1)
    sent = []
    for compression in (None, "gzip"):
        metas = _produce(broker.bootstrap, topic, api_version, compression, 25, headers)
        sent += [(m.offset, compression) for m in metas]
    assert [o for o, _ in sent] == list(range(50)), "offsets are assigned densely across both produces"

    c = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, api_version=api_version, group_id=group,
                      auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=15000)
    try:
        got = []
        for m in c:
            got.append(m)
            if len(got) == 50:
                break
        assert [m.offset for m in got] == list(range(50))
        for i, m in enumerate(got):
            compression = "gzip" if i >= 25 else "none"
            assert m.key == b"key-%d" % ((i % 25) % 7)
            assert m.value == b"%s-%s-%d" % (str(api_version).encode(), compression.encode(), i % 25)
            if magic >= 1:
                assert m.timestamp > 1_600_000_000_000, "magic 1+ carries the producer's timestamp"
            else:
                assert m.timestamp is None, "magic 0 has no timestamp (kafka-python reports None)"
            assert list(m.headers) == ([("seq", b"%d" % (i % 25))] if headers_back else [])
        tp = TopicPartition(topic, 0)
        c.commit({tp: OffsetAndMetadata(50, "old-client")})
        assert c.committed(tp) == 50
    finally:
        c.close()
    # A fresh consumer of the group, same generation, reads the commit back.
    c2 = KafkaConsumer(bootstrap_servers=broker.bootstrap, api_version=api_version, group_id=group,
                       enable_auto_commit=False)
    try:
        assert c2.committed(TopicPartition(topic, 0)) == 50
    finally:
        c2.close()


@pytest.mark.parametrize("fallback", ["0.9.0", "0.10.0"])
def test_kcat_fallback(broker, name, fallback):
    topic = name("kcat")
    clients.create_topic(broker.bootstrap, topic, 1)
    old = ["-X", "api.version.request=false", "-X", "broker.version.fallback=" + fallback]
    lines = b"".join(b"k%d:v%d-%s\n" % (i % 5, i, fallback.encode()) for i in range(40))
    for codec in ("none", "gzip", "snappy", "lz4"):
        rc, _, err = clients.kcat(["-b", broker.bootstrap, "-P", "-t", topic, "-p", "0", "-K:", "-z", codec] + old,
                                  input_bytes=lines)
        assert rc == 0, f"kcat -P ({codec}, fallback {fallback}) failed: {err[-2000:]}"
    rc, out, err = clients.kcat(["-b", broker.bootstrap, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-c", "160",
                                 "-e", "-f", "%o %k %s\\n"] + old)
    assert rc == 0, f"kcat -C (fallback {fallback}) failed: {err[-2000:]}"
    rows = out.split("\n")[:-1]
    assert len(rows) == 160
    for n, row in enumerate(rows):
        i = n % 40
        assert row == f"{n} k{i % 5} v{i}-{fallback}"
