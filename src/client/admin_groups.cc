// admin: consumer groups, their committed offsets and lag.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "client/admin_impl.h"
#include "client/kafka_error.h"
#include "client/partition_list.h"

namespace samsa::client {
namespace {

std::string state_name(rd_kafka_consumer_group_state_t s) { return rd_kafka_consumer_group_state_name(s); }

// Checks the per-group result (error and per-partition errors) and returns its partitions.
result<std::vector<topic_partition>> group_result(const rd_kafka_group_result_t* g, admin::impl& self,
                                                  std::string_view operation) {
  if (auto s = detail::from_error(rd_kafka_group_result_error(g), operation, self.bootstrap); !s) return s.err();
  const auto* parts = rd_kafka_group_result_partitions(g);
  if (auto s = detail::first_partition_error(parts, operation, self.bootstrap); !s) return s.err();
  return detail::from_list(parts);
}

}  // namespace

result<std::vector<group_summary>> admin::list_groups() {
  auto event = impl_->run(
      "list groups",
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) { rd_kafka_ListConsumerGroups(impl_->handle.get(), o, q); },
      RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
  if (!event) return event.err();
  const auto* res = rd_kafka_event_ListConsumerGroups_result(event->get());
  size_t n_errors = 0;
  const auto** errors = rd_kafka_ListConsumerGroups_result_errors(res, &n_errors);
  size_t count = 0;
  const auto** groups = rd_kafka_ListConsumerGroups_result_valid(res, &count);
  // Partial answers (one broker failed) still list what was found; fail only when nothing came back.
  if (n_errors > 0 && count == 0) {
    auto s = detail::from_error(errors[0], "list groups", impl_->bootstrap);
    return impl_->fail("list groups", s.err().code.value(), rd_kafka_error_string(errors[0]));
  }
  std::vector<group_summary> out;
  for (size_t i = 0; i < count; ++i) {
    out.push_back({rd_kafka_ConsumerGroupListing_group_id(groups[i]),
                   state_name(rd_kafka_ConsumerGroupListing_state(groups[i])),
                   rd_kafka_ConsumerGroupListing_is_simple_consumer_group(groups[i]) != 0});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

result<group_info> admin::describe_group(const std::string& group_id) {
  std::string op = fmt::format("describe group {}", group_id);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        const char* ids[] = {group_id.c_str()};
        rd_kafka_DescribeConsumerGroups(impl_->handle.get(), ids, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  if (!event) return event.err();
  size_t count = 0;
  const auto** groups =
      rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(event->get()), &count);
  if (count == 0) return impl_->fail(op, RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND, "no answer for this group");
  const auto* g = groups[0];
  if (auto s = detail::from_error(rd_kafka_ConsumerGroupDescription_error(g), op, impl_->bootstrap); !s) return s.err();
  group_info info;
  info.group_id = rd_kafka_ConsumerGroupDescription_group_id(g);
  info.state = state_name(rd_kafka_ConsumerGroupDescription_state(g));
  if (const char* a = rd_kafka_ConsumerGroupDescription_partition_assignor(g); a != nullptr) info.assignor = a;
  if (const auto* node = rd_kafka_ConsumerGroupDescription_coordinator(g); node != nullptr)
    info.coordinator = rd_kafka_Node_id(node);
  size_t members = rd_kafka_ConsumerGroupDescription_member_count(g);
  for (size_t i = 0; i < members; ++i) {
    const auto* m = rd_kafka_ConsumerGroupDescription_member(g, i);
    group_member member;
    member.member_id = rd_kafka_MemberDescription_consumer_id(m);
    member.client_id = rd_kafka_MemberDescription_client_id(m);
    member.host = rd_kafka_MemberDescription_host(m);
    if (const char* inst = rd_kafka_MemberDescription_group_instance_id(m); inst != nullptr) member.instance_id = inst;
    if (const auto* a = rd_kafka_MemberDescription_assignment(m); a != nullptr)
      member.assignment = detail::from_list(rd_kafka_MemberAssignment_partitions(a));
    std::sort(member.assignment.begin(), member.assignment.end());
    info.members.push_back(std::move(member));
  }
  // A group nobody ever joined comes back as Dead with no members from most brokers.
  if (info.state == "Dead" && info.members.empty())
    return impl_->fail(op, RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND, fmt::format("no group named \"{}\"", group_id));
  std::sort(info.members.begin(), info.members.end(),
            [](const auto& a, const auto& b) { return a.client_id + a.member_id < b.client_id + b.member_id; });
  return info;
}

status admin::delete_group(const std::string& group_id) {
  std::string op = fmt::format("delete group {}", group_id);
  std::unique_ptr<rd_kafka_DeleteGroup_t, decltype(&rd_kafka_DeleteGroup_destroy)> dg(
      rd_kafka_DeleteGroup_new(group_id.c_str()), &rd_kafka_DeleteGroup_destroy);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_DeleteGroup_t* list[] = {dg.get()};
        rd_kafka_DeleteGroups(impl_->handle.get(), list, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_DELETEGROUPS);
  if (!event) return event.err();
  size_t count = 0;
  const auto** groups = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(event->get()), &count);
  for (size_t i = 0; i < count; ++i) {
    if (auto r = group_result(groups[i], *impl_, op); !r) return r.err();
  }
  return {};
}

result<std::vector<partition_lag>> admin::group_lag(const std::string& group_id,
                                                    const std::vector<std::string>& topics) {
  std::string op = fmt::format("read committed offsets of group {}", group_id);
  // Asking for explicit partitions also works on brokers that cannot list "all".
  std::vector<topic_partition> wanted;
  for (const auto& t : topics) {
    auto info = describe_topic(t, false);
    if (!info) return info.err();
    for (const auto& p : info->partitions) wanted.push_back({t, p.id, offset_invalid});
  }
  auto wanted_list = detail::to_list(wanted);
  std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t, decltype(&rd_kafka_ListConsumerGroupOffsets_destroy)> req(
      rd_kafka_ListConsumerGroupOffsets_new(group_id.c_str(), wanted.empty() ? nullptr : wanted_list.get()),
      &rd_kafka_ListConsumerGroupOffsets_destroy);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_ListConsumerGroupOffsets_t* list[] = {req.get()};
        rd_kafka_ListConsumerGroupOffsets(impl_->handle.get(), list, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
  if (!event) return event.err();
  size_t count = 0;
  const auto** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(event->get()), &count);
  std::map<std::pair<std::string, int32_t>, partition_lag> rows;
  for (size_t i = 0; i < count; ++i) {
    auto parts = group_result(groups[i], *impl_, op);
    if (!parts) return parts.err();
    for (const auto& p : *parts) {
      auto& row = rows[{p.topic, p.partition}];
      row.topic = p.topic;
      row.partition = p.partition;
      row.committed = p.offset >= 0 ? p.offset : -1;
    }
  }
  // Partitions assigned to members but never committed still belong in the table.
  if (auto info = describe_group(group_id); info && topics.empty()) {
    for (const auto& m : info->members) {
      for (const auto& p : m.assignment) {
        auto& row = rows[{p.topic, p.partition}];
        row.topic = p.topic;
        row.partition = p.partition;
        row.member_id = m.member_id;
      }
    }
  }
  // So do the other partitions of those topics: a group that never committed
  // on a partition still has its records to read.
  auto existing = list_topics(true);
  if (!existing) return existing.err();
  std::map<std::string, size_t> partition_counts;
  for (const auto& t : *existing) partition_counts[t.name] = t.partitions.size();
  std::set<std::string> seen;
  for (const auto& [key, row] : rows) seen.insert(key.first);
  for (const auto& t : seen) {
    auto it = partition_counts.find(t);
    if (it == partition_counts.end()) continue;
    for (size_t p = 0; p < it->second; ++p) {
      auto& row = rows[{t, static_cast<int32_t>(p)}];
      row.topic = t;
      row.partition = static_cast<int32_t>(p);
    }
  }
  std::vector<partition_lag> out;
  for (auto& [key, row] : rows) {
    if (!partition_counts.count(row.topic)) {
      row.topic_deleted = true;
      out.push_back(std::move(row));
      continue;
    }
    if (auto s = impl_->watermarks(row.topic, row.partition, row.log_start, row.log_end); !s) return s.err();
    if (row.committed >= 0) {
      row.lag = std::max<int64_t>(0, row.log_end - row.committed);
    } else {
      row.lag = std::max<int64_t>(0, row.log_end - row.log_start);
      row.lag_from_log_start = true;
    }
    out.push_back(std::move(row));
  }
  return out;
}

status admin::alter_group_offsets(const std::string& group_id, const std::vector<topic_partition>& offsets) {
  std::string op = fmt::format("set committed offsets of group {}", group_id);
  auto list = detail::to_list(offsets);
  std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t, decltype(&rd_kafka_AlterConsumerGroupOffsets_destroy)> req(
      rd_kafka_AlterConsumerGroupOffsets_new(group_id.c_str(), list.get()),
      &rd_kafka_AlterConsumerGroupOffsets_destroy);
  auto event = impl_->run(
      op,
      [&](rd_kafka_queue_t* q, rd_kafka_AdminOptions_t* o) {
        rd_kafka_AlterConsumerGroupOffsets_t* reqs[] = {req.get()};
        rd_kafka_AlterConsumerGroupOffsets(impl_->handle.get(), reqs, 1, o, q);
      },
      RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
  if (!event) return event.err();
  size_t count = 0;
  const auto** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
      rd_kafka_event_AlterConsumerGroupOffsets_result(event->get()), &count);
  for (size_t i = 0; i < count; ++i) {
    if (auto r = group_result(groups[i], *impl_, op); !r) return r.err();
  }
  return {};
}

}  // namespace samsa::client
