// Template parts of api_table: decoding a request body, running the handler
// and framing its response. Included from api_table.h only.
#pragma once

#include <boost/asio/use_awaitable.hpp>
#include <chrono>

#include "broker/response_errors.h"
#include "protocol/api_keys.h"
#include "protocol/messages.h"

namespace samsa::broker {

// Counts (and logs at debug level) a request with bytes after its body.
void note_trailing_bytes(int16_t api_key, int16_t api_version, size_t bytes);

// Records a finished request against the client's quotas; returns the
// throttle time (ms) and mutes the connection for it (client_quotas.cc).
int32_t apply_client_quotas(request_context& ctx, size_t response_bytes, std::chrono::steady_clock::duration took);

template <typename Response>
protocol::writer encode_response_frame(int16_t api_key, int16_t version, int32_t correlation_id,
                                       const Response& body) {
  protocol::writer out;
  size_t size_at = out.reserve_int32();
  protocol::response_header_data header;
  header.correlation_id = correlation_id;
  header.encode(out, protocol::response_header_version(api_key, version));
  body.encode(out, version);
  out.patch_size_prefix(size_at);
  return out;
}

template <typename Request, typename Response>
void api_table::add(int16_t api_key, int16_t min_version, int16_t max_version, handler<Request, Response> fn) {
  add_entry(api_range{api_key, min_version, max_version},
            [fn = std::move(fn)](request_context& ctx,
                                 protocol::reader& body) -> boost::asio::awaitable<result<routed_response>> {
              Request request;
              request.decode(body, ctx.api_version);
              if (!body.ok()) {
                co_return make_error(std::errc::bad_message,
                                     std::string(api_name(ctx.api_key)) + " v" +
                                         std::to_string(ctx.api_version) + " request is malformed: " + body.error());
              }
              // Bytes after a complete body are ignored, as Kafka ignores
              // them: real clients send them (librdkafka 2.0 ends ListGroups
              // v4 with an extra byte and OffsetFetch v7 with three). They
              // are counted and logged at debug level so a decoding
              // disagreement stays visible.
              if (body.remaining() != 0) note_trailing_bytes(ctx.api_key, ctx.api_version, body.remaining());
              const auto started = std::chrono::steady_clock::now();
              Response response = co_await fn(ctx, request);
              count_response_errors(ctx.api_key, response);  // /metrics: errors by API and code
              if (ctx.close_reason) co_return make_error(std::errc::connection_aborted, *ctx.close_reason);
              if (!ctx.send_response) {
                (void)apply_client_quotas(ctx, 0, std::chrono::steady_clock::now() - started);
                co_return routed_response{};
              }
              auto frame = encode_response_frame(ctx.api_key, ctx.api_version, ctx.correlation_id, response);
              // Client quotas (broker/client_quotas.h): the throttle goes into
              // the answer and mutes the connection.
              if constexpr (requires { response.throttle_time_ms = int32_t{}; }) {
                int32_t throttle =
                    apply_client_quotas(ctx, frame.total_size(), std::chrono::steady_clock::now() - started);
                if (throttle > response.throttle_time_ms) {
                  response.throttle_time_ms = throttle;
                  frame = encode_response_frame(ctx.api_key, ctx.api_version, ctx.correlation_id, response);
                }
              }
              if (!frame.ok()) {
                co_return make_error(std::errc::value_too_large,
                                     std::string(api_name(ctx.api_key)) + " response cannot be encoded: " +
                                         frame.error());
              }
              co_return routed_response{std::move(frame)};
            });
}

}  // namespace samsa::broker
