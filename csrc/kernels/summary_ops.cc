// Summary ops: ScalarSummary, HistogramSummary, ImageSummary, TensorSummaryV2
// and MergeSummary. Each outputs one serialized Summary proto (a scalar
// string) with the bytes protobuf's serializer gives the same message (the
// NumPy references build it with graphflow.protos.summary_pb2), so
// FileWriter, TensorBoard and TensorFlow read it. Values, tags, histogram
// buckets, image scaling and error cases follow TensorFlow's kernels.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "kernels/indexing_util.h"
#include "kernels/png_encoder.h"
#include "kernels/protobuf_wire.h"
#include "runtime/thread_pool.h"

namespace gf {
namespace {

// Field numbers of protos/graphflow/{summary,histogram,tensor,tensor_shape}.proto.
namespace field {
constexpr int kSummaryValue = 1;
constexpr int kValueTag = 1, kValueSimpleValue = 2, kValueImage = 4, kValueHisto = 5,
              kValueTensor = 8, kValueMetadata = 9;
constexpr int kImageHeight = 1, kImageWidth = 2, kImageColorspace = 3, kImageEncoded = 4;
constexpr int kHistoMin = 1, kHistoMax = 2, kHistoNum = 3, kHistoSum = 4, kHistoSumSquares = 5,
              kHistoBucketLimit = 6, kHistoBucket = 7;
constexpr int kTensorDtype = 1, kTensorShape = 2, kTensorContent = 4, kTensorStringVal = 8;
constexpr int kShapeDim = 2, kDimSize = 1;
}  // namespace field

class SummaryKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;

 protected:
  Status Error(const std::string& msg) const {
    return InvalidArgument(StrCat(op(), " '", name(), "': ", msg));
  }
  Status RequireScalar(const Tensor& t, const char* what) const {
    if (t.rank() == 0) return Status::OK();
    return Error(StrCat(what, " must be a scalar, got shape ", t.shape().DebugString()));
  }
  static void Output(OpKernelContext* ctx, std::string summary) {
    *ctx->allocate_output(0, DType::kString, Shape())->data<std::string>() = std::move(summary);
  }
};

// Adds Summary.value = {tag, <body>} to `summary`; `body` holds the value's
// fields after the tag, already in field-number order.
void AddValue(std::string* summary, const std::string& tag, const std::string& body) {
  std::string value;
  wire::Writer(&value).BytesIfSet(field::kValueTag, tag);
  value += body;
  wire::Writer(summary).Bytes(field::kSummaryValue, value);
}

// --- ScalarSummary: one simple_value (float) per tag ---------------------------------

template <typename T>
class ScalarSummaryOp : public SummaryKernel {
 public:
  using SummaryKernel::SummaryKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& tags = ctx->input(0);
    const Tensor& values = ctx->input(1);
    GF_REQUIRE(ctx, tags.shape() == values.shape(),
               Error(StrCat("tags and values are not the same shape: tags ",
                            tags.shape().DebugString(), " != values ",
                            values.shape().DebugString(),
                            tags.num_elements() == 1
                                ? StrCat(" (tag '", *tags.data<std::string>(), "')")
                                : std::string())));
    const std::string* t = tags.data<std::string>();
    const T* v = values.data<T>();
    std::string summary, body;
    for (int64_t i = 0; i < tags.num_elements(); ++i) {
      body.clear();
      wire::Writer(&body).Float(field::kValueSimpleValue, static_cast<float>(v[i]));
      AddValue(&summary, t[i], body);
    }
    Output(ctx, std::move(summary));
  }
};

// --- HistogramSummary ----------------------------------------------------------------

