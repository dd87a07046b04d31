// CRC-32C (Castagnoli), as TFRecord and TensorBoard event files frame their
// records: the SSE4.2 crc32 instruction where the CPU has it, else a table.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gf {

// The CRC of data[0, n), continuing from `crc` (0 to start).
uint32_t Crc32c(const uint8_t* data, size_t n, uint32_t crc = 0);

}  // namespace gf
