// 2-D convolutions: Conv2D and its two backprops, and the depthwise
// convolution (DepthwiseConv2dNative and its backprops).
//
// In NHWC a convolution is the GEMM [N*OH*OW, KH*KW*C] x [KH*KW*C, OC]: each
// output pixel's receptive field (its patch), flattened in (kh, kw, c) order,
// times the filter viewed as a matrix. Two implementations:
//  - float on CPUs with AVX-512 (half computes in float): implicit GEMMs whose
//    micro-kernels read patches straight from (padded copies of) the input
//    rows, no patch matrix, no BLAS; the input gradient at stride 1 is the
//    convolution of out_backprop by the flipped filter.
//  - otherwise (double, other CPUs): the patch matrix built a cache-sized tile
//    of rows at a time (im2col; col2im for the input gradient) times the
//    filter through OpenBLAS, tiles in parallel on the intra-op pool.
// Grouped convolutions (input depth a multiple of the filter's) are one GEMM
// per group. NCHW tensors are converted to NHWC on the way in and out.
// The depthwise convolution uses direct loops with the channel dim innermost.
#include <immintrin.h>

#include <cstring>
#include <type_traits>
#include <vector>

#include "framework/kernel_registry.h"
#include "framework/op_kernel.h"
#include "kernels/conv_util.h"
#include "runtime/thread_pool.h"

namespace gf {

namespace {

// Geometry of a (possibly grouped) convolution in NHWC.
struct ConvGeom {
  Window w;
  int64_t OC = 0, groups = 1, Cg = 0, OCg = 0;
  int64_t K = 0;   // patch length KH*KW*C (all groups)
  int64_t Kg = 0;  // patch length of one group KH*KW*Cg
  int64_t M = 0;   // output pixels N*OH*OW
  bool direct = false;  // the input is the patch matrix

  Shape OutputShape(bool nchw) const { return LayoutShape(nchw, w.N, w.OH, w.OW, OC); }
  double Flops() const { return 2.0 * M * K * OCg; }
};

std::string Where(const OpKernel& k) { return StrCat(k.op(), " '", k.name(), "'"); }

// Geometry from the input shape (in data_format layout) and the filter shape
// [KH, KW, C / groups, OC].
Status MakeConvGeom(const std::string& where, const WindowAttrs& a, const Shape& input,
                    const Shape& filter, ConvGeom* g) {
  if (input.rank() != 4)
    return InvalidArgument(StrCat(where, ": input must be 4-dimensional, got shape ",
                                  input.DebugString()));
  if (filter.rank() != 4)
    return InvalidArgument(StrCat(where, ": filter must be 4-dimensional, got shape ",
                                  filter.DebugString()));
  Window& w = g->w;
  NHWCDims(input, a.nchw, &w);
  w.KH = filter.dim(0);
  w.KW = filter.dim(1);
  const int64_t fc = filter.dim(2);
  g->OC = filter.dim(3);
  if (fc <= 0 || w.C % fc != 0)
    return InvalidArgument(StrCat(where, ": Depth of input (", w.C,
                                  ") is not a multiple of input depth of filter (", fc, ")"));
  g->groups = w.C / fc;
  if (g->groups > 0 && g->OC % g->groups != 0)
    return InvalidArgument(StrCat(where, ": Depth of output (", g->OC,
                                  ") is not a multiple of the number of groups (", g->groups,
                                  ")"));
  if (w.KH <= 0 || w.KW <= 0)
    return InvalidArgument(StrCat(where, ": filter spatial dims must be positive, got filter "
                                  "shape ", filter.DebugString()));
  GF_RETURN_IF_ERROR(ComputeWindow(where, a, &w));
  g->Cg = fc;
  g->OCg = g->groups ? g->OC / g->groups : 0;
  g->Kg = w.KH * w.KW * fc;
  g->K = w.KH * w.KW * w.C;
  g->M = w.N * w.OH * w.OW;
  g->direct = w.KH == 1 && w.KW == 1 && w.sh == 1 && w.sw == 1 && w.pad_top == 0 &&
              w.pad_left == 0 && w.OH == w.H && w.OW == w.W && g->groups == 1;
  return Status::OK();
}

template <typename U>
inline void CopyN(U* d, const U* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] = s[i];
}
template <typename U>
inline void AddN(U* d, const U* s, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] += s[i];
}
template <typename U>
inline void ZeroN(U* d, int64_t n) {
  for (int64_t i = 0; i < n; ++i) d[i] = U(0);
}

// A shape-valued int32 input (input_sizes / filter_sizes) as a Shape.
// input_sizes may also give only the spatial dims [H, W] (TF's
// Conv2DBackpropInput accepts both); the caller supplies N and C then.
Status ShapeFromSizes(const std::string& where, const char* what, const Tensor& t, Shape* s) {
  if (t.rank() != 1 || (t.dim(0) != 4 && t.dim(0) != 2))
    return InvalidArgument(StrCat(where, ": ", what, " must be a 1-D tensor of 4 (or 2) "
                                  "elements, got shape ", t.shape().DebugString()));
  std::vector<int64_t> dims;
  for (int64_t i = 0; i < t.dim(0); ++i) {
    const int32_t d = t.data<int32_t>()[i];
    if (d < 0)
      return InvalidArgument(StrCat(where, ": ", what, " must be non-negative, got ", d,
                                    " at index ", i));
    dims.push_back(d);
  }
  *s = Shape(dims);
  return Status::OK();
}

Status CheckOutBackprop(const std::string& where, const Tensor& dy, const Shape& expected) {
  if (dy.shape() != expected)
    return InvalidArgument(StrCat(where, ": out_backprop has shape ", dy.shape().DebugString(),
                                  " but the convolution's output shape is ",
                                  expected.DebugString()));
  return Status::OK();
}

// --- im2col + BLAS (any float type) ----------------------------------------------------

// Parts for the BLAS paths, whose tiles each call a GEMM: one per thread when
// OpenBLAS runs single-threaded (graphflow's own pool then parallelises);
// else one, and OpenBLAS threads each call itself (parallel callers would
// oversubscribe the cores many times over).
int64_t BlasParallelUnits(ThreadPool* pool, double flops) {
  const blas::GetThreadsFn threads = blas::api().get_num_threads;
  if (threads && threads() != 1) return 1;
  return ParallelUnits(pool, flops);
}

// Rows per tile: the patch tile (rows x K) fills about 256 KB, or 4 MB when
// OpenBLAS threads each GEMM itself (fewer, larger calls).
template <typename U>
int64_t TileRows(const ConvGeom& g) {
  const blas::GetThreadsFn threads = blas::api().get_num_threads;
  const int64_t bytes = threads && threads() != 1 ? 4 << 20 : 256 << 10;
  const int64_t r = bytes / (int64_t(sizeof(U)) * std::max<int64_t>(g.K, 1));
  return std::max<int64_t>(16, std::min(r, std::max<int64_t>(g.M, 1)));
}

