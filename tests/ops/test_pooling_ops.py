import numpy as np
import pytest

import graphflow as gf
from graphflow.ops import pooling_ops
from graphflow.test import check_op

rng = np.random.RandomState(0)


# --- independent NumPy oracles (naive loops, NHWC) -----------------------------------------

def windows(h, w, k, s, padding):
    """Yields (i, j, rows, cols): each output position and the in-bounds input
    ranges of its window, by TF's SAME/VALID rules written out longhand."""
    if padding == "VALID":
        oh, ow = -(-(h - k[0] + 1) // s[0]), -(-(w - k[1] + 1) // s[1])
        top = left = 0
    else:
        oh, ow = -(-h // s[0]), -(-w // s[1])
        top = max(0, (oh - 1) * s[0] + k[0] - h) // 2
        left = max(0, (ow - 1) * s[1] + k[1] - w) // 2
    for i in range(max(oh, 0)):
        for j in range(max(ow, 0)):
            r0, c0 = i * s[0] - top, j * s[1] - left
            yield i, j, range(max(r0, 0), min(r0 + k[0], h)), range(max(c0, 0), min(c0 + k[1], w))


def out_hw(h, w, k, s, padding):
    cells = list(windows(h, w, k, s, padding))
    return (cells[-1][0] + 1, cells[-1][1] + 1) if cells else (0, 0)


def naive_pool(x, k, s, padding, kind):
    n, h, w, c = x.shape
    oh, ow = out_hw(h, w, k, s, padding)
    out = np.zeros((n, oh, ow, c))
    for i, j, rows, cols in windows(h, w, k, s, padding):
        vals = x[:, rows][:, :, cols].astype(np.float64)      # [n, kr, kc, c]
        out[:, i, j] = vals.max((1, 2)) if kind == "max" else vals.mean((1, 2))
    return out


def naive_argmax(x, k, s, padding):
    """Per window and channel: the flat index (r * W + t) * C + c of the first
    maximum in row-major window order."""
    n, h, w, c = x.shape
    oh, ow = out_hw(h, w, k, s, padding)
    idx = np.zeros((n, oh, ow, c), np.int64)
    for b in range(n):
        for i, j, rows, cols in windows(h, w, k, s, padding):
            for ch in range(c):
                best = None
                for r in rows:
                    for t in cols:
                        if best is None or x[b, r, t, ch] > best:
                            best, idx[b, i, j, ch] = x[b, r, t, ch], (r * w + t) * c + ch
    return idx


def naive_max_pool_grad(x, dy, k, s, padding):
    idx = naive_argmax(x, k, s, padding)
    n = x.shape[0]
    dx = np.zeros((n, x[0].size))
    for b in range(n):
        for g, i in zip(dy[b].ravel(), idx[b].ravel()):
            dx[b, i] += g
    return dx.reshape(x.shape)


def naive_avg_pool_grad(shape, dy, k, s, padding):
    dx = np.zeros(shape)
    for i, j, rows, cols in windows(shape[1], shape[2], k, s, padding):
        share = dy[:, i, j] / (len(rows) * len(cols))
        for r in rows:
            for t in cols:
                dx[:, r, t] += share
    return dx


def nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def attr(v, fmt):
    return [1, 1, v[0], v[1]] if fmt == "NCHW" else [1, v[0], v[1], 1]


CASES = [
    # input NHWC, ksize, strides, padding
    ((2, 6, 6, 3), (2, 2), (2, 2), "VALID"),
    ((2, 7, 5, 3), (2, 2), (2, 2), "SAME"),
    ((1, 13, 13, 4), (3, 3), (2, 2), "VALID"),   # AlexNet's overlapping pool
    ((2, 9, 11, 2), (3, 3), (2, 2), "SAME"),
    ((1, 8, 7, 5), (3, 2), (1, 3), "SAME"),
    ((3, 5, 6, 1), (5, 6), (1, 1), "VALID"),      # global pool
    ((1, 4, 4, 2), (1, 1), (2, 2), "SAME"),
]


# --- forward ---------------------------------------------------------------------------------

def test_max_pool_golden():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]],
                 np.float32).reshape(1, 4, 4, 1)
    check_op(lambda v: pooling_ops.max_pool(v, [1, 2, 2, 1], [1, 2, 2, 1], "VALID"), [x],
             expected=np.array([[6, 8], [3, 4]], np.float32).reshape(1, 2, 2, 1))


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_pool_values(case, fmt):
    xs, k, s, padding = CASES[case]
    x = rng.randn(*xs).astype(np.float32)
    mx = naive_pool(x, k, s, padding, "max").astype(np.float32)
    av = naive_pool(x, k, s, padding, "avg").astype(np.float32)
    if fmt == "NCHW":
        x, mx, av = nchw(x), nchw(mx), nchw(av)
    kw = dict(ksize=attr(k, fmt), strides=attr(s, fmt), padding=padding, data_format=fmt)
    check_op(lambda v: pooling_ops.max_pool(v, **kw), [x], expected=mx)
    check_op(lambda v: pooling_ops.avg_pool(v, **kw), [x], expected=av, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float16, np.float64, np.int32, np.uint8, np.int8, np.int64])
