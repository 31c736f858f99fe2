"""KIP-848 consumer groups with a real client: librdkafka 2.15.1 consumers
with group.protocol=consumer (tests/rdkafka_new/cgroup_consumer.c) join,
leave and take over partitions while messages flow, and every message is
delivered exactly once across the rebalances (counted per message). A second
test SIGKILLs the broker mid-group: after the restart the group, its epoch and
its members' assignments are back from __consumer_offsets and consumption
continues without loss or duplicates."""

import os
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest

import clients

BIN_DIR = os.environ.get("SAMSA_RDKAFKA_NEW_BIN", "")
CONSUMER = os.path.join(BIN_DIR, "cgroup_consumer")

# The program is part of every test build (scripts/install-deps.sh --test
# builds librdkafka 2.15.1): missing, it is a failure, never a skip.
if not os.path.exists(CONSUMER):
    pytest.fail(f"{CONSUMER} is not built: run scripts/install-deps.sh --test, then rebuild", pytrace=False)

# Short heartbeats so rebalances settle in well under a second.
SETTINGS = {"group.consumer.heartbeat.interval.ms": "300", "group.consumer.session.timeout.ms": "6000"}


class Consumer:
    """One cgroup_consumer process; collects the messages it printed."""

    def __init__(self, bootstrap, group, topic, assignor=None):
        args = [CONSUMER, bootstrap, group, topic] + ([assignor] if assignor else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.values = []
        self.events = []
        self.lock = threading.Lock()
        self.errors = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.err_reader = threading.Thread(target=self._read_errors, daemon=True)
        self.err_reader.start()

    def _read_errors(self):
        for line in self.proc.stderr:
            with self.lock:
                self.errors.append(line.decode(errors="replace").rstrip("\n"))

    def _read(self):
        for line in self.proc.stdout:
            text = line.decode(errors="replace").rstrip("\n")
            with self.lock:
                if text.startswith("MSG "):
                    self.values.append(text.split(" ", 3)[3])
                else:
                    self.events.append(text)

    def count(self):
        with self.lock:
            return len(self.values)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        self.proc.send_signal(sig)
        self.proc.wait(timeout=timeout)
        self.reader.join(timeout=5)
        self.err_reader.join(timeout=5)


def produce(bootstrap, topic, start, n, partitions=4):
    """Produces values v-<start>..v-<start+n-1>, spread round-robin over the
    partitions (the client's sticky partitioner could put a whole batch in
    one); returns them as text."""
    from confluent_kafka import Producer
    values = [f"v-{i:06d}" for i in range(start, start + n)]
    p = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for i, v in enumerate(values):
        p.produce(topic, value=v.encode(), partition=(start + i) % partitions)
    assert p.flush(30) == 0
    return values


def wait_for(pred, timeout, what, diag=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}" + (f"\n{diag()}" if diag else ""))


def diagnose(bootstrap, group, consumers):
    """The group as the broker describes it and what each consumer saw, for a failure message."""
    lines = [repr(describe(bootstrap, group))]
    for i, c in enumerate(consumers):
        with c.lock:
            lines.append(f"consumer {i}: {len(c.values)} messages, events {c.events[-12:]}, "
                         f"stderr {c.errors[-8:]}")
    return "\n".join(lines)


def describe(bootstrap, group):
    from consumer_group_wire import consumer_group_describe
    return consumer_group_describe(bootstrap, group)


def check_exactly_once(sent, consumers):
    got = Counter(v for c in consumers for v in c.values)
    missing = [v for v in sent if got[v] == 0]
    twice = [v for v, n in got.items() if n > 1]
    assert not missing, f"{len(missing)} message(s) never delivered, e.g. {missing[:5]}"
    assert not twice, f"{len(twice)} message(s) delivered more than once, e.g. {twice[:5]}"
    assert set(got) == set(sent)


def assigned(c):
    """True once the consumer has been given at least one partition."""
    with c.lock:
        return any(e.startswith("ASSIGN ") and e != "ASSIGN 0" for e in c.events)


def test_join_leave_and_takeover_deliver_every_message_once(broker_factory, name):
    broker = broker_factory(SETTINGS)
    topic, group = name("cg"), name("g")
    clients.create_topic(broker.bootstrap, topic, 4)
    sent = produce(broker.bootstrap, topic, 0, 300)
    a = Consumer(broker.bootstrap, group, topic)
    diag = lambda: diagnose(broker.bootstrap, group, [a, b, c])  # noqa: E731
    b = c = a
    wait_for(lambda: a.count() >= 300, 30, "consumer A to read the first 300", diag)

    b = Consumer(broker.bootstrap, group, topic)  # joins: A must give partitions up first
    wait_for(lambda: assigned(b), 30, "consumer B to get partitions", diag)
    sent += produce(broker.bootstrap, topic, 300, 300)
    wait_for(lambda: a.count() + b.count() >= 600 and b.count() > 0, 30, "600 messages, some to B", diag)

    c = Consumer(broker.bootstrap, group, topic, "range")  # and the group switches to range
    wait_for(lambda: assigned(c), 30, "consumer C to get partitions", diag)
    sent += produce(broker.bootstrap, topic, 600, 300)
    wait_for(lambda: a.count() + b.count() + c.count() >= 900 and c.count() > 0, 60, "900 messages", diag)

    a.stop()  # leaves (epoch -1): B and C take its partitions over
    sent += produce(broker.bootstrap, topic, 900, 300)
    wait_for(lambda: a.count() + b.count() + c.count() >= 1200, 60, "1200 messages", diag)
    time.sleep(0.5)  # anything delivered twice would show now
    b.stop()
    c.stop()
    check_exactly_once(sent, [a, b, c])
    assert describe(broker.bootstrap, group)["state"] == "Empty"


def test_group_survives_broker_sigkill(broker_factory, name):
    broker = broker_factory(SETTINGS)
    topic, group = name("cg"), name("g")
    clients.create_topic(broker.bootstrap, topic, 3)
    sent = produce(broker.bootstrap, topic, 0, 200, partitions=3)
    a = Consumer(broker.bootstrap, group, topic)
    b = Consumer(broker.bootstrap, group, topic)
    wait_for(lambda: a.count() + b.count() >= 200 and assigned(a) and assigned(b), 60,
             "the first 200 messages, both consumers assigned", lambda: diagnose(broker.bootstrap, group, [a, b]))
    wait_for(lambda: describe(broker.bootstrap, group)["state"] == "Stable", 30, "a stable group",
             lambda: diagnose(broker.bootstrap, group, [a, b]))
    before = describe(broker.bootstrap, group)
    broker.restart(kill=True)  # SIGKILL, same port: the consumers reconnect
    after = describe(broker.bootstrap, group)
    assert after["error"] == 0, after
    assert after["group_epoch"] == before["group_epoch"]
    assert sorted(m["member_id"] for m in after["members"]) == sorted(m["member_id"] for m in before["members"])
    assert {m["member_id"]: m["assignment"] for m in after["members"]} == \
        {m["member_id"]: m["assignment"] for m in before["members"]}
    sent += produce(broker.bootstrap, topic, 200, 200, partitions=3)
    wait_for(lambda: a.count() + b.count() >= 400, 60, "the messages produced after the restart",
             lambda: diagnose(broker.bootstrap, group, [a, b]))
    time.sleep(0.5)
    a.stop()
    b.stop()
    check_exactly_once(sent, [a, b])


def samsa(broker, *args):
    """Runs the samsa CLI against the broker; returns stdout."""
    import json  # noqa: F401  (callers parse JSON output)
    p = subprocess.run([os.environ["SAMSA_BIN"], *args, "--bootstrap", broker.bootstrap], capture_output=True,
                       text=True, timeout=60, env=dict(os.environ, NO_COLOR="1"))
    assert p.returncode == 0, f"samsa {' '.join(args)} exited {p.returncode}: {p.stderr}"
    return p.stdout


def test_samsa_group_shows_consumer_protocol_groups(broker_factory, name):
    import json
    broker = broker_factory(SETTINGS)
    topic, group = name("cg"), name("g")
    clients.create_topic(broker.bootstrap, topic, 2)
    produce(broker.bootstrap, topic, 0, 10, partitions=2)
    a = Consumer(broker.bootstrap, group, topic)
    wait_for(lambda: a.count() >= 10, 30, "consumer A's messages", lambda: diagnose(broker.bootstrap, group, [a]))
    try:
        listed = json.loads(samsa(broker, "group", "list", "-o", "json"))
        assert {"group": group, "type": "consumer", "state": "Stable"}.items() <= \
            next(g for g in listed if g["group"] == group).items(), listed
        d = json.loads(samsa(broker, "group", "describe", group, "-o", "json"))
        assert d["type"] == "consumer" and d["state"] == "Stable", d
        assert d["group_epoch"] == 1 and d["assignor"] == "uniform", d
        assert len(d["members"]) == 1
        m = d["members"][0]
        assert m["member_epoch"] == 1 and m["subscribed_topics"] == [topic]
        assert sorted(p["partition"] for p in m["assignment"]) == [0, 1]
        assert m["target_assignment"] == m["assignment"]
        assert d["total_lag"] == 0 and sum(p["committed"] for p in d["partitions"]) == 10, d
        table = samsa(broker, "group", "describe", group)
        assert "(consumer protocol)" in table and "TARGET" in table and f"{topic}[0]" in table
    finally:
        a.stop()


def test_samsa_group_watch_follows_a_consumer_protocol_group(broker_factory, name):
    """`samsa group watch` on a KIP-848 group: the classic DescribeGroups reads
    it as Dead, so the watch asks ConsumerGroupDescribe and shows its members,
    who owns each partition, and a second member taking partitions over."""
    broker = broker_factory(SETTINGS)
    topic, group = name("cgw"), name("g")
    clients.create_topic(broker.bootstrap, topic, 2)
    produce(broker.bootstrap, topic, 0, 10, partitions=2)
    a = Consumer(broker.bootstrap, group, topic)
    b = None
    wait_for(lambda: a.count() >= 10, 30, "consumer A's messages", lambda: diagnose(broker.bootstrap, group, [a]))
    try:
        watch = subprocess.Popen([os.environ["SAMSA_BIN"], "--bootstrap", broker.bootstrap, "group", "watch", group,
                                  "--interval-ms", "200", "-n", "40"], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        b = Consumer(broker.bootstrap, group, topic)
        out, err = watch.communicate(timeout=60)
    finally:
        a.stop()
        if b:
            b.stop()
    assert watch.returncode == 0, err
    first_view = out.split("\n\n")[0]
    assert "state: Stable" in first_view and "members: 1" in first_view, out
    assert "joined" in out and ("moved" in out or "assigned to" in out), out
    assert "state: Dead" not in out, out
