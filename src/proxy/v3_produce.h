// The streamed v3 produce (POST /v3/clusters/{c}/topics/{t}/records), as
// Confluent's REST Proxy streaming mode: the body is any number of JSON
// records one after another, and the answer is one JSON object per record,
// one per line, in the records' order, each written as soon as it and all
// before it are answered, so a client can keep one request open and
// pipeline records.
//
// Three coroutines on the proxy's thread share one session: the reader
// frames records (record_splitter) and parses them, the producer sends what
// has been read through record_producer in one Produce request per round
// (so records of a busy stream share batches, and one stream's records stay
// in order), the writer answers in order. Backpressure both ways: the reader
// stops reading the socket while `max_in_flight` records are unanswered or
// `buffer_bytes` of records and answers are held, and the answers wait for
// a client that does not read them (up to the server's idle timeout, then
// the connection is closed).
//
// A record that cannot be produced (not a v3 record, unknown partition,
// refused by its schema, refused by the broker) gets its error object and
// the stream goes on; broken framing (bytes that are not a JSON object, a
// record over `max_record_bytes`, nesting too deep, a body ending inside a
// record) gets its error object and ends the stream. An error before any
// answer was written is the whole HTTP answer instead, with its status.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "http/server.h"
#include "proxy/record_producer.h"
#include "proxy/schema_encoder.h"

namespace samsa::proxy {

struct v3_stream_limits {
  size_t max_record_bytes = 8 * 1024 * 1024;  // http.proxy.max.request.bytes, per record
  size_t max_in_flight = 1000;                // http.proxy.max.records.per.request: read, not yet answered
  size_t buffer_bytes = 4 * 1024 * 1024;      // http.proxy.stream.buffer.bytes
  size_t max_depth = 64;
};

struct v3_target {
  std::string cluster_id;
  std::string topic;
  int32_t partitions = 0;
};

// Reads the records from `io` and answers them into it; nullopt when it
// answered through `io`, else the whole answer to send.
boost::asio::awaitable<std::optional<http::response>> stream_v3_produce(const http::request& req,
                                                                        http::body_exchange& io, v3_target target,
                                                                        record_producer& producer,
                                                                        schema_encoder& encoder,
                                                                        v3_stream_limits limits);

}  // namespace samsa::proxy
