"""Image ops and the gf.image builders: kernels against the NumPy references
and against independent per-pixel NumPy versions of TF's formulas (colorsys
for the HSV ops), gradients against central differences, the random
augmentations' statistics and seeds, shapes and errors, and, when TensorFlow
is installed, TensorFlow's own results."""

import colorsys
import importlib.util
import json
import subprocess
import sys

import numpy as np
import pytest

import graphflow as gf
from graphflow import image as gf_image
from graphflow.framework import op_builder
from graphflow.ops import image_ops
from graphflow.runtime.reference_executor import ReferenceExecutor
from graphflow.test import check_op, gradient_error_of

RNG = np.random.RandomState(0)
F32 = np.float32
MODES = [(False, False), (True, False), (False, True)]  # (align_corners, half_pixel_centers)
MODE_IDS = ["legacy", "align_corners", "half_pixel"]
REAL = [np.float32, np.float64, np.float16, np.uint8, np.int8, np.int16, np.int32, np.int64]


def _image(shape, dtype=np.float32):
    """Random values in [0, 100) (whole numbers for integer dtypes)."""
    return (RNG.rand(*shape) * 100).astype(dtype)


def _run(fetches, feeds=None):
    with gf.Session() as sess:
        return sess.run(fetches, feeds)


def _both_fail(fetch, feeds, match):
    """The kernel (Session) and the reference both reject the run."""
    with pytest.raises(gf.errors.InvalidArgumentError, match=match):
        _run(fetch, feeds)
    with pytest.raises(gf.errors.InvalidArgumentError, match=match):
        ReferenceExecutor(fetch.graph).run([fetch], feeds)


# --- independent NumPy versions of TF's resize formulas (one pixel at a time) ---------

def _scale(in_size, out_size, align_corners):
    if align_corners and in_size > 1 and out_size > 1:
        return F32(in_size - 1) / F32(out_size - 1)
    return F32(in_size) / F32(out_size)


def np_resize_bilinear(x, size, align_corners=False, half_pixel_centers=False):
    n, h, w, c = x.shape
    out = np.zeros((n, size[0], size[1], c), np.float64)
    sy, sx = _scale(h, size[0], align_corners), _scale(w, size[1], align_corners)

    def sample(i, s, n_in):
        pos = (F32(i) + F32(.5)) * s - F32(.5) if half_pixel_centers else F32(i) * s
        lo = int(np.floor(pos))
        return max(lo, 0), min(int(np.ceil(pos)), n_in - 1), float(pos) - lo

    img = x.astype(np.float64)
    for i in range(size[0]):
        y0, y1, dy = sample(i, sy, h)
        for j in range(size[1]):
            x0, x1, dx = sample(j, sx, w)
            top = img[:, y0, x0] * (1 - dx) + img[:, y0, x1] * dx
            bottom = img[:, y1, x0] * (1 - dx) + img[:, y1, x1] * dx
            out[:, i, j] = top * (1 - dy) + bottom * dy
    return out.astype(np.float32)


def np_resize_nearest(x, size, align_corners=False, half_pixel_centers=False):
    n, h, w, c = x.shape
    sy, sx = _scale(h, size[0], align_corners), _scale(w, size[1], align_corners)

    def source(i, s, n_in):
        pos = (F32(i) + F32(.5)) * s if half_pixel_centers else F32(i) * s
        k = int(np.floor(pos + F32(.5))) if align_corners else int(np.floor(pos))
        return max(min(k, n_in - 1), 0)

    out = np.zeros((n, size[0], size[1], c), x.dtype)
    for i in range(size[0]):
        for j in range(size[1]):
            out[:, i, j] = x[:, source(i, sy, h), source(j, sx, w)]
    return out


# --- ResizeBilinear / ResizeNearestNeighbor: values ------------------------------------

SIZES = [((2, 3, 4, 3), (5, 7)), ((1, 6, 9, 2), (4, 2)), ((2, 4, 4, 1), (4, 4)),
         ((1, 5, 3, 2), (1, 1)), ((1, 1, 1, 3), (3, 2)), ((0, 3, 3, 2), (2, 5)),
         ((3, 7, 5, 5), (10, 3)), ((1, 3, 3, 4), (5, 2))]


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("shape,size", SIZES)
def test_resize_bilinear_values(shape, size, mode):
    x = _image(shape)
    check_op(lambda t: gf_image.resize_bilinear(t, size, mode[0], half_pixel_centers=mode[1]),
             [x], expected=np_resize_bilinear(x, size, *mode), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("dtype", REAL)
def test_resize_bilinear_dtypes_give_float32(dtype):
    x = _image([2, 4, 5, 3], dtype)
    got = check_op(lambda t: gf_image.resize_bilinear(t, [7, 3], half_pixel_centers=True), [x],
                   expected=np_resize_bilinear(x, (7, 3), False, True), rtol=1e-5, atol=1e-4)
    assert got[0].dtype == np.float32


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("shape,size", SIZES)
def test_resize_nearest_values(shape, size, mode):
    x = _image(shape)
    check_op(lambda t: gf_image.resize_nearest_neighbor(t, size, mode[0],
                                                        half_pixel_centers=mode[1]),
             [x], expected=np_resize_nearest(x, size, *mode))


@pytest.mark.parametrize("dtype", REAL)
def test_resize_nearest_keeps_the_dtype(dtype):
    x = _image([2, 5, 4, 3], dtype)
    check_op(lambda t: gf_image.resize_nearest_neighbor(t, [3, 9], align_corners=True), [x],
             expected=np_resize_nearest(x, (3, 9), True))


def test_resize_size_from_a_placeholder():
    x = _image([1, 4, 4, 2])
    p = gf.placeholder(gf.float32, [1, 4, 4, 2])
    size = gf.placeholder(gf.int32, [2])
    y = gf_image.resize_bilinear(p, size)
    assert y.shape.as_list() == [1, None, None, 2]
    np.testing.assert_allclose(_run(y, {p: x, size: [6, 3]}), np_resize_bilinear(x, (6, 3)),
                               rtol=1e-5, atol=1e-4)


def test_resize_static_shape_errors():
    img = gf.placeholder(gf.float32, [2, 4, 4, 3])
    with pytest.raises(ValueError, match="half_pixel_centers=True needs align_corners=False"):
        gf_image.resize_bilinear(img, [2, 2], align_corners=True, half_pixel_centers=True)
    with pytest.raises(ValueError, match="half_pixel_centers=True needs align_corners=False"):
        gf_image.resize_nearest_neighbor(img, [2, 2], align_corners=True, half_pixel_centers=True)
    with pytest.raises(ValueError, match="images must be 4-D"):
        gf_image.resize_bilinear(gf.placeholder(gf.float32, [4, 4, 3]), [2, 2])
    with pytest.raises(ValueError, match="size must be a 1-D tensor of 2 elements"):
        gf_image.resize_nearest_neighbor(img, [2, 2, 2])
    with pytest.raises(ValueError, match=r"size must be positive, got \[0, 2\]"):
        gf_image.resize_bilinear(img, [0, 2])
    with pytest.raises(ValueError, match=r"size must be positive, got \[3, -1\]"):
        gf_image.resize_nearest_neighbor(img, [3, -1])
    with pytest.raises(TypeError):
        gf_image.resize_bilinear(img, [2.5, 2.0])


@pytest.mark.parametrize("resize", [gf_image.resize_bilinear, gf_image.resize_nearest_neighbor])
def test_resize_runtime_errors_name_the_op(resize):
    img = gf.placeholder(gf.float32, None)
    size = gf.placeholder(gf.int32, None)
    y = resize(img, size, name="my_resize")
    op_type = y.op.type
    good = np.zeros([1, 2, 2, 1], np.float32)
    _both_fail(y, {img: good, size: [0, 3]},
               r"%s 'my_resize': size must be positive, got \[0, 3\]" % op_type)
    _both_fail(y, {img: good, size: [1, 2, 3]}, "size must be a 1-D tensor of 2 elements")
    _both_fail(y, {img: np.zeros([2, 2, 1], np.float32), size: [1, 1]},
               r"images must be 4-D \[batch, height, width, channels\], got shape \[2,2,1\]")
    _both_fail(y, {img: np.zeros([1, 0, 2, 1], np.float32), size: [1, 1]},
               "images must have non-zero height, width and channels")


# --- resize gradients -----------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("shape,size", [([2, 3, 4, 2], [5, 7]), ([1, 5, 7, 2], [2, 3]),
                                        ([1, 1, 3, 1], [2, 2])])
