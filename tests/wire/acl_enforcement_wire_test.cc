// ACL enforcement end to end (issue 14): one broker with the authorizer on,
// an mTLS listener whose client certificates (made by `samsa certs create`)
// name the principals, and a PLAINTEXT listener (User:ANONYMOUS). Requests
// are sent at exact versions with the generated codecs through a TLS tunnel
// per principal (acl_tls_tunnel.h).
//
// - The ACL matrix: each operation on each resource type, through a request
//   that needs exactly it, allowed by a LITERAL ACL (alice), by a PREFIXED one
//   (bob), denied by a DENY that overrides an ALLOW (carol) and denied by
//   default (dave).
// - Per API family, the errors where Kafka gives them; Metadata hiding what a
//   principal may not describe; authorized operations; super users.
// (The audit lines and allow.everyone.if.no.acl.found: acl_open_wire_test.)
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "acl_tls_tunnel.h"
#include "broker_process.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "wire_client.h"
#include "wire_helpers.h"

namespace samsa::wire_test {
namespace {

namespace fs = std::filesystem;
using protocol::error_code;
using protocol::to_int;

// Kafka's ACL codes.
constexpr int8_t topic = 2, group = 3, cluster = 4, transactional_id = 5;
constexpr int8_t literal = 3, prefixed = 4;
constexpr int8_t op_all = 2, op_read = 3, op_write = 4, op_create = 5, op_delete = 6, op_alter = 7, op_describe = 8,
                 op_cluster_action = 9, op_describe_configs = 10, op_alter_configs = 11, op_idempotent_write = 12;
constexpr int8_t deny = 2, allow = 3;

const int16_t taf = to_int(error_code::topic_authorization_failed);
const int16_t gaf = to_int(error_code::group_authorization_failed);
const int16_t caf = to_int(error_code::cluster_authorization_failed);
const int16_t tiaf = to_int(error_code::transactional_id_authorization_failed);

constexpr const char* mapping_rule = "RULE:^CN=([^,]*),O=Samsa clients$/$1/";
const std::vector<std::string> principals = {"admin", "alice", "bob", "carol", "dave", "erin"};

std::string samsa_binary() {
  if (const char* path = std::getenv("SAMSA_BIN"); path != nullptr && *path != '\0') return path;
  return SAMSA_DEFAULT_BIN;
}

struct acl {
  int8_t resource_type;
  std::string name;
  int8_t pattern;
  std::string principal;
  int8_t operation;
  int8_t permission;
};

class AclEnforcement : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs_ = (fs::temp_directory_path() / ("samsa-acl-certs-" + std::to_string(::getpid()))).string();
    fs::remove_all(certs_);
    std::string command = samsa_binary() + " certs create --dir " + certs_;
    for (const auto& p : principals) command += " --client " + p;
    command += " > /dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    broker_ = std::make_unique<broker_process>(std::map<std::string, std::string>{
        {"listeners", "MTLS://127.0.0.1:0,PLAINTEXT://127.0.0.1:0"},
        {"listener.security.protocol.map", "MTLS:SSL,PLAINTEXT:PLAINTEXT"},
        {"ssl.keystore.type", "PEM"},
        {"ssl.keystore.location", certs_ + "/broker.pem"},
        {"listener.name.mtls.ssl.client.auth", "required"},
        {"listener.name.mtls.ssl.truststore.location", certs_ + "/ca.pem"},
        {"listener.name.mtls.ssl.principal.mapping.rules", mapping_rule},
        {"authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"},
        {"super.users", "User:admin"},
        {"auto.create.topics.enable", "true"},
    });
    broker_->start();  // the port file names the first listener: MTLS
    std::ifstream in(fs::path(broker_->data_dir()).parent_path() / "port.PLAINTEXT");
    in >> plaintext_port_;
    for (const auto& p : principals) {
      tunnels_[p] = std::make_unique<tls_tunnel>(broker_->port(), certs_ + "/ca.pem", certs_ + "/" + p + ".pem",
                                                 certs_ + "/" + p + "-key.pem");
    }
  }

  static void TearDownTestSuite() {
    tunnels_.clear();
    broker_.reset();
    fs::remove_all(certs_);
  }

  void TearDown() override {
    if (HasFailure()) std::cerr << "--- broker log (tail) ---\n" << broker_->log_tail() << "\n";
  }

  static std::unique_ptr<wire_client> as(const std::string& principal) {
    return std::make_unique<wire_client>(tunnels_.at(principal)->port(), "acl-test-" + principal);
  }
  static std::unique_ptr<wire_client> anonymous() {
    return std::make_unique<wire_client>(plaintext_port_, "acl-test-anonymous");
  }

  // CreateAcls as the super user; every ACL must be accepted.
  static void grant(const std::vector<acl>& acls) {
    auto admin = as("admin");
    protocol::create_acls_request_data req;
    for (const auto& a : acls) {
      auto& c = req.creations.emplace_back();
      c.resource_type = a.resource_type;
      c.resource_name = a.name;
      c.resource_pattern_type = a.pattern;
      c.principal = "User:" + a.principal;
      c.host = "*";
      c.operation = a.operation;
      c.permission_type = a.permission;
    }
    auto resp = admin->call<protocol::create_acls_response_data>(req, 3);
    ASSERT_EQ(resp.results.size(), acls.size());
    for (const auto& r : resp.results) ASSERT_EQ(r.error_code, 0) << r.error_message.value_or("");
  }

  static inline std::string certs_;
  static inline std::unique_ptr<broker_process> broker_;
  static inline uint16_t plaintext_port_ = 0;
  static inline std::map<std::string, std::unique_ptr<tls_tunnel>> tunnels_;
};

