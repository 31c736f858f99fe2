"""Broker process figures: start time (empty, and with data on disk, clean and
after SIGKILL), idle RSS, and scale (many partitions, many connections) with
RSS per partition and per connection."""

import json
import os
import subprocess
import time

from .processes import BenchError, MockCluster, SamsaBroker, cpu_seconds, load, memory, open_fds
from .stats import ratio, summary

SETTLE_S = 1.0  # idle time before reading RSS


def _start_figures(starts):
    return {"first_answer_s": summary([s["first_answer_s"] for s in starts], "s"),
            "port_file_s": summary([s["port_file_s"] for s in starts], "s")}


def start_empty(ctx):
    """First start on a data directory that does not exist yet, then a restart of the same
    (still empty) broker; RSS and CPU while idle for SETTLE_S after the first start."""
    starts, restarts, idle, idle_cpu, stops = [], [], [], [], []
    for r in range(ctx.settings["runs"]):
        broker = SamsaBroker(ctx.programs, ctx.work_dir)
        try:
            starts.append(broker.start())
            cpu0 = cpu_seconds(broker.pid)
            time.sleep(SETTLE_S)
            idle_cpu.append((cpu_seconds(broker.pid) - cpu0) / SETTLE_S * 100)
            idle.append(memory(broker.pid))
            stops.append(broker.stop())
            restarts.append(broker.start())
            broker.stop()
        except Exception as e:
            ctx.fail(f"start empty run {r}", e)
        finally:
            broker.cleanup()
    mock_idle = []
    for r in range(ctx.settings["runs"]):
        mock = MockCluster(ctx.programs)
        time.sleep(SETTLE_S)
        mock_idle.append(memory(mock.pid))
        mock.stop()
    out = _start_figures(starts)
    out["restart"] = _start_figures(restarts)
    out["stop_s"] = summary(stops, "s")
    out["idle_rss_mb"] = summary([m["rss_mb"] for m in idle], "MB")
    out["idle_pss_mb"] = summary([m.get("pss_mb") for m in idle], "MB")
    out["idle_cpu_percent"] = summary(idle_cpu, "% of a core")
    out["mock_idle_rss_mb"] = summary([m["rss_mb"] for m in mock_idle], "MB")
    out["ratios"] = {"idle_rss_vs_mock": ratio(out["idle_rss_mb"], out["mock_idle_rss_mb"])}
    return out


CLEAN_MARKER = ".samsa-clean-shutdown"
RECOVERY_CHECKPOINT = "recovery-point-offset-checkpoint"


def _recovery_points(data_dir):
    """{(topic, partition): offset} from the broker's recovery-point checkpoint ("<topic> <partition>
    <offset>" lines between a header and a CRC line); {} when there is none."""
    points = {}
    try:
        with open(os.path.join(data_dir, RECOVERY_CHECKPOINT)) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[1].lstrip("-").isdigit() and parts[2].lstrip("-").isdigit():
                    points[(parts[0], int(parts[1]))] = int(parts[2])
    except FileNotFoundError:
        pass
    return points


def recovery_scan(data_dir):
    """What the broker will read batch by batch on its next start, from the data directory as it lies
    (call it after SIGKILL, before starting again). Mirrors the rule of partition_log::open: after an
    unclean stop (no clean-shutdown marker), a segment is checked batch by batch when it is the last
    (active) one of its partition, when the partition has no recovery point, or when the next segment
    begins after the recovery point; older segments are only opened. `beyond_recovery_point_bytes` is the
    unflushed tail: the bytes of the batches at or after the recovery point (every batch when the
    partition has none)."""
    out = {"clean_marker": os.path.exists(os.path.join(data_dir, CLEAN_MARKER)), "partitions": 0,
           "partitions_without_recovery_point": 0, "segments": 0, "total_log_bytes": 0, "scanned_segments": 0,
           "scanned_bytes": 0, "beyond_recovery_point_bytes": 0}
    points = _recovery_points(data_dir)
    for name in os.listdir(data_dir):
        path = os.path.join(data_dir, name)
        topic, _, part = name.rpartition("-")
        if not os.path.isdir(path) or not topic or not part.isdigit():
            continue
        bases = sorted(int(n[:-4]) for n in os.listdir(path) if n.endswith(".log") and n[:-4].isdigit())
        if not bases:
            continue
        out["partitions"] += 1
        rp = points.get((topic, int(part)), -1)
        if rp < 0:
            out["partitions_without_recovery_point"] += 1
        for i, base in enumerate(bases):
            file = os.path.join(path, f"{base:020d}.log")
            size = os.path.getsize(file)
            last = i + 1 == len(bases)
            ends_after_rp = last or rp < 0 or bases[i + 1] > rp
            out["segments"] += 1
            out["total_log_bytes"] += size
            if not out["clean_marker"] and ends_after_rp:
                out["scanned_segments"] += 1
                out["scanned_bytes"] += size
            if rp < 0 or base >= rp:
                out["beyond_recovery_point_bytes"] += size
            elif ends_after_rp:
                out["beyond_recovery_point_bytes"] += _bytes_from_offset(file, rp)
    return out


