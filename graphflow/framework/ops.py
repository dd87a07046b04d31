"""Operation and Tensor: the nodes and edges of a graph, plus convert_to_tensor."""

import os
import sys

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework import tensor_shape

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_location(skip=1):
    """(filename, lineno, function) of the innermost caller outside graphflow,
    i.e. the user's line that built an op; None if there is none."""
    f = sys._getframe(skip)
    while f is not None and f.f_code.co_filename.startswith(_PACKAGE_DIR):
        f = f.f_back
    if f is None:
        return None
    return (f.f_code.co_filename, f.f_lineno, f.f_code.co_name)


def format_location(loc):
    return "%s:%d" % (loc[0], loc[1]) if loc else "<unknown>"


class Operation:
    """A node: an op type, its inputs, attrs, device and output tensors."""

    __slots__ = ("_graph", "_id", "_name", "_type", "_op_def", "_inputs", "_control_inputs",
                 "_outputs", "_attrs", "_device", "_location", "_control_outputs",
                 "_control_flow_context", "__weakref__")

    def __init__(self, graph, op_id, name, op_def, inputs, attrs, output_dtypes,
                 control_inputs, device, location):
        self._graph = graph
        self._id = op_id
        self._name = name
        self._type = op_def.name
        self._op_def = op_def
        self._inputs = list(inputs)
        self._control_inputs = list(control_inputs)
        self._attrs = attrs
        self._device = device
        self._location = location
        self._control_outputs = []
        self._control_flow_context = None  # the cond branch that built it, if any
        self._outputs = [Tensor(self, i, dt) for i, dt in enumerate(output_dtypes)]
        for t in self._inputs:
            t._consumers.append(self)
        for c in self._control_inputs:
            c._control_outputs.append(self)

    name = property(lambda self: self._name)
    type = property(lambda self: self._type)
    graph = property(lambda self: self._graph)
    op_def = property(lambda self: self._op_def)
    device = property(lambda self: self._device)
    outputs = property(lambda self: list(self._outputs))
    inputs = property(lambda self: list(self._inputs))
    control_inputs = property(lambda self: list(self._control_inputs))
    traceback = property(lambda self: self._location)

    @property
    def location(self):
        """'file:line' of the user code that built this op."""
        return format_location(self._location)

    def values(self):
        return tuple(self._outputs)

    def get_attr(self, name):
        try:
            return self._attrs[name]
        except KeyError:
            raise ValueError("Operation '%s' has no attr named '%s'." % (self._name, name)) from None

    @property
    def node_def(self):
        from graphflow.io import graph_def
        return graph_def.node_def_of(self)

    def _set_device(self, device):
        from graphflow.framework import device as device_lib
        self._device = device_lib.canonical_name(device)

    def _add_control_input(self, op):
        if op not in self._control_inputs:
            self._control_inputs.append(op)
            op._control_outputs.append(self)
        self._graph._version += 1

    def _add_control_inputs(self, ops):
        for op in ops:
            self._add_control_input(op)

    def _set_attr(self, name, value):
        self._attrs[name] = value

    def run(self, feed_dict=None, session=None):
        """Runs this op in `session` (default: the default session)."""
        from graphflow.runtime import session as session_lib
        session_lib.run_with_default(self, feed_dict, session)

    def __repr__(self):
        return "<gf.Operation '%s' type=%s>" % (self._name, self._type)


# Operator overloads are filled in by the op modules (math_ops, array_ops) at
# import, so each operator is implemented where its op is declared.
_OPERATORS = {}


def _binary(name, reverse=False):
    def method(self, other):
        fn = _OPERATORS[name]
        return fn(other, self) if reverse else fn(self, other)
    method.__name__ = "__%s__" % name
    return method


def _unary(name):
    def method(self):
        return _OPERATORS[name](self)
    method.__name__ = "__%s__" % name
    return method


