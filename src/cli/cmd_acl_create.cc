// `samsa acl create`: adds ACLs, every combination of the resources,
// principals, hosts and operations named (as Kafka's kafka-acls --add).
#include <iostream>

#include "cli/acl_command_options.h"
#include "cli/commands.h"

namespace samsa::cli {

void register_acl_create(CLI::App& acl_cmd, cli_context& ctx) {
  auto o = std::make_shared<acl_options>();
  auto format = std::make_shared<output_format>(output_format::table);
  auto* cmd = acl_cmd.add_subcommand("create", "Add ACLs (the broker needs an authorizer: samsa serve --authorizer)");
  cmd->alias("add");
  add_acl_resource_options(cmd, *o);
  add_acl_entry_options(cmd, *o);
  add_output_option(cmd, *format);
  set_example(cmd, "samsa acl create --allow-principal User:alice --operation Read --topic orders");
  cmd->callback([o, format, &ctx] {
    auto bindings = bindings_from(*o);
    if (!bindings) return void(ctx.exit_status = ctx.fail(bindings.err()));
    result<void> usable;
    auto admin = make_acl_admin(ctx, usable);
    if (!usable) return void(ctx.exit_status = ctx.fail(usable.err()));
    auto created = admin.create(*bindings);
    if (!created) return void(ctx.exit_status = ctx.fail(created.err()));
    print_acls(std::cout, ctx, *format, created->acls);
    for (const auto& f : created->failures) std::cerr << "error: " << f << "\n";
    if (!created->failures.empty()) ctx.exit_status = exit_failure;
  });
}

}  // namespace samsa::cli
