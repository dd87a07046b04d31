// 2-D pooling: MaxPool, AvgPool, MaxPoolWithArgmax and their gradients.
//
// Direct loops over NHWC with the channel dim innermost (contiguous and
// vectorisable), parallel over batch x output rows, or over images where a
// kernel scatters into its output (the gradients). NCHW tensors are converted
// to NHWC and back. Windows are clipped to the input: SAME padding never
// contributes values (max ignores it, average divides by the number of
// in-bounds elements), as in TensorFlow. The max-pool gradients route each
// gradient to the first maximum of its window in (h, w) scan order.
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "kernels/conv_util.h"
#include "kernels/cwise_util.h"
#include "runtime/thread_pool.h"

namespace gf {

namespace {

std::string Where(const OpKernel& k) { return StrCat(k.op(), " '", k.name(), "'"); }

Status MakePoolWindow(const std::string& where, const WindowAttrs& a, const Shape& input,
                      Window* w) {
  if (input.rank() != 4)
    return InvalidArgument(StrCat(where, ": input must be 4-dimensional, got shape ",
                                  input.DebugString()));
  NHWCDims(input, a.nchw, w);
  w->KH = a.ksize_h;
  w->KW = a.ksize_w;
  return ComputeWindow(where, a, w);
}

// The in-bounds input range [lo, hi) of output index o along one dim.
struct Span {
  int64_t lo, hi;
};
inline Span WindowSpan(int64_t o, int64_t stride, int64_t pad, int64_t k, int64_t in) {
  const int64_t s = o * stride - pad;
  return {std::max<int64_t>(s, 0), std::min(s + k, in)};
}

// Calls fn(y_offset, hs, ws) for each output pixel of rows [r0, r1) of
// N*OH, with y_offset at [n, oh, ow, 0] and hs/ws its window's spans.
template <typename Fn>
void ForEachPoolWindow(const Window& w, int64_t r0, int64_t r1, const Fn& fn) {
  for (int64_t r = r0; r < r1; ++r) {
    const Span hs = WindowSpan(r % w.OH, w.sh, w.pad_top, w.KH, w.H);
    for (int64_t ow = 0; ow < w.OW; ++ow)
      fn((r * w.OW + ow) * w.C, hs, WindowSpan(ow, w.sw, w.pad_left, w.KW, w.W));
  }
}

// x offset of [n, h, w, 0] for the image of output row r.
inline int64_t InputPixel(const Window& w, int64_t r, int64_t h, int64_t ww) {
  return ((r / w.OH * w.H + h) * w.W + ww) * w.C;
}

// The start value of a max: -inf, or the lowest value of an integer type.
template <typename A>
constexpr A MaxIdentity() {
  return std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity()
                                              : std::numeric_limits<A>::lowest();
}

// best[c], tap[c] = xi[c], t where xi[c] > best[c]. Separate arrays (restrict)
// and the mask form are what GCC vectorises.
template <typename T, typename A>
inline void ArgmaxStep(const T* __restrict xi, int32_t t, int64_t C, A* __restrict best,
                       int32_t* __restrict tap) {
#pragma GCC ivdep
  for (int64_t c = 0; c < C; ++c) {
    const A v = A(xi[c]), b = best[c];
    const int32_t gt = -int32_t(v > b);
    best[c] = v > b ? v : b;
    tap[c] = (tap[c] & ~gt) | (t & gt);
  }
}

// The first maximum of each channel over one window, in (h, w) scan order:
// fills pix[0..n) with the x offsets of the window's n in-bounds pixels
// (channel 0), and for each channel c best[c] = the maximum, tap[c] = the
// index in pix of its first occurrence. Returns n (0: an empty window).
template <typename T, typename A>
int64_t WindowArgmax(const Window& w, const T* x, int64_t r, Span hs, Span ws, A* best,
                     int32_t* tap, int64_t* pix) {
  const int64_t C = w.C;
  int64_t n = 0;
  for (int64_t h = hs.lo; h < hs.hi; ++h)
    for (int64_t ww = ws.lo; ww < ws.hi; ++ww) pix[n++] = InputPixel(w, r, h, ww);
  if (n == 0) return 0;
  const T* x0 = x + pix[0];
  for (int64_t c = 0; c < C; ++c) {
    best[c] = A(x0[c]);
    tap[c] = 0;
  }
  for (int64_t t = 1; t < n; ++t) ArgmaxStep(x + pix[t], int32_t(t), C, best, tap);
  return n;
}

// Scratch for WindowArgmax on this thread.
template <typename A>
struct ArgmaxScratch {
  A* best;
  int32_t* tap;
  int64_t* pix;
  explicit ArgmaxScratch(const Window& w)
      : best(ThreadScratch<A>(w.C)), tap(ThreadScratch<int32_t>(w.C, 1)),
        pix(ThreadScratch<int64_t>(w.KH * w.KW, 1)) {}
};

// Windows that tile the input (stride = ksize, no padding; rows and columns
// past the last window are in none): output row r reads KH whole input rows.
// The tiled kernels go row by row in long flat loops over an input row's
// elements j (window o = win[j], column kw = col[j]) or an output row's
// elements o (first column first[o]), with no per-window index arithmetic or
// C-long inner loops, which dominate for the few channels of early conv
// layers (LeNet's 6).
//
// From kChannelVectorC channels on (a float vector's lanes), loops over C at
// each window measure faster (CIFAR's 32 and 64 channels: forward 1.2-2x,
// gradient 1.2-1.7x), and tiled windows take the channel loops instead.
constexpr int64_t kChannelVectorC = 16;
inline bool IsTiled(const Window& w) {
  return w.sh == w.KH && w.sw == w.KW && w.pad_top == 0 && w.pad_left == 0 && w.OH > 0 &&
         w.OW > 0 && w.OH * w.KH <= w.H && w.OW * w.KW <= w.W;
}

// per_element: also fill win and col (the gradient needs them; MaxPool only
// reads first).
struct TiledMaps {
  int64_t span, orow;                  // used elements of an input row; elements of an output row
  std::vector<int32_t> win, col;       // per input-row element j < span
  std::vector<int32_t> first;          // per output-row element o
  TiledMaps(const Window& w, bool per_element)
      : span(w.OW * w.KW * w.C), orow(w.OW * w.C), first(orow) {
    for (int64_t o = 0; o < orow; ++o) first[o] = int32_t(o / w.C * w.KW * w.C + o % w.C);
    if (!per_element) return;
    win.resize(span);
    col.resize(span);
    for (int64_t ow = 0, j = 0; ow < w.OW; ++ow)
      for (int64_t kw = 0; kw < w.KW; ++kw)
        for (int64_t c = 0; c < w.C; ++c, ++j) {
          win[j] = int32_t(ow * w.C + c);
          col[j] = int32_t(kw);
        }
  }
};

// The first input row of output row r (of N*OH).
template <typename T>
inline const T* TiledRow(const Window& w, const T* x, int64_t r) {
  return x + ((r / w.OH) * w.H + (r % w.OH) * w.KH) * w.W * w.C;
}

template <typename T>
void MaxPoolForwardTiled(const Window& w, const T* x, T* y, ThreadPool* pool) {
  using A = typename Acc<T>::type;
  const TiledMaps maps(w, false);
  const int64_t row = w.W * w.C, span = maps.span, orow = maps.orow, C = w.C;
  const int32_t* __restrict first = maps.first.data();
  ParallelFor(pool, w.N * w.OH, orow * w.KH * w.KW, [&](int64_t b, int64_t e) {
    A* __restrict cols = ThreadScratch<A>(span + orow);
    A* __restrict m = cols + span;
    for (int64_t r = b; r < e; ++r) {
      const T* x0 = TiledRow(w, x, r);
      // Column maxima over the window rows, then over each window's columns;
      // `v > m ? v : m` from -inf, as the general kernel.
      for (int64_t j = 0; j < span; ++j) cols[j] = MaxIdentity<A>();
      for (int64_t kh = 0; kh < w.KH; ++kh) {
        const T* __restrict xk = x0 + kh * row;
        for (int64_t j = 0; j < span; ++j) {
          const A v = A(xk[j]);
          cols[j] = v > cols[j] ? v : cols[j];
        }
      }
      for (int64_t o = 0; o < orow; ++o) m[o] = cols[first[o]];
      for (int64_t kw = 1; kw < w.KW; ++kw)
        for (int64_t o = 0; o < orow; ++o) {
          const A v = cols[first[o] + kw * C];
          m[o] = v > m[o] ? v : m[o];
        }
      T* __restrict yr = y + r * orow;
      for (int64_t o = 0; o < orow; ++o) yr[o] = T(m[o]);
    }
  });
}

template <typename T>
void MaxPoolForward(const Window& w, const T* x, T* y, ThreadPool* pool) {
  using A = typename Acc<T>::type;
  const int64_t C = w.C;
  if (IsTiled(w) && w.C < kChannelVectorC) return MaxPoolForwardTiled(w, x, y, pool);
  ParallelFor(pool, w.N * w.OH, w.OW * w.KH * w.KW * C, [&](int64_t b, int64_t e) {
    A* acc = std::is_same<T, A>::value ? nullptr : ThreadScratch<A>(C);
    ForEachPoolWindow(w, b, e, [&](int64_t yo, Span hs, Span ws) {
      A* m = std::is_same<T, A>::value ? reinterpret_cast<A*>(y + yo) : acc;
      for (int64_t c = 0; c < C; ++c) m[c] = MaxIdentity<A>();
      for (int64_t h = hs.lo; h < hs.hi; ++h)
        for (int64_t ww = ws.lo; ww < ws.hi; ++ww) {
          const T* xi = x + InputPixel(w, yo / (w.OW * C), h, ww);
          for (int64_t c = 0; c < C; ++c) {
            const A v = A(xi[c]);
            m[c] = v > m[c] ? v : m[c];
          }
        }
      if (!std::is_same<T, A>::value)
        for (int64_t c = 0; c < C; ++c) y[yo + c] = T(m[c]);
    });
  });
}

template <typename T>
void AvgPoolForward(const Window& w, const T* x, T* y, ThreadPool* pool) {
  using A = typename Acc<T>::type;
  const int64_t C = w.C;
  ParallelFor(pool, w.N * w.OH, w.OW * w.KH * w.KW * C, [&](int64_t b, int64_t e) {
    A* acc = std::is_same<T, A>::value ? nullptr : ThreadScratch<A>(C);
    ForEachPoolWindow(w, b, e, [&](int64_t yo, Span hs, Span ws) {
      A* s = std::is_same<T, A>::value ? reinterpret_cast<A*>(y + yo) : acc;
      for (int64_t c = 0; c < C; ++c) s[c] = A(0);
      for (int64_t h = hs.lo; h < hs.hi; ++h)
        for (int64_t ww = ws.lo; ww < ws.hi; ++ww) {
          const T* xi = x + InputPixel(w, yo / (w.OW * C), h, ww);
          for (int64_t c = 0; c < C; ++c) s[c] += A(xi[c]);
        }
      const int64_t count = (hs.hi - hs.lo) * (ws.hi - ws.lo);
      const A inv = count > 0 ? A(1) / A(count) : A(0);
      for (int64_t c = 0; c < C; ++c) y[yo + c] = T(s[c] * inv);
    });
  });
}

// The elements [begin, end) of a gradient output, zeroed, for scatter-adds
// in the accumulation type (a float copy for half; dx itself otherwise).
// Indices are offsets in dx. Store() writes the copy back.
template <typename T>
class GradRange {
 public:
  using A = typename Acc<T>::type;
  GradRange(T* dx, int64_t begin, int64_t end) : dx_(dx), begin_(begin), end_(end) {
    if (std::is_same<T, A>::value) {
      base_ = reinterpret_cast<A*>(dx) + begin;
      for (int64_t i = 0; i < end - begin; ++i) base_[i] = A(0);
    } else {
      copy_.assign(end - begin, A(0));
      base_ = copy_.data();
    }
  }
  A& operator[](int64_t i) { return base_[i - begin_]; }
  void Store() {
    if (!std::is_same<T, A>::value)
      for (int64_t i = begin_; i < end_; ++i) dx_[i] = T(copy_[i - begin_]);
  }

