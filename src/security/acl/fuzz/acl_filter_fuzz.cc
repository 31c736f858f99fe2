// Fuzzes the ACL-filter path of DescribeAcls and DeleteAcls: the request body
// (first byte: version 0-3, second: which API) decoded by the generated
// codecs, each filter turned into an acl_filter, validated and matched
// against a fixed table through the authorizer. Must never crash, hang or
// allocate without bound.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/messages.h"
#include "protocol/reader.h"
#include "security/acl/authorizer.h"

namespace {

using namespace samsa::acl;

const authorizer& table() {
  // Built in place: an authorizer holds a lock, so it cannot be moved.
  static const authorizer& a = *[] {
    auto* t = new authorizer;
    t->add({resource_type::topic, "orders", pattern_type::literal, "User:alice", "*", operation::read,
           permission::allow});
    t->add({resource_type::topic, "ord", pattern_type::prefixed, "User:*", "10.0.0.1", operation::all,
           permission::deny});
    t->add({resource_type::topic, "*", pattern_type::literal, "User:bob", "*", operation::write, permission::allow});
    t->add({resource_type::group, "g", pattern_type::prefixed, "User:alice", "*", operation::read, permission::allow});
    t->add({resource_type::cluster, "kafka-cluster", pattern_type::literal, "User:ops", "*", operation::alter,
           permission::allow});
    return t;
  }();
  return a;
}

template <typename Filter>
acl_filter to_filter(const Filter& f) {
  acl_filter out;
  out.resource = resource_type_from_code(f.resource_type_filter);
  out.name = f.resource_name_filter;
  out.pattern = pattern_type_from_code(f.pattern_type_filter);
  out.principal = f.principal_filter;
  out.host = f.host_filter;
  out.op = operation_from_code(f.operation);
  out.perm = permission_from_code(f.permission_type);
  return out;
}

void exercise(const acl_filter& f) {
  (void)why_invalid(f);
  auto found = table().acls(f);
  // Everything found must match; when a name is given, the authorizer's view
  // of that resource must be computable too.
  for (const auto& b : found)
    if (!matches(f, b)) __builtin_trap();
  if (f.name && f.resource != resource_type::any && f.resource != resource_type::unknown) {
    (void)table().authorized_operations(samsa::security::principal::user("alice"), f.host.value_or("*"),
                                        f.resource, *f.name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  int16_t version = static_cast<int16_t>(data[0] % 4);
  bool delete_acls = data[1] & 1;
  samsa::protocol::reader r(std::span<const uint8_t>(data + 2, size - 2));
  if (delete_acls) {
    samsa::protocol::delete_acls_request_data req;
    req.decode(r, version);
    if (!r.ok()) return 0;
    for (const auto& f : req.filters) exercise(to_filter(f));
  } else {
    samsa::protocol::describe_acls_request_data req;
    req.decode(r, version);
    if (!r.ok()) return 0;
    exercise(to_filter(req));
  }
  return 0;
}
