"""`gf.contrib`: the TF1 tf.contrib names that graphflow programs still use."""

from graphflow.contrib import layers, rnn  # noqa: F401

__all__ = ["layers", "rnn"]
