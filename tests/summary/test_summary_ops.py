"""Summary ops: kernels against the NumPy references (byte for byte) and against
independent NumPy computations, against TensorFlow's own summaries, and read
back by TensorBoard's event accumulator."""

import io
import os
import pickle
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

import graphflow as gf
from graphflow.framework import tensor_util
from graphflow.gradients import get_gradient_function
from graphflow.ops import summary_ops
from graphflow.test import check_op

try:
    from PIL import Image as PIL_Image
except ImportError:  # PIL comes with matplotlib (the test extras); decode_png suffices
    PIL_Image = None

DBL_MAX = np.finfo(np.float64).max
HERE = os.path.dirname(os.path.abspath(__file__))


def parse(serialized):
    s = gf.Summary()
    s.ParseFromString(serialized)
    return s


def strings(values, shape=None):
    arr = np.array([v.encode() if isinstance(v, str) else v for v in values], dtype=object)
    return arr if shape is None else arr.reshape(shape)


def decode_png(data):
    """Pixels [h, w, c] of an 8-bit, non-interlaced PNG (any row filters), with
    every chunk CRC checked: a decoder independent of the encoder under test."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body)
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
        if kind == b"IEND":
            break
    assert pos == len(data)
    w, h, bits, color_type, _, _, interlace = ihdr
    assert bits == 8 and interlace == 0
    c = {0: 1, 4: 2, 2: 3, 6: 4}[color_type]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + w * c).astype(np.int64)
    out = np.zeros((h, w * c), np.int64)
    for y in range(h):
        kind, line = raw[y, 0], raw[y, 1:]
        up = out[y - 1] if y else np.zeros(w * c, np.int64)
        if kind in (0, 2):  # none, up
            out[y] = (line + (up if kind == 2 else 0)) % 256
            continue
        for i in range(w * c):  # sub, average, paeth: depend on the decoded left byte
            a = out[y, i - c] if i >= c else 0
            b, d = up[i], (up[i - c] if i >= c else 0)
            if kind == 1:
                p = a
            elif kind == 3:
                p = (a + b) // 2
            else:
                pa, pb, pc = abs(b - d), abs(a - d), abs(a + b - 2 * d)
                p = a if pa <= pb and pa <= pc else b if pb <= pc else d
            out[y, i] = (line[i] + p) % 256
    return out.astype(np.uint8).reshape(h, w, c)


def assert_pixels(png, want):
    """`png` decodes to `want`, with decode_png and with PIL when it is installed."""
    np.testing.assert_array_equal(decode_png(png), want)
    if PIL_Image is not None:
        np.testing.assert_array_equal(
            np.array(PIL_Image.open(io.BytesIO(png))).reshape(want.shape), want)


def tf_limits():
    """TF's default histogram bucket limits, written out again."""
    pos, v = [], 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    pos = np.array(pos + [DBL_MAX])
    return np.concatenate([-pos[::-1], [0.0], pos])


def full_buckets(histo):
    """The count of every default bucket, expanding the collapsed runs."""
    limits = tf_limits()
    full = np.zeros(limits.size)
    idx = np.searchsorted(limits, list(histo.bucket_limit))
    assert np.array_equal(limits[idx], list(histo.bucket_limit))
    full[idx] = list(histo.bucket)
    return full


def expected_image(img, bad_color=(255, 0, 0, 255)):
    """TF's float -> uint8 image mapping, computed again from its description."""
    t = img.dtype.type
    ok = np.isfinite(img).all(axis=-1)
    f = img[ok].astype(np.float32)
    lo, hi = (f.min(), f.max()) if f.size else (np.float32(np.inf), np.float32(-np.inf))
    if lo < 0:
        m = max(-lo, abs(hi))
        scale, offset = (0.0 if m < np.float32(1e-6) else np.float32(127) / m), 128.0
    else:
        scale, offset = (0.0 if hi < np.float32(1e-6) else np.float32(255) / hi), 0.0
    with np.errstate(invalid="ignore"):
        out = np.trunc(img * t(scale) + t(offset))
    out[~ok] = np.array(bad_color, np.uint8)[:img.shape[-1]]
    return out.astype(np.uint8)


