// `samsa user create|delete|list`: SCRAM users in the broker's metadata log
// (AlterUserScramCredentials / DescribeUserScramCredentials). The password
// is read from --password-stdin (or --password, which other users of the
// machine can see in the process list) and hashed here; only the salted
// password travels.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/structured_output.h"
#include "cli/table.h"
#include "cli/user_admin.h"
#include "client/kafka_error.h"

namespace samsa::cli {
namespace {
namespace file_cmd_user {

result<user_admin> make_user_admin(const cli_context& ctx) {
  auto c = ctx.config();
  if (!c) return c.err();
  if (auto protocol = c->get("security.protocol"); protocol && *protocol != "plaintext" && *protocol != "PLAINTEXT") {
    return client::make_usage_error("samsa user", "security.protocol=" + *protocol + " is not supported",
                                    "the user commands speak PLAINTEXT only for now");
  }
  return user_admin(c->bootstrap_servers(), c->get("client.id").value_or("samsa"),
                    std::chrono::milliseconds(ctx.timeout_ms));
}

struct create_args {
  std::string user;
  std::string password;
  bool password_stdin = false;
  std::vector<std::string> mechanisms;
  int32_t iterations = 4096;
};

void register_user_create(CLI::App& user, cli_context& ctx) {
  auto args = std::make_shared<create_args>();
  auto* cmd = user.add_subcommand("create", "Create a SCRAM user, or set a new password for one");
  cmd->add_option("user", args->user, "User name")->required();
  auto* pw = cmd->add_option("--password", args->password, "The password (visible in the process list: prefer --password-stdin)");
  cmd->add_flag("--password-stdin", args->password_stdin, "Read the password from the first line of stdin")
      ->excludes(pw);
  cmd->add_option("--mechanism", args->mechanisms,
                  "SCRAM-SHA-256 or SCRAM-SHA-512 (repeatable; default: both)")
      ->check(CLI::IsMember({"SCRAM-SHA-256", "SCRAM-SHA-512"}));
  cmd->add_option("--iterations", args->iterations, "PBKDF2 iterations (4096 to 16384, as Kafka accepts)")
      ->check(CLI::Range(4096, 16384));
  set_example(cmd, "echo alice-secret | samsa user create alice --password-stdin");
  cmd->callback([args, &ctx] {
    std::string password = args->password;
    if (args->password_stdin) {
      if (!std::getline(std::cin, password)) password.clear();
      if (!password.empty() && password.back() == '\r') password.pop_back();
    } else if (password.empty()) {
      ctx.exit_status = ctx.fail(client::make_usage_error("user create", "no password given",
                                                          "use --password-stdin (or --password)"));
      return;
    }
    std::vector<std::string> mechanisms = args->mechanisms;
    if (mechanisms.empty()) mechanisms = {"SCRAM-SHA-256", "SCRAM-SHA-512"};
    auto admin = make_user_admin(ctx);
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    if (auto s = admin->create(args->user, password, mechanisms, args->iterations); !s)
      return void(ctx.exit_status = ctx.fail(s.err()));
    std::string list;
    for (const auto& m : mechanisms) list += (list.empty() ? "" : ", ") + m;
    std::cout << "user " << args->user << " has credentials for " << list << "\n";
  });
}

void register_user_delete(CLI::App& user, cli_context& ctx) {
  auto name = std::make_shared<std::string>();
  auto mechanisms = std::make_shared<std::vector<std::string>>();
  auto* cmd = user.add_subcommand("delete", "Delete a SCRAM user's credentials");
  cmd->add_option("user", *name, "User name")->required();
  cmd->add_option("--mechanism", *mechanisms, "Only this mechanism's credential (repeatable; default: all)")
      ->check(CLI::IsMember({"SCRAM-SHA-256", "SCRAM-SHA-512"}));
  set_example(cmd, "samsa user delete alice");
  cmd->callback([name, mechanisms, &ctx] {
    auto admin = make_user_admin(ctx);
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    if (auto s = admin->remove(*name, *mechanisms); !s) {
      int code = ctx.fail(s.err());
      ctx.exit_status = is_user_not_found(s.err()) ? exit_not_found : code;
      return;
    }
    std::cout << "deleted " << (mechanisms->empty() ? "every credential" : "the credentials") << " of user " << *name
              << "\n";
  });
}

void register_user_list(CLI::App& user, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto users = std::make_shared<std::vector<std::string>>();
  auto* cmd = user.add_subcommand("list", "List SCRAM users, their mechanisms and iterations");
  cmd->alias("ls");
  cmd->add_option("user", *users, "Only these users");
  add_output_option(cmd, *format);
  set_example(cmd, "samsa user list -o json");
  cmd->callback([format, users, &ctx] {
    auto admin = make_user_admin(ctx);
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto listed = admin->list(*users);
    if (!listed) {
      int code = ctx.fail(listed.err());
      ctx.exit_status = is_user_not_found(listed.err()) ? exit_not_found : code;
      return;
    }
    if (*format != output_format::table) {
      auto j = nlohmann::json::array();
      for (const auto& c : *listed) j.push_back({{"user", c.user}, {"mechanism", c.mechanism}, {"iterations", c.iterations}});
      print_document(std::cout, *format, j);
      return;
    }
    table t({"USER", "MECHANISM", "ITERATIONS"});
    for (const auto& c : *listed) t.add({c.user, c.mechanism, std::to_string(c.iterations)});
    t.print(std::cout, ctx);
  });
}

}  // namespace file_cmd_user
}  // namespace

void register_user(CLI::App& app, cli_context& ctx) {
  using namespace file_cmd_user;
  auto* user = app.add_subcommand("user", "Create, list and delete SCRAM users (SASL/SCRAM credentials)")
                   ->require_subcommand(1);
  register_user_create(*user, ctx);
  register_user_delete(*user, ctx);
  register_user_list(*user, ctx);
}

}  // namespace samsa::cli
