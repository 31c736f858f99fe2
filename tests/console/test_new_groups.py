"""KIP-848 consumer groups and KIP-932 share groups in the console API,
against a real broker with real clients (librdkafka 2.15.1: group.protocol=
consumer consumers, and share consumers, tests/rdkafka_new): the group list
names each group's type once, the group view shows epochs, members and their
assignments (a share group its partitions' delivery state), and the
rebalance history records each group epoch, sampled by the console."""

import json
import os
import signal
import subprocess
import time

import pytest

import clients
from console_client import CONSOLE, Console

BIN_DIR = os.environ.get("SAMSA_RDKAFKA_NEW_BIN", "")
SETTINGS = {**CONSOLE, "http.lag.sample.ms": "100", "group.consumer.heartbeat.interval.ms": "300",
            "group.consumer.session.timeout.ms": "6000"}


def program(name):
    path = os.path.join(BIN_DIR, name)
    if not os.path.exists(path):
        pytest.fail(f"{path} is not built: run scripts/install-deps.sh --test, then rebuild", pytrace=False)
    return path


def wait_for(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def settled(group, members):
    """The consumer group view once `members` members all hold their target at the group epoch."""
    if not group or group.get("type") != "consumer" or len(group["members"]) != members:
        return None
    ok = group["assignment_epoch"] == group["group_epoch"] and all(
        m["member_epoch"] == group["group_epoch"] and m["assignment"] == m["target_assignment"] and m["assignment"]
        for m in group["members"])
    return group if ok else None


def owned(member):
    return sorted(p for a in member["assignment"] for p in a["partitions"])


def test_consumer_group_epochs_members_and_history(broker_factory, name):
    consumer = program("cgroup_consumer")
    b = broker_factory(SETTINGS)
    c = Console(b)
    t, g = name("kip848"), name("grp")
    clients.create_topic(b.bootstrap, t, 4)
    procs = [subprocess.Popen([consumer, b.bootstrap, g, t], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)]
    try:
        def view(members):
            status, body = c.get(f"/api/v1/groups/{g}")
            return settled(body if status == 200 else None, members)
        one = wait_for(lambda: view(1), "one settled member")
        assert one["state"] == "Stable" and one["protocol_type"] == "consumer"
        [first] = one["members"]
        assert owned(first) == [0, 1, 2, 3] and first["subscribed_topics"] == [t]
        assert [a["topic"] for a in first["assignment"]] == [t] and first["classic"] is False

        # The history is sampled (every 100 ms here): let it see this epoch settle.
        def first_settled():
            status, body = c.get(f"/api/v1/groups/{g}/rebalances")
            return [e for e in body["rebalances"] if e["generation"] == one["group_epoch"] and e["outcome"] == "stable"]
        [first_entry] = wait_for(first_settled, "the first epoch in the history")
        assert first_entry["joined"] == [first["member_id"]] and len(first_entry["moved"]) == 4

        procs.append(subprocess.Popen([consumer, b.bootstrap, g, t], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        two = wait_for(lambda: view(2), "two settled members")
        assert two["group_epoch"] > one["group_epoch"]
        by_id = {m["member_id"]: m for m in two["members"]}
        second_id = next(i for i in by_id if i != first["member_id"])
        assert sorted(owned(by_id[first["member_id"]]) + owned(by_id[second_id])) == [0, 1, 2, 3]
        assert owned(by_id[second_id])

        # The history has the epochs the console sampled: the last one settled
        # with the second member joining and taking partitions from the first.
        def history():
            status, body = c.get(f"/api/v1/groups/{g}/rebalances")
            assert status == 200 and body["type"] == "consumer", body
            done = [e for e in body["rebalances"] if e["generation"] == two["group_epoch"] and e["outcome"] == "stable"]
            return (body["rebalances"], done[0]) if done else None
        entries, last = wait_for(history, "the second epoch in the history")
        assert second_id in last["joined"] and sorted(last["members"]) == sorted(by_id)
        assert last["moved"] and all(m["from"] == first["member_id"] and m["to"] == second_id for m in last["moved"])
        assert sorted(m["partition"] for m in last["moved"]) == owned(by_id[second_id])

        # Listed once, as a consumer group.
        status, listed = c.get("/api/v1/groups")
        rows = [r for r in listed["groups"] if r["group_id"] == g]
        assert len(rows) == 1 and rows[0]["type"] == "consumer" and rows[0]["members"] == 2, rows
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=20)


def test_share_group_state(broker_factory, name):
    exe = program("share_consumers")
    b = broker_factory(SETTINGS)
    c = Console(b)
    t, g = name("queue"), name("workers")
    clients.create_topic(b.bootstrap, t, 1)
    out = subprocess.run([exe, b.bootstrap, t, g, "40", "3"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    status, body = c.get(f"/api/v1/groups/{g}")
    assert status == 200, body
    assert body["type"] == "share" and body["state"] == "Empty" and body["members"] == []
    assert body["group_epoch"] > 0
    # Every record finished: the start offset is at the end, nothing in flight.
    [p] = body["partitions"]
    assert (p["topic"], p["partition"], p["start_offset"], p["high_watermark"], p["lag"]) == (t, 0, 40, 40, 0), p
    assert p["in_flight"] == {"available": 0, "acquired": 0, "acknowledged": 0, "archived": 0}
    status, listed = c.get("/api/v1/groups")
    rows = [r for r in listed["groups"] if r["group_id"] == g]
    assert len(rows) == 1 and rows[0]["type"] == "share" and rows[0]["lag"] == 0, rows
    # Sampled history: at least the epoch the group ended on, empty.
    def emptied():
        status, body = c.get(f"/api/v1/groups/{g}/rebalances")
        assert status == 200, body
        r = body["rebalances"]
        return r if r and r[-1]["outcome"] == "empty" else None
    wait_for(emptied, "the share group's last epoch in the history")
