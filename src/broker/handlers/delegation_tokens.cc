// CreateDelegationToken v0-3, RenewDelegationToken v0-2,
// ExpireDelegationToken v0-2 and DescribeDelegationToken v0-3 (every version
// Kafka defines). Samsa issues no delegation tokens: each request is answered
// as a Kafka broker without `delegation.token.secret.key` answers it.
//
// Kafka's order: a connection that authenticated nobody (PLAINTEXT, or SSL
// without a client certificate), or that authenticated with a delegation
// token, may not ask for tokens at all: DELEGATION_TOKEN_REQUEST_NOT_ALLOWED.
// A Create naming another owner needs CREATE_TOKENS on that USER
// (DELEGATION_TOKEN_AUTHORIZATION_FAILED). Anything else:
// DELEGATION_TOKEN_AUTH_DISABLED. Answers carry no token: timestamps -1 (the
// broker's "no token" value), an empty id and HMAC, no tokens described; a
// Create names the owner (the request's, or the caller) and, from v3, the
// requester. A single broker applies the connection check itself; a KRaft
// Kafka cluster makes it on the broker for Describe and on the controller for
// the other three (docs/api-versions.md).
#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_delegation_tokens {

using protocol::error_code;

// DelegationTokenManager's value for "no token".
constexpr int64_t no_timestamp = -1;

// Whether the connection may ask for tokens (Kafka's allowTokenRequests).
// Samsa never authenticates a connection with a delegation token.
bool token_requests_allowed(const client_info& client) {
  if (client.protocol == security_protocol::plaintext) return false;
  if (client.protocol == security_protocol::ssl && client.principal.is_anonymous()) return false;
  return true;
}

boost::asio::awaitable<protocol::create_delegation_token_response_data> create(
    request_context& ctx, protocol::create_delegation_token_request_data& request) {
  protocol::create_delegation_token_response_data response;
  const security::principal& requester = ctx.client.principal;
  security::principal owner = requester;
  if (request.owner_principal_name && !request.owner_principal_name->empty())
    owner = security::principal{request.owner_principal_type.value_or(""), *request.owner_principal_name};
  response.principal_type = owner.type;
  response.principal_name = owner.name;
  response.token_requester_principal_type = requester.type;
  response.token_requester_principal_name = requester.name;
  response.issue_timestamp_ms = no_timestamp;
  response.expiry_timestamp_ms = no_timestamp;
  response.max_timestamp_ms = no_timestamp;
  error_code code = error_code::delegation_token_auth_disabled;
  if (!token_requests_allowed(ctx.client)) {
    code = error_code::delegation_token_request_not_allowed;
  } else if (!(owner == requester) &&
             !authorized(ctx, acl::operation::create_tokens, acl::resource_type::user, owner.to_string())) {
    code = error_code::delegation_token_authorization_failed;
  }
  response.error_code = protocol::to_int(code);
  co_return response;
}

template <typename Response, typename Request>
boost::asio::awaitable<Response> renew_or_expire(request_context& ctx, Request&) {
  Response response;
  response.error_code = protocol::to_int(token_requests_allowed(ctx.client) ? error_code::delegation_token_auth_disabled
                                                                            : error_code::delegation_token_request_not_allowed);
  response.expiry_timestamp_ms = no_timestamp;
  co_return response;
}

boost::asio::awaitable<protocol::describe_delegation_token_response_data> describe(
    request_context& ctx, protocol::describe_delegation_token_request_data&) {
  protocol::describe_delegation_token_response_data response;
  response.error_code = protocol::to_int(token_requests_allowed(ctx.client) ? error_code::delegation_token_auth_disabled
                                                                            : error_code::delegation_token_request_not_allowed);
  co_return response;
}

}  // namespace file_delegation_tokens
}  // namespace

void register_delegation_tokens(api_table& apis) {
  using namespace file_delegation_tokens;
  using protocol::api_key;
  apis.add<protocol::create_delegation_token_request_data, protocol::create_delegation_token_response_data>(
      static_cast<int16_t>(api_key::create_delegation_token), 0, 3, create);
  apis.add<protocol::renew_delegation_token_request_data, protocol::renew_delegation_token_response_data>(
      static_cast<int16_t>(api_key::renew_delegation_token), 0, 2,
      renew_or_expire<protocol::renew_delegation_token_response_data, protocol::renew_delegation_token_request_data>);
  apis.add<protocol::expire_delegation_token_request_data, protocol::expire_delegation_token_response_data>(
      static_cast<int16_t>(api_key::expire_delegation_token), 0, 2,
      renew_or_expire<protocol::expire_delegation_token_response_data, protocol::expire_delegation_token_request_data>);
  apis.add<protocol::describe_delegation_token_request_data, protocol::describe_delegation_token_response_data>(
      static_cast<int16_t>(api_key::describe_delegation_token), 0, 3, describe);
}

}  // namespace samsa::broker
