// The error a transactional API answers for what the coordinator decided,
// by request version: PRODUCER_FENCED exists from KIP-588's versions on
// (older ones get INVALID_PRODUCER_EPOCH), TRANSACTION_ABORTABLE from
// KIP-890's (older ones get INVALID_TXN_STATE).
#pragma once

#include <cstdint>

#include "protocol/error_code.h"

namespace samsa::broker {

struct txn_error_versions {
  int16_t producer_fenced_from;
  int16_t transaction_abortable_from;
};

inline constexpr txn_error_versions init_producer_id_errors{4, 5};
inline constexpr txn_error_versions add_partitions_to_txn_errors{2, 5};
inline constexpr txn_error_versions add_offsets_to_txn_errors{2, 4};
inline constexpr txn_error_versions end_txn_errors{2, 4};

inline protocol::error_code txn_error_for_version(protocol::error_code code, int16_t version,
                                                  txn_error_versions versions) {
  if (code == protocol::error_code::producer_fenced && version < versions.producer_fenced_from) {
    return protocol::error_code::invalid_producer_epoch;
  }
  if (code == protocol::error_code::transaction_abortable && version < versions.transaction_abortable_from) {
    return protocol::error_code::invalid_txn_state;
  }
  return code;
}

}  // namespace samsa::broker
