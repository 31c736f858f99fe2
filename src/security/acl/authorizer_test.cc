#include "security/acl/authorizer.h"

#include <gtest/gtest.h>

#include <vector>

namespace samsa::acl {
namespace {

const security::principal alice = security::principal::user("alice");
const security::principal bob = security::principal::user("bob");

acl_binding make(resource_type t, std::string name, pattern_type p, std::string principal, operation op,
                 permission perm, std::string host = "*") {
  return {t, std::move(name), p, std::move(principal), std::move(host), op, perm};
}

struct resource_case {
  resource_type type;
  std::string name;    // the resource checked
  std::string prefix;  // a PREFIXED pattern covering it
};

std::vector<resource_case> resources() {
  return {{resource_type::topic, "orders.eu", "orders."},
          {resource_type::group, "billing-consumers", "billing-"},
          {resource_type::cluster, "kafka-cluster", "kafka-"},
          {resource_type::transactional_id, "payments-tx-1", "payments-"},
          {resource_type::user, "carol", "ca"}};
}

std::vector<operation> ops_of(resource_type t) {
  std::vector<operation> out;
  for (int8_t c = 2; c <= 14; ++c)
    if (supported_operations(t) & bit(static_cast<operation>(c))) out.push_back(static_cast<operation>(c));
  return out;
}

// The ACL matrix of issue 14: every operation on every resource type is
// allowed by a literal ACL, by a prefixed one, denied by a DENY that
// overrides an ALLOW, and denied by default.
TEST(AuthorizerMatrix, EveryOperationOnEveryResourceType) {
  int checked = 0;
  for (const auto& r : resources()) {
    for (operation op : ops_of(r.type)) {
      SCOPED_TRACE(std::string(name(r.type)) + " " + r.name + " " + std::string(name(op)));
      {
        authorizer a;
        EXPECT_FALSE(a.authorize(alice, "10.0.0.1", op, r.type, r.name).allowed) << "denied by default";
        EXPECT_EQ(a.authorize(alice, "10.0.0.1", op, r.type, r.name).why, decision::rule::no_acl_found);
      }
      {
        authorizer a;
        a.add(make(r.type, r.name, pattern_type::literal, "User:alice", op, permission::allow));
        EXPECT_TRUE(a.authorize(alice, "10.0.0.1", op, r.type, r.name).allowed) << "literal";
        EXPECT_FALSE(a.authorize(bob, "10.0.0.1", op, r.type, r.name).allowed) << "literal, other principal";
        EXPECT_FALSE(a.authorize(alice, "10.0.0.1", op, r.type, r.name + "x").allowed) << "literal, other name";
      }
      {
        authorizer a;
        a.add(make(r.type, r.prefix, pattern_type::prefixed, "User:alice", op, permission::allow));
        EXPECT_TRUE(a.authorize(alice, "10.0.0.1", op, r.type, r.name).allowed) << "prefixed";
        EXPECT_FALSE(a.authorize(alice, "10.0.0.1", op, r.type, "zz" + r.name).allowed) << "prefix not matching";
      }
      {
        authorizer a;
        a.add(make(r.type, r.prefix, pattern_type::prefixed, "User:alice", op, permission::allow));
        a.add(make(r.type, r.name, pattern_type::literal, "User:alice", op, permission::allow));
        a.add(make(r.type, r.name, pattern_type::literal, "User:alice", op, permission::deny));
        auto d = a.authorize(alice, "10.0.0.1", op, r.type, r.name);
        EXPECT_FALSE(d.allowed) << "DENY overrides ALLOW";
        EXPECT_EQ(d.why, decision::rule::deny_acl);
      }
      {
        authorizer a;  // a prefixed DENY overrides a literal ALLOW
        a.add(make(r.type, r.name, pattern_type::literal, "User:alice", op, permission::allow));
        a.add(make(r.type, r.prefix, pattern_type::prefixed, "User:*", operation::all, permission::deny));
        EXPECT_FALSE(a.authorize(alice, "10.0.0.1", op, r.type, r.name).allowed);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 8 + 3 + 7 + 2 + 2);
}

TEST(Authorizer, ImpliedOperationsForAllowOnly) {
  for (operation op : {operation::read, operation::write, operation::remove, operation::alter}) {
    authorizer a;
    a.add(make(resource_type::topic, "t", pattern_type::literal, "User:alice", op, permission::allow));
    EXPECT_TRUE(a.authorize(alice, "h", operation::describe, resource_type::topic, "t").allowed) << name(op);
    EXPECT_FALSE(a.authorize(alice, "h", operation::describe_configs, resource_type::topic, "t").allowed);
  }
  for (operation op : {operation::create, operation::alter_configs, operation::describe_configs}) {
    authorizer a;
    a.add(make(resource_type::topic, "t", pattern_type::literal, "User:alice", op, permission::allow));
    EXPECT_FALSE(a.authorize(alice, "h", operation::describe, resource_type::topic, "t").allowed) << name(op);
  }
  authorizer a;
  a.add(make(resource_type::topic, "t", pattern_type::literal, "User:alice", operation::alter_configs,
             permission::allow));
  EXPECT_TRUE(a.authorize(alice, "h", operation::describe_configs, resource_type::topic, "t").allowed);
  EXPECT_FALSE(a.authorize(alice, "h", operation::alter, resource_type::topic, "t").allowed);
  // A DENY for READ does not deny DESCRIBE.
  a.add(make(resource_type::topic, "t", pattern_type::literal, "User:alice", operation::describe, permission::allow));
  a.add(make(resource_type::topic, "t", pattern_type::literal, "User:alice", operation::read, permission::deny));
  EXPECT_TRUE(a.authorize(alice, "h", operation::describe, resource_type::topic, "t").allowed);
  EXPECT_FALSE(a.authorize(alice, "h", operation::read, resource_type::topic, "t").allowed);
}

TEST(Authorizer, PrefixEqualToTheWholeNameMatches) {
  authorizer a;
  a.add(make(resource_type::topic, "orders", pattern_type::prefixed, "User:alice", operation::read, permission::allow));
  EXPECT_TRUE(a.authorize(alice, "h", operation::read, resource_type::topic, "orders").allowed);
  EXPECT_FALSE(a.authorize(alice, "h", operation::read, resource_type::topic, "order").allowed);
}

TEST(Authorizer, AllCoversEveryOperation) {
  authorizer a;
  a.add(make(resource_type::group, "g", pattern_type::literal, "User:alice", operation::all, permission::allow));
  for (operation op : {operation::read, operation::describe, operation::remove})
    EXPECT_TRUE(a.authorize(alice, "h", op, resource_type::group, "g").allowed);
  a.add(make(resource_type::group, "g", pattern_type::literal, "User:alice", operation::all, permission::deny));
  EXPECT_FALSE(a.authorize(alice, "h", operation::read, resource_type::group, "g").allowed);
}

TEST(Authorizer, WildcardsForResourcePrincipalAndHost) {
  authorizer a;
  a.add(make(resource_type::topic, "*", pattern_type::literal, "User:*", operation::read, permission::allow,
             "10.0.0.1"));
  EXPECT_TRUE(a.authorize(bob, "10.0.0.1", operation::read, resource_type::topic, "anything").allowed);
  EXPECT_FALSE(a.authorize(bob, "10.0.0.2", operation::read, resource_type::topic, "anything").allowed);
  EXPECT_FALSE(a.authorize(bob, "10.0.0.1", operation::read, resource_type::group, "anything").allowed);
  // A PREFIXED "*" is a prefix of nothing but names starting with '*'.
  authorizer b;
  b.add(make(resource_type::topic, "*", pattern_type::prefixed, "User:alice", operation::read, permission::allow));
  EXPECT_FALSE(b.authorize(alice, "h", operation::read, resource_type::topic, "orders").allowed);
}

TEST(Authorizer, SuperUsersAndNoAclDefault) {
  authorizer_options opts;
  opts.super_users = parse_super_users(" User:admin ; User:ops;;");
  EXPECT_EQ(opts.super_users, (std::set<std::string>{"User:admin", "User:ops"}));
  authorizer a(opts);
  a.add(make(resource_type::topic, "t", pattern_type::literal, "User:*", operation::all, permission::deny));
  EXPECT_TRUE(a.authorize(security::principal::user("admin"), "h", operation::read, resource_type::topic, "t").allowed);
  EXPECT_FALSE(a.authorize(alice, "h", operation::read, resource_type::topic, "t").allowed);

  authorizer_options open;
  open.allow_everyone_if_no_acl_found = true;
  authorizer b(open);
  EXPECT_TRUE(b.authorize(alice, "h", operation::write, resource_type::topic, "t").allowed);
  // Once the resource has any ACL, the default no longer applies.
  b.add(make(resource_type::topic, "t", pattern_type::literal, "User:bob", operation::read, permission::allow));
  auto d = b.authorize(alice, "h", operation::write, resource_type::topic, "t");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.why, decision::rule::no_matching_acl);
  EXPECT_TRUE(b.authorize(alice, "h", operation::write, resource_type::topic, "u").allowed);
}

TEST(Authorizer, RemoveUndoesAddAndKeepsIndexesRight) {
  authorizer a;
  auto allow = make(resource_type::topic, "ord", pattern_type::prefixed, "User:alice", operation::read,
                    permission::allow);
  auto other = make(resource_type::topic, "o", pattern_type::prefixed, "User:alice", operation::read,
                    permission::allow);
  EXPECT_TRUE(a.add(allow));
  EXPECT_FALSE(a.add(allow));
  EXPECT_TRUE(a.add(other));
  EXPECT_EQ(a.size(), 2u);
  EXPECT_TRUE(a.remove(other));
  EXPECT_FALSE(a.remove(other));
  EXPECT_TRUE(a.authorize(alice, "h", operation::read, resource_type::topic, "orders").allowed);
  EXPECT_FALSE(a.authorize(alice, "h", operation::read, resource_type::topic, "oz").allowed);
  EXPECT_TRUE(a.remove(allow));
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.authorize(alice, "h", operation::read, resource_type::topic, "orders").why,
            decision::rule::no_acl_found);
}

// InitProducerId's "WRITE on any topic" (Kafka's authorizeByResourceType).
TEST(Authorizer, AuthorizeAnyResourceOfAType) {
  const auto topic = resource_type::topic;
  const auto write = operation::write;
  {
    authorizer a;
    EXPECT_FALSE(a.authorize_any(alice, "h", write, topic)) << "no ACL at all: default deny";
    authorizer open({{}, true});
    EXPECT_TRUE(open.authorize_any(alice, "h", write, topic)) << "allow.everyone.if.no.acl.found";
    authorizer supers({{"User:alice"}, false});
    EXPECT_TRUE(supers.authorize_any(alice, "h", write, topic)) << "super user";
  }
  {
    authorizer a;
    a.add(make(topic, "orders", pattern_type::literal, "User:alice", write, permission::allow));
    EXPECT_TRUE(a.authorize_any(alice, "h", write, topic)) << "one literal ALLOW";
    EXPECT_FALSE(a.authorize_any(bob, "h", write, topic)) << "another principal";
    EXPECT_FALSE(a.authorize_any(alice, "h", operation::read, topic)) << "another operation";
    EXPECT_FALSE(a.authorize_any(alice, "h", write, resource_type::group)) << "another resource type";
    a.add(make(topic, "orders", pattern_type::literal, "User:alice", write, permission::deny));
    EXPECT_FALSE(a.authorize_any(alice, "h", write, topic)) << "the same literal denied";
  }
  {
    authorizer a;
    a.add(make(topic, "orders.eu", pattern_type::prefixed, "User:*", operation::all, permission::allow));
    EXPECT_TRUE(a.authorize_any(alice, "h", write, topic)) << "prefixed ALLOW for every principal, ALL";
    a.add(make(topic, "orders", pattern_type::prefixed, "User:alice", write, permission::deny));
    EXPECT_FALSE(a.authorize_any(alice, "h", write, topic)) << "a shorter prefixed DENY dominates it";
    EXPECT_TRUE(a.authorize_any(bob, "h", write, topic)) << "the DENY is alice's only";
  }
  {
    authorizer a;
    a.add(make(topic, "orders", pattern_type::literal, "User:alice", write, permission::allow));
    a.add(make(topic, "other", pattern_type::prefixed, "User:alice", write, permission::deny));
    EXPECT_TRUE(a.authorize_any(alice, "h", write, topic)) << "a DENY elsewhere does not dominate";
    a.add(make(topic, "*", pattern_type::literal, "User:alice", write, permission::deny));
    EXPECT_FALSE(a.authorize_any(alice, "h", write, topic)) << "a wildcard DENY denies everything";
  }
  {
    authorizer a;
    a.add(make(topic, "orders", pattern_type::literal, "User:alice", write, permission::allow, "10.0.0.1"));
    EXPECT_TRUE(a.authorize_any(alice, "10.0.0.1", write, topic));
    EXPECT_FALSE(a.authorize_any(alice, "10.0.0.2", write, topic)) << "another host";
  }
}

TEST(Authorizer, AuthorizedOperationsBitSet) {
  authorizer a;
  a.add(make(resource_type::topic, "t", pattern_type::literal, "User:alice", operation::read, permission::allow));
  a.add(make(resource_type::topic, "t", pattern_type::literal, "User:alice", operation::alter_configs,
             permission::allow));
  EXPECT_EQ(a.authorized_operations(alice, "h", resource_type::topic, "t"),
            bit(operation::read) | bit(operation::describe) | bit(operation::alter_configs) |
                bit(operation::describe_configs));
  EXPECT_EQ(a.authorized_operations(bob, "h", resource_type::topic, "t"), 0);
  a.add(make(resource_type::cluster, "kafka-cluster", pattern_type::literal, "User:alice", operation::all,
             permission::allow));
  EXPECT_EQ(a.authorized_operations(alice, "h", resource_type::cluster, "kafka-cluster"),
            supported_operations(resource_type::cluster));
}

TEST(Authorizer, AclsByFilterInStableOrder) {
  authorizer a;
  a.add(make(resource_type::topic, "b", pattern_type::literal, "User:alice", operation::read, permission::allow));
  a.add(make(resource_type::topic, "a", pattern_type::literal, "User:alice", operation::read, permission::allow));
  a.add(make(resource_type::group, "a", pattern_type::literal, "User:alice", operation::read, permission::allow));
  acl_filter f;
  f.resource = resource_type::topic;
  auto got = a.acls(f);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].name, "a");
  EXPECT_EQ(got[1].name, "b");
  f.op = operation::unknown;
  EXPECT_TRUE(a.acls(f).empty());
}

