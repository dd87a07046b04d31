// InTopKV2: precision[b] = whether targets[b] is among the k largest of
// predictions[b, :]. As TF: a class ties with the target's value counts as
// not more probable (so ties are in); a target outside [0, num_classes) or a
// row holding a non-finite prediction gives false. Rows split across the
// intra-op pool.
#include <cmath>
#include <cstdint>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "runtime/thread_pool.h"

namespace gf {
namespace {

template <typename T>
class InTopKOp : public OpKernel {
 public:
  using OpKernel::OpKernel;

  void Compute(OpKernelContext* ctx) override {
    const Tensor& pred = ctx->input(0);
    const Tensor& targets = ctx->input(1);
    const Tensor& k_t = ctx->input(2);
    GF_REQUIRE(ctx, k_t.rank() == 0,
               Error(StrCat("k must be 0-D, got shape ", k_t.shape().DebugString())));
    GF_REQUIRE(ctx, pred.rank() == 2,
               Error(StrCat("predictions must be 2-dimensional, got shape ",
                            pred.shape().DebugString())));
    GF_REQUIRE(ctx, targets.rank() == 1,
               Error(StrCat("targets must be 1-dimensional, got shape ",
                            targets.shape().DebugString())));
    const int64_t batch = pred.dim(0), classes = pred.dim(1);
    GF_REQUIRE(ctx, targets.dim(0) == batch,
               Error(StrCat("First dimension of predictions ", batch,
                            " must match length of targets ", targets.dim(0))));
    const int64_t k = static_cast<int64_t>(k_t.scalar<T>());
    const float* p = pred.data<float>();
    const T* t = targets.data<T>();
    bool* out = ctx->allocate_output(0, DType::kBool, Shape({batch}))->data<bool>();
    ParallelFor(ctx->intra_op(), batch, 2 * classes + 1, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const float* row = p + r * classes;
        const int64_t target = static_cast<int64_t>(t[r]);
        if (target < 0 || target >= classes) {
          out[r] = false;
          continue;
        }
        const float v = row[target];
        // One pass without early exit, so the loop vectorises; any non-finite
        // value makes the finite check fail (inf - inf and NaN are NaN).
        int64_t more = 0;
        float finite = 0.0f;
        for (int64_t c = 0; c < classes; ++c) {
          more += row[c] > v;
          finite += row[c] - row[c];
        }
        out[r] = finite == 0.0f && more < k;
      }
    });
  }

 private:
  Status Error(const std::string& msg) const {
    return InvalidArgument(StrCat(op(), " '", name(), "': ", msg));
  }
};

}  // namespace

REGISTER_KERNEL("InTopKV2", "CPU", DType::kInt32, InTopKOp<int32_t>);
REGISTER_KERNEL("InTopKV2", "CPU", DType::kInt64, InTopKOp<int64_t>);

}  // namespace gf
