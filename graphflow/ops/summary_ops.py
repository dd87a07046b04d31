"""Summary ops: each outputs a serialized Summary proto (a scalar string) that
FileWriter.add_summary writes for TensorBoard.

    s = summary_ops.scalar_summary("loss", loss)
    m = summary_ops.merge_summary([s, summary_ops.histogram_summary("w", w)])

ScalarSummary, HistogramSummary, ImageSummary, TensorSummaryV2 and
MergeSummary have TF's names, inputs, attrs and run-time checks; the public
builders (tf.summary.scalar etc.) are in graphflow/summary/summary.py.

Kernels: csrc/kernels/summary_ops.cc. The NumPy references build the same
Summary with graphflow.protos.summary_pb2 and serialize it, so the kernels'
hand-written wire format is checked byte for byte. Histogram sums run in
element order and image scaling in T's arithmetic, as in TF's kernels.

PNG (ImageSummary): rows are unfiltered and IDAT is compressed by zlib's
compress2 from the library the kernel loads at run time (GRAPHFLOW_ZLIB,
default libz.so.1; stored deflate blocks when it is set empty or cannot be
loaded). The reference calls the same compress2 of the same library through
ctypes, so both produce identical bytes; tests check the pixels
independently by decoding the PNGs. TF's PNGs (libpng, with row filters)
differ in bytes but decode to the same pixels.

Summary ops are stateless (as in TF) but not foldable: folding would only
move the serialization into the graph as a constant string.
"""

import ctypes
import functools
import os
import struct
import zlib

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework import errors
from graphflow.framework import op_builder
from graphflow.framework import op_def as op_def_lib
from graphflow.framework import tensor_shape
from graphflow.framework.op_def import op
from graphflow.gradients import NotDifferentiable
from graphflow.protos import histogram_pb2, summary_pb2

__all__ = ["scalar_summary", "histogram_summary", "image_summary", "tensor_summary_v2",
           "merge_summary"]

_SCALAR = tensor_shape.TensorShape([])


def _run_error(ctx, message):
    """The InvalidArgumentError a reference raises, worded as the kernel's."""
    return errors.InvalidArgumentError(
        None, ctx.op, "%s '%s': %s" % (ctx.op.type, ctx.op.name, message))


def _shape_str(shape):
    return "[%s]" % ",".join(str(int(d)) for d in shape)


def _position(shape, flat):
    """The index of flat element `flat` as the kernels print it: "[1,2]"."""
    return "[%s]" % ",".join(str(int(i)) for i in np.unravel_index(flat, shape)) \
        if len(shape) else ""