// The index must agree with a plain scan of every ACL, whatever the mix.
TEST(Authorizer, IndexAgreesWithFullScan) {
  authorizer a;
  std::vector<acl_binding> all;
  const char* names[] = {"a", "ab", "abc", "*", "b", "abd"};
  int n = 0;
  for (const char* nm : names) {
    for (auto p : {pattern_type::literal, pattern_type::prefixed}) {
      for (auto perm : {permission::allow, permission::deny}) {
        if ((n++ % 3) == 0) continue;  // leave holes so that results differ
        auto b = make(resource_type::topic, nm, p, n % 2 ? "User:alice" : "User:*",
                      n % 4 ? operation::read : operation::all, perm);
        a.add(b);
        all.push_back(b);
      }
    }
  }
  for (const char* resource : {"a", "ab", "abc", "abcd", "b", "*", "c", "abd"}) {
    bool deny = false, allow = false, any = false;
    for (const auto& b : all) {
      acl_filter f;
      f.pattern = pattern_type::match;
      f.name = resource;
      if (!matches(f, b)) continue;
      any = true;
      if (b.principal != "User:alice" && b.principal != "User:*") continue;
      if (b.op != operation::all && b.op != operation::read) continue;
      (b.perm == permission::deny ? deny : allow) = true;
    }
    auto d = a.authorize(alice, "h", operation::read, resource_type::topic, resource);
    EXPECT_EQ(d.allowed, !deny && allow) << resource;
    EXPECT_EQ(d.why == decision::rule::no_acl_found, !any) << resource;
  }
}

}  // namespace
}  // namespace samsa::acl
