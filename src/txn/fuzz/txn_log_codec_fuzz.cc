// Fuzz target for the bytes the transaction coordinator replays from
// __transaction_state. Input: a 2-byte key length, the key, then the value.
// Decoders must reject or accept without crashing; an accepted value must
// survive a re-encode; a replayed record must leave a coordinator that
// answers, ticks and completes without crashing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "txn/txn_coordinator.h"
#include "txn/txn_log_codec.h"

using namespace samsa;
using namespace samsa::txn;

namespace {

struct sync_log final : txn_state_log {
  void append(const std::string&, bytes, std::optional<bytes>, std::function<void(status)> done) override {
    done(status{});
  }
};
struct sync_markers final : marker_writer {
  void write_markers(int64_t, int16_t, bool, const std::vector<topic_partition>&,
                     std::function<void(status)> done) override {
    done(status{});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t key_len = std::min<size_t>((size_t{data[0]} << 8) | data[1], size - 2);
  std::span<const uint8_t> key(data + 2, key_len);
  std::span<const uint8_t> value(data + 2 + key_len, size - 2 - key_len);

  (void)decode_txn_key(key);
  if (auto v = decode_txn_value(value); v.ok()) {
    auto again = decode_txn_value(encode_txn_value(*v));
    if (!again.ok() || !(*again == *v)) abort();
  }

  sync_log log;
  sync_markers markers;
  int64_t next_id = 1;
  coordinator c(coordinator_config{}, log, markers, [&next_id]() -> result<int64_t> { return next_id++; });
  (void)c.load_record(key, value);
  c.finish_loading(0);
  for (const auto& v : c.list()) {
    (void)c.describe(v.transactional_id);
    (void)c.verify_partition(v.producer_id, v.producer_epoch, {"t", 0});
    c.add_partitions(v.transactional_id, v.producer_id, v.producer_epoch, {{"t", 0}}, 1, [](op_result) {});
    c.end_txn(v.transactional_id, v.producer_id, v.producer_epoch, true, value.size() % 2 == 0, 2,
              [](end_result) {});
    c.init_producer_id(v.transactional_id, 1000, -1, -1, 3, [](init_result) {});
  }
  c.tick(c.next_deadline() == no_deadline ? 0 : c.next_deadline());
  c.tick(std::numeric_limits<int64_t>::max() - 1);
  return 0;
}
