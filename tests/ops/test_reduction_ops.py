"""Reductions and ArgMax/ArgMin: C++ kernels vs NumPy references vs independent
NumPy expressions, over dtypes, axis forms, keep_dims, size-0 inputs, the
kernel's parallel and multi-pass paths, and error paths."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.framework import op_def
from graphflow.test import check_op

REAL = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8]
rng = np.random.default_rng(0)


def _data(shape, dtype):
    if np.dtype(dtype).kind == "f":
        return rng.standard_normal(shape).astype(dtype)
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, 20, shape).astype(dtype)
    return rng.integers(-20, 20, shape).astype(dtype)


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    return tuple(int(a) % ndim for a in np.atleast_1d(axis))


def _expected_sum(x, axis, keep):
    acc = np.float64 if x.dtype.kind == "f" else x.dtype  # ints wrap in their own type
    return np.sum(x, axis=_axes(axis, x.ndim), dtype=acc, keepdims=keep).astype(x.dtype)


def _expected_mean(x, axis, keep):
    ax = _axes(axis, x.ndim)
    if x.dtype.kind == "f":
        return np.mean(x.astype(np.float64), axis=ax, keepdims=keep).astype(x.dtype)
    exact = np.sum(x.astype(np.float64), axis=ax, keepdims=keep) / np.prod(
        [x.shape[a] for a in ax])
    return np.trunc(exact).astype(x.dtype)


def _expected_prod(x, axis, keep):
    acc = np.float64 if x.dtype.kind == "f" else x.dtype
    return np.prod(x, axis=_axes(axis, x.ndim), dtype=acc, keepdims=keep).astype(x.dtype)


def _expected_max(x, axis, keep):
    return np.amax(x, axis=_axes(axis, x.ndim), keepdims=keep)


def _expected_min(x, axis, keep):
    return np.amin(x, axis=_axes(axis, x.ndim), keepdims=keep)


REDUCTIONS = {
    "sum": (gf.reduce_sum, _expected_sum),
    "mean": (gf.reduce_mean, _expected_mean),
    "prod": (gf.reduce_prod, _expected_prod),
    "max": (gf.reduce_max, _expected_max),
    "min": (gf.reduce_min, _expected_min),
}
AXES = [None, 0, -1, 1, [0, 2], [2, 0], [-1, -3], [], [0, 1, 2], np.array([1, 2], np.int64)]


@pytest.mark.parametrize("kind", sorted(REDUCTIONS))
@pytest.mark.parametrize("dtype", REAL)
def test_reduce_dtypes_and_axes(kind, dtype):
    build, expected = REDUCTIONS[kind]
    x = _data((3, 4, 5), dtype)
    if kind == "prod" and np.dtype(dtype).kind == "f":
        x = (1 + 0.1 * x).astype(dtype)  # keep products in range
    for axis in AXES:
        for keep in (False, True):
            check_op(lambda t: build(t, axis=axis, keepdims=keep), [x],
                     expected=expected(x, axis, keep), rtol=3e-3 if dtype == np.float16 else None)


@pytest.mark.parametrize("kind", sorted(REDUCTIONS))
@pytest.mark.parametrize("shape,axis", [
    ((5, 6, 7, 8), [0, 2]), ((5, 6, 7, 8), [1, 3]), ((5, 6, 7, 8), [0, 1, 3]),
    ((5, 6, 7, 8), [0, 3]), ((4, 1, 6, 1, 3), [1, 2, 4]), ((2, 3, 2, 3, 2, 3), [0, 2, 4]),
    ((7, 1, 9), [1]), ((1, 1), None), ((1, 5, 1), [0, 2]),
])
def test_reduce_patterns(kind, shape, axis):
    """Several reduced groups (multi-pass), size-1 dims, pass-through."""
    build, expected = REDUCTIONS[kind]
    x = _data(shape, np.float32)
    if kind == "prod":
        x = 1 + 0.05 * x
    check_op(lambda t: build(t, axis=axis), [x], expected=expected(x, axis, False))
    xi = _data(shape, np.int32)
    check_op(lambda t: build(t, axis=axis, keepdims=True), [xi],
             expected=expected(xi, axis, True))


@pytest.mark.parametrize("shape,axis", [
    ((3, 70000), 1), ((70000, 3), 0), ((2000, 700), 0), ((700, 2000), 1), ((2, 5000, 9), 1),
    ((300000,), 0), ((40, 3000, 2), [0, 2]), ((1100, 1300), None),
])
def test_reduce_large_parallel_paths(shape, axis):
    """Shapes that split work across threads (by outputs, by column tiles, and
    along the reduced extent when outputs are few)."""
    x = _data(shape, np.float32)
    for kind in ("sum", "max", "min", "mean"):
        build, expected = REDUCTIONS[kind]
        check_op(lambda t: build(t, axis=axis), [x], expected=expected(x, axis, False),
                 rtol=1e-5, atol=1e-4, modes=("feed",))
    xi = _data(shape, np.int64)
    check_op(lambda t: gf.reduce_sum(t, axis=axis), [xi], expected=_expected_sum(xi, axis, False),
             modes=("feed",))


def test_float32_sum_is_accurate():
    """Pairwise accumulation: a naive float32 running sum of 1e6 values of 0.1
    is off by ~1e-3 relative; the kernel must stay within a few ulps."""
    for shape, axis in [((10**6,), 0), ((2, 10**6), 1), ((10**6, 2), 0)]:
        x = np.full(shape, 0.1, np.float32)
        exact = np.sum(x.astype(np.float64), axis=axis)
        got = check_op(lambda t: gf.reduce_sum(t, axis=axis), [x], modes=("feed",))[0]
        np.testing.assert_allclose(got, exact, rtol=2e-6)
    ones = np.ones(10**6, np.float32)
    assert check_op(lambda t: gf.reduce_sum(t), [ones], modes=("feed",))[0] == 10**6
    assert check_op(lambda t: gf.reduce_mean(t), [ones], modes=("feed",))[0] == 1.0


@pytest.mark.parametrize("dtype", REAL)
def test_reduce_empty(dtype):
    """Reducing an empty set gives the identity; Mean gives NaN (floats) or 0."""
    dt = np.dtype(dtype)
    x = np.zeros((2, 0, 3), dtype)
    lowest = -np.inf if dt.kind == "f" else np.iinfo(dt).min
    highest = np.inf if dt.kind == "f" else np.iinfo(dt).max
    mean = np.nan if dt.kind == "f" else 0
    for axis, out_shape in [(1, (2, 3)), ([0, 1, 2], ()), (None, ())]:
        for build, value in [(gf.reduce_sum, 0), (gf.reduce_prod, 1), (gf.reduce_max, lowest),
                             (gf.reduce_min, highest), (gf.reduce_mean, mean)]:
            check_op(lambda t: build(t, axis=axis), [x],
                     expected=np.full(out_shape, value, dtype))
    # An empty output (a kept dim is 0) from a non-empty reduction.
    for build in (gf.reduce_sum, gf.reduce_max, gf.reduce_mean):
        check_op(lambda t: build(t, axis=[0, 2]), [x], expected=np.zeros((0,), dtype))
        check_op(lambda t: build(t, axis=[0, 2], keepdims=True), [x],
                 expected=np.zeros((1, 0, 1), dtype))


def test_reduce_scalar_input():
    x = np.float32(3.5)
    check_op(lambda t: gf.reduce_sum(t), [x], expected=np.float32(3.5))
    check_op(lambda t: gf.reduce_max(t, axis=[]), [x], expected=np.float32(3.5))


def test_integer_semantics():
    """Integer sums and products wrap in their type; Mean divides a 64-bit sum
    and truncates toward zero."""
    check_op(lambda t: gf.reduce_sum(t), [np.array([100, 100], np.int8)],
             expected=np.int8(-56))
    check_op(lambda t: gf.reduce_sum(t), [np.array([2**31 - 1, 2**31 - 1], np.int32)],
             expected=np.int32(-2))
    check_op(lambda t: gf.reduce_prod(t), [np.array([100, 100], np.int8)], expected=np.int8(16))
    check_op(lambda t: gf.reduce_sum(t), [np.array([200, 100], np.uint8)], expected=np.uint8(44))
    check_op(lambda t: gf.reduce_mean(t), [np.array([2**31 - 1, 2**31 - 1], np.int32)],
             expected=np.int32(2**31 - 1))
    check_op(lambda t: gf.reduce_mean(t), [np.array([255, 255], np.uint8)],
             expected=np.uint8(255))
    check_op(lambda t: gf.reduce_mean(t), [np.array([-128, -127], np.int8)],
             expected=np.int8(-127))
    check_op(lambda t: gf.reduce_mean(t, axis=1), [np.array([[-7, 0], [7, 0], [-3, -4]],
                                                            np.int32)],
             expected=np.array([-3, 3, -3], np.int32))


def test_half_sum_accumulates_in_float():
    x = np.array([60000, 60000, -60000], np.float16)
    check_op(lambda t: gf.reduce_sum(t), [x], expected=np.float16(60000))
    check_op(lambda t: gf.reduce_mean(t), [x], expected=np.float16(20000))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_max_min_propagate_nan(dtype):
    x = np.array([[1, np.nan, 3], [np.nan, -np.inf, 2], [4, 5, 6], [np.inf, 0, np.nan]], dtype)
    for axis in (0, 1, None):
        check_op(lambda t: gf.reduce_max(t, axis=axis), [x],
                 expected=np.max(x, axis=axis))
        check_op(lambda t: gf.reduce_min(t, axis=axis), [x],
                 expected=np.min(x, axis=axis))
    big = np.ones(5000, dtype)
    big[3333] = np.nan
    check_op(lambda t: gf.reduce_max(t), [big], expected=dtype(np.nan))
    check_op(lambda t: gf.reduce_sum(t), [big], expected=dtype(np.nan))


def test_all_any():
    x = rng.random((4, 5, 6)) > 0.3
    for axis in AXES:
        for keep in (False, True):
            ax = _axes(axis, 3)
            check_op(lambda t: gf.reduce_all(t, axis=axis, keepdims=keep), [x],
                     expected=np.all(x, axis=ax, keepdims=keep))
            check_op(lambda t: gf.reduce_any(t, axis=axis, keepdims=keep), [x],
                     expected=np.any(x, axis=ax, keepdims=keep))
    empty = np.zeros((0, 3), bool)
    check_op(lambda t: gf.reduce_all(t, axis=0), [empty], expected=np.ones(3, bool))
    check_op(lambda t: gf.reduce_any(t, axis=0), [empty], expected=np.zeros(3, bool))
    big = np.ones((3, 50000), bool)
    big[1, 40000] = False
    check_op(lambda t: gf.reduce_all(t, axis=1), [big], expected=np.array([True, False, True]))
    check_op(lambda t: gf.reduce_any(t, axis=1), [~big], expected=np.array([False, True, False]))
    with pytest.raises(ValueError, match="requested dtype bool"):
        gf.reduce_all(gf.placeholder(gf.float32, [3]))


def test_int64_axes_and_axis_tensors():
    x = _data((3, 4, 5), np.float32)
    check_op(lambda t: gf.reduce_sum(t, axis=gf.constant([0, 2], dtype=gf.int64)), [x],
             expected=_expected_sum(x, [0, 2], False))
    # Axes fed at run time: the static shape is unknown (or only the rank with keep_dims).
    ax = gf.placeholder(gf.int32, [None])
    xp = gf.placeholder(gf.float32, [3, 4, 5])
    s = gf.reduce_sum(xp, ax)
    k = gf.reduce_max(xp, ax, keepdims=True)
    assert s.shape.rank is None
    assert k.shape.as_list() == [None, None, None]
    with gf.Session() as sess:
        got_s, got_k = sess.run([s, k], {xp: x, ax: [2, 0]})
    # A float32 sum may cancel to near zero, so the bound scales with the sum of |x|.
    exact = x.astype(np.float64)
    np.testing.assert_array_less(np.abs(got_s - exact.sum((0, 2))), 1e-6 * np.abs(exact).sum((0, 2)))
    np.testing.assert_array_equal(got_k, x.max((0, 2), keepdims=True))


def test_static_shapes():
    x = gf.placeholder(gf.float32, [None, 4, 5])
    assert gf.reduce_sum(x, 1).shape.as_list() == [None, 5]
    assert gf.reduce_sum(x, [0, -1], keepdims=True).shape.as_list() == [1, 4, 1]
    assert gf.reduce_mean(x).shape.as_list() == []
    assert gf.reduce_mean(x, []).shape.as_list() == [None, 4, 5]
    assert gf.argmax(x, 2).shape.as_list() == [None, 4]
    assert gf.argmax(x, gf.placeholder(gf.int32, [])).shape.as_list() == [None, None]
    u = gf.placeholder(gf.float32)
    assert gf.reduce_sum(u, [1]).shape.rank is None
    assert gf.reduce_sum(u, []).shape.rank is None
    assert gf.argmax(u, 1).shape.rank is None


def test_deprecated_arguments():
    x = _data((3, 4), np.float32)
    check_op(lambda t: gf.reduce_sum(t, reduction_indices=[1], keep_dims=True), [x],
             expected=_expected_sum(x, 1, True))
    check_op(lambda t: gf.reduce_mean(t, 0, True), [x], expected=_expected_mean(x, 0, True))
    check_op(lambda t: gf.argmax(t, dimension=1), [x], expected=np.argmax(x, 1))
    check_op(lambda t: gf.argmin(t), [x], expected=np.argmin(x, 0))
    t = gf.constant(x)
    with pytest.raises(ValueError, match="both 'axis' and 'reduction_indices'"):
        gf.reduce_sum(t, axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="both 'keepdims' and 'keep_dims'"):
        gf.reduce_max(t, keepdims=True, keep_dims=True)
    with pytest.raises(ValueError, match="both 'axis' and 'dimension'"):
        gf.argmax(t, axis=0, dimension=0)


def test_axis_none_with_unknown_rank():
    x = gf.placeholder(gf.float32)
    ops = op_def.registered_ops()
    if "Range" in ops and "Rank" in ops:
        s = gf.reduce_sum(x)
        with gf.Session() as sess:
            assert sess.run(s, {x: np.ones((2, 3), np.float32)}) == 6.0
    else:
        with pytest.raises(ValueError, match="unknown rank"):
            gf.reduce_sum(x)


def test_static_axis_errors():
    gf.reset_default_graph()
    x = gf.placeholder(gf.float32, [2, 3])
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2"):
        gf.reduce_sum(x, 2)
    with pytest.raises(ValueError, match="Invalid reduction dimension -3"):
        gf.reduce_max(x, [0, -3])
    with pytest.raises(ValueError, match="duplicate dimension: 0"):
        gf.reduce_mean(x, [0, -2])
    with pytest.raises(ValueError, match=r"Expected dimension in the range \[-2, 2\), but got 2"):
        gf.argmax(x, 2)
    with pytest.raises(ValueError, match="dimension must be a scalar"):
        gf.argmax(x, [1])
    with pytest.raises(ValueError, match="rank >= 1"):
        gf.argmin(gf.placeholder(gf.float32, []), 0)
    with pytest.raises(TypeError):
        gf.reduce_sum(x, 0.5)
    # The failing op stays out of the graph.
    assert not [op for op in gf.get_default_graph().get_operations() if op.type == "Sum"]


def test_runtime_axis_errors():
    x = gf.placeholder(gf.float32, [None, None])
    ax = gf.placeholder(gf.int32, [None])
    dim = gf.placeholder(gf.int64, [])
    s = gf.reduce_sum(x, ax, name="my_sum")
    a = gf.argmax(x, dim, name="my_argmax")
    feed = {x: np.ones((2, 3), np.float32)}
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"my_sum.*invalid reduction dimension 2 for input with 2"):
            sess.run(s, {**feed, ax: [0, 2]})
        with pytest.raises(gf.errors.InvalidArgumentError, match=r"my_sum.*duplicate dimension: 1"):
            sess.run(s, {**feed, ax: [1, -1]})
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"my_argmax.*range \[-2, 2\), but got -3"):
            sess.run(a, {**feed, dim: -3})
        with pytest.raises(gf.errors.InvalidArgumentError, match=r"my_argmax.*axis 1 is empty"):
            sess.run(a, {x: np.ones((2, 0), np.float32), dim: 1})
        np.testing.assert_array_equal(sess.run(s, {**feed, ax: [-1]}), [3, 3])


# --- ArgMax / ArgMin -------------------------------------------------------------------

@pytest.mark.parametrize("dtype", REAL)
def test_argmax_argmin(dtype):
    for shape in [(7,), (4, 9), (3, 5, 6), (2, 700, 3), (600, 5), (3, 1000)]:
        x = _data(shape, dtype)
        for axis in range(-len(shape), len(shape)):
            for out in (gf.int64, gf.int32):
                e = out.as_numpy_dtype
                check_op(lambda t: gf.argmax(t, axis, output_type=out), [x],
                         expected=np.argmax(x, axis).astype(e))
                check_op(lambda t: gf.argmin(t, axis, output_type=out), [x],
                         expected=np.argmin(x, axis).astype(e))


def test_argmax_ties_nan_and_empty():
    x = np.array([[1, 3, 3, 2], [5, 5, 5, 5], [0, -1, -1, 0]], np.int32)
    check_op(lambda t: gf.argmax(t, 1), [x], expected=np.array([1, 0, 0]))
    check_op(lambda t: gf.argmin(t, 1), [x], expected=np.array([0, 0, 1]))
    check_op(lambda t: gf.argmax(t, 0), [x], expected=np.array([1, 1, 1, 1]))
    check_op(lambda t: gf.argmin(t, 0), [x], expected=np.array([2, 2, 2, 2]))
    # NaN is ignored (TF's comparison semantics); an all-NaN row gives 0.
    f = np.array([[1, np.nan, 3], [np.nan, 1, np.nan], [np.nan, np.nan, np.nan],
                  [-np.inf, -np.inf, np.nan]], np.float32)
    check_op(lambda t: gf.argmax(t, 1), [f], expected=np.array([2, 1, 0, 0]))
    check_op(lambda t: gf.argmin(t, 1), [f], expected=np.array([0, 1, 0, 0]))
    check_op(lambda t: gf.argmax(t, 0), [f], expected=np.array([0, 1, 0]))
    long_row = np.zeros((2, 3000), np.float32)
    long_row[0, 2999] = long_row[1, 17] = long_row[1, 2000] = 1
    check_op(lambda t: gf.argmax(t, 1), [long_row], expected=np.array([2999, 17]))
    # Only an empty reduced axis is an error; an empty output is fine.
    check_op(lambda t: gf.argmax(t, 0), [np.zeros((3, 0), np.float32)],
             expected=np.zeros((0,), np.int64))


# --- composites (need math ops from another family) -------------------------------------

def _have(*names):
    ops = op_def.registered_ops()
    return all(n in ops for n in names)


@pytest.mark.skipif(not _have("Exp", "Log", "Sub", "AddV2", "Abs", "Less", "SelectV2"),
                    reason="math ops not registered yet")
def test_reduce_logsumexp():
    x = _data((3, 4), np.float32)
    x[0, 0] = 100.0
    for axis in (None, 0, 1, [0, 1]):
        for keep in (False, True):
            ax = _axes(axis, 2)
            want = np.log(np.sum(np.exp(x.astype(np.float64) - 100), axis=ax, keepdims=keep)) + 100
            check_op(lambda t: gf.reduce_logsumexp(t, axis=axis, keepdims=keep), [x],
                     expected=want.astype(np.float32))
    inf = np.array([[-np.inf, -np.inf], [np.inf, 1.0]], np.float32)
    check_op(lambda t: gf.reduce_logsumexp(t, axis=1), [inf],
             expected=np.array([-np.inf, np.inf], np.float32))


@pytest.mark.skipif(not _have("NotEqual", "Cast"), reason="math ops not registered yet")
def test_count_nonzero():
    x = np.array([[0, 1, 2], [0, 0, 3]], np.int32)
    check_op(lambda t: gf.count_nonzero(t), [x], expected=np.int64(3))
    check_op(lambda t: gf.count_nonzero(t, axis=1, dtype=gf.int32), [x],
             expected=np.array([2, 1], np.int32))
    check_op(lambda t: gf.count_nonzero(t, axis=0, keepdims=True), [x.astype(np.float32)],
             expected=np.array([[0, 1, 2]], np.int64))
