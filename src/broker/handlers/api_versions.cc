// ApiVersions: v0-4. The answer lists exactly what api_table dispatches, and
// from v3 the feature levels (KIP-584) the broker's parts declared in
// api_table::features() (see feature_registry.h), with Kafka's two rules: a
// request below v4 does not see a feature whose minimum is 0, and a feature
// at level 0 is not listed as finalized.
//
// This part declares `transaction.version` 0-2, finalized at 2, so Java 4.x
// clients use transactions v2 (KIP-890: Produce v12 adds partitions
// implicitly, EndTxn v5 bumps the epoch); clients that ignore features keep
// using v1, which stays served. Produce and Fetch are served from v0
// (message formats v0/v1 converted, see produce.cc and fetch.cc).

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_api_versions {

boost::asio::awaitable<protocol::api_versions_response_data> handle(request_context& ctx,
                                                                    protocol::api_versions_request_data&) {
  protocol::api_versions_response_data response;
  const api_table& apis = ctx.apis;
  for (const api_range& range : apis.supported()) {
    protocol::api_versions_response_data::api_version entry;
    entry.api_key = range.api_key;
    entry.min_version = range.min_version;
    entry.max_version = range.max_version;
    response.api_keys.push_back(entry);
  }
  if (ctx.api_version >= 3) {
    for (const feature_level& level : apis.features().supported_for(ctx.api_version)) {
      auto& supported = response.supported_features.emplace_back();
      supported.name = level.name;
      supported.min_version = level.min_version;
      supported.max_version = level.max_version;
    }
    for (const feature_level& level : apis.features().finalized()) {
      auto& finalized = response.finalized_features.emplace_back();
      finalized.name = level.name;
      finalized.min_version_level = level.finalized_level;
      finalized.max_version_level = level.finalized_level;
    }
    // One broker, features fixed at start-up: the epoch never moves.
    response.finalized_features_epoch = 1;
  }
  co_return response;
}

}  // namespace file_api_versions
}  // namespace

void register_api_versions(api_table& apis) {
  using namespace file_api_versions;
  apis.features().register_feature("transaction.version", 0, 2, 2);
  apis.add<protocol::api_versions_request_data, protocol::api_versions_response_data>(
      static_cast<int16_t>(protocol::api_key::api_versions), 0, 4, handle);
}

}  // namespace samsa::broker
