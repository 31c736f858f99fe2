// `share.auto.offset.reset` (KIP-932, KIP-1106): where a share partition
// starts when its group first reads it. "earliest", "latest", or
// "by_duration:<ISO-8601 duration>" (the first record whose timestamp is at
// most that long before now; none: the end of the log). The duration takes
// the form Java's Duration.parse reads, since that is what Kafka validates
// with: [+-]P[nD][T[nH][nM][n[.fffffffff]S]], letters in either case, each
// number signed, at least one part, a 'T' followed by at least one part;
// a negative total is refused as Kafka refuses it. Values are case-sensitive
// otherwise ("EARLIEST" is refused, as in Kafka).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace samsa::share {

// A duration as Java's Duration holds it: seconds and nanoseconds, nanos in
// [0, 1e9), negative exactly when seconds < 0.
struct iso_duration {
  int64_t seconds = 0;
  int32_t nanos = 0;
  bool operator==(const iso_duration&) const = default;
};

// Parses an ISO-8601 duration as Java's Duration.parse does; nullopt for
// anything it refuses or whose total overflows. Negative totals parse (the
// caller decides).
std::optional<iso_duration> parse_iso_duration(std::string_view text);

struct offset_reset_strategy {
  enum class kind { latest, earliest, by_duration } type = kind::latest;
  iso_duration duration;  // by_duration only
  // The timestamp (ms since the epoch) a by_duration reset looks for, given
  // the wall clock; saturates at 0 for durations longer than the epoch.
  int64_t timestamp_ms(int64_t now_ms) const;
};

// nullopt: not a valid share.auto.offset.reset value.
std::optional<offset_reset_strategy> parse_offset_reset(std::string_view value);

}  // namespace samsa::share