# --- ScalarSummary ------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16, np.int32, np.int64,
                                   np.uint8, np.int8, np.int16])
@pytest.mark.parametrize("shape", [[], [3], [2, 3], [0]])
def test_scalar_summary(dtype, shape):
    n = int(np.prod(shape))
    tags = strings(["t%d" % i for i in range(n)], shape)
    values = (np.arange(n) * 7 % 11 - 3).astype(dtype).reshape(shape)
    if dtype == np.float64 and n:
        values.flat[0] = 1e40  # float32 overflow: inf, as TF's float() cast gives
    got = check_op(summary_ops.scalar_summary, [tags, values])[0]
    s = parse(got)
    assert [v.tag for v in s.value] == ["t%d" % i for i in range(n)]
    assert [v.WhichOneof("value") for v in s.value] == ["simple_value"] * n
    with np.errstate(over="ignore"):
        assert [v.simple_value for v in s.value] == list(values.ravel().astype(np.float32))


def test_scalar_summary_keeps_zero_values_and_empty_tags():
    got = check_op(summary_ops.scalar_summary, [strings([""]), np.zeros(1, np.float32)])[0]
    (v,) = parse(got).value
    assert v.tag == "" and v.HasField("simple_value") and v.simple_value == 0


def test_scalar_summary_shape_errors():
    with pytest.raises(ValueError, match=r"ScalarSummary.*tags and values must have the same "
                       r"shape, got tags \(2,\) and values \(3,\)"):
        summary_ops.scalar_summary(["a", "b"], [1.0, 2.0, 3.0])
    tags = gf.placeholder(gf.string)
    values = gf.placeholder(gf.float32)
    s = summary_ops.scalar_summary(tags, values, name="sc")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"ScalarSummary 'sc': tags and values are not the same shape: "
                                 r"tags \[\] != values \[1\] \(tag 'a'\)"):
            sess.run(s, {tags: "a", values: [1.0]})
        with pytest.raises(gf.errors.InvalidArgumentError, match=r"tags \[2\] != values \[3\]"):
            sess.run(s, {tags: ["a", "b"], values: [1.0, 2.0, 3.0]})


# --- HistogramSummary ---------------------------------------------------------------------


def _histogram_cases():
    rng = np.random.default_rng(3)
    wide = rng.lognormal(0, 12, 600) * rng.choice([-1, 1], 600)
    wide[:6] = [0.0, -0.0, 1e-12, -1e-12, 1.1e-12, 5e19]
    return {
        "float32": (rng.standard_normal((20, 25)) * 3).astype(np.float32),
        "float64": wide,
        "float16": rng.uniform(-60, 60, 50).astype(np.float16),
        "int32": rng.integers(-1000, 1000, (7, 3)).astype(np.int32),
        "int64": np.array([2 ** 40, -5, 0, 7], np.int64),
        "uint8": rng.integers(0, 256, 64).astype(np.uint8),
        "int8": np.array([-128, 127, 0, 0, 1], np.int8),
        "int16": np.array([[3]], np.int16),
        "empty": np.zeros((0, 3), np.float32),
    }


@pytest.mark.parametrize("case", sorted(_histogram_cases()))
def test_histogram_summary(case):
    values = _histogram_cases()[case]
    got = check_op(lambda t, v: summary_ops.histogram_summary(t, v),
                   [strings(["h"], []), values])[0]
    (v,) = parse(got).value
    h, x = v.histo, values.astype(np.float64).ravel()
    assert v.tag == "h"
    assert h.num == x.size
    if x.size:
        assert (h.min, h.max) == (x.min(), x.max())
        np.testing.assert_allclose([h.sum, h.sum_squares], [x.sum(), (x * x).sum()],
                                   rtol=1e-12)
    else:  # TF's empty histogram
        assert (h.min, h.max, h.sum, h.sum_squares) == (DBL_MAX, -DBL_MAX, 0, 0)
    counts = full_buckets(h)
    assert counts[0] == 0
    np.testing.assert_array_equal(counts[1:], np.histogram(x, bins=tf_limits())[0])
    # Runs of empty buckets are collapsed into their last one; the last limit is DBL_MAX.
    assert h.bucket_limit[-1] == DBL_MAX
    assert len(h.bucket) == len(h.bucket_limit)
    assert not any(a == 0 and b == 0 for a, b in zip(h.bucket, list(h.bucket)[1:]))


