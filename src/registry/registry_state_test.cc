// The registry state machine: ids, versions, deletes, settings, modes and
// the compatibility levels, driven the way the REST layer drives it (plan,
// store, apply) and by replaying the stored records into a fresh state.
#include "registry/registry_state.h"

#include <gtest/gtest.h>

namespace samsa::registry {
namespace {

const char* v1 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"}]})";
const char* v2_default = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"e","type":"string","default":""}]})";
const char* v2_no_default = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"e","type":"string"}]})";
const char* v_extra =
    R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"e","type":"string","default":""},{"name":"z","type":"int"}]})";
const char* v3_no_id = R"({"type":"record","name":"User","fields":[{"name":"e","type":"string","default":""}]})";

schema_request avro(const char* text) { return schema_request{schema_type::avro, text, {}}; }

// A registry whose "log" is a vector, as the service's is the topic.
struct harness {
  registry_state state;
  std::vector<log_record> log;

  template <typename Answer>
  outcome<Answer> commit(outcome<plan<Answer>> p) {
    if (!p) return p.err();
    for (auto& r : p->records) {
      log.push_back(r);
      EXPECT_TRUE(state.apply(r).ok());
    }
    return p->answer;
  }
  outcome<int32_t> reg(const std::string& subject, const schema_request& r) {
    return commit(state.plan_register(subject, r));
  }
  registry_state replayed() const {
    registry_state fresh;
    for (const auto& r : log) EXPECT_TRUE(fresh.apply(r).ok());
    return fresh;
  }
};

TEST(RegistryState, SameSchemaSameIdAndNothingWritten) {
  harness h;
  auto id = h.reg("s", avro(v1));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 1);
  size_t records = h.log.size();
  // Differently written, same schema.
  auto again = h.reg("s", avro(R"({"fields":[{"type":"long","name":"id"}],"name":"User","type":"record"})"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 1);
  EXPECT_EQ(h.log.size(), records);
  // Another subject: the same id, a version of its own.
  auto other = h.reg("t", avro(v1));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, 1);
  EXPECT_EQ(h.state.version("t", -1, false)->version, 1);
  EXPECT_EQ((*h.state.versions_of_id(1, false)).size(), 2u);
}

TEST(RegistryState, BackwardIsTheDefaultAndRefusesAFieldWithoutDefault) {
  harness h;
  ASSERT_TRUE(h.reg("s", avro(v1)).ok());
  auto bad = h.reg("s", avro(v2_no_default));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.err().error_code, 409);
  EXPECT_EQ(bad.err().http_status(), 409);
  EXPECT_NE(bad.err().message.find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos);
  auto good = h.reg("s", avro(v2_default));
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 2);
  EXPECT_EQ(h.state.version("s", -1, false)->version, 2);
}

TEST(RegistryState, EachLevelChecksItsDirectionAndItsVersions) {
  struct row {
    const char* level;
    const char* candidate;
    bool accepted;
  };
  // History: v1 {id}, then v2 {id, e=""}. v_extra adds z without a default (a new
  // reader cannot read v2's data); v3_no_id drops id (v2 as a reader has no default for it).
  for (const row& r : {row{"NONE", v_extra, true}, row{"BACKWARD", v_extra, false},
                       row{"BACKWARD", v3_no_id, true}, row{"FORWARD", v3_no_id, false},
                       row{"FORWARD", v_extra, true}, row{"FULL", v_extra, false},
                       row{"FULL", v3_no_id, false}, row{"FULL", v2_no_default, true}}) {
    harness h;
    ASSERT_TRUE(h.reg("s", avro(v1)).ok());
    ASSERT_TRUE(h.reg("s", avro(v2_default)).ok());
    ASSERT_TRUE(h.commit(h.state.plan_config("s", std::string(r.level))).ok());
    EXPECT_EQ(h.reg("s", avro(r.candidate)).ok(), r.accepted) << r.level << " " << r.candidate;
  }
}

