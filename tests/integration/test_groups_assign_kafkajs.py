"""Consumer groups (issue 5) with KafkaJS's default (round-robin) assigner:
2/2/2 on 6 partitions, a 4th member's share, reassignment on close."""

import groups_util


def test_split_and_rebalance(broker, name):
    groups_util.split_scenario(broker.bootstrap, name("grp"), name("g"), "kafkajs", "kafkajs/default")


def test_mixed_clients_one_group(broker, name):
    # librdkafka and kafka-python members share a group through the common
    # "range" protocol; KafkaJS's RoundRobinAssigner has another name, so it is not mixed in.
    topic, group = name("grp"), name("g")
    import clients
    clients.create_topic(broker.bootstrap, topic, 6)
    prod = groups_util.SeqProducer(broker.bootstrap, topic, 6)
    seqs = list(prod.produce(600))
    members = [groups_util.Member("confluent", broker.bootstrap, topic, group, name="rdk",
                                  **{"partition.assignment.strategy": "range"}),
               groups_util.Member("kafka-python", broker.bootstrap, topic, group, name="kp", strategy="range")]
    try:
        groups_util.wait_balanced(members, 6, sizes=[3, 3])
        groups_util.wait_consumed(members, seqs)
        groups_util.assert_no_duplicates(members)
    finally:
        groups_util.stop_all(members)
