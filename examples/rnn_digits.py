"""A small RNN as a TF1 program: an LSTM reads each 8x8 digit of the bundled
data row by row (8 time steps of 8 pixels) and classifies it from its last
output. Writes a loss/accuracy plot to --out (rnn_digits.png).

    python examples/rnn_digits.py [--epochs 20] [--cell lstm|gru|rnn] [--units 64]
"""

import argparse

from tqdm import tqdm

import graphflow as tf
from graphflow import data

import plotting  # examples/plotting.py

CELLS = {
    "lstm": tf.nn.rnn_cell.BasicLSTMCell,
    "gru": tf.nn.rnn_cell.GRUCell,
    "rnn": tf.nn.rnn_cell.BasicRNNCell,
}


def main(epochs=20, cell="lstm", units=64, batch_size=32, lr=0.005, seed=0, out=None,
         quiet=False):
    x_train, x_test, y_train, y_test = data.load_digits_split(test_size=0.2, seed=seed)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        x = tf.placeholder(tf.float32, [None, 8, 8, 1], name="x")
        y = tf.placeholder(tf.int64, [None], name="y")
        rows = tf.reshape(x, [-1, 8, 8])               # [batch, time = row, pixels]
        outputs, _ = tf.nn.dynamic_rnn(CELLS[cell](units), rows, dtype=tf.float32)
        logits = tf.layers.dense(outputs[:, -1], 10, name="logits")
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=logits))
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.int32))
        train = tf.train.AdamOptimizer(lr).minimize(loss)
        init = tf.global_variables_initializer()
    history, batch_accuracy = [], []
    with tf.Session(graph=g) as sess:
        sess.run(init)
        bar = tqdm(range(epochs), desc="%s %d" % (cell, units), disable=quiet)
        for epoch in bar:
            for xb, yb in data.iterate_minibatches(x_train, y_train, batch_size,
                                                   seed=seed + epoch):
                _, l, c = sess.run([train, loss, correct], {x: xb, y: yb})
                history.append(float(l))
                batch_accuracy.append(c / len(yb))
            bar.set_postfix(loss="%.4f" % history[-1])
        accuracy = sess.run(correct, {x: x_test, y: y_test}) / len(y_test)
    if not quiet:
        print("%s (%d units) on digits: test accuracy %.4f (%d images)"
              % (cell, units, accuracy, len(y_test)))
    if out:
        plotting.plot_training(out, "%s over digit rows" % cell.upper(), history,
                               batch_accuracy, accuracy)
    return accuracy


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--cell", choices=sorted(CELLS), default="lstm")
    p.add_argument("--units", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.005)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="rnn_digits.png", help="the loss/accuracy plot ('' for none)")
    a = p.parse_args()
    main(a.epochs, a.cell, a.units, a.batch_size, a.lr, a.seed, a.out)
