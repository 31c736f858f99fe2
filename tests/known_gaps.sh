# Sourced by scripts/test.sh. Tests that do not pass reliably yet; the README's
# "Known gaps" section says why. They are listed here, in the open, rather than
# skipped inside the tests, so `ctest` run by hand still runs them and shows
# the gap. Empty lists mean every test runs.

# Whole ctest entries (one regex for ctest -E), or empty.
SAMSA_KNOWN_GAP_TESTS=''

# Single pytest cases inside otherwise passing files (pytest --deselect ids).
SAMSA_KNOWN_GAP_CASES=(
  # The webhook refuses a value that breaks its JSON Schema only once
  # registry::schema_codec::encode validates JSON Schema values (issue 16,
  # being built on another branch); remove this line when it does.
  test_source_http.py::test_json_schema_violation_is_refused
  # (The librdkafka cooperative-sticky case that used to be here passed 50
  # runs in a row once requests on one connection were ordered as in Kafka;
  # scripts/repeat_case.sh repeats a case that way.)
)
