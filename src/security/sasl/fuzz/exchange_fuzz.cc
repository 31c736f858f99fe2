// Feeds hostile bytes to every SASL client-message parser and to whole
// exchanges; the first byte picks the target. Nothing may crash, hang or
// grow without bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "security/sasl/oauthbearer.h"
#include "security/sasl/plain.h"
#include "security/sasl/scram.h"

using namespace samsa::sasl;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0:
      (void)parse_plain_message(in);
      break;
    case 1:
      (void)parse_scram_client_first(in);
      break;
    case 2:
      (void)parse_scram_client_final(in);
      break;
    case 3: {
      (void)parse_oauthbearer_initial_response(in);
      oauthbearer_options o;
      o.now = [] { return int64_t{1'700'000'000'000}; };
      auto server = make_oauthbearer_server(o);
      (void)server->step(to_bytes(in));
      (void)server->step(to_bytes("\x01"));
      break;
    }
    case 4: {
      // A whole SCRAM exchange: the input split at its first newline into
      // client-first and client-final.
      scram_options o;
      o.lookup = [](const std::string&, scram_mechanism) -> std::optional<scram_credential> {
        bytes salt{1, 2, 3, 4};
        return scram_credential_from_salted(scram_mechanism::sha256, bytes(32, 7), salt, 4096);
      };
      auto server = make_scram_server(o);
      size_t nl = in.find('\n');
      (void)server->step(to_bytes(in.substr(0, nl)));
      if (nl != std::string_view::npos) (void)server->step(to_bytes(in.substr(nl + 1)));
      break;
    }
  }
  return 0;
}
