"""Elementwise math: arithmetic and comparisons with NumPy broadcasting, unary
functions, logical ops, Select/SelectV2/Where, Cast and AddN, the scans
Cumsum/Cumprod, with TF1's
builders (`gf.add`, `gf.where`, `gf.cast`, ...) and the Tensor operators
(`x + 1`, `x / y`, `x < y`, `a & b`, `-x`, ...).

    x = gf.placeholder(gf.float32, [None, 3])
    y = gf.clip_by_value(x * 2.0 - 1.0, -1.0, 1.0)     # Mul, Sub, Minimum, Maximum
    i = gf.where(gf.greater(y, 0.0))                    # int64 [num_true, 2]

Half computes in float and rounds once; integer arithmetic wraps around;
integer division by zero is an InvalidArgumentError at run time.
"""

import functools

import numpy as np

from graphflow.framework import common_shapes
from graphflow.framework import dtypes
from graphflow.framework import errors
from graphflow.framework import graph as graph_lib
from graphflow.framework import op_builder
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_shape
from graphflow.framework import tensor_util
from graphflow.framework.op_def import FLOAT, REAL, op

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "realdiv", "div", "floordiv",
    "floor_div", "mod", "floormod", "pow", "maximum", "minimum", "squared_difference",
    "negative", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "square",
    "reciprocal", "tanh", "sigmoid", "sin", "cos", "floor", "ceil", "round",
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_not", "logical_xor",
    "where", "where_v2", "select", "cast", "to_float", "to_double", "to_int32", "to_int64",
    "saturate_cast", "add_n", "clip_by_value", "scalar_mul", "cumsum", "cumprod",
]

# Type sets of TF's schemas, within graphflow's dtypes.
_SIGNED = "{half, float, double, int8, int16, int32, int64}"
_FEWER = "{half, float, double, int32, int64}"
_ALL = "{half, float, double, int8, int16, int32, int64, uint8, bool}"

_BINARY = dict(inputs=["x: T", "y: T"], outputs=["z: T"],
               shape=common_shapes.broadcast_binary_shape)
_COMPARE = dict(inputs=["x: T", "y: T"], outputs=["z: bool"],
                shape=common_shapes.broadcast_binary_shape)
_UNARY = dict(inputs=["x: T"], outputs=["y: T"], shape=common_shapes.unchanged_shape)


# --- reference helpers ---------------------------------------------------------

def _quiet(reference):
    """Runs a reference with NumPy's overflow/division warnings off: the ops
    define those cases (wrap-around, inf, NaN) and the kernels do the same."""

    @functools.wraps(reference)
    def run(ctx, *args):
        with np.errstate(all="ignore"):
            return reference(ctx, *args)
    return run


def _wide(*arrays):
    """Half arrays as float32: the kernels compute half in float, rounding once."""
    out = [a.astype(np.float32) if a.dtype == np.float16 else a for a in arrays]
    return out[0] if len(out) == 1 else out


def _fail(ctx, message):
    raise errors.InvalidArgumentError(None, ctx.op, "%s in %s '%s'" % (
        message, ctx.op.type, ctx.op.name))


def _out_size(*arrays):
    return int(np.prod(np.broadcast_shapes(*(np.shape(a) for a in arrays))))


def _check_divisor(ctx, x, y):
    if y.dtype.kind in "iu" and _out_size(x, y) and np.any(y == 0):
        _fail(ctx, "Integer division by zero (input y)")


def _trunc_div_int(x, y):
    q = np.floor_divide(x, y)
    inexact = (np.remainder(x, y) != 0) & ((x < 0) != (y < 0))
    return np.where(inexact, q + 1, q)


# --- binary arithmetic -----------------------------------------------------------

@op("Add", attrs=["T: " + REAL], commutative=True, **_BINARY)
@_quiet
def _add(ctx, x, y):
    x, y = _wide(x, y)
    return x + y


@op("AddV2", attrs=["T: " + REAL], commutative=True, **_BINARY)
@_quiet
def _add_v2(ctx, x, y):
    x, y = _wide(x, y)
    return x + y


@op("Sub", attrs=["T: " + REAL], **_BINARY)
@_quiet
def _sub(ctx, x, y):
    x, y = _wide(x, y)
    return x - y


@op("Mul", attrs=["T: " + REAL], commutative=True, **_BINARY)
@_quiet
def _mul(ctx, x, y):
    x, y = _wide(x, y)
    return x * y


def _divide(ctx, x, y):
    """x / y, integers truncated toward zero (Div and RealDiv)."""
    _check_divisor(ctx, x, y)
    if x.dtype.kind in "iu":
        return _trunc_div_int(x, y)
    x, y = _wide(x, y)
    return x / y


@op("Div", attrs=["T: " + REAL], **_BINARY)
@_quiet
def _div(ctx, x, y):
    return _divide(ctx, x, y)


@op("RealDiv", attrs=["T: " + REAL], **_BINARY)
@_quiet
def _real_div(ctx, x, y):
    return _divide(ctx, x, y)


@op("FloorDiv", attrs=["T: " + REAL], **_BINARY)
@_quiet
def _floor_div(ctx, x, y):
    _check_divisor(ctx, x, y)
    if x.dtype.kind in "iu":
        return np.floor_divide(x, y)
    x, y = _wide(x, y)
    return np.floor(x / y)  # not np.floor_divide, which rounds differently


