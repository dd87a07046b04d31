import collections
import threading

import numpy as np
import pytest

import graphflow as gf
from graphflow.runtime.reference_executor import ReferenceExecutor


def test_fetch_structures():
    a = gf.placeholder(gf.float32, [None, 3], name="a")
    b = gf.identity(a)
    P = collections.namedtuple("P", "x y")
    with gf.Session() as sess:
        feed = {a: [[1, 2, 3]]}
        out = sess.run({"b": b, "pair": (b, [a]), "nt": P(b, a)}, feed)
        assert set(out) == {"b", "pair", "nt"}
        np.testing.assert_array_equal(out["b"], [[1, 2, 3]])
        assert isinstance(out["pair"], tuple) and isinstance(out["pair"][1], list)
        assert isinstance(out["nt"], P)
        assert out["b"].dtype == np.float32
        # names work as fetches and feeds
        np.testing.assert_array_equal(sess.run("Identity:0", {"a:0": [[4, 5, 6]]}), [[4, 5, 6]])
        assert sess.run(b.op, feed) is None
        assert sess.run([b.op, b], feed)[0] is None


def test_feeding_checks():
    a = gf.placeholder(gf.float32, [None, 3], name="a")
    b = gf.identity(a)
    with gf.Session() as sess:
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(3,\) for Tensor 'a:0'"):
            sess.run(b, {a: [1, 2, 3]})
        with pytest.raises(gf.errors.InvalidArgumentError, match="must feed a value for "
                           "placeholder tensor 'a' with dtype float32 and shape \\[\\?,3\\]"):
            sess.run(b)
        with pytest.raises(TypeError, match="Cannot interpret feed_dict key"):
            sess.run(b, {"nope:0": 1})
        with pytest.raises(TypeError, match="cannot be a gf.Tensor"):
            sess.run(b, {a: b})
        i = gf.placeholder(gf.int32, [2])
        with pytest.raises(TypeError, match="Cannot feed"):
            sess.run(gf.identity(i), {i: [1.5, 2.0]})
        # an int feed to a float placeholder converts
        np.testing.assert_array_equal(sess.run(b, {a: [[1, 2, 3]]}), [[1.0, 2.0, 3.0]])


def test_feed_any_tensor_and_fetch_fed_tensor():
    c = gf.constant([1.0, 2.0], name="c")
    d = gf.identity(c, name="d")
    e = gf.identity(d, name="e")
    with gf.Session() as sess:
        np.testing.assert_array_equal(sess.run(e), [1, 2])
        np.testing.assert_array_equal(sess.run(e, {d: [5.0, 6.0]}), [5, 6])
        np.testing.assert_array_equal(sess.run(d, {d: [7.0, 8.0]}), [7, 8])


def test_placeholder_with_default():
    x = gf.placeholder_with_default(gf.constant([1.0, 2.0]), [None])
    y = gf.identity(x)
    with gf.Session() as sess:
        np.testing.assert_array_equal(sess.run(y), [1, 2])
        np.testing.assert_array_equal(sess.run(y, {x: [3.0, 4.0, 5.0]}), [3, 4, 5])


def test_bad_fetches():
    g2 = gf.Graph()
    with g2.as_default():
        other = gf.constant(1.0)
    with gf.Session() as sess:
        with pytest.raises(TypeError, match="invalid type"):
            sess.run(None)
        with pytest.raises(ValueError, match="not an element of this graph"):
            sess.run(other)
        with pytest.raises(ValueError, match="cannot be interpreted"):
            sess.run("missing:0")
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(other)


def test_fetch_results_are_independent_of_later_steps():
    v = gf.Variable([1.0, 2.0], name="v")
    inc = gf.assign_add(v, [1.0, 1.0])
    with gf.Session() as sess:
        sess.run(v.initializer)
        first = sess.run(v)
        sess.run(inc)
        second = sess.run(v.value())
        sess.run(inc)
        np.testing.assert_array_equal(first, [1, 2])
        np.testing.assert_array_equal(second, [2, 3])
        np.testing.assert_array_equal(sess.run(v), [3, 4])


