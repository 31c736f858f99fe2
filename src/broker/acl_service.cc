#include "broker/acl_service.h"

#include <spdlog/spdlog.h>

#include <set>

#include "broker/storage_errors.h"
#include "broker/worker_pool.h"
#include "storage/metadata_store.h"

namespace samsa::broker {
namespace {

using protocol::error_code;

storage::acl_record to_record(const acl::acl_binding& b) {
  return {acl::code(b.resource), b.name, acl::code(b.pattern), b.principal, b.host, acl::code(b.op),
          acl::code(b.perm)};
}

acl::acl_binding from_record(const storage::acl_record& r) {
  return {acl::resource_type_from_code(r.resource_type), r.resource_name, acl::pattern_type_from_code(r.pattern_type),
          r.principal, r.host, acl::operation_from_code(r.operation), acl::permission_from_code(r.permission)};
}

}  // namespace

acl_service::acl_service(storage::metadata_store& store, worker_pool& workers, const authorizer_settings& settings)
    : store_(store), workers_(workers), max_acls_(static_cast<size_t>(settings.max_acls)) {
  if (settings.enabled) {
    authorizer_ = std::make_unique<acl::authorizer>(
        acl::authorizer_options{settings.super_users, settings.allow_everyone_if_no_acl_found});
  }
}

status acl_service::load() {
  if (!authorizer_) return {};
  size_t skipped = 0;
  for (const auto& r : store_.acls()) {
    acl::acl_binding b = from_record(r);
    // Written only after the same checks; one that fails them now (a newer
    // Samsa's code?) is left in the log but not enforced, and said so.
    if (auto why = acl::why_not_creatable(b)) {
      spdlog::warn("ACL {} in the metadata log is not used: {}", acl::to_string(b), *why);
      ++skipped;
      continue;
    }
    authorizer_->add(b);
  }
  spdlog::info("authorizer on ({}): {} ACL(s), {} super user(s), allow.everyone.if.no.acl.found={}",
               "StandardAuthorizer rules", authorizer_->size(), authorizer_->options().super_users.size(),
               authorizer_->options().allow_everyone_if_no_acl_found);
  if (skipped) spdlog::warn("{} ACL(s) of the metadata log are not used", skipped);
  return {};
}

boost::asio::awaitable<std::vector<acl_service::outcome>> acl_service::create(std::vector<acl::acl_binding> acls) {
  auto turn = append_turns::take(changes_);
  co_await turn.wait_turn();
  std::vector<outcome> out(acls.size());
  std::vector<storage::acl_record> fresh;
  std::set<acl::acl_binding> fresh_set;
  std::vector<size_t> written;  // indexes of the ACLs the write decides
  for (size_t i = 0; i < acls.size(); ++i) {
    const auto& b = acls[i];
    if (auto why = acl::why_not_creatable(b)) {
      out[i] = {error_code::invalid_request, *why};
      continue;
    }
    // Creating an ACL that exists succeeds without a change, as in Kafka.
    if (authorizer_->contains(b)) continue;
    if (!fresh_set.contains(b)) {
      if (authorizer_->size() + fresh_set.size() >= max_acls_) {
        out[i] = {error_code::policy_violation,
                  "the broker holds at most " + std::to_string(max_acls_) + " ACLs (authorizer.max.acls)"};
        continue;
      }
      fresh_set.insert(b);
      fresh.push_back(to_record(b));
    }
    written.push_back(i);
  }
  if (fresh.empty()) co_return out;
  auto write = [this, &fresh] { return store_.create_acls(fresh); };
  status s = co_await workers_.run(write);
  if (!s) {
    spdlog::error("CreateAcls: could not record {} ACL(s): {}", fresh.size(), s.err().describe());
    for (size_t i : written)
      out[i] = {storage_error_to_kafka(s.err()), "could not record the ACL: " + s.err().describe()};
    // A split write may have recorded a prefix: reload so the table is what the log says.
    for (const auto& r : store_.acls()) {
      acl::acl_binding b = from_record(r);
      if (fresh_set.contains(b)) authorizer_->add(b);
    }
    co_return out;
  }
  for (const auto& b : fresh_set) authorizer_->add(b);
  spdlog::info("created {} ACL(s)", fresh_set.size());
  co_return out;
}

boost::asio::awaitable<std::vector<acl_service::deletion>> acl_service::remove(std::vector<acl::acl_filter> filters) {
  auto turn = append_turns::take(changes_);
  co_await turn.wait_turn();
  std::vector<deletion> out(filters.size());
  std::set<acl::acl_binding> doomed;
  for (size_t i = 0; i < filters.size(); ++i) {
    if (auto why = acl::why_invalid(filters[i])) {
      out[i].result = {error_code::invalid_request, *why};
      continue;
    }
    out[i].deleted = authorizer_->acls(filters[i]);
    doomed.insert(out[i].deleted.begin(), out[i].deleted.end());
  }
  if (doomed.empty()) co_return out;
  std::vector<storage::acl_record> records;
  for (const auto& b : doomed) records.push_back(to_record(b));
  auto write = [this, &records] { return store_.delete_acls(records); };
  status s = co_await workers_.run(write);
  if (!s) {
    spdlog::error("DeleteAcls: could not record the deletion of {} ACL(s): {}", records.size(), s.err().describe());
    for (auto& d : out) {
      if (d.result.code != error_code::none) continue;
      d.result = {storage_error_to_kafka(s.err()), "could not record the deletion: " + s.err().describe()};
      d.deleted.clear();
    }
    // A split write may have recorded a prefix: drop what the log no longer has.
    auto kept = store_.acls();
    std::set<storage::acl_record> in_log(kept.begin(), kept.end());
    for (const auto& b : doomed)
      if (!in_log.contains(to_record(b))) authorizer_->remove(b);
    co_return out;
  }
  for (const auto& b : doomed) authorizer_->remove(b);
  spdlog::info("deleted {} ACL(s)", doomed.size());
  co_return out;
}

acl_service::outcome acl_service::describe(const acl::acl_filter& filter, std::vector<acl::acl_binding>& out) const {
  if (auto why = acl::why_invalid(filter)) return {error_code::invalid_request, *why};
  out = authorizer_->acls(filter);
  return {};
}

}  // namespace samsa::broker