// ---- requests that need exactly one operation on one resource -------------

int16_t produce_to(wire_client& c, const std::string& t) {
  return produce_batch(c, 9, t, 0, batch_of({"v"}, 0)).error_code;
}

int16_t fetch_from(wire_client& c, const std::string& t) {
  protocol::fetch_request_data req;
  req.max_wait_ms = 0;
  auto& ft = req.topics.emplace_back();
  ft.topic = t;
  auto& fp = ft.partitions.emplace_back();
  fp.partition = 0;
  fp.partition_max_bytes = 1 << 20;
  auto resp = c.call<protocol::fetch_response_data>(req, 12);
  return resp.responses.at(0).partitions.at(0).error_code;
}

int16_t list_offsets_of(wire_client& c, const std::string& t) {
  protocol::list_offsets_request_data req;
  req.replica_id = -1;
  auto& lt = req.topics.emplace_back();
  lt.name = t;
  lt.partitions.emplace_back().timestamp = -1;
  return c.call<protocol::list_offsets_response_data>(req, 7).topics.at(0).partitions.at(0).error_code;
}

int16_t create_topic_checked(wire_client& c, const std::string& t) {
  protocol::create_topics_request_data req;
  req.validate_only = true;
  auto& ct = req.topics.emplace_back();
  ct.name = t;
  ct.num_partitions = 1;
  ct.replication_factor = 1;
  return c.call<protocol::create_topics_response_data>(req, 7).topics.at(0).error_code;
}

int16_t delete_records_of(wire_client& c, const std::string& t) {
  protocol::delete_records_request_data req;
  auto& dt = req.topics.emplace_back();
  dt.name = t;
  dt.partitions.emplace_back().offset = 0;
  return c.call<protocol::delete_records_response_data>(req, 2).topics.at(0).partitions.at(0).error_code;
}

int16_t add_partitions_checked(wire_client& c, const std::string& t) {
  protocol::create_partitions_request_data req;
  req.validate_only = true;
  auto& pt = req.topics.emplace_back();
  pt.name = t;
  pt.count = 2;
  pt.assignments = std::nullopt;
  return c.call<protocol::create_partitions_response_data>(req, 3).results.at(0).error_code;
}

int16_t describe_configs_of(wire_client& c, int8_t type, const std::string& name) {
  protocol::describe_configs_request_data req;
  auto& r = req.resources.emplace_back();
  r.resource_type = type;
  r.resource_name = name;
  r.configuration_keys = std::nullopt;
  return c.call<protocol::describe_configs_response_data>(req, 4).results.at(0).error_code;
}

int16_t alter_topic_config_checked(wire_client& c, const std::string& t) {
  protocol::incremental_alter_configs_request_data req;
  req.validate_only = true;
  auto& r = req.resources.emplace_back();
  r.resource_type = 2;
  r.resource_name = t;
  auto& cfg = r.configs.emplace_back();
  cfg.name = "retention.ms";
  cfg.value = "1000";
  return c.call<protocol::incremental_alter_configs_response_data>(req, 1).responses.at(0).error_code;
}

int16_t heartbeat_in(wire_client& c, const std::string& g) {
  protocol::heartbeat_request_data req;
  req.group_id = g;
  req.generation_id = 1;
  req.member_id = "nobody";
  return c.call<protocol::heartbeat_response_data>(req, 4).error_code;
}

int16_t describe_group(wire_client& c, const std::string& g) {
  protocol::describe_groups_request_data req;
  req.groups = {g};
  return c.call<protocol::describe_groups_response_data>(req, 5).groups.at(0).error_code;
}

int16_t delete_group(wire_client& c, const std::string& g) {
  protocol::delete_groups_request_data req;
  req.groups_names = {g};
  return c.call<protocol::delete_groups_response_data>(req, 2).results.at(0).error_code;
}

int16_t delete_acls_matching_nothing(wire_client& c) {
  protocol::delete_acls_request_data req;
  auto& f = req.filters.emplace_back();
  f.resource_type_filter = topic;
  f.resource_name_filter = "no-acl-names-this";
  f.pattern_type_filter = literal;
  f.principal_filter = std::nullopt;
  f.host_filter = std::nullopt;
  f.operation = 1;        // ANY
  f.permission_type = 1;  // ANY
  return c.call<protocol::delete_acls_response_data>(req, 3).filter_results.at(0).error_code;
}

int16_t describe_acls(wire_client& c) {
  protocol::describe_acls_request_data req;
  req.resource_type_filter = topic;
  req.resource_name_filter = "no-acl-names-this";
  req.pattern_type_filter = literal;
  req.principal_filter = std::nullopt;
  req.host_filter = std::nullopt;
  req.operation = 1;
  req.permission_type = 1;
  return c.call<protocol::describe_acls_response_data>(req, 3).error_code;
}

int16_t broker_to_broker_add_partitions(wire_client& c) {
  protocol::add_partitions_to_txn_request_data req;  // v4+: no transactions is enough
  return c.call<protocol::add_partitions_to_txn_response_data>(req, 4).error_code;
}

int16_t alter_quota_checked(wire_client& c) {
  protocol::alter_client_quotas_request_data req;
  req.validate_only = true;
  auto& e = req.entries.emplace_back();
  auto& entity = e.entity.emplace_back();
  entity.entity_type = "user";
  entity.entity_name = "someone";
  auto& o = e.ops.emplace_back();
  o.key = "producer_byte_rate";
  o.value = 1024;
  return c.call<protocol::alter_client_quotas_response_data>(req, 1).entries.at(0).error_code;
}

