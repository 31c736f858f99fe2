// The metadata log: cluster id, topics (name, id, partition count, config
// overrides), ACLs and client quotas kept as framed records in <data dir>/__cluster_metadata, replayed
// at open and periodically folded into a snapshot (docs/formats/metadata-log.md).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
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

// A client-quota entity as AlterClientQuotas names it: entity type ("user",
// "client-id") -> name, where nullopt is the `<default>` entity.
using client_quota_entity = std::map<std::string, std::optional<std::string>>;
using client_quota_values = std::map<std::string, double>;  // quota key -> value

// A user's SCRAM credential for one mechanism, as stored: salted hashes
// only, never the password (RFC 5802). `mechanism` is Kafka's wire number
// (1 SCRAM-SHA-256, 2 SCRAM-SHA-512).
struct scram_credential_record {
  std::string user;
  int8_t mechanism = 0;
  int32_t iterations = 0;
  std::vector<uint8_t> salt;
  std::vector<uint8_t> stored_key;
  std::vector<uint8_t> server_key;
  bool operator==(const scram_credential_record&) const = default;
};

// One change of AlterUserScramCredentials: an upsert (credential set) or a
// deletion of (user, mechanism).
struct scram_change {
  std::optional<scram_credential_record> upsert;
  std::string delete_user;
  int8_t delete_mechanism = 0;
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
// returns, so it is either fully applied after a crash or not at all. Reads
// never wait for a mutation's disk work: they see the last change that is
// durable (see write_mu_ and state_mu_).
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

  // Client quotas: replaces the entity's whole set of values (record 11);
  // an empty set removes the entity (record 12). Values are checked by the
  // caller (quota keys and ranges are the broker's business). A new entity
  // while `max_entities` are kept: errc::limit_reached, nothing written
  // (checked here, under the store's lock, so racing requests cannot pass it).
  [[nodiscard]] status set_client_quotas(const client_quota_entity& entity, const client_quota_values& values,
                                         size_t max_entities = SIZE_MAX);
  std::map<client_quota_entity, client_quota_values> client_quotas() const;
  // Every entity in turn, under the store's lock, without a copy of them
  // all (the broker rebuilds its quota table after each change).
  void for_each_client_quota(
      const std::function<void(const client_quota_entity&, const client_quota_values&)>& fn) const;
  // One entity's values (nullopt: none set), without copying the others.
  std::optional<client_quota_values> client_quota(const client_quota_entity& entity) const;
  size_t client_quota_count() const;

  std::optional<topic_metadata> topic(const std::string& name) const;
  std::vector<topic_metadata> topics() const;

  // SCRAM credentials (record types 7 and 8). Applies `changes` in order,
  // all checked first (errc::invalid_argument for a malformed credential,
  // errc::not_found for deleting one that does not exist), then written as
  // one record each with a single fdatasync before it returns. Changes that
  // would leave more than `max_users` users with a credential, and more
  // than before, are refused whole with errc::limit_reached.
  [[nodiscard]] status alter_scram_credentials(const std::vector<scram_change>& changes,
                                               size_t max_users = SIZE_MAX);
  std::optional<scram_credential_record> scram_credential(const std::string& user, int8_t mechanism) const;
  // Users with at least one credential, and whether `user` is one of them.
  size_t scram_user_count() const;
  bool has_scram_user(const std::string& user) const;
  std::vector<scram_credential_record> scram_credentials() const;  // ordered by user, then mechanism
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
  void snapshot_scram_records(const std::function<void(uint8_t, const std::vector<uint8_t>&)>& add) const;
  [[nodiscard]] status append_acl_records(uint8_t type, const std::vector<acl_record>& acls);
  size_t scram_user_count_locked() const;
  bool has_scram_user_locked(const std::string& user) const;

  options opts_;
  // Two locks, taken in this order, so that a read (a SCRAM login, a
  // Describe* on the handler thread) never waits on a disk sync:
  // - write_mu_ serialises the mutations and is held through each one's
  //   checks, append, fdatasync and snapshot; it also guards log_ and
  //   since_snapshot_. A mutation reads the state below under write_mu_
  //   alone: only a holder of write_mu_ ever changes it.
  // - state_mu_ guards the state below and is held only to read it, or by
  //   the holder of write_mu_ to apply a change already on disk, so readers
  //   see durable state only and wait at most for an in-memory update.
  mutable std::mutex write_mu_;
  mutable std::mutex state_mu_;
  std::string cluster_id_;
  std::map<std::string, topic_metadata> topics_;
  std::map<std::pair<std::string, int8_t>, scram_credential_record> scram_;
  std::set<acl_record> acls_;
  std::map<client_quota_entity, client_quota_values> client_quotas_;
  std::shared_ptr<file> log_;
  uint64_t last_seq_ = 0;
  int64_t since_snapshot_ = 0;
};

}  // namespace samsa::storage
