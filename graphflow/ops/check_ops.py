"""Runtime checks and logging: the Assert and Print ops, and TF1's check_ops
builders (assert_equal, assert_positive, assert_rank, ...) built on them.

An assertion is an op with no outputs; in graph mode it runs only when
something depends on it:

    x = gf.placeholder(gf.float32, [None])
    with gf.control_dependencies([gf.assert_positive(x)]):
        y = gf.log(x)          # fails with InvalidArgumentError if some x <= 0

As in TF, a check whose inputs are constants is decided while the graph is
built (InvalidArgumentError, or ValueError for ranks and TypeError for dtypes),
and a failing runtime check reports its data tensors summarized the way TF's
Tensor::SummarizeValue prints them (`summarize` elements, nested brackets).
Unlike TF1, an empty `message` adds no empty "[]" to the report.
"""

import math
import sys

import numpy as np

from graphflow.framework import common_shapes
from graphflow.framework import dtypes
from graphflow.framework import errors
from graphflow.framework import graph as graph_lib
from graphflow.framework import op_builder
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_util
from graphflow.framework.op_def import op
from graphflow.gradients import NotDifferentiable, RegisterGradient
from graphflow.ops import array_ops
from graphflow.ops import control_flow_ops
from graphflow.ops import indexing_ops  # noqa: F401  (Tensor.__getitem__)
from graphflow.ops import math_ops
from graphflow.ops import reduction_ops

__all__ = [
    "Assert", "Print",
    "assert_equal", "assert_none_equal", "assert_less", "assert_less_equal", "assert_greater",
    "assert_greater_equal", "assert_near",
    "assert_positive", "assert_negative", "assert_non_negative", "assert_non_positive",
    "assert_rank", "assert_rank_at_least", "assert_rank_in",
    "assert_type", "assert_integer", "assert_scalar",
    "assert_proper_iterable", "is_numeric_tensor", "is_non_decreasing", "is_strictly_increasing",
]


# --- value summaries (TF's Tensor::SummarizeValue; the C++ kernels print the same) ----


def _element_str(v, dtype):
    if dtype == np.object_:  # strings: verbatim
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
    if dtype == np.bool_:
        return "1" if v else "0"
    if dtype.kind == "f":
        v = float(v)
        if math.isnan(v):
            return "nan"
        single = dtype != np.float64  # half prints as its float value
        s = "%.*g" % (6 if single else 15, v)
        back = float(np.float32(s)) if single else float(s)
        return s if back == v else "%.*g" % (9 if single else 17, v)
    return str(int(v))


def summarize_value(value, max_entries):
    """`value` (an ndarray) as TF's Tensor::SummarizeValue prints it: its first
    `max_entries` elements (all when < 0) in row-major order, rows of rank >= 2
    tensors in brackets, "..." where elements were left out."""
    arr = np.asarray(value)
    flat = arr.reshape(-1)
    n = flat.size
    limit = n if max_entries < 0 else min(max_entries, n)
    parts = []
    if arr.ndim == 0:
        if limit > 0:
            parts.append(_element_str(flat[0], arr.dtype))
    else:
        _append_dims(parts, flat, arr.shape, 0, limit, [0], arr.dtype)
    if n > limit:
        parts.append("...")
    return "".join(parts)


def _append_dims(parts, flat, shape, dim, limit, next_, dtype):
    # next_ is a one-element list: the index of the next element to print.
    if next_[0] >= limit:
        return
    if dim == len(shape) - 1:
        for i in range(shape[dim]):
            if next_[0] >= limit:
                if dim != 0:  # an inner row cut short
                    parts.append("...")
                return
            if i > 0:
                parts.append(" ")
            parts.append(_element_str(flat[next_[0]], dtype))
            next_[0] += 1
        return
    for _ in range(shape[dim]):
        opened = next_[0] < limit
        if opened:
            parts.append("[")
        _append_dims(parts, flat, shape, dim + 1, limit, next_, dtype)
        if opened:
            parts.append("]")


# --- Assert -----------------------------------------------------------------------


def _is_legacy_scalar(dims):
    # TF accepts a one-element vector where a scalar is expected.
    return len(dims) == 0 or (len(dims) == 1 and dims[0] in (1, None))


def _assert_shape(op):
    c = op.inputs[0].shape
    if c.rank is not None and not _is_legacy_scalar(c.as_list()):
        raise ValueError("condition must be a bool scalar, got shape %s" % c)
    return []


