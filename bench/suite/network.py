"""Network threads (issue 17): produce throughput with num.network.threads=1 and 2.

One producer holds one connection to the broker, and one connection is served
by one network thread, so a single producer cannot use a second thread: the
section runs several producer processes at once. Two load generators: `raw`
(samsa_load raw-produce: pre-built batches over a raw socket, nearly free, so
the broker is the bottleneck even on 2 cores) and `librdkafka` (samsa_load
produce, the client every other row uses; on 2 cores it needs more CPU per
byte than the broker and is the bottleneck). The broker and
the load generator are pinned to CPU sets with `taskset` (layouts below), and
every broker thread's CPU time is read from /proc/<pid>/task/*/ (name from
comm, time from schedstat) around each run, so the report shows what each
network thread (`samsa-net-<i>`) and every other thread did."""

import json
import os
import subprocess
import time

from .processes import BenchError, SamsaBroker, children_cpu, load, thread_cpu
from .stats import ratio, summary
from .throughput import BASE, _check_stored, ensure_alive

NETWORK_THREAD_PREFIX = "samsa-net-"


def default_layouts(cores):
    """CPU sets as (name, broker cpus, load generator cpus). With 4 cores or more the halves are apart.
    On fewer there is no room for two broker cores and a separate load generator core, so two layouts
    are measured: 'apart' (broker on cores 0..n-2, load generator on the last core: the network
    threads share the broker's cores) and 'shared' (broker on every core, load generator on the last:
    a second network thread can use the second core but shares it with the load generator)."""
    if cores >= 4:
        half = cores // 2
        return [("apart", f"0-{half - 1}", f"{half}-{cores - 1}")]
    if cores == 1:
        return [("one core", "0", "0")]
    broker = "0" if cores == 2 else f"0-{cores - 2}"
    return [("apart", broker, str(cores - 1)), ("shared", f"0-{cores - 1}", str(cores - 1))]


def parse_layouts(text):
    """'BROKER:LOADGEN[;BROKER:LOADGEN...]' (taskset CPU lists, which may hold commas: '0,2:1,3'). Without
    a ';' a ',' separates layouts too when every part holds a ':' ('0:1,0-1:1')."""
    parts = text.split(";") if ";" in text else text.split(",")
    if ";" not in text and not all(":" in p for p in parts):
        parts = [text]
    out = []
    for i, part in enumerate(p.strip() for p in parts if p.strip()):
        if ":" not in part:
            raise ValueError(f"--net-cpus: {part!r} is not BROKER_CPUS:LOADGEN_CPUS")
        broker, loadgen = part.split(":", 1)
        out.append((f"custom {i + 1}", broker, loadgen))
    return out


def _thread_delta(before, after):
    """Per thread (tid, name, seconds) over the run; threads that started during it count from 0."""
    rows = []
    for tid, (name, sec) in after.items():
        rows.append({"tid": tid, "name": name, "cpu_s": sec - before.get(tid, (name, 0.0))[1]})
    return sorted(rows, key=lambda r: -r["cpu_s"])


def _by_name(rows):
    """CPU seconds summed over the threads of each name (threads the broker does not name carry the
    process's name, `samsa`, and are summed there), and how many threads bear each name."""
    seconds, count = {}, {}
    for r in rows:
        seconds[r["name"]] = seconds.get(r["name"], 0.0) + r["cpu_s"]
        count[r["name"]] = count.get(r["name"], 0) + 1
    return seconds, count


LOADGENS = ["raw", "librdkafka"]


def _producer_args(ctx, loadgen, bootstrap, topic, per_producer):
    s = ctx.settings
    if loadgen == "raw":
        return [ctx.programs.load, "raw-produce", "-b", bootstrap, "-t", topic, "--size", str(BASE["size"]),
                "--count", str(per_producer), "--partitions", str(BASE["partitions"]), "--acks", BASE["acks"],
                "--batch-size", str(s["batch_size"])]
    return [ctx.programs.load, "produce", "-b", bootstrap, "-t", topic, "--size", str(BASE["size"]), "--count",
            str(per_producer), "--acks", BASE["acks"], "--compression", BASE["compression"], "--linger-ms",
            str(s["linger_ms"]), "--batch-size", str(s["batch_size"])]


