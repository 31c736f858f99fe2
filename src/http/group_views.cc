#include "http/group_views.h"

#include <map>
#include <vector>

#include "broker/broker_state.h"
#include "broker/group_service.h"
#include "broker/share_service.h"
#include "broker/topic_registry.h"
#include "group/consumer_group_coordinator.h"
#include "group/coordinator.h"
#include "http/group_history.h"
#include "share/share_group.h"
#include "share/share_partition.h"

namespace samsa::http {

using json = nlohmann::json;

namespace {

json assignment_json(const group::cg_assignment& a, const group::cg_topic_metadata& topics) {
  json out = json::array();
  for (const auto& [id, partitions] : a) {
    const auto* t = topics.find(id);
    out.push_back({{"topic", t ? json(t->name) : json()}, {"partitions", std::vector<int32_t>(partitions.begin(), partitions.end())}});
  }
  return out;
}

std::map<std::string, std::vector<group::topic_partition>> owners(const group::cg_group_description& d,
                                                                  const group::cg_topic_metadata& topics) {
  std::map<std::string, std::vector<group::topic_partition>> out;
  for (const auto& m : d.members) {
    auto& list = out[m.member_id];
    for (const auto& [id, partitions] : m.assignment) {
      const auto* t = topics.find(id);
      if (!t) continue;
      for (int32_t p : partitions) list.push_back({t->name, p});
    }
  }
  return out;
}

}  // namespace

const char* to_string(group_type t) {
  switch (t) {
    case group_type::classic: return "classic";
    case group_type::consumer: return "consumer";
    case group_type::share: return "share";
    case group_type::none: return "none";
  }
  return "none";
}

group_type type_of_group(broker::broker_state& broker, const std::string& id) {
  if (broker.groups().consumer_groups().has_group(id)) return group_type::consumer;
  if (broker.shares().is_share_group(id) && broker.shares().find_group(id)) return group_type::share;
  if (broker.groups().coordinator().find_group(id)) return group_type::classic;
  return group_type::none;
}

std::set<std::string> every_group_id(broker::broker_state& broker) {
  std::set<std::string> ids;
  for (const auto& g : broker.groups().coordinator().list_groups().groups) ids.insert(g.group_id);
  for (const auto& g : broker.groups().consumer_groups().list()) ids.insert(g.group_id);
  for (const auto* g : broker.shares().list_groups()) ids.insert(g->id());
  return ids;
}

json consumer_group_json(broker::broker_state& broker, const std::string& id) {
  auto& groups = broker.groups();
  if (!groups.consumer_groups().has_group(id)) return json();
  auto topics = groups.consumer_group_topics();
  auto described = groups.consumer_groups().describe({id}, topics);
  if (described.empty() || described.front().error != 0) return json();
  const auto& d = described.front();
  json members = json::array();
  for (const auto& m : d.members) {
    members.push_back({{"member_id", m.member_id},
                       {"instance_id", m.instance_id ? json(*m.instance_id) : json()},
                       {"rack_id", m.rack_id ? json(*m.rack_id) : json()},
                       {"member_epoch", m.member_epoch},
                       {"client_id", m.client_id},
                       {"client_host", m.client_host},
                       {"subscribed_topics", m.subscribed_topic_names},
                       {"subscribed_topic_regex", m.subscribed_topic_regex ? json(*m.subscribed_topic_regex) : json()},
                       {"classic", m.classic},
                       {"assignment", assignment_json(m.assignment, topics)},
                       {"target_assignment", assignment_json(m.target_assignment, topics)}});
  }
  return json{{"group_id", id},
              {"type", "consumer"},
              {"protocol_type", "consumer"},
              {"state", d.state},
              {"group_epoch", d.group_epoch},
              {"assignment_epoch", d.assignment_epoch},
              {"assignor", d.assignor_name},
              {"members", std::move(members)}};
}

json share_group_json(broker::broker_state& broker, const std::string& id) {
  auto& shares = broker.shares();
  const share::share_group* g = shares.is_share_group(id) ? shares.find_group(id) : nullptr;
  if (!g) return json();
  json members = json::array();
  for (const auto& [mid, m] : g->members()) {
    json assigned = json::array();
    for (const auto& [topic, partitions] : m.assigned) assigned.push_back({{"topic", topic}, {"partitions", partitions}});
    members.push_back({{"member_id", mid},
                       {"member_epoch", m.epoch},
                       {"rack_id", m.rack ? json(*m.rack) : json()},
                       {"client_id", m.client_id},
                       {"client_host", m.client_host},
                       {"subscribed_topics", m.subscribed},
                       {"assignment", std::move(assigned)}});
  }
  json partitions = json::array();
  for (const auto& [key, state] : shares.partitions_of(id)) {
    const auto* t = broker.topics().find(protocol::uuid{key.topic});
    if (!t) continue;  // the topic was deleted
    auto log = broker.topics().partition(t->name, key.partition);
    int64_t hw = log ? log->high_watermark() : state->next_offset();
    partitions.push_back({{"topic", t->name},
                          {"partition", key.partition},
                          {"start_offset", state->start_offset()},
                          {"next_offset", state->next_offset()},
                          {"high_watermark", hw},
                          {"lag", std::max<int64_t>(0, hw - state->start_offset())},
                          {"in_flight",
                           {{"available", state->count(share::record_state::available)},
                            {"acquired", state->count(share::record_state::acquired)},
                            {"acknowledged", state->count(share::record_state::acknowledged)},
                            {"archived", state->count(share::record_state::archived)}}}});
  }
  return json{{"group_id", id},
              {"type", "share"},
              {"protocol_type", "share"},
              {"state", g->state()},
              {"group_epoch", g->group_epoch()},
              {"assignment_epoch", g->assignment_epoch()},
              {"assignor", "simple"},
              {"members", std::move(members)},
              {"partitions", std::move(partitions)}};
}

json list_consumer_and_share_groups(broker::broker_state& broker) {
  json out = json::array();
  auto& consumer = broker.groups().consumer_groups();
  auto topics = broker.groups().consumer_group_topics();
  for (const auto& g : consumer.list()) {
    auto d = consumer.describe({g.group_id}, topics);
    out.push_back({{"group_id", g.group_id},
                   {"type", "consumer"},
                   {"state", g.state},
                   {"protocol_type", "consumer"},
                   {"members", d.empty() ? 0 : d.front().members.size()}});
  }
  for (const auto* g : broker.shares().list_groups()) {
    out.push_back({{"group_id", g->id()},
                   {"type", "share"},
                   {"state", g->state()},
                   {"protocol_type", "share"},
                   {"members", g->members().size()}});
  }
  return out;
}

void observe_group_epochs(broker::broker_state& broker, group_history& history, int64_t now_ms) {
  auto& consumer = broker.groups().consumer_groups();
  auto topics = broker.groups().consumer_group_topics();
  for (const auto& listed : consumer.list()) {
    auto d = consumer.describe({listed.group_id}, topics);
    if (d.empty() || d.front().error != 0) continue;
    const auto& g = d.front();
    // Settled: the target assignment is computed for this epoch and every
    // member has reached it.
    bool reconciled = g.assignment_epoch == g.group_epoch;
    for (const auto& m : g.members) reconciled = reconciled && m.member_epoch == g.group_epoch && m.assignment == m.target_assignment;
    history.observe_epoch(g.group_id, now_ms, g.group_epoch, owners(g, topics), reconciled);
  }
  for (const auto* g : broker.shares().list_groups()) {
    std::map<std::string, std::vector<group::topic_partition>> assigned;
    for (const auto& [mid, m] : g->members()) {
      auto& list = assigned[mid];
      for (const auto& [topic, partitions] : m.assigned)
        for (int32_t p : partitions) list.push_back({topic, p});
    }
    // A share group's assignment is the target as soon as it is computed.
    history.observe_epoch(g->id(), now_ms, g->group_epoch(), assigned, g->assignment_epoch() == g->group_epoch());
  }
}

}  // namespace samsa::http
