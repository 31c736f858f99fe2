// Construction, shared validation and the read-only admin views.
#include "group/coordinator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>

#include "base/refusal_log.h"
#include "group/errors.h"
#include "group/id_bounds.h"
#include "group/offsets_codec.h"

namespace samsa::group {

namespace {

std::string random_uuid() {
  static std::mt19937_64 rng{std::random_device{}()};
  const uint64_t hi = (rng() & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  const uint64_t lo = (rng() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF,
                     lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

bool matches_any_state(const std::vector<std::string>& filter, group_state s) {
  if (filter.empty()) return true;
  for (const auto& f : filter) {
    auto parsed = parse_state(f);
    if (parsed && *parsed == s) return true;
  }
  return false;
}

bool matches_any_type(const std::vector<std::string>& filter) {
  if (filter.empty()) return true;
  for (const auto& f : filter) {
    std::string lower;
    for (char c : f) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (lower == "classic") return true;
  }
  return false;
}

}  // namespace

coordinator::coordinator(coordinator_config config, offset_log& log) : config_(std::move(config)), log_(log) {
  if (!config_.make_uuid) config_.make_uuid = random_uuid;
}

coordinator::~coordinator() = default;

void coordinator::run_answers() {
  // Answers may call back in and queue more; this loop drains those too.
  ++scope_depth_;
  while (!answers_.empty()) {
    auto fn = std::move(answers_.front());
    answers_.pop_front();
    fn();
  }
  --scope_depth_;
}

void coordinator::answer_join(member& m, join_result r) {
  if (!m.awaiting_join) return;
  join_callback cb = std::move(m.awaiting_join);
  m.awaiting_join = nullptr;
  defer([cb = std::move(cb), r = std::move(r)]() mutable { cb(std::move(r)); });
}

void coordinator::answer_sync(member& m, sync_result r) {
  if (!m.awaiting_sync) return;
  sync_callback cb = std::move(m.awaiting_sync);
  m.awaiting_sync = nullptr;
  defer([cb = std::move(cb), r = std::move(r)]() mutable { cb(std::move(r)); });
}

int32_t coordinator::partition_for(const std::string& group_id) const {
  return offsets_partition_for(group_id, config_.offsets_topic_partitions);
}

const group_metadata* coordinator::find_group(const std::string& group_id) const { return lookup(group_id); }

group_metadata* coordinator::lookup(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

group_metadata& coordinator::get_or_create(const std::string& group_id, int64_t now_ms) {
  auto& slot = groups_[group_id];
  if (!slot) {
    slot = std::make_unique<group_metadata>(group_id, now_ms);
    slot->born_after_write = writes_;
    slot->count_offsets_in(&offset_usage_);
    slot->count_members_in(&member_usage_);
    slot->observe_transitions(&transition_observer_);
  }
  return *slot;
}

std::optional<int16_t> coordinator::validate_status(const std::string& group_id, bool allow_empty_id) const {
  if (group_id.empty() && !allow_empty_id) return errc::invalid_group_id;
  if (loading_) return errc::coordinator_load_in_progress;
  return std::nullopt;
}

std::string coordinator::new_member_id(const std::string& client_id) {
  return utf8_prefix(client_id, max_member_id_client_bytes) + "-" + config_.make_uuid();
}

std::optional<int16_t> coordinator::creation_refusal(const std::string& group_id, const std::string& client_id) const {
  if (group_id.size() > max_new_group_id_bytes) return errc::invalid_group_id;
  const size_t others = config_.other_groups ? config_.other_groups() : 0;
  if (groups_.size() + others < static_cast<size_t>(config_.max_groups)) return std::nullopt;
  log_refusal(refusal::group_limit,
              fmt::format("refusing to create group '{}' for client '{}': the broker holds group.max.groups={} groups",
                          utf8_prefix(group_id, max_logged_id_bytes), utf8_prefix(client_id, max_logged_id_bytes),
                          config_.max_groups));
  return errc::group_max_size_reached;
}

size_t coordinator::pending_member_count() const {
  // Counted when asked (only for a new pending member): one pass over the
  // groups costs less than keeping a count true through every path that
  // drops pending members.
  size_t n = 0;
  for (const auto& [_, g] : groups_) n += g->pending_members.size();
  return n;
}

std::string coordinator::member_list(const group_metadata& g) const {
  std::string out;
  for (const auto& m : g.members()) {
    if (!out.empty()) out += ",";
    out += m->group_instance_id ? *m->group_instance_id : m->member_id;
  }
  return out.empty() ? "(none)" : out;
}

std::optional<int16_t> coordinator::validate_current_member(const group_metadata& g, const std::string& member_id,
                                                            const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    auto current = g.static_member_id(*instance_id);
    if (!current) return errc::unknown_member_id;
    if (*current != member_id) {
      spdlog::info("group {}: instance {} is fenced: member {} was replaced by {}", g.id(), *instance_id,
                   member_id, *current);
      return errc::fenced_instance_id;
    }
    return std::nullopt;
  }
  if (!g.has(member_id)) return errc::unknown_member_id;
  return std::nullopt;
}

std::vector<group_description> coordinator::describe_groups(const std::vector<std::string>& group_ids) const {
  std::vector<group_description> out;
  for (const auto& id : group_ids) {
    group_description d;
    d.group_id = id;
    if (auto err = validate_status(id, true)) {
      d.error = *err;
      out.push_back(std::move(d));
      continue;
    }
    const group_metadata* g = lookup(id);
    if (g == nullptr || g->is(group_state::dead)) {
      d.state = std::string(state_name(group_state::dead));
      out.push_back(std::move(d));
      continue;
    }
    d.exists = true;
    d.state = std::string(state_name(g->state()));
    d.protocol_type = g->protocol_type.value_or("");
    const bool stable = g->is(group_state::stable);
    if (stable) d.protocol = g->protocol_name.value_or("");
    for (const auto& m : g->members()) {
      member_description md;
      md.member_id = m->member_id;
      md.group_instance_id = m->group_instance_id;
      md.client_id = m->client_id;
      md.client_host = m->client_host;
      if (stable) {
        if (const bytes* meta = m->metadata_for(d.protocol)) md.metadata = *meta;
        md.assignment = m->assignment();
      }
      d.members.push_back(std::move(md));
    }
    out.push_back(std::move(d));
  }
  return out;
}

list_result coordinator::list_groups(const std::vector<std::string>& states_filter,
                                     const std::vector<std::string>& types_filter) const {
  list_result r;
  if (loading_) r.error = errc::coordinator_load_in_progress;
  if (!matches_any_type(types_filter)) return r;
  for (const auto& [id, g] : groups_) {
    if (g->is(group_state::dead) || !matches_any_state(states_filter, g->state())) continue;
    r.groups.push_back(listed_group{id, g->protocol_type.value_or(""), std::string(state_name(g->state()))});
  }
  return r;
}

}  // namespace samsa::group
