import numpy as np
import pytest

import graphflow as gf
from graphflow.ops import conv_ops
from graphflow.test import check_op

rng = np.random.RandomState(0)


# --- independent NumPy oracles (naive loops, NHWC) -----------------------------------------

def pads_for(in_size, k, stride, dilation, padding):
    """(output size, pad before) by TF's rules, written out longhand."""
    ek = (k - 1) * dilation + 1
    if padding == "VALID":
        return max(0, -(-(in_size - ek + 1) // stride)), 0
    if padding == "SAME":
        out = -(-in_size // stride)
        total = max(0, (out - 1) * stride + ek - in_size)
        return out, total // 2
    before, after = padding
    return (in_size + before + after - ek) // stride + 1, before


def naive_conv(x, f, strides=(1, 1), padding="VALID", dilations=(1, 1)):
    """Cross-correlation; grouped when x's depth is a multiple of f's.
    padding: "SAME", "VALID" or ((top, bottom), (left, right))."""
    n, h, w, c = x.shape
    kh, kw, fc, oc = f.shape
    ph = padding if isinstance(padding, str) else padding[0]
    pw = padding if isinstance(padding, str) else padding[1]
    oh, top = pads_for(h, kh, strides[0], dilations[0], ph)
    ow, left = pads_for(w, kw, strides[1], dilations[1], pw)
    groups = c // fc
    ocg = oc // groups
    out = np.zeros((n, oh, ow, oc))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for o in range(oc):
                    g = o // ocg
                    s = 0.0
                    for p in range(kh):
                        for q in range(kw):
                            r = i * strides[0] - top + p * dilations[0]
                            t = j * strides[1] - left + q * dilations[1]
                            if 0 <= r < h and 0 <= t < w:
                                s += np.dot(x[b, r, t, g * fc:(g + 1) * fc].astype(np.float64),
                                            f[p, q, :, o])
                    out[b, i, j, o] = s
    return out


def naive_conv_grads(x_shape, f, x, dy, strides, padding, dilations=(1, 1)):
    """(d input, d filter) of sum(conv(x, f) * dy), by the chain rule per tap."""
    n, h, w, c = x_shape
    kh, kw, fc, oc = f.shape
    ph = padding if isinstance(padding, str) else padding[0]
    pw = padding if isinstance(padding, str) else padding[1]
    oh, top = pads_for(h, kh, strides[0], dilations[0], ph)
    ow, left = pads_for(w, kw, strides[1], dilations[1], pw)
    groups = c // fc
    ocg = oc // groups
    dx = np.zeros(x_shape)
    df = np.zeros(f.shape)
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for o in range(oc):
                    g = o // ocg
                    for p in range(kh):
                        for q in range(kw):
                            r = i * strides[0] - top + p * dilations[0]
                            t = j * strides[1] - left + q * dilations[1]
                            if 0 <= r < h and 0 <= t < w:
                                dx[b, r, t, g * fc:(g + 1) * fc] += dy[b, i, j, o] * f[p, q, :, o]
                                if x is not None:
                                    xs = x[b, r, t, g * fc:(g + 1) * fc]
                                    df[p, q, :, o] += dy[b, i, j, o] * xs
    return dx, df


def naive_depthwise(x, f, strides, padding, dilations=(1, 1)):
    n, h, w, c = x.shape
    kh, kw, _, m = f.shape
    oh, top = pads_for(h, kh, strides[0], dilations[0], padding)
    ow, left = pads_for(w, kw, strides[1], dilations[1], padding)
    out = np.zeros((n, oh, ow, c * m))
    for b in range(n):
        for i in range(oh):
            for j in range(ow):
                for p in range(kh):
                    for q in range(kw):
                        r = i * strides[0] - top + p * dilations[0]
                        t = j * strides[1] - left + q * dilations[1]
                        if 0 <= r < h and 0 <= t < w:
                            out[b, i, j] += (x[b, r, t][:, None] * f[p, q]).reshape(-1)
    return out


def nchw(a):
    return np.ascontiguousarray(a.transpose(0, 3, 1, 2))


def nhwc_attr(v):
    return [1, v[0], v[1], 1]


def nchw_attr(v):
    return [1, 1, v[0], v[1]]


# --- Conv2D ----------------------------------------------------------------------------------

def test_conv2d_golden():
    img = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0],
                    [0, 1, 1, 0, 0]], np.float32).reshape(1, 5, 5, 1)
    k = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], np.float32).reshape(3, 3, 1, 1)
    want = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]], np.float32).reshape(1, 3, 3, 1)
    check_op(lambda x, f: conv_ops.conv2d(x, f, strides=[1, 1, 1, 1], padding="VALID"),
             [img, k], expected=want)


