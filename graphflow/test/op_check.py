"""check_op: the standard three-way check of an op.

    check_op(lambda x, y: gf.add(x, y), [a, b], expected=a + b)

builds the op on placeholders (or constants) in a fresh graph and asserts that
 - the C++ kernels (Session) and the NumPy references (ReferenceExecutor)
   give the same dtype, shape and values;
 - each output's static shape is compatible with its real shape;
 - the values equal `expected` when given (an independent NumPy expression).
"""

import numpy as np

from graphflow.framework import graph as graph_lib
from graphflow.runtime.reference_executor import ReferenceExecutor

_DEFAULT_TOL = {np.float16: 2e-3, np.float32: 1e-5, np.float64: 1e-12}


def run_both(build, inputs, mode="feed", config=None):
    """(session_outputs, reference_outputs, static_shapes) for build(*tensors).

    mode: "feed" (placeholders with full shapes), "unknown" (placeholders with
    unknown dims), or "const" (inputs as constants).
    """
    from graphflow.ops import array_ops, constant_op
    from graphflow.runtime import session as session_lib
    g = graph_lib.Graph()
    with g.as_default():
        tensors, feeds = [], {}
        for i, x in enumerate(inputs):
            x = np.asarray(x)
            if mode == "const":
                tensors.append(constant_op.constant(x))
                continue
            shape = list(x.shape) if mode == "feed" else [None] * x.ndim
            p = array_ops.placeholder(x.dtype, shape, name="input%d" % i)
            tensors.append(p)
            feeds[p] = x
        out = build(*tensors)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        with session_lib.Session(graph=g, config=config) as sess:
            got = sess.run(outs, feeds)
        ref = ReferenceExecutor(g).run(outs, feeds)
        shapes = [o.shape for o in outs]
    return got, ref, shapes


def _tol(dtype, rtol, atol):
    d = _DEFAULT_TOL.get(np.dtype(dtype).type, 0)
    return (d if rtol is None else rtol), (d if atol is None else atol)


def _as_array(v):
    # A fetched scalar string is bytes (as in TF); compare it as a string tensor.
    return np.array(v, dtype=object) if isinstance(v, (bytes, str)) else np.asarray(v)


def assert_same(got, want, rtol=None, atol=None, what="value"):
    got, want = _as_array(got), _as_array(want)
    assert got.dtype == want.dtype, "%s: dtype %s, expected %s" % (what, got.dtype, want.dtype)
    assert got.shape == want.shape, "%s: shape %s, expected %s" % (what, got.shape, want.shape)
    r, a = _tol(got.dtype, rtol, atol)
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=r,
                                   atol=a, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want, err_msg=what)


def check_op(build, inputs, expected=None, rtol=None, atol=None, modes=("feed", "unknown")):
    """Runs the three checks; returns the session outputs of the first mode."""
    first = None
    for mode in modes:
        got, ref, shapes = run_both(build, inputs, mode)
        for i, (g, r, s) in enumerate(zip(got, ref, shapes)):
            assert_same(g, r, rtol, atol, what="output %d (%s): kernel vs reference" % (i, mode))
            assert s.is_compatible_with(np.shape(g)), (
                "output %d (%s): static shape %s, real shape %s" % (i, mode, s, np.shape(g)))
        if expected is not None:
            exp = expected if isinstance(expected, (list, tuple)) else [expected]
            for i, (g, e) in enumerate(zip(got, exp)):
                assert_same(g, e, rtol, atol, what="output %d (%s): vs expected" % (i, mode))
        if first is None:
            first = got
    return first
