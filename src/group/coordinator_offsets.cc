// Committed offsets (commit, fetch, delete, expiry), group deletion and the
// writes of group metadata to the offset log.
#include <spdlog/spdlog.h>

#include <memory>
#include <system_error>

#include "base/saturating.h"
#include "group/coordinator.h"
#include "group/errors.h"
#include "group/offsets_codec.h"

namespace samsa::group {

namespace {

int16_t append_error(const status& s, const std::string& group_id) {
  if (s.ok()) return errc::none;
  spdlog::warn("group {}: writing to __consumer_offsets failed: {}", group_id, s.err().describe());
  return errc::coordinator_not_available;
}

// A commit whose batch the offsets topic cannot take would fail the same way
// on every retry: a final error, not the retriable COORDINATOR_NOT_AVAILABLE.
int16_t commit_append_error(const status& s, const std::string& group_id) {
  if (!s.ok() && s.err().code == std::errc::message_size) {
    spdlog::info("group {}: refusing an offset commit: {}", group_id, s.err().message);
    return errc::invalid_commit_offset_size;
  }
  return append_error(s, group_id);
}

}  // namespace

void coordinator::store_group(group_metadata& g, const std::map<std::string, bytes>* assignment,
                              std::function<void(int16_t)> done) {
  group_metadata_value v;
  v.protocol_type = g.protocol_type.value_or("");
  v.generation = g.generation_id;
  v.protocol = g.protocol_name;
  v.leader = g.leader_id;
  v.current_state_timestamp = g.state_timestamp_ms();
  const std::string proto = g.protocol_name.value_or("");
  for (const auto& m : g.members()) {
    member_record r;
    r.member_id = m->member_id;
    r.group_instance_id = m->group_instance_id;
    r.client_id = m->client_id;
    r.client_host = m->client_host;
    r.rebalance_timeout_ms = m->rebalance_timeout_ms;
    r.session_timeout_ms = m->session_timeout_ms;
    if (const bytes* md = m->metadata_for(proto)) r.subscription = *md;
    if (assignment != nullptr) {
      auto it = assignment->find(m->member_id);
      if (it != assignment->end()) r.assignment = it->second;
    } else {
      r.assignment = m->assignment();
    }
    v.members.push_back(std::move(r));
  }
  std::vector<log_record> records;
  records.push_back(log_record{encode_group_metadata_key(g.id()), encode_group_metadata_value(v)});
  const std::string gid = g.id();
  log_.append(partition_for(gid), std::move(records),
              [gid, done = std::move(done)](status s) { done(append_error(s, gid)); });
}

std::optional<int16_t> coordinator::validate_offset_commit(const group_metadata& g,
                                                           const offset_commit_request& req) const {
  if (g.is(group_state::dead)) return errc::coordinator_not_available;
  if (req.generation_id >= 0 || !req.member_id.empty() || req.group_instance_id) {
    if (auto err = validate_current_member(g, req.member_id, req.group_instance_id)) return err;
    if (req.generation_id != g.generation_id) return errc::illegal_generation;
    return std::nullopt;
  }
  // Without a member id only a group nobody is coordinating may commit.
  if (!g.is(group_state::empty)) return errc::unknown_member_id;
  return std::nullopt;
}

void coordinator::commit_offsets(offset_commit_request req, int64_t now_ms, commit_callback done) {
  answer_scope scope(*this);
  advance(now_ms);
  auto fail_all = [&](int16_t error) {
    std::vector<partition_error> out;
    for (const auto& p : req.partitions) out.push_back(partition_error{p.topic, p.partition, error});
    done(std::move(out));
  };
  if (auto err = validate_status(req.group_id, true)) return fail_all(*err);
  group_metadata* g = lookup(req.group_id);
  if (g == nullptr) {
    // A stale generation of a vanished group must not recreate it.
    if (req.generation_id >= 0) return fail_all(errc::illegal_generation);
    if (auto refused = creation_refusal(req.group_id, req.member_id)) return fail_all(*refused);
    g = &get_or_create(req.group_id, now_ms);
  }
  if (auto err = validate_offset_commit(*g, req)) return fail_all(*err);
  switch (g->state()) {
    case group_state::empty:
      break;
    case group_state::stable:
    case group_state::preparing_rebalance:
      // Commits during a rebalance are fine; the heartbeat tells the member
      // to rejoin.
      if (member* m = g->get(req.member_id)) schedule_heartbeat(*m, now_ms, m->session_timeout_ms);
      break;
    case group_state::completing_rebalance:
      return fail_all(errc::rebalance_in_progress);
    case group_state::dead:
      return fail_all(errc::coordinator_not_available);
  }
  store_offsets(*g, req, now_ms, std::move(done));
}

void coordinator::forget_if_bare(const std::string& group_id) {
  group_metadata* g = lookup(group_id);
  if (g == nullptr || !g->is(group_state::empty) || g->protocol_type || !g->offsets.empty() ||
      !g->pending_txn_offsets.empty() || !g->pending_commits.empty() || !g->pending_members.empty())
    return;
  groups_.erase(group_id);
}

bool coordinator::offset_memory_full(const offset_table& table, const topic_partition& tp,
                                     const std::string& metadata, int64_t& growth) {
  const auto it = table.find(tp);
  const int64_t before = it == table.end() ? 0 : static_cast<int64_t>(offset_table::cost(tp, it->second.metadata));
  const int64_t more = static_cast<int64_t>(offset_table::cost(tp, metadata)) - before;
  if (more <= 0) return false;
  if (static_cast<int64_t>(offset_usage_.bytes) + growth + more <= config_.offsets_max_memory_bytes) {
    growth += more;
    return false;
  }
  // One line per minute at most: a client filling the bound must not fill
  // the disk with log lines too.
  if (now_ms_ - last_memory_refusal_log_ms_ >= 60000 || last_memory_refusal_log_ms_ == 0) {
    last_memory_refusal_log_ms_ = now_ms_;
    spdlog::warn("group coordinator: refusing new committed offsets: {} offsets hold {} bytes, "
                 "offsets.max.memory.bytes is {}",
                 offset_usage_.entries, offset_usage_.bytes, config_.offsets_max_memory_bytes);
  }
  return true;
}

void coordinator::store_offsets(group_metadata& g, const offset_commit_request& req, int64_t now_ms,
                                commit_callback done) {
  std::vector<partition_error> results;
  std::vector<std::pair<topic_partition, offset_entry>> accepted;
  std::vector<size_t> accepted_index;
  std::vector<log_record> records;
  int64_t growth = 0;
  for (const auto& p : req.partitions) {
    results.push_back(partition_error{p.topic, p.partition, errc::none});
    const std::string metadata = p.metadata.value_or("");
    if (metadata.size() > static_cast<size_t>(config_.offset_metadata_max_bytes)) {
      results.back().error = errc::offset_metadata_too_large;
      continue;
    }
    topic_partition tp{p.topic, p.partition};
    if (offset_memory_full(g.offsets, tp, metadata, growth)) {
      results.back().error = errc::invalid_commit_offset_size;
      continue;
    }
    const int64_t commit_timestamp = p.commit_timestamp == -1 ? now_ms : p.commit_timestamp;
    offset_entry e{p.offset, p.leader_epoch, metadata, commit_timestamp, p.expire_timestamp, 0};
    records.push_back(log_record{
        encode_offset_commit_key({g.id(), p.topic, p.partition}),
        encode_offset_commit_value({e.offset, e.leader_epoch, e.metadata, commit_timestamp, p.expire_timestamp})});
    ++g.pending_commits[tp];
    accepted.emplace_back(std::move(tp), std::move(e));
    accepted_index.push_back(results.size() - 1);
  }
  if (records.empty()) {
    forget_if_bare(g.id());  // a group this refused commit created holds nothing
    return done(std::move(results));
  }
  const std::string gid = g.id();
  const uint64_t write = ++writes_;
  for (auto& [_, e] : accepted) e.write = write;
  log_.append(partition_for(gid), std::move(records),
              [this, gid, write, accepted = std::move(accepted), accepted_index = std::move(accepted_index),
               results = std::move(results), done = std::move(done)](status s) mutable {
                answer_scope scope(*this);
                const int16_t err = commit_append_error(s, gid);
                for (size_t i = 0; i < accepted.size(); ++i) {
                  auto& [tp, entry] = accepted[i];
                  group_metadata* grp = lookup(gid);
                  if (grp != nullptr && write > grp->born_after_write) {
                    auto it = grp->pending_commits.find(tp);
                    if (it != grp->pending_commits.end() && --it->second <= 0) grp->pending_commits.erase(it);
                  }
                  // Only a durable commit becomes visible.
                  if (err == errc::none) apply_offset_write(gid, tp, write, entry);
                  results[accepted_index[i]].error = err;
                }
                done(std::move(results));
              });
}

void coordinator::apply_offset_write(const std::string& group_id, const topic_partition& tp, uint64_t write,
                                     const std::optional<offset_entry>& entry) {
  group_metadata* g = lookup(group_id);
  // The group this write was made for was deleted (and maybe recreated) since.
  if (g == nullptr || g->is(group_state::dead) || write <= g->born_after_write) return;
  auto applied = g->applied_write.find(tp);
  if (applied != g->applied_write.end() && applied->second > write) {
    // A newer write already shows; forget it once nothing older can arrive.
    if (g->pending_commits.count(tp) == 0) g->applied_write.erase(applied);
    return;
  }
  // A transaction committed meanwhile with an offset written after this one.
  if (auto current = g->offsets.find(tp); current != g->offsets.end() && current->second.write > write) return;
  if (entry) {
    g->offsets.set(tp, *entry);
  } else {
    g->offsets.erase(tp);
    // A tombstone also removes the transactional offsets written before it.
    g->drop_pending_txn_offsets(tp, write);
  }
  // Only writes still in flight can be older than this one: without any,
  // there is nothing to guard against and no need to remember.
  if (g->pending_commits.count(tp) != 0) {
    g->applied_write[tp] = write;
  } else {
    g->applied_write.erase(tp);
  }
}

offset_fetch_result coordinator::fetch_offsets(const std::string& group_id,
                                               const std::optional<std::vector<topic_partition>>& partitions,
                                               bool require_stable) const {
  offset_fetch_result r;
  if (auto err = validate_status(group_id, true)) {
    r.error = *err;
    return r;
  }
  const group_metadata* g = lookup(group_id);
  const bool known = g != nullptr && !g->is(group_state::dead);
  std::vector<topic_partition> wanted;
  if (partitions) {
    wanted = *partitions;
  } else if (known) {
    for (const auto& [tp, _] : g->offsets) wanted.push_back(tp);
  }
  for (const auto& tp : wanted) {
    committed_offset c;
    c.topic = tp.topic;
    c.partition = tp.partition;
    c.metadata = std::string();
    if (known) {
      // Per partition, as Kafka: a commit in flight or a transaction not yet
      // decided makes the partition's offset unstable.
      if (require_stable && (g->pending_commits.count(tp) != 0 || g->has_pending_txn_offset(tp))) {
        c.error = errc::unstable_offset_commit;
      } else if (auto it = g->offsets.find(tp); it != g->offsets.end()) {
        c.offset = it->second.offset;
        c.leader_epoch = it->second.leader_epoch;
        c.metadata = it->second.metadata;
      }
    }
    r.partitions.push_back(std::move(c));
  }
  return r;
}

void coordinator::offset_delete(const std::string& group_id, const std::vector<topic_partition>& partitions,
                                int64_t now_ms, offset_delete_callback done) {
  answer_scope scope(*this);
  advance(now_ms);
  offset_delete_result r;
  if (auto err = validate_status(group_id, false)) {
    r.error = *err;
    return done(std::move(r));
  }
  group_metadata* g = lookup(group_id);
  if (g == nullptr || g->is(group_state::dead)) {
    r.error = errc::group_id_not_found;
    return done(std::move(r));
  }
  std::vector<topic_partition> eligible;
  if (g->is(group_state::empty)) {
    eligible = partitions;
  } else if (g->is_consumer_group()) {
    for (const auto& tp : partitions) {
      if (g->is_subscribed_to(tp.topic)) {
        r.partitions.push_back(partition_error{tp.topic, tp.partition, errc::group_subscribed_to_topic});
      } else {
        eligible.push_back(tp);
      }
    }
  } else {
    r.error = errc::non_empty_group;
    return done(std::move(r));
  }
  if (eligible.empty()) return done(std::move(r));
  // As Kafka: a tombstone goes out for a committed or a pending
  // transactional offset, and removes both.
  std::vector<topic_partition> removed;
  for (const auto& tp : eligible) {
    if (g->offsets.count(tp) != 0 || g->has_pending_txn_offset(tp)) removed.push_back(tp);
  }
  spdlog::info("group {}: deleting {} committed offsets", group_id, removed.size());
  const size_t first = r.partitions.size();
  for (const auto& tp : eligible) r.partitions.push_back(partition_error{tp.topic, tp.partition, errc::none});
  append_tombstones(*g, removed, false, [r = std::move(r), first, done = std::move(done)](int16_t err) mutable {
    for (size_t i = first; i < r.partitions.size(); ++i) r.partitions[i].error = err;
    done(std::move(r));
  });
}

void coordinator::delete_groups(const std::vector<std::string>& group_ids, int64_t now_ms,
                                delete_groups_callback done) {
  answer_scope scope(*this);
  advance(now_ms);
  struct shared_state {
    std::vector<group_error> results;
    size_t outstanding = 0;
    delete_groups_callback done;
  };
  auto state = std::make_shared<shared_state>();
  state->done = std::move(done);
  std::vector<size_t> eligible;
  for (const auto& id : group_ids) {
    state->results.push_back(group_error{id, errc::none});
    group_metadata* g = lookup(id);
    if (auto err = validate_status(id, true)) {
      state->results.back().error = *err;
    } else if (g == nullptr || g->is(group_state::dead)) {
      state->results.back().error = errc::group_id_not_found;
    } else if (!g->is(group_state::empty)) {
      state->results.back().error = errc::non_empty_group;
    } else {
      eligible.push_back(state->results.size() - 1);
    }
  }
  state->outstanding = eligible.size() + 1;  // +1 guards against completion while still issuing
  auto finish_one = [state]() {
    if (--state->outstanding == 0) state->done(std::move(state->results));
  };
  for (size_t index : eligible) {
    group_metadata* g = lookup(state->results[index].group_id);
    if (g == nullptr) {  // the same id listed twice
      finish_one();
      continue;
    }
    // Pending transactional offsets go too (Kafka deletes an Empty group
    // whatever its producers left undecided; their markers then find nothing).
    const auto with_offsets = g->partitions_with_offsets();
    std::vector<topic_partition> all(with_offsets.begin(), with_offsets.end());
    append_tombstones(*g, all, true, [state, index, finish_one](int16_t err) {
      state->results[index].error = err;
      finish_one();
    });
  }
  finish_one();
}

void coordinator::append_tombstones(group_metadata& g, const std::vector<topic_partition>& removed,
                                    bool group_too, std::function<void(int16_t)> done) {
  const std::string gid = g.id();
  std::vector<log_record> records;
  for (const auto& tp : removed)
    records.push_back(log_record{encode_offset_commit_key({gid, tp.topic, tp.partition}), std::nullopt});
  // An empty group without offsets has nothing left to keep. The offsets
  // themselves leave memory only once their tombstones are durable (below).
  size_t left = g.offsets.size();
  for (const auto& tp : removed) left -= g.offsets.count(tp);
  bool drop_group = group_too || (g.is(group_state::empty) && left == 0 && g.pending_commits.empty() &&
                                  g.pending_members.empty() && g.pending_txn_offsets.empty());
  if (records.empty() && !drop_group) return done(errc::none);
  if (drop_group) records.push_back(log_record{encode_group_metadata_key(gid), std::nullopt});
  const uint64_t write = ++writes_;
  if (drop_group) {
    // The group goes from memory at once, so nothing new joins or commits to
    // it; commits still in flight for it are numbered below any successor's
    // writes and never show up there (apply_offset_write).
    g.transition_to(group_state::dead, now_ms_);
    spdlog::info("group {}: generation {} — deleted ({} offsets removed)", gid, g.generation_id, removed.size());
    groups_.erase(gid);  // g is gone from here on
  }
  log_.append(partition_for(gid), std::move(records),
              [this, gid, write, removed, done = std::move(done)](status s) {
                answer_scope scope(*this);
                const int16_t err = append_error(s, gid);
                if (err == errc::none) {
                  for (const auto& tp : removed) apply_offset_write(gid, tp, write, std::nullopt);
                }
                done(err);
              });
}

void coordinator::expire_offsets(int64_t now_ms) {
  std::vector<std::string> ids;
  for (const auto& [id, _] : groups_) ids.push_back(id);
  const int64_t retention = config_.offsets_retention_ms;
  for (const auto& id : ids) {
    group_metadata* g = lookup(id);
    if (g == nullptr) continue;
    std::optional<int64_t> base_state;  // expire relative to when the group emptied
    bool skip_subscribed = false;
    if (g->protocol_type && g->is(group_state::empty)) {
      base_state = g->state_timestamp_ms();
    } else if (g->is_consumer_group() && g->subscribed_topics && g->is(group_state::stable)) {
      skip_subscribed = true;
    } else if (g->protocol_type) {
      continue;  // a live group that is not a consumer group keeps its offsets
    }
    std::vector<topic_partition> expired;
    for (const auto& [tp, e] : g->offsets) {
      // Kafka keeps an offset whose partition has an undecided transaction.
      if (g->pending_commits.count(tp) != 0 || g->has_pending_txn_offset(tp)) continue;
      if (skip_subscribed && g->subscribed_topics->count(tp.topic) != 0) continue;
      // A v1 commit may carry any timestamp: its age must not overflow.
      const int64_t age = saturating_sub(now_ms, base_state.value_or(e.commit_timestamp));
      const bool gone = e.expire_timestamp ? now_ms >= *e.expire_timestamp : age >= retention;
      if (gone) expired.push_back(tp);
    }
    const bool empty_and_bare = g->is(group_state::empty) && g->offsets.size() == expired.size() &&
                                g->pending_commits.empty() && g->pending_members.empty() &&
                                g->pending_txn_offsets.empty();  // no group removal during a transaction
    if (expired.empty() && !empty_and_bare) continue;
    if (!expired.empty()) spdlog::info("group {}: {} committed offsets expired", id, expired.size());
    append_tombstones(*g, expired, false, [id](int16_t err) {
      if (err != errc::none) spdlog::warn("group {}: could not write offset tombstones", id);
    });
  }
}

}  // namespace samsa::group
