"""Graph <-> GraphDef, TensorFlow's wire format for graphs (graphflow/protos).

    gd = graph.as_graph_def()                     # or op.node_def for one node
    with gf.Graph().as_default():
        logits, = gf.import_graph_def(gd, return_elements=["logits:0"])

Export writes what TF writes: node names, op types, inputs ("x", "x:1",
"^ctrl"), devices, and every attr in AttrValue form (tensors as TensorProto with
tensor_content, shapes, types, lists; `_class` for colocation;
`_output_shapes` with add_shapes=True), so TensorFlow imports the result.

Import treats the GraphDef as untrusted data. Everything is checked before the
first op is added: op types (all unknown ones listed in one error), attrs
against each op's schema, input references, cycles, shapes and tensor sizes;
then ops are added in dependency order, with dtype and shape checks. Any
failure raises GraphDefError (a ValueError) naming the node and leaves the
graph as it was. Parsing is protobuf's; nothing in a GraphDef is executed
while importing.
"""

import heapq
import re

import numpy as np
from google.protobuf import message as _pb_message
from google.protobuf import text_format

from graphflow.framework import device as device_lib
from graphflow.framework import dtypes
from graphflow.framework import graph as graph_lib
from graphflow.framework import op_builder
from graphflow.framework import op_def as op_def_lib
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_shape
from graphflow.protos import attr_value_pb2
from graphflow.protos import graph_pb2
from graphflow.protos import node_def_pb2
from graphflow.protos import tensor_pb2
from graphflow.protos import types_pb2

__all__ = ["GraphDefError", "import_graph_def", "make_ndarray", "make_tensor_proto",
           "read_graph_def", "write_graph"]

# The GraphDef producer version graphflow writes: TF 1.15's, whose op semantics
# graphflow follows (TF decides op deprecations and behaviour changes by it).
GRAPH_DEF_VERSION = 134

# Limits on what an imported GraphDef may make graphflow allocate or build.
MAX_RANK = 254                       # TF's own limit on a shape's rank
MAX_NODE_OUTPUTS = 1 << 16
MAX_EXPANDED_TENSOR_BYTES = 1 << 30  # one Const filled from fewer values than elements
MAX_EXPANDED_TOTAL_BYTES = 1 << 32   # all such Consts of one import

_NODE_NAME = re.compile(r"[A-Za-z0-9.][A-Za-z0-9_>./-]*\Z")
_INPUT = re.compile(r"(\^)?([^:^]+)(?::(0|[1-9][0-9]{0,8}))?\Z")


class GraphDefError(ValueError):
    """A GraphDef (or MetaGraphDef) that graphflow cannot import: malformed,
    inconsistent, or using ops, attrs or dtypes graphflow does not have."""


# --- values <-> protos ------------------------------------------------------------


def _to_bytes(s):
    return s if isinstance(s, bytes) else str(s).encode("utf-8")


def _shape_to_proto(proto, shape):
    shape = tensor_shape.as_shape(shape)
    proto.SetInParent()     # a scalar's shape has no dims but must still be present
    if shape.rank is None:
        proto.unknown_rank = True
        return proto
    for d in shape.as_list():
        proto.dim.add().size = -1 if d is None else d
    return proto