def test_histogram_min_and_max_are_the_first_extreme_values():
    for values, negative_min in (([0.0, -0.0, 1.0], False), ([-0.0, 0.0], True)):
        got = check_op(lambda t, v: summary_ops.histogram_summary(t, v),
                       [strings(["h"], []), np.array(values)])[0]
        assert np.signbit(parse(got).value[0].histo.min) == negative_min


def test_histogram_summary_rejects_non_finite_values():
    values = gf.placeholder(gf.float32, [None, 2])
    h = summary_ops.histogram_summary("h", values, name="hist")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"HistogramSummary 'hist': Nan in summary histogram for: hist "
                                 r"\(values must be finite, got nan at values\[1,0\]\)"):
            sess.run(h, {values: [[1, 2], [np.nan, np.inf]]})
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"Infinity in Histogram for: hist \(values must be finite, got "
                                 r"-inf at values\[0,1\]\)"):
            sess.run(h, {values: [[1, -np.inf], [np.nan, 0]]})
    with pytest.raises(ValueError, match=r"HistogramSummary.*tag must be a scalar, got shape"):
        summary_ops.histogram_summary(["a"], [1.0])


# --- ImageSummary -------------------------------------------------------------------------


def _image_cases():
    rng = np.random.default_rng(5)
    signed = rng.uniform(-3, 2, (2, 5, 4, 1)).astype(np.float32)
    signed[0, 1, 2, 0] = np.nan
    rgba = rng.uniform(0, 9, (1, 3, 6, 4)).astype(np.float16)
    rgba[0, 2, 0, 1] = np.inf
    return {
        "uint8_rgb": (rng.integers(0, 256, (4, 7, 5, 3)).astype(np.uint8), 3, None),
        "uint8_gray_one": (rng.integers(0, 256, (2, 3, 2, 1)).astype(np.uint8), 1, None),
        "float32_signed_nan": (signed, 3, None),
        "float16_rgba_inf": (rgba, 2, np.array([10, 20, 30, 40], np.uint8)),
        "float64_rgb": (rng.standard_normal((2, 4, 4, 3)) * 1e3, 2, None),
        "float32_zero": (np.zeros((1, 2, 3, 3), np.float32), 3, None),
        "float64_tiny": (np.full((1, 2, 2, 1), 1e-7), 3, None),
    }


@pytest.mark.parametrize("case", sorted(_image_cases()))
def test_image_summary(case):
    images, max_images, bad_color = _image_cases()[case]
    got = check_op(lambda t, x: summary_ops.image_summary(t, x, max_images, bad_color),
                   [strings(["img"], []), images])[0]
    values = parse(got).value
    n = min(max_images, images.shape[0])
    assert [v.tag for v in values] == (["img/image"] if max_images == 1 else
                                       ["img/image/%d" % i for i in range(n)])
    for i, v in enumerate(values):
        assert (v.image.height, v.image.width, v.image.colorspace) == images.shape[1:]
        want = images[i] if images.dtype == np.uint8 else expected_image(
            images[i], (255, 0, 0, 255) if bad_color is None else bad_color)
        assert_pixels(v.image.encoded_image_string, want)


