// A blocking Kafka client for wire-level tests: one TCP connection, requests
// encoded and responses decoded with the generated message codecs at exactly
// the version a test names, so every advertised version can be driven.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/frame.h"
#include "protocol/messages.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace samsa::wire_test {

// A TCP socket connected to 127.0.0.1:port with Nagle off; `receive_buffer`
// > 0 shrinks SO_RCVBUF before connecting. Throws std::runtime_error.
int connect_loopback(uint16_t port, int receive_buffer = 0);

class wire_client {
 public:
  explicit wire_client(uint16_t port, std::string client_id = "samsa-wire-test");
  ~wire_client();
  wire_client(const wire_client&) = delete;
  wire_client& operator=(const wire_client&) = delete;

  // How long a receive waits for the broker before it throws (30 s unless set).
  void set_receive_timeout(int seconds);

  // Sends `request` at `version` and returns the decoded response; throws
  // std::runtime_error on I/O errors, timeouts or a response that does not
  // decode completely.
  template <typename Response, typename Request>
  Response call(const Request& request, int16_t version) {
    int32_t correlation_id = send(request, version);
    return receive<Response>(Request::api_key, version, correlation_id);
  }

  // Sends without waiting for the answer (pipelining); returns the
  // correlation id to pass to receive().
  template <typename Request>
  int32_t send(const Request& request, int16_t version) {
    protocol::request_header_data header;
    header.request_api_key = Request::api_key;
    header.request_api_version = version;
    header.correlation_id = ++correlation_id_;
    header.client_id = client_id_;
    protocol::writer w;
    protocol::encode_request(w, header, request);
    send_all(w.buffer());
    return header.correlation_id;
  }

  // Reads the next answer, which must carry `correlation_id`.
  template <typename Response>
  Response receive(int16_t api_key, int16_t version, int32_t correlation_id) {
    std::vector<uint8_t> frame = receive_frame();
    auto owner = std::make_shared<std::vector<uint8_t>>(std::move(frame));
    protocol::reader r(*owner, owner);
    protocol::response_header_data response_header;
    response_header.decode(r, protocol::response_header_version(api_key, version));
    Response response;
    response.decode(r, version);
    if (!r.ok() || r.remaining() != 0) {
      throw std::runtime_error("api " + std::to_string(api_key) + " v" + std::to_string(version) +
                               ": response does not decode: " + (r.ok() ? "trailing bytes" : r.error()));
    }
    if (response_header.correlation_id != correlation_id) {
      throw std::runtime_error("correlation id mismatch");
    }
    return response;
  }

  // Whether an answer's first bytes have arrived (waits up to `wait_ms`).
  bool answer_waiting(int wait_ms = 0) const;

  // Sends raw bytes (a hand-made frame, size prefix included).
  void send_raw(const std::vector<uint8_t>& bytes) { send_all(bytes); }
  // Reads the next size-prefixed frame as it is (no header decoded): raw
  // SASL tokens, hand-made exchanges. Throws when the broker closed.
  std::vector<uint8_t> receive_raw() { return receive_frame(); }
  // Reads (and discards) until the broker closes the connection or
  // `wait_ms` passes; true when it closed.
  bool closed_by_peer_within(int wait_ms);

 private:
  void send_all(const std::vector<uint8_t>& bytes);
  std::vector<uint8_t> receive_frame();

  int fd_ = -1;
  std::string client_id_;
  int32_t correlation_id_ = 0;
};

}  // namespace samsa::wire_test
