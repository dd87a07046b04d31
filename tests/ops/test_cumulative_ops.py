"""Cumsum and Cumprod: values against NumPy over dtypes, axes, exclusive and
reverse, size-0 inputs, the fast (inner == 1) and blocked paths, error paths,
and gradients against central differences."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops.math_ops import cumprod, cumsum
from graphflow.test import check_op, gradient_error_of


def _np_scan(x, axis, exclusive, reverse, prod):
    """An independent scan: explicit loop over the axis in float64 (wrapping
    integers through their own dtype at the end)."""
    x = np.moveaxis(np.asarray(x), axis, 0)
    work = x.astype(np.float64) if x.dtype.kind == "f" else x.astype(np.int64)
    out = np.empty_like(work)
    acc = np.ones_like(work[0]) if prod else np.zeros_like(work[0])
    order = range(len(work) - 1, -1, -1) if reverse else range(len(work))
    for i in order:
        if exclusive:
            out[i] = acc
            acc = acc * work[i] if prod else acc + work[i]
        else:
            acc = acc * work[i] if prod else acc + work[i]
            out[i] = acc
    return np.moveaxis(out, 0, axis).astype(x.dtype)


@pytest.mark.parametrize("prod", [False, True])
@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("shape,axis", [([7], 0), ([3, 5], 1), ([3, 5], 0), ([2, 3, 4], 1),
                                        ([2, 3, 4], -1), ([4, 600], 0), ([1, 9, 300], 1)])
def test_values_float(prod, exclusive, reverse, shape, axis):
    rng = np.random.RandomState(1)
    x = rng.uniform(0.5, 1.5, shape).astype(np.float32)
    fn = cumprod if prod else cumsum
    check_op(lambda t: fn(t, axis, exclusive=exclusive, reverse=reverse), [x],
             expected=_np_scan(x, axis, exclusive, reverse, prod), rtol=1e-4)


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int8, np.int16, np.int32,
                                   np.int64, np.uint8])
@pytest.mark.parametrize("prod", [False, True])
def test_dtypes(dtype, prod):
    rng = np.random.RandomState(2)
    x = rng.randint(1, 4, [3, 6]).astype(dtype)
    fn = cumprod if prod else cumsum
    tol = 1e-2 if dtype == np.float16 else None
    for axis in (0, 1):
        check_op(lambda t: fn(t, axis), [x], expected=_np_scan(x, axis, False, False, prod),
                 rtol=tol)


def test_integers_wrap_around():
    x = np.array([100, 100, 100], np.int8)
    check_op(lambda t: cumsum(t), [x], expected=np.array([100, -56, 44], np.int8))
    big = np.array([2 ** 40, 2 ** 40], np.int64)
    check_op(lambda t: cumprod(t), [big], expected=np.array([2 ** 40, 0], np.int64))


def test_int64_axis_and_public_names():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    check_op(lambda t: gf.cumsum(t, np.int64(1)), [x], expected=np.cumsum(x, 1))
    check_op(lambda t: gf.math.cumprod(t, axis=-2), [x + 1], expected=np.cumprod(x + 1, 0))


@pytest.mark.parametrize("shape,axis", [([0], 0), ([0, 3], 1), ([3, 0], 1), ([2, 0, 4], 0)])
def test_size_zero(shape, axis):
    x = np.zeros(shape, np.float32)
    check_op(lambda t: cumsum(t, axis, exclusive=True), [x], expected=x)
    check_op(lambda t: cumprod(t, axis, reverse=True), [x], expected=x)


def test_static_shape_and_errors():
    x = gf.placeholder(gf.float32, [None, 4])
    assert cumsum(x, 1).shape.as_list() == [None, 4]
    with pytest.raises(ValueError, match="axis 2 is out of range for input of rank 2"):
        cumsum(x, 2)
    with pytest.raises(ValueError, match="axis must be a scalar"):
        cumprod(x, [0])
    with pytest.raises(ValueError, match="out of range"):
        cumsum(gf.constant(3.0), 0)
    with pytest.raises(TypeError):
        cumsum(gf.constant([True, False]))
    axis = gf.placeholder(gf.int32, [])
    y = cumsum(x, axis, name="scan")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"Cumsum 'scan'.*axis -3 is out of range"):
            sess.run(y, {x: np.zeros([2, 4]), axis: -3})
        np.testing.assert_array_equal(sess.run(y, {x: np.ones([2, 4]), axis: -1}),
                                      np.tile(np.arange(1, 5), (2, 1)))


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_gradients(exclusive, reverse, axis):
    kw = dict(exclusive=exclusive, reverse=reverse)
    assert gradient_error_of(lambda x: cumsum(x, axis, **kw), [[3, 4]]) < 1e-6
    # Cumprod's gradient divides by x (TF's rule): keep x away from 0
    assert gradient_error_of(lambda x: cumprod(x * x + 0.5, axis, **kw), [[3, 4]]) < 1e-5


def test_gradient_with_unknown_shape_and_axis_tensor():
    assert gradient_error_of(lambda x: cumprod(x * x + 0.5, gf.constant(1), reverse=True) * 2.0,
                             [[2, 5]], feed_shapes=[[None, None]]) < 1e-5