def test_image_summary_errors():
    with pytest.raises(ValueError, match=r"ImageSummary.*tensor must be 4-D \[batch, height, "
                       r"width, channels\] with 1, 3 or 4 channels, got shape \(2, 3, 1\)"):
        summary_ops.image_summary("i", np.zeros((2, 3, 1), np.uint8))
    with pytest.raises(ValueError, match=r"with 1, 3 or 4 channels, got shape \(1, 3, 1, 2\)"):
        summary_ops.image_summary("i", np.zeros((1, 3, 1, 2), np.uint8))
    with pytest.raises(ValueError, match=r"non-zero height and width, got shape \(1, 0, 1, 1\)"):
        summary_ops.image_summary("i", np.zeros((1, 0, 1, 1), np.uint8))
    with pytest.raises(ValueError, match=r"bad_color has 3 values, the images have 4 channels"):
        summary_ops.image_summary("i", np.zeros((1, 1, 1, 4), np.float32), bad_color=[1, 2, 3])
    with pytest.raises(ValueError, match=r"bad_color must be a uint8 vector, got int64\[2,2\]"):
        summary_ops.image_summary("i", np.zeros((1, 1, 1, 1), np.float32),
                                  bad_color=np.zeros((2, 2), np.int64))
    with pytest.raises(ValueError, match=r"max_images.*must be >= 1, got 0"):
        summary_ops.image_summary("i", np.zeros((1, 1, 1, 1), np.uint8), max_images=0)
    images = gf.placeholder(gf.float32)
    s = summary_ops.image_summary("i", images, name="im", bad_color=[1, 2, 3])
    with gf.Session() as sess:
        for value, message in [
                (np.zeros((2, 1, 1)), r"ImageSummary 'im': tensor must be 4-D \[batch, height, "
                                      r"width, channels\] with 1, 3 or 4 channels, got shape "
                                      r"\[2,1,1\]"),
                (np.zeros((1, 2, 2, 2)), r"with 1, 3 or 4 channels, got shape \[1,2,2,2\]"),
                (np.zeros((3, 2, 0, 1)), r"ImageSummary 'im': input tensor must have non-zero "
                                         r"dims. Found: \[3,2,0,1\]"),
                (np.zeros((1, 1, 1, 4)), r"ImageSummary 'im': expected depth <= bad_color.size, "
                                         r"got depth = 4, bad_color.size = 3")]:
            with pytest.raises(gf.errors.InvalidArgumentError, match=message):
                sess.run(s, {images: value})
        assert parse(sess.run(s, {images: np.zeros((0, 2, 2, 3))})).value == []


def test_png_is_compressed_when_zlib_loads():
    if summary_ops._zlib_compress2() is None:
        pytest.skip("libz.so.1 cannot be loaded: PNGs are stored uncompressed")
    images = np.zeros((1, 100, 100, 3), np.uint8)
    images[0, 40:60] = [200, 10, 30]
    got = check_op(lambda t, x: summary_ops.image_summary(t, x), [strings(["i"], []), images])
    png = parse(got[0]).value[0].image.encoded_image_string
    assert len(png) < 400 and png[png.index(b"IDAT") + 4:][:2] == b"\x78\x9c"
    assert_pixels(png, images[0])


def test_png_stored_blocks_without_zlib():
    """With GRAPHFLOW_ZLIB set empty, IDAT holds stored deflate blocks (an image
    larger than one 65535-byte block here); the reference does the same."""
    code = """if True:
        import numpy as np
        from graphflow.ops import summary_ops
        from graphflow.test import check_op
        from test_summary_ops import decode_png, parse, strings
        images = np.random.default_rng(1).integers(0, 256, (1, 120, 200, 3)).astype(np.uint8)
        got = check_op(lambda t, x: summary_ops.image_summary(t, x), [strings(["i"], []), images])
        png = parse(got[0]).value[0].image.encoded_image_string
        idat = png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8]
        assert idat[:3] == b"\\x78\\x01\\x00", idat[:3]   # zlib header, non-final stored block
        assert len(png) > images.size
        assert (decode_png(png) == images[0]).all()
        print("stored ok")
    """
    env = dict(os.environ, GRAPHFLOW_ZLIB="", PYTHONPATH=os.pathsep.join(
        [HERE, os.path.dirname(os.path.dirname(HERE))]))
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "stored ok" in r.stdout, r.stderr


