// A test-only hold on produce validation: when the broker was started with
// SAMSA_TEST_HOLD_VALIDATION=<path>, validation on the worker pool waits
// while that file exists (at most a minute). Tests use it to prove that a
// request stuck in validation holds no network or handler thread. Without
// the variable this costs one branch on a cached flag.
#pragma once

namespace samsa::broker {

void wait_on_validation_latch();

}  // namespace samsa::broker