def test_variables_lifecycle():
    v = gf.Variable(np.arange(3, dtype=np.float32), name="v")
    w = gf.Variable(v.initialized_value(), name="w")
    assert v.name == "v:0" and v.op.name == "v" and v.shape.as_list() == [3]
    assert gf.global_variables() == [v, w] and gf.trainable_variables() == [v, w]
    nt = gf.Variable(1, trainable=False, name="nt")
    assert nt not in gf.trainable_variables()
    with gf.Session() as sess:
        with pytest.raises(gf.errors.FailedPreconditionError, match="uninitialized value v"):
            sess.run(v)
        assert not sess.run(gf.is_variable_initialized(v))
        sess.run(gf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w), [0, 1, 2])
        v.load([5.0, 6.0, 7.0], sess)
        np.testing.assert_array_equal(sess.run(v), [5, 6, 7])
        np.testing.assert_array_equal(sess.run(v.assign_sub([1.0, 1.0, 1.0])), [4, 5, 6])
        with pytest.raises(ValueError, match="Assign requires shapes"):
            v.assign([1.0])
        np.testing.assert_array_equal(v.eval(), [4, 5, 6])
    with gf.Session() as sess2:  # a new session has its own, uninitialized, variables
        with pytest.raises(gf.errors.FailedPreconditionError):
            sess2.run(v)


def test_assign_with_validate_shape_false_changes_shape():
    v = gf.Variable([1.0, 2.0], name="v", validate_shape=False)
    with gf.Session() as sess:
        sess.run(v.initializer)
        out = sess.run(gf.assign(v, [1.0, 2.0, 3.0], validate_shape=False))
        np.testing.assert_array_equal(out, [1, 2, 3])
        np.testing.assert_array_equal(sess.run(v), [1, 2, 3])


def test_eval_and_run_with_default_session():
    c = gf.constant([1, 2])
    with pytest.raises(ValueError, match="No default session"):
        c.eval()
    sess = gf.Session()
    with sess.as_default():
        np.testing.assert_array_equal(c.eval(), [1, 2])
        assert gf.get_default_session() is sess
    assert gf.get_default_session() is None
    isess = gf.InteractiveSession()
    np.testing.assert_array_equal(c.eval(), [1, 2])
    isess.close()
    assert gf.get_default_session() is None


def test_make_callable():
    a = gf.placeholder(gf.float32, [2])
    b = gf.identity(a)
    with gf.Session() as sess:
        f = sess.make_callable([b, b.op], [a])
        out = f(np.array([1, 2], np.float32))
        np.testing.assert_array_equal(out[0], [1, 2])
        assert out[1] is None
        with pytest.raises(TypeError):
            f()


def test_error_names_the_op_and_where_it_was_built():
    v = gf.Variable(1.0, name="never_initialized")
    r = gf.identity(v, name="reader")
    with gf.Session() as sess:
        with pytest.raises(gf.errors.FailedPreconditionError) as ei:
            sess.run(r)
    msg = str(ei.value)
    assert "never_initialized" in msg and "test_session.py" in msg
    assert ei.value.op is not None


def test_signature_cache_compiles_once():
    a = gf.placeholder(gf.float32, [2])
    b = gf.identity(a)
    with gf.Session() as sess:
        for _ in range(5):
            sess.run(b, {a: [1.0, 2.0]})
        sess.run([b], {a: [1.0, 2.0]})
        assert len(sess._cache) == 2


def test_multiple_cpu_devices_send_recv():
    config = gf.ConfigProto(device_count={"CPU": 3})
    with gf.device("/cpu:0"):
        v = gf.Variable([1.0, 2.0], name="v")
    with gf.device("/cpu:1"):
        x = gf.identity(v, name="x")
    with gf.device("/cpu:2"):
        y = gf.identity(x, name="y")
        z = gf.identity(x, name="z")
        with gf.control_dependencies([v.initializer]):
            w = gf.constant(1.0, name="w")
    for inter in (1, 0):
        cfg = gf.ConfigProto(device_count={"CPU": 3}, inter_op_parallelism_threads=inter)
        with gf.Session(config=cfg) as sess:
            assert len(sess.list_devices()) == 3
            sess.run(w)  # control edge crosses devices
            out = sess.run([y, z])
            np.testing.assert_array_equal(out[0], [1, 2])
            np.testing.assert_array_equal(out[1], [1, 2])
            sig = next(iter(sess._cache.values()))
            types = [n[1] for n in sig.plan.nodes]
            assert "_Send" in types and "_Recv" in types
    with gf.Session(config=config) as sess:
        with pytest.raises(gf.errors.InvalidArgumentError, match="Cannot assign a device"):
            with gf.device("/cpu:7"):
                q = gf.constant(1.0)
            sess.run(q)
    soft = gf.ConfigProto(allow_soft_placement=True)
    with gf.device("/gpu:0"):
        g = gf.constant(3.0)
    with gf.Session(config=soft) as sess:
        assert sess.run(g) == 3.0


