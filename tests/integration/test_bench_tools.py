"""The benchmark suite's own tools (bench/, issue 17) work against a real broker:
samsa_load raw-produce stores every record it counts, consume reads several
topics at once, samsa_floor's new modes print their figures and clean up, and
the suite's reading of what a start after SIGKILL scans matches the data
directory. No figure is judged here (no timing assertions); bench/run.py
reports them."""

import json
import os
import subprocess
import sys

import pytest


def _build_dir():
    samsa = os.environ.get("SAMSA_BIN", "")
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(samsa)))) if samsa else ""


def _program(*parts):
    path = os.path.join(_build_dir(), "bench", *parts)
    if not os.access(path, os.X_OK):
        pytest.skip(f"{'/'.join(parts)} is not built (SAMSA_BENCH=OFF?)")
    return path


def _run(args, timeout=120):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return done.returncode, lines, done.stderr


@pytest.fixture
def local_broker(broker):
    if broker.external:
        pytest.skip("needs a broker this test starts (SIGKILL, data directory)")
    return broker


def _create(load, bootstrap, topic, partitions):
    rc, out, err = _run([load, "create-topics", "-b", bootstrap, topic, "--partitions", partitions])
    assert rc == 0, f"create-topics {topic}: {err}"


def _messages(load, bootstrap, topic):
    rc, out, err = _run([load, "watermarks", "-b", bootstrap, "-t", topic])
    assert rc == 0, f"watermarks {topic}: {err}"
    return out[-1]["messages"]


def test_raw_produce_stores_what_it_counts_and_consume_reads_two_topics(local_broker, name):
    load = _program("load", "samsa_load")
    a, b = name("raw"), name("raw")
    _create(load, local_broker.bootstrap, a, 3)
    _create(load, local_broker.bootstrap, b, 2)
    for topic, partitions, acks in ((a, 3, "1"), (b, 2, "all")):
        rc, out, err = _run([load, "raw-produce", "-b", local_broker.bootstrap, "-t", topic, "--partitions",
                             partitions, "--count", 3000, "--batch-size", 65536, "--acks", acks])
        assert rc == 0, f"raw-produce {topic}: {err}"
        result = out[-1]
        assert result["ok"] and result["failed_batches"] == 0, result
        assert result["delivered"] >= 3000 and result["delivered"] % result["records_per_batch"] == 0, result
        assert result["end_unix"] >= result["start_unix"], result
        assert _messages(load, local_broker.bootstrap, topic) == result["delivered"]
    expected = _messages(load, local_broker.bootstrap, a) + _messages(load, local_broker.bootstrap, b)
    rc, out, err = _run([load, "consume", "-b", local_broker.bootstrap, "-t", f"{a},{b}", "--timeout", 90], 150)
    assert rc == 0, f"consume of two topics: {err}"
    assert out[-1]["topics"] == 2 and out[-1]["partitions"] == 5, out[-1]
    assert out[-1]["messages"] == expected, out[-1]
    # The consumer's own threads over the read: librdkafka's per-connection
    # thread among them, each with CPU and the time it waited for a core.
    threads = out[-1]["threads"]
    assert threads and any(t["name"].startswith("rdk:broker") for t in threads), threads
    for t in threads:
        assert t["cpu_s"] > 0 and 0 < t["busy"] and t["waiting_for_core"] >= 0, t
    assert [t["cpu_s"] for t in threads] == sorted((t["cpu_s"] for t in threads), reverse=True), threads


def test_page_cost_probe_times_three_writes_and_leaves_nothing(tmp_path):
    sys.path.insert(0, os.path.join(os.environ["SAMSA_SOURCE_DIR"], "bench"))
    from suite import page_cost
    p = page_cost.probe(str(tmp_path), 8 << 20)
    assert p["bytes"] == 8 << 20, p
    for kind in ("new_file_pages", "cached_file_pages", "new_anonymous_pages"):
        assert p[kind]["cpu_s_per_gb"] >= 0 and p[kind]["gb_per_s"] > 0, p
    assert os.listdir(tmp_path) == [], "the probe must remove its file"


def test_e2e_times_every_measured_message_both_ways(local_broker, name):
    """The e2e program times each measured message at the consumer and at the
    producer's acknowledgement (acks=all: after the sync), none twice."""
    load = _program("load", "samsa_load")
    topic = name("e2e")
    _create(load, local_broker.bootstrap, topic, 3)
    rc, out, err = _run([load, "e2e", "-b", local_broker.bootstrap, "-t", topic, "--rate", 500, "--acks", "all",
                         "--duration", 1, "--warmup", 0.5, "--size", 64])
    assert rc == 0, f"e2e: {err}"
    result = out[-1]
    assert result["ok"] and result["sent"] == 750 and result["received"] == 750, result
    measured = 750 - 250
    for key in ("latency_ms", "ack_latency_ms", "ack_latency_from_send_ms"):
        figure = result[key]
        assert figure["samples"] == measured, (key, figure["samples"])
        assert 0 < figure["p50"] <= figure["p99"] <= figure["max"], (key, figure)


