"""Consumer groups (issue 5) with librdkafka (confluent-kafka): each assignor
splits 6 partitions 2/2/2, shares with a 4th member, and reassigns at once when
a member closes, with no message lost or committed twice."""

import pytest

import groups_util


@pytest.mark.parametrize("strategy", ["range", "roundrobin", "cooperative-sticky"])
def test_split_and_rebalance(broker, name, strategy):
    groups_util.split_scenario(broker.bootstrap, name("grp"), name("g"), "confluent", f"librdkafka/{strategy}",
                               **{"partition.assignment.strategy": strategy})
