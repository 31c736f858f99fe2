#!/usr/bin/python3
"""What incremental fetch sessions (KIP-227) save a fetcher of many
partitions (issue 17). No client installed here opens sessions (librdkafka
and KafkaJS send session 0 with epoch -1, kafka-python 2.0.2 uses Fetch v4),
so this script is its own fetcher: Fetch v7 encoded by hand, one connection.

It starts `samsa serve` on port 0, creates one topic of N partitions with a
record in each, reads everything once, then fetches in a loop, with sessions
off (a full fetch of every partition each time, as a session-less client)
and on (one full fetch, then incremental ones naming only what moved). Two
shapes: `idle` (nothing is written between fetches) and `busy` (one record
to one partition before each fetch, written on a second connection). For
each it reports request and response bytes per fetch and the broker's CPU
per fetch (user+system from /proc, the producer's share included in `busy`).
Nothing is asserted.
Usage: bench/fetch_sessions.py <samsa binary> [--partitions N ...] [--fetches N]"""

import argparse
import os
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

TOPIC = "sessions"


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


def header(api_key, version, correlation_id):
    return struct.pack(">hhi", api_key, version, correlation_id) + string("fetch-sessions-bench")


class connection:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.correlation_id = 0
        self.sent = 0
        self.received = 0

    def call(self, api_key, version, body):
        self.correlation_id += 1
        payload = header(api_key, version, self.correlation_id) + body
        frame = struct.pack(">i", len(payload)) + payload
        self.sock.sendall(frame)
        self.sent += len(frame)
        size = struct.unpack(">i", self.recv_exact(4))[0]
        answer = self.recv_exact(size)
        self.received += size + 4
        return answer[4:]  # past the correlation id

    def recv_exact(self, n):
        out = bytearray()
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise RuntimeError("broker closed the connection")
            out += chunk
        return bytes(out)


def create_topic(conn, partitions):
    # CreateTopics v0: one topic, N partitions, replication 1, no configs.
    body = struct.pack(">i", 1) + string(TOPIC) + struct.pack(">ihii", partitions, 1, 0, 0) + struct.pack(">i", 30000)
    answer = conn.call(19, 0, body)
    error = struct.unpack(">h", answer[4 + 2 + len(TOPIC):4 + 2 + len(TOPIC) + 2])[0]
    if error != 0:
        sys.exit(f"CreateTopics answered {error}")


def one_record_batch(value):
    """RecordBatch v2 with one record, CRC-32C computed here."""
    record = b"\x00" + b"\x00" + b"\x00" + b"\x01" + zigzag(len(value)) + value + b"\x00"  # attrs, ts, offset, null key
    record = zigzag(len(record)) + record
    after_crc = struct.pack(">hiqqqhii", 0, 0, 0, 0, -1, -1, -1, 1) + record
    crc = crc32c(after_crc)
    body = struct.pack(">ib", 0, 2) + struct.pack(">I", crc) + after_crc  # leader epoch, magic, crc
    return struct.pack(">qi", 0, len(body)) + body


