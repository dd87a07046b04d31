// ReverseSequence: slice b of the input along batch_dim has its first
// seq_lengths[b] elements along seq_dim reversed; everything else is copied.
//
// The input is viewed as [outer, X, mid, Y, inner], X and Y being the batch
// and seq dims in input order. The output is written in blocks of `inner`
// contiguous elements, (row, y) in row-major order with row = (outer, X, mid);
// a block's source differs from its own position only along the seq dim, so
// each block is one contiguous copy and work splits evenly over blocks
// whatever the layout (batch-major or time-major RNN inputs alike). Small
// blocks with the seq dim first ([time, batch] ids) go tile by tile of batch
// columns instead, for cache reuse (ReverseColumns).
#include <algorithm>
#include <string>
#include <vector>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "kernels/block_copy.h"
#include "kernels/indexing_util.h"

namespace gf {
namespace {

struct Layout {
  int64_t x = 1, mid = 1, y = 1, inner = 1;  // dim sizes
  bool seq_is_y = false;                     // batch_dim < seq_dim
};

template <typename U>
inline void CopyBlock(const U* src, int64_t n, U* dst) {
  if (n == 1) {
    *dst = *src;
  } else {
    std::copy_n(src, n, dst);
  }
}

// Writes output blocks [begin, end). Contract: every length is in [0, steps].
template <typename U>
void ReverseBlocks(const U* in, U* out, const Layout& l, const int64_t* lengths, int64_t begin,
                   int64_t end) {
  const int64_t I = l.inner;
  int64_t row = begin / l.y, y = begin % l.y;
  for (int64_t u = begin; u < end; ++row, y = 0) {
    const int64_t n = std::min(l.y - y, end - u);  // blocks of this row in the range
    const int64_t x = (row / l.mid) % l.x;
    const U* src = in + row * l.y * I;
    U* dst = out + row * l.y * I;
    if (l.seq_is_y) {  // x is the batch index, y the step
      const int64_t len = lengths[x];
      const int64_t reversed_end = std::min(y + n, len);
      for (int64_t t = y; t < reversed_end; ++t) CopyBlock(src + (len - 1 - t) * I, I, dst + t * I);
      const int64_t kept = std::max(y, len);
      if (kept < y + n) std::copy(src + kept * I, src + (y + n) * I, dst + kept * I);
    } else {  // x is the step, y the batch index; step x + d is d * mid rows away
      const int64_t step_stride = l.mid * l.y * I;
      for (int64_t b = y; b < y + n; ++b) {
        const int64_t len = lengths[b];
        const int64_t d = x < len ? len - 1 - 2 * x : 0;
        CopyBlock(src + d * step_stride + b * I, I, dst + b * I);
      }
    }
    u += n;
  }
}

// Bytes of a tile of batch columns in ReverseColumns.
constexpr int64_t kTileBytes = 128;

// The seq dim before the batch dim with small blocks: each output step reads
// every batch column from a different input step, so block by block the
// input lines are fetched again and again. Instead, unit u = (outer, mid,
// tile of batch columns) walks all steps of its columns: the input lines of
// one tile (steps x tile bytes) stay in cache while the columns reach them at
// their different steps. Writes units [begin, end).
template <typename U>
void ReverseColumns(const U* in, U* out, const Layout& l, const int64_t* lengths, int64_t tile,
                    int64_t begin, int64_t end) {
  const int64_t I = l.inner;
  const int64_t tiles = (l.y + tile - 1) / tile;
  const int64_t step_stride = l.mid * l.y * I;
  for (int64_t u = begin; u < end; ++u) {
    const int64_t outer_mid = u / tiles;  // outer * mid + m
    const int64_t base = ((outer_mid / l.mid) * l.x * l.mid + outer_mid % l.mid) * l.y * I;
    const int64_t b0 = (u % tiles) * tile, b1 = std::min(l.y, b0 + tile);
    for (int64_t x = 0; x < l.x; ++x) {
      const U* src = in + base + x * step_stride;
      U* dst = out + base + x * step_stride;
      for (int64_t b = b0; b < b1; ++b) {
        const int64_t len = lengths[b];
        const int64_t d = x < len ? len - 1 - 2 * x : 0;
        CopyBlock(src + d * step_stride + b * I, I, dst + b * I);
      }
    }
  }
}

class ReverseSequenceOp : public OpKernel {
 public:
  explicit ReverseSequenceOp(OpKernelConstruction* c) : OpKernel(c) {
    c->GetAttr("seq_dim", &seq_dim_);
    c->GetAttr("batch_dim", &batch_dim_);
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& in = ctx->input(0);
    const Tensor& lengths_t = ctx->input(1);
    const int64_t rank = in.rank();
    for (const auto& [what, d] : {std::pair<const char*, int64_t>{"seq_dim", seq_dim_},
                                  std::pair<const char*, int64_t>{"batch_dim", batch_dim_}}) {
      GF_REQUIRE(ctx, d >= 0 && d < rank,
                 Error(StrCat(what, " = ", d, " is not a dim of the input: expected 0 <= ", what,
                              " < ", rank)));
    }
    GF_REQUIRE(ctx, seq_dim_ != batch_dim_,
               Error(StrCat("seq_dim and batch_dim must be different dims, both are ", seq_dim_)));
    const int sd = static_cast<int>(seq_dim_), bd = static_cast<int>(batch_dim_);
    GF_REQUIRE(ctx, lengths_t.rank() == 1 && lengths_t.dim(0) == in.dim(bd),
               Error(StrCat("seq_lengths must be a vector of input.dim(batch_dim = ", bd, ") = ",
                            in.dim(bd), " elements, got shape ",
                            lengths_t.shape().DebugString())));
    std::vector<int64_t> lengths;
    GF_REQUIRE_OK(ctx, ReadIndices(lengths_t, "seq_lengths", &lengths));
    const int64_t steps = in.dim(sd);
    bool changes = false;
    for (size_t b = 0; b < lengths.size(); ++b) {
      GF_REQUIRE(ctx, lengths[b] >= 0 && lengths[b] <= steps,
                 Error(StrCat("seq_lengths[", b, "] = ", lengths[b], " is not in [0, ", steps,
                              "], the size of input dim ", sd, " (seq_dim)")));
      changes = changes || lengths[b] > 1;
    }
    if (!changes) {  // sequences of 0 or 1 elements read the same backwards
      ctx->set_output(0, in);
      return;
    }
    Layout l;
    const int first = std::min(sd, bd), second = std::max(sd, bd);
    l.x = in.dim(first);
    l.y = in.dim(second);
    for (int d = first + 1; d < second; ++d) l.mid *= in.dim(d);
    for (int d = second + 1; d < rank; ++d) l.inner *= in.dim(d);
    l.seq_is_y = sd == second;
    Tensor* out = ctx->allocate_output(0, in.dtype(), in.shape());
    if (in.num_elements() == 0) return;
    const int64_t esize = static_cast<int64_t>(DTypeSize(in.dtype()));
    const int64_t block_bytes = l.inner * esize;
    auto run = [&](auto tag) {
      using U = decltype(tag);
      const U* src = static_cast<const U*>(in.raw());
      U* dst = static_cast<U*>(out->raw());
      if (!l.seq_is_y && block_bytes < kTileBytes) {
        const int64_t tile = kTileBytes / block_bytes;
        const int64_t units = in.num_elements() / (l.x * l.y * l.inner) * ((l.y + tile - 1) / tile);
        ParallelFor(ctx->intra_op(), units, l.x * tile * (block_bytes / 4 + 2),
                    [&](int64_t b, int64_t e) {
          ReverseColumns(src, dst, l, lengths.data(), tile, b, e);
        });
        return;
      }
      ParallelFor(ctx->intra_op(), in.num_elements() / l.inner, block_bytes / 4 + 4,
                  [&](int64_t b, int64_t e) {
        ReverseBlocks(src, dst, l, lengths.data(), b, e);
      });
    };
    if (in.dtype() == DType::kString) {  // std::string elements are assigned, not moved as bytes
      run(std::string{});
    } else {
      array_ops::WithElementType(DTypeSize(in.dtype()), run);
    }
  }

 private:
  Status Error(const std::string& msg) const {
    return InvalidArgument(StrCat(op(), " '", name(), "': ", msg));
  }

  int64_t seq_dim_ = 0;
  int64_t batch_dim_ = 0;
};

}  // namespace

// T is any type: the kernel moves elements by size (strings by assignment).
REGISTER_KERNEL("ReverseSequence", "CPU", DType::kInvalid, ReverseSequenceOp);
REGISTER_KERNEL("ReverseSequence", "CPU", DType::kString, ReverseSequenceOp);

}  // namespace gf