// TF's default bucket limits (core/lib/histogram): -DBL_MAX, the negated
// geometric series below, 0, then 1e-12 * 1.1^k for every value below 1e20,
// then DBL_MAX. Bucket i counts the values v with limit[i-1] <= v < limit[i].
const std::vector<double>& DefaultBucketLimits() {
  static const std::vector<double> limits = [] {
    std::vector<double> pos;
    for (double v = 1.0e-12; v < 1.0e20; v *= 1.1) pos.push_back(v);
    pos.push_back(DBL_MAX);
    std::vector<double> all;
    for (auto it = pos.rbegin(); it != pos.rend(); ++it) all.push_back(-*it);
    all.push_back(0.0);
    all.insert(all.end(), pos.begin(), pos.end());
    return all;
  }();
  return limits;
}

template <typename T>
class HistogramSummaryOp : public SummaryKernel {
 public:
  using SummaryKernel::SummaryKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& tag = ctx->input(0);
    const Tensor& values = ctx->input(1);
    GF_REQUIRE_OK(ctx, RequireScalar(tag, "tag"));
    const T* v = values.data<T>();
    const int64_t n = values.num_elements();

    // Min, max and the sums run in element order, as TF adds values one by
    // one (so the sums round the same way).
    double lo = DBL_MAX, hi = -DBL_MAX, sum = 0, sum_squares = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double x = static_cast<double>(v[i]);
      if (!std::isfinite(x)) {
        const bool nan = std::isnan(x);
        ctx->SetStatus(Error(StrCat(nan ? "Nan in summary histogram for: "
                                        : "Infinity in Histogram for: ",
                                    name(), " (values must be finite, got ",
                                    nan ? "nan" : x > 0 ? "inf" : "-inf", " at values",
                                    FormatPosition(values.shape(), i), ")")));
        return;
      }
      if (lo > x) lo = x;
      if (hi < x) hi = x;
      sum += x;
      sum_squares += x * x;
    }

    const std::vector<double>& limits = DefaultBucketLimits();
    const size_t nb = limits.size();
    std::vector<int64_t> counts(nb, 0);
    std::mutex mu;
    ParallelFor(ctx->intra_op(), n, 40, [&](int64_t b, int64_t e) {
      std::vector<int64_t> local(nb, 0);
      for (int64_t i = b; i < e; ++i) {
        const double x = static_cast<double>(v[i]);
        // DBL_MAX itself lands in the last bucket (TF would index past it).
        const size_t k = std::upper_bound(limits.begin(), limits.end(), x) - limits.begin();
        ++local[std::min(k, nb - 1)];
      }
      std::lock_guard<std::mutex> lock(mu);
      for (size_t k = 0; k < nb; ++k) counts[k] += local[k];
    });

    // TF's encoding: non-empty buckets as they are, each run of empty ones
    // as one empty bucket ending at the run's last limit.
    std::vector<double> out_limits, out_counts;
    for (size_t i = 0; i < nb;) {
      double end = limits[i];
      const int64_t count = counts[i++];
      if (count == 0)
        while (i < nb && counts[i] == 0) end = limits[i++];
      out_limits.push_back(end);
      out_counts.push_back(static_cast<double>(count));
    }

    std::string histo;
    wire::Writer h(&histo);
    h.DoubleIfSet(field::kHistoMin, lo);
    h.DoubleIfSet(field::kHistoMax, hi);
    h.DoubleIfSet(field::kHistoNum, static_cast<double>(n));
    h.DoubleIfSet(field::kHistoSum, sum);
    h.DoubleIfSet(field::kHistoSumSquares, sum_squares);
    h.PackedDoubles(field::kHistoBucketLimit, out_limits.data(), out_limits.size());
    h.PackedDoubles(field::kHistoBucket, out_counts.data(), out_counts.size());
    std::string body;
    wire::Writer(&body).Bytes(field::kValueHisto, histo);
    std::string summary;
    AddValue(&summary, *tag.data<std::string>(), body);
    Output(ctx, std::move(summary));
  }
};

// --- ImageSummary --------------------------------------------------------------------

