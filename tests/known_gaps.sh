# Sourced by scripts/test.sh. Tests that do not pass reliably yet; the README's
# "Known gaps" section says why. They are listed here, in the open, rather than
# skipped inside the tests, so `ctest` run by hand still runs them and shows
# the gap. Empty lists mean every test runs.

# Whole ctest entries (one regex for ctest -E), or empty.
SAMSA_KNOWN_GAP_TESTS=''

# Single pytest cases inside otherwise passing files (pytest --deselect ids).
SAMSA_KNOWN_GAP_CASES=(
  # (The librdkafka cooperative-sticky case that used to be here passed 50
  # runs in a row once requests on one connection were ordered as in Kafka;
  # scripts/repeat_case.sh repeats a case that way.)
)
