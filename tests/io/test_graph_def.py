"""GraphDef export and import: encodings, TF's import semantics, validation of
hostile input, graph_util, and interop with TensorFlow when it is installed."""

import contextlib
import os
import random

import numpy as np
import pytest

import graphflow as gf
from graphflow import graph_util
from graphflow.io import graph_def as gdl
from graphflow.io.graph_def import GraphDefError, import_graph_def
from graphflow.protos import attr_value_pb2, graph_pb2, op_def_pb2, tensor_pb2, types_pb2

RNG = np.random.default_rng(0)


def _mlp(rng=RNG):
    """A small MLP with variables; returns (x, logits, probs)."""
    x = gf.placeholder(gf.float32, [None, 4], name="x")
    w1 = gf.Variable(rng.standard_normal((4, 8)).astype(np.float32), name="w1")
    b1 = gf.Variable(np.full([8], 0.1, np.float32), name="b1")
    h = gf.nn.relu(gf.nn.bias_add(gf.matmul(x, w1), b1), name="h")
    w2 = gf.Variable(rng.standard_normal((8, 3)).astype(np.float32), name="w2")
    logits = gf.matmul(h, w2, name="logits")
    return x, logits, gf.nn.softmax(logits, name="probs")


def _run(fetches, feeds=None, init=True):
    with gf.Session() as sess:
        if init:
            sess.run(gf.global_variables_initializer())
        return sess.run(fetches, feeds)


def _node(gd, name):
    return next(n for n in gd.node if n.name == name)


def _graph_state(g):
    return [op.name for op in g.get_operations()], dict(g._names_in_use)


# --- export ---------------------------------------------------------------------------------


def test_node_def_names_inputs_devices_and_control_inputs():
    a = gf.placeholder(gf.float32, [6], name="a")
    with gf.device("/cpu:0"):
        parts = gf.split(a, 3, name="parts")
    c = gf.no_op(name="c")
    with gf.control_dependencies([c]):
        s = gf.add(parts[0], parts[2], name="s")
    nd = s.op.node_def
    assert (nd.name, nd.op) == ("s", "Add")
    assert list(nd.input) == ["parts", "parts:2", "^c"]
    assert _node(gf.get_default_graph().as_graph_def(), "parts").device == "/device:CPU:0"
    assert nd.attr["T"].type == types_pb2.DT_FLOAT


def test_graph_def_versions_and_output_shapes():
    x = gf.placeholder(gf.float32, [None, 3], name="x")
    gf.reduce_sum(x, axis=1, name="s")
    gd = gf.get_default_graph().as_graph_def()
    assert gd.versions.producer == gdl.GRAPH_DEF_VERSION
    assert "_output_shapes" not in _node(gd, "s").attr
    gd = gf.get_default_graph().as_graph_def(add_shapes=True)
    dims = [d.size for d in _node(gd, "s").attr["_output_shapes"].list.shape[0].dim]
    assert dims == [-1]
    assert _node(gd, "x").attr["shape"].shape.dim[1].size == 3


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int16,
                                   np.int32, np.int64, np.uint8, np.bool_])
def test_const_tensor_is_little_endian_tensor_content(dtype):
    value = (RNG.standard_normal((2, 3)) * 50).astype(dtype)
    c = gf.constant(value, name="c")
    tp = c.op.node_def.attr["value"].tensor
    assert tp.dtype == gf.as_dtype(dtype).as_datatype_enum
    assert [d.size for d in tp.tensor_shape.dim] == [2, 3]
    assert tp.tensor_content == value.astype(np.dtype(dtype).newbyteorder("<")).tobytes()
    back = gdl.make_ndarray(tp)
    assert back.dtype == value.dtype and np.array_equal(back, value)


def test_string_and_empty_tensors():
    s = gf.constant([b"ab", "\u00e9"], name="s")
    tp = s.op.node_def.attr["value"].tensor
    assert list(tp.string_val) == [b"ab", "\u00e9".encode("utf-8")]
    assert list(gdl.make_ndarray(tp)) == [b"ab", "\u00e9".encode("utf-8")]
    e = gf.constant(np.zeros([0, 4], np.float32), name="e")
    tp = e.op.node_def.attr["value"].tensor
    assert tp.tensor_content == b"" and [d.size for d in tp.tensor_shape.dim] == [0, 4]
    assert gdl.make_ndarray(tp).shape == (0, 4)


_KINDS = [
    ("type", gf.int64, "type", types_pb2.DT_INT64),
    ("int", -7, "i", -7),
    ("float", 0.5, "f", 0.5),
    ("bool", True, "b", True),
    ("string", "NCHW", "s", b"NCHW"),
    ("shape", gf.TensorShape([None, 3]), "shape", None),
    ("shape", gf.TensorShape(None), "shape", None),
    ("shape", gf.TensorShape([]), "shape", None),
    ("tensor", np.array([[1, 2]], np.int32), "tensor", None),
    ("list(type)", [gf.float32, gf.bool], "list", None),
    ("list(int)", [1, -2, 3], "list", None),
    ("list(float)", [0.25, -1.0], "list", None),
    ("list(string)", ["a", "bc"], "list", None),
    ("list(bool)", [True, False], "list", None),
    ("list(shape)", [gf.TensorShape([2]), gf.TensorShape(None)], "list", None),
    ("list(int)", [], "list", None),
]