// Walks the patch rows [m0, m0 + rows): for each row and each in-bounds
// (kh, kw) tap calls fn(patch_column_offset, input_offset, length) where the
// run of `length` values lies at input[input_offset...] and at patch columns
// [patch_column_offset, ...). Out-of-bounds taps call pad(patch_column, length).
// Columns are ordered (group, kh, kw, c).
template <typename Fn, typename Pad>
void ForEachPatchRun(const ConvGeom& g, int64_t m0, int64_t rows, const Fn& fn, const Pad& pad) {
  const Window& w = g.w;
  const int64_t ohw = w.OH * w.OW;
  int64_t n = m0 / ohw, oh = (m0 % ohw) / w.OW, ow = m0 % w.OW;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t row = r * g.K;
    const int64_t ih0 = oh * w.sh - w.pad_top, iw0 = ow * w.sw - w.pad_left;
    const int64_t img = n * w.H * w.W * w.C;
    if (g.groups == 1) {
      for (int64_t kh = 0; kh < w.KH; ++kh) {
        const int64_t ih = ih0 + kh * w.dh;
        const int64_t col = row + kh * w.KW * w.C;
        if (ih < 0 || ih >= w.H) {
          pad(col, w.KW * w.C);
          continue;
        }
        const int64_t line = img + ih * w.W * w.C;
        if (w.dw == 1) {
          // Taps kw in [lo, hi) are in bounds and contiguous in the input.
          const int64_t lo = std::min(w.KW, std::max<int64_t>(0, -iw0));
          const int64_t hi = std::max(lo, std::min(w.KW, w.W - iw0));
          if (lo > 0) pad(col, lo * w.C);
          if (hi > lo) fn(col + lo * w.C, line + (iw0 + lo) * w.C, (hi - lo) * w.C);
          if (hi < w.KW) pad(col + hi * w.C, (w.KW - hi) * w.C);
        } else {
          for (int64_t kw = 0; kw < w.KW; ++kw) {
            const int64_t iw = iw0 + kw * w.dw;
            if (iw < 0 || iw >= w.W) pad(col + kw * w.C, w.C);
            else fn(col + kw * w.C, line + iw * w.C, w.C);
          }
        }
      }
    } else {
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        for (int64_t kh = 0; kh < w.KH; ++kh) {
          const int64_t ih = ih0 + kh * w.dh;
          for (int64_t kw = 0; kw < w.KW; ++kw) {
            const int64_t iw = iw0 + kw * w.dw;
            const int64_t col = row + grp * g.Kg + (kh * w.KW + kw) * g.Cg;
            if (ih < 0 || ih >= w.H || iw < 0 || iw >= w.W) pad(col, g.Cg);
            else fn(col, img + (ih * w.W + iw) * w.C + grp * g.Cg, g.Cg);
          }
        }
      }
    }
    if (++ow == w.OW) {
      ow = 0;
      if (++oh == w.OH) {
        oh = 0;
        ++n;
      }
    }
  }
}

// buf[r, :] = the patch of output pixel m0 + r.
template <typename U>
void Im2Col(const ConvGeom& g, const U* x, int64_t m0, int64_t rows, U* buf) {
  ForEachPatchRun(
      g, m0, rows, [&](int64_t col, int64_t in, int64_t len) { CopyN(buf + col, x + in, len); },
      [&](int64_t col, int64_t len) { ZeroN(buf + col, len); });
}

// dx[patch of output pixel m0 + r] += buf[r, :] (the adjoint of Im2Col).
template <typename U>
void Col2ImAdd(const ConvGeom& g, const U* buf, int64_t m0, int64_t rows, U* dx) {
  ForEachPatchRun(
      g, m0, rows, [&](int64_t col, int64_t in, int64_t len) { AddN(dx + in, buf + col, len); },
      [](int64_t, int64_t) {});
}

// y[M, OC] = patches(x) x f[K, OC], groupwise.
template <typename U>
void ConvForward(const ConvGeom& g, const U* x, const U* f, U* y, ThreadPool* pool) {
  if (g.K == 0) {
    ZeroN(y, g.M * g.OC);
    return;
  }
  const int64_t R = TileRows<U>(g);
  const int64_t tiles = (g.M + R - 1) / R;
  ForEachPart(pool, std::min(tiles, BlasParallelUnits(pool, g.Flops())), tiles,
              [&](int64_t, int64_t tb, int64_t te) {
    U* buf = g.direct ? nullptr : ThreadScratch<U>(R * g.K);
    for (int64_t t = tb; t < te; ++t) {
      const int64_t m0 = t * R, rows = std::min(R, g.M - m0);
      const U* p = g.direct ? x + m0 * g.K : buf;
      if (!g.direct) Im2Col(g, x, m0, rows, buf);
      for (int64_t grp = 0; grp < g.groups; ++grp)
        StridedGemm(false, false, rows, g.OCg, g.Kg, U(1), p + grp * g.Kg, g.K,
                    f + grp * g.OCg, g.OC, U(0), y + m0 * g.OC + grp * g.OCg, g.OC);
    }
  });
}

// dx = col2im of tile products: product(m0, rows, buf) fills buf[rows, K]
// with rows m0... of dy[M, OC] x f[K, OC]^T (groupwise). Parts own whole
// images, so their col2im writes never overlap.
template <typename U, typename Product>
void ConvBackpropInputCol2Im(const ConvGeom& g, U* dx, ThreadPool* pool, int64_t units,
                             int64_t tile_rows, const Product& product) {
  const Window& w = g.w;
  const int64_t image = w.H * w.W * w.C, ohw = w.OH * w.OW;
  ForEachPart(pool, std::min(w.N, units), w.N, [&](int64_t, int64_t nb, int64_t ne) {
    ZeroN(dx + nb * image, (ne - nb) * image);
    if (g.OC == 0) return;
    U* buf = ThreadScratch<U>(tile_rows * g.K);
    for (int64_t m0 = nb * ohw; m0 < ne * ohw; m0 += tile_rows) {
      const int64_t rows = std::min(tile_rows, ne * ohw - m0);
      product(m0, rows, buf);
      Col2ImAdd(g, buf, m0, rows, dx);
    }
  });
}

// dx = col2im(dy[M, OC] x f[K, OC]^T) through BLAS.
template <typename U>
void ConvBackpropInput(const ConvGeom& g, const U* dy, const U* f, U* dx, ThreadPool* pool) {
  const Window& w = g.w;
  const int64_t image = w.H * w.W * w.C;
  if (g.direct) {
    if (g.OC == 0) return ZeroN(dx, w.N * image);
    ForEachPart(pool, std::min(g.M, BlasParallelUnits(pool, g.Flops())), g.M,
                [&](int64_t, int64_t mb, int64_t me) {
      StridedGemm(false, true, me - mb, w.C, g.OC, U(1), dy + mb * g.OC, g.OC, f, g.OC, U(0),
                  dx + mb * w.C, w.C);
    });
    return;
  }
  ConvBackpropInputCol2Im(g, dx, pool, BlasParallelUnits(pool, g.Flops()), TileRows<U>(g),
                          [&](int64_t m0, int64_t rows, U* buf) {
    for (int64_t grp = 0; grp < g.groups; ++grp)
      StridedGemm(false, true, rows, g.Kg, g.OCg, U(1), dy + m0 * g.OC + grp * g.OCg, g.OC,
                  f + grp * g.OCg, g.OC, U(0), buf + grp * g.Kg, g.K);
  });
}

// df[Kg, OC] = sum over tiles of patches(x)^T x dy, groupwise; each piece of
// the tiles accumulates its own partial sum, added up in order at the end.
template <typename U>
void ConvBackpropFilter(const ConvGeom& g, const U* x, const U* dy, U* df, ThreadPool* pool) {
  const int64_t fsize = g.Kg * g.OC;
  if (g.M == 0 || g.K == 0) {
    ZeroN(df, fsize);
    return;
  }
  const int64_t R = TileRows<U>(g);
  const int64_t tiles = (g.M + R - 1) / R;
  const int64_t units = std::min(tiles, BlasParallelUnits(pool, g.Flops()));
  const int64_t pieces = ReductionPieces(units, tiles, fsize * sizeof(U));
  std::vector<U> partial((pieces - 1) * fsize, U(0));
  ZeroN(df, fsize);
  ForEachPiece(pool, units, tiles, pieces, [&](int64_t u, int64_t tb, int64_t te) {
    U* acc = u == 0 ? df : partial.data() + (u - 1) * fsize;
    U* buf = g.direct ? nullptr : ThreadScratch<U>(R * g.K);
    for (int64_t t = tb; t < te; ++t) {
      const int64_t m0 = t * R, rows = std::min(R, g.M - m0);
      const U* p = g.direct ? x + m0 * g.K : buf;
      if (!g.direct) Im2Col(g, x, m0, rows, buf);
      for (int64_t grp = 0; grp < g.groups; ++grp)
        StridedGemm(true, false, g.Kg, g.OCg, rows, U(1), p + grp * g.Kg, g.K,
                    dy + m0 * g.OC + grp * g.OCg, g.OC, U(1), acc + grp * g.OCg, g.OC);
    }
  });
  for (int64_t u = 1; u < pieces; ++u) AddN(df, partial.data() + (u - 1) * fsize, fsize);
}

