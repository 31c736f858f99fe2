#include "broker/group_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <system_error>

#include "broker/broker_config.h"
#include "broker/topic_registry.h"
#include "group/consumer_group_records.h"
#include "group/errors.h"
#include "group/id_bounds.h"
#include "record/batch_builder.h"
#include "record/control_record.h"
#include "record/record.h"
#include "record/split.h"
#include "storage/errc.h"

namespace samsa::broker {

namespace asio = boost::asio;

namespace {

// Replay reads the log in chunks of this size (at least one whole batch each).
constexpr int32_t group_replay_chunk_bytes = 1 << 20;

group::coordinator_config coordinator_config_from(const group_settings& s, int32_t partitions) {
  group::coordinator_config out;
  out.min_session_timeout_ms = s.min_session_timeout_ms;
  out.max_session_timeout_ms = s.max_session_timeout_ms;
  out.initial_rebalance_delay_ms = s.initial_rebalance_delay_ms;
  out.max_group_size = s.max_group_size;
  out.offset_metadata_max_bytes = s.offset_metadata_max_bytes;
  out.max_groups = s.max_groups;
  out.max_pending_members = s.max_pending_members;
  out.offsets_max_memory_bytes = s.offsets_max_memory_bytes;
  out.member_metadata_max_bytes = s.member_metadata_max_bytes;
  out.offsets_retention_ms = s.offsets_retention_ms;
  out.offsets_retention_check_interval_ms = s.offsets_retention_check_interval_ms;
  out.offsets_topic_partitions = partitions;
  return out;
}

group::consumer_group_config consumer_group_config_from(const group_settings& s, int32_t partitions) {
  group::consumer_group_config out;
  out.session_timeout_ms = s.consumer_session_timeout_ms;
  out.heartbeat_interval_ms = s.consumer_heartbeat_interval_ms;
  out.max_size = s.consumer_max_size;
  out.assignors = s.consumer_assignors;
  out.migration_policy = s.consumer_migration_policy;
  out.classic_max_size = s.max_group_size;
  out.max_groups = s.max_groups;
  out.member_metadata_max_bytes = s.consumer_member_metadata_max_bytes;
  out.offsets_topic_partitions = partitions;
  return out;
}

}  // namespace

group_settings group_settings_from(const broker_config& c) {
  group_settings out;
  out.offsets_topic_num_partitions = c.offsets_topic_num_partitions;
  out.min_session_timeout_ms = c.group_min_session_timeout_ms;
  out.max_session_timeout_ms = c.group_max_session_timeout_ms;
  out.initial_rebalance_delay_ms = c.group_initial_rebalance_delay_ms;
  out.max_group_size = c.group_max_size;
  out.offset_metadata_max_bytes = c.offset_metadata_max_bytes;
  out.max_groups = c.group_max_groups;
  out.max_pending_members = c.group_max_pending_members;
  out.offsets_max_memory_bytes = c.offsets_max_memory_bytes;
  out.member_metadata_max_bytes = c.group_classic_member_metadata_max_bytes;
  out.consumer_member_metadata_max_bytes = c.group_consumer_member_metadata_max_bytes;
  out.offsets_retention_ms = c.offsets_retention_minutes * 60 * 1000;
  out.offsets_retention_check_interval_ms = c.offsets_retention_check_interval_ms;
  out.consumer_session_timeout_ms = c.group_consumer_session_timeout_ms;
  out.consumer_heartbeat_interval_ms = c.group_consumer_heartbeat_interval_ms;
  out.consumer_max_size = c.group_consumer_max_size;
  out.consumer_assignors = c.group_consumer_assignors;
  out.consumer_migration_policy = c.group_consumer_migration_policy;
  return out;
}

group_offset_log::group_offset_log(boost::asio::io_context& io, topic_registry& topics,
                                   int32_t offsets_topic_partitions)
    : io_(io),
      topics_(topics),
      topic_(io, topics, std::string(offsets_topic_name), "consumer groups", offsets_topic_partitions),
      alive_(std::make_shared<bool>(true)) {}

group_offset_log::~group_offset_log() { *alive_ = false; }

void group_offset_log::append(int32_t partition, std::vector<group::log_record> records,
                              std::function<void(status)> done) {
  append_batch(partition, std::nullopt, std::move(records), std::move(done));
}

void group_offset_log::append_transactional(int32_t partition, group::txn_producer producer,
                                            std::vector<group::log_record> records,
                                            std::function<void(status)> done) {
  append_batch(partition, producer, std::move(records), std::move(done));
}

void group_offset_log::append_batch(int32_t partition, std::optional<group::txn_producer> producer,
                                    std::vector<group::log_record> records, std::function<void(status)> done) {
  // At once when the topic exists; otherwise after it is made, in order.
  topic_.when_ready([this, alive = alive_, partition, producer = std::move(producer), records = std::move(records),
                     done = std::move(done)](admin_result made) mutable {
    if (!*alive) return;
    if (!made.ok()) {
      asio::post(io_, [alive, done = std::move(done), message = made.message]() {
        if (*alive)
          done(error(std::make_error_code(std::errc::io_error),
                     fmt::format("cannot create {}: {}", offsets_topic_name, message)));
      });
      return;
    }
    write_batch(partition, producer, records, std::move(done));
  });
}

void group_offset_log::write_batch(int32_t partition, const std::optional<group::txn_producer>& producer,
                                   const std::vector<group::log_record>& records, std::function<void(status)> done) {
  auto& io = io_;
  auto fail = [&io, &done, alive = alive_](error e) {
    // Answer asynchronously like a real completion, so callers see one behaviour.
    asio::post(io, [alive, done = std::move(done), e = std::move(e)]() {
      if (*alive) done(e);
    });
  };
  auto log = topics_.partition(offsets_topic_name, partition);
  if (!log) {
    fail(error(std::make_error_code(std::errc::no_such_file_or_directory),
               fmt::format("{} partition {} does not exist", offsets_topic_name, partition)));
    return;
  }
  int64_t now = group_service::now_ms();
  record::batch_options options;
  if (producer) {
    // As Kafka's coordinator writes them: the producer's id and epoch,
    // sequence 0, transactional; the log then tracks the open transaction
    // until the coordinator's marker.
    options.producer_id = producer->producer_id;
    options.producer_epoch = producer->producer_epoch;
    options.base_sequence = 0;
    options.transactional = true;
  }
  record::batch_builder builder(options);
  for (const auto& r : records) {
    std::optional<std::span<const uint8_t>> value;
    if (r.value) value = std::span<const uint8_t>(*r.value);
    if (auto s = builder.append(now, std::span<const uint8_t>(r.key), value); !s) {
      fail(s.err());
      return;
    }
  }
  auto batch = builder.build();
  if (!batch) {
    fail(batch.err());
    return;
  }
  auto appended = log->append(*batch, now);
  if (!appended) {
    // The coordinator tells "too large for the topic" (final for the client)
    // from every other failure by this generic code (group/offset_log.h).
    if (storage::is(appended.err(), storage::errc::record_too_large)) {
      fail(error(std::make_error_code(std::errc::message_size), appended.err().message));
    } else {
      fail(appended.err());
    }
    return;
  }
  auto work = asio::make_work_guard(io);
  log->flush_async(appended->last_offset + 1, [&io, work, alive = alive_, done = std::move(done),
                                               after = after_completion_](status s) mutable {
    asio::post(io, [alive, done = std::move(done), after = std::move(after), s = std::move(s)]() {
      if (!*alive) return;
      done(s);
      if (after) after();
    });
  });
}

group_service::group_service(boost::asio::io_context& io, topic_registry& topics, group_settings settings)
    : topics_(topics), settings_(settings), log_(io, topics, settings.offsets_topic_num_partitions), timer_(io) {}

group_service::~group_service() { stop(); }

int64_t group_service::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

admin_result group_service::ensure_offsets_topic() { return log_.topic().ensure_now(); }

status group_service::start() {
  const topic_entry* topic = topics_.find(offsets_topic_name);
  // The coordinator maps groups to partitions by this count, which must be
  // the topic's real one once it exists.
  auto partitions = topic ? static_cast<int32_t>(topic->partitions.size())
                          : settings_.offsets_topic_num_partitions;
  // group.max.groups counts both kinds of group: each coordinator asks for
  // the other's groups it does not hold itself (both live on the handler
  // thread). A consumer group's committed offsets live in the classic
  // coordinator, so one id may be in both and must count once. Asked only
  // when a request would create a group.
  auto classic_config = coordinator_config_from(settings_, partitions);
  classic_config.other_groups = [this] {
    return consumer_groups_ ? consumer_groups_->group_count() - groups_in_both() : 0;
  };
  auto consumer_config = consumer_group_config_from(settings_, partitions);
  consumer_config.other_groups = [this] { return coordinator_ ? coordinator_->group_count() - groups_in_both() : 0; };
  coordinator_ = std::make_unique<group::coordinator>(std::move(classic_config), log_);
  consumer_groups_ = std::make_unique<group::consumer_group_coordinator>(std::move(consumer_config), log_);
  log_.set_after_completion([this] { rearm(); });
  // Online downgrade: the consumer group coordinator hands a group whose last
  // consumer-protocol member left back to the classic coordinator.
  consumer_groups_->set_downgrade_handler(
      [this](group::classic_group_snapshot g) { coordinator_->adopt(g, now_ms()); });
  if (topic) {
    if (auto s = replay(partitions); !s) return s;
  } else {
    coordinator_->finish_loading(now_ms());
  }
  consumer_groups_->finish_loading(now_ms());
  next_empty_group_check_ms_ = now_ms() + settings_.offsets_retention_check_interval_ms;
  rearm();
  return {};
}

status group_service::replay(int32_t partitions) {
  auto started = std::chrono::steady_clock::now();
  int64_t now = now_ms();
  size_t loaded = 0;
  size_t bad = 0;
  for (int32_t p = 0; p < partitions; ++p) {
    auto log = topics_.partition(offsets_topic_name, p);
    if (!log) continue;
    int64_t end = log->high_watermark();
    int64_t offset = log->log_start_offset();
    while (offset < end) {
      auto chunk = log->read_copy(offset, group_replay_chunk_bytes, end);
      if (!chunk) {
        return error(chunk.err().code, fmt::format("replaying {}-{} at offset {}: {}", offsets_topic_name, p,
                                                   offset, chunk.err().message));
      }
      if (chunk->bytes.empty() || chunk->next_offset <= offset) break;
      auto batches = record::split_batches(chunk->bytes, record::split_mode::lenient);
      if (!batches) {
        return error(batches.err().code, fmt::format("replaying {}-{} at offset {}: {}", offsets_topic_name, p,
                                                     offset, batches.err().message));
      }
      for (const auto& b : *batches) {
        auto records = record::decode_records(b.bytes);
        if (!records) {
          spdlog::warn("skipping a bad batch of {}-{}: {}", offsets_topic_name, p, records.err().describe());
          ++bad;
          continue;
        }
        if (b.header.is_control()) {
          // COMMIT/ABORT markers decide the transactional offsets before them.
          replay_control(p, b.header.producer_id, *records);
          continue;
        }
        const bool transactional = b.header.is_transactional();
        for (const auto& r : *records) {
          if (!r.key) continue;
          if (!transactional && group::is_consumer_group_record(*r.key)) {
            // Our KIP-848 record kinds (docs/formats/consumer-group-records.md).
            if (auto s = consumer_groups_->load_record(*r.key, r.value); !s) {
              spdlog::warn("skipping a bad consumer group record in {}-{}: {}", offsets_topic_name, p,
                           s.err().describe());
              ++bad;
            } else {
              ++loaded;
            }
            continue;
          }
          auto s = transactional ? coordinator_->load_transactional_record(b.header.producer_id, *r.key, r.value, now)
                                 : coordinator_->load_record(*r.key, r.value, now);
          if (!s) {
            ++bad;
          } else {
            ++loaded;
          }
        }
      }
      offset = chunk->next_offset;
    }
  }
  coordinator_->finish_loading(now_ms());
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("loaded {} group record(s) from {} in {} ms ({} skipped)", loaded, offsets_topic_name, took.count(),
               bad);
  return {};
}

void group_service::replay_control(int32_t partition, int64_t producer_id,
                                   const std::vector<record::record>& records) {
  for (const auto& r : records) {
    if (!r.key) continue;
    auto key = record::decode_control_key(*r.key);
    if (!key || !key->is_transaction_marker()) continue;  // other control types say nothing about offsets
    coordinator_->on_transaction_marker(partition, producer_id, key->type == static_cast<int16_t>(record::control_type::commit));
  }
}

void group_service::on_transaction_marker(int32_t offsets_partition, int64_t producer_id, bool commit) {
  if (!coordinator_) return;
  coordinator_->on_transaction_marker(offsets_partition, producer_id, commit);
  rearm();
}

int16_t group_service::verify_txn_offsets(const std::string& transactional_id, int64_t producer_id,
                                          int16_t producer_epoch, const std::string& group_id,
                                          int16_t api_version) const {
  if (!verifier_ || group_id.empty()) return 0;
  return verifier_(transactional_id, producer_id, producer_epoch, group_id, api_version);
}

size_t group_service::groups_in_both() const {
  if (!coordinator_ || !consumer_groups_) return 0;
  size_t n = 0;
  for (const auto& listing : consumer_groups_->list()) n += coordinator_->find_group(listing.group_id) != nullptr;
  return n;
}

void group_service::remove_empty_consumer_groups(int64_t now_ms) {
  std::vector<std::string> classic_leftovers;
  for (const auto& listing : consumer_groups_->list()) {
    const std::string& id = listing.group_id;
    if (!consumer_groups_->is_empty_group(id)) continue;
    // A consumer group's offsets live with the classic coordinator: while
    // any is left (or a transaction may still commit one) the group stays,
    // and goes at a later check once the retention check expired them.
    const group::group_metadata* offsets = coordinator_->find_group(id);
    if (offsets && !(offsets->offsets.empty() && offsets->pending_txn_offsets.empty())) continue;
    if (!consumer_groups_->remove_empty_group(id)) continue;
    spdlog::info("consumer group {} removed: it is empty and holds no offsets",
                 group::utf8_prefix(id, group::max_logged_id_bytes));
    if (offsets) classic_leftovers.push_back(id);
  }
  if (classic_leftovers.empty()) return;
  // What is left of the id with the classic coordinator goes too, as
  // DeleteGroups removes both.
  coordinator_->delete_groups(classic_leftovers, now_ms, [](std::vector<group::group_error> results) {
    for (const auto& r : results) {
      if (r.error != group::errc::none && r.error != group::errc::group_id_not_found) {
        spdlog::warn("removing the offsets entry of empty consumer group {}: error {}",
                     group::utf8_prefix(r.group_id, group::max_logged_id_bytes), r.error);
      }
    }
  });
}

void group_service::rearm() {
  if (stopped_ || !coordinator_) return;
  // wake_by, not next_deadline: rearm runs after every group request and
  // write, and an exact deadline is a scan of every member of every group.
  int64_t deadline = std::min({coordinator_->wake_by(), consumer_groups_->wake_by(),
                               next_empty_group_check_ms_});
  if (deadline == armed_for_) return;
  armed_for_ = deadline;
  if (deadline == group::no_deadline) {
    timer_.cancel();
    return;
  }
  int64_t wait = std::max<int64_t>(0, deadline - now_ms());
  timer_.expires_after(std::chrono::milliseconds(wait));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    armed_for_ = group::no_deadline;
    coordinator_->tick(now_ms());
    consumer_groups_->tick(now_ms());
    if (const int64_t now = now_ms(); now >= next_empty_group_check_ms_) {
      remove_empty_consumer_groups(now);
      next_empty_group_check_ms_ = now + settings_.offsets_retention_check_interval_ms;
    }
    rearm();
  });
}

