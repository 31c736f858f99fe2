// `samsa produce TOPIC`: one record per input line, from stdin or a file.
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sys/stat.h>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/config_args.h"
#include "cli/progress.h"
#include "client/producer.h"

namespace samsa::cli {
namespace {

struct args {
  std::string topic;
  std::optional<std::string> file;
  std::optional<std::string> key_separator;
  std::vector<std::string> headers;
  std::optional<int32_t> partition;
  std::string acks = "all";
  std::string compression = "none";
  bool quiet = false;
};

int run(const args& a, cli_context& ctx) {
  auto header_map = parse_assignments(a.headers, "--header");
  if (!header_map) return ctx.fail(header_map.err());
  auto config = ctx.config();
  if (!config) return ctx.fail(config.err());
  auto producer = client::producer::create(*config, {.acks = a.acks, .compression = a.compression});
  if (!producer) return ctx.fail(producer.err());

  std::ifstream file;
  std::istream* in = &std::cin;
  uint64_t total_bytes = 0;
  if (a.file) {
    file.open(*a.file);
    if (!file) {
      std::cerr << fmt::format("error: cannot open {} — check the path given with --file\n", *a.file);
      return exit_usage;
    }
    struct stat st {};
    if (::stat(a.file->c_str(), &st) == 0) total_bytes = static_cast<uint64_t>(st.st_size);
    in = &file;
  }
  // Per-record lines for interactive use; a progress bar and a summary for files.
  bool per_record = !a.quiet && !a.file;
  progress_bar bar(total_bytes, a.file && ::isatty(STDERR_FILENO) == 1);

  std::mutex out_mutex;
  std::atomic<uint64_t> failed{0};
  std::optional<samsa::error> first_error;
  uint64_t sent = 0;
  uint64_t bytes = 0;
  std::string line;
  while (std::getline(*in, line)) {
    bytes += line.size() + 1;
    client::outgoing_message m;
    m.topic = a.topic;
    m.partition = a.partition;
    for (const auto& [k, v] : *header_map) m.headers.push_back({k, v});
    if (a.key_separator && !a.key_separator->empty()) {
      auto pos = line.find(*a.key_separator);
      if (pos != std::string::npos) {
        m.key = line.substr(0, pos);
        line.erase(0, pos + a.key_separator->size());
      }
    }
    m.value = line;
    std::string key = m.key.value_or("");
    auto s = producer->send(m, [&, key](const result<client::delivery_report>& r) {
      std::lock_guard lock(out_mutex);
      if (!r) {
        if (failed++ == 0) first_error = r.err();
        return;
      }
      if (per_record)
        std::cout << fmt::format("{}partition {} offset {}\n", key.empty() ? "" : "key " + key + " -> ", r->partition,
                                 r->offset)
                  << std::flush;
    });
    if (!s) return ctx.fail(s.err());
    ++sent;
    bar.update(bytes, sent);
    // Interactive input: wait for each acknowledgement so the offset shows right away.
    if (per_record && ::isatty(STDIN_FILENO) == 1) (void)producer->flush(std::chrono::milliseconds(ctx.timeout_ms));
  }
  auto flushed = producer->flush(std::chrono::milliseconds(ctx.timeout_ms * 3));
  bar.finish(bytes, sent);
  if (failed > 0) {
    std::lock_guard lock(out_mutex);
    std::cerr << fmt::format("{} of {} records failed\n", failed.load(), sent);
    return ctx.fail(*first_error);
  }
  if (!flushed) return ctx.fail(flushed.err());
  if (!per_record && !a.quiet) std::cout << fmt::format("produced {} records to {}\n", sent, a.topic);
  return exit_ok;
}

}  // namespace

void register_produce(CLI::App& app, cli_context& ctx) {
  auto a = std::make_shared<args>();
  auto* cmd = app.add_subcommand("produce", "Send one record per line of stdin (or --file) to a topic");
  cmd->add_option("topic", a->topic, "Topic name")->required();
  cmd->add_option("-f,--file", a->file, "Read lines from this file instead of stdin");
  cmd->add_option("-k,--key-separator", a->key_separator, "Split each line into key and value at this string");
  cmd->add_option("-H,--header", a->headers, "Header name=value added to every record (repeatable)");
  cmd->add_option("-p,--partition", a->partition, "Send to this partition (default: by hash of the key)");
  cmd->add_option("--acks", a->acks, "Acknowledgements: 0, 1 or all")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}))
      ->default_val("all");
  cmd->add_option("-z,--compression", a->compression, "Compression codec")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->default_val("none");
  cmd->add_flag("-q,--quiet", a->quiet, "Print nothing on success");
  set_example(cmd, "printf 'alice:paid 10\\nbob:paid 5\\n' | samsa produce payments --key-separator :");
  cmd->callback([a, &ctx] { ctx.exit_status = run(*a, ctx); });
}

}  // namespace samsa::cli
