// CRC-32C (Castagnoli), the checksum of RecordBatch v2. Uses the SSE4.2 crc32
// instruction (three interleaved lanes on long inputs) when the CPU has it,
// otherwise a portable slicing-by-8 table.
#pragma once

#include <cstdint>
#include <span>

namespace samsa::record {

// CRC-32C of `data` (initial value 0, as Kafka computes it).
uint32_t crc32c(std::span<const uint8_t> data);

// Continues a CRC: crc32c_extend(crc32c(a), b) == crc32c(a followed by b).
uint32_t crc32c_extend(uint32_t crc, std::span<const uint8_t> data);

namespace detail {
// The two implementations, exposed so tests can compare them.
uint32_t crc32c_extend_portable(uint32_t crc, std::span<const uint8_t> data);
// Only callable when crc32c_hardware_available() is true.
uint32_t crc32c_extend_hardware(uint32_t crc, std::span<const uint8_t> data);
bool crc32c_hardware_available();
}  // namespace detail

}  // namespace samsa::record
