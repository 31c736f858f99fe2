#include "security/sasl/plain.h"

namespace samsa::sasl {
namespace {

constexpr const char* plain_mechanism = "PLAIN";

// Checks `password` against the stored SCRAM credential the way a SCRAM
// exchange would: Hi() with the stored salt, then StoredKey.
bool matches_scram(scram_mechanism m, const scram_credential& c, const std::string& password) {
  bytes salted = scram_salted_password(m, password, c.salt, c.iterations);
  return equal_constant_time(scram_credential_from_salted(m, salted, c.salt, c.iterations).stored_key, c.stored_key);
}

class plain_server final : public server_mechanism {
 public:
  explicit plain_server(plain_options o) : opts_(std::move(o)) {
    if (!opts_.now) opts_.now = system_now_ms;
  }
  std::string name() const override { return plain_mechanism; }

  step_result step(const bytes& client) override {
    if (done_) return step_result::failure("the PLAIN exchange is already over");
    done_ = true;
    auto parsed = parse_plain_message(as_text(client));
    if (!parsed) return step_result::failure("Invalid SASL/PLAIN response: " + parsed.err().message);
    const plain_message& m = *parsed;
    if (!m.authzid.empty() && m.authzid != m.user)
      return step_result::failure(
          "Authentication failed: Client requested an authorization id that is different from username");
    // The log line names the user, never which part was wrong.
    if (!verify(m.user, m.password))
      return step_result::failure(invalid_credentials_message(plain_mechanism), "user '" + m.user + "'");
    step_result r;
    r.what = step_result::kind::success;
    r.principal = security::principal::user(m.user);
    r.session_lifetime_ms = session_lifetime(opts_.max_reauth_ms, std::nullopt, opts_.now());
    return r;
  }

 private:
  bool verify(const std::string& user, const std::string& password) const {
    if (auto it = opts_.users.find(user); it != opts_.users.end())
      return equal_constant_time(it->second, password);
    if (opts_.scram) {
      for (auto m : {scram_mechanism::sha512, scram_mechanism::sha256}) {
        auto c = opts_.scram(user, m);
        if (c && c->iterations >= scram_min_iterations) return matches_scram(m, *c, password);
      }
      // Unknown user: the same PBKDF2 work as a known one, so the answer's
      // timing does not tell the user does not exist.
      scram_credential dummy;
      dummy.salt = bytes(32, 0);
      dummy.iterations = scram_min_iterations;
      dummy.stored_key = bytes(64, 0);
      (void)matches_scram(scram_mechanism::sha512, dummy, password);
      return false;
    }
    // Compared against a fixed string of the password's own length, for
    // the same reason.
    std::string dummy(password.size(), '\x01');
    (void)equal_constant_time(dummy, password);
    return false;
  }

  plain_options opts_;
  bool done_ = false;
};

}  // namespace

result<plain_message> parse_plain_message(std::string_view m) {
  auto bad = [](std::string what) { return make_error(std::errc::invalid_argument, std::move(what)); };
  if (m.size() > plain_max_message) return bad("message too long");
  size_t first = m.find('\0');
  if (first == std::string_view::npos) return bad("expected 3 tokens, got 1");
  size_t second = m.find('\0', first + 1);
  if (second == std::string_view::npos) return bad("expected 3 tokens, got 2");
  if (m.find('\0', second + 1) != std::string_view::npos) return bad("expected 3 tokens, got more");
  plain_message out;
  out.authzid = std::string(m.substr(0, first));
  out.user = std::string(m.substr(first + 1, second - first - 1));
  out.password = std::string(m.substr(second + 1));
  if (out.user.empty()) return bad("Authentication failed: username not specified");
  if (out.password.empty()) return bad("Authentication failed: password not specified");
  return out;
}

std::unique_ptr<server_mechanism> make_plain_server(plain_options options) {
  return std::make_unique<plain_server>(std::move(options));
}

}  // namespace samsa::sasl