# --- TensorSummaryV2, text ----------------------------------------------------------------


@pytest.mark.parametrize("tensor", [
    np.float32(2.5), np.arange(6, dtype=np.int16).reshape(2, 3), np.array([True, False]),
    np.array([1.5, -2], np.float16), np.zeros((0, 2), np.float64), np.int64(-7),
    strings(["a", "", "ü"], [3, 1]), strings([], [0])], ids=lambda t: "%s%s" % (t.dtype,
                                                                              t.shape))
def test_tensor_summary(tensor):
    meta = gf.SummaryMetadata(display_name="d", plugin_data=gf.SummaryMetadata.PluginData(
        plugin_name="p", content=b"\x00\x01")).SerializeToString()
    got = check_op(lambda t, x, m: summary_ops.tensor_summary_v2(t, x, m),
                   [strings(["ts"], []), tensor, np.array(meta, dtype=object)])[0]
    (v,) = parse(got).value
    assert v.tag == "ts" and v.metadata.SerializeToString() == meta
    tp = v.tensor
    assert tp.dtype == gf.as_dtype(tensor.dtype).as_datatype_enum
    assert [d.size for d in tp.tensor_shape.dim] == list(tensor.shape)
    if tensor.dtype == object:
        assert list(tp.string_val) == list(tensor.ravel())
    else:
        stored = np.frombuffer(tp.tensor_content, tensor.dtype).reshape(tensor.shape)
        np.testing.assert_array_equal(stored, tensor)


def test_tensor_summary_errors():
    tag, meta = gf.placeholder(gf.string), gf.placeholder(gf.string)
    s = summary_ops.tensor_summary_v2(tag, [1.0], meta, name="ts")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"TensorSummaryV2 'ts': tag must be a scalar, got shape \[1\]"):
            sess.run(s, {tag: ["a"], meta: b""})
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"serialized_summary_metadata must be a scalar, got shape \[2\]"):
            sess.run(s, {tag: "a", meta: [b"", b""]})
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"TensorSummaryV2 'ts': serialized_summary_metadata is not a "
                                 r"serialized SummaryMetadata proto \(2 bytes\)"):
            sess.run(s, {tag: "a", meta: b"\xff\xff"})


def test_text_summary():
    t = gf.summary.text("notes", [["**bold**", "b"]])
    with gf.Session() as sess:
        (v,) = parse(sess.run(t)).value
    assert v.tag == "notes" and v.metadata.plugin_data.plugin_name == "text"
    assert list(v.tensor.string_val) == [b"**bold**", b"b"]
    with pytest.raises(ValueError, match=r"Expected tensor .* to have dtype string, got float32"):
        gf.summary.text("x", gf.constant(1.0))


# --- MergeSummary -------------------------------------------------------------------------


def _summary(*tags):
    return gf.Summary(value=[gf.Summary.Value(tag=t, simple_value=i)
                             for i, t in enumerate(tags)]).SerializeToString()


def test_merge_summary():
    a = strings([_summary("a", "b"), b"", _summary("")], [3])
    b = strings([_summary("c", "")], [1, 1])
    got = check_op(lambda x, y: summary_ops.merge_summary([x, y]), [a, b])[0]
    assert [(v.tag, v.simple_value) for v in parse(got).value] == [
        ("a", 0), ("b", 1), ("", 0), ("c", 0), ("", 1)]


def test_merge_summary_errors():
    x, y = gf.placeholder(gf.string), gf.placeholder(gf.string)
    m = summary_ops.merge_summary([x, y], name="m")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"MergeSummary 'm': Duplicate tag b found in summary inputs "
                                 r"\(in input 0 and input 1\); each tag may appear once"):
            sess.run(m, {x: _summary("a", "b"), y: strings([_summary("c"), _summary("b")])})
        with pytest.raises(gf.errors.InvalidArgumentError,
                           match=r"MergeSummary 'm': Could not parse one of the summary inputs: "
                                 r"inputs\[1\]\[1\] is not a serialized Summary proto"):
            sess.run(m, {x: b"", y: strings([b"", b"\n\x05\n\x01"])})
    with pytest.raises(ValueError, match=r"must be >= 1, got 0"):
        summary_ops.merge_summary([])


