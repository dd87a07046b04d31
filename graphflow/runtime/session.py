"""Session: runs a graph on the C++ executor.

`run` looks the (fetches, feeds) signature up in a cache; a new signature is
compiled once (prune, place, partition, lower) into a C++ Executor, and every
later step with that signature only converts feeds, runs the executor with
the GIL released, and packs the fetched arrays into the caller's structure.
"""

import threading

import numpy as np

from graphflow import _C
from graphflow.compiler import pipeline
from graphflow.framework import errors
from graphflow.framework import graph as graph_lib
from graphflow.framework import ops as ops_lib
from graphflow.runtime import config, step_stats
from graphflow.runtime.config import ConfigProto


class _Signature:
    """A compiled run signature: the executor and how to map feeds and fetches."""

    __slots__ = ("executor", "feed_tensors", "feed_np_dtypes", "feed_shapes", "unique_fetches",
                 "build", "plan")


class _FetchStructure:
    """Flattens any nesting of list/tuple/namedtuple/dict of fetches into a list
    of unique graph elements, and rebuilds the nesting from their values."""

    def __init__(self, graph, fetches):
        self.elements = []
        self._index = {}
        self.template = self._flatten(graph, fetches)

    def _flatten(self, graph, f):
        if isinstance(f, (list, tuple)) and not hasattr(f, "_as_graph_element"):
            items = [self._flatten(graph, x) for x in f]
            if isinstance(f, tuple) and hasattr(f, "_fields"):
                return ("namedtuple", type(f), items)
            return ("tuple" if isinstance(f, tuple) else "list", None, items)
        if isinstance(f, dict):
            return ("dict", type(f), [(k, self._flatten(graph, v)) for k, v in f.items()])
        if f is None:
            raise TypeError("Fetch argument None has invalid type <class 'NoneType'>")
        try:
            e = graph.as_graph_element(f, allow_tensor=True, allow_operation=True)
        except TypeError:
            raise TypeError("Fetch argument %r has invalid type %s, must be a string or Tensor. "
                            "(Can not convert a %s into a Tensor or Operation.)"
                            % (f, type(f), type(f).__name__)) from None
        except ValueError as ex:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                             % (f, ex)) from None
        except KeyError as ex:
            raise ValueError("Fetch argument %r cannot be interpreted as a Tensor. (%s)"
                             % (f, ex.args[0])) from None
        if not graph.is_fetchable(e):
            raise ValueError("Operation %r has been marked as not fetchable." % e.name)
        if e not in self._index:
            self._index[e] = len(self.elements)
            self.elements.append(e)
        return ("leaf", None, self._index[e])

    def builder(self):
        """fn(values) -> the fetches' structure filled with values."""
        return _compile_template(self.template)


def _compile_template(tpl):
    kind, typ, payload = tpl
    if kind == "leaf":
        i = payload
        return lambda v: v[i]
    if kind in ("list", "tuple", "namedtuple"):
        subs = [_compile_template(t) for t in payload]
        if kind == "list":
            return lambda v: [s(v) for s in subs]
        if kind == "tuple":
            return lambda v: tuple(s(v) for s in subs)
        return lambda v: typ(*[s(v) for s in subs])
    subs = [(k, _compile_template(t)) for k, t in payload]
    if typ is dict:
        return lambda v: {k: s(v) for k, s in subs}
    return lambda v: typ((k, s(v)) for k, s in subs)


def _fetch_key(f):
    """A hashable key for a fetches structure (for the signature cache)."""
    if isinstance(f, (ops_lib.Tensor, ops_lib.Operation, str)):
        return f
    if isinstance(f, (list, tuple)):
        return (type(f),) + tuple(_fetch_key(x) for x in f)
    if isinstance(f, dict):
        return (type(f),) + tuple((k, _fetch_key(v)) for k, v in f.items())
    return f


