"""Assert, Print and the check_ops builders: runtime failures with TF's
message format, static decisions at graph construction, control-dependency
gating, Print's pass-through, stderr output, first_n and gradient."""

import inspect

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops import check_ops as co
from graphflow.runtime.reference_executor import ReferenceExecutor
from graphflow.test import check_op, gradient_error_of

InvalidArgument = gf.errors.InvalidArgumentError


def _run_fail(fetch, feeds):
    """The first line of the InvalidArgumentError that running `fetch` raises,
    after checking the reference executor raises the same message."""
    with gf.Session() as sess:
        with pytest.raises(InvalidArgument) as kernel:
            sess.run(fetch, feeds)
    with pytest.raises(InvalidArgument) as ref:
        ReferenceExecutor(gf.get_default_graph()).run(fetch, feeds)
    first = str(kernel.value).split("\n\t [[")[0]
    assert first == str(ref.value)
    return first


def _run_ok(fetch, feeds):
    with gf.Session() as sess:
        out = sess.run(fetch, feeds)
    ReferenceExecutor(gf.get_default_graph()).run(fetch, feeds)
    return out


def _summary(value, summarize=3):
    """How the kernel prints `value` in an assertion message."""
    value = np.asarray(value)
    p = gf.placeholder(value.dtype if value.dtype != object else gf.string, value.shape)
    flag = gf.placeholder(gf.bool, [])
    msg = _run_fail(co.Assert(flag, [p], summarize=summarize), {p: value, flag: False})
    assert msg.startswith("assertion failed: [") and msg.endswith("]")
    return msg[len("assertion failed: ["):-1]


# --- value summaries ----------------------------------------------------------------


@pytest.mark.parametrize("value, summarize, expected", [
    (np.arange(1, 7, dtype=np.int32).reshape(2, 3), 3, "[1 2 3]..."),
    (np.arange(1, 7, dtype=np.int32).reshape(2, 3), 2, "[1 2...]..."),
    (np.arange(1, 7, dtype=np.int32).reshape(2, 3), 4, "[1 2 3][4...]..."),
    (np.arange(1, 7, dtype=np.int32).reshape(2, 3), 6, "[1 2 3][4 5 6]"),
    (np.arange(1, 7, dtype=np.int32).reshape(2, 3), -1, "[1 2 3][4 5 6]"),
    (np.arange(1, 7, dtype=np.int32).reshape(2, 3), 0, "..."),
    (np.arange(8, dtype=np.int64).reshape(2, 2, 2), 3, "[[0 1][2...]]..."),
    (np.arange(8, dtype=np.int64).reshape(2, 2, 2), 100, "[[0 1][2 3]][[4 5][6 7]]"),
    (np.arange(5, dtype=np.int16), 3, "0 1 2..."),
    (np.arange(3, dtype=np.int16), 3, "0 1 2"),
    (np.array(7, np.int32), 3, "7"),
    (np.array(7, np.int32), 0, "..."),
    (np.zeros([0], np.float32), 3, ""),
    (np.zeros([2, 0], np.float32), 3, ""),
    (np.array([-128, 127], np.int8), 3, "-128 127"),
    (np.array([200, 0], np.uint8), 3, "200 0"),
    (np.array([2**40, -1], np.int64), 3, "1099511627776 -1"),
    (np.array([True, False, True, True]), 3, "1 0 1..."),
    (np.array([1.5, 2.0, 0.1, 1e-7], np.float32), 4, "1.5 2 0.1 1e-07"),
    (np.array([1 / 3, 123456789.0], np.float32), 3, "0.333333343 123456792"),
    (np.array([1 / 3, 0.1, 1e300], np.float64), 3, "0.33333333333333331 0.1 1e+300"),
    (np.array([0.1, 2.5], np.float16), 3, "0.0999755859 2.5"),
    (np.array([np.nan, np.inf, -np.inf], np.float32), 3, "nan inf -inf"),
    (np.array([b"a b", b"[x]", b""], dtype=object), 3, "a b [x] "),
    (np.array([[b"ab", b"c"], [b"d", b"e"]], dtype=object), 3, "[ab c][d...]..."),
])
def test_summaries_match_tf(value, summarize, expected):
    assert _summary(value, summarize) == expected
    assert co.summarize_value(value, summarize) == expected


