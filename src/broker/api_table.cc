#include "broker/api_table.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdlib>

#include "base/metrics.h"
#include "broker/sasl_exchange.h"
#include "broker/test_latch.h"
#include "protocol/error_code.h"

namespace samsa::broker {

namespace asio = boost::asio;

int16_t defined_max_version(protocol::api_key key) {
  const protocol::api_info* info = protocol::find_api(key);
  if (!info) {
    spdlog::critical("api key {} has no definition", static_cast<int16_t>(key));
    std::abort();
  }
  return info->max_version;
}

std::string_view api_name(int16_t key) {
  const protocol::api_info* info = protocol::find_api(key);
  return info ? info->name : std::string_view("unknown API");
}

namespace {
std::atomic<uint64_t> requests_with_trailing_bytes{0};
}  // namespace

void note_trailing_bytes(int16_t api_key, int16_t api_version, size_t bytes) {
  requests_with_trailing_bytes.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("{} v{} request carried {} byte(s) after its body (ignored, as Kafka does)", api_name(api_key),
                api_version, bytes);
}

uint64_t trailing_byte_requests() { return requests_with_trailing_bytes.load(std::memory_order_relaxed); }

void api_table::add_entry(api_range range, runner run) {
  if (entries_.count(range.api_key)) {
    spdlog::critical("api key {} registered twice", range.api_key);
    std::abort();
  }
  // A handler may serve less than the definitions describe (each pins its own
  // max, so importing newer schemata never raises what is advertised), never more:
  // there would be no codec for the extra versions.
  const protocol::api_info* info = protocol::find_api(static_cast<protocol::api_key>(range.api_key));
  if (!info || range.min_version < info->min_version || range.max_version > info->max_version) {
    spdlog::critical("api key {} registered for v{}-v{}, outside its definitions", range.api_key, range.min_version,
                     range.max_version);
    std::abort();
  }
  entries_.emplace(range.api_key, entry{range, std::move(run)});
}

std::vector<api_range> api_table::supported() const {
  std::vector<api_range> out;
  out.reserve(entries_.size());
  for (const auto& [key, e] : entries_) out.push_back(e.range);
  return out;
}

const api_range* api_table::find(int16_t api_key) const {
  auto it = entries_.find(api_key);
  return it == entries_.end() ? nullptr : &it->second.range;
}

namespace {

// Kafka answers an ApiVersions request it cannot parse at that version with a
// v0 body: UNSUPPORTED_VERSION plus its own ApiVersions range, so the client
// can retry with a version both sides know.
protocol::writer unsupported_api_versions_answer(int32_t correlation_id, const api_range& range) {
  protocol::api_versions_response_data body;
  body.error_code = static_cast<int16_t>(protocol::error_code::unsupported_version);
  protocol::api_versions_response_data::api_version entry;
  entry.api_key = range.api_key;
  entry.min_version = range.min_version;
  entry.max_version = range.max_version;
  body.api_keys.push_back(entry);
  return encode_response_frame(range.api_key, 0, correlation_id, body);
}

}  // namespace

asio::awaitable<result<routed_response>> api_table::route(std::shared_ptr<request_frame> frame,
                                                          client_info& client) {
  // Writable: records fields decode into views the handler may rewrite.
  protocol::reader in = protocol::reader::writable(std::span<uint8_t>(frame->data(), frame->size()), frame);
  // The api key and version decide the header version, so peek at them first.
  protocol::reader peek(std::span<const uint8_t>(frame->data(), frame->size()));
  int16_t api_key = peek.read_int16();
  int16_t api_version = peek.read_int16();
  int32_t correlation_id = peek.read_int32();
  if (!peek.ok()) co_return make_error(std::errc::bad_message, "request header is truncated");

  // On a SASL listener nothing but the SASL exchange is served before it
  // succeeds, and nothing once its session expired (KIP-368); Kafka closes
  // the connection in both cases.
  if (auto refused = sasl_refusal(client, api_key, api_version)) {
    co_return make_error(std::errc::permission_denied, *refused);
  }
  auto it = entries_.find(api_key);
  if (it == entries_.end()) {
    co_return make_error(std::errc::not_supported,
                         "unknown or unsupported api key " + std::to_string(api_key) + " (correlation id " +
                             std::to_string(correlation_id) + ")");
  }
  const api_range& range = it->second.range;
  if (api_version < range.min_version || api_version > range.max_version) {
    if (api_key == static_cast<int16_t>(protocol::api_key::api_versions)) {
      co_return routed_response{unsupported_api_versions_answer(correlation_id, range)};
    }
    co_return make_error(std::errc::not_supported,
                         std::string(api_name(api_key)) + " v" + std::to_string(api_version) +
                             " is not supported (serving v" + std::to_string(range.min_version) + "-" +
                             std::to_string(range.max_version) + ")");
  }

  protocol::request_header_data header;
  header.decode(in, protocol::request_header_version(api_key, api_version));
  if (!in.ok()) co_return make_error(std::errc::bad_message, "request header is malformed: " + in.error());

  request_context ctx{broker_, *this, client, api_key, api_version, correlation_id, header.client_id.value_or(""), true};
  ctx.request_bytes = frame->size();
  ctx.identity = &client;
  wait_on_handler_latch(ctx.client_id);
  // /metrics: count, sizes and latency per (api key, version).
  auto started = std::chrono::steady_clock::now();
  auto answer = co_await it->second.run(ctx, in);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  metrics::registry::instance().record_request(api_key, api_version, frame->size() + 4,
                                               answer && *answer ? (*answer)->total_size() : 0,
                                               static_cast<uint64_t>(micros.count()), !answer);
  co_return answer;
}

asio::awaitable<result<routed_response>> api_table::route_sasl_token(std::shared_ptr<request_frame> token,
                                                                     client_info& client) {
  if (!raw_sasl_) co_return make_error(std::errc::not_supported, "raw SASL tokens are not served");
  std::vector<uint8_t> bytes(token->begin(), token->end());
  token.reset();
  co_return co_await raw_sasl_(broker_, client, std::move(bytes));
}

}  // namespace samsa::broker