int16_t init_idempotent_producer(wire_client& c) {
  protocol::init_producer_id_request_data req;
  req.transactional_id = std::nullopt;
  req.transaction_timeout_ms = 60000;
  return c.call<protocol::init_producer_id_response_data>(req, 4).error_code;
}

int16_t end_txn_of(wire_client& c, const std::string& id) {
  protocol::end_txn_request_data req;
  req.transactional_id = id;
  req.producer_id = 1;
  req.producer_epoch = 0;
  return c.call<protocol::end_txn_response_data>(req, 3).error_code;
}

int16_t describe_txn(wire_client& c, const std::string& id) {
  protocol::describe_transactions_request_data req;
  req.transactional_ids = {id};
  return c.call<protocol::describe_transactions_response_data>(req, 0).transaction_states.at(0).error_code;
}

struct probe {
  std::string what;  // names the resource (mx-<what>.r) and the trace
  int8_t resource_type;
  int8_t operation;
  int16_t denied_code;
  std::function<int16_t(wire_client&, const std::string& name)> send;
};

std::vector<probe> probes() {
  auto cluster_wide = [](auto f) { return [f](wire_client& c, const std::string&) { return f(c); }; };
  return {
      {"read", topic, op_read, taf, fetch_from},
      {"write", topic, op_write, taf, produce_to},
      {"create", topic, op_create, taf, create_topic_checked},
      {"delete", topic, op_delete, taf, delete_records_of},
      {"alter", topic, op_alter, taf, add_partitions_checked},
      {"describe", topic, op_describe, taf, list_offsets_of},
      {"describeconfigs", topic, op_describe_configs, taf,
       [](wire_client& c, const std::string& n) { return describe_configs_of(c, 2, n); }},
      {"alterconfigs", topic, op_alter_configs, taf, alter_topic_config_checked},
      {"gread", group, op_read, gaf, heartbeat_in},
      {"gdescribe", group, op_describe, gaf, describe_group},
      {"gdelete", group, op_delete, gaf, delete_group},
      // CreateTopics with CREATE on the cluster: the topic itself has no ACL.
      {"ccreate", cluster, op_create, taf, create_topic_checked},
      {"calter", cluster, op_alter, caf, cluster_wide(delete_acls_matching_nothing)},
      {"cdescribe", cluster, op_describe, caf, cluster_wide(describe_acls)},
      {"caction", cluster, op_cluster_action, caf, cluster_wide(broker_to_broker_add_partitions)},
      {"cdescribeconfigs", cluster, op_describe_configs, caf,
       [](wire_client& c, const std::string&) { return describe_configs_of(c, 4, "1"); }},
      {"calterconfigs", cluster, op_alter_configs, caf, cluster_wide(alter_quota_checked)},
      {"cidempotent", cluster, op_idempotent_write, caf, cluster_wide(init_idempotent_producer)},
      {"twrite", transactional_id, op_write, tiaf, end_txn_of},
      {"tdescribe", transactional_id, op_describe, tiaf, describe_txn},
  };
}

std::string resource_of(const probe& p) { return p.resource_type == cluster ? "kafka-cluster" : "mx-" + p.what + ".r"; }
// The cluster's one valid name may only be matched whole: a PREFIXED pattern
// equal to it is the only prefixed ACL Kafka accepts there.
std::string prefix_of(const probe& p) { return p.resource_type == cluster ? "kafka-cluster" : "mx-" + p.what + "."; }
// The name the request carries (for the cluster probes, a topic no ACL names).
std::string request_name(const probe& p) { return p.resource_type == cluster ? "mx-" + p.what + ".r" : resource_of(p); }

// The ACL matrix of issue 14 over the wire.
TEST_F(AclEnforcement, MatrixEveryOperationOnEveryResourceType) {
  std::vector<acl> acls;
  for (const auto& p : probes()) {
    acls.push_back({p.resource_type, resource_of(p), literal, "alice", p.operation, allow});
    acls.push_back({p.resource_type, prefix_of(p), prefixed, "bob", p.operation, allow});
    acls.push_back({p.resource_type, resource_of(p), literal, "carol", p.operation, allow});
    acls.push_back({p.resource_type, resource_of(p), literal, "carol", p.operation, deny});
  }
  grant(acls);
  std::map<std::string, std::unique_ptr<wire_client>> clients;
  for (const char* who : {"alice", "bob", "carol", "dave"}) clients[who] = as(who);
  for (const auto& p : probes()) {
    SCOPED_TRACE(p.what);
    const std::string name = request_name(p);
    EXPECT_NE(p.send(*clients["alice"], name), p.denied_code) << "allowed by a LITERAL ACL";
    EXPECT_NE(p.send(*clients["bob"], name), p.denied_code) << "allowed by a PREFIXED ACL";
    EXPECT_EQ(p.send(*clients["carol"], name), p.denied_code) << "a DENY overrides the ALLOW";
    EXPECT_EQ(p.send(*clients["dave"], name), p.denied_code) << "denied by default";
  }
}