@pytest.mark.parametrize("shape", [[4], [3, 5], [2, 3, 4], [1, 2, 1, 3], [3, 1], [2, 0, 3]])
@pytest.mark.parametrize("summarize", [0, 1, 2, 5, 7, 100, -1])
def test_kernel_and_reference_summaries_agree(shape, summarize):
    value = np.random.RandomState(0).uniform(-9, 9, size=shape).astype(np.float32)
    assert _summary(value, summarize) == co.summarize_value(value, summarize)


# --- Assert ---------------------------------------------------------------------------


def test_assert_passes_and_fails_with_its_data_and_location():
    x = gf.placeholder(gf.float32, [None], name="x")
    check = co.Assert(gf.reduce_all(x > 0), ["x must be positive:", x, "n =", gf.size(x)])
    line = inspect.currentframe().f_lineno - 1
    assert isinstance(check, gf.Operation) and check.type == "Assert"
    assert check.name == "Assert/Assert"
    assert _run_ok(check, {x: [1.0, 2.0]}) is None
    with gf.Session() as sess:
        with pytest.raises(InvalidArgument) as e:
            sess.run(check, {x: [1.0, -2.0, 3.0, 4.0]})
    msg = str(e.value)
    assert msg.startswith("assertion failed: [x must be positive:] [1 -2 3...] [n =] [4]\n")
    assert "node Assert/Assert (op Assert)" in msg
    assert "%s:%d" % (__file__, line) in msg


def test_assert_summarize_and_no_data():
    x = gf.placeholder(gf.int32, [None])
    c = gf.placeholder(gf.bool, [])
    assert _run_fail(co.Assert(c, [x], summarize=5), {x: np.arange(7), c: False}) == \
        "assertion failed: [0 1 2 3 4...]"
    assert _run_fail(co.Assert(c, [x], summarize=-1), {x: np.arange(7), c: False}) == \
        "assertion failed: [0 1 2 3 4 5 6]"
    assert _run_fail(co.Assert(c, []), {c: False}) == "assertion failed: "


def test_assert_accepts_a_one_element_vector_as_condition():
    c = gf.placeholder(gf.bool, [1])
    a = co.Assert(c, ["bad"])
    assert _run_ok(a, {c: [True]}) is None
    assert _run_fail(a, {c: [False]}) == "assertion failed: [bad]"


def test_assert_with_a_non_scalar_condition_fails():
    c = gf.placeholder(gf.bool, None, name="cond")
    a = co.Assert(c, ["x"], name="check")
    with gf.Session() as sess:
        with pytest.raises(InvalidArgument,
                           match=r"Assert op 'check/Assert': condition must be a bool scalar, "
                                 r"got shape \[2\]"):
            sess.run(a, {c: [True, True]})
    with pytest.raises(InvalidArgument, match=r"got shape \[2,1\]"):
        ReferenceExecutor(gf.get_default_graph()).run(a, {c: [[True], [True]]})
    with pytest.raises(ValueError, match=r"Assert.*condition must be a bool scalar, got shape "
                                         r"\(2, 3\)"):
        co.Assert(gf.placeholder(gf.bool, [2, 3]), ["x"])
    with pytest.raises(TypeError, match="condition.*must be bool"):
        co.Assert(gf.placeholder(gf.float32, []), ["x"])


def test_assert_gates_ops_through_control_dependencies():
    x = gf.placeholder(gf.float32, [None], name="x")
    v = gf.Variable(0.0)
    with gf.control_dependencies([co.assert_positive(x)]):
        y = gf.log(x)
        bump = gf.assign_add(v, 1.0)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        np.testing.assert_allclose(sess.run(y, {x: [1.0, np.e]}), [0.0, 1.0], rtol=1e-6)
        sess.run(bump, {x: [2.0]})
        with pytest.raises(InvalidArgument, match=r"Condition x > 0 did not hold"):
            sess.run([y, bump], {x: [2.0, 0.0]})
        with pytest.raises(InvalidArgument):
            sess.run(bump, {x: [-1.0]})
        assert sess.run(v) == 1.0  # the failing steps did not run the gated assign


