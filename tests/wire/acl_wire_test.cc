// CreateAcls, DescribeAcls and DeleteAcls (keys 30, 29, 31) at every version
// the broker advertises, against a real `samsa serve` with the authorizer on:
// ACLs made, listed by every kind of filter and deleted; Kafka's
// INVALID_REQUEST for what CreateAcls must refuse and for filters with
// UNKNOWN elements; the bound on the number of ACLs; ACLs kept across a
// restart. (Without an authorizer: admin_wire_test, SECURITY_DISABLED.)
#include <gtest/gtest.h>

#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "broker_process.h"
#include "versioned_wire_test.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

using protocol::api_key;
using protocol::error_code;
using protocol::to_int;

// Kafka's codes.
constexpr int8_t any = 1, match = 2, literal = 3, prefixed = 4;
constexpr int8_t topic = 2, group = 3, cluster = 4, transactional_id = 5, delegation_token = 6;
constexpr int8_t op_all = 2, op_read = 3, op_write = 4, op_describe = 8;
constexpr int8_t deny = 2, allow = 3;
constexpr int max_acls = 40;

struct acl {
  int8_t resource_type = topic;
  std::string name;
  int8_t pattern = literal;
  std::string principal = "User:alice";
  std::string host = "*";
  int8_t operation = op_read;
  int8_t permission = allow;
  auto operator<=>(const acl&) const = default;
};

struct filter {
  int8_t resource_type = any;
  std::optional<std::string> name;
  int8_t pattern = any;
  std::optional<std::string> principal;
  std::optional<std::string> host;
  int8_t operation = any;
  int8_t permission = any;
};

class AclWire : public versioned_wire_test {
 protected:
  AclWire()
      : versioned_wire_test({{"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"},
                             // This file tests the ACL APIs themselves over PLAINTEXT:
                             // ANONYMOUS is a super user (enforcement: acl_enforcement_wire_test).
                             {"super.users", "User:admin;User:ANONYMOUS"},
                             {"authorizer.max.acls", std::to_string(max_acls)}}) {}

  // One error code per ACL.
  std::vector<int16_t> create(int16_t v, const std::vector<acl>& acls, std::vector<std::string>* messages = nullptr) {
    protocol::create_acls_request_data req;
    for (const auto& a : acls) {
      auto& c = req.creations.emplace_back();
      c.resource_type = a.resource_type;
      c.resource_name = a.name;
      c.resource_pattern_type = a.pattern;
      c.principal = a.principal;
      c.host = a.host;
      c.operation = a.operation;
      c.permission_type = a.permission;
    }
    auto resp = client_->call<protocol::create_acls_response_data>(req, v);
    std::vector<int16_t> codes;
    for (const auto& r : resp.results) {
      codes.push_back(r.error_code);
      if (messages) messages->push_back(r.error_message.value_or(""));
      if (r.error_code == 0) {
        EXPECT_EQ(r.error_message, "");  // Kafka leaves a created ACL's message at its default
      }
    }
    return codes;
  }

  // The ACLs the filter lists; `code` gets the error code.
  std::set<acl> describe(int16_t v, const filter& f, int16_t* code = nullptr) {
    protocol::describe_acls_request_data req;
    req.resource_type_filter = f.resource_type;
    req.resource_name_filter = f.name;
    req.pattern_type_filter = f.pattern;
    req.principal_filter = f.principal;
    req.host_filter = f.host;
    req.operation = f.operation;
    req.permission_type = f.permission;
    auto resp = client_->call<protocol::describe_acls_response_data>(req, v);
    if (code) {
      *code = resp.error_code;
    } else {
      EXPECT_EQ(resp.error_code, 0) << resp.error_message.value_or("");
    }
    std::set<acl> out;
    std::set<std::tuple<int8_t, std::string, int8_t>> resources;
    for (const auto& r : resp.resources) {
      // One entry per resource pattern.
      EXPECT_TRUE(resources.emplace(r.resource_type, r.resource_name, r.pattern_type).second) << r.resource_name;
      for (const auto& a : r.acls)
        out.insert({r.resource_type, r.resource_name, r.pattern_type, a.principal, a.host, a.operation,
                    a.permission_type});
    }
    return out;
  }

