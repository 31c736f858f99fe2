// The samsa binary's side of `samsa sink postgres`: it does not link libpq
// (whose closure of ~20 libraries cost every samsa start about 10 ms, the
// broker's included), so it hands the same command line to
// samsa-sink-postgres, built beside it. exec keeps the process id, so a
// supervisor's SIGTERM still reaches the running sink.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/sink_run.h"

namespace samsa::cli {

int exec_postgres_sink(sink_args, cli_context& ctx) {
  constexpr const char* program = "samsa-sink-postgres";
  auto slash = ctx.self_exe.rfind('/');
  // No folder known (no /proc): look the program up on PATH, like a shell.
  std::string path = slash == std::string::npos ? program : ctx.self_exe.substr(0, slash + 1) + program;
  std::vector<char*> args;
  args.push_back(path.data());
  for (size_t i = 1; i < ctx.command_line.size(); ++i) args.push_back(ctx.command_line[i].data());
  args.push_back(nullptr);
  std::cout.flush();
  if (slash == std::string::npos)
    ::execvp(path.c_str(), args.data());
  else
    ::execv(path.c_str(), args.data());
  int err = errno;
  std::cerr << "error: `samsa sink postgres` runs " << path << ", which "
            << (err == ENOENT ? "is missing: build it with `cmake --build <build dir> --target samsa-sink-postgres` "
                                "(the quick start builds samsa alone); it must stay in samsa's folder"
                              : std::string("cannot start: ") + std::strerror(err))
            << "\n";
  return exit_failure;
}

}  // namespace samsa::cli