TEST(RegistryState, TransitiveLevelsCheckEveryVersion) {
  // v1 {id}, v2 {id, e=""} (NONE), then v4 {e (no default)}: backward vs v2 passes (e in writer),
  // vs v1 fails (e missing, no default).
  const char* v4 = R"({"type":"record","name":"User","fields":[{"name":"e","type":"string"}]})";
  for (auto [level, accepted] : {std::pair{"BACKWARD", true}, std::pair{"BACKWARD_TRANSITIVE", false}}) {
    harness h;
    ASSERT_TRUE(h.reg("s", avro(v1)).ok());
    ASSERT_TRUE(h.reg("s", avro(v2_default)).ok());
    ASSERT_TRUE(h.commit(h.state.plan_config("s", std::string(level))).ok());
    EXPECT_EQ(h.reg("s", avro(v4)).ok(), accepted) << level;
  }
  // FORWARD_TRANSITIVE: v1 reader reads new {id, f no default}? yes; v0 reader with x no default
  const char* f0 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"x","type":"long"}]})";
  const char* f1 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"},{"name":"x","type":"long","default":0}]})";
  const char* f2 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"}]})";
  for (auto [level, accepted] : {std::pair{"FORWARD", true}, std::pair{"FORWARD_TRANSITIVE", false},
                                 std::pair{"FULL", true}, std::pair{"FULL_TRANSITIVE", false}}) {
    harness h;
    ASSERT_TRUE(h.commit(h.state.plan_config("", std::string("NONE"))).ok());
    ASSERT_TRUE(h.reg("s", avro(f0)).ok());
    ASSERT_TRUE(h.reg("s", avro(f1)).ok());
    ASSERT_TRUE(h.commit(h.state.plan_config("s", std::string(level))).ok());
    EXPECT_EQ(h.reg("s", avro(f2)).ok(), accepted) << level;
  }
}

TEST(RegistryState, SoftAndPermanentDeletes) {
  harness h;
  ASSERT_TRUE(h.reg("s", avro(v1)).ok());
  ASSERT_TRUE(h.reg("s", avro(v2_default)).ok());
  // Permanent first is refused.
  auto early = h.commit(h.state.plan_delete_version("s", 1, true));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.err().error_code, codes::version_not_soft_deleted);
  ASSERT_TRUE(h.commit(h.state.plan_delete_version("s", 1, false)).ok());
  EXPECT_EQ(h.state.version("s", 1, false).err().error_code, codes::version_not_found);
  EXPECT_TRUE(h.state.version("s", 1, true).ok());
  EXPECT_EQ(h.commit(h.state.plan_delete_version("s", 1, false)).err().error_code, codes::version_soft_deleted);
  EXPECT_TRUE(h.state.schema_by_id(1).ok());  // soft-deleted schemas are still readable by id
  ASSERT_TRUE(h.commit(h.state.plan_delete_version("s", 1, true)).ok());
  EXPECT_FALSE(h.state.version("s", 1, true).ok());
  EXPECT_EQ(h.state.schema_by_id(1).err().error_code, codes::schema_not_found);
  // Subject: soft, then permanent.
  EXPECT_EQ(h.commit(h.state.plan_delete_subject("s", true)).err().error_code, codes::subject_not_soft_deleted);
  auto soft = h.commit(h.state.plan_delete_subject("s", false));
  ASSERT_TRUE(soft.ok());
  EXPECT_EQ(*soft, std::vector<int32_t>{2});
  EXPECT_TRUE(h.state.subjects(false).empty());
  EXPECT_EQ(h.state.subjects(true), std::vector<std::string>{"s"});
  ASSERT_TRUE(h.commit(h.state.plan_delete_subject("s", true)).ok());
  EXPECT_TRUE(h.state.subjects(true).empty());
  EXPECT_EQ(h.state.versions("s", true).err().error_code, codes::subject_not_found);
}

TEST(RegistryState, IdsAreNeverReusedEvenAfterPermanentDeleteAndCompaction) {
  harness h;
  ASSERT_TRUE(h.reg("s", avro(v1)).ok());
  ASSERT_TRUE(h.commit(h.state.plan_delete_subject("s", false)).ok());
  ASSERT_TRUE(h.commit(h.state.plan_delete_subject("s", true)).ok());
  // Compaction keeps the last record per key and drops tombstones: model it.
  std::map<std::string, std::optional<std::string>> latest;
  std::vector<std::string> order;
  for (const auto& r : h.log) {
    if (!latest.count(r.key)) order.push_back(r.key);
    latest[r.key] = r.value;
  }
  registry_state compacted;
  for (const auto& k : order)
    if (latest[k]) {
      ASSERT_TRUE(compacted.apply({k, latest[k]}).ok());
    }
  auto p = compacted.plan_register("s", avro(v2_default));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->answer, 2);
}

