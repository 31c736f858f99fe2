#include "cli/consumer_group_admin.h"

#include "cli/kafka_connection.h"
#include "protocol/error_code.h"
#include "protocol/messages.h"

namespace samsa::cli {

namespace {

using response_t = protocol::consumer_group_describe_response_data;

std::vector<cg_partitions> partitions_of(const response_t::assignment_entry& a) {
  std::vector<cg_partitions> out;
  for (const auto& tp : a.topic_partitions) {
    out.push_back({tp.topic_name.empty() ? tp.topic_id.to_string() : tp.topic_name, tp.partitions});
  }
  return out;
}

}  // namespace

result<std::optional<cg_group_view>> describe_consumer_group(const std::string& bootstrap,
                                                             const std::string& client_id,
                                                             std::chrono::milliseconds timeout,
                                                             const std::string& group_id) {
  std::optional<samsa::error> last;
  std::unique_ptr<kafka_connection> conn;
  size_t start = 0;
  while (start <= bootstrap.size() && !conn) {
    size_t comma = bootstrap.find(',', start);
    std::string address = bootstrap.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? bootstrap.size() + 1 : comma + 1;
    if (address.empty()) continue;
    auto c = kafka_connection::open(address, client_id, timeout);
    if (c) {
      conn = std::move(*c);
      conn->set_timeout(timeout);
    } else {
      last = c.err();
    }
  }
  if (!conn) {
    if (last) return *last;
    return make_error(std::errc::invalid_argument, "no bootstrap address given");
  }
  auto version = conn->version_for<protocol::consumer_group_describe_request_data>("ConsumerGroupDescribe");
  if (!version) return std::optional<cg_group_view>{};  // an older broker: no consumer-protocol groups
  protocol::consumer_group_describe_request_data request;
  request.group_ids = {group_id};
  auto answer = conn->call<response_t>(request, *version);
  if (!answer) return answer.err();
  if (answer->groups.size() != 1) {
    return make_error(std::errc::bad_message, "ConsumerGroupDescribe answered " +
                                                  std::to_string(answer->groups.size()) + " groups for one");
  }
  const auto& g = answer->groups[0];
  if (g.error_code == protocol::to_int(protocol::error_code::group_id_not_found)) {
    return std::optional<cg_group_view>{};
  }
  if (g.error_code != 0) {
    return make_error(std::errc::io_error, "ConsumerGroupDescribe " + group_id + ": " +
                                               std::string(protocol::error_name(static_cast<protocol::error_code>(g.error_code))) +
                                               (g.error_message ? ": " + *g.error_message : ""));
  }
  cg_group_view out;
  out.group_id = g.group_id;
  out.state = g.group_state;
  out.group_epoch = g.group_epoch;
  out.assignment_epoch = g.assignment_epoch;
  out.assignor = g.assignor_name;
  for (const auto& m : g.members) {
    cg_member_view v;
    v.member_id = m.member_id;
    v.instance_id = m.instance_id;
    v.member_epoch = m.member_epoch;
    v.client_id = m.client_id;
    v.client_host = m.client_host;
    v.subscribed_topics = m.subscribed_topic_names;
    v.subscribed_regex = m.subscribed_topic_regex;
    v.assignment = partitions_of(m.assignment);
    v.target = partitions_of(m.target_assignment);
    out.members.push_back(std::move(v));
  }
  return std::optional<cg_group_view>{std::move(out)};
}

}  // namespace samsa::cli
