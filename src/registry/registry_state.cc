#include "registry/registry_state.h"

#include <algorithm>

namespace samsa::registry {

std::string_view mode_name(registry_mode mode) {
  switch (mode) {
    case registry_mode::readwrite: return "READWRITE";
    case registry_mode::readonly: return "READONLY";
    case registry_mode::import: return "IMPORT";
  }
  return "READWRITE";
}

std::optional<registry_mode> parse_mode(std::string_view name) {
  if (name == "READWRITE") return registry_mode::readwrite;
  if (name == "READONLY") return registry_mode::readonly;
  if (name == "IMPORT") return registry_mode::import;
  return std::nullopt;
}

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

constexpr int max_reference_depth = 16;

}  // namespace

// --- applying --------------------------------------------------------------

status registry_state::apply(const log_record& record) {
  auto decoded = decode_record(record.key, record.value);
  if (!decoded) {
    ++skipped_;
    return decoded.err();
  }
  if (auto* k = std::get_if<schema_key>(&*decoded)) {
    subject_state& subject = subjects_[k->subject];
    auto existing = subject.versions.find(k->version);
    if (!k->entry) {
      if (existing != subject.versions.end()) {
        drop_use(existing->second.id);
        subject.versions.erase(existing);
        --version_count_;
      }
      if (subject.versions.empty() && !subject.level && !subject.mode) subjects_.erase(k->subject);
      return {};
    }
    const schema_entry& e = *k->entry;
    next_id_ = std::max(next_id_, e.id + 1);
    if (existing != subject.versions.end() && existing->second.id != e.id) drop_use(existing->second.id);
    bool counted = existing != subject.versions.end() && existing->second.id == e.id;
    if (existing == subject.versions.end()) ++version_count_;
    subject.versions[k->version] = stored_version{e.id, e.deleted};
    auto it = schemas_.find(e.id);
    if (it == schemas_.end()) {
      stored_schema s;
      s.view = schema_view{e.id, e.type, e.schema, e.references};
      schema_request request{e.type, e.schema, e.references};
      auto parsed = parse(request);
      std::optional<error> failure;
      if (parsed) {
        s.identity = identity_of(e.type, parsed->normalized(), e.references);
        s.parsed = std::move(*parsed);
      } else {
        // Kept, so ids and versions stay as stored; checks against it report it.
        s.identity = "unparsed:" + std::to_string(e.id);
        failure = make_error(std::errc::invalid_argument,
                             "schema id " + std::to_string(e.id) + " no longer parses: " + parsed.err().message);
      }
      id_by_identity_.emplace(s.identity, e.id);
      schema_bytes_ += s.view.schema.size();
      it = schemas_.emplace(e.id, std::move(s)).first;
      if (!counted) ++it->second.uses;
      if (failure) return *failure;
      return {};
    }
    if (!counted) ++it->second.uses;
    return {};
  }
  if (auto* k = std::get_if<config_key>(&*decoded)) {
    std::optional<compatibility> level;
    if (k->compatibility) {
      level = parse_compatibility(*k->compatibility);
      if (!level) {
        ++skipped_;
        return make_error(std::errc::invalid_argument, "unknown compatibility level " + *k->compatibility);
      }
    }
    if (k->subject.empty()) {
      global_level_ = level;
    } else {
      subjects_[k->subject].level = level;
    }
    return {};
  }
  if (auto* k = std::get_if<mode_key>(&*decoded)) {
    std::optional<registry_mode> mode;
    if (k->mode) {
      mode = parse_mode(*k->mode);
      if (!mode) {
        ++skipped_;
        return make_error(std::errc::invalid_argument, "unknown mode " + *k->mode);
      }
    }
    if (k->subject.empty()) {
      global_mode_ = mode.value_or(registry_mode::readwrite);
    } else {
      subjects_[k->subject].mode = mode;
    }
    return {};
  }
  const auto& w = std::get<id_watermark>(*decoded);
  next_id_ = std::max(next_id_, w.next_id);
  return {};
}

