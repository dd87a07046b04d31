// Cumsum and Cumprod: running sums/products along one axis, with TF's
// `exclusive` (each output leaves out its own element) and `reverse` (the
// scan runs from the end) attrs.
//
// The input is viewed as [outer, n, inner] around the scan axis. With inner
// == 1 each row is scanned on its own; otherwise a block of up to kBlock
// contiguous inner elements is carried down the n rows in a local
// accumulator, so the inner loop is contiguous and vectorises. Half
// accumulates in float and rounds each output once; integers wrap in their
// own width (int32/int64 add and multiply as unsigned, which is defined).
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "kernels/accumulate.h"
#include "kernels/index_inputs.h"
#include "runtime/thread_pool.h"

namespace gf {
namespace {

// The type a scan accumulates in.
template <typename T> struct AccOf { using type = T; };
template <> struct AccOf<Half> { using type = float; };
template <> struct AccOf<int32_t> { using type = uint32_t; };
template <> struct AccOf<int64_t> { using type = uint64_t; };

struct SumOp {
  template <typename A> static A Apply(A a, A b) { return static_cast<A>(a + b); }
  template <typename A> static A Identity() { return A(0); }
};

struct ProdOp {
  template <typename A> static A Apply(A a, A b) { return static_cast<A>(a * b); }
  template <typename A> static A Identity() { return A(1); }
};

constexpr int64_t kBlock = 256;

template <typename T, typename Op>
class ScanOp : public OpKernel {
 public:
  explicit ScanOp(OpKernelConstruction* c) : OpKernel(c) {
    c->GetAttr("exclusive", &exclusive_);
    c->GetAttr("reverse", &reverse_);
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    int64_t axis = 0;
    GF_REQUIRE_OK(ctx, array_ops::Prefixed(StrCat(op(), " '", name(), "'"),
                                           array_ops::ReadIndexScalar(ctx->input(1), "axis",
                                                                      &axis)));
    const int rank = x.rank();
    GF_REQUIRE(ctx, axis >= -rank && axis < rank,
               InvalidArgument(StrCat(op(), " '", name(), "': axis ", axis,
                                      " is out of range for input of rank ", rank,
                                      "; expected a value in [", -rank, ", ", rank, ")")));
    const int a = static_cast<int>(axis < 0 ? axis + rank : axis);
    Tensor* y = ctx->allocate_output(0, x.dtype(), x.shape());
    if (x.num_elements() == 0) return;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < a; ++d) outer *= x.dim(d);
    for (int d = a + 1; d < rank; ++d) inner *= x.dim(d);
    const int64_t n = x.dim(a);
    const T* in = x.data<T>();
    T* out = y->data<T>();
    if (inner == 1) {
      ParallelFor(ctx->intra_op(), outer, 4 * n, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) ScanRow(in + r * n, out + r * n, n);
      });
      return;
    }
    const int64_t blocks = (inner + kBlock - 1) / kBlock;
    ParallelFor(ctx->intra_op(), outer * blocks, 4 * n * std::min(inner, kBlock),
                [&](int64_t b, int64_t e) {
                  for (int64_t u = b; u < e; ++u) {
                    const int64_t o = u / blocks, k0 = (u % blocks) * kBlock;
                    const int64_t base = o * n * inner + k0;
                    ScanBlock(in + base, out + base, n, inner, std::min(kBlock, inner - k0));
                  }
                });
  }

 private:
  using A = typename AccOf<T>::type;

  // One row of n contiguous elements.
  void ScanRow(const T* in, T* out, int64_t n) const {
    A acc = Op::template Identity<A>();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = reverse_ ? n - 1 - i : i;
      const A v = static_cast<A>(in[j]);
      if (exclusive_) {
        out[j] = static_cast<T>(acc);
        acc = Op::Apply(acc, v);
      } else {
        acc = Op::Apply(acc, v);
        out[j] = static_cast<T>(acc);
      }
    }
  }

  // `width` contiguous columns carried down n rows that are `stride` apart.
  void ScanBlock(const T* in, T* out, int64_t n, int64_t stride, int64_t width) const {
    A acc[kBlock];
    std::fill(acc, acc + width, Op::template Identity<A>());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = reverse_ ? n - 1 - i : i;
      const T* src = in + j * stride;
      T* dst = out + j * stride;
      if (exclusive_) {
        for (int64_t k = 0; k < width; ++k) {
          dst[k] = static_cast<T>(acc[k]);
          acc[k] = Op::Apply(acc[k], static_cast<A>(src[k]));
        }
      } else {
        for (int64_t k = 0; k < width; ++k) {
          acc[k] = Op::Apply(acc[k], static_cast<A>(src[k]));
          dst[k] = static_cast<T>(acc[k]);
        }
      }
    }
  }

  bool exclusive_ = false;
  bool reverse_ = false;
};

template <typename T> using CumsumOp = ScanOp<T, SumOp>;
template <typename T> using CumprodOp = ScanOp<T, ProdOp>;

}  // namespace

GF_REGISTER_REAL_KERNELS("Cumsum", CumsumOp);
GF_REGISTER_REAL_KERNELS("Cumprod", CumprodOp);

}  // namespace gf
