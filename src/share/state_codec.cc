#include "share/state_codec.h"

#include "base/big_endian.h"
#include "record/crc32c.h"

namespace samsa::share {

namespace {

constexpr uint8_t partition_type = 1;
constexpr uint8_t group_type = 2;
constexpr uint8_t format_version = 0;
// Group records: version 1 adds each member's assignment (the sticky
// assignor's input, so a restart keeps it); version 0 is still read.
constexpr uint8_t group_version = 1;

void put_optional_string(big_endian::byte_writer& w, const std::optional<std::string>& s) {
  w.u8(s ? 1 : 0);
  if (s) w.str(*s);
}

bool get_optional_string(big_endian::byte_reader& r, std::optional<std::string>& s) {
  uint8_t present = r.u8();
  if (present > 1) r.fail();
  if (present == 1) {
    std::string v;
    if (!r.str(v)) return false;
    s = std::move(v);
  }
  return r.ok();
}

void encode_payload(big_endian::byte_writer& w, const partition_record& p) {
  w.u8(partition_type);
  w.u8(format_version);
  w.str(p.key.group);
  w.bytes(p.key.topic.data(), p.key.topic.size());
  w.i32(p.key.partition);
  w.u8(p.state ? 1 : 0);
  if (!p.state) return;
  w.i64(p.state->start_offset);
  w.i64(p.state->next_offset);
  w.u32(static_cast<uint32_t>(p.state->ranges.size()));
  for (const auto& r : p.state->ranges) {
    w.i64(r.first_offset);
    w.i64(r.last_offset);
    w.u8(static_cast<uint8_t>(r.state));
    w.i16(r.delivery_count);
  }
}

void encode_payload(big_endian::byte_writer& w, const group_record& g) {
  w.u8(group_type);
  w.u8(group_version);
  w.str(g.group);
  w.u8(g.deleted ? 1 : 0);
  if (g.deleted) return;
  w.i32(g.group_epoch);
  w.u32(static_cast<uint32_t>(g.members.size()));
  for (const auto& m : g.members) {
    w.str(m.id);
    w.i32(m.epoch);
    put_optional_string(w, m.rack);
    w.str(m.client_id);
    w.str(m.client_host);
    w.u32(static_cast<uint32_t>(m.subscribed.size()));
    for (const auto& t : m.subscribed) w.str(t);
    w.u32(static_cast<uint32_t>(m.assigned.size()));
    for (const auto& [topic, partitions] : m.assigned) {
      w.str(topic);
      w.u32(static_cast<uint32_t>(partitions.size()));
      for (int32_t p : partitions) w.i32(p);
    }
  }
  w.u32(static_cast<uint32_t>(g.configs.size()));
  for (const auto& [k, v] : g.configs) {
    w.str(k);
    w.str(v);
  }
}

// Counts must fit in what is left, so a corrupt count cannot allocate.
bool plausible(big_endian::byte_reader& r, uint32_t count, size_t min_each) {
  if (static_cast<uint64_t>(count) * min_each > r.remaining()) {
    r.fail();
    return false;
  }
  return true;
}

std::optional<journal_record> decode_payload(std::span<const uint8_t> payload) {
  big_endian::byte_reader r(payload);
  uint8_t type = r.u8();
  uint8_t version = r.u8();
  if (!r.ok()) return std::nullopt;
  if (type == partition_type) {
    if (version != format_version) return std::nullopt;
    partition_record p;
    if (!r.str(p.key.group) || !r.bytes(p.key.topic.data(), p.key.topic.size())) return std::nullopt;
    p.key.partition = r.i32();
    uint8_t present = r.u8();
    if (!r.ok() || present > 1) return std::nullopt;
    if (present == 1) {
      partition_snapshot s;
      s.start_offset = r.i64();
      s.next_offset = r.i64();
      uint32_t n = r.u32();
      if (!plausible(r, n, 19)) return std::nullopt;
      for (uint32_t i = 0; i < n; ++i) {
        state_range range;
        range.first_offset = r.i64();
        range.last_offset = r.i64();
        uint8_t st = r.u8();
        range.delivery_count = r.i16();
        if (st != 0 && st != 1 && st != 2 && st != 4) return std::nullopt;
        range.state = static_cast<record_state>(st);
        if (range.last_offset < range.first_offset) return std::nullopt;
        s.ranges.push_back(range);
      }
      if (s.next_offset < s.start_offset) return std::nullopt;
      p.state = std::move(s);
    }
    if (!r.done()) return std::nullopt;
    return p;
  }
  if (type == group_type) {
    if (version > group_version) return std::nullopt;
    group_record g;
    if (!r.str(g.group)) return std::nullopt;
    uint8_t deleted = r.u8();
    if (!r.ok() || deleted > 1) return std::nullopt;
    g.deleted = deleted == 1;
    if (!g.deleted) {
      g.group_epoch = r.i32();
      uint32_t n = r.u32();
      if (!plausible(r, n, 22)) return std::nullopt;
      for (uint32_t i = 0; i < n; ++i) {
        member m;
        if (!r.str(m.id)) return std::nullopt;
        m.epoch = r.i32();
        if (!get_optional_string(r, m.rack) || !r.str(m.client_id) || !r.str(m.client_host)) return std::nullopt;
        uint32_t topics = r.u32();
        if (!plausible(r, topics, 4)) return std::nullopt;
        for (uint32_t t = 0; t < topics; ++t) {
          std::string name;
          if (!r.str(name)) return std::nullopt;
          m.subscribed.push_back(std::move(name));
        }
        if (version >= 1) {
          uint32_t assigned = r.u32();
          if (!plausible(r, assigned, 8)) return std::nullopt;
          for (uint32_t t = 0; t < assigned; ++t) {
            std::string name;
            if (!r.str(name)) return std::nullopt;
            uint32_t count = r.u32();
            if (!plausible(r, count, 4)) return std::nullopt;
            auto& partitions = m.assigned[name];
            for (uint32_t i = 0; i < count; ++i) partitions.push_back(r.i32());
          }
        }
        g.members.push_back(std::move(m));
      }
      uint32_t configs = r.u32();
      if (!plausible(r, configs, 8)) return std::nullopt;
      for (uint32_t i = 0; i < configs; ++i) {
        std::string k, v;
        if (!r.str(k) || !r.str(v)) return std::nullopt;
        g.configs[k] = v;
      }
    }
    if (!r.done()) return std::nullopt;
    return g;
  }
  return std::nullopt;
}

}  // namespace

std::vector<uint8_t> encode_record(const journal_record& record) {
  big_endian::byte_writer payload;
  std::visit([&](const auto& r) { encode_payload(payload, r); }, record);
  big_endian::byte_writer frame;
  frame.u32(static_cast<uint32_t>(payload.buffer().size()));
  frame.u32(record::crc32c(payload.buffer()));
  frame.bytes(payload.buffer());
  return frame.take();
}

decoded_journal decode_journal(std::span<const uint8_t> bytes) {
  decoded_journal out;
  size_t pos = 0;
  while (bytes.size() - pos >= 8) {
    uint32_t length = big_endian::load_u32(bytes.data() + pos);
    uint32_t crc = big_endian::load_u32(bytes.data() + pos + 4);
    if (length > max_record_bytes || length > bytes.size() - pos - 8) break;
    auto payload = bytes.subspan(pos + 8, length);
    if (record::crc32c(payload) != crc) break;
    auto decoded = decode_payload(payload);
    if (!decoded) break;
    out.records.push_back(std::move(*decoded));
    pos += 8 + length;
  }
  out.valid_bytes = pos;
  return out;
}

}  // namespace samsa::share