def test_resize_bilinear_gradient(shape, size, mode):
    # The op's output is float32, so central differences resolve ~1e-4.
    err = gradient_error_of(
        lambda x: gf_image.resize_bilinear(x, size, mode[0], half_pixel_centers=mode[1]), [shape])
    assert err < 1e-3


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("shape,size", [([2, 3, 4, 2], [5, 7]), ([1, 5, 7, 2], [2, 3])])
def test_resize_nearest_gradient(shape, size, mode):
    err = gradient_error_of(
        lambda x: gf_image.resize_nearest_neighbor(x, size, mode[0], half_pixel_centers=mode[1]),
        [shape])
    assert err < 1e-9


def test_resize_gradient_with_unknown_static_shape():
    err = gradient_error_of(lambda x: gf_image.resize_nearest_neighbor(x, [5, 3]), [[1, 3, 4, 2]],
                            feed_shapes=[[None, None, None, 2]])
    assert err < 1e-9
    err = gradient_error_of(lambda x: gf_image.resize_bilinear(x, [5, 3]), [[1, 3, 4, 2]],
                            feed_shapes=[[None, None, None, None]])
    assert err < 1e-3


@pytest.mark.parametrize("op_type", ["ResizeBilinearGrad", "ResizeNearestNeighborGrad"])
def test_resize_grad_ops_are_differentiable(op_type):
    def build(g):
        second = (np.zeros([2, 4, 3, 2], np.float32) if op_type == "ResizeBilinearGrad"
                  else np.array([4, 3], np.int32))
        return op_builder.apply_op(op_type, [g, second], {"half_pixel_centers": True})
    assert gradient_error_of(build, [[2, 5, 7, 2]], dtype=gf.float32) < 2e-3


@pytest.mark.parametrize("mode", MODES, ids=MODE_IDS)
@pytest.mark.parametrize("in_hw,out_hw", [((4, 5), (7, 3)), ((6, 6), (2, 4)), ((1, 3), (3, 1))])
def test_resize_grad_ops_are_the_adjoints(in_hw, out_hw, mode):
    """<resize(x), g> == <x, resize_grad(g)> with resize the independent NumPy version."""
    attrs = {"align_corners": mode[0], "half_pixel_centers": mode[1]}
    x = RNG.randn(2, *in_hw, 3)
    g = RNG.randn(2, *out_hw, 3).astype(np.float32)
    dx = check_op(lambda t: op_builder.apply_op("ResizeBilinearGrad", [t, x], attrs), [g],
                  rtol=1e-5, atol=1e-5)[0]
    assert dx.dtype == np.float64 and dx.shape == x.shape
    # The weights are float32, and the inner product can cancel to near zero, so the
    # bound scales with the sum of the terms' magnitudes.
    terms = np_resize_bilinear(x, out_hw, *mode).astype(np.float64) * g
    assert abs(terms.sum() - np.sum(x * dx)) <= 1e-6 * np.abs(terms).sum()
    dx = check_op(lambda t: op_builder.apply_op("ResizeNearestNeighborGrad", [t, in_hw], attrs),
                  [g.astype(np.float64)])[0]
    np.testing.assert_allclose(np.sum(np_resize_nearest(x, out_hw, *mode) * g), np.sum(x * dx),
                               rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_resize_bilinear_grad_dtypes(dtype):
    original = np.zeros([2, 3, 5, 2], dtype)
    g = RNG.rand(2, 6, 4, 2).astype(np.float32)
    check_op(lambda t: op_builder.apply_op("ResizeBilinearGrad", [t, original]), [g],
             rtol=2e-3 if dtype == np.float16 else 1e-5, atol=2e-3 if dtype == np.float16 else 1e-5)


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32, np.float16, np.float32,
                                   np.float64])
def test_resize_nearest_grad_sums_every_copy(dtype):
    # 2x2 -> 6x6 copies each pixel 9 times; integer sums wrap as TF's do.
    g = np.full([1, 6, 6, 1], 30, dtype)
    want = np.full([1, 2, 2, 1], 270).astype(dtype)  # 270 mod 256 for 8-bit ints
    check_op(lambda t: op_builder.apply_op("ResizeNearestNeighborGrad", [t, [2, 2]]), [g],
             expected=want)


