"""Matrix products: MatMul (2-D, optional transposes), BatchMatMul (same batch
shape) and BatchMatMulV2 (NumPy-broadcast batch dims), and the TF1 builder
`matmul`, also behind the `@` operator; `tensordot`, built from Transpose,
Reshape and MatMul as TF builds it.

    y = gf.matmul(x, w)                      # [batch, in] x [in, out]
    z = gf.matmul(q, k, transpose_b=True)    # [..., m, d] x [..., n, d] -> BatchMatMulV2

float and double products run on OpenBLAS; half converts to float for the
product and back; int32/int64 use a plain blocked loop whose sums wrap.
"""

import numpy as np

from graphflow.framework import graph as graph_lib
from graphflow.framework import op_builder
from graphflow.framework import ops as ops_lib
from graphflow.framework import tensor_shape
from graphflow.framework.common_shapes import broadcast_shapes
from graphflow.framework.op_def import op
from graphflow.framework.ops import register_operator

__all__ = ["matmul", "tensordot"]

_MATMUL_TYPES = "{half, float, double, int32, int64}"


def _fmt(shape):
    if shape.rank is None:
        return "<unknown>"
    return "[%s]" % ",".join("?" if d is None else str(d) for d in shape.as_list())


def _dim(shape, i):
    return None if shape.rank is None else shape.as_list()[i]


def _check_inner(op_type, k_a, k_b, a, b, flags):
    if k_a is not None and k_b is not None and k_a != k_b:
        extra = " (%s)" % flags if flags else ""
        raise ValueError("Dimensions must be equal, but are %d and %d for %s with input shapes "
                         "%s, %s%s" % (k_a, k_b, op_type, _fmt(a), _fmt(b), extra))


def _flags(op, names):
    set_ = ["%s=True" % n for n in names if op.get_attr(n)]
    return ", ".join(set_)


def _matmul_shape(op):
    a, b = op.inputs[0].shape, op.inputs[1].shape
    for name, s in (("a", a), ("b", b)):
        if s.rank is not None and s.rank != 2:
            raise ValueError("Shape must be rank 2 but is rank %d for MatMul input '%s'; input "
                             "shapes: %s, %s" % (s.rank, name, _fmt(a), _fmt(b)))
    ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
    _check_inner("MatMul", _dim(a, 0 if ta else 1), _dim(b, 1 if tb else 0), a, b,
                 _flags(op, ("transpose_a", "transpose_b")))
    return tensor_shape.TensorShape([_dim(a, 1 if ta else 0), _dim(b, 0 if tb else 1)])


def _batch_matmul_shape(op):
    x, y = op.inputs[0].shape, op.inputs[1].shape
    v2 = op.type == "BatchMatMulV2"
    for name, s in (("x", x), ("y", y)):
        if s.rank is not None and s.rank < 2:
            raise ValueError("Shape must be rank >= 2 but is rank %d for %s input '%s'; input "
                             "shapes: %s, %s" % (s.rank, op.type, name, _fmt(x), _fmt(y)))
    adj_x, adj_y = op.get_attr("adj_x"), op.get_attr("adj_y")
    _check_inner(op.type, _dim(x, -2 if adj_x else -1), _dim(y, -1 if adj_y else -2), x, y,
                 _flags(op, ("adj_x", "adj_y")))
    m = _dim(x, -1 if adj_x else -2)
    n = _dim(y, -2 if adj_y else -1)
    if x.rank is None or y.rank is None:
        return tensor_shape.TensorShape(None)
    bx, by = x[:-2], y[:-2]
    if v2:
        try:
            batch = broadcast_shapes(bx, by)
        except ValueError:
            raise ValueError("Batch dimensions of %s and %s do not broadcast for BatchMatMulV2"
                             % (_fmt(x), _fmt(y))) from None
    else:
        if x.rank != y.rank or not bx.is_compatible_with(by):
            raise ValueError("BatchMatMul needs equal batch dimensions, got input shapes %s, %s; "
                             "use BatchMatMulV2 (gf.matmul) to broadcast" % (_fmt(x), _fmt(y)))
        batch = bx.merge_with(by)
    return batch.concatenate([m, n])


