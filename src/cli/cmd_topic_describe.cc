// `samsa topic describe`: partitions (leader, replicas, offsets) and configs.
#include <iostream>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/table.h"
#include "client/kafka_error.h"

namespace samsa::cli {

namespace {
namespace file_cmd_topic_describe {

// One topic: a JSON document, or the table form printed to stdout. Returns the exit code.
int describe_one(cli_context& ctx, client::admin& admin, const std::string& topic_name, output_format format,
                 bool all, nlohmann::json* doc);

// Names as given; ^regexes expand to the matching topics (sorted).
result<std::vector<std::string>> expand(client::admin& admin, const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const auto& p : patterns) {
    if (p.empty() || p[0] != '^') {
      out.push_back(p);
      continue;
    }
    auto listed = admin.list_topics(false);
    if (!listed) return listed.err();
    std::regex re;
    try {
      re = std::regex(p, std::regex::extended);
    } catch (const std::regex_error& e) {
      return client::make_usage_error("topic describe", fmt::format("\"{}\" is not a regular expression: {}", p, e.what()));
    }
    size_t before = out.size();
    for (const auto& t : *listed)
      if (std::regex_search(t.name, re)) out.push_back(t.name);
    if (out.size() == before)
      return client::make_kafka_error(fmt::format("describe topics {}", p), 3 /* UNKNOWN_TOPIC_OR_PART */,
                                      "no topic matches this pattern");
  }
  return out;
}

}  // namespace file_cmd_topic_describe
}  // namespace

void register_topic_describe(CLI::App& topic, cli_context& ctx) {
  using namespace file_cmd_topic_describe;
  auto format = std::make_shared<output_format>(output_format::table);
  auto names = std::make_shared<std::vector<std::string>>();
  auto all_configs = std::make_shared<bool>(false);
  auto* cmd = topic.add_subcommand("describe", "Show topics' partitions, offsets and configs");
  cmd->add_option("names", *names, "Topic names, or regular expressions starting with ^")->required();
  add_output_option(cmd, *format);
  cmd->add_flag("-a,--all-configs", *all_configs, "Also list configs left at their default");
  set_example(cmd, "samsa topic describe orders");
  cmd->callback([format, names, all_configs, &ctx] {
    auto admin = ctx.make_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto topics = expand(*admin, *names);
    if (!topics) return void(ctx.exit_status = ctx.fail(topics.err()));
    // One plain name keeps the single-object JSON shape; several (or a regex) give a list.
    bool single = names->size() == 1 && (*names)[0].rfind('^', 0) != 0;
    nlohmann::json list = nlohmann::json::array();
    int code = exit_ok;
    for (size_t i = 0; i < topics->size(); ++i) {
      if (i > 0 && *format == output_format::table) std::cout << "\n";
      nlohmann::json doc;
      int c = describe_one(ctx, *admin, (*topics)[i], *format, *all_configs, &doc);
      if (c != exit_ok && code == exit_ok) code = c;
      if (c == exit_ok && *format != output_format::table) list.push_back(std::move(doc));
    }
    if (*format != output_format::table) {
      if (single && !list.empty()) {
        print_document(std::cout, *format, list[0]);
      } else if (!single) {
        print_document(std::cout, *format, list);
      }
    }
    ctx.exit_status = code;
  });
}

namespace {
namespace file_cmd_topic_describe {

int describe_one(cli_context& ctx, client::admin& admin_client, const std::string& topic_name, output_format format,
                 bool all, nlohmann::json* doc) {
  // Pointers keep the body as it was when it described exactly one topic.
  auto* admin = &admin_client;
  const auto* name = &topic_name;
  const bool* all_configs = &all;
  {
    auto info = admin->describe_topic(*name);
    if (!info) return ctx.fail(info.err());
    // Configs are optional: older brokers may not serve DescribeConfigs.
    auto configs = admin->describe_topic_config(*name);
    if (format != output_format::table) {
      nlohmann::json j{{"name", info->name}, {"partitions", nlohmann::json::array()}};
      for (const auto& p : info->partitions)
        j["partitions"].push_back({{"partition", p.id}, {"leader", p.leader}, {"replicas", p.replicas},
                                   {"isr", p.in_sync}, {"earliest", p.earliest}, {"latest", p.latest},
                                   {"messages", p.latest - p.earliest}});
      if (configs) {
        j["configs"] = nlohmann::json::object();
        for (const auto& c : *configs) {
          if (*all_configs || !c.is_default) j["configs"][c.name] = c.value ? nlohmann::json(*c.value) : nullptr;
        }
      }
      *doc = std::move(j);
      return exit_ok;
    }
    std::cout << fmt::format("{} {}  partitions: {}  replication factor: {}\n\n", bold(ctx, "topic"), info->name,
                             info->partitions.size(), info->replication_factor());
    table t({"PARTITION", "LEADER", "REPLICAS", "IN-SYNC", "EARLIEST", "LATEST", "MESSAGES"});
    for (const auto& p : info->partitions)
      t.add({std::to_string(p.id), or_dash(p.leader), join_ints(p.replicas), join_ints(p.in_sync), or_dash(p.earliest),
             or_dash(p.latest), or_dash(p.latest >= 0 && p.earliest >= 0 ? p.latest - p.earliest : -1)});
    t.print(std::cout, ctx);
    if (!configs) {
      std::cout << "\n" << dim(ctx, "configs: not available (" + configs.err().message + ")") << "\n";
      return exit_ok;
    }
    table c({"CONFIG", "VALUE", "SOURCE"});
    for (const auto& e : *configs) {
      if (*all_configs || !e.is_default) c.add({e.name, e.sensitive ? "(hidden)" : e.value.value_or("-"), e.source});
    }
    std::cout << "\n";
    if (c.empty()) {
      std::cout << dim(ctx, "all configs at their defaults (show them with --all-configs)") << "\n";
    } else {
      c.print(std::cout, ctx);
    }
  }
  return exit_ok;
}

}  // namespace file_cmd_topic_describe
}  // namespace

}  // namespace samsa::cli
