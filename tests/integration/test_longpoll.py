"""Long polling (issue 4): a fetch parked on an empty partition is woken by the
append, and a parked fetch never stalls a produce on another connection.
No assertion is on speed: each parked fetch waits up to a minute, so a record
that arrives within the test's 30 s deadline can only have come from the
append waking the fetch (or, for produce, not waiting for it). Latencies are
printed."""

import statistics
import threading
import time

import clients

# How long a fetch stays parked when nothing wakes it: twice the deadline the
# tests give a record, so only a wake-up can meet that deadline.
PARKED_MS = 60000
DEADLINE_S = 30


def test_longpoll_wakeup_latency_librdkafka(broker, name):
    from confluent_kafka import Consumer, Producer, TopicPartition
    t = name("lp")
    clients.create_topic(broker.bootstrap, t, 1)
    c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "enable.auto.commit": False,
                  "fetch.wait.max.ms": PARKED_MS, "socket.timeout.ms": 2 * PARKED_MS, "fetch.error.backoff.ms": 10})
    p = Producer({"bootstrap.servers": broker.bootstrap, "acks": 1, "linger.ms": 0})
    p.list_topics(t, timeout=10)
    # The topic is new and empty: offset 0, not OFFSET_END, whose lookup may
    # finish after the first ping under load and then skip it.
    c.assign([TopicPartition(t, 0, 0)])
    try:
        c.consume(num_messages=1, timeout=1.0)  # let the first fetch park
        latencies = []
        for i in range(10):
            time.sleep(0.3)
            sent_at = time.monotonic()
            p.produce(t, value=f"ping-{i}".encode(), partition=0)
            p.poll(0)
            m = None
            while m is None and time.monotonic() - sent_at < DEADLINE_S:
                m = c.poll(0.001)
            assert m is not None and m.error() is None, \
                f"message {i} not delivered within {DEADLINE_S} s: the parked fetch was not woken ({m and m.error()})"
            latencies.append((time.monotonic() - sent_at) * 1000)
            assert m.value() == f"ping-{i}".encode()
        p.flush(10)
    finally:
        c.close()
    print(f"long-poll produce->consume latency (librdkafka, fetch.wait.max.ms={PARKED_MS}): "
          f"median {statistics.median(latencies):.1f} ms, max {max(latencies):.1f} ms, all {[round(x, 1) for x in latencies]}")


def test_longpoll_wakeup_latency_kafka_python(broker, name):
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    t = name("lp")
    clients.create_topic(broker.bootstrap, t, 1)
    tp = TopicPartition(t, 0)
    c = KafkaConsumer(bootstrap_servers=broker.bootstrap, group_id=None, fetch_max_wait_ms=PARKED_MS,
                      request_timeout_ms=2 * PARKED_MS + 5000, auto_offset_reset="latest")
    p = KafkaProducer(bootstrap_servers=broker.bootstrap, acks=1, linger_ms=0)
    c.assign([tp])
    c.position(tp)
    try:
        c.poll(timeout_ms=500)
        latencies = []
        for i in range(5):
            sent_at = time.monotonic()
            p.send(t, value=f"ping-{i}".encode(), partition=0)
            p.flush(5)
            got = []
            while not got and time.monotonic() - sent_at < DEADLINE_S:
                got = [r for rs in c.poll(timeout_ms=50).values() for r in rs]
            assert got, f"message {i} not delivered within {DEADLINE_S} s: the parked fetch was not woken"
            latencies.append((time.monotonic() - sent_at) * 1000)
    finally:
        c.close()
        p.close()
    print(f"long-poll latency (kafka-python, fetch_max_wait_ms={PARKED_MS}): median {statistics.median(latencies):.1f} ms, "
          f"all {[round(x, 1) for x in latencies]}")


def test_parked_fetch_does_not_stall_produce(broker, name):
    from confluent_kafka import Consumer, TopicPartition, OFFSET_END
    t = name("lp")
    clients.create_topic(broker.bootstrap, t, 2)
    consumers = []
    stop = threading.Event()

    def poll_forever(c):
        while not stop.is_set():
            c.poll(0.1)

    threads = []
    for i in range(3):
        c = Consumer({"bootstrap.servers": broker.bootstrap, "group.id": name("g"), "fetch.wait.max.ms": PARKED_MS,
                      "socket.timeout.ms": 2 * PARKED_MS})
        c.assign([TopicPartition(t, 1, OFFSET_END)])
        consumers.append(c)
        th = threading.Thread(target=poll_forever, args=(c,), daemon=True)
        th.start()
        threads.append(th)
    try:
        time.sleep(1.0)
        started = time.monotonic()
        # A produce that waited for the parked fetches would miss this deadline.
        clients.ck_produce(broker.bootstrap, t, clients.make_messages(50), partition=0, timeout=DEADLINE_S)
        took = time.monotonic() - started
        print(f"produce of 50 messages while 3 fetches are parked: {took * 1000:.0f} ms (incl. client start)")
    finally:
        stop.set()
        for th in threads:
            th.join(5)
        for c in consumers:
            c.close()