TEST(RegistryState, ReplayRebuildsTheSameState) {
  harness h;
  ASSERT_TRUE(h.reg("a", avro(v1)).ok());
  ASSERT_TRUE(h.reg("a", avro(v2_default)).ok());
  ASSERT_TRUE(h.reg("b", schema_request{schema_type::json, R"({"type":"object"})", {}}).ok());
  ASSERT_TRUE(h.commit(h.state.plan_delete_version("a", 1, false)).ok());
  ASSERT_TRUE(h.commit(h.state.plan_config("b", std::string("FULL"))).ok());
  ASSERT_TRUE(h.commit(h.state.plan_mode("", std::string("READONLY"), false)).ok());
  registry_state r = h.replayed();
  EXPECT_EQ(r.subjects(false), h.state.subjects(false));
  EXPECT_EQ(*r.versions("a", true), *h.state.versions("a", true));
  EXPECT_EQ(*r.versions("a", false), std::vector<int32_t>{2});
  EXPECT_EQ(r.effective_compatibility("b"), compatibility::full);
  EXPECT_EQ(r.global_mode(), registry_mode::readonly);
  EXPECT_EQ(r.next_id(), h.state.next_id());
  EXPECT_EQ(r.schema_by_id(3)->type, schema_type::json);
}

TEST(RegistryState, ReadOnlyRefusesWritesAndImportTakesGivenIds) {
  harness h;
  ASSERT_TRUE(h.commit(h.state.plan_mode("", std::string("READONLY"), false)).ok());
  EXPECT_EQ(h.reg("s", avro(v1)).err().error_code, codes::operation_not_permitted);
  EXPECT_EQ(h.commit(h.state.plan_mode("", std::string("SIDEWAYS"), false)).err().error_code, codes::invalid_mode);
  ASSERT_TRUE(h.commit(h.state.plan_mode("", std::string("IMPORT"), false)).ok());
  schema_request imported = avro(v1);
  imported.id = 42;
  imported.version = 7;
  ASSERT_EQ(*h.reg("s", imported), 42);
  EXPECT_EQ(h.state.version("s", -1, false)->version, 7);
  schema_request clash = avro(v2_default);
  clash.id = 42;
  EXPECT_EQ(h.reg("t", clash).err().error_code, codes::operation_not_permitted);
  ASSERT_TRUE(h.commit(h.state.plan_mode("", std::string("READWRITE"), false)).ok());
  EXPECT_EQ(*h.reg("t", avro(v2_no_default)), 43);  // after the imported id
  // IMPORT over existing subjects needs force.
  EXPECT_EQ(h.commit(h.state.plan_mode("", std::string("IMPORT"), false)).err().error_code, codes::operation_not_permitted);
  EXPECT_TRUE(h.commit(h.state.plan_mode("", std::string("IMPORT"), true)).ok());
}

TEST(RegistryState, ConfigLevelsAndErrors) {
  harness h;
  EXPECT_EQ(h.state.global_compatibility(), compatibility::backward);
  EXPECT_EQ(h.commit(h.state.plan_config("", std::string("SOMETIMES"))).err().error_code,
            codes::invalid_compatibility_level);
  EXPECT_EQ(h.commit(h.state.plan_config("s", std::nullopt)).err().error_code,
            codes::subject_compatibility_not_configured);
  ASSERT_TRUE(h.commit(h.state.plan_config("s", std::string("NONE"))).ok());
  EXPECT_EQ(h.state.effective_compatibility("s"), compatibility::none);
  ASSERT_TRUE(h.commit(h.state.plan_config("s", std::nullopt)).ok());
  EXPECT_EQ(h.state.effective_compatibility("s"), compatibility::backward);
}

TEST(RegistryState, ReferencesResolveAndProtectWhatTheyReference) {
  harness h;
  const char* address = R"({"type":"record","name":"Address","namespace":"ex","fields":[{"name":"city","type":"string"}]})";
  ASSERT_TRUE(h.reg("address", avro(address)).ok());
  schema_request user{schema_type::avro,
                      R"({"type":"record","name":"User","namespace":"ex","fields":[{"name":"home","type":"Address"}]})",
                      {schema_reference{"ex.Address", "address", 1}}};
  auto id = h.reg("user", user);
  ASSERT_TRUE(id.ok()) << id.err().message;
  EXPECT_EQ(*h.state.referenced_by("address", 1), std::vector<int32_t>{*id});
  EXPECT_EQ(h.commit(h.state.plan_delete_version("address", 1, false)).err().error_code, codes::reference_exists);
  schema_request dangling = user;
  dangling.references[0].version = 9;
  EXPECT_EQ(h.reg("user2", dangling).err().error_code, codes::invalid_schema);
  registry_state r = h.replayed();
  EXPECT_EQ(r.schema_by_id(*id)->references.size(), 1u);
}