class Tensor:
    """A symbolic handle to an output of an Operation; holds no value."""

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_consumers", "_is_ref",
                 "__weakref__")

    # Makes numpy defer to our reflected operators (np.float32(2) * tensor).
    __array_priority__ = 100

    def __init__(self, op, value_index, dtype):
        self._op = op
        self._value_index = value_index
        self._dtype = dtype
        self._shape = tensor_shape.TensorShape(None)
        self._consumers = []
        self._is_ref = False

    op = property(lambda self: self._op)
    value_index = property(lambda self: self._value_index)
    dtype = property(lambda self: self._dtype)
    graph = property(lambda self: self._op._graph)
    device = property(lambda self: self._op._device)

    @property
    def name(self):
        return "%s:%d" % (self._op._name, self._value_index)

    @property
    def shape(self):
        return self._shape

    def get_shape(self):
        return self._shape

    def set_shape(self, shape):
        """Refines the static shape; ValueError if incompatible."""
        self._shape = self._shape.merge_with(tensor_shape.as_shape(shape))

    def consumers(self):
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """The value of this tensor in `session` (default: the default session)."""
        from graphflow.runtime import session as session_lib
        return session_lib.run_with_default(self, feed_dict, session)

    def _as_node_def_input(self):
        return self._op._name if self._value_index == 0 else self.name

    def __repr__(self):
        return "<gf.Tensor '%s' shape=%s dtype=%s>" % (self.name, self._shape, self._dtype.name)

    __str__ = __repr__

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __bool__(self):
        raise TypeError("Using a gf.Tensor as a Python bool is not allowed: the value is known "
                        "only when a Session runs it. Use gf.cond or compare in NumPy after "
                        "sess.run.")

    def __iter__(self):
        if self._shape.rank is None or self._shape.rank == 0 or self._shape.dims[0].value is None:
            raise TypeError("Tensor %s is not iterable: its first dimension is unknown" % self.name)
        for i in range(self._shape.dims[0].value):
            yield self[i]

    def __len__(self):
        raise TypeError("len is not well defined for symbolic Tensors (%s). Use gf.shape(t)[0] "
                        "or t.shape[0]." % self.name)

    __add__ = _binary("add")
    __radd__ = _binary("add", True)
    __sub__ = _binary("sub")
    __rsub__ = _binary("sub", True)
    __mul__ = _binary("mul")
    __rmul__ = _binary("mul", True)
    __truediv__ = _binary("truediv")
    __rtruediv__ = _binary("truediv", True)
    __floordiv__ = _binary("floordiv")
    __rfloordiv__ = _binary("floordiv", True)
    __mod__ = _binary("mod")
    __rmod__ = _binary("mod", True)
    __pow__ = _binary("pow")
    __rpow__ = _binary("pow", True)
    __matmul__ = _binary("matmul")
    __rmatmul__ = _binary("matmul", True)
    __lt__ = _binary("lt")
    __le__ = _binary("le")
    __gt__ = _binary("gt")
    __ge__ = _binary("ge")
    __and__ = _binary("and")
    __rand__ = _binary("and", True)
    __or__ = _binary("or")
    __ror__ = _binary("or", True)
    __xor__ = _binary("xor")
    __rxor__ = _binary("xor", True)
    __neg__ = _unary("neg")
    __abs__ = _unary("abs")
    __invert__ = _unary("invert")

    def __getitem__(self, key):
        return _OPERATORS["getitem"](self, key)


def register_operator(name, fn):
    _OPERATORS[name] = fn


# --- conversion -------------------------------------------------------------

_CONVERSION_FUNCTIONS = []  # (priority, base_type, fn)


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """fn(value, dtype=None, name=None, as_ref=False) -> Tensor, for values of base_type."""
    _CONVERSION_FUNCTIONS.append((priority, base_type, conversion_func))
    _CONVERSION_FUNCTIONS.sort(key=lambda x: x[0])


