// The kernel interface. A kernel is constructed once per (session, run
// signature) from its node's attributes (stateful kernels once per session),
// then Compute()d every step. Compute must be thread-safe across steps for
// stateless kernels; stateful kernels guard their own state.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "framework/attr.h"

namespace gf {

class Device;
class ResourceMgr;
class Rendezvous;
class ThreadPool;
class Var;

// What a kernel sees when it is built.
class OpKernelConstruction {
 public:
  std::string name;            // node name, e.g. "layer1/MatMul"
  std::string op;              // op type, e.g. "MatMul"
  AttrMap attrs;
  std::vector<DType> input_types;
  std::vector<DType> output_types;
  Device* device = nullptr;
  ResourceMgr* resources = nullptr;
  Status status;

  template <typename T>
  bool GetAttr(const std::string& attr, T* out) {
    Status s = attrs.Get(attr, out);
    if (!s.ok() && status.ok()) status = s;
    return s.ok();
  }
  void SetStatus(Status s) {
    if (status.ok()) status = std::move(s);
  }
};

// Per-step values a kernel may use besides its inputs.
struct StepContext {
  int64_t step_id = 0;
  const std::vector<Tensor>* feeds = nullptr;
  Rendezvous* rendezvous = nullptr;
  ResourceMgr* resources = nullptr;
};

// One value flowing along an edge: a tensor, or a reference to a variable
// (TF1's ref edges), possibly dead (the untaken branch of a Switch).
struct Entry {
  Tensor val;
  std::shared_ptr<Var> ref;
  bool dead = false;
  bool has_value() const { return val.dtype() != DType::kInvalid || ref != nullptr; }
  void Clear() {
    val = Tensor();
    ref.reset();
    dead = false;
  }
};

class OpKernelContext {
 public:
  OpKernelContext(Entry* inputs, int num_inputs, std::vector<Entry>* outputs, Device* device,
                  const StepContext* step, ThreadPool* intra_op)
      : inputs_(inputs), num_inputs_(num_inputs), outputs_(outputs), device_(device),
        step_(step), intra_op_(intra_op) {}

  int num_inputs() const { return num_inputs_; }
  int num_outputs() const { return static_cast<int>(outputs_->size()); }
  const Tensor& input(int i) const { return inputs_[i].val; }
  // The variable behind a ref input (declared Ref(T) in the op's schema).
  const std::shared_ptr<Var>& input_ref(int i) const { return inputs_[i].ref; }
  // Moves an input out, so its buffer may become exclusive and be reused.
  Tensor take_input(int i) { return std::move(inputs_[i].val); }
  // Deadness, seen only by kernels that HandlesDeadInputs() (Merge, _Send):
  // whether input i is dead, and whether any input or control input is.
  bool input_dead(int i) const { return inputs_[i].dead; }
  bool inputs_dead() const { return inputs_dead_; }
  void set_inputs_dead(bool d) { inputs_dead_ = d; }

  void set_output(int i, Tensor t) { (*outputs_)[i].val = std::move(t); }
  void set_output_ref(int i, std::shared_ptr<Var> v) { (*outputs_)[i].ref = std::move(v); }
  // A dead output carries no value: the untaken side of a Switch.
  void set_output_dead(int i) {
    (*outputs_)[i].Clear();
    (*outputs_)[i].dead = true;
  }
  // The whole node is dead: every output, and its control edges too.
  void set_dead() {
    dead_ = true;
    for (int i = 0; i < num_outputs(); ++i) set_output_dead(i);
  }
  bool dead() const { return dead_; }
  Tensor* allocate_output(int i, DType dt, const Shape& s) {
    (*outputs_)[i].val = Tensor(dt, s);
    return &(*outputs_)[i].val;
  }
  // Reuses input `in`'s buffer for output `out` when nothing else holds it and
  // the dtype and shape match (in-place elementwise ops); else allocates.
  Tensor* forward_input_or_allocate(int in, int out, DType dt, const Shape& s);

  Status status() const { return status_; }
  void SetStatus(Status s) {
    if (status_.ok()) status_ = std::move(s);
  }
  bool ok() const { return status_.ok(); }

  Device* device() const { return device_; }
  const StepContext* step() const { return step_; }
  ThreadPool* intra_op() const { return intra_op_; }

 private:
  Entry* inputs_;
  int num_inputs_;
  std::vector<Entry>* outputs_;
  Device* device_;
  const StepContext* step_;
  ThreadPool* intra_op_;
  Status status_;
  bool inputs_dead_ = false;
  bool dead_ = false;
};

class OpKernel {
 public:
  explicit OpKernel(OpKernelConstruction* c) : name_(c->name), op_(c->op) {}
  virtual ~OpKernel() = default;
  virtual void Compute(OpKernelContext* ctx) = 0;
  // Async kernels (Recv, queue dequeue) return from ComputeAsync at once and
  // call `done` when their outputs are set, holding no thread while they wait.
  virtual bool IsAsync() const { return false; }
  virtual void ComputeAsync(OpKernelContext* ctx, std::function<void()> done) {
    Compute(ctx);
    done();
  }
  // Cheap kernels (pass-throughs, constants, metadata) run inline on the
  // thread that made them ready instead of being handed to another thread.
  virtual bool IsExpensive() const { return true; }
  // Kernels that run even when an input is dead (Merge, _Send); any other
  // node with a dead input is skipped and its outputs are dead.
  virtual bool HandlesDeadInputs() const { return false; }
  const std::string& name() const { return name_; }
  const std::string& op() const { return op_; }

 private:
  std::string name_;
  std::string op_;
};

class AsyncOpKernel : public OpKernel {
 public:
  using OpKernel::OpKernel;
  bool IsAsync() const override { return true; }
  void Compute(OpKernelContext* ctx) override { ctx->SetStatus(Internal("async kernel called synchronously")); }
};

// Checks used by kernels; on failure they set the context's status and return.
#define GF_REQUIRE(ctx, cond, status_expr) \
  do {                                     \
    if (!(cond)) {                         \
      (ctx)->SetStatus(status_expr);       \
      return;                              \
    }                                      \
  } while (0)

#define GF_REQUIRE_OK(ctx, expr)  \
  do {                            \
    ::gf::Status _s = (expr);     \
    if (!_s.ok()) {               \
      (ctx)->SetStatus(_s);       \
      return;                     \
    }                             \
  } while (0)

}  // namespace gf
