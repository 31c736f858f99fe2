#include "broker/share_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <charconv>

#include "base/refusal_log.h"
#include "broker/broker_config.h"
#include "broker/fetch_waiters.h"
#include "group/id_bounds.h"
#include "share/offset_reset.h"
#include "storage/partition_log.h"

namespace samsa::broker {

namespace {

// How often locks and member sessions are checked for expiry. A lock may
// outlive its deadline by this much; a member its session likewise.
constexpr int64_t tick_interval_ms = 100;
// The journal is rewritten once it is this large and at least four times
// what its live records need.
constexpr uint64_t compact_at_bytes = 64ull << 20;

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

share_settings share_settings_from(const broker_config& c) {
  share_settings s;
  s.record_lock_duration_ms = c.group_share_record_lock_duration_ms;
  s.delivery_count_limit = c.group_share_delivery_count_limit;
  s.partition_max_record_locks = c.group_share_partition_max_record_locks;
  s.session_timeout_ms = c.group_share_session_timeout_ms;
  s.heartbeat_interval_ms = c.group_share_heartbeat_interval_ms;
  s.max_size = c.group_share_max_size;
  s.max_groups = c.group_share_max_groups;
  return s;
}

share_service::share_service(boost::asio::io_context& io, topic_registry& topics, fetch_waiters& waiters,
                             worker_pool& workers, std::string state_dir, share_settings settings)
    : io_(io),
      topics_(topics),
      waiters_(waiters),
      workers_(workers),
      settings_(settings),
      journal_(std::move(state_dir)),
      timer_(io) {}

share_service::~share_service() { stop(); }

int64_t share_service::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

status share_service::start() {
  auto records = journal_.open();
  if (!records) return records.err();
  const auto sizes = topic_sizes();
  const int64_t now = now_ms();
  size_t members = 0;
  std::vector<std::string> reassigned;  // groups whose assignment moved while down
  for (const auto& r : *records) {
    if (const auto* g = std::get_if<share::group_record>(&r)) {
      auto& entry = group_of(g->group);
      entry.configs = g->configs;
      auto restored = g->members;
      // A restart is not the members' fault: each gets a full session to
      // heartbeat again before it is removed.
      for (auto& m : restored) m.session_deadline_ms = now + group_settings_for(g->group).session_timeout_ms;
      members += restored.size();
      if (entry.group->restore(g->group_epoch, std::move(restored), sizes)) reassigned.push_back(g->group);
    } else {
      const auto& p = std::get<share::partition_record>(r);
      const auto& s = *p.state;
      // A window larger than any lock bound allows is not ours to rebuild.
      if (s.next_offset - s.start_offset > 1000000) {
        spdlog::warn("share state of group {} partition {}: window {}..{} too large; starting it afresh at {}",
                     p.key.group, p.key.partition, s.start_offset, s.next_offset, s.next_offset);
        partitions_.emplace(p.key, share::share_partition(s.next_offset));
        continue;
      }
      partitions_.emplace(p.key, share::share_partition::restore(s));
      group_of(p.key.group);
    }
  }
  for (const auto& id : reassigned) persist_group(id);
  if (!records->empty()) {
    spdlog::info("share groups: {} groups, {} members, {} share partitions restored from {}", groups_.size(), members,
                 partitions_.size(), journal_.path());
  }
  arm();
  return {};
}

void share_service::stop() {
  stopped_ = true;
  timer_.cancel();
}

share_service::group_entry& share_service::group_of(const std::string& group_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) {
    it = groups_.emplace(group_id, group_entry{std::make_unique<share::share_group>(group_id), {}}).first;
  }
  return it->second;
}

const share::share_group* share_service::find_group(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.group.get();
}

bool share_service::known_group(const std::string& group_id) const { return groups_.count(group_id) != 0; }

bool share_service::counts_as_share_group(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it != groups_.end() && (!it->second.configs.empty() || is_share_group(group_id));
}

bool share_service::is_share_group(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return false;
  if (it->second.group->group_epoch() > 0) return true;
  auto p = partitions_.lower_bound({group_id, {}, INT32_MIN});
  return p != partitions_.end() && p->first.group == group_id;
}

std::vector<const share::share_group*> share_service::list_groups() const {
  std::vector<const share::share_group*> out;
  for (const auto& [id, g] : groups_) {
    if (is_share_group(id)) out.push_back(g.group.get());  // not ids that only hold configs
  }
  return out;
}

const share::topic_partitions& share_service::topic_sizes() const {
  if (sizes_version_ == topics_.version()) return sizes_view_;
  sizes_version_ = topics_.version();
  share::topic_partitions& out = sizes_view_;
  out.clear();
  for (const topic_entry* t : topics_.list()) {
    if (!t->internal) out[t->name] = static_cast<int32_t>(t->partitions.size());
  }
  return out;
}

std::optional<int64_t> share_service::group_config_int(const std::string& group_id, const char* name) const {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return std::nullopt;
  auto c = it->second.configs.find(name);
  if (c == it->second.configs.end()) return std::nullopt;
  return parse_int(c->second);
}

share::group_settings share_service::group_settings_for(const std::string& group_id) const {
  share::group_settings s;
  s.session_timeout_ms = group_config_int(group_id, share_session_timeout_config).value_or(settings_.session_timeout_ms);
  s.max_size = settings_.max_size;
  return s;
}

int32_t share_service::heartbeat_interval_ms(const std::string& group_id) const {
  return static_cast<int32_t>(
      group_config_int(group_id, share_heartbeat_interval_config).value_or(settings_.heartbeat_interval_ms));
}

share::partition_settings share_service::partition_settings_for(const std::string& group_id) const {
  share::partition_settings s;
  s.lock_duration_ms =
      group_config_int(group_id, share_record_lock_duration_config).value_or(settings_.record_lock_duration_ms);
  s.delivery_count_limit = settings_.delivery_count_limit;
  s.max_record_locks = settings_.partition_max_record_locks;
  return s;
}

size_t share_service::share_group_count() const {
  // Counted only when a join would create a group, rather than kept up to
  // date: ids become and stop being share groups along several paths
  // (joins, share-partition state, deletions, the journal's replay).
  // Ids that only hold GROUP configs count too: every config they can hold
  // is a share group's, and they are created as freely as groups are.
  size_t n = 0;
  for (const auto& [id, entry] : groups_) n += is_share_group(id) || !entry.configs.empty() ? 1 : 0;
  return n;
}

std::optional<share::heartbeat_result> share_service::creation_refusal(const std::string& group_id) const {
  using group::max_new_group_id_bytes;
  if (group_id.size() > max_new_group_id_bytes) {
    return share::heartbeat_result{share::error_code::invalid_group_id,
                                   "A new group's id may have at most " + std::to_string(max_new_group_id_bytes) +
                                       " bytes; this one has " + std::to_string(group_id.size()) + ".",
                                   0,
                                   {}};
  }
  if (share_group_count() < static_cast<size_t>(settings_.max_groups)) return std::nullopt;
  log_refusal(refusal::group_limit,
              fmt::format("refusing to create share group '{}': the broker holds group.share.max.groups={} "
                          "share groups",
                          group::utf8_prefix(group_id, group::max_logged_id_bytes), settings_.max_groups));
  return share::heartbeat_result{share::error_code::group_max_size_reached,
                                 "The broker holds its maximum number of share groups (" +
                                     std::to_string(settings_.max_groups) + ", group.share.max.groups).",
                                 0,
                                 {}};
}

std::optional<share_service::group_refusal> share_service::new_group_refusal(const std::string& group_id) const {
  if (counts_as_share_group(group_id)) return std::nullopt;
  auto refused = creation_refusal(group_id);
  if (!refused) return std::nullopt;
  return group_refusal{static_cast<protocol::error_code>(kafka::to_int(refused->error)), refused->message};
}

std::optional<share::heartbeat_result> share_service::member_id_refusal(const std::string& member_id) {
  using group::max_member_id_bytes;
  if (member_id.size() <= max_member_id_bytes) return std::nullopt;
  return share::heartbeat_result{share::error_code::invalid_request,
                                 "MemberId may have at most " + std::to_string(max_member_id_bytes) +
                                     " bytes; this one has " + std::to_string(member_id.size()) + ".",
                                 0,
                                 {}};
}

share::heartbeat_result share_service::heartbeat(const std::string& group_id, const share::heartbeat_request& request) {
  // Members name themselves (KIP-1082); a join may not bring an id of any
  // length into the group, its sessions and every log line about it.
  if (request.member_epoch == 0) {
    const auto* g = find_group(group_id);
    if (!g || g->members().count(request.member_id) == 0) {
      if (auto refused = member_id_refusal(request.member_id)) return *refused;
    }
  }
  // Only a join turns an id into a share group; groups that already are one
  // (restored from the journal too), or whose configs were set, are never
  // refused.
  if (request.member_epoch == 0 && !counts_as_share_group(group_id)) {
    if (auto refused = creation_refusal(group_id)) return *refused;
  }
  const bool existed = groups_.count(group_id) != 0;
  auto& entry = group_of(group_id);
  const int32_t epoch_before = entry.group->group_epoch();
  const size_t members_before = entry.group->members().size();
  auto result = entry.group->heartbeat(request, topic_sizes(), group_settings_for(group_id), now_ms());
  if (!existed && entry.group->group_epoch() == 0) {
    // No member joined (a refused join, or a heartbeat of a member the id
    // never had): keeping the entry would let heartbeats under ever new ids
    // grow the broker without bound.
    groups_.erase(group_id);
    return result;
  }
  if (result.error == share::error_code::none && request.member_epoch == -1) member_gone(group_id, request.member_id);
  // Membership is journaled when it changed (not on every heartbeat).
  if (entry.group->group_epoch() != epoch_before || entry.group->members().size() != members_before) {
    persist_group(group_id);
  }
  arm();
  return result;
}

void share_service::member_gone(const std::string& group_id, const std::string& member_id) {
  sessions_.erase({group_id, member_id});
  const auto settings = partition_settings_for(group_id);
  for (auto& [key, part] : partitions_) {
    if (key.group != group_id) continue;
    if (part.release_member(member_id, settings)) {
      persist_partition(key.group, protocol::uuid{key.topic}, key.partition);
      if (const topic_entry* t = topics_.find(protocol::uuid{key.topic})) wake(*t, key.partition);
    }
  }
}

share_service::session_outcome share_service::use_session(const std::string& group_id, const std::string& member_id,
                                                          int32_t epoch) {
  session_outcome out;
  auto key = std::make_pair(group_id, member_id);
  auto it = sessions_.find(key);
  if (epoch == 0) {
    if (it == sessions_.end()) {
      // A session under an id that is no share group yet makes one as soon
      // as it acquires records, so it meets the checks a join meets.
      if (auto refused = member_id_refusal(member_id)) {
        out.error = protocol::error_code::invalid_request;
        out.message = refused->message;
        return out;
      }
      if (auto refused = new_group_refusal(group_id)) {
        out.error = refused->error;
        out.message = refused->message;
        return out;
      }
    }
    if (it != sessions_.end()) {
      // A new session replaces the old one; what it held is released.
      close_session(group_id, member_id);
    } else if (static_cast<int32_t>(sessions_.size()) >= settings_.max_share_sessions) {
      out.error = protocol::error_code::share_session_limit_reached;
      out.message = "The broker holds " + std::to_string(sessions_.size()) + " share sessions, its limit.";
      return out;
    }
    out.session = &sessions_[key];
    return out;
  }
  if (it == sessions_.end()) {
    out.error = protocol::error_code::share_session_not_found;
    out.message = "No share session for member " + member_id + " of group " + group_id + ".";
    return out;
  }
  if (epoch == -1) {
    out.session = &it->second;
    return out;
  }
  if (epoch != it->second.next_epoch) {
    out.error = protocol::error_code::invalid_share_session_epoch;
    out.message = "Share session epoch " + std::to_string(epoch) + " is not the expected " +
                  std::to_string(it->second.next_epoch) + ".";
    return out;
  }
  it->second.next_epoch = it->second.next_epoch == INT32_MAX ? 1 : it->second.next_epoch + 1;
  out.session = &it->second;
  return out;
}

const share_session* share_service::find_session(const std::string& group_id, const std::string& member_id) const {
  auto it = sessions_.find({group_id, member_id});
  return it == sessions_.end() ? nullptr : &it->second;
}

void share_service::close_session(const std::string& group_id, const std::string& member_id) {
  auto it = sessions_.find({group_id, member_id});
  if (it == sessions_.end()) return;
  const auto settings = partition_settings_for(group_id);
  for (const auto& [topic, index] : it->second.partitions) {
    auto* part = find_partition(group_id, topic, index);
    if (part && part->release_member(member_id, settings)) {
      persist_partition(group_id, topic, index);
      if (const topic_entry* t = topics_.find(topic)) wake(*t, index);
    }
  }
  sessions_.erase(it);
}

share::share_partition* share_service::find_partition(const std::string& group_id, const protocol::uuid& topic,
                                                      int32_t index) {
  auto it = partitions_.find({group_id, to_share_id(topic), index});
  return it == partitions_.end() ? nullptr : &it->second;
}

std::string share_service::group_config(const std::string& group_id, const char* name, const char* fallback) const {
  if (auto g = groups_.find(group_id); g != groups_.end()) {
    if (auto c = g->second.configs.find(name); c != g->second.configs.end()) return c->second;
  }
  return fallback;
}

bool share_service::read_committed(const std::string& group_id) const {
  return group_config(group_id, share_isolation_level_config, "read_uncommitted") == "read_committed";
}

int64_t share_service::initial_start_offset(const std::string& group_id, const storage::partition_log& log,
                                            const storage::stable_offsets& offsets) const {
  // Values were validated when set; an unreadable one (never expected) acts as the default.
  auto strategy = share::parse_offset_reset(group_config(group_id, share_auto_offset_reset_config, "latest"))
                      .value_or(share::offset_reset_strategy{});
  switch (strategy.type) {
    case share::offset_reset_strategy::kind::earliest:
      return offsets.log_start_offset;
    case share::offset_reset_strategy::kind::latest:
      return offsets.high_watermark;
    case share::offset_reset_strategy::kind::by_duration: {
      const int64_t wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
      const int64_t ts = strategy.timestamp_ms(wall_ms);
      auto found = log.offset_for_timestamp(ts);
      if (!found) {
        spdlog::warn("share group {}: looking up timestamp {} for share.auto.offset.reset failed ({}); starting at the end",
                     group_id, ts, found.err().describe());
        return offsets.high_watermark;
      }
      // No record that recent (or only past the high watermark): the end of the log.
      if (!*found || (*found)->offset >= offsets.high_watermark) return offsets.high_watermark;
      return std::max((*found)->offset, offsets.log_start_offset);
    }
  }
  return offsets.high_watermark;
}

share::share_partition& share_service::partition(const std::string& group_id, const topic_entry& topic, int32_t index) {
  share::partition_key key{group_id, to_share_id(topic.id), index};
  auto* log = partition_log_of(&topic, index);
  const auto offsets = log->offsets();
  auto it = partitions_.find(key);
  if (it == partitions_.end()) {
    const int64_t start = initial_start_offset(group_id, *log, offsets);
    it = partitions_.emplace(key, share::share_partition(start)).first;
    group_of(group_id);
    // Durable before anything is handed out, so a restart cannot move a
    // "latest" start past records produced meanwhile.
    persist_partition(group_id, topic.id, index);
    arm();
  } else if (offsets.log_start_offset > it->second.start_offset()) {
    // Retention or DeleteRecords removed records the group had not finished.
    it->second.advance_start(offsets.log_start_offset);
    persist_partition(group_id, topic.id, index);
  }
  return it->second;
}

std::vector<std::pair<share::partition_key, const share::share_partition*>> share_service::partitions_of(
    const std::string& group_id) const {
  std::vector<std::pair<share::partition_key, const share::share_partition*>> out;
  for (auto it = partitions_.lower_bound({group_id, {}, INT32_MIN}); it != partitions_.end() && it->first.group == group_id;
       ++it) {
    out.emplace_back(it->first, &it->second);
  }
  return out;
}

protocol::error_code share_service::acknowledge(const std::string& group_id, const std::string& member_id,
                                                const topic_entry& topic, int32_t index,
                                                const std::vector<share::ack_batch>& batches, bool renew_allowed) {
  int64_t previous_last = -1;
  for (const auto& b : batches) {
    if (share::validate_ack_batch(b, renew_allowed) != share::error_code::none || b.first_offset <= previous_last) {
      return protocol::error_code::invalid_request;
    }
    previous_last = b.last_offset;
  }
  auto* part = find_partition(group_id, topic.id, index);
  if (!part) return protocol::error_code::invalid_record_state;
  const auto settings = partition_settings_for(group_id);
  const int64_t now = now_ms();
  part->expire_locks(now, settings);
  // All batches of the partition, or none: work on a copy.
  share::share_partition next = *part;
  bool released = false;
  for (const auto& b : batches) {
    if (auto e = next.acknowledge(member_id, b, settings, now); e != share::error_code::none) {
      return static_cast<protocol::error_code>(kafka::to_int(e));
    }
    for (int8_t t : b.types) released |= t == static_cast<int8_t>(share::ack_type::release);
  }
  *part = std::move(next);
  persist_partition(group_id, topic.id, index);
  if (released) wake(topic, index);
  return protocol::error_code::none;
}

void share_service::wake(const topic_entry& topic, int32_t index) {
  if (auto* log = partition_log_of(&topic, index)) waiters_.notify(log);
}

void share_service::reset_partition(const std::string& group_id, const topic_entry& topic, int32_t index,
                                    int64_t offset) {
  share::partition_key key{group_id, to_share_id(topic.id), index};
  auto it = partitions_.find(key);
  if (it == partitions_.end()) {
    partitions_.emplace(key, share::share_partition(offset));
  } else {
    it->second.reset(offset);
  }
  group_of(group_id);
  persist_partition(group_id, topic.id, index);
}

std::vector<int32_t> share_service::delete_topic_state(const std::string& group_id, const protocol::uuid& topic) {
  std::vector<int32_t> gone;
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    if (it->first.group == group_id && it->first.topic == to_share_id(topic)) {
      gone.push_back(it->first.partition);
      share::partition_record r;
      r.key = it->first;
      append(r);
      it = partitions_.erase(it);
    } else {
      ++it;
    }
  }
  return gone;
}

