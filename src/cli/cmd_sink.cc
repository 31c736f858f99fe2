// `samsa sink postgres`: its flags and help. What runs them is the caller's
// choice (sink_run.h): the samsa binary hands the command line to
// samsa-sink-postgres, so that only that program loads libpq and its ~20
// libraries (about 10 ms of every samsa start).
#include <memory>

#include "cli/commands.h"
#include "cli/sink_run.h"

namespace samsa::cli {

void register_sink(CLI::App& app, cli_context& ctx, sink_runner run) {
  auto* sink = app.add_subcommand("sink", "Write a topic into a database")->require_subcommand(1);
  auto a = std::make_shared<sink_args>();
  auto* cmd = sink->add_subcommand(
      "postgres", "Consume a topic into a PostgreSQL table, each record exactly once (offsets kept in the database)");
  cmd->add_option("--topic,-t", a->options.topic, "The topic to read")->required();
  cmd->add_option("--table", a->options.writer.table, "The table ([schema.]name); it must exist")->required();
  cmd->add_option("--connection,-c", a->options.writer.connection,
                  "libpq connection string: postgresql://USER[:PASSWORD]@HOST:PORT/DB or \"host=... dbname=...\" "
                  "(a password is better kept in ~/.pgpass or PGPASSWORD)")
      ->required()
      ->envname("SAMSA_SINK_CONNECTION");
  cmd->add_option("--group,-g", a->group, "Consumer group, also the key of the stored offsets (default samsa-sink-TABLE)");
  cmd->add_option("--upsert-key", a->upsert_key,
                  "Columns of a unique index (comma-separated): a row with an existing key updates it "
                  "(default: plain INSERT; a duplicate key stops the sink)");
  cmd->add_option("--offsets-table", a->options.writer.offsets_table,
                  "Where the consumed offsets are kept, in the same database (created if missing)")
      ->default_val("samsa_sink_offsets");
  cmd->add_option("--batch-size", a->options.batch_size, "Records per transaction, at most")
      ->default_val(500)
      ->check(CLI::Range(1, 100000));
  cmd->add_flag("--decode", a->decode,
                "Values are in the Schema Registry's wire format (Avro, JSON Schema, Protobuf): decode to JSON first");
  cmd->add_option("--schema-registry,--registry", a->registry,
                  "Schema Registry URL (implies --decode; default $SAMSA_SCHEMA_REGISTRY_URL or http://127.0.0.1:8081; put USER:PASSWORD@ before the host for credentials)");
  cmd->add_option("--dead-letter-topic", a->options.dead_letter_topic,
                  "A record that does not fit goes to this topic (with __connect.errors.* headers saying why) "
                  "instead of stopping the sink");
  cmd->add_option("--instance-id", a->options.instance_id,
                  "Static group membership (group.instance.id): a restarted sink takes its partitions back at once "
                  "instead of after the session timeout; give each running sink its own");
  cmd->add_flag("-q,--quiet", a->options.quiet, "No assignment notes on stderr");
  cmd->footer(
      "\nExample:\n  samsa sink postgres --topic payments --table payments --connection postgresql://app@127.0.0.1/shop\n"
      "\nEach value must be a JSON object; its fields fill the table's columns of the same name (a field with no\n"
      "column stops the sink). Columns kafka_topic, kafka_partition, kafka_offset, kafka_key, kafka_timestamp are\n"
      "filled from the record when the table has them. Null values (tombstones) are skipped. A record that does\n"
      "not fit stops the sink after committing the records before it (or goes to --dead-letter-topic).\n"
      "See docs/pipeline.md.");
  cmd->callback([a, &ctx, run] { ctx.exit_status = run(*a, ctx); });
}

}  // namespace samsa::cli