// value * scale + offset in T's arithmetic, truncated to uint8 as TF's cast
// does. Half rounds after each operation, as Eigen::half does. (Exactness
// also needs the multiply and add unfused: the baseline x86-64 flags have
// no FMA.)
template <typename T>
uint8_t Affine(T value, T scale, T offset) {
  return static_cast<uint8_t>(value * scale + offset);
}
template <>
uint8_t Affine<Half>(Half value, Half scale, Half offset) {
  const Half product(static_cast<float>(value) * static_cast<float>(scale));
  return static_cast<uint8_t>(
      static_cast<float>(Half(static_cast<float>(product) + static_cast<float>(offset))));
}

// TF's mapping of one float image [hw, depth] to uint8: pixels with a
// non-finite channel become bad_color; the others are scaled by the range of
// those finite pixels (computed in float): by 255 / max when none is
// negative, else by 127 / max|v| around 128; by 0 when that range is below
// 1e-6.
template <typename T>
void NormalizeImage(const T* px, int64_t hw, int depth, const uint8_t* bad_color, uint8_t* out) {
  auto finite = [&](int64_t i) {
    for (int j = 0; j < depth; ++j)
      if (!std::isfinite(static_cast<double>(px[i * depth + j]))) return false;
    return true;
  };
  float lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < hw; ++i) {
    if (!finite(i)) continue;
    for (int j = 0; j < depth; ++j) {
      const float x = static_cast<float>(px[i * depth + j]);
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  const float kZeroThreshold = 1e-6f;
  T scale, offset;
  if (lo < 0) {
    const float m = std::max(std::fabs(lo), std::fabs(hi));
    scale = T(m < kZeroThreshold ? 0.0f : 127.0f / m);
    offset = T(128.0f);
  } else {
    scale = T(hi < kZeroThreshold ? 0.0f : 255.0f / hi);
    offset = T(0.0f);
  }
  for (int64_t i = 0; i < hw; ++i) {
    uint8_t* o = out + i * depth;
    if (finite(i)) {
      for (int j = 0; j < depth; ++j) o[j] = Affine(px[i * depth + j], scale, offset);
    } else {
      std::copy(bad_color, bad_color + depth, o);
    }
  }
}

template <typename T>
class ImageSummaryOp : public SummaryKernel {
 public:
  explicit ImageSummaryOp(OpKernelConstruction* c) : SummaryKernel(c) {
    c->GetAttr("max_images", &max_images_);
    if (!c->GetAttr("bad_color", &bad_color_)) return;
    if (bad_color_.dtype() != DType::kUInt8 || bad_color_.rank() != 1)
      c->SetStatus(Error(StrCat("bad_color must be a uint8 vector, got ",
                                bad_color_.DebugString())));
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& tag = ctx->input(0);
    const Tensor& images = ctx->input(1);
    GF_REQUIRE_OK(ctx, RequireScalar(tag, "tag"));
    const Shape& s = images.shape();
    GF_REQUIRE(ctx, s.rank() == 4 && (s[3] == 1 || s[3] == 3 || s[3] == 4),
               Error(StrCat("tensor must be 4-D [batch, height, width, channels] with 1, 3 or "
                            "4 channels, got shape ", s.DebugString())));
    GF_REQUIRE(ctx, s[0] < (int64_t{1} << 31) && s[1] < (int64_t{1} << 31) &&
                        s[2] < (int64_t{1} << 31) && s[1] * s[2] < (int64_t{1} << 29),
               Error(StrCat("tensor too large for an image summary: shape ", s.DebugString(),
                            " (height * width must be below 2^29)")));
    const int64_t batch = s[0], h = s[1], w = s[2], hw = h * w;
    const int depth = static_cast<int>(s[3]);
    GF_REQUIRE(ctx, hw > 0,
               Error(StrCat("input tensor must have non-zero dims. Found: ", s.DebugString())));
    const bool is_float = images.dtype() != DType::kUInt8;
    GF_REQUIRE(ctx, !is_float || bad_color_.dim(0) >= depth,
               Error(StrCat("expected depth <= bad_color.size, got depth = ", depth,
                            ", bad_color.size = ", bad_color_.dim(0))));

    const int64_t n = std::min<int64_t>(max_images_, batch);
    std::vector<std::string> pngs(n);
    std::vector<char> failed(n, 0);
    const T* px = images.data<T>();
    ParallelFor(ctx->intra_op(), n, 200 * hw * depth, [&](int64_t b, int64_t e) {
      std::vector<uint8_t> scaled(is_float ? hw * depth : 0);
      for (int64_t i = b; i < e; ++i) {
        const uint8_t* pixels;
        if constexpr (std::is_same_v<T, uint8_t>) {
          pixels = px + i * hw * depth;
        } else {
          NormalizeImage(px + i * hw * depth, hw, depth, bad_color_.data<uint8_t>(),
                         scaled.data());
          pixels = scaled.data();
        }
        failed[i] = !png::Encode(pixels, w, h, depth, &pngs[i]);
      }
    });

    std::string summary, image, body;
    for (int64_t i = 0; i < n; ++i) {
      GF_REQUIRE(ctx, !failed[i], Internal(StrCat(op(), " '", name(), "': PNG encoding failed")));
      image.clear();
      wire::Writer im(&image);
      im.IntIfSet(field::kImageHeight, h);
      im.IntIfSet(field::kImageWidth, w);
      im.IntIfSet(field::kImageColorspace, depth);
      im.BytesIfSet(field::kImageEncoded, pngs[i]);
      body.clear();
      wire::Writer(&body).Bytes(field::kValueImage, image);
      // The tag depends on max_images, not on how many images there are.
      const std::string& base = *tag.data<std::string>();
      AddValue(&summary, max_images_ > 1 ? StrCat(base, "/image/", i) : base + "/image", body);
    }
    Output(ctx, std::move(summary));
  }

 private:
  int64_t max_images_ = 3;
  Tensor bad_color_;
};

// --- TensorSummaryV2 -----------------------------------------------------------------

// A TensorProto as TF's kernel writes it: dtype, shape, then the raw
// little-endian bytes in tensor_content, or one string_val per element for
// strings.
std::string TensorProtoOf(const Tensor& t) {
  std::string proto, shape, dim;
  wire::Writer p(&proto);
  p.IntIfSet(field::kTensorDtype, static_cast<int>(t.dtype()));
  wire::Writer sw(&shape);
  for (int i = 0; i < t.rank(); ++i) {
    dim.clear();
    wire::Writer(&dim).IntIfSet(field::kDimSize, t.dim(i));
    sw.Bytes(field::kShapeDim, dim);
  }
  p.Bytes(field::kTensorShape, shape);
  if (t.dtype() == DType::kString) {
    const std::string* s = t.data<std::string>();
    for (int64_t i = 0; i < t.num_elements(); ++i) p.Bytes(field::kTensorStringVal, s[i]);
  } else {
    p.BytesIfSet(field::kTensorContent,
                 std::string_view(static_cast<const char*>(t.raw()), t.bytes()));
  }
  return proto;
}

bool IsWellFormed(std::string_view message) {
  wire::Reader r(message);
  wire::Field f;
  while (r.Next(&f)) {
  }
  return r.ok();
}

class TensorSummaryV2Op : public SummaryKernel {
 public:
  using SummaryKernel::SummaryKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& tag = ctx->input(0);
    const Tensor& metadata = ctx->input(2);
    GF_REQUIRE_OK(ctx, RequireScalar(tag, "tag"));
    GF_REQUIRE_OK(ctx, RequireScalar(metadata, "serialized_summary_metadata"));
    // Copied as it is: the same bytes as parsing and re-serializing a
    // SummaryMetadata that protobuf serialized.
    const std::string& meta = *metadata.data<std::string>();
    GF_REQUIRE(ctx, IsWellFormed(meta),
               Error(StrCat("serialized_summary_metadata is not a serialized SummaryMetadata "
                            "proto (", meta.size(), " bytes)")));
    std::string body;
    wire::Writer b(&body);
    b.Bytes(field::kValueTensor, TensorProtoOf(ctx->input(1)));
    b.Bytes(field::kValueMetadata, meta);
    std::string summary;
    AddValue(&summary, *tag.data<std::string>(), body);
    Output(ctx, std::move(summary));
  }
};