void group_service::consumer_group_heartbeat(group::cg_heartbeat_request req,
                                             std::function<void(group::cg_heartbeat_result)> done) {
  const auto& topics = consumer_group_topics();
  const int64_t now = now_ms();
  const std::string id = req.group_id;
  const group::group_metadata* classic = coordinator_->find_group(id);
  // A classic group that has members (or is rebalancing) holds the id; one
  // that merely holds offsets (Empty) or was deleted (Dead) gives it up.
  const bool in_use = classic && (classic->size() > 0 || !(classic->is(group::group_state::empty) ||
                                                           classic->is(group::group_state::dead)));
  if (in_use) {
    auto refuse = [&](std::string message) {
      group::cg_heartbeat_result r;
      r.error = group::errc::group_id_not_found;
      r.error_message = std::move(message);
      done(std::move(r));
    };
    // Only a member joining (epoch 0) may convert the group, and only with a valid request.
    if (req.member_epoch != group::cg_join_epoch) return refuse(fmt::format("Group {} is not a consumer group.", id));
    if (auto bad = consumer_groups_->validate_request(req)) {
      group::cg_heartbeat_result r;
      r.error = bad->first;
      r.error_message = bad->second;
      return done(std::move(r));
    }
    const std::string prefix = fmt::format("Cannot upgrade classic group {} to consumer group because ", id);
    if (!group::upgrade_allowed(settings_.consumer_migration_policy)) {
      return refuse(prefix + "online upgrade is disabled.");
    }
    if (!classic->is_consumer_group()) return refuse(prefix + "the group does not use the consumer embedded protocol.");
    if (static_cast<int64_t>(classic->size()) > settings_.consumer_max_size) {
      return refuse(prefix + "the group size exceeds the consumer group maximum size.");
    }
    auto snapshot = coordinator_->snapshot_for_upgrade(id);
    if (!snapshot) return refuse(fmt::format("Group {} is not a consumer group.", id));
    consumer_groups_->upgrade_and_heartbeat(
        *snapshot, std::move(req), topics, now, [this, &id, now] { coordinator_->hand_over(id, now); },
        std::move(done));
    rearm();
    return;
  }
  consumer_groups_->heartbeat(std::move(req), topics, now, std::move(done));
  rearm();
}

const group::cg_topic_metadata& group_service::consumer_group_topics() const {
  if (topics_view_.version == topics_.version()) return topics_view_;
  group::cg_topic_metadata& out = topics_view_;
  out.by_name.clear();
  out.version = topics_.version();
  for (const topic_entry* t : topics_.list()) {
    group::cg_topic& c = out.by_name[t->name];
    c.id = t->id.bytes;
    c.name = t->name;
    c.partitions = static_cast<int32_t>(t->partitions.size());
    c.internal = t->internal;
  }
  return out;
}

void group_service::stop() {
  stopped_ = true;
  timer_.cancel();
}

}  // namespace samsa::broker