CONV_CASES = [
    # input NHWC, filter, strides, padding, dilations
    ((2, 7, 6, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((2, 7, 6, 3), (3, 3, 3, 4), (1, 1), "VALID", (1, 1)),
    ((1, 9, 8, 2), (3, 2, 2, 5), (2, 3), "SAME", (1, 1)),
    ((1, 9, 8, 2), (3, 2, 2, 5), (2, 3), "VALID", (1, 1)),
    ((2, 8, 9, 3), (3, 3, 3, 2), (1, 1), "SAME", (2, 3)),
    ((2, 10, 9, 2), (2, 3, 2, 3), (1, 1), "VALID", (3, 2)),
    ((3, 5, 5, 4), (1, 1, 4, 6), (1, 1), "SAME", (1, 1)),        # 1x1: no im2col
    ((2, 6, 7, 4), (1, 1, 4, 3), (2, 2), "VALID", (1, 1)),       # 1x1 strided
    ((2, 4, 4, 3), (5, 5, 3, 2), (1, 1), "SAME", (1, 1)),        # filter larger than input
    ((2, 6, 6, 6), (3, 3, 2, 6), (1, 1), "SAME", (1, 1)),        # 3 groups
    ((1, 7, 5, 4), (2, 2, 2, 4), (2, 1), "VALID", (1, 1)),       # 2 groups, strided
    ((2, 6, 5, 3), (3, 3, 3, 2), (2, 2), ((1, 2), (0, 3)), (1, 1)),  # explicit
    ((2, 13, 11, 5), (3, 3, 5, 21), (1, 1), "SAME", (1, 1)),     # partial channel blocks
    ((2, 9, 7, 40), (2, 2, 40, 70), (2, 1), "VALID", (1, 1)),    # several channel blocks
    ((1, 30, 3, 2), (3, 1, 2, 3), (1, 1), "SAME", (1, 1)),       # tall: several bands
]


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", range(len(CONV_CASES)))
def test_conv2d_values(case, fmt):
    xs, fs, strides, padding, dil = CONV_CASES[case]
    x = rng.randn(*xs).astype(np.float32)
    f = rng.randn(*fs).astype(np.float32)
    want = naive_conv(x, f, strides, padding, dil).astype(np.float32)
    attr = nchw_attr if fmt == "NCHW" else nhwc_attr
    if isinstance(padding, str):
        pad = padding
    else:
        (t, b), (l, r) = padding
        pad = ([[0, 0], [0, 0], [t, b], [l, r]] if fmt == "NCHW"
               else [[0, 0], [t, b], [l, r], [0, 0]])
    if fmt == "NCHW":
        x, want = nchw(x), nchw(want)
    check_op(lambda a, b: conv_ops.conv2d(a, b, strides=attr(strides), padding=pad,
                                          data_format=fmt, dilations=attr(dil)),
             [x, f], expected=want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-10), (np.float16, 2e-2)])
def test_conv2d_dtypes(dtype, tol):
    x = rng.randn(2, 6, 5, 3).astype(dtype)
    f = (rng.randn(3, 3, 3, 4) / 3).astype(dtype)
    want = naive_conv(x, f, (1, 1), "SAME").astype(dtype)
    check_op(lambda a, b: conv_ops.conv2d(a, b, 1, "SAME"), [x, f], expected=want, rtol=tol,
             atol=tol)


def test_conv2d_larger_than_one_tile():
    # Enough output pixels for several im2col tiles and parallel parts.
    x = rng.randn(4, 20, 18, 16).astype(np.float32)
    f = rng.randn(3, 3, 16, 8).astype(np.float32)
    want = np.zeros((4, 18, 16, 8))
    for p in range(3):
        for q in range(3):
            want += x[:, p:p + 18, q:q + 16] @ f[p, q]
    check_op(lambda a, b: conv_ops.conv2d(a, b, 1, "VALID"), [x, f],
             expected=want.astype(np.float32), rtol=1e-4, atol=1e-4, modes=("feed",))