# --- binary and unary element-wise assertions ----------------------------------------

BINARY = [
    (co.assert_equal, "==", [1, 2, 3], [1, 2, 3], [1, 2, 4]),
    (co.assert_none_equal, "!=", [1, 2, 3], [4, 5, 6], [4, 2, 6]),
    (co.assert_less, "<", [1, 2, 3], [2, 3, 4], [2, 2, 4]),
    (co.assert_less_equal, "<=", [1, 2, 3], [1, 2, 3], [1, 1, 3]),
    (co.assert_greater, ">", [2, 3, 4], [1, 2, 3], [1, 3, 3]),
    (co.assert_greater_equal, ">=", [1, 2, 3], [1, 2, 3], [1, 2, 4]),
]


@pytest.mark.parametrize("fn, sym, x, y_ok, y_bad", BINARY)
def test_binary_assertions_at_run_time(fn, sym, x, y_ok, y_bad):
    px = gf.placeholder(gf.int32, [None], name="x")
    py = gf.placeholder(gf.int32, [None], name="y")
    check = fn(px, py)
    assert check.type == "Assert" and check.name.startswith(fn.__name__ + "/")
    _run_ok(check, {px: x, py: y_ok})
    assert _run_fail(check, {px: x, py: y_bad}) == (
        "assertion failed: [Condition x %s y did not hold element-wise:] [x (x:0) = ] [%s] "
        "[y (y:0) = ] [%s]" % (sym, " ".join(map(str, x)), " ".join(map(str, y_bad))))


def test_binary_assertion_message_summarize_data_and_broadcasting():
    x = gf.placeholder(gf.float32, [None, None], name="x")
    y = gf.placeholder(gf.float32, [], name="y")
    feeds = {x: np.arange(6, dtype=np.float32).reshape(2, 3) + 0.5, y: 3.0}
    assert _run_fail(co.assert_less(x, y, message="too big", summarize=4), feeds) == (
        "assertion failed: [too big] [Condition x < y did not hold element-wise:] "
        "[x (x:0) = ] [[0.5 1.5 2.5][3.5...]...] [y (y:0) = ] [3]")
    assert _run_fail(co.assert_less(x, y, data=["custom", y], message="m"), feeds) == (
        "assertion failed: [m] [custom] [3]")
    _run_ok(co.assert_less(x, y), {x: [[0.5, 1.0]], y: 3.0})
    # A Python value takes the tensor's dtype.
    _run_ok(co.assert_greater_equal(x, 0), {x: [[0.5, 1.0]]})
    with pytest.raises(ValueError, match="[Ii]ncompatible|broadcast"):
        co.assert_equal(gf.placeholder(gf.int32, [2]), gf.placeholder(gf.int32, [3]))


UNARY = [
    (co.assert_positive, "> 0", [1, 2, 3], [1, 0, 3]),
    (co.assert_negative, "< 0", [-1, -2, -3], [-1, -2, 0]),
    (co.assert_non_negative, ">= 0", [0, 2, 3], [0, -2, 3]),
    (co.assert_non_positive, "<= 0", [0, -2, -3], [0, -2, 3]),
]


@pytest.mark.parametrize("fn, sym, ok, bad", UNARY)
@pytest.mark.parametrize("dtype", [np.int32, np.float32, np.float64, np.int64])
def test_unary_assertions_at_run_time(fn, sym, ok, bad, dtype):
    x = gf.placeholder(dtype, [None], name="x")
    check = fn(x, summarize=2)
    _run_ok(check, {x: np.array(ok, dtype)})
    _run_ok(check, {x: np.zeros([0], dtype)})  # trivially true when empty
    want = " ".join(map(str, bad[:2])) + "..."  # integral values print alike in all dtypes
    assert _run_fail(check, {x: np.array(bad, dtype)}) == (
        "assertion failed: [Condition x %s did not hold element-wise:] [x (x:0) = ] [%s]"
        % (sym, want))
    assert _run_fail(fn(x, message="check x"), {x: np.array(bad, dtype)}).startswith(
        "assertion failed: [check x] [Condition x %s did not hold" % sym)


