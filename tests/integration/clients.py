"""Thin helpers over the real clients the suite drives: confluent-kafka
(librdkafka), kafka-python, KafkaJS (node scripts under kafkajs/) and kcat.
Messages travel between them as Msg tuples so any producer can be checked
against any consumer byte for byte."""

import base64
import json
import os
import random
import subprocess
import tempfile
import threading
import time
from collections import namedtuple

HERE = os.path.dirname(os.path.abspath(__file__))
KAFKAJS_SCRIPTS = os.path.join(HERE, "kafkajs")

Msg = namedtuple("Msg", "key value headers")          # headers: list of (str, bytes)
Got = namedtuple("Got", "partition offset key value headers")

MIB = 1024 * 1024


# -- message sets ---------------------------------------------------------
def make_messages(n, n_keys=37, big=(), seed=1, text=False):
    """n messages mixing keyed/unkeyed, null/empty/binary values and headers.
    Every message carries a unique "seq" header so it can be identified even
    when its value is null. Indices in `big` get a 1 MiB value."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        key = None if i % 11 == 0 else f"key-{i % n_keys}".encode()
        if i in big:
            value = rnd.randbytes(MIB)
        elif i % 13 == 0 and key is not None:  # kafka-python refuses null key + null value
            value = None
        elif i % 17 == 0:
            value = b""
        elif text:
            value = f"value-{i}-{'x' * (i % 40)}".encode()
        else:
            value = f"value-{i}:".encode() + rnd.randbytes(i % 200)
        headers = [("seq", str(i).encode())]
        if i % 3 == 0:
            headers.append(("trace", rnd.randbytes(8)))
        if i % 7 == 0:
            headers += [("dup", b"first"), ("dup", b"second")]
        if i % 5 == 0:
            headers.append(("empty", b""))
        out.append(Msg(key, value, headers))
    return out


def seq_of(msg):
    for k, v in msg.headers or []:
        if k == "seq":
            return int(v)
    raise AssertionError(f"message without seq header: {msg!r}")


def check_delivery(sent, got, exact_headers=True):
    """Every sent message arrives exactly once, byte-identical, keys keep their
    order and stay on one partition."""
    by_seq = {}
    dups = []
    for g in got:
        s = seq_of(g)
        if s in by_seq:
            dups.append(s)
        by_seq[s] = g
    missing = [i for i in range(len(sent)) if i not in by_seq]
    assert not dups, f"{len(dups)} messages consumed twice, e.g. seq {dups[:10]}"
    assert not missing, f"{len(missing)} of {len(sent)} messages missing, e.g. seq {missing[:10]}"
    assert len(by_seq) == len(sent), f"unexpected extra messages: {sorted(set(by_seq) - set(range(len(sent))))[:10]}"
    for i, m in enumerate(sent):
        g = by_seq[i]
        assert g.key == m.key, f"seq {i}: key {short(g.key)} != {short(m.key)}"
        assert g.value == m.value, f"seq {i}: value {short(g.value)} != {short(m.value)}"
        if exact_headers:
            assert list(g.headers) == list(m.headers), f"seq {i}: headers {g.headers} != {m.headers}"
    offsets = set()
    key_partition = {}
    key_last = {}
    for g in sorted(got, key=lambda g: (g.partition, g.offset)):
        assert (g.partition, g.offset) not in offsets, f"offset {g.partition}/{g.offset} seen twice"
        offsets.add((g.partition, g.offset))
        if g.key is None:
            continue
        p = key_partition.setdefault(g.key, g.partition)
        assert p == g.partition, f"key {g.key!r} in partitions {p} and {g.partition}"
        s = seq_of(g)
        assert key_last.get(g.key, -1) < s, f"key {g.key!r}: seq {s} after {key_last[g.key]} (order broken)"
        key_last[g.key] = s


def short(b):
    if b is None:
        return "None"
    return repr(b[:40]) + (f"...({len(b)} bytes)" if len(b) > 40 else "")


# -- JSON transport (for KafkaJS) ------------------------------------------
def b64(b):
    return None if b is None else base64.b64encode(b).decode()


def unb64(s):
    return None if s is None else base64.b64decode(s)


def msgs_to_json(msgs):
    return [{"key": b64(m.key), "value": b64(m.value),
             "headers": [[k, b64(v)] for k, v in m.headers]} for m in msgs]


def got_from_json(items):
    return [Got(i["partition"], int(i["offset"]), unb64(i["key"]), unb64(i["value"]),
                [(k, unb64(v)) for k, v in i["headers"]]) for i in items]


# -- confluent-kafka (librdkafka) --------------------------------------------
def ck_producer(bootstrap, **conf):
    from confluent_kafka import Producer
    c = {"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5}
    c.update(conf)
    return Producer(c)


def ck_produce(bootstrap, topic, msgs, timeout=60, partition=None, **conf):
    """Produce and wait for every delivery report; returns [(partition, offset)]
    in send order and raises on the first delivery error."""
    p = ck_producer(bootstrap, **conf)
    results = [None] * len(msgs)
    errors = []

    def report(i):
        def cb(err, m):
            if err is not None:
                errors.append((i, err))
            else:
                results[i] = (m.partition(), m.offset())
        return cb

    for i, m in enumerate(msgs):
        kw = {} if partition is None else {"partition": partition}
        while True:
            try:
                p.produce(topic, value=m.value, key=m.key, headers=m.headers or None, on_delivery=report(i), **kw)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    left = p.flush(timeout)
    assert not errors, f"{len(errors)} delivery errors, first: seq {errors[0][0]}: {errors[0][1]}"
    assert left == 0, f"{left} messages not delivered within {timeout}s"
    return results


def ck_got(m):
    return Got(m.partition(), m.offset(), m.key(), m.value(), list(m.headers() or []))


def ck_partitions(bootstrap, topic, timeout=10):
    from confluent_kafka.admin import AdminClient
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=timeout)
    t = md.topics[topic]
    if t.error is not None:
        raise AssertionError(f"metadata for {topic}: {t.error}")
    return sorted(t.partitions)


def ck_consume_assigned(bootstrap, topic, count, timeout=60, start=None, idle=None, **conf):
    """Consume `count` messages with manual assignment (no group) from the
    beginning of every partition (or from start={partition: offset})."""
    from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
    c = {"bootstrap.servers": bootstrap, "group.id": "unused-manual-assign",
         "enable.auto.commit": False, "enable.partition.eof": False}
    c.update(conf)
    consumer = Consumer(c)
    try:
        parts = ck_partitions(bootstrap, topic)
        start = start or {}
        consumer.assign([TopicPartition(topic, p, start.get(p, OFFSET_BEGINNING)) for p in parts])
        return ck_drain(consumer, count, timeout, idle=idle)
    finally:
        consumer.close()


def ck_drain(consumer, count, timeout, idle=None):
    got = []
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    while len(got) < count and time.monotonic() < deadline:
        batch = consumer.consume(num_messages=1000, timeout=0.5)
        for m in batch:
            if m.error() is not None:
                raise AssertionError(f"consumer error: {m.error()}")
            got.append(ck_got(m))
            last = time.monotonic()
        if idle is not None and time.monotonic() - last > idle:
            break
    return got


# -- kafka-python ---------------------------------------------------------------
def kp_produce(bootstrap, topic, msgs, timeout=60, **conf):
    from kafka import KafkaProducer
    c = {"bootstrap_servers": bootstrap, "acks": "all", "linger_ms": 5,
         "max_request_size": 4 * MIB, "request_timeout_ms": 30000}
    c.update(conf)
    p = KafkaProducer(**c)
    try:
        futures = [p.send(topic, key=m.key, value=m.value, headers=list(m.headers)) for m in msgs]
        p.flush(timeout)
        out = []
        for i, f in enumerate(futures):
            md = f.get(timeout=timeout)
            out.append((md.partition, md.offset))
        return out
    finally:
        p.close(timeout=10)


def kp_consume_assigned(bootstrap, topic, count, timeout=60, **conf):
    from kafka import KafkaConsumer, TopicPartition
    c = {"bootstrap_servers": bootstrap, "group_id": None, "enable_auto_commit": False,
         "auto_offset_reset": "earliest", "max_partition_fetch_bytes": 4 * MIB,
         "fetch_max_bytes": 16 * MIB}
    c.update(conf)
    consumer = KafkaConsumer(**c)
    try:
        parts = None
        deadline = time.monotonic() + 15
        while not parts and time.monotonic() < deadline:
            parts = consumer.partitions_for_topic(topic)
            if not parts:
                time.sleep(0.2)
        assert parts, f"kafka-python sees no partitions for {topic}"
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        return kp_drain(consumer, count, timeout)
    finally:
        consumer.close()


def kp_drain(consumer, count, timeout):
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        for _tp, records in consumer.poll(timeout_ms=500, max_records=2000).items():
            for r in records:
                got.append(Got(r.partition, r.offset, r.key, r.value, [(k, v) for k, v in (r.headers or [])]))
    return got


# -- KafkaJS ----------------------------------------------------------------
def kafkajs_dir():
    d = os.environ.get("KAFKAJS_DIR")
    if not d or not os.path.isdir(os.path.join(d, "kafkajs")):
        raise AssertionError(f"KafkaJS not found in KAFKAJS_DIR={d!r}: run scripts/install-deps.sh --test")
    return d


def run_kafkajs(script, params, timeout=90):
    """Runs kafkajs/<script>.js with a JSON params file; returns its JSON result.
    The script writes the result to the file named by argv[3]."""
    with tempfile.TemporaryDirectory(prefix="samsa-kjs-") as d:
        inp, out = os.path.join(d, "in.json"), os.path.join(d, "out.json")
        with open(inp, "w") as f:
            json.dump(params, f)
        env = dict(os.environ, NODE_PATH=kafkajs_dir(), KAFKAJS_NO_PARTITIONER_WARNING="1")
        try:
            proc = subprocess.run(["node", os.path.join(KAFKAJS_SCRIPTS, script + ".js"), inp, out],
                                  env=env, capture_output=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"KafkaJS {script} timed out after {timeout}s\n"
                                 f"{(e.stdout or b'').decode(errors='replace')[-3000:]}"
                                 f"{(e.stderr or b'').decode(errors='replace')[-3000:]}")
        logs = (proc.stdout + proc.stderr).decode(errors="replace")
        if proc.returncode != 0 or not os.path.exists(out):
            raise AssertionError(f"KafkaJS {script} failed (exit {proc.returncode}):\n{logs[-6000:]}")
        with open(out) as f:
            result = json.load(f)
        result["_logs"] = logs
        return result


class KafkaJSProcess:
    """A long-running KafkaJS script (e.g. a group member) that reports JSON
    lines on stdout and stops on SIGTERM."""

    def __init__(self, script, params):
        self.dir = tempfile.mkdtemp(prefix="samsa-kjs-")
        inp = os.path.join(self.dir, "in.json")
        self.out = os.path.join(self.dir, "out.json")
        with open(inp, "w") as f:
            json.dump(params, f)
        env = dict(os.environ, NODE_PATH=kafkajs_dir(), KAFKAJS_NO_PARTITIONER_WARNING="1")
        self.log = open(os.path.join(self.dir, "log.txt"), "wb")
        self.proc = subprocess.Popen(["node", os.path.join(KAFKAJS_SCRIPTS, script + ".js"), inp, self.out],
                                     env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.events = []

    def read_event(self, timeout):
        import select
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                break
            line = self.proc.stdout.readline()
            if not line:
                return None
            line = line.strip()
            if line.startswith("{"):
                ev = json.loads(line)
                self.events.append(ev)
                return ev
        return None

    def wait_for(self, pred, timeout):
        deadline = time.monotonic() + timeout
        for ev in self.events:
            if pred(ev):
                return ev
        while time.monotonic() < deadline:
            ev = self.read_event(deadline - time.monotonic())
            if ev is None and self.proc.poll() is not None:
                break
            if ev is not None and pred(ev):
                return ev
        return None

    def stop(self, sig=15, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # drain remaining events
        for line in self.proc.stdout.read().splitlines():
            if line.strip().startswith("{"):
                self.events.append(json.loads(line))
        self.log.close()

    def logs(self):
        with open(os.path.join(self.dir, "log.txt"), errors="replace") as f:
            return f.read()[-5000:]


def kafkajs_produce(bootstrap, topic, msgs, compression=None, acks=-1, timeout=120, idempotent=False, ssl=None,
                    sasl=None):
    """ssl: {"ca": path, "cert": path, "key": path} for an SSL listener;
    sasl: {"mechanism": ..., "username": ..., "password": ...} (see kafkajs/common.js)."""
    r = run_kafkajs("produce", {"brokers": [bootstrap], "topic": topic, "messages": msgs_to_json(msgs),
                                "compression": compression, "acks": acks, "idempotent": idempotent, "ssl": ssl,
                                "sasl": sasl},
                    timeout=timeout)
    return [(x["partition"], int(x["offset"])) for x in r["results"]]


def kafkajs_consume(bootstrap, topic, count, group, timeout=120, from_beginning=True, ssl=None, sasl=None):
    r = run_kafkajs("consume", {"brokers": [bootstrap], "topic": topic, "count": count, "groupId": group,
                                "fromBeginning": from_beginning, "timeoutMs": int((timeout - 15) * 1000),
                                "ssl": ssl, "sasl": sasl},
                    timeout=timeout)
    return got_from_json(r["messages"]), r


# -- kcat -------------------------------------------------------------------
def kcat(args, input_bytes=None, timeout=60):
    p = subprocess.run(["kcat"] + args, input=input_bytes, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


# -- shared setup ---------------------------------------------------------------
def create_topic(bootstrap, topic, partitions=1, config=None, timeout=20):
    """Creates a topic with the confluent admin client and waits until every
    partition has a leader in Metadata."""
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": bootstrap})
    fs = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1, config=config or {})],
                             operation_timeout=10, request_timeout=15)
    fs[topic].result(timeout=timeout)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = admin.list_topics(topic, timeout=10).topics.get(topic)
        if t is not None and t.error is None and len(t.partitions) == partitions and \
                all(p.leader >= 0 for p in t.partitions.values()):
            return
        time.sleep(0.1)
    raise AssertionError(f"topic {topic} not ready with {partitions} partitions")


def check_positions(sent_positions, got):
    """The offset a producer was told for each message is where the consumer finds it."""
    where = {seq_of(g): (g.partition, g.offset) for g in got}
    wrong = [(i, pos, where.get(i)) for i, pos in enumerate(sent_positions) if where.get(i) != tuple(pos)]
    assert not wrong, f"{len(wrong)} messages not at their acknowledged position, e.g. {wrong[:5]}"


def kcat_consume_json(bootstrap, topic, count, timeout=60, extra=()):
    """kcat -C -J; returns Got with str payloads encoded back to bytes."""
    rc, out, err = kcat(["-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-c", str(count), "-e", "-J",
                         "-X", "fetch.message.max.bytes=4194304", *extra], timeout=timeout)
    assert rc == 0, f"kcat -C failed ({rc}): {err[-2000:]}"
    got = []
    for line in out.splitlines():
        if not line.startswith("{"):
            continue
        j = json.loads(line)
        hs = j.get("headers") or []
        headers = [(hs[i], None if hs[i + 1] is None else hs[i + 1].encode()) for i in range(0, len(hs), 2)]
        enc = (lambda s: None if s is None else s.encode())
        got.append(Got(j["partition"], j["offset"], enc(j["key"]), enc(j["payload"]), headers))
    return got


class LoadProducer:
    """A confluent-kafka producer sending "<prefix>-<n>" values without pause on
    a thread until stop(); records every acknowledged (partition, offset, value)
    and every delivery failure. For tests that crash the broker mid-load."""

    def __init__(self, bootstrap, topic, prefix, **conf):
        from confluent_kafka import Producer
        c = {"bootstrap.servers": bootstrap, "linger.ms": 2, "message.timeout.ms": 15000,
             "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 500}
        c.update(conf)
        self.acked, self.failed = [], []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._producer = Producer(c)
        self._thread = threading.Thread(target=self._run, args=(topic, prefix), daemon=True)
        self._thread.start()

    def _on_delivery(self, err, m):
        with self._lock:
            if err is not None:
                self.failed.append(str(err))
            else:
                self.acked.append((m.partition(), m.offset(), m.value()))

    def _run(self, topic, prefix):
        i = 0
        while not self._stop.is_set():
            try:
                self._producer.produce(topic, key=f"k{i % 13}".encode(), value=f"{prefix}-{i}".encode(),
                                       on_delivery=self._on_delivery)
                i += 1
            except BufferError:
                pass
            self._producer.poll(0.001 if i % 50 else 0.01)
        self._producer.flush(60)

    def wait_acked(self, count, timeout):
        deadline = time.monotonic() + timeout
        while self.acked_count() < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.acked_count()

    def acked_count(self):
        with self._lock:
            return len(self.acked)

    def stop(self, timeout=90):
        """Stops sending, waits for outstanding deliveries; returns (acked, failed) copies."""
        self._stop.set()
        self._thread.join(timeout)
        with self._lock:
            return list(self.acked), list(self.failed)
