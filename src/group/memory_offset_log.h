// An in-memory offset_log for tests and for running the coordinator without a
// broker. Appends complete at once, or are held until release() when
// hold_appends is set, and can be made to fail.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <system_error>

#include "group/offset_log.h"

namespace samsa::group {

class memory_offset_log final : public offset_log {
 public:
  void append(int32_t partition, std::vector<log_record> records, std::function<void(status)> done) override;
  void append_transactional(int32_t partition, txn_producer producer, std::vector<log_record> records,
                            std::function<void(status)> done) override;

  // Completes held appends in order (successfully unless fail_appends is set).
  void release();

  bool hold_appends = false;
  bool fail_appends = false;
  std::errc failure = std::errc::io_error;  // what a failed append reports

  struct entry {
    int32_t partition;
    log_record record;
    std::optional<txn_producer> producer;  // set for transactional batches
  };
  // Every record that was appended successfully, in order.
  const std::vector<entry>& entries() const { return entries_; }
  size_t held() const { return held_.size(); }

 private:
  void complete(int32_t partition, const std::optional<txn_producer>& producer, std::vector<log_record> records,
                const std::function<void(status)>& done);

  struct pending {
    int32_t partition;
    std::optional<txn_producer> producer;
    std::vector<log_record> records;
    std::function<void(status)> done;
  };
  std::deque<pending> held_;
  std::vector<entry> entries_;
};

}  // namespace samsa::group
