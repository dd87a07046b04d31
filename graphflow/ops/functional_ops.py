"""map_fn, scan, foldl and foldr with TF1's arguments and results.

graphflow has no while_loop yet, so these unroll: `fn` is traced once per
element along axis 0 of `elems`, which must therefore be known when the graph
is built. The values and gradients are those of TF's loop; the graph grows
with the length, so they suit the short, fixed sizes (a batch of images, the
steps of a small RNN) they are mostly used for.
"""

from graphflow.framework import dtypes
from graphflow.framework import errors
from graphflow.framework import graph as graph_lib
from graphflow.framework import nest
from graphflow.framework import ops as ops_lib
from graphflow.ops import array_ops


def _elements(elems, what):
    """(flat tensors, n): `elems` flattened and their common static length."""
    flat = [ops_lib.convert_to_tensor(e, name="elem") for e in nest.flatten(elems)]
    if not flat:
        raise ValueError("%s: elems must hold at least one tensor" % what)
    n = None
    for t in flat:
        if t.shape.rank == 0:
            raise ValueError("%s: elements in elems must be 1+ dimensional, got the scalar %s"
                             % (what, t.name))
        size = t.shape[0].value if t.shape.rank is not None else None
        if size is None:
            raise errors.UnimplementedError(
                None, None, "%s unrolls over axis 0 of elems, so its size must be known when "
                "the graph is built; %s has shape %s (graphflow has no while_loop yet)"
                % (what, t.name, t.shape))
        if n is not None and size != n:
            raise ValueError("%s: all elems must have the same size along axis 0; got %d and %d "
                             "(%s)" % (what, n, size, t.name))
        n = size
    return flat, n


def _slices(flat, n):
    """Per element i, the list of flat[j][i]."""
    if n == 0:
        return []
    per_tensor = [array_ops.unstack(t, num=n) for t in flat]
    return [list(items) for items in zip(*per_tensor)]


def _check_output(expected, values, what, against):
    """Raise unless `values` (a nest of tensors) has the nesting and dtypes of
    `expected` (a nest of dtypes); `against` names what it is checked against."""
    try:
        nest.assert_same_structure(expected, values, check_types=False)
    except ValueError:
        raise ValueError("%s: fn's output %r does not match the structure of %s %r"
                         % (what, values, against, expected)) from None
    for want, got in zip(nest.flatten(expected), nest.flatten(values)):
        if dtypes.as_dtype(want) != got.dtype.base_dtype:
            raise TypeError("%s: fn returned %s (%s) where %s is %s" % (
                what, got.dtype.name, got.name, against, dtypes.as_dtype(want).name))


def _as_tensors(structure):
    return nest.pack_sequence_as(
        structure, [ops_lib.convert_to_tensor(v) for v in nest.flatten(structure)])


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None):
    """fn applied to each element of `elems` along axis 0, results stacked.
    `dtype` gives fn's output structure and dtypes when they differ from elems'."""
    if not callable(fn):
        raise TypeError("map_fn: fn must be callable, got %s" % type(fn).__name__)
    with graph_lib.name_scope(name, "map", nest.flatten(elems)):
        flat, n = _elements(elems, "map_fn")
        outputs = []
        for items in _slices(flat, n):
            out = _as_tensors(fn(nest.pack_sequence_as(elems, items)))
            _check_output(dtype if dtype is not None else
                          nest.pack_sequence_as(elems, [t.dtype for t in flat]), out, "map_fn",
                          "dtype")
            if not back_prop:
                out = nest.map_structure(array_ops.stop_gradient, out)
            outputs.append(out)
        if n == 0:
            raise ValueError("map_fn: elems has no elements along axis 0, so fn's output "
                             "shape is unknown; graphflow needs at least one element")
        return nest.map_structure(lambda *xs: array_ops.stack(list(xs)), *outputs)


def _accumulate(fn, elems, initializer, back_prop, reverse, what):
    """{element index: accumulator after it} for a_i = fn(a_prev, x_i), walking
    elems forwards (or backwards); without an initializer the first element
    walked is the first accumulator."""
    if not callable(fn):
        raise TypeError("%s: fn must be callable, got %s" % (what, type(fn).__name__))
    flat, n = _elements(elems, what)
    items = _slices(flat, n)
    order = list(range(n))[::-1] if reverse else list(range(n))
    results = {}
    if initializer is None:
        if n == 0:
            raise ValueError("%s: elems is empty and there is no initializer" % what)
        acc = results[order[0]] = nest.pack_sequence_as(elems, items[order[0]])
        order = order[1:]
    else:
        acc = _as_tensors(initializer)
    for i in order:
        new = _as_tensors(fn(acc, nest.pack_sequence_as(elems, items[i])))
        _check_output(nest.map_structure(lambda t: t.dtype, acc), new, what, "the accumulator")
        if not back_prop:
            new = nest.map_structure(array_ops.stop_gradient, new)
        results[i] = acc = new
    return results, acc


def scan(fn, elems, initializer=None, parallel_iterations=None, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """The running accumulator a_i = fn(a_{i-1}, x_i) over elems (from the end
    with `reverse`), stacked in elems' order; without an initializer, a_0 is
    the first element."""
    with graph_lib.name_scope(name, "scan", nest.flatten(elems)):
        results, _ = _accumulate(fn, elems, initializer, back_prop, reverse, "scan")
        if not results:
            raise ValueError("scan: elems has no elements along axis 0, so the output shape "
                             "is unknown; graphflow needs at least one element")
        stacked = [results[i] for i in sorted(results)]
        return nest.map_structure(lambda *xs: array_ops.stack(list(xs)), *stacked)


def foldl(fn, elems, initializer=None, parallel_iterations=None, back_prop=True,
          swap_memory=False, name=None):
    """fn(...fn(fn(initializer, x_0), x_1)..., x_{n-1}); without an initializer
    the first element starts the accumulator."""
    with graph_lib.name_scope(name, "foldl", nest.flatten(elems)):
        return _accumulate(fn, elems, initializer, back_prop, False, "foldl")[1]


def foldr(fn, elems, initializer=None, parallel_iterations=None, back_prop=True,
          swap_memory=False, name=None):
    """foldl from the last element to the first."""
    with graph_lib.name_scope(name, "foldr", nest.flatten(elems)):
        return _accumulate(fn, elems, initializer, back_prop, True, "foldr")[1]
