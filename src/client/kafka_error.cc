#include "client/kafka_error.h"

#include "base/kafka_error_codes.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

namespace samsa::client {
namespace {

class kafka_error_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka"; }
  std::string message(int code) const override {
    return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code));
  }
};

}  // namespace

const std::error_category& kafka_category() {
  static const kafka_error_category category;
  return category;
}

std::string kafka_error_name(int code) {
  std::string name = rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(code));
  // librdkafka 2.0.2 predates newer broker codes (TRANSACTIONAL_ID_NOT_FOUND
  // and others) and names them "ERR_105?"; the protocol's own table knows them.
  if (!name.empty() && name.back() == '?' && code >= 0 && code <= INT16_MAX) {
    if (const auto* info = kafka::find_error_info(static_cast<int16_t>(code))) return std::string(info->name);
  }
  return name;
}

std::string kafka_error_hint(int code, std::string_view bootstrap) {
  std::string where = bootstrap.empty() ? std::string("the broker") : std::string(bootstrap);
  switch (static_cast<rd_kafka_resp_err_t>(code)) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
      return fmt::format("cannot reach {} — start a broker with `samsa serve` or pass --bootstrap HOST:PORT", where);
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return fmt::format("no answer from {} in time — check that a broker is running there (`samsa serve`)", where);
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      return "the topic does not exist — list topics with `samsa topic list` or create it with `samsa topic create`";
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return "the partition does not exist — see `samsa topic describe TOPIC`";
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return "pick another name, or delete the topic first with `samsa topic delete`";
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
      return "a topic needs at least 1 partition, and partitions can only be added, never removed";
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
      return "the replication factor cannot exceed the number of brokers (use 1 on a single broker)";
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
      return "check the config name and value — `samsa topic describe TOPIC` lists current configs";
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
      return "the group does not exist — list groups with `samsa group list`";
    case RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP:
      return "the group still has members — stop its consumers first";
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
      return "stop the group's consumers before changing its offsets";
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
      return "the broker does not support this operation (yet)";
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      return "check security.protocol, sasl.* settings and the broker's ACLs";
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return "the message is larger than the broker accepts (max.message.bytes)";
    default:
      return {};
  }
}

samsa::error make_kafka_error(std::string_view operation, int code, std::string_view detail,
                              std::string_view bootstrap) {
  std::string name = kafka_error_name(code);
  std::string text = fmt::format("{}: {}", operation, name);
  std::string hint = kafka_error_hint(code, bootstrap);
  // librdkafka's generic text for the code ("Broker: The group is not empty")
  // only restates the name; with a hint it would say the same thing thrice.
  bool generic = detail == rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(code));
  if (!detail.empty() && detail != name && !(generic && !hint.empty())) text += fmt::format(": {}", detail);
  if (!hint.empty()) text += fmt::format(" — {}", hint);
  return samsa::error(std::error_code(code, kafka_category()), std::move(text));
}

samsa::error make_usage_error(std::string_view operation, std::string_view detail, std::string_view hint) {
  std::string text = fmt::format("{}: {}", operation, detail);
  if (!hint.empty()) text += fmt::format(" — {}", hint);
  return samsa::error(std::make_error_code(std::errc::invalid_argument), std::move(text));
}

bool is_connection_error(const samsa::error& e) {
  if (e.code.category() != kafka_category()) return false;
  switch (static_cast<rd_kafka_resp_err_t>(e.code.value())) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
      return true;
    default:
      return false;
  }
}

bool is_not_found_error(const samsa::error& e) {
  if (e.code.category() != kafka_category()) return false;
  switch (static_cast<rd_kafka_resp_err_t>(e.code.value())) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
      return true;
    default:
      return false;
  }
}

}  // namespace samsa::client