// The super user passes every check without an ACL; ANONYMOUS (PLAINTEXT)
// has none and is refused.
TEST_F(AclEnforcement, SuperUserNeedsNoAclAndAnonymousGetsNothing) {
  auto admin = as("admin");
  ASSERT_EQ(create_topic(*admin, "su-topic", 1), 0);
  EXPECT_EQ(produce_to(*admin, "su-topic"), 0);
  EXPECT_EQ(fetch_from(*admin, "su-topic"), 0);
  EXPECT_EQ(describe_acls(*admin), 0);
  auto anon = anonymous();
  EXPECT_EQ(produce_to(*anon, "su-topic"), taf);
  EXPECT_EQ(fetch_from(*anon, "su-topic"), taf);
  EXPECT_EQ(describe_acls(*anon), caf);
  EXPECT_EQ(create_topic(*anon, "anon-topic", 1), taf);
}

// Metadata shows only what the principal may DESCRIBE, answers a hidden or
// missing name alike, and reports authorized operations from the ACLs.
TEST_F(AclEnforcement, MetadataHidesWhatThePrincipalMayNotDescribe) {
  auto admin = as("admin");
  ASSERT_EQ(create_topic(*admin, "md-visible", 1), 0);
  ASSERT_EQ(create_topic(*admin, "md-hidden", 1), 0);
  const protocol::uuid hidden_id = topic_id_of(*admin, "md-hidden");
  grant({{topic, "md-visible", literal, "erin", op_describe, allow},
         {topic, "md-visible", literal, "erin", op_read, allow}});
  auto erin = as("erin");

  protocol::metadata_request_data all;
  all.topics = std::nullopt;
  all.include_topic_authorized_operations = true;
  auto listed = erin->call<protocol::metadata_response_data>(all, 12);
  std::map<std::string, int32_t> ops;  // what erin sees, with her authorized operations
  for (const auto& t : listed.topics) ops[t.name.value_or("")] = t.topic_authorized_operations;
  EXPECT_TRUE(ops.contains("md-visible"));
  EXPECT_FALSE(ops.contains("md-hidden"));
  EXPECT_FALSE(ops.contains("su-topic")) << "made by the super user, no ACL for erin";
  constexpr int32_t read_and_describe = (1 << op_read) | (1 << op_describe);
  EXPECT_EQ(ops["md-visible"], read_and_describe);

  // The super user sees both.
  auto everything = admin->call<protocol::metadata_response_data>(all, 12);
  std::set<std::string> admin_names;
  for (const auto& t : everything.topics) admin_names.insert(t.name.value_or(""));
  EXPECT_TRUE(admin_names.contains("md-hidden") && admin_names.contains("md-visible"));

  protocol::metadata_request_data named;
  named.allow_auto_topic_creation = false;
  named.include_cluster_authorized_operations = true;
  for (const char* n : {"md-visible", "md-hidden", "md-never-made"}) named.topics->emplace_back().name = n;
  auto answer = erin->call<protocol::metadata_response_data>(named, 10);
  ASSERT_EQ(answer.topics.size(), 3u);
  EXPECT_EQ(answer.topics[0].error_code, 0);
  EXPECT_EQ(answer.topics[1].error_code, taf) << "hidden: not UNKNOWN_TOPIC_OR_PARTITION";
  EXPECT_EQ(answer.topics[1].topic_id, protocol::uuid{}) << "no id for a hidden topic";
  EXPECT_TRUE(answer.topics[1].partitions.empty());
  EXPECT_EQ(answer.topics[2].error_code, taf) << "a missing topic answers like a hidden one";
  EXPECT_EQ(answer.cluster_authorized_operations, 0) << "no DESCRIBE on the cluster";
  auto admin_answer = admin->call<protocol::metadata_response_data>(named, 10);
  EXPECT_EQ(admin_answer.topics[2].error_code, to_int(error_code::unknown_topic_or_partition));
  EXPECT_NE(admin_answer.cluster_authorized_operations, 0);

  // By id (v12): the id is echoed, the name is not.
  protocol::metadata_request_data by_id;
  auto& wanted = by_id.topics->emplace_back();
  wanted.name = std::nullopt;
  wanted.topic_id = hidden_id;
  auto id_answer = erin->call<protocol::metadata_response_data>(by_id, 12);
  ASSERT_EQ(id_answer.topics.size(), 1u);
  EXPECT_EQ(id_answer.topics[0].error_code, taf);
  EXPECT_FALSE(id_answer.topics[0].name.has_value());

  // Auto-creation needs CREATE as well as DESCRIBE.
  grant({{topic, "md-auto", literal, "erin", op_describe, allow}});
  protocol::metadata_request_data create;
  create.allow_auto_topic_creation = true;
  create.topics->emplace_back().name = "md-auto";
  EXPECT_EQ(erin->call<protocol::metadata_response_data>(create, 12).topics.at(0).error_code, taf);
  grant({{topic, "md-auto", literal, "erin", op_create, allow}});
  EXPECT_EQ(erin->call<protocol::metadata_response_data>(create, 12).topics.at(0).error_code, 0);

  // DescribeTopicPartitions hides the same way.
  protocol::describe_topic_partitions_request_data dtp;
  dtp.response_partition_limit = 100;
  auto pages = erin->call<protocol::describe_topic_partitions_response_data>(dtp, 0);
  std::set<std::string> paged;
  for (const auto& t : pages.topics) {
    paged.insert(t.name.value_or(""));
    if (t.name == "md-visible") {
      EXPECT_EQ(t.topic_authorized_operations, read_and_describe);
    }
  }
  EXPECT_TRUE(paged.contains("md-auto") && paged.contains("md-visible"));
  EXPECT_FALSE(paged.contains("md-hidden"));
  dtp.topics.emplace_back().name = "md-hidden";
  EXPECT_EQ(erin->call<protocol::describe_topic_partitions_response_data>(dtp, 0).topics.at(0).error_code, taf);
}