# --- the tf.summary API --------------------------------------------------------------------


def _naming_graph(x):
    """Summaries whose op names and tags test_tensorflow_parity compares with TF's."""
    s = [gf.summary.scalar("loss", gf.reduce_mean(x)), gf.summary.scalar("loss", gf.reduce_mean(x))]
    with gf.name_scope("train"):
        s.append(gf.summary.scalar("acc", gf.reduce_mean(x), family="fam"))
        s.append(gf.summary.histogram("w eights", x, family="fam"))
    s.append(gf.summary.histogram("/w:0", x))
    s.append(gf.summary.image("img", gf.reshape(x, [1, 2, 2, 1]), max_outputs=1))
    s.append(gf.summary.text("notes", gf.constant([["a", "b"]])))
    s.append(gf.summary.merge([s[0], s[2]], name="some merge"))
    return s


def _names_and_tags(summaries):
    return [(t.op.name, None if t.op.type == "MergeSummary" else
             t.op.inputs[0].op.get_attr("value").item().decode()) for t in summaries]


def test_names_tags_and_collections():
    x = gf.placeholder(gf.float32, [4], name="x")
    named = _names_and_tags(_naming_graph(x))
    assert named == [("loss", "loss"), ("loss_1", "loss_1"),
                     ("train/fam/acc", "fam/train/fam/acc"),
                     ("train/fam/w_eights", "fam/train/fam/w_eights"), ("w_0", "w_0"),
                     ("img", "img"), ("notes", "notes"), ("some_merge/some_merge", None)]
    summaries = gf.get_collection(gf.GraphKeys.SUMMARIES)
    assert [t.op.name for t in summaries] == [n for n, _ in named[:-1]]
    merged = gf.summary.merge_all()
    assert merged.op.name == "Merge/MergeSummary"
    assert gf.summary.merge_all(scope="train").op.inputs[:] == summaries[2:4]
    own = gf.summary.scalar("own", 1.0, collections=["mine"])
    assert gf.get_collection("mine") == [own] and own not in gf.get_collection("summaries")
    assert gf.summary.merge_all("nothing here") is None
    with gf.Session() as sess:
        first = sess.run(merged, {x: [1, 2, 3, 4]})
        assert sess.run(merged, {x: [1, 2, 3, 4]}) == first
        assert [v.tag for v in parse(first).value] == [
            "loss", "loss_1", "fam/train/fam/acc", "fam/train/fam/w_eights", "w_0",
            "img/image", "notes"]


def test_summary_ops_are_not_folded_or_differentiated():
    s = gf.summary.scalar("c", gf.constant(3.0))
    assert tensor_util.constant_value(s) is None
    x = gf.constant([1.0, 2.0])
    h = gf.summary.histogram("h", x)
    y = gf.reduce_sum(x * x)
    (g,) = gf.gradients(y, [x])
    with gf.Session() as sess:
        _, grad = sess.run([h, g])
    np.testing.assert_array_equal(grad, [2.0, 4.0])
    ops = [s, h, gf.summary.image("i", gf.zeros([1, 1, 1, 1])), gf.summary.text("t", "x"),
           gf.summary.merge([s, h])]
    assert [get_gradient_function(t.op) for t in ops] == [None] * 5


def test_tensor_summary_keeps_metadata_bytes():
    metadata = gf.SummaryMetadata(plugin_data=gf.SummaryMetadata.PluginData(
        plugin_name="p", content=b"ends with NUL\x00\x00"))
    s = gf.summary.tensor_summary("t", [1, 2], summary_metadata=metadata,
                                  summary_description="about t", display_name="T")
    with gf.Session() as sess:
        (v,) = parse(sess.run(s)).value
    metadata.summary_description, metadata.display_name = "about t", "T"
    assert v.metadata == metadata