def test_max_pool_dtypes(dtype):
    x = (rng.rand(2, 5, 6, 3) * 100).astype(dtype)
    want = naive_pool(x, (2, 3), (2, 2), "SAME", "max").astype(dtype)
    check_op(lambda v: pooling_ops.max_pool2d(v, [2, 3], 2, "SAME"), [x], expected=want)


@pytest.mark.parametrize("dtype,tol", [(np.float16, 2e-3), (np.float64, 1e-12)])
def test_avg_pool_dtypes(dtype, tol):
    x = rng.randn(2, 5, 6, 3).astype(dtype)
    want = naive_pool(x, (3, 3), (2, 2), "SAME", "avg").astype(dtype)
    check_op(lambda v: pooling_ops.avg_pool2d(v, 3, 2, "SAME"), [x], expected=want, rtol=tol,
             atol=tol)


def test_max_pool_explicit_padding_and_infinities():
    x = np.full((1, 3, 3, 2), -np.inf, np.float32)
    x[0, 1, 1, 0] = 5
    y = pooling_ops.max_pool(x, 2, 1, [[0, 0], [1, 0], [0, 1], [0, 0]])
    want = np.full((1, 3, 3, 2), -np.inf, np.float32)
    want[0, 1:3, 0:2, 0] = 5
    check_op(lambda v: pooling_ops.max_pool(v, 2, 1, [[0, 0], [1, 0], [0, 1], [0, 0]]), [x],
             expected=want)
    assert y.shape.as_list() == [1, 3, 3, 2]


def test_pool_empty_and_shapes():
    x = np.zeros((0, 4, 4, 3), np.float32)
    check_op(lambda v: pooling_ops.max_pool(v, 2, 2, "VALID"), [x],
             expected=np.zeros((0, 2, 2, 3), np.float32))
    check_op(lambda v: pooling_ops.avg_pool(v, 2, 2, "SAME"), [np.zeros((2, 3, 3, 0), np.float32)],
             expected=np.zeros((2, 2, 2, 0), np.float32))
    p = gf.placeholder(gf.float32, [None, 28, 28, 6])
    assert pooling_ops.max_pool2d(p, 2, 2, "VALID").shape.as_list() == [None, 14, 14, 6]
    assert pooling_ops.max_pool(p, [3, 3], [2, 2], "SAME").shape.as_list() == [None, 14, 14, 6]
    q = gf.placeholder(gf.float32, [4, 6, 27, 27])
    assert pooling_ops.avg_pool(q, 3, 2, "VALID", data_format="NCHW").shape.as_list() == \
        [4, 6, 13, 13]


def test_pool_errors():
    x = gf.placeholder(gf.float32, [1, 4, 4, 3])
    with pytest.raises(ValueError, match="batch or depth"):
        pooling_ops.max_pool(x, [2, 2, 2, 1], [1, 2, 2, 1], "VALID")
    with pytest.raises(ValueError, match="batch and depth"):
        pooling_ops.avg_pool(x, 2, [1, 2, 2, 2], "VALID")
    with pytest.raises(ValueError, match="ksize should be of length 1, 2 or 4"):
        pooling_ops.max_pool(x, [2, 2, 2], 2, "VALID")
    with pytest.raises(ValueError, match="padding must be"):
        pooling_ops.avg_pool(x, 2, 2, "FULL")
    with pytest.raises(ValueError, match="'SAME' or 'VALID'"):
        pooling_ops.avg_pool(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])
    with pytest.raises(ValueError, match="negative"):
        pooling_ops.max_pool(gf.placeholder(gf.float32, [1, 1, 1, 3]), 3, 1, "VALID")
    with pytest.raises(ValueError, match="rank 4"):
        pooling_ops.max_pool(gf.placeholder(gf.float32, [4, 4, 3]), 2, 2, "VALID")
    with pytest.raises(TypeError):
        pooling_ops.avg_pool(gf.placeholder(gf.int32, [1, 4, 4, 3]), 2, 2, "VALID")
    p = gf.placeholder(gf.float32, None)
    y = pooling_ops.max_pool(p, 2, 2, "VALID", name="pool1")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="pool1.*4-dimensional"):
            sess.run(y, {p: np.zeros((4, 4, 3))})