def _tensor_to_proto(proto, value):
    arr = np.asarray(value)
    proto.SetInParent()
    dtype = dtypes.as_dtype(arr.dtype)
    proto.dtype = dtype.as_datatype_enum
    _shape_to_proto(proto.tensor_shape, arr.shape)
    if dtype is dtypes.string:
        proto.string_val.extend(_to_bytes(x) for x in arr.ravel())
    elif arr.size:
        proto.tensor_content = np.ascontiguousarray(
            arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return proto


def make_tensor_proto(values, dtype=None, shape=None):
    """A TensorProto holding `values` (TF's tf.make_tensor_proto): a scalar fills
    `shape`, a value with as many elements is reshaped to it."""
    arr = ops_lib.numpy_value(values, dtype)
    if shape is not None:
        dims = tensor_shape.as_shape(shape).as_list()
        if None in dims:
            raise ValueError("make_tensor_proto: shape %s must be fully defined" % (dims,))
        n = int(np.prod(dims, dtype=np.int64))
        if arr.size == 1 and n != 1:
            arr = np.full(dims, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == n:
            arr = arr.reshape(dims)
        else:
            raise ValueError("make_tensor_proto: %d values do not fill shape %s"
                             % (arr.size, dims))
    return _tensor_to_proto(tensor_pb2.TensorProto(), arr)


def _kind_of(value):
    """The attr kind of a value that has no schema (a private "_" attr)."""
    if isinstance(value, (bool, np.bool_)):
        return "bool"
    if isinstance(value, (int, np.integer)):
        return "int"
    if isinstance(value, (float, np.floating)):
        return "float"
    if isinstance(value, (str, bytes)):
        return "string"
    if isinstance(value, dtypes.DType):
        return "type"
    if isinstance(value, tensor_shape.TensorShape):
        return "shape"
    if isinstance(value, np.ndarray):
        return "tensor"
    if isinstance(value, (list, tuple)):
        return "list(%s)" % (_kind_of(value[0]) if value else "string")
    raise TypeError("a %s has no AttrValue form" % type(value).__name__)


def _attr_to_proto(proto, value, kind):
    """Fills AttrValue `proto` with `value`, an attr of `kind` (None: from its type)."""
    if isinstance(value, attr_value_pb2.AttrValue):   # kept verbatim from an import
        proto.CopyFrom(value)
        return proto
    if kind is None:
        kind = _kind_of(value)
    if kind == "type":
        proto.type = dtypes.as_dtype(value).as_datatype_enum
    elif kind == "int":
        proto.i = int(value)
    elif kind == "float":
        proto.f = float(value)
    elif kind == "bool":
        proto.b = bool(value)
    elif kind == "string":
        proto.s = _to_bytes(value)
    elif kind == "shape":
        _shape_to_proto(proto.shape, value)
    elif kind == "tensor":
        _tensor_to_proto(proto.tensor, value)
    elif kind.startswith("list("):
        lst = proto.list
        lst.SetInParent()       # an empty list is still a list
        inner = kind[5:-1]
        if inner == "type":
            lst.type.extend(dtypes.as_dtype(v).as_datatype_enum for v in value)
        elif inner == "int":
            lst.i.extend(int(v) for v in value)
        elif inner == "float":
            lst.f.extend(float(v) for v in value)
        elif inner == "bool":
            lst.b.extend(bool(v) for v in value)
        elif inner == "string":
            lst.s.extend(_to_bytes(v) for v in value)
        elif inner == "shape":
            for v in value:
                _shape_to_proto(lst.shape.add(), v)
        elif inner == "tensor":
            for v in value:
                _tensor_to_proto(lst.tensor.add(), v)
        else:
            raise TypeError("attr kind %s has no AttrValue form" % kind)
    else:
        raise TypeError("attr kind %s has no AttrValue form" % kind)
    return proto


def _fill_node_def(nd, op, add_shapes):
    nd.name = op.name
    nd.op = op.type
    nd.input.extend(t._as_node_def_input() for t in op._inputs)
    nd.input.extend("^" + c.name for c in op._control_inputs)
    if op.device:
        nd.device = op.device
    schema = op.op_def.attrs
    for name, value in op._attrs.items():
        if value is None:
            continue
        a = schema.get(name)
        try:
            _attr_to_proto(nd.attr[name], value, a.kind if a is not None else None)
        except (TypeError, ValueError) as e:
            raise TypeError("%s op '%s': attr '%s' cannot be written to a NodeDef: %s"
                            % (op.type, op.name, name, e)) from None
    if add_shapes:
        shapes = nd.attr["_output_shapes"].list
        shapes.SetInParent()
        for t in op._outputs:
            _shape_to_proto(shapes.shape.add(), t.shape)
    return nd


def node_def_of(op, add_shapes=False):
    """The NodeDef of Operation `op` (what `op.node_def` returns)."""
    return _fill_node_def(node_def_pb2.NodeDef(), op, add_shapes)


def graph_to_graph_def(graph, add_shapes=False):
    """The GraphDef of `graph`, nodes in creation order (Graph.as_graph_def)."""
    gd = graph_pb2.GraphDef()
    gd.versions.producer = GRAPH_DEF_VERSION
    for op in graph.get_operations():
        _fill_node_def(gd.node.add(), op, add_shapes)
    return gd


# --- protos -> values (untrusted input) ------------------------------------------------


def _dtype_name(enum):
    try:
        return types_pb2.DataType.Name(enum)
    except ValueError:
        return "DataType %d" % enum


def _dtype_from_enum(enum, what):
    try:
        return dtypes.DType(enum)
    except TypeError:
        pass
    if enum > 100:
        raise GraphDefError("%s: reference dtype %s in a place that takes a value dtype"
                            % (what, _dtype_name(enum)))
    raise GraphDefError("%s: dtype %s is not supported by graphflow (it has %s)"
                        % (what, _dtype_name(enum),
                           ", ".join(sorted(d.name for d in map(dtypes.DType,
                                                               dtypes._SPECS)))))


def _shape_from_proto(proto, what):
    if proto.unknown_rank:
        if len(proto.dim):
            raise GraphDefError("%s: a shape of unknown rank lists %d dimensions"
                                % (what, len(proto.dim)))
        return tensor_shape.TensorShape(None)
    if len(proto.dim) > MAX_RANK:
        raise GraphDefError("%s: a shape of rank %d (the most is %d)"
                            % (what, len(proto.dim), MAX_RANK))
    dims = []
    for d in proto.dim:
        if d.size < -1:
            raise GraphDefError("%s: dimension size %d in a shape (sizes are >= 0, or -1 for "
                                "unknown)" % (what, d.size))
        dims.append(None if d.size == -1 else d.size)
    return tensor_shape.TensorShape(dims)


class _Budget:
    """Bytes that expanding repeated values (TF's "last value repeats") may allocate."""

    def __init__(self, total=MAX_EXPANDED_TOTAL_BYTES):
        self.left = total

    def take(self, nbytes, what):
        if nbytes > MAX_EXPANDED_TENSOR_BYTES:
            raise GraphDefError("%s: the tensor would expand to %d bytes (the limit is %d)"
                                % (what, nbytes, MAX_EXPANDED_TENSOR_BYTES))
        if nbytes > self.left:
            raise GraphDefError("%s: the graph's tensors would expand to more than %d bytes"
                                % (what, MAX_EXPANDED_TOTAL_BYTES))
        self.left -= nbytes


# dtype -> the TensorProto field holding its typed values.
_VAL_FIELDS = {
    dtypes.float16: "half_val", dtypes.float32: "float_val", dtypes.float64: "double_val",
    dtypes.int8: "int_val", dtypes.int16: "int_val", dtypes.int32: "int_val",
    dtypes.uint8: "int_val", dtypes.int64: "int64_val", dtypes.bool: "bool_val",
    dtypes.string: "string_val",
}


def _typed_values(proto, dtype, what):
    vals = getattr(proto, _VAL_FIELDS[dtype])
    if dtype is dtypes.string:
        out = np.empty(len(vals), dtype=object)
        out[:] = list(vals)
        return out
    if dtype is dtypes.float16:
        raw = np.array(vals, dtype=np.int64)
        if raw.size and (raw.min() < 0 or raw.max() > 0xFFFF):
            raise GraphDefError("%s: half_val holds a value outside 0..65535" % what)
        return raw.astype(np.uint16).view(np.float16)
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    if np_dtype.kind in "iu" and np_dtype.itemsize < 4:
        raw = np.array(vals, dtype=np.int64)
        info = np.iinfo(np_dtype)
        if raw.size and (raw.min() < info.min or raw.max() > info.max):
            raise GraphDefError("%s: int_val holds a value outside the range of %s"
                                % (what, dtype.name))
        return raw.astype(np_dtype)
    return np.array(vals, dtype=np_dtype)


def _tensor_from_proto(proto, what, budget):
    dtype = _dtype_from_enum(proto.dtype, what)
    shape = _shape_from_proto(proto.tensor_shape, what)
    if not shape.is_fully_defined():
        raise GraphDefError("%s: a tensor value needs a fully known shape, got %s"
                            % (what, shape))
    dims = shape.as_list()
    n = 1
    for d in dims:
        n *= d
    np_dtype = np.dtype(dtype.as_numpy_dtype)
    content = proto.tensor_content
    if content:
        if dtype is dtypes.string:
            raise GraphDefError("%s: a string tensor in tensor_content (strings go in "
                                "string_val)" % what)
        if len(content) != n * np_dtype.itemsize:
            raise GraphDefError("%s: tensor_content has %d bytes; a %s tensor of shape %s "
                                "needs %d" % (what, len(content), dtype.name, dims,
                                              n * np_dtype.itemsize))
        if dtype is dtypes.bool:
            arr = np.frombuffer(content, dtype=np.uint8) != 0
        else:
            arr = np.frombuffer(content, dtype=np_dtype.newbyteorder("<")).astype(np_dtype)
        arr = arr.reshape(dims)
    else:
        vals = _typed_values(proto, dtype, what)
        if len(vals) > n:
            raise GraphDefError("%s: %d values for a tensor of shape %s (%d elements)"
                                % (what, len(vals), dims, n))
        budget.take(n * (8 if dtype is dtypes.string else np_dtype.itemsize), what)
        if len(vals) == n:
            arr = vals.reshape(dims)
        else:
            # TF's rule: missing values repeat the last one (zero when there is none).
            fill = vals[-1] if len(vals) else (b"" if dtype is dtypes.string else 0)
            arr = np.empty(n, dtype=np_dtype)
            arr[:len(vals)] = vals
            arr[len(vals):] = fill
            arr = arr.reshape(dims)
    arr.flags.writeable = False
    return arr


def make_ndarray(tensor):
    """The ndarray a TensorProto holds (TF's tf.make_ndarray); GraphDefError if it
    is malformed or of a dtype graphflow lacks."""
    return _tensor_from_proto(tensor, "TensorProto", _Budget())


_SCALAR_FIELDS = {"type": "type", "int": "i", "float": "f", "bool": "b", "string": "s",
                  "shape": "shape", "tensor": "tensor"}
_LIST_FIELDS = ("s", "i", "f", "b", "type", "shape", "tensor", "func")


def _decode_string(raw, what):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise GraphDefError("%s: the string %r is not UTF-8" % (what, raw[:40])) from None


def _scalar_from(field, value, what, budget):
    if field == "type":
        return _dtype_from_enum(value, what)
    if field == "i":
        return int(value)
    if field == "f":
        return float(value)
    if field == "b":
        return bool(value)
    if field == "s":
        return _decode_string(value, what)
    if field == "shape":
        return _shape_from_proto(value, what)
    return _tensor_from_proto(value, what, budget)


def _describe(av):
    which = av.WhichOneof("value")
    return "no value" if which is None else "a '%s' value" % which


def _attr_from_proto(av, kind, what, budget):
    """The Python value of AttrValue `av` for an attr of `kind`."""
    which = av.WhichOneof("value")
    if kind.startswith("list("):
        if which is None:
            return []
        field = _SCALAR_FIELDS[kind[5:-1]]
        if which != "list":
            raise GraphDefError("%s: expected a %s, got %s" % (what, kind, _describe(av)))
        for other in _LIST_FIELDS:
            if other != field and len(getattr(av.list, other)):
                raise GraphDefError("%s: expected a %s, got a list of '%s'"
                                    % (what, kind, other))
        return [_scalar_from(field, v, what, budget) for v in getattr(av.list, field)]
    field = _SCALAR_FIELDS[kind]
    if which != field:
        raise GraphDefError("%s: expected a %s attr, got %s" % (what, kind, _describe(av)))
    return _scalar_from(field, getattr(av, field), what, budget)


def _private_attr_from_proto(av, name, what, budget):
    """A "_" attr (no schema): its natural Python value, or the AttrValue itself
    when it has none in graphflow (a function, a dtype graphflow lacks). `_class`
    and `_gradient_op_type`, which graphflow reads, must have their kinds."""
    if name == "_class":
        values = _attr_from_proto(av, "list(string)", what, budget)
        return [v for v in values if v.startswith("loc:@")]
    if name == "_gradient_op_type":
        return _attr_from_proto(av, "string", what, budget)
    which = av.WhichOneof("value")
    try:
        if which is None:
            return []
        if which == "list":
            field = next((f for f in _LIST_FIELDS if len(getattr(av.list, f))), None)
            if field is None:
                return []
            if field != "func":
                return [_scalar_from(field, v, what, budget) for v in getattr(av.list, field)]
        elif which == "s":
            return _decode_string(av.s, what)
        elif which not in ("func", "placeholder"):
            return _scalar_from(which, getattr(av, which), what, budget)
    except GraphDefError:
        pass
    copy = attr_value_pb2.AttrValue()
    copy.CopyFrom(av)
    return copy


def _is_zero_value(av):
    """Whether `av` is its kind's zero value, which is what TF gives attrs it added
    later (so that graphs written before them keep their meaning)."""
    which = av.WhichOneof("value")
    if which is None:
        return True
    if which == "list":
        return not any(len(getattr(av.list, f)) for f in _LIST_FIELDS)
    if which in ("s", "i", "f", "b"):
        return not getattr(av, which)
    return False


# --- parsing the untrusted GraphDef -------------------------------------------------------


def _as_graph_def(graph_def):
    """A graphflow GraphDef from a GraphDef message (graphflow's or TF's) or its bytes."""
    if isinstance(graph_def, graph_pb2.GraphDef):
        return graph_def
    if isinstance(graph_def, (bytes, bytearray, memoryview)):
        data = bytes(graph_def)
    elif isinstance(graph_def, _pb_message.Message) and \
            graph_def.DESCRIPTOR.name == "GraphDef":
        data = graph_def.SerializeToString()
    else:
        raise TypeError("graph_def must be a GraphDef proto (or its serialized bytes), got %s"
                        % type(graph_def).__name__)
    return parse_graph_def(data)


def parse_graph_def(data, as_text=False):
    """A GraphDef from serialized bytes (or protobuf text with as_text=True);
    GraphDefError if `data` is not one."""
    gd = graph_pb2.GraphDef()
    try:
        if as_text:
            text_format.Parse(data.decode("utf-8") if isinstance(data, bytes) else data, gd)
        else:
            gd.ParseFromString(data)
    except (_pb_message.DecodeError, text_format.ParseError, UnicodeDecodeError) as e:
        raise GraphDefError("not a valid %sGraphDef: %s" % ("text " if as_text else "", e)) \
            from None
    return gd


def read_graph_def(path, as_text=None):
    """The GraphDef in file `path` (write_graph's output). as_text=None reads
    .pbtxt/.txt files as text and others as binary."""
    path = str(path)
    if as_text is None:
        as_text = path.endswith((".pbtxt", ".txt"))
    with open(path, "rb") as f:
        data = f.read()
    try:
        return parse_graph_def(data, as_text)
    except GraphDefError as e:
        raise GraphDefError("%s: %s" % (path, e)) from None


class _Node:
    """One validated NodeDef, ready to become an Operation."""

    __slots__ = ("name", "op_def", "data_inputs", "control_inputs", "device", "attrs",
                 "output_dtypes")

    def __init__(self, name, op_def, data_inputs, control_inputs, device, attrs,
                 output_dtypes):
        self.name = name
        self.op_def = op_def
        self.data_inputs = data_inputs        # [(node name, output index)]
        self.control_inputs = control_inputs  # [node name]
        self.device = device
        self.attrs = attrs
        self.output_dtypes = output_dtypes


def _parse_input(text, what):
    m = _INPUT.match(text)
    if m is None:
        raise GraphDefError("%s: malformed input %r (expected 'node', 'node:k' or '^node')"
                            % (what, text))
    control, src, idx = m.group(1), m.group(2), m.group(3)
    if control and idx is not None:
        raise GraphDefError("%s: control input %r names an output" % (what, text))
    return bool(control), src, int(idx) if idx is not None else 0


def _count(args, attrs, what):
    """How many tensors `args` stand for under `attrs`."""
    total = 0
    for arg in args:
        if arg.type_list_attr:
            total += len(attrs[arg.type_list_attr])
        elif arg.number_attr:
            if attrs[arg.number_attr] < 0:
                raise GraphDefError("%s: attr '%s' is %d; a list length must be >= 0"
                                    % (what, arg.number_attr, attrs[arg.number_attr]))
            total += attrs[arg.number_attr]
        else:
            total += 1
    return total


def _arg_dtypes(args, attrs):
    """The dtype of each tensor of `args` (a list with one entry per tensor)."""
    out = []
    for arg in args:
        if arg.type_list_attr:
            out.extend(attrs[arg.type_list_attr])
            continue
        dt = arg.dtype if arg.dtype is not None else attrs[arg.type_attr]
        out.extend([dt] * (attrs[arg.number_attr] if arg.number_attr else 1))
    return out


def _check_attr(a, value, what):
    if a.kind == "type" and a.allowed and value not in a.allowed:
        raise GraphDefError("%s: %s is not an allowed type (%s)"
                            % (what, value.name, ", ".join(t.name for t in a.allowed)))
    if a.kind == "list(type)" and a.allowed:
        for t in value:
            if t not in a.allowed:
                raise GraphDefError("%s: %s is not an allowed type (%s)"
                                    % (what, t.name, ", ".join(x.name for x in a.allowed)))
    if a.minimum is not None:
        n = value if a.kind == "int" else len(value)
        if n < a.minimum:
            raise GraphDefError("%s: %d is below the minimum %d" % (what, n, a.minimum))


def _node_attrs(nd, op_def, producer_defaults, budget):
    where = "node '%s' (%s)" % (nd.name, nd.op)
    attrs = {}
    for name, av in nd.attr.items():
        what = "%s attr '%s'" % (where, name)
        a = op_def.attrs.get(name)
        if a is not None:
            attrs[name] = _attr_from_proto(av, a.kind, what, budget)
        elif name.startswith("_"):
            if name != "_output_shapes":      # recomputed by graphflow's shape functions
                attrs[name] = _private_attr_from_proto(av, name, what, budget)
        else:
            default = producer_defaults.get((nd.op, name))
            if default is not None and default.SerializeToString(deterministic=True) == \
                    av.SerializeToString(deterministic=True):
                continue
            if default is None and _is_zero_value(av):
                continue
            raise GraphDefError("%s: attr '%s' is not an attr of graphflow's %s (it has %s)"
                                % (where, name, op_def.name, ", ".join(op_def.attrs) or "none"))
    for name, a in op_def.attrs.items():
        if name not in attrs:
            if not a.has_default:
                raise GraphDefError("%s: missing attr '%s' (%s)" % (where, name, a.kind))
            attrs[name] = op_builder._coerce_attr(a, a.default)   # a fresh copy
        _check_attr(a, attrs[name], "%s attr '%s'" % (where, name))
    if op_def.name == "Const" and attrs["value"].dtype != \
            np.dtype(attrs["dtype"].as_numpy_dtype):
        raise GraphDefError("%s: its value is %s but its dtype attr is %s" % (
            where, dtypes.as_dtype(attrs["value"].dtype).name, attrs["dtype"].name))
    return attrs


def _parse_node(nd, op_def, producer_defaults, budget):
    where = "node '%s' (%s)" % (nd.name, nd.op)
    attrs = _node_attrs(nd, op_def, producer_defaults, budget)
    data, control = [], []
    for text in nd.input:
        is_control, src, idx = _parse_input(text, where)
        if is_control:
            control.append(src)
        elif control:
            raise GraphDefError("%s: data input %r comes after a control input (control "
                                "inputs go last)" % (where, text))
        else:
            data.append((src, idx))
    want = _count(op_def.inputs, attrs, where)
    if want != len(data):
        raise GraphDefError("%s: has %d data inputs, its attrs call for %d (%s)" % (
            where, len(data), want, ", ".join(a.name for a in op_def.inputs) or "none"))
    if _count(op_def.outputs, attrs, where) > MAX_NODE_OUTPUTS:
        raise GraphDefError("%s: its attrs call for more than %d outputs"
                            % (where, MAX_NODE_OUTPUTS))
    device = ""
    if nd.device:
        try:
            device = device_lib.canonical_name(nd.device)
        except (ValueError, TypeError) as e:
            raise GraphDefError("%s: bad device %r: %s" % (where, nd.device, e)) from None
    return _Node(nd.name, op_def, data, control, device, attrs,
                 _arg_dtypes(op_def.outputs, attrs))


def _producer_defaults(producer_op_list):
    """{(op, attr): default AttrValue} from an OpList (TF's producer_op_list)."""
    out = {}
    if producer_op_list is None:
        return out
    for od in getattr(producer_op_list, "op", ()):
        for a in od.attr:
            if a.HasField("default_value"):
                av = attr_value_pb2.AttrValue()
                av.ParseFromString(a.default_value.SerializeToString())
                out[(od.name, a.name)] = av
    return out


# TF2's functional conds (control flow v2), whose branches are functions of
# graph_def.library; graphflow runs TF1's Switch/Merge form of the same conds.
_FUNCTIONAL_CONDS = ("If", "StatelessIf", "Case", "StatelessCase")


def _unsupported_ops_error(unknown, functions):
    parts = []
    for op_type, names in sorted(unknown.items()):
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        kind = " (a function of graph_def.library)" if op_type in functions else ""
        parts.append("%s%s (%d node%s: %s)" % (op_type, kind, len(names),
                                                "" if len(names) == 1 else "s", shown))
    hint = ""
    conds = [t for t in _FUNCTIONAL_CONDS if t in unknown]
    if conds:
        hint = (". %s %s TensorFlow 2's functional control flow; graphflow runs TF1's "
                "Switch/Merge conds: build the graph after "
                "tf.compat.v1.disable_control_flow_v2()"
                % ("/".join(conds), "is" if len(conds) == 1 else "are"))
    return GraphDefError("graph_def uses %d op type%s graphflow does not have: %s%s"
                         % (len(unknown), "" if len(unknown) == 1 else "s", "; ".join(parts),
                            hint))


def _parse_nodes(gd, producer_defaults, budget):
    registry = op_def_lib.registered_ops()
    functions = {f.signature.name for f in gd.library.function}
    unknown = {}
    seen = set()
    for nd in gd.node:
        if not _NODE_NAME.match(nd.name):
            raise GraphDefError("node name %r is not valid (letters, digits and . _ - / >, "
                                "not starting with _ - / >)" % nd.name)
        if nd.name in seen:
            raise GraphDefError("graph_def has two nodes named '%s'" % nd.name)
        seen.add(nd.name)
        if nd.op not in registry:
            unknown.setdefault(nd.op or "<empty op type>", []).append(nd.name)
    if unknown:
        raise _unsupported_ops_error(unknown, functions)
    return [_parse_node(nd, registry[nd.op], producer_defaults, budget) for nd in gd.node]


def _dependency_order(nodes, mapped):
    """`nodes` ordered so that each comes after its inputs (file order where free);
    GraphDefError on a reference to a missing node or a cycle."""
    by_name = {n.name: n for n in nodes}
    waiting = {}
    consumers = {}
    for n in nodes:
        deps = set()
        for src, idx in n.data_inputs:
            if (src, idx) in mapped:
                continue
            if src not in by_name:
                raise GraphDefError("node '%s' (%s): input '%s' is not a node of graph_def "
                                    "(nor in input_map)" % (n.name, n.op_def.name,
                                                            src if idx == 0 else
                                                            "%s:%d" % (src, idx)))
            deps.add(src)
        for src in n.control_inputs:
            if "^" + src in mapped:
                continue
            if src not in by_name:
                raise GraphDefError("node '%s' (%s): control input '^%s' is not a node of "
                                    "graph_def (nor in input_map)" % (n.name, n.op_def.name, src))
            deps.add(src)
        waiting[n.name] = len(deps)
        for d in deps:
            consumers.setdefault(d, []).append(n.name)
    # Kahn's algorithm, always taking the earliest ready node in file order.
    position = {n.name: i for i, n in enumerate(nodes)}
    order = []
    ready = [i for i, n in enumerate(nodes) if waiting[n.name] == 0]
    heapq.heapify(ready)
    while ready:
        node = nodes[heapq.heappop(ready)]
        order.append(node)
        for c in consumers.get(node.name, ()):
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, position[c])
    if len(order) != len(nodes):
        stuck = [n.name for n in nodes if waiting[n.name] > 0]
        raise GraphDefError("graph_def has a cycle among nodes %s%s (graphflow imports "
                            "acyclic graphs only)" % (", ".join(stuck[:10]),
                                                      ", ..." if len(stuck) > 10 else ""))
    return order


def _normalize_input_map(graph, input_map):
    """{(name, index) or "^name": Tensor or Operation} from TF's input_map."""
    if input_map is None:
        return {}
    if not isinstance(input_map, dict):
        raise TypeError("input_map must be a dict mapping graph_def tensor names to Tensors, "
                        "got %s" % type(input_map).__name__)
    out = {}
    for key, value in input_map.items():
        if not isinstance(key, str):
            raise TypeError("input_map keys must be tensor names (str), got %r" % (key,))
        if key.startswith("^"):
            op = graph.as_graph_element(value, allow_tensor=False, allow_operation=True)
            out[key] = op
            continue
        is_control, src, idx = _parse_input(key, "input_map key")
        out[(src, idx)] = ops_lib.convert_to_tensor(value)
        if out[(src, idx)].graph is not graph:
            raise ValueError("input_map value for %r is not in the default graph" % key)
    return out


# --- import -------------------------------------------------------------------------


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """Imports `graph_def` into the default graph (TF1's tf.import_graph_def).

    Node names get the prefix `name` + "/" ("import/" by default, made unique
    like a name scope; name="" keeps them as they are). `input_map` maps
    graph_def tensor names ("x:0", or "x" for "x:0") to Tensors of the default
    graph, and "^x" to Operations, replacing those inputs. `return_elements`
    names graph_def ops ("x") and tensors ("x:0") to return, in order; mapped
    tensors come back as their replacements. Returns that list, or None.

    `producer_op_list` (an OpList, e.g. a MetaGraphDef's stripped_op_list)
    gives the producer's attr defaults: an attr graphflow's op lacks is dropped
    when it holds its default. Without it, such an attr is dropped when it holds
    its kind's zero value (false, 0, "", []), which is how TF adds attrs to old
    ops; otherwise it is an error. `_output_shapes` attrs are dropped: graphflow
    infers the shapes. `op_dict` is ignored, as in TF.

    Raises GraphDefError (a ValueError) for an invalid graph_def, naming the node;
    the default graph is then unchanged.
    """
    del op_dict
    gd = _as_graph_def(graph_def)
    graph = graph_lib.get_default_graph()
    graph._check_not_finalized()
    location = ops_lib.user_location(2)
    mapped = _normalize_input_map(graph, input_map)
    if return_elements is not None:
        if isinstance(return_elements, str) or not all(
                isinstance(r, str) for r in return_elements):
            raise TypeError("return_elements must be a list of str, got %r" % (return_elements,))
        return_elements = list(return_elements)

    nodes = _parse_nodes(gd, _producer_defaults(producer_op_list), _Budget())
    names = {n.name for n in nodes}
    missing = sorted(k if isinstance(k, str) else "%s:%d" % k for k in mapped
                     if (k[1:] if isinstance(k, str) else k[0]) not in names)
    if missing:
        raise GraphDefError("Attempted to map inputs that were not found in graph_def: [%s]"
                            % ", ".join(missing))
    for r in return_elements or ():
        _, src, _ = _parse_input(r, "return_elements")
        if src not in names or r.startswith("^"):
            raise GraphDefError("Requested return_element %r not found in graph_def." % r)
    order = _dependency_order(nodes, mapped)

    scope_name = "import" if name is None else name
    snapshot = (dict(graph._names_in_use), graph._version)
    created = {}
    try:
        with graph.name_scope(scope_name) as scope:
            for node in order:
                created[node.name] = _create_op(graph, node, scope, names, created, mapped,
                                                location)
        return _return_elements(return_elements, created, mapped) \
            if return_elements is not None else None
    except Exception:
        _rollback(graph, created.values(), snapshot)
        raise


def _create_op(graph, node, scope, names, created, mapped, location):
    where = "node '%s' (%s)" % (node.name, node.op_def.name)
    inputs = []
    for src, idx in node.data_inputs:
        t = mapped.get((src, idx))
        if t is None:
            outs = created[src]._outputs
            if idx >= len(outs):
                raise GraphDefError("%s: input '%s:%d' does not exist: '%s' has %d output%s"
                                    % (where, src, idx, src, len(outs),
                                       "" if len(outs) == 1 else "s"))
            t = outs[idx]
        inputs.append(t)
    want = _arg_dtypes(node.op_def.inputs, node.attrs)
    ref_flags = node.op_def.input_ref_flags(node.attrs)
    for i, (t, dt, is_ref) in enumerate(zip(inputs, want, ref_flags)):
        if t.dtype != dt:
            raise GraphDefError("%s: input %d ('%s') is %s, the op expects %s"
                                % (where, i, t.name, t.dtype.name, dt.name))
        if is_ref and not t._is_ref:
            raise GraphDefError("%s: input %d ('%s') must be a variable (a ref tensor)"
                                % (where, i, t.name))
    control = []
    for src in node.control_inputs:
        op = mapped.get("^" + src) or created[src]
        if op not in control:
            control.append(op)
    attrs = dict(node.attrs)
    loc = attrs.get("_class")
    if loc:
        attrs["_class"] = [_renamed_colocation(c, scope, names, mapped) for c in loc]
    try:
        op = graph.create_op(node.op_def, inputs, attrs, node.output_dtypes,
                             name=scope + node.name + "/", location=location)
    except ValueError as e:
        raise GraphDefError("%s: %s" % (where, e)) from None
    op._add_control_inputs(control)
    if node.device:
        op._device = device_lib.merge(op._device, node.device)
    for arg, start in op_builder._output_ranges(node.op_def, node.attrs):
        if arg.is_ref:
            op._outputs[start]._is_ref = True
    try:
        op_builder.infer_shapes(op)
    except ValueError as e:
        raise GraphDefError(str(e)) from None
    except Exception as e:   # a shape function meeting attrs no builder would produce
        raise GraphDefError("%s: shape inference failed: %s: %s"
                            % (where, type(e).__name__, e)) from None
    return op


def _renamed_colocation(entry, scope, names, mapped):
    """`_class` entry "loc:@x" for the imported graph: x renamed with the import
    prefix, or the op x:0 is mapped to."""
    target = entry[len("loc:@"):]
    t = mapped.get((target, 0))
    if t is not None:
        return "loc:@" + t.op.name
    if target in names:
        return "loc:@" + scope + target
    return entry


def _return_elements(return_elements, created, mapped):
    out = []
    for r in return_elements:
        _, src, idx = _parse_input(r, "return_elements")
        if ":" not in r:
            out.append(created[src])
            continue
        t = mapped.get((src, idx))
        if t is None:
            outs = created[src]._outputs
            if idx >= len(outs):
                raise GraphDefError("Requested return_element %r not found in graph_def: "
                                    "'%s' has %d outputs." % (r, src, len(outs)))
            t = outs[idx]
        out.append(t)
    return out


def _rollback(graph, ops, snapshot):
    """Removes `ops` (an import that failed) from `graph`."""
    ops = [op for op in ops if graph._by_name.get(op.name) is op]
    doomed = set(ops)
    graph._ops = [op for op in graph._ops if op not in doomed]
    for op in ops:
        del graph._by_name[op.name]
        for t in op._inputs:
            if op in t._consumers:
                t._consumers.remove(op)
        for c in op._control_inputs:
            if op in c._control_outputs:
                c._control_outputs.remove(op)
    graph._names_in_use = snapshot[0]
    graph._version = snapshot[1] + 1


# --- files -----------------------------------------------------------------------------


def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Writes a Graph's (or a GraphDef's) GraphDef to `logdir`/`name`, creating
    `logdir`; protobuf text with as_text, else binary. Returns the path."""
    import os

    from graphflow.io import checkpoint
    if isinstance(graph_or_graph_def, graph_lib.Graph):
        gd = graph_or_graph_def.as_graph_def()
    elif isinstance(graph_or_graph_def, _pb_message.Message):
        gd = graph_or_graph_def
    else:
        raise TypeError("write_graph takes a Graph or a GraphDef, got %s"
                        % type(graph_or_graph_def).__name__)
    logdir = os.fspath(logdir)
    if logdir:
        os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    data = (text_format.MessageToString(gd).encode("utf-8") if as_text
            else gd.SerializeToString())
    checkpoint.atomic_write(path, lambda f: f.write(data))
    return path
