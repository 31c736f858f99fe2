"""/metrics: parsed by Prometheus' own text-format parser (Debian's
python3-prometheus-client), and the counters move with real client traffic:
records and bytes in and out per partition, requests per API and version,
latency histograms, error codes, connections, groups, process figures."""

import os
import time

import clients
from console_client import CONSOLE, Console


def scrape(console):
    from prometheus_client.parser import text_string_to_metric_families
    status, headers, text = console.text("/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {}
    families = {}
    for fam in text_string_to_metric_families(text):
        families[fam.name] = fam.type
        for s in fam.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples, families, text


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted((k, str(v)) for k, v in labels.items()))), 0.0)


def test_counters_follow_real_traffic(broker_factory, name):
    from confluent_kafka import Consumer, Producer, TopicPartition
    from confluent_kafka.admin import AdminClient
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("m")
    clients.create_topic(b.bootstrap, t, 2)
    before, families, _ = scrape(c)
    assert families["samsa_requests"] == "counter"
    assert families["samsa_request_duration_seconds"] == "histogram"
    assert families["samsa_partition_log_end_offset"] == "gauge"

    n, payload = 300, b"x" * 100
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 5})
    sent_bytes = []
    for i in range(n):
        p.produce(t, value=payload, key=str(i).encode(), partition=i % 2)
    assert p.flush(30) == 0

    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": name("g"), "enable.auto.commit": False})
    cons.assign([TopicPartition(t, 0, 0)])
    got = 0
    deadline = time.monotonic() + 30
    while got < n // 2 and time.monotonic() < deadline:
        m = cons.poll(1)
        if m is not None and m.error() is None:
            got += 1
    assert got == n // 2

    # An error a client meets: deleting a topic that does not exist.
    admin = AdminClient({"bootstrap.servers": b.bootstrap})
    fut = admin.delete_topics([name("ghost")], operation_timeout=5)
    for f in fut.values():
        try:
            f.result(10)
        except Exception:  # noqa: BLE001 - the error is what we want counted
            pass

    after, _, text = scrape(c)
    for part in (0, 1):
        assert value(after, "samsa_partition_records_in_total", topic=t, partition=part) == n // 2
        assert value(after, "samsa_partition_log_end_offset", topic=t, partition=part) == n // 2
        assert value(after, "samsa_partition_bytes_in_total", topic=t, partition=part) > (n // 2) * len(payload)
        assert value(after, "samsa_partition_size_bytes", topic=t, partition=part) == \
            value(after, "samsa_partition_bytes_in_total", topic=t, partition=part)
        assert value(after, "samsa_partition_segments", topic=t, partition=part) == 1
        assert value(after, "samsa_partition_log_start_offset", topic=t, partition=part) == 0
    out0 = value(after, "samsa_partition_bytes_out_total", topic=t, partition=0)
    assert out0 >= value(after, "samsa_partition_bytes_in_total", topic=t, partition=0)
    assert value(after, "samsa_partition_offsets_out_total", topic=t, partition=0) >= n // 2
    assert value(after, "samsa_partition_bytes_out_total", topic=t, partition=1) == 0

    produce_requests = sum(v for (k, labels), v in after.items()
                           if k == "samsa_requests_total" and ("api", "Produce") in labels)
    produce_before = sum(v for (k, labels), v in before.items()
                         if k == "samsa_requests_total" and ("api", "Produce") in labels)
    assert produce_requests - produce_before >= 1
    fetch_requests = sum(v for (k, labels), v in after.items()
                         if k == "samsa_requests_total" and ("api", "Fetch") in labels)
    assert fetch_requests >= 1

    # Histogram: cumulative buckets, +Inf equals the count.
    for (k, labels), v in after.items():
        if k != "samsa_requests_total":
            continue
        lab = dict(labels)
        buckets = sorted(((float(dict(l)["le"]), bv) for (bk, l), bv in after.items()
                          if bk == "samsa_request_duration_seconds_bucket"
                          and dict(l)["api"] == lab["api"] and dict(l)["version"] == lab["version"]))
        counts = [bv for _, bv in buckets]
        assert counts == sorted(counts)
        assert counts[-1] == v == value(after, "samsa_request_duration_seconds_count", **lab)

    assert value(after, "samsa_request_errors_total", api="DeleteTopics", code=3,
                 error="UNKNOWN_TOPIC_OR_PARTITION") == 1

    assert value(after, "samsa_connections") >= 2  # producer's and consumer's (still open)
    assert value(after, "samsa_connections_accepted_total") >= value(after, "samsa_connections")
    assert value(after, "process_resident_memory_bytes") > 1_000_000
    assert value(after, "process_open_fds") > 5
    # The same figure as the kernel's, read here from /proc/<pid>/stat (fields 14 and 15, in ticks).
    with open(f"/proc/{b.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    assert abs(value(after, "process_cpu_seconds_total") - cpu) < 0.5
    assert value(after, "samsa_uptime_seconds") > 0
    assert time.time() - 300 < value(after, "process_start_time_seconds") <= time.time()
    cons.close()


def test_groups_by_state(broker_factory, name):
    from confluent_kafka import Consumer
    b = broker_factory(CONSOLE)
    c = Console(b)
    t, g = name("gs"), name("grp")
    clients.create_topic(b.bootstrap, t, 1)
    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": g})
    cons.subscribe([t])
    deadline = time.monotonic() + 30
    while not cons.assignment() and time.monotonic() < deadline:
        cons.poll(0.2)
    samples, _, _ = scrape(c)
    assert value(samples, "samsa_groups", state="Stable") == 1
    assert value(samples, "samsa_group_members", group=g, type="classic") == 1
    assert value(samples, "samsa_group_rebalances_total", group=g, type="classic") >= 1
    cons.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        samples, _, _ = scrape(c)
        if value(samples, "samsa_groups", state="Empty") == 1:
            break
        time.sleep(0.2)
    assert value(samples, "samsa_groups", state="Empty") == 1
    assert value(samples, "samsa_groups", state="Stable") == 0


def _fetch_v4(topic, partition, offset, max_bytes, correlation_id=7, max_wait_ms=100):
    import struct
    import kafka_wire
    t = topic.encode()
    body = struct.pack(">iiiib", -1, max_wait_ms, 1, max_bytes, 0)  # replica, max wait, min bytes, max bytes, isolation
    body += struct.pack(">i", 1) + struct.pack(">h", len(t)) + t
    body += struct.pack(">i", 1) + struct.pack(">iqi", partition, offset, max_bytes)
    return kafka_wire.frame(kafka_wire.request_header(1, 4, correlation_id) + body)


def test_pinned_file_bytes_follow_a_client_that_does_not_read(broker_factory, name):
    """A fetch answer sent from the log files holds them until it is written; a
    client that never reads keeps it unwritten. The gauge shows those bytes and
    drops to 0 when the connection closes."""
    import socket
    from confluent_kafka import Producer
    b = broker_factory(CONSOLE)
    c = Console(b)
    t = name("pin")
    clients.create_topic(b.bootstrap, t, 1)
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 20})
    for i in range(160):
        p.produce(t, value=os.urandom(100_000), partition=0)  # random: no compression gain
    assert p.flush(60) == 0
    samples, families, _ = scrape(c)
    assert families["samsa_connection_pinned_file_bytes"] == "gauge"
    assert value(samples, "samsa_connection_pinned_file_bytes") == 0

    host, port = b.bootstrap.split(":")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the answer cannot fit in socket buffers
    s.connect((host, int(port)))
    try:
        s.sendall(_fetch_v4(t, 0, 0, 32 * 1024 * 1024))
        deadline = time.monotonic() + 20
        pinned = 0
        while time.monotonic() < deadline:
            samples, _, _ = scrape(c)
            pinned = value(samples, "samsa_connection_pinned_file_bytes")
            if pinned > 1_000_000:
                break
            time.sleep(0.1)
        assert pinned > 1_000_000, f"no file bytes pinned by an unread 16 MB fetch answer ({pinned})"
    finally:
        s.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        samples, _, _ = scrape(c)
        if value(samples, "samsa_connection_pinned_file_bytes") == 0:
            break
        time.sleep(0.1)
    assert value(samples, "samsa_connection_pinned_file_bytes") == 0, "closing the connection released nothing"