@pytest.mark.parametrize("kind,value,field,raw", _KINDS,
                         ids=["%s-%d" % (k[0], i) for i, k in enumerate(_KINDS)])
def test_attr_value_encoding_of_every_kind(kind, value, field, raw):
    av = gdl._attr_to_proto(attr_value_pb2.AttrValue(), value, kind)
    assert av.WhichOneof("value") == field
    if raw is not None:
        assert getattr(av, field) == raw
    back = gdl._attr_from_proto(av, kind, "attr", gdl._Budget())
    if kind == "tensor":
        assert np.array_equal(back, value) and back.dtype == value.dtype
    else:
        assert back == value
    # The kind of a schema-less ("_") attr is read off the value the same way.
    if kind not in ("list(int)",) or value:
        assert gdl._attr_to_proto(attr_value_pb2.AttrValue(), value, None) == av


def test_shape_proto_forms():
    av = gdl._attr_to_proto(attr_value_pb2.AttrValue(), gf.TensorShape(None), "shape")
    assert av.shape.unknown_rank and not av.shape.dim
    av = gdl._attr_to_proto(attr_value_pb2.AttrValue(), gf.TensorShape([None, 2]), "shape")
    assert [d.size for d in av.shape.dim] == [-1, 2]
    av = gdl._attr_to_proto(attr_value_pb2.AttrValue(), gf.TensorShape([]), "shape")
    assert av.HasField("shape") and not av.shape.dim and not av.shape.unknown_rank


def test_colocation_attr_written_and_renamed_on_import():
    v = gf.Variable([1.0, 2.0], name="v")
    with gf.colocate_with(v.op):
        gf.identity(v, name="near")
    gd = gf.get_default_graph().as_graph_def()
    assert list(_node(gd, "near").attr["_class"].list.s) == [b"loc:@v"]
    with gf.Graph().as_default() as g:
        import_graph_def(gd)
        assert g.get_operation_by_name("import/near").get_attr("_class") == ["loc:@import/v"]


def test_typed_tensor_values_follow_tfs_repeat_rule():
    tp = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[1.0, 2.0])
    tp.tensor_shape.dim.add().size = 4
    assert gdl.make_ndarray(tp).tolist() == [1.0, 2.0, 2.0, 2.0]
    tp = tensor_pb2.TensorProto(dtype=types_pb2.DT_INT32)
    tp.tensor_shape.dim.add().size = 3
    assert gdl.make_ndarray(tp).tolist() == [0, 0, 0]
    tp = tensor_pb2.TensorProto(dtype=types_pb2.DT_HALF, half_val=[15872])
    assert gdl.make_ndarray(tp) == np.float16(1.5)
    tp = tensor_pb2.TensorProto(dtype=types_pb2.DT_INT8, int_val=[-3, 5])
    tp.tensor_shape.dim.add().size = 2
    assert gdl.make_ndarray(tp).dtype == np.int8
    tp = tensor_pb2.TensorProto(dtype=types_pb2.DT_BOOL, bool_val=[True])
    tp.tensor_shape.dim.add().size = 2
    assert gdl.make_ndarray(tp).tolist() == [True, True]
    assert gdl.make_ndarray(gdl.make_tensor_proto(3.0, shape=[2, 2])).tolist() == [[3, 3], [3, 3]]


# --- round trips ---------------------------------------------------------------------------


def test_round_trip_gives_the_same_outputs():
    x, logits, probs = _mlp()
    c = gf.concat([gf.reshape(probs, [-1, 3, 1]), gf.expand_dims(logits, 2)], axis=2, name="c")
    xv = RNG.standard_normal((5, 4)).astype(np.float32)
    want = _run([probs, c], {x: xv})
    data = gf.get_default_graph().as_graph_def(add_shapes=True).SerializeToString()
    with gf.Graph().as_default() as g:
        p, cc = import_graph_def(data, return_elements=["probs:0", "c:0"])
        assert p.name == "import/probs:0" and cc.shape.as_list() == [None, 3, 2]
        with gf.Session() as sess:
            sess.run([op for op in g.get_operations() if op.type == "Assign"])
            got = sess.run([p, cc], {"import/x:0": xv})
        assert sorted(op.name for op in g.get_operations() if op.type == "VariableV2") == [
            "import/b1", "import/w1", "import/w2"]
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_import_is_a_fixed_point():
    _mlp()
    gd = gf.get_default_graph().as_graph_def()
    with gf.Graph().as_default() as g:
        import_graph_def(gd, name="")
        again = g.as_graph_def()
    assert again.SerializeToString(deterministic=True) == gd.SerializeToString(deterministic=True)


def test_write_graph_text_and_binary(tmp_path):
    x, _, probs = _mlp()
    g = gf.get_default_graph()
    text_path = gf.train.write_graph(g, str(tmp_path / "new" / "dir"), "g.pbtxt")
    bin_path = gf.train.write_graph(g.as_graph_def(), str(tmp_path), "g.pb", as_text=False)
    assert text_path == str(tmp_path / "new" / "dir" / "g.pbtxt")
    assert open(text_path).read().startswith("node {")
    assert gdl.read_graph_def(text_path) == gdl.read_graph_def(bin_path) == g.as_graph_def()
    with pytest.raises(GraphDefError, match="g.pb"):
        gdl.read_graph_def(bin_path, as_text=True)