class BaseSession:
    def __init__(self, target="", graph=None, config=None):
        if target:
            raise errors.UnimplementedError(None, None, "Session target %r: only in-process "
                                            "sessions are supported so far" % (target,))
        self._graph = graph if graph is not None else graph_lib.get_default_graph()
        if not isinstance(self._graph, graph_lib.Graph):
            raise TypeError("graph must be a gf.Graph, got %s" % type(self._graph).__name__)
        self._config = config if config is not None else ConfigProto()
        cpus = int(self._config.device_count.get("CPU", 1))
        self._c = _C.Session(cpus, int(self._config.inter_op_parallelism_threads),
                             int(self._config.intra_op_parallelism_threads))
        self._devices = self._c.devices()
        self._cache = {}
        self._closed = False
        self._lock = threading.Lock()
        self._default_ctx = []

    graph = property(lambda self: self._graph)
    sess_str = property(lambda self: "")

    def list_devices(self):
        return list(self._devices)

    def close(self):
        """Frees the session's resources (variables, kernels)."""
        if not self._closed:
            self._closed = True
            self._cache.clear()
            self._c.reset_resources()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def as_default(self):
        return _default_session_stack.get_controller(self)

    # --- running --------------------------------------------------------------

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Runs the ops needed for `fetches` and returns their values in the
        same structure (Tensor -> ndarray, Operation -> None)."""
        if self._closed:
            raise RuntimeError("Attempted to use a closed Session.")
        feed_dict = feed_dict or {}
        try:
            key = (_fetch_key(fetches), tuple(feed_dict))
            sig = self._cache.get(key)
        except TypeError:  # an unhashable fetch; compile() reports it
            key, sig = None, None
        if sig is None:
            sig = self._compile(fetches, feed_dict)
            if key is not None:
                self._cache[key] = sig
        values = self._feed_values(sig, feed_dict.values()) if feed_dict else ()
        if options is None and run_metadata is None:
            return sig.build(self._execute(sig, values))
        return sig.build(self._execute_with_metadata(sig, values, options, run_metadata))

    def _execute(self, sig, values):
        try:
            return sig.executor.run(values)
        except _C.StepError as e:
            raise self._step_error(sig.plan, *e.args) from None

    def _execute_with_metadata(self, sig, values, options, run_metadata):
        """A run with RunOptions: traced when trace_level asks and there is a
        RunMetadata to fill (step_stats, partition_graphs), as in TF."""
        if options is not None and not isinstance(options, config.RunOptions):
            raise TypeError("options must be a RunOptions, got %s" % type(options).__name__)
        if run_metadata is not None and not isinstance(run_metadata, config.RunMetadata):
            raise TypeError("run_metadata must be a RunMetadata, got %s"
                            % type(run_metadata).__name__)
        if options is None or run_metadata is None:
            return self._execute(sig, values)
        if options.trace_level == config.RunOptions.NO_TRACE:
            out = self._execute(sig, values)
        else:
            try:
                out, traces = sig.executor.run_traced(values)
            except _C.StepError as e:
                raise self._step_error(sig.plan, *e.args) from None
            run_metadata.step_stats.CopyFrom(
                step_stats.step_stats(sig.plan, self._devices, traces))
        if options.output_partition_graphs:
            del run_metadata.partition_graphs[:]
            run_metadata.partition_graphs.extend(
                step_stats.partition_graphs(sig.plan, self._devices))
        return out

    def _step_error(self, plan, code, node, message):
        op = plan.node_ops[node] if 0 <= node < len(plan.node_ops) else None
        if op is not None:
            message = "%s\n\t [[node %s (op %s) defined at %s]]" % (
                message, op.name, op.type, op.location)
        return errors.make_exception(None, op, message, code)

    def _feed_values(self, sig, raw):
        out = []
        for t, np_dtype, shape, v in zip(sig.feed_tensors, sig.feed_np_dtypes, sig.feed_shapes,
                                         raw):
            if type(v) is np.ndarray and v.dtype == np_dtype and v.flags.c_contiguous:
                arr = v
            else:
                arr = _convert_feed(t, v, np_dtype)
            if shape is not None and not _shape_ok(shape, arr.shape):
                raise ValueError("Cannot feed value of shape %s for Tensor '%s', which has shape "
                                 "'%s'" % (arr.shape, t.name, t.shape))
            out.append(arr)
        return out

    def _compile(self, fetches, feed_dict):
        g = self._graph
        structure = _FetchStructure(g, fetches)
        feed_tensors = []
        for k in feed_dict:
            try:
                t = g.as_graph_element(k, allow_tensor=True, allow_operation=False)
            except (TypeError, ValueError, KeyError) as e:
                msg = e.args[0] if e.args else str(e)
                raise TypeError("Cannot interpret feed_dict key as Tensor: %s" % msg) from None
            if not g.is_feedable(t):
                raise ValueError("Tensor %s may not be fed." % t.name)
            feed_tensors.append(t)
        fetch_tensors = [e for e in structure.elements if isinstance(e, ops_lib.Tensor)]
        targets = [e for e in structure.elements if isinstance(e, ops_lib.Operation)]
        plan = pipeline.compile_run(fetch_tensors, targets, feed_tensors, self._devices,
                                    self._config.allow_soft_placement)
        try:
            executor = self._c.make_executor(plan.nodes, plan.fetches, plan.num_feeds)
        except _C.StepError as e:
            raise self._step_error(plan, *e.args) from None
        sig = _Signature()
        sig.executor = executor
        sig.plan = plan
        sig.feed_tensors = feed_tensors
        sig.feed_np_dtypes = [np.dtype(t.dtype.as_numpy_dtype) for t in feed_tensors]
        sig.feed_shapes = [None if t.shape.rank is None else t.shape.as_list()
                           for t in feed_tensors]
        # Fetched tensors come back in order; operations are None.
        slot = {}
        for t in fetch_tensors:
            slot[t] = len(slot)
        positions = [slot.get(e) for e in structure.elements]
        rebuild = structure.builder()

        if structure.template[0] == "leaf":
            only = positions[0]
            build = (lambda values: None) if only is None else (lambda values: values[only])
        else:
            def build(values, positions=positions, rebuild=rebuild):
                return rebuild([None if p is None else values[p] for p in positions])
        sig.build = build
        return sig

    def make_callable(self, fetches, feed_list=None, accept_options=False):
        """A function running `fetches` with positional feeds for `feed_list`;
        with accept_options=True it also takes `options` and `run_metadata`
        keywords, as Session.run."""
        feed_list = list(feed_list or [])
        template = {t: None for t in feed_list}
        sig = self._compile(fetches, template)

        def call(*args, **kwargs):
            if len(args) != len(feed_list):
                raise TypeError("callable takes %d feeds, got %d" % (len(feed_list), len(args)))
            values = self._feed_values(sig, args) if args else ()
            if not kwargs:
                return sig.build(self._execute(sig, values))
            allowed = {"options", "run_metadata"} if accept_options else set()
            unknown = set(kwargs) - allowed
            if unknown:
                raise TypeError("callable got unexpected keyword arguments %s%s" % (
                    sorted(unknown), "" if accept_options else
                    " (make_callable(..., accept_options=True) takes options and run_metadata)"))
            return sig.build(self._execute_with_metadata(
                sig, values, kwargs.get("options"), kwargs.get("run_metadata")))
        return call

    def partial_run_setup(self, fetches, feeds=None):
        raise errors.UnimplementedError(None, None, "partial_run is not supported yet")


def _convert_feed(t, v, np_dtype):
    if isinstance(v, (ops_lib.Tensor, ops_lib.Operation)):
        raise TypeError("The value of a feed cannot be a gf.Tensor object (feeding %s). "
                        "Acceptable feed values include Python scalars, strings, lists, "
                        "numpy ndarrays." % t.name)
    try:
        return np.require(ops_lib.numpy_value(v, t.dtype), requirements="C")
    except (TypeError, ValueError) as e:
        raise TypeError("Cannot feed %r to Tensor '%s' of dtype %s: %s"
                        % (_short(v), t.name, t.dtype.name, e)) from None


def _short(v):
    s = repr(v)
    return s if len(s) < 60 else s[:57] + "..."


def _shape_ok(static, actual):
    if len(static) != len(actual):
        return False
    for s, a in zip(static, actual):
        if s is not None and s != a:
            return False
    return True


class Session(BaseSession):
    """A TF1 session: `with gf.Session() as sess: sess.run(...)`.

    Inside `with`, the session is the default session (for Tensor.eval) and
    its graph the default graph; leaving closes it.
    """

    def __enter__(self):
        self._ctx_graph = self._graph.as_default()
        self._ctx_graph.__enter__()
        self._ctx_sess = self.as_default()
        self._ctx_sess.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        self._ctx_sess.__exit__(exc_type, exc, tb)
        self._ctx_graph.__exit__(exc_type, exc, tb)
        self.close()
        return False

    @staticmethod
    def reset(target, containers=None, config=None):
        raise errors.UnimplementedError(None, None, "Session.reset needs a distributed target")


class InteractiveSession(BaseSession):
    """A session that installs itself as the default on creation (for shells
    and notebooks); `close()` uninstalls it."""

    def __init__(self, target="", graph=None, config=None):
        super().__init__(target, graph, config)
        self._ctx_sess = self.as_default()
        self._ctx_sess.__enter__()
        self._ctx_graph = self._graph.as_default()
        self._ctx_graph.__enter__()

    def close(self):
        if not self._closed:
            try:
                self._ctx_graph.__exit__(None, None, None)
                self._ctx_sess.__exit__(None, None, None)
            except Exception:
                pass
        super().close()


class _DefaultSessionStack(threading.local):
    def __init__(self):
        super().__init__()
        self.stack = []

    def get_controller(self, sess):
        stack = self.stack

        class _Ctx:
            def __enter__(self_):
                stack.append(sess)
                return sess

            def __exit__(self_, *a):
                if stack and stack[-1] is sess:
                    stack.pop()
                elif sess in stack:
                    stack.remove(sess)
                return False
        return _Ctx()


_default_session_stack = _DefaultSessionStack()


def _reset_default_session_stack():
    _default_session_stack.stack.clear()


def get_default_session():
    """The innermost session of `with sess.as_default()` (or `with Session()`)."""
    s = _default_session_stack.stack
    return s[-1] if s else None


def run_with_default(fetch, feed_dict=None, session=None):
    if session is None:
        session = get_default_session()
        if session is None:
            what = "tensor" if isinstance(fetch, ops_lib.Tensor) else "operation"
            raise ValueError("Cannot evaluate %s using `eval()`/`run()`: No default session is "
                             "registered. Use `with sess.as_default()` or pass an explicit "
                             "session to `eval(session=sess)`" % what)
    if fetch.graph is not session.graph:
        raise ValueError("Cannot use the given session to evaluate %s: the graph of %s is "
                         "different from the session's graph." % (fetch.name, fetch.name))
    return session.run(fetch, feed_dict)