// --- implicit GEMM (float, AVX-512) ------------------------------------------------------
//
// A micro-kernel holds an R x 16*NV block of outputs in registers (R output
// pixels by 16*NV output channels, or R filter rows by 16*NV channels for the
// filter gradient) and reads the patch values it needs straight from the
// input, through one pointer per pixel and a table of patch offsets. Work
// units (an image, or a band of its output rows) copy the input lines they
// read, zero-padded, into a cache-resident per-thread buffer, so the kernels
// need no bounds checks; unpadded forward convolutions read the input itself.
// The other operand is packed into zero-padded column blocks of 16*NV.
// OpenBLAS is not involved: this path does not depend on its threading.

// What a forward convolution applies to its outputs before storing them
// (_FusedConv2D): + bias[column] when bias is set, then max(., 0) with relu.
struct Epilogue {
  const float* bias = nullptr;
  bool relu = false;
};

// c[r, 0:cols] = ep(sum over k < K of px[r][koff[k]] * b[k, 0:16*NV]) for
// rows r < rows (leading dim ldc): R patches (or matrix rows) times a packed
// column block b (64-byte aligned, [K][16*NV]). px has R valid pointers;
// ep.bias points at the block's first column.
template <int R, int NV>
__attribute__((target("avx512f"))) void ConvMicroKernel(const float* const* px,
                                                        const int64_t* koff, int64_t K,
                                                        const float* b, float* c, int64_t ldc,
                                                        int rows, int cols, Epilogue ep) {
  __m512 acc[R][NV];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  const float* q[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) q[r] = px[r];
  for (int64_t k = 0; k < K; ++k, b += 16 * NV) {
    const int64_t o = koff[k];
    __m512 bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_load_ps(b + 16 * v);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 a = _mm512_set1_ps(q[r][o]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(a, bv[v], acc[r][v]);
    }
  }
  __mmask16 mask[NV];
  __m512 bias[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    mask[v] = __mmask16((1u << std::min(16, std::max(0, cols - 16 * v))) - 1);
    bias[v] = ep.bias ? _mm512_maskz_loadu_ps(mask[v], ep.bias + 16 * v) : _mm512_setzero_ps();
  }
  // Constant indices only (a runtime bound on r would keep acc in memory).
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (r >= rows) break;
      __m512 out = _mm512_add_ps(acc[r][v], bias[v]);
      if (ep.relu)  // max(out, 0), NaN to 0 as vmaxps does
        out = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(out, _mm512_setzero_ps(), _CMP_GT_OQ), out);
      if (mask[v] == 0xffff) _mm512_storeu_ps(c + r * ldc + 16 * v, out);
      else if (mask[v]) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask[v], out);
    }
}

using ConvMicroKernelFn = void (*)(const float* const*, const int64_t*, int64_t, const float*,
                                   float*, int64_t, int, int, Epilogue);

// Register blocking by the number of output channels: R * NV accumulators
// plus NV filter vectors fit the 32 vector registers, and R pixel pointers
// the general registers.
struct MicroKernelShape {
  int R, NV;
  ConvMicroKernelFn fn;
};
MicroKernelShape PickMicroKernel(int64_t cols) {
  if (cols <= 16) return {12, 1, ConvMicroKernel<12, 1>};
  if (cols <= 32) return {12, 2, ConvMicroKernel<12, 2>};
  if (cols <= 48) return {8, 3, ConvMicroKernel<8, 3>};
  return {6, 4, ConvMicroKernel<6, 4>};
}

bool HaveAvx512() {
  static const bool ok = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return ok;
}

// A [k, n] matrix B packed for the micro-kernels: column blocks of 16*NV
// columns, each [k][16*NV] and zero beyond n; 64-byte aligned.
struct PackedB {
  MicroKernelShape ks;
  int64_t k = 0, n = 0, bw = 0, nblk = 0;
  Tensor data;
  // at(i, j) gives B[i, j].
  template <typename At>
  PackedB(int64_t k_, int64_t n_, const At& at) : ks(PickMicroKernel(n_)), k(k_), n(n_) {
    bw = 16 * ks.NV;
    nblk = (n + bw - 1) / bw;
    data = Tensor(DType::kFloat, Shape{std::max<int64_t>(1, nblk * k * bw)});
    float* d = data.data<float>();
    for (int64_t blk = 0; blk < nblk; ++blk)
      for (int64_t i = 0; i < k; ++i)
        for (int64_t j = 0; j < bw; ++j) {
          const int64_t col = blk * bw + j;
          d[(blk * k + i) * bw + j] = col < n ? at(i, col) : 0.f;
        }
  }
  const float* block(int64_t blk) const { return data.data<float>() + blk * k * bw; }
  int cols(int64_t blk) const { return int(std::min(bw, n - blk * bw)); }
};

// C[m, 0:n] = A[m, 0:k] B for rows m < rows of A (row stride lda), through
// the micro-kernel. `iota` holds 0, 1, ..., k - 1.
void MicroGemm(const PackedB& b, int64_t rows, const float* a, int64_t lda, const int64_t* iota,
               float* c, int64_t ldc) {
  const float* px[16];
  for (int64_t m0 = 0; m0 < rows; m0 += b.ks.R) {
    const int valid = int(std::min<int64_t>(b.ks.R, rows - m0));
    for (int r = 0; r < b.ks.R; ++r) px[r] = a + (m0 + std::min(r, valid - 1)) * lda;
    for (int64_t blk = 0; blk < b.nblk; ++blk)
      b.ks.fn(px, iota, b.k, b.block(blk), c + m0 * ldc + blk * b.bw, ldc, valid, b.cols(blk),
              Epilogue());
  }
}

// How the implicit kernels split a convolution into units of work: bands of
// output rows of one image, whose input lines (zero-padded to width Wp) fit
// about 256 KB, at least 4 units per thread.
struct BandPlan {
  bool pad = false;      // copy input lines into a padded buffer (else read x)
  int64_t Wp = 0;        // padded line width in pixels
  int64_t ls = 0;        // floats per input line as the kernels see it
  int64_t bands = 0, band_rows = 0, lines = 0;  // per image; lines per band
  int64_t units = 0;
};

