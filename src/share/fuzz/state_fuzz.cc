// Fuzz target for the share-state journal decoder (the one parser of bytes
// the broker reads back from disk for share groups). Whatever decodes must
// encode to bytes that decode to the same records again (older record
// versions are written back at the current one, so the bytes may differ
// from the input), and a restored partition must accept ordinary use.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "share/state_codec.h"

using namespace samsa::share;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = decode_journal({data, size});
  if (decoded.valid_bytes > size) abort();
  std::vector<uint8_t> again;
  for (const auto& r : decoded.records) {
    auto bytes = encode_record(r);
    again.insert(again.end(), bytes.begin(), bytes.end());
    if (const auto* p = std::get_if<partition_record>(&r); p && p->state) {
      // Bound the window so a hostile snapshot cannot make the restore huge.
      if (p->state->next_offset - p->state->start_offset > 4096) continue;
      bool small = true;
      for (const auto& range : p->state->ranges) small &= range.last_offset - range.first_offset < 4096;
      if (!small) continue;
      auto part = share_partition::restore(*p->state);
      partition_settings settings;
      (void)part.acquire("m", part.next_offset() + 10, 5, settings, 0);
      (void)part.expire_locks(settings.lock_duration_ms, settings);
      if (part.start_offset() > part.next_offset()) abort();
    }
  }
  auto redecoded = decode_journal(again);
  if (redecoded.valid_bytes != again.size() || redecoded.records.size() != decoded.records.size()) abort();
  std::vector<uint8_t> third;
  for (const auto& r : redecoded.records) {
    auto bytes = encode_record(r);
    third.insert(third.end(), bytes.begin(), bytes.end());
  }
  if (third != again) abort();
  return 0;
}
