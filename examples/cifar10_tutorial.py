"""The TF CIFAR-10 tutorial network, as a TF1 program:

  conv1 5x5x3x64 -> relu -> pool 3x3/2 -> lrn -> conv2 5x5x64x64 -> relu -> lrn
  -> pool 3x3/2 -> local3 384 -> local4 192 -> softmax_linear 10

with L2 weight decay added to the `losses` collection and summed with add_n,
an exponentially decaying (staircase) learning rate, an exponential moving
average of the variables, the train op as a no_op under control dependencies,
and in-graph augmentation (random crop to 24x24, flips, brightness, contrast,
per-image standardization). Trains on the CIFAR-10 binary batches given with
--data-dir, else on a small synthetic set of the same shapes. Writes a
loss/accuracy plot to --out (cifar10_tutorial.png).

    python examples/cifar10_tutorial.py [--steps 300] [--data-dir cifar-10-batches-bin]
"""

import argparse

import numpy as np
from tqdm import tqdm

import graphflow as tf
from graphflow import data

import plotting  # examples/plotting.py

MOVING_AVERAGE_DECAY = 0.9999
NUM_EPOCHS_PER_DECAY = 350.0
LEARNING_RATE_DECAY_FACTOR = 0.1
INITIAL_LEARNING_RATE = 0.1


def _variable(name, shape, stddev, wd):
    """A truncated-normal variable whose L2 decay (if wd) joins the losses collection."""
    var = tf.get_variable(name, shape, initializer=tf.truncated_normal_initializer(stddev=stddev))
    if wd:
        tf.add_to_collection("losses", tf.multiply(tf.nn.l2_loss(var), wd, name="weight_loss"))
    return var


def distort(images, seed):
    """The tutorial's training augmentation, one image at a time in the graph."""
    out = []
    for i, image in enumerate(tf.unstack(images)):
        s = None if seed is None else seed + i
        image = tf.random_crop(image, [24, 24, 3], seed=s)
        image = tf.image.random_flip_left_right(image, seed=s)
        image = tf.image.random_brightness(image, max_delta=63 / 255.0, seed=s)
        image = tf.image.random_contrast(image, lower=0.2, upper=1.8, seed=s)
        out.append(tf.image.per_image_standardization(image))
    return tf.stack(out)


def evaluation_crop(images):
    out = [tf.image.per_image_standardization(
        tf.image.resize_image_with_crop_or_pad(im, 24, 24)) for im in tf.unstack(images)]
    return tf.stack(out)


def inference(images, batch_size):
    with tf.variable_scope("conv1"):
        kernel = _variable("weights", [5, 5, 3, 64], 5e-2, 0.0)
        conv = tf.nn.conv2d(images, kernel, [1, 1, 1, 1], padding="SAME")
        biases = tf.get_variable("biases", [64], initializer=tf.constant_initializer(0.0))
        conv1 = tf.nn.relu(tf.nn.bias_add(conv, biases))
    pool1 = tf.nn.max_pool(conv1, [1, 3, 3, 1], [1, 2, 2, 1], "SAME", name="pool1")
    norm1 = tf.nn.lrn(pool1, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm1")
    with tf.variable_scope("conv2"):
        kernel = _variable("weights", [5, 5, 64, 64], 5e-2, 0.0)
        conv = tf.nn.conv2d(norm1, kernel, [1, 1, 1, 1], padding="SAME")
        biases = tf.get_variable("biases", [64], initializer=tf.constant_initializer(0.1))
        conv2 = tf.nn.relu(tf.nn.bias_add(conv, biases))
    norm2 = tf.nn.lrn(conv2, 4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name="norm2")
    pool2 = tf.nn.max_pool(norm2, [1, 3, 3, 1], [1, 2, 2, 1], "SAME", name="pool2")
    with tf.variable_scope("local3"):
        flat = tf.reshape(pool2, [batch_size, -1])
        dim = flat.get_shape()[1].value
        weights = _variable("weights", [dim, 384], 0.04, 0.004)
        biases = tf.get_variable("biases", [384], initializer=tf.constant_initializer(0.1))
        local3 = tf.nn.relu(tf.matmul(flat, weights) + biases)
    with tf.variable_scope("local4"):
        weights = _variable("weights", [384, 192], 0.04, 0.004)
        biases = tf.get_variable("biases", [192], initializer=tf.constant_initializer(0.1))
        local4 = tf.nn.relu(tf.matmul(local3, weights) + biases)
    with tf.variable_scope("softmax_linear"):
        weights = _variable("weights", [192, 10], 1 / 192.0, 0.0)
        biases = tf.get_variable("biases", [10], initializer=tf.constant_initializer(0.0))
        return tf.add(tf.matmul(local4, weights), biases)


def total_loss(logits, labels):
    xent = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits), name="cross_entropy")
    tf.add_to_collection("losses", xent)
    return tf.add_n(tf.get_collection("losses"), name="total_loss")


