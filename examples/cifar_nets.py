"""A ResNet-20-style residual network with batch norm, and a VGG-style block
net, trained on CIFAR-10 (binary batches given with --data-dir) or on a small
synthetic set of the same shapes; writes a loss/accuracy plot with --out.

    python examples/cifar_nets.py --net resnet20|vgg [--steps 200] [--data-dir DIR] [--out p.png]
"""

import argparse

import numpy as np
from tqdm import tqdm

import graphflow as tf
from graphflow import data

import plotting  # examples/plotting.py


def conv_bn_relu(x, filters, training, stride=1, relu=True, name=None):
    with tf.variable_scope(name, default_name="conv_bn"):
        x = tf.layers.conv2d(x, filters, 3, strides=stride, padding="same", use_bias=False)
        x = tf.layers.batch_normalization(x, training=training)
        return tf.nn.relu(x) if relu else x


def residual_block(x, filters, training, stride):
    with tf.variable_scope(None, default_name="block"):
        shortcut = x
        if stride != 1 or x.shape[-1].value != filters:
            shortcut = tf.layers.conv2d(x, filters, 1, strides=stride, use_bias=False,
                                        name="projection")
            shortcut = tf.layers.batch_normalization(shortcut, training=training)
        y = conv_bn_relu(x, filters, training, stride, name="a")
        y = conv_bn_relu(y, filters, training, relu=False, name="b")
        return tf.nn.relu(y + shortcut)


def resnet20(x, training, width=16):
    """3 stages of 3 residual blocks (16, 32, 64 filters), global average pooling."""
    h = conv_bn_relu(x, width, training, name="stem")
    for stage, filters in enumerate((width, 2 * width, 4 * width)):
        for i in range(3):
            h = residual_block(h, filters, training, 2 if stage > 0 and i == 0 else 1)
    h = tf.reduce_mean(h, axis=[1, 2])  # global average pooling
    return tf.layers.dense(h, 10, name="logits")


def vgg(x, training, width=32):
    """VGG blocks: two 3x3 conv-bn-relu then a 2x2 max-pool, three times."""
    h = x
    for filters in (width, 2 * width, 4 * width):
        with tf.variable_scope(None, default_name="vgg_block"):
            h = conv_bn_relu(h, filters, training, name="c1")
            h = conv_bn_relu(h, filters, training, name="c2")
            h = tf.layers.max_pooling2d(h, 2, 2)
    h = tf.layers.flatten(h)
    h = tf.layers.dropout(tf.layers.dense(h, 256, activation=tf.nn.relu), 0.5, training=training)
    return tf.layers.dense(h, 10, name="logits")


NETS = {"resnet20": resnet20, "vgg": vgg}


def main(net="resnet20", steps=200, batch_size=32, lr=0.05, data_dir=None, seed=0, out=None,
         quiet=False, n_synthetic=2000):
    if data_dir:
        (x_train, y_train), (x_test, y_test) = data.cifar10.load(data_dir)
        name = "cifar-10"
    else:
        x, y = data.cifar10.synthetic(n_synthetic + 500, seed=seed)
        x_train, y_train, x_test, y_test = x[:n_synthetic], y[:n_synthetic], x[n_synthetic:], \
            y[n_synthetic:]
        name = "synthetic"
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        images = tf.placeholder(tf.float32, [None, 32, 32, 3], name="images")
        labels = tf.placeholder(tf.int64, [None], name="labels")
        training = tf.placeholder_with_default(False, [], name="training")
        logits = NETS[net](images - 0.5, training)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                             logits=logits))
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.int32))
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            train = tf.train.MomentumOptimizer(lr, 0.9).minimize(loss)
        init = tf.global_variables_initializer()
    rng = np.random.RandomState(seed)
    history, batch_accuracy = [], []
    with tf.Session(graph=g) as sess:
        sess.run(init)
        for _ in tqdm(range(steps), desc="%s on %s" % (net, name), disable=quiet):
            idx = rng.randint(0, len(x_train), batch_size)
            _, l, c = sess.run([train, loss, correct], {images: x_train[idx],
                                                        labels: y_train[idx], training: True})
            history.append(float(l))
            batch_accuracy.append(c / batch_size)
        hits = sum(sess.run(correct, {images: x_test[i:i + 500], labels: y_test[i:i + 500]})
                   for i in range(0, len(x_test), 500))
    accuracy = hits / float(len(x_test))
    if not quiet:
        print("%s on %s: %d steps, test accuracy %.4f" % (net, name, steps, accuracy))
    if out:
        plotting.plot_training(out, "%s on %s" % (net, name), history, batch_accuracy, accuracy)
    return accuracy, history


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--net", choices=sorted(NETS), default="resnet20")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None,
                   help="the loss/accuracy plot (default NET.png, '' for none)")
    a = p.parse_args()
    main(a.net, a.steps, a.batch_size, a.lr, a.data_dir, a.seed,
         "%s.png" % a.net if a.out is None else a.out)