def test_error_in_one_device_aborts_pending_recvs():
    config = gf.ConfigProto(device_count={"CPU": 2})
    with gf.device("/cpu:0"):
        v = gf.Variable([1.0], name="uninit")
        r = gf.identity(v)
    with gf.device("/cpu:1"):
        out = gf.identity(r)
    with gf.Session(config=config) as sess:
        with pytest.raises(gf.errors.FailedPreconditionError):
            sess.run(out)


def test_concurrent_runs_from_threads():
    a = gf.placeholder(gf.float32, [100])
    b = gf.identity(gf.identity(a))
    errors = []
    with gf.Session() as sess:
        def work(k):
            try:
                for _ in range(200):
                    x = np.full(100, k, np.float32)
                    np.testing.assert_array_equal(sess.run(b, {a: x}), x)
            except Exception as e:  # surfaced below
                errors.append(e)
        ts = [threading.Thread(target=work, args=(k,)) for k in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
    assert not errors


def test_reference_executor_matches_session():
    a = gf.placeholder(gf.float32, [2])
    v = gf.Variable([1.0, 1.0], name="v")
    upd = gf.assign_add(v, a)
    ref = ReferenceExecutor(gf.get_default_graph())
    ref.run(v.initializer)
    with gf.Session() as sess:
        sess.run(v.initializer)
        for k in range(3):
            x = np.array([k, 2 * k], np.float32)
            np.testing.assert_array_equal(sess.run(upd, {a: x}), ref.run(upd, {a: x}))
    with pytest.raises(gf.errors.FailedPreconditionError):
        ReferenceExecutor(gf.get_default_graph()).run(v)


def test_config_validation():
    with pytest.raises(ValueError):
        gf.ConfigProto(device_count={"CPU": -1})
    with pytest.raises(ValueError):
        gf.ConfigProto(inter_op_parallelism_threads=-2)


def test_scalars_stay_scalars():
    p = gf.placeholder(gf.float32, [])
    with gf.Session() as sess:
        out = sess.run([gf.constant(1.5), gf.identity(p)], {p: 2})
    assert isinstance(out[0], np.float32) and np.shape(out[1]) == () and out[1] == 2.0


def test_string_tensors():
    c = gf.constant(["ab", b"cd"])
    p = gf.placeholder(gf.string, [None])
    assert c.dtype == gf.string and c.shape.as_list() == [2]
    with gf.Session() as sess:
        got_c, got_p, s = sess.run([c, gf.identity(p), gf.constant("hello")],
                                   {p: np.array(["x", "yz"])})
    assert list(got_c) == [b"ab", b"cd"] and got_c.dtype == object
    assert list(got_p) == [b"x", b"yz"]
    assert s == b"hello"
    with pytest.raises(TypeError, match="Expected string"):
        gf.constant(3, dtype=gf.string)


def test_string_values_keep_trailing_nul_bytes():
    """Python bytes are arbitrary byte strings (serialized protos end in NULs);
    a fixed-width NumPy conversion would strip them."""
    c = gf.constant(b"a\x00")
    d = gf.constant([[b"x\x00\x00", b"y"], [b"", b"\x00"]])
    p = gf.placeholder(gf.string, [2])
    with gf.Session() as sess:
        got_c, got_d, got_p = sess.run([c, d, gf.identity(p)], {p: [b"q\x00", "r"]})
    assert got_c == b"a\x00"
    assert got_d.tolist() == [[b"x\x00\x00", b"y"], [b"", b"\x00"]]
    assert got_p.tolist() == [b"q\x00", b"r"]


def test_report_uninitialized_variables():
    a = gf.Variable(1.0, name="a")
    b = gf.Variable([2.0], name="scope_b")
    report = gf.report_uninitialized_variables()
    with gf.Session() as sess:
        assert list(sess.run(report)) == [b"a", b"scope_b"]
        sess.run(a.initializer)
        assert list(sess.run(report)) == [b"scope_b"]
        sess.run(b.initializer)
        out = sess.run(report)
        assert out.shape == (0,) and out.dtype == object
    empty = gf.report_uninitialized_variables([])
    with gf.Session() as sess:
        assert sess.run(empty).shape == (0,)
