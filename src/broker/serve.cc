#include "broker/serve.h"

#include <malloc.h>
#include <sys/resource.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>

#include "broker/api_table.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/listener.h"
#include "broker/context_threads.h"
#include "base/log_format.h"
#include "base/refusal_log.h"

extern char** environ;

namespace samsa::broker {

namespace asio = boost::asio;

namespace {

// Produce requests and decompressed batches are buffers of about a megabyte,
// allocated and freed at the request rate. With glibc's defaults each one
// grows the heap (or maps fresh pages) and is trimmed back on free, so every
// request pays page faults on memory it zero-fills or copies into: measured
// 8.5 broker CPU s/GB for lz4 produce, 1 s/GB with the memory kept. Keeping
// up to 32 MiB of freed memory in the heap bounds what that costs in RSS.
void keep_freed_buffers() {
  constexpr int keep_bytes = 32 << 20;
  mallopt(M_MMAP_THRESHOLD, keep_bytes);
  mallopt(M_TRIM_THRESHOLD, keep_bytes);
}

// Each partition keeps its segment and index files open, so the default soft
// limit of 1,024 descriptors would cap a broker at a few hundred partitions.
// Raise the soft limit to the hard one, as Kafka's packaging does.
rlim_t raise_descriptor_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  spdlog::info("open file limit: {} descriptors", static_cast<unsigned long long>(lim.rlim_cur));
  return lim.rlim_cur;
}

// Connections never take the descriptors partitions need: unless set, at
// most half the open-file limit (and 20,000).
int32_t connection_cap(const broker_config& config, rlim_t descriptors) {
  if (config.max_connections > 0) return config.max_connections;
  rlim_t half = descriptors / 2;
  return static_cast<int32_t>(std::max<rlim_t>(16, std::min<rlim_t>(half, 20000)));
}

result<broker_config> load_config(const serve_options& options) {
  config_sources sources;
  if (options.config_file) {
    auto file = load_properties_file(*options.config_file);
    if (!file) return file.err();
    sources.file = std::move(*file);
  }
  sources.environment = properties_from_environment(environ);
  for (const auto& assignment : options.overrides) {
    auto kv = parse_override(assignment);
    if (!kv) return kv.err();
    sources.overrides[kv->first] = kv->second;
  }
  std::vector<std::string> warnings;
  auto config = resolve_broker_config(sources, warnings);
  for (const auto& w : warnings) spdlog::warn("{}", w);
  return config;
}


// Advertised addresses with the real bound port, and a reachable host when
// the listener binds every interface.
std::vector<listener_address> resolve_advertised(const broker_config& config,
                                                 const std::vector<std::unique_ptr<listener>>& listeners) {
  std::vector<listener_address> out = config.advertised_listeners;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].port == 0 && i < listeners.size()) out[i].port = listeners[i]->bound_port();
    if (out[i].host.empty() || out[i].host == "0.0.0.0" || out[i].host == "::") {
      spdlog::warn("advertising 127.0.0.1 for listener {} bound to all interfaces; set advertised.listeners "
                   "for clients on other machines",
                   out[i].name);
      out[i].host = "127.0.0.1";
    }
  }
  return out;
}

// The listener's protocol and, for SSL and SASL_SSL, its TLS context: the
// certificate and truststore are read here, so a bad file stops the start
// with its name rather than failing every handshake later.
result<listener_security> listener_security_for(const broker_config& config, const listener_address& address) {
  listener_security security;
  security.name = address.name;
  security.protocol = address.protocol;
  security.handshake_timeout = std::chrono::milliseconds(config.ssl_handshake_timeout_ms);
  if (uses_tls(address.protocol)) {
    auto settings = config.listener_tls.find(address.name);
    if (settings == config.listener_tls.end()) {
      return make_error(std::errc::invalid_argument, "listener " + address.name + " has no TLS settings");
    }
    auto context = security::tls::tls_context::create(settings->second);
    if (!context) return context.err();
    spdlog::info("listener {}: TLS with certificate '{}', client authentication {}", address.name,
                 (*context)->certificate_subject(),
                 settings->second.auth == security::tls::client_auth::required    ? "required"
                 : settings->second.auth == security::tls::client_auth::requested ? "requested"
                                                                                  : "none");
    security.tls = std::move(*context);
  }
  if (uses_sasl(address.protocol)) {
    auto sasl = config.listener_sasl.find(address.name);
    if (sasl == config.listener_sasl.end()) {
      return make_error(std::errc::invalid_argument, "listener " + address.name + " has no SASL settings");
    }
    const auto& s = *sasl->second;
    std::string reauth;
    for (const auto& [mechanism, ms] : s.max_reauth_ms)
      if (ms > 0) reauth += (reauth.empty() ? ", re-authentication every " : ", ") + std::to_string(ms) + " ms (" + mechanism + ")";
    spdlog::info("listener {} ({}): SASL mechanisms {}{}{}", address.name, security_protocol_name(address.protocol),
                 fmt::format("{}", fmt::join(s.mechanisms, ", ")),
                 s.enabled("PLAIN") ? fmt::format(", {} PLAIN user(s) from JAAS and SCRAM users from the metadata log",
                                                  s.plain_users.size())
                                    : std::string(),
                 reauth);
    security.sasl = sasl->second;
  }
  return security;
}

}  // namespace

