// ApiVersions: v0-4. The answer lists exactly what api_table dispatches. Produce is advertised
// from v0 although v0-2 are refused, because librdkafka only enables
// compression when Produce v0 is in range (see CLIENTS.md).
#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

boost::asio::awaitable<protocol::api_versions_response_data> handle(request_context& ctx,
                                                                    protocol::api_versions_request_data&) {
  protocol::api_versions_response_data response;
  for (const api_range& range : ctx.broker.apis().supported()) {
    protocol::api_versions_response_data::api_version entry;
    entry.api_key = range.api_key;
    entry.min_version = range.min_version;
    entry.max_version = range.max_version;
    response.api_keys.push_back(entry);
  }
  co_return response;
}

}  // namespace

void register_api_versions(api_table& apis) {
  apis.add<protocol::api_versions_request_data, protocol::api_versions_response_data>(
      static_cast<int16_t>(protocol::api_key::api_versions), 0, 4, handle);
}

}  // namespace samsa::broker