def _series(samples, name, **labels):
    """Every sample of `name` whose labels include `labels`."""
    want = {k: str(v) for k, v in labels.items()}
    return {lab: v for (k, lab), v in samples.items() if k == name and want.items() <= dict(lab).items()}


def _histogram_count(samples, name, **labels):
    return sum(_series(samples, name + "_count", **labels).values())


def test_queue_times_fsyncs_parked_fetches_listeners_and_group_series(broker_factory, name):
    """The families that follow the request pipeline and the groups: request
    queue time per API (as many as the requests answered), fsync durations and
    group-commit rounds for acks=all produces, a parked long poll, connections
    per listener, and each group's committed offset, lag in records and in
    seconds, and rebalances."""
    import socket
    import threading
    import kafka_wire
    from confluent_kafka import Consumer, Producer, TopicPartition
    b = broker_factory({**CONSOLE, "http.lag.sample.ms": "100"})
    c = Console(b)
    t, g = name("pipe"), name("grp")
    clients.create_topic(b.bootstrap, t, 2)
    samples, families, _ = scrape(c)
    for fam, kind in (("samsa_request_queue_time_seconds", "histogram"), ("samsa_fsync_duration_seconds", "histogram"),
                      ("samsa_group_commit_requests", "histogram"), ("samsa_fetch_parked_requests", "gauge"),
                      ("samsa_listener_connections", "gauge"), ("samsa_listener_connections_accepted", "counter"),
                      ("samsa_group_rebalances", "counter"), ("samsa_group_committed_offset", "gauge"),
                      ("samsa_group_lag_records", "gauge"), ("samsa_group_lag_seconds", "gauge"),
                      ("samsa_group_offsets", "gauge"), ("samsa_group_offsets_bytes", "gauge"),
                      ("samsa_group_member_metadata_bytes", "gauge"), ("samsa_producer_ids", "gauge"),
                      ("samsa_consumer_group_member_metadata_bytes", "gauge")):
        assert families.get(fam) == kind, (fam, families.get(fam))
    fsyncs_before = _histogram_count(samples, "samsa_fsync_duration_seconds")
    rounds_before = _histogram_count(samples, "samsa_group_commit_requests")

    # acks=all produces, one request each: each waits for a group commit.
    old = int(time.time() * 1000) - 120_000
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all", "linger.ms": 0})
    for i in range(20):
        p.produce(t, value=b"v", partition=i % 2, timestamp=old + i)
        assert p.flush(30) == 0

    # A long poll parks on the empty partition of another topic until a record arrives.
    idle = name("idle")
    clients.create_topic(b.bootstrap, idle, 1)
    host, port = b.bootstrap.split(":")
    s = socket.create_connection((host, int(port)), timeout=30)
    try:
        s.sendall(_fetch_v4(idle, 0, 0, 1024 * 1024, max_wait_ms=25_000))
        deadline = time.monotonic() + 20
        parked = 0
        while time.monotonic() < deadline and parked < 1:
            samples, _, _ = scrape(c)
            parked = value(samples, "samsa_fetch_parked_requests")
            time.sleep(0.05)
        assert parked == 1
        p.produce(idle, value=b"wake", partition=0)
        assert p.flush(30) == 0
        kafka_wire.read_response(s)  # the parked fetch answers with the record
    finally:
        s.close()
    samples, _, _ = scrape(c)
    assert value(samples, "samsa_fetch_parked_requests") == 0

    # A group commits offsets 5 and 3 of 10 per partition: lag 5 and 7.
    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": g, "enable.auto.commit": False})
    cons.commit(offsets=[TopicPartition(t, 0, 5), TopicPartition(t, 1, 3)], asynchronous=False)
    cons.close()

    def group_series():
        samples, _, _ = scrape(c)
        secs = _series(samples, "samsa_group_lag_seconds", group=g, topic=t)
        return samples if len(secs) == 2 and all(v > 0 for v in secs.values()) else None
    deadline = time.monotonic() + 20
    samples = None
    while samples is None and time.monotonic() < deadline:
        samples = group_series()
        time.sleep(0.05)
    assert samples is not None, "no lag in seconds for the group"
    for part, committed in ((0, 5), (1, 3)):
        assert value(samples, "samsa_group_committed_offset", group=g, topic=t, partition=part) == committed
        assert value(samples, "samsa_group_lag_records", group=g, topic=t, partition=part) == 10 - committed
        # The first unconsumed record was written two minutes ago (its timestamp).
        assert 100 < value(samples, "samsa_group_lag_seconds", group=g, topic=t, partition=part) < 3600
    # Two offsets held, each counted as its topic name plus 160 bytes (no metadata).
    assert value(samples, "samsa_group_offsets") == 2
    assert value(samples, "samsa_group_offsets_bytes") == 2 * (160 + len(t))
    # The consumer only committed: no classic member holds anything.
    assert value(samples, "samsa_group_member_metadata_bytes") == 0
    # One more idempotent producer: one more entry in the producer tables.
    producers_before = value(samples, "samsa_producer_ids")
    idempotent = Producer({"bootstrap.servers": b.bootstrap, "enable.idempotence": True, "linger.ms": 0})
    idempotent.produce(t, b"once", partition=0)
    assert idempotent.flush(10) == 0
    samples, _, _ = scrape(c)
    assert value(samples, "samsa_producer_ids") == producers_before + 1

    # Queue time: one observation per request handed to the handler thread.
    produce_requests = sum(_series(samples, "samsa_requests_total", api="Produce").values())
    assert produce_requests >= 21
    assert _histogram_count(samples, "samsa_request_queue_time_seconds", api="Produce") == produce_requests
    assert _histogram_count(samples, "samsa_request_queue_time_seconds", api="Fetch") == \
        sum(_series(samples, "samsa_requests_total", api="Fetch").values()) >= 1
    # Every acks=all produce waited for an fsync round.
    assert _histogram_count(samples, "samsa_fsync_duration_seconds") - fsyncs_before >= 1
    rounds = _histogram_count(samples, "samsa_group_commit_requests") - rounds_before
    assert rounds >= 1
    served = value(samples, "samsa_group_commit_requests_sum")
    assert served >= 21 and served >= _histogram_count(samples, "samsa_group_commit_requests")

    # Connections per listener add up to the total.
    listeners = _series(samples, "samsa_listener_connections")
    assert [dict(lab)["listener"] for lab in listeners] == ["PLAINTEXT"]
    assert sum(listeners.values()) == value(samples, "samsa_connections")
    assert value(samples, "samsa_listener_connections_accepted_total", listener="PLAINTEXT") == \
        value(samples, "samsa_connections_accepted_total")
