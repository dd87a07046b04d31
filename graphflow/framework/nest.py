"""Nested structures of values (`tf.nest`): lists, tuples, namedtuples and
dicts (in sorted key order, as TF flattens them); anything else is a leaf.
cond, the functional ops and the RNN cells pass structures through these."""


def _is_sequence(x):
    return isinstance(x, (list, tuple, dict))


def flatten(structure):
    """The leaves of `structure`, depth first."""
    if isinstance(structure, dict):
        return [v for k in sorted(structure) for v in flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for item in structure for v in flatten(item)]
    return [structure]


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence`'s values in the nesting of `structure`."""
    flat_sequence = list(flat_sequence)
    want = len(flatten(structure))
    if len(flat_sequence) != want:
        raise ValueError("pack_sequence_as: the structure has %d leaves but %d values were given"
                         % (want, len(flat_sequence)))
    it = iter(flat_sequence)

    def build(s):
        if isinstance(s, dict):
            built = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, built[k]) for k in s)
        if isinstance(s, (list, tuple)):
            items = [build(x) for x in s]
            if hasattr(s, "_fields"):
                return type(s)(*items)
            return type(s)(items)
        return next(it)

    return build(structure)


def _shape_of(structure):
    if isinstance(structure, dict):
        return (type(structure), tuple((k, _shape_of(structure[k])) for k in sorted(structure)))
    if isinstance(structure, (list, tuple)):
        return (type(structure), tuple(_shape_of(x) for x in structure))
    return None


def assert_same_structure(nest1, nest2, check_types=True):
    """ValueError unless both have the same nesting (and, with check_types,
    the same sequence types)."""
    if check_types:
        same = _shape_of(nest1) == _shape_of(nest2)
    else:
        same = _untyped(_shape_of(nest1)) == _untyped(_shape_of(nest2))
    if not same:
        raise ValueError("The two structures don't have the same nested structure.\n\n"
                         "First structure: %r\n\nSecond structure: %r" % (nest1, nest2))


def _untyped(shape):
    if shape is None:
        return None
    kind, items = shape
    if kind is dict or issubclass(kind, dict):
        return ("dict", tuple((k, _untyped(v)) for k, v in items))
    return ("seq", tuple(_untyped(v) for v in items))


def map_structure(fn, *structures):
    """fn applied leaf by leaf across structures of the same nesting."""
    if not structures:
        raise ValueError("map_structure needs at least one structure")
    for s in structures[1:]:
        assert_same_structure(structures[0], s)
    flats = [flatten(s) for s in structures]
    return pack_sequence_as(structures[0], [fn(*leaves) for leaves in zip(*flats)])


def is_nested(x):
    return _is_sequence(x)