 private:
  T* dx_;
  int64_t begin_, end_;
  A* base_;
  std::vector<A> copy_;
};

// v where mask is all ones, else zero bits (0 for every dtype): a bitwise
// select, which GCC vectorises where `mask ? v : 0` stays a branch.
template <typename T>
inline T MaskBits(T v, int32_t mask) {
  using Bits = typename std::conditional<
      sizeof(T) == 8, uint64_t,
      typename std::conditional<sizeof(T) == 4, uint32_t,
                                typename std::conditional<sizeof(T) == 2, uint16_t,
                                                          uint8_t>::type>::type>::type;
  Bits b;
  std::memcpy(&b, static_cast<const void*>(&v), sizeof(T));
  b &= Bits(int64_t(mask));
  std::memcpy(static_cast<void*>(&v), &b, sizeof(T));
  return v;
}

// MaxPoolBackward for tiled windows: every input element lies in at most one
// window, so dx is written once, with no scattering: dy where the element is
// its window's first maximum in (h, w) scan order, else 0 (0 past the last
// window). As in the general kernel, NaNs are never greater than anything.
//
// Per output row, in the layout of an input row (element j, column kw = col[j]
// of window win[j]): each column's maximum and the first row holding it, then
// whether j's column holds the window's first maximum, comparing with the
// window's other columns at j +- k*C (contiguous shifted loads, so the loops
// vectorise); then each input row takes dy where its row is that first row.
template <typename T>
GF_CWISE_CLONES void MaxPoolBackwardTiledRows(const Window& w, const TiledMaps& maps,
                                              const T* x, const T* dy, T* dx, int64_t b,
                                              int64_t e) {
  using A = typename Acc<T>::type;
  const int64_t C = w.C, row = w.W * C, span = maps.span, orow = maps.orow;
  const int64_t pad = (w.KW - 1) * C;  // cmax/carg margins for the shifted loads
  const int32_t* __restrict win = maps.win.data();
  const int32_t* __restrict col = maps.col.data();
  const int32_t* __restrict first = maps.first.data();
  A* scratch = ThreadScratch<A>(2 * span + 2 * pad);
  A* __restrict cmax = scratch + pad;                          // [span]: the column's max
  T* __restrict gx = reinterpret_cast<T*>(cmax + span + pad);  // [span]: dy of j's window
  int32_t* ints = ThreadScratch<int32_t>(2 * span + 2 * pad, 1);
  int32_t* __restrict carg = ints + pad;                       // [span]: its first row
  int32_t* __restrict want = carg + span + pad;                // [span]: the row to take dy
  for (int64_t r = b; r < e; ++r) {
    const T* x0 = TiledRow(w, x, r);
    T* d0 = dx + (x0 - x);
    // Masks, not branches: the comparisons are data-dependent coin flips.
    for (int64_t j = 0; j < span; ++j) {
      cmax[j] = MaxIdentity<A>();
      carg[j] = 0;
    }
    for (int32_t kh = 0; kh < w.KH; ++kh) {
      const T* __restrict xk = x0 + kh * row;
      for (int64_t j = 0; j < span; ++j) {
        const A v = A(xk[j]);
        const int32_t up = -int32_t(v > cmax[j]);
        cmax[j] = v > cmax[j] ? v : cmax[j];
        carg[j] = (carg[j] & ~up) | (kh & up);
      }
    }
    for (int64_t j = 0; j < span; ++j) want[j] = carg[j];
    // Another column of the window beats j's if its max is larger, or equal
    // and first reached in a higher row, or in the same row to the left;
    // want[j] becomes -1 then.
    for (int32_t k = 1; k < w.KW; ++k)
      for (int32_t d = -k; d <= k; d += 2 * k) {
        const int64_t shift = d * C;
        for (int64_t j = 0; j < span; ++j) {
          const A o = cmax[j + shift], v = cmax[j];
          const int32_t oa = carg[j + shift], a = carg[j], kw = col[j] + d;
          const int32_t in_window = -int32_t(kw >= 0) & -int32_t(kw < w.KW);
          const int32_t later = -int32_t(oa < a) | (-int32_t(oa == a) & -int32_t(d < 0));
          want[j] |= in_window & (-int32_t(o > v) | (-int32_t(o == v) & later));
        }
      }
    // Rare: a window starting with NaN routes to that NaN (nothing is
    // greater), as the general kernel and the reference do.
    int32_t nan_first = 0;
    for (int64_t j = 0; j < span; ++j) nan_first |= int32_t(!(A(x0[j]) == A(x0[j])));
    if (nan_first)
      for (int64_t j = 0; j < span; ++j) {
        const A v0 = A(x0[first[win[j]]]);
        if (!(v0 == v0)) want[j] = col[j] == 0 ? 0 : -1;
      }
    const T* __restrict g = dy + r * orow;
    for (int64_t j = 0; j < span; ++j) gx[j] = g[win[j]];
    for (int32_t kh = 0; kh < w.KH; ++kh) {
      T* __restrict dk = d0 + kh * row;
      for (int64_t j = 0; j < span; ++j) dk[j] = MaskBits(gx[j], -int32_t(want[j] == kh));
      std::fill(dk + span, dk + row, T(0));  // columns past the last window
    }
    if (r % w.OH == w.OH - 1)  // rows past the image's last window
      std::fill(d0 + w.KH * row, dx + (r / w.OH + 1) * w.H * row, T(0));
  }
}

// The tiled gradient for many channels (C >= 16): per window, the first
// maximum of each channel over its taps (ArgmaxStep, vectorised over C), then
// each tap's C values of dx written once: dy where the tap holds that maximum,
// else 0. Same routing as MaxPoolBackwardTiledRows, with no gathers.
template <typename T>
GF_CWISE_CLONES void MaxPoolBackwardTiledChannels(const Window& w, const T* x, const T* dy,
                                                  T* dx, int64_t b, int64_t e) {
  using A = typename Acc<T>::type;
  const int64_t C = w.C, row = w.W * C, span = w.OW * w.KW * C;
  const int32_t taps = int32_t(w.KH * w.KW);
  A* __restrict best = ThreadScratch<A>(C);
  int32_t* __restrict tap = ThreadScratch<int32_t>(C, 1);
  for (int64_t r = b; r < e; ++r) {
    const T* x0 = TiledRow(w, x, r);
    T* d0 = dx + (x0 - x);
    const T* gr = dy + r * w.OW * C;
    for (int64_t ow = 0; ow < w.OW; ++ow) {
      const int64_t col0 = ow * w.KW * C;
      const T* __restrict xf = x0 + col0;
      for (int64_t c = 0; c < C; ++c) {
        best[c] = A(xf[c]);
        tap[c] = 0;
      }
      for (int32_t t = 1; t < taps; ++t)
        ArgmaxStep(x0 + (t / w.KW) * row + col0 + (t % w.KW) * C, t, C, best, tap);
      const T* __restrict g = gr + ow * C;
      for (int32_t t = 0; t < taps; ++t) {
        T* __restrict d = d0 + (t / w.KW) * row + col0 + (t % w.KW) * C;
        for (int64_t c = 0; c < C; ++c) d[c] = MaskBits(g[c], -int32_t(tap[c] == t));
      }
    }
    for (int64_t kh = 0; kh < w.KH; ++kh)  // columns past the last window
      std::fill(d0 + kh * row + span, d0 + (kh + 1) * row, T(0));
    if (r % w.OH == w.OH - 1)  // rows past the image's last window
      std::fill(d0 + w.KH * row, dx + (r / w.OH + 1) * w.H * row, T(0));
  }
}

template <typename T>
void MaxPoolBackwardTiled(const Window& w, const T* x, const T* dy, T* dx, ThreadPool* pool) {
  if (w.C >= kChannelVectorC) {
    ParallelFor(pool, w.N * w.OH, w.OW * w.C * w.KH * w.KW * 4, [&](int64_t b, int64_t e) {
      MaxPoolBackwardTiledChannels(w, x, dy, dx, b, e);
    });
    return;
  }
  const TiledMaps maps(w, true);
  ParallelFor(pool, w.N * w.OH, maps.orow * w.KH * w.KW * 4, [&](int64_t b, int64_t e) {
    MaxPoolBackwardTiledRows(w, maps, x, dy, dx, b, e);
  });
}

// dx = 0, then dx[first max of each window] += dy. Parts own whole images.
template <typename T>
void MaxPoolBackward(const Window& w, const T* x, const T* dy, T* dx, ThreadPool* pool) {
  using A = typename Acc<T>::type;
  const int64_t C = w.C, image = w.H * w.W * C;
  if (IsTiled(w)) return MaxPoolBackwardTiled(w, x, dy, dx, pool);
  const double cost = double(w.N) * w.OH * w.OW * w.KH * w.KW * C;
  ForEachPart(pool, std::min(w.N, ParallelUnits(pool, cost)), w.N,
              [&](int64_t, int64_t nb, int64_t ne) {
    GradRange<T> d(dx, nb * image, ne * image);
    ArgmaxScratch<A> am(w);
    ForEachPoolWindow(w, nb * w.OH, ne * w.OH, [&](int64_t yo, Span hs, Span ws) {
      if (!WindowArgmax(w, x, yo / (w.OW * C), hs, ws, am.best, am.tap, am.pix)) return;
      for (int64_t c = 0; c < C; ++c) d[am.pix[am.tap[c]] + c] += A(dy[yo + c]);
    });
    d.Store();
  });
}

// dx = 0, then every in-bounds element of each window += dy / window count.
template <typename T>
void AvgPoolBackward(const Window& w, const T* dy, T* dx, ThreadPool* pool) {
  using A = typename Acc<T>::type;
  const int64_t C = w.C, image = w.H * w.W * C;
  const double cost = double(w.N) * w.OH * w.OW * w.KH * w.KW * C;
  ForEachPart(pool, std::min(w.N, ParallelUnits(pool, cost)), w.N,
              [&](int64_t, int64_t nb, int64_t ne) {
    GradRange<T> d(dx, nb * image, ne * image);
    A* g = ThreadScratch<A>(C);
    ForEachPoolWindow(w, nb * w.OH, ne * w.OH, [&](int64_t yo, Span hs, Span ws) {
      const int64_t count = (hs.hi - hs.lo) * (ws.hi - ws.lo);
      if (count == 0) return;
      const A inv = A(1) / A(count);
      for (int64_t c = 0; c < C; ++c) g[c] = A(dy[yo + c]) * inv;
      for (int64_t h = hs.lo; h < hs.hi; ++h)
        for (int64_t ww = ws.lo; ww < ws.hi; ++ww) {
          const int64_t o = InputPixel(w, yo / (w.OW * C), h, ww);
          for (int64_t c = 0; c < C; ++c) d[o + c] += g[c];
        }
    });
    d.Store();
  });
}

// MaxPool and AvgPool: the window from the attrs, NHWC in and out (NCHW is
// transposed around the NHWC kernel), `Forward` over the windows.
template <typename T, void (*Forward)(const Window&, const T*, T*, ThreadPool*)>
class PoolOp : public OpKernel {
 public:
  explicit PoolOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, false, true, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    Window w;
    GF_REQUIRE_OK(ctx, MakePoolWindow(Where(*this), a_, input.shape(), &w));
    Tensor* out =
        ctx->allocate_output(0, input.dtype(), LayoutShape(a_.nchw, w.N, w.OH, w.OW, w.C));
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, ty;
    const T* x = InputNHWC<T, T>(input, a_.nchw, &tx, pool);
    Forward(w, x, OutputNHWC<T, T>(out, a_.nchw, &ty), pool);
    FinishOutputNHWC<T, T>(ty, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

template <typename T>
using MaxPoolOp = PoolOp<T, MaxPoolForward<T>>;
template <typename T>
using AvgPoolOp = PoolOp<T, AvgPoolForward<T>>;

Status CheckGradShape(const std::string& where, const Tensor& grad, const Shape& expected) {
  if (grad.shape() != expected)
    return InvalidArgument(StrCat(where, ": grad has shape ", grad.shape().DebugString(),
                                  " but the pooling output shape is ", expected.DebugString()));
  return Status::OK();
}

template <typename T>
class MaxPoolGradOp : public OpKernel {
 public:
  explicit MaxPoolGradOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, false, true, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    const Tensor& input = ctx->input(0);
    const Tensor& orig_out = ctx->input(1);
    const Tensor& grad = ctx->input(2);
    const std::string where = Where(*this);
    Window w;
    GF_REQUIRE_OK(ctx, MakePoolWindow(where, a_, input.shape(), &w));
    const Shape out_shape = LayoutShape(a_.nchw, w.N, w.OH, w.OW, w.C);
    GF_REQUIRE(ctx, orig_out.shape() == out_shape,
               InvalidArgument(StrCat(where, ": orig_output has shape ",
                                      orig_out.shape().DebugString(),
                                      " but the pooling output shape is ",
                                      out_shape.DebugString())));
    GF_REQUIRE_OK(ctx, CheckGradShape(where, grad, out_shape));
    Tensor* out = ctx->allocate_output(0, input.dtype(), input.shape());
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, tdy, tdx;
    const T* x = InputNHWC<T, T>(input, a_.nchw, &tx, pool);
    const T* dy = InputNHWC<T, T>(grad, a_.nchw, &tdy, pool);
    MaxPoolBackward(w, x, dy, OutputNHWC<T, T>(out, a_.nchw, &tdx), pool);
    FinishOutputNHWC<T, T>(tdx, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

template <typename T>
class AvgPoolGradOp : public OpKernel {
 public:
  explicit AvgPoolGradOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, false, true, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    const Tensor& sizes = ctx->input(0);
    const Tensor& grad = ctx->input(1);
    const std::string where = Where(*this);
    GF_REQUIRE(ctx, sizes.rank() == 1 && sizes.dim(0) == 4,
               InvalidArgument(StrCat(where, ": orig_input_shape must be a 1-D tensor of 4 "
                                      "elements, got shape ", sizes.shape().DebugString())));
    std::vector<int64_t> dims(4);
    for (int i = 0; i < 4; ++i) {
      dims[i] = sizes.data<int32_t>()[i];
      GF_REQUIRE(ctx, dims[i] >= 0,
                 InvalidArgument(StrCat(where, ": orig_input_shape must be non-negative, got ",
                                        dims[i], " at index ", i)));
    }
    const Shape in_shape(dims);
    Window w;
    GF_REQUIRE_OK(ctx, MakePoolWindow(where, a_, in_shape, &w));
    GF_REQUIRE_OK(ctx, CheckGradShape(where, grad, LayoutShape(a_.nchw, w.N, w.OH, w.OW, w.C)));
    Tensor* out = ctx->allocate_output(0, grad.dtype(), in_shape);
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tdy, tdx;
    const T* dy = InputNHWC<T, T>(grad, a_.nchw, &tdy, pool);
    AvgPoolBackward(w, dy, OutputNHWC<T, T>(out, a_.nchw, &tdx), pool);
    FinishOutputNHWC<T, T>(tdx, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

// out[o] = g[first max of window o]: the gradient of MaxPoolGrad with respect
// to its grad input (g has orig_input's shape, out orig_output's).
template <typename T>
class MaxPoolGradGradOp : public OpKernel {
 public:
  explicit MaxPoolGradGradOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, false, true, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    using A = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    const Tensor& orig_out = ctx->input(1);
    const Tensor& grad = ctx->input(2);
    const std::string where = Where(*this);
    Window w;
    GF_REQUIRE_OK(ctx, MakePoolWindow(where, a_, input.shape(), &w));
    const Shape out_shape = LayoutShape(a_.nchw, w.N, w.OH, w.OW, w.C);
    GF_REQUIRE(ctx, orig_out.shape() == out_shape,
               InvalidArgument(StrCat(where, ": orig_output has shape ",
                                      orig_out.shape().DebugString(),
                                      " but the pooling output shape is ",
                                      out_shape.DebugString())));
    GF_REQUIRE(ctx, grad.shape() == input.shape(),
               InvalidArgument(StrCat(where, ": grad has shape ", grad.shape().DebugString(),
                                      " but orig_input has shape ",
                                      input.shape().DebugString())));
    Tensor* out = ctx->allocate_output(0, input.dtype(), out_shape);
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, tg, ty;
    const T* x = InputNHWC<T, T>(input, a_.nchw, &tx, pool);
    const T* g = InputNHWC<T, T>(grad, a_.nchw, &tg, pool);
    T* y = OutputNHWC<T, T>(out, a_.nchw, &ty);
    const int64_t C = w.C;
    ParallelFor(pool, w.N * w.OH, w.OW * w.KH * w.KW * C, [&](int64_t b, int64_t e) {
      ArgmaxScratch<A> am(w);
      ForEachPoolWindow(w, b, e, [&](int64_t yo, Span hs, Span ws) {
        if (!WindowArgmax(w, x, yo / (w.OW * C), hs, ws, am.best, am.tap, am.pix)) {
          for (int64_t c = 0; c < C; ++c) y[yo + c] = T(0);
          return;
        }
        for (int64_t c = 0; c < C; ++c) y[yo + c] = g[am.pix[am.tap[c]] + c];
      });
    });
    FinishOutputNHWC<T, T>(ty, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

// output = max pool; argmax = flat index of the chosen element,
// (h * W + w) * C + c, plus n * H * W * C with include_batch_in_index. NHWC only.
template <typename T, typename Targ>
class MaxPoolWithArgmaxOp : public OpKernel {
 public:
  explicit MaxPoolWithArgmaxOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, false, true, &a_));
    with_batch_ = c->attrs.GetOr<bool>("include_batch_in_index", false);
  }
  void Compute(OpKernelContext* ctx) override {
    using A = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    Window w;
    GF_REQUIRE_OK(ctx, MakePoolWindow(Where(*this), a_, input.shape(), &w));
    const Shape os{w.N, w.OH, w.OW, w.C};
    Tensor* out = ctx->allocate_output(0, input.dtype(), os);
    Tensor* arg = ctx->allocate_output(1, DTypeOf<Targ>::value, os);
    if (out->num_elements() == 0) return;
    const T* x = input.data<T>();
    T* y = out->data<T>();
    Targ* am = arg->data<Targ>();
    const int64_t C = w.C, image = w.H * w.W * C;
    ParallelFor(ctx->intra_op(), w.N * w.OH, w.OW * w.KH * w.KW * C, [&](int64_t b, int64_t e) {
      ArgmaxScratch<A> sc(w);
      ForEachPoolWindow(w, b, e, [&](int64_t yo, Span hs, Span ws) {
        const int64_t r = yo / (w.OW * C);
        const bool any = WindowArgmax(w, x, r, hs, ws, sc.best, sc.tap, sc.pix) > 0;
        const int64_t base = with_batch_ ? 0 : r / w.OH * image;
        for (int64_t c = 0; c < C; ++c) {
          y[yo + c] = any ? T(sc.best[c]) : T(MaxIdentity<A>());
          am[yo + c] = Targ(any ? sc.pix[sc.tap[c]] + c - base : -1);
        }
      });
    });
  }

 private:
  WindowAttrs a_;
  bool with_batch_ = false;
};

// dx = 0, then dx[argmax] += grad (argmax as MaxPoolWithArgmax outputs it).
template <typename T, typename Targ>
class MaxPoolGradWithArgmaxOp : public OpKernel {
 public:
  explicit MaxPoolGradWithArgmaxOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, false, true, &a_));
    with_batch_ = c->attrs.GetOr<bool>("include_batch_in_index", false);
  }
  void Compute(OpKernelContext* ctx) override {
    using A = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    const Tensor& grad = ctx->input(1);
    const Tensor& argmax = ctx->input(2);
    const std::string where = Where(*this);
    Window w;
    GF_REQUIRE_OK(ctx, MakePoolWindow(where, a_, input.shape(), &w));
    const Shape os{w.N, w.OH, w.OW, w.C};
    GF_REQUIRE_OK(ctx, CheckGradShape(where, grad, os));
    GF_REQUIRE(ctx, argmax.shape() == os,
               InvalidArgument(StrCat(where, ": argmax has shape ", argmax.shape().DebugString(),
                                      " but the pooling output shape is ", os.DebugString())));
    Tensor* out = ctx->allocate_output(0, input.dtype(), input.shape());
    const int64_t image = w.H * w.W * w.C, per_image = w.OH * w.OW * w.C;
    const int64_t limit = with_batch_ ? w.N * image : image;
    std::vector<A> acc(out->num_elements(), A(0));
    const T* g = grad.data<T>();
    const Targ* am = argmax.data<Targ>();
    for (int64_t i = 0; i < grad.num_elements(); ++i) {
      const int64_t k = int64_t(am[i]);
      GF_REQUIRE(ctx, k >= 0 && k < limit,
                 InvalidArgument(StrCat(where, ": argmax value ", k, " at flat index ", i,
                                        " is outside [0, ", limit, ")")));
      acc[with_batch_ ? k : i / per_image * image + k] += A(g[i]);
    }
    T* dx = out->data<T>();
    for (int64_t i = 0; i < out->num_elements(); ++i) dx[i] = T(acc[i]);
  }

 private:
  WindowAttrs a_;
  bool with_batch_ = false;
};

}  // namespace

#define GF_REGISTER_POOL_FLOAT(T)                                              \
  REGISTER_KERNEL("AvgPool", "CPU", DTypeOf<T>::value, AvgPoolOp<T>);          \
  REGISTER_KERNEL("AvgPoolGrad", "CPU", DTypeOf<T>::value, AvgPoolGradOp<T>);
GF_REGISTER_POOL_FLOAT(float)
GF_REGISTER_POOL_FLOAT(double)
GF_REGISTER_POOL_FLOAT(Half)

// MaxPoolWithArgmax / MaxPoolGradWithArgmax dispatch on Targmax themselves.
template <typename T>
class MaxPoolWithArgmaxDispatch : public OpKernel {
 public:
  explicit MaxPoolWithArgmaxDispatch(OpKernelConstruction* c) : OpKernel(c) {
    DType t = DType::kInt64;
    c->attrs.Get("Targmax", &t);
    if (t == DType::kInt32) impl_.reset(new MaxPoolWithArgmaxOp<T, int32_t>(c));
    else impl_.reset(new MaxPoolWithArgmaxOp<T, int64_t>(c));
  }
  void Compute(OpKernelContext* ctx) override { impl_->Compute(ctx); }

