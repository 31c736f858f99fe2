"""Groups that mix classic and consumer-protocol members (KIP-848's online
migration, group.consumer.migration.policy) with real clients: a classic
consumer (Debian's librdkafka 2.0.2 through confluent-kafka, or kafka-python;
both eager "range") owns a group; a librdkafka 2.15.1 consumer with group.protocol=consumer joins it,
which upgrades the group to a consumer-protocol group with the classic member
still in it (driven through JoinGroup/SyncGroup/Heartbeat by the server-side
assignor); when the new consumer leaves, the group turns classic again. Every
message is committed exactly once across both conversions, and ListGroups,
DescribeGroups and ConsumerGroupDescribe report the type at each step."""

import os
import signal
import struct
import subprocess
import threading
import time

import pytest

import clients
from consumer_group_wire import consumer_group_describe
from groups_util import Member, SeqProducer, stop_all
from kafka_wire import compact_string, connect, frame, read_response, read_uvarint, request_header, skip_tags

BIN_DIR = os.environ.get("SAMSA_RDKAFKA_NEW_BIN", "")
CONSUMER = os.path.join(BIN_DIR, "cgroup_consumer")

if not os.path.exists(CONSUMER):
    pytest.fail(f"{CONSUMER} is not built: run scripts/install-deps.sh --test, then rebuild", pytrace=False)

SETTINGS = {"group.consumer.heartbeat.interval.ms": "300", "group.consumer.session.timeout.ms": "6000"}
LIST_GROUPS, DESCRIBE_GROUPS = 16, 15


