#!/usr/bin/env python3
"""Sends mutated Kafka requests to a live broker and checks that it stays up,
answers a bystander, keeps its memory bounded, stops on SIGTERM and starts
again on the same data directory (issue 11's "nothing a client sends can
stall, crash or corrupt the broker", tried from outside; not part of CI).

The libFuzzer targets check the decoders one request at a time; this drives
the handlers behind them with broker state in place. Seeds:
  * the request frames real clients sent during a short session (captured
    through a recording proxy that the broker advertises): produce with each
    compression, idempotent and transactional producers, a consumer group,
    admin calls, kafka-python's older versions;
  * the protocol_request_body fuzz corpus (bytes 0-1 api key, 2-3 version,
    then the body), given a request header.
Each request sent is a seed as recorded (15%) or with one to four mutations (bit flips, bytes set
to boundary values, integers overwritten, ranges inserted, deleted or
copied, truncation, a body spliced from another seed of the same api); half
of the captured Produce requests are mutated inside a record batch instead,
with the batch's CRC then made right, so that the record checks behind the
checksum are reached.

Every second a new connection asks ApiVersions and must be answered within
--stall-seconds (an answer slower than --slow-seconds keeps the requests sent
in the 3 s before it, and the run goes on); the broker's RSS must stay under --rss-limit-mb. On a
failure the last requests of every sender are written to --out (one file per
request, the frame as sent) with the broker's log tail, and the script exits 1.

Usage: scripts/wire_fuzz.py BUILD_DIR [--seconds 600] [--senders 4] [--seed N]
"""
import argparse
import collections
import glob
import os
import random
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
sys.path.insert(0, os.path.join(ROOT, "bench"))
from suite.processes import SamsaBroker, api_versions_probe, status_kb  # noqa: E402
from bomb_latency import crc32c  # noqa: E402

TOPIC_A, TOPIC_B = "fz-a", "fz-b"


class BrokerProgram:
    """The one program SamsaBroker needs: a sanitizer build (SAMSA_SANITIZE=ON) may have built
    only `samsa`, not the bench's load generator and baselines that bench's Programs asks for."""

    def __init__(self, build_dir):
        self.samsa = os.path.join(os.path.abspath(build_dir), "src", "cli", "samsa")
        if not os.access(self.samsa, os.X_OK):
            sys.exit(f"not built: {self.samsa} (cmake --build {build_dir} --target samsa)")


def request_apis():
    """{api_key: (min_version, max_version, first_flexible_version or None)} from the schemata."""
    apis = {}
    pattern = re.compile(r"^request \S+ key=(\d+) versions=(\d+)-(\d+)(?: flexible=(\d+)\+)?")
    for path in glob.glob(os.path.join(ROOT, "src", "protocol", "schemata", "*.def")):
        with open(path) as f:
            for line in f:
                m = pattern.match(line)
                if m:
                    key, lo, hi, flex = m.groups()
                    apis[int(key)] = (int(lo), int(hi), int(flex) if flex is not None else None)
    return apis


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return bytes(buf)


# -- capture: a proxy that records what real clients send ---------------------

