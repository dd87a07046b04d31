// Protocol-buffer wire format without libprotobuf: a writer that lets kernels
// emit small messages (Summary protos) with the bytes protobuf's own
// serializers produce, and a reader that walks the fields of a serialized
// message.
//
// Byte equality with protobuf holds when callers write fields in ascending
// field number (as protobuf does) and follow proto3's implicit presence: a
// singular scalar or string equal to zero (all bits zero, so -0.0 is
// written) or empty is left out, while oneof members, repeated elements and
// sub-messages that were set are always written. The *IfSet methods do the
// leaving out.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace gf {
namespace wire {

enum WireType : int { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// Appends fields to a string; a sub-message is written into its own string
// first and then added with Bytes() (its length must precede it).
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void Key(int field, WireType type) { Varint((static_cast<uint64_t>(field) << 3) | type); }

  // int32/int64/enum fields; negative values take ten bytes, as in protobuf.
  void Int(int field, int64_t v) {
    Key(field, kVarint);
    Varint(static_cast<uint64_t>(v));
  }
  void Float(int field, float v) {
    Key(field, kFixed32);
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    Fixed(bits, 4);
  }
  void Double(int field, double v) {
    Key(field, kFixed64);
    Fixed(Bits(v), 8);
  }
  void Bytes(int field, std::string_view v) {
    Key(field, kLengthDelimited);
    Varint(v.size());
    out_->append(v.data(), v.size());
  }
  // A packed repeated double field (proto3's encoding); nothing when n == 0.
  void PackedDoubles(int field, const double* v, size_t n) {
    if (n == 0) return;
    Key(field, kLengthDelimited);
    Varint(n * 8);
    for (size_t i = 0; i < n; ++i) Fixed(Bits(v[i]), 8);
  }

  // Proto3 singular fields: written only when not zero / not empty.
  void IntIfSet(int field, int64_t v) {
    if (v != 0) Int(field, v);
  }
  void DoubleIfSet(int field, double v) {
    if (Bits(v) != 0) Double(field, v);
  }
  void BytesIfSet(int field, std::string_view v) {
    if (!v.empty()) Bytes(field, v);
  }

 private:
  static uint64_t Bits(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    return bits;
  }
  void Fixed(uint64_t bits, int bytes) {  // little-endian
    for (int i = 0; i < bytes; ++i) out_->push_back(static_cast<char>(bits >> (8 * i)));
  }

  std::string* out_;
};

// One field of a serialized message: `value` for varint and fixed fields,
// `bytes` (the payload, without key and length) for length-delimited ones.
struct Field {
  int number = 0;
  WireType type = kVarint;
  uint64_t value = 0;
  std::string_view bytes;
};

// Walks the fields of a serialized message in order:
//   Reader r(data); Field f; while (r.Next(&f)) {...}; if (!r.ok()) malformed
// Groups (wire types 3 and 4, unused by proto3) count as malformed.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  // The next field; false at the end of the data or on malformed input.
  bool Next(Field* f) {
    if (p_ == end_ || !ok_) return false;
    uint64_t key;
    if (!ReadVarint(&key) || (key >> 3) == 0 || (key >> 3) > 0x1fffffff) return Fail();
    f->number = static_cast<int>(key >> 3);
    f->type = static_cast<WireType>(key & 7);
    switch (f->type) {
      case kVarint:
        return ReadVarint(&f->value) || Fail();
      case kFixed64:
        return ReadFixed(8, &f->value) || Fail();
      case kFixed32:
        return ReadFixed(4, &f->value) || Fail();
      case kLengthDelimited: {
        uint64_t n;
        if (!ReadVarint(&n) || n > static_cast<uint64_t>(end_ - p_)) return Fail();
        f->bytes = std::string_view(p_, n);
        p_ += n;
        return true;
      }
      default:
        return Fail();
    }
  }
  // False once malformed input was met.
  bool ok() const { return ok_; }

 private:
  bool Fail() {
    ok_ = false;
    return false;
  }
  bool ReadVarint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      const uint8_t b = static_cast<uint8_t>(*p_++);
      *v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool ReadFixed(int bytes, uint64_t* v) {
    if (end_ - p_ < bytes) return false;
    *v = 0;
    for (int i = 0; i < bytes; ++i)
      *v |= static_cast<uint64_t>(static_cast<uint8_t>(p_[i])) << (8 * i);
    p_ += bytes;
    return true;
  }

  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace wire
}  // namespace gf