// always_pad: use the padded buffer even where the input would do (the filter
// kernel reads a little past its patch runs, into the buffer's slack).
BandPlan PlanBands(const ConvGeom& g, ThreadPool* pool, bool always_pad) {
  const Window& w = g.w;
  BandPlan b;
  b.Wp = (w.OW - 1) * w.sw + (w.KW - 1) * w.dw + 1;
  b.pad = always_pad || w.pad_top > 0 || w.pad_left > 0 || b.Wp > w.W ||
          (w.OH - 1) * w.sh + (w.KH - 1) * w.dh + 1 > w.H;
  b.ls = (b.pad ? b.Wp : w.W) * w.C;
  const int64_t threads = pool ? pool->num_threads() + 1 : 1;
  const int64_t fit_lines = std::max<int64_t>(1, (256 << 10) / (4 * std::max<int64_t>(b.ls, 1)));
  const int64_t fit_rows = std::max<int64_t>(1, (fit_lines - (w.KH - 1) * w.dh - 1) / w.sh + 1);
  b.bands = std::min(w.OH, std::max((w.OH + fit_rows - 1) / fit_rows,
                                    (4 * threads + w.N - 1) / w.N));
  b.band_rows = (w.OH + b.bands - 1) / b.bands;
  b.bands = (w.OH + b.band_rows - 1) / b.band_rows;
  b.lines = (b.band_rows - 1) * w.sh + (w.KH - 1) * w.dh + 1;
  b.units = w.N * b.bands;
  return b;
}

constexpr int64_t kBandSlack = 16;  // floats readable past a padded band's end

// The input lines of output rows [oh0, oh1) of image n: a pointer to the
// value at line oh0 * sh - pad_top, column -pad_left (`buf`, filled, when
// padding; else into x).
const float* LoadBand(const ConvGeom& g, const BandPlan& b, const float* x, int64_t n,
                      int64_t oh0, int64_t oh1, float* buf) {
  const Window& w = g.w;
  const int64_t C = w.C, ih_lo = oh0 * w.sh - w.pad_top;
  const float* img = x + n * w.H * w.W * C;
  if (!b.pad) return img + ih_lo * b.ls;
  const int64_t nl = (oh1 - oh0 - 1) * w.sh + (w.KH - 1) * w.dh + 1;
  const int64_t lo = std::min(b.Wp, std::max<int64_t>(0, w.pad_left));
  const int64_t hi = std::max(lo, std::min(b.Wp, w.W + w.pad_left));
  for (int64_t i = 0; i < nl; ++i) {
    float* d = buf + i * b.ls;
    const int64_t ih = ih_lo + i;
    if (ih < 0 || ih >= w.H) {
      ZeroN(d, b.ls);
      continue;
    }
    ZeroN(d, lo * C);
    std::memcpy(d + lo * C, img + (ih * w.W + lo - w.pad_left) * C,
                (hi - lo) * C * sizeof(float));
    ZeroN(d + hi * C, (b.Wp - hi) * C);
  }
  ZeroN(buf + nl * b.ls, kBandSlack);
  return buf;
}

// Offsets of a band's output pixels (row-major) in its input lines: pixel p's
// patch starts at line (p / OW) * sh, column (p % OW) * sw.
std::vector<int64_t> PixelOffsets(const ConvGeom& g, const BandPlan& b) {
  const Window& w = g.w;
  std::vector<int64_t> pix(b.band_rows * w.OW);
  for (int64_t p = 0; p < int64_t(pix.size()); ++p)
    pix[p] = (p / w.OW) * w.sh * b.ls + (p % w.OW) * w.sw * w.C;
  return pix;
}

// offsets[k]: where patch value k (in (kh, kw, c) order) of group `grp`
// lies relative to its pixel's (kh = kw = 0) position, for input lines of
// `ls` floats.
std::vector<int64_t> PatchOffsets(const ConvGeom& g, int64_t ls, int64_t grp) {
  const Window& w = g.w;
  std::vector<int64_t> off;
  off.reserve(g.Kg);
  for (int64_t kh = 0; kh < w.KH; ++kh)
    for (int64_t kw = 0; kw < w.KW; ++kw)
      for (int64_t c = 0; c < g.Cg; ++c)
        off.push_back(kh * w.dh * ls + kw * w.dw * w.C + grp * g.Cg + c);
  return off;
}

void ConvForwardImplicit(const ConvGeom& g, const float* x, const float* f, float* y,
                         ThreadPool* pool, Epilogue ep = Epilogue()) {
  const Window& w = g.w;
  std::vector<PackedB> packed;  // per group: the filter [Kg, OCg]
  for (int64_t grp = 0; grp < g.groups; ++grp)
    packed.emplace_back(g.Kg, g.OCg,
                        [&](int64_t k, int64_t j) { return f[k * g.OC + grp * g.OCg + j]; });
  const MicroKernelShape ks = packed[0].ks;
  const BandPlan b = PlanBands(g, pool, false);
  std::vector<std::vector<int64_t>> koff;
  for (int64_t grp = 0; grp < g.groups; ++grp) koff.push_back(PatchOffsets(g, b.ls, grp));
  const std::vector<int64_t> pix = PixelOffsets(g, b);
  ForEachPart(pool, std::min(b.units, ParallelUnits(pool, g.Flops())), b.units,
              [&](int64_t, int64_t ub, int64_t ue) {
    float* buf = b.pad ? ThreadScratch<float>(b.lines * b.ls + kBandSlack) : nullptr;
    const float* px[16];
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t n = u / b.bands, oh0 = (u % b.bands) * b.band_rows;
      const int64_t oh1 = std::min(w.OH, oh0 + b.band_rows);
      const float* base = LoadBand(g, b, x, n, oh0, oh1, buf);
      const int64_t npix = (oh1 - oh0) * w.OW;
      float* yu = y + (n * w.OH + oh0) * w.OW * g.OC;
      for (int64_t p0 = 0; p0 < npix; p0 += ks.R) {
        const int rows = int(std::min<int64_t>(ks.R, npix - p0));
        for (int r = 0; r < ks.R; ++r) px[r] = base + pix[p0 + std::min(r, rows - 1)];
        for (int64_t grp = 0; grp < g.groups; ++grp) {
          const PackedB& pb = packed[grp];
          for (int64_t blk = 0; blk < pb.nblk; ++blk)
            ks.fn(px, koff[grp].data(), g.Kg, pb.block(blk),
                  yu + p0 * g.OC + grp * g.OCg + blk * pb.bw, g.OC, rows, pb.cols(blk),
                  {ep.bias ? ep.bias + grp * g.OCg + blk * pb.bw : nullptr, ep.relu});
        }
      }
    }
  });
}

// df[r, 0:cols] += sum over pixels p < npix of a[pix[p] + r] * dy[p, 0:cols]
// for r < rows: R consecutive patch values (filter rows) of each pixel times
// its out_backprop row. Reads a[pix[p] + r] for every r < R. Loads whole
// vectors of dy (lanes past cols are never stored) unless kMasked, for the
// last pixels of dy where that would read past its end: masked loads are
// much slower on some CPUs (Zen 5). kIndexed: the R patch values are
// a[pix[p] + roff[r]] instead (patches whose contiguous runs are shorter
// than R, such as one-channel inputs: 5 values per kh for LeNet's conv1).
template <int R, int NV, bool kMasked, bool kIndexed>
__attribute__((target("avx512f"))) void FilterMicroKernel(const float* a, const int64_t* pix,
                                                          int64_t npix, const float* dy,
                                                          int64_t ldy, float* df, int64_t ldf,
                                                          int rows, int cols,
                                                          const int64_t* roff) {
  int64_t ro[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) ro[r] = kIndexed ? roff[std::min(r, rows - 1)] : r;
  __m512 acc[R][NV];
  __mmask16 mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const int n = std::min(16, std::max(0, cols - 16 * v));
    mask[v] = __mmask16((1u << n) - 1);
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  for (int64_t p = 0; p < npix; ++p, dy += ldy) {
    const float* ap = a + pix[p];
    __m512 dv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v)
      dv[v] = kMasked ? _mm512_maskz_loadu_ps(mask[v], dy + 16 * v) : _mm512_loadu_ps(dy + 16 * v);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(ap[kIndexed ? ro[r] : r]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, dv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      if (r >= rows) break;
      float* o = df + r * ldf + 16 * v;
      _mm512_mask_storeu_ps(o, mask[v], _mm512_add_ps(_mm512_maskz_loadu_ps(mask[v], o),
                                                        acc[r][v]));
    }
}