// Produce and Fetch with the rights they need, the transactional id check
// before anything else, and WRITE implying DESCRIBE for ListOffsets.
TEST_F(AclEnforcement, DataPathNeedsWriteAndRead) {
  auto admin = as("admin");
  ASSERT_EQ(create_topic(*admin, "data-t", 1), 0);
  grant({{topic, "data-t", literal, "erin", op_write, allow}});
  auto erin = as("erin");
  EXPECT_EQ(produce_to(*erin, "data-t"), 0);
  EXPECT_EQ(list_offsets_of(*erin, "data-t"), 0) << "WRITE implies DESCRIBE";
  EXPECT_EQ(fetch_from(*erin, "data-t"), taf);
  grant({{topic, "data-t", literal, "erin", op_read, allow}});
  protocol::fetch_request_data req;
  auto& ft = req.topics.emplace_back();
  ft.topic = "data-t";
  auto& fp = ft.partitions.emplace_back();
  fp.partition_max_bytes = 1 << 20;
  auto fetched = erin->call<protocol::fetch_response_data>(req, 12);
  ASSERT_EQ(fetched.responses.at(0).partitions.at(0).error_code, 0);
  EXPECT_GT(fetched.responses[0].partitions[0].records->size(), 0u);

  // A follower's fetch (replica id set) needs CLUSTER_ACTION.
  req.replica_id = 1;
  EXPECT_EQ(erin->call<protocol::fetch_response_data>(req, 12).responses.at(0).partitions.at(0).error_code, taf);

  // A transactional batch without WRITE on its transactional id: every
  // partition is refused before any is looked at.
  auto batch = batch_of({"t"}, 0, {1000, 0, 0});
  batch[22] |= 0x10;  // the transactional bit of the attributes
  protocol::produce_request_data txn;
  txn.transactional_id = "data-tx";
  txn.acks = 1;
  txn.timeout_ms = 5000;
  for (const char* t : {"data-t", "elsewhere"}) {
    auto& td = txn.topic_data.emplace_back();
    td.name = t;
    auto& pd = td.partition_data.emplace_back();
    pd.records = protocol::records::copy(batch);
  }
  auto refused = erin->call<protocol::produce_response_data>(txn, 9);
  ASSERT_EQ(refused.responses.size(), 2u);
  for (const auto& t : refused.responses) EXPECT_EQ(t.partition_responses.at(0).error_code, tiaf) << t.name;
}

// Group APIs: READ on the group, then READ (commit) or DESCRIBE (fetch) on
// each topic; listings filtered; authorized operations from the ACLs.
TEST_F(AclEnforcement, GroupsCheckTheGroupThenEachTopic) {
  auto admin = as("admin");
  ASSERT_EQ(create_topic(*admin, "grp-open", 1), 0);
  ASSERT_EQ(create_topic(*admin, "grp-closed", 1), 0);
  auto erin = as("erin");

  protocol::offset_commit_request_data commit;
  commit.group_id = "grp-g";
  commit.generation_id_or_member_epoch = -1;
  for (const char* t : {"grp-open", "grp-closed"}) {
    auto& ct = commit.topics.emplace_back();
    ct.name = t;
    ct.partitions.emplace_back().committed_offset = 0;
  }
  auto denied = erin->call<protocol::offset_commit_response_data>(commit, 8);
  for (const auto& t : denied.topics) EXPECT_EQ(t.partitions.at(0).error_code, gaf) << t.name;

  grant({{group, "grp-", prefixed, "erin", op_read, allow}, {topic, "grp-open", literal, "erin", op_read, allow}});
  auto committed = erin->call<protocol::offset_commit_response_data>(commit, 8);
  ASSERT_EQ(committed.topics.size(), 2u);
  EXPECT_EQ(committed.topics[0].partitions.at(0).error_code, 0);
  EXPECT_EQ(committed.topics[1].partitions.at(0).error_code, taf);

  // OffsetFetch (READ on the group implies DESCRIBE): a topic asked by name
  // without DESCRIBE answers TOPIC_AUTHORIZATION_FAILED; "all" leaves it out.
  protocol::offset_fetch_request_data fetch;
  auto& g = fetch.groups.emplace_back();
  g.group_id = "grp-g";
  g.topics.emplace();
  for (const char* t : {"grp-open", "grp-closed"}) {
    auto& ft = g.topics->emplace_back();
    ft.name = t;
    ft.partition_indexes = {0};
  }
  // The super user commits the closed topic too: "every partition" then has two.
  auto admin_commit = commit;
  admin_commit.topics.erase(admin_commit.topics.begin());
  ASSERT_EQ(admin->call<protocol::offset_commit_response_data>(admin_commit, 8).topics.at(0).partitions.at(0).error_code,
            0);
  auto fetched = erin->call<protocol::offset_fetch_response_data>(fetch, 8);
  std::map<std::string, int16_t> codes;
  for (const auto& t : fetched.groups.at(0).topics) codes[t.name] = t.partitions.at(0).error_code;
  EXPECT_EQ(codes["grp-open"], 0);
  EXPECT_EQ(codes["grp-closed"], taf);
  fetch.groups[0].topics = std::nullopt;
  auto every = admin->call<protocol::offset_fetch_response_data>(fetch, 8);
  EXPECT_EQ(every.groups.at(0).topics.size(), 2u);
  auto erins_view = erin->call<protocol::offset_fetch_response_data>(fetch, 8);
  ASSERT_EQ(erins_view.groups.at(0).topics.size(), 1u);
  EXPECT_EQ(erins_view.groups[0].topics[0].name, "grp-open");

  // DescribeGroups: authorized operations of the group (READ, and DESCRIBE by
  // implication); the refused group comes first, as Kafka answers.
  protocol::describe_groups_request_data describe;
  describe.groups = {"grp-g", "other-g"};
  describe.include_authorized_operations = true;
  auto described = erin->call<protocol::describe_groups_response_data>(describe, 5);
  ASSERT_EQ(described.groups.size(), 2u);
  EXPECT_EQ(described.groups[0].group_id, "other-g");
  EXPECT_EQ(described.groups[0].error_code, gaf);
  EXPECT_EQ(described.groups[1].group_id, "grp-g");
  EXPECT_EQ(described.groups[1].error_code, 0);
  EXPECT_EQ(described.groups[1].authorized_operations, (1 << op_read) | (1 << op_describe));

  // ListGroups: only the groups erin may describe (admin sees more).
  admin->call<protocol::offset_commit_response_data>(
      [] {
        protocol::offset_commit_request_data c;
        c.group_id = "other-g";
        c.generation_id_or_member_epoch = -1;
        auto& t = c.topics.emplace_back();
        t.name = "grp-open";
        t.partitions.emplace_back().committed_offset = 0;
        return c;
      }(),
      8);
  protocol::list_groups_request_data list;
  std::set<std::string> erins_groups, all_groups;
  for (const auto& lg : erin->call<protocol::list_groups_response_data>(list, 4).groups) erins_groups.insert(lg.group_id);
  for (const auto& lg : admin->call<protocol::list_groups_response_data>(list, 4).groups) all_groups.insert(lg.group_id);
  EXPECT_TRUE(erins_groups.contains("grp-g"));
  EXPECT_FALSE(erins_groups.contains("other-g"));
  EXPECT_TRUE(all_groups.contains("other-g"));
}