int serve(const serve_options& options) {
  keep_freed_buffers();
  logging::use_line_format();
  rlim_t descriptors = raise_descriptor_limit();
  auto started = std::chrono::steady_clock::now();
  auto config = load_config(options);
  if (!config) {
    spdlog::error("samsa serve: {}", config.err().describe());
    return 2;
  }

  // Declared first, destroyed last: coroutines still suspended in the
  // handler context at exit hold executors of the network threads.
  std::optional<context_threads> network;
  // Likewise for the request handler threads: a worker-pool job still
  // holds one's executor until the pool (in broker_state) has joined.
  std::optional<context_threads> request_handlers;
  // Before io too: its thread's pending work on the handler context must
  // find the console's own context alive until io is gone.
  std::unique_ptr<side_service> console;
  std::unique_ptr<side_service> schema_registry;  // like the console: outlives io
  std::unique_ptr<side_service> http_proxy;       // likewise
  asio::io_context io(1);
  broker_state broker(io, *config);
  api_table apis(broker);
  register_all_handlers(apis);
  if (auto s = broker.open_storage(); !s) {
    spdlog::error("samsa serve: cannot open the data directory {}: {}", config->log_dir, s.err().describe());
    return 1;
  }

  connection_limits limits;
  limits.max_request_bytes = config->socket_request_max_bytes;
  limits.max_idle_ms = config->connections_max_idle_ms;
  limits.max_write_stall_ms = config->connections_max_write_stall_ms;

  // Threads (docs/architecture.md): the network threads read, frame and
  // write; the request handler threads run Produce and Fetch; this one, the
  // control thread, runs every other request, the coordinators and their
  // timers; the worker pool takes blocking file-system work and heavy checks.
  network.emplace(static_cast<size_t>(config->num_network_threads), "net");
  request_handlers.emplace(static_cast<size_t>(config->num_io_threads), "io");
  connection_services services;
  services.router = &apis;
  services.handlers = io.get_executor();
  services.data_handlers = &*request_handlers;
  services.frames = std::make_shared<frame_pool>();
  services.memory = std::make_shared<request_memory>(
      config->queued_max_request_bytes < 0 ? INT64_MAX : config->queued_max_request_bytes);
  int32_t max_connections = connection_cap(*config, descriptors);
  auto admission = std::make_shared<connection_admission>(max_connections, config->max_connections_per_ip);
  spdlog::info("threads: {} network, {} request handler, 1 control, {} workers; at most {} connections, {} bytes of "
               "queued requests",
               network->size(), request_handlers->size(), broker.workers().threads(), max_connections,
               services.memory->limit());

  std::vector<std::unique_ptr<listener>> listeners;
  for (const auto& address : config->listeners) {
    auto security = listener_security_for(*config, address);
    if (!security) {
      spdlog::error("samsa serve: {}", security.err().describe());
      return 2;
    }
    auto l = std::make_unique<listener>(io, *network, services, limits, admission, std::move(*security));
    if (auto s = l->bind(address); !s) {
      spdlog::error("samsa serve: {}", s.err().describe());
      return 1;
    }
    listeners.push_back(std::move(l));
  }
  broker.set_advertised_listeners(resolve_advertised(*config, listeners));
  request_handlers->start();
  network->start();
  for (auto& l : listeners) l->start();

  // Before the port file: a test that sees the port file finds the console up too.
  if (options.start_console) {
    auto started_console = options.start_console(broker, apis, options.port_file);
    if (!started_console) {
      spdlog::error("samsa serve: {}", started_console.err().describe());
      return 1;
    }
    console = std::move(*started_console);
  }
  // The Schema Registry (src/registry), also before the port file.
  if (options.start_registry) {
    auto started_registry = options.start_registry(broker, apis, options.port_file);
    if (!started_registry) {
      spdlog::error("samsa serve: {}", started_registry.err().describe());
      return 1;
    }
    schema_registry = std::move(*started_registry);
  }
  // The HTTP REST proxy (src/proxy), also before the port file.
  if (options.start_proxy) {
    auto started_proxy = options.start_proxy(broker, apis, options.port_file);
    if (!started_proxy) {
      spdlog::error("samsa serve: {}", started_proxy.err().describe());
      return 1;
    }
    http_proxy = std::move(*started_proxy);
  }
  if (options.port_file) {
    // "<port file>.<LISTENER>" for every listener, before the main file
    // (the first listener's port) that tests wait for.
    for (const auto& l : listeners) {
      if (auto s = write_port_file(*options.port_file + "." + l->name(), l->bound_port()); !s) {
        spdlog::error("samsa serve: {}", s.err().describe());
        return 1;
      }
    }
    if (auto s = write_port_file(*options.port_file, listeners.front()->bound_port()); !s) {
      spdlog::error("samsa serve: {}", s.err().describe());
      return 1;
    }
  }
  std::string console_url = console && !console->url().empty() ? ", console " + console->url() : "";
  if (http_proxy && !http_proxy->url().empty()) console_url += ", REST proxy " + http_proxy->url();
  auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  for (const auto& a : broker.advertised_listeners()) {
    std::string protocol(security_protocol_name(a.protocol));
    spdlog::info("samsa broker {} listening on {}://{}:{}{} (cluster {}, data in {}, ready in {} ms){}",
                 config->node_id, a.name, a.host, a.port, a.name == protocol ? "" : " (" + protocol + ")",
                 broker.cluster_id(), config->log_dir, ready_ms.count(), console_url);
  }

  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish (up to a
  // few seconds), then stop the loop; storage is flushed and marked clean after.
  asio::signal_set signals(io, SIGINT, SIGTERM);
  asio::steady_timer drain(io);
  auto deadline = std::chrono::steady_clock::now();
  std::function<void()> check_drained = [&]() {
    size_t in_flight = 0;
    for (auto& l : listeners) in_flight += l->in_flight();
    if (in_flight == 0 || std::chrono::steady_clock::now() >= deadline) {
      for (auto& l : listeners) l->close_all("");
      io.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(20));
    drain.async_wait([&](const boost::system::error_code&) { check_drained(); });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal_number);
    deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (auto& l : listeners) l->stop_accepting();
    check_drained();
  });
  std::signal(SIGPIPE, SIG_IGN);

  io.run();
  // The console's thread stops first: it only reads through the handler thread.
  if (http_proxy) http_proxy->stop();  // its instances' last requests go through the handler thread
  if (console) console->stop();
  if (schema_registry) schema_registry->stop();  // its thread, too, reads only through the handler thread
  // Connections were told to close; drop what the network threads still hold.
  network->stop();
  // No request runs while storage closes (what they still hold is dropped
  // with their contexts, after broker_state).
  request_handlers->stop();
  for (int k = 0; k < static_cast<int>(refusal::count_); ++k) {
    const auto kind = static_cast<refusal>(k);
    if (uint64_t n = refusal_count(kind); n > 0) spdlog::info("refused since start: {} x {}", n, refusal_name(kind));
  }
  if (uint64_t n = trailing_byte_requests(); n > 0) {
    spdlog::info("requests with bytes after their body (ignored): {}", n);
  }
  if (auto s = broker.close_storage(); !s) {
    spdlog::error("shutdown: storage could not be closed cleanly: {}", s.err().describe());
    return 1;
  }
  spdlog::info("samsa broker stopped cleanly");
  return 0;
}

status write_port_file(const std::string& path, uint16_t port) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) return make_error(std::errc::io_error, "cannot write port file " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return error(ec, "cannot rename port file to " + path);
  return {};
}

}  // namespace samsa::broker