// --- MergeSummary --------------------------------------------------------------------

// The values of every serialized Summary in every input, in order; a
// non-empty tag may appear only once.
class MergeSummaryOp : public SummaryKernel {
 public:
  using SummaryKernel::SummaryKernel;

  void Compute(OpKernelContext* ctx) override {
    std::string summary;
    std::unordered_map<std::string_view, int> first_input;  // tag -> input that had it
    for (int in = 0; in < ctx->num_inputs(); ++in) {
      const Tensor& t = ctx->input(in);
      const std::string* s = t.data<std::string>();
      for (int64_t e = 0; e < t.num_elements(); ++e) {
        wire::Reader r(s[e]);
        wire::Field f;
        while (r.Next(&f)) {
          if (f.number != field::kSummaryValue || f.type != wire::kLengthDelimited) continue;
          std::string_view tag;
          GF_REQUIRE(ctx, TagOf(f.bytes, &tag), ParseError(in, t, e));
          if (!tag.empty()) {
            auto [it, fresh] = first_input.emplace(tag, in);
            GF_REQUIRE(ctx, fresh,
                       Error(StrCat("Duplicate tag ", tag, " found in summary inputs (in input ",
                                    it->second, " and input ", in,
                                    "); each tag may appear once")));
          }
          wire::Writer(&summary).Bytes(field::kSummaryValue, f.bytes);
        }
        GF_REQUIRE(ctx, r.ok(), ParseError(in, t, e));
      }
    }
    Output(ctx, std::move(summary));
  }

