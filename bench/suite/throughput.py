"""Throughput sections: the floor, produce (Samsa and the mock cluster,
interleaved run by run) and catch-up consume."""

import itertools
import time

from .processes import MockCluster, RssSampler, SamsaBroker, cpu_seconds, load, memory, run_json
from .stats import ratio, summary

BASE = {"size": 1024, "acks": "1", "partitions": 6, "compression": "none"}


MiB = 1 << 20

# Messages above librdkafka's default message.max.bytes (1,000,000) and Kafka's
# default batch limit (1 MiB + 12) need both raised, on the producer and on the
# broker; the mock cluster has no such limit.
LARGE_MESSAGE_LIMIT = 4 * MiB


def producer_settings(config):
    return ["-X", f"message.max.bytes={LARGE_MESSAGE_LIMIT}"] if config["size"] >= 1000000 else []


def broker_settings(config):
    return {"message.max.bytes": LARGE_MESSAGE_LIMIT} if config["size"] >= 1000000 else {}


def produce_configs(full_matrix):
    """One-factor sweeps around BASE (issue 17's list: 100 B, 100 KiB, 1 MiB; acks 0 and all; 1 and 64
    partitions; gzip, snappy, lz4, zstd), or the whole cross product."""
    sweeps = {"size": [100, 1024, 102400, MiB], "acks": ["0", "1", "all"], "partitions": [1, 6, 64],
              "compression": ["none", "gzip", "snappy", "lz4", "zstd"]}
    if full_matrix:
        keys = list(sweeps)
        return [dict(zip(keys, combo)) for combo in itertools.product(*sweeps.values())]
    configs = []
    for key, values in sweeps.items():
        for value in values:
            config = dict(BASE, **{key: value})
            if config not in configs:
                configs.append(config)
    return configs


def config_name(c):
    return f"{c['size']}B acks={c['acks']} p={c['partitions']} {c['compression']}"


# -- floor ------------------------------------------------------------------

# The floor's fdatasync latency: the rates of issue 17's acks=all target.
FSYNC_RATES = [1000, 10000]
FSYNC_COMMITS = ["per-write", "group"]


def floor(ctx):
    """ingest_<sync>: one file per round, truncated and unlinked (the first floor, kept under its old
    keys); ingest_<sync>_new_files: new files each round, rolled at the broker's segment size and kept
    until the floor exits, as the broker's segments are. fdatasync_latency: open-loop durable appends."""
    s = ctx.settings
    out = {}
    for files in ("reuse", "new"):
        for sync in ("none", "fdatasync"):
            ctx.log(f"floor ingest sync={sync} files={files}")
            objects, _ = run_json([ctx.programs.floor, "ingest", "--dir", ctx.scratch(f"floor-{files}"), "--bytes",
                                   str(s["produce_bytes"]), "--sync", sync, "--repeat", str(s["runs"] + 1),
                                   "--files", files, "--segment-bytes", str(s["floor_segment_bytes"])], 1200)
            runs = objects[1:]  # the first round pays for growing the page cache; not counted
            out[f"ingest_{sync}" + ("_new_files" if files == "new" else "")] = {
                "mb_per_s": summary([r["mb_per_s"] for r in runs], "MB/s"),
                "cpu_s_per_gb": summary([r["server_cpu_s_per_gb"] for r in runs], "CPU s/GB"),
                "bytes": s["produce_bytes"], "files": files}
            if sync == "fdatasync":
                # Per-call fdatasync times of the ingest rounds, beside the open-loop latency floor below.
                entry = out[f"ingest_{sync}" + ("_new_files" if files == "new" else "")]
                entry["fdatasync_p50_ms"] = summary([r["fdatasync_ms"]["p50"] for r in runs], "ms")
                entry["fdatasync_p99_ms"] = summary([r["fdatasync_ms"]["p99"] for r in runs], "ms")
    out["fdatasync_latency"] = fsync_latency(ctx)
    ctx.log("floor sendfile")
    objects, _ = run_json([ctx.programs.floor, "sendfile", "--dir", ctx.scratch("floor"), "--bytes",
                           str(s["consume_bytes"]), "--repeat", str(s["runs"] + 1)], 600)
    runs = objects[1:]
    out["sendfile"] = {"mb_per_s": summary([r["mb_per_s"] for r in runs], "MB/s"),
                       "cpu_s_per_gb": summary([r["server_cpu_s_per_gb"] for r in runs], "CPU s/GB"),
                       "bytes": s["consume_bytes"]}
    return out


