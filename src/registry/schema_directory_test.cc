// The embedded registry's schemas read in-process (the console's decoding):
// an attached state answers by id with the type, the parsed schema and the
// live subject versions; a detached one (the registry stopped) answers
// nothing; lookups from another thread while the owner applies records under
// the directory's mutex see either the old or the new state, never a torn one.
#include "registry/schema_directory.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "registry/registry_state.h"

namespace samsa::registry {
namespace {

const char* user = R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"}]})";

std::vector<log_record> register_records(const registry_state& state, const std::string& subject, const char* text) {
  auto p = state.plan_register(subject, schema_request{schema_type::avro, text, {}});
  EXPECT_TRUE(p.ok());
  return p ? p->records : std::vector<log_record>{};
}

TEST(SchemaDirectory, FindsAttachedSchemasAndNothingOnceDetached) {
  registry_state state;
  schema_directory directory;
  EXPECT_FALSE(directory.attached());
  EXPECT_FALSE(directory.find(1).has_value());
  directory.attach(&state);
  EXPECT_FALSE(directory.find(1).has_value());  // no such id yet
  for (const auto& r : register_records(state, "users-value", user)) ASSERT_TRUE(state.apply(r).ok());
  for (const auto& r : register_records(state, "people-value", user)) ASSERT_TRUE(state.apply(r).ok());
  auto found = directory.find(1);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->type, schema_type::avro);
  ASSERT_TRUE(found->schema.has_value());
  EXPECT_NE(found->schema->as_avro(), nullptr);
  EXPECT_EQ(found->subjects, (std::vector<std::pair<std::string, int32_t>>{{"people-value", 1}, {"users-value", 1}}));
  directory.detach();
  EXPECT_FALSE(directory.find(1).has_value());
}

TEST(SchemaDirectory, LookupsFromAnotherThreadWhileTheOwnerApplies) {
  registry_state state;
  schema_directory directory;
  directory.attach(&state);
  std::atomic<bool> done{false};
  std::atomic<int> seen{0};
  std::thread reader([&] {
    while (!done.load()) {
      if (auto e = directory.find(1)) {
        EXPECT_TRUE(e->schema.has_value());
        seen.fetch_add(1);
      }
    }
  });
  for (int i = 0; i < 200; ++i) {
    auto records = register_records(state, "s" + std::to_string(i), user);
    std::lock_guard lock(directory.mutex());  // what registry_service does around apply
    for (const auto& r : records) ASSERT_TRUE(state.apply(r).ok());
  }
  done = true;
  reader.join();
  auto e = directory.find(1);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->subjects.size(), 200u);
}

}  // namespace
}  // namespace samsa::registry