 private:
  // The tag of a serialized Summary.Value (its last tag field, as protobuf
  // parsing keeps); false if the value is malformed.
  static bool TagOf(std::string_view value, std::string_view* tag) {
    wire::Reader r(value);
    wire::Field f;
    while (r.Next(&f))
      if (f.number == field::kValueTag && f.type == wire::kLengthDelimited) *tag = f.bytes;
    return r.ok();
  }
  Status ParseError(int input, const Tensor& t, int64_t element) const {
    return Error(StrCat("Could not parse one of the summary inputs: inputs[", input, "]",
                        FormatPosition(t.shape(), element), " is not a serialized Summary proto"));
  }
};

}  // namespace

#define REGISTER_SUMMARY(DT, T)                                              \
  REGISTER_KERNEL("ScalarSummary", "CPU", DT, ScalarSummaryOp<T>);          \
  REGISTER_KERNEL("HistogramSummary", "CPU", DT, HistogramSummaryOp<T>);
REGISTER_SUMMARY(DType::kFloat, float)
REGISTER_SUMMARY(DType::kDouble, double)
REGISTER_SUMMARY(DType::kInt32, int32_t)
REGISTER_SUMMARY(DType::kUInt8, uint8_t)
REGISTER_SUMMARY(DType::kInt16, int16_t)
REGISTER_SUMMARY(DType::kInt8, int8_t)
REGISTER_SUMMARY(DType::kInt64, int64_t)
REGISTER_SUMMARY(DType::kHalf, Half)
#undef REGISTER_SUMMARY

REGISTER_KERNEL("ImageSummary", "CPU", DType::kUInt8, ImageSummaryOp<uint8_t>);
REGISTER_KERNEL("ImageSummary", "CPU", DType::kFloat, ImageSummaryOp<float>);
REGISTER_KERNEL("ImageSummary", "CPU", DType::kHalf, ImageSummaryOp<Half>);
REGISTER_KERNEL("ImageSummary", "CPU", DType::kDouble, ImageSummaryOp<double>);
// Any tensor: the dtype only decides how the TensorProto holds the values.
REGISTER_KERNEL("TensorSummaryV2", "CPU", DType::kInvalid, TensorSummaryV2Op);
REGISTER_KERNEL("TensorSummaryV2", "CPU", DType::kString, TensorSummaryV2Op);
REGISTER_KERNEL("MergeSummary", "CPU", DType::kInvalid, MergeSummaryOp);

}  // namespace gf
