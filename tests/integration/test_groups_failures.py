"""Consumer groups (issue 5) when members fail: a SIGKILLed member is replaced
within its session timeout, a member that stops heartbeating is fenced and
rejoins, a static member restarts without a rebalance."""

import signal
import time

import clients
import groups_util
from groups_util import Member

SESSION_MS = 6000


def test_sigkilled_member_replaced_within_session_timeout(broker, name):
    topic, group = name("grp"), name("g")
    clients.create_topic(broker.bootstrap, topic, 6)
    prod = groups_util.SeqProducer(broker.bootstrap, topic, 6)
    seqs = list(prod.produce(300))
    members = [Member("confluent", broker.bootstrap, topic, group, name=f"m{i}",
                      **{"session.timeout.ms": SESSION_MS}) for i in range(3)]
    try:
        groups_util.wait_balanced(members, 6, sizes=[2, 2, 2])
        groups_util.wait_consumed(members, seqs)
        victim = members[2]
        t_kill = time.time()
        victim.kill()
        seqs2 = list(prod.produce(300))
        t_done = groups_util.wait_balanced(members[:2], 6, sizes=[3, 3], timeout=SESSION_MS / 1000 + 20, hold=0.5)
        took = t_done - t_kill
        print(f"SIGKILLed member's partitions reassigned after {took * 1000:.0f} ms (session.timeout.ms={SESSION_MS})")
        assert took < SESSION_MS / 1000 + 10, f"reassignment took {took:.1f}s"
        groups_util.wait_consumed(members[:2], seqs2)
        groups_util.assert_no_duplicates(members)
    finally:
        groups_util.stop_all(members)


def test_member_that_stops_heartbeating_rejoins(broker, name):
    topic, group = name("grp"), name("g")
    clients.create_topic(broker.bootstrap, topic, 6)
    prod = groups_util.SeqProducer(broker.bootstrap, topic, 6)
    members = [Member("confluent", broker.bootstrap, topic, group, name=f"m{i}",
                      **{"session.timeout.ms": SESSION_MS}) for i in range(3)]
    try:
        groups_util.wait_balanced(members, 6, sizes=[2, 2, 2])
        frozen = members[0]
        frozen.signal(signal.SIGSTOP)
        try:
            groups_util.wait_balanced(members[1:], 6, sizes=[3, 3], timeout=SESSION_MS / 1000 + 20, hold=0.2)
        finally:
            frozen.signal(signal.SIGCONT)
        # Back from the freeze, the member learns it was removed (UNKNOWN_MEMBER_ID /
        # REBALANCE_IN_PROGRESS / ILLEGAL_GENERATION), drops its partitions and rejoins.
        groups_util.wait_balanced(members, 6, sizes=[2, 2, 2], timeout=45)
        seqs = list(prod.produce(300))
        groups_util.wait_consumed(members, seqs)
        groups_util.assert_no_duplicates(members)
    finally:
        groups_util.stop_all(members)


def test_static_member_restart_without_rebalance(broker, name):
    topic, group = name("grp"), name("g")
    clients.create_topic(broker.bootstrap, topic, 6)
    conf = {"session.timeout.ms": 10000, "partition.assignment.strategy": "range"}
    members = [Member("confluent", broker.bootstrap, topic, group, name=f"s{i}",
                      **{"group.instance.id": f"{group}-inst-{i}"}, **conf) for i in range(3)]
    try:
        groups_util.wait_balanced(members, 6, sizes=[2, 2, 2])
        before = members[1].assignment()
        others_events = [len(m.assignment_events()) for m in (members[0], members[2])]
        members[1].terminate()   # a static member does not send LeaveGroup
        members[1] = Member("confluent", broker.bootstrap, topic, group, name="s1-again",
                            **{"group.instance.id": f"{group}-inst-1"}, **conf)
        groups_util.wait_balanced(members, 6, sizes=[2, 2, 2], timeout=30)
        assert members[1].assignment() == before, f"static member got {members[1].assignment()}, had {before}"
        time.sleep(2)
        after = [len(m.assignment_events()) for m in (members[0], members[2])]
        assert after == others_events, "the other members were rebalanced when a static member came back"
        # A second process with the same instance id fences the first.
        dup = Member("confluent", broker.bootstrap, topic, group, name="s1-dup",
                     **{"group.instance.id": f"{group}-inst-1"}, **conf)
        try:
            deadline = time.monotonic() + 20
            fenced = False
            while time.monotonic() < deadline and not fenced:
                evs = members[1].snapshot() + dup.snapshot()
                fenced = any("FENCED" in str(e.get("err", "")).upper() for e in evs) or not members[1].alive() \
                    or not dup.alive()
                time.sleep(0.2)
            assert fenced, "no FENCED_INSTANCE_ID seen with two members sharing one group.instance.id"
        finally:
            dup.kill()
    finally:
        groups_util.stop_all(members)


def test_time_to_first_message_new_group(broker, name):
    topic = name("grp")
    clients.create_topic(broker.bootstrap, topic, 3)
    groups_util.SeqProducer(broker.bootstrap, topic, 3).produce(30)
    results = {}
    for kind in ["confluent", "kafka-python", "kafkajs"]:
        m = Member(kind, broker.bootstrap, topic, name("g"), name=kind)
        try:
            deadline = time.monotonic() + 30
            while m.first_ms() is None and time.monotonic() < deadline and m.alive():
                time.sleep(0.05)
            results[kind] = m.first_ms()
        finally:
            groups_util.stop_all([m])
        assert results[kind] is not None, f"{kind}: no first message within 30s\n{m.describe()}"
    print("time from subscribe to first message, new group: " +
          ", ".join(f"{k} {v:.0f} ms" for k, v in results.items()))