def _one_run(ctx, broker, loadgen, loadgen_cpus, producers, topic, per_producer):
    load(ctx.programs, "create-topics", broker.bootstrap, topic, "--partitions", BASE["partitions"])
    args = ["taskset", "-c", loadgen_cpus] + _producer_args(ctx, loadgen, broker.bootstrap, topic, per_producer)
    cpu0 = children_cpu()
    threads0 = thread_cpu(broker.pid)
    t0 = time.time()
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(producers)]
    results, errors = [], []
    for p in procs:
        try:
            out, err = p.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            errors.append("a producer timed out after 900 s")
            continue
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if p.returncode != 0 or not lines:
            errors.append(f"exit {p.returncode}: {' '.join(args)}\n{err[-1500:]}")
        if lines:
            results.append(json.loads(lines[-1]))
    wall = time.time() - t0
    threads1 = thread_cpu(broker.pid)
    loadgen_cpu = children_cpu() - cpu0
    if errors:
        raise BenchError("network threads: " + "\n".join(errors))
    delivered = sum(r["delivered"] for r in results)
    _check_stored(ctx, broker, topic, delivered)
    # The window every producer was sending in: first start to last flush (wall clock, one machine).
    window = max(r["end_unix"] for r in results) - min(r["start_unix"] for r in results)
    total_bytes = sum(r["bytes"] for r in results)
    rows = _thread_delta(threads0, threads1)
    broker_cpu = sum(r["cpu_s"] for r in rows)
    net = [r for r in rows if r["name"].startswith(NETWORK_THREAD_PREFIX)]
    return {"producers": producers, "bytes": total_bytes, "messages": delivered, "window_s": window,
            "wall_s": wall, "mb_per_s": total_bytes / window / 1e6, "msg_per_s": delivered / window,
            "per_producer_mb_per_s": [r["mb_per_s"] for r in results],
            "broker_cpu_s": broker_cpu, "broker_cpu_s_per_gb": broker_cpu / (total_bytes / 1e9),
            "broker_cores_busy": broker_cpu / window,
            "network_threads_cpu_s": sum(r["cpu_s"] for r in net),
            "busiest_network_thread_percent": max((r["cpu_s"] for r in net), default=0.0) / window * 100,
            "threads": rows, "threads_by_name": _by_name(rows)[0], "thread_count_by_name": _by_name(rows)[1],
            # The producers' CPU includes their start and exit, outside the window: per second of their wall time.
            "loadgen_cpu_s": loadgen_cpu, "loadgen_cores_busy": loadgen_cpu / wall}


def _summarize(runs):
    by_name = {}
    for r in runs:
        for name, sec in r["threads_by_name"].items():
            by_name.setdefault(name, []).append(sec / r["window_s"] * 100)
    return {"mb_per_s": summary([r["mb_per_s"] for r in runs], "MB/s"),
            "msg_per_s": summary([r["msg_per_s"] for r in runs], "msg/s"),
            "broker_cpu_s_per_gb": summary([r["broker_cpu_s_per_gb"] for r in runs], "CPU s/GB"),
            "broker_cores_busy": summary([r["broker_cores_busy"] for r in runs], "cores"),
            "loadgen_cores_busy": summary([r["loadgen_cores_busy"] for r in runs], "cores"),
            "busiest_network_thread_percent": summary([r["busiest_network_thread_percent"] for r in runs],
                                                      "% of a core"),
            "thread_cpu_percent_by_name": {name: summary(v, "% of a core over the send window")
                                           for name, v in sorted(by_name.items())},
            "thread_count_by_name": runs[-1]["thread_count_by_name"] if runs else {},
            "runs": runs}


def network_threads(ctx):
    s = ctx.settings
    layouts = parse_layouts(s["net_cpus"]) if s.get("net_cpus") else default_layouts(os.cpu_count() or 1)
    producers = s["net_producers"]
    per_producer = max(1, s["produce_bytes"] // BASE["size"] // producers)
    out = {"config": dict(BASE), "producers": producers, "messages_per_producer": per_producer,
           "threads": s["net_threads"], "loadgens": s["net_loadgens"], "layouts": []}
    for name, broker_cpus, loadgen_cpus, loadgen in [(*lay, lg) for lay in layouts for lg in s["net_loadgens"]]:
        ctx.log(f"network threads: layout {name}: broker on CPUs {broker_cpus}, {loadgen} load generator on "
                f"{loadgen_cpus}")
        brokers = {}
        runs = {t: [] for t in s["net_threads"]}
        try:
            for t in s["net_threads"]:
                brokers[t] = SamsaBroker(ctx.programs, ctx.work_dir, {"num.network.threads": t}, cpus=broker_cpus)
                brokers[t].start()
            for r in range(s["runs"] + 1):  # run 0 warms every broker up and is not counted
                order = s["net_threads"] if r % 2 == 0 else list(reversed(s["net_threads"]))
                for t in order:
                    n = per_producer if r > 0 else max(1, per_producer // 4)
                    res = ctx.attempt(f"network threads {name} {loadgen} threads={t} run {r}", _one_run, ctx,
                                      brokers[t], loadgen, loadgen_cpus, producers, f"net-{r}", n)
                    ensure_alive(ctx, brokers[t], f"network threads {name} {loadgen} threads={t} run {r}")
                    if res and r > 0:
                        runs[t].append(res)
            names = {t: sorted({name for name, _ in thread_cpu(b.pid).values()}) if b.alive() else []
                     for t, b in brokers.items()}
        finally:
            for b in brokers.values():
                ctx.attempt("stop broker", b.stop)
                b.cleanup()
        layout = {"name": name, "broker_cpus": broker_cpus, "loadgen_cpus": loadgen_cpus, "loadgen": loadgen,
                  "by_threads": {str(t): _summarize(rs) for t, rs in runs.items() if rs},
                  "thread_names": {str(t): v for t, v in names.items()}}
        one, two = layout["by_threads"].get("1"), layout["by_threads"].get("2")
        if one and two:
            layout["ratios"] = {"two_vs_one_threads": ratio(two["mb_per_s"], one["mb_per_s"])}
        out["layouts"].append(layout)
    return out
