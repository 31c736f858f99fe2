// The console's views of KIP-848 consumer groups and KIP-932 share groups
// (classic groups are drawn in console.cc from the classic coordinator),
// and the sampling that gives them a rebalance history: neither protocol
// has join/sync rounds to observe, so each lag sample records their group
// epochs (group_history::observe_epoch). Handler thread only: they read the
// coordinators and the share service.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace samsa::broker {
class broker_state;
}

namespace samsa::http {

class group_history;

enum class group_type { classic, consumer, share, none };
const char* to_string(group_type t);

// Which coordinator holds `id` (a consumer group's id also has a classic
// entry for its offsets: it counts as a consumer group).
group_type type_of_group(broker::broker_state& broker, const std::string& id);

// Every group id of every type (what the history keeps).
std::set<std::string> every_group_id(broker::broker_state& broker);

// {group_id, type, state, group_epoch, assignment_epoch, assignor, members:
// [{member_id, instance_id, rack_id, member_epoch, client_id, client_host,
// subscribed_topics, subscribed_topic_regex, classic, assignment,
// target_assignment}]}; null when `id` is not a consumer group.
nlohmann::json consumer_group_json(broker::broker_state& broker, const std::string& id);

// {group_id, type, state, group_epoch, assignment_epoch, members: [{member_id,
// member_epoch, client_id, client_host, subscribed_topics, assignment}],
// partitions: [{topic, partition, start_offset, next_offset, high_watermark,
// lag, in_flight: {available, acquired, acknowledged, archived}}]}; null when
// `id` is not a share group. lag = high watermark - start offset (records
// not yet delivered and acknowledged or archived).
nlohmann::json share_group_json(broker::broker_state& broker, const std::string& id);

// Rows of the group list for consumer and share groups: {group_id, type,
// state, protocol_type, members}.
nlohmann::json list_consumer_and_share_groups(broker::broker_state& broker);

// One sample of every consumer and share group's epoch into `history`.
void observe_group_epochs(broker::broker_state& broker, group_history& history, int64_t now_ms);

}  // namespace samsa::http