def test_raw_produce_to_a_missing_topic_fails_with_the_error_code(local_broker, name):
    load = _program("load", "samsa_load")
    rc, out, err = _run([load, "raw-produce", "-b", local_broker.bootstrap, "-t", name("missing"), "--partitions", 1,
                         "--count", 10])
    assert rc == 1, f"expected a failed run, got {rc}: {out} {err}"
    assert out and not out[-1]["ok"] and out[-1]["errors"], out
    assert "batches failed" in err


def test_raw_produce_rejects_bad_options():
    load = _program("load", "samsa_load")
    rc, _, err = _run([load, "raw-produce", "-b", "127.0.0.1:1", "-t", "x", "--count", 10, "--acks", "0"])
    assert rc == 2 and "--acks must be 1 or all" in err, err
    rc, _, err = _run([load, "raw-produce", "-b", "localhost:9092", "-t", "x", "--count", 10])
    assert rc == 2 and "numeric IPv4" in err, err


def test_floor_new_files_and_fsync_latency(tmp_path):
    floor = _program("baseline", "samsa_floor")
    rc, out, err = _run([floor, "ingest", "--dir", tmp_path, "--bytes", 3 << 20, "--files", "new", "--segment-bytes",
                         1 << 20, "--repeat", 2])
    assert rc == 0, err
    assert [r["mode"] for r in out] == ["ingest-new-files"] * 2, out
    assert os.listdir(tmp_path) == [], "the floor must remove the files it kept"
    for commit in ("per-write", "group"):
        rc, out, err = _run([floor, "fsync-latency", "--dir", tmp_path, "--rate", 200, "--seconds", 0.2, "--commit",
                             commit])
        assert rc == 0, err
        r = out[-1]
        assert r["commit"] == commit and r["records"] == 40, r
        assert r["syncs"] >= 1 and set(r["latency_ms"]) >= {"p50", "p99", "p999", "max"}, r
        assert r["latency_ms"]["p50"] <= r["latency_ms"]["p99"] <= r["latency_ms"]["max"], r
    assert os.listdir(tmp_path) == []
    rc, _, err = _run([floor, "fsync-latency", "--dir", tmp_path, "--rate", 0, "--seconds", 1])
    assert rc == 2 and "--rate > 0" in err, err
    rc, _, err = _run([floor, "ingest", "--dir", tmp_path, "--files", "sometimes"])
    assert rc == 2 and "--files" in err, err


def test_recovery_scan_matches_the_data_directory_after_sigkill(local_broker, name):
    load = _program("load", "samsa_load")
    sys.path.insert(0, os.path.join(os.environ["SAMSA_SOURCE_DIR"], "bench"))
    from suite.footprint import recovery_scan

    topic = name("scan")
    _create(load, local_broker.bootstrap, topic, 2)
    rc, out, err = _run([load, "raw-produce", "-b", local_broker.bootstrap, "-t", topic, "--partitions", 2, "--count",
                         2000, "--batch-size", 65536])
    assert rc == 0, err
    local_broker.kill()
    scan = recovery_scan(local_broker.data_dir)
    logs = 0
    for p in (0, 1):
        d = os.path.join(local_broker.data_dir, f"{topic}-{p}")
        logs += sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d) if f.endswith(".log"))
    assert not scan["clean_marker"], scan
    # One segment per partition: the active one, scanned whole after an unclean stop.
    assert scan["scanned_bytes"] >= logs > 0, scan
    assert scan["beyond_recovery_point_bytes"] <= scan["scanned_bytes"], scan


def test_ack_latency_split_reads_the_brokers_produce_histograms():
    """bench/ack_latency_split.py puts the client's acknowledgement beside the
    broker's own Produce timings for the same requests."""
    _program("load", "samsa_load")
    script = os.path.join(os.environ["SAMSA_SOURCE_DIR"], "bench", "ack_latency_split.py")
    rc, out, err = _run([sys.executable, script, _build_dir(), "--rates", 200, "--runs", 1, "--seconds", 1], 180)
    assert rc == 0, err
    (r,) = out
    assert r["rate"] == 200 and r["acks"] == "all", r
    assert 0 < r["client_ack_ms"]["p50"] <= r["client_ack_ms"]["p99"], r
    # Every message of the run went in a Produce the broker timed and synced.
    for part in ("broker_queue", "broker_produce", "broker_fdatasync"):
        assert r[part]["count"] > 0, (part, r)
        share = list(r[part]["share_at_or_under_ms"].values())
        assert share == sorted(share) and share[-1] == 1.0, (part, r)
        assert r[part]["p99_at_most_ms"] is not None, (part, r)
