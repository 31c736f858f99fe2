// Kafka's numeric error codes as the protocol module names them. The table
// itself (numbers, names, retriable flags, messages) is generated from
// src/base/kafka_errors.def; this header only gives it the protocol:: names
// the handlers and codecs use.
#pragma once

#include "base/kafka_error_codes.h"

namespace samsa::protocol {

using error_code = kafka::error_code;
using kafka::default_message;
using kafka::error_name;
using kafka::is_retriable;
using kafka::max_known_error_code;
using kafka::to_int;

}  // namespace samsa::protocol
