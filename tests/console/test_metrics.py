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
    assert value(samples, "samsa_group_members", group=g) == 1
    cons.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        samples, _, _ = scrape(c)
        if value(samples, "samsa_groups", state="Empty") == 1:
            break
        time.sleep(0.2)
    assert value(samples, "samsa_groups", state="Empty") == 1
    assert value(samples, "samsa_groups", state="Stable") == 0


def _fetch_v4(topic, partition, offset, max_bytes, correlation_id=7):
    import struct
    import kafka_wire
    t = topic.encode()
    body = struct.pack(">iiiib", -1, 100, 1, max_bytes, 0)  # replica, max wait, min bytes, max bytes, isolation
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
