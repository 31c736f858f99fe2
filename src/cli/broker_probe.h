// A quick TCP check of the bootstrap addresses before a command hands them to
// librdkafka. librdkafka retries a refused connection until its own timeout
// (10 s and more, forever for a group consumer), so a learner whose broker is
// not running would wait for nothing; this answers in milliseconds instead.
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"

namespace samsa::cli {

// Succeeds as soon as one address of `servers` ("host:port,[::1]:port,
// SASL_SSL://host:port") accepts a TCP connection. Fails with _TRANSPORT when
// every address refused, with _RESOLVE when no name resolved, and with
// _TRANSPORT after `timeout` when nothing answered (a firewall dropping SYNs).
[[nodiscard]] status probe_bootstrap(const std::string& servers, std::chrono::milliseconds timeout);

}  // namespace samsa::cli