def _product_inputs(a, b):
    """Half computes in float32 (as the kernel does); the reference rounds once."""
    if a.dtype == np.float16:
        return a.astype(np.float32), b.astype(np.float32)
    if a.dtype.kind == "f":
        return a.astype(np.float64), b.astype(np.float64)
    return a, b


@op("MatMul", inputs=["a: T", "b: T"], outputs=["product: T"],
    attrs=["transpose_a: bool = false", "transpose_b: bool = false", f"T: {_MATMUL_TYPES}",
           "grad_a: bool = false", "grad_b: bool = false"],
    shape=_matmul_shape)
def _mat_mul(ctx, a, b):
    if ctx.attrs["transpose_a"]:
        a = a.T
    if ctx.attrs["transpose_b"]:
        b = b.T
    return np.matmul(*_product_inputs(a, b))


def _batch_reference(ctx, x, y):
    if ctx.attrs["adj_x"]:
        x = np.swapaxes(x, -1, -2)
    if ctx.attrs["adj_y"]:
        y = np.swapaxes(y, -1, -2)
    return np.matmul(*_product_inputs(x, y))


_BATCH_ATTRS = [f"T: {_MATMUL_TYPES}", "adj_x: bool = false", "adj_y: bool = false",
                "grad_x: bool = false", "grad_y: bool = false"]


@op("BatchMatMul", inputs=["x: T", "y: T"], outputs=["output: T"], attrs=_BATCH_ATTRS,
    shape=_batch_matmul_shape)
def _batch_mat_mul(ctx, x, y):
    return _batch_reference(ctx, x, y)


@op("BatchMatMulV2", inputs=["x: T", "y: T"], outputs=["output: T"], attrs=_BATCH_ATTRS,
    shape=_batch_matmul_shape)
def _batch_mat_mul_v2(ctx, x, y):
    return _batch_reference(ctx, x, y)


def _is_plain_value(v):
    return isinstance(v, (list, tuple, int, float, np.ndarray, np.generic))


def _convert_pair(a, b):
    """Tensors for a and b; a Python/NumPy value takes the other operand's dtype."""
    if _is_plain_value(a) and not _is_plain_value(b):
        b = ops_lib.convert_to_tensor(b, name="b")
        return ops_lib.convert_to_tensor(a, dtype=b.dtype, name="a"), b
    a = ops_lib.convert_to_tensor(a, name="a")
    return a, ops_lib.convert_to_tensor(b, dtype=a.dtype if _is_plain_value(b) else None,
                                        name="b")


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """a times b, after transposing (or taking the adjoint of) either.

    Rank-2 inputs give a MatMul; higher or unknown ranks a BatchMatMulV2, whose
    leading (batch) dims broadcast. `a_is_sparse`/`b_is_sparse` are accepted
    hints with no effect.

        gf.matmul([[1., 2.]], [[3.], [4.]])   # [[11.]]
    """
    del a_is_sparse, b_is_sparse
    if transpose_a and adjoint_a:
        raise ValueError("Only one of transpose_a and adjoint_a can be True.")
    if transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_b and adjoint_b can be True.")
    a, b = _convert_pair(a, b)
    # Real dtypes only: the adjoint is the transpose.
    ta, tb = bool(transpose_a or adjoint_a), bool(transpose_b or adjoint_b)
    ra, rb = a.shape.rank, b.shape.rank
    if ra is None or ra > 2 or rb is None or rb > 2:
        return op_builder.apply_op("BatchMatMulV2", [a, b], {"adj_x": ta, "adj_y": tb}, name=name)
    return op_builder.apply_op("MatMul", [a, b], {"transpose_a": ta, "transpose_b": tb}, name=name)


