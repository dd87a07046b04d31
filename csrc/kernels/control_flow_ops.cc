// Switch and Merge, the two primitives under tf.cond. Switch forwards its
// data to output 1 when pred is true and to output 0 otherwise; the other
// output is dead, and the executor skips everything downstream of it. Merge
// forwards whichever input is live. Values pass through without a copy.
#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"

namespace gf {

class SwitchOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  bool IsExpensive() const override { return false; }
  void Compute(OpKernelContext* ctx) override {
    const Tensor& pred = ctx->input(1);
    GF_REQUIRE(ctx, pred.dtype() == DType::kBool && pred.rank() == 0,
               InvalidArgument(StrCat(op(), " op '", name(), "': pred must be a bool scalar, "
                                      "got shape ", pred.shape().DebugString())));
    const int taken = *pred.data<bool>() ? 1 : 0;
    if (ctx->input_ref(0)) ctx->set_output_ref(taken, ctx->input_ref(0));  // RefSwitch
    else ctx->set_output(taken, ctx->take_input(0));
    ctx->set_output_dead(1 - taken);
  }
};

class MergeOp : public OpKernel {
 public:
  using OpKernel::OpKernel;
  bool IsExpensive() const override { return false; }
  bool HandlesDeadInputs() const override { return true; }
  void Compute(OpKernelContext* ctx) override {
    for (int i = 0; i < ctx->num_inputs(); ++i) {
      if (ctx->input_dead(i)) continue;
      ctx->set_output(0, ctx->take_input(i));
      Tensor* index = ctx->allocate_output(1, DType::kInt32, Shape());
      *index->data<int32_t>() = i;
      return;
    }
    ctx->set_dead();  // no input live: neither branch ran
  }
};

REGISTER_KERNEL("Switch", "CPU", DType::kInvalid, SwitchOp);
REGISTER_KERNEL("Switch", "CPU", DType::kString, SwitchOp);
REGISTER_KERNEL("RefSwitch", "CPU", DType::kInvalid, SwitchOp);
REGISTER_KERNEL("Merge", "CPU", DType::kInvalid, MergeOp);
REGISTER_KERNEL("Merge", "CPU", DType::kString, MergeOp);

}  // namespace gf
