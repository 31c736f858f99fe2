// The boundary between the network layer (frames) and the handlers (messages):
// a connection passes each request frame here and gets back the encoded
// response frame, nothing (acks=0 produce), or an error that closes it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "broker/append_turns.h"
#include "protocol/writer.h"

namespace samsa::broker {

struct client_info {
  std::string peer;           // "127.0.0.1:53422"
  std::string host;           // "127.0.0.1" (DescribeGroups shows it)
  std::string listener_name;  // "PLAINTEXT"
  // Orders the appends of this connection's overlapping Produce requests;
  // used on the handler thread only.
  std::shared_ptr<append_turns> produce_turns = std::make_shared<append_turns>();
};

// What a handler produced: the response frame (size prefix included) or no
// response at all.
using routed_response = std::optional<protocol::writer>;

class request_router {
 public:
  virtual ~request_router() = default;
  // `frame` is the request without its size prefix, owned by this request
  // alone: handlers may rewrite the bytes of its records fields in place
  // (Produce assigns offsets there). An error means the request was
  // malformed or not servable and the connection must close.
  virtual boost::asio::awaitable<result<routed_response>> route(std::shared_ptr<std::vector<uint8_t>> frame,
                                                               const client_info& client) = 0;
};

}  // namespace samsa::broker