def test_assert_near():
    x = gf.placeholder(gf.float32, [None], name="x")
    y = gf.placeholder(gf.float32, [None], name="y")
    check = co.assert_near(x, y, rtol=0.0, atol=0.25)
    _run_ok(check, {x: [1.0, 2.0], y: [1.2, 1.8]})
    assert _run_fail(check, {x: [1.0, 2.0], y: [1.2, 2.5]}) == (
        "assertion failed: [x and y not equal to tolerance rtol = 0.0, atol = 0.25] "
        "[x (x:0) = ] [1 2] [y (y:0) = ] [1.2 2.5]")
    _run_ok(co.assert_near(x, y), {x: [1.0], y: [1.0 + 1e-6]})  # 10 eps of float32
    with pytest.raises(TypeError, match="float"):
        co.assert_near(gf.constant([1]), gf.constant([1]))


# --- static decisions -------------------------------------------------------------------


def test_constant_inputs_decide_at_graph_construction():
    with pytest.raises(InvalidArgument) as e:
        co.assert_equal(gf.constant([1, 2], name="a"), [1, 3], message="sizes")
    assert str(e.value).startswith(
        "sizes\nCondition x == y did not hold element-wise:\nx (a:0) = \n[1 2]\n"
        "y (assert_equal/y:0) = \n[1 3]\n\t [[checked statically, built at %s:" % __file__)
    with pytest.raises(InvalidArgument, match=r"^Condition x > 0 did not hold element-wise:\n"
                                              r"x \(c:0\) = \n\[ 1 -2\]"):
        co.assert_positive(gf.constant([1, -2], name="c"))
    with pytest.raises(InvalidArgument, match=r"Condition x < y"):
        co.assert_less(2.0, 1.0)
    # Folded through foldable ops too, and a check that holds gives the Assert op.
    with pytest.raises(InvalidArgument, match=r"x <= 0"):
        co.assert_non_positive(gf.constant([1, 2]) * 0 + 1)
    ok = co.assert_equal(gf.constant([1, 2]), [1, 2])
    assert ok.type == "Assert"
    _run_ok(ok, {})
    x = gf.placeholder(gf.float32, [2])
    same = co.assert_equal(x, x)
    assert same.type == "NoOp"


def test_assert_rank():
    x = gf.constant(np.zeros([2, 3]), name="m")
    ok = co.assert_rank(x, 2)
    assert ok.type == "NoOp" and ok.name == "assert_rank/static_checks_determined_all_ok"
    with pytest.raises(ValueError, match=r"^Tensor m:0 must have rank 1\.  Received rank 2, "
                                         r"shape \(2, 3\)$"):
        co.assert_rank(x, 1)
    with pytest.raises(ValueError, match=r"^oops\.  Tensor m:0 must have rank 3\."):
        co.assert_rank(x, 3, message="oops")
    with pytest.raises(ValueError, match="Rank must be a scalar"):
        co.assert_rank(x, [2])
    with pytest.raises(TypeError, match="must be of type"):
        co.assert_rank(x, gf.constant(2, dtype=gf.int64))
    # Unknown rank: decided when the graph runs.
    p = gf.placeholder(gf.float32, None, name="p")
    check = co.assert_rank(p, 2)
    assert check.type == "Assert"
    _run_ok(check, {p: np.zeros([4, 5])})
    assert _run_fail(check, {p: np.zeros([4, 5, 6])}) == (
        "assertion failed: [Tensor p:0 must have rank] [2] [Received shape: ] [4 5 6]")
    # A rank that is itself fed must be a scalar.
    r = gf.placeholder(gf.int32, None, name="r")
    check = co.assert_rank(p, r)
    _run_ok(check, {p: np.zeros([4]), r: 1})
    assert _run_fail(check, {p: np.zeros([4]), r: [1]}) == (
        "assertion failed: [Rank must be a scalar. Received rank: ] [1]")


