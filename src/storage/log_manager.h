// Owns every partition log under one data directory: recovery at start, create
// / lookup / remove, live config updates, the background thread (roll,
// retention, compaction, flush.ms, recovery-point checkpoints), the group
// commit flusher, and the clean-shutdown marker.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/file_system.h"
#include "storage/flusher.h"
#include "storage/log_config.h"
#include "storage/partition_log.h"

namespace samsa::storage {

// Where the metadata log of a data directory lives (metadata_store::options::dir).
std::string metadata_log_dir(const std::string& data_dir);

// The name a removed partition's directory is renamed to before it is
// deleted: "<topic>-<partition>.<ms>.<n>-delete", with the topic cut short
// so the name fits in NAME_MAX (255) even for a 249-character topic, as Kafka
// does. Start-up deletes every directory whose name ends in "-delete".
std::string deleted_dir_name(const std::string& topic, int32_t partition, int64_t ms, int64_t n);
// "<dir name>.orphaned", or "<dir name>.<n>.orphaned" when `n` > 0, shortened
// at the front so it fits in a file name (255 bytes). Such names are never
// opened as partitions.
std::string set_aside_name(const std::string& dir_name, int n);

class log_manager {
 public:
  struct options {
    std::shared_ptr<file_system> fs = posix_file_system();
    std::string data_dir;  // log.dirs (one directory)
    // Config for partitions found on disk at open (the broker resolves it
    // from the metadata store); default log_config{} when empty.
    std::function<log_config(const std::string& topic)> config_for;
    int64_t retention_check_interval_ms = 300000;  // log.retention.check.interval.ms
    int64_t cleaner_dedupe_buffer_bytes = default_dedupe_buffer_bytes;  // log.cleaner.dedupe.buffer.size
    int64_t producer_id_expiration_ms = 24LL * 60 * 60 * 1000;        // producer.id.expiration.ms
    size_t max_producer_ids = txn::producer_state_table::default_max_producers;  // max.producer.ids.per.partition
    txn::producer_budget* producer_budget = nullptr;  // max.producer.ids; outlives the manager
    int64_t recovery_point_interval_ms = 60000;    // log.flush.offset.checkpoint.interval.ms
    int64_t tick_ms = 200;                         // how often flush.ms is checked
    bool background = true;                        // tests drive run_maintenance() themselves
    std::function<int64_t()> clock;                // wall-clock ms; default system_clock
  };

  // Opens the directory and recovers every partition in it. After a clean
  // shutdown only the indexes are loaded; otherwise segments past each
  // partition's recovery point are checked batch by batch.
  static result<std::unique_ptr<log_manager>> open(options opts);
  // Stops threads without the clean-shutdown marker (next start recovers).
  ~log_manager();

  // Creates (or returns the existing) log of a partition.
  [[nodiscard]] result<std::shared_ptr<partition_log>> create_partition(const std::string& topic, int32_t partition,
                                                                        const topic_id& id, const log_config& cfg);
  std::shared_ptr<partition_log> get(const std::string& topic, int32_t partition) const;
  std::vector<std::shared_ptr<partition_log>> partitions() const;
  // Deletes data from disk. Readers holding a read_result keep their bytes.
  [[nodiscard]] status remove_partition(const std::string& topic, int32_t partition);
  [[nodiscard]] status remove_topic(const std::string& topic);
  // Undoes a creation that was never committed to the metadata log: closes
  // the partition's log (if it was opened) before deleting its directory, so
  // a creation that ran out of descriptors can still clean up after itself.
  [[nodiscard]] status abandon_partition(const std::string& topic, int32_t partition);
  // Moves a partition directory aside, unopened from now on, instead of
  // deleting it: start-up uses this for directories the metadata log does not
  // know, because damaged or lost metadata must never cost data. The new name
  // ends in ".orphaned" (see set_aside_name); returns it.
  [[nodiscard]] result<std::string> set_aside_partition(const std::string& topic, int32_t partition);
  void update_config(const std::string& topic, const log_config& cfg);

  // One pass of roll / retention / compaction / flush.ms over every partition.
  [[nodiscard]] status run_maintenance(int64_t now_ms);
  [[nodiscard]] status write_recovery_points();

  flusher& group_flusher() { return flusher_; }
  bool recovered_cleanly() const { return clean_start_; }
  // The data directory was missing or empty at open: nothing was recovered.
  bool fresh_start() const { return fresh_start_; }
  const std::string& data_dir() const { return opts_.data_dir; }

  // Stops background work, flushes every partition and writes the
  // clean-shutdown marker. The manager is unusable afterwards.
  [[nodiscard]] status shutdown();

 private:
  explicit log_manager(options opts);
  [[nodiscard]] status load();
  void background();
  int64_t now() const;
  std::string partition_dir(const std::string& topic, int32_t partition) const;

  options opts_;
  flusher flusher_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, int32_t>, std::shared_ptr<partition_log>> logs_;
  bool clean_start_ = false;
  bool fresh_start_ = false;
  bool shut_down_ = false;
  int64_t delete_counter_ = 0;

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;
  std::thread bg_;
};

}  // namespace samsa::storage