void registry_state::drop_use(int32_t id) {
  auto it = schemas_.find(id);
  if (it == schemas_.end()) return;
  if (--it->second.uses <= 0) {
    auto ident = id_by_identity_.find(it->second.identity);
    if (ident != id_by_identity_.end() && ident->second == id) id_by_identity_.erase(ident);
    schema_bytes_ -= std::min(schema_bytes_, it->second.view.schema.size());
    schemas_.erase(it);
  }
}

// --- helpers -------------------------------------------------------------

std::string registry_state::identity_of(schema_type type, const std::string& normalized,
                                        const std::vector<schema_reference>& refs) {
  std::string key(type_name(type));
  key += '\0';
  key += normalized;
  for (const auto& r : refs) {
    key += '\0';
    key += r.name + '\x01' + r.subject + '\x01' + std::to_string(r.version);
  }
  return key;
}

const registry_state::subject_state* registry_state::find_subject(const std::string& subject) const {
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? nullptr : &it->second;
}

bool registry_state::subject_live(const subject_state& s) const {
  return std::any_of(s.versions.begin(), s.versions.end(), [](const auto& v) { return !v.second.deleted; });
}

int32_t registry_state::resolve_version(const subject_state& s, int32_t version, bool include_deleted) const {
  if (version == -1) {
    for (auto it = s.versions.rbegin(); it != s.versions.rend(); ++it)
      if (include_deleted || !it->second.deleted) return it->first;
    return 0;
  }
  auto it = s.versions.find(version);
  if (it == s.versions.end() || (!include_deleted && it->second.deleted)) return 0;
  return version;
}

version_view registry_state::view_of(const std::string& subject, int32_t version, const stored_version& v) const {
  version_view out;
  out.subject = subject;
  out.version = version;
  out.id = v.id;
  out.deleted = v.deleted;
  if (auto it = schemas_.find(v.id); it != schemas_.end()) {
    out.type = it->second.view.type;
    out.schema = it->second.view.schema;
    out.references = it->second.view.references;
  }
  return out;
}

void registry_state::resolve_into(const std::vector<schema_reference>& refs, std::vector<resolved_dependency>& out,
                                  std::set<std::pair<std::string, int32_t>>& seen, int depth,
                                  std::optional<api_error>& err) const {
  if (depth > max_reference_depth) {
    err = fail(codes::invalid_schema, "references nest deeper than " + std::to_string(max_reference_depth));
    return;
  }
  for (const auto& r : refs) {
    if (err) return;
    const subject_state* s = find_subject(r.subject);
    int32_t v = s ? resolve_version(*s, r.version, true) : 0;
    if (!s || v == 0) {
      err = fail(codes::invalid_schema, "Invalid schema: reference " + quoted(r.name) + " names subject " +
                                            quoted(r.subject) + " version " + std::to_string(r.version) +
                                            ", which does not exist");
      return;
    }
    if (!seen.insert({r.subject, v}).second) continue;
    const auto& schema = schemas_.at(s->versions.at(v).id);
    resolve_into(schema.view.references, out, seen, depth + 1, err);
    out.push_back(resolved_dependency{r.name, schema.view.type, schema.view.schema});
    if (out.size() > max_references) {
      err = fail(codes::invalid_schema, "more than " + std::to_string(max_references) + " referenced schemas");
      return;
    }
  }
}

outcome<std::vector<resolved_dependency>> registry_state::resolve(const std::vector<schema_reference>& refs) const {
  std::vector<resolved_dependency> out;
  std::set<std::pair<std::string, int32_t>> seen;
  std::optional<api_error> err;
  resolve_into(refs, out, seen, 0, err);
  if (err) return *err;
  return out;
}

outcome<parsed_schema> registry_state::parse(const schema_request& request) const {
  auto deps = resolve(request.references);
  if (!deps) return deps.err();
  auto parsed = parse_schema(request.type, request.schema, *deps);
  if (!parsed) return fail(codes::invalid_schema, parsed.err().message);
  return std::move(*parsed);
}

