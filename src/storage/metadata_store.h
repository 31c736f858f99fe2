// The metadata log: cluster id, topics (name, id, partition count, config
// overrides) and ACLs kept as framed records in <data dir>/__cluster_metadata, replayed
// at open and periodically folded into a snapshot (docs/formats/metadata-log.md).
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/file_system.h"

namespace samsa::storage {

struct topic_metadata {
  std::string name;
  std::array<uint8_t, 16> topic_id{};
  int32_t partition_count = 0;
  std::map<std::string, std::string> configs;  // topic-level overrides only
  bool operator==(const topic_metadata&) const = default;
};

// One ACL as the metadata log keeps it: Kafka's codes and strings. The
// broker checks ACLs (security/acl) before they get here; the store only
// keeps them.
struct acl_record {
  int8_t resource_type = 0;
  std::string resource_name;
  int8_t pattern_type = 0;
  std::string principal;
  std::string host;
  int8_t operation = 0;
  int8_t permission = 0;
  auto operator<=>(const acl_record&) const = default;
  bool operator==(const acl_record&) const = default;
};

// Thread-safe. Every mutation appends one record and fdatasyncs before it
// returns, so it is either fully applied after a crash or not at all.
class metadata_store {
 public:
  // The largest record a mutation may write. Loading accepts frames up to
  // 64 MiB; writing stops far below, so neither a log record nor a snapshot
  // record (the same topic, a few bytes more) can ever be unreadable.
  static constexpr size_t max_written_record = 16u << 20;
  // The payload size of the record that stores `topic` (create or snapshot):
  // callers check it against max_written_record before making anything.
  static size_t topic_record_size(const topic_metadata& topic);

  struct options {
    std::shared_ptr<file_system> fs;
    std::string dir;                    // usually <log.dir>/__cluster_metadata
    int64_t snapshot_every = 1000;      // records between snapshots
  };

  static result<std::unique_ptr<metadata_store>> open(options opts);

  const std::string& cluster_id() const { return cluster_id_; }

  // errc::already_exists / errc::not_found / errc::invalid_argument on misuse;
  // errc::record_too_large when the record would exceed max_written_record.
  [[nodiscard]] status create_topic(const topic_metadata& topic);
  [[nodiscard]] status delete_topic(const std::string& name);
  [[nodiscard]] status set_partition_count(const std::string& name, int32_t count);
  [[nodiscard]] status set_topic_config(const std::string& name, const std::map<std::string, std::string>& configs);

  std::optional<topic_metadata> topic(const std::string& name) const;
  std::vector<topic_metadata> topics() const;

  // ACLs: create adds (one already there is kept once), delete removes (one
  // not there is ignored). A change too big for one record is split into
  // records of at most max_written_record, each durable before the next is
  // written, so a crash keeps a prefix of the ACLs, never a torn one.
  // errc::record_too_large when a single ACL would not fit in a record.
  [[nodiscard]] status create_acls(const std::vector<acl_record>& acls);
  [[nodiscard]] status delete_acls(const std::vector<acl_record>& acls);
  std::vector<acl_record> acls() const;

  // Writes a snapshot of the whole state and starts an empty log.
  [[nodiscard]] status snapshot();
  int64_t records_since_snapshot() const;

 private:
  explicit metadata_store(options opts) : opts_(std::move(opts)) {}
  [[nodiscard]] status load();
  [[nodiscard]] status append_record(uint8_t type, const std::vector<uint8_t>& payload);
  [[nodiscard]] status apply(uint8_t type, const uint8_t* p, size_t n, bool replay);
  [[nodiscard]] status snapshot_locked();
  [[nodiscard]] status append_acl_records(uint8_t type, const std::vector<acl_record>& acls);

  options opts_;
  mutable std::mutex mu_;
  std::string cluster_id_;
  std::map<std::string, topic_metadata> topics_;
  std::set<acl_record> acls_;
  std::shared_ptr<file> log_;
  uint64_t last_seq_ = 0;
  int64_t since_snapshot_ = 0;
};

}  // namespace samsa::storage
