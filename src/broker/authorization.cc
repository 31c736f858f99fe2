#include "broker/authorization.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <string>

#include "broker/acl_service.h"
#include "broker/api_table.h"
#include "base/rate_window.h"
#include "broker/broker_state.h"
#include "broker/request_router.h"

namespace samsa::broker {

namespace {

// The audit log's bound: a client retrying a denied request in a loop must
// not fill the disk, but the first denials of every second are all seen.
constexpr uint32_t audit_lines_per_second = 10;

std::atomic<uint64_t> denials{0};

struct audit_window {
  std::mutex mu;  // the control thread and the request handler threads log
  rate_window rate{audit_lines_per_second};
};

audit_window& window() {
  static audit_window w;
  return w;
}

void audit_denial(const client_info& client, std::string_view api, acl::operation op, acl::resource_type type,
                  std::string_view name, const std::string& why) {
  auto& w = window();
  uint64_t left_out = 0;
  {
    std::lock_guard lock(w.mu);
    if (!w.rate.admit(steady_second(), left_out)) return;
  }
  if (left_out > 0) {
    spdlog::warn("audit: {} more authorization denial(s) were not logged (at most {} lines per second)", left_out,
                 audit_lines_per_second);
  }
  spdlog::warn("audit: authorization denied: principal={} operation={} resource={}:{} client={} api={} ({})",
               client.principal.to_string(), acl::name(op), acl::name(type), name, client.peer, api,
               why);
}

constexpr int8_t config_topic = 2;
constexpr int8_t config_broker = 4;
constexpr int8_t config_broker_logger = 8;
constexpr int8_t config_group = 32;

}  // namespace

bool authorizer_enabled(broker_state& broker) { return broker.acls().enabled(); }

bool authorized(broker_state& broker, const client_info& client, std::string_view api, acl::operation op,
                acl::resource_type type, std::string_view name, bool log_denial) {
  const acl::authorizer* authorizer = broker.acls().authorizer();
  if (authorizer == nullptr || client.internal) return true;
  std::string why;
  {
    // Produce and Fetch check here on the request handler threads while
    // CreateAcls and DeleteAcls change the table on the control thread.
    auto lock = authorizer->read_lock();
    acl::decision d = authorizer->authorize(client.principal, client.host, op, type, name);
    if (d.allowed) return true;
    if (!log_denial) return false;
    why = acl::describe(d);  // names the deciding ACL: while the table holds it
  }
  denials.fetch_add(1, std::memory_order_relaxed);
  audit_denial(client, api, op, type, name, why);
  return false;
}

bool authorized(const request_context& ctx, acl::operation op, acl::resource_type type, std::string_view name,
                bool log_denial) {
  return authorized(ctx.broker, ctx.client, api_name(ctx.api_key), op, type, name, log_denial);
}

bool authorized_on_cluster(const request_context& ctx, acl::operation op, bool log_denial) {
  return authorized(ctx, op, acl::resource_type::cluster, acl::cluster_resource_name, log_denial);
}

bool authorized_on_any(const request_context& ctx, acl::operation op, acl::resource_type type) {
  const acl::authorizer* authorizer = ctx.broker.acls().authorizer();
  if (authorizer == nullptr || ctx.client.internal) return true;
  auto lock = authorizer->read_lock();
  return authorizer->authorize_any(ctx.client.principal, ctx.client.host, op, type);
}

int32_t authorized_operations(const request_context& ctx, acl::resource_type type, std::string_view name) {
  const acl::authorizer* authorizer = ctx.broker.acls().authorizer();
  if (authorizer == nullptr || ctx.client.internal) return acl::supported_operations(type);
  auto lock = authorizer->read_lock();
  return authorizer->authorized_operations(ctx.client.principal, ctx.client.host, type, name);
}

std::optional<protocol::error_code> config_resource_denied(const request_context& ctx, int8_t config_type,
                                                           std::string_view name, acl::operation op) {
  switch (config_type) {
    case config_topic:
      if (!authorized(ctx, op, acl::resource_type::topic, name)) return protocol::error_code::topic_authorization_failed;
      return std::nullopt;
    case config_broker:
    case config_broker_logger:
      if (!authorized_on_cluster(ctx, op)) return protocol::error_code::cluster_authorization_failed;
      return std::nullopt;
    case config_group:
      if (!authorized(ctx, op, acl::resource_type::group, name)) return protocol::error_code::group_authorization_failed;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

uint64_t authorization_denials() { return denials.load(std::memory_order_relaxed); }

}  // namespace samsa::broker