def test_assert_rank_at_least_and_in():
    x = gf.constant(np.zeros([2, 3]), name="m")
    assert co.assert_rank_at_least(x, 1).type == "NoOp"
    with pytest.raises(ValueError, match=r"m:0 must have rank at least 3\.  Received rank 2"):
        co.assert_rank_at_least(x, 3)
    assert co.assert_rank_in(x, [1, 2]).type == "NoOp"
    with pytest.raises(ValueError, match=r"m:0 must have rank in \(0, 1\)\.  Received rank 2"):
        co.assert_rank_in(x, [0, 1])
    p = gf.placeholder(gf.float32, None, name="p")
    least = co.assert_rank_at_least(p, 2)
    _run_ok(least, {p: np.zeros([1, 1, 1])})
    assert _run_fail(least, {p: np.zeros([3])}) == (
        "assertion failed: [Tensor p:0 must have rank at least] [2] [Received shape: ] [3]")
    within = co.assert_rank_in(p, (0, 2))
    _run_ok(within, {p: 1.0})
    _run_ok(within, {p: np.zeros([2, 2])})
    assert _run_fail(within, {p: np.zeros([5])}) == (
        "assertion failed: [Tensor p:0 must have rank in] [0] [2] [Received shape: ] [5]")


def test_assert_type_integer_scalar():
    f = gf.constant([1.0], name="f")
    i = gf.constant([1], name="i")
    assert co.assert_type(f, gf.float32).type == "NoOp"
    with pytest.raises(TypeError, match=r"^f:0 must be of type <dtype: 'int32'>, got "
                                        r"<dtype: 'float32'>$"):
        co.assert_type(f, gf.int32)
    with pytest.raises(TypeError, match=r"^why  f:0 must be of type"):
        co.assert_type(f, "int32", message="why")
    assert co.assert_integer(i).type == "NoOp"
    with pytest.raises(TypeError, match=r'Expected "x" to be integer type\.  Found: f:0 of dtype '
                                        r"<dtype: 'float32'>"):
        co.assert_integer(f)
    s = gf.placeholder(gf.float32, [], name="s")
    assert co.assert_scalar(s) is s
    with pytest.raises(ValueError, match=r"^Expected scalar shape for f:0, saw shape: \(1,\)\.$"):
        co.assert_scalar(f)
    with pytest.raises(ValueError, match=r"^hey: Expected scalar shape for .*, saw shape: "
                                         r"<unknown>"):
        co.assert_scalar(gf.placeholder(gf.float32, None), message="hey: ")


def test_predicates():
    assert co.is_numeric_tensor(gf.constant([1.0])) and co.is_numeric_tensor(gf.constant(1))
    assert not co.is_numeric_tensor(gf.constant([True])) and not co.is_numeric_tensor(3.0)
    co.assert_proper_iterable([1, 2])
    co.assert_proper_iterable((gf.constant(1),))
    for bad in (gf.constant([1]), np.zeros(2), "ab", b"ab"):
        with pytest.raises(TypeError, match='"proper" iterable'):
            co.assert_proper_iterable(bad)
    with pytest.raises(TypeError, match="to be iterable"):
        co.assert_proper_iterable(3)
    x = gf.placeholder(gf.float32, None)
    nd, si = co.is_non_decreasing(x), co.is_strictly_increasing(x)
    assert nd.dtype == gf.bool and nd.shape.as_list() == []
    for value, want in [([1, 2, 2, 3], (True, False)), ([1, 2, 3], (True, True)),
                        ([[1, 2], [0, 4]], (False, False)), ([3, 2], (False, False)),
                        ([5], (True, True)), ([], (True, True)), (7, (True, True))]:
        assert tuple(_run_ok([nd, si], {x: np.asarray(value, np.float32)})) == want, value
    with pytest.raises(TypeError, match="numeric"):
        co.is_non_decreasing(gf.constant([True, False]))