def test_conv2d_empty():
    x = np.zeros((0, 5, 5, 2), np.float32)
    f = rng.randn(3, 3, 2, 4).astype(np.float32)
    check_op(lambda a, b: conv_ops.conv2d(a, b, 1, "SAME"), [x, f],
             expected=np.zeros((0, 5, 5, 4), np.float32))
    check_op(lambda a, b: conv_ops.conv2d(a, b, 2, "VALID"),
             [rng.randn(1, 2, 2, 2).astype(np.float32), f],
             expected=np.zeros((1, 0, 0, 4), np.float32))


def test_conv2d_builder_forms():
    x = gf.placeholder(gf.float32, [None, 28, 28, 1])
    f = gf.placeholder(gf.float32, [5, 5, 1, 6])
    assert conv_ops.conv2d(x, f, 1, "VALID").shape.as_list() == [None, 24, 24, 6]
    assert conv_ops.conv2d(x, filters=f, strides=[2, 2], padding="SAME").shape.as_list() == \
        [None, 14, 14, 6]
    assert conv_ops.conv2d(x, f, [1, 3, 2, 1], "VALID").shape.as_list() == [None, 8, 12, 6]
    assert conv_ops.conv2d(x, f, 1, "VALID", dilations=2).shape.as_list() == [None, 20, 20, 6]
    y = conv_ops.conv2d(x, f, 1, [[0, 0], [2, 2], [1, 0], [0, 0]])
    assert y.op.get_attr("padding") == "EXPLICIT"
    assert y.shape.as_list() == [None, 28, 25, 6]
    xc = gf.placeholder(gf.float32, [8, 3, 32, 30])
    fc = gf.placeholder(gf.float32, [3, 3, 3, 16])
    assert conv_ops.conv2d(xc, fc, 2, "SAME", data_format="NCHW").shape.as_list() == \
        [8, 16, 16, 15]


