// Ops that change only the shape: Reshape, ExpandDims and Squeeze reuse their
// input's buffer (zero-copy); Shape, ShapeN, Size and Rank read only the shape;
// IdentityN passes a list through. All work on every dtype.
#include <algorithm>
#include <vector>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "kernels/index_inputs.h"

namespace gf {
namespace {

using array_ops::Prefixed;
using array_ops::ReadIndexScalar;
using array_ops::ReadIndexVector;
using array_ops::WrapAxis;

// TensorFlow's rule: one -1 takes the size the other sizes leave; zero sizes
// are left out of that inference, so sizes [0, -1] of a [0, 5] input give
// [0, 5] rather than an ambiguous 0 / 0.
Status ReshapeDims(const Shape& in, const std::vector<int64_t>& sizes, Shape* out) {
  if (sizes.size() > static_cast<size_t>(Shape::kMaxRank))
    return InvalidArgument(StrCat("requested shape has rank ", sizes.size(),
                                  "; graphflow tensors have rank at most ", Shape::kMaxRank));
  int64_t product = 1;
  int unknown = -1;
  bool sizes_have_zero = false;
  Shape s;
  for (size_t d = 0; d < sizes.size(); ++d) {
    const int64_t v = sizes[d];
    if (v == -1) {
      if (unknown != -1)
        return InvalidArgument(StrCat("Only one input size may be -1, not both ", unknown,
                                      " and ", d));
      unknown = static_cast<int>(d);
      s.add_dim(1);
    } else if (v < 0) {
      return InvalidArgument(StrCat("Size ", d, " must be non-negative, not ", v));
    } else {
      s.add_dim(v);
      if (v == 0) sizes_have_zero = true;
      else product *= v;
    }
  }
  if (unknown != -1) {
    int64_t n = 1;
    bool input_has_zero = false;
    for (int d = 0; d < in.rank(); ++d) {
      if (in.dim(d) > 0 || !sizes_have_zero) n *= in.dim(d);
      else input_has_zero = true;
    }
    const int64_t missing = n / product;
    if (!input_has_zero && product * missing != n)
      return InvalidArgument(StrCat("Input to reshape is a tensor with ", n,
                                    " values, but the requested shape requires a multiple of ",
                                    product));
    s.set_dim(unknown, missing);
  }
  if (s.num_elements() != in.num_elements())
    return InvalidArgument(StrCat("Input to reshape is a tensor with ", in.num_elements(),
                                  " values, but the requested shape has ", s.num_elements()));
  *out = s;
  return Status::OK();
}

class ReshapeOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) override {
    std::vector<int64_t> sizes;
    GF_REQUIRE_OK(ctx, Prefixed(op(), ReadIndexVector(ctx->input(1), "shape", &sizes)));
    Shape shape;
    GF_REQUIRE_OK(ctx, Prefixed(op(), ReshapeDims(ctx->input(0).shape(), sizes, &shape)));
    ctx->set_output(0, ctx->take_input(0).Reshaped(shape));
  }
};

class ExpandDimsOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) override {
    const Shape& in = ctx->input(0).shape();
    int64_t axis = 0;
    GF_REQUIRE_OK(ctx, Prefixed(op(), ReadIndexScalar(ctx->input(1), "'dim'", &axis,
                                                      /*allow_one_element=*/true)));
    const int rank = in.rank();
    GF_REQUIRE(ctx, axis >= -rank - 1 && axis <= rank,
               InvalidArgument(StrCat(op(), ": Tried to expand dim index ", axis,
                                      " for tensor with ", rank, " dimensions")));
    GF_REQUIRE(ctx, rank < Shape::kMaxRank,
               InvalidArgument(StrCat(op(), ": the result would have rank ", rank + 1,
                                      "; graphflow tensors have rank at most ", Shape::kMaxRank)));
    const int at = static_cast<int>(axis < 0 ? axis + rank + 1 : axis);
    Shape out;
    for (int i = 0; i <= rank; ++i) {
      if (i == at) out.add_dim(1);
      if (i < rank) out.add_dim(in.dim(i));
    }
    ctx->set_output(0, ctx->take_input(0).Reshaped(out));
  }
};

class SqueezeOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  explicit SqueezeOp(OpKernelConstruction* c) : OpKernel(c) {
    c->attrs.Get("squeeze_dims", &dims_);
  }
  void Compute(OpKernelContext* ctx) override {
    const Shape& in = ctx->input(0).shape();
    bool listed[Shape::kMaxRank] = {false};
    for (int64_t d : dims_) {
      int axis = 0;
      Status s = WrapAxis(d, in.rank(), "squeeze dim", &axis);
      GF_REQUIRE(ctx, s.ok(), InvalidArgument(StrCat(op(), ": ", s.message(), " of shape ",
                                                     in.DebugString())));
      listed[axis] = true;
    }
    Shape out;
    for (int i = 0; i < in.rank(); ++i) {
      if (dims_.empty() ? in.dim(i) == 1 : listed[i]) {
        GF_REQUIRE(ctx, in.dim(i) == 1,
                   InvalidArgument(StrCat(op(), ": Can not squeeze dim[", i,
                                          "], expected a dimension of 1, got ", in.dim(i),
                                          " (input shape ", in.DebugString(), ")")));
        continue;
      }
      out.add_dim(in.dim(i));
    }
    ctx->set_output(0, ctx->take_input(0).Reshaped(out));
  }

 private:
  std::vector<int64_t> dims_;
};

// Writes `values` into a new 1-D (or scalar) output of `dtype` (int32/int64).
Status WriteIndexOutput(OpKernelContext* ctx, int i, DType dtype, const Shape& shape,
                        const int64_t* values, int64_t n) {
  Tensor* out = ctx->allocate_output(i, dtype, shape);
  if (dtype == DType::kInt64) {
    std::copy(values, values + n, out->data<int64_t>());
    return Status::OK();
  }
  int32_t* o = out->data<int32_t>();
  for (int64_t k = 0; k < n; ++k) {
    if (values[k] > INT32_MAX)
      return InvalidArgument(StrCat("value ", values[k],
                                    " does not fit in int32: use out_type=int64"));
    o[k] = static_cast<int32_t>(values[k]);
  }
  return Status::OK();
}

class ShapeOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  explicit ShapeOp(OpKernelConstruction* c) : OpKernel(c) {
    out_type_ = c->attrs.GetOr<DType>("out_type", DType::kInt32);
  }
  void Compute(OpKernelContext* ctx) override {
    for (int i = 0; i < ctx->num_inputs(); ++i) {
      const Shape& s = ctx->input(i).shape();
      GF_REQUIRE_OK(ctx, Prefixed(op(), WriteIndexOutput(ctx, i, out_type_, Shape{s.rank()},
                                                         s.data(), s.rank())));
    }
  }

 private:
  DType out_type_;
};

class SizeOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  explicit SizeOp(OpKernelConstruction* c) : OpKernel(c) {
    out_type_ = c->attrs.GetOr<DType>("out_type", DType::kInt32);
  }
  void Compute(OpKernelContext* ctx) override {
    const int64_t n = ctx->input(0).num_elements();
    GF_REQUIRE_OK(ctx, Prefixed(op(), WriteIndexOutput(ctx, 0, out_type_, Shape{}, &n, 1)));
  }

 private:
  DType out_type_;
};

class RankOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) override {
    ctx->allocate_output(0, DType::kInt32, Shape{})->data<int32_t>()[0] = ctx->input(0).rank();
  }
};

class IdentityNOp : public OpKernel {
 public:
  bool IsExpensive() const override { return false; }
  using OpKernel::OpKernel;
  void Compute(OpKernelContext* ctx) override {
    for (int i = 0; i < ctx->num_inputs(); ++i) ctx->set_output(i, ctx->take_input(i));
  }
};

}  // namespace

REGISTER_KERNEL("Reshape", "CPU", DType::kInvalid, ReshapeOp);
REGISTER_KERNEL("ExpandDims", "CPU", DType::kInvalid, ExpandDimsOp);
REGISTER_KERNEL("Squeeze", "CPU", DType::kInvalid, SqueezeOp);
REGISTER_KERNEL("Shape", "CPU", DType::kInvalid, ShapeOp);
REGISTER_KERNEL("ShapeN", "CPU", DType::kInvalid, ShapeOp);
REGISTER_KERNEL("Size", "CPU", DType::kInvalid, SizeOp);
REGISTER_KERNEL("Rank", "CPU", DType::kInvalid, RankOp);
REGISTER_KERNEL("IdentityN", "CPU", DType::kInvalid, IdentityNOp);
// Shape-only kernels move or share string buffers as they do numeric ones.
REGISTER_KERNEL("Reshape", "CPU", DType::kString, ReshapeOp);
REGISTER_KERNEL("ExpandDims", "CPU", DType::kString, ExpandDimsOp);
REGISTER_KERNEL("Squeeze", "CPU", DType::kString, SqueezeOp);
REGISTER_KERNEL("Shape", "CPU", DType::kString, ShapeOp);
REGISTER_KERNEL("ShapeN", "CPU", DType::kString, ShapeOp);
REGISTER_KERNEL("Size", "CPU", DType::kString, SizeOp);
REGISTER_KERNEL("Rank", "CPU", DType::kString, RankOp);

}  // namespace gf
