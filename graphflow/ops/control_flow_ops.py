"""Control flow: NoOp, group, tuple, and conditionals: the Switch and Merge
primitives and `cond`, `smart_cond` and `case` built on them.

A cond builds each branch inside a CondContext. Every value a branch reads
from outside goes through a Switch on the predicate, so on the untaken side it
is dead and the executor skips the branch's ops; ops with no inputs get a
control edge from the branch's pivot for the same reason. A Merge per output
forwards the live result. (while_loop needs executor frames: not yet.)
"""

import builtins

import numpy as np

from graphflow.framework import dtypes
from graphflow.framework import graph as graph_lib
from graphflow.framework import nest
from graphflow.framework import op_builder
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_shape
from graphflow.framework import tensor_util
from graphflow.framework.op_def import op
from graphflow.gradients import NotDifferentiable, RegisterGradient
from graphflow.runtime.reference_executor import DEAD


@op("NoOp", shape=None)
def _no_op(ctx):
    return ()


NotDifferentiable("NoOp")


def no_op(name=None):
    """An op that does nothing; useful as a target with control dependencies."""
    return op_builder.apply_op("NoOp", [], name=name)


def group(*inputs, **kwargs):
    """An op that runs after all `inputs` (ops or tensors) have run."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError("group() got unexpected keyword arguments: %s" % ", ".join(kwargs))
    deps = []
    for x in inputs:
        if isinstance(x, (list, builtins.tuple)):
            deps.extend(x)
        elif x is not None:
            deps.append(x)
    # The NoOp takes the scope's own name ("group_deps", "init"), as in TF.
    with graph_lib.name_scope(name, "group_deps") as scope:
        with graph_lib.control_dependencies(deps):
            return no_op(name=scope)


def tuple(tensors, name=None, control_inputs=None):  # noqa: A001 (TF's name)
    """Tensors with the same values, each available only after all are computed."""
    from graphflow.ops import array_ops
    with graph_lib.name_scope(name, "tuple"):
        gate = group(*[t for t in tensors if t is not None], *(control_inputs or []))
        out = []
        for t in tensors:
            if t is None:
                out.append(None)
                continue
            with graph_lib.control_dependencies([gate]):
                out.append(array_ops.identity(ops_lib.convert_to_tensor(t)))
        return out


# --- Switch and Merge -------------------------------------------------------------


def _switch_shape(op):
    pred = op.inputs[1].shape
    if pred.rank not in (None, 0):
        raise ValueError("pred must be a scalar, got shape %s" % pred)
    return [op.inputs[0].shape, op.inputs[0].shape]


@op("Switch", inputs=["data: T", "pred: bool"], outputs=["output_false: T", "output_true: T"],
    attrs=["T: type"], shape=_switch_shape, foldable=False)
def _switch(ctx, data, pred):
    return (DEAD, data) if bool(pred) else (data, DEAD)


@op("RefSwitch", inputs=["data: Ref(T)", "pred: bool"],
    outputs=["output_false: Ref(T)", "output_true: Ref(T)"], attrs=["T: type"],
    shape=_switch_shape, foldable=False)
def _ref_switch(ctx, data, pred):
    return _switch(ctx, data, pred)


def _merge_shape(op):
    out = op.inputs[0].shape
    for t in op.inputs[1:]:
        out = out.most_specific_compatible_shape(t.shape)
    return [out, tensor_shape.TensorShape([])]


@op("Merge", inputs=["inputs: N * T"], outputs=["output: T", "value_index: int32"],
    attrs=["T: type", "N: int >= 1"], shape=_merge_shape, foldable=False)
def _merge(ctx, *inputs):
    for i, v in enumerate(inputs):
        if v is not DEAD:
            return v, np.int32(i)
    return DEAD, DEAD


@RegisterGradient("Switch")
def _switch_gradient(op, grad_false, grad_true):
    # gradients() gives the side no consumer used a ZerosLike of that output,
    # so exactly one of the two is live, as exactly one output was.
    return merge([grad_false, grad_true])[0], None


@RegisterGradient("RefSwitch")
def _ref_switch_gradient(op, grad_false, grad_true):
    return _switch_gradient(op, grad_false, grad_true)


@RegisterGradient("Merge")
def _merge_gradient(op, grad, _):
    # The gradient flows back only into the input that was live: value_index
    # says which, so this needs no predicate and survives a GraphDef round trip.
    from graphflow.ops import math_ops
    index = op.outputs[1]
    return [switch(grad, math_ops.equal(index, i))[1] for i in range(len(op.inputs))]


def switch(data, pred, name=None):
    """(output_false, output_true): `data` on the side `pred` selects; the
    other side is dead. A variable's ref is switched as a ref."""
    data = ops_lib.convert_to_tensor(data, as_ref=True) if getattr(data, "_is_ref", False) \
        else ops_lib.convert_to_tensor(data, name="data")
    op_type = "RefSwitch" if data._is_ref else "Switch"
    return op_builder.apply_op(op_type, [data, pred], name=name or "Switch")


