"""Consumer groups (issue 5) with kafka-python's range, roundrobin and sticky
assignors: 2/2/2 on 6 partitions, a 4th member's share, reassignment on close."""

import pytest

import groups_util


@pytest.mark.parametrize("strategy", ["range", "roundrobin"])
def test_split_and_rebalance(broker, name, strategy):
    groups_util.split_scenario(broker.bootstrap, name("grp"), name("g"), "kafka-python", f"kafka-python/{strategy}",
                               strategy=strategy)


def test_sticky_split(broker_factory, name):
    # kafka-python 2.0.2's sticky assignor cannot rejoin once it holds an
    # assignment: encoding its own user data raises TypeError inside the client
    # (kafka-python issue 2153, fixed after 2.0.2). So only the first
    # rebalance of a group is exercised here: three members that join together
    # split 6 partitions 2/2/2 and consume every message exactly once. Kafka's
    # own 3 s initial delay makes sure all three land in that first rebalance
    # even when their processes start slowly.
    broker = broker_factory({"group.initial.rebalance.delay.ms": 3000})
    topic, group = name("grp"), name("g")
    import clients
    clients.create_topic(broker.bootstrap, topic, 6)
    prod = groups_util.SeqProducer(broker.bootstrap, topic, 6)
    seqs = list(prod.produce(300))
    members = [groups_util.Member("kafka-python", broker.bootstrap, topic, group, name=f"kp-sticky-{i}",
                                  strategy="sticky") for i in range(3)]
    try:
        groups_util.wait_balanced(members, 6, sizes=[2, 2, 2])
        seqs += prod.produce(300)
        groups_util.wait_consumed(members, seqs)
        groups_util.assert_no_duplicates(members)
    finally:
        groups_util.stop_all(members)
