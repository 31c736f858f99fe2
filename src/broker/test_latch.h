// Test-only holds on work the worker pool does for a request: when the
// broker was started with SAMSA_TEST_HOLD_VALIDATION=<path> (produce
// validation), SAMSA_TEST_HOLD_TOPIC_CONFIG=<path> (the metadata record of
// a topic's new configs), SAMSA_TEST_HOLD_INTERNAL_TOPIC=<path> (the
// files of __consumer_offsets or __transaction_state on first use) or
// SAMSA_TEST_HOLD_DELETE_RECORDS=<path> (DeleteRecords' move of a log start
// and its fsync) or SAMSA_TEST_HOLD_APPEND=<path> (a large produce's appends
// on the worker pool), that
// work waits while the file exists (at most a minute). Tests use them to prove that a request stuck there holds no
// network or handler thread. SAMSA_TEST_HOLD_HANDLER=<path> instead blocks
// the thread itself: a request whose client id is handler_latch_client_id
// holds the thread it is handled on (the control thread or a request
// handler thread), to prove that the others go on without it. Without the
// variables each costs one branch on a cached string.
#pragma once

#include <string_view>

namespace samsa::broker {

void wait_on_validation_latch();
void wait_on_topic_config_latch();
void wait_on_internal_topic_latch();
void wait_on_delete_records_latch();
void wait_on_append_latch();

inline constexpr std::string_view handler_latch_client_id = "samsa-test-hold";
void wait_on_handler_latch(std::string_view client_id);

}  // namespace samsa::broker
