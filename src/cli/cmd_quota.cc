// `samsa quota set|remove|list`: client quotas (KIP-55 entities: a user, a
// client id, or both; `--user-default` / `--client-default` name the
// `<default>` entity) through AlterClientQuotas and DescribeClientQuotas,
// spoken directly over the protocol (librdkafka 2.0.2 has no client-quota
// admin calls). PLAINTEXT only, like `samsa txn`.
#include <iostream>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/kafka_connection.h"
#include "cli/structured_output.h"
#include "cli/table.h"
#include "client/kafka_error.h"

namespace samsa::cli {

namespace {
namespace file_cmd_quota {

struct entity_flags {
  std::string user;
  std::string client_id;
  bool user_default = false;
  bool client_default = false;
};

void add_entity_options(CLI::App* cmd, entity_flags& e) {
  cmd->add_option("--user", e.user, "The user (principal name)");
  cmd->add_flag("--user-default", e.user_default, "The <default> user entity");
  cmd->add_option("--client-id", e.client_id, "The client id");
  cmd->add_flag("--client-default", e.client_default, "The <default> client-id entity");
}

using wire_entity = std::vector<std::pair<std::string, std::optional<std::string>>>;

result<wire_entity> entity_of(const entity_flags& e, bool required) {
  wire_entity out;
  if (!e.user.empty() && e.user_default)
    return client::make_usage_error("quota", "--user and --user-default exclude each other");
  if (!e.client_id.empty() && e.client_default)
    return client::make_usage_error("quota", "--client-id and --client-default exclude each other");
  if (!e.user.empty()) out.push_back({"user", e.user});
  if (e.user_default) out.push_back({"user", std::nullopt});
  if (!e.client_id.empty()) out.push_back({"client-id", e.client_id});
  if (e.client_default) out.push_back({"client-id", std::nullopt});
  if (required && out.empty())
    return client::make_usage_error("quota", "name an entity: --user/--user-default and/or --client-id/--client-default");
  return out;
}

result<std::unique_ptr<kafka_connection>> connect(const cli_context& ctx) {
  auto c = ctx.config();
  if (!c) return c.err();
  std::string bootstrap = c->bootstrap_servers();
  std::string first = bootstrap.substr(0, bootstrap.find(','));
  auto conn = kafka_connection::open(first, c->get("client.id").value_or("samsa"),
                                     std::chrono::milliseconds(ctx.timeout_ms));
  if (!conn) return conn.err();
  (*conn)->set_timeout(std::chrono::milliseconds(ctx.timeout_ms));
  return std::move(*conn);
}

std::string entity_string(const wire_entity& entity) {
  std::string out;
  for (const auto& [type, name] : entity) {
    out += (type == "user" ? "/users/" : "/clients/") + name.value_or("<default>");
  }
  return out;
}

// Sends one AlterClientQuotas entry; fails with the broker's error.
status alter(const cli_context& ctx, const wire_entity& entity, const std::map<std::string, double>& set,
             const std::vector<std::string>& remove) {
  auto conn = connect(ctx);
  if (!conn) return conn.err();
  auto version = (*conn)->version_for<protocol::alter_client_quotas_request_data>("AlterClientQuotas");
  if (!version) return version.err();
  protocol::alter_client_quotas_request_data req;
  req.entries.push_back({});
  for (const auto& [type, name] : entity) {
    req.entries[0].entity.push_back({});
    req.entries[0].entity.back().entity_type = type;
    req.entries[0].entity.back().entity_name = name;
  }
  for (const auto& [key, value] : set) {
    req.entries[0].ops.push_back({});
    req.entries[0].ops.back().key = key;
    req.entries[0].ops.back().value = value;
  }
  for (const auto& key : remove) {
    req.entries[0].ops.push_back({});
    req.entries[0].ops.back().key = key;
    req.entries[0].ops.back().remove = true;
  }
  auto resp = (*conn)->call<protocol::alter_client_quotas_response_data>(req, *version);
  if (!resp) return resp.err();
  if (resp->entries.size() != 1) return client::make_kafka_error("AlterClientQuotas", -1, "unexpected answer shape");
  const auto& e = resp->entries[0];
  if (e.error_code != 0)
    return client::make_kafka_error("AlterClientQuotas", e.error_code, e.error_message.value_or(""));
  return {};
}

}  // namespace file_cmd_quota
}  // namespace

void register_quota(CLI::App& app, cli_context& ctx) {
  using namespace file_cmd_quota;
  auto* quota = app.add_subcommand("quota", "Set, remove and list client quotas (user and/or client id)")
                    ->require_subcommand(1);

  auto set_entity = std::make_shared<entity_flags>();
  auto set_values = std::make_shared<std::map<std::string, double>>();
  auto* set = quota->add_subcommand("set", "Set quota values of an entity (other keys keep theirs)");
  add_entity_options(set, *set_entity);
  set->add_option("--producer-byte-rate", (*set_values)["producer_byte_rate"], "Bytes per second produced");
  set->add_option("--consumer-byte-rate", (*set_values)["consumer_byte_rate"], "Bytes per second fetched");
  set->add_option("--request-percentage", (*set_values)["request_percentage"],
                  "Percent of one thread's time per second spent on the client's requests");
  set_example(set, "samsa quota set --client-id loader --producer-byte-rate 1048576");
  set->callback([set, set_entity, set_values, &ctx] {
    auto entity = entity_of(*set_entity, true);
    if (!entity) return void(ctx.exit_status = ctx.fail(entity.err()));
    std::map<std::string, double> values;
    for (const auto& [key, value] : *set_values) {
      std::string flag = "--" + key;
      for (auto& ch : flag) ch = ch == '_' ? '-' : ch;
      if (set->count(flag) > 0) values[key] = value;
    }
    if (values.empty())
      return void(ctx.exit_status = ctx.fail(client::make_usage_error(
                      "quota set", "no value given", "use --producer-byte-rate, --consumer-byte-rate or --request-percentage")));
    if (auto s = alter(ctx, *entity, values, {}); !s) return void(ctx.exit_status = ctx.fail(s.err()));
    std::cout << "set " << entity_string(*entity) << "\n";
  });

  auto remove_entity = std::make_shared<entity_flags>();
  auto remove_keys = std::make_shared<std::vector<std::string>>();
  auto* remove = quota->add_subcommand("remove", "Remove quota keys of an entity (all of them by default)");
  add_entity_options(remove, *remove_entity);
  remove->add_option("--key", *remove_keys,
                     "producer_byte_rate, consumer_byte_rate or request_percentage (repeatable)");
  set_example(remove, "samsa quota remove --client-id loader --key producer_byte_rate");
  remove->callback([remove_entity, remove_keys, &ctx] {
    auto entity = entity_of(*remove_entity, true);
    if (!entity) return void(ctx.exit_status = ctx.fail(entity.err()));
    std::vector<std::string> keys = *remove_keys;
    if (keys.empty()) keys = {"producer_byte_rate", "consumer_byte_rate", "request_percentage"};
    if (auto s = alter(ctx, *entity, {}, keys); !s) return void(ctx.exit_status = ctx.fail(s.err()));
    std::cout << "removed " << entity_string(*entity) << "\n";
  });

  auto list_entity = std::make_shared<entity_flags>();
  auto format = std::make_shared<output_format>(output_format::table);
  auto* list = quota->add_subcommand("list", "List client quotas (those of the entity named, or all)");
  list->alias("ls");
  add_entity_options(list, *list_entity);
  add_output_option(list, *format);
  list->callback([list_entity, format, &ctx] {
    auto entity = entity_of(*list_entity, false);
    if (!entity) return void(ctx.exit_status = ctx.fail(entity.err()));
    auto conn = connect(ctx);
    if (!conn) return void(ctx.exit_status = ctx.fail(conn.err()));
    auto version = (*conn)->version_for<protocol::describe_client_quotas_request_data>("DescribeClientQuotas");
    if (!version) return void(ctx.exit_status = ctx.fail(version.err()));
    protocol::describe_client_quotas_request_data req;
    for (const auto& [type, name] : *entity) {
      req.components.push_back({});
      req.components.back().entity_type = type;
      req.components.back().match_type = name ? 0 : 1;  // exact, default
      req.components.back().match = name;
    }
    auto resp = (*conn)->call<protocol::describe_client_quotas_response_data>(req, *version);
    if (!resp) return void(ctx.exit_status = ctx.fail(resp.err()));
    if (resp->error_code != 0)
      return void(ctx.exit_status = ctx.fail(client::make_kafka_error("DescribeClientQuotas", resp->error_code,
                                                                        resp->error_message.value_or(""))));
    auto j = nlohmann::json::array();
    table t({"ENTITY", "KEY", "VALUE"});
    for (const auto& e : resp->entries.value_or(std::vector<protocol::describe_client_quotas_response_data::entry_data>{})) {
      wire_entity we;
      nlohmann::json ent = nlohmann::json::object();
      for (const auto& part : e.entity) {
        we.push_back({part.entity_type, part.entity_name});
        ent[part.entity_type] = part.entity_name ? nlohmann::json(*part.entity_name) : nlohmann::json(nullptr);
      }
      nlohmann::json values = nlohmann::json::object();
      for (const auto& v : e.values) {
        values[v.key] = v.value;
        t.add({entity_string(we), v.key, fmt::format("{}", v.value)});
      }
      j.push_back({{"entity", ent}, {"values", values}});
    }
    if (*format != output_format::table) {
      print_document(std::cout, *format, j);
      return;
    }
    t.print(std::cout, ctx);
  });
}

}  // namespace samsa::cli
