// PNG encoding for image summaries, without a link-time dependency on zlib
// or libpng.
//
// The file is the PNG signature and three chunks: IHDR (8-bit samples, colour
// type from the channel count, no interlace), one IDAT and IEND, each with
// its CRC-32. Rows are stored unfiltered (filter byte 0). IDAT is compressed
// with zlib's compress2 at the default level, looked up at first use with
// dlopen/dlsym in the library named by the environment variable
// GRAPHFLOW_ZLIB (default "libz.so.1"). When it is set empty or the library
// cannot be loaded, IDAT holds a zlib stream of stored (uncompressed) deflate
// blocks of at most 65535 bytes with its Adler-32, which every PNG reader
// accepts.
#pragma once

#include <cstdint>
#include <string>

namespace gf {
namespace png {

// Encodes `height` rows of `width * channels` bytes each, tightly packed;
// channels: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. Returns false only when
// zlib fails (out of memory).
bool Encode(const uint8_t* pixels, int64_t width, int64_t height, int channels,
            std::string* out);

}  // namespace png
}  // namespace gf
