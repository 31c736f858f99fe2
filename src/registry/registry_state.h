// The registry's state: subjects, their versions, schemas by id, the
// compatibility and mode settings. A pure state machine: operations that
// change something return the `_schemas` records to write (plan), and the
// state changes only when those records are applied (after they are stored,
// or when replayed at start), so the log is the one source of truth.
// Not thread-safe: one owner thread (registry_service's HTTP thread).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/api_error.h"
#include "registry/compatibility.h"
#include "registry/parsed_schema.h"
#include "registry/schema.h"
#include "registry/schema_record.h"

namespace samsa::registry {

enum class registry_mode { readwrite, readonly, import };
std::string_view mode_name(registry_mode mode);
std::optional<registry_mode> parse_mode(std::string_view name);

// What a client sends to register, look up or check a schema.
struct schema_request {
  schema_type type = schema_type::avro;
  std::string schema;
  std::vector<schema_reference> references;
  bool normalize = false;
  std::optional<int32_t> id;       // IMPORT mode only
  std::optional<int32_t> version;  // IMPORT mode only
};

// One stored subject version as the API shows it.
struct version_view {
  std::string subject;
  int32_t version = 0;
  int32_t id = 0;
  schema_type type = schema_type::avro;
  std::string schema;
  std::vector<schema_reference> references;
  bool deleted = false;
};

struct schema_view {
  int32_t id = 0;
  schema_type type = schema_type::avro;
  std::string schema;
  std::vector<schema_reference> references;
};

// A change to make: records to store, and what to answer once stored.
template <typename Answer>
struct plan {
  std::vector<log_record> records;
  Answer answer{};
};

struct compatibility_answer {
  bool compatible = true;
  std::vector<std::string> messages;
};

// What a client can make the registry hold (registrations beyond are refused
// with 42205; replay applies what is stored whatever the limits).
struct registry_limits {
  size_t max_versions = 100'000;            // subject versions, soft-deleted ones included
  size_t max_schema_bytes = 512ull << 20;   // text of the distinct schemas
};

class registry_state {
 public:
  explicit registry_state(compatibility default_level = compatibility::backward, registry_limits limits = {})
      : default_level_(default_level), limits_(limits) {}

  // --- applying stored records -----------------------------------------
  // Replay and live writes both come here. A record that does not decode,
  // or a schema that no longer parses, is reported and skipped.
  status apply(const log_record& record);

  // --- reads ----------------------------------------------------------
  std::vector<std::string> subjects(bool include_deleted, const std::string& prefix = "") const;
  outcome<std::vector<int32_t>> versions(const std::string& subject, bool include_deleted) const;
  // "latest" = -1.
  outcome<version_view> version(const std::string& subject, int32_t version, bool include_deleted) const;
  outcome<schema_view> schema_by_id(int32_t id) const;
  // The parsed form of a stored id (null: no such id, or it no longer parses).
  const parsed_schema* parsed_by_id(int32_t id) const;
  outcome<std::vector<std::pair<std::string, int32_t>>> versions_of_id(int32_t id, bool include_deleted) const;
  outcome<std::vector<int32_t>> referenced_by(const std::string& subject, int32_t version) const;
  outcome<version_view> lookup(const std::string& subject, const schema_request& request, bool include_deleted) const;
  std::vector<std::string> schema_types() const { return {"JSON", "PROTOBUF", "AVRO"}; }

  // --- settings -------------------------------------------------------
  compatibility global_compatibility() const { return global_level_.value_or(default_level_); }
  std::optional<compatibility> subject_compatibility(const std::string& subject) const;
  compatibility effective_compatibility(const std::string& subject) const;
  registry_mode global_mode() const { return global_mode_; }
  std::optional<registry_mode> subject_mode(const std::string& subject) const;
  registry_mode effective_mode(const std::string& subject) const;

  // --- changes (plans) -------------------------------------------------
  outcome<plan<int32_t>> plan_register(const std::string& subject, const schema_request& request) const;
  outcome<plan<std::vector<int32_t>>> plan_delete_subject(const std::string& subject, bool permanent) const;
  outcome<plan<int32_t>> plan_delete_version(const std::string& subject, int32_t version, bool permanent) const;
  // subject "" = global. nullopt level = remove the setting.
  outcome<plan<std::string>> plan_config(const std::string& subject, const std::optional<std::string>& level) const;
  outcome<plan<std::string>> plan_mode(const std::string& subject, const std::optional<std::string>& mode,
                                       bool force) const;

  // A candidate against one version (-1 = latest) or, with nullopt, against
  // what the subject's level says.
  outcome<compatibility_answer> check(const std::string& subject, std::optional<int32_t> version,
                                      const schema_request& request) const;

  int32_t next_id() const { return next_id_; }
  size_t version_count() const { return version_count_; }
  size_t schema_bytes() const { return schema_bytes_; }
  size_t skipped_records() const { return skipped_; }

 private:
  struct stored_version {
    int32_t id = 0;
    bool deleted = false;
  };
  struct subject_state {
    std::map<int32_t, stored_version> versions;
    std::optional<compatibility> level;
    std::optional<registry_mode> mode;
  };
  struct stored_schema {
    schema_view view;
    std::optional<parsed_schema> parsed;  // nullopt: no longer parses (replay kept it)
    std::string identity;
    int uses = 0;  // subject versions naming this id
  };

  outcome<parsed_schema> parse(const schema_request& request) const;
  outcome<std::vector<resolved_dependency>> resolve(const std::vector<schema_reference>& refs) const;
  void resolve_into(const std::vector<schema_reference>& refs, std::vector<resolved_dependency>& out,
                    std::set<std::pair<std::string, int32_t>>& seen, int depth, std::optional<api_error>& err) const;
  static std::string identity_of(schema_type type, const std::string& normalized,
                                 const std::vector<schema_reference>& refs);
  const subject_state* find_subject(const std::string& subject) const;
  bool subject_live(const subject_state& s) const;
  int32_t resolve_version(const subject_state& s, int32_t version, bool include_deleted) const;
  version_view view_of(const std::string& subject, int32_t version, const stored_version& v) const;
  void drop_use(int32_t id);

  compatibility default_level_;
  registry_limits limits_;
  size_t version_count_ = 0;
  size_t schema_bytes_ = 0;
  std::optional<compatibility> global_level_;
  registry_mode global_mode_ = registry_mode::readwrite;
  std::map<std::string, subject_state> subjects_;
  std::map<int32_t, stored_schema> schemas_;
  std::map<std::string, int32_t> id_by_identity_;
  int32_t next_id_ = 1;
  size_t skipped_ = 0;
};

}  // namespace samsa::registry
