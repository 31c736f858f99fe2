#include "cli/share_client.h"

#include <map>

#include "base/kafka_error_codes.h"
#include "record/record.h"
#include "record/split.h"

namespace samsa::cli {

namespace {

std::string first_address(const std::string& bootstrap) { return bootstrap.substr(0, bootstrap.find(',')); }

error kafka_failure(const std::string& what, int16_t code, const std::optional<std::string>& message) {
  std::string text = what + ": " + std::string(kafka::error_name(static_cast<kafka::error_code>(code)));
  if (message && !message->empty()) text += " (" + *message + ")";
  return make_error(std::errc::protocol_error, text);
}

result<std::unique_ptr<kafka_connection>> connect(const std::string& bootstrap, std::chrono::milliseconds timeout) {
  auto c = kafka_connection::open(first_address(bootstrap), "samsa", timeout);
  if (!c) return c.err();
  (*c)->set_timeout(timeout);
  return std::move(*c);
}

}  // namespace

result<std::unique_ptr<share_member>> share_member::join(const std::string& bootstrap, const std::string& group,
                                                         const std::string& member_id,
                                                         const std::vector<std::string>& topics,
                                                         std::chrono::milliseconds timeout) {
  auto c = connect(bootstrap, timeout);
  if (!c) return c.err();
  std::unique_ptr<share_member> m(new share_member());
  m->conn_ = std::move(*c);
  m->group_ = group;
  m->member_id_ = member_id;
  m->topics_ = topics;
  // Topic ids, which the share APIs use instead of names.
  protocol::metadata_request_data meta;
  meta.topics.emplace();
  for (const auto& t : topics) meta.topics->emplace_back().name = t;
  meta.allow_auto_topic_creation = false;
  auto v = m->conn_->version_for<protocol::metadata_request_data>("Metadata");
  if (!v) return v.err();
  auto resp = m->conn_->call<protocol::metadata_response_data>(meta, std::max<int16_t>(*v, 10));
  if (!resp) return resp.err();
  for (const auto& t : resp->topics) {
    if (t.error_code != 0) return kafka_failure("Metadata " + t.name.value_or(""), t.error_code, std::nullopt);
    m->topic_ids_.emplace_back(t.topic_id, t.name.value_or(""));
  }
  if (auto s = m->heartbeat(); !s) return s.err();
  return m;
}

status share_member::heartbeat() {
  protocol::share_group_heartbeat_request_data req;
  req.group_id = group_;
  req.member_id = member_id_;
  req.member_epoch = epoch_;
  if (epoch_ == 0) req.subscribed_topic_names = topics_;
  auto v = conn_->version_for<protocol::share_group_heartbeat_request_data>("ShareGroupHeartbeat");
  if (!v) return v.err();
  auto resp = conn_->call<protocol::share_group_heartbeat_response_data>(req, *v);
  if (!resp) return resp.err();
  if (resp->error_code != 0) return kafka_failure("ShareGroupHeartbeat", resp->error_code, resp->error_message);
  epoch_ = resp->member_epoch;
  if (resp->assignment) {
    assignment_.clear();
    for (const auto& tp : resp->assignment->topic_partitions) {
      for (const auto& [id, name] : topic_ids_) {
        if (id != tp.topic_id) continue;
        for (int32_t p : tp.partitions) assignment_.emplace_back(name, p);
      }
    }
  }
  return {};
}

result<int32_t> share_member::next_epoch() {
  int32_t e = session_epoch_;
  session_epoch_ = session_epoch_ == INT32_MAX ? 1 : session_epoch_ + 1;
  return e;
}

result<std::vector<share_record>> share_member::fetch(int32_t max_records, int32_t max_wait_ms) {
  protocol::share_fetch_request_data req;
  req.group_id = group_;
  req.member_id = member_id_;
  auto epoch = next_epoch();
  req.share_session_epoch = *epoch;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = 1;
  req.max_records = max_records;
  req.batch_size = max_records;
  req.share_acquire_mode = 1;  // record-limit
  for (const auto& [topic, partition] : assignment_) {
    for (const auto& [id, name] : topic_ids_) {
      if (name != topic) continue;
      auto& t = req.topics.emplace_back();
      t.topic_id = id;
      t.partitions.emplace_back().partition_index = partition;
    }
  }
  auto v = conn_->version_for<protocol::share_fetch_request_data>("ShareFetch");
  if (!v) return v.err();
  auto resp = conn_->call<protocol::share_fetch_response_data>(req, *v);
  if (!resp) return resp.err();
  if (resp->error_code != 0) return kafka_failure("ShareFetch", resp->error_code, resp->error_message);
  std::vector<share_record> out;
  for (const auto& t : resp->responses) {
    std::string topic;
    for (const auto& [id, name] : topic_ids_) {
      if (id == t.topic_id) topic = name;
    }
    for (const auto& p : t.partitions) {
      if (p.error_code != 0) return kafka_failure("ShareFetch " + topic, p.error_code, p.error_message);
      if (!p.records || p.acquired_records.empty()) continue;
      auto batches = record::split_batches(p.records->bytes(), record::split_mode::lenient);
      if (!batches) return batches.err();
      std::map<int64_t, std::string> values;
      for (const auto& b : *batches) {
        auto decoded = record::decode_records(b.bytes);
        if (!decoded) return decoded.err();
        for (const auto& r : *decoded) values[r.offset] = r.value ? std::string(r.value->begin(), r.value->end()) : "";
      }
      for (const auto& a : p.acquired_records) {
        for (int64_t o = a.first_offset; o <= a.last_offset; ++o) {
          auto it = values.find(o);
          if (it == values.end()) continue;  // not a data record (a marker or a gap)
          out.push_back({topic, p.partition_index, o, it->second, a.delivery_count});
        }
      }
    }
  }
  return out;
}

status share_member::acknowledge(const share_record& record, share_ack type) {
  protocol::share_acknowledge_request_data req;
  req.group_id = group_;
  req.member_id = member_id_;
  auto epoch = next_epoch();
  req.share_session_epoch = *epoch;
  for (const auto& [id, name] : topic_ids_) {
    if (name != record.topic) continue;
    auto& t = req.topics.emplace_back();
    t.topic_id = id;
    auto& p = t.partitions.emplace_back();
    p.partition_index = record.partition;
    p.acknowledgement_batches.push_back({record.offset, record.offset, {static_cast<int8_t>(type)}, {}});
  }
  auto v = conn_->version_for<protocol::share_acknowledge_request_data>("ShareAcknowledge");
  if (!v) return v.err();
  auto resp = conn_->call<protocol::share_acknowledge_response_data>(req, *v);
  if (!resp) return resp.err();
  if (resp->error_code != 0) return kafka_failure("ShareAcknowledge", resp->error_code, resp->error_message);
  for (const auto& t : resp->responses) {
    for (const auto& p : t.partitions) {
      if (p.error_code != 0) return kafka_failure("ShareAcknowledge", p.error_code, p.error_message);
    }
  }
  return {};
}

status share_member::leave() {
  if (session_epoch_ > 0) {
    protocol::share_acknowledge_request_data req;
    req.group_id = group_;
    req.member_id = member_id_;
    req.share_session_epoch = -1;
    auto v = conn_->version_for<protocol::share_acknowledge_request_data>("ShareAcknowledge");
    if (!v) return v.err();
    if (auto r = conn_->call<protocol::share_acknowledge_response_data>(req, *v); !r) return r.err();
  }
  epoch_ = -1;
  protocol::share_group_heartbeat_request_data req;
  req.group_id = group_;
  req.member_id = member_id_;
  req.member_epoch = -1;
  auto v = conn_->version_for<protocol::share_group_heartbeat_request_data>("ShareGroupHeartbeat");
  if (!v) return v.err();
  auto resp = conn_->call<protocol::share_group_heartbeat_response_data>(req, *v);
  if (!resp) return resp.err();
  if (resp->error_code != 0) return kafka_failure("ShareGroupHeartbeat", resp->error_code, resp->error_message);
  return {};
}

result<std::optional<share_group_view>> describe_share_group(const std::string& bootstrap, const std::string& group,
                                                             std::chrono::milliseconds timeout) {
  auto c = connect(bootstrap, timeout);
  if (!c) return c.err();
  auto& conn = **c;
  auto v = conn.version_for<protocol::share_group_describe_request_data>("ShareGroupDescribe");
  if (!v) return std::optional<share_group_view>{};  // no share groups on this broker
  protocol::share_group_describe_request_data req;
  req.group_ids = {group};
  auto resp = conn.call<protocol::share_group_describe_response_data>(req, *v);
  if (!resp) return resp.err();
  if (resp->groups.empty()) return std::optional<share_group_view>{};
  const auto& g = resp->groups[0];
  if (g.error_code == kafka::to_int(kafka::error_code::group_id_not_found)) return std::optional<share_group_view>{};
  if (g.error_code != 0) return kafka_failure("ShareGroupDescribe " + group, g.error_code, g.error_message);
  share_group_view view;
  view.group_id = g.group_id;
  view.state = g.group_state;
  view.epoch = g.group_epoch;
  view.assignor = g.assignor_name;
  for (const auto& m : g.members) {
    auto& mv = view.members.emplace_back();
    mv.member_id = m.member_id;
    mv.client_id = m.client_id;
    mv.host = m.client_host;
    mv.epoch = m.member_epoch;
    for (const auto& tp : m.assignment.topic_partitions) {
      for (int32_t p : tp.partitions) mv.assignment.emplace_back(tp.topic_name, p);
    }
  }
  auto ov = conn.version_for<protocol::describe_share_group_offsets_request_data>("DescribeShareGroupOffsets");
  if (ov) {
    protocol::describe_share_group_offsets_request_data oreq;
    auto& og = oreq.groups.emplace_back();
    og.group_id = group;
    og.topics = std::nullopt;  // every partition the group has state for
    auto oresp = conn.call<protocol::describe_share_group_offsets_response_data>(oreq, *ov);
    if (!oresp) return oresp.err();
    for (const auto& rg : oresp->groups) {
      for (const auto& t : rg.topics) {
        for (const auto& p : t.partitions) view.partitions.push_back({t.topic_name, p.partition_index, p.start_offset, p.lag});
      }
    }
  }
  return std::optional<share_group_view>(std::move(view));
}

result<std::map<std::string, listed_group_type>> list_group_types(const std::string& bootstrap,
                                                                  std::chrono::milliseconds timeout) {
  auto c = connect(bootstrap, timeout);
  if (!c) return c.err();
  auto v = (*c)->version_for<protocol::list_groups_request_data>("ListGroups");
  if (!v) return v.err();
  protocol::list_groups_request_data req;
  auto resp = (*c)->call<protocol::list_groups_response_data>(req, *v);
  if (!resp) return resp.err();
  if (resp->error_code != 0) return kafka_failure("ListGroups", resp->error_code, std::nullopt);
  std::map<std::string, listed_group_type> out;
  for (const auto& g : resp->groups) out[g.group_id] = {g.group_type, g.group_state};
  return out;
}

status set_group_config(const std::string& bootstrap, const std::string& group, const std::string& name,
                        const std::string& value, std::chrono::milliseconds timeout) {
  auto c = connect(bootstrap, timeout);
  if (!c) return c.err();
  protocol::incremental_alter_configs_request_data req;
  auto& r = req.resources.emplace_back();
  r.resource_type = 32;  // GROUP
  r.resource_name = group;
  auto& entry = r.configs.emplace_back();
  entry.name = name;
  entry.config_operation = 0;  // SET
  entry.value = value;
  auto v = (*c)->version_for<protocol::incremental_alter_configs_request_data>("IncrementalAlterConfigs");
  if (!v) return v.err();
  auto resp = (*c)->call<protocol::incremental_alter_configs_response_data>(req, *v);
  if (!resp) return resp.err();
  for (const auto& out : resp->responses) {
    if (out.error_code != 0) return kafka_failure("IncrementalAlterConfigs " + group, out.error_code, out.error_message);
  }
  return {};
}

}  // namespace samsa::cli