def test_conv2d_shape_errors():
    x = gf.placeholder(gf.float32, [1, 5, 5, 3])
    with pytest.raises(ValueError, match=r"Depth of input \(3\) is not a multiple of input "
                                         r"depth of filter \(4\)"):
        conv_ops.conv2d(x, gf.placeholder(gf.float32, [3, 3, 4, 2]), 1, "SAME")
    with pytest.raises(ValueError, match="not a multiple of the number of groups"):
        conv_ops.conv2d(gf.placeholder(gf.float32, [1, 5, 5, 4]),
                        gf.placeholder(gf.float32, [3, 3, 2, 3]), 1, "SAME")
    f = gf.placeholder(gf.float32, [3, 3, 3, 2])
    with pytest.raises(ValueError, match="strides in the batch and depth"):
        conv_ops.conv2d(x, f, [2, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="strides should be of length 1, 2 or 4"):
        conv_ops.conv2d(x, f, [1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="padding must be"):
        conv_ops.conv2d(x, f, 1, "FULL")
    with pytest.raises(ValueError, match="negative"):
        conv_ops.conv2d(gf.placeholder(gf.float32, [1, 1, 1, 3]), f, 1, "VALID")
    with pytest.raises(ValueError, match="rank 4"):
        conv_ops.conv2d(gf.placeholder(gf.float32, [5, 5, 3]), f, 1, "SAME")
    with pytest.raises(ValueError, match="batch and channel"):
        conv_ops.conv2d(x, f, 1, [[1, 0], [0, 0], [0, 0], [0, 0]])


def test_conv2d_runtime_errors():
    x = gf.placeholder(gf.float32, None)
    f = gf.placeholder(gf.float32, None)
    y = conv_ops.conv2d(x, f, 1, "VALID", name="my_conv")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"my_conv.*Depth of input \(3\).*filter \(2\)"):
            sess.run(y, {x: np.zeros((1, 5, 5, 3)), f: np.zeros((3, 3, 2, 1))})
        with pytest.raises(gf.errors.InvalidArgumentError, match="my_conv.*negative"):
            sess.run(y, {x: np.zeros((1, 1, 1, 3)), f: np.zeros((3, 3, 3, 1))})
        with pytest.raises(gf.errors.InvalidArgumentError, match="my_conv.*4-dimensional"):
            sess.run(y, {x: np.zeros((5, 5, 3)), f: np.zeros((3, 3, 3, 1))})


# --- backprops ------------------------------------------------------------------------------

BACKPROP_CASES = [
    ((2, 7, 6, 3), (3, 3, 3, 4), (1, 1), "SAME", (1, 1)),
    ((1, 9, 8, 2), (3, 2, 2, 5), (2, 3), "VALID", (1, 1)),
    ((2, 8, 9, 3), (3, 3, 3, 2), (2, 1), "SAME", (2, 2)),
    ((3, 5, 5, 4), (1, 1, 4, 6), (1, 1), "SAME", (1, 1)),
    ((2, 6, 6, 6), (3, 3, 2, 6), (1, 1), "SAME", (1, 1)),
    ((2, 6, 5, 3), (3, 3, 3, 2), (2, 2), ((1, 2), (0, 3)), (1, 1)),
    ((2, 8, 9, 3), (3, 3, 3, 2), (1, 1), "SAME", (2, 2)),
    ((1, 6, 5, 2), (3, 2, 2, 3), (1, 1), ((0, 2), (1, 0)), (1, 1)),
    ((1, 6, 5, 2), (3, 2, 2, 3), (1, 1), ((3, 0), (1, 2)), (1, 1)),   # pad beyond the window
    ((2, 13, 11, 5), (3, 3, 5, 21), (1, 1), "SAME", (1, 1)),       # partial channel blocks
    ((2, 9, 7, 40), (2, 2, 40, 70), (1, 1), "VALID", (1, 1)),      # several channel blocks
    # One channel (LeNet's conv1): filter-gradient patches read by offset table,
    # 25 values in passes of 12, 12 and 1.
    ((3, 12, 11, 1), (5, 5, 1, 6), (1, 1), "VALID", (1, 1)),
    ((2, 10, 9, 1), (5, 5, 1, 20), (2, 1), "SAME", (1, 2)),
]


def _pad_attr(padding, fmt):
    if isinstance(padding, str):
        return padding
    (t, b), (l, r) = padding
    return [[0, 0], [0, 0], [t, b], [l, r]] if fmt == "NCHW" else [[0, 0], [t, b], [l, r], [0, 0]]


@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("case", range(len(BACKPROP_CASES)))
def test_conv2d_backprops(case, fmt):
    xs, fs, strides, padding, dil = BACKPROP_CASES[case]
    x = rng.randn(*xs).astype(np.float32)
    f = rng.randn(*fs).astype(np.float32)
    dy = rng.randn(*naive_conv(x, f, strides, padding, dil).shape).astype(np.float32)
    dx, df = naive_conv_grads(xs, f, x, dy, strides, padding, dil)
    attr = nchw_attr if fmt == "NCHW" else nhwc_attr
    kw = dict(strides=attr(strides), padding=_pad_attr(padding, fmt), data_format=fmt,
              dilations=attr(dil))
    sizes = np.array(xs, np.int32)
    if fmt == "NCHW":
        x, dy, dx, sizes = nchw(x), nchw(dy), nchw(dx), sizes[[0, 3, 1, 2]]
    check_op(lambda s, b, d: conv_ops.conv2d_backprop_input(s, b, d, **kw), [sizes, f, dy],
             expected=dx.astype(np.float32), rtol=1e-4, atol=1e-4)
    check_op(lambda a, s, d: conv_ops.conv2d_backprop_filter(a, s, d, **kw),
             [x, np.array(fs, np.int32), dy], expected=df.astype(np.float32), rtol=1e-4,
             atol=1e-4)


def test_backprop_input_spatial_sizes_and_constant_shapes():
    f = rng.randn(3, 3, 2, 4).astype(np.float32)
    dy = rng.randn(2, 5, 5, 4).astype(np.float32)
    dx, _ = naive_conv_grads((2, 5, 5, 2), f, None, dy, (1, 1), "SAME")
    y = conv_ops.conv2d_backprop_input([2, 5, 5, 2], f, dy, [1, 1, 1, 1], "SAME")
    assert y.shape.as_list() == [2, 5, 5, 2]
    y2 = conv_ops.conv2d_backprop_input(np.array([5, 5], np.int32), f, dy, 1, "SAME")
    assert y2.shape.as_list() == [2, 5, 5, 2]
    with gf.Session() as sess:
        a, b = sess.run([y, y2])
    np.testing.assert_allclose(a, dx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(b, dx, rtol=1e-4, atol=1e-4)


def test_backprop_errors():
    f = gf.placeholder(gf.float32, [3, 3, 2, 4])
    with pytest.raises(ValueError, match="out_backprop has shape"):
        conv_ops.conv2d_backprop_input([2, 5, 5, 2], f, gf.placeholder(gf.float32, [2, 4, 5, 4]),
                                       1, "SAME")
    with pytest.raises(ValueError, match="out_backprop has shape"):
        conv_ops.conv2d_backprop_filter(gf.placeholder(gf.float32, [2, 5, 5, 2]), [3, 3, 2, 4],
                                        gf.placeholder(gf.float32, [2, 5, 5, 3]), 1, "VALID")
    sizes = gf.placeholder(gf.int32, [4])
    dy = gf.placeholder(gf.float32, None)
    y = conv_ops.conv2d_backprop_input(sizes, f, dy, 1, "SAME", name="bi")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="bi.*out_backprop has shape"):
            sess.run(y, {sizes: [2, 5, 5, 2], f: np.zeros((3, 3, 2, 4)),
                         dy: np.zeros((2, 5, 4, 4))})
        with pytest.raises(gf.errors.InvalidArgumentError, match="bi.*non-negative"):
            sess.run(y, {sizes: [2, -5, 5, 2], f: np.zeros((3, 3, 2, 4)),
                         dy: np.zeros((2, 5, 4, 4))})


def test_conv2d_transpose():
    x = rng.randn(2, 4, 5, 3).astype(np.float32)
    f = rng.randn(3, 3, 6, 3).astype(np.float32)   # [KH, KW, out_channels, in_channels]
    want, _ = naive_conv_grads((2, 8, 10, 6), f, None, x, (2, 2), "SAME")
    check_op(lambda a, b: conv_ops.conv2d_transpose(a, b, [2, 8, 10, 6], [1, 2, 2, 1]), [x, f],
             expected=want.astype(np.float32), rtol=1e-4, atol=1e-4, modes=("feed",))
    with pytest.raises(ValueError, match="output channels"):
        conv_ops.conv2d_transpose(x, f, [2, 8, 10, 5], [1, 2, 2, 1])
    with pytest.raises(ValueError, match="input channels"):
        conv_ops.conv2d_transpose(rng.randn(2, 4, 5, 4).astype(np.float32), f, [2, 8, 10, 6],
                                  [1, 2, 2, 1])


# --- fused ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("activation", [None, "Relu"])
@pytest.mark.parametrize("dtype,tol", [(np.float32, 1e-4), (np.float64, 1e-10), (np.float16, 2e-2)])
def test_fused_conv2d(activation, fmt, dtype, tol):
    x = rng.randn(2, 7, 6, 3).astype(dtype)
    f = (rng.randn(3, 3, 3, 21) / 3).astype(dtype)
    b = rng.randn(21).astype(dtype)
    want = naive_conv(x, f, (1, 2), "SAME") + b
    if activation:
        want = np.maximum(want, 0)
    want = want.astype(dtype)
    attr = nchw_attr if fmt == "NCHW" else nhwc_attr
    if fmt == "NCHW":
        x, want = nchw(x), nchw(want)
    check_op(lambda a, c, d: conv_ops.fused_conv2d(a, c, d, attr((1, 2)), "SAME", activation,
                                                   data_format=fmt),
             [x, f, b], expected=want, rtol=tol, atol=tol)


def test_fused_conv2d_errors_and_gradient():
    x = gf.placeholder(gf.float32, [1, 5, 5, 3])
    f = gf.placeholder(gf.float32, [3, 3, 3, 4])
    with pytest.raises(ValueError, match="output depth"):
        conv_ops.fused_conv2d(x, f, gf.placeholder(gf.float32, [5]), 1, "SAME")
    with pytest.raises(ValueError, match="activation"):
        conv_ops.fused_conv2d(x, f, gf.placeholder(gf.float32, [4]), 1, "SAME", "Tanh")
    from graphflow.framework import op_builder
    with pytest.raises(ValueError, match="fused_ops"):
        op_builder.apply_op("_FusedConv2D", [x, f, [gf.placeholder(gf.float32, [4])]],
                            {"strides": [1, 1, 1, 1], "padding": "SAME", "fused_ops": ["Relu"]},
                            name="bad")
    for wrt in range(3):
        err = _grad_err(lambda a, c, d: conv_ops.fused_conv2d(a, c, d, [1, 1, 2, 1], "VALID",
                                                              "Relu"),
                        [(2, 5, 6, 3), (2, 3, 3, 4), (4,)], wrt)
        assert err < 1e-7


# --- depthwise ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["NHWC", "NCHW"])
@pytest.mark.parametrize("xs,fs,strides,padding,dil", [
    ((2, 7, 6, 3), (3, 3, 3, 1), (1, 1), "SAME", (1, 1)),
    ((1, 8, 9, 2), (3, 2, 2, 3), (2, 3), "VALID", (1, 1)),
    ((2, 9, 9, 2), (3, 3, 2, 2), (1, 1), "SAME", (2, 2)),
])
def test_depthwise(xs, fs, strides, padding, dil, fmt):
    x = rng.randn(*xs).astype(np.float32)
    f = rng.randn(*fs).astype(np.float32)
    want = naive_depthwise(x, f, strides, padding, dil)
    attr = nchw_attr if fmt == "NCHW" else nhwc_attr
    kw = dict(strides=attr(strides), padding=padding, data_format=fmt, dilations=attr(dil))
    dy = rng.randn(*want.shape).astype(np.float32)
    # The backprops of a depthwise conv are those of the equivalent grouped conv
    # (C groups of one input channel each, filter reordered to [KH, KW, 1, C*M]).
    gfilt = f.reshape(fs[0], fs[1], 1, fs[2] * fs[3])
    dx, df = naive_conv_grads(xs, gfilt, x, dy, strides, padding, dil)
    df = df.reshape(fs)
    sizes = np.array(xs, np.int32)
    if fmt == "NCHW":
        x, want, dy, dx, sizes = nchw(x), nchw(want), nchw(dy), nchw(dx), sizes[[0, 3, 1, 2]]
    check_op(lambda a, b: conv_ops.depthwise_conv2d_native(a, b, **kw), [x, f],
             expected=want.astype(np.float32), rtol=1e-4, atol=1e-4)
    check_op(lambda s, b, d: conv_ops.depthwise_conv2d_native_backprop_input(s, b, d, **kw),
             [sizes, f, dy], expected=dx.astype(np.float32), rtol=1e-4, atol=1e-4)
    check_op(lambda a, s, d: conv_ops.depthwise_conv2d_native_backprop_filter(a, s, d, **kw),
             [x, np.array(fs, np.int32), dy], expected=df.astype(np.float32), rtol=1e-4,
             atol=1e-4)


def test_depthwise_conv2d_composite_and_errors():
    x = rng.randn(1, 9, 9, 2).astype(np.float64)
    f = rng.randn(3, 3, 2, 2).astype(np.float64)
    want = naive_depthwise(x, f, (1, 1), "SAME", (2, 2))
    check_op(lambda a, b: conv_ops.depthwise_conv2d(a, b, [1, 1, 1, 1], "SAME", rate=[2, 2]),
             [x, f], expected=want, rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="same depth: 2 vs 3"):
        conv_ops.depthwise_conv2d_native(x, rng.randn(3, 3, 3, 1), [1, 1, 1, 1], "SAME")


# --- gradients -----------------------------------------------------------------------------------

def _grad_err(build, shapes, wrt, delta=1e-4):
    """max |J^T r - numeric J^T r| for y = build(*inputs), the Jacobian taken
    with respect to input `wrt` by central differences, r random."""
    with gf.Graph().as_default(), gf.Session() as sess:
        ph = [gf.placeholder(gf.float64, s) for s in shapes]
        y = build(*ph)
        values = [rng.randn(*s) for s in shapes]
        r = rng.randn(*y.shape.as_list())
        feed = dict(zip(ph, values))
        sym = sess.run(gf.gradients(y, ph[wrt], grad_ys=gf.constant(r))[0], feed)
        num = np.zeros(shapes[wrt])
        flat = values[wrt].reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            out = []
            for d in (delta, -delta):
                flat[i] = orig + d
                out.append(np.sum(sess.run(y, feed) * r))
            flat[i] = orig
            num.reshape(-1)[i] = (out[0] - out[1]) / (2 * delta)
        return np.max(np.abs(sym - num))


@pytest.mark.parametrize("wrt", [0, 1])
@pytest.mark.parametrize("fmt,strides,padding,dil", [
    ("NHWC", [1, 2, 1, 1], "SAME", [1, 1, 1, 1]),
    ("NCHW", [1, 1, 1, 2], "VALID", [1, 1, 1, 1]),
    ("NHWC", [1, 1, 1, 1], "SAME", [1, 2, 1, 1]),
])
def test_conv2d_gradient(wrt, fmt, strides, padding, dil):
    xs = (2, 5, 4, 3) if fmt == "NHWC" else (2, 3, 5, 4)
    err = _grad_err(lambda x, f: conv_ops.conv2d(x, f, strides, padding, data_format=fmt,
                                                 dilations=dil),
                    [xs, (2, 3, 3, 2)], wrt)
    assert err < 1e-7


@pytest.mark.parametrize("wrt", [0, 1])
def test_conv2d_backprop_input_gradient(wrt):
    # conv2d_transpose's gradients (used by decoders): wrt filter and value.
    err = _grad_err(lambda f, d: conv_ops.conv2d_backprop_input(
        [2, 6, 5, 3], f, d, [1, 2, 2, 1], "SAME"), [(3, 3, 3, 2), (2, 3, 3, 2)], wrt)
    assert err < 1e-7


@pytest.mark.parametrize("wrt", [0, 1])
def test_conv2d_backprop_filter_gradient(wrt):
    err = _grad_err(lambda x, d: conv_ops.conv2d_backprop_filter(
        x, [2, 2, 3, 2], d, [1, 1, 1, 1], "VALID"), [(1, 4, 4, 3), (1, 3, 3, 2)], wrt)
    assert err < 1e-7


@pytest.mark.parametrize("wrt", [0, 1])
def test_depthwise_gradient(wrt):
    err = _grad_err(lambda x, f: conv_ops.depthwise_conv2d_native(x, f, [1, 2, 1, 1], "SAME"),
                    [(2, 5, 4, 3), (3, 2, 3, 2)], wrt)
    assert err < 1e-7


def test_gradients_with_unknown_shapes():
    # The backprop ops then take their shape inputs from Shape ops at run time.
    x = rng.randn(2, 5, 4, 3).astype(np.float32)
    f = rng.randn(3, 3, 3, 2).astype(np.float32)
    dy = rng.randn(2, 5, 4, 2).astype(np.float32)
    dx, df = naive_conv_grads(x.shape, f, x, dy, (1, 1), "SAME")
    px = gf.placeholder(gf.float32, [None, None, None, 3])
    pf = gf.placeholder(gf.float32, None)
    y = conv_ops.conv2d(px, pf, 1, "SAME")
    gx, gfilt = gf.gradients(y, [px, pf], grad_ys=gf.constant(dy))
    assert gx.op.inputs[0].op.type == "Shape"
    with gf.Session() as sess:
        a, b = sess.run([gx, gfilt], {px: x, pf: f})
    np.testing.assert_allclose(a, dx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(b, df, rtol=1e-4, atol=1e-4)


def test_independent_convs_run_concurrently():
    # Parallel branches of one step share the intra-op pool and the per-thread
    # scratch buffers; results must not mix.
    xs = [rng.randn(4, 12, 10, 8).astype(np.float32) for _ in range(4)]
    f = rng.randn(3, 3, 8, 16).astype(np.float32)
    ph = [gf.placeholder(gf.float32, x.shape) for x in xs]
    pf = gf.placeholder(gf.float32, f.shape)
    ys = []
    for i, p in enumerate(ph):
        y = conv_ops.conv2d(p, pf, 1, "SAME")
        ys += [y, conv_ops.conv2d_backprop_filter(p, list(f.shape), y, 1, "SAME"),
               conv_ops.conv2d_backprop_input(list(xs[i].shape), pf, y, 1, "SAME")]
    feed = dict(zip(ph, xs))
    feed[pf] = f
    with gf.Session() as sess:
        first = sess.run(ys, feed)
        for _ in range(5):
            for a, b in zip(sess.run(ys, feed), first):
                np.testing.assert_array_equal(a, b)
    want = naive_conv(xs[0], f, (1, 1), "SAME")
    np.testing.assert_allclose(first[0], want, rtol=1e-4, atol=1e-4)