def fsync_latency(ctx):
    """Open-loop 1 KiB durable appends at each rate, per-write and group commit; `runs` runs each of
    e2e_seconds (the acks=all e2e runs last as long)."""
    s = ctx.settings
    out = []
    for rate in FSYNC_RATES:
        for commit in FSYNC_COMMITS:
            ctx.log(f"floor fdatasync latency {rate}/s {commit}")
            runs = []
            for r in range(s["runs"]):
                objects = ctx.attempt(f"floor fsync-latency {rate}/s {commit} run {r}", run_json,
                                      [ctx.programs.floor, "fsync-latency", "--dir", ctx.scratch("floor-fsync"),
                                       "--rate", str(rate), "--seconds", str(s["e2e_seconds"]), "--size", "1024",
                                       "--commit", commit], s["e2e_seconds"] + 120)
                if objects:
                    runs.append(objects[0][0])
            lat = [r["latency_ms"] for r in runs]
            out.append({"rate": rate, "commit": commit, "size": 1024,
                        "p50_ms": summary([x["p50"] for x in lat], "ms"),
                        "p99_ms": summary([x["p99"] for x in lat], "ms"),
                        "p999_ms": summary([x["p999"] for x in lat], "ms"),
                        "max_ms": summary([x["max"] for x in lat], "ms"),
                        "fdatasync_mean_ms": summary([r["fdatasync_mean_ms"] for r in runs], "ms"),
                        "syncs_per_s": summary([r["syncs_per_s"] for r in runs], "1/s"),
                        "achieved_rate": summary([r["achieved_rate"] for r in runs], "records/s"),
                        "saturated": [r["saturated"] for r in runs]})
    return out


def fsync_floor(floor_figures, rate, commit="group"):
    """The floor's fdatasync latency entry at a rate, or None."""
    return next((x for x in (floor_figures or {}).get("fdatasync_latency") or []
                 if x["rate"] == rate and x["commit"] == commit), None)


# -- produce ----------------------------------------------------------------

def _produce_run(ctx, target, pid, topic, config, count):
    """One produce run against a broker process; adds the process's CPU per GB and peak RSS."""
    cpu0 = cpu_seconds(pid)
    with RssSampler(pid) as rss:
        r = load(ctx.programs, "produce", target, "-t", topic, "--size", config["size"], "--count", count,
                 "--acks", config["acks"], "--compression", config["compression"],
                 "--linger-ms", ctx.settings["linger_ms"], "--batch-size", ctx.settings["batch_size"],
                 *producer_settings(config))
        time.sleep(0.2)  # acks=0 answers before the broker is done; let it finish before reading its CPU
    gb = r["bytes"] / 1e9
    r["server_cpu_s_per_gb"] = (cpu_seconds(pid) - cpu0) / gb
    r["server_rss_peak_mb"] = rss.peak_mb
    r["loadgen_cpu_s_per_gb"] = r["loadgen_cpu_s"] / gb
    return r


def ensure_alive(ctx, broker, where):
    """A broker that died is a finding: record its log tail, then start it again on the same data."""
    if not broker.alive():
        ctx.fail(where, RuntimeError(f"samsa died (exit {broker.proc.returncode})\n{broker.log_tail()}"))
        broker.start()


def _check_stored(ctx, broker, topic, expected):
    w = load(ctx.programs, "watermarks", broker.bootstrap, "-t", topic)
    if w["messages"] != expected:
        raise RuntimeError(f"{topic}: broker holds {w['messages']} messages, {expected} were acknowledged")