  protocol::delete_acls_response_data remove(int16_t v, const std::vector<filter>& filters) {
    protocol::delete_acls_request_data req;
    for (const auto& f : filters) {
      auto& w = req.filters.emplace_back();
      w.resource_type_filter = f.resource_type;
      w.resource_name_filter = f.name;
      w.pattern_type_filter = f.pattern;
      w.principal_filter = f.principal;
      w.host_filter = f.host;
      w.operation = f.operation;
      w.permission_type = f.permission;
    }
    return client_->call<protocol::delete_acls_response_data>(req, v);
  }

  static std::set<acl> matching(const protocol::delete_acls_response_data::delete_acls_filter_result& r) {
    std::set<acl> out;
    for (const auto& m : r.matching_acls) {
      EXPECT_EQ(m.error_code, 0);
      out.insert({m.resource_type, m.resource_name, m.pattern_type, m.principal, m.host, m.operation,
                  m.permission_type});
    }
    return out;
  }
};

TEST_F(AclWire, AllThreeApisAdvertiseVersionsZeroToThree) {
  for (auto key : {api_key::describe_acls, api_key::create_acls, api_key::delete_acls}) {
    EXPECT_EQ(range(key), std::make_pair(int16_t{0}, int16_t{3}));
  }
}

// At each version: create, list, delete, list again. Version 0 has no
// pattern type: its ACLs and filters are LITERAL, so it never sees PREFIXED ones.
TEST_F(AclWire, CreateDescribeDeleteAtEveryVersion) {
  for (int16_t v = 0; v <= 3; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    const std::string t = "orders-v" + std::to_string(v);
    std::vector<acl> made = {
        {topic, t, literal, "User:alice", "*", op_read, allow},
        {topic, t, literal, "User:bob", "10.0.0.1", op_write, deny},
        {group, "g-v" + std::to_string(v), literal, "User:*", "*", op_all, allow},
        {cluster, "kafka-cluster", literal, "User:ops-v" + std::to_string(v), "*", op_describe, allow},
        {transactional_id, "tx-v" + std::to_string(v), literal, "User:alice", "*", op_write, allow},
    };
    if (v >= 1) made.push_back({topic, "orders-", prefixed, "User:v" + std::to_string(v), "*", op_read, allow});
    auto codes = create(v, made);
    EXPECT_EQ(codes, std::vector<int16_t>(made.size(), 0));

    // By resource name (exact, pattern ANY at v1+, LITERAL at v0).
    filter by_name;
    by_name.name = t;
    by_name.pattern = v == 0 ? literal : any;
    EXPECT_EQ(describe(v, by_name), (std::set<acl>{made[0], made[1]}));
    // By principal and permission.
    filter by_principal;
    by_principal.principal = "User:bob";
    by_principal.permission = deny;
    by_principal.pattern = v == 0 ? literal : any;
    EXPECT_EQ(describe(v, by_principal), (std::set<acl>{made[1]}));
    // By resource type and operation.
    filter by_type;
    by_type.resource_type = cluster;
    by_type.operation = op_describe;
    by_type.principal = "User:ops-v" + std::to_string(v);
    by_type.pattern = v == 0 ? literal : any;
    EXPECT_EQ(describe(v, by_type), (std::set<acl>{made[3]}));
    if (v >= 1) {
      filter prefixes;
      prefixes.pattern = prefixed;
      prefixes.principal = "User:v" + std::to_string(v);
      EXPECT_EQ(describe(v, prefixes), (std::set<acl>{made.back()}));
    } else {
      // v0 filters are LITERAL: the prefixed ACLs of other versions stay hidden.
      filter everything;
      everything.pattern = literal;
      for (const auto& a : describe(v, everything)) EXPECT_EQ(a.pattern, literal) << a.name;
    }

    // Delete with two filters in one request: the topic's ACLs and the group's.
    filter group_filter;
    group_filter.resource_type = group;
    group_filter.name = "g-v" + std::to_string(v);
    group_filter.pattern = v == 0 ? literal : any;
    auto deleted = remove(v, {by_name, group_filter});
    ASSERT_EQ(deleted.filter_results.size(), 2u);
    EXPECT_EQ(deleted.filter_results[0].error_code, 0);
    EXPECT_EQ(matching(deleted.filter_results[0]), (std::set<acl>{made[0], made[1]}));
    EXPECT_EQ(matching(deleted.filter_results[1]), (std::set<acl>{made[2]}));
    EXPECT_TRUE(describe(v, by_name).empty());
    // Deleting again matches nothing and is no error.
    deleted = remove(v, {by_name});
    EXPECT_EQ(deleted.filter_results.at(0).error_code, 0);
    EXPECT_TRUE(deleted.filter_results.at(0).matching_acls.empty());
    // Clean up the rest so the next version starts from a known table.
    filter all;
    all.pattern = any;
    if (v >= 1) remove(v, {all});
  }
  filter all;
  remove(1, {all});
  EXPECT_TRUE(describe(1, all).empty());
}