register_operator("matmul", matmul)


# --- gradients ----------------------------------------------------------------------

def _tensordot_axes(a, axes):
    """(a_axes, b_axes): Python lists when known, else int32 tensors."""
    from graphflow.ops import array_ops
    if isinstance(axes, (int, np.integer)):
        axes = int(axes)
        if axes < 0:
            raise ValueError("'axes' must be at least 0.")
        rank = a.shape.rank
        if rank is not None:
            if axes > rank:
                raise ValueError("'axes' must not be larger than the number of dimensions of "
                                 "tensor %s (rank %d), got %d" % (a.name, rank, axes))
            return list(range(rank - axes, rank)), list(range(axes))
        r = array_ops.rank(a)
        return array_ops.range(r - axes, r), array_ops.range(axes)
    if isinstance(axes, (list, tuple)):
        if len(axes) != 2:
            raise ValueError("'axes' must be an integer or have length 2.")
        a_axes, b_axes = axes
        if isinstance(a_axes, (int, np.integer)) and isinstance(b_axes, (int, np.integer)):
            a_axes, b_axes = [a_axes], [b_axes]
        if not isinstance(a_axes, ops_lib.Tensor) and not isinstance(b_axes, ops_lib.Tensor):
            a_axes, b_axes = [int(i) for i in a_axes], [int(i) for i in b_axes]
            if len(a_axes) != len(b_axes):
                raise ValueError("Different number of contraction axes 'a' and 'b', %d != %d."
                                 % (len(a_axes), len(b_axes)))
        return a_axes, b_axes
    axes = ops_lib.convert_to_tensor(axes, name="axes", dtype="int32")
    return axes[0], axes[1]


def _tensordot_reshape(x, axes, flipped):
    """x as a matrix [free, contracted] ([contracted, free] when flipped), with
    the free dims (list or tensor) and their static list (or None)."""
    from graphflow.ops import array_ops, indexing_ops, math_ops, reduction_ops
    shape = x.shape
    if shape.rank is not None and isinstance(axes, list):
        rank = shape.rank
        for i in axes:
            if not -rank <= i < rank:
                raise ValueError("axis %d is out of range for tensor %s of rank %d"
                                 % (i, x.name, rank))
        axes = [i % rank for i in axes]
        free = [i for i in range(rank) if i not in axes]
        dims = shape.as_list()
        free_dims = [dims[i] for i in free]
        perm = axes + free if flipped else free + axes
        if shape.is_fully_defined():
            prod_free = int(np.prod(free_dims))
            prod_axes = int(np.prod([dims[i] for i in axes]))
            new_shape = [prod_axes, prod_free] if flipped else [prod_free, prod_axes]
            if perm != list(range(rank)):
                x = array_ops.transpose(x, perm)
            if x.shape.as_list() != new_shape:
                x = array_ops.reshape(x, new_shape)
            return x, free_dims, free_dims
        static = free_dims
        axes_t = np.array(axes, np.int32)
        free_t = np.array(free, np.int32)
    else:
        static = None
        rank = array_ops.rank(x)
        axes_t = ops_lib.convert_to_tensor(axes, dtype="int32", name="axes")
        axes_t = math_ops.where_v2(math_ops.greater_equal(axes_t, 0), axes_t, axes_t + rank)
        positions = array_ops.range(rank)
        contracted = reduction_ops.reduce_any(math_ops.equal(
            array_ops.expand_dims(positions, 1), array_ops.expand_dims(axes_t, 0)), axis=1)
        free_t = indexing_ops.boolean_mask(positions, math_ops.logical_not(contracted))
        perm = None
    x_shape = array_ops.shape(x)
    free_dims = indexing_ops.gather(x_shape, free_t)
    prod_free = reduction_ops.reduce_prod(free_dims)
    prod_axes = reduction_ops.reduce_prod(indexing_ops.gather(x_shape, axes_t))
    if perm is None:
        perm = array_ops.concat([axes_t, free_t] if flipped else [free_t, axes_t], 0)
    new_shape = array_ops.stack([prod_axes, prod_free] if flipped else [prod_free, prod_axes])
    return array_ops.reshape(array_ops.transpose(x, perm), new_shape), free_dims, static


