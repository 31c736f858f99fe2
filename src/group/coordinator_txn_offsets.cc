// Transactional offset commits (TxnOffsetCommit, KIP-98 / KIP-447): offsets
// written as part of a producer's transaction stay pending, invisible to
// OffsetFetch, until the transaction's marker reaches the group's
// __consumer_offsets partition; COMMIT makes them the committed offsets,
// ABORT drops them.
#include <spdlog/spdlog.h>

#include <system_error>

#include "group/coordinator.h"
#include "group/errors.h"
#include "group/offsets_codec.h"

namespace samsa::group {

void coordinator::commit_txn_offsets(txn_offset_commit_request req, int64_t now_ms, commit_callback done) {
  answer_scope scope(*this);
  advance(now_ms);
  auto fail_all = [&](int16_t error) {
    std::vector<partition_error> out;
    for (const auto& p : req.partitions) out.push_back(partition_error{p.topic, p.partition, error});
    done(std::move(out));
  };
  // Unlike OffsetCommit, Kafka refuses an empty group id here.
  if (auto err = validate_status(req.group_id, false)) return fail_all(*err);
  group_metadata* g = lookup(req.group_id);
  if (g == nullptr) {
    // A producer without a consumer group (generation -1) makes a simple
    // group; a generation of a group that is gone is stale.
    if (req.generation_id >= 0) return fail_all(errc::illegal_generation);
    if (auto refused = creation_refusal(req.group_id, req.member_id)) return fail_all(*refused);
    g = &get_or_create(req.group_id, now_ms);
  }
  if (g->is(group_state::dead)) return fail_all(errc::coordinator_not_available);
  // KIP-447: a producer that passes the consumer's group metadata (v3+) is
  // checked like a member; one that passes none (v0-2, or a standalone
  // producer) is not, whatever the group's state. As in Kafka's classic
  // group, generation -1 on an Empty group skips the member check too.
  const bool unmanaged = req.generation_id < 0 && g->is(group_state::empty);
  if (!unmanaged && (req.generation_id >= 0 || !req.member_id.empty() || req.group_instance_id)) {
    if (auto err = validate_current_member(*g, req.member_id, req.group_instance_id)) return fail_all(*err);
    if (req.generation_id != g->generation_id) return fail_all(errc::illegal_generation);
  }
  store_txn_offsets(*g, req, now_ms, std::move(done));
}

void coordinator::store_txn_offsets(group_metadata& g, const txn_offset_commit_request& req, int64_t now_ms,
                                    commit_callback done) {
  std::vector<partition_error> results;
  std::vector<log_record> records;
  std::vector<std::pair<topic_partition, size_t>> accepted;  // partition, index in results
  const uint64_t write = ++writes_;
  for (const auto& p : req.partitions) {
    results.push_back(partition_error{p.topic, p.partition, errc::none});
    const std::string metadata = p.metadata.value_or("");
    if (metadata.size() > static_cast<size_t>(config_.offset_metadata_max_bytes)) {
      results.back().error = errc::offset_metadata_too_large;
      continue;
    }
    // Pending offsets are counted as soon as they are stored below (so no
    // growth carries over from one partition to the next); what grows is the
    // producer's earlier pending offset of the partition.
    const auto held = g.pending_txn_offsets.find(req.producer_id);
    static const offset_table none;
    int64_t growth = 0;
    if (offset_memory_full(held == g.pending_txn_offsets.end() ? none : held->second,
                           topic_partition{p.topic, p.partition}, metadata, growth)) {
      results.back().error = errc::invalid_commit_offset_size;
      continue;
    }
    records.push_back(log_record{encode_offset_commit_key({g.id(), p.topic, p.partition}),
                                 encode_offset_commit_value({p.offset, p.leader_epoch, metadata, now_ms, {}})});
    topic_partition tp{p.topic, p.partition};
    // Pending from now on, so require_stable readers already see the
    // partition as unstable while the write is in flight.
    g.pending_offsets_of(req.producer_id)
        .set(tp, offset_entry{p.offset, p.leader_epoch, metadata, now_ms, std::nullopt, write});
    accepted.emplace_back(std::move(tp), results.size() - 1);
  }
  if (records.empty()) {
    forget_if_bare(g.id());  // a group this refused commit created holds nothing
    return done(std::move(results));
  }
  txn_groups_[req.producer_id].insert(g.id());
  const std::string gid = g.id();
  const int64_t pid = req.producer_id;
  log_.append_transactional(
      partition_for(gid), txn_producer{req.producer_id, req.producer_epoch}, std::move(records),
      [this, gid, pid, write, accepted = std::move(accepted), results = std::move(results),
       done = std::move(done)](status s) mutable {
        answer_scope scope(*this);
        int16_t err = errc::none;
        if (!s.ok()) {
          spdlog::warn("group {}: writing transactional offsets of producer {} failed: {}", gid, pid,
                       s.err().describe());
          err = s.err().code == std::errc::message_size ? errc::invalid_commit_offset_size
                                                          : errc::coordinator_not_available;
        }
        group_metadata* grp = lookup(gid);
        for (const auto& [tp, index] : accepted) {
          results[index].error = err;
          if (err == errc::none || grp == nullptr || write <= grp->born_after_write) continue;
          // A failed write leaves nothing pending, unless a newer write of the
          // same producer replaced it meanwhile.
          auto producer = grp->pending_txn_offsets.find(pid);
          if (producer == grp->pending_txn_offsets.end()) continue;
          auto it = producer->second.find(tp);
          if (it != producer->second.end() && it->second.write == write) producer->second.erase(it);
          if (producer->second.empty()) grp->pending_txn_offsets.erase(producer);
        }
        done(std::move(results));
      });
}

void coordinator::on_transaction_marker(int32_t offsets_partition, int64_t producer_id, bool commit) {
  answer_scope scope(*this);
  auto groups = txn_groups_.find(producer_id);
  if (groups == txn_groups_.end()) return;
  size_t applied = 0;
  size_t dropped = 0;
  for (auto it = groups->second.begin(); it != groups->second.end();) {
    const std::string gid = *it;
    if (partition_for(gid) != offsets_partition) {
      ++it;  // stored in another partition: its own marker decides it
      continue;
    }
    it = groups->second.erase(it);
    group_metadata* g = lookup(gid);
    if (g == nullptr) continue;
    auto pending = g->pending_txn_offsets.find(producer_id);
    if (pending == g->pending_txn_offsets.end()) continue;
    for (auto& [tp, entry] : pending->second) {
      if (!commit) {
        ++dropped;
        continue;
      }
      // Whichever offset was written later in the log wins, as in Kafka: a
      // plain commit made after the transactional one stays.
      auto current = g->offsets.find(tp);
      if (current != g->offsets.end() && current->second.write > entry.write) {
        ++dropped;
        continue;
      }
      // Plain commits of this partition still in flight and older than the
      // transactional write must not replace it when they land.
      if (g->pending_commits.count(tp) != 0) {
        auto& guard = g->applied_write[tp];
        guard = std::max(guard, entry.write);
      }
      g->offsets.set(tp, entry);
      ++applied;
    }
    g->pending_txn_offsets.erase(pending);
  }
  if (groups->second.empty()) txn_groups_.erase(groups);
  if (applied + dropped != 0) {
    spdlog::debug("__consumer_offsets-{}: {} marker of producer {}: {} offsets committed, {} dropped",
                  offsets_partition, commit ? "COMMIT" : "ABORT", producer_id, applied, dropped);
  }
}

status coordinator::load_transactional_record(int64_t producer_id, const bytes& key,
                                              const std::optional<bytes>& value, int64_t now_ms) {
  advance(now_ms);
  auto k = decode_record_key(key);
  if (!k.ok()) return k.err();
  const auto* ok = std::get_if<offset_commit_key>(&k.value());
  // Tombstones and group metadata are never transactional in Kafka; replay
  // them as plain records rather than losing them.
  if (ok == nullptr || !value) return load_record(key, value, now_ms);
  auto v = decode_offset_commit_value(*value);
  if (!v.ok()) return v.err();
  group_metadata& g = get_or_create(ok->group, now_ms);
  g.pending_offsets_of(producer_id)
      .set(topic_partition{ok->topic, ok->partition},
           offset_entry{v->offset, v->leader_epoch, v->metadata, v->commit_timestamp, v->expire_timestamp, ++writes_});
  txn_groups_[producer_id].insert(ok->group);
  return {};
}

}  // namespace samsa::group
