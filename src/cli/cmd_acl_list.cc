// `samsa acl list`: the ACLs on the named resources (every ACL without one),
// optionally only those of some principals or operations.
#include <iostream>

#include "cli/acl_command_options.h"
#include "cli/commands.h"

namespace samsa::cli {

void register_acl_list(CLI::App& acl_cmd, cli_context& ctx) {
  auto o = std::make_shared<acl_options>();
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = acl_cmd.add_subcommand("list", "List ACLs");
  cmd->alias("ls");
  add_acl_resource_options(cmd, *o);
  cmd->add_option("--principal", o->principals, "Only ACLs of this principal (repeatable)");
  cmd->add_option("--operation", o->operations, "Only ACLs for this operation (repeatable)");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa acl list --topic orders --resource-pattern-type match");
  cmd->callback([o, format, &ctx] {
    auto filters = filters_from(*o);
    if (!filters) return void(ctx.exit_status = ctx.fail(filters.err()));
    result<void> usable;
    auto admin = make_acl_admin(ctx, usable);
    if (!usable) return void(ctx.exit_status = ctx.fail(usable.err()));
    auto listed = admin.list(*filters);
    if (!listed) return void(ctx.exit_status = ctx.fail(listed.err()));
    print_acls(std::cout, ctx, *format, listed->acls);
  });
}

}  // namespace samsa::cli