# --- against TensorFlow -------------------------------------------------------------------

X = np.array([0.5, -1.0, 2.0, 3.5], np.float32)
TEXT_METADATA = gf.SummaryMetadata(plugin_data=gf.SummaryMetadata.PluginData(
    plugin_name="text")).SerializeToString()


def _tf_cases():
    cases = [
        ("scalar_float64", "scalar", {"tags": ["a", "b", "c"],
                                      "values": np.array([1.5, -2.25, 1e40])}),
        ("scalar_half", "scalar", {"tags": "h", "values": np.float16(0.1)}),
        ("scalar_int64", "scalar", {"tags": [["x", "y"]], "values": np.array([[2 ** 40, -3]])}),
        ("tensor_float", "tensor", {"tag": "t", "tensor": np.float32(2.5), "metadata": b""}),
        ("tensor_int16", "tensor", {"tag": "t", "metadata": TEXT_METADATA,
                                    "tensor": np.arange(6, dtype=np.int16).reshape(2, 3)}),
        ("tensor_bool", "tensor", {"tag": "t", "tensor": np.array([True, False]), "metadata": b""}),
        ("tensor_strings", "tensor", {"tag": "t", "tensor": np.array([["a", "bc"], ["", "d"]]),
                                      "metadata": TEXT_METADATA}),
    ]
    cases += [("histogram_" + k, "histogram", {"tag": "h", "values": v})
              for k, v in _histogram_cases().items()]
    cases += [("image_" + k, "image", {"tag": "img", "tensor": t, "max_images": m, "bad_color": b})
              for k, (t, m, b) in _image_cases().items()]
    return cases


def _gf_op(kind, args):
    # Constants keep the arrays' dtypes, as TF's graph builder does for numpy inputs.
    if kind == "scalar":
        return summary_ops.scalar_summary(args["tags"], gf.constant(args["values"]))
    if kind == "histogram":
        return summary_ops.histogram_summary(args["tag"], gf.constant(args["values"]))
    if kind == "image":
        return summary_ops.image_summary(args["tag"], gf.constant(args["tensor"]),
                                         args["max_images"], args["bad_color"])
    return summary_ops.tensor_summary_v2(args["tag"], gf.constant(args["tensor"]),
                                         np.array(args["metadata"], dtype=object))


@pytest.fixture(scope="module")
def tf_results(tmp_path_factory):
    """What TensorFlow makes of _tf_cases() and _naming_graph (in a subprocess)."""
    import importlib.util
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    d = tmp_path_factory.mktemp("tf")
    with open(d / "cases.pkl", "wb") as f:
        pickle.dump({"ops": _tf_cases(), "x": X}, f)
    r = subprocess.run([sys.executable, os.path.join(HERE, "tf_summaries.py"),
                        str(d / "cases.pkl"), str(d / "out.pkl")],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-4000:]
    with open(d / "out.pkl", "rb") as f:
        return pickle.load(f)


def assert_same_summary(ours, theirs):
    """Equal Summaries; images compared by their decoded pixels (TF's libpng
    filters rows, so the PNG bytes differ)."""
    ours, theirs = parse(ours), parse(theirs)
    assert len(ours.value) == len(theirs.value)
    for a, b in zip(ours.value, theirs.value):
        if a.WhichOneof("value") == "image":
            assert (a.tag, a.image.height, a.image.width, a.image.colorspace) == (
                b.tag, b.image.height, b.image.width, b.image.colorspace)
            assert_pixels(b.image.encoded_image_string, decode_png(a.image.encoded_image_string))
        else:
            assert a == b


def test_tensorflow_parity(tf_results):
    cases = _tf_cases()
    ops = [_gf_op(kind, args) for _, kind, args in cases]
    with gf.Session() as sess:
        values = sess.run(ops)
    for (key, kind, _), ours in zip(cases, values):
        if kind == "image":
            assert_same_summary(ours, tf_results[key])
        else:  # the same bytes as TF's protobuf serializer writes
            assert ours == tf_results[key], key