// Transactions: WRITE on the transactional id, then WRITE on each topic
// (AddPartitionsToTxn) or READ on the group (AddOffsetsToTxn).
TEST_F(AclEnforcement, TransactionsCheckTheIdThenTheTopics) {
  auto admin = as("admin");
  ASSERT_EQ(create_topic(*admin, "txn-open", 1), 0);
  ASSERT_EQ(create_topic(*admin, "txn-closed", 1), 0);
  auto erin = as("erin");
  protocol::init_producer_id_request_data init;
  init.transactional_id = "txn-erin";
  init.transaction_timeout_ms = 60000;
  EXPECT_EQ(erin->call<protocol::init_producer_id_response_data>(init, 4).error_code, tiaf);
  grant({{transactional_id, "txn-erin", literal, "erin", op_write, allow},
         {topic, "txn-open", literal, "erin", op_write, allow}});
  auto producer = erin->call<protocol::init_producer_id_response_data>(init, 4);
  ASSERT_EQ(producer.error_code, 0);

  protocol::add_partitions_to_txn_request_data add;
  add.v3_and_below_transactional_id = "txn-erin";
  add.v3_and_below_producer_id = producer.producer_id;
  add.v3_and_below_producer_epoch = producer.producer_epoch;
  for (const char* t : {"txn-open", "txn-closed"}) {
    auto& at = add.v3_and_below_topics.emplace_back();
    at.name = t;
    at.partitions = {0};
  }
  auto added = erin->call<protocol::add_partitions_to_txn_response_data>(add, 3);
  std::map<std::string, int16_t> codes;
  for (const auto& t : added.results_by_topic_v3_and_below) {
    codes[t.name] = t.results_by_partition.at(0).partition_error_code;
  }
  EXPECT_EQ(codes["txn-closed"], taf);
  EXPECT_EQ(codes["txn-open"], to_int(error_code::operation_not_attempted));

  protocol::add_offsets_to_txn_request_data offsets;
  offsets.transactional_id = "txn-erin";
  offsets.producer_id = producer.producer_id;
  offsets.producer_epoch = producer.producer_epoch;
  offsets.group_id = "txn-group";
  EXPECT_EQ(erin->call<protocol::add_offsets_to_txn_response_data>(offsets, 3).error_code, gaf);

  // An idempotent producer: WRITE on some topic is enough (KIP-679).
  EXPECT_EQ(init_idempotent_producer(*erin), 0);
  EXPECT_EQ(init_idempotent_producer(*as("dave")), caf);

  // WriteTxnMarkers is the coordinator's: CLUSTER_ACTION (or ALTER) on the cluster.
  protocol::write_txn_markers_request_data markers;
  auto& m = markers.markers.emplace_back();
  m.producer_id = producer.producer_id;
  m.producer_epoch = producer.producer_epoch;
  auto& mt = m.topics.emplace_back();
  mt.name = "txn-open";
  mt.partition_indexes = {0};
  auto written = erin->call<protocol::write_txn_markers_response_data>(markers, 1);
  EXPECT_EQ(written.markers.at(0).topics.at(0).partitions.at(0).error_code, caf);
}