# --- import semantics ------------------------------------------------------------------------


def _two_input_graph_def():
    with gf.Graph().as_default() as g:
        a = gf.placeholder(gf.float32, [None], name="a")
        b = gf.placeholder(gf.float32, [None], name="b")
        init = gf.no_op(name="init")
        with gf.control_dependencies([init]):
            gf.multiply(a + b, 2.0, name="out")
        return g.as_graph_def()


def test_prefixes_scopes_and_name():
    gd = _two_input_graph_def()
    g = gf.get_default_graph()
    import_graph_def(gd)
    import_graph_def(gd)
    import_graph_def(gd, name="net")
    with gf.name_scope("outer"):
        import_graph_def(gd)
    import_graph_def(gd, name="")
    names = {op.name for op in g.get_operations()}
    for prefix in ("import/", "import_1/", "net/", "outer/import/", ""):
        assert prefix + "out" in names
    with pytest.raises(GraphDefError, match="Duplicate node name"):
        import_graph_def(gd, name="")


def test_input_map_and_return_elements():
    gd = _two_input_graph_def()
    a = gf.constant([1.0, 2.0], name="a_value")
    gate = gf.no_op(name="gate")
    out, out_op, mapped_a, b = import_graph_def(
        gd, input_map={"a:0": a, "b": gf.constant([10.0, 20.0]), "^init": gate},
        return_elements=["out:0", "out", "a:0", "b:0"])
    assert isinstance(out_op, gf.Operation) and out_op.name == "import/out"
    assert mapped_a is a                      # a mapped tensor comes back as its replacement
    assert gf.get_default_graph().get_operation_by_name("import/a").type == "Placeholder"
    np.testing.assert_array_equal(_run(out, init=False), [22.0, 44.0])
    add = out.op.inputs[0].op
    assert add.inputs[0] is a
    assert gate in add.control_inputs or gate in out.op.control_inputs
    assert b.dtype == gf.float32


def test_input_map_and_return_element_errors():
    gd = _two_input_graph_def()
    g = gf.get_default_graph()
    before = _graph_state(g)
    with pytest.raises(GraphDefError, match=r"not found in graph_def: \[nope:0\]"):
        import_graph_def(gd, input_map={"nope:0": gf.constant(1.0)})
    with pytest.raises(GraphDefError, match="return_element 'zz:0' not found"):
        import_graph_def(gd, return_elements=["zz:0"])
    with pytest.raises(GraphDefError, match="'out' has 1 output"):
        import_graph_def(gd, return_elements=["out:3"])
    with pytest.raises(GraphDefError, match="is int32, the op expects float"):
        import_graph_def(gd, input_map={"a:0": gf.constant([1, 2])})
    after = _graph_state(g)
    assert after[0] == before[0] + ["Const", "Const_1"]    # only the input_map values


# --- validation of hostile input ------------------------------------------------------------


def _graph_def(*nodes):
    gd = graph_pb2.GraphDef()
    for name, op, inputs, attrs in nodes:
        nd = gd.node.add(name=name, op=op)
        nd.input.extend(inputs)
        for k, v in attrs.items():
            nd.attr[k].CopyFrom(v)
    return gd


def _type(t):
    return attr_value_pb2.AttrValue(type=t)


def _const(name, value):
    value = np.asarray(value)
    return (name, "Const", [], {
        "dtype": _type(gf.as_dtype(value.dtype).as_datatype_enum),
        "value": attr_value_pb2.AttrValue(tensor=gdl.make_tensor_proto(value))})


def _identity(name, src):
    return (name, "Identity", [src], {"T": _type(types_pb2.DT_FLOAT)})


def test_unknown_ops_are_listed_in_one_error():
    gd = _graph_def(_const("c", np.float32(1)),
                    ("fft", "FFT", ["c"], {}), ("fft2", "FFT", ["c"], {}),
                    ("check", "CheckNumerics", ["c"], {}), ("ok", "Identity", ["c"], {}))
    with pytest.raises(GraphDefError) as e:
        import_graph_def(gd)
    msg = str(e.value)
    assert "2 op types graphflow does not have" in msg
    assert "CheckNumerics (1 node: check)" in msg and "FFT (2 nodes: fft, fft2)" in msg
    assert gf.get_default_graph().get_operations() == []


def _expect(gd, pattern):
    g = gf.get_default_graph()
    before = _graph_state(g)
    with pytest.raises(GraphDefError, match=pattern):
        import_graph_def(gd)
    assert _graph_state(g) == before


def test_missing_input_cycle_duplicate_and_malformed_references():
    c = _const("c", np.float32(1))
    _expect(_graph_def(c, _identity("i", "nowhere")), "input 'nowhere' is not a node")
    _expect(_graph_def(c, _identity("i", "^c")), "has 0 data inputs, its attrs call for 1")
    _expect(_graph_def(c, _identity("a", "b"), _identity("b", "a")), "cycle among nodes a, b")
    _expect(_graph_def(c, _identity("i", "c:1")), "'c' has 1 output")
    _expect(_graph_def(c, c), "two nodes named 'c'")
    _expect(_graph_def(c, _identity("i", "c:x")), "malformed input 'c:x'")
    _expect(_graph_def(c, _identity("bad name", "c")), "node name 'bad name' is not valid")
    _expect(_graph_def(c, ("i", "Identity", ["^c", "c"], {"T": _type(1)})),
            "comes after a control input")


