#include "security/sasl/scram.h"

namespace samsa::sasl {
namespace {

error bad_scram(std::string what) { return make_error(std::errc::invalid_argument, std::move(what)); }

bool printable_nonce(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  return true;
}

// saslname (RFC 5802 section 5.1): ',' and '=' travel as "=2C" and "=3D";
// any other '=' is malformed.
std::optional<std::string> decode_saslname(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\0' || c == ',') return std::nullopt;
    if (c == '=') {
      if (s.substr(i, 3) == "=2C") out.push_back(',');
      else if (s.substr(i, 3) == "=3D") out.push_back('=');
      else return std::nullopt;
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string_view> split_commas(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

// attr-val: a single letter, '=', value.
bool attribute(std::string_view part, char name, std::string_view& value) {
  if (part.size() < 2 || part[0] != name || part[1] != '=') return false;
  value = part.substr(2);
  return true;
}

// An extension is "name=value" with a name of letters (RFC 5802 attr-val
// allows one letter; Kafka's tokenauth uses a longer one).
bool extension(std::string_view part, std::pair<std::string, std::string>& out) {
  size_t eq = part.find('=');
  if (eq == 0 || eq == std::string_view::npos) return false;
  for (char c : part.substr(0, eq))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  out = {std::string(part.substr(0, eq)), std::string(part.substr(eq + 1))};
  return true;
}

// A fixed per-process secret: fake credentials for unknown users come from
// it, so asking twice about one unknown name gets the same salt (a random
// salt each time would tell the name is unknown).
const bytes& dummy_secret() {
  static const bytes secret = random_bytes(32);
  return secret;
}

scram_credential dummy_credential(scram_mechanism m, const std::string& user) {
  hash_kind h = scram_hash(m);
  std::string label = scram_mechanism_name(m) + '\0' + user;
  scram_credential c;
  c.salt = hmac(hash_kind::sha256, dummy_secret(), "salt" + label);
  c.stored_key = hmac(h, dummy_secret(), "stored" + label);
  c.server_key = hmac(h, dummy_secret(), "server" + label);
  c.iterations = scram_min_iterations;
  return c;
}

class scram_server final : public server_mechanism {
 public:
  explicit scram_server(scram_options o) : opts_(std::move(o)) {
    if (!opts_.now) opts_.now = system_now_ms;
  }

  std::string name() const override { return scram_mechanism_name(opts_.mechanism); }

  step_result step(const bytes& client) override {
    switch (state_) {
      case state::first: return first(client);
      case state::final: return final(client);
      case state::done: break;
    }
    return finish(step_result::failure("the SCRAM exchange is already over"));
  }

 private:
  enum class state { first, final, done };

  step_result finish(step_result r) {
    state_ = state::done;
    return r;
  }

  step_result first(const bytes& client) {
    if (client.size() > scram_max_message) return finish(step_result::failure("SCRAM client-first message too long"));
    auto parsed = parse_scram_client_first(as_text(client));
    if (!parsed) return finish(step_result::failure("Invalid SCRAM client-first message: " + parsed.err().message));
    first_ = std::move(*parsed);
    if (!first_.extensions.empty())
      return finish(step_result::failure("SCRAM extensions are not supported (no delegation tokens): " +
                                         first_.extensions.front().first));
    if (first_.authzid && *first_.authzid != first_.user)
      return finish(step_result::failure(
          "Authentication failed: Client requested an authorization id that is different from username"));
    std::optional<scram_credential> found;
    if (opts_.lookup) found = opts_.lookup(first_.user, opts_.mechanism);
    // Unknown users (and stored credentials below the minimum, which the
    // broker never writes) get a fake credential, so the exchange looks the
    // same until the proof fails like a wrong password.
    if (found && found->iterations >= scram_min_iterations && found->stored_key.size() == hash_size(hash()) &&
        found->server_key.size() == hash_size(hash())) {
      credential_ = std::move(*found);
    } else {
      credential_ = dummy_credential(opts_.mechanism, first_.user);
    }
    nonce_ = first_.nonce + (opts_.server_nonce ? opts_.server_nonce() : base64_encode(random_bytes(24)));
    server_first_ = "r=" + nonce_ + ",s=" + base64_encode(credential_.salt) + ",i=" +
                    std::to_string(credential_.iterations);
    state_ = state::final;
    return step_result::challenge(to_bytes(server_first_));
  }

  step_result final(const bytes& client) {
    if (client.size() > scram_max_message) return finish(step_result::failure("SCRAM client-final message too long"));
    auto parsed = parse_scram_client_final(as_text(client));
    if (!parsed) return finish(step_result::failure("Invalid SCRAM client-final message: " + parsed.err().message));
    const scram_client_final& f = *parsed;
    // RFC 5802 wants the server-first nonce echoed exactly. librdkafka before
    // 2.6.1 (librdkafka#4895; Debian's 2.0.2 among them) sends its own nonce
    // once more in front of it; Kafka up to 3.9 accepted that, and so does
    // Samsa, in exactly that form: the server's random part is still checked,
    // and the proof covers the message as sent.
    bool echoed = f.nonce == nonce_ || f.nonce == first_.nonce + nonce_;
    if (!echoed) return finish(step_result::failure("Invalid SCRAM client-final message: nonce mismatch"));
    if (!equal_constant_time(f.channel_binding, to_bytes(first_.gs2_header)))
      return finish(step_result::failure("Invalid SCRAM client-final message: channel binding mismatch"));
    if (!f.extensions.empty())
      return finish(step_result::failure("SCRAM extensions are not supported: " + f.extensions.front().first));
    std::string auth_message = first_.bare + "," + server_first_ + "," + f.without_proof;
    bytes client_signature = hmac(hash(), credential_.stored_key, auth_message);
    bool ok = f.proof.size() == client_signature.size();
    // Always do the same work whatever the proof's size, so a malformed
    // proof does not answer faster than a wrong one.
    bytes client_key(client_signature.size());
    for (size_t i = 0; i < client_key.size(); ++i)
      client_key[i] = client_signature[i] ^ (i < f.proof.size() ? f.proof[i] : 0);
    bytes computed_stored = sasl::hash(hash(), as_text(client_key));
    ok = equal_constant_time(computed_stored, credential_.stored_key) & ok;
    if (!ok) return finish(step_result::failure(invalid_credentials_message(name()), "user '" + first_.user + "'"));
    bytes server_signature = hmac(hash(), credential_.server_key, auth_message);
    step_result r;
    r.what = step_result::kind::success;
    r.response = to_bytes("v=" + base64_encode(server_signature));
    r.principal = security::principal::user(first_.user);
    r.session_lifetime_ms = session_lifetime(opts_.max_reauth_ms, std::nullopt, opts_.now());
    return finish(std::move(r));
  }

  hash_kind hash() const { return scram_hash(opts_.mechanism); }

  scram_options opts_;
  state state_ = state::first;
  scram_client_first first_;
  scram_credential credential_;
  std::string nonce_;
  std::string server_first_;
};

}  // namespace

std::optional<scram_mechanism> scram_mechanism_from_name(std::string_view name) {
  if (name == "SCRAM-SHA-256") return scram_mechanism::sha256;
  if (name == "SCRAM-SHA-512") return scram_mechanism::sha512;
  return std::nullopt;
}

std::optional<scram_mechanism> scram_mechanism_from_wire(int8_t value) {
  if (value == 1) return scram_mechanism::sha256;
  if (value == 2) return scram_mechanism::sha512;
  return std::nullopt;
}

std::string scram_mechanism_name(scram_mechanism m) {
  return m == scram_mechanism::sha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512";
}

hash_kind scram_hash(scram_mechanism m) { return m == scram_mechanism::sha256 ? hash_kind::sha256 : hash_kind::sha512; }

bytes scram_salted_password(scram_mechanism m, std::string_view password, const bytes& salt, int32_t iterations) {
  return pbkdf2(scram_hash(m), password, salt, iterations);
}

scram_credential scram_credential_from_salted(scram_mechanism m, const bytes& salted_password, const bytes& salt,
                                              int32_t iterations) {
  hash_kind h = scram_hash(m);
  scram_credential c;
  c.salt = salt;
  c.iterations = iterations;
  bytes client_key = hmac(h, salted_password, "Client Key");
  c.stored_key = hash(h, as_text(client_key));
  c.server_key = hmac(h, salted_password, "Server Key");
  return c;
}

result<scram_client_first> parse_scram_client_first(std::string_view m) {
  if (m.size() > scram_max_message) return bad_scram("message too long");
  auto parts = split_commas(m);
  if (parts.size() < 4) return bad_scram("expected gs2 header, n= and r=");
  scram_client_first out;
  // gs2-cbind-flag: "n" (client does not bind), "y" (client could, thinks
  // the server cannot); "p=" asks for binding this server does not offer.
  if (parts[0] != "n" && parts[0] != "y") {
    if (parts[0].starts_with("p=")) return bad_scram("channel binding is not supported");
    return bad_scram("bad gs2 channel binding flag");
  }
  if (!parts[1].empty()) {
    std::string_view a;
    if (!attribute(parts[1], 'a', a)) return bad_scram("bad gs2 authorization id");
    auto decoded = decode_saslname(a);
    if (!decoded) return bad_scram("bad gs2 authorization id");
    out.authzid = std::move(*decoded);
  }
  out.gs2_header = std::string(parts[0]) + "," + std::string(parts[1]) + ",";
  out.bare = std::string(m.substr(out.gs2_header.size()));
  std::string_view v;
  if (parts[2].starts_with("m=")) return bad_scram("mandatory extensions are not supported");
  if (!attribute(parts[2], 'n', v)) return bad_scram("expected n=");
  auto user = decode_saslname(v);
  if (!user) return bad_scram("bad user name");
  out.user = std::move(*user);
  if (!attribute(parts[3], 'r', v) || !printable_nonce(v)) return bad_scram("bad nonce");
  out.nonce = std::string(v);
  for (size_t i = 4; i < parts.size(); ++i) {
    std::pair<std::string, std::string> ext;
    if (!extension(parts[i], ext)) return bad_scram("bad extension");
    out.extensions.push_back(std::move(ext));
  }
  return out;
}

result<scram_client_final> parse_scram_client_final(std::string_view m) {
  if (m.size() > scram_max_message) return bad_scram("message too long");
  auto parts = split_commas(m);
  if (parts.size() < 3) return bad_scram("expected c=, r= and p=");
  scram_client_final out;
  std::string_view v;
  if (!attribute(parts[0], 'c', v)) return bad_scram("expected c=");
  auto cb = base64_decode(v);
  if (!cb) return bad_scram("bad channel binding encoding");
  out.channel_binding = std::move(*cb);
  if (!attribute(parts[1], 'r', v) || !printable_nonce(v)) return bad_scram("bad nonce");
  out.nonce = std::string(v);
  if (!attribute(parts.back(), 'p', v)) return bad_scram("the proof p= must come last");
  auto proof = base64_decode(v);
  if (!proof || proof->empty()) return bad_scram("bad proof encoding");
  out.proof = std::move(*proof);
  for (size_t i = 2; i + 1 < parts.size(); ++i) {
    std::pair<std::string, std::string> ext;
    if (!extension(parts[i], ext)) return bad_scram("bad extension");
    out.extensions.push_back(std::move(ext));
  }
  out.without_proof = std::string(m.substr(0, m.size() - parts.back().size() - 1));
  return out;
}

std::unique_ptr<server_mechanism> make_scram_server(scram_options options) {
  return std::make_unique<scram_server>(std::move(options));
}

}  // namespace samsa::sasl