def zigzag(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


_CRC_TABLE = []


def crc32c(data):
    if not _CRC_TABLE:
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            _CRC_TABLE.append(c)
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def produce(conn, partition, value):
    batch = one_record_batch(value)
    # Produce v3: transactional id null, acks 1, timeout, one topic, one partition.
    body = struct.pack(">hhi", -1, 1, 30000) + struct.pack(">i", 1) + string(TOPIC)
    body += struct.pack(">i", 1) + struct.pack(">ii", partition, len(batch)) + batch
    conn.call(0, 3, body)


def fetch_v7(conn, session_id, epoch, positions):
    """positions: [(partition, offset)]; returns (error, session id, {partition: (hw, record bytes)})."""
    body = struct.pack(">iiiibii", -1, 0, 0, 64 << 20, 0, session_id, epoch)
    if positions:
        body += struct.pack(">i", 1) + string(TOPIC) + struct.pack(">i", len(positions))
        for p, offset in positions:
            body += struct.pack(">iqqi", p, offset, -1, 1 << 20)
    else:
        body += struct.pack(">i", 0)
    body += struct.pack(">i", 0)  # forgotten topics
    answer = conn.call(1, 7, body)
    _, error, sid, topics = struct.unpack(">ihii", answer[:14])
    pos = 14
    out = {}
    for _ in range(topics):
        n = struct.unpack(">h", answer[pos:pos + 2])[0]
        pos += 2 + n
        parts = struct.unpack(">i", answer[pos:pos + 4])[0]
        pos += 4
        for _ in range(parts):
            p, _perr, hw, _lso, _lstart = struct.unpack(">ihqqq", answer[pos:pos + 30])
            pos += 30
            aborted = struct.unpack(">i", answer[pos:pos + 4])[0]
            pos += 4 + max(aborted, 0) * 16
            size = struct.unpack(">i", answer[pos:pos + 4])[0]
            pos += 4 + max(size, 0)
            out[p] = (hw, max(size, 0))
    return error, sid, out


def run(binary, partitions, fetches, sessions, shape):
    work = tempfile.mkdtemp(prefix="samsa-fetch-sessions-")
    port_file = os.path.join(work, "port")
    args = [binary, "serve", "--set", "listeners=PLAINTEXT://127.0.0.1:0", "--set", f"log.dirs={work}/data",
            "--port-file", port_file, "--set", "http.listeners=none", "--set", "schema.registry.listeners=none",
            "--set", "http.proxy.listeners=none",
            "--set", f"max.broker.partitions={partitions + 1000}"]
    if not shutil.which(binary) and not os.path.exists(binary):
        sys.exit(f"no samsa binary at {binary}")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("samsa did not start")
            time.sleep(0.05)
        port = int(open(port_file).read().strip())
        admin = connection(port)
        create_topic(admin, partitions)
        for p in range(partitions):
            produce(admin, p, b"seed")
        conn = connection(port)
        offsets = {p: 0 for p in range(partitions)}
        # Read everything once (a consumer that has caught up).
        err, sid, got = fetch_v7(conn, 0, 0 if sessions else -1, sorted(offsets.items()))
        if err:
            sys.exit(f"first fetch answered {err}")
        changed = []
        for p, (hw, size) in got.items():
            if size:
                offsets[p] = hw
                changed.append(p)
        epoch = 1
        conn.sent = conn.received = 0
        cpu_before = cpu_seconds(proc.pid)
        for i in range(fetches):
            if shape == "busy":
                produce(admin, i % partitions, b"news")
            if sessions and sid:
                err, _, got = fetch_v7(conn, sid, epoch, [(p, offsets[p]) for p in changed])
                epoch += 1
            else:
                err, _, got = fetch_v7(conn, 0, -1, sorted(offsets.items()))
            if err:
                sys.exit(f"fetch answered {err}")
            changed = []
            for p, (hw, size) in got.items():
                if size:
                    offsets[p] = hw
                    changed.append(p)
        cpu = cpu_seconds(proc.pid) - cpu_before
        return {"request_bytes": conn.sent / fetches, "response_bytes": conn.received / fetches,
                "broker_cpu_ms": 1000 * cpu / fetches, "session": bool(sessions and sid)}
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--partitions", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--fetches", type=int, default=300)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    print("| partitions | shape | sessions | request bytes/fetch | response bytes/fetch | broker CPU ms/fetch (median, range) |")
    print("|---|---|---|---|---|---|")
    for n in a.partitions:
        for shape in ("idle", "busy"):
            for sessions in (False, True):
                rows = [run(a.binary, n, a.fetches, sessions, shape) for _ in range(a.runs)]
                cpu = [r["broker_cpu_ms"] for r in rows]
                print(f"| {n} | {shape} | {'on' if sessions else 'off'}{'' if not sessions or rows[0]['session'] else ' (none given)'} "
                      f"| {statistics.median(r['request_bytes'] for r in rows):,.0f} "
                      f"| {statistics.median(r['response_bytes'] for r in rows):,.0f} "
                      f"| {statistics.median(cpu):.3f} ({min(cpu):.3f}-{max(cpu):.3f}) |", flush=True)


if __name__ == "__main__":
    main()
