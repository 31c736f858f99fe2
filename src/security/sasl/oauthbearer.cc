#include "security/sasl/oauthbearer.h"

#include <cctype>

namespace samsa::sasl {
namespace {

constexpr const char* oauthbearer_mechanism = "OAUTHBEARER";

bool alpha(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// RFC 7628 value: VCHAR, space, tab, CR, LF.
bool value_chars(std::string_view s) {
  for (unsigned char c : s)
    if (!((c >= 0x21 && c <= 0x7e) || c == ' ' || c == '\t' || c == '\r' || c == '\n')) return false;
  return true;
}

// RFC 6750 b64token: what a bearer token may contain.
bool b64token(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == '~' || c == '+' || c == '/';
    if (!ok) break;
  }
  for (; i < s.size(); ++i)
    if (s[i] != '=') return false;
  return s[0] != '=';
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

class oauthbearer_server final : public server_mechanism {
 public:
  explicit oauthbearer_server(oauthbearer_options o) : opts_(std::move(o)) {
    if (!opts_.now) opts_.now = system_now_ms;
  }
  std::string name() const override { return oauthbearer_mechanism; }

  step_result step(const bytes& client) override {
    switch (state_) {
      case state::initial: return initial(client);
      case state::error_sent:
        state_ = state::done;
        // RFC 7628 3.2.3: the client answers the error with a single %x01.
        return step_result::failure(failure_message_, failure_detail_);
      case state::done: break;
    }
    return step_result::failure("the OAUTHBEARER exchange is already over");
  }

 private:
  enum class state { initial, error_sent, done };

  step_result initial(const bytes& client) {
    auto parsed = parse_oauthbearer_initial_response(as_text(client));
    if (!parsed) {
      state_ = state::done;
      return step_result::failure("Invalid OAUTHBEARER client initial response: " + parsed.err().message);
    }
    int64_t now = opts_.now();
    auto checked = opts_.secured ? validate_secured_jwt(parsed->token, opts_.secure, now)
                                 : validate_unsecured_jwt(parsed->token, opts_.unsecured, now);
    if (!checked.ok()) return refuse(checked.failure.status, checked.failure.detail);
    const validated_token& t = *checked.value;
    if (parsed->authzid && *parsed->authzid != t.principal) {
      state_ = state::done;
      return step_result::failure(
          "Authentication failed: Client requested an authorization id that is different from the token's principal "
          "name");
    }
    state_ = state::done;
    step_result r;
    r.what = step_result::kind::success;
    r.principal = security::principal::user(t.principal);
    r.session_lifetime_ms = session_lifetime(opts_.max_reauth_ms, t.expiry_ms, now);
    return r;
  }

  step_result refuse(const std::string& status, const std::string& detail) {
    state_ = state::error_sent;
    failure_message_ = "Authentication failed: " + status;
    failure_detail_ = detail;
    std::string challenge = "{\"status\":\"" + status + "\"";
    if (status == "insufficient_scope" && !opts_.secured && !opts_.unsecured.required_scope.empty()) {
      std::string scope;
      for (const auto& s : opts_.unsecured.required_scope) scope += (scope.empty() ? "" : " ") + s;
      challenge += ",\"scope\":\"" + scope + "\"";
    }
    challenge += "}";
    return step_result::challenge(to_bytes(challenge));
  }

  oauthbearer_options opts_;
  state state_ = state::initial;
  std::string failure_message_;
  std::string failure_detail_;
};

}  // namespace

result<oauthbearer_initial_response> parse_oauthbearer_initial_response(std::string_view m) {
  auto bad = [](std::string what) { return make_error(std::errc::invalid_argument, std::move(what)); };
  if (m.size() > oauthbearer_max_message) return bad("message too long");
  // gs2-header: only "n" (no channel binding), then an optional authzid.
  if (!m.starts_with("n,")) return bad("expected the gs2 header \"n,\"");
  size_t comma = m.find(',', 2);
  if (comma == std::string_view::npos) return bad("unterminated gs2 header");
  oauthbearer_initial_response out;
  std::string_view a = m.substr(2, comma - 2);
  if (!a.empty()) {
    if (!a.starts_with("a=") || a.size() == 2) return bad("bad authorization id in the gs2 header");
    out.authzid = std::string(a.substr(2));
  }
  std::string_view rest = m.substr(comma + 1);
  if (!rest.starts_with('\x01')) return bad("expected %x01 after the gs2 header");
  rest.remove_prefix(1);
  if (!rest.ends_with("\x01\x01") && rest != "\x01") return bad("expected the message to end with %x01%x01");
  bool have_auth = false;
  while (!rest.empty() && rest != "\x01") {
    size_t end = rest.find('\x01');
    std::string_view kv = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return bad("a key=value pair has no '='");
    std::string_view key = kv.substr(0, eq), value = kv.substr(eq + 1);
    if (!alpha(key) || !value_chars(value)) return bad("bad key or value characters");
    if (key == "auth") {
      if (have_auth) return bad("auth given twice");
      have_auth = true;
      size_t sp = value.find(' ');
      if (sp == std::string_view::npos || !iequals(value.substr(0, sp), "Bearer"))
        return bad("auth is not \"Bearer <token>\"");
      std::string_view token = value.substr(sp + 1);
      while (token.starts_with(' ')) token.remove_prefix(1);
      if (!b64token(token)) return bad("the bearer token has characters a token may not have");
      out.token = std::string(token);
    } else {
      if (out.extensions.contains(std::string(key))) return bad("extension given twice");
      out.extensions[std::string(key)] = std::string(value);
    }
  }
  if (!have_auth) return bad("no auth=Bearer <token>");
  return out;
}

std::unique_ptr<server_mechanism> make_oauthbearer_server(oauthbearer_options options) {
  return std::make_unique<oauthbearer_server>(std::move(options));
}

}  // namespace samsa::sasl
