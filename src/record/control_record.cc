#include "record/control_record.h"

#include <string>

#include "base/big_endian.h"
#include "record/batch_builder.h"

namespace samsa::record {

bytes encode_control_key(control_type type) {
  bytes out(4);
  big_endian::store_u16(out.data(), 0);
  big_endian::store_u16(out.data() + 2, static_cast<uint16_t>(type));
  return out;
}

result<control_key> decode_control_key(std::span<const uint8_t> key) {
  if (key.size() < 4) {
    return make_record_error(errc::invalid_record, "control record key has " +
                                                       std::to_string(key.size()) + " bytes, needs 4");
  }
  control_key k;
  k.version = static_cast<int16_t>(big_endian::load_u16(key.data()));
  k.type = static_cast<int16_t>(big_endian::load_u16(key.data() + 2));
  if (k.version < 0) {
    return make_record_error(errc::invalid_record,
                             "control record key version " + std::to_string(k.version));
  }
  return k;
}

bytes encode_end_txn_marker(int32_t coordinator_epoch) {
  bytes out(6);
  big_endian::store_u16(out.data(), 0);
  big_endian::store_u32(out.data() + 2, static_cast<uint32_t>(coordinator_epoch));
  return out;
}

result<end_txn_marker> decode_end_txn_marker(std::span<const uint8_t> value) {
  if (value.size() < 6) {
    return make_record_error(errc::invalid_record, "transaction marker value has " +
                                                       std::to_string(value.size()) + " bytes, needs 6");
  }
  end_txn_marker m;
  m.version = static_cast<int16_t>(big_endian::load_u16(value.data()));
  m.coordinator_epoch = static_cast<int32_t>(big_endian::load_u32(value.data() + 2));
  if (m.version < 0) {
    return make_record_error(errc::invalid_record,
                             "transaction marker version " + std::to_string(m.version));
  }
  return m;
}

result<bytes> build_end_txn_batch(const end_txn_options& options) {
  batch_options o;
  o.base_offset = options.base_offset;
  o.partition_leader_epoch = options.partition_leader_epoch;
  o.producer_id = options.producer_id;
  o.producer_epoch = options.producer_epoch;
  o.transactional = true;
  o.control = true;
  record marker;
  marker.offset = options.base_offset;
  marker.timestamp = options.timestamp;
  marker.key = encode_control_key(options.commit ? control_type::commit : control_type::abort);
  marker.value = encode_end_txn_marker(options.coordinator_epoch);
  return build_batch(o, {&marker, 1});
}

}  // namespace samsa::record
