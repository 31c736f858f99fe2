// admin: describe and alter topic configs.
#include <set>

#include <fmt/format.h>

#include "client/admin_impl.h"
#include "client/kafka_error.h"

namespace samsa::client {
namespace {

using resource_ptr = std::unique_ptr<rd_kafka_ConfigResource_t, decltype(&rd_kafka_ConfigResource_destroy)>;

resource_ptr topic_resource(const std::string& name) {
  return resource_ptr(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str()),
                      &rd_kafka_ConfigResource_destroy);
}

}  // namespace

result<std::vector<config_entry>> admin::describe_topic_config(const std::string& name) {
  std::string op = fmt::format("describe configs of topic {}", name);
  auto resource = topic_resource(name);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_ConfigResource_t* list[] = {resource.get()};
        rd_kafka_DescribeConfigs(impl_->handle.get(), list, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  if (!event) return event.err();
  size_t count = 0;
  const auto** resources =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event->get()), &count);
  std::vector<config_entry> out;
  for (size_t i = 0; i < count; ++i) {
    if (auto e = rd_kafka_ConfigResource_error(resources[i]); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* msg = rd_kafka_ConfigResource_error_string(resources[i]);
      return impl_->fail(op, e, msg ? msg : "");
    }
    size_t n = 0;
    const auto** entries = rd_kafka_ConfigResource_configs(resources[i], &n);
    for (size_t j = 0; j < n; ++j) {
      config_entry c;
      c.name = rd_kafka_ConfigEntry_name(entries[j]);
      if (const char* v = rd_kafka_ConfigEntry_value(entries[j]); v != nullptr) c.value = v;
      c.source = rd_kafka_ConfigSource_name(rd_kafka_ConfigEntry_source(entries[j]));
      c.is_default = rd_kafka_ConfigEntry_is_default(entries[j]) != 0;
      c.read_only = rd_kafka_ConfigEntry_is_read_only(entries[j]) != 0;
      c.sensitive = rd_kafka_ConfigEntry_is_sensitive(entries[j]) != 0;
      out.push_back(std::move(c));
    }
  }
  return out;
}

status admin::alter_topic_config(const std::string& name, const std::map<std::string, std::string>& set,
                                 const std::vector<std::string>& remove) {
  std::string op = fmt::format("alter configs of topic {}", name);
  // AlterConfigs (non-incremental) replaces all dynamic configs of the
  // resource, so start from the ones already set and merge the change in.
  auto current = describe_topic_config(name);
  if (!current) return current.err();
  std::map<std::string, std::string> wanted;
  for (const auto& c : *current) {
    if (c.source == "DYNAMIC_TOPIC_CONFIG" && c.value) wanted[c.name] = *c.value;
  }
  for (const auto& r : remove) wanted.erase(r);
  for (const auto& [k, v] : set) wanted[k] = v;
  auto resource = topic_resource(name);
  for (const auto& [k, v] : wanted) {
    if (auto e = rd_kafka_ConfigResource_set_config(resource.get(), k.c_str(), v.c_str());
        e != RD_KAFKA_RESP_ERR_NO_ERROR)
      return impl_->fail(op, e, fmt::format("config {}={}", k, v));
  }
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_ConfigResource_t* list[] = {resource.get()};
        rd_kafka_AlterConfigs(impl_->handle.get(), list, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
  if (!event) return event.err();
  size_t count = 0;
  const auto** resources =
      rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event->get()), &count);
  for (size_t i = 0; i < count; ++i) {
    if (auto e = rd_kafka_ConfigResource_error(resources[i]); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* msg = rd_kafka_ConfigResource_error_string(resources[i]);
      return impl_->fail(op, e, msg ? msg : "");
    }
  }
  return {};
}

}  // namespace samsa::client
