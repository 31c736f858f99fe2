// The two ways `samsa sink postgres` runs once its flags are parsed.
#pragma once

#include "cli/cli_context.h"
#include "cli/sink_args.h"

namespace samsa::cli {

// Runs the sink in this process (samsa-sink-postgres; sink_run.cc).
int run_postgres_sink_command(sink_args a, cli_context& ctx);

// Replaces this process (the samsa binary, which does not link libpq) with
// samsa-sink-postgres from the same folder, given the same command line
// (sink_exec.cc). Returns only when that fails.
int exec_postgres_sink(sink_args a, cli_context& ctx);

}  // namespace samsa::cli