TEST_F(AclWire, CreateAclsRefusesWhatKafkaRefuses) {
  const int16_t invalid = to_int(error_code::invalid_request);
  for (int16_t v = 0; v <= 3; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    std::vector<acl> request = {
        {topic, "ok-" + std::to_string(v), literal, "User:alice", "*", op_read, allow},  // fine
        {99, "t", literal, "User:alice", "*", op_read, allow},                           // unknown resource type
        {any, "t", literal, "User:alice", "*", op_read, allow},                          // ANY resource type
        {topic, "t", literal, "User:alice", "*", 1, allow},                              // ANY operation
        {topic, "t", literal, "User:alice", "*", 42, allow},                             // unknown operation
        {topic, "t", literal, "User:alice", "*", op_read, any},                          // ANY permission
        {topic, "t", literal, "", "*", op_read, allow},                                  // empty principal
        {topic, "t", literal, "alice", "*", op_read, allow},                             // no "Type:"
        {topic, "", literal, "User:alice", "*", op_read, allow},                         // empty name
        {cluster, "my-cluster", literal, "User:alice", "*", op_describe, allow},         // cluster name
        {delegation_token, "tok", literal, "User:alice", "*", op_describe, allow},       // refused
        {topic, std::string(1025, 'n'), literal, "User:alice", "*", op_read, allow},     // too long
    };
    std::vector<int16_t> expected(request.size(), invalid);
    expected[0] = 0;
    if (v >= 1) {
      request.push_back({topic, "t", match, "User:alice", "*", op_read, allow});
      request.push_back({topic, "t", any, "User:alice", "*", op_read, allow});
      request.push_back({topic, "t", 9, "User:alice", "*", op_read, allow});
      expected.resize(request.size(), invalid);
    }
    std::vector<std::string> messages;
    EXPECT_EQ(create(v, request, &messages), expected);
    for (size_t i = 1; i < messages.size(); ++i) EXPECT_FALSE(messages[i].empty()) << i;
    EXPECT_NE(messages[10].find("delegation token"), std::string::npos) << messages[10];
    // Only the valid one exists; creating it again succeeds without a second copy.
    filter f;
    f.pattern = v == 0 ? literal : any;
    f.name = "ok-" + std::to_string(v);
    EXPECT_EQ(describe(v, f).size(), 1u);
    EXPECT_EQ(create(v, {request[0]}), std::vector<int16_t>{0});
    EXPECT_EQ(describe(v, f).size(), 1u);
  }
}

TEST_F(AclWire, FiltersWithUnknownElementsAreInvalid) {
  ASSERT_EQ(create(1, {{topic, "t", literal, "User:alice", "*", op_read, allow}}), std::vector<int16_t>{0});
  for (int16_t v = 0; v <= 3; ++v) {
    SCOPED_TRACE("version " + std::to_string(v));
    filter bad;
    bad.pattern = v == 0 ? literal : any;
    bad.operation = 0;  // UNKNOWN
    int16_t code = 0;
    EXPECT_TRUE(describe(v, bad, &code).empty());
    EXPECT_EQ(code, to_int(error_code::invalid_request));
    filter unknown_type = bad;
    unknown_type.operation = any;
    unknown_type.resource_type = 77;
    describe(v, unknown_type, &code);
    EXPECT_EQ(code, to_int(error_code::invalid_request));
    // DeleteAcls: per filter; a bad filter deletes nothing, the others still run.
    filter harmless;
    harmless.name = "no-such";
    harmless.pattern = v == 0 ? literal : any;
    auto resp = remove(v, {bad, harmless});
    ASSERT_EQ(resp.filter_results.size(), 2u);
    EXPECT_EQ(resp.filter_results[0].error_code, to_int(error_code::invalid_request));
    EXPECT_TRUE(resp.filter_results[0].error_message.has_value());
    EXPECT_EQ(resp.filter_results[1].error_code, 0);
  }
  filter all;
  EXPECT_EQ(describe(1, all).size(), 1u);
}

