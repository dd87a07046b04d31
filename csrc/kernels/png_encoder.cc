#include "kernels/png_encoder.h"

#include <dlfcn.h>

#include <array>
#include <cstdlib>
#include <cstring>

namespace gf {
namespace png {
namespace {

// zlib's entry points (uLong is unsigned long in zlib's ABI).
using Compress2Fn = int (*)(unsigned char* dest, unsigned long* dest_len,
                            const unsigned char* src, unsigned long src_len, int level);
using CompressBoundFn = unsigned long (*)(unsigned long src_len);
constexpr int kZOk = 0;
constexpr int kZDefaultCompression = -1;

struct Zlib {
  Compress2Fn compress2 = nullptr;
  CompressBoundFn compress_bound = nullptr;
};

// Resolved once per process; both null when the library is missing.
const Zlib& LoadZlib() {
  static const Zlib zlib = [] {
    Zlib z;
    const char* name = std::getenv("GRAPHFLOW_ZLIB");
    if (name && !*name) return z;  // set empty: store uncompressed
    void* h = dlopen(name ? name : "libz.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) return z;
    z.compress2 = reinterpret_cast<Compress2Fn>(dlsym(h, "compress2"));
    z.compress_bound = reinterpret_cast<CompressBoundFn>(dlsym(h, "compressBound"));
    if (!z.compress2 || !z.compress_bound) z = Zlib();
    return z;
  }();
  return zlib;
}

uint32_t Crc32(const char* data, size_t n, uint32_t crc = 0) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  crc = ~crc;
  for (size_t i = 0; i < n; ++i)
    crc = table[(crc ^ static_cast<uint8_t>(data[i])) & 0xff] ^ (crc >> 8);
  return ~crc;
}

uint32_t Adler32(const uint8_t* data, size_t n) {
  constexpr uint32_t kMod = 65521;
  constexpr size_t kBlock = 5552;  // largest run whose sums cannot overflow 32 bits
  uint32_t a = 1, b = 0;
  while (n > 0) {
    const size_t len = n < kBlock ? n : kBlock;
    for (size_t i = 0; i < len; ++i) {
      a += data[i];
      b += a;
    }
    a %= kMod;
    b %= kMod;
    data += len;
    n -= len;
  }
  return (b << 16) | a;
}

void PutBe32(std::string* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}

// A zlib stream of stored deflate blocks.
void StoredZlib(const std::string& raw, std::string* out) {
  out->push_back(0x78);  // deflate, 32K window
  out->push_back(0x01);  // no preset dictionary, fastest level; header checksum
  constexpr size_t kMaxBlock = 65535;
  size_t pos = 0;
  do {
    const size_t len = raw.size() - pos < kMaxBlock ? raw.size() - pos : kMaxBlock;
    const bool last = pos + len == raw.size();
    out->push_back(last ? 1 : 0);  // BFINAL, BTYPE = 00 (stored)
    const uint16_t n = static_cast<uint16_t>(len), nn = static_cast<uint16_t>(~n);
    out->push_back(static_cast<char>(n & 0xff));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(nn & 0xff));
    out->push_back(static_cast<char>(nn >> 8));
    out->append(raw, pos, len);
    pos += len;
  } while (pos < raw.size());
  PutBe32(out, Adler32(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()));
}

void Chunk(std::string* out, const char type[4], const std::string& data) {
  PutBe32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out->size();
  out->append(type, 4);
  out->append(data);
  PutBe32(out, Crc32(out->data() + start, out->size() - start));
}

}  // namespace

bool Encode(const uint8_t* pixels, int64_t width, int64_t height, int channels,
            std::string* out) {
  static constexpr uint8_t kColorType[5] = {0, 0, 4, 2, 6};  // by channel count
  const size_t row = static_cast<size_t>(width) * channels;
  std::string raw(static_cast<size_t>(height) * (row + 1), '\0');
  for (int64_t y = 0; y < height; ++y)  // each row: filter byte 0, then the samples
    std::memcpy(&raw[y * (row + 1) + 1], pixels + y * row, row);

  std::string idat;
  const Zlib& z = LoadZlib();
  if (z.compress2) {
    unsigned long len = z.compress_bound(raw.size());
    idat.resize(len);
    if (z.compress2(reinterpret_cast<unsigned char*>(&idat[0]), &len,
                    reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    kZDefaultCompression) != kZOk)
      return false;
    idat.resize(len);
  } else {
    StoredZlib(raw, &idat);
  }

  std::string ihdr;
  PutBe32(&ihdr, static_cast<uint32_t>(width));
  PutBe32(&ihdr, static_cast<uint32_t>(height));
  ihdr.push_back(8);  // bits per sample
  ihdr.push_back(static_cast<char>(kColorType[channels]));
  ihdr.append(3, '\0');  // deflate, adaptive filtering (method 0), no interlace

  out->clear();
  out->append("\x89PNG\r\n\x1a\n", 8);
  Chunk(out, "IHDR", ihdr);
  Chunk(out, "IDAT", idat);
  Chunk(out, "IEND", std::string());
  return true;
}

}  // namespace png
}  // namespace gf
