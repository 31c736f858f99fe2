#!/usr/bin/env python3
"""Reports a bystander's worst latency while decompression bombs hit the
broker (finding 1 of issue 11; not part of CI). Starts its own broker, sends
Produce requests each listing one partition 20 times with a ~2 KB zstd batch
that inflates to 60 MiB, from several connections in a loop, while a
bystander connection sends ApiVersions every 10 ms and times each answer.

Usage: scripts/bomb_latency.py BUILD_DIR [--seconds 10] [--bombers 2]
"""
import argparse
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "integration"))
import kafka_wire  # noqa: E402


def crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


TABLE = crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def varint(n):
    return kafka_wire.uvarint((n << 1) ^ (n >> 63))


def bomb_batch(inflated):
    import zstandard
    value_len = inflated
    record = b"\x00" + varint(0) + varint(0) + varint(-1) + varint(value_len) + b"\x00" * value_len + varint(0)
    body = zstandard.ZstdCompressor(level=19).compress(varint(len(record)) + record)
    now = int(time.time() * 1000)
    after_crc = struct.pack(">hiqqqhii", 4, 0, now, now, -1, -1, -1, 1) + body  # attributes: zstd
    crc = crc32c(after_crc)
    rest = struct.pack(">ibI", 0, 2, crc) + after_crc  # partitionLeaderEpoch, magic, crc
    return struct.pack(">qi", 0, len(rest)) + rest


def produce_request(topic, batch, times, correlation_id):
    body = struct.pack(">h", -1) + struct.pack(">hi", 1, 30000)  # transactional id null, acks, timeout
    body += struct.pack(">i", 1) + struct.pack(">h", len(topic)) + topic.encode()
    body += struct.pack(">i", times)
    for _ in range(times):
        body += struct.pack(">i", 0) + struct.pack(">i", len(batch)) + batch
    return kafka_wire.frame(kafka_wire.request_header(0, 3, correlation_id) + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--binary", help="a samsa binary to use instead of BUILD_DIR's (e.g. an older build)")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--bombers", type=int, default=2)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="samsa-bomb-")
    port_file = os.path.join(work, "port")
    binary = args.binary or os.path.join(args.build_dir, "src/cli/samsa")
    broker = subprocess.Popen([binary, "serve",
                               "--set", "listeners=PLAINTEXT://127.0.0.1:0", "--set", f"log.dirs={work}/data",
                               "--port-file", port_file], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(port_file) or not open(port_file).read().strip():
        time.sleep(0.02)
    address = ("127.0.0.1", int(open(port_file).read().strip()))
    s = kafka_wire.connect(address)
    s.sendall(kafka_wire.metadata_request_v1(["bombed"]))  # auto-creates the topic
    kafka_wire.read_response(s)
    batch = bomb_batch(60 << 20)
    request = produce_request("bombed", batch, 20, 7)
    print(f"bomb request: {len(request)} bytes ({len(batch)}-byte batch x 20, 60 MiB each inflated)")
    stop = threading.Event()
    sent = [0]

    def bomber():
        c = kafka_wire.connect(address, timeout=120)
        while not stop.is_set():
            c.sendall(request)
            kafka_wire.read_response(c)
            sent[0] += 1

    threads = [threading.Thread(target=bomber) for _ in range(args.bombers)]
    for t in threads:
        t.start()
    latencies = []
    b = kafka_wire.connect(address)
    end = time.time() + args.seconds
    while time.time() < end:
        started = time.perf_counter()
        b.sendall(kafka_wire.api_versions_request(3))
        kafka_wire.read_response(b)
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.01)
    stop.set()
    for t in threads:
        t.join()
    broker.terminate()
    broker.wait()
    latencies.sort()
    print(f"{sent[0]} bomb requests answered in {args.seconds:.0f} s by {args.bombers} connections")
    print(f"bystander ApiVersions: {len(latencies)} answers, median {statistics.median(latencies):.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99) - 1]:.2f} ms, worst {latencies[-1]:.2f} ms")


if __name__ == "__main__":
    main()
