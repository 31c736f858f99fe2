#include "group/consumer_group_records.h"

#include <fmt/format.h>

#include <system_error>

namespace samsa::group {

namespace {

constexpr int16_t value_version = 0;
// A member record of a classic member: version 0's fields, then its classic metadata.
constexpr int16_t classic_member_value_version = 1;
// No sane group has more entries than this in one record; larger counts are
// corruption and must not drive allocations.
constexpr int32_t max_entries = 1 << 20;

error bad(const std::string& what) {
  return error(std::make_error_code(std::errc::bad_message), fmt::format("consumer group record: {}", what));
}

void write_topic_id(byte_writer& w, const topic_id& id) {
  int64_t hi = 0;
  int64_t lo = 0;
  for (size_t i = 0; i < 8; ++i) {
    hi = static_cast<int64_t>((static_cast<uint64_t>(hi) << 8) | id[i]);
    lo = static_cast<int64_t>((static_cast<uint64_t>(lo) << 8) | id[i + 8]);
  }
  w.int64(hi);
  w.int64(lo);
}

topic_id read_topic_id(byte_reader& r) {
  auto hi = static_cast<uint64_t>(r.int64());
  auto lo = static_cast<uint64_t>(r.int64());
  topic_id id{};
  for (size_t i = 0; i < 8; ++i) {
    id[7 - i] = static_cast<uint8_t>(hi >> (8 * i));
    id[15 - i] = static_cast<uint8_t>(lo >> (8 * i));
  }
  return id;
}

void write_assignment(byte_writer& w, const cg_assignment& a) {
  w.int32(static_cast<int32_t>(a.size()));
  for (const auto& [t, ps] : a) {
    write_topic_id(w, t);
    w.int32(static_cast<int32_t>(ps.size()));
    for (int32_t p : ps) w.int32(p);
  }
}

bool read_assignment(byte_reader& r, cg_assignment& out) {
  int32_t topics = r.array_length();
  if (topics > max_entries) return false;
  for (int32_t i = 0; i < topics && r.ok(); ++i) {
    topic_id t = read_topic_id(r);
    int32_t n = r.array_length();
    if (n > max_entries) return false;
    std::set<int32_t> ps;
    for (int32_t k = 0; k < n && r.ok(); ++k) {
      int32_t p = r.int32();
      if (p < 0) return false;
      ps.insert(p);
    }
    if (!ps.empty()) out[t] = std::move(ps);
  }
  return r.ok();
}

result<byte_reader> open_value(const bytes& b, int16_t* version = nullptr, int16_t highest = value_version) {
  byte_reader r(b);
  int16_t v = r.int16();
  if (!r.ok()) return bad("value too short");
  if (v < value_version || v > highest) return bad(fmt::format("unknown value version {}", v));
  if (version) *version = v;
  return r;
}

}  // namespace

bool is_consumer_group_record(const bytes& key) {
  if (key.size() < 2) return false;
  auto v = static_cast<int16_t>((key[0] << 8) | key[1]);
  return v >= static_cast<int16_t>(cg_record_kind::group) && v <= static_cast<int16_t>(cg_record_kind::current_member);
}

bytes encode_cg_key(const cg_record_key& key) {
  byte_writer w;
  w.int16(static_cast<int16_t>(key.kind));
  w.string(key.group_id);
  if (key.kind != cg_record_kind::group && key.kind != cg_record_kind::target_epoch) w.string(key.member_id);
  return w.take();
}

result<cg_record_key> decode_cg_key(const bytes& key) {
  if (!is_consumer_group_record(key)) return bad("not a consumer group key");
  byte_reader r(key);
  cg_record_key out;
  out.kind = static_cast<cg_record_kind>(r.int16());
  out.group_id = r.string();
  if (out.kind != cg_record_kind::group && out.kind != cg_record_kind::target_epoch) out.member_id = r.string();
  if (!r.ok() || r.remaining() != 0) return bad("malformed key");
  if (out.group_id.empty()) return bad("empty group id");
  return out;
}

bytes encode_cg_group_value(const cg_group_value& v) {
  byte_writer w;
  w.int16(value_version);
  w.int32(v.group_epoch);
  w.int64(v.metadata_hash);
  return w.take();
}

result<cg_group_value> decode_cg_group_value(const bytes& b) {
  auto r = open_value(b);
  if (!r) return r.err();
  cg_group_value v;
  v.group_epoch = r->int32();
  v.metadata_hash = r->int64();
  if (!r->ok()) return bad("malformed group value");
  return v;
}

bytes encode_cg_member_value(const cg_member_value& v) {
  byte_writer w;
  w.int16(v.classic ? classic_member_value_version : value_version);
  w.nullable_string(v.instance_id);
  w.nullable_string(v.rack_id);
  w.string(v.client_id);
  w.string(v.client_host);
  w.int32(v.rebalance_timeout_ms);
  w.int32(static_cast<int32_t>(v.subscribed_topic_names.size()));
  for (const auto& n : v.subscribed_topic_names) w.string(n);
  w.nullable_string(v.subscribed_topic_regex);
  w.nullable_string(v.server_assignor);
  if (v.classic) {
    w.int32(v.classic->session_timeout_ms);
    w.int32(static_cast<int32_t>(v.classic->protocols.size()));
    for (const auto& p : v.classic->protocols) {
      w.string(p.name);
      w.bytes_field(p.metadata);
    }
  }
  return w.take();
}

result<cg_member_value> decode_cg_member_value(const bytes& b) {
  int16_t version = 0;
  auto r = open_value(b, &version, classic_member_value_version);
  if (!r) return r.err();
  cg_member_value v;
  v.instance_id = r->nullable_string();
  v.rack_id = r->nullable_string();
  v.client_id = r->string();
  v.client_host = r->string();
  v.rebalance_timeout_ms = r->int32();
  int32_t n = r->array_length();
  if (n > max_entries) return bad("too many topic names");
  for (int32_t i = 0; i < n && r->ok(); ++i) v.subscribed_topic_names.push_back(r->string());
  v.subscribed_topic_regex = r->nullable_string();
  v.server_assignor = r->nullable_string();
  if (version == classic_member_value_version) {
    cg_classic_metadata c;
    c.session_timeout_ms = r->int32();
    const int32_t protocols = r->array_length();
    if (protocols == 0 && r->ok()) return bad("classic member without protocols");
    for (int32_t i = 0; i < protocols && r->ok(); ++i) {
      cg_classic_protocol p;
      p.name = r->string();
      auto metadata = r->nullable_bytes();
      if (!metadata) return bad("classic member protocol without metadata");
      p.metadata = std::move(*metadata);
      c.protocols.push_back(std::move(p));
    }
    v.classic = std::move(c);
  }
  if (!r->ok()) return bad("malformed member value");
  return v;
}

bytes encode_cg_target_epoch_value(int32_t epoch) {
  byte_writer w;
  w.int16(value_version);
  w.int32(epoch);
  return w.take();
}

result<int32_t> decode_cg_target_epoch_value(const bytes& b) {
  auto r = open_value(b);
  if (!r) return r.err();
  int32_t e = r->int32();
  if (!r->ok()) return bad("malformed target epoch value");
  return e;
}

bytes encode_cg_assignment_value(const cg_assignment& a) {
  byte_writer w;
  w.int16(value_version);
  write_assignment(w, a);
  return w.take();
}

result<cg_assignment> decode_cg_assignment_value(const bytes& b) {
  auto r = open_value(b);
  if (!r) return r.err();
  cg_assignment a;
  if (!read_assignment(*r, a)) return bad("malformed target assignment value");
  return a;
}

bytes encode_cg_current_value(const cg_member_assignment& a) {
  byte_writer w;
  w.int16(value_version);
  w.int32(a.member_epoch);
  w.int32(a.previous_member_epoch);
  w.int16(static_cast<int16_t>(a.state));
  write_assignment(w, a.assigned);
  write_assignment(w, a.pending_revocation);
  return w.take();
}

result<cg_member_assignment> decode_cg_current_value(const bytes& b) {
  auto r = open_value(b);
  if (!r) return r.err();
  cg_member_assignment a;
  a.member_epoch = r->int32();
  a.previous_member_epoch = r->int32();
  int16_t state = r->int16();
  if (state < 0 || state > 2) return bad(fmt::format("unknown member state {}", state));
  a.state = static_cast<cg_member_state>(state);
  if (!read_assignment(*r, a.assigned) || !read_assignment(*r, a.pending_revocation)) {
    return bad("malformed current assignment value");
  }
  return a;
}

}  // namespace samsa::group
