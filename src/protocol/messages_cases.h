// Test support: one round-trip case per generated message, so a single test
// can walk every message and every version (cases come from messages_cases.cc,
// generated; values from the generated fill_sample() overloads).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "protocol/messages_sample.h"
#include "protocol/reader.h"
#include "protocol/writer.h"

namespace samsa::protocol::testing {

struct message_case {
  std::string name;
  int16_t min_version = 0;
  int16_t max_version = 0;
  // Returns "" on success, else what went wrong at that version.
  std::function<std::string(int16_t version)> round_trip;
  // Decodes arbitrary bytes (must never crash); returns whether they decoded.
  std::function<bool(int16_t version, std::span<const uint8_t> bytes)> decode;
};

std::vector<message_case> all_message_cases();

// Returned by round_trip_sample() for versions in which a message has no
// fields at all (e.g. ApiVersions v0-2), where the sample is the default.
inline const std::string kEmptySample = "(message has no fields in this version)";

template <typename T>
std::string round_trip_sample(int16_t version, int seed) {
  T original;
  fill_sample(original, version, seed);
  writer w;
  original.encode(w, version);
  if (!w.ok()) return "encode failed: " + w.error();
  auto frame = std::make_shared<std::vector<uint8_t>>(w.buffer());
  reader r(std::span<const uint8_t>(*frame), frame);
  T decoded;
  decoded.decode(r, version);
  if (!r.ok()) return "decode failed: " + r.error();
  if (r.remaining() != 0) return std::to_string(r.remaining()) + " bytes left after decode";
  if (!(decoded == original)) return "decoded value differs from the encoded one";
  if (original == T{}) return kEmptySample;
  writer again;
  decoded.encode(again, version);
  if (again.buffer() != w.buffer()) return "re-encoding the decoded value gave different bytes";
  return "";
}

template <typename T>
message_case make_case(std::string name, int16_t lo, int16_t hi) {
  message_case c;
  c.name = std::move(name);
  c.min_version = lo;
  c.max_version = hi;
  c.round_trip = [](int16_t version) {
    std::string a = round_trip_sample<T>(version, 0);
    return a.empty() ? round_trip_sample<T>(version, 3) : a;
  };
  c.decode = [](int16_t version, std::span<const uint8_t> bytes) {
    reader r(bytes);
    T value;
    value.decode(r, version);
    return r.ok();
  };
  return c;
}

}  // namespace samsa::protocol::testing
