"""Graph: the container of operations, with TF1's scoping machinery
(name scopes, control dependencies, devices, colocation, collections) and the
default-graph stack."""

import contextlib
import re
import threading

from graphflow.framework import device as device_lib
from graphflow.framework import ops as ops_lib

_VALID_OP_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\\/>-]*$")
_VALID_SCOPE_NAME = re.compile(r"^[A-Za-z0-9_.\\/>-]*$")


class GraphKeys:
    """Standard collection names (TF's values, so MetaGraphs interoperate)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"
    VARIABLES = GLOBAL_VARIABLES


class Graph:
    """A dataflow graph. Ops are added through the builder functions while
    this graph is the default (`with g.as_default():`)."""

    def __init__(self):
        self._ops = []
        self._by_name = {}
        self._names_in_use = {}
        self._name_stack = ""
        self._control_stack = []   # list of lists of Operations; None entry clears
        self._device_stack = []    # strings or callables
        self._colocation_stack = []
        self._collections = {}
        self._finalized = False
        self._version = 0
        self._unfetchable = set()
        self._unfeedable = set()
        self._gradient_override_map = {}
        self._control_flow_context = None  # the cond branch being built (control_flow_ops)
        self._lock = threading.RLock()
        self.seed = None
        self._last_id = 0

    # --- building ----------------------------------------------------------

    def _check_not_finalized(self):
        if self._finalized:
            raise RuntimeError("Graph is finalized and cannot be modified.")

    def create_op(self, op_def, inputs, attrs, output_dtypes, name=None, location=None):
        """Adds an Operation; the low-level call under every builder function."""
        self._check_not_finalized()
        with self._lock:
            name = self._op_name(name or op_def.name)
            cf_context = self._control_flow_context
            if cf_context is not None:  # inside a cond branch: values from outside go through a Switch
                inputs = cf_context.add_op_inputs(inputs)
            control = self._current_control_inputs(inputs)
            if cf_context is not None and not inputs:  # runs only when its branch is taken
                control.append(cf_context.pivot.op)
            if self._colocation_stack:
                attrs["_class"] = ["loc:@%s" % self._colocation_stack[-1].name]
            if op_def.name in self._gradient_override_map:
                attrs["_gradient_op_type"] = self._gradient_override_map[op_def.name]
            self._last_id += 1
            op = ops_lib.Operation(self, self._last_id, name, op_def, inputs, attrs,
                                   output_dtypes, control, "", location)
            # Device functions see the op, so the device is decided once it exists.
            op._control_flow_context = cf_context
            op._device = self._current_device(op)
            if self._colocation_stack and not op._device:
                op._device = self._colocation_stack[-1].device
            self._ops.append(op)
            self._by_name[name] = op
            self._version += 1
            return op

    def _op_name(self, name):
        if name.endswith("/"):  # an absolute name from a captured scope
            name = name[:-1]
            if name in self._by_name:
                raise ValueError("Duplicate node name in graph: '%s'" % name)
            self._names_in_use.setdefault(name.lower(), 1)
            return name
        if not _VALID_OP_NAME.match(name.split("/")[-1] if name else "x"):
            raise ValueError("'%s' is not a valid node name: use letters, digits, '.', '_', "
                             "'-' and '/'" % name)
        return self.unique_name(name)

    def unique_name(self, name, mark_as_used=True):
        """`name` under the current name scope, suffixed _1, _2... if taken."""
        if self._name_stack:
            name = self._name_stack + "/" + name
        key = name.lower()
        i = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = i + 1
        if i > 0:
            base = key
            while key in self._names_in_use:
                key = "%s_%d" % (base, i)
                i += 1
            if mark_as_used:
                self._names_in_use[key] = 1
            name = "%s_%d" % (name, i - 1)
        return name

    def get_name_scope(self):
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name):
        """Scope for op names. Re-entering "a" gives "a_1"; "a/" re-enters "a"
        itself; None or "" returns to the top level."""
        if name and not _VALID_SCOPE_NAME.match(name):
            raise ValueError("'%s' is not a valid scope name" % name)
        old = self._name_stack
        if not name:
            new = ""
        elif name.endswith("/"):
            new = name[:-1]
        else:
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            self._name_stack = old

    # --- control dependencies ------------------------------------------------

    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run only after `control_inputs`; None clears the
        outer contexts."""
        if control_inputs is None:
            self._control_stack.append(None)
        else:
            ops = []
            for c in control_inputs:
                c = _as_op(c)
                if c.graph is not self:
                    raise ValueError("Control input %s is from a different graph" % c.name)
                ops.append(c)
            self._control_stack.append(ops)
        try:
            yield
        finally:
            self._control_stack.pop()

    @contextlib.contextmanager
    def _control_flow_context_as(self, context):
        """Builds ops inside cond branch `context` (None: outside every branch)."""
        old = self._control_flow_context
        self._control_flow_context = context
        try:
            yield
        finally:
            self._control_flow_context = old

    @contextlib.contextmanager
    def init_scope(self):
        """Ops built inside escape control dependencies and cond branches, as
        variables and their initializers must (TF's init_scope, in one graph)."""
        with self.control_dependencies(None), self._control_flow_context_as(None):
            yield

    def _current_control_inputs(self, inputs):
        out = []
        for frame in reversed(self._control_stack):
            if frame is None:
                break
            for c in frame:
                if c not in out:
                    out.append(c)
        if out:
            producers = {t.op for t in inputs}
            out = [c for c in out if c not in producers]
        return out

    # --- devices and colocation ----------------------------------------------

    @contextlib.contextmanager
    def device(self, device_name_or_function):
        """Places ops created inside on a device ("/cpu:0", "/device:GPU:1",
        a DeviceSpec, or fn(op) -> device string). None clears outer scopes."""
        if device_name_or_function is not None and not callable(device_name_or_function):
            device_name_or_function = device_lib.canonical_name(device_name_or_function)
        self._device_stack.append(device_name_or_function)
        try:
            yield
        finally:
            self._device_stack.pop()

    def _current_device(self, op):
        dev = ""
        for d in self._device_stack:
            if d is None:
                dev = ""
                continue
            if callable(d):
                op._device = dev
                d = d(op) or ""
                if not isinstance(d, str):
                    d = device_lib.canonical_name(d)
            if d:
                dev = device_lib.merge(dev, d)
        return dev

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing=False):
        """Ops created inside are placed with `op` (TF's `_class` loc: attr)."""
        op = _as_op(op) if op is not None else None
        old = self._colocation_stack
        if ignore_existing:
            self._colocation_stack = []
        if op is not None:
            self._colocation_stack = self._colocation_stack + [op]
        saved_devices = self._device_stack
        if op is not None:
            self._device_stack = []  # colocation overrides device scopes
        try:
            yield
        finally:
            self._colocation_stack = old
            self._device_stack = saved_devices

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map):
        """Within the context, gradients of op types use the named registered gradient."""
        old = dict(self._gradient_override_map)
        self._gradient_override_map.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override_map = old

    # --- lookup ------------------------------------------------------------------

    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Operation names are strings (or similar), not %s." % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=False, allow_operation=True)

    def get_tensor_by_name(self, name):
        if not isinstance(name, str):
            raise TypeError("Tensor names are strings (or similar), not %s." % type(name).__name__)
        return self.as_graph_element(name, allow_tensor=True, allow_operation=False)

    def _get_operation_or_none(self, name):
        return self._by_name.get(name)

    def as_graph_element(self, obj, allow_tensor=True, allow_operation=True):
        """The Tensor or Operation that `obj` (object or "name"/"name:0") names."""
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, ops_lib.Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError("Tensor %s is not an element of this graph." % obj.name)
            return obj
        if isinstance(obj, ops_lib.Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError("Operation %s is not an element of this graph." % obj.name)
            return obj
        if isinstance(obj, str):
            if ":" in obj:
                if not allow_tensor:
                    raise ValueError("Name '%s' appears to refer to a Tensor, not an Operation."
                                     % obj)
                op_name, idx = obj.rsplit(":", 1)
                try:
                    idx = int(idx)
                except ValueError:
                    raise ValueError("The name '%s' looks like a Tensor name, but is not a valid "
                                     "one. Tensor names must be of the form "
                                     "\"<op_name>:<output_index>\"." % obj) from None
                op = self._by_name.get(op_name)
                if op is None:
                    raise KeyError("The name '%s' refers to a Tensor which does not exist. The "
                                   "operation, '%s', does not exist in the graph." % (obj, op_name))
                if idx < 0 or idx >= len(op._outputs):
                    raise KeyError("The name '%s' refers to a Tensor which does not exist. The "
                                   "operation, '%s', exists but only has %d outputs."
                                   % (obj, op_name, len(op._outputs)))
                return op._outputs[idx]
            if not allow_operation:
                op = self._by_name.get(obj)
                hint = (" Did you mean '%s:0'?" % obj) if op is not None else ""
                raise ValueError("The name '%s' refers to an Operation, not a Tensor. Tensor "
                                 "names must be of the form \"<op_name>:<output_index>\".%s"
                                 % (obj, hint))
            op = self._by_name.get(obj)
            if op is None:
                raise KeyError("The name '%s' refers to an Operation not in the graph." % obj)
            return op
        kinds = [k for k, ok in (("Tensor", allow_tensor), ("Operation", allow_operation)) if ok]
        raise TypeError("Can not convert a %s into a %s." % (type(obj).__name__,
                                                              " or ".join(kinds)))

    # --- collections ---------------------------------------------------------------

    def add_to_collection(self, name, value):
        self._check_not_finalized()
        self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value):
        names = (names,) if isinstance(names, str) else set(names)
        for n in names:
            self.add_to_collection(n, value)

    def get_collection_ref(self, name):
        return self._collections.setdefault(name, [])

    def get_collection(self, name, scope=None):
        """A copy of collection `name`, filtered to items whose name matches `scope`."""
        items = self._collections.get(name, [])
        if scope is None:
            return list(items)
        pattern = re.compile(scope)
        return [i for i in items if getattr(i, "name", None) is not None
                and pattern.match(i.name)]

    def get_all_collection_keys(self):
        return [k for k, v in self._collections.items() if isinstance(v, list)]

    def clear_collection(self, name):
        self._check_not_finalized()
        self._collections.pop(name, None)

    # --- state -----------------------------------------------------------------------

    def finalize(self):
        """Makes the graph read-only; adding an op then raises RuntimeError."""
        self._finalized = True

    @property
    def finalized(self):
        return self._finalized

    def _unsafe_unfinalize(self):
        self._finalized = False

    @property
    def version(self):
        return self._version

    def prevent_feeding(self, tensor):
        self._unfeedable.add(tensor)

    def prevent_fetching(self, op):
        self._unfetchable.add(op)

    def is_feedable(self, tensor):
        return tensor not in self._unfeedable

    def is_fetchable(self, tensor_or_op):
        op = tensor_or_op.op if isinstance(tensor_or_op, ops_lib.Tensor) else tensor_or_op
        return op not in self._unfetchable

    def as_default(self):
        """Context in which this graph is the default graph."""
        return _default_graph_stack.get_controller(self)

    def as_graph_def(self, from_version=None, add_shapes=False):
        from graphflow.io import graph_def
        return graph_def.graph_to_graph_def(self, add_shapes=add_shapes)


