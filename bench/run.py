#!/usr/bin/python3
"""Runs Samsa's benchmark suite (issue 7) against a build directory and writes
bench/results/<UTC timestamp>.json. Builds nothing: build the targets first
(see bench/README.md). Starts and stops the Samsa broker, librdkafka's mock
cluster and the floor itself, on free ports with temporary data directories.

    bench/run.py <build dir> [--quick] [--sections produce,e2e,...] [--runs N] ...
    bench/run.py <build dir> --only network_threads --runs 1 --quick     # one section alone
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from suite import footprint, latency, network, page_cost, throughput, targets  # noqa: E402
from suite.context import Context  # noqa: E402
from suite.processes import HTTP_SERVICES_OFF, BenchError, Programs, SamsaBroker, raise_fd_limit  # noqa: E402
from suite.stats import ratio  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
GiB = 1 << 30
MB = 10 ** 6

# The standard set. Issue 17 asks for the start figure with 1 GiB of data (issue
# 7 had 10 GiB) and for 10,000 partitions for scale; both are the standard
# settings here.
STANDARD = {
    "runs": 5,
    "produce_bytes": 256 * MB,      # per produce run (and per floor ingest round)
    "full_matrix": False,           # True: every size x acks x partitions x compression
    "linger_ms": 5,
    "batch_size": 1 << 20,
    "consume_bytes": 1 * GiB,       # written once, read back by each consume run
    "e2e_rates": [1000, 10000, 50000],
    "e2e_seconds": 5,
    "e2e_warmup": 1,
    "e2e_linger_ms": 1,             # linger.ms of the e2e producer (OpenMessaging Benchmark uses 1)
    "start_bytes": 1 * GiB,
    "start_partitions": 1000,
    "scale_partitions": 10000,
    "connections": 1000,
    "floor_segment_bytes": 1 * GiB,  # the floor's new-files mode rolls at the broker's log.segment.bytes
    "net_threads": [1, 2],           # num.network.threads values compared
    "net_producers": 4,              # producer processes at once (one connection, so one network thread, each)
    "net_cpus": None,                # "BROKER:LOADGEN,..." taskset layouts; None: see suite/network.py
    "net_loadgens": ["raw", "librdkafka"],  # load generators of the network_threads section
    "http_services": "off",          # the broker's console, Schema Registry and REST proxy (see processes.py)
}

# --quick: fewer runs and smaller sizes, for a smoke run in a few minutes.
QUICK = dict(STANDARD, runs=3, produce_bytes=64 * MB, consume_bytes=256 * (1 << 20), e2e_seconds=2,
             start_bytes=256 * (1 << 20), start_partitions=100, scale_partitions=2000)

SECTIONS = ["floor", "produce", "consume", "e2e", "first_message", "start_empty", "start_with_data",
            "scale_partitions", "scale_connections", "network_threads"]


def machine_facts(work_dir):
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""
    model = next((line.split(":", 1)[1].strip() for line in read("/proc/cpuinfo").splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next((int(line.split()[1]) for line in read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal:")), 0)
    try:
        commit = subprocess.run(["git", "-C", BENCH_DIR, "rev-parse", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
        # The broker's sources and the bench's own programs, from the top of the tree.
        dirty = subprocess.run(["git", "-C", BENCH_DIR, "status", "--porcelain", "--", ":/src", ":/bench/load",
                                ":/bench/baseline"], capture_output=True, text=True).stdout.strip() != ""
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", None
    return {"cpu_model": model, "cores": os.cpu_count(), "memory_gb": mem_kb * 1024 / 1e9,
            "kernel": platform.release(), "disk_free_gb": footprint.disk_free_gb(work_dir),
            "git_commit": commit, "src_has_uncommitted_changes": dirty,
            "loadavg_at_start": os.getloadavg(), "python": platform.python_version()}


def scrub(value, replacements):
    """Replaces this machine's paths (build dir, scratch dir, checkout) in every string of the
    results, so committed result files name no local path."""
    if isinstance(value, str):
        for path, name in replacements:
            value = value.replace(path, name)
        return value
    if isinstance(value, list):
        return [scrub(v, replacements) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, replacements) for k, v in value.items()}
    return value


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build_dir", help="CMake build directory holding samsa and the bench programs")
    ap.add_argument("--quick", action="store_true", help="fewer runs and smaller sizes (smoke run)")
    ap.add_argument("--sections", "--only", dest="sections", default=",".join(SECTIONS),
                    help="comma-separated subset of: " + ", ".join(SECTIONS))
    ap.add_argument("--runs", type=int, help="runs per figure (median, min-max)")
    ap.add_argument("--produce-mb", type=int, help="MB per produce run")
    ap.add_argument("--consume-mb", type=int, help="MB written once and read back by catch-up consume")
    ap.add_argument("--e2e-seconds", type=float, help="measured seconds per e2e run")
    ap.add_argument("--e2e-linger-ms", type=int, help="linger.ms of the e2e producer (default 1)")
    ap.add_argument("--start-gb", type=float, help="GiB on disk for the start-with-data figure")
    ap.add_argument("--start-partitions", type=int, help="partitions holding that data")
    ap.add_argument("--scale-partitions", type=int, help="partitions for the scale figure")
    ap.add_argument("--connections", type=int, help="connections held for the scale figure")
    ap.add_argument("--fd-limit", type=int, help="RLIMIT_NOFILE for the broker (default: the hard limit; "
                    "above it needs root)")
    ap.add_argument("--net-producers", type=int, help="network_threads: producer processes at once (default 4)")
    ap.add_argument("--net-cpus", help="network_threads: taskset layouts BROKER:LOADGEN[;BROKER:LOADGEN] "
                    "(default: halves of the cores, or on 2 cores '0:1' and '0-1:1')")
    ap.add_argument("--net-loadgens", help="network_threads: comma-separated load generators (raw, librdkafka; "
                    "default both)")
    ap.add_argument("--http-services", choices=["off", "on"], help="the broker's console, Schema Registry and "
                    "REST proxy: off (default; every broker alike) or on (the binary's defaults, fixed ports)")
    ap.add_argument("--full-matrix", action="store_true", help="produce: every combination, not one-factor sweeps")
    ap.add_argument("--work-dir", help="scratch directory on the disk to measure (default: a temp dir)")
    ap.add_argument("--out", help="result file (default: bench/results/<UTC timestamp>.json)")
    return ap.parse_args()


def settings_from(args):
    s = dict(QUICK if args.quick else STANDARD)
    overrides = {"runs": args.runs,
                 "produce_bytes": args.produce_mb and args.produce_mb * MB,
                 "consume_bytes": args.consume_mb and args.consume_mb * MB,
                 "e2e_seconds": args.e2e_seconds,
                 "e2e_linger_ms": args.e2e_linger_ms,
                 "start_bytes": args.start_gb and int(args.start_gb * GiB),
                 "start_partitions": args.start_partitions,
                 "scale_partitions": args.scale_partitions,
                 "connections": args.connections,
                 "net_producers": args.net_producers,
                 "net_cpus": args.net_cpus,
                 "net_loadgens": args.net_loadgens and [x for x in args.net_loadgens.split(",") if x],
                 "http_services": args.http_services}
    s.update({k: v for k, v in overrides.items() if v is not None and v is not False})
    if args.full_matrix:
        s["full_matrix"] = True
    s["quick"] = args.quick
    return s


def main():
    args = parse_args()
    sections = [x for x in args.sections.split(",") if x]
    unknown = [x for x in sections if x not in SECTIONS]
    if unknown:
        sys.exit(f"unknown sections: {unknown}")
    try:
        programs = Programs(args.build_dir)
    except BenchError as e:
        sys.exit(str(e))
    settings = settings_from(args)
    SamsaBroker.default_settings = dict(HTTP_SERVICES_OFF) if settings["http_services"] == "off" else {}
    bad = [x for x in settings["net_loadgens"] if x not in network.LOADGENS]
    if bad or not settings["net_loadgens"]:
        sys.exit(f"--net-loadgens: choose from {network.LOADGENS}, got {settings['net_loadgens']}")
    if settings.get("net_cpus"):
        try:
            network.parse_layouts(settings["net_cpus"])
        except ValueError as e:
            sys.exit(str(e))
    try:
        settings["fd_limit"] = raise_fd_limit(args.fd_limit)
    except (ValueError, OSError) as e:
        sys.exit(f"cannot set the descriptor limit to {args.fd_limit}: {e}")
    work_dir = tempfile.mkdtemp(prefix="samsa-bench-", dir=args.work_dir)
    ctx = Context(programs, settings, work_dir)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out_path = args.out or os.path.join(BENCH_DIR, "results", f"{stamp}.json")
    built = datetime.datetime.fromtimestamp(os.path.getmtime(programs.samsa), datetime.timezone.utc)
    results = {"suite": "samsa bench (issue 7)", "timestamp_utc": stamp, "machine": machine_facts(work_dir),
               "samsa_binary_built_utc": built.strftime("%Y%m%dT%H%M%SZ"),
               "settings": settings, "sections": sections, "units": {"MB": "10^6 bytes", "GB": "10^9 bytes"}}
    t0 = time.monotonic()
    results["machine"]["page_cost"] = {"start": ctx.attempt("page cost probe", page_cost.probe, work_dir)}
    try:
        for name in sections:
            ctx.log(f"== {name}")
            start = time.monotonic()
            if name == "produce":
                value = ctx.attempt("produce", throughput.produce, ctx, results.get("floor"))
            else:
                fn = {"floor": throughput.floor, "consume": throughput.consume, "e2e": latency.e2e,
                      "first_message": latency.first_message, "start_empty": footprint.start_empty,
                      "start_with_data": footprint.start_with_data, "scale_partitions": footprint.scale_partitions,
                      "scale_connections": footprint.scale_connections,
                      "network_threads": network.network_threads}[name]
                value = ctx.attempt(name, fn, ctx)
            results[name] = value
            results.setdefault("section_seconds", {})[name] = time.monotonic() - start
            results["machine"].setdefault("loadavg_after", {})[name] = os.getloadavg()
            results["machine"]["page_cost"][f"after {name}"] = ctx.attempt("page cost probe", page_cost.probe, work_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    results["consume_ratios"] = consume_ratios(results)
    results["targets"] = targets.evaluate(results)
    results["targets_issue17"] = targets.evaluate_issue17(results)
    results["failures"] = ctx.failures
    results["total_seconds"] = time.monotonic() - t0
    results = scrub(results, [(work_dir, "<scratch>"), (programs.build_dir, "<build>"),
                              (os.path.dirname(BENCH_DIR), "<checkout>")])
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    ctx.log(f"wrote {out_path} ({len(ctx.failures)} failures)")
    return 1 if ctx.failures else 0


def consume_ratios(results):
    cons = results.get("consume") or {}
    floor = (results.get("floor") or {}).get("sendfile") or {}
    base = next((p for p in results.get("produce") or [] if p["config"] == throughput.BASE), None)
    out = {}
    for key in ("consumers_1", "consumers_3"):
        if key in cons:
            out[key] = {"vs_floor_sendfile": ratio(cons[key]["mb_per_s"], floor.get("mb_per_s")),
                        "vs_produce_same_messages": ratio(cons[key]["mb_per_s"],
                                                          ((base or {}).get("samsa") or {}).get("mb_per_s")),
                        "cpu_per_gb_vs_floor": ratio(cons[key]["server_cpu_s_per_gb"], floor.get("cpu_s_per_gb"))}
    return out


if __name__ == "__main__":
    sys.exit(main())
