#include "group/memory_offset_log.h"

namespace samsa::group {

void memory_offset_log::append(int32_t partition, std::vector<log_record> records,
                               std::function<void(status)> done) {
  if (hold_appends) {
    held_.push_back(pending{partition, std::nullopt, std::move(records), std::move(done)});
    return;
  }
  complete(partition, std::nullopt, std::move(records), done);
}

void memory_offset_log::append_transactional(int32_t partition, txn_producer producer,
                                             std::vector<log_record> records, std::function<void(status)> done) {
  if (hold_appends) {
    held_.push_back(pending{partition, producer, std::move(records), std::move(done)});
    return;
  }
  complete(partition, producer, std::move(records), done);
}

void memory_offset_log::release() {
  while (!held_.empty()) {
    pending p = std::move(held_.front());
    held_.pop_front();
    complete(p.partition, p.producer, std::move(p.records), p.done);
  }
}

void memory_offset_log::complete(int32_t partition, const std::optional<txn_producer>& producer,
                                 std::vector<log_record> records, const std::function<void(status)>& done) {
  if (fail_appends) {
    done(make_error(failure, "memory_offset_log: append failed (injected)"));
    return;
  }
  for (auto& r : records) entries_.push_back(entry{partition, std::move(r), producer});
  done(status{});
}

}  // namespace samsa::group