def _as_op(x):
    if hasattr(x, "_as_graph_element"):
        x = x._as_graph_element()
    if isinstance(x, ops_lib.Tensor):
        return x.op
    if isinstance(x, ops_lib.Operation):
        return x
    if hasattr(x, "op") and isinstance(x.op, ops_lib.Operation):
        return x.op
    raise TypeError("Can not convert a %s into an Operation or Tensor." % type(x).__name__)


class _DefaultGraphStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = []

    @contextlib.contextmanager
    def get_controller(self, g):
        self.stack.append(g)
        try:
            yield g
        finally:
            if self.stack and self.stack[-1] is g:
                self.stack.pop()


_default_graph_stack = _DefaultGraphStack()
_global_default_graph = None


def get_default_graph():
    """The innermost graph of `with g.as_default()`, or the global default graph."""
    if _default_graph_stack.stack:
        return _default_graph_stack.stack[-1]
    global _global_default_graph
    if _global_default_graph is None:
        _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph():
    """Replaces the global default graph with a new empty one."""
    if _default_graph_stack.stack:
        raise AssertionError("Do not use gf.reset_default_graph() to clear nested graphs. If "
                             "you need a cleared graph, exit the nesting and create a new graph.")
    global _global_default_graph
    _global_default_graph = Graph()
    from graphflow.runtime import session as session_lib
    session_lib._reset_default_session_stack()


@contextlib.contextmanager
def name_scope(name, default_name=None, values=None):
    """TF1 `tf.name_scope(name, default_name, values)`."""
    g = _graph_of(values) if values else get_default_graph()
    n = name if name is not None else default_name
    if n is None and name is None and default_name is None:
        n = None
    with g.as_default(), g.name_scope(n) as scope:
        yield scope


def _graph_of(values):
    for v in values:
        if isinstance(v, (ops_lib.Tensor, ops_lib.Operation)):
            return v.graph
        if hasattr(v, "graph") and isinstance(getattr(v, "graph"), Graph):
            return v.graph
    return get_default_graph()


def control_dependencies(control_inputs):
    return get_default_graph().control_dependencies(control_inputs)


def init_scope():
    return get_default_graph().init_scope()


def device(name_or_function):
    return get_default_graph().device(name_or_function)


def colocate_with(op, ignore_existing=False):
    return get_default_graph().colocate_with(op, ignore_existing)


def add_to_collection(name, value):
    get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value):
    get_default_graph().add_to_collections(names, value)


def get_collection(key, scope=None):
    return get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return get_default_graph().get_collection_ref(key)


def get_name_scope():
    return get_default_graph().get_name_scope()
