"""`gf.debugging`: TF1's tf.debugging names for runtime assertions."""

from graphflow.ops.check_ops import (  # noqa: F401
    Assert, assert_equal, assert_greater, assert_greater_equal, assert_integer, assert_less,
    assert_less_equal, assert_near, assert_negative, assert_non_negative, assert_non_positive,
    assert_none_equal, assert_positive, assert_rank, assert_rank_at_least, assert_rank_in,
    assert_proper_iterable, assert_scalar, assert_type, is_non_decreasing, is_numeric_tensor,
    is_strictly_increasing)
