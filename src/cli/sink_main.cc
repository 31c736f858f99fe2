// samsa-sink-postgres: the program behind `samsa sink postgres`, which the
// samsa binary execs with its own command line (sink_exec.cc). It knows the
// same root flags and only the sink command, and it alone links libpq.
#include <CLI/CLI.hpp>

#include "base/log_format.h"
#include "cli/cli_context.h"
#include "cli/commands.h"
#include "cli/root_command.h"
#include "cli/sink_run.h"

int main(int argc, char** argv) {
  using namespace samsa::cli;
  // One log format for every command, with control characters in what
  // clients, records and servers send escaped (base/log_format.h).
  samsa::logging::use_line_format();
  CLI::App app;
  cli_context ctx;
  configure_root(app, ctx, argc, argv);
  register_sink(app, ctx, run_postgres_sink_command);
  return run_command_line(app, ctx, argc, argv);
}