def test_bad_attrs_are_rejected():
    c = _const("c", np.float32(1))
    _expect(_graph_def(c, ("i", "Identity", ["c"], {})), "missing attr 'T'")
    _expect(_graph_def(c, ("i", "Identity", ["c"], {"T": attr_value_pb2.AttrValue(i=1)})),
            "expected a type attr, got a 'i' value")
    _expect(_graph_def(c, ("i", "Identity", ["c"], {"T": _type(types_pb2.DT_INT32)})),
            r"input 0 \('import/c:0'\) is float32, the op expects int32")
    _expect(_graph_def(c, ("i", "Identity", ["c"], {"T": _type(types_pb2.DT_COMPLEX64)})),
            "dtype DT_COMPLEX64 is not supported")
    _expect(_graph_def(c, ("r", "Relu", ["c"], {"T": _type(types_pb2.DT_STRING)})),
            "string is not an allowed type")
    _expect(_graph_def(c, ("i", "Identity", ["c"], {"T": _type(1), "bogus": _type(1)})),
            "attr 'bogus' is not an attr of graphflow's Identity")
    bad = attr_value_pb2.AttrValue(s=b"\xff\xfe")
    _expect(_graph_def(c, ("b", "BiasAdd", ["c", "c"], {"T": _type(1), "data_format": bad})),
            "is not UTF-8")
    _expect(_graph_def(c, ("p", "Pack", ["c"], {"T": _type(1), "N": attr_value_pb2.AttrValue(
        i=0)})), "below the minimum 1")
    # A zero-valued attr TF added later (and graphflow's op lacks) is dropped.
    import_graph_def(_graph_def(c, ("i", "Identity", ["c"], {
        "T": _type(1), "newer_flag": attr_value_pb2.AttrValue(b=False)})))


def test_bad_tensors_and_shapes_are_rejected():
    def const(tp):
        return ("c", "Const", [], {"dtype": _type(1),
                                   "value": attr_value_pb2.AttrValue(tensor=tp)})

    tp = gdl.make_tensor_proto(np.zeros([2, 2], np.float32))
    tp.tensor_content = tp.tensor_content[:-1]
    _expect(_graph_def(const(tp)), "tensor_content has 15 bytes; a float32 tensor of shape "
                                   r"\[2, 2\] needs 16")
    huge = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[1.0])
    huge.tensor_shape.dim.add().size = 1 << 40
    _expect(_graph_def(const(huge)), "would expand to 4398046511104 bytes")
    _expect(_graph_def(const(gdl.make_tensor_proto(np.int32(3)))),
            "its value is int32 but its dtype attr is float32")
    shape = attr_value_pb2.AttrValue()
    shape.shape.dim.add().size = -5
    _expect(_graph_def(("p", "Placeholder", [], {"dtype": _type(1), "shape": shape})),
            "dimension size -5")
    shape = attr_value_pb2.AttrValue()
    for _ in range(300):
        shape.shape.dim.add().size = 1
    _expect(_graph_def(("p", "Placeholder", [], {"dtype": _type(1), "shape": shape})),
            "a shape of rank 300")
    many = {"T": _type(1), "num_split": attr_value_pb2.AttrValue(i=10 ** 9)}
    _expect(_graph_def(_const("d", np.int32(0)), _const("c", np.zeros(4, np.float32)),
                       ("s", "Split", ["d", "c"], many)), "more than 65536 outputs")


def test_ref_input_must_be_a_variable():
    c = _const("c", np.float32(1))
    assign = ("a", "Assign", ["c", "c"], {"T": _type(1)})
    _expect(_graph_def(c, assign), "must be a variable")


def test_shape_errors_name_the_node_and_roll_back():
    a = _const("a", np.zeros([2, 3], np.float32))
    b = _const("b", np.zeros([4, 5], np.float32))
    _expect(_graph_def(a, b, ("m", "MatMul", ["a", "b"], {"T": _type(1)})),
            r"MatMul op 'import/m' \(built at .*test_graph_def.py:\d+\): Dimensions must be "
            "equal")


def test_not_a_graph_def():
    with pytest.raises(GraphDefError, match="not a valid GraphDef"):
        import_graph_def(b"\xff\xff\xff")
    with pytest.raises(TypeError, match="GraphDef proto"):
        import_graph_def(42)