protocol::error_code share_service::delete_group(const std::string& group_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return protocol::error_code::group_id_not_found;
  if (!it->second.group->members().empty()) return protocol::error_code::non_empty_group;
  for (auto p = partitions_.begin(); p != partitions_.end();) {
    if (p->first.group == group_id) {
      share::partition_record r;
      r.key = p->first;
      append(r);
      p = partitions_.erase(p);
    } else {
      ++p;
    }
  }
  share::group_record g;
  g.group = group_id;
  g.deleted = true;
  append(g);
  groups_.erase(it);
  return protocol::error_code::none;
}

void share_service::persist_partition(const std::string& group_id, const protocol::uuid& topic, int32_t index) {
  share::partition_record r;
  r.key = {group_id, to_share_id(topic), index};
  if (auto* p = find_partition(group_id, topic, index)) r.state = p->snapshot();
  append(r);
}

void share_service::persist_group(const std::string& group_id) {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return;
  share::group_record g;
  g.group = group_id;
  g.group_epoch = it->second.group->group_epoch();
  for (const auto& [id, m] : it->second.group->members()) g.members.push_back(m);
  g.configs = it->second.configs;
  append(g);
}

void share_service::append(const share::journal_record& record) {
  ++journal_appended_;
  if (auto s = journal_.append(record); !s) {
    // A failed write may have left a partial frame: nothing after it would
    // replay. Answer KAFKA_STORAGE_ERROR until a rewrite succeeds.
    spdlog::error("share-state journal: {}", s.err().describe());
    journal_failed_ = true;
  }
}

