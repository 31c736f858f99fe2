// The root of the `samsa` command line: its global client flags, version and
// examples, and the parse that runs the chosen command. Shared by the samsa
// binary (main.cc) and samsa-sink-postgres (sink_main.cc), so that the sink's
// command line means the same in both.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "cli/cli_context.h"

namespace samsa::cli {

// Names the app "samsa", adds the global flags (they may also follow the
// command) and records argv in ctx.
void configure_root(CLI::App& app, cli_context& ctx, int argc, char** argv);

// Parses argv and runs the command it names; returns the exit status.
int run_command_line(CLI::App& app, cli_context& ctx, int argc, char** argv);

}  // namespace samsa::cli
