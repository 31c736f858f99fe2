// The console's writes (produce, create topic) go through the broker's own
// Kafka handlers, as a client's would: the request is encoded with the
// generated codecs and routed through the api table on the handler thread,
// so every check a Kafka client meets applies to the page too.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/api_table.h"
#include "http/broker_api.h"
#include "http/server.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::http {

// Runs on the handler thread. Wrapped in optional: co_spawn's completion
// needs a default-constructible value.
template <typename Request>
boost::asio::awaitable<std::optional<result<broker::routed_response>>> route_on_broker(
    broker::api_table& apis, std::shared_ptr<broker::request_frame> frame, broker::client_info client) {
  if (!apis.find(Request::api_key)) {
    co_return result<broker::routed_response>(make_error(std::errc::not_supported, "the broker does not serve this API"));
  }
  result<broker::routed_response> answer = co_await apis.route(frame, client);
  co_return answer;
}

// `caller` is the HTTP request the call is made for: the Kafka request
// carries its principal and address, so the handler's ACL checks judge the
// page's user, not the console. `internal`: the broker's own component
// calls for itself (the embedded Schema Registry), and ACLs do not apply
// (client_info::internal).
template <typename Response, typename Request>
boost::asio::awaitable<result<Response>> call_broker_api(broker_api api, int16_t version,
                                                         const Request& body, const request& caller,
                                                         bool internal = false) {
  broker::client_info client;
  client.internal = internal;
  client.peer = "console " + (caller.peer.empty() ? std::string("127.0.0.1") : caller.peer);
  client.host = caller.peer_host.empty() ? "127.0.0.1" : caller.peer_host;
  client.listener_name = "HTTP";
  client.principal = caller.principal;
  const int16_t key = Request::api_key;
  auto frame = std::make_shared<broker::request_frame>();
  {
    protocol::writer w;
    protocol::request_header_data header;
    header.request_api_key = key;
    header.request_api_version = version;
    header.correlation_id = 1;
    header.client_id = "samsa-console";
    header.encode(w, protocol::request_header_version(key, version));
    body.encode(w, version);
    if (!w.ok()) co_return make_error(std::errc::invalid_argument, "cannot encode request: " + w.error());
    frame->assign(w.buffer());
  }
  std::optional<result<broker::routed_response>> routed =
      co_await boost::asio::co_spawn(api.handler_io, route_on_broker<Request>(api.apis, frame, std::move(client)),
                                     boost::asio::use_awaitable);
  if (!routed) co_return make_error(std::errc::operation_canceled, "the broker stopped before answering");
  if (!*routed) co_return routed->err();
  if (!**routed) co_return make_error(std::errc::protocol_error, "the broker sent no answer");
  const auto& bytes = (**routed)->buffer();
  protocol::reader in(std::span<const uint8_t>(bytes.data(), bytes.size()));
  (void)in.read_int32();  // size prefix
  protocol::response_header_data header;
  header.decode(in, protocol::response_header_version(key, version));
  Response response;
  response.decode(in, version);
  if (!in.ok()) co_return make_error(std::errc::bad_message, "cannot decode the broker's answer: " + in.error());
  co_return response;
}

}  // namespace samsa::http