def shut_down(*sockets):
    """Ends both directions of a proxied connection once either side is done."""
    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class RecordingProxy:
    """Forwards 127.0.0.1:listen_port to the broker and keeps every request frame a client sends."""

    def __init__(self, listen_port, broker_port):
        self.broker_port = broker_port
        self.frames = []
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", listen_port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.broker_port))
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client), daemon=True).start()

    def _requests(self, src, dst):
        try:
            while True:
                head = recv_exact(src, 4)
                payload = recv_exact(src, struct.unpack(">i", head)[0])
                with self.lock:
                    self.frames.append(payload)
                dst.sendall(head + payload)
        except (OSError, ConnectionError, struct.error):
            pass
        shut_down(src, dst)

    def _answers(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        shut_down(src, dst)

    def close(self):
        self.server.close()


CLIENT_SESSION = r'''
import sys, time
from confluent_kafka import Producer, Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, NewPartitions, ConfigResource
bootstrap, a, b = sys.argv[1:4]
admin = AdminClient({"bootstrap.servers": bootstrap})
def wait(futures):
    for f in futures.values():
        try:
            f.result(10)
        except Exception as e:
            print("admin:", e)
wait(admin.create_topics([NewTopic(a, 3, 1), NewTopic(b, 1, 1, config={"cleanup.policy": "compact"})]))
for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
    p = Producer({"bootstrap.servers": bootstrap, "compression.codec": codec, "enable.idempotence": codec == "zstd",
                  "linger.ms": 5})
    for i in range(30):
        p.produce(a, key=b"k%d" % (i % 7), value=b"v" * (i * 13), headers=[("h", b"x")])
        p.produce(b, key=b"k%d" % (i % 3), value=None if i % 5 == 0 else b"c%d" % i)
    p.flush(15)
t = Producer({"bootstrap.servers": bootstrap, "transactional.id": "fz-txn"})
t.init_transactions(15)
for commit in (True, False):
    t.begin_transaction()
    t.produce(a, value=b"txn")
    if commit:
        t.send_offsets_to_transaction([TopicPartition(a, 0, 1)], Consumer({"bootstrap.servers": bootstrap,
            "group.id": "fz-g"}).consumer_group_metadata())
        t.commit_transaction(15)
    else:
        t.abort_transaction(15)
c = Consumer({"bootstrap.servers": bootstrap, "group.id": "fz-g", "auto.offset.reset": "earliest",
              "enable.auto.commit": False, "isolation.level": "read_committed"})
c.subscribe([a, b])
got, deadline = 0, time.time() + 20
while got < 40 and time.time() < deadline:
    m = c.poll(0.5)
    if m is not None and not m.error():
        got += 1
        c.commit(m, asynchronous=False)
c.close()
wait(admin.create_partitions([NewPartitions(a, 4)]))
for r in admin.describe_configs([ConfigResource("topic", a), ConfigResource("broker", "1")]).values():
    try:
        r.result(10)
    except Exception as e:
        print("admin:", e)
wait(admin.alter_configs([ConfigResource("topic", a, set_config={"retention.ms": "86400000"})]))
try:
    admin.list_groups(timeout=10)
except Exception as e:
    print("admin:", e)
wait(admin.create_topics([NewTopic("fz-gone", 2, 1)]))
wait(admin.delete_topics(["fz-gone"]))
'''

OLD_CLIENT_SESSION = r'''
import sys
from kafka import KafkaProducer, KafkaConsumer
from kafka.admin import KafkaAdminClient
bootstrap, a, b = sys.argv[1:4]
for version in ((0, 10, 0), (0, 11, 0), (1, 0, 0), (2, 0, 0)):
    p = KafkaProducer(bootstrap_servers=bootstrap, api_version=version, linger_ms=5)
    for i in range(10):
        p.send(a, key=b"o%d" % i, value=b"old" * i)
    p.flush(10)
    p.close(5)
    c = KafkaConsumer(a, bootstrap_servers=bootstrap, api_version=version, group_id="fz-old-%d%d" % version[:2],
                      auto_offset_reset="earliest", consumer_timeout_ms=3000)
    for n, _ in enumerate(c):
        if n > 20:
            break
    c.commit()
    c.close()
try:
    KafkaAdminClient(bootstrap_servers=bootstrap).describe_consumer_groups(["fz-g"])
except Exception as e:
    print("admin:", e)
'''


def capture_client_frames(broker_port, proxy_port, log):
    proxy = RecordingProxy(proxy_port, broker_port)
    bootstrap = f"127.0.0.1:{proxy_port}"
    for name, code in (("confluent-kafka", CLIENT_SESSION), ("kafka-python", OLD_CLIENT_SESSION)):
        try:
            out = subprocess.run(["/usr/bin/python3", "-c", code, bootstrap, TOPIC_A, TOPIC_B], capture_output=True,
                                 text=True, timeout=240)
            log(f"{name} session: exit {out.returncode}; {len(proxy.frames)} frames so far; {out.stdout.strip()[-600:]}")
            if out.returncode != 0:
                log(out.stderr[-2000:])
        except subprocess.TimeoutExpired:
            log(f"{name} session timed out; {len(proxy.frames)} frames so far")
    proxy.close()
    return list(proxy.frames)


# -- seeds and mutations --------------------------------------------------------

def request_header(api_key, version, correlation_id, apis, client_id=b"wire-fuzz"):
    head = struct.pack(">hhih", api_key, version, correlation_id, len(client_id)) + client_id
    flexible = apis.get(api_key, (0, 0, None))[2]
    if flexible is not None and version >= flexible and api_key != 18:  # ApiVersions keeps header v1
        head += b"\x00"
    return head


def corpus_seeds(paths, apis):
    seeds = []
    keys = sorted(apis)
    for directory in paths:
        for path in glob.glob(os.path.join(directory, "*")):
            if not os.path.isfile(path):
                continue
            with open(path, "rb") as f:
                data = f.read(1 << 20)
            if len(data) < 4:
                continue
            raw_key, raw_version = struct.unpack(">hh", data[:4])
            key = raw_key if raw_key in apis else keys[(raw_key & 0xFFFF) % len(keys)]
            lo, hi, _ = apis[key]
            version = raw_version if lo <= raw_version <= hi else lo + (raw_version & 0xFFFF) % (hi - lo + 1)
            seeds.append(request_header(key, version, 0, apis) + data[4:])
    return seeds


def record_batches(frame):
    """(start, end) of every v2 record batch in a request: magic 2 at +16, and the CRC at +17
    matches the bytes from +21 to the batch's end. Mutating inside one and fixing its CRC gets
    past the checksum to the record checks behind it."""
    spans = []
    p = 0
    while p + 61 <= len(frame):
        if frame[p + 16] == 2:
            length = struct.unpack(">i", frame[p + 8:p + 12])[0]
            end = p + 12 + length
            if 49 <= length and end <= len(frame) and \
                    struct.unpack(">I", frame[p + 17:p + 21])[0] == crc32c(frame[p + 21:end]):
                spans.append((p, end))
                p = end
                continue
        p += 1
    return spans


def mutate_batch(frame, spans, rng):
    """In-place mutations inside one record batch (after its CRC field), then a correct CRC."""
    data = bytearray(frame)
    start, end = rng.choice(spans)
    for _ in range(rng.choice((1, 1, 2, 3))):
        pos = rng.randrange(start + 21, end)
        op = rng.randrange(3)
        if op == 0:
            data[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[pos] = rng.choice(INTERESTING)
        else:
            width = min(rng.choice((2, 4, 8)), end - pos)
            value = rng.choice(INTERESTING_INTS) & ((1 << (width * 8)) - 1)
            data[pos:pos + width] = value.to_bytes(width, "big")
    data[start + 17:start + 21] = struct.pack(">I", crc32c(bytes(data[start + 21:end])))
    return bytes(data)


INTERESTING = [0, 1, 0x7F, 0x80, 0xFF]
INTERESTING_INTS = [0, 1, -1, 0x7F, 0x80, 0x7FFF, -0x8000, 0xFFFF, 0x7FFFFFFF, -0x80000000, 1 << 20, 1 << 30]


def mutate(frame, rng, by_key):
    data = bytearray(frame)
    header_end = min(len(data), 8)  # api key, version, correlation id stay readable most of the time
    for _ in range(rng.choice((1, 1, 1, 2, 3, 4))):
        lo = header_end if rng.random() < 0.9 and len(data) > header_end else 0
        if len(data) <= lo:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            continue
        pos = rng.randrange(lo, len(data))
        op = rng.randrange(9)
        if op == 0:
            data[pos] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[pos] = rng.choice(INTERESTING)
        elif op in (2, 3):
            width = rng.choice((2, 4, 8))
            value = rng.choice(INTERESTING_INTS)
            fmt = {2: ">h", 4: ">i", 8: ">q"}[width]
            value = max(min(value, (1 << (width * 8 - 1)) - 1), -(1 << (width * 8 - 1)))
            data[pos:pos + width] = struct.pack(fmt, value)
        elif op == 4:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 5:
            del data[pos:pos + rng.randint(1, 16)]
        elif op == 6:
            start = rng.randrange(lo, len(data))
            chunk = data[start:start + rng.randint(1, 64)]
            data[pos:pos] = chunk
        elif op == 7:
            del data[pos:]
        else:  # splice the tail of another request of the same api
            key = struct.unpack(">h", bytes(data[:2]))[0] if len(data) >= 2 else None
            others = by_key.get(key)
            if others:
                other = rng.choice(others)
                if len(other) > header_end:
                    cut = rng.randrange(header_end, len(other))
                    data = data[:pos] + other[cut:]
    return bytes(data)


# -- sending ----------------------------------------------------------------------

class Sender(threading.Thread):
    """Sends mutated requests on one connection at a time; a request not answered within the
    answer timeout, or a closed connection, starts a new connection."""

    def __init__(self, index, port, seeds, by_key, batches, seed, stop, answer_timeout):
        super().__init__(daemon=True)
        self.port, self.seeds, self.by_key, self.batches, self.stop = port, seeds, by_key, batches, stop
        self.rng = random.Random(seed)
        self.recent = collections.deque(maxlen=200)
        self.sent = self.answered = self.closed = self.unanswered = 0
        self.answer_timeout = answer_timeout
        self.index = index

    def run(self):
        sock = None
        correlation = 0
        while not self.stop.is_set():
            if sock is None:
                try:
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.answer_timeout)
                except OSError:
                    time.sleep(0.05)
                    continue
            frame = self.rng.choice(self.seeds)
            spans = self.batches.get(frame)
            if spans and self.rng.random() < 0.5:
                frame = mutate_batch(frame, spans, self.rng)
            elif self.rng.random() < 0.85:  # the rest go as recorded: real requests that change state
                frame = mutate(frame, self.rng, self.by_key)
            correlation += 1
            if len(frame) >= 8 and self.rng.random() < 0.95:
                frame = frame[:4] + struct.pack(">i", correlation) + frame[8:]
            self.recent.append((time.monotonic(), frame))
            try:
                sock.sendall(struct.pack(">i", len(frame)) + frame)
                self.sent += 1
                head = recv_exact(sock, 4)
                recv_exact(sock, struct.unpack(">i", head)[0])
                self.answered += 1
            except socket.timeout:
                self.unanswered += 1
                sock.close()
                sock = None
            except (OSError, ConnectionError):
                self.closed += 1
                sock.close()
                sock = None
        if sock is not None:
            sock.close()


def save_failure(out_dir, why, senders, broker):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "why.txt"), "w") as f:
        f.write(why + "\n\n" + broker.log_tail(200) + "\n")
    for s in senders:
        for n, (_, frame) in enumerate(list(s.recent)):
            with open(os.path.join(out_dir, f"sender{s.index}-{n:03d}.bin"), "wb") as f:
                f.write(frame)
    return out_dir