# --- gradients ops ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_pool_grads_values(case, fmt):
    xs, k, s, padding = CASES[case]
    x = rng.randn(*xs).astype(np.float32)
    y = naive_pool(x, k, s, padding, "max").astype(np.float32)
    dy = rng.randn(*y.shape).astype(np.float32)
    dmax = naive_max_pool_grad(x, dy, k, s, padding).astype(np.float32)
    davg = naive_avg_pool_grad(xs, dy, k, s, padding).astype(np.float32)
    sizes = np.array(xs, np.int32)
    if fmt == "NCHW":
        x, y, dy, dmax, davg = nchw(x), nchw(y), nchw(dy), nchw(dmax), nchw(davg)
        sizes = sizes[[0, 3, 1, 2]]
    kw = dict(ksize=attr(k, fmt), strides=attr(s, fmt), padding=padding, data_format=fmt)
    check_op(lambda a, b, c: pooling_ops.max_pool_grad(a, b, c, **kw), [x, y, dy], expected=dmax,
             rtol=1e-5, atol=1e-6)
    check_op(lambda sz, g: pooling_ops.avg_pool_grad(sz, g, **kw), [sizes, dy], expected=davg,
             rtol=1e-5, atol=1e-6)


def test_max_pool_grad_routes_to_first_max():
    # Ties: the whole gradient goes to the first maximum in (h, w) order.
    x = np.array([[3, 3, 1, 2], [3, 0, 2, 2], [0, 0, 5, 1], [9, 0, 1, 5]],
                 np.float32).reshape(1, 4, 4, 1)
    y = np.array([[3, 2], [9, 5]], np.float32).reshape(1, 2, 2, 1)
    dy = np.array([[10, 20], [30, 40]], np.float32).reshape(1, 2, 2, 1)
    want = np.array([[10, 0, 0, 20], [0, 0, 0, 0], [0, 0, 40, 0], [30, 0, 0, 0]],
                    np.float32).reshape(1, 4, 4, 1)
    check_op(lambda a, b, c: pooling_ops.max_pool_grad(a, b, c, 2, 2, "VALID"), [x, y, dy],
             expected=want)


