"""Throughput sections: the floor, produce (Samsa and the mock cluster,
interleaved run by run) and catch-up consume."""

import itertools
import time

from .processes import MockCluster, RssSampler, SamsaBroker, cpu_seconds, load, memory, run_json
from .stats import ratio, summary

BASE = {"size": 1024, "acks": "1", "partitions": 6, "compression": "none"}


def produce_configs(full_matrix):
    """One-factor sweeps around BASE (the issue's target configuration), or the whole cross product."""
    sweeps = {"size": [100, 1024, 102400], "acks": ["0", "1", "all"], "partitions": [1, 6, 64],
              "compression": ["none", "lz4", "zstd"]}
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

def floor(ctx):
    s = ctx.settings
    out = {}
    for sync in ("none", "fdatasync"):
        ctx.log(f"floor ingest sync={sync}")
        objects, _ = run_json([ctx.programs.floor, "ingest", "--dir", ctx.scratch("floor"), "--bytes",
                               str(s["produce_bytes"]), "--sync", sync, "--repeat", str(s["runs"] + 1)], 600)
        runs = objects[1:]  # the first round pays for growing the page cache; not counted
        out[f"ingest_{sync}"] = {
            "mb_per_s": summary([r["mb_per_s"] for r in runs], "MB/s"),
            "cpu_s_per_gb": summary([r["server_cpu_s_per_gb"] for r in runs], "CPU s/GB"),
            "bytes": s["produce_bytes"]}
        if sync == "fdatasync":
            # The bound acks=all latency is judged against (p99 + 2 ms, issue 17).
            out["ingest_fdatasync"]["fdatasync_p50_ms"] = summary([r["fdatasync_ms"]["p50"] for r in runs], "ms")
            out["ingest_fdatasync"]["fdatasync_p99_ms"] = summary([r["fdatasync_ms"]["p99"] for r in runs], "ms")
    ctx.log("floor sendfile")
    objects, _ = run_json([ctx.programs.floor, "sendfile", "--dir", ctx.scratch("floor"), "--bytes",
                           str(s["consume_bytes"]), "--repeat", str(s["runs"] + 1)], 600)
    runs = objects[1:]
    out["sendfile"] = {"mb_per_s": summary([r["mb_per_s"] for r in runs], "MB/s"),
                       "cpu_s_per_gb": summary([r["server_cpu_s_per_gb"] for r in runs], "CPU s/GB"),
                       "bytes": s["consume_bytes"]}
    return out


# -- produce ----------------------------------------------------------------

def _produce_run(ctx, target, pid, topic, config, count):
    """One produce run against a broker process; adds the process's CPU per GB and peak RSS."""
    cpu0 = cpu_seconds(pid)
    with RssSampler(pid) as rss:
        r = load(ctx.programs, "produce", target, "-t", topic, "--size", config["size"], "--count", count,
                 "--acks", config["acks"], "--compression", config["compression"],
                 "--linger-ms", ctx.settings["linger_ms"], "--batch-size", ctx.settings["batch_size"])
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
    count = max(1, s["produce_bytes"] // config["size"])
    broker = SamsaBroker(ctx.programs, ctx.work_dir)
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
        out["floor_used"] = floor_key
        out["ratios"] = {
            "mb_per_s_vs_mock": ratio(out["samsa"]["mb_per_s"], out["mock"]["mb_per_s"]),
            "mb_per_s_vs_floor": ratio(out["samsa"]["mb_per_s"], fl.get("mb_per_s")),
            "cpu_per_gb_vs_mock": ratio(out["samsa"]["server_cpu_s_per_gb"], out["mock"]["server_cpu_s_per_gb"]),
            "cpu_per_gb_vs_floor": ratio(out["samsa"]["server_cpu_s_per_gb"], fl.get("cpu_s_per_gb")),
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
                "redelivered": [r["redelivered"] for r in runs]}
    finally:
        ctx.attempt("stop broker", broker.stop)
        broker.cleanup()
    return out