def test_fuzzed_graph_defs_raise_only_clear_errors():
    """Mutated bytes of a valid GraphDef either import (and then run, or fail with
    an OpError, or ValueError for a feed that no longer fits) or raise
    GraphDefError; nothing else, no crash, no hang."""
    # Weights of its own and deterministic serialization: the bytes, and so the
    # mix of outcomes, must not depend on which tests ran before this one.
    x, _, probs = _mlp(np.random.default_rng(7))
    gf.reduce_mean(gf.reshape(probs, [-1]), name="m")
    data = gf.get_default_graph().as_graph_def(add_shapes=True).SerializeToString(
        deterministic=True)
    rng = random.Random(1234)
    xv = np.ones((2, 4), np.float32)
    outcomes = {"imported": 0, "rejected": 0}
    for case in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            kind = rng.random()
            pos = rng.randrange(len(mutated))
            if kind < 0.5:
                mutated[pos] = rng.randrange(256)
            elif kind < 0.7:
                mutated[pos] ^= 1 << rng.randrange(8)
            elif kind < 0.85:
                del mutated[pos:pos + rng.randint(1, 8)]
            else:
                mutated[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        if case % 10 == 0:
            mutated = mutated[:rng.randrange(len(mutated))]
        with gf.Graph().as_default() as g:
            try:
                import_graph_def(bytes(mutated), name="")
            except GraphDefError:
                outcomes["rejected"] += 1
                assert g.get_operations() == []
                continue
            outcomes["imported"] += 1
            fetch = [op.outputs[0] for op in g.get_operations()
                     if op.name in ("m", "probs") and op.outputs]
            feeds = {t.outputs[0]: xv for t in g.get_operations() if t.type == "Placeholder"
                     and t.get_attr("dtype") == gf.float32 and t.get_attr("shape").rank == 2}
            inits = [op for op in g.get_operations() if op.type == "Assign"]
            try:
                with gf.Session() as sess:
                    sess.run(inits)
                    sess.run(fetch, feeds)
            except (gf.errors.OpError, ValueError):
                pass
    assert outcomes["imported"] > 10 and outcomes["rejected"] > 10, outcomes


def _random_attr(rng, av):
    """Overwrites AttrValue `av` with a random value of a random kind."""
    av.Clear()
    kind = rng.randrange(8)
    if kind == 0:
        av.i = rng.choice([0, 1, 3, -1, -2, 2 ** 31 - 1, 2 ** 40, -2 ** 62])
    elif kind == 1:
        av.f = rng.choice([0.0, float("nan"), float("inf"), -1.5])
    elif kind == 2:
        av.b = rng.random() < 0.5
    elif kind == 3:
        av.s = rng.choice([b"", b"NHWC", b"NCHW", b"\xff", b"loc:@w1"])
    elif kind == 4:
        av.type = rng.choice([0, 1, 3, 7, 9, 10, 19, 8, 101, 500])
    elif kind in (5, 6):
        shape = av.shape if kind == 5 else av.tensor.tensor_shape
        for _ in range(rng.choice([0, 1, 2, 3, 9])):
            shape.dim.add().size = rng.choice([-1, 0, 1, 2, 4, 2 ** 40, -7])
        if kind == 6:
            av.tensor.dtype = rng.choice([1, 3, 7, 9, 10, 19, 8, 0])
            av.tensor.tensor_content = bytes(rng.randrange(256) for _ in range(rng.choice(
                [0, 1, 4, 8, 16])))
            av.tensor.float_val.extend([1.5] * rng.randrange(3))
    else:
        av.list.SetInParent()
        av.list.i.extend(rng.choice([1, -1, 2 ** 40, 5]) for _ in range(rng.randrange(4)))


def test_structurally_fuzzed_graph_defs_raise_only_clear_errors():
    """Random edits of a valid GraphDef's nodes (attr values of the wrong kind or
    absurd size, other op types, rewired or dropped inputs, bad devices) import
    and run, or fail with GraphDefError at import or OpError/ValueError at run."""
    _mlp()
    probs = gf.get_default_graph().get_tensor_by_name("probs:0")
    gf.concat([probs, probs], axis=1, name="cc")
    base = gf.get_default_graph().as_graph_def(add_shapes=True)
    op_types = ["Identity", "Relu", "Softmax", "Neg", "AddV2", "MatMul", "Reshape", "ConcatV2",
                "BiasAdd", "Sum", "Const", "Placeholder", "Transpose", "Cast", "Pack", "Squeeze"]
    attr_names = ["T", "N", "dtype", "shape", "value", "_class", "axis", "data_format", "Tidx"]
    rng = random.Random(99)
    xv = np.ones((2, 4), np.float32)
    outcomes = {"imported": 0, "rejected": 0, "ran": 0}
    for _ in range(300):
        gd = graph_pb2.GraphDef()
        gd.CopyFrom(base)
        for _ in range(rng.randint(1, 3)):
            node = rng.choice(gd.node)
            edit = rng.randrange(7)
            if edit == 0 and node.attr:
                _random_attr(rng, node.attr[rng.choice(sorted(node.attr))])
            elif edit == 1:
                _random_attr(rng, node.attr[rng.choice(attr_names)])
            elif edit == 2:
                node.op = rng.choice(op_types)
            elif edit == 3 and node.input:
                src = rng.choice(gd.node).name
                node.input[rng.randrange(len(node.input))] = rng.choice(
                    [src, src + ":1", "^" + src])
            elif edit == 4 and node.input:
                del node.input[rng.randrange(len(node.input))]
            elif edit == 5:
                node.input.append(rng.choice(gd.node).name)
            else:
                node.device = rng.choice(["/cpu:0", "/gpu:0", "garbage", "/job:x/task:abc"])
        with gf.Graph().as_default() as g:
            try:
                import_graph_def(gd, name="")
            except GraphDefError:
                outcomes["rejected"] += 1
                assert g.get_operations() == []
                continue
            outcomes["imported"] += 1
            ops = g.get_operations()
            fetch = [op.outputs[0] for op in ops if op.name in ("probs", "cc") and op.outputs]
            feeds = {op.outputs[0]: xv for op in ops if op.type == "Placeholder"
                     and op.get_attr("dtype") == gf.float32
                     and op.get_attr("shape").is_compatible_with([2, 4])}
            try:
                with gf.Session() as sess:
                    sess.run([op for op in ops if op.type == "Assign"])
                    sess.run(fetch, feeds)
                outcomes["ran"] += 1
            except (gf.errors.OpError, ValueError):
                pass
    assert min(outcomes.values()) > 10, outcomes


# --- graph_util -----------------------------------------------------------------------------


def test_convert_variables_to_constants_freezes_the_graph():
    x, logits, probs = _mlp()
    gf.reduce_sum(logits, name="unused_by_probs")
    xv = RNG.standard_normal((3, 4)).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        want = sess.run(probs, {x: xv})
        frozen = graph_util.convert_variables_to_constants(
            sess, gf.get_default_graph().as_graph_def(), ["probs"])
    ops = {n.name: n.op for n in frozen.node}
    assert "VariableV2" not in ops.values() and "Assign" not in ops.values()
    assert ops["w1"] == "Const" and "unused_by_probs" not in ops
    with gf.Graph().as_default():
        p, = import_graph_def(frozen, return_elements=["probs:0"])
        np.testing.assert_array_equal(_run(p, {"import/x:0": xv}, init=False), want)

    with gf.Session(graph=x.graph) as sess:
        sess.run(gf.global_variables_initializer())
        partial = graph_util.convert_variables_to_constants(
            sess, x.graph.as_graph_def(), ["probs"], variable_names_blacklist=["w2"])
    assert {n.name: n.op for n in partial.node}["w2"] == "VariableV2"


def test_extract_sub_graph():
    gd = _two_input_graph_def()
    sub = graph_util.extract_sub_graph(gd, ["out"])
    assert [n.name for n in sub.node] == [n.name for n in gd.node]   # init via ^init
    sub = graph_util.extract_sub_graph(gd, ["add"])
    assert [n.name for n in sub.node] == ["a", "b", "init", "add"]
    assert [n.name for n in graph_util.extract_sub_graph(gd, ["b:0"]).node] == ["b"]
    with pytest.raises(ValueError, match="nope not in graph_def"):
        graph_util.extract_sub_graph(gd, ["nope"])
    with pytest.raises(TypeError, match="list of node names"):
        graph_util.extract_sub_graph(gd, "out")


def test_remove_training_nodes():
    c = _const("c", np.float32(2))
    check = ("check", "CheckNumerics", ["c"], {"T": _type(1)})
    gd = _graph_def(c, check, _identity("i1", "check"), _identity("i2", "i1"),
                    _identity("keep", "i2"),
                    ("gated", "Identity", ["c", "^i1"], {"T": _type(1)}),
                    ("sq", "Square", ["i2"], {"T": _type(1)}))
    out = graph_util.remove_training_nodes(gd, protected_nodes=["keep"])
    by_name = {n.name: list(n.input) for n in out.node}
    # i1 is a control input of "gated", so it stays; i2 is spliced out.
    assert set(by_name) == {"c", "i1", "keep", "gated", "sq"}
    assert by_name["i1"] == ["c"] and by_name["keep"] == ["i1"] and by_name["sq"] == ["i1"]
    assert by_name["gated"] == ["c", "^i1"]


# --- TensorFlow interop ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tf():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return pytest.importorskip("tensorflow")


def _tf_run(tf, graph_def, fetches, feeds):
    g = tf.Graph()
    with g.as_default():
        tgd = tf.compat.v1.GraphDef.FromString(graph_def.SerializeToString())
        outs = tf.compat.v1.import_graph_def(tgd, return_elements=fetches, name="")
        with tf.compat.v1.Session(graph=g) as sess:
            return sess.run(outs, feeds)


def test_tensorflow_runs_a_graphflow_mlp(tf):
    x, logits, probs = _mlp()
    xv = RNG.standard_normal((6, 4)).astype(np.float32)
    with gf.Session() as sess:
        sess.run(gf.global_variables_initializer())
        want = sess.run([logits, probs], {x: xv})
        frozen = graph_util.convert_variables_to_constants(
            sess, gf.get_default_graph().as_graph_def(add_shapes=True), ["probs"])
    got = _tf_run(tf, frozen, ["logits:0", "probs:0"], {"x:0": xv})
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_tensorflow_runs_a_graphflow_array_graph(tf):
    x = gf.placeholder(gf.float32, [None, 6], name="x")
    w = gf.constant(RNG.standard_normal((3, 4)).astype(np.float32), name="w")
    r = gf.reshape(x, [-1, 3], name="r")
    t = gf.transpose(gf.matmul(r, w), name="t")
    c = gf.concat([t, gf.tanh(t), gf.sigmoid(t)], axis=0, name="c")
    s = gf.nn.softmax(c, name="s")
    m = gf.reduce_mean(gf.squeeze(gf.expand_dims(s, 0), [0]), axis=1, name="m")
    cast = gf.cast(gf.argmax(s, axis=0), gf.int32, name="cast")
    st = gf.strided_slice(gf.stack([m, m]), [0, 1], [2, 5], [1, 2], name="st")
    fetches = [r, t, c, s, m, cast, st]
    xv = RNG.standard_normal((4, 6)).astype(np.float32)
    want = _run(fetches, {x: xv}, init=False)
    gd = gf.get_default_graph().as_graph_def(add_shapes=True)
    got = _tf_run(tf, gd, [f.name for f in fetches], {"x:0": xv})
    for f, a, b in zip(fetches, got, want):
        assert a.dtype == b.dtype, f.name
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f.name)