def _as_bytes(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


def _as_text(s):
    return s if isinstance(s, str) else bytes(s).decode("utf-8")


def _check_scalar(ctx, value, what):
    if np.ndim(value) != 0:
        raise _run_error(ctx, "%s must be a scalar, got shape %s"
                         % (what, _shape_str(np.shape(value))))


def _static_scalar(op, i, what):
    s = op.inputs[i].shape
    if s.rank not in (None, 0):
        raise ValueError("%s must be a scalar, got shape %s" % (what, s))


def _serialized(summary):
    return np.array(summary.SerializeToString(), dtype=object)


# --- ScalarSummary ---------------------------------------------------------------------


def _scalar_summary_shape(op):
    tags, values = op.inputs[0].shape, op.inputs[1].shape
    if not tags.is_compatible_with(values):
        raise ValueError("tags and values must have the same shape, got tags %s and values %s"
                         % (tags, values))
    return _SCALAR


@op("ScalarSummary", inputs=["tags: string", "values: T"], outputs=["summary: string"],
    attrs=["T: {float, double, int32, uint8, int16, int8, int64, half}"],
    shape=_scalar_summary_shape, foldable=False)
def _scalar_summary(ctx, tags, values):
    if np.shape(tags) != np.shape(values):
        single = " (tag '%s')" % _as_text(np.ravel(tags)[0]) if np.size(tags) == 1 else ""
        raise _run_error(ctx, "tags and values are not the same shape: tags %s != values %s%s"
                         % (_shape_str(np.shape(tags)), _shape_str(np.shape(values)), single))
    s = summary_pb2.Summary()
    with np.errstate(over="ignore"):  # out of float32 range: inf, as the C++ cast gives
        values = np.ravel(values).astype(np.float32)
    for tag, v in zip(np.ravel(tags), values):
        s.value.add(tag=_as_text(tag), simple_value=float(v))
    return _serialized(s)


NotDifferentiable("ScalarSummary")


def scalar_summary(tags, values, name=None):
    """ScalarSummary: one simple_value per element of `tags`/`values` (same shape)."""
    return op_builder.apply_op("ScalarSummary", [tags, values], name=name)


# --- HistogramSummary -------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _default_bucket_limits():
    """TF's default histogram bucket limits: -DBL_MAX, -1e-12 * 1.1^k for the
    values above -1e20, 0, their mirror images and DBL_MAX (1551 limits).
    Bucket i counts the values v with limits[i-1] <= v < limits[i]."""
    pos = []
    v = 1.0e-12
    while v < 1.0e20:
        pos.append(v)
        v *= 1.1
    pos.append(np.finfo(np.float64).max)
    return np.array([-x for x in reversed(pos)] + [0.0] + pos)


def _histogram_summary_shape(op):
    _static_scalar(op, 0, "tag")
    return _SCALAR


@op("HistogramSummary", inputs=["tag: string", "values: T"], outputs=["summary: string"],
    attrs=["T: {float, double, int32, uint8, int16, int8, int64, half} = DT_FLOAT"],
    shape=_histogram_summary_shape, foldable=False)
def _histogram_summary(ctx, tag, values):
    _check_scalar(ctx, tag, "tag")
    x = np.ravel(values).astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(x))
    if bad.size:
        i = bad[0]
        raise _run_error(ctx, "%s%s (values must be finite, got %s at values%s)" % (
            "Nan in summary histogram for: " if np.isnan(x[i]) else "Infinity in Histogram for: ",
            ctx.op.name, "nan" if np.isnan(x[i]) else "inf" if x[i] > 0 else "-inf",
            _position(np.shape(values), i)))
    limits = _default_bucket_limits()
    counts = np.bincount(np.minimum(np.searchsorted(limits, x, side="right"), limits.size - 1),
                         minlength=limits.size)
    h = histogram_pb2.HistogramProto()
    big = np.finfo(np.float64).max
    # The first minimum / maximum in element order (it decides 0.0 versus -0.0);
    # sums accumulate in element order, as TF adds values one by one.
    h.min = x[np.argmin(x)] if x.size else big
    h.max = x[np.argmax(x)] if x.size else -big
    h.num = x.size
    h.sum = np.add.accumulate(x)[-1] if x.size else 0.0
    h.sum_squares = np.add.accumulate(x * x)[-1] if x.size else 0.0
    i = 0
    while i < limits.size:  # runs of empty buckets collapse into their last one
        end, count = limits[i], counts[i]
        i += 1
        if count == 0:
            while i < limits.size and counts[i] == 0:
                end = limits[i]
                i += 1
        h.bucket_limit.append(end)
        h.bucket.append(count)
    s = summary_pb2.Summary()
    s.value.add(tag=_as_text(np.ravel(tag)[0]), histo=h)
    return _serialized(s)


NotDifferentiable("HistogramSummary")


def histogram_summary(tag, values, name=None):
    """HistogramSummary: a histogram of `values` over TF's default buckets."""
    return op_builder.apply_op("HistogramSummary", [tag, values], name=name)


# --- ImageSummary -----------------------------------------------------------------------

_DEFAULT_BAD_COLOR = np.array([255, 0, 0, 255], dtype=np.uint8)  # opaque red
_DEFAULT_BAD_COLOR.flags.writeable = False


def _check_bad_color(bad_color):
    if bad_color.dtype != np.uint8 or bad_color.ndim != 1:
        raise ValueError("bad_color must be a uint8 vector, got %s%s"
                         % (dtypes.as_dtype(bad_color.dtype).name, _shape_str(bad_color.shape)))


def _image_summary_shape(op):
    _static_scalar(op, 0, "tag")
    bad_color = np.asarray(op.get_attr("bad_color"))
    _check_bad_color(bad_color)
    s = op.inputs[1].shape
    if s.rank is not None:
        dims = s.as_list()
        if s.rank != 4 or dims[3] not in (None, 1, 3, 4):
            raise ValueError("tensor must be 4-D [batch, height, width, channels] with 1, 3 or 4 "
                             "channels, got shape %s" % s)
        if 0 in dims[1:3]:
            raise ValueError("images must have a non-zero height and width, got shape %s" % s)
        if (op.get_attr("T") != dtypes.uint8 and dims[3] is not None
                and bad_color.size < dims[3]):
            raise ValueError("bad_color has %d values, the images have %d channels"
                             % (bad_color.size, dims[3]))
    return _SCALAR


