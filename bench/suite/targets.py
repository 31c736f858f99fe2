"""The targets of issue 7, checked against the figures of one run."""

from .stats import median, ratio


def _find_produce(results, **want):
    for p in results.get("produce", []):
        if all(str(p["config"][k]) == str(v) for k, v in want.items()):
            return p
    return None


def _target(name, value, op, limit, detail):
    met = None if value is None else (value >= limit if op == ">=" else value <= limit)
    return {"target": name, "value": value, "op": op, "limit": limit, "met": met, "detail": detail}


def evaluate(results):
    out = []
    base = _find_produce(results, size=1024, acks="1", partitions=6, compression="none")
    all_ = _find_produce(results, size=1024, acks="all", partitions=6, compression="none")
    floor = results.get("floor") or {}
    samsa_base = (base or {}).get("samsa", {})
    out.append(_target("Produce 1 KiB, acks=1, 6 partitions vs mock cluster (MB/s ratio)",
                       ratio(samsa_base.get("mb_per_s"), (base or {}).get("mock", {}).get("mb_per_s")), ">=", 1.0,
                       "median Samsa MB/s / median mock MB/s, same load generator"))
    out.append(_target("Broker CPU per GB ingested vs floor (ratio)",
                       ratio(samsa_base.get("server_cpu_s_per_gb"),
                             (floor.get("ingest_none") or {}).get("cpu_s_per_gb")), "<=", 1.5,
                       "1 KiB acks=1 6 partitions; floor = receiver thread of socket -> write()"))
    out.append(_target("acks=all vs acks=1 throughput (ratio)",
                       ratio((all_ or {}).get("samsa", {}).get("mb_per_s"), samsa_base.get("mb_per_s")), ">=", 0.7,
                       "1 KiB, 6 partitions, durable default (fdatasync before ack)"))
    e2e10k = next((e for e in results.get("e2e", []) if e["rate"] == 10000 and e["acks"] == "1"), None)
    out.append(_target("e2e p99 at 10k msg/s, acks=1 (ms)",
                       median(((e2e10k or {}).get("samsa") or {}).get("p99_ms")), "<=", 5.0,
                       "median over runs of each run's p99, 1 KiB messages"))
    cons = (results.get("consume") or {}).get("consumers_1", {})
    out.append(_target("Catch-up consume (1 consumer) vs produce of the same messages (ratio)",
                       ratio(cons.get("mb_per_s"), samsa_base.get("mb_per_s")), ">=", 1.5,
                       "1 KiB messages; produce = 1 KiB acks=1 6 partitions"))
    out.append(_target("Catch-up consume (1 consumer) vs floor sendfile (ratio)",
                       ratio(cons.get("mb_per_s"), (floor.get("sendfile") or {}).get("mb_per_s")), ">=", 0.4,
                       "floor = page cache -> socket with sendfile(), same byte count"))
    start = results.get("start_empty") or {}
    out.append(_target("Start with an empty data dir (s)", median(start.get("first_answer_s")), "<=", 0.050,
                       "spawn to first ApiVersions answer"))
    out.append(_target("RSS idle (MB)", median(start.get("idle_rss_mb")), "<=", 30.0,
                       "VmRSS 1 s after start, empty data dir"))
    return out