TILED = [
    # stride = ksize, no padding: the row-wise kernels (fewer than 16 channels)
    # and the channel-wise ones, with rows/columns past the last window, one
    # channel, LeNet's 6 and many (vector tails: 33).
    ((2, 5, 7, 6), (2, 2)),
    ((2, 5, 7, 16), (2, 2)),
    ((1, 7, 8, 33), (3, 2)),
    ((3, 9, 9, 1), (3, 3)),
    ((1, 8, 6, 3), (2, 3)),
    ((2, 4, 4, 40), (2, 2)),
    ((1, 3, 5, 2), (3, 1)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("case", range(len(TILED)))
def test_tiled_max_pool_grad_ties_nan_and_infinities(case, dtype):
    """Small integers make ties common; NaN is never greater (a window starting
    with NaN routes to it, as the general kernel and the reference), and
    -inf-only windows route to their first element."""
    xs, k = TILED[case]
    x = rng.randint(-2, 3, size=xs).astype(dtype)
    flat = x.reshape(-1)
    picks = rng.choice(flat.size, size=(3, max(1, flat.size // 10)), replace=False)
    flat[picks[0]] = np.nan
    flat[picks[1]] = -np.inf
    flat[picks[2]] = np.inf
    x[0, :k[0], :k[1], 0] = -np.inf          # a whole window of -inf
    x[-1, 0, 0, -1] = np.nan                  # a window starting with NaN
    dy = rng.randn(*(xs[0], xs[1] // k[0], xs[2] // k[1], xs[3])).astype(dtype)
    want = naive_max_pool_grad(x, dy, k, k, "VALID").astype(dtype)
    y = np.asarray(naive_pool(np.nan_to_num(x, nan=-np.inf), k, k, "VALID", "max"), dtype)
    check_op(lambda a, b, c: pooling_ops.max_pool_grad(a, b, c, list(k), list(k), "VALID"),
             [x, y, dy], expected=want, modes=("feed",))
    # The general kernel (stride not equal to the window) on the same data.
    s = [k[0], k[1] + 1]
    y2 = np.asarray(naive_pool(np.nan_to_num(x, nan=-np.inf), k, s, "VALID", "max"), dtype)
    dy2 = rng.randn(*y2.shape).astype(dtype)
    check_op(lambda a, b, c: pooling_ops.max_pool_grad(a, b, c, list(k), s, "VALID"),
             [x, y2, dy2], expected=naive_max_pool_grad(x, dy2, k, s, "VALID").astype(dtype),
             modes=("feed",))


def test_avg_pool_grad_overlapping_windows_sum():
    # AlexNet's 3x3 stride-2 pool: a pixel inside two windows gets both shares.
    dy = np.ones((1, 2, 2, 1), np.float32)
    want = np.array([[1, 1, 2, 1, 1], [1, 1, 2, 1, 1], [2, 2, 4, 2, 2], [1, 1, 2, 1, 1],
                     [1, 1, 2, 1, 1]], np.float32).reshape(1, 5, 5, 1) / 9
    check_op(lambda g: pooling_ops.avg_pool_grad([1, 5, 5, 1], g, 3, 2, "VALID"), [dy],
             expected=want, modes=("feed",))
    # SAME: the bottom/right windows are clipped and divide by their in-bounds size.
    got = check_op(lambda g: pooling_ops.avg_pool_grad([1, 3, 3, 1], g, 2, 2, "SAME"), [dy],
                   modes=("feed",))[0]
    np.testing.assert_allclose(got[0, :, :, 0], [[.25, .25, .5], [.25, .25, .5], [.5, .5, 1]])


def test_pool_grad_errors():
    x = gf.placeholder(gf.float32, [1, 4, 4, 1])
    with pytest.raises(ValueError, match="grad has shape"):
        pooling_ops.max_pool_grad(x, gf.placeholder(gf.float32, [1, 2, 2, 1]),
                                  gf.placeholder(gf.float32, [1, 3, 2, 1]), 2, 2, "VALID")
    with pytest.raises(ValueError, match="grad has shape"):
        pooling_ops.avg_pool_grad([1, 4, 4, 1], gf.placeholder(gf.float32, [1, 3, 2, 1]), 2, 2,
                                  "VALID")
    g = gf.placeholder(gf.float32, None)
    y = pooling_ops.avg_pool_grad([1, 4, 4, 1], g, 2, 2, "VALID", name="apg")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="apg.*grad has shape"):
            sess.run(y, {g: np.zeros((1, 3, 3, 1))})


# --- argmax -----------------------------------------------------------------------------------

@pytest.mark.parametrize("targ", [gf.int64, gf.int32])
@pytest.mark.parametrize("with_batch", [False, True])
@pytest.mark.parametrize("case", [1, 2, 3])
def test_max_pool_with_argmax(case, with_batch, targ):
    xs, k, s, padding = CASES[case]
    x = rng.randn(*xs).astype(np.float32)
    idx = naive_argmax(x, k, s, padding)
    if with_batch:
        idx = idx + (np.arange(xs[0]) * x[0].size)[:, None, None, None]
    mx = naive_pool(x, k, s, padding, "max").astype(np.float32)

    def build(v):
        return pooling_ops.max_pool_with_argmax(v, k, s, padding, Targmax=targ,
                                                include_batch_in_index=with_batch)
    check_op(build, [x], expected=[mx, idx.astype(targ.as_numpy_dtype)])
    dy = rng.randn(*mx.shape).astype(np.float32)
    want = naive_max_pool_grad(x, dy, k, s, padding).astype(np.float32)
    check_op(lambda v, g, a: pooling_ops.max_pool_grad_with_argmax(
        v, g, a, k, s, padding, include_batch_in_index=with_batch),
        [x, dy, idx.astype(targ.as_numpy_dtype)], expected=want, rtol=1e-6, atol=1e-6)


def test_max_pool_grad_with_argmax_checks_indices():
    x = gf.placeholder(gf.float32, [1, 4, 4, 1])
    g = gf.placeholder(gf.float32, [1, 2, 2, 1])
    a = gf.placeholder(gf.int64, [1, 2, 2, 1])
    y = pooling_ops.max_pool_grad_with_argmax(x, g, a, 2, 2, "VALID", name="mpga")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="mpga.*argmax value 16"):
            sess.run(y, {x: np.zeros((1, 4, 4, 1)), g: np.zeros((1, 2, 2, 1)),
                         a: np.array([0, 1, 2, 16]).reshape(1, 2, 2, 1)})
    with pytest.raises(ValueError, match="NHWC"):
        pooling_ops.max_pool_with_argmax(gf.placeholder(gf.float32, [1, 1, 4, 4]), 2, 2, "VALID",
                                         data_format="NCHW")


# --- gradients ------------------------------------------------------------------------------------

def _grad_err(build, x, delta=1e-4):
    """max |J^T r - numeric J^T r| for y = build(x), r random."""
    with gf.Graph().as_default(), gf.Session() as sess:
        p = gf.placeholder(gf.float64, x.shape)
        y = build(p)
        r = rng.randn(*y.shape.as_list())
        sym = sess.run(gf.gradients(y, p, grad_ys=gf.constant(r))[0], {p: x})
        num = np.zeros(x.shape)
        flat = x.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            out = []
            for d in (delta, -delta):
                flat[i] = orig + d
                out.append(np.sum(sess.run(y, {p: x}) * r))
            flat[i] = orig
            num.reshape(-1)[i] = (out[0] - out[1]) / (2 * delta)
        return np.max(np.abs(sym - num))


def _distinct(shape):
    """Values whose gaps exceed the finite-difference step (no ties)."""
    return (rng.permutation(int(np.prod(shape))) * 0.1).reshape(shape)


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("k,s,padding", [((2, 2), (2, 2), "VALID"), ((3, 3), (2, 2), "SAME"),
                                         ((3, 2), (1, 2), "SAME")])
def test_pool_gradients(k, s, padding, fmt):
    xs = (2, 5, 6, 3) if fmt == "NHWC" else (2, 3, 5, 6)
    kw = dict(ksize=attr(k, fmt), strides=attr(s, fmt), padding=padding, data_format=fmt)
    assert _grad_err(lambda v: pooling_ops.max_pool(v, **kw), _distinct(xs)) < 1e-7
    assert _grad_err(lambda v: pooling_ops.avg_pool(v, **kw), rng.randn(*xs)) < 1e-7


def test_second_order_gradients():
    x = _distinct((1, 5, 5, 2))

    def max_pool_grad(g):
        y = pooling_ops.max_pool(gf.constant(x), 3, 2, "SAME")
        return pooling_ops.max_pool_grad(gf.constant(x), y, g, 3, 2, "SAME")
    # d(MaxPoolGrad)/d(grad) is MaxPoolGradGrad; AvgPoolGrad's is AvgPool.
    assert _grad_err(max_pool_grad, rng.randn(1, 3, 3, 2)) < 1e-7
    assert _grad_err(lambda g: pooling_ops.avg_pool_grad([1, 5, 5, 2], g, 3, 2, "SAME"),
                     rng.randn(1, 3, 3, 2)) < 1e-7
    assert _grad_err(lambda v: pooling_ops.max_pool_with_argmax(v, 2, 2, "SAME")[0],
                     _distinct((2, 5, 5, 2))) < 1e-7


def test_avg_pool_gradient_with_unknown_shape():
    x = rng.randn(2, 5, 5, 3).astype(np.float32)
    dy = rng.randn(2, 3, 3, 3).astype(np.float32)
    p = gf.placeholder(gf.float32, [None, None, None, 3])
    g = gf.gradients(pooling_ops.avg_pool(p, 3, 2, "SAME"), p, grad_ys=gf.constant(dy))[0]
    with gf.Session() as sess:
        got = sess.run(g, {p: x})
    np.testing.assert_allclose(got, naive_avg_pool_grad(x.shape, dy, (3, 3), (2, 2), "SAME"),
                               rtol=1e-5, atol=1e-6)