def merge(inputs, name=None):
    """(output, value_index): the value of whichever input is live."""
    return op_builder.apply_op("Merge", [list(inputs)], name=name)


# --- cond ---------------------------------------------------------------------------


class CondContext:
    """One branch of a cond while it is built: which side of `pred` it is, its
    pivot (a tensor live only when the branch is taken) and the Switch outputs
    through which it reads outside values."""

    def __init__(self, pred, pivot, branch, outer):
        self.pred = pred
        self.pivot = pivot
        self.branch = branch
        self.outer = outer
        self._switched = {}  # outside tensor -> its switched value inside
        self._inside = {pivot, pred}

    def _contains(self, t):
        if t in self._inside:
            return True
        c = t.op._control_flow_context
        while c is not None:
            if c is self:
                return True
            c = c.outer
        return False

    def add_value(self, t):
        """t as seen inside the branch: itself if built inside, else switched."""
        if self._contains(t):
            return t
        v = self._switched.get(t)
        if v is None:
            g = t.graph
            # The Switch belongs to the enclosing branch (if any), which switches
            # t on its own predicate first; user control dependencies stay out.
            with g._control_flow_context_as(self.outer), g.control_dependencies(None):
                v = switch(t, self.pred)[self.branch]
            self._switched[t] = v
            self._inside.add(v)
        return v

    def add_op_inputs(self, inputs):
        return [self.add_value(t) for t in inputs]

    def branch_output(self, v):
        """A branch's result as a tensor live only when the branch is taken."""
        from graphflow.ops import array_ops
        if isinstance(v, ops_lib.Operation):  # an op stands as the pivot, after it ran
            with graph_lib.control_dependencies([v]):
                return array_ops.identity(self.pivot)
        if v is None:
            raise ValueError("cond: a branch returned None; true_fn and false_fn must return "
                             "tensors, operations or nests of them")
        t = ops_lib.convert_to_tensor(v)
        if t._is_ref:
            return array_ops.identity(t)  # its value now, not the variable
        return self.add_value(t)


def _build_branch(fn, context, what):
    g = graph_lib.get_default_graph()
    if not callable(fn):
        raise TypeError("cond: %s must be callable, got %s" % (what, type(fn).__name__))
    with g._control_flow_context_as(context):
        result = fn()
        if result is None:
            raise ValueError("cond: %s returned None; it must return tensors, operations or "
                             "nests of them" % what)
        flat = [context.branch_output(v) for v in nest.flatten(result)]
    return result, flat


