// Assert and Print: the runtime checks and logging of TF1 graphs. Both format
// their data tensors the way TensorFlow's Tensor::SummarizeValue does, so
// error messages and logs read the same as TF's: the first `summarize`
// elements in row-major order, nested dims in brackets, "..." where elements
// were left out; strings verbatim, bools as 1/0, floats in the shortest of
// %.6g / %.9g (doubles %.15g / %.17g) that reads back as the same value.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"

namespace gf {
namespace {

void AppendFloating(std::string* out, double v, bool is_float) {
  if (std::isnan(v)) {
    out->append("nan");
    return;
  }
  char buf[40];
  const int short_digits = is_float ? 6 : 15;
  std::snprintf(buf, sizeof(buf), "%.*g", short_digits, v);
  // Widen only where the short form does not read back as the same value.
  const bool round_trips = is_float ? std::strtof(buf, nullptr) == static_cast<float>(v)
                                    : std::strtod(buf, nullptr) == v;
  if (!round_trips) std::snprintf(buf, sizeof(buf), "%.*g", is_float ? 9 : 17, v);
  out->append(buf);
}

void AppendElement(std::string* out, float v) { AppendFloating(out, v, true); }
void AppendElement(std::string* out, Half v) { AppendFloating(out, static_cast<float>(v), true); }
void AppendElement(std::string* out, double v) { AppendFloating(out, v, false); }
void AppendElement(std::string* out, bool v) { out->push_back(v ? '1' : '0'); }
void AppendElement(std::string* out, const std::string& v) { out->append(v); }
template <typename T>
void AppendElement(std::string* out, T v) {  // integers, int8/uint8 as numbers
  out->append(std::to_string(static_cast<int64_t>(v)));
}

// Prints dims [dim, rank) of the elements from *next on, stopping at `limit`
// elements. Each opened bracket is closed; an innermost row cut short ends
// in "..." unless it is the tensor's only dim.
template <typename T>
void AppendDims(std::string* out, const T* data, const Shape& shape, int dim, int64_t limit,
                int64_t* next) {
  if (*next >= limit) return;
  const int64_t n = shape.dim(dim);
  if (dim == shape.rank() - 1) {
    for (int64_t i = 0; i < n; ++i) {
      if (*next >= limit) {
        if (dim != 0) out->append("...");
        return;
      }
      if (i > 0) out->push_back(' ');
      AppendElement(out, data[(*next)++]);
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    const bool opened = *next < limit;
    if (opened) out->push_back('[');
    AppendDims(out, data, shape, dim + 1, limit, next);
    if (opened) out->push_back(']');
  }
}

template <typename T>
void AppendSummary(std::string* out, const Tensor& t, int64_t limit) {
  const T* data = t.data<T>();
  const int64_t n = t.num_elements();
  if (t.rank() == 0) {
    if (limit > 0) AppendElement(out, data[0]);
  } else {
    int64_t next = 0;
    AppendDims(out, data, t.shape(), 0, limit, &next);
  }
  if (n > limit) out->append("...");
}

// TF's Tensor::SummarizeValue: at most `max_entries` elements (all when < 0).
std::string SummarizeValue(const Tensor& t, int64_t max_entries) {
  const int64_t n = t.num_elements();
  const int64_t limit = max_entries < 0 ? n : std::min(max_entries, n);
  std::string out;
  if (t.dtype() == DType::kString) {
    AppendSummary<std::string>(&out, t, limit);
  } else {
    GF_SWITCH_ALL(t.dtype(), AppendSummary<T>(&out, t, limit), out.append("?"));
  }
  return out;
}

class AssertOp : public OpKernel {
 public:
  explicit AssertOp(OpKernelConstruction* c) : OpKernel(c) { c->GetAttr("summarize", &summarize_); }
  bool IsExpensive() const override { return false; }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& cond = ctx->input(0);
    GF_REQUIRE(ctx, cond.dtype() == DType::kBool,
               InvalidArgument(StrCat(op(), " op '", name(), "': condition must be bool, got ",
                                      DTypeName(cond.dtype()))));
    // A one-element vector is accepted as a scalar, as TF does.
    GF_REQUIRE(ctx, cond.rank() == 0 || (cond.rank() == 1 && cond.dim(0) == 1),
               InvalidArgument(StrCat(op(), " op '", name(), "': condition must be a bool "
                                      "scalar, got shape ", cond.shape().DebugString())));
    if (*cond.data<bool>()) return;
    std::string msg = "assertion failed: ";
    for (int i = 1; i < ctx->num_inputs(); ++i) {
      if (i > 1) msg.push_back(' ');
      msg.push_back('[');
      msg.append(SummarizeValue(ctx->input(i), summarize_));
      msg.push_back(']');
    }
    ctx->SetStatus(InvalidArgument(std::move(msg)));
  }

 private:
  int64_t summarize_ = 3;
};

// Passes its input through unchanged and writes message + [summary] per data
// tensor to stderr, one line per step, for the first `first_n` steps of the
// session (every step when first_n < 0).
class PrintOp : public OpKernel {
 public:
  explicit PrintOp(OpKernelConstruction* c) : OpKernel(c) {
    c->GetAttr("message", &message_);
    c->GetAttr("first_n", &first_n_);
    c->GetAttr("summarize", &summarize_);
  }

  void Compute(OpKernelContext* ctx) override {
    if (TakeTurn()) {
      std::string line = message_;
      for (int i = 1; i < ctx->num_inputs(); ++i) {
        line.push_back('[');
        line.append(SummarizeValue(ctx->input(i), summarize_));
        line.push_back(']');
      }
      line.push_back('\n');
      // One write per line, so lines of ops running in parallel do not interleave.
      std::fwrite(line.data(), 1, line.size(), stderr);
      std::fflush(stderr);
    }
    ctx->set_output(0, ctx->take_input(0));
  }

 private:
  bool TakeTurn() {
    if (first_n_ < 0) return true;
    std::lock_guard<std::mutex> l(mu_);
    if (printed_ >= first_n_) return false;
    ++printed_;
    return true;
  }

  std::string message_;
  int64_t first_n_ = -1;
  int64_t summarize_ = 3;
  std::mutex mu_;
  int64_t printed_ = 0;
};

}  // namespace

// Both are dtype-agnostic (T of Assert is a type list; Print's T is any type).
REGISTER_KERNEL("Assert", "CPU", DType::kInvalid, AssertOp);
REGISTER_KERNEL("Print", "CPU", DType::kInvalid, PrintOp);
REGISTER_KERNEL("Print", "CPU", DType::kString, PrintOp);

}  // namespace gf