using FilterMicroKernelFn = void (*)(const float*, const int64_t*, int64_t, const float*,
                                     int64_t, float*, int64_t, int, int, const int64_t*);

// The kernels for NV = 1..4 (index NV - 1), by kMasked and kIndexed.
template <bool kMasked, bool kIndexed>
constexpr FilterMicroKernelFn kFilterKernels[4] = {
    FilterMicroKernel<12, 1, kMasked, kIndexed>, FilterMicroKernel<12, 2, kMasked, kIndexed>,
    FilterMicroKernel<8, 3, kMasked, kIndexed>, FilterMicroKernel<6, 4, kMasked, kIndexed>};

// df[Kg, OC] = sum over pixels of patch(x)^T dy: the patch matrix is read from
// padded bands of the input, R filter rows by 16*NV channels at a time; each
// piece of the bands accumulates its own partial sum, added up in order.
void ConvBackpropFilterImplicit(const ConvGeom& g, const float* x, const float* dy, float* df,
                                ThreadPool* pool) {
  const Window& w = g.w;
  const MicroKernelShape ks = PickMicroKernel(g.OCg);
  const int64_t bw = 16 * ks.NV, fsize = g.Kg * g.OC;
  const BandPlan b = PlanBands(g, pool, true);
  // Runs of consecutive patch values: a whole (kw, c) row per kh when
  // contiguous. Where those rows are shorter than R, a group's whole patch is
  // one run read through its offset table (koff) instead.
  struct Run {
    int64_t off, len, k;
  };
  std::vector<Run> runs;
  const bool rows_contiguous = w.dw == 1 && g.groups == 1;
  const bool indexed = (rows_contiguous ? w.KW * w.C : g.Cg) < ks.R;
  std::vector<std::vector<int64_t>> koff;
  for (int64_t grp = 0; grp < g.groups; ++grp) {
    if (indexed) {
      koff.push_back(PatchOffsets(g, b.ls, grp));
      runs.push_back({0, g.Kg, 0});
      continue;
    }
    for (int64_t kh = 0; kh < w.KH; ++kh)
      for (int64_t kw = 0; kw < (rows_contiguous ? 1 : w.KW); ++kw)
        runs.push_back({kh * w.dh * b.ls + kw * w.dw * w.C + grp * g.Cg,
                        rows_contiguous ? w.KW * w.C : g.Cg, (kh * w.KW + kw) * g.Cg});
  }
  const FilterMicroKernelFn* full =
      indexed ? kFilterKernels<false, true> : kFilterKernels<false, false>;
  const FilterMicroKernelFn* masked =
      indexed ? kFilterKernels<true, true> : kFilterKernels<true, false>;
  const int64_t runs_per_group = int64_t(runs.size()) / g.groups;
  const int64_t units = std::min(b.units, ParallelUnits(pool, g.Flops()));
  const int64_t pieces = ReductionPieces(units, b.units, fsize * sizeof(float));
  std::vector<float> partial((pieces - 1) * fsize, 0.f);
  ZeroN(df, fsize);
  const std::vector<int64_t> pix = PixelOffsets(g, b);
  ForEachPiece(pool, units, b.units, pieces, [&](int64_t piece, int64_t ub, int64_t ue) {
    float* acc = piece == 0 ? df : partial.data() + (piece - 1) * fsize;
    float* buf = ThreadScratch<float>(b.lines * b.ls + kBandSlack);
    for (int64_t u = ub; u < ue; ++u) {
      const int64_t n = u / b.bands, oh0 = (u % b.bands) * b.band_rows;
      const int64_t oh1 = std::min(w.OH, oh0 + b.band_rows);
      const float* base = LoadBand(g, b, x, n, oh0, oh1, buf);
      const float* du = dy + (n * w.OH + oh0) * w.OW * g.OC;
      // Chunks of pixels whose out_backprop rows stay in L1 across the passes.
      const int64_t npix = (oh1 - oh0) * w.OW;
      const int64_t chunk = std::max<int64_t>(16, (24 << 10) / (4 * g.OC));
      for (int64_t p0 = 0; p0 < npix; p0 += chunk) {
        const int64_t np = std::min(chunk, npix - p0);
        for (int64_t i = 0; i < int64_t(runs.size()); ++i) {
          const Run& run = runs[i];
          const int64_t grp = i / runs_per_group;
          for (int64_t j = 0; j < run.len; j += ks.R)
            for (int64_t c0 = 0; c0 < g.OCg; c0 += bw) {
              // A partial block loads whole vectors too (the extra lanes are
              // never stored) except where they would run past dy's end.
              const int64_t off = grp * g.OCg + c0, m0 = (n * w.OH + oh0) * w.OW + p0;
              const int64_t room = g.M * g.OC - off - bw;  // floor division below
              const int64_t last = room >= 0 ? room / g.OC : -1;
              const int64_t safe = std::max<int64_t>(0, std::min(np, last + 1 - m0));
              for (int part_masked = 0; part_masked < 2; ++part_masked) {
                const int64_t q0 = part_masked ? safe : 0, q1 = part_masked ? np : safe;
                if (q0 >= q1) continue;
                (part_masked ? masked : full)[ks.NV - 1](
                    base + (indexed ? 0 : run.off + j), pix.data() + p0 + q0, q1 - q0,
                    du + (p0 + q0) * g.OC + off, g.OC, acc + (run.k + j) * g.OC + off, g.OC,
                    int(std::min<int64_t>(ks.R, run.len - j)), int(std::min(bw, g.OCg - c0)),
                    indexed ? koff[grp].data() + j : nullptr);
              }
            }
        }
      }
    }
  });
  for (int64_t u = 1; u < pieces; ++u) AddN(df, partial.data() + (u - 1) * fsize, fsize);
}

// With stride 1, the input gradient is itself a convolution: of out_backprop
// by the filter flipped in space with its channel dims swapped (groupwise),
// padded so that each input pixel sees every output pixel whose window holds
// it. Returns false (nothing done) for strides > 1 or paddings beyond the
// window, which take the col2im path.
bool ConvBackpropInputImplicit(const ConvGeom& g, const float* dy, const float* f, float* dx,
                               ThreadPool* pool) {
  const Window& w = g.w;
  if (w.sh != 1 || w.sw != 1) return false;
  ConvGeom t;
  t.w.N = w.N;
  t.w.H = w.OH;
  t.w.W = w.OW;
  t.w.C = g.OC;
  t.w.KH = w.KH;
  t.w.KW = w.KW;
  t.w.dh = w.dh;
  t.w.dw = w.dw;
  t.w.OH = w.H;
  t.w.OW = w.W;
  t.w.pad_top = (w.KH - 1) * w.dh - w.pad_top;
  t.w.pad_left = (w.KW - 1) * w.dw - w.pad_left;
  if (t.w.pad_top < 0 || t.w.pad_left < 0) return false;
  t.OC = w.C;
  t.groups = g.groups;
  t.Cg = g.OCg;
  t.OCg = g.Cg;
  t.Kg = w.KH * w.KW * t.Cg;
  t.K = w.KH * w.KW * t.w.C;
  t.M = w.N * w.H * w.W;
  // ft[kh, kw, ocg, grp * Cg + cg] = f[KH-1-kh, KW-1-kw, cg, grp * OCg + ocg]
  std::vector<float> ft(t.Kg * t.OC);
  for (int64_t kh = 0; kh < w.KH; ++kh)
    for (int64_t kw = 0; kw < w.KW; ++kw) {
      const float* src = f + ((w.KH - 1 - kh) * w.KW + (w.KW - 1 - kw)) * g.Cg * g.OC;
      float* dst = ft.data() + (kh * w.KW + kw) * t.Cg * t.OC;
      for (int64_t grp = 0; grp < g.groups; ++grp)
        for (int64_t cg = 0; cg < g.Cg; ++cg)
          for (int64_t ocg = 0; ocg < g.OCg; ++ocg)
            dst[ocg * t.OC + grp * g.Cg + cg] = src[cg * g.OC + grp * g.OCg + ocg];
    }
  ConvForwardImplicit(t, dy, ft.data(), dx, pool);
  return true;
}