def save_slow(out_dir, since, senders):
    """The requests every sender sent since `since` (a bystander waited long after them)."""
    os.makedirs(out_dir, exist_ok=True)
    kept = 0
    for s in senders:
        for n, (sent_at, frame) in enumerate(list(s.recent)):
            if sent_at >= since:
                with open(os.path.join(out_dir, f"sender{s.index}-{n:03d}-{sent_at - since:.3f}s.bin"), "wb") as f:
                    f.write(frame)
                kept += 1
    return kept


def broker_health(broker, peak_rss_mb, limit_mb):
    """(why the run fails, or None; the peak RSS in MiB so far): alive and under the RSS bound."""
    if not broker.alive():
        return f"the broker exited with {broker.proc.returncode}", peak_rss_mb
    peak_rss_mb = max(peak_rss_mb, status_kb(broker.pid, "VmRSS") / 1024)
    if peak_rss_mb > limit_mb:
        return f"the broker's RSS reached {peak_rss_mb:.0f} MiB (limit {limit_mb:.0f})", peak_rss_mb
    return None, peak_rss_mb


def conclude(log, failure, totals, keep, broker, save):
    """The end of a run (shared with http_fuzz.py): on a failure what was sent is kept (`save()` says
    where) and the broker killed, exit status 1; otherwise the work directory goes unless kept."""
    if failure is not None:
        log(f"FAILED: {failure}; {totals}")
        log(f"requests kept in {save()}")
        broker.kill()
        return 1
    log(f"passed: {totals}")
    if not keep:
        broker.cleanup()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build_dir")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--corpus", action="append", default=None,
                    help="protocol_request_body corpus directories (default: the committed one and "
                         "build/fuzz-campaign's grown one when present)")
    ap.add_argument("--answer-timeout", type=float, default=1.0)
    ap.add_argument("--stall-seconds", type=float, default=10.0)
    ap.add_argument("--slow-seconds", type=float, default=1.0,
                    help="a bystander answer slower than this keeps the requests sent shortly before it")
    ap.add_argument("--rss-limit-mb", type=float, default=1536)
    ap.add_argument("--idle-before-stop", type=float, default=0,
                    help="seconds to wait, with no client connected, before the SIGTERM")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (data, broker log) after a pass")
    ap.add_argument("--out", default=None, help="where a failure's requests go (default: a temporary directory)")
    args = ap.parse_args()

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    apis = request_apis()
    programs = BrokerProgram(args.build_dir)
    work = tempfile.mkdtemp(prefix="wire-fuzz-")
    broker_port, proxy_port = free_port(), free_port()
    settings = {"listeners": f"PLAINTEXT://127.0.0.1:{broker_port}",
                "advertised.listeners": f"PLAINTEXT://127.0.0.1:{proxy_port}",
                "http.listeners": "none", "schema.registry.listeners": "none", "http.proxy.listeners": "none"}
    broker = SamsaBroker(programs, work, settings)
    broker.start()
    log(f"broker pid {broker.pid} on {broker_port}; seed {args.seed}; work dir {work}")

    captured = capture_client_frames(broker_port, proxy_port, log)
    corpus_dirs = args.corpus or [d for d in (os.path.join(ROOT, "tests/fuzz/protocol/corpus/request_body"),
                                              os.path.join(ROOT, "build/fuzz-campaign/protocol_request_body_fuzz"))
                                  if os.path.isdir(d)]
    from_corpus = corpus_seeds(corpus_dirs, apis)
    # Client frames are fewer but reach deeper (real topics, groups, producer ids): weigh them up.
    seeds = captured * max(1, len(from_corpus) // max(1, len(captured))) + from_corpus
    by_key = collections.defaultdict(list)
    for s in captured + from_corpus:
        by_key[struct.unpack(">h", s[:2])[0]].append(s)
    log(f"{len(captured)} client frames ({len(set(struct.unpack('>h', s[:2])[0] for s in captured))} apis), "
        f"{len(from_corpus)} corpus requests")

    batches = {}
    for frame in set(captured):
        if struct.unpack(">h", frame[:2])[0] == 0:  # Produce
            spans = record_batches(frame)
            if spans:
                batches[frame] = spans
    log(f"{len(batches)} captured Produce requests with v2 record batches to mutate behind a correct CRC")
    stop = threading.Event()
    senders = [Sender(i, broker_port, seeds, by_key, batches, args.seed * 100 + i, stop, args.answer_timeout)
               for i in range(args.senders)]
    for s in senders:
        s.start()
    failure = None
    peak_rss_mb = 0.0
    worst_probe = 0.0
    slow_probes = []
    started = time.monotonic()
    next_report = started + 60
    while time.monotonic() - started < args.seconds:
        time.sleep(1.0)
        failure, peak_rss_mb = broker_health(broker, peak_rss_mb, args.rss_limit_mb)
        if failure:
            break
        t0 = time.monotonic()
        if not api_versions_probe("127.0.0.1", broker_port, timeout=args.stall_seconds):
            failure = f"a new connection's ApiVersions was not answered within {args.stall_seconds} s"
            break
        waited = time.monotonic() - t0
        worst_probe = max(worst_probe, waited)
        if waited > args.slow_seconds:
            slow_dir = os.path.join(args.out or os.path.join(work, "failure"), f"slow-{len(slow_probes)}")
            kept = save_slow(slow_dir, t0 - 3.0, senders)
            slow_probes.append(waited)
            log(f"a bystander waited {waited:.2f} s; the {kept} requests sent from 3 s before are in {slow_dir}")
        if time.monotonic() >= next_report:
            next_report += 60
            log(f"sent {sum(s.sent for s in senders):,}, answered {sum(s.answered for s in senders):,}, "
                f"closed by the broker {sum(s.closed for s in senders):,}, unanswered in "
                f"{args.answer_timeout} s {sum(s.unanswered for s in senders):,}; peak RSS {peak_rss_mb:.0f} MiB; "
                f"worst bystander probe {worst_probe * 1000:.0f} ms")
    stop.set()
    for s in senders:
        s.join(5)
    totals = (f"sent {sum(s.sent for s in senders):,} requests, answered {sum(s.answered for s in senders):,}, "
              f"closed by the broker {sum(s.closed for s in senders):,}, unanswered "
              f"{sum(s.unanswered for s in senders):,}; peak RSS {peak_rss_mb:.0f} MiB; worst bystander probe "
              f"{worst_probe * 1000:.0f} ms")
    if failure is None:
        time.sleep(args.idle_before_stop)
        try:
            log(f"SIGTERM: exited in {broker.stop():.2f} s")
            broker.start()
            log("started again on the same data directory")
            broker.stop()
        except Exception as e:  # noqa: BLE001 - any failure here is the finding
            failure = f"stop/restart: {e}"
    out = args.out or os.path.join(work, "failure")
    return conclude(log, failure, totals, args.keep, broker, lambda: save_failure(out, failure, senders, broker))


if __name__ == "__main__":
    sys.exit(main())
