// `samsa topic delete`: removes a topic and its data.
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "client/kafka_error.h"

namespace samsa::cli {

void register_topic_delete(CLI::App& topic, cli_context& ctx) {
  auto names = std::make_shared<std::vector<std::string>>();
  auto if_exists = std::make_shared<bool>(false);
  auto* cmd = topic.add_subcommand("delete", "Delete topics and all their messages");
  cmd->add_option("names", *names, "Topic names")->required();
  cmd->add_flag("--if-exists", *if_exists, "Succeed if a topic does not exist");
  set_example(cmd, "samsa topic delete orders");
  cmd->callback([names, if_exists, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    // Every name gets its try; the exit code is that of the first failure.
    int code = exit_ok;
    for (const auto& name : *names) {
      auto s = admin->delete_topic(name);
      if (s) {
        std::cout << fmt::format("deleted topic {}\n", name);
      } else if (*if_exists && client::is_not_found_error(s.err())) {
        std::cout << fmt::format("topic {} does not exist\n", name);
      } else if (name.rfind("__", 0) == 0 && !client::is_not_found_error(s.err())) {
        // Brokers answer a bare INVALID_REQUEST or a policy error here; say why.
        int c = ctx.fail(client::make_usage_error(
            fmt::format("delete topic {}", name),
            fmt::format("{} is an internal topic (the broker keeps group offsets or transaction state in it); the "
                        "broker refused: {}",
                        name, client::kafka_error_name(s.err().code.value())),
            "internal topics cannot be deleted"));
        if (code == exit_ok) code = c == exit_usage ? exit_failure : c;
      } else {
        int c = ctx.fail(s.err());
        if (code == exit_ok) code = c;
      }
    }
    ctx.exit_status = code;
  });
}

}  // namespace samsa::cli
