"""`graphflow.client`: tools around a Session's runs (TF's tensorflow.python.client)."""

from graphflow.client import timeline  # noqa: F401
