// The one table of served APIs: it dispatches each request to its handler and
// is also what ApiVersions advertises, so the two can never disagree.
// Registering a key twice is a programming error and aborts at start-up.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/request_frame.h"
#include "broker/feature_registry.h"
#include "broker/request_router.h"
#include "protocol/api_keys.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace samsa::broker {

class api_table;
class broker_state;

// What a handler knows about the request it serves.
struct request_context {
  broker_state& broker;
  // The table that dispatched the request: what ApiVersions advertises.
  const api_table& apis;
  const client_info& client;
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
  // A handler sets this to false to send no response (Produce with acks=0).
  bool send_response = true;
  // Set by a handler that cannot answer but must not stay silent either
  // (an acks=0 Produce that failed): the connection is closed with this
  // reason instead of answering, so the client notices.
  std::optional<std::string> close_reason;
  // The request's size (header and body, no size prefix): Produce's byte quota.
  size_t request_bytes = 0;
  // The connection's client_info, writable: only the SASL handlers change it
  // (principal and `authenticated` after a successful exchange).
  client_info* identity = nullptr;
};

// Highest version our definitions describe for `key`, and the API's name for
// logs ("Produce"). Handlers register a literal max instead, so that importing
// newer schemata (src/protocol/schemata) never raises what ApiVersions
// advertises before the handler serves the new version fully.
int16_t defined_max_version(protocol::api_key key);
std::string_view api_name(int16_t key);

// Requests that carried bytes after their body, since start.
uint64_t trailing_byte_requests();

struct api_range {
  int16_t api_key;
  int16_t min_version;
  int16_t max_version;
};

// Encodes `body` behind the response header for (api_key, version) into a
// complete frame with its size prefix.
template <typename Response>
protocol::writer encode_response_frame(int16_t api_key, int16_t version, int32_t correlation_id,
                                       const Response& body);

// Owned by serve(), beside the broker_state its handlers are given (not
// inside it, so that the state holds nothing that points back at it); the
// HTTP services reach it through http::broker_api.
class api_table : public request_router {
 public:
  explicit api_table(broker_state& broker) : broker_(broker) {}

  template <typename Request, typename Response>
  using handler = std::function<boost::asio::awaitable<Response>(request_context&, Request&)>;

  template <typename Request, typename Response>
  void add(int16_t api_key, int16_t min_version, int16_t max_version, handler<Request, Response> fn);

  std::vector<api_range> supported() const;
  const api_range* find(int16_t api_key) const;

  // Feature levels advertised by ApiVersions v3+; parts declare theirs while
  // registering their handlers (see feature_registry.h).
  feature_registry& features() { return features_; }
  const feature_registry& features() const { return features_; }

  boost::asio::awaitable<result<routed_response>> route(std::shared_ptr<request_frame> frame,
                                                       client_info& client) override;
  boost::asio::awaitable<result<routed_response>> route_sasl_token(std::shared_ptr<request_frame> token,
                                                                  client_info& client) override;

  // Who answers raw SASL tokens (registered with SaslAuthenticate).
  using raw_token_handler =
      std::function<boost::asio::awaitable<result<routed_response>>(broker_state&, client_info&, std::vector<uint8_t>)>;
  void set_raw_sasl_token_handler(raw_token_handler h) { raw_sasl_ = std::move(h); }

 private:
  using runner = std::function<boost::asio::awaitable<result<routed_response>>(request_context&, protocol::reader&)>;
  struct entry {
    api_range range;
    runner run;
  };
  void add_entry(api_range range, runner run);

  broker_state& broker_;
  std::map<int16_t, entry> entries_;
  feature_registry features_;
  raw_token_handler raw_sasl_;
};

}  // namespace samsa::broker

#include "broker/api_table_impl.h"
