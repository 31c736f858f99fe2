// Big-endian fixed-width helpers for our own file formats (indexes,
// checkpoints, the metadata log): the names storage has always used, over the
// one codec in base/big_endian.h. Record batches are parsed by samsa::record.
#pragma once

#include <cstdint>

#include "base/big_endian.h"

namespace samsa::storage::coding {

inline void put_u32(uint8_t* p, uint32_t v) { big_endian::store_u32(p, v); }
inline void put_u64(uint8_t* p, uint64_t v) { big_endian::store_u64(p, v); }
inline uint32_t get_u32(const uint8_t* p) { return big_endian::load_u32(p); }
inline uint64_t get_u64(const uint8_t* p) { return big_endian::load_u64(p); }

// Append-style writer and bounds-checked reader of our own records.
using writer = big_endian::byte_writer;
using reader = big_endian::byte_reader;

}  // namespace samsa::storage::coding
