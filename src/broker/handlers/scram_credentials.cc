// DescribeUserScramCredentials: v0 and AlterUserScramCredentials: v0 (every
// version Kafka defines). Credentials live in the metadata log as salted
// hashes only (record types 7 and 8): an upsertion carries the salted
// password (the client ran PBKDF2, as Kafka's protocol has it), from which
// the broker derives StoredKey and ServerKey and keeps those. Validation and
// error codes follow Kafka's controller: one change per user per request
// (DUPLICATE_RESOURCE), UNACCEPTABLE_CREDENTIAL for an empty name or
// iterations outside 4096..16384, UNSUPPORTED_SASL_MECHANISM, and
// RESOURCE_NOT_FOUND for a deletion or description of nothing. The write
// (one fdatasync for the request) runs on the worker pool. Describing needs
// DESCRIBE on the cluster, altering ALTER (else CLUSTER_AUTHORIZATION_FAILED).
// Samsa's own bounds: names of at most 4096 bytes and at most
// scram.max.users users, both UNACCEPTABLE_CREDENTIAL (the credential is
// not one this broker accepts; Kafka's code for a refused upsertion).
#include <map>
#include <set>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/handlers/handlers.h"
#include "broker/storage_errors.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"
#include "security/sasl/scram.h"
#include "storage/errc.h"
#include "storage/metadata_store.h"

