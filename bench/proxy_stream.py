#!/usr/bin/python3
"""What a streamed v3 produce through the REST proxy costs (issue 16):
N records of S bytes sent in one chunked request over a raw socket, the
answers read on a second thread while the body is still being sent (as a
pipelining client does). Reports the wall time from the first byte sent to
the last answer read (median and range of R runs, each into a fresh topic)
and the broker's VmRSS before the first run and after each. Nothing is
asserted. Starts its own `samsa serve` through the integration harness.
Usage: bench/proxy_stream.py [--records N] [--size BYTES] [--runs R]
(SAMSA_BIN names the binary, as for the integration tests).

Run on 2026-12-04 (2 shared cores, load average 4-6 from other builds),
Release build: 10,000 records of 1 KiB in one request, 7 runs: median
0.283 s (0.267-0.408), about 35,000 records/s; VmRSS 23.2 MB before the
first run, 27.0 MB after it, 30.7 MB after seven (the topics' own segments
and indexes included). 1,000 records: 0.038 s median, the same as the
whole-body handler it replaced (0.037 s)."""

import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))

from proxy_util import PROXY, proxy_url  # noqa: E402
from samsa_harness import Broker  # noqa: E402


def stream_once(url, cluster, topic, records, size):
    host, port = url.rsplit("//", 1)[1].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    value = "x" * size
    body = "".join(json.dumps({"value": {"type": "STRING", "data": value}}) for _ in range(records)).encode()
    answers = []

    def reader():
        buf = b""
        while True:
            more = sock.recv(1 << 16)
            if not more:
                break
            buf += more
            if buf.endswith(b"\r\n0\r\n\r\n"):
                break
        head, _, rest = buf.partition(b"\r\n\r\n")
        answers.extend(line for line in rest.split(b"\n") if line.startswith(b"{"))

    t = threading.Thread(target=reader)
    start = time.monotonic()
    t.start()
    sock.sendall(f"POST /v3/clusters/{cluster}/topics/{topic}/records HTTP/1.1\r\nHost: localhost\r\n"
                 "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode())
    step = 64 * 1024
    for i in range(0, len(body), step):
        piece = body[i:i + step]
        sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
    sock.sendall(b"0\r\n\r\n")
    t.join()
    elapsed = time.monotonic() - start
    sock.close()
    ok = sum(1 for a in answers if b'"error_code":200' in a)
    return elapsed, ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    import requests
    from confluent_kafka.admin import AdminClient, NewTopic
    broker = Broker(PROXY).start()
    try:
        url = proxy_url(broker)
        cluster = requests.get(f"{url}/v3/clusters", timeout=30).json()["data"][0]["cluster_id"]
        admin = AdminClient({"bootstrap.servers": broker.bootstrap})
        rss0 = broker.rss_kb()
        times = []
        for run in range(args.runs):
            topic = f"stream-{run}"
            admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)
            elapsed, ok = stream_once(url, cluster, topic, args.records, args.size)
            times.append(elapsed)
            print(f"run {run}: {elapsed:.3f} s, {ok}/{args.records} answered 200, VmRSS {broker.rss_kb()} kB")
        print(f"{args.records} records of {args.size} B in one request: median {statistics.median(times):.3f} s "
              f"(range {min(times):.3f}-{max(times):.3f}), "
              f"{args.records / statistics.median(times):.0f} records/s; VmRSS {rss0} kB before, "
              f"{broker.rss_kb()} kB after {args.runs} runs")
    finally:
        broker.close()


if __name__ == "__main__":
    main()