// --- reads ---------------------------------------------------------------

std::vector<std::string> registry_state::subjects(bool include_deleted, const std::string& prefix) const {
  std::vector<std::string> out;
  for (const auto& [name, s] : subjects_) {
    if (s.versions.empty()) continue;
    if (name.rfind(prefix, 0) != 0) continue;
    if (include_deleted || subject_live(s)) out.push_back(name);
  }
  return out;
}

outcome<std::vector<int32_t>> registry_state::versions(const std::string& subject, bool include_deleted) const {
  const subject_state* s = find_subject(subject);
  if (!s || s->versions.empty() || (!include_deleted && !subject_live(*s)))
    return fail(codes::subject_not_found, "Subject " + quoted(subject) + " not found.");
  std::vector<int32_t> out;
  for (const auto& [v, sv] : s->versions)
    if (include_deleted || !sv.deleted) out.push_back(v);
  return out;
}

outcome<version_view> registry_state::version(const std::string& subject, int32_t version,
                                              bool include_deleted) const {
  const subject_state* s = find_subject(subject);
  if (!s || s->versions.empty() || (!include_deleted && !subject_live(*s)))
    return fail(codes::subject_not_found, "Subject " + quoted(subject) + " not found.");
  int32_t v = resolve_version(*s, version, include_deleted);
  if (v == 0) return fail(codes::version_not_found, "Version " + std::to_string(version) + " not found.");
  return view_of(subject, v, s->versions.at(v));
}

outcome<schema_view> registry_state::schema_by_id(int32_t id) const {
  auto it = schemas_.find(id);
  if (it == schemas_.end()) return fail(codes::schema_not_found, "Schema " + std::to_string(id) + " not found");
  return it->second.view;
}

const parsed_schema* registry_state::parsed_by_id(int32_t id) const {
  auto it = schemas_.find(id);
  return it == schemas_.end() || !it->second.parsed ? nullptr : &*it->second.parsed;
}

outcome<std::vector<std::pair<std::string, int32_t>>> registry_state::versions_of_id(int32_t id,
                                                                                     bool include_deleted) const {
  if (!schemas_.count(id)) return fail(codes::schema_not_found, "Schema " + std::to_string(id) + " not found");
  std::vector<std::pair<std::string, int32_t>> out;
  for (const auto& [name, s] : subjects_)
    for (const auto& [v, sv] : s.versions)
      if (sv.id == id && (include_deleted || !sv.deleted)) out.emplace_back(name, v);
  return out;
}

outcome<std::vector<int32_t>> registry_state::referenced_by(const std::string& subject, int32_t version) const {
  auto v = this->version(subject, version, false);
  if (!v) return v.err();
  std::set<int32_t> ids;
  for (const auto& [name, s] : subjects_)
    for (const auto& [ver, sv] : s.versions) {
      if (sv.deleted) continue;
      auto it = schemas_.find(sv.id);
      if (it == schemas_.end()) continue;
      for (const auto& r : it->second.view.references)
        if (r.subject == subject && r.version == v->version) ids.insert(sv.id);
    }
  return std::vector<int32_t>(ids.begin(), ids.end());
}

outcome<version_view> registry_state::lookup(const std::string& subject, const schema_request& request,
                                             bool include_deleted) const {
  const subject_state* s = find_subject(subject);
  if (!s || s->versions.empty() || (!include_deleted && !subject_live(*s)))
    return fail(codes::subject_not_found, "Subject " + quoted(subject) + " not found.");
  auto parsed = parse(request);
  if (!parsed) return parsed.err();
  std::string identity = identity_of(request.type, parsed->normalized(), request.references);
  for (auto it = s->versions.rbegin(); it != s->versions.rend(); ++it) {
    if (it->second.deleted && !include_deleted) continue;
    auto sch = schemas_.find(it->second.id);
    if (sch != schemas_.end() && sch->second.identity == identity) return view_of(subject, it->first, it->second);
  }
  return fail(codes::schema_not_found, "Schema not found");
}

