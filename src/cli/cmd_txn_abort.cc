// `samsa txn abort`: ends a hanging transaction on one partition (KIP-664)
// by writing an ABORT marker there, so consumers reading read_committed move
// past it. The producer is named with --producer-id/--producer-epoch, or
// found with DescribeProducers (the partition's one open transaction, or the
// one starting at --start-offset). The coordinator is not told: this is the
// repair for a transaction the coordinator no longer knows about.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/structured_output.h"
#include "client/kafka_error.h"

namespace samsa::cli {

void register_txn_abort(CLI::App& txn, cli_context& ctx) {
  auto format = std::make_shared<output_format>(output_format::table);
  auto target = std::make_shared<txn_abort_target>();
  auto producer_id = std::make_shared<int64_t>(-1);
  auto producer_epoch = std::make_shared<int>(-1);
  auto coordinator_epoch = std::make_shared<int32_t>(-1);
  auto start_offset = std::make_shared<int64_t>(-1);
  auto* cmd = txn.add_subcommand("abort", "Abort a hanging transaction on one partition (writes an ABORT marker)");
  cmd->add_option("--topic,-t", target->topic, "Topic")->required();
  cmd->add_option("--partition,-p", target->partition, "Partition")->required()->check(CLI::NonNegativeNumber);
  auto* pid = cmd->add_option("--producer-id", *producer_id, "Producer id (default: found with DescribeProducers)")
                  ->check(CLI::NonNegativeNumber);
  auto* epoch = cmd->add_option("--producer-epoch,--epoch", *producer_epoch, "Producer epoch (with --producer-id)")
                    ->check(CLI::Range(0, 32767));
  cmd->add_option("--coordinator-epoch", *coordinator_epoch, "Coordinator epoch (default: as DescribeProducers says, or 0)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--start-offset", *start_offset, "Pick the open transaction that starts at this offset")
      ->check(CLI::NonNegativeNumber);
  epoch->needs(pid);
  add_output_option(cmd, *format);
  set_example(cmd, "samsa txn abort --topic orders --partition 0 --start-offset 1200");
  cmd->callback([=, &ctx] {
    if (*producer_id >= 0) target->producer_id = *producer_id;
    if (*producer_epoch >= 0) target->producer_epoch = static_cast<int16_t>(*producer_epoch);
    if (*coordinator_epoch >= 0) target->coordinator_epoch = *coordinator_epoch;
    if (*start_offset >= 0) target->start_offset = *start_offset;
    auto admin = ctx.make_txn_admin();
    if (!admin) return void(ctx.exit_status = ctx.fail(admin.err()));
    auto done = admin->abort(*target);
    if (!done) return void(ctx.exit_status = ctx.fail(done.err()));
    if (*format != output_format::table) {
      nlohmann::json j{{"topic", target->topic},
                       {"partition", target->partition},
                       {"producer_id", done->producer_id},
                       {"producer_epoch", done->producer_epoch},
                       {"coordinator_epoch", done->coordinator_epoch},
                       {"start_offset", done->start_offset},
                       {"aborted", true}};
      print_document(std::cout, *format, j);
      return;
    }
    std::cout << fmt::format("aborted the transaction of producer {} (epoch {}) on {}-{}{}\n", done->producer_id,
                             done->producer_epoch, target->topic, target->partition,
                             done->start_offset >= 0 ? fmt::format(", open since offset {}", done->start_offset)
                                                     : std::string());
  });
}

}  // namespace samsa::cli