@op("Assert", inputs=["condition: bool", "data: T"],
    attrs=["T: list(type)", "summarize: int = 3"], stateful=True, shape=_assert_shape)
def _assert(ctx, condition, *data):
    cond = np.asarray(condition)
    if not _is_legacy_scalar(cond.shape):
        raise errors.InvalidArgumentError(
            None, ctx.op, "Assert op '%s': condition must be a bool scalar, got shape [%s]"
            % (ctx.op.name, ",".join(str(d) for d in cond.shape)))
    if cond.reshape(()):
        return ()
    summarize = ctx.attrs["summarize"]
    raise errors.InvalidArgumentError(None, ctx.op, "assertion failed: " + " ".join(
        "[%s]" % summarize_value(d, summarize) for d in data))


NotDifferentiable("Assert")


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 (TF's name)
    """An op that fails with InvalidArgumentError when the bool scalar
    `condition` is false, reporting the first `summarize` (default 3)
    elements of each tensor (or string) in the list `data`:

        check = gf.Assert(gf.reduce_all(x > 0), ["x must be positive:", x])
        with gf.control_dependencies([check]):
            y = gf.log(x)
    """
    with graph_lib.name_scope(name, "Assert", [condition, data]):
        attrs = {} if summarize is None else {"summarize": summarize}
        return op_builder.apply_op("Assert", [condition, _data_list(data)], attrs,
                                   name="Assert")


def _data_list(data):
    # Any iterable of tensors and strings; a lone tensor is left for apply_op to reject.
    return data if isinstance(data, ops_lib.Tensor) else list(data)


# --- Print ------------------------------------------------------------------------


@op("Print", inputs=["input: T", "data: U"], outputs=["output: T"],
    attrs=["T: type", "U: list(type)", "message: string = ''", "first_n: int = -1",
           "summarize: int = 3"],
    stateful=True, shape=common_shapes.unchanged_shape)
def _print(ctx, x, *data):
    first_n = ctx.attrs["first_n"]
    if first_n >= 0:
        printed = ctx.state.op_state.get(ctx.op.name, 0)
        if printed >= first_n:
            return x
        ctx.state.op_state[ctx.op.name] = printed + 1
    summarize = ctx.attrs["summarize"]
    sys.stderr.write(ctx.attrs["message"] + "".join(
        "[%s]" % summarize_value(d, summarize) for d in data) + "\n")
    sys.stderr.flush()
    return x


@RegisterGradient("Print")
def _print_gradient(op, grad):
    return [grad] + [None] * (len(op.inputs) - 1)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """`input_` passed through unchanged; each time it is computed (for the
    first `first_n` times when first_n >= 0), writes `message` followed by the
    first `summarize` elements of each tensor in `data` to stderr:

        x = gf.Print(x, [gf.shape(x), x], "x: ")    # x: [2 3][[1 2 3]...]
    """
    attrs = {k: v for k, v in (("message", message), ("first_n", first_n),
                               ("summarize", summarize)) if v is not None}
    return op_builder.apply_op("Print", [input_, _data_list(data)], attrs, name=name)


# --- element-wise assertions ------------------------------------------------------


def _with_message(message, data):
    return [message] + list(data) if message else list(data)


def _static_str(d):
    if isinstance(d, ops_lib.Tensor):
        v = tensor_util.constant_value(d)
        return d.name if v is None else str(v)
    return str(d)


def _raise_static(data):
    """The InvalidArgumentError TF raises when a check fails on constants:
    the data, one item per line, and the user's line that built the check."""
    where = ops_lib.format_location(ops_lib.user_location())
    raise errors.InvalidArgumentError(
        None, None, "\n".join(_static_str(d) for d in data)
        + "\n\t [[checked statically, built at %s]]" % where)


def _convert_pair(x, y):
    # A Python value takes the other side's dtype where it fits (TF1 converts
    # each on its own, so assert_equal(float_tensor, 1) was a dtype error).
    if not isinstance(x, ops_lib.Tensor) and isinstance(y, ops_lib.Tensor):
        y = ops_lib.convert_to_tensor(y, name="y")
        x = ops_lib.convert_to_tensor(x, name="x", preferred_dtype=y.dtype)
    else:
        x = ops_lib.convert_to_tensor(x, name="x")
        y = ops_lib.convert_to_tensor(y, name="y", preferred_dtype=x.dtype)
    return x, y


def _binary_assert(sym, opname, op_func, static_func, x, y, data, summarize, message, name):
    with graph_lib.name_scope(name, opname, [x, y, data]):
        x, y = _convert_pair(x, y)
        if data is None:
            data = ["Condition x %s y did not hold element-wise:" % sym,
                    "x (%s) = " % x.name, x, "y (%s) = " % y.name, y]
        data = _with_message(message, data)
        condition = reduction_ops.reduce_all(op_func(x, y))
        x_static = tensor_util.constant_value(x)
        y_static = tensor_util.constant_value(y)
        if x_static is not None and y_static is not None:
            if not np.all(static_func(x_static, y_static)):
                _raise_static(data)
        return Assert(condition, data, summarize=summarize)


def assert_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Op failing unless x == y element-wise (with broadcasting); raises
    InvalidArgumentError at once when x and y are constants that differ."""
    if x is y:
        with graph_lib.name_scope(name, "assert_equal", [x, y, data]):
            return control_flow_ops.no_op()
    return _binary_assert("==", "assert_equal", math_ops.equal, np.equal, x, y, data,
                          summarize, message, name)


def assert_none_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Op failing unless x != y for every (broadcast) pair of elements."""
    return _binary_assert("!=", "assert_none_equal", math_ops.not_equal, np.not_equal, x, y,
                          data, summarize, message, name)


def assert_less(x, y, data=None, summarize=None, message=None, name=None):
    """Op failing unless x < y element-wise."""
    return _binary_assert("<", "assert_less", math_ops.less, np.less, x, y, data, summarize,
                          message, name)


def assert_less_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Op failing unless x <= y element-wise."""
    return _binary_assert("<=", "assert_less_equal", math_ops.less_equal, np.less_equal, x, y,
                          data, summarize, message, name)


def assert_greater(x, y, data=None, summarize=None, message=None, name=None):
    """Op failing unless x > y element-wise."""
    return _binary_assert(">", "assert_greater", math_ops.greater, np.greater, x, y, data,
                          summarize, message, name)


def assert_greater_equal(x, y, data=None, summarize=None, message=None, name=None):
    """Op failing unless x >= y element-wise."""
    return _binary_assert(">=", "assert_greater_equal", math_ops.greater_equal,
                          np.greater_equal, x, y, data, summarize, message, name)


def _unary_assert(sym, opname, check, zero_first, x, data, summarize, message, name):
    # As in TF, `message` goes into the default data only.
    with graph_lib.name_scope(name, opname, [x, data]):
        x = ops_lib.convert_to_tensor(x, name="x")
        if data is None:
            data = _with_message(message, ["Condition x %s did not hold element-wise:" % sym,
                                           "x (%s) = " % x.name, x])
        zero = ops_lib.convert_to_tensor(0, dtype=x.dtype)
        a, b = (zero, x) if zero_first else (x, zero)
        return check(a, b, data=data, summarize=summarize)


def assert_positive(x, data=None, summarize=None, message=None, name=None):
    """Op failing unless x > 0 element-wise."""
    return _unary_assert("> 0", "assert_positive", assert_less, True, x, data, summarize,
                         message, name)


def assert_negative(x, data=None, summarize=None, message=None, name=None):
    """Op failing unless x < 0 element-wise."""
    return _unary_assert("< 0", "assert_negative", assert_less, False, x, data, summarize,
                         message, name)


def assert_non_negative(x, data=None, summarize=None, message=None, name=None):
    """Op failing unless x >= 0 element-wise."""
    return _unary_assert(">= 0", "assert_non_negative", assert_less_equal, True, x, data,
                         summarize, message, name)


def assert_non_positive(x, data=None, summarize=None, message=None, name=None):
    """Op failing unless x <= 0 element-wise."""
    return _unary_assert("<= 0", "assert_non_positive", assert_less_equal, False, x, data,
                         summarize, message, name)


def assert_near(x, y, rtol=None, atol=None, data=None, summarize=None, message=None,
                name=None):
    """Op failing unless |x - y| < atol + rtol * |y| element-wise, for float x
    and y; rtol and atol default to 10 * eps of x's dtype."""
    with graph_lib.name_scope(name, "assert_near", [x, y, rtol, atol, data]):
        x = ops_lib.convert_to_tensor(x, name="x")
        y = ops_lib.convert_to_tensor(y, name="y", dtype=x.dtype)
        if not x.dtype.is_floating:
            raise TypeError("assert_near needs float tensors, got %s (%s)"
                            % (x.dtype.name, x.name))
        eps = np.finfo(x.dtype.as_numpy_dtype).eps
        rtol = ops_lib.convert_to_tensor(10 * eps if rtol is None else rtol, name="rtol",
                                         dtype=x.dtype)
        atol = ops_lib.convert_to_tensor(10 * eps if atol is None else atol, name="atol",
                                         dtype=x.dtype)
        if data is None:
            data = _with_message(message, [
                "x and y not equal to tolerance rtol = %s, atol = %s"
                % (_static_str(rtol), _static_str(atol)),
                "x (%s) = " % x.name, x, "y (%s) = " % y.name, y])
        tol = math_ops.add(atol, math_ops.multiply(rtol, math_ops.abs(y)))
        diff = math_ops.abs(math_ops.subtract(x, y))
        condition = reduction_ops.reduce_all(math_ops.less(diff, tol))
        return Assert(condition, data, summarize=summarize)


# --- rank, dtype and shape assertions ---------------------------------------------


def _prefixed(message, text, sep="  "):
    return message + sep + text if message else text


def _rank_tensor(rank):
    if isinstance(rank, ops_lib.Tensor):
        if rank.dtype != dtypes.int32:
            raise TypeError("%s must be of type %s" % (rank.name, dtypes.int32))
        return rank
    return ops_lib.convert_to_tensor(rank, dtype=dtypes.int32, name="rank")


def _assert_rank_condition(x, ranks, static_ok, dynamic_ok, make_data, summarize, describe,
                           message):
    """The NoOp "static_checks_determined_all_ok" when x's rank and `ranks`
    are known and pass; a ValueError when they are known and fail; else an
    Assert on the rank of x at run time."""
    statics = [tensor_util.constant_value(r) for r in ranks]
    if all(s is not None for s in statics):
        if any(np.ndim(s) != 0 for s in statics):
            raise ValueError("Rank must be a scalar.")
        given = [int(s) for s in statics]
        actual = x.shape.rank
        if actual is not None:
            if not static_ok(actual, given):
                raise ValueError(_prefixed(message, "Tensor %s must have rank %s.  Received "
                                           "rank %d, shape %s" % (
                                               x.name, describe(given), actual, x.shape),
                                           sep=".  "))
            return control_flow_ops.no_op(name="static_checks_determined_all_ok")
    condition = dynamic_ok(array_ops.rank(x), ranks)
    # A rank that is not a scalar (assert_rank(x, [2]) for assert_rank(x, 2))
    # fails too, before the condition is read.
    checks = [assert_rank(r, 0, data=["Rank must be a scalar. Received rank: ", r])
              for r, s in zip(ranks, statics) if s is None]
    if checks:
        with graph_lib.control_dependencies(checks):
            condition = array_ops.identity(condition)
    return Assert(condition, make_data(), summarize=summarize)


def assert_rank(x, rank, data=None, summarize=None, message=None, name=None):
    """Checks that x has rank `rank`: statically (ValueError, or a NoOp when it
    holds) where x's rank is known, else an op failing at run time."""
    with graph_lib.name_scope(name, "assert_rank", [x, rank] + list(data or [])):
        x = ops_lib.convert_to_tensor(x, name="x")
        rank = _rank_tensor(rank)
        return _assert_rank_condition(
            x, [rank], lambda actual, given: actual == given[0],
            lambda actual, ranks: math_ops.equal(actual, ranks[0]),
            lambda: data if data is not None else _with_message(message, [
                "Tensor %s must have rank" % x.name, rank, "Received shape: ",
                array_ops.shape(x)]),
            summarize, lambda given: "%d" % given[0], message)


def assert_rank_at_least(x, rank, data=None, summarize=None, message=None, name=None):
    """Checks that x has rank `rank` or higher, as assert_rank does."""
    with graph_lib.name_scope(name, "assert_rank_at_least", [x, rank] + list(data or [])):
        x = ops_lib.convert_to_tensor(x, name="x")
        rank = _rank_tensor(rank)
        return _assert_rank_condition(
            x, [rank], lambda actual, given: actual >= given[0],
            lambda actual, ranks: math_ops.greater_equal(actual, ranks[0]),
            lambda: data if data is not None else _with_message(message, [
                "Tensor %s must have rank at least" % x.name, rank, "Received shape: ",
                array_ops.shape(x)]),
            summarize, lambda given: "at least %d" % given[0], message)


def _any_equal(actual, ranks):
    cond = math_ops.equal(actual, ranks[0])
    for r in ranks[1:]:
        cond = math_ops.logical_or(cond, math_ops.equal(actual, r))
    return cond


def assert_rank_in(x, ranks, data=None, summarize=None, message=None, name=None):
    """Checks that the rank of x is one of `ranks`, as assert_rank does."""
    ranks = list(ranks)
    with graph_lib.name_scope(name, "assert_rank_in", [x] + ranks + list(data or [])):
        x = ops_lib.convert_to_tensor(x, name="x")
        if not ranks:
            raise ValueError("assert_rank_in needs at least one rank")
        ranks = [_rank_tensor(r) for r in ranks]
        return _assert_rank_condition(
            x, ranks, lambda actual, given: actual in given, _any_equal,
            lambda: data if data is not None else _with_message(
                message, ["Tensor %s must have rank in" % x.name] + ranks
                + ["Received shape: ", array_ops.shape(x)]),
            summarize, lambda given: "in %s" % (tuple(given),), message)


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless `tensor` has dtype `tf_type`; else returns a NoOp."""
    with graph_lib.name_scope(name, "assert_type", [tensor]):
        tensor = ops_lib.convert_to_tensor(tensor, name="tensor")
        tf_type = dtypes.as_dtype(tf_type)
        if tensor.dtype != tf_type:
            raise TypeError(_prefixed(message, "%s must be of type %s, got %s" % (
                tensor.name, tf_type, tensor.dtype)))
        return control_flow_ops.no_op("statically_determined_correct_type")


def assert_integer(x, message=None, name=None):
    """Raises TypeError unless x has an integer dtype; else returns a NoOp."""
    with graph_lib.name_scope(name, "assert_integer", [x]):
        x = ops_lib.convert_to_tensor(x, name="x")
        if not x.dtype.is_integer:
            raise TypeError(_prefixed(message, 'Expected "x" to be integer type.  Found: %s of '
                                      "dtype %s" % (x.name, x.dtype)))
        return control_flow_ops.no_op("statically_determined_was_integer")


def assert_scalar(tensor, name=None, message=None):
    """`tensor` itself when its static shape is a scalar; else ValueError."""
    with graph_lib.name_scope(name, "assert_scalar", [tensor]):
        tensor = ops_lib.convert_to_tensor(tensor, name="tensor")
        shape = tensor.shape
        if shape.rank != 0:
            raise ValueError("%sExpected scalar shape for %s, saw shape: %s."
                             % (message or "", tensor.name, shape))
        return tensor


# --- predicates ---------------------------------------------------------------------

_NUMERIC = frozenset([dtypes.float16, dtypes.float32, dtypes.float64, dtypes.int8, dtypes.int16,
                      dtypes.int32, dtypes.int64, dtypes.uint8])


def assert_proper_iterable(values):
    """TypeError unless `values` is an iterable other than a Tensor, an
    ndarray or a string (each iterable itself, but rarely meant as a list)."""
    if isinstance(values, (ops_lib.Tensor, np.ndarray, str, bytes)):
        raise TypeError('Expected argument "values" to be a "proper" iterable.  Found: %s'
                        % type(values))
    if not hasattr(values, "__iter__"):
        raise TypeError('Expected argument "values" to be iterable.  Found: %s' % type(values))


def is_numeric_tensor(tensor):
    """Whether `tensor` is a Tensor of a numeric (not bool or string) dtype."""
    return isinstance(tensor, ops_lib.Tensor) and tensor.dtype in _NUMERIC


def _flat_diff(x):
    x = array_ops.reshape(x, [-1])
    if not is_numeric_tensor(x):
        raise TypeError("Expected x to be numeric, instead found: %s" % x)
    return math_ops.subtract(x[1:], x[:-1])  # empty for fewer than two elements


def is_non_decreasing(x, name=None):
    """Bool scalar: whether x, flattened row-major, satisfies x[i] <= x[i + 1]
    (true when x has fewer than two elements)."""
    with graph_lib.name_scope(name, "is_non_decreasing", [x]):
        diff = _flat_diff(ops_lib.convert_to_tensor(x, name="x"))
        zero = ops_lib.convert_to_tensor(0, dtype=diff.dtype)
        return reduction_ops.reduce_all(math_ops.less_equal(zero, diff))


def is_strictly_increasing(x, name=None):
    """Bool scalar: whether x, flattened row-major, satisfies x[i] < x[i + 1]
    (true when x has fewer than two elements)."""
    with graph_lib.name_scope(name, "is_strictly_increasing", [x]):
        diff = _flat_diff(ops_lib.convert_to_tensor(x, name="x"))
        zero = ops_lib.convert_to_tensor(0, dtype=diff.dtype)
        return reduction_ops.reduce_all(math_ops.less(zero, diff))
