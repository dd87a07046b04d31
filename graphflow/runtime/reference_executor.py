"""A pure-NumPy executor: runs any graph of registered ops through their
reference implementations. It is the oracle the C++ kernels are tested
against, and it folds constants at graph-construction time.

    ReferenceExecutor(graph).run([c], {a: [[1., 2., 3.]]})
"""

import numpy as np

from graphflow.framework import errors
from graphflow.framework import ops as ops_lib


class VarRef:
    """A reference to a variable's storage (what VariableV2 outputs)."""

    __slots__ = ("key", "op_name")

    def __init__(self, key, op_name):
        self.key = key
        self.op_name = op_name


class _Dead:
    """The value of a dead tensor: the untaken side of a Switch. An op with a
    dead input (or a control input from a dead op) is dead itself, except the
    ops in HANDLES_DEAD, whose references see DEAD and decide."""

    __slots__ = ()

    def __repr__(self):
        return "DEAD"


DEAD = _Dead()
HANDLES_DEAD = frozenset(["Merge"])


class RefState:
    """State that outlives one run: variables and per-op random streams."""

    def __init__(self):
        self.variables = {}   # key -> ndarray
        self.op_state = {}    # op name -> anything a stateful reference keeps


class RefContext:
    """What a reference implementation sees besides its inputs."""

    __slots__ = ("op", "attrs", "state")

    def __init__(self, op, state):
        self.op = op
        self.attrs = op._attrs
        self.state = state

    def read_var(self, ref):
        if ref.key not in self.state.variables:
            raise errors.FailedPreconditionError(
                None, self.op, "Attempting to use uninitialized value %s" % ref.op_name)
        return self.state.variables[ref.key]


def _normalize(op, result):
    outs = list(result) if isinstance(result, (tuple, list)) else [result]
    if len(outs) != len(op._outputs):
        raise AssertionError("reference of %s returned %d outputs, expected %d"
                             % (op.type, len(outs), len(op._outputs)))
    fixed = []
    for t, v in zip(op._outputs, outs):
        if isinstance(v, VarRef) or v is DEAD:
            fixed.append(v)
        else:
            fixed.append(np.asarray(v, dtype=t.dtype.as_numpy_dtype))
    return fixed


def run_reference(op, values, state=None):
    """Outputs of `op` for input arrays `values` (refs dereferenced where the
    op reads a value)."""
    state = state if state is not None else RefState()
    ctx = RefContext(op, state)
    args = []
    for arg_is_ref, v in zip(op.op_def.input_ref_flags(op._attrs), values):
        if isinstance(v, VarRef) and not arg_is_ref:
            v = ctx.read_var(v)
        args.append(v)
    return _normalize(op, op.op_def.reference(ctx, *args))


class ReferenceExecutor:
    """Runs fetches of `graph` with NumPy; keeps variables across runs."""

    def __init__(self, graph):
        self.graph = graph
        self.state = RefState()

    def run(self, fetches, feed_dict=None):
        from graphflow.compiler import prune
        single = not isinstance(fetches, (list, tuple))
        fetch_list = [fetches] if single else list(fetches)
        elems = [self.graph.as_graph_element(f) for f in fetch_list]
        feeds = {}
        for k, v in (feed_dict or {}).items():
            t = self.graph.as_graph_element(k, allow_operation=False)
            feeds[t] = np.asarray(v, dtype=t.dtype.as_numpy_dtype)
        order = prune.needed_ops(elems, feeds)
        values = dict(feeds)
        dead_ops = set()
        for op in order:
            ins = [values[t] for t in op._inputs]
            if op.type not in HANDLES_DEAD and (any(v is DEAD for v in ins) or
                                                any(c in dead_ops for c in op._control_inputs)):
                outs = [DEAD] * len(op._outputs)
                dead_ops.add(op)
            else:
                outs = run_reference(op, ins, self.state)
                if outs and all(v is DEAD for v in outs):  # a Merge with no live input
                    dead_ops.add(op)
            for t, v in zip(op._outputs, outs):
                if t not in feeds:
                    values[t] = v
        results = []
        for e in elems:
            if isinstance(e, ops_lib.Operation):
                results.append(None)
                continue
            v = values[e]
            if v is DEAD:
                raise errors.InvalidArgumentError(
                    None, e.op, "Fetched tensor %s has no value: it is dead, on the untaken "
                    "side of a cond (a Switch)" % e.name)
            if isinstance(v, VarRef):
                v = RefContext(e.op, self.state).read_var(v)
            results.append(np.array(v))
        return results[0] if single else results
