"""`samsa console --bootstrap`: the console served by its own process for a
cluster it reaches over the Kafka protocol only (here a Samsa broker started
separately, its own console off): topics with offsets, messages by offset and
time, groups with members, lag in records and seconds, and lag and membership
histories sampled by the console process; what needs a broker's internals
answers plainly that it is not available."""

import os
import shutil
import signal
import subprocess
import time

import clients
from console_client import Console


class RemoteConsole(Console):
    def __init__(self, bootstrap, work_dir):
        self.port_file = os.path.join(work_dir, "remote.http")
        self.proc = subprocess.Popen([os.environ["SAMSA_BIN"], "console", "--bootstrap", bootstrap,
                                      "--http", "http://127.0.0.1:0", "--port-file", self.port_file,
                                      "--lag-sample-ms", "100"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"samsa console exited: {self.proc.stdout.read().decode()}")
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                break
            time.sleep(0.05)
        self.port = int(open(self.port_file).read().strip())
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        assert self.proc.wait(timeout=20) == 0, self.proc.stdout.read().decode()


def wait_for(predicate, what, pump=(), timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for c in pump:
            c.poll(0.05)
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_console_for_a_cluster_over_the_kafka_protocol(broker_factory, name):
    from confluent_kafka import Consumer, Producer, TopicPartition
    b = broker_factory({"http.listeners": "none", "group.initial.rebalance.delay.ms": "0"})
    t, g, live, lg = name("remote"), name("grp"), name("live"), name("live-grp")
    clients.create_topic(b.bootstrap, t, 2)
    old = int(time.time() * 1000) - 300_000  # five minutes ago
    p = Producer({"bootstrap.servers": b.bootstrap, "acks": "all"})
    for i in range(6):
        p.produce(t, key=f"k{i}".encode(), value=f'{{"n": {i}}}'.encode(), partition=0, timestamp=old + i * 1000,
                  headers=[("h", f"{i}".encode())])
    assert p.flush(30) == 0
    cons = Consumer({"bootstrap.servers": b.bootstrap, "group.id": g, "enable.auto.commit": False})
    cons.commit(offsets=[TopicPartition(t, 0, 2), TopicPartition(t, 1, 0)], asynchronous=False)
    cons.close()

    c = RemoteConsole(b.bootstrap, b.work_dir)
    member = None
    try:
        status, cluster = c.get("/api/v1/cluster")
        assert status == 200, cluster
        assert cluster["console"]["mode"] == "remote" and cluster["console"]["write_enabled"] is False
        assert [(x["host"], x["port"]) for x in cluster["listeners"]] == [("127.0.0.1", b.port)]
        assert c.text("/")[0] == 200  # the page itself

        status, topics = c.get("/api/v1/topics")
        [topic] = [x for x in topics["topics"] if x["name"] == t]
        assert [(q["partition"], q["log_start_offset"], q["high_watermark"]) for q in topic["partitions"]] == \
            [(0, 0, 6), (1, 0, 0)]
        assert topic["partitions"][0]["size_bytes"] is None  # not over the Kafka protocol

        status, msgs = c.get(f"/api/v1/topics/{t}/partitions/0/messages?offset=2&limit=3")
        assert status == 200, msgs
        assert [(r["offset"], r["key"], r["value"]) for r in msgs["records"]] == \
            [(2, "k2", '{"n": 2}'), (3, "k3", '{"n": 3}'), (4, "k4", '{"n": 4}')]
        assert msgs["records"][0]["headers"] == [{"key": "h", "value": "2"}]
        assert msgs["records"][0]["timestamp"] == old + 2000 and msgs["next_offset"] == 5
        status, msgs = c.get(f"/api/v1/topics/{t}/partitions/0/messages?timestamp={old + 4500}")
        assert [r["offset"] for r in msgs["records"]] == [5]
        status, body = c.get(f"/api/v1/topics/{t}/partitions/0/messages?offset=99")
        assert status == 416 and body["error"]["name"] == "OFFSET_OUT_OF_RANGE"
        status, body = c.get(f"/api/v1/topics/{t}/partitions/7/messages")
        assert status == 404 and body["error"]["name"] == "UNKNOWN_TOPIC_OR_PARTITION"

        # Lag: 4 records on partition 0, its first unconsumed record (offset 2) five minutes old.
        status, group = c.get(f"/api/v1/groups/{g}")
        assert status == 200, group
        assert group["lag"] == 4 and 250 < group["lag_seconds"] < 3600
        by_partition = {o["partition"]: o for o in group["offsets"]}
        assert by_partition[0]["first_unconsumed_timestamp"] == old + 2000
        assert by_partition[1]["lag"] == 0 and by_partition[1]["lag_seconds"] == 0

        def sampled():
            status, body = c.get(f"/api/v1/groups/{g}/lag-history")
            assert status == 200 and body["sampled_by"] == "console", body
            s = body["samples"]
            return body if s and s[-1]["lag"] == 4 and s[-1]["lag_seconds"] > 250 else None
        history = wait_for(sampled, "a lag sample taken by the console")
        assert {(x["topic"], x["partition"]) for x in history["partitions"]} == {(t, 0), (t, 1)}

        # A live group: its member and assignment, and the change on the timeline.
        clients.create_topic(b.bootstrap, live, 2)
        member = Consumer({"bootstrap.servers": b.bootstrap, "group.id": lg,
                           "auto.offset.reset": "earliest"})
        member.subscribe([live])
        wait_for(lambda: len(member.assignment()) == 2, "the member's assignment", [member])

        seen = []

        def described():
            status, body = c.get(f"/api/v1/groups/{lg}")
            seen[:] = [status, body]
            return body if status == 200 and body["state"] == "Stable" and body["members"] else None
        try:
            body = wait_for(described, "the live group", [member])
        except AssertionError:
            raise AssertionError(f"the live group: {seen}")
        [m] = body["members"]
        assert m["assignment"] == [{"topic": live, "partitions": [0, 1]}]

        def timeline():
            status, body = c.get(f"/api/v1/groups/{lg}/rebalances")
            done = [e for e in body["rebalances"] if e["outcome"] == "stable" and e["members"]]
            return done[-1] if done else None
        entry = wait_for(timeline, "the membership change on the timeline", [member])
        assert entry["joined"] == [m["member_id"]] and len(entry["moved"]) == 2

        # The page, in a browser, over this read-only API.
        modules = os.environ.get("KAFKAJS_DIR") or ""
        assert shutil.which("node") and os.path.isdir(os.path.join(modules, "playwright-core")), \
            "node and playwright-core are test dependencies: run scripts/install-deps.sh --test"
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "remote_page_check.js")
        env = dict(os.environ, NODE_MODULES=modules, CONSOLE_URL=c.base, TOPIC=t, GROUP=g)
        run = subprocess.run(["node", script], env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, f"{run.stdout}\n{run.stderr}"

        # What needs the broker's internals says so.
        status, _, text = c.text("/metrics")
        assert status == 404 and "not available" in text
        status, body = c.get(f"/api/v1/topics/{t}/search?key=k")
        assert status == 501 and "not available" in body["error"]["message"]
    finally:
        if member is not None:
            member.close()
        c.stop()