def _tf_frozen_mlp(tf, xv):
    tf1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [None, 4], name="x")
        init = tf1.random_normal_initializer(seed=3)
        w1 = tf1.get_variable("w1", [4, 8], initializer=init, use_resource=False)
        b1 = tf1.get_variable("b1", [8], initializer=tf1.constant_initializer(0.1),
                              use_resource=False)
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        w2 = tf1.get_variable("w2", [8, 3], initializer=init, use_resource=False)
        logits = tf.nn.bias_add(tf.matmul(h, w2), tf.constant([0.1, 0.2, 0.3]))
        flat = tf.reshape(tf.concat([logits, logits * 2.0], axis=1), [-1, 2, 3])
        tf.reduce_sum(tf.nn.softmax(flat), axis=[1], name="y")
        with tf1.Session(graph=g) as sess:
            sess.run(tf1.global_variables_initializer())
            want = sess.run("y:0", {"x:0": xv})
            frozen = tf1.graph_util.convert_variables_to_constants(
                sess, g.as_graph_def(add_shapes=True), ["y"])
    return frozen, want


def test_a_frozen_tensorflow_graph_runs_in_graphflow(tf):
    xv = RNG.standard_normal((5, 4)).astype(np.float32)
    frozen, want = _tf_frozen_mlp(tf, xv)
    y, = import_graph_def(frozen, return_elements=["y:0"])
    assert y.shape.as_list() == [None, 3]
    np.testing.assert_allclose(_run(y, {"import/x:0": xv}, init=False), want,
                               rtol=1e-5, atol=1e-6)