// Admin APIs: CreateTopics hides the configs of a topic the principal may
// not DESCRIBE_CONFIGS; DeleteTopics answers a hidden topic as unauthorized
// whether it exists or not; cluster-level APIs.
TEST_F(AclEnforcement, AdminApis) {
  grant({{topic, "adm-", prefixed, "erin", op_create, allow}});
  auto erin = as("erin");
  protocol::create_topics_request_data create;
  auto& ct = create.topics.emplace_back();
  ct.name = "adm-made";
  ct.num_partitions = 1;
  ct.replication_factor = 1;
  auto made = erin->call<protocol::create_topics_response_data>(create, 7);
  ASSERT_EQ(made.topics.at(0).error_code, 0);
  EXPECT_EQ(made.topics[0].topic_config_error_code, taf);
  EXPECT_TRUE(!made.topics[0].configs || made.topics[0].configs->empty());

  protocol::delete_topics_request_data remove;
  remove.topic_names = {"adm-made", "adm-never"};
  auto removed = erin->call<protocol::delete_topics_response_data>(remove, 5);
  ASSERT_EQ(removed.responses.size(), 2u);
  EXPECT_EQ(removed.responses[0].error_code, taf) << "CREATE does not allow DELETE";
  EXPECT_EQ(removed.responses[1].error_code, taf) << "and a missing topic is not told apart";
  grant({{topic, "adm-made", literal, "erin", op_delete, allow}});
  remove.topic_names = {"adm-made"};
  EXPECT_EQ(erin->call<protocol::delete_topics_response_data>(remove, 5).responses.at(0).error_code, 0);

  protocol::describe_log_dirs_request_data dirs;
  dirs.topics = std::nullopt;
  auto listed = erin->call<protocol::describe_log_dirs_response_data>(dirs, 3);
  EXPECT_EQ(listed.error_code, caf);
  EXPECT_TRUE(listed.results.empty());

  protocol::describe_cluster_request_data cluster;
  cluster.include_cluster_authorized_operations = true;
  cluster.endpoint_type = 1;
  EXPECT_EQ(erin->call<protocol::describe_cluster_response_data>(cluster, 1).cluster_authorized_operations, 0);
  EXPECT_NE(as("admin")->call<protocol::describe_cluster_response_data>(cluster, 1).cluster_authorized_operations, 0);

  protocol::describe_user_scram_credentials_request_data users;
  EXPECT_EQ(erin->call<protocol::describe_user_scram_credentials_response_data>(users, 0).error_code, caf);
}

