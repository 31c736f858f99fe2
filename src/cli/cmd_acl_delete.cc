// `samsa acl delete`: removes the ACLs on the named resources, narrowed by
// principal, host and operation when given (Kafka's kafka-acls --remove).
// A resource or a principal is required, so that a bare command cannot
// remove every ACL; --resource-pattern-type any with --topic '*' and the like
// reaches further on purpose.
#include <iostream>

#include "cli/acl_command_options.h"
#include "cli/commands.h"
#include "client/kafka_error.h"

namespace samsa::cli {

void register_acl_delete(CLI::App& acl_cmd, cli_context& ctx) {
  auto o = std::make_shared<acl_options>();
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = acl_cmd.add_subcommand("delete", "Remove ACLs and list what was removed");
  cmd->alias("rm");
  add_acl_resource_options(cmd, *o);
  cmd->add_option("--allow-principal", o->allow_principals, "Only ALLOW ACLs of this principal (repeatable)");
  cmd->add_option("--deny-principal", o->deny_principals, "Only DENY ACLs of this principal (repeatable)");
  cmd->add_option("--operation", o->operations, "Only ACLs for this operation (repeatable)");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa acl delete --topic orders --allow-principal User:alice --operation Read");
  cmd->callback([o, format, &ctx] {
    if (o->topics.empty() && o->groups.empty() && o->transactional_ids.empty() && o->users.empty() && !o->cluster &&
        o->allow_principals.empty() && o->deny_principals.empty()) {
      auto usage = client::make_usage_error(
          "acl delete", "name a resource or a principal",
          "--topic, --group, --transactional-id, --user, --cluster, --allow-principal or --deny-principal");
      return void(ctx.exit_status = ctx.fail(usage));
    }
    auto filters = filters_from(*o);
    if (!filters) return void(ctx.exit_status = ctx.fail(filters.err()));
    result<void> usable;
    auto admin = make_acl_admin(ctx, usable);
    if (!usable) return void(ctx.exit_status = ctx.fail(usable.err()));
    auto removed = admin.remove(*filters);
    if (!removed) return void(ctx.exit_status = ctx.fail(removed.err()));
    print_acls(std::cout, ctx, *format, removed->acls);
    for (const auto& f : removed->failures) std::cerr << "error: " << f << "\n";
    if (!removed->failures.empty()) ctx.exit_status = exit_failure;
  });
}

}  // namespace samsa::cli