def train_op(loss, global_step, batch_size, examples_per_epoch):
    decay_steps = int(examples_per_epoch / batch_size * NUM_EPOCHS_PER_DECAY)
    lr = tf.train.exponential_decay(INITIAL_LEARNING_RATE, global_step, decay_steps,
                                    LEARNING_RATE_DECAY_FACTOR, staircase=True)
    apply_gradients = tf.train.GradientDescentOptimizer(lr).minimize(loss,
                                                                     global_step=global_step)
    ema = tf.train.ExponentialMovingAverage(MOVING_AVERAGE_DECAY, global_step)
    with tf.control_dependencies([apply_gradients]):
        averages = ema.apply(tf.trainable_variables())
    with tf.control_dependencies([apply_gradients, averages]):
        return tf.no_op(name="train"), lr


def load(data_dir, seed):
    if data_dir:
        (x_train, y_train), (x_test, y_test) = data.cifar10.load(data_dir)
        return "cifar-10", x_train, y_train, x_test, y_test
    x, y = data.cifar10.synthetic(2500, seed=seed)
    return "synthetic", x[:2000], y[:2000], x[2000:], y[2000:]


def main(steps=300, batch_size=32, data_dir=None, seed=0, quiet=False, out=None):
    name, x_train, y_train, x_test, y_test = load(data_dir, seed)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(seed)
        images = tf.placeholder(tf.float32, [batch_size, 32, 32, 3], name="images")
        labels = tf.placeholder(tf.int64, [batch_size], name="labels")
        training = tf.placeholder_with_default(True, [], name="training")
        inputs = tf.where(training, distort(images, seed), evaluation_crop(images))
        global_step = tf.train.get_or_create_global_step()
        logits = inference(inputs, batch_size)
        loss = total_loss(logits, labels)
        train, lr = train_op(loss, global_step, batch_size, len(x_train))
        correct = tf.reduce_sum(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.int32))
        init = tf.global_variables_initializer()
    rng = np.random.RandomState(seed)
    history, batch_accuracy = [], []
    with tf.Session(graph=g) as sess:
        sess.run(init)
        bar = tqdm(range(steps), desc="%s" % name, disable=quiet)
        for _ in bar:
            idx = rng.randint(0, len(x_train), batch_size)
            _, l, c = sess.run([train, loss, correct],
                               {images: x_train[idx], labels: y_train[idx]})
            history.append(float(l))
            batch_accuracy.append(c / batch_size)
            bar.set_postfix(loss="%.3f" % l)
        n = len(x_test) // batch_size * batch_size
        hits = sum(sess.run(correct, {images: x_test[i:i + batch_size],
                                      labels: y_test[i:i + batch_size], training: False})
                   for i in range(0, n, batch_size))
        step = sess.run(global_step)
    accuracy = hits / float(n)
    if not quiet:
        print("%s: %d steps, test accuracy %.4f on %d images" % (name, step, accuracy, n))
    if out:
        plotting.plot_training(out, "CIFAR-10 tutorial net on %s" % name, history,
                               batch_accuracy, accuracy)
    return accuracy


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="cifar10_tutorial.png",
                   help="the loss/accuracy plot ('' for none)")
    a = p.parse_args()
    main(a.steps, a.batch_size, a.data_dir, a.seed, out=a.out)
