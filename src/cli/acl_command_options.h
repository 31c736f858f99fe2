// The options `samsa acl create|list|delete` share (Kafka's kafka-acls
// names), and how the three print ACLs.
#pragma once

#include <CLI/CLI.hpp>
#include <iosfwd>
#include <vector>

#include "cli/acl_admin.h"
#include "cli/cli_context.h"
#include "cli/structured_output.h"

namespace samsa::cli {

// --topic, --group, --transactional-id, --user, --cluster, --resource-pattern-type.
void add_acl_resource_options(CLI::App* cmd, acl_options& o);
// --allow-principal, --deny-principal, --allow-host, --deny-host, --operation.
void add_acl_entry_options(CLI::App* cmd, acl_options& o);

acl_admin make_acl_admin(const cli_context& ctx, result<void>& status);

void print_acls(std::ostream& out, const cli_context& ctx, output_format format,
                const std::vector<acl::acl_binding>& acls);

}  // namespace samsa::cli