def test_tensorflow_parity_of_names_and_tags(tf_results):
    x = gf.placeholder(gf.float32, [4], name="x")
    assert _names_and_tags(_naming_graph(x)) == tf_results["naming"]
    with gf.Session() as sess:
        assert_same_summary(sess.run(gf.summary.merge_all(), {x: X}), tf_results["merge_all"])


# --- read back by TensorBoard -------------------------------------------------------------


def test_tensorboard_reads_a_training_run(tmp_path, monkeypatch):
    """A small training loop writes scalar, histogram, image and text summaries
    and its graph; TensorBoard's event accumulator reads them all back. (The
    accumulator reads through TensorBoard's own record reader, the one it uses
    without TensorFlow, rather than importing TensorFlow.)"""
    monkeypatch.setitem(sys.modules, "tensorboard.compat.notf",
                        type(sys)("tensorboard.compat.notf"))
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((32, 3)).astype(np.float32)
    ys = xs @ np.array([1.0, -2.0, 0.5], np.float32) + 0.25

    x = gf.placeholder(gf.float32, [None, 3], name="x")
    y = gf.placeholder(gf.float32, [None], name="y")
    w = gf.Variable(gf.zeros([3]), name="w")
    b = gf.Variable(0.0, name="b")
    loss = gf.reduce_mean(gf.square(gf.reduce_sum(x * w, axis=1) + b - y))
    train = gf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with gf.name_scope("train"):
        gf.summary.scalar("loss", loss)
    gf.summary.histogram("weights", w)
    gf.summary.image("inputs", gf.reshape(x, [-1, 4, 4, 3]), max_outputs=2)
    gf.summary.text("note", gf.constant("learning *linear* regression"))
    merged = gf.summary.merge_all()

    written = []
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        with gf.summary.FileWriter(tmp_path, sess.graph) as writer:
            for step in range(4):
                s, _ = sess.run([merged, train], {x: xs, y: ys})
                writer.add_summary(s, global_step=step)
                written.append(parse(s))

    acc = ea.EventAccumulator(str(tmp_path), size_guidance={k: 0 for k in
                                                              ea.DEFAULT_SIZE_GUIDANCE})
    acc.Reload()
    tags = acc.Tags()
    assert tags["scalars"] == ["train/loss"] and tags["histograms"] == ["weights"]
    assert sorted(tags["images"]) == ["inputs/image/0", "inputs/image/1"]
    assert tags["tensors"] == ["note"] and tags["graph"]

    def value(step, tag):
        return next(v for v in written[step].value if v.tag == tag)

    assert [(e.step, e.value) for e in acc.Scalars("train/loss")] == [
        (i, value(i, "train/loss").simple_value) for i in range(4)]
    losses = [e.value for e in acc.Scalars("train/loss")]
    assert losses[-1] < losses[0]
    for e in acc.Histograms("weights"):
        h, ours = e.histogram_value, value(e.step, "weights").histo
        assert (h.min, h.max, h.num, h.sum, h.sum_squares) == (
            ours.min, ours.max, ours.num, ours.sum, ours.sum_squares)
        assert list(h.bucket_limit) == list(ours.bucket_limit)
        assert list(h.bucket) == list(ours.bucket)
    assert [e.step for e in acc.Histograms("weights")] == [0, 1, 2, 3]
    images = xs.reshape(-1, 4, 4, 3)
    for i in range(2):
        events = acc.Images("inputs/image/%d" % i)
        assert [e.step for e in events] == [0, 1, 2, 3]
        for e in events:
            assert (e.width, e.height) == (4, 4)
            np.testing.assert_array_equal(decode_png(e.encoded_image_string),
                                          expected_image(images[i]))
    (text_event, *_) = acc.Tensors("note")
    assert list(text_event.tensor_proto.string_val) == [b"learning *linear* regression"]
    assert acc.SummaryMetadata("note").plugin_data.plugin_name == "text"
    graph = acc.Graph()
    assert {n.name for n in graph.node} == {op.name for op in sess.graph.get_operations()}
