// ApiVersions: v0-4. The answer lists exactly what api_table dispatches.
// v3+ also carries the feature levels (KIP-584): `transaction.version`
// 0-2 supported and 2 finalized, so Java 4.x clients use transactions v2
// (KIP-890: Produce v12 adds partitions implicitly, EndTxn v5 bumps the
// epoch); clients that ignore features keep using v1, which stays served. Produce
// and Fetch are served from v0 (message formats v0/v1 converted, see
// produce.cc and fetch.cc); librdkafka also only enables compression when
// Produce v0 is in range (see CLIENTS.md).
#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

constexpr const char* transaction_version_feature = "transaction.version";
constexpr int16_t transaction_version_level = 2;

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
  if (ctx.api_version >= 3) {
    auto& supported = response.supported_features.emplace_back();
    supported.name = transaction_version_feature;
    supported.min_version = 0;
    supported.max_version = transaction_version_level;
    auto& finalized = response.finalized_features.emplace_back();
    finalized.name = transaction_version_feature;
    finalized.min_version_level = transaction_version_level;
    finalized.max_version_level = transaction_version_level;
    // One broker, features fixed at build time: the epoch never moves.
    response.finalized_features_epoch = 1;
  }
  co_return response;
}

}  // namespace

void register_api_versions(api_table& apis) {
  apis.add<protocol::api_versions_request_data, protocol::api_versions_response_data>(
      static_cast<int16_t>(protocol::api_key::api_versions), 0, 4, handle);
}

}  // namespace samsa::broker