TEST(RegistryState, CheckAgainstOneVersionOrAll) {
  harness h;
  ASSERT_TRUE(h.reg("s", avro(v1)).ok());
  auto bad = h.state.check("s", -1, avro(v2_no_default));
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->compatible);
  EXPECT_FALSE(bad->messages.empty());
  EXPECT_TRUE(h.state.check("s", -1, avro(v2_default))->compatible);
  EXPECT_EQ(h.state.check("nope", -1, avro(v1)).err().error_code, codes::subject_not_found);
  EXPECT_EQ(h.state.check("s", 5, avro(v1)).err().error_code, codes::version_not_found);
  EXPECT_EQ(h.state.check("s", -1, avro("{")).err().error_code, codes::invalid_schema);
}

TEST(RegistryState, LookupFindsTheVersionOfASchema) {
  harness h;
  ASSERT_TRUE(h.reg("s", avro(v1)).ok());
  ASSERT_TRUE(h.reg("s", avro(v2_default)).ok());
  auto found = h.state.lookup("s", avro(v1), false);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->version, 1);
  EXPECT_EQ(found->id, 1);
  EXPECT_EQ(h.state.lookup("s", avro(v2_no_default), false).err().error_code, codes::schema_not_found);
  EXPECT_EQ(h.state.lookup("x", avro(v1), false).err().error_code, codes::subject_not_found);
}

TEST(RegistryState, NormalizeStoresTheNormalizedText) {
  harness h;
  schema_request r = avro(R"({ "type" : "record", "name" : "User", "fields" : [ {"name":"id","type":"long"} ] })");
  r.normalize = true;
  ASSERT_TRUE(h.reg("s", r).ok());
  EXPECT_EQ(h.state.schema_by_id(1)->schema.find(' '), std::string::npos);
  harness plain;
  ASSERT_TRUE(plain.reg("s", avro(R"({ "type" : "string" })")).ok());
  EXPECT_EQ(plain.state.schema_by_id(1)->schema, R"({ "type" : "string" })");
}

TEST(RegistryState, RegistrationsAreBounded) {
  harness h;
  h.state = registry_state(compatibility::none, registry_limits{2, 1 << 20});
  ASSERT_TRUE(h.reg("a", avro(v1)).ok());
  ASSERT_TRUE(h.reg("b", avro(v1)).ok());
  auto third = h.reg("c", avro(v2_default));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.err().error_code, codes::operation_not_permitted);
  // Permanently deleting frees room; the same schema again needs no new one.
  ASSERT_TRUE(h.commit(h.state.plan_delete_subject("b", false)).ok());
  ASSERT_TRUE(h.commit(h.state.plan_delete_subject("b", true)).ok());
  EXPECT_EQ(h.state.version_count(), 1u);
  EXPECT_TRUE(h.reg("c", avro(v2_default)).ok());
  harness small;
  small.state = registry_state(compatibility::none, registry_limits{100, 80});
  ASSERT_TRUE(small.reg("a", avro(v1)).ok());  // 70 bytes
  EXPECT_EQ(small.reg("b", avro(v2_default)).err().error_code, codes::operation_not_permitted);
  EXPECT_TRUE(small.reg("b", avro(v1)).ok());  // the same schema: no new bytes
}

TEST(SchemaRecord, MalformedRecordsAreSkippedNotFatal) {
  registry_state s;
  EXPECT_FALSE(s.apply({"not json", std::nullopt}).ok());
  EXPECT_FALSE(s.apply({R"({"keytype":"SCHEMA","subject":"s","version":1})", std::string("{\"id\":\"x\"}")}).ok());
  EXPECT_FALSE(s.apply({R"({"keytype":"WHAT"})", std::nullopt}).ok());
  EXPECT_EQ(s.skipped_records(), 3u);
  EXPECT_TRUE(s.subjects(true).empty());
}

}  // namespace
}  // namespace samsa::registry