 private:
  std::unique_ptr<OpKernel> impl_;
};

template <typename T>
class MaxPoolGradWithArgmaxDispatch : public OpKernel {
 public:
  explicit MaxPoolGradWithArgmaxDispatch(OpKernelConstruction* c) : OpKernel(c) {
    DType t = DType::kInt64;
    c->attrs.Get("Targmax", &t);
    if (t == DType::kInt32) impl_.reset(new MaxPoolGradWithArgmaxOp<T, int32_t>(c));
    else impl_.reset(new MaxPoolGradWithArgmaxOp<T, int64_t>(c));
  }
  void Compute(OpKernelContext* ctx) override { impl_->Compute(ctx); }

 private:
  std::unique_ptr<OpKernel> impl_;
};

#define GF_REGISTER_MAX_POOL(T)                                                      \
  REGISTER_KERNEL("MaxPool", "CPU", DTypeOf<T>::value, MaxPoolOp<T>);                \
  REGISTER_KERNEL("MaxPoolGrad", "CPU", DTypeOf<T>::value, MaxPoolGradOp<T>);        \
  REGISTER_KERNEL("MaxPoolGradGrad", "CPU", DTypeOf<T>::value, MaxPoolGradGradOp<T>); \
  REGISTER_KERNEL("MaxPoolWithArgmax", "CPU", DTypeOf<T>::value,                     \
                  MaxPoolWithArgmaxDispatch<T>);                                     \
  REGISTER_KERNEL("MaxPoolGradWithArgmax", "CPU", DTypeOf<T>::value,                 \
                  MaxPoolGradWithArgmaxDispatch<T>);
GF_REGISTER_MAX_POOL(float)
GF_REGISTER_MAX_POOL(double)
GF_REGISTER_MAX_POOL(Half)
GF_REGISTER_MAX_POOL(int32_t)
GF_REGISTER_MAX_POOL(int64_t)
GF_REGISTER_MAX_POOL(uint8_t)
GF_REGISTER_MAX_POOL(int16_t)
GF_REGISTER_MAX_POOL(int8_t)

}  // namespace gf
