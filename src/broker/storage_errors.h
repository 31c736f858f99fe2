// The one place where storage failures become Kafka error codes.
#pragma once

#include "base/result.h"
#include "protocol/error_code.h"

namespace samsa::broker {

protocol::error_code storage_error_to_kafka(const error& e);

}  // namespace samsa::broker
