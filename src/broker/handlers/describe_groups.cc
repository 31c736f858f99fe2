// DescribeGroups: v0-6. An unknown group is described as state "Dead" with
// no error before v6; v6 (KIP-1043) answers it GROUP_ID_NOT_FOUND with an
// error message, as Kafka 4.0 does. A share group is GROUP_ID_NOT_FOUND
// ("not a classic group"), as Kafka answers for groups of other types. Member
// metadata and assignments are only filled while the group is Stable.
// Consumer-protocol (KIP-848) groups are described by ConsumerGroupDescribe;
// here they read Dead (v6+: GROUP_ID_NOT_FOUND).
// Each group needs DESCRIBE (Kafka): without it the group answers
// GROUP_AUTHORIZATION_FAILED and nothing else about it. Authorized
// operations (v3+, when asked) come from the authorizer. A group named more
// than once is described once (handlers/first_of_each.h).
#include <fmt/format.h>

#include "broker/api_table.h"
#include "broker/authorization.h"
#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/handlers/first_of_each.h"
#include "broker/handlers/handlers.h"
#include "broker/share_service.h"
#include "group/errors.h"
#include "protocol/api_keys.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::broker {

namespace {
namespace file_describe_groups {

using request_t = protocol::describe_groups_request_data;
using response_t = protocol::describe_groups_response_data;

constexpr int16_t group_not_found_from = 6;

boost::asio::awaitable<response_t> handle(request_context& ctx, request_t& request) {
  // Only the groups the principal may describe are looked at. As Kafka
  // answers: the refused groups first, in the order asked, then the
  // described ones in the order asked.
  std::vector<std::string> allowed;
  response_t response;
  keep_first_of_each(request.groups, [](const std::string& id) { return std::string_view(id); });
  for (const auto& id : request.groups) {
    if (authorized(ctx, acl::operation::describe, acl::resource_type::group, id)) {
      allowed.push_back(id);
      continue;
    }
    auto& out = response.groups.emplace_back();
    out.group_id = id;
    out.error_code = protocol::to_int(protocol::error_code::group_authorization_failed);
    out.group_state = "";
    out.protocol_type = "";
    out.protocol_data = "";
    if (ctx.api_version >= 6) {
      out.error_message = std::string(protocol::default_message(protocol::error_code::group_authorization_failed));
    }
  }
  auto described = ctx.broker.groups().coordinator().describe_groups(allowed);
  const auto& consumer_groups = ctx.broker.groups().consumer_groups();
  for (auto& d : described) {
    if (consumer_groups.has_group(d.group_id)) {
      // A KIP-848 group is not described by the classic API: Dead with no
      // protocol type (v6+ add GROUP_ID_NOT_FOUND and a message), as Kafka 4.x.
      auto& out = response.groups.emplace_back();
      out.group_id = d.group_id;
      out.group_state = "Dead";
      if (ctx.api_version >= 6) {
        out.error_code = group::errc::group_id_not_found;
        out.error_message = fmt::format("Group {} is not a classic group.", d.group_id);
      }
      continue;
    }
    auto& out = response.groups.emplace_back();
    if (!d.exists && ctx.broker.shares().find_group(d.group_id)) {
      out.group_id = d.group_id;
      out.error_code = protocol::to_int(protocol::error_code::group_id_not_found);
      out.error_message = "Group " + d.group_id + " is not a classic group.";
      continue;
    }
    out.error_code = d.error;
    out.group_id = d.group_id;
    out.group_state = d.exists ? d.state : "Dead";
    if (!d.exists && d.error == 0 && ctx.api_version >= group_not_found_from) {
      out.error_code = protocol::to_int(protocol::error_code::group_id_not_found);
      out.error_message = "Group " + d.group_id + " not found.";
    }
    out.protocol_type = d.protocol_type;
    out.protocol_data = d.protocol;
    for (auto& m : d.members) {
      auto& mo = out.members.emplace_back();
      mo.member_id = m.member_id;
      mo.group_instance_id = m.group_instance_id;
      mo.client_id = m.client_id;
      mo.client_host = m.client_host;
      mo.member_metadata = std::move(m.metadata);
      mo.member_assignment = std::move(m.assignment);
    }
    if (request.include_authorized_operations && out.error_code == 0) {
      out.authorized_operations = authorized_operations(ctx, acl::resource_type::group, d.group_id);
    }
  }
  co_return response;
}

}  // namespace file_describe_groups
}  // namespace

// Served up to v6 (Kafka 4.0 to 4.3's newest), pinned like every handler.
constexpr int16_t describe_groups_max_served = 6;

void register_describe_groups(api_table& apis) {
  using namespace file_describe_groups;
  apis.add<request_t, response_t>(static_cast<int16_t>(protocol::api_key::describe_groups), 0,
                                  describe_groups_max_served, handle);
}

}  // namespace samsa::broker