// ConvBackpropInput's tile product by the micro-kernel (float, AVX-512): for
// few input channels, where the stride-1 transposed convolution would leave
// most vector lanes idle.
void ConvBackpropInputMicro(const ConvGeom& g, const float* dy, const float* f, float* dx,
                            ThreadPool* pool) {
  std::vector<PackedB> packed;  // per group: f^T [OCg, Kg]
  for (int64_t grp = 0; grp < g.groups; ++grp)
    packed.emplace_back(g.OCg, g.Kg,
                        [&](int64_t j, int64_t k) { return f[k * g.OC + grp * g.OCg + j]; });
  std::vector<int64_t> iota(g.OCg);
  for (int64_t j = 0; j < g.OCg; ++j) iota[j] = j;
  const int64_t rows = std::max<int64_t>(16, (64 << 10) / (4 * std::max<int64_t>(g.K, 1)));
  ConvBackpropInputCol2Im(g, dx, pool, ParallelUnits(pool, g.Flops()), rows,
                          [&](int64_t m0, int64_t n, float* buf) {
    for (int64_t grp = 0; grp < g.groups; ++grp)
      MicroGemm(packed[grp], n, dy + m0 * g.OC + grp * g.OCg, g.OC, iota.data(),
                buf + grp * g.Kg, g.K);
  });
}

// --- dispatch ---------------------------------------------------------------------------

template <typename U>
constexpr bool kFloat = std::is_same<U, float>::value;

// y = conv(x, f), then + bias[channel] when bias is set, then max(., 0) with
// relu (_FusedConv2D's epilogue; the implicit GEMM applies it in registers).
template <typename U>
Status Conv2DForward(const std::string& where, const ConvGeom& g, const U* x, const U* f, U* y,
                     ThreadPool* pool, const U* bias = nullptr, bool relu = false) {
  if constexpr (kFloat<U>) {
    if (HaveAvx512() && g.K > 0) {
      ConvForwardImplicit(g, x, f, y, pool, {bias, relu});
      return Status::OK();
    }
  }
  GF_RETURN_IF_ERROR(BlasLoaded(where));
  ConvForward(g, x, f, y, pool);
  if (bias || relu)
    ParallelFor(pool, g.M, 2 * g.OC, [&](int64_t b, int64_t e) {
      for (int64_t m = b; m < e; ++m) {
        U* row = y + m * g.OC;
        if (bias)
          for (int64_t c = 0; c < g.OC; ++c) row[c] += bias[c];
        if (relu)
          for (int64_t c = 0; c < g.OC; ++c) row[c] = row[c] > U(0) ? row[c] : U(0);
      }
    });
  return Status::OK();
}

// dx = the gradient of conv(x, f) with respect to x, given dy.
template <typename U>
Status Conv2DBackpropInputAny(const std::string& where, const ConvGeom& g, const U* dy,
                              const U* f, U* dx, ThreadPool* pool) {
  if constexpr (kFloat<U>) {
    if (HaveAvx512() && g.OC > 0) {
      // The transposed convolution vectorises over input channels: it wins from 16 on.
      if (g.Cg < 16 || !ConvBackpropInputImplicit(g, dy, f, dx, pool))
        ConvBackpropInputMicro(g, dy, f, dx, pool);
      return Status::OK();
    }
  }
  GF_RETURN_IF_ERROR(BlasLoaded(where));
  ConvBackpropInput(g, dy, f, dx, pool);
  return Status::OK();
}

// df = the gradient of conv(x, f) with respect to f, given dy.
template <typename U>
Status Conv2DBackpropFilterAny(const std::string& where, const ConvGeom& g, const U* x,
                               const U* dy, U* df, ThreadPool* pool) {
  if constexpr (kFloat<U>) {
    if (HaveAvx512() && g.K > 0 && g.M > 0) {
      ConvBackpropFilterImplicit(g, x, dy, df, pool);
      return Status::OK();
    }
  }
  GF_RETURN_IF_ERROR(BlasLoaded(where));
  ConvBackpropFilter(g, x, dy, df, pool);
  return Status::OK();
}

