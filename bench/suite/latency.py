"""Latency sections: end-to-end produce-to-consume latency at fixed rates, and
time to the first message for a new consumer group."""

from .processes import MockCluster, SamsaBroker, load
from .stats import ratio, summary
from .throughput import ensure_alive

# The mock cluster has no long polling: it answers a Fetch with no data only
# after fetch.wait.max.ms. With librdkafka's default (500 ms) its latency would
# be spread evenly over 0-500 ms, so it gets 1 ms and polls; Samsa keeps the
# default and relies on long polling.
MOCK_E2E_SETTINGS = ["-X", "fetch.wait.max.ms=1"]


def _e2e_runs(ctx, name, target, extra, rate, acks):
    s = ctx.settings
    runs = []
    for r in range(s["runs"]):
        res = ctx.attempt(f"e2e {rate}/s acks={acks} {name} run {r}", load, ctx.programs, "e2e", target.bootstrap,
                          "-t", "e2e", "--rate", rate, "--acks", acks, "--size", 1024, "--duration",
                          s["e2e_seconds"], "--warmup", s["e2e_warmup"], "--linger-ms", s["e2e_linger_ms"], *extra,
                          timeout=s["e2e_seconds"] + s["e2e_warmup"] + 120)
        if name == "samsa":
            ensure_alive(ctx, target, f"e2e {rate}/s acks={acks} run {r}")
        if res:
            runs.append(res)
    if not runs:
        return None
    lat = [r["latency_ms"] for r in runs]
    median_run = sorted(runs, key=lambda r: r["latency_ms"]["p99"])[len(runs) // 2]
    # The producer's acknowledgements (scheduled send -> delivery report): with
    # acks=all, the durable write. Result files before 2026-12-06 lack them.
    acks_ = [r["ack_latency_ms"] for r in runs if r.get("ack_latency_ms", {}).get("samples")]
    ack_figures = {"ack_p50_ms": summary([x["p50"] for x in acks_], "ms"),
                   "ack_p99_ms": summary([x["p99"] for x in acks_], "ms")} if acks_ else {}
    return {**ack_figures,
            "p50_ms": summary([x["p50"] for x in lat], "ms"),
            "p99_ms": summary([x["p99"] for x in lat], "ms"),
            "p999_ms": summary([x["p999"] for x in lat], "ms"),
            "max_ms": summary([x["max"] for x in lat], "ms"),
            "achieved_rate": summary([r["achieved_rate"] for r in runs], "msg/s"),
            "sends_over_1ms_late": [r["sends_over_1ms_late"] for r in runs],
            "cdf_of_median_run": median_run["latency_ms"]["cdf"]}


def e2e(ctx):
    s = ctx.settings
    results = []
    for rate in s["e2e_rates"]:
        for acks in ("1", "all"):
            ctx.log(f"e2e {rate} msg/s acks={acks}")
            broker = SamsaBroker(ctx.programs, ctx.work_dir)
            mock = None
            try:
                broker.start()
                mock = MockCluster(ctx.programs)
                load(ctx.programs, "create-topics", broker.bootstrap, "e2e", "--partitions", 6)
                mock.create_topic("e2e", 6)
                out = {"rate": rate, "acks": acks, "size": 1024, "partitions": 6,
                       "samsa": _e2e_runs(ctx, "samsa", broker, [], rate, acks),
                       "mock": _e2e_runs(ctx, "mock", mock, MOCK_E2E_SETTINGS, rate, acks)}
                out["ratios"] = {"p99_vs_mock": ratio((out["samsa"] or {}).get("p99_ms"),
                                                      (out["mock"] or {}).get("p99_ms")),
                                 "p50_vs_mock": ratio((out["samsa"] or {}).get("p50_ms"),
                                                      (out["mock"] or {}).get("p50_ms"))}
                results.append(out)
            except Exception as e:
                ctx.fail(f"e2e {rate}/s acks={acks}", e)
            finally:
                if mock:
                    mock.stop()
                ctx.attempt("stop broker", broker.stop)
                broker.cleanup()
    return results


def _first_message(ctx, target, rounds):
    # Every partition gets messages: a first Fetch that names only empty partitions would wait
    # fetch.wait.max.ms (500 ms) on any broker, and which partitions it names is a race in librdkafka.
    load(ctx.programs, "produce", target.bootstrap, "-t", "first", "--size", 100, "--count", 1200, "--round-robin")
    r = load(ctx.programs, "first-message", target.bootstrap, "-t", "first", "--repeat", rounds, timeout=600)
    return {"first_group_s": r["seconds"][0],
            "new_group_s": summary(r["seconds"][1:], "s")}


def first_message(ctx):
    """Round 0 is the first group a fresh broker sees (Samsa creates __consumer_offsets then); it is
    reported apart from the median of the later rounds."""
    rounds = ctx.settings["runs"] + 1
    broker = SamsaBroker(ctx.programs, ctx.work_dir)
    mock = None
    out = {}
    try:
        broker.start()
        load(ctx.programs, "create-topics", broker.bootstrap, "first", "--partitions", 6)
        out["samsa"] = ctx.attempt("first-message samsa", _first_message, ctx, broker, rounds)
        mock = MockCluster(ctx.programs)
        mock.create_topic("first", 6)
        out["mock"] = ctx.attempt("first-message mock", _first_message, ctx, mock, rounds)
    finally:
        if mock:
            mock.stop()
        ctx.attempt("stop broker", broker.stop)
        broker.cleanup()
    if out.get("samsa") and out.get("mock"):
        out["ratios"] = {"new_group_vs_mock": ratio(out["samsa"]["new_group_s"], out["mock"]["new_group_s"])}
    return out
