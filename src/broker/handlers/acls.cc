// DescribeAcls, CreateAcls, DeleteAcls: v0-3 each. Samsa has no authorizer
// (no SASL, no principals), and Kafka without an authorizer answers these
// with SECURITY_DISABLED; admin tools and UIs expect that answer rather than
// a missing API.
#include "broker/api_table.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {

constexpr const char* no_authorizer = "no authorizer is configured on this broker: ACLs are not enforced";
const int16_t security_disabled = protocol::to_int(protocol::error_code::security_disabled);

boost::asio::awaitable<protocol::describe_acls_response_data> describe(request_context&,
                                                                        protocol::describe_acls_request_data&) {
  protocol::describe_acls_response_data response;
  response.error_code = security_disabled;
  response.error_message = no_authorizer;
  co_return response;
}

boost::asio::awaitable<protocol::create_acls_response_data> create(request_context&,
                                                                    protocol::create_acls_request_data& request) {
  protocol::create_acls_response_data response;
  for (size_t i = 0; i < request.creations.size(); ++i) {
    response.results.push_back({});
    response.results.back().error_code = security_disabled;
    response.results.back().error_message = no_authorizer;
  }
  co_return response;
}

boost::asio::awaitable<protocol::delete_acls_response_data> remove(request_context&,
                                                                    protocol::delete_acls_request_data& request) {
  protocol::delete_acls_response_data response;
  for (size_t i = 0; i < request.filters.size(); ++i) {
    response.filter_results.push_back({});
    response.filter_results.back().error_code = security_disabled;
    response.filter_results.back().error_message = no_authorizer;
  }
  co_return response;
}

}  // namespace

void register_acls(api_table& apis) {
  apis.add<protocol::describe_acls_request_data, protocol::describe_acls_response_data>(
      static_cast<int16_t>(protocol::api_key::describe_acls), 0, 3,
      describe);
  apis.add<protocol::create_acls_request_data, protocol::create_acls_response_data>(
      static_cast<int16_t>(protocol::api_key::create_acls), 0, 3,
      create);
  apis.add<protocol::delete_acls_request_data, protocol::delete_acls_response_data>(
      static_cast<int16_t>(protocol::api_key::delete_acls), 0, 3,
      remove);
}

}  // namespace samsa::broker
