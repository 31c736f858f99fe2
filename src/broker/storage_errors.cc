#include "broker/storage_errors.h"

#include "storage/errc.h"

namespace samsa::broker {

protocol::error_code storage_error_to_kafka(const error& e) {
  using storage::errc;
  if (e.code.category() != storage::storage_category()) return protocol::error_code::unknown_server_error;
  switch (static_cast<errc>(e.code.value())) {
    case errc::offset_out_of_range: return protocol::error_code::offset_out_of_range;
    case errc::not_found: return protocol::error_code::unknown_topic_or_partition;
    case errc::invalid_config: return protocol::error_code::invalid_config;
    case errc::invalid_argument: return protocol::error_code::corrupt_message;
    case errc::record_too_large: return protocol::error_code::message_too_large;
    case errc::limit_reached: return protocol::error_code::policy_violation;
    case errc::closed: return protocol::error_code::unknown_topic_or_partition;
    case errc::already_exists: return protocol::error_code::topic_already_exists;
    case errc::io_error:
    case errc::disk_full:
    case errc::corrupt: return protocol::error_code::kafka_storage_error;
  }
  return protocol::error_code::unknown_server_error;
}

}  // namespace samsa::broker