std::optional<compatibility> registry_state::subject_compatibility(const std::string& subject) const {
  const subject_state* s = find_subject(subject);
  return s ? s->level : std::nullopt;
}

compatibility registry_state::effective_compatibility(const std::string& subject) const {
  return subject_compatibility(subject).value_or(global_compatibility());
}

std::optional<registry_mode> registry_state::subject_mode(const std::string& subject) const {
  const subject_state* s = find_subject(subject);
  return s ? s->mode : std::nullopt;
}

registry_mode registry_state::effective_mode(const std::string& subject) const {
  return subject_mode(subject).value_or(global_mode_);
}

// --- changes ---------------------------------------------------------------

outcome<plan<int32_t>> registry_state::plan_register(const std::string& subject, const schema_request& request) const {
  registry_mode mode = effective_mode(subject);
  if (mode == registry_mode::readonly)
    return fail(codes::operation_not_permitted, "Subject " + quoted(subject) + " is in read-only mode");
  bool importing = mode == registry_mode::import;
  if (request.id && !importing)
    return fail(codes::operation_not_permitted,
                "Subject " + quoted(subject) + " is not in import mode: a schema id may only be given in IMPORT mode");
  if (importing && !request.id)
    return fail(codes::operation_not_permitted, "In IMPORT mode a schema is registered with its id");
  auto parsed = parse(request);
  if (!parsed) return parsed.err();
  std::string identity = identity_of(request.type, parsed->normalized(), request.references);
  const subject_state* s = find_subject(subject);
  plan<int32_t> out;
  if (s && !importing) {
    for (const auto& [v, sv] : s->versions) {
      auto sch = schemas_.find(sv.id);
      if (!sv.deleted && sch != schemas_.end() && sch->second.identity == identity) {
        out.answer = sv.id;  // already registered: the same id, nothing written
        return out;
      }
    }
  }
  if (version_count_ >= limits_.max_versions)
    return fail(codes::operation_not_permitted, "The registry holds " + std::to_string(version_count_) +
                                                    " schema versions, its limit: delete some permanently first");
  if (!id_by_identity_.count(identity) && schema_bytes_ + request.schema.size() > limits_.max_schema_bytes)
    return fail(codes::operation_not_permitted, "The registry holds " + std::to_string(schema_bytes_) +
                                                    " bytes of schemas, its limit: delete some permanently first");
  if (s && !importing) {
    std::vector<earlier_version> earlier;
    for (const auto& [v, sv] : s->versions) {
      if (sv.deleted) continue;
      auto sch = schemas_.find(sv.id);
      if (sch != schemas_.end() && sch->second.parsed) earlier.push_back({v, &*sch->second.parsed});
    }
    auto problems = compatibility_problems(effective_compatibility(subject), *parsed, earlier);
    if (!problems.empty()) {
      std::string details;
      for (const auto& p : problems) details += (details.empty() ? "" : ", ") + p;
      return fail(codes::incompatible_schema, "Schema being registered is incompatible with an earlier schema for subject " +
                                                  quoted(subject) + ", details: [" + details + "]");
    }
  }
  int32_t id = 0;
  if (importing) {
    id = *request.id;
    if (id < 1) return fail(codes::invalid_schema, "a schema id is a positive number");
    auto existing = schemas_.find(id);
    if (existing != schemas_.end() && existing->second.identity != identity)
      return fail(codes::operation_not_permitted,
                  "Overwrite new schema with id " + std::to_string(id) + " is not permitted.");
  } else if (auto known = id_by_identity_.find(identity); known != id_by_identity_.end()) {
    id = known->second;
  } else {
    id = next_id_;
  }
  if (id >= next_id_) out.records.push_back(encode_id_watermark(id + 1));
  int32_t version = s && !s->versions.empty() ? s->versions.rbegin()->first + 1 : 1;
  if (importing && request.version) {
    if (*request.version < 1) return fail(codes::invalid_version, "a version is a positive number");
    if (s && s->versions.count(*request.version))
      return fail(codes::operation_not_permitted,
                  "Version " + std::to_string(*request.version) + " of subject " + quoted(subject) + " exists");
    version = *request.version;
  }
  schema_entry entry;
  entry.subject = subject;
  entry.version = version;
  entry.id = id;
  entry.type = request.type;
  // Protobuf is stored as its canonical .proto text (a base64 descriptor
  // becomes readable text); the others as given unless normalized.
  entry.schema = request.normalize || request.type == schema_type::protobuf ? parsed->normalized() : request.schema;
  entry.references = request.references;
  out.records.push_back(encode_schema(entry));
  out.answer = id;
  return out;
}

