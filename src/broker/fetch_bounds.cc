#include "broker/fetch_bounds.h"

namespace samsa::broker {

fetch_bounds read_committed_limit(int8_t isolation_level, int16_t fetch_version, const storage::stable_offsets& o) {
  fetch_bounds b;
  b.high_watermark = o.high_watermark;
  b.last_stable_offset = o.last_stable_offset;
  const bool committed = fetch_version >= 4 && isolation_level == read_committed;
  b.max_offset_exclusive = committed ? o.last_stable_offset : o.high_watermark;
  b.wants_aborted = committed;
  return b;
}

std::vector<storage::aborted_txn> aborted_for_read(const storage::partition_log& log, int64_t from,
                                                   int64_t next_offset) {
  if (next_offset <= from) return {};
  return log.aborted_transactions(from, next_offset);
}

}  // namespace samsa::broker
