"""gf.nn.embedding_lookup: one table or a list of partitions under the "mod"
and "div" strategies against NumPy indexing of the whole table, max_norm,
size-0, static shapes, out-of-range ids, and the dense gradient."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.ops.nn_impl import embedding_lookup
from graphflow.test import check_op, gradient_error_of


def _partitions(table, n, strategy):
    """TF's layout of `table` over n partitions (the independent oracle's side)."""
    if strategy == "mod":
        return [table[i::n] for i in range(n)]
    per, extras = divmod(len(table), n)
    bounds = np.cumsum([0] + [per + 1 if i < extras else per for i in range(n)])
    return [table[bounds[i]:bounds[i + 1]] for i in range(n)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("ids_shape", [[5], [2, 3], []])
def test_single_table(dtype, ids_shape):
    rng = np.random.RandomState(0)
    table = (rng.randn(7, 3) * 4).astype(dtype)
    ids = rng.randint(0, 7, ids_shape).astype(np.int32)
    check_op(lambda p, i: embedding_lookup(p, i), [table, ids], expected=table[ids])


@pytest.mark.parametrize("strategy", ["mod", "div"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("idtype", [np.int32, np.int64])
def test_partitioned(strategy, n, idtype):
    rng = np.random.RandomState(n)
    table = rng.randn(10, 2, 3).astype(np.float32)
    parts = _partitions(table, n, strategy)
    ids = rng.randint(0, 10, [3, 4]).astype(idtype)
    check_op(lambda i, *ps: embedding_lookup(list(ps), i, partition_strategy=strategy),
             [ids] + parts, expected=table[ids])


def test_max_norm():
    table = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], np.float32)
    ids = np.array([[0, 1], [2, 0]], np.int32)
    rows = table[ids]
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    want = np.where(norms > 1.0, rows / np.maximum(norms, 1e-30), rows)
    check_op(lambda p, i: embedding_lookup(p, i, max_norm=1.0), [table, ids], expected=want,
             rtol=1e-6, atol=1e-6)
    check_op(lambda i, a, b: embedding_lookup([a, b], i, max_norm=1.0), [ids, table[0::2],
                                                                           table[1::2]],
             expected=want, rtol=1e-6, atol=1e-6)


def test_size_zero_and_static_shape():
    table = np.ones([4, 3], np.float32)
    check_op(lambda p, i: embedding_lookup(p, i), [table, np.zeros([0], np.int32)],
             expected=np.zeros([0, 3], np.float32))
    check_op(lambda a, b, i: embedding_lookup([a, b], i), [table[:2], table[2:],
                                                           np.zeros([2, 0], np.int64)],
             expected=np.zeros([2, 0, 3], np.float32))
    a = gf.placeholder(gf.float32, [None, 3])
    b = gf.placeholder(gf.float32, [5, None])
    ids = gf.placeholder(gf.int32, [None, 2])
    assert embedding_lookup([a, b], ids).shape.as_list() == [None, 2, 3]
    assert embedding_lookup(a, ids).shape.as_list() == [None, 2, 3]


def test_errors():
    with pytest.raises(ValueError, match="Unrecognized partition strategy"):
        embedding_lookup(np.ones([3, 2]), [0], partition_strategy="range")
    with pytest.raises(ValueError, match="Need at least one param"):
        embedding_lookup([], [0])
    table = np.arange(12, dtype=np.float32).reshape(6, 2)
    ids = gf.placeholder(gf.int32, [None])
    # mod over sizes [3, 2]: id 5 would be row 2 of the second partition, which has 2 rows
    y = embedding_lookup([gf.constant(table[:3]), gf.constant(table[3:5])], ids, name="emb")
    single = embedding_lookup(gf.constant(table), ids, name="emb1")
    with gf.Session() as sess:
        for bad, out in [([5], y), ([-1], y), ([7], y), ([6], single)]:
            with pytest.raises(gf.errors.InvalidArgumentError, match="emb"):
                sess.run(out, {ids: bad})


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_gradient(strategy):
    ids = np.array([[0, 4], [4, 2]], np.int32)
    assert gradient_error_of(lambda t: embedding_lookup(t, ids) * 2.0, [[5, 3]]) < 1e-6
    assert gradient_error_of(lambda a, b: embedding_lookup([a, b], ids, strategy), [[3, 2],
                                                                                  [2, 2]]) < 1e-6
    assert gradient_error_of(lambda t: embedding_lookup(t, ids, max_norm=0.5), [[5, 3]]) < 1e-5
