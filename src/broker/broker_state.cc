#include "broker/broker_state.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "broker/acl_service.h"
#include "broker/group_service.h"
#include "broker/producer_registry.h"
#include "broker/share_service.h"
#include "broker/topic_registry.h"
#include "broker/txn_service.h"
#include "storage/crash_sim_file_system.h"
#include "storage/dir_lock.h"
#include "storage/log_manager.h"
#include "storage/metadata_store.h"
#include "broker/client_quotas.h"

namespace samsa::broker {

broker_state::broker_state(boost::asio::io_context& io, broker_config config)
    : io_(io),
      config_(std::move(config)),
      fetch_sessions_(config_.fetch_sessions),
      advertised_(config_.advertised_listeners),
      workers_(std::make_unique<worker_pool>(static_cast<size_t>(config_.background_threads))) {}

broker_state::~broker_state() = default;

status broker_state::open_storage() {
  auto started = std::chrono::steady_clock::now();
  std::error_code ec;
  std::filesystem::create_directories(config_.log_dir, ec);
  if (ec) return error(ec, "cannot create log.dirs directory " + config_.log_dir);
  // Before anything reads or writes the directory: a second broker on it
  // would recover, truncate and append under the first one's feet.
  auto locked = storage::dir_lock::acquire(config_.log_dir);
  if (!locked) return locked.err();
  dir_lock_ = std::move(*locked);

  storage::metadata_store::options meta_opts;
  if (config_.test_crash_trigger.empty()) {
    meta_opts.fs = storage::posix_file_system();
  } else {
    spdlog::warn("test mode: a crash that drops unsynced data follows the creation of {}",
                 config_.test_crash_trigger);
    meta_opts.fs = storage::crash_sim_file_system(config_.test_crash_trigger);
  }
  meta_opts.dir = (std::filesystem::path(config_.log_dir) / "__cluster_metadata").string();
  auto metadata = storage::metadata_store::open(meta_opts);
  if (!metadata) return metadata.err();
  metadata_ = std::move(*metadata);
  cluster_id_ = metadata_->cluster_id();
  acls_ = std::make_unique<acl_service>(*metadata_, *workers_, config_.authorizer);
  if (auto s = acls_->load(); !s) return s;

  storage::log_manager::options log_opts;
  log_opts.fs = meta_opts.fs;
  log_opts.data_dir = config_.log_dir;
  log_opts.retention_check_interval_ms = config_.log_retention_check_interval_ms;
  log_opts.cleaner_dedupe_buffer_bytes = config_.log_cleaner_dedupe_buffer_size;
  log_opts.producer_id_expiration_ms = config_.producer_id_expiration_ms;
  log_opts.max_producer_ids = static_cast<size_t>(config_.max_producer_ids_per_partition);
  producer_budget_ = std::make_unique<txn::producer_budget>(static_cast<size_t>(config_.max_producer_ids));
  log_opts.producer_budget = producer_budget_.get();
  const auto& raw = config_.raw;
  storage::metadata_store* meta = metadata_.get();
  log_opts.config_for = [meta, raw](const std::string& topic) {
    auto stored = meta->topic(topic);
    auto resolved =
        storage::resolve_stored(stored ? stored->configs : std::map<std::string, std::string>{}, raw, nullptr);
    return resolved ? *resolved : storage::log_config{};
  };
  auto logs = storage::log_manager::open(log_opts);
  if (!logs) return logs.err();
  logs_ = std::move(*logs);

  quotas_ = std::make_unique<client_quotas>(*metadata_, quota_windows_from(config_.raw));
  topics_ = std::make_unique<topic_registry>(*logs_, *metadata_, config_.raw, config_.max_broker_partitions);
  if (auto s = topics_->load(); !s) return s;

  // Partition directories of topics the metadata log does not have are
  // leftovers of a deletion or creation cut short by a crash, or the sign of
  // metadata that lost something. Either way they are moved aside, never
  // deleted: an operator can look at them, and delete them, later.
  // A partition past a known topic's count (CreatePartitions cut short) is
  // the same case: left open, a later CreatePartitions would serve its old
  // records as the new partition's.
  for (const auto& log : logs_->partitions()) {
    if (partition_log_of(topics_->find(log->topic()), log->partition()) == log.get()) continue;
    auto moved = logs_->set_aside_partition(log->topic(), log->partition());
    if (moved) {
      spdlog::warn("partition directory {} belongs to no known topic partition: moved aside to {} (nothing deleted)",
                   log->dir(), *moved);
    } else {
      spdlog::warn("partition directory {} belongs to no known topic partition and could not be moved aside: {}",
                   log->dir(), moved.err().describe());
    }
  }
  auto producer_ids =
      txn::producer_id_allocator::open((std::filesystem::path(config_.log_dir) / "producer_ids").string());
  if (!producer_ids) return producer_ids.err();
  producers_ = std::make_unique<producer_registry>(std::move(*producer_ids));

  groups_ = std::make_unique<group_service>(io_, *topics_, group_settings_from(config_));
  groups_->set_workers(workers_.get());
  if (auto s = groups_->start(); !s) return s;
  if (acls_->enabled()) {
    // KIP-848 regex subscriptions match only topics the member may DESCRIBE
    // (the coordinator runs on this handler thread, as the authorizer must).
    acl_service* acls = acls_.get();
    groups_->consumer_groups().set_regex_topic_filter(
        [acls](const security::principal& who, const std::string& host, const std::string& topic) {
          const acl::authorizer* a = acls->authorizer();
          return !a || a->authorize(who, host, acl::operation::describe, acl::resource_type::topic, topic).allowed;
        });
  }

  producer_registry* producers = producers_.get();
  transactions_ = std::make_unique<txn_service>(io_, *topics_, waiters_, *groups_,
                                                [producers] { return producers->new_producer_id(); },
                                                txn_settings_from(config_));
  transactions_->set_workers(workers_.get());
  if (auto s = transactions_->start(); !s) return s;

  shares_ = std::make_unique<share_service>(io_, *topics_, waiters_, *workers_,
                                            (std::filesystem::path(config_.log_dir) / "__share_group_state").string(),
                                            share_settings_from(config_));
  if (auto s = shares_->start(); !s) return s;

  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  spdlog::info("storage opened in {} ms: {} topic(s), {} partition(s), {} start", took.count(),
               topics_->list().size(), logs_->partitions().size(),
               logs_->fresh_start()         ? "first (new data directory)"
               : logs_->recovered_cleanly() ? "clean"
                                            : "unclean (tails checked)");
  return {};
}

status broker_state::close_storage() {
  workers_->stop();
  waiters_.notify_all();
  if (shares_) shares_->stop();
  if (transactions_) transactions_->stop();
  if (groups_) groups_->stop();
  if (!logs_) return {};
  return logs_->shutdown();
}

}  // namespace samsa::broker
