// InitProducerId: v0-5. Gives an idempotent producer a new producer id with
// epoch 0 (a producer that asks again, e.g. after an epoch bump, gets a fresh
// id too, as Kafka answers requests without a transactional id). Requests
// with a transactional id are refused: transactions are not built yet.
#include <spdlog/spdlog.h>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/producer_registry.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

using request_t = protocol::init_producer_id_request_data;
using response_t = protocol::init_producer_id_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  response.producer_id = -1;
  response.producer_epoch = -1;
  if (request.transactional_id) {
    spdlog::warn("InitProducerId for transactional id '{}' refused: transactions are not supported yet",
                 *request.transactional_id);
    response.error_code = protocol::to_int(protocol::error_code::invalid_request);
    co_return response;
  }
  auto id = ctx.broker.producers().new_producer_id();
  if (!id) {
    spdlog::error("cannot allocate a producer id: {}", id.err().describe());
    response.error_code = protocol::to_int(protocol::error_code::kafka_storage_error);
    co_return response;
  }
  response.producer_id = *id;
  response.producer_epoch = 0;
  co_return response;
}

}  // namespace

void register_init_producer_id(api_table& apis) {
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::init_producer_id), 0,
                                  defined_max_version(protocol::api_key::init_producer_id), handle);
}

}  // namespace samsa::broker