def cond(pred, true_fn=None, false_fn=None, strict=False, name=None, fn1=None, fn2=None):
    """true_fn() if pred else false_fn(), decided when the graph runs: only the
    taken branch's ops execute. Returns the branch result's structure with one
    Merge per tensor; a singleton list is unpacked unless `strict`."""
    if fn1 is not None:
        if true_fn is not None:
            raise TypeError("cond(): true_fn and fn1 may not be set simultaneously.")
        true_fn = fn1
    if fn2 is not None:
        if false_fn is not None:
            raise TypeError("cond(): false_fn and fn2 may not be set simultaneously.")
        false_fn = fn2
    if true_fn is None or false_fn is None:
        raise TypeError("cond(): true_fn and false_fn are both required")
    if isinstance(pred, (bool, np.bool_)):
        raise TypeError("pred must not be a Python bool (use smart_cond for a value known "
                        "when the graph is built)")
    g = graph_lib.get_default_graph()
    with graph_lib.name_scope(name, "cond", [pred]):
        from graphflow.ops import array_ops
        pred = ops_lib.convert_to_tensor(pred, name="pred")
        if pred.dtype.base_dtype != dtypes.bool:
            raise TypeError("cond: pred must be a bool tensor, got %s (%s)"
                            % (pred.dtype.name, pred.name))
        if pred.shape.rank not in (None, 0):
            raise ValueError("cond: pred must be a scalar, got shape %s (%s)"
                             % (pred.shape, pred.name))
        outer = g._control_flow_context
        p_false, p_true = switch(pred, pred)
        pivot_t = array_ops.identity(p_true, name="switch_t")
        pivot_f = array_ops.identity(p_false, name="switch_f")
        pred = array_ops.identity(pred, name="pred_id")

        ctx_t = CondContext(pred, pivot_t, 1, outer)
        res_t, flat_t = _build_branch(true_fn, ctx_t, "true_fn")
        ctx_f = CondContext(pred, pivot_f, 0, outer)
        res_f, flat_f = _build_branch(false_fn, ctx_f, "false_fn")

        try:
            nest.assert_same_structure(res_t, res_f)
        except ValueError:
            raise ValueError("cond: true_fn and false_fn must return the same structure; "
                             "got %r and %r" % (res_t, res_f)) from None
        for i, (a, b) in enumerate(zip(flat_t, flat_f)):
            if a.dtype.base_dtype != b.dtype.base_dtype:
                raise TypeError("cond: output %d of true_fn is %s but of false_fn is %s "
                                "(%s, %s)" % (i, a.dtype.name, b.dtype.name, a.name, b.name))
        merged = [merge([f, t])[0] for f, t in zip(flat_f, flat_t)]
    result = nest.pack_sequence_as(res_t, merged)
    if not strict and isinstance(result, (list, builtins.tuple)) and \
            not hasattr(result, "_fields") and len(result) == 1:
        return result[0]
    return result


def smart_cond(pred, true_fn=None, false_fn=None, name=None):
    """cond, or the branch itself when pred is known while building: a Python
    bool or a constant tensor."""
    if isinstance(pred, (bool, np.bool_)) or (isinstance(pred, int) and pred in (0, 1)):
        value = bool(pred)
    elif isinstance(pred, ops_lib.Tensor) or hasattr(pred, "_as_graph_element"):
        pred = ops_lib.convert_to_tensor(pred)
        if pred.dtype.base_dtype != dtypes.bool:
            raise TypeError("smart_cond: pred must be a bool tensor, got %s (%s)"
                            % (pred.dtype.name, pred.name))
        value = tensor_util.constant_value(pred)
    else:
        raise TypeError("smart_cond: pred must be a Tensor, a Python bool, or 1 or 0; got %r"
                        % (pred,))
    if value is None:
        return cond(pred, true_fn, false_fn, name=name)
    return true_fn() if bool(value) else false_fn()


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The fn of the first pair whose predicate is true, else default(); as
    nested conds. With `exclusive`, a step where more than one predicate is
    true fails with an InvalidArgumentError (an Assert)."""
    if isinstance(pred_fn_pairs, dict):
        pred_fn_pairs = list(pred_fn_pairs.items())
    pairs = list(pred_fn_pairs)
    for p in pairs:
        if not (isinstance(p, builtins.tuple) and len(p) == 2 and callable(p[1])):
            raise TypeError("case: each item of pred_fn_pairs must be a (pred, callable) pair, "
                            "got %r" % (p,))
    if not pairs:
        if default is None:
            raise ValueError("case: pred_fn_pairs is empty and there is no default")
        return default()
    if default is None:  # TF: the last pair's fn runs when nothing is true
        pairs, default = pairs[:-1], pairs[-1][1]
    with graph_lib.name_scope(name, "case", [p for p, _ in pairs]):
        preds = [ops_lib.convert_to_tensor(p) for p, _ in pairs]
        if exclusive and len(preds) > 1:
            from graphflow.ops import array_ops, check_ops, math_ops
            true_count = math_ops.add_n([math_ops.cast(p, dtypes.int32) for p in preds])
            guard = check_ops.assert_less_equal(
                true_count, 1, message="case: more than one predicate is true (exclusive=True); "
                "predicates: " + ", ".join(p.name for p in preds))
            with graph_lib.control_dependencies([guard]):
                preds = [array_ops.identity(p) for p in preds]

        def chain(i):
            if i == len(pairs):
                return default
            return lambda: cond(preds[i], pairs[i][1], chain(i + 1), strict=strict)

        return chain(0)()