namespace samsa::broker {

namespace {
namespace file_scram_credentials {

using describe_request = protocol::describe_user_scram_credentials_request_data;
using describe_response = protocol::describe_user_scram_credentials_response_data;
using alter_request = protocol::alter_user_scram_credentials_request_data;
using alter_response = protocol::alter_user_scram_credentials_response_data;
using protocol::error_code;

// Samsa's bounds on what a client sends (Kafka sets none): a salt or salted
// password longer than this is no real credential.
constexpr size_t max_salt = 1024;
constexpr size_t max_salted_password = 1024;
// The metadata log's bound on a user name (storage/metadata_store.cc).
constexpr size_t max_user_name = 4096;

// A user name as error messages show it: the client sent the name, and it
// may be as long as the request allows.
std::string shown(const std::string& user) {
  constexpr size_t keep = 64;
  if (user.size() <= keep) return user;
  return user.substr(0, keep) + "... (" + std::to_string(user.size()) + " bytes)";
}

struct outcome {
  error_code code = error_code::none;
  std::string message;
};

outcome check_name_and_mechanism(const std::string& user, int8_t mechanism) {
  if (user.empty()) return {error_code::unacceptable_credential, "Username must not be empty"};
  if (!sasl::scram_mechanism_from_wire(mechanism)) return {error_code::unsupported_sasl_mechanism, "Unknown SCRAM mechanism"};
  return {};
}

outcome check_upsertion(const alter_request::scram_credential_upsertion& u) {
  if (auto o = check_name_and_mechanism(u.name, u.mechanism); o.code != error_code::none) return o;
  if (u.name.size() > max_user_name) {
    return {error_code::unacceptable_credential, "A username of " + std::to_string(u.name.size()) +
                                                     " bytes is longer than the " + std::to_string(max_user_name) +
                                                     " bytes Samsa accepts"};
  }
  if (u.iterations < sasl::scram_min_iterations) return {error_code::unacceptable_credential, "Too few iterations"};
  if (u.iterations > sasl::scram_max_iterations) return {error_code::unacceptable_credential, "Too many iterations"};
  if (u.salt.empty() || u.salt.size() > max_salt)
    return {error_code::unacceptable_credential, "The salt must be 1 to " + std::to_string(max_salt) + " bytes"};
  if (u.salted_password.empty() || u.salted_password.size() > max_salted_password)
    return {error_code::unacceptable_credential,
            "The salted password must be 1 to " + std::to_string(max_salted_password) + " bytes"};
  return {};
}

boost::asio::awaitable<describe_response> describe(request_context& ctx, describe_request& request) {
  // Success keeps the ErrorMessage defaults, "" (top and per user), as
  // Kafka's answer does; only AlterUserScramCredentials sets null.
  describe_response response;
  if (!authorized_on_cluster(ctx, acl::operation::describe)) {
    response.error_code = protocol::to_int(error_code::cluster_authorization_failed);
    response.error_message = std::string(protocol::default_message(error_code::cluster_authorization_failed));
    co_return response;
  }
  storage::metadata_store& store = ctx.broker.metadata();
  auto all = store.scram_credentials();  // ordered by user, then mechanism
  std::map<std::string, std::vector<describe_response::describe_user_scram_credentials_result::credential_info>> by_user;
  for (const auto& c : all) {
    describe_response::describe_user_scram_credentials_result::credential_info info;
    info.mechanism = c.mechanism;
    info.iterations = c.iterations;
    by_user[c.user].push_back(info);
  }
  auto found = [&](const std::string& user) {
    describe_response::describe_user_scram_credentials_result r;
    r.user = user;
    auto it = by_user.find(user);
    if (it == by_user.end()) {
      r.error_code = protocol::to_int(error_code::resource_not_found);
      r.error_message = "Attempt to describe a user credential that does not exist: " + shown(user);
    } else {
      r.credential_infos = it->second;
    }
    return r;
  };
  if (!request.users || request.users->empty()) {
    for (const auto& [user, infos] : by_user) response.results.push_back(found(user));
    co_return response;
  }
  std::map<std::string, int> count;
  for (const auto& u : *request.users) ++count[u.name];
  std::set<std::string> answered;
  for (const auto& u : *request.users) {
    if (!answered.insert(u.name).second) continue;
    if (count[u.name] > 1) {
      describe_response::describe_user_scram_credentials_result r;
      r.user = u.name;
      r.error_code = protocol::to_int(error_code::duplicate_resource);
      r.error_message =
          "Cannot describe SCRAM credentials for the same user twice in a single request: " + shown(u.name);
      response.results.push_back(std::move(r));
    } else {
      response.results.push_back(found(u.name));
    }
  }
  co_return response;
}

boost::asio::awaitable<alter_response> alter(request_context& ctx, alter_request& request) {
  if (!authorized_on_cluster(ctx, acl::operation::alter)) {
    // Kafka's error answer: every user the request names, once.
    alter_response refused;
    std::set<std::string> users;
    for (const auto& d : request.deletions) users.insert(d.name);
    for (const auto& u : request.upsertions) users.insert(u.name);
    for (const auto& user : users) {
      auto& r = refused.results.emplace_back();
      r.user = user;
      r.error_code = protocol::to_int(error_code::cluster_authorization_failed);
      r.error_message = std::string(protocol::default_message(error_code::cluster_authorization_failed));
    }
    co_return refused;
  }
  storage::metadata_store& store = ctx.broker.metadata();
  // One change per user per request, as Kafka's controller: a user named
  // twice (whatever the mechanisms) gets DUPLICATE_RESOURCE and no change.
  std::vector<std::string> order;                   // users in order of first appearance
  std::map<std::string, outcome> failed;
  std::map<std::string, const alter_request::scram_credential_deletion*> deletions;
  std::map<std::string, const alter_request::scram_credential_upsertion*> upsertions;
  auto seen = [&](const std::string& user) {
    if (!failed.contains(user) && !deletions.contains(user) && !upsertions.contains(user)) order.push_back(user);
  };
  const outcome duplicate{error_code::duplicate_resource, "A user credential cannot be altered twice in the same request"};
  for (const auto& d : request.deletions) {
    seen(d.name);
    if (failed.contains(d.name)) continue;
    if (deletions.erase(d.name)) {
      failed[d.name] = duplicate;
      continue;
    }
    outcome o = check_name_and_mechanism(d.name, d.mechanism);
    if (o.code == error_code::none && !store.scram_credential(d.name, d.mechanism))
      o = {error_code::resource_not_found, "Attempt to delete a user credential that does not exist"};
    if (o.code != error_code::none) failed[d.name] = o;
    else deletions[d.name] = &d;
  }
  for (const auto& u : request.upsertions) {
    seen(u.name);
    if (failed.contains(u.name)) continue;
    if (deletions.erase(u.name) || upsertions.erase(u.name)) {
      failed[u.name] = duplicate;
      continue;
    }
    outcome o = check_upsertion(u);
    if (o.code != error_code::none) failed[u.name] = o;
    else upsertions[u.name] = &u;
  }
  // scram.max.users: new users take the places left, in request order. A
  // deletion in the same request frees its place for the next request only.
  const size_t max_users = static_cast<size_t>(ctx.broker.config().scram_max_users);
  const outcome too_many{error_code::unacceptable_credential,
                         "This broker keeps SCRAM credentials for at most " + std::to_string(max_users) +
                             " users (scram.max.users); delete a user first"};
  const size_t users = store.scram_user_count();
  size_t places = users < max_users ? max_users - users : 0;
  for (const auto& user : order) {
    if (!upsertions.contains(user) || store.has_scram_user(user)) continue;
    if (places > 0) {
      --places;
    } else {
      upsertions.erase(user);
      failed[user] = too_many;
    }
  }

  std::vector<storage::scram_change> changes;
  std::vector<std::string> changed;  // users whose change is written, in the order answered
  for (const auto& user : order) {
    if (auto it = deletions.find(user); it != deletions.end()) {
      changes.push_back({std::nullopt, user, it->second->mechanism});
      changed.push_back(user);
    }
  }
  for (const auto& user : order) {
    auto it = upsertions.find(user);
    if (it == upsertions.end()) continue;
    const auto& u = *it->second;
    auto m = *sasl::scram_mechanism_from_wire(u.mechanism);
    auto c = sasl::scram_credential_from_salted(m, u.salted_password, u.salt, u.iterations);
    storage::scram_credential_record r;
    r.user = user;
    r.mechanism = u.mechanism;
    r.iterations = u.iterations;
    r.salt = std::move(c.salt);
    r.stored_key = std::move(c.stored_key);
    r.server_key = std::move(c.server_key);
    changes.push_back({std::move(r), {}, 0});
    changed.push_back(user);
  }

  outcome written;
  if (!changes.empty()) {
    auto write = [&store, &changes, max_users] { return store.alter_scram_credentials(changes, max_users); };
    status s = co_await ctx.broker.workers().run(write);
    if (!s) {
      // Another request changed the same credentials between our check and
      // the write: nothing of this request was written.
      if (storage::is(s.err(), storage::errc::not_found))
        written = {error_code::resource_not_found, "Attempt to delete a user credential that does not exist"};
      else if (storage::is(s.err(), storage::errc::limit_reached))
        written = too_many;
      else
        written = {storage_error_to_kafka(s.err()), s.err().message};
    }
  }

  alter_response response;
  auto add = [&](const std::string& user, const outcome& o) {
    alter_response::alter_user_scram_credentials_result r;
    r.user = user;
    r.error_code = protocol::to_int(o.code);
    if (o.code != error_code::none) r.error_message = o.message;
    else r.error_message = std::nullopt;
    response.results.push_back(std::move(r));
  };
  for (const auto& user : changed) add(user, written);
  for (const auto& user : order)
    if (auto it = failed.find(user); it != failed.end()) add(user, it->second);
  co_return response;
}

}  // namespace file_scram_credentials
}  // namespace

void register_scram_credentials(api_table& apis) {
  using namespace file_scram_credentials;
  apis.add<describe_request, describe_response>(
      static_cast<int16_t>(protocol::api_key::describe_user_scram_credentials), 0, 0, describe);
  apis.add<alter_request, alter_response>(static_cast<int16_t>(protocol::api_key::alter_user_scram_credentials), 0, 0,
                                          alter);
}

}  // namespace samsa::broker