outcome<plan<std::vector<int32_t>>> registry_state::plan_delete_subject(const std::string& subject,
                                                                        bool permanent) const {
  if (effective_mode(subject) == registry_mode::readonly)
    return fail(codes::operation_not_permitted, "Subject " + quoted(subject) + " is in read-only mode");
  const subject_state* s = find_subject(subject);
  if (!s || s->versions.empty()) return fail(codes::subject_not_found, "Subject " + quoted(subject) + " not found.");
  bool live = subject_live(*s);
  if (!permanent && !live)
    return fail(codes::subject_soft_deleted,
                "Subject " + quoted(subject) + " was soft deleted. Set permanent=true to delete permanently");
  if (permanent && live)
    return fail(codes::subject_not_soft_deleted,
                "Subject " + quoted(subject) + " was not deleted first before being permanently deleted");
  plan<std::vector<int32_t>> out;
  for (const auto& [v, sv] : s->versions) {
    if (!permanent && !sv.deleted) {
      auto refs = referenced_by(subject, v);
      if (refs && !refs->empty())
        return fail(codes::reference_exists, "One or more references exist to the schema {subject=" + subject +
                                                 ", version=" + std::to_string(v) + "}");
    }
    if (permanent) {
      out.records.push_back(encode_schema_tombstone(subject, v));
      out.answer.push_back(v);
    } else if (!sv.deleted) {
      version_view view = view_of(subject, v, sv);
      schema_entry e{subject, v, sv.id, view.type, view.schema, view.references, true};
      out.records.push_back(encode_schema(e));
      out.answer.push_back(v);
    }
  }
  return out;
}

outcome<plan<int32_t>> registry_state::plan_delete_version(const std::string& subject, int32_t version,
                                                           bool permanent) const {
  if (effective_mode(subject) == registry_mode::readonly)
    return fail(codes::operation_not_permitted, "Subject " + quoted(subject) + " is in read-only mode");
  const subject_state* s = find_subject(subject);
  if (!s || s->versions.empty()) return fail(codes::subject_not_found, "Subject " + quoted(subject) + " not found.");
  // An explicit version may be a soft-deleted one (so its error can say so); "latest" is the live one.
  int32_t v = resolve_version(*s, version, permanent || version != -1);
  if (v == 0) return fail(codes::version_not_found, "Version " + std::to_string(version) + " not found.");
  const stored_version& sv = s->versions.at(v);
  plan<int32_t> out;
  out.answer = v;
  if (permanent) {
    if (!sv.deleted)
      return fail(codes::version_not_soft_deleted, "Subject " + quoted(subject) + " Version " + std::to_string(v) +
                                                       " was not deleted first before being permanently deleted");
    out.records.push_back(encode_schema_tombstone(subject, v));
    return out;
  }
  if (sv.deleted)
    return fail(codes::version_soft_deleted, "Subject " + quoted(subject) + " Version " + std::to_string(v) +
                                                 " was soft deleted. Set permanent=true to delete permanently");
  auto refs = referenced_by(subject, v);
  if (refs && !refs->empty())
    return fail(codes::reference_exists, "One or more references exist to the schema {subject=" + subject +
                                             ", version=" + std::to_string(v) + "}");
  version_view view = view_of(subject, v, sv);
  out.records.push_back(encode_schema(schema_entry{subject, v, sv.id, view.type, view.schema, view.references, true}));
  return out;
}

