// The request/response path around the generated bodies: picking and decoding
// the request header, and framing a response (size prefix, header, body).
//
//   reader r(frame_bytes, frame_owner);            // bytes after the int32 size
//   auto header = decode_request_header(r);        // picks header v0/v1/v2
//   auto body = decode_request_body(header->request_api_key,
//                                   header->request_api_version, r);  // bodies.h
//   writer w;
//   encode_response(w, header->correlation_id, header->request_api_key,
//                   header->request_api_version, response);
#pragma once

#include <cstdint>

#include "base/result.h"
#include "protocol/api_keys.h"
#include "protocol/messages/headers.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace samsa::protocol {

// Peeks the api key and version at the front of `r`, then decodes the header
// in the version Kafka uses for them. Unknown api keys decode as header v1 so
// the caller still learns the correlation id. Fails on truncated input.
result<request_header_data> decode_request_header(reader& r);

// Starts a size-prefixed frame; returns the position to hand to end_frame().
size_t begin_frame(writer& w);
// Patches the size prefix (spliced file bytes included).
void end_frame(writer& w, size_t size_position);

// Writes the response header (v0 or v1, chosen by response_header_version).
void encode_response_header(writer& w, int32_t correlation_id, int16_t api_key, int16_t version);
// Writes the request header (v0/v1/v2, chosen by request_header_version).
void encode_request_header(writer& w, const request_header_data& header);

// A whole response frame: size, header, body.
template <typename Body>
void encode_response(writer& w, int32_t correlation_id, int16_t api_key, int16_t version,
                     const Body& body) {
  size_t at = begin_frame(w);
  encode_response_header(w, correlation_id, api_key, version);
  body.encode(w, version);
  end_frame(w, at);
}

// A whole request frame (clients and tests): size, header, body.
template <typename Body>
void encode_request(writer& w, const request_header_data& header, const Body& body) {
  size_t at = begin_frame(w);
  encode_request_header(w, header);
  body.encode(w, header.request_api_version);
  end_frame(w, at);
}

}  // namespace samsa::protocol
