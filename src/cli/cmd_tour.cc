// `samsa tour`: registration; the lesson itself is in tour.cc.
#include "cli/commands.h"
#include "cli/tour.h"

namespace samsa::cli {

void register_tour(CLI::App& app, cli_context& ctx) {
  auto options = std::make_shared<tour_options>();
  auto* cmd = app.add_subcommand("tour",
                                 "A guided walk through topics, partitions, keys, consumer groups and lag, run live "
                                 "(starts its own broker unless --bootstrap is given)");
  cmd->add_flag("-y,--yes", options->yes, "Run straight through without waiting for Enter");
  auto* topic = cmd->add_option("--topic", options->topic, "Name of the topic the tour creates")->default_val("tour-payments");
  cmd->add_flag("--mock", options->mock, "Use an in-process mock cluster")->group("");  // hidden
  set_example(cmd, "samsa tour --yes");
  cmd->callback([options, topic, &ctx] {
    options->topic_given = topic->count() > 0;
    ctx.exit_status = run_tour(ctx, *options);
  });
}

}  // namespace samsa::cli