def _bytes_from_offset(file, offset):
    """Bytes of the batches of a segment file whose last offset is at or after `offset`, walking the
    batch headers (base offset at 0, length at 8, last offset delta at 23)."""
    total = 0
    try:
        with open(file, "rb") as f:
            pos = 0
            while True:
                f.seek(pos)
                head = f.read(27)
                if len(head) < 27:
                    break
                base = int.from_bytes(head[0:8], "big", signed=True)
                length = int.from_bytes(head[8:12], "big", signed=True)
                if length <= 0:
                    break
                if base + int.from_bytes(head[23:27], "big", signed=True) >= offset:
                    total += 12 + length
                pos += 12 + length
    except OSError:
        pass
    return total


def _log_open_ms(broker):
    """The broker's own figure for opening its partitions ("log manager: opened N partitions in M ms")
    from the last such line of its log."""
    try:
        with open(broker.log_path, errors="replace") as f:
            lines = [line for line in f if "log manager: opened" in line]
    except FileNotFoundError:
        return None
    if not lines:
        return None
    words = lines[-1].split()
    try:
        return float(words[words.index("in") + 1])
    except (ValueError, IndexError):
        return None


def _unclean_start(broker):
    """SIGKILL, read what the next start must scan, start; the start figures with the scan beside."""
    broker.kill()
    scan = recovery_scan(broker.data_dir)
    start = broker.start()
    start["scan"] = scan
    start["log_open_ms"] = _log_open_ms(broker)
    gib = scan["scanned_bytes"] / GiB
    start["first_answer_s_per_scanned_gib"] = start["first_answer_s"] / gib if gib > 0 else None
    return start


def _unclean_figures(starts):
    out = _start_figures(starts)
    out["scanned_bytes"] = summary([s["scan"]["scanned_bytes"] for s in starts], "bytes")
    out["beyond_recovery_point_bytes"] = summary([s["scan"]["beyond_recovery_point_bytes"] for s in starts],
                                                 "bytes")
    out["first_answer_s_per_scanned_gib"] = summary([s["first_answer_s_per_scanned_gib"] for s in starts],
                                                    "s/GiB")
    out["log_open_ms"] = summary([s["log_open_ms"] for s in starts], "ms")
    out["scans"] = [s["scan"] for s in starts]
    return out


GiB = 1 << 30