class _Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def fixed(self, fmt):
        (v,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v

    def string(self):
        n, self.pos = read_uvarint(self.buf, self.pos)
        if n == 0:
            return None
        s = self.buf[self.pos:self.pos + n - 1]
        self.pos += n - 1
        return s.decode()

    def array(self, item):
        n, self.pos = read_uvarint(self.buf, self.pos)
        return [item() for _ in range(max(n - 1, 0))]

    def tags(self):
        self.pos = skip_tags(self.buf, self.pos)


def _call(bootstrap, api_key, version, body):
    host, port = bootstrap.split(":")
    with connect((host, int(port))) as s:
        s.sendall(frame(request_header(api_key, version, 9, flexible=True) + body))
        _cid, data = read_response(s)
    r = _Reader(data)
    r.tags()  # response header v1
    return r


def list_groups(bootstrap, types=()):
    """ListGroups v5 with a type filter: {group id: (type, state, protocol type)}."""
    body = b"\x01" + bytes([len(types) + 1]) + b"".join(compact_string(t) for t in types) + b"\x00"
    r = _call(bootstrap, LIST_GROUPS, 5, body)
    r.fixed(">i")
    assert r.fixed(">h") == 0

    def group():
        g = (r.string(), r.string(), r.string(), r.string())
        r.tags()
        return g
    out = {gid: (gtype, state, ptype) for gid, ptype, state, gtype in r.array(group)}
    r.tags()
    return out


def describe_groups(bootstrap, group):
    """DescribeGroups v5 of one group: (error, state, protocol type, member count)."""
    r = _call(bootstrap, DESCRIBE_GROUPS, 5, b"\x02" + compact_string(group) + b"\x00\x00")
    r.fixed(">i")

    def member():
        r.string(), r.string(), r.string(), r.string()
        n, r.pos = read_uvarint(r.buf, r.pos)
        r.pos += max(n - 1, 0)
        n, r.pos = read_uvarint(r.buf, r.pos)
        r.pos += max(n - 1, 0)
        r.tags()

    def described():
        g = {"error": r.fixed(">h"), "group_id": r.string(), "state": r.string(), "protocol_type": r.string(),
             "protocol": r.string(), "members": len(r.array(member))}
        r.fixed(">i")
        r.tags()
        return g
    groups = r.array(described)
    return groups[0]


class NewConsumer:
    """tests/rdkafka_new/cgroup_consumer (group.protocol=consumer); it prints
    "MSG <partition> <offset> <value>" after committing each message."""

    def __init__(self, bootstrap, group, topic):
        self.proc = subprocess.Popen([CONSUMER, bootstrap, group, topic], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.values, self.events, self.errors = [], [], []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            text = line.decode(errors="replace").rstrip("\n")
            with self.lock:
                if text.startswith("MSG "):
                    self.values.append(int(text.split(" ", 3)[3]))
                else:
                    self.events.append(text)

    def _read_errors(self):
        for line in self.proc.stderr:
            with self.lock:
                self.errors.append(line.decode(errors="replace").rstrip("\n"))

    def seqs(self):
        with self.lock:
            return list(self.values)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)

    def describe(self):
        with self.lock:
            return f"new consumer: {len(self.values)} messages, events {self.events[-8:]}, stderr {self.errors[-6:]}"


def wait_for(pred, timeout, what, diag):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{diag()}")


@pytest.mark.parametrize("kind", ["confluent", "kafka-python"])
def test_classic_group_upgrades_and_downgrades_with_every_message_committed_once(broker_factory, name, kind):
    broker = broker_factory(SETTINGS)
    bootstrap = broker.bootstrap
    topic, group = name("mig"), name("g")
    clients.create_topic(bootstrap, topic, 4)
    prod = SeqProducer(bootstrap, topic, 4)
    seqs = list(prod.produce(200))
    extra = {"heartbeat.interval.ms": 300} if kind == "confluent" else {"heartbeat_interval_ms": 300}
    classic = Member(kind, bootstrap, topic, group, name="classic", **extra)
    new = None

    def consumed():
        got = [ev["seq"] for ev in classic.consumed()] + (new.seqs() if new else [])
        return got

    def diag():
        return "\n".join([repr(list_groups(bootstrap)), repr(consumer_group_describe(bootstrap, group)),
                          classic.describe()] + ([new.describe()] if new else []))

    try:
        wait_for(lambda: set(seqs) <= set(consumed()), 60, "the classic consumer to read the first 200", diag)
        assert list_groups(bootstrap)[group] == ("classic", "Stable", "consumer")
        assert describe_groups(bootstrap, group)["state"] == "Stable"

        # Upgrade: the consumer-protocol member joins the classic group.
        new = NewConsumer(bootstrap, group, topic)
        wait_for(lambda: new.seqs() or any(e.startswith("ASSIGN ") and e != "ASSIGN 0" for e in new.events), 60,
                 "the new consumer to get partitions", diag)
        d = consumer_group_describe(bootstrap, group)
        assert d["error"] == 0, d
        assert sorted(m["member_type"] for m in d["members"]) == [0, 1], d  # one classic, one consumer
        assert list_groups(bootstrap)[group][0] == "consumer"
        assert group in list_groups(bootstrap, ["consumer"]) and group not in list_groups(bootstrap, ["classic"])
        described = describe_groups(bootstrap, group)
        assert described["state"] == "Dead" and described["protocol_type"] == "", described  # not a classic group
        seqs += prod.produce(200)
        wait_for(lambda: set(seqs) <= set(consumed()), 60, "400 messages across both consumers", diag)
        wait_for(lambda: consumer_group_describe(bootstrap, group)["state"] == "Stable", 30, "a stable mixed group",
                 diag)
        d = consumer_group_describe(bootstrap, group)
        owned = [p for m in d["members"] for (_n, _id, parts) in m["assignment"] for p in parts]
        assert sorted(owned) == [0, 1, 2, 3], d  # split between the two, nothing twice

        # Downgrade: the consumer-protocol member leaves; the classic one stays, in a classic group.
        new.stop()
        wait_for(lambda: list_groups(bootstrap).get(group, ("",))[0] == "classic", 30, "the group to turn classic",
                 diag)
        assert consumer_group_describe(bootstrap, group)["error"] != 0
        seqs += prod.produce(200)
        wait_for(lambda: set(seqs) <= set(consumed()), 60, "600 messages, the last ones by the classic consumer",
                 diag)
        wait_for(lambda: describe_groups(bootstrap, group)["state"] == "Stable", 30, "a stable classic group", diag)
        assert describe_groups(bootstrap, group)["members"] == 1
        time.sleep(0.5)  # anything delivered twice would show now
    finally:
        if new:
            new.stop()
        stop_all([classic])
    got = consumed()
    twice = sorted({s for s in got if got.count(s) > 1})
    assert not twice, f"{len(twice)} message(s) committed twice, e.g. {twice[:10]}"
    assert sorted(got) == sorted(seqs)