def _normalize_image(img, bad_color):
    """TF's mapping of a float image [h, w, c] to uint8 (see the kernel's
    NormalizeImage): scale and offset in float, then applied in img's dtype."""
    t = img.dtype.type
    finite = np.isfinite(img).all(axis=-1)
    vals = img[finite].astype(np.float32)
    lo = vals.min() if vals.size else np.float32(np.inf)
    hi = vals.max() if vals.size else np.float32(-np.inf)
    zero = np.float32(1e-6)
    if lo < 0:
        m = max(abs(lo), abs(hi))
        scale, offset = t(0.0 if m < zero else np.float32(127.0) / m), t(128.0)
    else:
        scale, offset = t(0.0 if hi < zero else np.float32(255.0) / hi), t(0.0)
    with np.errstate(invalid="ignore", over="ignore"):
        out = (img * scale + offset).astype(np.uint8)
    out[~finite] = bad_color[:img.shape[-1]]
    return out


@functools.lru_cache(maxsize=None)
def _zlib_compress2():
    """(compress2, compressBound) of the zlib the kernel loads, or None."""
    name = os.environ.get("GRAPHFLOW_ZLIB", "libz.so.1")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
        compress2, bound = lib.compress2, lib.compressBound
    except (OSError, AttributeError):
        return None
    compress2.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_ulong), ctypes.c_char_p,
                          ctypes.c_ulong, ctypes.c_int]
    compress2.restype = ctypes.c_int
    bound.argtypes = [ctypes.c_ulong]
    bound.restype = ctypes.c_ulong
    return compress2, bound


def _zlib_stream(raw):
    z = _zlib_compress2()
    if z is not None:
        compress2, bound = z
        n = ctypes.c_ulong(bound(len(raw)))
        buf = ctypes.create_string_buffer(n.value)
        if compress2(buf, ctypes.byref(n), raw, len(raw), -1) != 0:
            raise MemoryError("zlib compress2 failed")
        return buf.raw[:n.value]
    out = [b"\x78\x01"]
    for pos in range(0, max(len(raw), 1), 65535):
        block = raw[pos:pos + 65535]
        out.append(struct.pack("<BHH", pos + len(block) == len(raw), len(block),
                               len(block) ^ 0xFFFF) + block)
    out.append(struct.pack(">I", zlib.adler32(raw)))
    return b"".join(out)


def encode_png(pixels):
    """The PNG file the ImageSummary kernel writes for a uint8 image [h, w, c]."""
    h, w, c = pixels.shape
    rows = np.zeros((h, w * c + 1), np.uint8)  # column 0: filter type 0 (none)
    rows[:, 1:] = pixels.reshape(h, w * c)

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, {1: 0, 2: 4, 3: 2, 4: 6}[c], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", _zlib_stream(rows.tobytes())) + chunk(b"IEND", b""))


@op("ImageSummary", inputs=["tag: string", "tensor: T"], outputs=["summary: string"],
    attrs=["max_images: int >= 1 = 3", "T: {uint8, float, half, double} = DT_FLOAT",
           "bad_color: tensor"],
    shape=_image_summary_shape, foldable=False)
def _image_summary(ctx, tag, tensor):
    _check_scalar(ctx, tag, "tag")
    s = np.shape(tensor)
    if len(s) != 4 or s[3] not in (1, 3, 4):
        raise _run_error(ctx, "tensor must be 4-D [batch, height, width, channels] with 1, 3 or "
                         "4 channels, got shape %s" % _shape_str(s))
    if s[1] * s[2] == 0:
        raise _run_error(ctx, "input tensor must have non-zero dims. Found: %s" % _shape_str(s))
    bad_color = np.asarray(ctx.attrs["bad_color"])
    if tensor.dtype != np.uint8 and bad_color.size < s[3]:
        raise _run_error(ctx, "expected depth <= bad_color.size, got depth = %d, "
                         "bad_color.size = %d" % (s[3], bad_color.size))
    max_images = ctx.attrs["max_images"]
    base = _as_text(np.ravel(tag)[0])
    out = summary_pb2.Summary()
    for i in range(min(max_images, s[0])):
        img = tensor[i] if tensor.dtype == np.uint8 else _normalize_image(tensor[i], bad_color)
        out.value.add(tag="%s/image/%d" % (base, i) if max_images > 1 else base + "/image",
                      image=summary_pb2.Summary.Image(height=s[1], width=s[2], colorspace=s[3],
                                                      encoded_image_string=encode_png(img)))
    return _serialized(out)