def start_with_data(ctx):
    """Fills `start_partitions` partitions with `start_bytes` (64 KiB messages, spread evenly). First a
    SIGKILL right after the fill (`unclean_after_fill`: the whole fill is the unflushed tail when no
    recovery-point checkpoint was written since), then clean starts (after SIGTERM) and further unclean
    starts (after SIGKILL, once the data was checkpointed by a clean stop). Every unclean start reports
    what it had to scan (recovery_scan)."""
    s = ctx.settings
    broker = SamsaBroker(ctx.programs, ctx.work_dir)
    out = {"partitions": s["start_partitions"], "bytes": s["start_bytes"]}
    try:
        broker.start()
        topic = "big"
        load(ctx.programs, "create-topics", broker.bootstrap, topic, "--partitions", s["start_partitions"],
             timeout=1200)
        count = max(1, s["start_bytes"] // 65536)
        ctx.log(f"start: writing {s['start_bytes'] / 2**30:.2f} GiB into {s['start_partitions']} partitions")
        fill = load(ctx.programs, "produce", broker.bootstrap, "-t", topic, "--size", 65536, "--count", count,
                    "--round-robin", "--timeout", 300, timeout=7200)
        out["fill_mb_per_s"] = fill["mb_per_s"]
        out["loaded_memory"] = memory(broker.pid)
        out["loaded_open_fds"] = open_fds(broker.pid)
        out["unclean_after_fill"] = _unclean_figures([_unclean_start(broker)])
        broker.stop()
        clean, idle, unclean, stops = [], [], [], []
        for r in range(s["runs"]):
            clean.append(broker.start())
            time.sleep(SETTLE_S)
            idle.append(memory(broker.pid))
            stops.append(broker.stop())
        broker.start()
        for r in range(s["runs"]):
            unclean.append(_unclean_start(broker))
        broker.stop()
        out["clean"] = _start_figures(clean)
        out["unclean"] = _unclean_figures(unclean)
        # At small sizes the fixed cost of a start dominates seconds per GiB: the part above a clean start
        # is what the scan costs.
        clean_s = out["clean"]["first_answer_s"]["median"] if out["clean"]["first_answer_s"] else None
        for key in ("unclean_after_fill", "unclean"):
            scans = out[key]["scans"]
            gib = [sc["scanned_bytes"] / GiB for sc in scans]
            firsts = out[key]["first_answer_s"]["runs"] if out[key]["first_answer_s"] else []
            out[key]["above_clean_s_per_scanned_gib"] = summary(
                [(f - clean_s) / g for f, g in zip(firsts, gib) if g > 0 and clean_s is not None], "s/GiB")
        out["stop_s"] = summary(stops, "s")
        out["idle_rss_mb"] = summary([m["rss_mb"] for m in idle], "MB")
    finally:
        if broker.alive():
            ctx.attempt("stop broker", broker.stop)
        broker.cleanup()
    return out


def _create_partitions(ctx, target, total, per_topic, is_mock):
    """Creates topics of `per_topic` partitions until `total`; stops at the first refusal and
    returns (created topics, error text or None)."""
    topics = []
    left = total
    while left > 0:
        n = min(per_topic, left)
        name = f"scale-{len(topics)}"
        try:
            if is_mock:
                target.create_topic(name, n)
            else:
                load(ctx.programs, "create-topics", target.bootstrap, name, "--partitions", n, timeout=1800)
        except BenchError as e:
            return topics, str(e)
        topics.append((name, n))
        left -= n
    return topics, None


def scale_partitions(ctx):
    """RSS per partition. A broker that refuses partitions part-way (e.g. out of descriptors) is a
    finding: the error is recorded and the figures are taken with the partitions it did create."""
    s = ctx.settings
    total = s["scale_partitions"]
    per_topic = min(1000, total)
    out = {"partitions": total, "partitions_per_topic": per_topic, "fd_limit": s.get("fd_limit")}
    broker = SamsaBroker(ctx.programs, ctx.work_dir)
    try:
        broker.start()
        time.sleep(SETTLE_S)
        m0 = memory(broker.pid)
        out["open_fds_before"] = open_fds(broker.pid)
        t0 = time.monotonic()
        topics, error = _create_partitions(ctx, broker, total, per_topic, False)
        out["create_s"] = time.monotonic() - t0
        created = sum(n for _, n in topics)
        out["partitions_created"] = created
        if error:
            ctx.fail(f"scale: create {total} partitions (stopped after {created})", BenchError(error))
            out["create_error"] = error.splitlines()[1] if len(error.splitlines()) > 1 else error
        if not broker.alive() or created == 0:
            raise BenchError(f"no partitions to measure\n{broker.log_tail()}")
        m1 = memory(broker.pid)
        out["open_fds_after_create"] = open_fds(broker.pid)
        ctx.log(f"scale: one message into each of {created} partitions")
        t0 = time.monotonic()
        for name, n in topics:
            ctx.attempt(f"scale: one message per partition of {name}", load, ctx.programs, "produce",
                        broker.bootstrap, "-t", name, "--size", 100, "--count", n, "--round-robin", "--acks", "1",
                        timeout=1800)
        out["touch_s"] = time.monotonic() - t0
        out["touch_msg_per_s"] = created / out["touch_s"]
        m2 = memory(broker.pid)
        out["open_fds_after_touch"] = open_fds(broker.pid)
        out["memory"] = {"before": m0, "after_create": m1, "after_one_message_each": m2}
        out["rss_per_partition_kb"] = (m2["rss_mb"] - m0["rss_mb"]) * 1e3 / created
        out["rss_per_partition_created_kb"] = (m1["rss_mb"] - m0["rss_mb"]) * 1e3 / created
        out["fds_per_partition"] = (out["open_fds_after_touch"] - out["open_fds_before"]) / created
        broker.stop()
        restart = ctx.attempt(f"scale: restart with {created} partitions", broker.start)
        if restart:
            out["restart_first_answer_s"] = restart["first_answer_s"]
            time.sleep(SETTLE_S)
            out["restart_idle_memory"] = memory(broker.pid)
            ctx.log(f"scale: one consumer reads all {created} partitions")
            cpu0 = cpu_seconds(broker.pid)
            res = ctx.attempt(f"scale: consume {created} partitions", load, ctx.programs, "consume",
                              broker.bootstrap, "-t", ",".join(name for name, _ in topics), "--timeout", 1200,
                              timeout=1500)
            if res:
                out["consume"] = {"messages": res["messages"], "partitions": res["partitions"],
                                  "join_to_first_s": res["join_seconds"], "first_to_last_s": res["seconds"],
                                  "msg_per_s": res["msg_per_s"], "broker_cpu_s": cpu_seconds(broker.pid) - cpu0,
                                  "redelivered": res["redelivered"]}
            out["after_consume_memory"] = memory(broker.pid)
            broker.stop()
    finally:
        if broker.alive():
            ctx.attempt("stop broker", broker.stop)
        broker.cleanup()
    mock = MockCluster(ctx.programs)
    try:
        time.sleep(SETTLE_S)
        m0 = memory(mock.pid)
        topics, error = _create_partitions(ctx, mock, total, per_topic, True)
        m1 = memory(mock.pid)
        if error:
            ctx.fail("scale: mock partitions", BenchError(error))
        if topics:
            out["mock_rss_per_partition_kb"] = (m1["rss_mb"] - m0["rss_mb"]) * 1e3 / sum(n for _, n in topics)
    finally:
        mock.stop()
    out["ratios"] = {"rss_per_partition_vs_mock": ratio(out.get("rss_per_partition_kb"),
                                                         out.get("mock_rss_per_partition_kb"))}
    return out


def _hold_connections(ctx, target, count):
    """Opens `count` connections with samsa_load; returns (RSS before, RSS while held, load result)."""
    time.sleep(SETTLE_S)
    m0 = memory(target.pid)
    proc = subprocess.Popen([ctx.programs.load, "connections", "-b", target.bootstrap, "--count", str(count),
                             "--wait-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line or line.startswith("READY"):
                break
        time.sleep(SETTLE_S)
        m1 = memory(target.pid)
        fds = open_fds(target.pid)
        stdout, stderr = proc.communicate(timeout=300)  # closes stdin: the connections are checked and closed
    except Exception:
        proc.kill()
        proc.wait()
        raise
    results = [line for line in stdout.splitlines() if line.startswith("{")]
    if not results:
        raise BenchError(f"connections: no result (exit {proc.returncode}): {stderr[-2000:]}")
    result = json.loads(results[-1])
    result["open_fds_while_held"] = fds
    if proc.returncode != 0:
        raise BenchError(f"connections failed: {result}")
    return m0, m1, result


def scale_connections(ctx):
    count = ctx.settings["connections"]
    out = {"connections": count}
    broker = SamsaBroker(ctx.programs, ctx.work_dir)
    try:
        broker.start()
        m0, m1, res = _hold_connections(ctx, broker, count)
        out["samsa"] = {"before": m0, "held": m1, "result": res,
                        "rss_per_connection_kb": (m1["rss_mb"] - m0["rss_mb"]) * 1e3 / count}
    finally:
        ctx.attempt("stop broker", broker.stop)
        broker.cleanup()
    mock = MockCluster(ctx.programs)
    try:
        m0, m1, res = _hold_connections(ctx, mock, count)
        out["mock"] = {"before": m0, "held": m1, "result": res,
                       "rss_per_connection_kb": (m1["rss_mb"] - m0["rss_mb"]) * 1e3 / count}
    except Exception as e:
        ctx.fail("connections mock", e)
    finally:
        mock.stop()
    if out.get("mock"):
        out["ratios"] = {"rss_per_connection_vs_mock": ratio(out["samsa"]["rss_per_connection_kb"],
                                                              out["mock"]["rss_per_connection_kb"])}
    return out


def disk_free_gb(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / 1e9