TEST_F(AclWire, MatchFilterFindsEveryAclThatAppliesToAResource) {
  std::vector<acl> made = {
      {topic, "orders-eu", literal, "User:alice", "*", op_read, allow},
      {topic, "*", literal, "User:bob", "*", op_read, allow},
      {topic, "orders-", prefixed, "User:carol", "*", op_write, deny},
      {topic, "orders-eu", prefixed, "User:dave", "*", op_read, allow},
      {topic, "other", prefixed, "User:erin", "*", op_read, allow},
      {topic, "orders-e", literal, "User:frank", "*", op_read, allow},
      {group, "orders-eu", literal, "User:alice", "*", op_read, allow},
  };
  ASSERT_EQ(create(3, made), std::vector<int16_t>(made.size(), 0));
  for (int16_t v = 1; v <= 3; ++v) {
    filter f;
    f.resource_type = topic;
    f.pattern = match;
    f.name = "orders-eu";
    EXPECT_EQ(describe(v, f), (std::set<acl>{made[0], made[1], made[2], made[3]})) << v;
    // DeleteAcls with MATCH removes exactly those.
    if (v == 3) {
      auto resp = remove(v, {f});
      EXPECT_EQ(matching(resp.filter_results.at(0)), (std::set<acl>{made[0], made[1], made[2], made[3]}));
      filter all;
      EXPECT_EQ(describe(v, all), (std::set<acl>{made[4], made[5], made[6]}));
    }
  }
}

// The broker holds at most authorizer.max.acls ACLs; beyond, POLICY_VIOLATION
// per ACL, and room comes back when ACLs are deleted.
TEST_F(AclWire, NumberOfAclsIsBounded) {
  std::vector<acl> many;
  for (int i = 0; i < max_acls + 5; ++i) many.push_back({topic, "t" + std::to_string(i), literal});
  std::vector<std::string> messages;
  auto codes = create(2, many, &messages);
  ASSERT_EQ(codes.size(), many.size());
  for (int i = 0; i < max_acls; ++i) EXPECT_EQ(codes[i], 0) << i;
  for (size_t i = max_acls; i < many.size(); ++i) {
    EXPECT_EQ(codes[i], to_int(error_code::policy_violation)) << i;
    EXPECT_NE(messages[i].find("authorizer.max.acls"), std::string::npos);
  }
  // An ACL that exists is still "created" (no change) at the limit.
  EXPECT_EQ(create(2, {many[0]}), std::vector<int16_t>{0});
  EXPECT_EQ(create(2, {many[max_acls]}), std::vector<int16_t>{to_int(error_code::policy_violation)});
  filter one;
  one.name = "t0";
  ASSERT_EQ(matching(remove(2, {one}).filter_results.at(0)).size(), 1u);
  EXPECT_EQ(create(2, {many[max_acls]}), std::vector<int16_t>{0});
  filter all;
  EXPECT_EQ(describe(2, all).size(), static_cast<size_t>(max_acls));
}

TEST_F(AclWire, AclsSurviveRestartsCleanAndHard) {
  std::vector<acl> made = {{topic, "kept", literal, "User:alice", "*", op_read, allow},
                           {group, "app-", prefixed, "User:alice", "*", op_read, allow},
                           {topic, "gone", literal, "User:alice", "*", op_read, allow}};
  ASSERT_EQ(create(3, made), std::vector<int16_t>(3, 0));
  filter gone;
  gone.name = "gone";
  ASSERT_EQ(matching(remove(3, {gone}).filter_results.at(0)).size(), 1u);
  filter all;
  const std::set<acl> expected{made[0], made[1]};
  broker_.stop_gracefully();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  EXPECT_EQ(describe(3, all), expected);
  broker_.kill_hard();
  broker_.start();
  client_ = std::make_unique<wire_client>(broker_.port());
  EXPECT_EQ(describe(3, all), expected);
}

}  // namespace
}  // namespace samsa::wire_test
