// FindCoordinator: v0-6. This single broker coordinates every group (key type
// 0) and every transactional id (key type 1); v0-3 ask for one key, v4+ for
// a batch. The address is the advertised listener the client connected to.
// A group key needs DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED), a
// transactional id DESCRIBE on it (TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
// per key from v4, as Kafka answers.
#include "broker/advertised_listener.h"
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_find_coordinator {

using request_t = protocol::find_coordinator_request_data;
using response_t = protocol::find_coordinator_response_data;

constexpr int8_t key_type_group = 0;
constexpr int8_t key_type_transaction = 1;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  const listener_address* where = advertised_for(ctx.broker.advertised_listeners(), ctx.client.listener_name);
  bool known_type = request.key_type == key_type_group || request.key_type == key_type_transaction;
  int16_t error = 0;
  std::optional<std::string> message;
  // The key's own verdict (v4+ asks for several keys; below, `key` is the one).
  auto denial = [&](const std::string& key) -> std::optional<protocol::error_code> {
    if (request.key_type == key_type_group &&
        !authorized(ctx, acl::operation::describe, acl::resource_type::group, key)) {
      return protocol::error_code::group_authorization_failed;
    }
    if (request.key_type == key_type_transaction &&
        !authorized(ctx, acl::operation::describe, acl::resource_type::transactional_id, key)) {
      return protocol::error_code::transactional_id_authorization_failed;
    }
    return std::nullopt;
  };
  if (!known_type) {
    error = protocol::to_int(protocol::error_code::invalid_request);
    message = "unknown coordinator key type " + std::to_string(request.key_type);
  } else if (!where) {
    error = protocol::to_int(protocol::error_code::coordinator_not_available);
    message = "the broker has no advertised listener";
  } else {
    message = "NONE";  // Kafka sends the error's text, which for success is its name
  }
  auto fill = [&](auto& out, const std::string& key) {
    out.error_code = error;
    out.error_message = message;
    if (error == 0) {
      if (auto denied = denial(key)) {
        out.error_code = protocol::to_int(*denied);
        out.error_message = std::string(protocol::default_message(*denied));
      }
    }
    if (out.error_code == 0) {
      out.node_id = ctx.broker.config().node_id;
      out.host = where->host;
      out.port = where->port;
    } else {
      out.node_id = -1;
      out.host = "";
      out.port = -1;
    }
  };
  if (ctx.api_version < 4) {
    fill(response, request.key);
  } else {
    for (const auto& key : request.coordinator_keys) {
      auto& c = response.coordinators.emplace_back();
      c.key = key;
      fill(c, key);
    }
  }
  co_return response;
}

}  // namespace file_find_coordinator
}  // namespace

void register_find_coordinator(api_table& apis) {
  using namespace file_find_coordinator;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::find_coordinator), 0, 6, handle);
}

}  // namespace samsa::broker
