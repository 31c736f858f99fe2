# Sourced by scripts/test.sh. Tests that do not pass reliably yet; the README's
# "Known gaps" section says why. They are listed here, in the open, rather than
# skipped inside the tests, so `ctest` run by hand still runs them and shows
# the gap. Empty lists mean every test runs.

# Whole ctest entries (one regex for ctest -E), or empty.
SAMSA_KNOWN_GAP_TESTS=''

# Single pytest cases inside otherwise passing files (pytest --deselect ids).
SAMSA_KNOWN_GAP_CASES=(
  # Failed once in about ten runs, on a loaded machine: two single messages
  # (not a range) of one partition were reported by no member after a
  # cooperative rebalance. Not yet known whether the broker or the test's
  # event reporting loses them; passes when re-run.
  "test_groups_assign_librdkafka.py::test_split_and_rebalance[cooperative-sticky]"
)
