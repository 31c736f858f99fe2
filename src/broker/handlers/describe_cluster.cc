// DescribeCluster: v0-2. One broker, which is also the controller, at the
// address of the listener the client connected to. Anyone may ask, as in
// Kafka; the cluster's authorized operations (when asked) come from the
// authorizer, and are 0 for a principal without DESCRIBE on the cluster.
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
namespace file_describe_cluster {

using request_t = protocol::describe_cluster_request_data;
using response_t = protocol::describe_cluster_response_data;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  response_t response;
  constexpr int8_t endpoint_brokers = 1;
  if (request.endpoint_type != endpoint_brokers) {
    response.error_code = protocol::to_int(protocol::error_code::unsupported_endpoint_type);
    response.error_message = "only broker endpoints (type 1) are served";
    co_return response;
  }
  response.cluster_id = ctx.broker.cluster_id();
  response.controller_id = ctx.broker.config().node_id;
  if (const listener_address* a = advertised_for(ctx.broker.advertised_listeners(), ctx.client.listener_name)) {
    response_t::describe_cluster_broker b;
    b.broker_id = ctx.broker.config().node_id;
    b.host = a->host;
    b.port = a->port;
    response.brokers.push_back(std::move(b));
  }
  if (request.include_cluster_authorized_operations) {
    response.cluster_authorized_operations =
        authorized_on_cluster(ctx, acl::operation::describe)
            ? authorized_operations(ctx, acl::resource_type::cluster, acl::cluster_resource_name)
            : 0;
  }
  co_return response;
}

}  // namespace file_describe_cluster
}  // namespace

void register_describe_cluster(api_table& apis) {
  using namespace file_describe_cluster;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_cluster), 0,
                                  2, handle);
}

}  // namespace samsa::broker
