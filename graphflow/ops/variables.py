"""Variable: state that persists across Session.run calls (TF1 semantics).

A Variable is three ops: VariableV2 (the storage, a ref), Assign (its
initializer) and an Identity named "read" (its value as a tensor). Using a
Variable where a tensor is expected reads it.
"""

from graphflow.framework import graph as graph_lib
from graphflow.framework import ops as ops_lib
from graphflow.framework.graph import GraphKeys
from graphflow.ops import array_ops
from graphflow.ops import control_flow_ops
from graphflow.ops import state_ops


class Variable:
    """A mutable tensor stored in the session.

        w = gf.Variable(gf.zeros([3]), name="w")
        sess.run(w.initializer)          # or gf.global_variables_initializer()
        sess.run(w.assign_add([1., 1., 1.]))
    """

    def __init__(self, initial_value=None, trainable=True, collections=None,
                 validate_shape=True, caching_device=None, name=None, variable_def=None,
                 dtype=None, expected_shape=None, import_scope=None, constraint=None):
        if variable_def is not None:
            raise NotImplementedError("Variable(variable_def=...) comes with MetaGraph import")
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        self._trainable = trainable
        self._constraint = constraint
        self._save_slice_info = None
        with graph_lib.init_scope(), graph_lib.name_scope(name, "Variable", []) as scope:
            with graph_lib.name_scope("Initializer"):
                if callable(initial_value):
                    initial_value = initial_value()
                self._initial_value = ops_lib.convert_to_tensor(
                    initial_value, dtype=dtype, name="initial_value")
            shape = self._initial_value.shape if validate_shape else None
            if validate_shape and not shape.is_fully_defined():
                raise ValueError("initial_value of variable '%s' must have a fully defined shape "
                                 "(got %s); pass validate_shape=False for a variable whose shape "
                                 "is known only at run time." % (scope[:-1], shape))
            self._variable = state_ops.variable_op_v2(
                shape, self._initial_value.dtype.base_dtype, name=scope)
            with graph_lib.colocate_with(self._variable.op):
                self._initializer_op = state_ops.assign(
                    self._variable, self._initial_value, validate_shape=validate_shape).op
                self._snapshot = array_ops.identity(self._variable, name="read")
        graph_lib.get_default_graph().add_to_collections(collections, self)

    # --- identity ------------------------------------------------------------

    name = property(lambda self: self._variable.name)
    op = property(lambda self: self._variable.op)
    graph = property(lambda self: self._variable.graph)
    device = property(lambda self: self._variable.device)
    dtype = property(lambda self: self._variable.dtype)
    shape = property(lambda self: self._variable.shape)
    initializer = property(lambda self: self._initializer_op)
    initial_value = property(lambda self: self._initial_value)
    trainable = property(lambda self: self._trainable)
    constraint = property(lambda self: self._constraint)

    def get_shape(self):
        return self.shape

    def _ref(self):
        return self._variable

    def _as_graph_element(self):
        return self._snapshot

    def value(self):
        """The variable's value as a tensor (its "read" snapshot)."""
        return self._snapshot

    def read_value(self):
        return array_ops.identity(self._variable, name="read")

    def initialized_value(self):
        """The value once the variable is initialized: reads after running the
        initializer (use it to build another variable's initial value)."""
        with graph_lib.control_dependencies([self._initializer_op]):
            return array_ops.identity(self._variable)

    def eval(self, session=None):
        return self._snapshot.eval(session=session)

    # --- updates -------------------------------------------------------------

    def assign(self, value, use_locking=False, name=None, read_value=True):
        r = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return r if read_value else r.op

    def assign_add(self, delta, use_locking=False, name=None, read_value=True):
        r = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return r if read_value else r.op

    def assign_sub(self, delta, use_locking=False, name=None, read_value=True):
        r = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return r if read_value else r.op

    def load(self, value, session=None):
        """Writes `value` into the variable by feeding its initializer."""
        from graphflow.runtime import session as session_lib
        session = session or session_lib.get_default_session()
        if session is None:
            raise ValueError("Variable.load needs a session: pass session= or use a default one")
        session.run(self._initializer_op, {self._initializer_op.inputs[1]: value})

    def __repr__(self):
        return "<gf.Variable '%s' shape=%s dtype=%s>" % (self.name, self.shape, self.dtype.name)

    def __getitem__(self, key):
        return self._snapshot[key]

    def __bool__(self):
        return self._snapshot.__bool__()

    __hash__ = object.__hash__

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


def _forward_operator(name):
    def method(self, *args):
        return getattr(self._snapshot, name)(*args)
    method.__name__ = name
    return method


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__truediv__", "__rtruediv__", "__floordiv__", "__rfloordiv__", "__mod__",
              "__rmod__", "__pow__", "__rpow__", "__matmul__", "__rmatmul__", "__lt__",
              "__le__", "__gt__", "__ge__", "__and__", "__rand__", "__or__", "__ror__",
              "__xor__", "__rxor__", "__neg__", "__abs__", "__invert__"):
    setattr(Variable, _name, _forward_operator(_name))
Variable.__array_priority__ = 100


def _variable_to_tensor(v, dtype=None, name=None, as_ref=False):
    t = v._variable if as_ref else v._snapshot
    if dtype is not None and dtype != t.dtype:
        raise ValueError("Incompatible type conversion requested to type '%s' for variable of "
                         "type '%s'" % (dtype.name, t.dtype.name))
    return t


ops_lib.register_tensor_conversion_function(Variable, _variable_to_tensor)

VariableV1 = Variable


def global_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def local_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def trainable_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def model_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope=None):
    return graph_lib.get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, scope)


def variables_initializer(var_list, name="init"):
    """One op that runs the initializers of `var_list`."""
    if var_list:
        return control_flow_ops.group(*[v.initializer for v in var_list], name=name)
    return control_flow_ops.no_op(name=name)


def global_variables_initializer():
    return variables_initializer(global_variables())


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


initialize_all_variables = global_variables_initializer


def is_variable_initialized(variable):
    return state_ops.is_variable_initialized(variable)


def report_uninitialized_variables(var_list=None, name="report_uninitialized_variables"):
    """A 1-D string tensor with the names of the variables in var_list
    (default: all global and local variables) that are not initialized."""
    from graphflow.framework import dtypes
    from graphflow.ops import array_ops, constant_op, indexing_ops, math_ops
    if var_list is None:
        var_list = global_variables() + local_variables()
    with graph_lib.name_scope(name):
        if not var_list:
            return array_ops.identity(constant_op.constant([], dtype=dtypes.string))
        initialized = array_ops.stack([state_ops.is_variable_initialized(v) for v in var_list])
        names = constant_op.constant([v.op.name for v in var_list])
        missing = array_ops.reshape(math_ops.where(math_ops.logical_not(initialized)), [-1])
        return indexing_ops.gather(names, missing)
