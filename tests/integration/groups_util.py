"""Group members as separate processes (group_worker.py for confluent-kafka and
kafka-python, kafkajs/group_member.js for KafkaJS) and the waits the group
tests share: balanced assignments, messages consumed, no duplicates."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import clients

HERE = os.path.dirname(os.path.abspath(__file__))


class Member:
    def __init__(self, kind, bootstrap, topic, group, name=None, **extra):
        self.kind = kind
        self.name = name or kind
        self.events = []
        self.lock = threading.Lock()
        self.errlog = tempfile.TemporaryFile()
        if kind == "kafkajs":
            self.dir = tempfile.mkdtemp(prefix="samsa-kjs-")
            inp = os.path.join(self.dir, "in.json")
            params = {"brokers": [bootstrap], "topic": topic, "groupId": group, "clientId": self.name}
            params.update(extra)
            with open(inp, "w") as f:
                json.dump(params, f)
            env = dict(os.environ, NODE_PATH=clients.kafkajs_dir(), KAFKAJS_NO_PARTITIONER_WARNING="1")
            args = ["node", os.path.join(HERE, "kafkajs", "group_member.js"), inp, os.path.join(self.dir, "out.json")]
        else:
            env = dict(os.environ)
            args = [sys.executable, os.path.join(HERE, "group_worker.py"), kind, bootstrap, topic, group]
            args += [f"{k}={v}" for k, v in extra.items()]
        self.started = time.time()
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.errlog, env=env, text=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if line.startswith("{"):
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                with self.lock:
                    self.events.append(ev)

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def assignment(self):
        """Latest full assignment, or None before the first one."""
        for ev in reversed(self.snapshot()):
            if ev["ev"] == "assignment":
                return tuple(ev["parts"])
        return None

    def assignment_events(self):
        return [ev for ev in self.snapshot() if ev["ev"] == "assignment"]

    def consumed(self):
        return [ev for ev in self.snapshot() if ev["ev"] == "msg"]

    def first_ms(self):
        for ev in self.snapshot():
            if ev["ev"] == "first":
                return ev["ms"]
        return None

    def alive(self):
        return self.proc.poll() is None

    def signal(self, sig):
        if self.alive():
            self.proc.send_signal(sig)

    def terminate(self, wait=True, timeout=30):
        """Graceful close: the member leaves the group."""
        self.signal(signal.SIGTERM)
        if wait:
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"{self.name} did not close within {timeout}s\n{self.stderr()}")
            self.reader.join(5)

    def kill(self):
        self.signal(signal.SIGKILL)
        self.proc.wait(10)

    def stderr(self):
        self.errlog.seek(0)
        return self.errlog.read().decode(errors="replace")[-4000:]

    def describe(self):
        return f"{self.name}: alive={self.alive()} assignment={self.assignment()} consumed={len(self.consumed())}\n" \
               f"  last events: {self.snapshot()[-5:]}\n  stderr: {self.stderr()[-1500:]}"


def stop_all(members):
    for m in members:
        if m.alive():
            m.signal(signal.SIGTERM)
    for m in members:
        try:
            m.proc.wait(20)
        except subprocess.TimeoutExpired:
            m.proc.kill()
            m.proc.wait()


def balanced(members, partitions, sizes=None):
    assigned = [m.assignment() for m in members]
    if any(a is None for a in assigned):
        return False
    flat = [p for a in assigned for p in a]
    if sorted(flat) != list(range(partitions)):
        return False
    if sizes is not None and sorted(len(a) for a in assigned) != sorted(sizes):
        return False
    return True


def wait_balanced(members, partitions, sizes=None, timeout=45, hold=1.0):
    """Waits until the members' assignments are disjoint, cover every partition
    (with the given sizes) and stay so for `hold` seconds. Returns the time
    (wall clock) the final assignment was first seen."""
    deadline = time.monotonic() + timeout
    since = None
    while time.monotonic() < deadline:
        if balanced(members, partitions, sizes):
            if since is None:
                since = time.monotonic()
            if time.monotonic() - since >= hold:
                return max(m.assignment_events()[-1]["t"] for m in members)
        else:
            since = None
        dead = [m for m in members if not m.alive()]
        if dead:
            raise AssertionError("member exited:\n" + "\n".join(m.describe() for m in dead))
        time.sleep(0.05)
    raise AssertionError(f"no balanced assignment of {partitions} partitions (sizes {sizes}) within {timeout}s:\n"
                         + "\n".join(m.describe() for m in members))


def wait_consumed(members, seqs, timeout=60):
    """Waits until every seq was consumed-and-committed by some member."""
    want = set(seqs)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = {ev["seq"] for m in members for ev in m.consumed()}
        if want <= got:
            return
        time.sleep(0.1)
    got = {ev["seq"] for m in members for ev in m.consumed()}
    missing = sorted(want - got)
    raise AssertionError(f"{len(missing)} of {len(want)} messages never consumed, e.g. {missing[:10]}\n"
                         + "\n".join(m.describe() for m in members))


def assert_no_duplicates(members):
    seen = {}
    dups = []
    for m in members:
        for ev in m.consumed():
            if ev["seq"] in seen:
                dups.append((ev["seq"], seen[ev["seq"]], m.name))
            seen[ev["seq"]] = m.name
    assert not dups, f"{len(dups)} messages committed twice, e.g. {dups[:10]}"


class SeqProducer:
    """Produces text values "0", "1", ... spread over all partitions."""

    def __init__(self, bootstrap, topic, partitions):
        from confluent_kafka import Producer
        self.p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 2})
        self.topic = topic
        self.partitions = partitions
        self.next = 0

    def produce(self, n):
        first = self.next
        errors = []
        for _ in range(n):
            i = self.next
            self.p.produce(self.topic, value=str(i).encode(), partition=i % self.partitions,
                           on_delivery=lambda err, m: err and errors.append(err))
            self.next += 1
            self.p.poll(0)
        assert self.p.flush(30) == 0 and not errors, errors[:3]
        return range(first, self.next)


def split_scenario(bootstrap, topic, group, kind, label, **extra):
    """3 members on 6 partitions -> 2 each; a 4th gets a share; closing one hands
    its partitions to the others at once; every message committed exactly once."""
    clients.create_topic(bootstrap, topic, 6)
    prod = SeqProducer(bootstrap, topic, 6)
    seqs = list(prod.produce(300))
    members = [Member(kind, bootstrap, topic, group, name=f"{label}-{i}", **extra) for i in range(3)]
    try:
        wait_balanced(members, 6, sizes=[2, 2, 2])
        seqs += prod.produce(300)
        fourth = Member(kind, bootstrap, topic, group, name=f"{label}-3", **extra)
        members.append(fourth)
        wait_balanced(members, 6, sizes=[1, 1, 2, 2])
        seqs += prod.produce(300)
        wait_consumed(members, seqs)
        leaving = members[0]
        t_leave = time.time()
        leaving.terminate()
        rest = members[1:]
        t_done = wait_balanced(rest, 6, sizes=[2, 2, 2], hold=0.5)
        print(f"[{label}] LeaveGroup -> reassignment: {(t_done - t_leave) * 1000:.0f} ms")
        seqs += prod.produce(300)
        wait_consumed(members, seqs)
        assert_no_duplicates(members)
        firsts = [m.first_ms() for m in members[:3] if m.first_ms() is not None]
        if firsts:
            print(f"[{label}] time to first message in a new group: {min(firsts):.0f} ms")
    finally:
        stop_all(members)