@op("FloorMod", attrs=["T: " + REAL], **_BINARY)
@_quiet
def _floor_mod(ctx, x, y):
    _check_divisor(ctx, x, y)
    if x.dtype.kind in "iu":
        return np.remainder(x, y)
    x, y = _wide(x, y)
    r = np.fmod(x, y)
    return np.where((r != 0) & ((y < 0) != (r < 0)), r + y, r)


@op("Pow", attrs=["T: " + _SIGNED], **_BINARY)
@_quiet
def _pow(ctx, x, y):
    if x.dtype.kind == "i" and _out_size(x, y) and np.any(y < 0):
        _fail(ctx, "Integers to negative integer powers are not allowed (input y)")
    x, y = _wide(x, y)
    return np.power(x, y)


@op("Maximum", attrs=["T: " + REAL], commutative=True, **_BINARY)
def _maximum(ctx, x, y):
    return np.maximum(x, y)


@op("Minimum", attrs=["T: " + REAL], commutative=True, **_BINARY)
def _minimum(ctx, x, y):
    return np.minimum(x, y)


@op("SquaredDifference", attrs=["T: " + _FEWER], commutative=True, **_BINARY)
@_quiet
def _squared_difference(ctx, x, y):
    x, y = _wide(x, y)
    d = x - y
    return d * d


# --- unary math ----------------------------------------------------------------

@op("Neg", attrs=["T: " + _SIGNED], **_UNARY)
@_quiet
def _neg(ctx, x):
    return np.negative(x)


@op("Abs", attrs=["T: " + _SIGNED], **_UNARY)
@_quiet
def _abs(ctx, x):
    return np.abs(x)


@op("Sign", attrs=["T: " + _SIGNED], **_UNARY)
def _sign(ctx, x):
    return np.sign(x)


@op("Square", attrs=["T: " + REAL], **_UNARY)
@_quiet
def _square(ctx, x):
    x = _wide(x)
    return x * x


@op("Reciprocal", attrs=["T: " + _SIGNED], **_UNARY)
@_quiet
def _reciprocal(ctx, x):
    if x.dtype.kind == "i":
        if np.any(x == 0):
            _fail(ctx, "Integer division by zero (input x)")
        return np.where(x == 1, 1, np.where(x == -1, -1, 0))
    return 1 / _wide(x)


