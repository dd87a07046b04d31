"""Shared helpers for the benchmarks: timing medians and running each framework
in its own subprocess (so one framework's threads and allocators do not
disturb another's), all from one command."""

import json
import os
import subprocess
import sys
import time

import numpy as np

# Run against this checkout's graphflow even when it is not installed.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def median_time(fn, warmup=10, runs=50):
    """Median wall time of fn() in seconds, after warm-up calls."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


def tf1(lib):
    """The TF1 graph-mode API under test: graphflow or TensorFlow's compat.v1."""
    if lib == "gf":
        import graphflow as tf
        return tf
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow.compat.v1 as tf
    tf.disable_eager_execution()
    return tf


def available(lib):
    """Whether `lib` imports, checked in a child so the parent stays light."""
    mod = {"gf": "graphflow", "tf": "tensorflow", "torch": "torch"}[lib]
    code = "import sys; sys.path.insert(0, %r); import %s" % (sys.path[0], mod)
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def run_child(script, lib, what, timeout=900):
    """Runs `script --child lib what` and returns its JSON result (or an error dict)."""
    cmd = [sys.executable, script, "--child", lib, what]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": "timed out"}
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (p.stderr.strip().splitlines() or ["no output"])[-1]}


def run_rounds(script, libs, workloads, rounds):
    """{lib: {workload: result}}: each (lib, workload) child run `rounds` times,
    the frameworks interleaved within each round so that drift on a noisy
    machine falls on all of them; each numeric field is the median over rounds."""
    runs = {lib: {w: [] for w in workloads} for lib in libs}
    for _ in range(rounds):
        for w in workloads:
            for lib in libs:
                runs[lib][w].append(run_child(script, lib, w))
    out = {}
    for lib in libs:
        out[lib] = {}
        for w in workloads:
            ok = [r for r in runs[lib][w] if "error" not in r]
            if not ok:
                out[lib][w] = runs[lib][w][-1]
                continue
            out[lib][w] = {k: float(np.median([r[k] for r in ok])) for k in ok[0]}
    return out


def child_main(table):
    """In a child: run table[what](lib) and print its result as JSON."""
    lib, what = sys.argv[2], sys.argv[3]
    print(json.dumps(table[what](lib)))


def fmt(v, spec="%.3g"):
    """v formatted, or '-' when missing."""
    return "-" if v is None else spec % v


def ratio(a, b):
    """a / b as '0.42x', or '-' when either is missing."""
    return "-" if not a or not b else "%.3gx" % (a / b)