def tensordot(a, b, axes, name=None):
    """Sum over the products of a's `a_axes` with b's `b_axes`; the result has
    a's free dims then b's. axes: an int N (a's last N with b's first N), a
    pair of axis lists (or ints), or an int32 tensor of shape [2, k]. Built as
    TF does: transpose and reshape each side into a matrix, one MatMul, one
    reshape; static shapes are kept where known.

        gf.tensordot(x, w, 1)                  # [b, i] x [i, o] -> [b, o]
        gf.tensordot(x, y, [[1, 2], [0, 1]])   # contract two dims
    """
    from graphflow.ops import array_ops
    with graph_lib.name_scope(name, "Tensordot", [a, b]) as name:
        a = ops_lib.convert_to_tensor(a, name="a")
        b = ops_lib.convert_to_tensor(b, name="b")
        a_axes, b_axes = _tensordot_axes(a, axes)
        a_mat, a_free, a_static = _tensordot_reshape(a, a_axes, False)
        b_mat, b_free, b_static = _tensordot_reshape(b, b_axes, True)
        product = matmul(a_mat, b_mat)
        if isinstance(a_free, list) and isinstance(b_free, list):
            if product.shape.as_list() == a_free + b_free:
                return product
            return array_ops.reshape(product, a_free + b_free, name=name)
        a_free = ops_lib.convert_to_tensor(a_free, dtype="int32")
        b_free = ops_lib.convert_to_tensor(b_free, dtype="int32")
        out = array_ops.reshape(product, array_ops.concat([a_free, b_free], 0), name=name)
        if a_static is not None and b_static is not None:
            out.set_shape(a_static + b_static)
        return out


def _grads():
    from graphflow.gradients import RegisterGradient
    from graphflow.ops.gradient_util_ops import sum_to

    def mm(a, b, ta=False, tb=False):
        return op_builder.apply_op("MatMul", [a, b], {"transpose_a": ta, "transpose_b": tb})

    @RegisterGradient("MatMul")
    def _mat_mul_grad(op, grad):
        a, b = op.inputs
        ta, tb = op.get_attr("transpose_a"), op.get_attr("transpose_b")
        if not ta and not tb:
            return mm(grad, b, tb=True), mm(a, grad, ta=True)
        if not ta and tb:
            return mm(grad, b), mm(grad, a, ta=True)
        if ta and not tb:
            return mm(b, grad, tb=True), mm(a, grad)
        return mm(b, grad, ta=True, tb=True), mm(grad, a, ta=True, tb=True)

    def bmm(x, y, adj_x=False, adj_y=False):
        return op_builder.apply_op("BatchMatMulV2", [x, y], {"adj_x": adj_x, "adj_y": adj_y})

    def _batch_grad(op, grad):
        x, y = op.inputs
        ax, ay = op.get_attr("adj_x"), op.get_attr("adj_y")
        if not ax and not ay:
            gx, gy = bmm(grad, y, adj_y=True), bmm(x, grad, adj_x=True)
        elif not ax and ay:
            gx, gy = bmm(grad, y), bmm(grad, x, adj_x=True)
        elif ax and not ay:
            gx, gy = bmm(y, grad, adj_y=True), bmm(x, grad)
        else:
            gx, gy = bmm(y, grad, adj_x=True, adj_y=True), bmm(grad, x, adj_x=True, adj_y=True)
        # Broadcast batch dims sum back to each input's own batch shape.
        return sum_to(gx, x), sum_to(gy, y)

    RegisterGradient("BatchMatMul")(_batch_grad)
    RegisterGradient("BatchMatMulV2")(_batch_grad)


_grads()
