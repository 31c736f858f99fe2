#include "share/offset_reset.h"

#include <cctype>
#include <limits>

namespace samsa::share {

namespace {

constexpr int64_t nanos_per_second = 1000000000;

bool checked_mul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }
bool checked_add(int64_t a, int64_t b, int64_t& out) { return !__builtin_add_overflow(a, b, &out); }

// One "[+-]digits[(.|,)digits]<unit>" part of the duration.
struct part {
  int64_t value = 0;
  bool negative = false;       // the number's own sign (a fraction follows it)
  int32_t fraction_nanos = 0;  // seconds part only
  bool has_fraction = false;
  char unit = 0;               // upper case
};

class reader {
 public:
  explicit reader(std::string_view s) : s_(s) {}
  bool done() const { return pos_ == s_.size(); }
  char peek() const { return done() ? '\0' : static_cast<char>(std::toupper(static_cast<unsigned char>(s_[pos_]))); }
  bool take(char upper) {
    if (peek() != upper) return false;
    ++pos_;
    return true;
  }
  // A signed decimal that fits an int64, as Java's Long.parseLong reads it.
  bool number(int64_t& out, bool& negative) {
    negative = false;
    if (take('-')) {
      negative = true;
    } else {
      take('+');
    }
    size_t start = pos_;
    int64_t v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      // Accumulate towards the sign so INT64_MIN fits.
      const int64_t d = s_[pos_] - '0';
      if (!checked_mul(v, 10, v) || !checked_add(v, negative ? -d : d, v)) return false;
      ++pos_;
    }
    out = v;
    return pos_ > start;
  }
  // Up to nine digits after '.' or ',' (none is allowed), as nanoseconds.
  bool fraction(int32_t& nanos) {
    size_t digits = 0;
    int64_t v = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
      if (++digits > 9) return false;
      v = v * 10 + (s_[pos_] - '0');
      ++pos_;
    }
    for (size_t i = digits; i < 9; ++i) v *= 10;
    nanos = static_cast<int32_t>(v);
    return true;
  }
  bool part_of(part& p, bool seconds_allowed_fraction) {
    if (!number(p.value, p.negative)) return false;
    if (seconds_allowed_fraction && (peek() == '.' || peek() == ',')) {
      ++pos_;
      if (!fraction(p.fraction_nanos)) return false;
      p.has_fraction = true;
    }
    p.unit = peek();
    if (p.unit == '\0') return false;
    ++pos_;
    return !p.has_fraction || p.unit == 'S';
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<iso_duration> parse_iso_duration(std::string_view text) {
  reader r(text);
  bool negate = false;
  if (r.take('-')) {
    negate = true;
  } else {
    r.take('+');
  }
  if (!r.take('P')) return std::nullopt;
  int64_t seconds = 0;
  int32_t nanos = 0;
  bool any = false;
  auto add = [&](const part& p, int64_t unit_seconds) {
    int64_t v = 0;
    if (!checked_mul(p.value, unit_seconds, v) || !checked_add(seconds, v, seconds)) return false;
    any = true;
    return true;
  };
  // Days, before any 'T'.
  if (!r.done() && r.peek() != 'T') {
    part p;
    if (!r.part_of(p, false) || p.unit != 'D' || !add(p, 86400)) return std::nullopt;
  }
  if (r.take('T')) {
    // Hours, minutes, seconds: each at most once, in this order, at least one.
    int rank = 0;
    bool any_time = false;
    while (!r.done()) {
      part p;
      if (!r.part_of(p, true)) return std::nullopt;
      const int this_rank = p.unit == 'H' ? 1 : p.unit == 'M' ? 2 : p.unit == 'S' ? 3 : 0;
      if (this_rank <= rank) return std::nullopt;
      rank = this_rank;
      if (!add(p, this_rank == 1 ? 3600 : this_rank == 2 ? 60 : 1)) return std::nullopt;
      if (this_rank == 3) nanos = p.negative ? -p.fraction_nanos : p.fraction_nanos;
      any_time = true;
    }
    if (!any_time) return std::nullopt;
  }
  if (!r.done() || !any) return std::nullopt;
  // Normalise nanos into [0, 1e9), as Duration.ofSeconds(seconds, nanos).
  if (nanos < 0) {
    if (!checked_add(seconds, -1, seconds)) return std::nullopt;
    nanos += nanos_per_second;
  }
  iso_duration d{seconds, nanos};
  if (negate) {
    // -(s + n/1e9) = (-s - 1) + (1e9 - n)/1e9 when n > 0.
    if (d.nanos == 0) {
      if (d.seconds == std::numeric_limits<int64_t>::min()) return std::nullopt;
      d.seconds = -d.seconds;
    } else {
      if (!checked_mul(d.seconds, -1, d.seconds) || !checked_add(d.seconds, -1, d.seconds)) return std::nullopt;
      d.nanos = static_cast<int32_t>(nanos_per_second - d.nanos);
    }
  }
  return d;
}

int64_t offset_reset_strategy::timestamp_ms(int64_t now_ms) const {
  // now - duration, in milliseconds rounded down (Instant.minus + toEpochMilli).
  int64_t ms = 0;
  const int64_t nanos_ms = (duration.nanos + 999999) / 1000000;
  if (!checked_mul(duration.seconds, 1000, ms) || !checked_add(ms, nanos_ms, ms)) return 0;
  int64_t out = 0;
  if (!checked_add(now_ms, -ms, out) || out < 0) return 0;
  return out;
}

std::optional<offset_reset_strategy> parse_offset_reset(std::string_view value) {
  offset_reset_strategy s;
  if (value == "latest") return s;
  if (value == "earliest") {
    s.type = offset_reset_strategy::kind::earliest;
    return s;
  }
  constexpr std::string_view prefix = "by_duration:";
  if (value.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto d = parse_iso_duration(value.substr(prefix.size()));
  if (!d || d->seconds < 0) return std::nullopt;  // Kafka refuses a negative duration
  s.type = offset_reset_strategy::kind::by_duration;
  s.duration = *d;
  return s;
}

}  // namespace samsa::share
