"""CNN training steps and conv2d forward: graphflow versus TensorFlow
(tf.compat.v1 graph mode) and PyTorch (CPU), each in its own process, one report.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python tools/bench_cnn.py [gf tf torch] [--rounds 3]

(Unset the OpenBLAS variables for every framework in the same command, as
/work/shared/BASELINES.md explains: they cap OpenBLAS but not oneDNN.)

Workloads:
  lenet   LeNet-5 train step (conv5x5x6-relu-pool2-conv5x5x16-relu-pool2-fc120-fc84-fc10,
          softmax CE, momentum 0.9), batch 64, 28x28x1; median ms over 50 steps.
  cifar   CIFAR-10 step (conv3x3x32 x2-pool-conv3x3x64 x2-pool-fc512-dropout-fc10, Adam),
          batch 128, 32x32x3; median ms over 20 steps.
  conv    conv2d forward, batch 128, 32x32x32 -> 32, 3x3 SAME: GFLOP/s, next to the
          process's own float32 GEMM GFLOP/s (numpy, 1024^3) as the machine's peak.
Each child also reports its peak RSS (ru_maxrss) after the LeNet run. With
--rounds R every child runs R times, the frameworks interleaved, and each figure
is the median over the rounds.
"""

import os
import resource
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _bench_common import (  # noqa: E402
    available, child_main, fmt, median_time, ratio, run_rounds, tf1)


def _tf_net(lib, cifar, batch):
    tf = tf1(lib)
    g = tf.Graph()
    with g.as_default():
        tf.set_random_seed(0)

        def var(shape):
            return tf.Variable(tf.truncated_normal(shape, stddev=0.05))

        def conv(h, k, cin, cout, pad):
            return tf.nn.relu(tf.nn.bias_add(
                tf.nn.conv2d(h, var([k, k, cin, cout]), [1, 1, 1, 1], pad), var([cout])))

        def dense(h, nin, nout, relu=True):
            h = tf.matmul(h, var([nin, nout])) + var([nout])
            return tf.nn.relu(h) if relu else h

        def pool(h):
            return tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")

        if cifar:
            x = tf.placeholder(tf.float32, [batch, 32, 32, 3])
            y = tf.placeholder(tf.int64, [batch])
            h = pool(conv(conv(x, 3, 3, 32, "SAME"), 3, 32, 32, "SAME"))
            h = pool(conv(conv(h, 3, 32, 64, "SAME"), 3, 64, 64, "SAME"))
            h = dense(tf.reshape(h, [batch, -1]), 64 * 8 * 8, 512)
            logits = dense(tf.nn.dropout(h, rate=0.5), 512, 10, False)
            opt = tf.train.AdamOptimizer(1e-3)
        else:
            x = tf.placeholder(tf.float32, [batch, 28, 28, 1])
            y = tf.placeholder(tf.int64, [batch])
            h = pool(conv(pool(conv(x, 5, 1, 6, "VALID")), 5, 6, 16, "VALID"))
            h = dense(dense(tf.reshape(h, [batch, -1]), 256, 120), 120, 84)
            logits = dense(h, 84, 10, False)
            opt = tf.train.MomentumOptimizer(0.01, 0.9)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                             logits=logits))
        train = opt.minimize(loss)
        sess = tf.Session(graph=g)
        sess.run(tf.global_variables_initializer())
    shape = (batch, 32, 32, 3) if cifar else (batch, 28, 28, 1)
    rng = np.random.RandomState(0)
    xb = rng.rand(*shape).astype(np.float32)
    yb = rng.randint(0, 10, batch).astype(np.int64)
    return lambda: sess.run(train, {x: xb, y: yb})


def _torch_net(cifar, batch):
    import torch
    import torch.nn as nn
    torch.manual_seed(0)
    if cifar:
        m = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
            nn.Linear(64 * 8 * 8, 512), nn.ReLU(), nn.Dropout(0.5), nn.Linear(512, 10))
        opt = torch.optim.Adam(m.parameters(), 1e-3)
        xb = torch.rand(batch, 3, 32, 32)
    else:
        m = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16 * 4 * 4, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
        opt = torch.optim.SGD(m.parameters(), 0.01, momentum=0.9)
        xb = torch.rand(batch, 1, 28, 28)
    yb = torch.randint(0, 10, (batch,))
    lf = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        lf(m(xb), yb).backward()
        opt.step()
    return step