# --- Print ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, -2], np.int64),
    np.array([True, False]), np.array([0.5, 1.5], np.float16), np.array(3.25, np.float64),
    np.zeros([0, 4], np.int8), np.array([b"x", b"yz"], dtype=object),
])
def test_print_passes_its_input_through(value):
    check_op(lambda x: co.Print(x, [x], "v: "), [value], expected=value)


def test_print_writes_message_and_summaries_to_stderr(capfd):
    x = gf.placeholder(gf.float32, [None, None], name="x")
    y = co.Print(x, [x, "text", gf.shape(x)], message="x is ", summarize=4)
    assert y.op.type == "Print" and y.dtype == gf.float32
    assert y.shape.as_list() == [None, None]
    value = np.array([[1.5, 2, 3], [4, 5, 6]], np.float32)
    capfd.readouterr()
    with gf.Session() as sess:
        out = sess.run(y, {x: value})
    np.testing.assert_array_equal(out, value)
    assert capfd.readouterr().err == "x is [[1.5 2 3][4...]...][text][2 3]\n"
    ReferenceExecutor(gf.get_default_graph()).run(y, {x: value})
    assert capfd.readouterr().err == "x is [[1.5 2 3][4...]...][text][2 3]\n"


def test_print_defaults_and_first_n(capfd):
    x = gf.placeholder(gf.int32, [None])
    y = co.Print(x, [x]) + 1
    z = co.Print(x, [x * 10], "z", first_n=2)
    capfd.readouterr()
    with gf.Session() as sess:
        for i in range(4):
            sess.run([y, z], {x: [i, i, i, i]})
    lines = capfd.readouterr().err.splitlines()
    assert sorted(l for l in lines if l.startswith("z")) == ["z[0 0 0...]", "z[10 10 10...]"]
    assert [l for l in lines if not l.startswith("z")] == [
        "[%d %d %d...]" % (i, i, i) for i in range(4)]
    # first_n counts per session, as the kernel lives with the session.
    with gf.Session() as sess:
        sess.run(z, {x: [7]})
    assert capfd.readouterr().err == "z[70]\n"
    ref = ReferenceExecutor(gf.get_default_graph())
    for i in range(3):
        ref.run(z, {x: [i]})
    assert capfd.readouterr().err == "z[0]\nz[10]\n"


def test_print_of_a_variable_and_gradient(capfd):
    v = gf.Variable([1.0, 2.0])
    p = co.Print(v, [v], "v")
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(p), [1.0, 2.0])
    assert "v[1 2]" in capfd.readouterr().err

    def build(x):
        return co.Print(x * x, [x, gf.shape(x)], first_n=1) * 3.0

    assert gradient_error_of(build, [[2, 3]]) < 1e-6
    x = gf.placeholder(gf.float32, [3])
    z = gf.placeholder(gf.float32, [3])
    gx, gz = gf.gradients(co.Print(x, [z]), [x, z])
    assert gz is None
    with gf.Session() as sess:
        np.testing.assert_array_equal(sess.run(gx, {x: [1, 2, 3], z: [0, 0, 0]}), [1, 1, 1])


def test_data_must_be_a_list():
    with pytest.raises(TypeError, match=r"Print op 'Print'.*input 'data' must be a list"):
        co.Print(gf.constant(1.0), gf.constant(2.0))
    with pytest.raises(TypeError, match=r"Assert op 'Assert'.*input 'data' must be a list"):
        co.Assert(True, gf.constant(2.0))
    with pytest.raises(ValueError, match="attr 'first_n'"):
        co.Print(gf.constant(1.0), [], first_n="x")
    # Any iterable does, as in TF.
    _run_ok(co.Assert(True, (t for t in [gf.constant(1.0)])), {})


def test_debugging_namespace():
    from graphflow import debugging
    for name in co.__all__:
        if name != "Print":
            assert getattr(debugging, name) is getattr(co, name)
