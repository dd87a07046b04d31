"""Slicing and indexing ops: Slice, StridedSlice (and `Tensor.__getitem__`),
Gather, GatherV2, GatherNd, OneHot, ReverseV2 and ReverseSequence, with their
gradients and the scatter ops those need: StridedSliceGrad, UnsortedSegmentSum
and ScatterNd; and the masks built from them, sequence_mask and boolean_mask.

Schemas, attrs and semantics are TensorFlow's. The StridedSlice mask rules
live in `_strided_slice_spec`, shared by the shape function (partially known
values) and the NumPy reference (known values); the C++ kernel in
csrc/kernels/slice_ops.cc implements the same rules.
"""

import builtins
import numbers

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework import errors
from graphflow.framework import graph as graph_lib
from graphflow.framework import op_builder
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_shape
from graphflow.framework import tensor_util
from graphflow.framework.op_def import INDEX, REAL, op
from graphflow.framework.tensor_shape import TensorShape
from graphflow.gradients import NotDifferentiable, RegisterGradient
from graphflow.ops import array_ops

__all__ = ["slice", "strided_slice", "gather", "gather_nd", "one_hot", "reverse",
           "reverse_v2", "reverse_sequence", "newaxis", "unsorted_segment_sum", "scatter_nd",
           "sequence_mask", "boolean_mask"]

# `x[:, gf.newaxis]` inserts a dimension of size 1, as `None` does.
newaxis = None

_py_slice = builtins.slice


def _run_error(ctx, message):
    """The InvalidArgumentError a reference raises for a bad run-time value."""
    return errors.InvalidArgumentError(
        None, ctx.op, "%s '%s': %s" % (ctx.op.type, ctx.op.name, message))


def _shape_str(shape):
    """`[3,4,5]`, as the C++ kernels print a shape."""
    return "[%s]" % ",".join(str(int(d)) for d in shape)


def _format_index(position):
    """`[1,2]` for a position in an index tensor, `` for a scalar one."""
    return "[%s]" % ",".join(str(int(p)) for p in position) if len(position) else ""


def _partial_vector(t):
    """The static elements of 1-D tensor `t`: a list with None where an element
    is unknown, or None when even the length is unknown."""
    v = tensor_util.constant_value(t)
    if v is not None:
        v = np.asarray(v)
        return [int(x) for x in v] if v.ndim == 1 else None
    if t.op.type == "Pack" and t.op.get_attr("axis") == 0:
        out = []
        for i in t.op.inputs:
            c = tensor_util.constant_value(i)
            out.append(None if c is None or np.ndim(c) != 0 else int(c))
        return out
    s = t.shape
    if s.rank == 1 and s.dims[0].value is not None:
        return [None] * s.dims[0].value
    return None


def _scalar_value(t):
    """The static value of scalar tensor `t` as an int, or None."""
    v = tensor_util.constant_value(t)
    return None if v is None or np.ndim(v) != 0 else int(v)


def _require_rank(op, i, rank, what):
    s = op.inputs[i].shape
    if s.rank is not None and s.rank != rank:
        raise ValueError("%s must be %s, got shape %s" % (
            what, "a scalar" if rank == 0 else "a %d-D tensor" % rank, s))


# --- Slice -------------------------------------------------------------------


def _slice_size(i, dim, b, z):
    """Output size along dim i for begin b and size z (-1: to the end). Any of
    dim, b, z may be None (unknown); ValueError for a range outside the dim."""
    if b is not None and (b < 0 or (dim is not None and b > dim)):
        raise ValueError("Expected begin[%d] in [0, %s], but got %d"
                         % (i, "?" if dim is None else dim, b))
    if z is None:
        return None
    if z == -1:
        return None if dim is None or b is None else dim - b
    if z < -1:
        raise ValueError("Expected size[%d] >= -1, but got %d" % (i, z))
    if dim is not None and b is not None and b + z > dim:
        raise ValueError("Expected size[%d] in [0, %d], but got %d" % (i, dim - b, z))
    return z


def _slice_shape(op):
    _require_rank(op, 1, 1, "begin")
    _require_rank(op, 2, 1, "size")
    begin, size = _partial_vector(op.inputs[1]), _partial_vector(op.inputs[2])
    shape = op.inputs[0].shape
    if begin is not None and size is not None and len(begin) != len(size):
        raise ValueError("begin and size must have the same length, got %d and %d"
                         % (len(begin), len(size)))
    n = len(begin) if begin is not None else len(size) if size is not None else shape.rank
    if n is None:
        return TensorShape(None)
    if shape.rank is not None and shape.rank != n:
        raise ValueError("begin and size have length %d but the input has rank %d (shape %s)"
                         % (n, shape.rank, shape))
    begin = begin or [None] * n
    size = size or [None] * n
    dims = shape.as_list() if shape.rank is not None else [None] * n
    return TensorShape([_slice_size(i, dims[i], begin[i], size[i]) for i in range(n)])


@op("Slice", inputs=["input: T", "begin: Index", "size: Index"], outputs=["output: T"],
    attrs=["T: type", f"Index: {INDEX}"], shape=_slice_shape)
def _slice(ctx, x, begin, size):
    begin, size = np.asarray(begin), np.asarray(size)
    if begin.shape != (x.ndim,) or size.shape != (x.ndim,):
        raise _run_error(ctx, "Expected begin and size to be 1-D tensors of length %d (the rank "
                         "of input, shape %s), but got shapes %s and %s" % (
                             x.ndim, _shape_str(x.shape), _shape_str(begin.shape),
                             _shape_str(size.shape)))
    key = []
    for i, (b, z) in enumerate(zip(begin.tolist(), size.tolist())):
        try:
            z = _slice_size(i, x.shape[i], b, z)
        except ValueError as e:
            raise _run_error(ctx, str(e)) from None
        key.append(_py_slice(b, b + z))
    return x[tuple(key)]


@RegisterGradient("Slice")
def _slice_gradient(op, grad):
    """grad padded with zeros back to the input's shape."""
    x, begin = op.inputs[0], op.inputs[1]
    b = tensor_util.constant_value(begin)
    in_shape, out_shape = x.shape, op.outputs[0].shape
    if b is not None and in_shape.is_fully_defined() and out_shape.is_fully_defined():
        before = np.asarray(b).reshape(-1)
        after = np.array(in_shape.as_list()) - np.array(out_shape.as_list()) - before
        paddings = np.stack([before, after], axis=1).astype(begin.dtype.as_numpy_dtype)
    else:
        from graphflow.ops import math_ops
        after = math_ops.subtract(
            math_ops.subtract(array_ops.shape(x, out_type=begin.dtype),
                              array_ops.shape(op.outputs[0], out_type=begin.dtype)), begin)
        paddings = array_ops.stack([begin, after], axis=1)
    return array_ops.pad(grad, paddings), None, None


def slice(input_, begin, size, name=None):  # noqa: A001 (TF's name)
    """`size[i]` elements of `input_` from `begin[i]` along each axis; a size
    of -1 takes the rest of the axis.

        gf.slice(x, [1, 0], [2, -1])   # x[1:3, :]
    """
    return op_builder.apply_op("Slice", [input_, begin, size], name=name)