def test_resize_of_integer_images_has_no_gradient():
    x = gf.placeholder(gf.int32, [1, 2, 2, 1])
    assert gf.gradients(gf.reduce_sum(gf_image.resize_bilinear(x, [3, 3])), x) == [None]


# --- resize_images ---------------------------------------------------------------------

@pytest.mark.parametrize("method", [gf_image.ResizeMethod.BILINEAR, "bilinear",
                                    gf_image.ResizeMethod.NEAREST_NEIGHBOR, "nearest"])
@pytest.mark.parametrize("batch", [False, True])
def test_resize_images(method, batch):
    x = _image([2, 4, 6, 3], np.uint8)
    bilinear = method in (gf_image.ResizeMethod.BILINEAR, "bilinear")
    want = (np_resize_bilinear if bilinear else np_resize_nearest)(x, (7, 3), True)
    if not batch:
        x, want = x[0], want[0]
    y = gf_image.resize_images(x, [7, 3], method=method, align_corners=True)
    assert y.dtype == (gf.float32 if bilinear else gf.uint8)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(_run(y), want, rtol=1e-5, atol=1e-4)
    assert gf_image.resize is gf_image.resize_images


def test_resize_images_same_size_is_the_input():
    x = gf.placeholder(gf.uint8, [5, 4, 3])
    assert gf_image.resize_images(x, [5, 4]) is x


def test_resize_images_preserve_aspect_ratio():
    x = _image([8, 4, 1])
    y = gf_image.resize_images(x, [6, 6], preserve_aspect_ratio=True)
    np.testing.assert_allclose(_run(y), np_resize_bilinear(x[None], (6, 3))[0], rtol=1e-5,
                               atol=1e-4)


def test_resize_images_errors():
    with pytest.raises(ValueError, match="not implemented"):
        gf_image.resize_images(np.zeros([4, 4, 1], np.float32), [2, 2],
                               gf_image.ResizeMethod.BICUBIC)
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        gf_image.resize_images(np.zeros([4, 4], np.float32), [2, 2])
    with pytest.raises(ValueError, match="contains no shape"):
        gf_image.resize_images(gf.placeholder(gf.float32), [2, 2])
    with pytest.raises(ValueError, match="'size' must be a 1-D Tensor of 2 elements"):
        gf_image.resize_images(np.zeros([4, 4, 1], np.float32), [2, 2, 1])


# --- SpaceToDepth / DepthToSpace ----------------------------------------------------------