@op("Sqrt", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _sqrt(ctx, x):
    return np.sqrt(_wide(x))


@op("Rsqrt", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _rsqrt(ctx, x):
    return 1 / np.sqrt(_wide(x))


@op("Exp", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _exp(ctx, x):
    return np.exp(_wide(x))


@op("Expm1", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _expm1(ctx, x):
    return np.expm1(_wide(x))


@op("Log", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _log(ctx, x):
    return np.log(_wide(x))


@op("Log1p", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _log1p(ctx, x):
    return np.log1p(_wide(x))


@op("Tanh", attrs=["T: " + FLOAT], **_UNARY)
def _tanh(ctx, x):
    return np.tanh(_wide(x))


@op("Sigmoid", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _sigmoid(ctx, x):
    x = _wide(x)
    t = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + t), t / (1 + t))


@op("Sin", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _sin(ctx, x):
    return np.sin(_wide(x))


@op("Cos", attrs=["T: " + FLOAT], **_UNARY)
@_quiet
def _cos(ctx, x):
    return np.cos(_wide(x))


@op("Floor", attrs=["T: " + FLOAT], **_UNARY)
def _floor(ctx, x):
    return np.floor(x)


@op("Ceil", attrs=["T: " + FLOAT], **_UNARY)
def _ceil(ctx, x):
    return np.ceil(x)


@op("Round", attrs=["T: " + _SIGNED], **_UNARY)
def _round(ctx, x):
    return np.round(x)  # half to even


# --- comparisons and logic -----------------------------------------------------

def _equality_shape(op):
    """Broadcast shape; with incompatible_shape_error=false, shapes that do not
    broadcast give a scalar instead of an error (so only fully known shapes
    can be decided here)."""
    if op.get_attr("incompatible_shape_error"):
        return common_shapes.broadcast_binary_shape(op)
    x, y = op.inputs[0].shape, op.inputs[1].shape
    if not (x.is_fully_defined() and y.is_fully_defined()):
        return tensor_shape.TensorShape(None)
    try:
        return common_shapes.broadcast_shapes(x, y)
    except ValueError:
        return tensor_shape.TensorShape([])


def _equality(ctx, x, y, fn, if_incompatible):
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        if ctx.attrs["incompatible_shape_error"]:
            _fail(ctx, "Incompatible shapes: %s vs. %s" % (list(x.shape), list(y.shape)))
        return np.array(if_incompatible)
    return fn(x, y)


@op("Equal", inputs=["x: T", "y: T"], outputs=["z: bool"],
    attrs=["T: " + _ALL, "incompatible_shape_error: bool = true"], commutative=True,
    shape=_equality_shape)
def _equal(ctx, x, y):
    return _equality(ctx, x, y, np.equal, False)


@op("NotEqual", inputs=["x: T", "y: T"], outputs=["z: bool"],
    attrs=["T: " + _ALL, "incompatible_shape_error: bool = true"], commutative=True,
    shape=_equality_shape)
def _not_equal(ctx, x, y):
    return _equality(ctx, x, y, np.not_equal, True)


@op("Less", attrs=["T: " + REAL], **_COMPARE)
def _less(ctx, x, y):
    return np.less(x, y)


@op("LessEqual", attrs=["T: " + REAL], **_COMPARE)
def _less_equal(ctx, x, y):
    return np.less_equal(x, y)


@op("Greater", attrs=["T: " + REAL], **_COMPARE)
def _greater(ctx, x, y):
    return np.greater(x, y)


@op("GreaterEqual", attrs=["T: " + REAL], **_COMPARE)
def _greater_equal(ctx, x, y):
    return np.greater_equal(x, y)


@op("LogicalAnd", inputs=["x: bool", "y: bool"], outputs=["z: bool"], commutative=True,
    shape=common_shapes.broadcast_binary_shape)
def _logical_and(ctx, x, y):
    return np.logical_and(x, y)


@op("LogicalOr", inputs=["x: bool", "y: bool"], outputs=["z: bool"], commutative=True,
    shape=common_shapes.broadcast_binary_shape)
def _logical_or(ctx, x, y):
    return np.logical_or(x, y)


@op("LogicalNot", inputs=["x: bool"], outputs=["y: bool"], shape=common_shapes.unchanged_shape)
def _logical_not(ctx, x):
    return np.logical_not(x)


# --- selection -----------------------------------------------------------------

def _select_shape(op):
    """t and e share a shape; condition is a scalar, has that shape, or is a
    vector over its first dim (t and e of rank >= 2)."""
    c, t, e = (i.shape for i in op.inputs)
    try:
        data = t.merge_with(e)
    except ValueError:
        raise ValueError("'then' and 'else' must have the same shape, got %s and %s"
                         % (t, e)) from None
    if c.rank is None or data.rank is None or c.rank == 0:
        return data
    if c.rank == 1 and data.rank > 1:
        if not c.dims[0].is_compatible_with(data.dims[0]):
            raise ValueError("Number of batches of 'then' must match size of 'condition', "
                             "but saw: %s vs. %s" % (data.dims[0], c.dims[0]))
        return tensor_shape.TensorShape([data.dims[0].merge_with(c.dims[0])] + data.dims[1:])
    try:
        return data.merge_with(c)
    except ValueError:
        raise ValueError("'condition' must be a scalar, a vector over the first dim of 'then', "
                         "or have the shape of 'then': got %s and %s" % (c, data)) from None


@op("Select", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
    attrs=["T: type"], shape=_select_shape)
def _select(ctx, c, t, e):
    if t.shape != e.shape:
        _fail(ctx, "'then' and 'else' must have the same shape, but got %s and %s"
              % (list(t.shape), list(e.shape)))
    if c.ndim == 0:
        return t if c else e
    if c.ndim == 1 and t.ndim != 1:
        if t.ndim == 0:
            _fail(ctx, "'then' must be at least a vector when 'condition' is a vector")
        if c.shape[0] != t.shape[0]:
            _fail(ctx, "Number of batches of 'then' must match size of 'condition', but saw: "
                  "%d vs. %d" % (t.shape[0], c.shape[0]))
        return np.where(c.reshape((-1,) + (1,) * (t.ndim - 1)), t, e)
    if c.shape != t.shape:
        _fail(ctx, "'condition' must be a scalar, a vector over the first dim of 'then', or "
              "have the shape of 'then': got %s and %s" % (list(c.shape), list(t.shape)))
    return np.where(c, t, e)


def _select_v2_shape(op):
    c, t, e = (i.shape for i in op.inputs)
    return common_shapes.broadcast_shapes(common_shapes.broadcast_shapes(t, e), c)


@op("SelectV2", inputs=["condition: bool", "t: T", "e: T"], outputs=["output: T"],
    attrs=["T: type"], shape=_select_v2_shape)
def _select_v2(ctx, c, t, e):
    try:
        np.broadcast_shapes(c.shape, t.shape, e.shape)
    except ValueError:
        _fail(ctx, "condition %s, then %s and else %s must be broadcastable"
              % (list(c.shape), list(t.shape), list(e.shape)))
    return np.where(c, t, e)


def _where_shape(op):
    return tensor_shape.TensorShape([None, op.inputs[0].shape.rank])


@op("Where", inputs=["input: T"], outputs=["index: int64"], attrs=["T: %s = DT_BOOL" % _ALL],
    shape=_where_shape)
def _where(ctx, x):
    return np.argwhere(x)


# --- Cumsum and Cumprod ------------------------------------------------------------

def _scan_shape(op):
    """The input's shape; ValueError for a non-scalar or out-of-range constant axis."""
    x, axis = op.inputs[0].shape, op.inputs[1].shape
    if axis.rank is not None and axis.rank != 0:
        raise ValueError("axis must be a scalar, got shape %s" % axis)
    a = tensor_util.constant_value(op.inputs[1])
    if a is not None and x.rank is not None and not -x.rank <= int(a) < x.rank:
        raise ValueError("axis %d is out of range for input of rank %d; expected a value "
                         "in [%d, %d)" % (int(a), x.rank, -x.rank, x.rank))
    return x


def _scan(ctx, x, axis, ufunc):
    """ufunc.accumulate along axis with TF's exclusive/reverse attrs. Half
    accumulates in float32 and rounds each output once, as the kernel does;
    integers wrap in their own type."""
    if np.ndim(axis) != 0:
        _fail(ctx, "axis must be a scalar, got shape %s" % list(np.shape(axis)))
    a = int(axis)
    rank = x.ndim
    if not -rank <= a < rank:
        _fail(ctx, "axis %d is out of range for input of rank %d; expected a value in [%d, %d)"
              % (a, rank, -rank, rank))
    a %= rank
    work = _wide(x)
    if ctx.attrs["reverse"]:
        work = np.flip(work, a)
    out = ufunc.accumulate(work, axis=a, dtype=work.dtype)
    if ctx.attrs["exclusive"]:
        shifted = np.full_like(out, ufunc.identity)
        head = (slice(None),) * a
        shifted[head + (slice(1, None),)] = out[head + (slice(None, -1),)]
        out = shifted
    if ctx.attrs["reverse"]:
        out = np.flip(out, a)
    return out.astype(x.dtype)


_SCAN = dict(inputs=["x: T", "axis: Tidx"], outputs=["out: T"],
             attrs=["exclusive: bool = false", "reverse: bool = false", "T: " + REAL,
                    "Tidx: {int32, int64} = DT_INT32"], shape=_scan_shape)


@op("Cumsum", **_SCAN)
@_quiet
def _cumsum(ctx, x, axis):
    return _scan(ctx, x, axis, np.add)


@op("Cumprod", **_SCAN)
@_quiet
def _cumprod(ctx, x, axis):
    return _scan(ctx, x, axis, np.multiply)



# --- Cast and AddN -----------------------------------------------------------------

# Cast with Truncate=true: low mantissa bits that the narrower float type
# cannot hold are cleared first, so rounding then truncates (as TF does).
_TRUNCATED_BITS = {(np.float32, np.float16): 13, (np.float64, np.float32): 29,
                   (np.float64, np.float16): 42}


@op("Cast", inputs=["x: SrcT"], outputs=["y: DstT"],
    attrs=["SrcT: type", "DstT: type", "Truncate: bool = false"],
    shape=common_shapes.unchanged_shape)
@_quiet
def _cast(ctx, x):
    dst = np.dtype(ctx.attrs["DstT"].as_numpy_dtype)
    bits = _TRUNCATED_BITS.get((x.dtype.type, dst.type))
    if ctx.attrs["Truncate"] and bits:
        uint = np.uint64 if x.dtype.itemsize == 8 else np.uint32
        mask = uint(~((1 << bits) - 1) & np.iinfo(uint).max)
        cleared = (np.ascontiguousarray(x).view(uint) & mask).view(x.dtype)
        x = np.where(np.isnan(x), x, cleared)
    if dst == np.bool_:
        return x != 0
    if x.dtype == np.float16 and dst.kind in "iu":
        x = x.astype(np.float32)  # as the kernel: half -> float -> integer
    if dst == np.float16 and x.dtype != np.float32:
        x = x.astype(np.float32)  # as the kernel: everything reaches half through float
    return x.astype(dst)


@op("AddN", inputs=["inputs: N * T"], outputs=["sum: T"], attrs=["N: int >= 1", "T: " + REAL],
    commutative=True, shape=common_shapes.merge_all_inputs_shape)
@_quiet
def _add_n(ctx, *inputs):
    for i, x in enumerate(inputs[1:], 1):
        if x.shape != inputs[0].shape:
            _fail(ctx, "Inputs must have the same shape. Input 0: %s != input %d: %s"
                  % (list(inputs[0].shape), i, list(x.shape)))
    if inputs[0].dtype == np.float16:  # left to right, rounding each sum, as the kernel
        return functools.reduce(lambda a, b: (a.astype(np.float32) + b).astype(np.float16),
                                inputs)
    return functools.reduce(np.add, inputs)


# --- builders ----------------------------------------------------------------------

def _is_symbolic(v):
    return op_builder._is_symbolic(v)


def _pair(x, y):
    """x and y as tensors of one dtype: a Python or NumPy value takes the dtype
    of the symbolic operand (as TF's dtype hint does)."""
    if _is_symbolic(x) or not _is_symbolic(y):
        x = ops_lib.convert_to_tensor(x, name="x")
        y = ops_lib.convert_to_tensor(y, dtype=None if _is_symbolic(y) else x.dtype.base_dtype,
                                      name="y")
    else:
        y = ops_lib.convert_to_tensor(y, name="y")
        x = ops_lib.convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
    if x.dtype.base_dtype != y.dtype.base_dtype:
        raise TypeError("x and y must have the same dtype, got %s != %s"
                        % (x.dtype.name, y.dtype.name))
    return x, y


def add(x, y, name=None):
    """x + y elementwise, with broadcasting (op Add)."""
    return op_builder.apply_op("Add", [x, y], name=name)


def add_v2(x, y, name=None):
    """x + y with the AddV2 op, which `x + y` on tensors builds."""
    return op_builder.apply_op("AddV2", [x, y], name=name)


def subtract(x, y, name=None):
    """x - y elementwise, with broadcasting."""
    return op_builder.apply_op("Sub", [x, y], name=name)


def multiply(x, y, name=None):
    """x * y elementwise, with broadcasting."""
    return op_builder.apply_op("Mul", [x, y], name=name)


# Integer dtypes that true division converts to a float type first (TF's table).
_TRUEDIV_TABLE = {
    dtypes.uint8: dtypes.float32, dtypes.int8: dtypes.float32, dtypes.int16: dtypes.float32,
    dtypes.int32: dtypes.float64, dtypes.int64: dtypes.float64,
    dtypes.float16: None, dtypes.float32: None, dtypes.float64: None,
}


def truediv(x, y, name=None):
    """x / y with Python 3 semantics: integers are cast to float first (int8,
    int16, uint8 to float32; int32, int64 to float64), then RealDiv."""
    with graph_lib.name_scope(name, "truediv", [x, y]) as name:
        x, y = _pair(x, y)
        if x.dtype.base_dtype not in _TRUEDIV_TABLE:
            raise TypeError("Invalid dtype %s in __truediv__" % x.dtype.name)
        dtype = _TRUEDIV_TABLE[x.dtype.base_dtype]
        if dtype is not None:
            x = cast(x, dtype)
            y = cast(y, dtype)
        return op_builder.apply_op("RealDiv", [x, y], name=name)


def divide(x, y, name=None):
    """x / y (TF1 `tf.divide`, the same as `truediv`)."""
    return truediv(x, y, name=name)


def realdiv(x, y, name=None):
    """x / y for floats; integer operands divide truncating toward zero."""
    return op_builder.apply_op("RealDiv", [x, y], name=name)


def div(x, y, name=None):
    """Python 2 division (TF1 `tf.div`): RealDiv for floats, FloorDiv for integers."""
    with graph_lib.name_scope(name, "div", [x, y]) as name:
        x, y = _pair(x, y)
        if x.dtype.is_floating:
            return op_builder.apply_op("RealDiv", [x, y], name=name)
        return op_builder.apply_op("FloorDiv", [x, y], name=name)


def floordiv(x, y, name=None):
    """floor(x / y) elementwise; for integers the quotient rounded toward -inf."""
    with graph_lib.name_scope(name, "floordiv", [x, y]) as name:
        return op_builder.apply_op("FloorDiv", [x, y], name=name)


def floor_div(x, y, name=None):
    """The FloorDiv op itself (TF1 `tf.floor_div`)."""
    return op_builder.apply_op("FloorDiv", [x, y], name=name)


def floormod(x, y, name=None):
    """x - floor(x / y) * y: the remainder has the sign of y (Python's %)."""
    return op_builder.apply_op("FloorMod", [x, y], name=name)


mod = floormod


def pow(x, y, name=None):  # noqa: A001 (TF's name)
    """x ** y elementwise; negative integer exponents are an error."""
    return op_builder.apply_op("Pow", [x, y], name=name)


def maximum(x, y, name=None):
    """max(x, y) elementwise, with broadcasting; NaN wins."""
    return op_builder.apply_op("Maximum", [x, y], name=name)


def minimum(x, y, name=None):
    """min(x, y) elementwise, with broadcasting; NaN wins."""
    return op_builder.apply_op("Minimum", [x, y], name=name)


def squared_difference(x, y, name=None):
    """(x - y) ** 2 elementwise, with broadcasting."""
    return op_builder.apply_op("SquaredDifference", [x, y], name=name)


def negative(x, name=None):
    """-x elementwise."""
    return op_builder.apply_op("Neg", [x], name=name)


def abs(x, name=None):  # noqa: A001
    """|x| elementwise."""
    return op_builder.apply_op("Abs", [x], name=name)


def sign(x, name=None):
    """-1, 0 or 1 by the sign of x (NaN stays NaN)."""
    return op_builder.apply_op("Sign", [x], name=name)


def exp(x, name=None):
    """e ** x elementwise."""
    return op_builder.apply_op("Exp", [x], name=name)


def expm1(x, name=None):
    """e ** x - 1, accurate near 0."""
    return op_builder.apply_op("Expm1", [x], name=name)


def log(x, name=None):
    """Natural logarithm elementwise."""
    return op_builder.apply_op("Log", [x], name=name)


def log1p(x, name=None):
    """log(1 + x), accurate near 0."""
    return op_builder.apply_op("Log1p", [x], name=name)


def sqrt(x, name=None):
    """Square root elementwise."""
    return op_builder.apply_op("Sqrt", [x], name=name)


def rsqrt(x, name=None):
    """1 / sqrt(x) elementwise."""
    return op_builder.apply_op("Rsqrt", [x], name=name)


def square(x, name=None):
    """x * x elementwise."""
    return op_builder.apply_op("Square", [x], name=name)


def reciprocal(x, name=None):
    """1 / x elementwise."""
    return op_builder.apply_op("Reciprocal", [x], name=name)


def tanh(x, name=None):
    """Hyperbolic tangent elementwise (also `gf.nn.tanh`)."""
    return op_builder.apply_op("Tanh", [x], name=name)


def sigmoid(x, name=None):
    """1 / (1 + exp(-x)) elementwise (also `gf.nn.sigmoid`)."""
    return op_builder.apply_op("Sigmoid", [x], name=name)


def sin(x, name=None):
    """Sine elementwise."""
    return op_builder.apply_op("Sin", [x], name=name)


def cos(x, name=None):
    """Cosine elementwise."""
    return op_builder.apply_op("Cos", [x], name=name)


def floor(x, name=None):
    """Largest integer not greater than x, elementwise."""
    return op_builder.apply_op("Floor", [x], name=name)


def ceil(x, name=None):
    """Smallest integer not less than x, elementwise."""
    return op_builder.apply_op("Ceil", [x], name=name)


def round(x, name=None):  # noqa: A001
    """x rounded to the nearest integer, halves to even (banker's rounding).
    Integer tensors are returned as they are."""
    x = ops_lib.convert_to_tensor(x, name="x")
    if x.dtype.is_integer:
        return x
    return op_builder.apply_op("Round", [x], name=name)


def equal(x, y, name=None):
    """x == y elementwise (bool), with broadcasting."""
    return op_builder.apply_op("Equal", [x, y], name=name)


def not_equal(x, y, name=None):
    """x != y elementwise (bool), with broadcasting."""
    return op_builder.apply_op("NotEqual", [x, y], name=name)


def less(x, y, name=None):
    """x < y elementwise (bool), with broadcasting."""
    return op_builder.apply_op("Less", [x, y], name=name)


def less_equal(x, y, name=None):
    """x <= y elementwise (bool), with broadcasting."""
    return op_builder.apply_op("LessEqual", [x, y], name=name)


def greater(x, y, name=None):
    """x > y elementwise (bool), with broadcasting."""
    return op_builder.apply_op("Greater", [x, y], name=name)


def greater_equal(x, y, name=None):
    """x >= y elementwise (bool), with broadcasting."""
    return op_builder.apply_op("GreaterEqual", [x, y], name=name)


def logical_and(x, y, name=None):
    """x AND y for bool tensors, with broadcasting."""
    return op_builder.apply_op("LogicalAnd", [x, y], name=name)


def logical_or(x, y, name=None):
    """x OR y for bool tensors, with broadcasting."""
    return op_builder.apply_op("LogicalOr", [x, y], name=name)


def logical_not(x, name=None):
    """NOT x for a bool tensor."""
    return op_builder.apply_op("LogicalNot", [x], name=name)


def logical_xor(x, y, name="LogicalXor"):
    """x XOR y for bool tensors: (x OR y) AND NOT (x AND y), as TF builds it."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


def _where_indices(condition, name):
    with graph_lib.name_scope(name, "Where", [condition]) as name:
        condition = ops_lib.convert_to_tensor(condition, preferred_dtype=dtypes.bool,
                                              name="condition")
        return op_builder.apply_op("Where", [condition], name=name)


def where(condition, x=None, y=None, name=None):
    """TF1 `tf.where`. With x and y: elements of x where condition is true,
    else of y (Select: condition is a scalar, has x's shape, or is a vector
    over x's first dim). Without: the int64 [num_true, rank] coordinates of
    the true elements of condition (Where)."""
    if x is None and y is None:
        return _where_indices(condition, name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return op_builder.apply_op("Select", [condition, x, y], name=name)


def where_v2(condition, x=None, y=None, name=None):
    """TF2's `where`: like `where`, but condition, x and y broadcast against
    each other (SelectV2)."""
    if x is None and y is None:
        return _where_indices(condition, name)
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return op_builder.apply_op("SelectV2", [condition, x, y], name=name)


def select(condition, x, y, name=None):
    """The Select op: `where(condition, x, y)`."""
    return op_builder.apply_op("Select", [condition, x, y], name=name)


def cast(x, dtype, name=None):
    """x converted to `dtype` (C++ conversion rules; to bool: x != 0). A tensor
    that already has that dtype is returned as it is."""
    dtype = dtypes.as_dtype(dtype).base_dtype
    if isinstance(x, ops_lib.Tensor) and x.dtype.base_dtype == dtype:
        return x
    with graph_lib.name_scope(name, "Cast", [x]) as name:
        x = ops_lib.convert_to_tensor(x, name="x")
        if x.dtype.base_dtype == dtype:
            return x
        return op_builder.apply_op("Cast", [x], {"DstT": dtype}, name=name)


def to_float(x, name="ToFloat"):
    return cast(x, dtypes.float32, name=name)


def to_double(x, name="ToDouble"):
    return cast(x, dtypes.float64, name=name)


def to_int32(x, name="ToInt32"):
    return cast(x, dtypes.int32, name=name)


def to_int64(x, name="ToInt64"):
    return cast(x, dtypes.int64, name=name)


def _bound(value_dtype, limit, below):
    """`limit` as a value of value_dtype, moved inward where rounding would
    carry it past the limit (float32 cannot hold 2**31 - 1)."""
    limit = limit.item() if isinstance(limit, np.generic) else limit
    v = np.array(limit).astype(value_dtype.as_numpy_dtype)
    if value_dtype.is_floating and (v.item() > limit if below else v.item() < limit):
        v = np.nextafter(v, -np.inf if below else np.inf).astype(v.dtype)
    return v


def saturate_cast(value, dtype, name=None):
    """Cast that clamps values to the range of `dtype` first, instead of
    wrapping or overflowing."""
    with graph_lib.name_scope(name, "saturate_cast", [value]) as name:
        value = ops_lib.convert_to_tensor(value, name="value")
        dtype = dtypes.as_dtype(dtype).base_dtype
        vt = value.dtype.base_dtype
        if not vt.is_bool and not dtype.is_bool:
            if vt.min < dtype.min:
                value = maximum(value, ops_lib.convert_to_tensor(
                    _bound(vt, dtype.min, below=False), name="min"))
            if vt.max > dtype.max:
                value = minimum(value, ops_lib.convert_to_tensor(
                    _bound(vt, dtype.max, below=True), name="max"))
        return cast(value, dtype, name=name)


def add_n(inputs, name=None):
    """The elementwise sum of a list of tensors of one shape and dtype."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a list of at least one Tensor with the same dtype "
                         "and shape")
    first = next((v for v in inputs if _is_symbolic(v)), None)
    dtype = None if first is None else ops_lib.convert_to_tensor(first).dtype.base_dtype
    inputs = [ops_lib.convert_to_tensor(v, dtype=dtype) for v in inputs]
    if len(inputs) == 1:
        if name:
            from graphflow.ops import array_ops
            return array_ops.identity(inputs[0], name=name)
        return inputs[0]
    return op_builder.apply_op("AddN", [inputs], name=name)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """t with values below clip_value_min raised to it and values above
    clip_value_max lowered to it (Minimum then Maximum). The bounds may not
    broadcast t to a bigger shape."""
    with graph_lib.name_scope(name, "clip_by_value", [t, clip_value_min, clip_value_max]) as name:
        values = ops_lib.convert_to_tensor(t, name="t")
        t_min = minimum(values, clip_value_max)
        values.shape.merge_with(t_min.shape)
        t_max = maximum(t_min, clip_value_min, name=name)
        values.shape.merge_with(t_max.shape)
    return t_max


def scalar_mul(scalar, x, name=None):
    """scalar * x, where scalar must be a 0-d value."""
    x = ops_lib.convert_to_tensor(x, name="x")
    scalar = ops_lib.convert_to_tensor(scalar, dtype=x.dtype.base_dtype, name="scalar")
    if scalar.shape.rank != 0:
        raise ValueError("Only scalar multiply works, got shape %s" % scalar.shape)
    return op_builder.apply_op("Mul", [scalar, x], name=name)


def _scan_op(op_type, x, axis, exclusive, reverse, name, scope):
    with graph_lib.name_scope(name, scope, [x]) as name:
        x = ops_lib.convert_to_tensor(x, name="x")
        return op_builder.apply_op(op_type, [x, axis],
                                   {"exclusive": bool(exclusive), "reverse": bool(reverse)},
                                   name=name)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sum of x along `axis`. exclusive: each output leaves out its own
    element (the first is 0); reverse: the sum runs from the end.

        gf.cumsum([a, b, c])                   # [a, a + b, a + b + c]
        gf.cumsum([a, b, c], exclusive=True)   # [0, a, a + b]
        gf.cumsum([a, b, c], reverse=True)     # [a + b + c, b + c, c]
    """
    return _scan_op("Cumsum", x, axis, exclusive, reverse, name, "Cumsum")


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running product of x along `axis`; exclusive and reverse as in cumsum
    (an exclusive product starts at 1).

        gf.cumprod([a, b, c], exclusive=True)  # [1, a, a * b]
    """
    return _scan_op("Cumprod", x, axis, exclusive, reverse, name, "Cumprod")


# --- Tensor operators ------------------------------------------------------------------

def _operator(builder, scope):
    """A binary operator as TF1 builds it: ops under the name scope `scope`
    ("add", "truediv"...), the non-tensor operand converted to the tensor's
    dtype (so `x * 2.0` keeps x's dtype)."""

    def binary(x, y):
        with graph_lib.name_scope(None, scope, [x, y]) as name:
            if not isinstance(x, ops_lib.Tensor):
                x = ops_lib.convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x")
            elif not isinstance(y, ops_lib.Tensor):
                y = ops_lib.convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y")
            return builder(x, y, name=name)
    return binary


ops_lib.register_operator("add", _operator(add_v2, "add"))
ops_lib.register_operator("sub", _operator(subtract, "sub"))
ops_lib.register_operator("mul", _operator(multiply, "mul"))
ops_lib.register_operator("truediv", _operator(truediv, "truediv"))
ops_lib.register_operator("floordiv", _operator(floordiv, "floordiv"))
ops_lib.register_operator("mod", _operator(floormod, "mod"))
ops_lib.register_operator("pow", _operator(pow, "pow"))
ops_lib.register_operator("and", _operator(logical_and, "and"))
ops_lib.register_operator("or", _operator(logical_or, "or"))
ops_lib.register_operator("xor", _operator(logical_xor, "xor"))
ops_lib.register_operator("lt", less)
ops_lib.register_operator("le", less_equal)
ops_lib.register_operator("gt", greater)
ops_lib.register_operator("ge", greater_equal)
ops_lib.register_operator("neg", negative)
ops_lib.register_operator("abs", abs)
ops_lib.register_operator("invert", logical_not)


# --- gradients ----------------------------------------------------------------------
# Each follows TF's math_grad.py; broadcasting inputs get their gradient summed
# back to their own shape (gradient_util_ops.sum_to).

def _grads():
    from graphflow.gradients import NotDifferentiable, RegisterGradient
    from graphflow.ops import array_ops
    from graphflow.ops.gradient_util_ops import sum_to

    def binary(op_type):
        def register(fn):
            def grad(op, g):
                x, y = op.inputs
                gx, gy = fn(op, g, x, y)
                return sum_to(gx, x), sum_to(gy, y)
            RegisterGradient(op_type)(grad)
            return fn
        return register

    @binary("Add")
    @binary("AddV2")
    def _add_grad(op, g, x, y):
        return g, g

    @binary("Sub")
    def _sub_grad(op, g, x, y):
        return g, negative(g)

    @binary("Mul")
    def _mul_grad(op, g, x, y):
        return multiply(g, y), multiply(x, g)

    @binary("RealDiv")
    @binary("Div")
    def _div_grad(op, g, x, y):
        if not x.dtype.is_floating:
            return None, None
        return realdiv(g, y), multiply(g, realdiv(realdiv(negative(x), y), y))

    @binary("FloorMod")
    def _floor_mod_grad(op, g, x, y):
        return g, multiply(g, negative(floordiv(x, y)))

    @binary("Pow")
    def _pow_grad(op, g, x, y):
        z = op.outputs[0]
        gx = multiply(g, multiply(y, pow(x, subtract(y, array_ops.ones_like(y)))))
        # d/dy x^y = x^y log x, taken as 0 where x <= 0 (as TF).
        positive = greater(x, array_ops.zeros_like(x))
        safe_log = log(where_v2(positive, x, array_ops.ones_like(x)))
        gy = multiply(g, multiply(z, where_v2(positive, safe_log, array_ops.zeros_like(x))))
        return gx, gy

    def _extremum(select_x_when):
        def fn(op, g, x, y):
            mask = select_x_when(x, y)
            zeros = array_ops.zeros_like(g)
            return where_v2(mask, g, zeros), where_v2(mask, zeros, g)
        return fn

    binary("Maximum")(_extremum(greater_equal))
    binary("Minimum")(_extremum(less_equal))

    @binary("SquaredDifference")
    def _squared_difference_grad(op, g, x, y):
        d = multiply(scalar_mul(2.0, g), subtract(x, y))
        return d, negative(d)

    def unary(op_type):
        def register(fn):
            RegisterGradient(op_type)(lambda op, g: fn(op, g, op.inputs[0], op.outputs[0]))
            return fn
        return register

    unary("Neg")(lambda op, g, x, y: negative(g))
    unary("Abs")(lambda op, g, x, y: multiply(g, sign(x)))
    unary("Square")(lambda op, g, x, y: multiply(g, scalar_mul(2.0, x)))
    unary("Sqrt")(lambda op, g, x, y: realdiv(scalar_mul(0.5, g), y))
    unary("Rsqrt")(lambda op, g, x, y: multiply(g, scalar_mul(-0.5, multiply(square(y), y))))
    unary("Exp")(lambda op, g, x, y: multiply(g, y))
    unary("Expm1")(lambda op, g, x, y: multiply(g, exp(x)))
    unary("Log")(lambda op, g, x, y: multiply(g, reciprocal(x)))
    unary("Log1p")(lambda op, g, x, y: realdiv(g, add(x, array_ops.ones_like(x))))
    unary("Reciprocal")(lambda op, g, x, y: negative(multiply(g, square(y))))
    unary("Tanh")(lambda op, g, x, y: multiply(g, subtract(array_ops.ones_like(y), square(y))))
    unary("Sigmoid")(
        lambda op, g, x, y: multiply(g, multiply(y, subtract(array_ops.ones_like(y), y))))
    unary("Sin")(lambda op, g, x, y: multiply(g, cos(x)))
    unary("Cos")(lambda op, g, x, y: negative(multiply(g, sin(x))))
    unary("Sign")(lambda op, g, x, y: array_ops.zeros_like(x))

    @RegisterGradient("Cast")
    def _cast_grad(op, g):
        src = op.inputs[0].dtype
        if src.is_floating and op.outputs[0].dtype.is_floating:
            return cast(g, src)
        return None

    @RegisterGradient("AddN")
    def _add_n_grad(op, g):
        return [g] * len(op.inputs)

    @RegisterGradient("Select")
    def _select_grad(op, g):
        c = op.inputs[0]
        zeros = array_ops.zeros_like(g)
        return None, select(c, g, zeros), select(c, zeros, g)

    @RegisterGradient("SelectV2")
    def _select_v2_grad(op, g):
        c, x, y = op.inputs
        zeros = array_ops.zeros_like(g)
        gx = where_v2(c, g, zeros)
        gy = where_v2(c, zeros, g)
        return None, sum_to(gx, x), sum_to(gy, y)

    @RegisterGradient("Cumsum")
    def _cumsum_grad(op, g):
        # each x_i feeds the outputs after it (before it when reversed)
        return cumsum(g, op.inputs[1], exclusive=op.get_attr("exclusive"),
                      reverse=not op.get_attr("reverse")), None

    @RegisterGradient("Cumprod")
    def _cumprod_grad(op, g):
        # d out_j / d x_i = out_j / x_i for the x_i in out_j: valid for non-zero x (as TF)
        x, axis = op.inputs[0], op.inputs[1]
        exclusive, reverse = op.get_attr("exclusive"), op.get_attr("reverse")
        prod = cumprod(x, axis, exclusive=exclusive, reverse=reverse)
        total = cumsum(multiply(prod, g), axis, exclusive=exclusive, reverse=not reverse)
        return realdiv(total, x), None

    for t in ("FloorDiv", "Floor", "Ceil", "Round", "Equal", "NotEqual", "Less", "LessEqual",
              "Greater", "GreaterEqual", "LogicalAnd", "LogicalOr", "LogicalNot", "Where"):
        NotDifferentiable(t)


_grads()
