"""Durability across crashes (issue 4): what the broker acknowledged with
acks=all is on disk, at the same offset, after SIGKILL and restart; consumers
and producers carry on; SIGTERM exits 0 and restarts cleanly."""

import time

import clients


def test_acked_messages_survive_sigkill(broker, name):
    broker.require_process()
    t = name("dur")
    clients.create_topic(broker.bootstrap, t, 3)
    msgs = clients.make_messages(3_000, seed=21)
    pos = clients.ck_produce(broker.bootstrap, t, msgs[:2_000])
    broker.restart(kill=True)
    got = clients.ck_consume_assigned(broker.bootstrap, t, 2_000, timeout=60)
    clients.check_delivery(msgs[:2_000], got)
    clients.check_positions(pos, got)
    # The log continues where it was: new messages follow the old ones.
    pos2 = clients.ck_produce(broker.bootstrap, t, msgs[2_000:])
    got = clients.ck_consume_assigned(broker.bootstrap, t, 3_000, timeout=60)
    clients.check_delivery(msgs, got)
    clients.check_positions(pos + pos2, got)


def test_topics_and_configs_survive_sigkill(broker, name):
    broker.require_process()
    from confluent_kafka.admin import AdminClient, ConfigResource
    t = name("meta")
    clients.create_topic(broker.bootstrap, t, 4, {"retention.ms": "7200000"})
    gone = name("gone")
    clients.create_topic(broker.bootstrap, gone, 1)
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    admin.delete_topics([gone], operation_timeout=10)[gone].result(timeout=20)
    broker.restart(kill=True)
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    md = admin.list_topics(timeout=10)
    assert t in md.topics and len(md.topics[t].partitions) == 4
    assert gone not in md.topics, "a deleted topic came back after restart"
    res = ConfigResource(ConfigResource.Type.TOPIC, t)
    assert admin.describe_configs([res])[res].result(timeout=20)["retention.ms"].value == "7200000"


def test_consumer_resumes_across_restart(broker, name):
    broker.require_process()
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    t = name("resume")
    clients.create_topic(broker.bootstrap, t, 2)
    msgs = clients.make_messages(1_000, seed=22)
    clients.ck_produce(broker.bootstrap, t, msgs[:500])
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "enable.auto.commit": False,
                  "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500})
    try:
        c.assign([TopicPartition(t, p, OFFSET_BEGINNING) for p in (0, 1)])
        got = clients.ck_drain(c, 500, 30)
        assert len(got) == 500
        broker.restart(kill=True)
        clients.ck_produce(broker.bootstrap, t, msgs[500:])
        got += clients.ck_drain(c, 500, 60)
        clients.check_delivery(msgs, got)
    finally:
        c.close()


def test_sigkill_mid_load(broker, name):
    """A producer sends continuously with acks=all; the broker is SIGKILLed in
    the middle. Every message whose delivery was acknowledged must be there."""
    broker.require_process()
    t = name("load")
    clients.create_topic(broker.bootstrap, t, 3)
    load = clients.LoadProducer(broker.bootstrap, t, "load", acks="all")
    before_kill = load.wait_acked(5_000, timeout=20)
    assert before_kill > 0, "nothing was acknowledged before the kill"
    broker.restart(kill=True)
    time.sleep(2.0)  # the producer reconnects and keeps going on the restarted broker
    acked_now, failed = load.stop()
    print(f"acked before kill: {before_kill}, total acked: {len(acked_now)}, delivery failures: {len(failed)}")
    # Read to the end of every partition (unacknowledged sends may be there too).
    got = clients.ck_consume_assigned(broker.bootstrap, t, 10**9, timeout=90, idle=5)
    at = {(g.partition, g.offset): g.value for g in got}
    missing = [(p, o, v) for p, o, v in acked_now if at.get((p, o)) != v]
    assert not missing, f"{len(missing)} acknowledged messages lost or moved, e.g. {missing[:5]}"


def test_sigterm_clean_shutdown(broker, name):
    broker.require_process()
    t = name("term")
    clients.create_topic(broker.bootstrap, t, 1)
    msgs = clients.make_messages(200, seed=23)
    pos = clients.ck_produce(broker.bootstrap, t, msgs)
    started = time.monotonic()
    rc = broker.stop()
    took = time.monotonic() - started
    assert rc == 0, f"exit code {rc} after SIGTERM"
    print(f"SIGTERM -> exit in {took * 1000:.0f} ms")
    assert took < 10
    broker.start()
    got = clients.ck_consume_assigned(broker.bootstrap, t, len(msgs), timeout=30)
    clients.check_delivery(msgs, got)
    clients.check_positions(pos, got)
