// BiasAdd (value + bias along the channel dim) and BiasAddGrad (the sum of
// out_backprop over every dim but the channel dim). data_format NHWC puts
// channels last; NCHW puts them at dim 1.
#include <algorithm>
#include <cstring>
#include <vector>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "kernels/nn_util.h"
#include "runtime/thread_pool.h"

namespace gf {

// The value viewed as [outer, channels, inner].
struct BiasLayout {
  int64_t outer = 1, channels = 1, inner = 1;
};

static Status GetLayout(const std::string& op_name, const Tensor& v, bool nchw, BiasLayout* l) {
  if (v.rank() < 2)
    return InvalidArgument(StrCat(op_name, ": input must be at least 2-D, got shape ",
                                  v.shape().DebugString()));
  const int c = nchw ? 1 : v.rank() - 1;
  l->channels = v.dim(c);
  l->outer = 1;
  for (int i = 0; i < c; ++i) l->outer *= v.dim(i);
  l->inner = 1;
  for (int i = c + 1; i < v.rank(); ++i) l->inner *= v.dim(i);
  return Status::OK();
}

template <typename T>
class BiasAddOp : public OpKernel {
 public:
  explicit BiasAddOp(OpKernelConstruction* c) : OpKernel(c) {
    nchw_ = c->attrs.GetOr<std::string>("data_format", "NHWC") == "NCHW";
  }
  void Compute(OpKernelContext* ctx) override {
    const Tensor& v = ctx->input(0);
    const Tensor& bias = ctx->input(1);
    BiasLayout l;
    GF_REQUIRE_OK(ctx, GetLayout(name(), v, nchw_, &l));
    GF_REQUIRE(ctx, bias.rank() == 1 && bias.dim(0) == l.channels,
               InvalidArgument(StrCat(name(), ": Must provide as many biases as the channel "
                                      "dimension of the input tensor: bias shape ",
                                      bias.shape().DebugString(), " vs. ", l.channels,
                                      " channels in ", v.shape().DebugString())));
    const Shape s = v.shape();
    const T* in = v.data<T>();
    const T* b = bias.data<T>();
    Tensor* y = ctx->forward_input_or_allocate(0, 0, v.dtype(), s);
    T* out = y->data<T>();
    const int64_t C = l.channels, I = l.inner;
    ParallelFor(ctx->intra_op(), l.outer, C * I, [&](int64_t ob, int64_t oe) {
      for (int64_t o = ob; o < oe; ++o) {
        for (int64_t c = 0; c < C; ++c) {
          const T bc = b[c];
          const int64_t base = (o * C + c) * I;
          if (I == 1) {
            out[base] = T(in[base] + bc);
          } else {
            for (int64_t i = 0; i < I; ++i) out[base + i] = T(in[base + i] + bc);
          }
        }
      }
    });
  }

 private:
  bool nchw_ = false;
};

// Few channels (NHWC, C < kWide): rows are summed kWide/C at a time into a
// wide accumulator, a contiguous vectorisable loop, then folded into acc[C].
// Returns the rows done; the caller adds the remaining (< kWide/C) ones.
constexpr int64_t kWide = 64;
template <typename T, typename A>
int64_t SumNarrowRows(const T* __restrict in, int64_t rows, int64_t C, A* __restrict acc) {
  const int64_t per = kWide / C, width = per * C, chunks = rows / per;
  A wide[kWide] = {};
  for (int64_t q = 0; q < chunks; ++q) {
    const T* __restrict p = in + q * width;
    for (int64_t j = 0; j < width; ++j) wide[j] += A(p[j]);
  }
  for (int64_t k = 0; k < per; ++k)
    for (int64_t c = 0; c < C; ++c) acc[c] += wide[k * C + c];
  return chunks * per;
}

template <typename T>
class BiasAddGradOp : public OpKernel {
 public:
  explicit BiasAddGradOp(OpKernelConstruction* c) : OpKernel(c) {
    nchw_ = c->attrs.GetOr<std::string>("data_format", "NHWC") == "NCHW";
  }
  void Compute(OpKernelContext* ctx) override {
    const Tensor& g = ctx->input(0);
    BiasLayout l;
    GF_REQUIRE_OK(ctx, GetLayout(name(), g, nchw_, &l));
    using A = typename Acc<T>::type;
    const int64_t C = l.channels, I = l.inner;
    const T* in = g.data<T>();
    // Fixed blocks of rows, summed in parallel and then in order, so the
    // result does not depend on the number of threads.
    constexpr int64_t kRows = 256;
    const int64_t blocks = (l.outer + kRows - 1) / kRows;
    std::vector<A> partial(static_cast<size_t>(blocks * C), A(0));
    ParallelFor(ctx->intra_op(), blocks, kRows * C * I, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b) {
        A* acc = partial.data() + b * C;
        const int64_t end = std::min(l.outer, (b + 1) * kRows);
        int64_t o = b * kRows;
        if (I == 1 && C < kWide) o = SumNarrowRows(in + o * C, end - o, C, acc) + o;
        for (; o < end; ++o) {
          const T* row = in + o * C * I;
          if (I == 1) {  // NHWC: channels innermost, a vectorisable add per row
            for (int64_t c = 0; c < C; ++c) acc[c] += A(row[c]);
          } else {
            for (int64_t c = 0; c < C; ++c) {
              const T* p = row + c * I;
              A s = 0;
              for (int64_t i = 0; i < I; ++i) s += A(p[i]);
              acc[c] += s;
            }
          }
        }
      }
    });
    std::vector<A> acc(C, A(0));
    for (int64_t b = 0; b < blocks; ++b)
      for (int64_t c = 0; c < C; ++c) acc[c] += partial[b * C + c];
    Tensor* out = ctx->allocate_output(0, g.dtype(), Shape{C});
    for (int64_t c = 0; c < C; ++c) out->data<T>()[c] = T(acc[c]);
  }

 private:
  bool nchw_ = false;
};

#define GF_REGISTER_BIAS(T)                                                   \
  REGISTER_KERNEL("BiasAdd", "CPU", DTypeOf<T>::value, BiasAddOp<T>);         \
  REGISTER_KERNEL("BiasAddGrad", "CPU", DTypeOf<T>::value, BiasAddGradOp<T>);
GF_REGISTER_BIAS(float)
GF_REGISTER_BIAS(double)
GF_REGISTER_BIAS(Half)
GF_REGISTER_BIAS(int32_t)
GF_REGISTER_BIAS(int64_t)

}  // namespace gf