// Every API family refuses a principal without rights with Kafka's error,
// at the level Kafka reports it (top level, per group, per topic or per
// partition); ListTransactions lists nothing it may not describe.
TEST_F(AclEnforcement, EveryApiRefusesAPrincipalWithoutRights) {
  auto admin = as("admin");
  ASSERT_EQ(create_topic(*admin, "none-t", 1), 0);
  const protocol::uuid topic_uuid = topic_id_of(*admin, "none-t");
  protocol::init_producer_id_request_data init;
  init.transactional_id = "none-tx";
  init.transaction_timeout_ms = 60000;
  ASSERT_EQ(admin->call<protocol::init_producer_id_response_data>(init, 4).error_code, 0);
  auto dave = as("dave");

  {
    protocol::find_coordinator_request_data req;
    req.key = "none-g";
    EXPECT_EQ(dave->call<protocol::find_coordinator_response_data>(req, 3).error_code, gaf);
    req.key_type = 1;
    req.coordinator_keys = {"none-tx"};
    EXPECT_EQ(dave->call<protocol::find_coordinator_response_data>(req, 4).coordinators.at(0).error_code, tiaf);
  }
  {
    protocol::join_group_request_data req;
    req.group_id = "none-g";
    req.session_timeout_ms = 10000;
    req.rebalance_timeout_ms = 10000;
    req.protocol_type = "consumer";
    req.protocols.emplace_back().name = "range";
    EXPECT_EQ(dave->call<protocol::join_group_response_data>(req, 5).error_code, gaf);
  }
  {
    protocol::sync_group_request_data req;
    req.group_id = "none-g";
    req.member_id = "m";
    req.protocol_type = "consumer";
    req.protocol_name = "range";
    EXPECT_EQ(dave->call<protocol::sync_group_response_data>(req, 5).error_code, gaf);
  }
  {
    protocol::leave_group_request_data req;
    req.group_id = "none-g";
    req.members.emplace_back().member_id = "m";
    EXPECT_EQ(dave->call<protocol::leave_group_response_data>(req, 3).error_code, gaf);
  }
  {
    protocol::offset_delete_request_data req;
    req.group_id = "none-g";
    auto& t = req.topics.emplace_back();
    t.name = "none-t";
    t.partitions.emplace_back();
    EXPECT_EQ(dave->call<protocol::offset_delete_response_data>(req, 0).error_code, gaf);
  }
  {
    protocol::txn_offset_commit_request_data req;
    req.transactional_id = "none-tx";
    req.group_id = "none-g";
    auto& t = req.topics.emplace_back();
    t.name = "none-t";
    t.partitions.emplace_back();
    auto resp = dave->call<protocol::txn_offset_commit_response_data>(req, 3);
    EXPECT_EQ(resp.topics.at(0).partitions.at(0).error_code, tiaf);
  }
  {
    protocol::add_offsets_to_txn_request_data req;
    req.transactional_id = "none-tx";
    req.group_id = "none-g";
    EXPECT_EQ(dave->call<protocol::add_offsets_to_txn_response_data>(req, 3).error_code, tiaf);
  }
  {
    protocol::describe_producers_request_data req;
    auto& t = req.topics.emplace_back();
    t.name = "none-t";
    t.partition_indexes = {0};
    EXPECT_EQ(dave->call<protocol::describe_producers_response_data>(req, 0).topics.at(0).partitions.at(0).error_code,
              taf);
  }
  {
    protocol::offset_for_leader_epoch_request_data req;
    auto& t = req.topics.emplace_back();
    t.topic = "none-t";
    t.partitions.emplace_back();
    EXPECT_EQ(
        dave->call<protocol::offset_for_leader_epoch_response_data>(req, 4).topics.at(0).partitions.at(0).error_code,
        taf);
  }
  {
    protocol::alter_configs_request_data req;
    req.validate_only = true;
    auto& topic_res = req.resources.emplace_back();
    topic_res.resource_type = 2;
    topic_res.resource_name = "none-t";
    auto& broker_res = req.resources.emplace_back();
    broker_res.resource_type = 4;
    broker_res.resource_name = "1";
    auto resp = dave->call<protocol::alter_configs_response_data>(req, 1);
    EXPECT_EQ(resp.responses.at(0).error_code, taf);
    EXPECT_EQ(resp.responses.at(1).error_code, caf);
    EXPECT_EQ(describe_configs_of(*dave, 32, "none-g"), gaf) << "a group's configs: the group";
  }
  {
    protocol::describe_client_quotas_request_data req;
    EXPECT_EQ(dave->call<protocol::describe_client_quotas_response_data>(req, 1).error_code, caf);
    protocol::alter_user_scram_credentials_request_data alter;
    auto& d = alter.deletions.emplace_back();
    d.name = "someone";
    d.mechanism = 1;
    auto resp = dave->call<protocol::alter_user_scram_credentials_response_data>(alter, 0);
    ASSERT_EQ(resp.results.size(), 1u);
    EXPECT_EQ(resp.results[0].error_code, caf);
  }
  {
    protocol::create_acls_request_data req;
    auto& c = req.creations.emplace_back();
    c.resource_type = topic;
    c.resource_name = "none-t";
    c.resource_pattern_type = literal;
    c.principal = "User:dave";
    c.host = "*";
    c.operation = op_all;
    c.permission_type = allow;
    EXPECT_EQ(dave->call<protocol::create_acls_response_data>(req, 3).results.at(0).error_code, caf)
        << "no granting oneself rights";
  }
  {
    protocol::consumer_group_heartbeat_request_data req;
    req.group_id = "none-g";
    req.member_id = "m";
    req.rebalance_timeout_ms = 10000;
    req.subscribed_topic_names = std::vector<std::string>{"none-t"};
    EXPECT_EQ(dave->call<protocol::consumer_group_heartbeat_response_data>(req, 0).error_code, gaf);
    grant({{group, "none-g", literal, "dave", op_read, allow}});
    EXPECT_EQ(dave->call<protocol::consumer_group_heartbeat_response_data>(req, 0).error_code, taf)
        << "READ on the group, but the subscribed topic may not be described";
    protocol::consumer_group_describe_request_data describe;
    describe.group_ids = {"none-g2"};
    EXPECT_EQ(dave->call<protocol::consumer_group_describe_response_data>(describe, 0).groups.at(0).error_code, gaf);
  }
  {
    protocol::share_group_heartbeat_request_data req;
    req.group_id = "none-sg";
    req.member_id = "m";
    req.subscribed_topic_names = std::vector<std::string>{"none-t"};
    EXPECT_EQ(dave->call<protocol::share_group_heartbeat_response_data>(req, 1).error_code, gaf);
    protocol::share_group_describe_request_data describe;
    describe.group_ids = {"none-sg"};
    EXPECT_EQ(dave->call<protocol::share_group_describe_response_data>(describe, 1).groups.at(0).error_code, gaf);
    protocol::share_fetch_request_data fetch;
    fetch.group_id = "none-sg";
    fetch.member_id = "m";
    fetch.max_records = 10;
    auto& ft = fetch.topics.emplace_back();
    ft.topic_id = topic_uuid;
    ft.partitions.emplace_back();
    EXPECT_EQ(dave->call<protocol::share_fetch_response_data>(fetch, 1).error_code, gaf);
    protocol::share_acknowledge_request_data ack;
    ack.group_id = "none-sg";
    ack.member_id = "m";
    ack.share_session_epoch = 1;
    EXPECT_EQ(dave->call<protocol::share_acknowledge_response_data>(ack, 1).error_code, gaf);
    protocol::describe_share_group_offsets_request_data offsets;
    offsets.groups.emplace_back().group_id = "none-sg";
    EXPECT_EQ(dave->call<protocol::describe_share_group_offsets_response_data>(offsets, 0).groups.at(0).error_code,
              gaf);
    protocol::alter_share_group_offsets_request_data alter;
    alter.group_id = "none-sg";
    EXPECT_EQ(dave->call<protocol::alter_share_group_offsets_response_data>(alter, 0).error_code, gaf);
    protocol::delete_share_group_offsets_request_data remove;
    remove.group_id = "none-sg";
    EXPECT_EQ(dave->call<protocol::delete_share_group_offsets_response_data>(remove, 0).error_code, gaf);
  }
  {
    protocol::list_transactions_request_data req;
    std::set<std::string> seen_by_admin, seen_by_dave;
    for (const auto& t : admin->call<protocol::list_transactions_response_data>(req, 1).transaction_states) {
      seen_by_admin.insert(t.transactional_id);
    }
    for (const auto& t : dave->call<protocol::list_transactions_response_data>(req, 1).transaction_states) {
      seen_by_dave.insert(t.transactional_id);
    }
    EXPECT_TRUE(seen_by_admin.contains("none-tx"));
    EXPECT_TRUE(seen_by_dave.empty());
  }
}

}  // namespace
}  // namespace samsa::wire_test