outcome<plan<std::string>> registry_state::plan_config(const std::string& subject,
                                                       const std::optional<std::string>& level) const {
  plan<std::string> out;
  if (level) {
    auto parsed = parse_compatibility(*level);
    if (!parsed)
      return fail(codes::invalid_compatibility_level,
                  "Invalid compatibility level " + *level +
                      ". Valid values are NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, "
                      "FULL_TRANSITIVE");
    out.answer = *level;
  } else if (subject.empty()) {
    out.answer = std::string(compatibility_name(global_compatibility()));
  } else {
    auto current = subject_compatibility(subject);
    if (!current)
      return fail(codes::subject_compatibility_not_configured,
                  "Subject " + quoted(subject) + " does not have subject-level compatibility configured");
    out.answer = std::string(compatibility_name(*current));
  }
  out.records.push_back(encode_config(subject, level));
  return out;
}

outcome<plan<std::string>> registry_state::plan_mode(const std::string& subject, const std::optional<std::string>& mode,
                                                     bool force) const {
  plan<std::string> out;
  if (mode) {
    auto parsed = parse_mode(*mode);
    if (!parsed) return fail(codes::invalid_mode, "Invalid mode " + *mode + ". Valid values are READWRITE, READONLY, IMPORT");
    if (*parsed == registry_mode::import && !force) {
      bool has_schemas = subject.empty() ? !subjects(true).empty() : versions(subject, true).ok();
      if (has_schemas)
        return fail(codes::operation_not_permitted,
                    "Cannot import since found existing subjects (set force=true to switch to IMPORT anyway)");
    }
    out.answer = *mode;
  } else {
    auto current = subject.empty() ? std::optional<registry_mode>(global_mode_) : subject_mode(subject);
    if (!current)
      return fail(codes::subject_mode_not_configured, "Subject " + quoted(subject) + " does not have subject-level mode configured");
    out.answer = std::string(mode_name(*current));
  }
  out.records.push_back(encode_mode(subject, mode));
  return out;
}

outcome<compatibility_answer> registry_state::check(const std::string& subject, std::optional<int32_t> version,
                                                    const schema_request& request) const {
  auto parsed = parse(request);
  if (!parsed) return parsed.err();
  const subject_state* s = find_subject(subject);
  std::vector<earlier_version> earlier;
  compatibility level = effective_compatibility(subject);
  if (version) {
    if (!s || s->versions.empty() || !subject_live(*s))
      return fail(codes::subject_not_found, "Subject " + quoted(subject) + " not found.");
    int32_t v = resolve_version(*s, *version, false);
    if (v == 0) return fail(codes::version_not_found, "Version " + std::to_string(*version) + " not found.");
    auto sch = schemas_.find(s->versions.at(v).id);
    if (sch != schemas_.end() && sch->second.parsed) earlier.push_back({v, &*sch->second.parsed});
  } else if (s) {
    for (const auto& [v, sv] : s->versions) {
      if (sv.deleted) continue;
      auto sch = schemas_.find(sv.id);
      if (sch != schemas_.end() && sch->second.parsed) earlier.push_back({v, &*sch->second.parsed});
    }
    // Against every version: the transitive form of the level.
    if (level == compatibility::backward) level = compatibility::backward_transitive;
    if (level == compatibility::forward) level = compatibility::forward_transitive;
    if (level == compatibility::full) level = compatibility::full_transitive;
  }
  compatibility_answer answer;
  answer.messages = compatibility_problems(level, *parsed, earlier);
  answer.compatible = answer.messages.empty();
  return answer;
}

}  // namespace samsa::registry