template <typename T>
class Conv2DOp : public OpKernel {
 public:
  explicit Conv2DOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, true, false, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    using U = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    const std::string where = Where(*this);
    ConvGeom g;
    GF_REQUIRE_OK(ctx, MakeConvGeom(where, a_, input.shape(), filter.shape(), &g));
    Tensor* out = ctx->allocate_output(0, input.dtype(), g.OutputShape(a_.nchw));
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, tf, ty;
    const U* x = InputNHWC<U, T>(input, a_.nchw, &tx, pool);
    const U* f = InputAs<U, T>(filter, &tf, pool);
    GF_REQUIRE_OK(ctx, Conv2DForward(where, g, x, f, OutputNHWC<U, T>(out, a_.nchw, &ty), pool));
    FinishOutputNHWC<U, T>(ty, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

// _FusedConv2D (what TensorFlow's remapper makes of Conv2D + BiasAdd [+ Relu]):
// fused_ops ["BiasAdd"] or ["BiasAdd", "Relu"], args = [bias].
template <typename T>
class FusedConv2DOp : public OpKernel {
 public:
  explicit FusedConv2DOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, true, false, &a_));
    const auto ops = c->attrs.GetOr<std::vector<std::string>>("fused_ops", {});
    relu_ = ops.size() == 2 && ops[1] == "Relu";
    if (ops.empty() || ops[0] != "BiasAdd" || ops.size() > 2 || (ops.size() == 2 && !relu_))
      c->SetStatus(Unimplemented(StrCat(c->op, " '", c->name, "': fused_ops must be [BiasAdd] "
                                        "or [BiasAdd, Relu]")));
  }
  void Compute(OpKernelContext* ctx) override {
    using U = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    const std::string where = Where(*this);
    GF_REQUIRE(ctx, ctx->num_inputs() == 3,
               InvalidArgument(StrCat(where, ": expected one argument (the bias), got ",
                                      ctx->num_inputs() - 2)));
    const Tensor& bias = ctx->input(2);
    ConvGeom g;
    GF_REQUIRE_OK(ctx, MakeConvGeom(where, a_, input.shape(), filter.shape(), &g));
    GF_REQUIRE(ctx, bias.rank() == 1 && bias.dim(0) == g.OC,
               InvalidArgument(StrCat(where, ": bias must be a vector of ", g.OC,
                                      " values (the output depth), got shape ",
                                      bias.shape().DebugString())));
    Tensor* out = ctx->allocate_output(0, input.dtype(), g.OutputShape(a_.nchw));
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, tf, tb, ty;
    const U* x = InputNHWC<U, T>(input, a_.nchw, &tx, pool);
    const U* f = InputAs<U, T>(filter, &tf, pool);
    const U* b = InputAs<U, T>(bias, &tb, pool);
    GF_REQUIRE_OK(ctx, Conv2DForward(where, g, x, f, OutputNHWC<U, T>(out, a_.nchw, &ty), pool,
                                     b, relu_));
    FinishOutputNHWC<U, T>(ty, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
  bool relu_ = false;
};

template <typename T>
class Conv2DBackpropInputOp : public OpKernel {
 public:
  explicit Conv2DBackpropInputOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, true, false, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    using U = typename Acc<T>::type;
    const Tensor& filter = ctx->input(1);
    const Tensor& dy = ctx->input(2);
    const std::string where = Where(*this);
    Shape in_shape;
    GF_REQUIRE_OK(ctx, ShapeFromSizes(where, "input_sizes", ctx->input(0), &in_shape));
    if (in_shape.rank() == 2) {  // [H, W]: N from out_backprop, C from the filter
      GF_REQUIRE(ctx, dy.rank() == 4 && filter.rank() == 4,
                 InvalidArgument(StrCat(where, ": out_backprop and filter must be 4-D")));
      in_shape = LayoutShape(a_.nchw, dy.dim(0), in_shape.dim(0), in_shape.dim(1),
                             filter.dim(2));
    }
    ConvGeom g;
    GF_REQUIRE_OK(ctx, MakeConvGeom(where, a_, in_shape, filter.shape(), &g));
    GF_REQUIRE_OK(ctx, CheckOutBackprop(where, dy, g.OutputShape(a_.nchw)));
    Tensor* out = ctx->allocate_output(0, dy.dtype(), in_shape);
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tdy, tf, tdx;
    const U* d = InputNHWC<U, T>(dy, a_.nchw, &tdy, pool);
    const U* f = InputAs<U, T>(filter, &tf, pool);
    GF_REQUIRE_OK(ctx, Conv2DBackpropInputAny(where, g, d, f,
                                              OutputNHWC<U, T>(out, a_.nchw, &tdx), pool));
    FinishOutputNHWC<U, T>(tdx, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

template <typename T>
class Conv2DBackpropFilterOp : public OpKernel {
 public:
  explicit Conv2DBackpropFilterOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, true, false, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    using U = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    const Tensor& dy = ctx->input(2);
    const std::string where = Where(*this);
    Shape f_shape;
    GF_REQUIRE_OK(ctx, ShapeFromSizes(where, "filter_sizes", ctx->input(1), &f_shape));
    GF_REQUIRE(ctx, f_shape.rank() == 4,
               InvalidArgument(StrCat(where, ": filter_sizes must have 4 elements, got ",
                                      f_shape.DebugString())));
    ConvGeom g;
    GF_REQUIRE_OK(ctx, MakeConvGeom(where, a_, input.shape(), f_shape, &g));
    GF_REQUIRE_OK(ctx, CheckOutBackprop(where, dy, g.OutputShape(a_.nchw)));
    Tensor* out = ctx->allocate_output(0, dy.dtype(), f_shape);
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, tdy, tdf;
    const U* x = InputNHWC<U, T>(input, a_.nchw, &tx, pool);
    const U* d = InputNHWC<U, T>(dy, a_.nchw, &tdy, pool);
    GF_REQUIRE_OK(ctx, Conv2DBackpropFilterAny(where, g, x, d,
                                               OutputNHWC<U, T>(out, false, &tdf), pool));
    FinishOutputNHWC<U, T>(tdf, false, out, pool);
  }

 private:
  WindowAttrs a_;
};

// --- depthwise ------------------------------------------------------------------
//
// filter [KH, KW, C, mult]; output channel c * mult + m sees input channel c
// only. Direct loops with the channel dim innermost.

struct DepthwiseGeom {
  Window w;
  int64_t mult = 0, OC = 0;
  Shape OutputShape(bool nchw) const { return LayoutShape(nchw, w.N, w.OH, w.OW, OC); }
};

Status MakeDepthwiseGeom(const std::string& where, const WindowAttrs& a, const Shape& input,
                         const Shape& filter, DepthwiseGeom* g) {
  if (input.rank() != 4)
    return InvalidArgument(StrCat(where, ": input must be 4-dimensional, got shape ",
                                  input.DebugString()));
  if (filter.rank() != 4)
    return InvalidArgument(StrCat(where, ": filter must be 4-dimensional, got shape ",
                                  filter.DebugString()));
  Window& w = g->w;
  NHWCDims(input, a.nchw, &w);
  if (filter.dim(2) != w.C)
    return InvalidArgument(StrCat(where, ": input and filter must have the same depth: ", w.C,
                                  " vs ", filter.dim(2)));
  w.KH = filter.dim(0);
  w.KW = filter.dim(1);
  if (w.KH <= 0 || w.KW <= 0)
    return InvalidArgument(StrCat(where, ": filter spatial dims must be positive, got filter "
                                  "shape ", filter.DebugString()));
  g->mult = filter.dim(3);
  g->OC = w.C * g->mult;
  return ComputeWindow(where, a, &w);
}

// Calls fn(x_offset, y_offset, f_offset) for every in-bounds tap of the
// output pixels in rows [r0, r1) of N*OH: x at [n, ih, iw, 0], y at
// [n, oh, ow, 0], filter at [kh, kw, 0, 0].
template <typename Fn>
void ForEachDepthwiseTap(const DepthwiseGeom& g, int64_t r0, int64_t r1, const Fn& fn) {
  const Window& w = g.w;
  for (int64_t r = r0; r < r1; ++r) {
    const int64_t n = r / w.OH, oh = r % w.OH;
    for (int64_t ow = 0; ow < w.OW; ++ow) {
      const int64_t yo = (r * w.OW + ow) * g.OC;
      for (int64_t kh = 0; kh < w.KH; ++kh) {
        const int64_t ih = oh * w.sh - w.pad_top + kh * w.dh;
        if (ih < 0 || ih >= w.H) continue;
        for (int64_t kw = 0; kw < w.KW; ++kw) {
          const int64_t iw = ow * w.sw - w.pad_left + kw * w.dw;
          if (iw < 0 || iw >= w.W) continue;
          fn(((n * w.H + ih) * w.W + iw) * w.C, yo, (kh * w.KW + kw) * g.OC);
        }
      }
    }
  }
}

template <typename U>
void DepthwiseForward(const DepthwiseGeom& g, const U* x, const U* f, U* y, ThreadPool* pool) {
  const Window& w = g.w;
  const int64_t C = w.C, mult = g.mult;
  ParallelFor(pool, w.N * w.OH, w.OW * w.KH * w.KW * g.OC * 2, [&](int64_t b, int64_t e) {
    ZeroN(y + b * w.OW * g.OC, (e - b) * w.OW * g.OC);
    ForEachDepthwiseTap(g, b, e, [&](int64_t xo, int64_t yo, int64_t fo) {
      const U* xi = x + xo;
      const U* fk = f + fo;
      U* o = y + yo;
      if (mult == 1) {
        for (int64_t c = 0; c < C; ++c) o[c] += xi[c] * fk[c];
      } else {
        for (int64_t c = 0; c < C; ++c)
          for (int64_t m = 0; m < mult; ++m) o[c * mult + m] += xi[c] * fk[c * mult + m];
      }
    });
  });
}

// Parts own whole images, so their scatter-adds never overlap.
template <typename U>
void DepthwiseBackpropInput(const DepthwiseGeom& g, const U* dy, const U* f, U* dx,
                            ThreadPool* pool) {
  const Window& w = g.w;
  const int64_t C = w.C, mult = g.mult, image = w.H * w.W * C;
  const double flops = 2.0 * w.N * w.OH * w.OW * w.KH * w.KW * g.OC;
  ForEachPart(pool, std::min(w.N, ParallelUnits(pool, flops)), w.N,
              [&](int64_t, int64_t nb, int64_t ne) {
    ZeroN(dx + nb * image, (ne - nb) * image);
    ForEachDepthwiseTap(g, nb * w.OH, ne * w.OH, [&](int64_t xo, int64_t yo, int64_t fo) {
      U* d = dx + xo;
      const U* gy = dy + yo;
      const U* fk = f + fo;
      if (mult == 1) {
        for (int64_t c = 0; c < C; ++c) d[c] += gy[c] * fk[c];
      } else {
        for (int64_t c = 0; c < C; ++c) {
          U s = 0;
          for (int64_t m = 0; m < mult; ++m) s += gy[c * mult + m] * fk[c * mult + m];
          d[c] += s;
        }
      }
    });
  });
}

template <typename U>
void DepthwiseBackpropFilter(const DepthwiseGeom& g, const U* x, const U* dy, U* df,
                             ThreadPool* pool) {
  const Window& w = g.w;
  const int64_t C = w.C, mult = g.mult, fsize = w.KH * w.KW * g.OC;
  const int64_t rows = w.N * w.OH;
  const double flops = 2.0 * rows * w.OW * w.KH * w.KW * g.OC;
  const int64_t units = std::max<int64_t>(1, std::min(rows, ParallelUnits(pool, flops)));
  const int64_t pieces = ReductionPieces(units, rows, fsize * sizeof(U));
  std::vector<U> partial((pieces - 1) * fsize, U(0));
  ZeroN(df, fsize);
  ForEachPiece(pool, units, rows, pieces, [&](int64_t u, int64_t rb, int64_t re) {
    U* acc = u == 0 ? df : partial.data() + (u - 1) * fsize;
    ForEachDepthwiseTap(g, rb, re, [&](int64_t xo, int64_t yo, int64_t fo) {
      const U* xi = x + xo;
      const U* gy = dy + yo;
      U* a = acc + fo;
      for (int64_t c = 0; c < C; ++c)
        for (int64_t m = 0; m < mult; ++m) a[c * mult + m] += xi[c] * gy[c * mult + m];
    });
  });
  for (int64_t u = 1; u < pieces; ++u) AddN(df, partial.data() + (u - 1) * fsize, fsize);
}

template <typename T>
class DepthwiseConv2dNativeOp : public OpKernel {
 public:
  explicit DepthwiseConv2dNativeOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, true, false, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    using U = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    const Tensor& filter = ctx->input(1);
    DepthwiseGeom g;
    GF_REQUIRE_OK(ctx, MakeDepthwiseGeom(Where(*this), a_, input.shape(), filter.shape(), &g));
    Tensor* out = ctx->allocate_output(0, input.dtype(), g.OutputShape(a_.nchw));
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, tf, ty;
    const U* x = InputNHWC<U, T>(input, a_.nchw, &tx, pool);
    const U* f = InputAs<U, T>(filter, &tf, pool);
    DepthwiseForward(g, x, f, OutputNHWC<U, T>(out, a_.nchw, &ty), pool);
    FinishOutputNHWC<U, T>(ty, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

template <typename T>
class DepthwiseBackpropInputOp : public OpKernel {
 public:
  explicit DepthwiseBackpropInputOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, true, false, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    using U = typename Acc<T>::type;
    const Tensor& filter = ctx->input(1);
    const Tensor& dy = ctx->input(2);
    const std::string where = Where(*this);
    Shape in_shape;
    GF_REQUIRE_OK(ctx, ShapeFromSizes(where, "input_sizes", ctx->input(0), &in_shape));
    GF_REQUIRE(ctx, in_shape.rank() == 4,
               InvalidArgument(StrCat(where, ": input_sizes must have 4 elements, got ",
                                      in_shape.DebugString())));
    DepthwiseGeom g;
    GF_REQUIRE_OK(ctx, MakeDepthwiseGeom(where, a_, in_shape, filter.shape(), &g));
    GF_REQUIRE_OK(ctx, CheckOutBackprop(where, dy, g.OutputShape(a_.nchw)));
    Tensor* out = ctx->allocate_output(0, dy.dtype(), in_shape);
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tdy, tf, tdx;
    const U* d = InputNHWC<U, T>(dy, a_.nchw, &tdy, pool);
    const U* f = InputAs<U, T>(filter, &tf, pool);
    DepthwiseBackpropInput(g, d, f, OutputNHWC<U, T>(out, a_.nchw, &tdx), pool);
    FinishOutputNHWC<U, T>(tdx, a_.nchw, out, pool);
  }

 private:
  WindowAttrs a_;
};

template <typename T>
class DepthwiseBackpropFilterOp : public OpKernel {
 public:
  explicit DepthwiseBackpropFilterOp(OpKernelConstruction* c) : OpKernel(c) {
    c->SetStatus(ParseWindowAttrs(*c, true, false, &a_));
  }
  void Compute(OpKernelContext* ctx) override {
    using U = typename Acc<T>::type;
    const Tensor& input = ctx->input(0);
    const Tensor& dy = ctx->input(2);
    const std::string where = Where(*this);
    Shape f_shape;
    GF_REQUIRE_OK(ctx, ShapeFromSizes(where, "filter_sizes", ctx->input(1), &f_shape));
    GF_REQUIRE(ctx, f_shape.rank() == 4,
               InvalidArgument(StrCat(where, ": filter_sizes must have 4 elements, got ",
                                      f_shape.DebugString())));
    DepthwiseGeom g;
    GF_REQUIRE_OK(ctx, MakeDepthwiseGeom(where, a_, input.shape(), f_shape, &g));
    GF_REQUIRE_OK(ctx, CheckOutBackprop(where, dy, g.OutputShape(a_.nchw)));
    Tensor* out = ctx->allocate_output(0, dy.dtype(), f_shape);
    if (out->num_elements() == 0) return;
    ThreadPool* pool = ctx->intra_op();
    Tensor tx, tdy, tdf;
    const U* x = InputNHWC<U, T>(input, a_.nchw, &tx, pool);
    const U* d = InputNHWC<U, T>(dy, a_.nchw, &tdy, pool);
    DepthwiseBackpropFilter(g, x, d, OutputNHWC<U, T>(out, false, &tdf), pool);
    FinishOutputNHWC<U, T>(tdf, false, out, pool);
  }

 private:
  WindowAttrs a_;
};

}  // namespace

#define GF_REGISTER_CONV(T)                                                                  \
  REGISTER_KERNEL("Conv2D", "CPU", DTypeOf<T>::value, Conv2DOp<T>);                          \
  REGISTER_KERNEL("_FusedConv2D", "CPU", DTypeOf<T>::value, FusedConv2DOp<T>);               \
  REGISTER_KERNEL("Conv2DBackpropInput", "CPU", DTypeOf<T>::value, Conv2DBackpropInputOp<T>); \
  REGISTER_KERNEL("Conv2DBackpropFilter", "CPU", DTypeOf<T>::value,                          \
                  Conv2DBackpropFilterOp<T>);                                                \
  REGISTER_KERNEL("DepthwiseConv2dNative", "CPU", DTypeOf<T>::value,                         \
                  DepthwiseConv2dNativeOp<T>);                                               \
  REGISTER_KERNEL("DepthwiseConv2dNativeBackpropInput", "CPU", DTypeOf<T>::value,            \
                  DepthwiseBackpropInputOp<T>);                                              \
  REGISTER_KERNEL("DepthwiseConv2dNativeBackpropFilter", "CPU", DTypeOf<T>::value,           \
                  DepthwiseBackpropFilterOp<T>);
GF_REGISTER_CONV(float)
GF_REGISTER_CONV(double)
GF_REGISTER_CONV(Half)

}  // namespace gf