std::vector<share::journal_record> share_service::live_state() const {
  std::vector<share::journal_record> out;
  for (const auto& [id, entry] : groups_) {
    share::group_record g;
    g.group = id;
    g.group_epoch = entry.group->group_epoch();
    for (const auto& [mid, m] : entry.group->members()) g.members.push_back(m);
    g.configs = entry.configs;
    out.emplace_back(std::move(g));
  }
  for (const auto& [key, part] : partitions_) {
    share::partition_record r;
    r.key = key;
    r.state = part.snapshot();
    out.emplace_back(std::move(r));
  }
  return out;
}

void share_service::maybe_compact() {
  if (syncs_in_flight_ > 0) return;  // a sync on the worker pool uses the file
  if (!journal_failed_ && journal_.size_bytes() < compact_at_bytes) return;
  auto live = live_state();
  size_t live_bytes = 0;
  for (const auto& r : live) live_bytes += share::encode_record(r).size();
  if (!journal_failed_ && journal_.size_bytes() < 4 * live_bytes) return;
  if (auto s = journal_.compact(live); !s) {
    spdlog::error("share-state journal rewrite: {}", s.err().describe());
    journal_failed_ = true;
    return;
  }
  journal_failed_ = false;
}

boost::asio::awaitable<protocol::error_code> share_service::make_durable() {
  maybe_compact();
  if (journal_failed_) co_return protocol::error_code::kafka_storage_error;
  ++syncs_in_flight_;
  auto sync = [this] { return journal_.sync(); };
  status s = co_await workers_.run(sync);
  --syncs_in_flight_;
  if (!s) {
    spdlog::error("share-state journal: {}", s.err().describe());
    co_return protocol::error_code::kafka_storage_error;
  }
  co_return protocol::error_code::none;
}

