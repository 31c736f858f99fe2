"""Consumer groups (issue 5) with kafka-python's range, roundrobin and sticky
assignors: 2/2/2 on 6 partitions, a 4th member's share, reassignment on close."""

import pytest

import groups_util


@pytest.mark.parametrize("strategy", ["range", "roundrobin", "sticky"])
def test_split_and_rebalance(broker, name, strategy):
    groups_util.split_scenario(broker.bootstrap, name("grp"), name("g"), "kafka-python", f"kafka-python/{strategy}",
                               strategy=strategy)
