// The ACL operations behind `samsa acl` over kafka_connection: CreateAcls,
// DescribeAcls and DeleteAcls at the newest version both sides know, with
// the options Kafka's kafka-acls tool takes turned into ACLs and filters.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "security/acl/acl_binding.h"

namespace samsa::cli {

// What the command line names (Kafka's kafka-acls options).
struct acl_options {
  std::vector<std::string> allow_principals;
  std::vector<std::string> deny_principals;
  std::vector<std::string> allow_hosts;  // default "*"
  std::vector<std::string> deny_hosts;   // default "*"
  std::vector<std::string> operations;   // Read, Write, ..., All
  std::vector<std::string> topics;
  std::vector<std::string> groups;
  std::vector<std::string> transactional_ids;
  std::vector<std::string> users;
  bool cluster = false;
  std::string pattern_type;  // literal (default), prefixed; list/delete also any, match
  std::vector<std::string> principals;  // list: only these principals
};

// Every (resource x principal x host x operation) combination create makes.
result<std::vector<acl::acl_binding>> bindings_from(const acl_options& o);
// The filters list and delete use: one per named resource (or one for
// everything), narrowed by principal, host, operation when given.
result<std::vector<acl::acl_filter>> filters_from(const acl_options& o);

struct acl_admin_result {
  std::vector<acl::acl_binding> acls;  // created / listed / deleted
  std::vector<std::string> failures;   // one line per refused ACL or filter
};

class acl_admin {
 public:
  acl_admin(std::string bootstrap, std::string client_id, std::chrono::milliseconds timeout);
  result<acl_admin_result> create(const std::vector<acl::acl_binding>& acls);
  result<acl_admin_result> list(const std::vector<acl::acl_filter>& filters);
  result<acl_admin_result> remove(const std::vector<acl::acl_filter>& filters);

 private:
  std::string bootstrap_;
  std::string client_id_;
  std::chrono::milliseconds timeout_;
};

}  // namespace samsa::cli