def np_space_to_depth(x, b):
    n, h, w, c = x.shape
    out = np.zeros((n, h // b, w // b, c * b * b), x.dtype)
    for i in range(h // b):
        for j in range(w // b):
            for di in range(b):
                for dj in range(b):
                    out[:, i, j, (di * b + dj) * c:(di * b + dj + 1) * c] = \
                        x[:, i * b + di, j * b + dj]
    return out


def np_depth_to_space(x, b):
    n, h, w, c = x.shape
    oc = c // (b * b)
    out = np.zeros((n, h * b, w * b, oc), x.dtype)
    for i in range(h * b):
        for j in range(w * b):
            k = ((i % b) * b + j % b) * oc
            out[:, i, j] = x[:, i // b, j // b, k:k + oc]
    return out


SPACE_DEPTH_DTYPES = REAL + [np.bool_]


@pytest.mark.parametrize("dtype", SPACE_DEPTH_DTYPES)
@pytest.mark.parametrize("shape,block", [([2, 4, 6, 3], 2), ([1, 6, 3, 2], 3), ([0, 2, 2, 1], 2),
                                         ([1, 2, 2, 1], 2)])
def test_space_to_depth_values(shape, block, dtype):
    x = _image(shape, dtype) if dtype != np.bool_ else RNG.rand(*shape) > .5
    check_op(lambda t: image_ops.space_to_depth(t, block), [x],
             expected=np_space_to_depth(x, block))


@pytest.mark.parametrize("dtype", SPACE_DEPTH_DTYPES)
@pytest.mark.parametrize("shape,block", [([2, 2, 3, 12], 2), ([1, 2, 1, 18], 3), ([0, 1, 1, 4], 2)])
def test_depth_to_space_values(shape, block, dtype):
    x = _image(shape, dtype) if dtype != np.bool_ else RNG.rand(*shape) > .5
    check_op(lambda t: image_ops.depth_to_space(t, block), [x],
             expected=np_depth_to_space(x, block))


@pytest.mark.parametrize("block", [2, 3, 4])
def test_space_depth_round_trip(block):
    x = _image([3, 4 * block, 2 * block, 5], np.int32)
    s2d = image_ops.space_to_depth(x, block)
    assert s2d.shape.as_list() == [3, 4, 2, 5 * block * block]
    out = _run([image_ops.depth_to_space(s2d, block),
                image_ops.space_to_depth(image_ops.depth_to_space(s2d, block), block), s2d])
    np.testing.assert_array_equal(out[0], x)
    np.testing.assert_array_equal(out[1], out[2])


def test_space_depth_gradients():
    assert gradient_error_of(lambda x: image_ops.space_to_depth(x, 2), [[2, 4, 6, 3]]) < 1e-9
    assert gradient_error_of(lambda x: image_ops.depth_to_space(x, 2), [[2, 2, 3, 8]]) < 1e-9


def test_space_depth_static_errors():
    with pytest.raises(ValueError, match="input width 5 is not a multiple of block_size 2"):
        image_ops.space_to_depth(np.zeros([1, 4, 5, 1]), 2)
    with pytest.raises(ValueError, match="input depth 6 is not a multiple of block_size\\^2 = 4"):
        image_ops.depth_to_space(np.zeros([1, 4, 5, 6]), 2)
    with pytest.raises(ValueError, match="must be 4-D"):
        image_ops.space_to_depth(np.zeros([4, 4, 1]), 2)
    with pytest.raises(ValueError, match="block_size"):
        image_ops.space_to_depth(np.zeros([1, 4, 4, 1]), 1)
    with pytest.raises(ValueError, match="data_format NHWC only"):
        image_ops.depth_to_space(np.zeros([1, 4, 4, 4]), 2, data_format="NCHW")


def test_space_depth_runtime_errors_name_the_op():
    p = gf.placeholder(gf.float32, None)
    _both_fail(image_ops.space_to_depth(p, 2, name="s2d"), {p: np.zeros([1, 4, 3, 1])},
               r"SpaceToDepth 's2d': height and width must be multiples of block_size 2, got "
               r"input shape \[1,4,3,1\]")
    _both_fail(image_ops.depth_to_space(p, 2, name="d2s"), {p: np.zeros([1, 1, 1, 2])},
               "DepthToSpace 'd2s': depth must be a multiple of block_size\\^2 = 4")
    _both_fail(image_ops.depth_to_space(p, 2), {p: np.zeros([4, 4])}, "must be 4-D")


# --- colour ops ---------------------------------------------------------------------

def _rgb(shape, dtype=np.float32):
    """RGB values in [0, 1] with ties (grays, equal channels) mixed in."""
    x = RNG.rand(*shape)
    x.reshape(-1, 3)[::7] = RNG.choice([0., .25, .5, 1.], size=3)
    x.reshape(-1, 3)[::5, 1] = x.reshape(-1, 3)[::5, 0]
    return x.astype(dtype)


def _colorsys_map(x, fn):
    flat = x.reshape(-1, 3).astype(np.float64)
    return np.array([fn(*p) for p in flat]).reshape(x.shape)


def _hsv_rgb_tolerance(dtype):
    return {"rtol": 2e-3, "atol": 2e-3} if dtype == np.float16 else {"rtol": 1e-5, "atol": 1e-5}


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
@pytest.mark.parametrize("shape", [[4, 5, 3], [2, 3, 4, 3], [3], [0, 3]])
def test_rgb_to_hsv_and_back(shape, dtype):
    x = _rgb(shape, dtype)
    tol = _hsv_rgb_tolerance(dtype)
    hsv = _colorsys_map(x, colorsys.rgb_to_hsv).astype(dtype)
    check_op(gf_image.rgb_to_hsv, [x], expected=hsv, **tol)
    check_op(gf_image.hsv_to_rgb, [hsv], expected=_colorsys_map(hsv, colorsys.hsv_to_rgb)
             .astype(dtype), **tol)
    np.testing.assert_allclose(_run(gf_image.hsv_to_rgb(gf_image.rgb_to_hsv(x))), x, **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("delta", [0.0, 0.3, -0.45, 1.0, -1.0, 0.9])
def test_adjust_hue(delta, dtype):
    x = _rgb([2, 6, 5, 3], dtype)

    def turn(r, g, b):
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb((h + delta) % 1.0, s, v)
    check_op(lambda t: gf_image.adjust_hue(t, delta), [x],
             expected=_colorsys_map(x, turn).astype(dtype), **_hsv_rgb_tolerance(dtype))


def test_adjust_hue_by_more_than_a_turn():
    x = _rgb([3, 4, 3])
    many, once = _run([gf_image.adjust_hue(x, 1e30), gf_image.adjust_hue(x, 7.25)])  # no hang
    np.testing.assert_allclose(once, _run(gf_image.adjust_hue(x, 0.25)), atol=1e-5)
    assert many.shape == x.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("factor", [0.0, 0.4, 1.0, 1.8, 20.0])
def test_adjust_saturation(factor, dtype):
    x = _rgb([2, 6, 5, 3], dtype)

    def saturate(r, g, b):
        h, s, v = colorsys.rgb_to_hsv(r, g, b)
        return colorsys.hsv_to_rgb(h, min(1.0, s * factor), v)
    check_op(lambda t: gf_image.adjust_saturation(t, factor), [x],
             expected=_colorsys_map(x, saturate).astype(dtype), **_hsv_rgb_tolerance(dtype))


def test_hue_and_saturation_of_uint8_images():
    x = (RNG.rand(4, 4, 3) * 255).astype(np.uint8)
    for y, fn in ((gf_image.adjust_hue(x, 0.2), lambda h, s, v: ((h + .2) % 1, s, v)),
                  (gf_image.adjust_saturation(x, .5), lambda h, s, v: (h, s * .5, v))):
        assert y.dtype == gf.uint8
        want = _colorsys_map(x / 255., lambda *p: colorsys.hsv_to_rgb(
            *fn(*colorsys.rgb_to_hsv(*p)))) * 255.5
        np.testing.assert_allclose(_run(y), want.astype(np.uint8), atol=1)


def test_colour_op_errors():
    with pytest.raises(ValueError, match="images must have 3 channels"):
        gf_image.adjust_hue(np.zeros([2, 2, 4], np.float32), 0.1)
    with pytest.raises(ValueError, match="images must be at least 3-D"):
        gf_image.adjust_saturation(np.zeros([2, 3], np.float32), 0.1)
    with pytest.raises(ValueError, match="images must have 3 channels"):
        gf_image.rgb_to_hsv(np.zeros([2, 2], np.float32))
    with pytest.raises(ValueError, match="delta must be a scalar"):
        gf_image.adjust_hue(np.zeros([2, 2, 3], np.float32), [0.1, 0.2])
    with pytest.raises(TypeError):
        gf_image.rgb_to_hsv(gf.constant(np.zeros([2, 3], np.int32)))
    p = gf.placeholder(gf.float32, None)
    _both_fail(gf_image.adjust_hue(p, 0.1, name="hue"), {p: np.zeros([2, 2, 4], np.float32)},
               r"AdjustHue 'hue/AdjustHue': images must have 3 channels \(the last dim\), "
               r"got shape \[2,2,4\]")
    _both_fail(gf_image.hsv_to_rgb(p), {p: np.zeros([2, 2], np.float32)},
               "images must have 3 channels")
    _both_fail(gf_image.adjust_saturation(p, 0.3), {p: np.zeros([2, 3], np.float32)},
               "images must be at least 3-D")


# --- contrast, brightness, grayscale, standardization -------------------------------------

def np_contrast(x, f):
    x = x.astype(np.float64)
    if x.size == 0:
        return x
    mean = x.mean(axis=(-3, -2), keepdims=True)
    return (x - mean) * f + mean


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("shape", [[5, 4, 3], [2, 3, 4, 1], [2, 2, 3, 5, 2], [0, 3, 3, 2],
                                   [1, 0, 3, 2]])
@pytest.mark.parametrize("factor", [0.3, 1.0, 2.5, -1.0])
def test_adjust_contrast(shape, factor, dtype):
    x = RNG.rand(*shape).astype(dtype)
    tol = {"rtol": 5e-3, "atol": 5e-3} if dtype == np.float16 else {"rtol": 1e-5, "atol": 1e-6}
    check_op(lambda t: gf_image.adjust_contrast(t, factor), [x],
             expected=np_contrast(x, factor).astype(dtype), **tol)


def test_adjust_contrast_of_uint8_images_saturates():
    x = np.array([[[0], [100]], [[200], [255]]], np.uint8)
    want = np.clip(np_contrast(x / 255., 3.0) * 255.5, 0, 255).astype(np.uint8)
    np.testing.assert_array_equal(_run(gf_image.adjust_contrast(x, 3.0)), want)


def test_adjust_contrast_gradient():
    # float32 is the widest dtype the op takes.
    err = gradient_error_of(lambda x, f: gf_image.adjust_contrast(x, f), [[2, 3, 4, 3], []],
                            dtype=gf.float32)
    assert err < 5e-3


def test_adjust_brightness():
    x = _rgb([3, 4, 3])
    np.testing.assert_allclose(_run(gf_image.adjust_brightness(x, 0.25)), x + 0.25, rtol=1e-6)
    u = np.array([[[0], [200], [250]]], np.uint8)
    np.testing.assert_array_equal(_run(gf_image.adjust_brightness(u, 0.1)),
                                  [[[25], [225], [255]]])
    h = x.astype(np.float16)
    assert _run(gf_image.adjust_brightness(h, -0.5)).dtype == np.float16


@pytest.mark.parametrize("dtype", [np.float32, np.uint8])
def test_rgb_to_grayscale(dtype):
    x = (_rgb([2, 3, 4, 3]) * (255 if dtype == np.uint8 else 1)).astype(dtype)
    y = gf_image.rgb_to_grayscale(x)
    assert y.dtype == gf.as_dtype(dtype) and y.shape.as_list() == [2, 3, 4, 1]
    gray = np.dot(x.astype(np.float64) / (255 if dtype == np.uint8 else 1),
                  [0.2989, 0.5870, 0.1140])[..., None]
    if dtype == np.uint8:
        np.testing.assert_allclose(_run(y), (gray * 255.5).astype(np.uint8), atol=1)
    else:
        np.testing.assert_allclose(_run(y), gray, rtol=1e-6)
    with pytest.raises(ValueError, match="3 channels"):
        gf_image.rgb_to_grayscale(np.zeros([2, 2, 1], dtype))


def test_grayscale_to_rgb():
    x = _image([2, 3, 1])
    y = gf_image.grayscale_to_rgb(x)
    np.testing.assert_array_equal(_run(y), np.repeat(x, 3, axis=-1))
    p = gf.placeholder(gf.float32, None)
    np.testing.assert_array_equal(_run(gf_image.grayscale_to_rgb(p), {p: x[None]}),
                                  np.repeat(x[None], 3, axis=-1))
    with pytest.raises(ValueError, match="should be size 1"):
        gf_image.grayscale_to_rgb(np.zeros([2, 2, 3]))


def np_standardize(x):
    x = x.astype(np.float64)
    axes = (-1, -2, -3)
    mean = x.mean(axis=axes, keepdims=True)
    std = x.std(axis=axes, keepdims=True)
    return (x - mean) / np.maximum(std, 1 / np.sqrt(np.prod(x.shape[-3:])))


@pytest.mark.parametrize("dtype", [np.float32, np.uint8, np.float16, np.int32])
@pytest.mark.parametrize("shape", [[4, 5, 3], [3, 2, 4, 1]])
def test_per_image_standardization(shape, dtype):
    x = _image(shape, dtype)
    y = gf_image.per_image_standardization(x)
    assert y.dtype == gf.float32
    np.testing.assert_allclose(_run(y), np_standardize(x), rtol=1e-4, atol=1e-4)


def test_per_image_standardization_of_a_uniform_image_and_unknown_shape():
    x = np.full([3, 3, 1], 7.0, np.float32)
    np.testing.assert_array_equal(_run(gf_image.per_image_standardization(x)), np.zeros_like(x))
    p = gf.placeholder(gf.float32, None)
    v = _image([2, 3, 4, 2])
    np.testing.assert_allclose(_run(gf_image.per_image_standardization(p), {p: v}),
                               np_standardize(v), rtol=1e-4, atol=1e-4)


# --- convert_image_dtype ------------------------------------------------------------

def test_convert_uint8_to_float_and_back():
    u = np.arange(256, dtype=np.uint8).reshape(16, 16, 1)
    f = gf_image.convert_image_dtype(u, gf.float32)
    np.testing.assert_allclose(_run(f), u / 255., rtol=1e-6)
    for dtype in (gf.float32, gf.float64, gf.float16):
        back = gf_image.convert_image_dtype(gf_image.convert_image_dtype(u, dtype), gf.uint8)
        np.testing.assert_array_equal(_run(back), u)


@pytest.mark.parametrize("wide", [gf.int16, gf.int32, gf.int64])
def test_convert_integer_round_trips(wide):
    u = np.arange(256, dtype=np.uint8)
    up = gf_image.convert_image_dtype(u, wide)
    scale = (wide.max + 1) // 256
    np.testing.assert_array_equal(_run(up), u.astype(np.int64) * scale)
    np.testing.assert_array_equal(_run(gf_image.convert_image_dtype(up, gf.uint8)), u)


def test_convert_int8_to_uint8_and_scaling_down():
    i = np.array([0, 1, 64, 127], np.int8)
    np.testing.assert_array_equal(_run(gf_image.convert_image_dtype(i, gf.uint8)),
                                  [0, 2, 128, 254])
    w = np.array([0, 2 ** 23, 2 ** 31 - 1], np.int32)
    np.testing.assert_array_equal(_run(gf_image.convert_image_dtype(w, gf.uint8)), [0, 1, 255])


def test_convert_float_to_uint8_saturates_when_asked():
    x = np.array([-0.5, 0.0, 0.5, 1.0, 1.5], np.float32)
    np.testing.assert_array_equal(_run(gf_image.convert_image_dtype(x, gf.uint8, saturate=True)),
                                  [0, 0, 127, 255, 255])
    np.testing.assert_array_equal(_run(gf_image.convert_image_dtype(x[1:4], gf.uint8)),
                                  [0, 127, 255])


def test_convert_image_dtype_same_dtype_and_errors():
    x = gf.constant([0.5])
    y = gf_image.convert_image_dtype(x, gf.float32, name="same")
    assert y.op.type == "Identity" and y.op.name == "same"
    assert gf_image.convert_image_dtype(x, gf.float16).dtype == gf.float16
    with pytest.raises(AttributeError, match="floating point or integer"):
        gf_image.convert_image_dtype(x, gf.bool)
    with pytest.raises(AttributeError, match="image dtype"):
        gf_image.convert_image_dtype(np.array([True]), gf.float32)


# --- flips ------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [[3, 4, 2], [2, 3, 4, 2]])
def test_flips(shape):
    x = _image(shape)
    h = len(shape) - 3
    lr, ud = _run([gf_image.flip_left_right(x), gf_image.flip_up_down(x)])
    np.testing.assert_array_equal(lr, np.flip(x, h + 1))
    np.testing.assert_array_equal(ud, np.flip(x, h))


def test_flips_of_unknown_rank():
    p = gf.placeholder(gf.float32, None)
    lr, ud = gf_image.flip_left_right(p), gf_image.flip_up_down(p)
    for shape in ([3, 4, 2], [2, 3, 4, 2]):
        x = _image(shape)
        got = _run([lr, ud], {p: x})
        np.testing.assert_array_equal(got[0], np.flip(x, len(shape) - 2))
        np.testing.assert_array_equal(got[1], np.flip(x, len(shape) - 3))


def test_flip_errors():
    with pytest.raises(ValueError, match="must be at least three-dimensional"):
        gf_image.flip_left_right(np.zeros([3, 4]))
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        gf_image.random_flip_up_down(np.zeros([1, 2, 3, 4, 5]))
    with pytest.raises(ValueError, match="inner 3 dims of 'image.shape' must be > 0"):
        gf_image.flip_up_down(np.zeros([0, 3, 1]))


def _flip_choices(out, x, axis):
    """Per image: True flipped, False kept (and nothing else)."""
    flipped = np.flip(x, axis)
    same = np.all(out == x, axis=tuple(range(1, out.ndim)))
    mirrored = np.all(out == flipped, axis=tuple(range(1, out.ndim)))
    assert np.all(same | mirrored), "an image is neither the input nor its mirror"
    return mirrored


@pytest.mark.parametrize("random_flip,axis", [(gf_image.random_flip_left_right, 2),
                                              (gf_image.random_flip_up_down, 1)])
def test_random_flip_batch_statistics(random_flip, axis):
    n = 4000
    x = np.broadcast_to(np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1), (n, 2, 2, 1))
    flips = _flip_choices(_run(random_flip(x, seed=3)), x, axis)
    assert abs(flips.mean() - 0.5) < 0.04  # 5 sigma


def test_random_flip_single_image_statistics_and_reuse():
    x = np.arange(6, dtype=np.float32).reshape(1, 3, 2)
    y = gf_image.random_flip_left_right(x, seed=5)
    with gf.Session() as sess:
        outs = np.stack([sess.run(y) for _ in range(400)])
    flips = _flip_choices(outs, np.broadcast_to(x, outs.shape), 2)
    assert 0.4 < flips.mean() < 0.6


def _seeded_decisions(build, runs=3):
    """Outputs of `runs` runs of build() in a fresh graph with graph seed 11."""
    with gf.Graph().as_default():
        gf.set_random_seed(11)
        y = build()
        with gf.Session() as sess:
            return [sess.run(y) for _ in range(runs)]


AUGMENTATIONS = {
    "flip_lr_batch": lambda x: gf_image.random_flip_left_right(x, seed=1),
    "flip_ud_single": lambda x: gf_image.random_flip_up_down(x[0], seed=2),
    "crop": lambda x: gf_image.random_crop(x, [4, 3, 3, 3], seed=3),
    "brightness": lambda x: gf_image.random_brightness(x, 0.2, seed=4),
    "contrast": lambda x: gf_image.random_contrast(x, 0.3, 1.7, seed=5),
    "hue": lambda x: gf_image.random_hue(x, 0.3, seed=6),
    "saturation": lambda x: gf_image.random_saturation(x, 0.3, 1.7, seed=7),
    "unseeded_op": lambda x: gf_image.random_flip_left_right(x),
}


@pytest.mark.parametrize("name", sorted(AUGMENTATIONS))
def test_seeded_augmentation_repeats_across_sessions(name):
    x = _rgb([8, 5, 4, 3])
    first = _seeded_decisions(lambda: AUGMENTATIONS[name](gf.constant(x)))
    second = _seeded_decisions(lambda: AUGMENTATIONS[name](gf.constant(x)))
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    # and changes between runs of one session
    assert any(not np.array_equal(first[0], r) for r in first[1:])


def test_different_seeds_make_different_choices():
    x = _image([64, 2, 2, 1])
    a = _run(gf_image.random_flip_left_right(x, seed=1))
    b = _run(gf_image.random_flip_left_right(x, seed=2))
    assert not np.array_equal(a, b)


def test_random_flip_of_unknown_rank():
    p = gf.placeholder(gf.float32, None)
    y = gf_image.random_flip_up_down(p, seed=9)
    batch = np.broadcast_to(np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1), (2000, 2, 2, 1))
    flips = _flip_choices(_run(y, {p: batch}), batch, 1)
    assert abs(flips.mean() - 0.5) < 0.05
    single = np.arange(4, dtype=np.float32).reshape(2, 2, 1)
    with gf.Session() as sess:
        outs = np.stack([sess.run(y, {p: single}) for _ in range(200)])
    assert 0.35 < _flip_choices(outs, np.broadcast_to(single, outs.shape), 1).mean() < 0.65


# --- random_crop and the other random adjustments --------------------------------------

def test_random_crop_windows_are_uniform():
    x = np.arange(6 * 7 * 2).reshape(6, 7, 2)
    y = gf_image.random_crop(x, [3, 4, 2], seed=7)
    assert y.shape.as_list() == [3, 4, 2]
    counts = np.zeros([4, 4], int)
    with gf.Session() as sess:
        for _ in range(480):
            out = sess.run(y)
            oy, ox = divmod(int(out[0, 0, 0]) // 2, 7)
            np.testing.assert_array_equal(out, x[oy:oy + 3, ox:ox + 4])
            counts[oy, ox] += 1
    assert counts.min() >= 10 and counts.max() <= 55  # 30 expected per window


def test_random_crop_errors():
    with pytest.raises(ValueError, match="Need value.shape >= size"):
        gf_image.random_crop(np.zeros([4, 4, 3]), [5, 2, 3])
    with pytest.raises(ValueError, match="Need value.shape >= size"):
        gf_image.random_crop(np.zeros([4, 4, 3]), [2, 2])
    p = gf.placeholder(gf.float32, [None, None, 3])
    y = gf_image.random_crop(p, [3, 3, 3], seed=1)
    with pytest.raises(gf.errors.InvalidArgumentError,
                       match=r"Slice 'random_crop(_\d+)?': Expected size\[1\]"):
        _run(y, {p: np.zeros([5, 2, 3])})
    assert _run(y, {p: np.zeros([3, 3, 3])}).shape == (3, 3, 3)


def test_random_brightness_range_and_mean():
    x = np.zeros([1, 1, 1], np.float32)
    y = gf_image.random_brightness(x, 0.25, seed=1)
    with gf.Session() as sess:
        deltas = np.array([sess.run(y)[0, 0, 0] for _ in range(500)])
    assert deltas.min() >= -0.25 and deltas.max() < 0.25
    assert abs(deltas.mean()) < 0.03 and deltas.std() > 0.1
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        gf_image.random_brightness(x, -0.1)


def test_random_contrast_factor_range():
    x = np.array([[[0.], [1.]]], np.float32)  # mean 0.5: output spread = factor
    y = gf_image.random_contrast(x, 0.5, 1.5, seed=2)
    with gf.Session() as sess:
        factors = np.array([np.ptp(sess.run(y)) for _ in range(300)])
    assert factors.min() >= 0.5 - 1e-6 and factors.max() < 1.5 + 1e-6
    assert 0.95 < factors.mean() < 1.05
    with pytest.raises(ValueError, match="upper must be > lower"):
        gf_image.random_contrast(x, 1.0, 1.0)
    with pytest.raises(ValueError, match="lower must be non-negative"):
        gf_image.random_saturation(x, -1.0, 1.0)


def test_random_hue_argument_errors():
    with pytest.raises(ValueError, match="max_delta must be <= 0.5"):
        gf_image.random_hue(np.zeros([1, 1, 3]), 0.6)
    with pytest.raises(ValueError, match="max_delta must be non-negative"):
        gf_image.random_hue(np.zeros([1, 1, 3]), -0.1)


# --- crops and pads -------------------------------------------------------------------

@pytest.mark.parametrize("batch", [False, True])
def test_crop_and_pad_to_bounding_box(batch):
    x = _image([2, 6, 7, 3] if batch else [6, 7, 3])
    crop = gf_image.crop_to_bounding_box(x, 1, 2, 4, 3)
    pad = gf_image.pad_to_bounding_box(x, 2, 1, 9, 10)
    lead = [slice(None)] if batch else []
    want_pad = np.pad(x, ([(0, 0)] if batch else []) + [(2, 1), (1, 2), (0, 0)])
    assert crop.shape.as_list() == ([2] if batch else []) + [4, 3, 3]
    assert pad.shape.as_list() == list(want_pad.shape)
    got = _run([crop, pad])
    np.testing.assert_array_equal(got[0], x[tuple(lead + [slice(1, 5), slice(2, 5)])])
    np.testing.assert_array_equal(got[1], want_pad)


def test_crop_and_pad_with_tensor_offsets_and_unknown_shapes():
    p = gf.placeholder(gf.float32, None)
    oh = gf.placeholder(gf.int32, [])
    crop = gf_image.crop_to_bounding_box(p, oh, 0, 2, 2)
    pad = gf_image.pad_to_bounding_box(p, oh, 1, 6, 5)
    assert crop.shape.as_list() == [2, 2, None]
    x = _image([4, 3, 2])
    got = _run([crop, pad], {p: x, oh: 1})
    np.testing.assert_array_equal(got[0], x[1:3, 0:2])
    np.testing.assert_array_equal(got[1], np.pad(x, [(1, 1), (1, 1), (0, 0)]))


def test_crop_and_pad_static_errors():
    x = np.zeros([4, 4, 1])
    for args, msg in (((-1, 0, 2, 2), "offset_height must be >= 0"),
                      ((0, 0, 0, 2), "target_height must be > 0"),
                      ((2, 0, 3, 2), "height must be >= target \\+ offset"),
                      ((0, 3, 2, 2), "width must be >= target \\+ offset")):
        with pytest.raises(ValueError, match=msg):
            gf_image.crop_to_bounding_box(x, *args)
    for args, msg in (((0, -1, 5, 5), "offset_width must be >= 0"),
                      ((2, 0, 5, 5), "height must be <= target - offset")):
        with pytest.raises(ValueError, match=msg):
            gf_image.pad_to_bounding_box(x, *args)
    with pytest.raises(ValueError, match="either 3 or 4 dimensions"):
        gf_image.crop_to_bounding_box(np.zeros([4, 4]), 0, 0, 1, 1)


@pytest.mark.parametrize("target", [(4, 6), (8, 3), (5, 5), (9, 9), (2, 2)])
@pytest.mark.parametrize("batch", [False, True])
def test_resize_image_with_crop_or_pad(target, batch):
    x = _image([2, 5, 5, 2] if batch else [5, 5, 2])
    th, tw = target

    def centre(a, axis, t):
        n = a.shape[axis]
        if t < n:
            start = (n - t) // 2
            return np.take(a, range(start, start + t), axis=axis)
        before = (t - n) // 2
        widths = [(0, 0)] * a.ndim
        widths[axis] = (before, t - n - before)
        return np.pad(a, widths)
    h = x.ndim - 3
    want = centre(centre(x, h, th), h + 1, tw)
    y = gf_image.resize_image_with_crop_or_pad(x, th, tw)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_array_equal(_run(y), want)
    p = gf.placeholder(gf.float32, [None] * x.ndim)
    np.testing.assert_array_equal(_run(gf_image.resize_with_crop_or_pad(p, th, tw), {p: x}), want)


@pytest.mark.parametrize("fraction", [0.5, 0.875, 0.33, 1.0])
@pytest.mark.parametrize("batch", [False, True])
def test_central_crop(fraction, batch):
    x = _image([2, 9, 8, 3] if batch else [9, 8, 3])
    h = x.ndim - 3

    def window(n):
        start = int((n - n * fraction) / 2)
        return slice(start, n - start)
    key = [slice(None)] * h + [window(x.shape[h]), window(x.shape[h + 1])]
    want = x[tuple(key)]
    y = gf_image.central_crop(x, fraction)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_array_equal(_run(y), want)
    p = gf.placeholder(gf.float32, [None] * x.ndim)
    np.testing.assert_array_equal(_run(gf_image.central_crop(p, fraction), {p: x}), want)


def test_central_crop_errors():
    with pytest.raises(ValueError, match="central_fraction must be within"):
        gf_image.central_crop(np.zeros([4, 4, 1]), 0.0)
    with pytest.raises(ValueError, match="central_fraction must be within"):
        gf_image.central_crop(np.zeros([4, 4, 1]), 1.5)
    with pytest.raises(ValueError, match="rank = 5"):
        gf_image.central_crop(np.zeros([1, 1, 4, 4, 1]), 0.5)


# --- module layout ---------------------------------------------------------------------

def test_gf_image_exports_tf_image_names():
    assert "space_to_depth" in image_ops.__all__ and "depth_to_space" in image_ops.__all__
    assert "space_to_depth" not in gf_image.__all__
    for name in gf_image.__all__:
        assert getattr(gf_image, name) is getattr(image_ops, name)


# --- the same results as TensorFlow ------------------------------------------------------

_TF_CHILD = """
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow.compat.v1 as tf
tf.disable_eager_execution()
inputs = {k: np.array(v, dtype=np.float32) for k, v in json.loads(sys.stdin.read()).items()}
x, x3, g = inputs["x"], inputs["x3"], inputs["g"]
t = {}
with tf.Graph().as_default():
    for ac, hp in [(False, False), (True, False), (False, True)]:
        for size in [(8, 5), (3, 2), (4, 7)]:
            key = "%d%d_%d_%d" % (ac, hp, size[0], size[1])
            t["bilinear" + key] = tf.raw_ops.ResizeBilinear(images=x, size=size, align_corners=ac,
                                                            half_pixel_centers=hp)
            t["nearest" + key] = tf.raw_ops.ResizeNearestNeighbor(images=x, size=size,
                                                                  align_corners=ac,
                                                                  half_pixel_centers=hp)
        t["bgrad%d%d" % (ac, hp)] = tf.raw_ops.ResizeBilinearGrad(
            grads=g, original_image=x, align_corners=ac, half_pixel_centers=hp)
        t["ngrad%d%d" % (ac, hp)] = tf.raw_ops.ResizeNearestNeighborGrad(
            grads=g, size=[4, 7], align_corners=ac, half_pixel_centers=hp)
    t["s2d"] = tf.nn.space_to_depth(x[:, :4, :6], 2)
    t["hue"] = tf.image.adjust_hue(x, 0.3)
    t["saturation"] = tf.image.adjust_saturation(x, 1.7)
    t["contrast"] = tf.image.adjust_contrast(x, 0.6)
    t["hsv"] = tf.image.rgb_to_hsv(x)
    t["rgb"] = tf.image.hsv_to_rgb(x)
    t["standardized"] = tf.image.per_image_standardization(x)
    tf.set_random_seed(3)
    t["flips"] = [tf.image.random_flip_left_right(x3, seed=s) for s in range(6)]
    t["flip_batch"] = tf.image.random_flip_up_down(x, seed=7)
    t["crop"] = tf.image.random_crop(x, [2, 3, 4, 3], seed=5)
    t["random_hue"] = tf.image.random_hue(x, 0.4, seed=12)
    t["random_saturation"] = tf.image.random_saturation(x, 0.2, 1.8, seed=13)
    t["unseeded"] = tf.image.random_flip_left_right(x)
    with tf.Session() as sess:
        runs = [sess.run(t) for _ in range(2)]
out = [{k: [a.tolist() for a in v] if isinstance(v, list) else v.tolist() for k, v in r.items()}
       for r in runs]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def tf_results():
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    rng = np.random.RandomState(5)
    inputs = {"x": rng.rand(3, 4, 7, 3), "x3": rng.rand(5, 6, 3), "g": rng.rand(3, 6, 5, 3)}
    child = subprocess.run([sys.executable, "-c", _TF_CHILD], capture_output=True, text=True,
                           input=json.dumps({k: v.tolist() for k, v in inputs.items()}),
                           check=True)
    runs = json.loads(child.stdout.strip().splitlines()[-1])
    return {k: v.astype(np.float32) for k, v in inputs.items()}, runs


def test_same_results_as_tensorflow(tf_results):
    inputs, want_runs = tf_results
    x, x3, g = inputs["x"], inputs["x3"], inputs["g"]
    t = {}
    for ac, hp in MODES:
        for size in [(8, 5), (3, 2), (4, 7)]:
            key = "%d%d_%d_%d" % (ac, hp, size[0], size[1])
            t["bilinear" + key] = gf_image.resize_bilinear(x, size, ac, half_pixel_centers=hp)
            t["nearest" + key] = gf_image.resize_nearest_neighbor(x, size, ac,
                                                                  half_pixel_centers=hp)
        attrs = {"align_corners": ac, "half_pixel_centers": hp}
        t["bgrad%d%d" % (ac, hp)] = op_builder.apply_op("ResizeBilinearGrad", [g, x], attrs)
        t["ngrad%d%d" % (ac, hp)] = op_builder.apply_op("ResizeNearestNeighborGrad",
                                                        [g, [4, 7]], attrs)
    t["s2d"] = image_ops.space_to_depth(x[:, :4, :6], 2)
    t["hue"] = gf_image.adjust_hue(x, 0.3)
    t["saturation"] = gf_image.adjust_saturation(x, 1.7)
    t["contrast"] = gf_image.adjust_contrast(x, 0.6)
    t["hsv"] = gf_image.rgb_to_hsv(x)
    t["rgb"] = gf_image.hsv_to_rgb(x)
    t["standardized"] = gf_image.per_image_standardization(x)
    gf.set_random_seed(3)
    t["flips"] = [gf_image.random_flip_left_right(x3, seed=s) for s in range(6)]
    t["flip_batch"] = gf_image.random_flip_up_down(x, seed=7)
    t["crop"] = gf_image.random_crop(x, [2, 3, 4, 3], seed=5)
    t["random_hue"] = gf_image.random_hue(x, 0.4, seed=12)
    t["random_saturation"] = gf_image.random_saturation(x, 0.2, 1.8, seed=13)
    t["unseeded"] = gf_image.random_flip_left_right(x)
    with gf.Session() as sess:
        got_runs = [sess.run(t) for _ in range(2)]
    for got, want in zip(got_runs, want_runs):
        for k, v in got.items():
            np.testing.assert_allclose(np.asarray(v, np.float64), np.asarray(want[k]),
                                       rtol=1e-6, atol=1e-6, err_msg=k)
