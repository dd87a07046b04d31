"""map_fn, scan, foldl and foldr (unrolled over a static axis 0): values
against NumPy loops, nested structures, dtype changes, reverse, gradients
against central differences, and the error paths."""

import numpy as np
import pytest

import graphflow as gf
from graphflow.test import compute_gradient_error

RNG = np.random.default_rng(11)


def _run(t, feeds=None):
    with gf.Session() as sess:
        return sess.run(t, feeds)


def test_map_fn_matches_a_numpy_loop():
    x = RNG.standard_normal((5, 3, 2)).astype(np.float32)
    y = gf.map_fn(lambda e: gf.matmul(e, e, transpose_b=True) + 1.0, gf.constant(x))
    assert y.shape.as_list() == [5, 3, 3]
    np.testing.assert_allclose(_run(y), np.stack([e @ e.T + 1 for e in x]), rtol=1e-5)


def test_map_fn_nested_elems_and_a_different_output_dtype():
    a = np.arange(6, dtype=np.float32).reshape(3, 2)
    b = np.array([1, 2, 3], np.int32)
    out = gf.map_fn(lambda e: (gf.cast(e[1], gf.float32) * e[0], gf.argmax(e[0], output_type=gf.int32)),
                    (gf.constant(a), gf.constant(b)), dtype=(gf.float32, gf.int32))
    got = _run(out)
    np.testing.assert_array_equal(got[0], a * b[:, None])
    np.testing.assert_array_equal(got[1], a.argmax(1))
    with pytest.raises(TypeError, match="fn returned float32 .* where dtype is int32"):
        gf.map_fn(lambda e: e * 2.0, gf.constant(a), dtype=gf.int32)
    with pytest.raises(ValueError, match="does not match the structure of dtype"):
        gf.map_fn(lambda e: e, gf.constant(a), dtype=(gf.float32, gf.float32))


def test_map_fn_of_per_image_augmentation_runs_each_image():
    imgs = RNG.random((4, 6, 6, 3)).astype(np.float32)
    flipped = gf.map_fn(lambda im: gf.image.flip_left_right(im), gf.constant(imgs))
    np.testing.assert_array_equal(_run(flipped), imgs[:, :, ::-1, :])


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_running_sums_with_and_without_initializer(reverse):
    x = RNG.standard_normal((6, 2))
    xs = x[::-1] if reverse else x
    want_no_init = np.cumsum(xs, axis=0)
    want_init = np.cumsum(xs, axis=0) + 10.0
    if reverse:
        want_no_init, want_init = want_no_init[::-1], want_init[::-1]
    c = gf.constant(x)
    np.testing.assert_allclose(_run(gf.scan(lambda a, e: a + e, c, reverse=reverse)), want_no_init)
    got = _run(gf.scan(lambda a, e: a + e, c, initializer=gf.constant([10.0, 10.0], gf.float64),
                       reverse=reverse))
    np.testing.assert_allclose(got, want_init)


def test_scan_with_a_structured_accumulator_fibonacci():
    out = gf.scan(lambda a, _: (a[1], a[0] + a[1]), gf.zeros([8], gf.int32),
                  initializer=(gf.constant(0), gf.constant(1)))
    got = _run(out)
    np.testing.assert_array_equal(got[0], [1, 1, 2, 3, 5, 8, 13, 21])
    with pytest.raises(ValueError, match="does not match the structure of the accumulator"):
        gf.scan(lambda a, e: (a, a), gf.zeros([3]), initializer=gf.constant(0.0))
    with pytest.raises(TypeError, match="fn returned int32 .* where the accumulator is float32"):
        gf.scan(lambda a, e: gf.constant(1), gf.zeros([3]), initializer=gf.constant(0.0))


def test_folds():
    x = np.array([2.0, 3.0, 5.0])
    c = gf.constant(x)
    assert _run(gf.foldl(lambda a, e: a * 10 + e, c)) == 235.0
    assert _run(gf.foldr(lambda a, e: a * 10 + e, c)) == 532.0
    assert _run(gf.foldl(lambda a, e: a - e, c, initializer=gf.constant(0.0, gf.float64))) == -10
    pair = gf.foldl(lambda a, e: (a[0] + e[0], a[1] * e[1]), (c, c * 2))
    np.testing.assert_allclose(_run(pair), (10.0, 4 * 6 * 10))


def test_gradients_through_scan_match_numeric():
    x = gf.placeholder(gf.float64, [4, 3], name="x")
    w = gf.placeholder(gf.float64, [3], name="w")
    states = gf.scan(lambda h, e: gf.tanh(h * w + e), x, initializer=gf.zeros([3], gf.float64))
    y = gf.reduce_sum(states * states, axis=1)
    with gf.Session():
        assert compute_gradient_error([x, w], [[4, 3], [3]], y, [4]) < 1e-6


def test_back_prop_false_stops_gradients():
    x = gf.constant([1.0, 2.0, 3.0])
    y = gf.map_fn(lambda e: e * e, x, back_prop=False)
    g = gf.gradients(gf.reduce_sum(y) + gf.reduce_sum(x), x)[0]
    np.testing.assert_array_equal(_run(g), [1.0, 1.0, 1.0])


def test_error_paths():
    with pytest.raises(gf.errors.UnimplementedError, match="must be known when the graph is built"):
        gf.map_fn(lambda e: e, gf.placeholder(gf.float32, [None, 3]))
    with pytest.raises(ValueError, match="same size along axis 0; got 3 and 2"):
        gf.map_fn(lambda e: e[0], (gf.zeros([3]), gf.zeros([2])))
    with pytest.raises(ValueError, match="must be 1\\+ dimensional"):
        gf.map_fn(lambda e: e, gf.constant(1.0))
    with pytest.raises(TypeError, match="fn must be callable"):
        gf.scan(3, gf.zeros([2]))
    with pytest.raises(ValueError, match="elems is empty and there is no initializer"):
        gf.foldl(lambda a, e: a, gf.zeros([0, 2]))
    with pytest.raises(ValueError, match="at least one element"):
        gf.map_fn(lambda e: e, gf.zeros([0, 2]))


def test_nest_round_trips_dicts_and_namedtuples():
    import collections
    P = collections.namedtuple("P", "a b")
    s = {"z": P(1, [2, 3]), "a": (4,)}
    flat = gf.nest.flatten(s)
    assert flat == [4, 1, 2, 3]
    back = gf.nest.pack_sequence_as(s, [x * 10 for x in flat])
    assert back == {"z": P(10, [20, 30]), "a": (40,)} and list(back) == ["z", "a"]
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        gf.nest.assert_same_structure([1, 2], (1, 2))
    gf.nest.assert_same_structure([1, 2], (1, 2), check_types=False)
    assert gf.nest.map_structure(lambda x, y: x + y, [1, (2,)], [3, (4,)]) == [4, (6,)]
