#include "client/rd_handle.h"

#include <fmt/format.h>

#include "client/kafka_error.h"

namespace samsa::client::detail {

namespace {

// librdkafka logs connection failures to stderr on its own; the library turns
// them into errors with hints instead, so stay quiet unless `debug` is set.
void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

}  // namespace

result<conf_ptr> make_conf(const client_config& config) {
  conf_ptr conf(rd_kafka_conf_new());
  char err[512];
  if (!config.get("debug")) rd_kafka_conf_set_log_cb(conf.get(), quiet_log);
  for (const auto& [key, v] : config.values()) {
    if (rd_kafka_conf_set(conf.get(), key.c_str(), v.value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      return make_usage_error("client config", fmt::format("{} (from {}): {}", key, v.origin, err),
                              "see librdkafka's CONFIGURATION.md for valid property names and values");
    }
  }
  return conf;
}

result<handle_ptr> make_handle(rd_kafka_type_t type, conf_ptr conf, std::string_view operation,
                               std::string_view bootstrap) {
  char err[512];
  rd_kafka_t* h = rd_kafka_new(type, conf.get(), err, sizeof err);
  if (h == nullptr) return make_kafka_error(operation, RD_KAFKA_RESP_ERR__INVALID_ARG, err, bootstrap);
  (void)conf.release();  // rd_kafka_new took ownership
  return handle_ptr(h);
}

status from_error(const rd_kafka_error_t* error, std::string_view operation, std::string_view bootstrap) {
  if (error == nullptr) return {};
  return make_kafka_error(operation, rd_kafka_error_code(error), rd_kafka_error_string(error), bootstrap);
}

}  // namespace samsa::client::detail