def _step(lib, cifar, batch):
    return _torch_net(cifar, batch) if lib == "torch" else _tf_net(lib, cifar, batch)


def lenet(lib):
    ms = median_time(_step(lib, False, 64), 10, 50) * 1e3
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"ms": ms, "rss_mb": rss}


def cifar(lib):
    return {"ms": median_time(_step(lib, True, 128), 3, 20) * 1e3}


def conv(lib):
    n, h, w, c, k, o = 128, 32, 32, 32, 3, 32
    flops = 2.0 * n * h * w * o * k * k * c
    a = np.random.rand(1024, 1024).astype(np.float32)
    peak = 2 * 1024 ** 3 / median_time(lambda: a @ a, 3, 10) / 1e9
    x = np.random.rand(n, h, w, c).astype(np.float32)
    f = np.random.rand(k, k, c, o).astype(np.float32)
    if lib == "torch":
        import torch
        xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
        ft = torch.from_numpy(f.transpose(3, 2, 0, 1).copy())
        fn = lambda: torch.nn.functional.conv2d(xt, ft, padding=1)  # noqa: E731
    else:
        tf = tf1(lib)
        g = tf.Graph()
        with g.as_default():
            xp = tf.placeholder(tf.float32, x.shape)
            y = tf.nn.conv2d(xp, tf.constant(f), [1, 1, 1, 1], "SAME")
            sess = tf.Session(graph=g)
        fn = lambda: sess.run(y, {xp: x})  # noqa: E731
    t = median_time(fn, 3, 20)
    return {"gflops": flops / t / 1e9, "gemm_peak": peak}


TABLE = {"lenet": lenet, "cifar": cifar, "conv": conv}




def main():
    libs = [a for a in sys.argv[1:] if a in ("gf", "tf", "torch")] or ["gf", "tf", "torch"]
    libs = [lib for lib in libs if available(lib)]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 1
    env = {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print("bench_cnn: frameworks %s; env %s; %d cores; %d round(s)"
          % (libs, env, os.cpu_count(), rounds))
    res = run_rounds(__file__, libs, list(TABLE), rounds)
    print("\n%-6s %12s %12s %12s %14s %14s" % ("", "lenet (ms)", "cifar (ms)", "rss (MB)",
                                              "conv GFLOP/s", "gemm GFLOP/s"))
    for lib in libs:
        r = res[lib]
        print("%-6s %12s %12s %12s %14s %14s" % (
            lib, fmt(r["lenet"].get("ms")), fmt(r["cifar"].get("ms")),
            fmt(r["lenet"].get("rss_mb"), "%.0f"), fmt(r["conv"].get("gflops"), "%.0f"),
            fmt(r["conv"].get("gemm_peak"), "%.0f")))
        for w in TABLE:
            if "error" in r[w]:
                print("   %s %s error: %s" % (lib, w, r[w]["error"]))
    if "gf" in res:
        g = res["gf"]
        if g["conv"].get("gflops") and g["conv"].get("gemm_peak"):
            print("gf conv2d forward: %.0f%% of this process's sgemm GFLOP/s"
                  % (100 * g["conv"]["gflops"] / g["conv"]["gemm_peak"]))
        for peer in [p for p in libs if p != "gf"]:
            p = res[peer]
            print("gf / %-5s lenet step %s   cifar step %s   conv GFLOP/s %s   peak RSS %s" % (
                peer, ratio(g["lenet"].get("ms"), p["lenet"].get("ms")),
                ratio(g["cifar"].get("ms"), p["cifar"].get("ms")),
                ratio(g["conv"].get("gflops"), p["conv"].get("gflops")),
                ratio(g["lenet"].get("rss_mb"), p["lenet"].get("rss_mb"))))




if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_main(TABLE)
    else:
        main()