def _contains_tensor(value):
    if isinstance(value, Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return False


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, as_ref=False):
    """Tensor for `value`: a Tensor itself, a Variable's value, or a new Const."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, Tensor):
        if as_ref and not value._is_ref:
            raise TypeError("%s is not a reference (variable) tensor" % value.name)
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtype.name, value.dtype.name, value))
        return value
    for _, base, fn in _CONVERSION_FUNCTIONS:
        if isinstance(value, base):
            t = fn(value, dtype=dtype, name=name, as_ref=as_ref)
            if t is not NotImplemented:
                return t
    if isinstance(value, Operation):
        raise TypeError("Can't convert Operation '%s' to Tensor (did you mean its output "
                        "%s.outputs[0]?)" % (value.name, value.name))
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from graphflow.ops import array_ops
        return array_ops._autopack(value, dtype=dtype, name=name or "packed")
    from graphflow.ops import constant_op
    if dtype is None and preferred_dtype is not None:
        try:
            return constant_op.constant(value, dtype=preferred_dtype, name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant_op.constant(value, dtype=dtype, name=name or "Const")


def convert_n_to_tensor(values, dtype=None, name=None):
    return [convert_to_tensor(v, dtype=dtype, name=name) for v in values]


def numpy_value(value, dtype=None):
    """value as an ndarray of `dtype` (a DType or None to infer it the TF way:
    Python float -> float32, int -> int32, numpy arrays keep their dtype).
    Raises TypeError when the conversion would lose information."""
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        arr = np.asarray(value)
    else:
        arr = np.array(value)
        if arr.dtype.kind in "SU":  # fixed-width: NumPy would drop trailing NUL bytes
            arr = np.array(value, dtype=object)
    if arr.dtype == object and dtype is not dtypes.string and not _all_strings(arr):
        raise TypeError("Can't convert %r to a tensor: elements of mixed or unsupported types"
                        % (value,))
    if dtype is None:
        if arr.dtype.kind in "USO":
            return _string_array(arr)
        if not isinstance(value, (np.ndarray, np.generic)):
            if arr.dtype == np.float64:
                arr = arr.astype(np.float32)
            elif arr.dtype == np.int64:
                if arr.size and (arr.max() > 2**31 - 1 or arr.min() < -2**31):
                    return arr
                arr = arr.astype(np.int32)
        return arr
    if dtype is dtypes.string:
        if arr.dtype.kind not in "USO" and arr.size:
            raise TypeError("Expected string, got %r of type '%s' instead." %
                            (value, type(value).__name__))
        return _string_array(arr)
    target = np.dtype(dtype.as_numpy_dtype)
    if arr.dtype == target:
        return arr
    if arr.dtype.kind == "f" and target.kind in "iub" and arr.size:
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise TypeError("Expected %s, got %r of type '%s' instead." %
                            (dtype.name, value, type(value).__name__))
    if arr.dtype.kind == "b" and target.kind != "b" and not isinstance(value, np.ndarray):
        raise TypeError("Expected %s, got %r of type 'bool' instead." % (dtype.name, value))
    if target.kind == "b" and arr.dtype.kind != "b":
        raise TypeError("Expected bool, got %r of type '%s' instead." % (value, type(value).__name__))
    if target.kind in "iu" and arr.dtype.kind in "iu" and arr.size:
        info = np.iinfo(target)
        if arr.max() > info.max or arr.min() < info.min:
            raise TypeError("Value %r does not fit in %s" % (value, dtype.name))
    return arr.astype(target)


def _all_strings(arr):
    return all(isinstance(x, (str, bytes)) for x in arr.ravel())


def _string_array(arr):
    """An object array of bytes (str elements encoded as UTF-8), TF's string values."""
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, x in enumerate(np.asarray(arr, dtype=object).ravel()):
        if isinstance(x, str):
            x = x.encode("utf-8")
        elif not isinstance(x, bytes):
            raise TypeError("string tensors hold bytes or str, got %r" % (x,))
        flat[i] = x
    return out