std::vector<group_config_entry> share_service::describe_configs(const std::string& group_id) const {
  const std::map<std::string, std::pair<std::string, bool>> defaults = {
      {share_auto_offset_reset_config, {"latest", false}},
      {share_isolation_level_config, {"read_uncommitted", false}},
      {share_record_lock_duration_config, {std::to_string(settings_.record_lock_duration_ms), true}},
      {share_session_timeout_config, {std::to_string(settings_.session_timeout_ms), true}},
      {share_heartbeat_interval_config, {std::to_string(settings_.heartbeat_interval_ms), true}},
  };
  std::vector<group_config_entry> out;
  auto g = groups_.find(group_id);
  for (const auto& [name, def] : defaults) {
    group_config_entry e{name, def.first, true, def.second};
    if (g != groups_.end()) {
      if (auto c = g->second.configs.find(name); c != g->second.configs.end()) {
        e.value = c->second;
        e.is_default = false;
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

admin_result share_service::alter_configs(const std::string& group_id,
                                          const std::map<std::string, std::optional<std::string>>& set,
                                          bool validate_only) {
  if (group_id.empty()) return admin_result::fail(protocol::error_code::invalid_group_id, "The group id is empty.");
  // Ranges are Kafka's (GroupConfig), widened where the broker's own setting is.
  for (const auto& [name, value] : set) {
    if (!value) continue;  // deletion: back to the default
    if (name == share_auto_offset_reset_config) {
      if (!share::parse_offset_reset(*value)) {
        return admin_result::fail(protocol::error_code::invalid_config,
                                  "Invalid value `" + *value + "` for configuration " + name +
                                      ". The value must be either 'earliest', 'latest' or of the format "
                                      "'by_duration:<PnDTnHnMn.nS>' (a non-negative ISO-8601 duration).");
      }
      continue;
    }
    if (name == share_isolation_level_config) {
      if (*value != "read_committed" && *value != "read_uncommitted") {
        return admin_result::fail(protocol::error_code::invalid_config,
                                  "Invalid value " + *value + " for configuration " + name +
                                      ": String must be one of: read_committed, read_uncommitted.");
      }
      continue;
    }
    std::pair<int64_t, int64_t> range;
    if (name == share_record_lock_duration_config) {
      range = {std::min<int64_t>(15000, settings_.record_lock_duration_ms), 60000};
    } else if (name == share_session_timeout_config) {
      range = {std::min<int64_t>(45000, settings_.session_timeout_ms), 60000};
    } else if (name == share_heartbeat_interval_config) {
      range = {std::min<int64_t>(5000, settings_.heartbeat_interval_ms), 15000};
    } else {
      return admin_result::fail(protocol::error_code::invalid_config,
                                "Unknown group config name: " + name + " (share groups take " +
                                    share_auto_offset_reset_config + ", " + share_isolation_level_config + ", " +
                                    share_record_lock_duration_config + ", " +
                                    share_session_timeout_config + ", " + share_heartbeat_interval_config + ").");
    }
    auto v = parse_int(*value);
    if (!v || *v < range.first || *v > range.second) {
      return admin_result::fail(protocol::error_code::invalid_config,
                                "Invalid value " + *value + " for configuration " + name + ": must be between " +
                                    std::to_string(range.first) + " and " + std::to_string(range.second) + ".");
    }
  }
  const bool sets_any = std::any_of(set.begin(), set.end(), [](const auto& kv) { return kv.second.has_value(); });
  if (sets_any) {
    // Configs under an id that is no share group yet hold memory and a
    // journal entry as a group does, so they meet a join's checks.
    if (auto refused = new_group_refusal(group_id)) return admin_result::fail(refused->error, refused->message);
  }
  if (validate_only) return {};
  if (!sets_any && !known_group(group_id)) return {};  // nothing set, nothing to forget
  auto& entry = group_of(group_id);
  for (const auto& [name, value] : set) {
    if (value) {
      entry.configs[name] = *value;
    } else {
      entry.configs.erase(name);
    }
  }
  if (entry.configs.empty() && !is_share_group(group_id)) {
    // Its last config gone, an id that is no share group is forgotten (and
    // no longer counts against group.share.max.groups).
    share::group_record gone;
    gone.group = group_id;
    gone.deleted = true;
    append(gone);
    groups_.erase(group_id);
    return {};
  }
  persist_group(group_id);
  return {};
}

void share_service::arm() {
  if (stopped_ || groups_.empty()) return;
  if (timer_.expiry() > std::chrono::steady_clock::now()) return;  // already armed
  timer_.expires_after(std::chrono::milliseconds(tick_interval_ms));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    tick();
    arm();
  });
}

void share_service::tick() {
  const int64_t now = now_ms();
  // The cached view, not a copy of every topic's name at every tick: topics
  // change on this thread only, never during the tick.
  const auto& sizes = topic_sizes();
  for (auto& [id, entry] : groups_) {
    auto gone = entry.group->expire_members(now, sizes);
    for (const auto& m : gone) {
      spdlog::info("share group {}: member {} removed, its session timed out", id, m);
      member_gone(id, m);
    }
    if (!gone.empty()) persist_group(id);
  }
  for (auto& [key, part] : partitions_) {
    if (part.expire_locks(now, partition_settings_for(key.group))) {
      persist_partition(key.group, protocol::uuid{key.topic}, key.partition);
      if (const topic_entry* t = topics_.find(protocol::uuid{key.topic})) wake(*t, key.partition);
    }
  }
}

}  // namespace samsa::broker
