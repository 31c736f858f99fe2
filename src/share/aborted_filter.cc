#include "share/aborted_filter.h"

#include <algorithm>

namespace samsa::share {

std::vector<offset_span> aborted_batches(const std::vector<batch_summary>& batches,
                                         const std::vector<aborted_transaction>& aborted) {
  std::vector<offset_span> out;
  for (const auto& b : batches) {
    if (!b.transactional || b.control) continue;
    for (const auto& t : aborted) {
      // A transaction's batches lie between its first offset and its marker.
      if (t.producer_id == b.producer_id && t.first_offset <= b.base_offset && b.base_offset < t.marker_offset) {
        out.emplace_back(b.base_offset, b.last_offset);
        break;
      }
    }
  }
  return out;
}

std::vector<acquired_range> without(const std::vector<acquired_range>& acquired,
                                    const std::vector<offset_span>& removed) {
  std::vector<acquired_range> out;
  size_t r = 0;
  for (acquired_range a : acquired) {
    while (r < removed.size() && removed[r].second < a.first_offset) ++r;
    size_t k = r;
    while (a.first_offset <= a.last_offset) {
      if (k == removed.size() || removed[k].first > a.last_offset) {
        out.push_back(a);
        break;
      }
      if (removed[k].first > a.first_offset) out.push_back({a.first_offset, removed[k].first - 1, a.delivery_count});
      a.first_offset = std::max(a.first_offset, removed[k].second + 1);
      ++k;
    }
  }
  return out;
}

}  // namespace samsa::share
