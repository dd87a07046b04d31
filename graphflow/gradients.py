"""Symbolic differentiation (the whitepaper's graph extension, section 4.1).

gradients(ys, xs) adds to the graph the ops that compute d(sum ys)/d(xs): it
walks back from ys through the ops that lie between xs and ys, calls each op's
registered gradient function with the gradients of its outputs, and sums the
contributions of several paths with AddN. Gradient functions are declared next
to their op (`@RegisterGradient("MatMul")` under the op's declaration).
"""

import collections

from graphflow.framework import graph as graph_lib
from graphflow.framework import ops as ops_lib

_GRADIENTS = {}
_NOT_DIFFERENTIABLE = object()


class RegisterGradient:
    """Decorator: `@RegisterGradient("OpType")` registers fn(op, *grads) -> input grads.

    The function returns one gradient per input of op (None where there is
    none). A name other than an op type can be used through
    `Graph.gradient_override_map({"OpType": "Name"})`.
    """

    def __init__(self, op_type):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn):
        if self._op_type in _GRADIENTS:
            raise KeyError("Registering two gradient with name '%s'! (Previous registration "
                           "was in %s)" % (self._op_type, _GRADIENTS[self._op_type]))
        _GRADIENTS[self._op_type] = fn
        return fn


def NotDifferentiable(op_type):  # noqa: N802 (TF's name)
    """Declares that `op_type` has no gradient: nothing flows back through it."""
    if not isinstance(op_type, str):
        raise TypeError("op_type must be a string")
    _GRADIENTS[op_type] = _NOT_DIFFERENTIABLE


NoGradient = NotDifferentiable


def get_gradient_function(op):
    """fn for op (None if op is not differentiable); LookupError if none is registered."""
    name = op._attrs.get("_gradient_op_type", op.type)
    fn = _GRADIENTS.get(name)
    if fn is None:
        raise LookupError("No gradient defined for operation '%s' (op type: %s, built at %s)"
                          % (op.name, op.type, op.location))
    return None if fn is _NOT_DIFFERENTIABLE else fn


def _is_backprop_type(t):
    return t.dtype.is_floating


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _between(ys_ops, xs_ops, stop_ops):
    """Ops on some path from an x to a y (through data edges)."""
    reached = set()
    stack = list(xs_ops)
    while stack:
        op = stack.pop()
        if op in reached:
            continue
        reached.add(op)
        if op in stop_ops:
            continue
        for t in op._outputs:
            for c in t._consumers:
                if c not in reached:
                    stack.append(c)
    between = set()
    stack = [op for op in ys_ops if op in reached]
    while stack:
        op = stack.pop()
        if op in between:
            continue
        between.add(op)
        for t in op._inputs:
            if t._op in reached and t._op not in between:
                stack.append(t._op)
    return between


def gradients(ys, xs, grad_ys=None, name="gradients", colocate_gradients_with_ops=False,
              gate_gradients=False, aggregation_method=None, stop_gradients=None):
    """Symbolic gradients of sum(ys) with respect to each x in xs.

    Returns a list with one Tensor per x (None where ys do not depend on x).
    grad_ys seeds the backward pass (default: ones); stop_gradients holds
    tensors treated as constants.
    """
    ys = [ops_lib.convert_to_tensor(y) for y in _as_list(ys)]
    xs = [ops_lib.convert_to_tensor(x) if not hasattr(x, "_ref") else x.value()
          for x in _as_list(xs)]
    if not ys:
        raise ValueError("gradients: ys is empty")
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError("Passed %d grad_ys for %d ys" % (len(grad_ys), len(ys)))
    stop_tensors = {ops_lib.convert_to_tensor(t) for t in _as_list(stop_gradients)}
    from graphflow.ops import array_ops

    g = ys[0].graph
    with g.as_default(), graph_lib.name_scope(name, "gradients"):
        grads = collections.defaultdict(list)  # tensor -> list of gradient tensors
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            if gy is None:
                if not y.dtype.is_floating:
                    raise TypeError("gradients: y %s has dtype %s; only floating-point tensors "
                                    "can be differentiated" % (y.name, y.dtype.name))
                with graph_lib.name_scope("grad_ys_%d" % i):
                    gy = array_ops.ones_like(y)
            else:
                gy = ops_lib.convert_to_tensor(gy, dtype=y.dtype)
            grads[y].append(gy)

        stop_ops = {t.op for t in stop_tensors}
        between = _between([y.op for y in ys], [x.op for x in xs], stop_ops)
        # An x's own producer needs no gradient unless another x lies behind it.
        for x in xs:
            if not any(t._op in between for t in x.op._inputs):
                stop_ops.add(x.op)

        # Backward pending counts: how many consumers in `between` still owe a gradient.
        pending = collections.Counter()
        for op in between:
            for t in op._inputs:
                if t._op in between:
                    pending[t._op] += 1
        ready = sorted((op for op in between if pending[op] == 0), key=lambda o: o._id)
        while ready:
            op = ready.pop()
            out_grads = [_aggregate(grads, t) for t in op._outputs]
            in_grads = None
            if op not in stop_ops and any(gr is not None for gr in out_grads):
                fn = get_gradient_function(op)
                if fn is not None:
                    # A Switch's zeros must come from its output (optimize=False),
                    # so they are live exactly when that side is.
                    out_grads = [gr if gr is not None or not _is_backprop_type(t)
                                 else array_ops.zeros_like(
                                     t, optimize=op.type not in ("Switch", "RefSwitch"))
                                 for gr, t in zip(out_grads, op._outputs)]
                    with graph_lib.name_scope(op.name + "_grad"):
                        r = fn(op, *out_grads)
                        in_grads = list(r) if isinstance(r, (list, tuple)) else [r]
                    if len(in_grads) != len(op._inputs):
                        raise ValueError("Num gradients %d generated for op %s do not match num "
                                         "inputs %d" % (len(in_grads), op.name, len(op._inputs)))
            for k, t in enumerate(op._inputs):
                if in_grads is not None and in_grads[k] is not None and _is_backprop_type(t) \
                        and t not in stop_tensors:
                    gk = ops_lib.convert_to_tensor(in_grads[k])
                    if gk.dtype != t.dtype:
                        raise TypeError("gradient for input %d of %s (%s) has dtype %s, "
                                        "expected %s" % (k, op.name, op.type, gk.dtype.name,
                                                         t.dtype.name))
                    grads[t].append(gk)
                p = t._op
                if p in between:
                    pending[p] -= 1
                    if pending[p] == 0:
                        ready.append(p)
        return [_aggregate(grads, x) for x in xs]


def _aggregate(grads, t):
    """The sum of the gradients collected for t (AddN of several), cached so
    each tensor's sum is built once."""
    gs = grads.get(t)
    if not gs:
        return None
    if len(gs) > 1:
        from graphflow.ops import math_ops
        grads[t] = gs = [math_ops.add_n(gs)]
    return gs[0]