# Op specs cannot spell a tensor default; this is TF's (opaque red, RGBA).
_bad_color_attr = op_def_lib.get("ImageSummary").attrs["bad_color"]
_bad_color_attr.has_default, _bad_color_attr.default = True, _DEFAULT_BAD_COLOR

NotDifferentiable("ImageSummary")


def image_summary(tag, tensor, max_images=3, bad_color=None, name=None):
    """ImageSummary: up to `max_images` PNG images from `tensor` [batch, h, w, 1|3|4];
    non-finite pixels of float images are painted `bad_color` (uint8, one value
    per channel; default opaque red)."""
    attrs = {"max_images": max_images}
    if bad_color is not None:
        attrs["bad_color"] = (bad_color if isinstance(bad_color, np.ndarray)
                              else np.array(bad_color, dtype=np.uint8))
    return op_builder.apply_op("ImageSummary", [tag, tensor], attrs, name=name)


# --- TensorSummaryV2 --------------------------------------------------------------------


def _tensor_summary_shape(op):
    _static_scalar(op, 0, "tag")
    _static_scalar(op, 2, "serialized_summary_metadata")
    return _SCALAR


@op("TensorSummaryV2", inputs=["tag: string", "tensor: T", "serialized_summary_metadata: string"],
    outputs=["summary: string"], attrs=["T: type"], shape=_tensor_summary_shape,
    foldable=False)
def _tensor_summary_v2(ctx, tag, tensor, serialized_summary_metadata):
    from graphflow.io import graph_def
    _check_scalar(ctx, tag, "tag")
    _check_scalar(ctx, serialized_summary_metadata, "serialized_summary_metadata")
    meta = _as_bytes(np.ravel(serialized_summary_metadata)[0])
    s = summary_pb2.Summary()
    v = s.value.add(tag=_as_text(np.ravel(tag)[0]))
    v.tensor.CopyFrom(graph_def.make_tensor_proto(tensor, dtype=ctx.attrs["T"]))
    v.metadata.SetInParent()
    try:
        v.metadata.MergeFromString(meta)
    except Exception:  # protobuf's DecodeError
        raise _run_error(ctx, "serialized_summary_metadata is not a serialized SummaryMetadata "
                         "proto (%d bytes)" % len(meta)) from None
    return _serialized(s)


NotDifferentiable("TensorSummaryV2")


def tensor_summary_v2(tag, tensor, serialized_summary_metadata, name=None):
    """TensorSummaryV2: `tensor` as a TensorProto, with a SummaryMetadata
    (serialized) that tells TensorBoard which plugin shows it."""
    return op_builder.apply_op("TensorSummaryV2", [tag, tensor, serialized_summary_metadata],
                               name=name)


# --- MergeSummary -----------------------------------------------------------------------


@op("MergeSummary", inputs=["inputs: N * string"], outputs=["summary: string"],
    attrs=["N: int >= 1"], shape=lambda op: _SCALAR, foldable=False)
def _merge_summary(ctx, *inputs):
    out = summary_pb2.Summary()
    first = {}
    for i, t in enumerate(inputs):
        for e, blob in enumerate(np.ravel(t)):
            s = summary_pb2.Summary()
            try:
                s.ParseFromString(_as_bytes(blob))
            except Exception:  # protobuf's DecodeError
                raise _run_error(ctx, "Could not parse one of the summary inputs: inputs[%d]%s "
                                 "is not a serialized Summary proto"
                                 % (i, _position(np.shape(t), e))) from None
            for v in s.value:
                if v.tag in first:
                    raise _run_error(ctx, "Duplicate tag %s found in summary inputs (in input "
                                     "%d and input %d); each tag may appear once"
                                     % (v.tag, first[v.tag], i))
                if v.tag:
                    first[v.tag] = i
                out.value.add().CopyFrom(v)
    return _serialized(out)


NotDifferentiable("MergeSummary")


def merge_summary(inputs, name=None):
    """MergeSummary: the values of all `inputs` (serialized Summaries) in one
    Summary; a tag may appear only once."""
    return op_builder.apply_op("MergeSummary", [list(inputs)], name=name)
