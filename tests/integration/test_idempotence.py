"""Idempotent producers with real clients: librdkafka (enable.idempotence) and
KafkaJS (idempotent: true) round trips, and a broker SIGKILLed under an
idempotent librdkafka producer: every acknowledged message is there and no
message is stored twice, although the producer retries across the restart."""

import collections
import time

import pytest

import clients


@pytest.mark.parametrize("compression", ["none", "lz4", "zstd"])
def test_librdkafka_idempotent_roundtrip(broker, name, compression):
    t = name("idem")
    clients.create_topic(broker.bootstrap, t, 3)
    msgs = clients.make_messages(3000, seed=5)
    pos = clients.ck_produce(broker.bootstrap, t, msgs, **{"enable.idempotence": True,
                                                            "compression.type": compression})
    got = clients.ck_consume_assigned(broker.bootstrap, t, len(msgs), timeout=60)
    clients.check_delivery(msgs, got)
    assert sorted(pos) == sorted((g.partition, g.offset) for g in got)


def test_kafkajs_idempotent_roundtrip(broker, name):
    t = name("idem-kjs")
    clients.create_topic(broker.bootstrap, t, 3)
    msgs = clients.make_messages(1500, seed=6)
    pos = clients.kafkajs_produce(broker.bootstrap, t, msgs, idempotent=True)
    assert len(set(pos)) == len(msgs)
    got = clients.ck_consume_assigned(broker.bootstrap, t, len(msgs), timeout=60)
    clients.check_delivery(msgs, got)


def test_idempotent_producer_across_sigkill(broker, name):
    broker.require_process()
    t = name("idem-kill")
    clients.create_topic(broker.bootstrap, t, 3)
    load = clients.LoadProducer(broker.bootstrap, t, "idem", **{"enable.idempotence": True,
                                                                 "message.timeout.ms": 30000})
    assert load.wait_acked(5_000, timeout=20) > 0, "nothing was acknowledged before the kill"
    broker.restart(kill=True)
    time.sleep(2.0)
    acked_now, failures = load.stop()
    print(f"acked: {len(acked_now)}, delivery failures: {len(failures)} {failures[:3]}")
    got = clients.ck_consume_assigned(broker.bootstrap, t, 10**9, timeout=90, idle=5)
    counts = collections.Counter(g.value for g in got)
    twice = [v for v, n in counts.items() if n > 1]
    assert not twice, f"{len(twice)} messages stored more than once, e.g. {twice[:5]}"
    at = {(g.partition, g.offset): g.value for g in got}
    missing = [(p, o, v) for p, o, v in acked_now if at.get((p, o)) != v]
    assert not missing, f"{len(missing)} acknowledged messages lost or moved, e.g. {missing[:5]}"
