#include "cli/user_admin.h"

#include <algorithm>
#include <optional>
#include <sstream>

#include "cli/kafka_connection.h"
#include "client/kafka_error.h"
#include "protocol/error_code.h"
#include "security/sasl/scram.h"

namespace samsa::cli {
namespace {

using connection_ptr = std::unique_ptr<kafka_connection>;

constexpr size_t salt_size = 32;

result<sasl::scram_mechanism> mechanism_of(const std::string& name) {
  auto m = sasl::scram_mechanism_from_name(name);
  if (!m) return client::make_usage_error("user", "unknown mechanism " + name, "use SCRAM-SHA-256 or SCRAM-SHA-512");
  return *m;
}

status check_results(const protocol::alter_user_scram_credentials_response_data& r, const std::string& operation) {
  for (const auto& x : r.results) {
    if (x.error_code != 0)
      return client::make_kafka_error(operation + " '" + x.user + "'", x.error_code, x.error_message.value_or(""));
  }
  return {};
}

}  // namespace

status user_admin::create(const std::string& user, const std::string& password,
                          const std::vector<std::string>& mechanisms, int32_t iterations) {
  if (password.empty()) return client::make_usage_error("user create", "the password is empty");
  std::vector<sasl::scram_mechanism> ms;
  for (const auto& name : mechanisms) {
    auto m = mechanism_of(name);
    if (!m) return m.err();
    ms.push_back(*m);
  }
  auto c = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!c) return c.err();
  using request_t = protocol::alter_user_scram_credentials_request_data;
  auto version = (*c)->version_for<request_t>("AlterUserScramCredentials");
  if (!version) return version.err();
  for (auto m : ms) {
    request_t req;
    request_t::scram_credential_upsertion u;
    u.name = user;
    u.mechanism = static_cast<int8_t>(m);
    u.iterations = iterations;
    u.salt = sasl::random_bytes(salt_size);
    u.salted_password = sasl::scram_salted_password(m, password, u.salt, iterations);
    req.upsertions.push_back(std::move(u));
    auto r = (*c)->call<protocol::alter_user_scram_credentials_response_data>(req, *version);
    if (!r) return r.err();
    if (auto s = check_results(*r, "create user"); !s) return s;
  }
  return {};
}

status user_admin::remove(const std::string& user, const std::vector<std::string>& mechanisms) {
  std::vector<std::string> names = mechanisms;
  if (names.empty()) {
    auto listed = list({user});
    if (!listed) return listed.err();
    for (const auto& x : *listed) names.push_back(x.mechanism);
  }
  auto c = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!c) return c.err();
  using request_t = protocol::alter_user_scram_credentials_request_data;
  auto version = (*c)->version_for<request_t>("AlterUserScramCredentials");
  if (!version) return version.err();
  for (const auto& name : names) {
    auto m = mechanism_of(name);
    if (!m) return m.err();
    request_t req;
    request_t::scram_credential_deletion d;
    d.name = user;
    d.mechanism = static_cast<int8_t>(*m);
    req.deletions.push_back(std::move(d));
    auto r = (*c)->call<protocol::alter_user_scram_credentials_response_data>(req, *version);
    if (!r) return r.err();
    if (auto s = check_results(*r, "delete user"); !s) return s;
  }
  return {};
}

result<std::vector<user_credential>> user_admin::list(const std::vector<std::string>& users) {
  auto c = kafka_connection::open_bootstrap(bootstrap_, client_id_, timeout_);
  if (!c) return c.err();
  using request_t = protocol::describe_user_scram_credentials_request_data;
  auto version = (*c)->version_for<request_t>("DescribeUserScramCredentials");
  if (!version) return version.err();
  request_t req;
  if (users.empty()) {
    req.users = std::nullopt;  // every user
  } else {
    req.users.emplace();
    for (const auto& u : users) {
      req.users->push_back({});
      req.users->back().name = u;
    }
  }
  auto r = (*c)->call<protocol::describe_user_scram_credentials_response_data>(req, *version);
  if (!r) return r.err();
  if (r->error_code != 0)
    return client::make_kafka_error("list users", r->error_code, r->error_message.value_or(""));
  std::vector<user_credential> out;
  for (const auto& result : r->results) {
    if (result.error_code != 0)
      return client::make_kafka_error("describe user '" + result.user + "'", result.error_code,
                                      result.error_message.value_or(""));
    for (const auto& info : result.credential_infos) {
      auto m = sasl::scram_mechanism_from_wire(info.mechanism);
      out.push_back({result.user, m ? sasl::scram_mechanism_name(*m) : "UNKNOWN(" + std::to_string(info.mechanism) + ")",
                     info.iterations});
    }
  }
  std::sort(out.begin(), out.end(), [](const user_credential& a, const user_credential& b) {
    return std::tie(a.user, a.mechanism) < std::tie(b.user, b.mechanism);
  });
  return out;
}

bool is_user_not_found(const samsa::error& e) {
  return e.code == std::error_code(protocol::to_int(protocol::error_code::resource_not_found), client::kafka_category());
}

}  // namespace samsa::cli
