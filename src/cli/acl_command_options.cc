#include "cli/acl_command_options.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/table.h"
#include "client/kafka_error.h"

namespace samsa::cli {

void add_acl_resource_options(CLI::App* cmd, acl_options& o) {
  cmd->add_option("--topic", o.topics, "Topic (repeatable; '*' for every topic)");
  cmd->add_option("--group", o.groups, "Consumer group (repeatable; '*' for every group)");
  cmd->add_option("--transactional-id", o.transactional_ids, "Transactional id (repeatable)");
  cmd->add_option("--user", o.users, "User resource, for token operations (repeatable)");
  cmd->add_flag("--cluster", o.cluster, "The cluster resource");
  cmd->add_option("--resource-pattern-type", o.pattern_type,
                  "literal (default) or prefixed; list and delete also take any and match");
}

void add_acl_entry_options(CLI::App* cmd, acl_options& o) {
  cmd->add_option("--allow-principal", o.allow_principals, "Principal to allow, as User:alice or User:* (repeatable)");
  cmd->add_option("--deny-principal", o.deny_principals, "Principal to deny (repeatable)");
  cmd->add_option("--allow-host", o.allow_hosts, "Host the allow applies to (default *)");
  cmd->add_option("--deny-host", o.deny_hosts, "Host the deny applies to (default *)");
  cmd->add_option("--operation", o.operations,
                  "Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, "
                  "IdempotentWrite, CreateTokens, DescribeTokens or All (repeatable)");
}

acl_admin make_acl_admin(const cli_context& ctx, result<void>& status) {
  auto c = ctx.config();
  if (!c) {
    status = c.err();
    return acl_admin("", "", std::chrono::milliseconds(ctx.timeout_ms));
  }
  if (auto protocol = c->get("security.protocol"); protocol && *protocol != "plaintext" && *protocol != "PLAINTEXT") {
    status = client::make_usage_error("samsa acl", "security.protocol=" + *protocol + " is not supported",
                                      "the acl commands speak PLAINTEXT only today");
  }
  return acl_admin(c->bootstrap_servers(), c->get("client.id").value_or("samsa"),
                   std::chrono::milliseconds(ctx.timeout_ms));
}

void print_acls(std::ostream& out, const cli_context& ctx, output_format format,
                const std::vector<acl::acl_binding>& acls) {
  if (format != output_format::table) {
    auto j = nlohmann::json::array();
    for (const auto& b : acls) {
      j.push_back({{"resource_type", acl::name(b.resource)},
                   {"resource_name", b.name},
                   {"pattern_type", acl::name(b.pattern)},
                   {"principal", b.principal},
                   {"host", b.host},
                   {"operation", acl::name(b.op)},
                   {"permission", acl::name(b.perm)}});
    }
    print_document(out, format, j);
    return;
  }
  table t({"RESOURCE-TYPE", "PATTERN", "NAME", "PRINCIPAL", "HOST", "OPERATION", "PERMISSION"});
  for (const auto& b : acls) {
    t.add({std::string(acl::name(b.resource)), std::string(acl::name(b.pattern)), b.name, b.principal, b.host,
           std::string(acl::name(b.op)), std::string(acl::name(b.perm))});
  }
  t.print(out, ctx);
}

}  // namespace samsa::cli
