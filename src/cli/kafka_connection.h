// A blocking Kafka-protocol connection for the CLI's transaction commands:
// one TCP socket to one broker, requests encoded and responses decoded with
// the project's generated codecs. librdkafka 2.0.2 has no transaction admin
// calls (DescribeTransactions, ListTransactions, WriteTxnMarkers), so `samsa
// txn` speaks the protocol itself. PLAINTEXT only; every error names the
// broker and the request.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "protocol/frame.h"
#include "protocol/messages.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace samsa::cli {

class kafka_connection {
 public:
  // Connects to "host:port" and asks ApiVersions v0 which versions the broker
  // serves. Fails with a connection error (exit code 3) when nothing answers
  // within `timeout`.
  static result<std::unique_ptr<kafka_connection>> open(const std::string& address, std::string client_id,
                                                        std::chrono::milliseconds timeout);
  // The first address of the comma-separated `bootstrap` list that answers,
  // with `timeout` as the connection's request timeout too; the last
  // failure when none does.
  static result<std::unique_ptr<kafka_connection>> open_bootstrap(const std::string& bootstrap,
                                                                  const std::string& client_id,
                                                                  std::chrono::milliseconds timeout);
  ~kafka_connection();
  kafka_connection(const kafka_connection&) = delete;
  kafka_connection& operator=(const kafka_connection&) = delete;

  const std::string& address() const { return address_; }
  // How long one request may wait for its answer (default 10 s).
  void set_timeout(std::chrono::milliseconds timeout);

  // The highest version of `Request` both sides know, or an error naming the
  // API when the broker does not serve it.
  template <typename Request>
  result<int16_t> version_for(const char* api_name) const {
    auto it = broker_versions_.find(Request::api_key);
    if (it == broker_versions_.end() || it->second.second < Request::min_version ||
        it->second.first > Request::max_version) {
      return make_error(std::errc::function_not_supported,
                        std::string(api_name) + ": the broker at " + address_ + " does not serve this API");
    }
    return std::min<int16_t>(it->second.second, Request::max_version);
  }

  // Sends `request` at `version` and waits for the answer.
  template <typename Response, typename Request>
  result<Response> call(const Request& request, int16_t version) {
    protocol::request_header_data header;
    header.request_api_key = Request::api_key;
    header.request_api_version = version;
    header.correlation_id = ++correlation_id_;
    header.client_id = client_id_;
    protocol::writer w;
    protocol::encode_request(w, header, request);
    if (auto sent = send_all(w.buffer()); !sent) return sent.err();
    auto frame = receive_frame();
    if (!frame) return frame.err();
    auto owner = std::make_shared<std::vector<uint8_t>>(std::move(*frame));
    protocol::reader r(*owner, owner);
    protocol::response_header_data response_header;
    response_header.decode(r, protocol::response_header_version(Request::api_key, version));
    Response response;
    response.decode(r, version);
    if (!r.ok()) {
      return make_error(std::errc::bad_message, "api " + std::to_string(Request::api_key) + " v" +
                                                    std::to_string(version) + " from " + address_ +
                                                    ": the answer does not decode: " + r.error());
    }
    if (response_header.correlation_id != header.correlation_id) {
      return make_error(std::errc::bad_message, "answer from " + address_ + " carries the wrong correlation id");
    }
    return response;
  }

 private:
  kafka_connection(int fd, std::string address, std::string client_id);
  status send_all(const std::vector<uint8_t>& bytes);
  result<std::vector<uint8_t>> receive_frame();
  // During open() the connect deadline; afterwards now + timeout_.
  std::chrono::steady_clock::time_point effective_deadline() const;

  int fd_ = -1;
  std::string address_;
  std::string client_id_;
  int32_t correlation_id_ = 0;
  std::chrono::milliseconds timeout_{10000};
  std::chrono::steady_clock::time_point deadline_{};
  std::map<int16_t, std::pair<int16_t, int16_t>> broker_versions_;  // api key -> (min, max)
};

}  // namespace samsa::cli