# --- StridedSlice ------------------------------------------------------------

_NEW_AXIS, _SHRUNK = -1, -2
_MAX_RANK = 8  # csrc/core/shape.h: Shape::kMaxRank


def _strided_slice_spec(dims, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                        new_axis_mask, shrink_axis_mask):
    """Resolves a sparse slice spec (TF's StridedSlice semantics) against an
    input with dims `dims` (ints or None). begin/end/strides are equal-length
    lists of ints or None (unknown).

    Returns (ranges, out_dims): ranges[i] = (begin, end, stride, size) for
    input dim i, begin/end canonical (clamped; a negative-stride end of -1
    means "past index 0"), None where unknown; out_dims the output dims.
    Raises ValueError for an invalid spec.
    """
    if ellipsis_mask & (ellipsis_mask - 1):
        raise ValueError("Multiple ellipses in slice spec not allowed")
    n = len(begin)
    if not ellipsis_mask & ((1 << n) - 1):
        # No ellipsis: an implicit one at the end keeps the remaining dims whole.
        ellipsis_mask |= 1 << n
        n += 1
    rank = len(dims)
    new_after_ellipsis = 0
    seen = False
    for i in range(n):
        if seen and new_axis_mask >> i & 1:
            new_after_ellipsis += 1
        seen = seen or bool(ellipsis_mask >> i & 1)

    # (begin, end, stride, begin masked, end masked, shrink) per input dim, and
    # where each output dim comes from: an input dim, a new axis or nothing.
    dense, gather = [], []
    for i in range(n):
        if ellipsis_mask >> i & 1:
            stop = min(rank - (n - i) + 1 + new_after_ellipsis, rank)
            for _ in range(len(dense), stop):
                gather.append(len(dense))
                dense.append((0, 0, 1, True, True, False))
        elif new_axis_mask >> i & 1:
            gather.append(_NEW_AXIS)
        else:
            if len(dense) == rank:
                raise ValueError("Index out of range using input dim %d; input has only %d dims"
                                 % (len(dense), rank))
            shrink = bool(shrink_axis_mask >> i & 1)
            gather.append(_SHRUNK if shrink else len(dense))
            dense.append((begin[i], end[i], strides[i], bool(begin_mask >> i & 1),
                          bool(end_mask >> i & 1), shrink))

    ranges = []
    for d, (b, e, s, b_masked, e_masked, shrink) in enumerate(dense):
        dim = dims[d]
        if s == 0:
            raise ValueError("strides[%d] must be non-zero" % d)
        if shrink:
            if s is not None and s < 0:
                raise ValueError("only positive strides are allowed on an index (shrink) axis, "
                                 "got strides[%d] = %d" % (d, s))
            if b is None or dim is None:
                ranges.append((None, None, 1, 1))
                continue
            fwd = b + dim if b < 0 else b
            if not 0 <= fwd < dim:
                raise ValueError("slice index %d of dimension %d out of bounds (size %d)"
                                 % (b, d, dim))
            ranges.append((fwd, fwd + 1, 1, 1))
            continue
        if s is None or dim is None:
            ranges.append((None, None, s, None))
            continue
        lo, hi = (0, dim) if s > 0 else (-1, dim - 1)

        def canonical(x, masked, is_end):
            if masked:
                return hi if (s > 0) == is_end else lo
            if x is None:
                return None
            return min(max(x + dim if x < 0 else x, lo), hi)

        cb, ce = canonical(b, b_masked, False), canonical(e, e_masked, True)
        size = None
        if cb is not None and ce is not None:
            length = ce - cb
            if length == 0 or (length < 0) != (s < 0):
                size = 0
            else:
                size = (abs(length) + abs(s) - 1) // abs(s)
        ranges.append((cb, ce, s, size))

    out_dims = []
    for g in gather:
        if g == _NEW_AXIS:
            out_dims.append(1)
        elif g != _SHRUNK:
            out_dims.append(ranges[g][3])
    return ranges, out_dims


_MASK_ATTRS = ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")


def _strided_slice_shape(op):
    for i, what in ((1, "begin"), (2, "end"), (3, "strides")):
        _require_rank(op, i, 1, what)
    values = [_partial_vector(op.inputs[i]) for i in (1, 2, 3)]
    lengths = {len(v) for v in values if v is not None}
    if len(lengths) > 1:
        raise ValueError("Expected begin, end, and strides to be 1-D tensors of equal length, "
                         "but got shapes %s, %s and %s" % tuple(op.inputs[i].shape
                                                                for i in (1, 2, 3)))
    shape = op.inputs[0].shape
    if shape.rank is None or not lengths:
        return TensorShape(None)
    n = lengths.pop()
    begin, end, strides = (v if v is not None else [None] * n for v in values)
    _, out_dims = _strided_slice_spec(shape.as_list(), begin, end, strides,
                                      *(op.get_attr(a) for a in _MASK_ATTRS))
    return TensorShape(out_dims)


@op("StridedSlice", inputs=["input: T", "begin: Index", "end: Index", "strides: Index"],
    outputs=["output: T"],
    attrs=["T: type", f"Index: {INDEX}", "begin_mask: int = 0", "end_mask: int = 0",
           "ellipsis_mask: int = 0", "new_axis_mask: int = 0", "shrink_axis_mask: int = 0"],
    shape=_strided_slice_shape)
def _strided_slice(ctx, x, begin, end, strides):
    key, out_dims = _strided_slice_key(ctx, x.shape, begin, end, strides)
    return x[key].reshape(out_dims)


def _strided_slice_key(ctx, dims, begin, end, strides):
    """(NumPy basic-indexing key, output dims) of a StridedSlice of an input
    with `dims`, for the references; the run-time error for a bad spec."""
    vectors = [np.asarray(v) for v in (begin, end, strides)]
    if any(v.ndim != 1 for v in vectors) or len({v.size for v in vectors}) != 1:
        raise _run_error(ctx, "Expected begin, end, and strides to be 1-D tensors of equal "
                         "length, but got shapes %s, %s and %s" % tuple(
                             _shape_str(v.shape) for v in vectors))
    try:
        ranges, out_dims = _strided_slice_spec(
            list(dims), *(v.tolist() for v in vectors), *(ctx.attrs[a] for a in _MASK_ATTRS))
    except ValueError as e:
        raise _run_error(ctx, str(e)) from None
    key = tuple(_py_slice(b, e if e >= 0 else None, s) if size else _py_slice(0, 0)
                for b, e, s, size in ranges)
    return key, out_dims


def _masks(op):
    return {a: op.get_attr(a) for a in _MASK_ATTRS}


