// _Send/_Recv: the two ends of an edge between devices, inserted by the
// partition pass. They meet in the step's rendezvous under `tensor_name`.
// A dead value (or dead control edge) crosses too, so the _Recv side knows
// the branch was not taken instead of waiting forever.
#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "runtime/rendezvous.h"

namespace gf {

class SendOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  bool HandlesDeadInputs() const override { return true; }
  explicit SendOp(OpKernelConstruction* c) : OpKernel(c) { c->GetAttr("tensor_name", &key_); }
  void Compute(OpKernelContext* ctx) override {
    Entry e;
    e.dead = ctx->inputs_dead();
    if (!e.dead && ctx->num_inputs() > 0) {
      e.val = ctx->input(0);
      e.ref = ctx->input_ref(0);
    }
    GF_REQUIRE_OK(ctx, ctx->step()->rendezvous->Send(key_, e));
  }

 private:
  std::string key_;
};

class RecvOp : public AsyncOpKernel {
 public:
  explicit RecvOp(OpKernelConstruction* c) : AsyncOpKernel(c) { c->GetAttr("tensor_name", &key_); }
  void ComputeAsync(OpKernelContext* ctx, std::function<void()> done) override {
    ctx->step()->rendezvous->RecvAsync(key_, [ctx, done](const Status& s, const Entry& e) {
      if (!s.ok()) {
        ctx->SetStatus(s);
      } else if (e.dead) {
        ctx->set_dead();
      } else if (ctx->num_outputs() > 0) {
        if (e.ref) ctx->set_output_ref(0, e.ref);
        else ctx->set_output(0, e.val);
      }
      done();
    });
  }

 private:
  std::string key_;
};

REGISTER_KERNEL("_Send", "CPU", DType::kInvalid, SendOp);
REGISTER_KERNEL("_Recv", "CPU", DType::kInvalid, RecvOp);

}  // namespace gf