def test_tensorflow_graph_with_unsupported_ops(tf):
    tf1 = tf.compat.v1
    g = tf.Graph()
    with g.as_default():
        x = tf1.placeholder(tf.float32, [1, 8, 8, 1], name="x")
        k = tf.ones([3, 3, 1, 2])
        y = tf.nn.conv2d(x, k, strides=1, padding="SAME")
        y = tf.math.lgamma(tf.nn.max_pool2d(y, 2, 2, "VALID"))
        tf.debugging.check_numerics(y, "bad", name="out")
    with pytest.raises(GraphDefError) as e:
        import_graph_def(g.as_graph_def())
    msg = str(e.value)
    assert "2 op types" in msg
    for op in ("CheckNumerics", "Lgamma"):
        assert op in msg
    assert gf.get_default_graph().get_operations() == []


def _gf_cond_graph():
    """Nested conds reading outside tensors in both branches, with constants
    inside them, two outputs, and the gradient through them."""
    x = gf.placeholder(gf.float32, [None, 3], name="x")
    p = gf.placeholder(gf.bool, [], name="p")
    q = gf.placeholder(gf.bool, [], name="q")
    w = gf.constant(RNG.standard_normal((3, 3)).astype(np.float32), name="w")

    def true_fn():
        inner = gf.cond(q, lambda: gf.matmul(x, w) + 1.0, lambda: x * gf.constant(2.0))
        return inner, gf.reduce_sum(x)

    def false_fn():
        return gf.tanh(x) - w[0], gf.constant(5.0)

    y, s = gf.cond(p, true_fn, false_fn, name="c")
    g, = gf.gradients(gf.reduce_sum(y * y) + s, [x])
    return [gf.identity(y, name="y"), gf.identity(s, name="s"), gf.identity(g, name="g")]


def test_cond_round_trip_keeps_dead_branches_dead():
    """Switch and Merge carry the cond's semantics: an imported cond (no
    CondContext rebuilt) gives the same outputs and runs only the taken side."""
    fetches = _gf_cond_graph()
    gd = gf.get_default_graph().as_graph_def()
    xv = RNG.standard_normal((4, 3)).astype(np.float32)
    cases = [(pv, qv) for pv in (True, False) for qv in (True, False)]
    with gf.Session() as sess:
        want = [sess.run(fetches, {"x:0": xv, "p:0": pv, "q:0": qv}) for pv, qv in cases]
    with gf.Graph().as_default():
        imported = import_graph_def(gd, return_elements=[f.name for f in fetches], name="")
        with gf.Session() as sess:
            for (pv, qv), w in zip(cases, want):
                got = sess.run(imported, {"x:0": xv, "p:0": pv, "q:0": qv})
                for f, a, b in zip(fetches, got, w):
                    np.testing.assert_allclose(a, b, rtol=1e-6, err_msg="%s %s" % (f, (pv, qv)))
            with pytest.raises(gf.errors.InvalidArgumentError, match="dead"):
                sess.run("c/cond/MatMul:0", {"x:0": xv, "p:0": False, "q:0": True})