@RegisterGradient("StridedSlice")
def _strided_slice_gradient(op, grad):
    x, begin, end, strides = op.inputs
    return (strided_slice_grad(array_ops.shape(x, out_type=begin.dtype), begin, end, strides,
                               grad, **_masks(op)), None, None, None)


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0,
                  new_axis_mask=0, shrink_axis_mask=0, var=None, name=None):
    """Python's extended slicing as an op: `begin[i]:end[i]:strides[i]` along
    each axis, the masks marking entries that are `:` ends, `...`, `newaxis`
    or a plain index (TF's tf.strided_slice; `x[1:, ::-1]` builds one).
    `strides` defaults to ones. `var` (TF's sliced-assignment hook) is not
    supported."""
    if var is not None:
        raise NotImplementedError("strided_slice(var=...) (sliced assignment) is not supported")
    if strides is None:
        if isinstance(begin, ops_lib.Tensor) or hasattr(begin, "_as_graph_element"):
            begin = ops_lib.convert_to_tensor(begin)
            n = begin.shape[0].value if begin.shape.rank == 1 else None
            if n is None:
                raise ValueError("strided_slice: strides=None needs begin of known length, got "
                                 "%s with shape %s; pass strides" % (begin.name, begin.shape))
            strides = np.ones([n], begin.dtype.as_numpy_dtype)
        else:
            strides = [1] * len(begin)
    return op_builder.apply_op("StridedSlice", [input_, begin, end, strides], {
        "begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
        "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}, name=name)


def _strided_slice_grad_shape(op):
    for i, what in ((0, "shape"), (1, "begin"), (2, "end"), (3, "strides")):
        _require_rank(op, i, 1, what)
    out = tensor_util.constant_value_as_shape(op.inputs[0])
    if out.rank is not None and out.rank > _MAX_RANK:
        raise ValueError("shape %s has rank above %d" % (out, _MAX_RANK))
    values = [tensor_util.constant_value(op.inputs[i]) for i in (1, 2, 3)]
    if out.is_fully_defined() and all(v is not None for v in values):
        values = [np.asarray(v).reshape(-1).tolist() for v in values]
        if len({len(v) for v in values}) == 1:
            _, dims = _strided_slice_spec(out.as_list(), *values,
                                          *(op.get_attr(a) for a in _MASK_ATTRS))
            if not op.inputs[4].shape.is_compatible_with(dims):
                raise ValueError("dy has shape %s, but the slice of an input of shape %s has "
                                 "shape %s" % (op.inputs[4].shape, out, TensorShape(dims)))
    return out


@op("StridedSliceGrad",
    inputs=["shape: Index", "begin: Index", "end: Index", "strides: Index", "dy: T"],
    outputs=["output: T"],
    attrs=["T: type", f"Index: {INDEX}", "begin_mask: int = 0", "end_mask: int = 0",
           "ellipsis_mask: int = 0", "new_axis_mask: int = 0", "shrink_axis_mask: int = 0"],
    shape=_strided_slice_grad_shape)
def _strided_slice_grad(ctx, shape, begin, end, strides, dy):
    shape = np.asarray(shape)
    if shape.ndim != 1 or shape.size > _MAX_RANK or (shape < 0).any():
        raise _run_error(ctx, "shape must be a 1-D tensor of at most %d non-negative sizes, got "
                         "%s" % (_MAX_RANK, shape.tolist()))
    key, out_dims = _strided_slice_key(ctx, shape.tolist(), begin, end, strides)
    if list(dy.shape) != out_dims:
        raise _run_error(ctx, "shape of dy was %s instead of %s"
                         % (_shape_str(dy.shape), _shape_str(out_dims)))
    out = np.zeros(shape.tolist(), dy.dtype)
    out[key] = dy.reshape(out[key].shape)
    return out


@RegisterGradient("StridedSliceGrad")
def _strided_slice_grad_gradient(op, grad):
    _, begin, end, strides, _ = op.inputs
    return None, None, None, None, strided_slice(grad, begin, end, strides, **_masks(op))


def strided_slice_grad(shape, begin, end, strides, dy, begin_mask=0, end_mask=0,
                       ellipsis_mask=0, new_axis_mask=0, shrink_axis_mask=0, name=None):
    """The gradient of StridedSlice: zeros of `shape` with `dy` written into the
    positions that strided_slice(x, begin, end, strides, masks) reads."""
    return op_builder.apply_op("StridedSliceGrad", [shape, begin, end, strides, dy], {
        "begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
        "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask}, name=name)


_SUPPORTED_KEYS = ("Only integers, slices (`:`), ellipsis (`...`), gf.newaxis (`None`) and "
                   "scalar int32/int64 tensors are valid indices")


def _index_value(v, what):
    """An int, a scalar int32/int64 Tensor, or None (an absent slice bound);
    TypeError for anything else."""
    if v is None:
        return None
    if isinstance(v, tensor_shape.Dimension):
        return v.value
    if isinstance(v, (bool, np.bool_)):
        raise TypeError("%s, got the bool %r as %s. Boolean masks are not supported by "
                        "indexing." % (_SUPPORTED_KEYS, v, what))
    if isinstance(v, numbers.Integral) or (isinstance(v, np.ndarray) and v.ndim == 0
                                           and v.dtype.kind in "iu"):
        return int(v)
    if isinstance(v, ops_lib.Tensor) or hasattr(v, "_as_graph_element"):
        t = ops_lib.convert_to_tensor(v)
        if t.dtype in (dtypes.int32, dtypes.int64) and t.shape.rank in (None, 0):
            return t
        raise TypeError("%s, got the %s tensor %s of shape %s as %s. Use gf.gather or "
                        "gf.gather_nd to index with a tensor of indices." % (
                            _SUPPORTED_KEYS, t.dtype.name, t.name, t.shape, what))
    hint = (" Use gf.gather or gf.gather_nd to pick several indices."
            if isinstance(v, (list, np.ndarray)) else "")
    raise TypeError("%s, got %r (%s) as %s.%s" % (_SUPPORTED_KEYS, v, type(v).__name__, what,
                                                  hint))


def _pack_indices(begin, end, strides):
    """begin, end and strides as 1-D index tensors of one dtype: constants when
    all are ints, else packed with the scalar tensors among them."""
    values = begin + end + strides
    kinds = {v.dtype for v in values if isinstance(v, ops_lib.Tensor)}
    if len(kinds) > 1:
        raise TypeError("slice indices mix int32 and int64 tensors; cast them to one dtype")
    if kinds:
        dtype = kinds.pop()
        return [ops_lib.convert_to_tensor(v, dtype=dtype) for v in (begin, end, strides)]
    dtype = np.int64 if any(not -2**31 <= v < 2**31 for v in values) else np.int32
    return [np.array(v, dtype).reshape(-1) for v in (begin, end, strides)]


def _slice_helper(tensor, slice_spec):
    """`tensor[slice_spec]` as one StridedSlice, as TF's _slice_helper builds it.

        x[1], x[-1, ::2], x[..., 0], x[:, gf.newaxis], x[i:i + 2]  (i a scalar tensor)
    """
    if not isinstance(slice_spec, tuple):
        slice_spec = (slice_spec,)
    begin, end, strides = [], [], []
    masks = dict.fromkeys(_MASK_ATTRS, 0)
    for i, s in enumerate(slice_spec):
        bit = 1 << i
        if isinstance(s, _py_slice):
            start = _index_value(s.start, "a slice start")
            stop = _index_value(s.stop, "a slice stop")
            step = _index_value(s.step, "a slice step")
            if start is None:
                masks["begin_mask"] |= bit
            if stop is None:
                masks["end_mask"] |= bit
            begin.append(0 if start is None else start)
            end.append(0 if stop is None else stop)
            strides.append(1 if step is None else step)
        elif s is Ellipsis or s is None:
            masks["ellipsis_mask" if s is Ellipsis else "new_axis_mask"] |= bit
            begin.append(0)
            end.append(0)
            strides.append(1)
        else:
            idx = _index_value(s, "an index")
            masks["shrink_axis_mask"] |= bit
            begin.append(idx)
            # The kernel ignores the end of an index axis; a tensor index keeps
            # its own value there rather than building an Add.
            end.append(idx + 1 if isinstance(idx, int) else idx)
            strides.append(1)
    return strided_slice(tensor, *_pack_indices(begin, end, strides), name="strided_slice",
                         **masks)


ops_lib.register_operator("getitem", _slice_helper)


# --- Gather ------------------------------------------------------------------


def _check_indices(ctx, indices, limit):
    """Raises the run-time error for the first index outside [0, limit)."""
    bad = np.flatnonzero((indices < 0) | (indices >= limit))
    if bad.size:
        pos = np.unravel_index(bad[0], indices.shape)
        raise _run_error(ctx, "indices%s = %d is not in [0, %d)"
                         % (_format_index(pos), indices.flat[bad[0]], limit))


def _gather_v1_shape(op):
    params, indices = op.inputs[0].shape, op.inputs[1].shape
    if params.rank is not None and params.rank < 1:
        raise ValueError("params must be at least 1-D, got shape %s" % params)
    if params.rank is None or indices.rank is None:
        return TensorShape(None)
    return indices.concatenate(params[1:])


@op("Gather", inputs=["params: Tparams", "indices: Tindices"], outputs=["output: Tparams"],
    attrs=["Tparams: type", f"Tindices: {INDEX}", "validate_indices: bool = true"],
    kernel_type_attr="Tparams", shape=_gather_v1_shape)
def _gather_v1(ctx, params, indices):
    if params.ndim < 1:
        raise _run_error(ctx, "params must be at least 1-D, got shape %s"
                         % _shape_str(params.shape))
    _check_indices(ctx, indices, params.shape[0])
    return np.take(params, indices, axis=0)


def _dim(t, i):
    """Dim i of t: an int when static, else a scalar int32 tensor."""
    d = t.shape.dims[i].value if t.shape.rank is not None else None
    return d if d is not None else array_ops.shape(t)[i]


@RegisterGradient("Gather")
def _gather_gradient(op, grad):
    """The rows of grad summed into the rows of params they were gathered from."""
    params, indices = op.inputs
    return unsorted_segment_sum(grad, indices, _dim(params, 0)), None


def _gather_v2_shape(op):
    params, indices = op.inputs[0].shape, op.inputs[1].shape
    _require_rank(op, 2, 0, "axis")
    if params.rank is not None and params.rank < 1:
        raise ValueError("params must be at least 1-D, got shape %s" % params)
    batch_dims = op.get_attr("batch_dims")
    if indices.rank is None:
        return TensorShape(None)
    if batch_dims < 0:
        batch_dims += indices.rank
    if not 0 <= batch_dims <= indices.rank:
        raise ValueError("batch_dims = %d must be in [-%d, %d] (the rank of indices, shape %s)"
                         % (op.get_attr("batch_dims"), indices.rank, indices.rank, indices))
    axis = _scalar_value(op.inputs[2])
    if params.rank is None:
        return TensorShape(None)
    if axis is None:
        return tensor_shape.unknown_shape(params.rank + indices.rank - 1 - batch_dims)
    if not -params.rank <= axis < params.rank:
        raise ValueError("Expected axis in the range [%d, %d), but got %d (params shape %s)"
                         % (-params.rank, params.rank, axis, params))
    axis %= params.rank
    if axis < batch_dims:
        raise ValueError("batch_dims = %d must be less than or equal to axis = %d"
                         % (batch_dims, axis))
    try:
        batch = params[:batch_dims].merge_with(indices[:batch_dims])
    except ValueError:
        raise ValueError("params.shape[:%d] = %s and indices.shape[:%d] = %s must match "
                         "(batch_dims = %d)" % (batch_dims, params[:batch_dims], batch_dims,
                                                indices[:batch_dims], batch_dims)) from None
    return (batch.concatenate(params[batch_dims:axis]).concatenate(indices[batch_dims:])
            .concatenate(params[axis + 1:]))


@op("GatherV2", inputs=["params: Tparams", "indices: Tindices", "axis: Taxis"],
    outputs=["output: Tparams"],
    attrs=["Tparams: type", f"Tindices: {INDEX}", f"Taxis: {INDEX}", "batch_dims: int = 0"],
    kernel_type_attr="Tparams", shape=_gather_v2_shape)
def _gather_v2(ctx, params, indices, axis):
    if np.ndim(axis) != 0:
        raise _run_error(ctx, "axis must be a scalar, got shape %s" % _shape_str(np.shape(axis)))
    axis = int(axis)
    rank = params.ndim
    if not -rank <= axis < rank:
        raise _run_error(ctx, "Expected axis in the range [%d, %d), but got %d"
                         % (-rank, rank, axis))
    axis %= rank
    bd = ctx.attrs["batch_dims"]
    bd = bd + indices.ndim if bd < 0 else bd
    if not 0 <= bd <= min(axis, indices.ndim) or params.shape[:bd] != indices.shape[:bd]:
        raise _run_error(ctx, "batch_dims = %d does not fit axis %d, params shape %s and indices "
                         "shape %s" % (ctx.attrs["batch_dims"], axis, _shape_str(params.shape),
                                       _shape_str(indices.shape)))
    _check_indices(ctx, indices, params.shape[axis])
    if bd == 0:
        return np.take(params, indices, axis=axis)
    out_shape = params.shape[:axis] + indices.shape[bd:] + params.shape[axis + 1:]
    batch = int(np.prod(params.shape[:bd]))
    if batch == 0:
        return np.empty(out_shape, params.dtype)
    p = params.reshape((batch,) + params.shape[bd:])
    ix = indices.reshape((batch,) + indices.shape[bd:])
    return np.stack([np.take(p[b], ix[b], axis=axis - bd) for b in range(batch)]).reshape(
        out_shape)


@RegisterGradient("GatherV2")
def _gather_v2_gradient(op, grad):
    """The slices of grad summed into the slices of params they came from.

    With B the batch dims, A the dims before axis, N the axis, J the index dims
    and I the dims after: grad is [B, A, J, I]; it is transposed to [B, J, A, I],
    summed into [B, N, A, I] (UnsortedSegmentSum without batch dims, ScatterNd
    at (batch position, index) with them) and transposed to [B, A, N, I]."""
    params, indices, axis_t = op.inputs
    axis, bd = _scalar_value(axis_t), op.get_attr("batch_dims")
    if axis == 0 and bd == 0:
        return unsorted_segment_sum(grad, indices, _dim(params, 0)), None, None
    pr, ir = params.shape.rank, indices.shape.rank
    if axis is None or pr is None or ir is None:
        raise ValueError("the gradient of GatherV2 %s needs a static axis and params and "
                         "indices of known rank, got axis %s, params shape %s and indices "
                         "shape %s" % (op.name, "unknown" if axis is None else axis,
                                       params.shape, indices.shape))
    axis %= pr
    bd = bd + ir if bd < 0 else bd
    # positions of B, A, J and I in grad
    b, a = list(range(bd)), list(range(bd, axis))
    j, i = list(range(axis, axis + ir - bd)), list(range(axis + ir - bd, pr + ir - bd - 1))
    g = _transpose_unless_identity(grad, b + j + a + i)
    if bd == 0:
        summed = unsorted_segment_sum(g, indices, _dim(params, axis))
    else:
        order = b + [axis] + a + list(range(axis + 1, pr))  # params dims as [B, N, A, I]
        summed = scatter_nd(_batch_coordinates(indices, bd), g,
                            _gathered_shape(params, order, indices.dtype))
    back = b + [k + 1 for k in a] + [bd] + list(range(axis + 1, pr))
    return _transpose_unless_identity(summed, back), None, None


def _transpose_unless_identity(x, perm):
    if perm == list(range(len(perm))):
        return x
    return array_ops.transpose(x, np.array(perm, np.int32))


def _gathered_shape(t, order, dtype):
    """[shape(t)[i] for i in order], a constant when t's shape is static."""
    if t.shape.is_fully_defined():
        return np.array([t.shape.dims[i].value for i in order], dtype.as_numpy_dtype)
    return gather(array_ops.shape(t, out_type=dtype), np.array(order, np.int32))


def _batch_coordinates(indices, bd):
    """[..., bd + 1] ScatterNd indices: the position in each of the first bd
    dims of `indices`, then the index itself."""
    dims = array_ops.shape(indices, out_type=indices.dtype)
    rank = indices.shape.rank
    coords = []
    for k in range(bd):
        iota = array_ops.range(0, dims[k], dtype=indices.dtype)
        iota = array_ops.reshape(iota, [1] * k + [-1] + [1] * (rank - k - 1))
        coords.append(array_ops.broadcast_to(iota, dims))
    return array_ops.stack(coords + [indices], axis=-1)


def gather(params, indices, validate_indices=None, name=None, axis=None, batch_dims=0):
    """Slices of `params` along `axis` at `indices` (any shape): the output
    shape is params.shape[:axis] + indices.shape + params.shape[axis + 1:].
    An index outside [0, params.shape[axis]) is an InvalidArgumentError at run
    time. `axis` defaults to `batch_dims` (0); `validate_indices` is ignored
    (indices are always checked), as in TF.

        gf.gather(embeddings, word_ids)          # rows
        gf.gather(x, [2, 0], axis=1)             # columns
    """
    del validate_indices
    if axis is None:
        axis = batch_dims
    return op_builder.apply_op("GatherV2", [params, indices, axis],
                               {"batch_dims": batch_dims}, name=name)


def _gather_nd_shape(op):
    params, indices = op.inputs[0].shape, op.inputs[1].shape
    if indices.rank is not None and indices.rank < 1:
        raise ValueError("indices must be at least a vector, got shape %s" % indices)
    if indices.rank is None or indices.dims[-1].value is None or params.rank is None:
        return TensorShape(None)
    k = indices.dims[-1].value
    if k > params.rank:
        raise ValueError("indices.shape[-1] = %d must be <= the rank of params (shape %s)"
                         % (k, params))
    return indices[:-1].concatenate(params[k:])


@op("GatherNd", inputs=["params: Tparams", "indices: Tindices"], outputs=["output: Tparams"],
    attrs=["Tparams: type", f"Tindices: {INDEX}"], kernel_type_attr="Tparams",
    shape=_gather_nd_shape)
def _gather_nd(ctx, params, indices):
    if indices.ndim < 1 or indices.shape[-1] > params.ndim:
        raise _run_error(ctx, "indices must be at least a vector with shape[-1] <= rank of "
                         "params, got indices shape %s and params shape %s"
                         % (_shape_str(indices.shape), _shape_str(params.shape)))
    k = indices.shape[-1]
    out_shape = indices.shape[:-1] + params.shape[k:]
    flat = indices.reshape(int(np.prod(indices.shape[:-1])), k).astype(np.int64)
    bad = np.flatnonzero(np.any((flat < 0) | (flat >= np.array(params.shape[:k], np.int64)),
                                axis=1))
    if bad.size:
        pos = np.unravel_index(bad[0], indices.shape[:-1])
        raise _run_error(ctx, "indices%s = [%s] does not index into param shape %s" % (
            _format_index(pos), ", ".join(str(int(v)) for v in flat[bad[0]]),
            _shape_str(params.shape)))
    if k == 0:
        return np.broadcast_to(params, out_shape)
    return params[tuple(flat.T)].reshape(out_shape)


@RegisterGradient("GatherNd")
def _gather_nd_gradient(op, grad):
    params, indices = op.inputs
    return scatter_nd(indices, grad, array_ops.shape(params, out_type=indices.dtype)), None


def gather_nd(params, indices, name=None):
    """Slices of `params` at the multi-indices in the last axis of `indices`:
    output[i...] = params[indices[i...]], of shape indices.shape[:-1] +
    params.shape[indices.shape[-1]:].

        gf.gather_nd(x, [[0, 1], [2, 0]])    # [x[0, 1], x[2, 0]]
    """
    return op_builder.apply_op("GatherNd", [params, indices], name=name)


# --- OneHot ------------------------------------------------------------------


def _one_hot_shape(op):
    axis = op.get_attr("axis")
    if axis < -1:
        raise ValueError("axis must be >= -1, got %d" % axis)
    _require_rank(op, 1, 0, "depth")
    _require_rank(op, 2, 0, "on_value")
    _require_rank(op, 3, 0, "off_value")
    depth = _scalar_value(op.inputs[1])
    if depth is not None and depth < 0:
        raise ValueError("depth must be non-negative, got %d" % depth)
    indices = op.inputs[0].shape
    if indices.rank is None:
        return TensorShape(None)
    if axis > indices.rank:
        raise ValueError("axis must be -1 or in [0, %d] (the rank of indices, shape %s), got %d"
                         % (indices.rank, indices, axis))
    dims = indices.as_list()
    dims.insert(indices.rank if axis == -1 else axis, depth)
    return TensorShape(dims)


@op("OneHot", inputs=["indices: TI", "depth: int32", "on_value: T", "off_value: T"],
    outputs=["output: T"], attrs=["T: type", "TI: {uint8, int32, int64} = DT_INT64",
                                  "axis: int = -1"],
    shape=_one_hot_shape)
def _one_hot(ctx, indices, depth, on_value, off_value):
    for what, v in (("depth", depth), ("on_value", on_value), ("off_value", off_value)):
        if np.ndim(v) != 0:
            raise _run_error(ctx, "%s must be a scalar, but got shape %s"
                             % (what, _shape_str(np.shape(v))))
    depth = int(depth)
    if depth < 0:
        raise _run_error(ctx, "depth must be non-negative, got %d" % depth)
    axis = ctx.attrs["axis"]
    axis = indices.ndim if axis == -1 else axis
    if not 0 <= axis <= indices.ndim:
        raise _run_error(ctx, "axis must be -1 or in [0, %d], got %d" % (indices.ndim, axis))
    positions = np.arange(depth).reshape([depth if i == axis else 1
                                          for i in range(indices.ndim + 1)])
    hit = np.expand_dims(indices.astype(np.int64), axis) == positions
    return np.where(hit, on_value, off_value)


NotDifferentiable("OneHot")


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """A one-hot tensor: `on_value` where the new `axis` (default last) equals
    the index, `off_value` elsewhere; indices outside [0, depth) give all
    `off_value`. The dtype is `dtype`, else that of on_value/off_value, else
    float32 (TF's rules).

        gf.one_hot([0, 2], 3)    # [[1., 0., 0.], [0., 0., 1.]]
    """
    dtype = None if dtype is None else dtypes.as_dtype(dtype)
    given = {}
    for what, v in (("on_value", on_value), ("off_value", off_value)):
        if v is not None:
            given[what] = ops_lib.convert_to_tensor(v, preferred_dtype=dtype, name=what)
            if dtype is not None and given[what].dtype != dtype:
                raise TypeError("dtype %s of %s does not match dtype parameter %s"
                                % (given[what].dtype.name, what, dtype.name))
    if len(given) == 2 and given["on_value"].dtype != given["off_value"].dtype:
        raise TypeError("dtype %s of on_value does not match dtype %s of off_value"
                        % (given["on_value"].dtype.name, given["off_value"].dtype.name))
    if dtype is None:
        dtype = next(iter(given.values())).dtype if given else dtypes.float32
    np_dtype = dtype.as_numpy_dtype
    on = given.get("on_value", np.ones([], np_dtype))
    off = given.get("off_value", np.zeros([], np_dtype))
    return op_builder.apply_op("OneHot", [indices, depth, on, off],
                               {"axis": -1 if axis is None else axis}, name=name)


# --- ReverseV2 ---------------------------------------------------------------


def _reverse_axes(rank, axes):
    """Axes normalised to [0, rank); ValueError for out-of-range or repeats."""
    out = []
    for i, a in enumerate(axes):
        if not -rank <= a < rank:
            raise ValueError("axis[%d] = %d is out of the valid range [%d, %d)"
                             % (i, a, -rank, rank))
        a %= rank
        if a in out:
            raise ValueError("axis %d specified more than once" % a)
        out.append(a)
    return out


def _reverse_shape(op):
    _require_rank(op, 1, 1, "axis")
    shape = op.inputs[0].shape
    axes = tensor_util.constant_value(op.inputs[1])
    if axes is not None and shape.rank is not None:
        _reverse_axes(shape.rank, [int(a) for a in np.reshape(axes, -1)])
    return shape


@op("ReverseV2", inputs=["tensor: T", "axis: Tidx"], outputs=["output: T"],
    attrs=["Tidx: {int32, int64} = DT_INT32",
           "T: {uint8, int8, int16, int32, int64, bool, half, float, double}"],
    shape=_reverse_shape)
def _reverse_v2(ctx, x, axis):
    if np.ndim(axis) != 1:
        raise _run_error(ctx, "axis must be a 1-D tensor, got shape %s"
                         % _shape_str(np.shape(axis)))
    try:
        axes = _reverse_axes(x.ndim, [int(a) for a in axis])
    except ValueError as e:
        raise _run_error(ctx, str(e)) from None
    return np.flip(x, axis=tuple(axes)) if axes else x


@RegisterGradient("ReverseV2")
def _reverse_v2_gradient(op, grad):
    return reverse(grad, op.inputs[1]), None


def reverse(tensor, axis, name=None):
    """`tensor` with the order of elements reversed along each axis in `axis`.

        gf.reverse(images, [2])    # mirror left-right (NHWC)
    """
    return op_builder.apply_op("ReverseV2", [tensor, axis], name=name)


reverse_v2 = reverse


# --- ReverseSequence -----------------------------------------------------------


def _check_sequence_dims(seq_dim, batch_dim, rank):
    """ValueError unless seq_dim and batch_dim are distinct dims in [0, rank)
    (rank None: only the checks that need no rank)."""
    for what, d in (("seq_dim", seq_dim), ("batch_dim", batch_dim)):
        if d < 0 or (rank is not None and d >= rank):
            raise ValueError("%s = %d is not a dim of the input: expected 0 <= %s < %s"
                             % (what, d, what, "rank" if rank is None else rank))
    if seq_dim == batch_dim:
        raise ValueError("seq_dim and batch_dim must be different dims, both are %d" % seq_dim)


def _reverse_sequence_shape(op):
    """The input's shape, its batch dim merged with the length of seq_lengths."""
    _require_rank(op, 1, 1, "seq_lengths")
    shape = op.inputs[0].shape
    seq_dim, batch_dim = op.get_attr("seq_dim"), op.get_attr("batch_dim")
    _check_sequence_dims(seq_dim, batch_dim, shape.rank)
    if shape.rank is None:
        return shape
    n = op.inputs[1].shape[0] if op.inputs[1].shape.rank == 1 else tensor_shape.Dimension(None)
    if not shape[batch_dim].is_compatible_with(n):
        raise ValueError("seq_lengths has %s elements but input %s has %s along batch_dim %d; "
                         "they must be equal" % (n, op.inputs[0].name, shape[batch_dim],
                                                 batch_dim))
    dims = shape.dims
    dims[batch_dim] = dims[batch_dim].merge_with(n)
    return TensorShape(dims)


@op("ReverseSequence", inputs=["input: T", "seq_lengths: Tlen"], outputs=["output: T"],
    attrs=["seq_dim: int", "batch_dim: int = 0", "T: type",
           "Tlen: {int32, int64} = DT_INT64"],
    shape=_reverse_sequence_shape)
def _reverse_sequence(ctx, x, lengths):
    seq_dim, batch_dim = ctx.attrs["seq_dim"], ctx.attrs["batch_dim"]
    try:
        _check_sequence_dims(seq_dim, batch_dim, x.ndim)
    except ValueError as e:
        raise _run_error(ctx, str(e)) from None
    if np.ndim(lengths) != 1 or len(lengths) != x.shape[batch_dim]:
        raise _run_error(ctx, "seq_lengths must be a vector of input.dim(batch_dim = %d) = %d "
                         "elements, got shape %s" % (batch_dim, x.shape[batch_dim],
                                                     _shape_str(np.shape(lengths))))
    steps = x.shape[seq_dim]
    out = x.copy()
    for b, n in enumerate(lengths):
        if not 0 <= n <= steps:
            raise _run_error(ctx, "seq_lengths[%d] = %d is not in [0, %d], the size of input "
                             "dim %d (seq_dim)" % (b, n, steps, seq_dim))
        at = [_py_slice(None)] * x.ndim
        at[batch_dim], at[seq_dim] = _py_slice(b, b + 1), _py_slice(0, int(n))
        out[tuple(at)] = np.flip(x[tuple(at)], axis=seq_dim)
    return out


@RegisterGradient("ReverseSequence")
def _reverse_sequence_gradient(op, grad):
    """The same per-sequence reversal undoes itself; the lengths get none."""
    return reverse_sequence(grad, op.inputs[1], seq_axis=op.get_attr("seq_dim"),
                            batch_axis=op.get_attr("batch_dim")), None


def _axis_alias(new, new_value, old, old_value):
    if new_value is not None and old_value is not None:
        raise ValueError("Cannot specify both '%s' and '%s'" % (new, old))
    return new_value if new_value is not None else old_value


def reverse_sequence(input, seq_lengths, seq_axis=None, batch_axis=None,  # noqa: A002
                     name=None, seq_dim=None, batch_dim=None):
    """Reverses the first seq_lengths[i] elements along `seq_axis` of slice i
    along `batch_axis` (default 0); the rest of each slice stays in place.
    `seq_dim`/`batch_dim` are TF1's older names for the two axes.

        gf.reverse_sequence(x, [2, 3], seq_axis=1)   # x: [2, time, ...]
    """
    seq_axis = _axis_alias("seq_axis", seq_axis, "seq_dim", seq_dim)
    batch_axis = _axis_alias("batch_axis", batch_axis, "batch_dim", batch_dim)
    if seq_axis is None:
        raise TypeError("reverse_sequence: seq_axis (or seq_dim) must be given")
    attrs = {"seq_dim": int(seq_axis)}
    if batch_axis is not None:
        attrs["batch_dim"] = int(batch_axis)
    return op_builder.apply_op("ReverseSequence", [input, seq_lengths], attrs, name=name)


# --- UnsortedSegmentSum, ScatterNd ---------------------------------------------


def _unsorted_segment_sum_shape(op):
    data, ids = op.inputs[0].shape, op.inputs[1].shape
    _require_rank(op, 2, 0, "num_segments")
    n = _scalar_value(op.inputs[2])
    if n is not None and n < 0:
        raise ValueError("num_segments must be non-negative, got %d" % n)
    if data.rank is None or ids.rank is None:
        return TensorShape(None)
    if ids.rank > data.rank or not data[:ids.rank].is_compatible_with(ids):
        raise ValueError("data.shape = %s does not start with segment_ids.shape = %s"
                         % (data, ids))
    return TensorShape([n]).concatenate(data[ids.rank:])


@op("UnsortedSegmentSum", inputs=["data: T", "segment_ids: Tindices",
                                  "num_segments: Tnumsegments"],
    outputs=["output: T"],
    attrs=[f"T: {REAL}", f"Tindices: {INDEX}", f"Tnumsegments: {INDEX} = DT_INT32"],
    shape=_unsorted_segment_sum_shape)
def _unsorted_segment_sum(ctx, data, ids, num_segments):
    if np.ndim(num_segments) != 0:
        raise _run_error(ctx, "num_segments must be a scalar, got shape %s"
                         % _shape_str(np.shape(num_segments)))
    n = int(num_segments)
    if n < 0:
        raise _run_error(ctx, "num_segments must be non-negative, got %d" % n)
    if data.shape[:ids.ndim] != ids.shape:
        raise _run_error(ctx, "data.shape = %s does not start with segment_ids.shape = %s"
                         % (_shape_str(data.shape), _shape_str(ids.shape)))
    bad = np.flatnonzero(ids >= n)
    if bad.size:
        pos = np.unravel_index(bad[0], ids.shape)
        raise _run_error(ctx, "segment_ids%s = %d is out of range [0, %d)"
                         % (_format_index(pos), ids.flat[bad[0]], n))
    out = np.zeros((n,) + data.shape[ids.ndim:], data.dtype)
    keep = ids >= 0
    np.add.at(out, ids[keep], data[keep])
    return out


@RegisterGradient("UnsortedSegmentSum")
def _unsorted_segment_sum_gradient(op, grad):
    """grad gathered at the segment ids; zero where an id is negative (dropped)."""
    from graphflow.ops import math_ops
    ids = op.inputs[1]
    if ids.shape.rank is None or op.inputs[0].shape.rank is None:
        raise ValueError("the gradient of UnsortedSegmentSum %s needs data and segment_ids of "
                         "known rank, got shapes %s and %s" % (op.name, op.inputs[0].shape,
                                                               ids.shape))
    zero = array_ops.zeros_like(ids)
    gathered = gather(grad, math_ops.maximum(ids, zero))
    # ids >= 0 with a 1 for each dim of a data slice, so it broadcasts over the slices
    kept = array_ops.reshape(math_ops.greater_equal(ids, zero), array_ops.concat(
        [array_ops.shape(ids), [1] * (op.inputs[0].shape.rank - ids.shape.rank)], 0))
    return math_ops.where_v2(kept, gathered, array_ops.zeros_like(gathered)), None, None


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums of the slices of `data` per segment: output[i] is the sum of the
    data[j...] whose segment_ids[j...] == i, zeros for a segment without any.
    segment_ids.shape must be a prefix of data.shape; the output has shape
    [num_segments] + data.shape[segment_ids.rank:]. Negative ids are dropped;
    an id >= num_segments is an InvalidArgumentError at run time.

        gf.unsorted_segment_sum([1., 2., 3.], [0, 2, 0], 3)   # [4., 0., 2.]
    """
    return op_builder.apply_op("UnsortedSegmentSum", [data, segment_ids, num_segments],
                               name=name)


def _scatter_nd_shape(op):
    indices, updates = op.inputs[0].shape, op.inputs[1].shape
    _require_rank(op, 2, 1, "shape")
    out = tensor_util.constant_value_as_shape(op.inputs[2])
    if out.rank is not None and out.rank > _MAX_RANK:
        raise ValueError("shape %s has rank above %d" % (out, _MAX_RANK))
    if indices.rank is not None and indices.rank < 1:
        raise ValueError("indices must be at least a vector, got shape %s" % indices)
    if indices.rank is None or indices.dims[-1].value is None or out.rank is None:
        return out
    k = indices.dims[-1].value
    if k > out.rank:
        raise ValueError("indices.shape[-1] = %d must be <= the rank of shape %s" % (k, out))
    want = indices[:-1].concatenate(out[k:])
    if not updates.is_compatible_with(want):
        raise ValueError("updates must have shape indices.shape[:-1] + shape[%d:] = %s, got %s"
                         % (k, want, updates))
    return out


@op("ScatterNd", inputs=["indices: Tindices", "updates: T", "shape: Tindices"],
    outputs=["output: T"], attrs=[f"T: {REAL}", f"Tindices: {INDEX}"],
    shape=_scatter_nd_shape)
def _scatter_nd(ctx, indices, updates, shape):
    shape = np.asarray(shape)
    if shape.ndim != 1 or shape.size > _MAX_RANK or (shape < 0).any():
        raise _run_error(ctx, "shape must be a 1-D tensor of at most %d non-negative sizes, got "
                         "%s" % (_MAX_RANK, shape.tolist()))
    dims = [int(d) for d in shape]
    if indices.ndim < 1 or indices.shape[-1] > len(dims):
        raise _run_error(ctx, "indices must be at least a vector with shape[-1] <= %d (the rank "
                         "of shape %s), got indices shape %s" % (
                             len(dims), _shape_str(dims), _shape_str(indices.shape)))
    k = indices.shape[-1]
    want = indices.shape[:-1] + tuple(dims[k:])
    if updates.shape != want:
        raise _run_error(ctx, "updates must have shape indices.shape[:-1] + shape[%d:] = %s, "
                         "got %s" % (k, _shape_str(want), _shape_str(updates.shape)))
    rows = int(np.prod(indices.shape[:-1]))
    flat = indices.reshape(rows, k).astype(np.int64)
    bad = np.flatnonzero(np.any((flat < 0) | (flat >= np.array(dims[:k], np.int64)), axis=1))
    if bad.size:
        pos = np.unravel_index(bad[0], indices.shape[:-1])
        raise _run_error(ctx, "indices%s = [%s] does not index into shape %s" % (
            _format_index(pos), ", ".join(str(int(v)) for v in flat[bad[0]]),
            _shape_str(dims)))
    outer, inner = int(np.prod(dims[:k])), int(np.prod(dims[k:]))
    out = np.zeros((outer, inner), updates.dtype)
    strides = np.cumprod([1] + dims[:k][::-1])[:-1][::-1].astype(np.int64)
    np.add.at(out, flat @ strides, updates.reshape(rows, inner))
    return out.reshape(dims)


@RegisterGradient("ScatterNd")
def _scatter_nd_gradient(op, grad):
    return None, gather_nd(grad, op.inputs[0]), None


def scatter_nd(indices, updates, shape, name=None):
    """Zeros of `shape` with the slices of `updates` added at the multi-indices
    in the last axis of `indices` (duplicates add up): the inverse of gather_nd.
    updates.shape must be indices.shape[:-1] + shape[indices.shape[-1]:].

        gf.scatter_nd([[1], [3], [1]], [1., 2., 3.], [4])   # [0., 4., 0., 2.]
    """
    return op_builder.apply_op("ScatterNd", [indices, updates, shape], name=name)


# --- masks ------------------------------------------------------------------------------

def sequence_mask(lengths, maxlen=None, dtype=dtypes.bool, name=None):
    """mask[i_1, ..., i_n, j] = j < lengths[i_1, ..., i_n], for j in
    [0, maxlen); maxlen defaults to max(lengths) (0 when lengths is empty).
    Built as TF builds it: Range(0, maxlen) < ExpandDims(lengths, -1).

        gf.sequence_mask([1, 3, 2], 4)   # [[T, F, F, F], [T, T, T, F], [T, T, F, F]]
    """
    from graphflow.ops import math_ops, reduction_ops
    with graph_lib.name_scope(name, "SequenceMask", [lengths, maxlen]):
        lengths = ops_lib.convert_to_tensor(lengths, name="lengths")
        if maxlen is None:
            maxlen = reduction_ops.reduce_max(lengths)
            maxlen = math_ops.maximum(np.zeros((), maxlen.dtype.as_numpy_dtype), maxlen)
        else:
            maxlen = ops_lib.convert_to_tensor(maxlen, name="maxlen")
        if maxlen.shape.rank is not None and maxlen.shape.rank != 0:
            raise ValueError("maxlen must be scalar for sequence_mask, got shape %s"
                             % maxlen.shape)
        row = array_ops.range(np.zeros((), maxlen.dtype.as_numpy_dtype), maxlen,
                              np.ones((), maxlen.dtype.as_numpy_dtype))
        matrix = math_ops.cast(array_ops.expand_dims(lengths, -1), maxlen.dtype)
        result = math_ops.less(row, matrix)
        dtype = dtypes.bool if dtype is None else dtypes.as_dtype(dtype)
        return result if dtype.base_dtype == dtypes.bool else math_ops.cast(result, dtype)


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The slices of `tensor` where `mask` is true: mask (rank k, static rank
    known) covers dims [axis, axis + k) of tensor, which are flattened into one
    dim holding only the selected entries, in row-major order. Built as TF
    builds it: Reshape, Where, Squeeze and GatherV2 (so the gradient is a dense
    scatter of the selected slices).

        gf.boolean_mask([[1, 2], [3, 4], [5, 6]], [True, False, True])  # [[1, 2], [5, 6]]
    """
    from graphflow.ops import math_ops, reduction_ops
    with graph_lib.name_scope(name, values=[tensor, mask]):
        tensor = ops_lib.convert_to_tensor(tensor, name="tensor")
        mask = ops_lib.convert_to_tensor(mask, name="mask")
        shape_mask, shape_tensor = mask.shape, tensor.shape
        k = shape_mask.rank
        if k == 0:
            raise ValueError("mask cannot be scalar.")
        if k is None:
            raise ValueError("Number of mask dimensions must be specified, even if some "
                             "dimensions are None. E.g. shape=[None] is ok, but shape=None "
                             "is not.")
        axis = 0 if axis is None else axis
        axis_value = tensor_util.constant_value(ops_lib.convert_to_tensor(axis))
        if axis_value is not None:
            axis = int(axis_value)
            if shape_tensor.rank is not None:
                if not 0 <= axis <= shape_tensor.rank - k:
                    raise ValueError("mask of rank %d does not fit tensor of shape %s at axis %d"
                                     % (k, shape_tensor, axis))
                if not shape_tensor[axis:axis + k].is_compatible_with(shape_mask):
                    raise ValueError("Shapes %s and %s are incompatible: mask of shape %s does "
                                     "not match dims [%d, %d) of tensor of shape %s"
                                     % (shape_tensor[axis:axis + k], shape_mask, shape_mask,
                                        axis, axis + k, shape_tensor))
        dims = array_ops.shape(tensor)
        leading = reduction_ops.reduce_prod(dims[axis:axis + k], [0])
        tensor = array_ops.reshape(tensor, array_ops.concat(
            [dims[:axis], array_ops.expand_dims(leading, 0), dims[axis + k:]], 0))
        if shape_tensor.rank is not None and isinstance(axis, int):
            first = shape_tensor[axis:axis + k].num_elements()
            tensor.set_shape(TensorShape(shape_tensor[:axis]).concatenate([first]).concatenate(
                shape_tensor[axis + k:]))
        mask = array_ops.reshape(mask, [-1])
        indices = array_ops.squeeze(math_ops.where(mask), axis=[1])
        return gather(tensor, indices, axis=axis)
