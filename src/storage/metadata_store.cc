#include "storage/metadata_store.h"

#include <spdlog/spdlog.h>

#include <bit>
#include <cstring>
#include <limits>
#include <random>

#include "base/big_endian.h"
#include "storage/batch_ops.h"
#include "storage/errc.h"

namespace samsa::storage {
namespace {

// Record type tags. These numbers are on disk: never change or reuse one.
enum record_type : uint8_t {
  rec_cluster_id = 1,
  rec_create_topic = 2,
  rec_delete_topic = 3,
  rec_set_partition_count = 4,
  rec_set_topic_config = 5,
  rec_snapshot_end = 6,
  rec_put_scram_credential = 7,
  rec_delete_scram_credential = 8,
  rec_create_acl = 9,
  rec_delete_acl = 10,
  rec_set_client_quota = 11,
  rec_remove_client_quota = 12,
};

constexpr size_t frame_header = 9;  // length u32, crc u32, type u8
constexpr uint32_t max_record = 64 << 20;
constexpr const char* log_name = "log";
constexpr const char* snapshot_name = "snapshot";

std::vector<uint8_t> frame(uint8_t type, const std::vector<uint8_t>& payload) {
  std::vector<uint8_t> out(frame_header + payload.size());
  big_endian::store_u32(out.data(), static_cast<uint32_t>(payload.size()));
  out[8] = type;
  if (!payload.empty()) std::memcpy(out.data() + frame_header, payload.data(), payload.size());
  big_endian::store_u32(out.data() + 4, crc32c(std::span(out).subspan(8)));
  return out;
}

struct frame_view {
  uint8_t type;
  const uint8_t* payload;
  size_t size;
};

// A whole frame with a matching CRC starts at `pos`.
bool valid_frame_at(const std::vector<uint8_t>& data, size_t pos) {
  if (data.size() - pos < frame_header) return false;
  uint32_t len = big_endian::load_u32(&data[pos]);
  if (len > max_record || data.size() - pos - frame_header < len) return false;
  return crc32c(std::span(data).subspan(pos + 8, len + 1)) == big_endian::load_u32(&data[pos + 4]);
}

struct parsed_frames {
  std::vector<frame_view> frames;
  size_t good_bytes = 0;         // the frames end here
  std::string why;               // why parsing stopped before the end, empty if it did not
  std::optional<size_t> resumes;  // a valid frame starts here, after the bad bytes
};

// Splits `data` into frames; stops at the first incomplete or corrupt one.
// Every append is synced before the next one starts, so a crash can leave at
// most one partial frame, and only at the end. If any whole valid frame
// starts after the bad bytes, they are not a torn tail but damage in the
// middle (bit rot, a bad sector, a stray write), which must never be cut.
parsed_frames parse_frames(const std::vector<uint8_t>& data) {
  parsed_frames out;
  size_t pos = 0;
  while (pos < data.size()) {
    if (data.size() - pos < frame_header) {
      out.why = "torn frame header";
      break;
    }
    uint32_t len = big_endian::load_u32(&data[pos]);
    if (len > max_record || data.size() - pos - frame_header < len) {
      out.why = "torn or oversized frame";
      break;
    }
    if (!valid_frame_at(data, pos)) {
      out.why = "crc mismatch";
      break;
    }
    out.frames.push_back({data[pos + 8], &data[pos + frame_header], len});
    pos += frame_header + len;
  }
  out.good_bytes = pos;
  for (size_t q = pos + 1; q < data.size(); ++q) {
    if (valid_frame_at(data, q)) {
      out.resumes = q;
      break;
    }
  }
  return out;
}

void put_configs(big_endian::byte_writer& w, const std::map<std::string, std::string>& configs) {
  w.u32(static_cast<uint32_t>(configs.size()));
  for (auto& [k, v] : configs) {
    w.str(k);
    w.str(v);
  }
}

bool get_configs(big_endian::byte_reader& r, std::map<std::string, std::string>& configs) {
  uint32_t n;
  if (!r.u32(n)) return false;
  configs.clear();
  for (uint32_t i = 0; i < n; ++i) {
    std::string k, v;
    if (!r.str(k) || !r.str(v)) return false;
    configs[k] = v;
  }
  return true;
}

// SCRAM credential records (types 7 and 8): the bounds a stored credential
// keeps, whatever wrote it.
constexpr int8_t scram_sha256 = 1;
constexpr int8_t scram_sha512 = 2;
constexpr int32_t scram_min_iterations = 4096;
constexpr int32_t scram_max_iterations = 16384;
constexpr size_t scram_max_salt = 1024;
constexpr size_t scram_max_user = 4096;

size_t scram_key_size(int8_t mechanism) { return mechanism == scram_sha256 ? 32 : 64; }

std::string check_scram_record(const scram_credential_record& c) {
  if (c.user.empty() || c.user.size() > scram_max_user) return "user name must be 1 to 4096 bytes";
  if (c.mechanism != scram_sha256 && c.mechanism != scram_sha512)
    return "unknown SCRAM mechanism " + std::to_string(c.mechanism);
  if (c.iterations < scram_min_iterations || c.iterations > scram_max_iterations)
    return "iterations must be 4096 to 16384, not " + std::to_string(c.iterations);
  if (c.salt.empty() || c.salt.size() > scram_max_salt) return "salt must be 1 to 1024 bytes";
  if (c.stored_key.size() != scram_key_size(c.mechanism) || c.server_key.size() != scram_key_size(c.mechanism))
    return "StoredKey and ServerKey must be one hash long";
  return {};
}

void put_blob(big_endian::byte_writer& w, const std::vector<uint8_t>& b) {
  w.u32(static_cast<uint32_t>(b.size()));
  w.bytes(b.data(), b.size());
}

bool get_blob(big_endian::byte_reader& r, std::vector<uint8_t>& b, size_t max) {
  uint32_t n;
  if (!r.u32(n) || n > max) return false;
  b.resize(n);
  return n == 0 || r.bytes(b.data(), n);
}

void put_scram(big_endian::byte_writer& w, const scram_credential_record& c) {
  w.str(c.user);
  w.u8(static_cast<uint8_t>(c.mechanism));
  w.i32(c.iterations);
  put_blob(w, c.salt);
  put_blob(w, c.stored_key);
  put_blob(w, c.server_key);
}

bool get_scram(big_endian::byte_reader& r, scram_credential_record& c) {
  uint8_t m;
  if (!r.str(c.user) || !r.u8(m) || !r.i32(c.iterations) || !get_blob(r, c.salt, scram_max_salt) ||
      !get_blob(r, c.stored_key, 64) || !get_blob(r, c.server_key, 64))
    return false;
  c.mechanism = static_cast<int8_t>(m);
  return check_scram_record(c).empty();
}

// ACL records (create_acl, delete_acl) share one payload after `seq`: a u32
// count, then per ACL its resource type (i8), resource name, pattern type
// (i8), principal, host, operation (i8) and permission type (i8).
size_t acl_size(const acl_record& a) {
  return 1 + 4 + a.resource_name.size() + 1 + 4 + a.principal.size() + 4 + a.host.size() + 2;
}

void put_acl(big_endian::byte_writer& w, const acl_record& a) {
  w.u8(static_cast<uint8_t>(a.resource_type));
  w.str(a.resource_name);
  w.u8(static_cast<uint8_t>(a.pattern_type));
  w.str(a.principal);
  w.str(a.host);
  w.u8(static_cast<uint8_t>(a.operation));
  w.u8(static_cast<uint8_t>(a.permission));
}

bool get_acls(big_endian::byte_reader& r, std::vector<acl_record>& out) {
  uint32_t n;
  if (!r.u32(n)) return false;
  for (uint32_t i = 0; i < n; ++i) {
    acl_record a;
    uint8_t type, pattern, op, perm;
    if (!r.u8(type) || !r.str(a.resource_name) || !r.u8(pattern) || !r.str(a.principal) || !r.str(a.host) ||
        !r.u8(op) || !r.u8(perm))
      return false;
    a.resource_type = static_cast<int8_t>(type);
    a.pattern_type = static_cast<int8_t>(pattern);
    a.operation = static_cast<int8_t>(op);
    a.permission = static_cast<int8_t>(perm);
    out.push_back(std::move(a));
  }
  return true;
}

// Splits `acls` into payloads (seq, count, ACLs) of at most `limit` bytes.
// Fails only when one ACL alone does not fit.
std::optional<std::vector<std::vector<uint8_t>>> acl_payloads(uint64_t seq, const std::vector<acl_record>& acls,
                                                               size_t limit) {
  std::vector<std::vector<uint8_t>> out;
  size_t i = 0;
  while (i < acls.size()) {
    size_t end = i, bytes = 8 + 4;
    while (end < acls.size() && bytes + acl_size(acls[end]) <= limit) bytes += acl_size(acls[end++]);
    if (end == i) return std::nullopt;
    big_endian::byte_writer w;
    w.u64(seq);
    w.u32(static_cast<uint32_t>(end - i));
    for (size_t k = i; k < end; ++k) put_acl(w, acls[k]);
    out.push_back(w.buffer());
    i = end;
  }
  return out;
}

// Entity: u32 part count, then per part the entity type, a default flag
// (u8: 1 = `<default>`) and the name (empty when default).
void put_quota_entity(big_endian::byte_writer& w, const client_quota_entity& entity) {
  w.u32(static_cast<uint32_t>(entity.size()));
  for (const auto& [type, name] : entity) {
    w.str(type);
    w.u8(name ? 0 : 1);
    w.str(name.value_or(""));
  }
}

bool get_quota_entity(big_endian::byte_reader& r, client_quota_entity& entity) {
  uint32_t n;
  if (!r.u32(n)) return false;
  entity.clear();
  for (uint32_t i = 0; i < n; ++i) {
    std::string type, name;
    uint8_t is_default;
    if (!r.str(type) || !r.u8(is_default) || !r.str(name) || is_default > 1) return false;
    entity[type] = is_default ? std::nullopt : std::optional<std::string>(std::move(name));
  }
  return true;
}

// Values: u32 count, then (key string, IEEE-754 double as u64 bits).
void put_quota_values(big_endian::byte_writer& w, const client_quota_values& values) {
  w.u32(static_cast<uint32_t>(values.size()));
  for (const auto& [k, v] : values) {
    w.str(k);
    w.u64(std::bit_cast<uint64_t>(v));
  }
}

bool get_quota_values(big_endian::byte_reader& r, client_quota_values& values) {
  uint32_t n;
  if (!r.u32(n)) return false;
  values.clear();
  for (uint32_t i = 0; i < n; ++i) {
    std::string k;
    uint64_t bits;
    if (!r.str(k) || !r.u64(bits)) return false;
    values[k] = std::bit_cast<double>(bits);
  }
  return true;
}

std::string new_cluster_id() {
  // 16 random bytes in URL-safe base64 without padding, the shape Kafka uses.
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::array<uint8_t, 16> b{};
  for (auto& x : b) x = static_cast<uint8_t>(rd());
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t x : b) {
    acc = (acc << 8) | x;
    bits += 8;
    while (bits >= 6) {
      out.push_back(alphabet[(acc >> (bits - 6)) & 63]);
      bits -= 6;
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
  return out;
}

error corrupt(const std::string& what) { return make_storage_error(errc::corrupt, "metadata log: " + what); }

}  // namespace

result<std::unique_ptr<metadata_store>> metadata_store::open(options opts) {
  std::unique_ptr<metadata_store> store(new metadata_store(std::move(opts)));
  if (auto s = store->load(); !s) return s.err();
  return store;
}

status metadata_store::apply(uint8_t type, const uint8_t* p, size_t n, bool replay) {
  big_endian::byte_reader r(p, n);
  uint64_t seq;
  if (!r.u64(seq)) return corrupt("record without sequence number");
  if (replay && seq <= last_seq_) return {};  // already in the snapshot
  std::string name;
  switch (type) {
    case rec_cluster_id:
      if (!r.str(cluster_id_)) return corrupt("bad cluster id record");
      break;
    case rec_create_topic: {
      topic_metadata t;
      int32_t count;
      if (!r.str(t.name) || !r.bytes(t.topic_id.data(), 16) || !r.i32(count) || !get_configs(r, t.configs))
        return corrupt("bad create_topic record");
      t.partition_count = count;
      topics_[t.name] = std::move(t);
      break;
    }
    case rec_delete_topic:
      if (!r.str(name)) return corrupt("bad delete_topic record");
      topics_.erase(name);
      break;
    case rec_set_partition_count: {
      int32_t count;
      if (!r.str(name) || !r.i32(count)) return corrupt("bad set_partition_count record");
      if (auto it = topics_.find(name); it != topics_.end()) it->second.partition_count = count;
      break;
    }
    case rec_set_topic_config: {
      std::map<std::string, std::string> configs;
      if (!r.str(name) || !get_configs(r, configs)) return corrupt("bad set_topic_config record");
      if (auto it = topics_.find(name); it != topics_.end()) it->second.configs = std::move(configs);
      break;
    }
    case rec_create_acl:
    case rec_delete_acl: {
      std::vector<acl_record> acls;
      if (!get_acls(r, acls))
        return corrupt(std::string("bad ") + (type == rec_create_acl ? "create" : "delete") + "_acl record");
      for (auto& a : acls) {
        if (type == rec_create_acl) {
          acls_.insert(std::move(a));
        } else {
          acls_.erase(a);
        }
      }
      break;
    }
    case rec_set_client_quota: {
      client_quota_entity entity;
      client_quota_values values;
      if (!get_quota_entity(r, entity) || !get_quota_values(r, values)) return corrupt("bad set_client_quota record");
      client_quotas_[entity] = std::move(values);
      break;
    }
    case rec_remove_client_quota: {
      client_quota_entity entity;
      if (!get_quota_entity(r, entity)) return corrupt("bad remove_client_quota record");
      client_quotas_.erase(entity);
      break;
    }
    case rec_snapshot_end:
      break;
    case rec_put_scram_credential: {
      scram_credential_record c;
      if (!get_scram(r, c)) return corrupt("bad put_scram_credential record");
      auto key = std::pair{c.user, c.mechanism};
      scram_[key] = std::move(c);
      break;
    }
    case rec_delete_scram_credential: {
      uint8_t m;
      if (!r.str(name) || !r.u8(m)) return corrupt("bad delete_scram_credential record");
      scram_.erase({name, static_cast<int8_t>(m)});
      break;
    }
    default:
      // A newer version wrote a type we do not know: refuse rather than guess.
      return corrupt("unknown record type " + std::to_string(type));
  }
  last_seq_ = std::max(last_seq_, seq);
  return {};
}

status metadata_store::load() {
  file_system& fs = *opts_.fs;
  if (auto s = fs.create_dirs(opts_.dir); !s) return s;
  (void)fs.remove_file(join_path(opts_.dir, std::string(snapshot_name) + ".tmp"));
  (void)fs.remove_file(join_path(opts_.dir, std::string(log_name) + ".tmp"));
  std::string snap_path = join_path(opts_.dir, snapshot_name);
  if (fs.exists(snap_path)) {
    auto data = read_whole_file(fs, snap_path);
    if (!data) return data.err();
    auto parsed = parse_frames(*data);
    auto& frames = parsed.frames;
    // Snapshots are written whole and renamed into place, so any damage is real corruption.
    if (parsed.good_bytes != data->size() || frames.empty() || frames.back().type != rec_snapshot_end)
      return corrupt(snap_path + " is damaged at byte offset " + std::to_string(parsed.good_bytes) +
                     (parsed.why.empty() ? std::string(": no end record") : ": " + parsed.why));
    for (auto& f : frames)
      if (auto s = apply(f.type, f.payload, f.size, false); !s) return s;
  }
  std::string log_path = join_path(opts_.dir, log_name);
  auto f = fs.open(log_path, open_mode::create);
  if (!f) return f.err();
  log_ = *f;
  std::vector<uint8_t> data(static_cast<size_t>(log_->size()));
  auto n = log_->read_at(0, data);
  if (!n) return n.err();
  data.resize(*n);
  auto parsed = parse_frames(data);
  if (parsed.resumes) {
    // Refuse to start rather than guess: cutting here would forget every
    // topic recorded after the damage, and the broker would then treat their
    // data as leftovers. The file is left exactly as found.
    return corrupt(log_path + ": damaged record at byte offset " + std::to_string(parsed.good_bytes) + " (" +
                   parsed.why + ") with valid records after it (from byte offset " +
                   std::to_string(*parsed.resumes) +
                   "); this is not a torn write, so nothing was cut. Restore the file from a backup, or move "
                   "the damaged bytes out of the file by hand, then start again");
  }
  for (auto& fr : parsed.frames) {
    if (auto s = apply(fr.type, fr.payload, fr.size, true); !s) return s;
    ++since_snapshot_;
  }
  if (parsed.good_bytes < data.size()) {
    spdlog::warn("metadata log {}: cut {} bytes of unacknowledged tail at byte offset {}: {}", log_path,
                 data.size() - parsed.good_bytes, parsed.good_bytes, parsed.why);
    if (auto s = log_->truncate(static_cast<int64_t>(parsed.good_bytes)); !s) return s;
    if (auto s = log_->sync(); !s) return s;
  }
  if (cluster_id_.empty()) {
    big_endian::byte_writer w;
    w.u64(last_seq_ + 1);
    w.str(new_cluster_id());
    if (auto s = append_record(rec_cluster_id, w.buffer()); !s) return s;
    if (auto s = fs.sync_dir(opts_.dir); !s) return s;
  }
  return {};
}

size_t metadata_store::topic_record_size(const topic_metadata& topic) {
  // sequence, name, id, partition count, config count, then each config as
  // two length-prefixed strings (see put_configs and big_endian::byte_writer::str).
  size_t size = 8 + 4 + topic.name.size() + 16 + 4 + 4;
  for (const auto& [k, v] : topic.configs) size += 4 + k.size() + 4 + v.size();
  return size;
}

status metadata_store::append_record(uint8_t type, const std::vector<uint8_t>& payload) {
  static_assert(max_written_record + 64 < max_record, "written records must stay readable, snapshot records too");
  if (payload.size() > max_written_record) {
    return make_storage_error(errc::record_too_large, "metadata record of " + std::to_string(payload.size()) +
                                                          " bytes refused: the limit is " +
                                                          std::to_string(max_written_record));
  }
  int64_t before = log_->size();
  auto bytes = frame(type, payload);
  status s = log_->append(bytes);
  if (s) s = log_->sync();
  if (!s) {
    (void)log_->truncate(before);
    return s;
  }
  {
    std::lock_guard state(state_mu_);
    if (auto a = apply(type, payload.data(), payload.size(), false); !a) return a;
  }
  ++since_snapshot_;
  if (since_snapshot_ >= opts_.snapshot_every) {
    if (auto snap = snapshot_locked(); !snap)
      spdlog::warn("metadata log: snapshot failed, will retry: {}", snap.err().describe());
  }
  return {};
}

status metadata_store::create_topic(const topic_metadata& topic) {
  std::lock_guard lock(write_mu_);
  if (topic.name.empty() || topic.partition_count <= 0)
    return make_storage_error(errc::invalid_argument, "create topic '" + topic.name + "': bad name or partition count");
  if (topics_.contains(topic.name))
    return make_storage_error(errc::already_exists, "topic '" + topic.name + "' already exists");
  big_endian::byte_writer w;
  w.u64(last_seq_ + 1);
  w.str(topic.name);
  w.bytes(topic.topic_id.data(), 16);
  w.i32(topic.partition_count);
  put_configs(w, topic.configs);
  return append_record(rec_create_topic, w.buffer());
}

status metadata_store::delete_topic(const std::string& name) {
  std::lock_guard lock(write_mu_);
  if (!topics_.contains(name)) return make_storage_error(errc::not_found, "topic '" + name + "' does not exist");
  big_endian::byte_writer w;
  w.u64(last_seq_ + 1);
  w.str(name);
  return append_record(rec_delete_topic, w.buffer());
}

status metadata_store::set_partition_count(const std::string& name, int32_t count) {
  std::lock_guard lock(write_mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return make_storage_error(errc::not_found, "topic '" + name + "' does not exist");
  if (count <= 0) return make_storage_error(errc::invalid_argument, "partition count must be positive");
  big_endian::byte_writer w;
  w.u64(last_seq_ + 1);
  w.str(name);
  w.i32(count);
  return append_record(rec_set_partition_count, w.buffer());
}

status metadata_store::set_topic_config(const std::string& name, const std::map<std::string, std::string>& configs) {
  std::lock_guard lock(write_mu_);
  if (!topics_.contains(name)) return make_storage_error(errc::not_found, "topic '" + name + "' does not exist");
  big_endian::byte_writer w;
  w.u64(last_seq_ + 1);
  w.str(name);
  put_configs(w, configs);
  return append_record(rec_set_topic_config, w.buffer());
}

status metadata_store::append_acl_records(uint8_t type, const std::vector<acl_record>& acls) {
  auto parts = acl_payloads(0, acls, max_written_record);
  if (!parts) {
    return make_storage_error(errc::record_too_large,
                              "an ACL does not fit in one metadata record of " + std::to_string(max_written_record) +
                                  " bytes");
  }
  for (auto& payload : *parts) {
    // Each part is its own durable change with its own sequence number.
    big_endian::store_u64(payload.data(), last_seq_ + 1);
    if (auto s = append_record(type, payload); !s) return s;
  }
  return {};
}

status metadata_store::create_acls(const std::vector<acl_record>& acls) {
  std::lock_guard lock(write_mu_);
  return append_acl_records(rec_create_acl, acls);
}

status metadata_store::delete_acls(const std::vector<acl_record>& acls) {
  std::lock_guard lock(write_mu_);
  return append_acl_records(rec_delete_acl, acls);
}

std::vector<acl_record> metadata_store::acls() const {
  std::lock_guard lock(state_mu_);
  return {acls_.begin(), acls_.end()};
}

status metadata_store::set_client_quotas(const client_quota_entity& entity, const client_quota_values& values,
                                         size_t max_entities) {
  std::lock_guard lock(write_mu_);
  if (entity.empty()) return make_storage_error(errc::invalid_argument, "client quota entity is empty");
  if (!values.empty() && client_quotas_.size() >= max_entities && !client_quotas_.contains(entity)) {
    return make_storage_error(errc::limit_reached, std::to_string(client_quotas_.size()) +
                                                       " client quota entities are kept, the most allowed");
  }
  big_endian::byte_writer w;
  w.u64(last_seq_ + 1);
  put_quota_entity(w, entity);
  if (values.empty()) {
    if (!client_quotas_.contains(entity)) return {};  // nothing to remove: no record
    return append_record(rec_remove_client_quota, w.buffer());
  }
  put_quota_values(w, values);
  return append_record(rec_set_client_quota, w.buffer());
}

std::map<client_quota_entity, client_quota_values> metadata_store::client_quotas() const {
  std::lock_guard lock(state_mu_);
  return client_quotas_;
}

void metadata_store::for_each_client_quota(
    const std::function<void(const client_quota_entity&, const client_quota_values&)>& fn) const {
  std::lock_guard lock(state_mu_);
  for (const auto& [entity, values] : client_quotas_) fn(entity, values);
}

std::optional<client_quota_values> metadata_store::client_quota(const client_quota_entity& entity) const {
  std::lock_guard lock(state_mu_);
  auto it = client_quotas_.find(entity);
  if (it == client_quotas_.end()) return std::nullopt;
  return it->second;
}

size_t metadata_store::client_quota_count() const {
  std::lock_guard lock(state_mu_);
  return client_quotas_.size();
}

std::optional<topic_metadata> metadata_store::topic(const std::string& name) const {
  std::lock_guard lock(state_mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return it->second;
}

std::vector<topic_metadata> metadata_store::topics() const {
  std::lock_guard lock(state_mu_);
  std::vector<topic_metadata> out;
  for (auto& [n, t] : topics_) out.push_back(t);
  return out;
}

size_t metadata_store::scram_user_count_locked() const {
  size_t users = 0;
  const std::string* last = nullptr;
  for (const auto& [key, c] : scram_) {  // ordered by user, then mechanism
    if (!last || *last != key.first) ++users;
    last = &key.first;
  }
  return users;
}

bool metadata_store::has_scram_user_locked(const std::string& user) const {
  auto it = scram_.lower_bound({user, std::numeric_limits<int8_t>::min()});
  return it != scram_.end() && it->first.first == user;
}

size_t metadata_store::scram_user_count() const {
  std::lock_guard lock(state_mu_);
  return scram_user_count_locked();
}

bool metadata_store::has_scram_user(const std::string& user) const {
  std::lock_guard lock(state_mu_);
  return has_scram_user_locked(user);
}

status metadata_store::alter_scram_credentials(const std::vector<scram_change>& changes, size_t max_users) {
  std::lock_guard lock(write_mu_);
  // Check every change against the state the earlier ones leave, so the
  // batch is written whole or not at all.
  std::map<std::pair<std::string, int8_t>, bool> present;
  auto exists = [&](const std::string& user, int8_t m) {
    auto it = present.find({user, m});
    return it != present.end() ? it->second : scram_.contains({user, m});
  };
  std::vector<uint8_t> bytes;
  uint64_t seq = last_seq_;
  std::vector<std::pair<uint8_t, std::vector<uint8_t>>> records;
  for (const auto& change : changes) {
    big_endian::byte_writer w;
    w.u64(++seq);
    if (change.upsert) {
      if (auto why = check_scram_record(*change.upsert); !why.empty())
        return make_storage_error(errc::invalid_argument, "SCRAM credential of '" + change.upsert->user + "': " + why);
      put_scram(w, *change.upsert);
      present[{change.upsert->user, change.upsert->mechanism}] = true;
      records.emplace_back(rec_put_scram_credential, w.buffer());
    } else {
      if (!exists(change.delete_user, change.delete_mechanism))
        return make_storage_error(errc::not_found, "user '" + change.delete_user + "' has no credential for mechanism " +
                                                       std::to_string(change.delete_mechanism));
      w.str(change.delete_user);
      w.u8(static_cast<uint8_t>(change.delete_mechanism));
      present[{change.delete_user, change.delete_mechanism}] = false;
      records.emplace_back(rec_delete_scram_credential, w.buffer());
    }
    if (records.back().second.size() > max_written_record)
      return make_storage_error(errc::record_too_large, "SCRAM credential record too large");
    auto f = frame(records.back().first, records.back().second);
    bytes.insert(bytes.end(), f.begin(), f.end());
  }
  if (records.empty()) return {};
  if (max_users != SIZE_MAX) {
    // Users the changes add (a first credential) or remove (the last one).
    int64_t delta = 0;
    std::set<std::string> touched;
    for (const auto& change : changes) touched.insert(change.upsert ? change.upsert->user : change.delete_user);
    constexpr int8_t lowest = std::numeric_limits<int8_t>::min();
    for (const auto& user : touched) {
      bool after = false;
      for (auto it = scram_.lower_bound({user, lowest}); !after && it != scram_.end() && it->first.first == user; ++it)
        after = exists(user, it->first.second);
      for (auto it = present.lower_bound({user, lowest}); !after && it != present.end() && it->first.first == user;
           ++it)
        after = it->second;
      delta += static_cast<int64_t>(after) - static_cast<int64_t>(has_scram_user_locked(user));
    }
    const size_t users = scram_user_count_locked();
    if (delta > 0 && users + static_cast<size_t>(delta) > max_users) {
      return make_storage_error(errc::limit_reached, "SCRAM credentials are kept for " + std::to_string(users) +
                                                         " users, the most allowed");
    }
  }
  int64_t before = log_->size();
  status s = log_->append(bytes);
  if (s) s = log_->sync();
  if (!s) {
    (void)log_->truncate(before);
    return s;
  }
  {
    // All of the batch at once, so no reader sees half of it.
    std::lock_guard state(state_mu_);
    for (auto& [type, payload] : records) {
      if (auto a = apply(type, payload.data(), payload.size(), false); !a) return a;
      ++since_snapshot_;
    }
  }
  if (since_snapshot_ >= opts_.snapshot_every) {
    if (auto snap = snapshot_locked(); !snap)
      spdlog::warn("metadata log: snapshot failed, will retry: {}", snap.err().describe());
  }
  return {};
}

std::optional<scram_credential_record> metadata_store::scram_credential(const std::string& user,
                                                                        int8_t mechanism) const {
  std::lock_guard lock(state_mu_);
  auto it = scram_.find({user, mechanism});
  if (it == scram_.end()) return std::nullopt;
  return it->second;
}

std::vector<scram_credential_record> metadata_store::scram_credentials() const {
  std::lock_guard lock(state_mu_);
  std::vector<scram_credential_record> out;
  for (const auto& [key, c] : scram_) out.push_back(c);
  return out;
}

void metadata_store::snapshot_scram_records(
    const std::function<void(uint8_t, const std::vector<uint8_t>&)>& add) const {
  for (const auto& [key, c] : scram_) {
    big_endian::byte_writer w;
    w.u64(last_seq_);
    put_scram(w, c);
    add(rec_put_scram_credential, w.buffer());
  }
}

status metadata_store::snapshot() {
  std::lock_guard lock(write_mu_);
  return snapshot_locked();
}

int64_t metadata_store::records_since_snapshot() const {
  std::lock_guard lock(write_mu_);
  return since_snapshot_;
}

status metadata_store::snapshot_locked() {
  // Every snapshot record carries last_seq_, so replaying the old log over the
  // new snapshot (crash before the log is replaced) skips them all.
  std::vector<uint8_t> out;
  auto add = [&](uint8_t type, big_endian::byte_writer& w) {
    auto f = frame(type, w.buffer());
    out.insert(out.end(), f.begin(), f.end());
  };
  {
    big_endian::byte_writer w;
    w.u64(last_seq_);
    w.str(cluster_id_);
    add(rec_cluster_id, w);
  }
  for (auto& [name, t] : topics_) {
    big_endian::byte_writer w;
    w.u64(last_seq_);
    w.str(t.name);
    w.bytes(t.topic_id.data(), 16);
    w.i32(t.partition_count);
    put_configs(w, t.configs);
    add(rec_create_topic, w);
  }
  snapshot_scram_records([&](uint8_t type, const std::vector<uint8_t>& payload) {
    auto f = frame(type, payload);
    out.insert(out.end(), f.begin(), f.end());
  });
  if (!acls_.empty()) {
    // Always splittable: every ACL was written in a record of its own size or more.
    auto parts = acl_payloads(last_seq_, {acls_.begin(), acls_.end()}, max_written_record);
    if (!parts) return make_storage_error(errc::record_too_large, "snapshot: an ACL does not fit in one record");
    for (auto& payload : *parts) {
      auto f = frame(rec_create_acl, payload);
      out.insert(out.end(), f.begin(), f.end());
    }
  }
  for (const auto& [entity, values] : client_quotas_) {
    big_endian::byte_writer w;
    w.u64(last_seq_);
    put_quota_entity(w, entity);
    put_quota_values(w, values);
    add(rec_set_client_quota, w);
  }
  {
    big_endian::byte_writer w;
    w.u64(last_seq_);
    w.u32(static_cast<uint32_t>(topics_.size()));
    add(rec_snapshot_end, w);
  }
  file_system& fs = *opts_.fs;
  if (auto s = write_file_atomic(fs, join_path(opts_.dir, snapshot_name), out); !s) return s;
  if (auto s = write_file_atomic(fs, join_path(opts_.dir, log_name), {}); !s) return s;
  auto f = fs.open(join_path(opts_.dir, log_name), open_mode::read_write);
  if (!f) return f.err();
  log_ = *f;
  since_snapshot_ = 0;
  return {};
}

}  // namespace samsa::storage