def test_tensorflow_runs_a_graphflow_cond(tf):
    fetches = _gf_cond_graph()
    gd = gf.get_default_graph().as_graph_def(add_shapes=True)
    assert {"Switch", "Merge"} <= {n.op for n in gd.node}
    xv = RNG.standard_normal((4, 3)).astype(np.float32)
    cases = [(pv, qv) for pv in (True, False) for qv in (True, False)]
    with gf.Session() as sess:
        want = [sess.run(fetches, {"x:0": xv, "p:0": pv, "q:0": qv}) for pv, qv in cases]
    g = tf.Graph()
    with g.as_default():
        outs = tf.compat.v1.import_graph_def(
            tf.compat.v1.GraphDef.FromString(gd.SerializeToString()),
            return_elements=[f.name for f in fetches], name="")
        with tf.compat.v1.Session(graph=g) as sess:
            got = [sess.run(outs, {"x:0": xv, "p:0": pv, "q:0": qv}) for pv, qv in cases]
    for case, a, b in zip(cases, got, want):
        for f, u, v in zip(fetches, a, b):
            np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-5, err_msg="%s %s" % (f, case))
    # the branches differ, so each case checks the branch it took
    assert not np.allclose(want[0][0], want[2][0]) and not np.allclose(want[0][0], want[1][0])


@contextlib.contextmanager
def _control_flow_v2(tf, enabled):
    """TF's conds build If/StatelessIf (v2) or Switch/Merge (v1) inside; the
    process-wide setting is restored after."""
    tf1 = tf.compat.v1
    was = tf1.control_flow_v2_enabled()
    (tf1.enable_control_flow_v2 if enabled else tf1.disable_control_flow_v2)()
    try:
        yield
    finally:
        (tf1.enable_control_flow_v2 if was else tf1.disable_control_flow_v2)()


def _tf_frozen_v1_cond(tf, xv):
    """A TF1 graph with nested Switch/Merge conds over a variable, frozen, and
    its outputs for every (p, q)."""
    tf1 = tf.compat.v1
    g = tf.Graph()
    with _control_flow_v2(tf, False), g.as_default():
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        p = tf1.placeholder(tf.bool, [], name="p")
        q = tf1.placeholder_with_default(True, [], name="q")
        w = tf1.get_variable("w", [3, 2], initializer=tf1.random_normal_initializer(seed=1),
                             use_resource=False)

        def true_fn():
            return tf1.cond(q, lambda: tf.matmul(x, w) + 1.0, lambda: tf.matmul(x * 2.0, w))

        y = tf1.cond(p, true_fn, lambda: tf.matmul(tf.tanh(x), w) - tf.constant([0.5, -0.5]))
        tf.identity(y, name="y")
        with tf1.Session(graph=g) as sess:
            sess.run(tf1.global_variables_initializer())
            want = {(pv, qv): sess.run("y:0", {"x:0": xv, "p:0": pv, "q:0": qv})
                    for pv in (True, False) for qv in (True, False)}
            frozen = tf1.graph_util.convert_variables_to_constants(
                sess, g.as_graph_def(add_shapes=True), ["y"])
    return frozen, want


def test_a_frozen_tensorflow_v1_cond_runs_in_graphflow(tf):
    xv = RNG.standard_normal((4, 3)).astype(np.float32)
    frozen, want = _tf_frozen_v1_cond(tf, xv)
    ops = {n.op for n in frozen.node}
    assert {"Switch", "Merge"} <= ops and not ops & {"If", "StatelessIf"}
    y, = import_graph_def(frozen, return_elements=["y:0"])
    with gf.Session() as sess:
        for (pv, qv), v in want.items():
            got = sess.run(y, {"import/x:0": xv, "import/p:0": pv, "import/q:0": qv})
            np.testing.assert_allclose(got, v, rtol=1e-5, atol=1e-6, err_msg=str((pv, qv)))


def test_a_tensorflow_v2_cond_is_rejected_naming_its_ops(tf):
    tf1 = tf.compat.v1
    g = tf.Graph()
    with _control_flow_v2(tf, True), g.as_default():
        x = tf1.placeholder(tf.float32, [None, 3], name="x")
        p = tf1.placeholder(tf.bool, [], name="p")
        a = tf.cond(p, lambda: x * 2.0, lambda: x - 1.0)  # stateless branches
        b = tf.cond(p, lambda: tf.random.uniform([3], seed=1), lambda: tf.zeros([3]))
        tf.identity(a + b, name="y")
    gd = g.as_graph_def()
    conds = {n.op: n.name for n in gd.node if n.op in ("If", "StatelessIf")}
    assert len(conds) == 2 and gd.library.function
    with pytest.raises(GraphDefError) as e:
        import_graph_def(gd)
    msg = str(e.value)
    assert "2 op types graphflow does not have" in msg
    for op_type, node in conds.items():
        assert "%s (1 node: %s)" % (op_type, node) in msg
    assert ("If/StatelessIf are TensorFlow 2's functional control flow; graphflow runs TF1's "
            "Switch/Merge conds: build the graph after tf.compat.v1.disable_control_flow_v2()"
            in msg)
    assert gf.get_default_graph().get_operations() == []


def test_producer_op_list_strips_known_defaults():
    c = _const("c", np.float32(1))
    gd = _graph_def(c, ("i", "Identity", ["c"], {
        "T": _type(1), "later_attr": attr_value_pb2.AttrValue(i=3)}))
    with pytest.raises(GraphDefError, match="later_attr"):
        import_graph_def(gd)
    ops = op_def_pb2.OpList()
    od = ops.op.add(name="Identity")
    od.attr.add(name="later_attr", type="int").default_value.i = 3
    import_graph_def(gd, producer_op_list=ops)
