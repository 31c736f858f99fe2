// `samsa certs create`: a local certificate authority, a broker certificate
// and client certificates, in PEM, for learning TLS and mTLS with Samsa; then
// the broker and client settings that use them. Not for production: the CA
// key sits unprotected beside the certificates.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <arpa/inet.h>
#include <fmt/format.h>

#include "cli/commands.h"
#include "security/tls/cert_maker.h"

namespace samsa::cli {

namespace {
namespace file_cmd_certs_create {

namespace fs = std::filesystem;
namespace tls = security::tls;

status write_file(const fs::path& path, const std::string& text, bool secret) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  if (!out) return make_error(std::errc::permission_denied, "cannot write " + path.string());
  out << text;
  out.close();
  if (!out) return make_error(std::errc::io_error, "cannot write " + path.string());
  // Private keys readable by their owner only.
  if (secret) ::chmod(path.c_str(), 0600);
  return {};
}

bool is_ip_address(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 || inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

bool is_plain_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return name.front() != '.';
}

struct options {
  std::string dir = "samsa-certs";
  std::vector<std::string> hosts;
  std::vector<std::string> clients = {"alice"};
  int days = 365;
  bool force = false;
};

status create(const options& o, std::ostream& out) {
  for (const auto& c : o.clients) {
    if (!is_plain_name(c)) {
      return make_error(std::errc::invalid_argument,
                        "client name '" + c + "' must be letters, digits, '-', '_' or '.' (it names files)");
    }
    if (c == "ca" || c == "broker") {
      return make_error(std::errc::invalid_argument, "client name '" + c + "' would overwrite the " + c + " files");
    }
  }
  fs::path dir = fs::absolute(o.dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(std::errc::permission_denied, "cannot create " + dir.string() + ": " + ec.message());
  if (fs::exists(dir / "ca.pem") && !o.force) {
    return make_error(std::errc::file_exists, dir.string() + " already holds a CA (ca.pem); use --force to replace "
                                                             "it (clients trusting the old CA will stop connecting)");
  }

  auto ca = tls::make_certificate_authority("Samsa local CA", o.days);
  if (!ca) return ca.err();
  tls::certificate_request broker;
  broker.common_name = "localhost";
  broker.server = true;
  broker.valid_days = o.days;
  broker.dns_names = {"localhost"};
  broker.ip_addresses = {"127.0.0.1", "::1"};
  for (const auto& h : o.hosts) {
    auto& list = is_ip_address(h) ? broker.ip_addresses : broker.dns_names;
    if (std::find(list.begin(), list.end(), h) == list.end()) list.push_back(h);
  }
  auto broker_pair = tls::issue_certificate(*ca, broker);
  if (!broker_pair) return broker_pair.err();

  // KIP-651's PEM keystore: the key, then the chain, in one file.
  for (auto s : {write_file(dir / "ca.pem", ca->certificate, false), write_file(dir / "ca-key.pem", ca->key, true),
                 write_file(dir / "broker.pem", broker_pair->key + broker_pair->certificate + ca->certificate, true)}) {
    if (!s) return s;
  }
  std::vector<std::string> client_lines;
  for (const auto& name : o.clients) {
    tls::certificate_request client;
    client.common_name = name;
    client.organization = "Samsa clients";
    client.valid_days = o.days;
    auto pair = tls::issue_certificate(*ca, client);
    if (!pair) return pair.err();
    if (auto s = write_file(dir / (name + ".pem"), pair->certificate, false); !s) return s;
    if (auto s = write_file(dir / (name + "-key.pem"), pair->key, true); !s) return s;
  }

  std::string sans;
  for (const auto& d : broker.dns_names) sans += (sans.empty() ? "" : ", ") + d;
  for (const auto& ip : broker.ip_addresses) sans += (sans.empty() ? "" : ", ") + ip;
  out << fmt::format("created in {} (valid {} days):\n", dir.string(), o.days);
  out << fmt::format("  ca.pem, ca-key.pem          the local CA (keep ca-key.pem private)\n");
  out << fmt::format("  broker.pem                  broker key + certificate for {}\n", sans);
  for (const auto& name : o.clients) {
    out << fmt::format("  {0}.pem, {0}-key.pem    client certificate, principal User:CN={0},O=Samsa clients\n",
                       name);
  }
  out << "\nBroker settings (server.properties, or --set key=value):\n";
  out << "  listeners=PLAINTEXT://127.0.0.1:9092,SSL://127.0.0.1:9093\n";
  out << "  ssl.keystore.type=PEM\n";
  out << fmt::format("  ssl.keystore.location={}\n", (dir / "broker.pem").string());
  out << "  ssl.truststore.type=PEM\n";
  out << fmt::format("  ssl.truststore.location={}\n", (dir / "ca.pem").string());
  out << "  ssl.client.auth=required\n";
  out << "  ssl.principal.mapping.rules=RULE:^CN=([^,]*),.*$/$1/,DEFAULT\n";
  const std::string& first = o.clients.front();
  out << fmt::format("\nClient settings (librdkafka: kcat -X, confluent-kafka; client {}):\n", first);
  out << "  bootstrap.servers=127.0.0.1:9093\n";
  out << "  security.protocol=SSL\n";
  out << fmt::format("  ssl.ca.location={}\n", (dir / "ca.pem").string());
  out << fmt::format("  ssl.certificate.location={}\n", (dir / (first + ".pem")).string());
  out << fmt::format("  ssl.key.location={}\n", (dir / (first + "-key.pem")).string());
  out << "\nWithout a client certificate, set ssl.client.auth=none on the broker and leave out the last two.\n";
  return {};
}

}  // namespace file_cmd_certs_create
}  // namespace

void register_certs_create(CLI::App& certs, cli_context& ctx) {
  using namespace file_cmd_certs_create;
  auto o = std::make_shared<options>();
  auto* cmd = certs.add_subcommand("create", "Make a local CA, a broker certificate and client certificates (PEM)");
  cmd->add_option("--dir", o->dir, "Directory for the files")->capture_default_str();
  cmd->add_option("--host", o->hosts, "Extra broker host name or IP address (repeatable; localhost and 127.0.0.1 are always in)");
  cmd->add_option("--client", o->clients, "Client certificate to make (repeatable)")->capture_default_str();
  cmd->add_option("--days", o->days, "Validity in days")->check(CLI::Range(1, 3650))->capture_default_str();
  cmd->add_flag("--force", o->force, "Replace an existing CA in the directory");
  set_example(cmd, "samsa certs create --dir ./certs --host broker.local --client alice --client bob");
  cmd->callback([o, &ctx] {
    auto s = create(*o, std::cout);
    ctx.exit_status = s ? exit_ok : ctx.fail(s.err());
  });
}

}  // namespace samsa::cli