def produce_one_config(ctx, config):
    s = ctx.settings
    # gzip runs at ~5 MB/s in the load generator (the bottleneck for both brokers): a quarter of the
    # bytes keeps the standard set's length sane; both brokers get the same count, so the ratio holds.
    run_bytes = s["produce_bytes"] // (4 if config["compression"] == "gzip" else 1)
    count = max(1, run_bytes // config["size"])
    broker = SamsaBroker(ctx.programs, ctx.work_dir, broker_settings(config))
    mock = None
    runs = {"samsa": [], "mock": []}
    try:
        broker.start()
        mock = MockCluster(ctx.programs)
        for r in range(s["runs"] + 1):
            topic = f"produce-{r}"
            load(ctx.programs, "create-topics", broker.bootstrap, topic, "--partitions", config["partitions"])
            mock.create_topic(topic, config["partitions"])
            n = count if r > 0 else max(1, count // 4)  # round 0 warms both up and is not counted
            order = [("samsa", broker), ("mock", mock)] if r % 2 else [("mock", mock), ("samsa", broker)]
            for name, target in order:
                result = ctx.attempt(f"produce {config_name(config)} {name} run {r}", _produce_run, ctx,
                                     target.bootstrap, target.pid, topic, config, n)
                if result and name == "samsa":
                    ctx.attempt(f"produce {config_name(config)} stored check run {r}", _check_stored, ctx, broker,
                                topic, result["delivered"])
                if result and r > 0:
                    runs[name].append(result)
                if name == "samsa":
                    ensure_alive(ctx, broker, f"produce {config_name(config)} run {r}")
        broker_memory = ctx.attempt("broker memory", memory, broker.pid)
    finally:
        if mock:
            mock.stop()
        ctx.attempt("stop broker", broker.stop)
        broker.cleanup()
    out = {"config": config, "messages_per_run": count}
    for name, rs in runs.items():
        out[name] = {"mb_per_s": summary([r["mb_per_s"] for r in rs], "MB/s"),
                     "msg_per_s": summary([r["msg_per_s"] for r in rs], "msg/s"),
                     "server_cpu_s_per_gb": summary([r["server_cpu_s_per_gb"] for r in rs], "CPU s/GB"),
                     "server_rss_peak_mb": summary([r["server_rss_peak_mb"] for r in rs], "MB"),
                     "loadgen_cpu_s_per_gb": summary([r["loadgen_cpu_s_per_gb"] for r in rs], "CPU s/GB")}
    out["samsa"]["memory_after"] = broker_memory
    return out


def produce(ctx, floor_figures):
    results = []
    for config in produce_configs(ctx.settings["full_matrix"]):
        ctx.log(f"produce {config_name(config)}")
        out = ctx.attempt(f"produce {config_name(config)}", produce_one_config, ctx, config)
        if not out:
            continue
        floor_key = "ingest_fdatasync" if config["acks"] == "all" else "ingest_none"
        fl = (floor_figures or {}).get(floor_key, {})
        fl_new = (floor_figures or {}).get(floor_key + "_new_files", {})
        out["floor_used"] = floor_key
        out["ratios"] = {
            "mb_per_s_vs_mock": ratio(out["samsa"]["mb_per_s"], out["mock"]["mb_per_s"]),
            "mb_per_s_vs_floor": ratio(out["samsa"]["mb_per_s"], fl.get("mb_per_s")),
            "mb_per_s_vs_floor_new_files": ratio(out["samsa"]["mb_per_s"], fl_new.get("mb_per_s")),
            "cpu_per_gb_vs_mock": ratio(out["samsa"]["server_cpu_s_per_gb"], out["mock"]["server_cpu_s_per_gb"]),
            "cpu_per_gb_vs_floor": ratio(out["samsa"]["server_cpu_s_per_gb"], fl.get("cpu_s_per_gb")),
            "cpu_per_gb_vs_floor_new_files": ratio(out["samsa"]["server_cpu_s_per_gb"], fl_new.get("cpu_s_per_gb")),
        }
        results.append(out)
    return results


# -- catch-up consume ---------------------------------------------------------

def consume(ctx):
    s = ctx.settings
    broker = SamsaBroker(ctx.programs, ctx.work_dir)
    out = {"bytes_on_disk": s["consume_bytes"], "size": 1024, "partitions": 6}
    try:
        broker.start()
        topic = "catchup"
        load(ctx.programs, "create-topics", broker.bootstrap, topic, "--partitions", 6)
        count = s["consume_bytes"] // 1024
        ctx.log(f"consume: writing {count} messages of 1 KiB")
        fill = load(ctx.programs, "produce", broker.bootstrap, "-t", topic, "--size", 1024, "--count", count,
                    "--acks", "1", timeout=3600)
        out["fill_mb_per_s"] = fill["mb_per_s"]
        _check_stored(ctx, broker, topic, count)
        for consumers in (1, 3):
            ctx.log(f"consume with {consumers} consumer(s)")
            runs = []
            for r in range(s["runs"]):
                cpu0 = cpu_seconds(broker.pid)
                res = ctx.attempt(f"consume x{consumers} run {r}", load, ctx.programs, "consume", broker.bootstrap,
                                  "-t", topic, "--consumers", consumers, timeout=1800)
                ensure_alive(ctx, broker, f"consume x{consumers} run {r}")
                if res:
                    res["server_cpu_s_per_gb"] = (cpu_seconds(broker.pid) - cpu0) / (res["bytes"] / 1e9)
                    runs.append(res)
            out[f"consumers_{consumers}"] = {
                "mb_per_s": summary([r["mb_per_s"] for r in runs], "MB/s"),
                "msg_per_s": summary([r["msg_per_s"] for r in runs], "msg/s"),
                "join_s": summary([r["join_seconds"] for r in runs], "s"),
                "server_cpu_s_per_gb": summary([r["server_cpu_s_per_gb"] for r in runs], "CPU s/GB"),
                # The consumer's own threads (samsa_load reads them between the first and the last
                # message): a busiest thread near 1.0 is the client's bound, not the broker's.
                "client_busiest_thread": summary([r["threads"][0]["busy"] for r in runs if r.get("threads")],
                                                 "share of one core"),
                "client_busiest_thread_waiting": summary([r["threads"][0]["waiting_for_core"] for r in runs
                                                          if r.get("threads")], "share of one core"),
                "client_threads": [r.get("threads", []) for r in runs],
                "redelivered": [r["redelivered"] for r in runs]}
    finally:
        ctx.attempt("stop broker", broker.stop)
        broker.cleanup()
    return out
