"""The tape of reverse mode: one node per numpy operation on whole arrays.

While ``f`` runs on a traced value (``Var``), every numpy operation appends a
:class:`Node` to a :class:`Tape`, holding the primitive, its argument values
and its result: the Wengert list ``w_1 ... w_N`` of ``f``, with arrays as
entries. The backward pass walks the tape from the end and applies each
node's vjp rule, accumulating adjoints ``w_bar`` of the earlier entries.

The tape is kept in creation order, which is already a topological order, so
no graph sort is needed. See the chapter :ref:`forward-reverse`.
"""

import numpy as np

from ._domain import DOMAIN_CHECKS, check_domain
from ._mixin import TracerMixin
from ._trace import (
    TRACERS,
    as_operand,
    bind,
    check_tracer_input,
    impl_of,
    new_level,
    prim_name,
    primal,
)
from .vjp_rules import SAVED, VJP_RULES

__all__ = ["Tape", "Node", "Var", "trace_tape"]

_new = object.__new__
_ZERO = np.zeros(1)


def _shape_only(v):
    """A stand-in with the shape of ``v`` and no memory (all strides zero)."""
    if type(v) in TRACERS:
        v = primal(v)
    if type(v) is np.ndarray and v.dtype == np.float64:
        return np.ndarray(v.shape, np.float64, _ZERO, 0, (0,) * v.ndim)
    return v


def _buffers(x, seen):
    """Bytes of the array buffers behind ``x`` not yet in ``seen``."""
    if type(x) in TRACERS:
        return _buffers(x.value, seen) + _buffers(getattr(x, "_t", None), seen)
    if isinstance(x, (list, tuple)):
        return sum(_buffers(i, seen) for i in x)
    if isinstance(x, np.ndarray):
        base = x
        while isinstance(base.base, np.ndarray):
            base = base.base
        if id(base) in seen:
            return 0
        seen.add(id(base))
        return base.nbytes
    if isinstance(x, (float, np.floating)):
        return 8
    return 0


class Node:
    """One entry ``w_i = primitive(args)`` of the tape.

    Attributes
    ----------
    primitive : ufunc, numpy function, Primitive or None
        ``None`` for an input of the differentiated function.
    args : tuple
        Argument values. Only those the vjp rule reads are kept (see
        ``vjp_rules.SAVED``); the others are replaced by zero-memory stand-ins
        of the same shape, so intermediates can be freed early.
    kwargs : dict
        Static parameters (axes, shapes).
    ans : ndarray or float
        The result (or its zero-memory stand-in if the rule does not read it).
    parents : tuple of (int, int)
        ``(argument position, node index)`` of each traced argument.
    """

    __slots__ = ("primitive", "rule", "args", "kwargs", "ans", "parents", "needs")

    def __init__(self, primitive, rule, args, kwargs, ans, parents, needs):
        self.primitive = primitive
        self.rule = rule
        self.args = args
        self.kwargs = kwargs
        self.ans = ans
        self.parents = parents
        self.needs = needs

    @property
    def name(self):
        """Name of the primitive (``"input"`` for an input)."""
        return "input" if self.primitive is None else prim_name(self.primitive)

    @property
    def shape(self):
        """Shape of the result."""
        return np.shape(primal(self.ans))

    def __repr__(self):
        return f"Node({self.name}, shape={self.shape})"


class Tape:
    """The list of array operations recorded while a function ran.

    Attributes
    ----------
    nodes : list of Node
        In the order they ran (inputs first).
    output : Var or value, optional
        What the function returned (set by :func:`trace_tape`).
    """

    def __init__(self):
        # records (primitive, rule, args, kwargs, ans, parents, needs): tuples are
        # cheap to create; ``nodes`` wraps them for inspection.
        self._records = []
        self.output = None

    @property
    def nodes(self):
        """The recorded nodes, inputs first (a list of :class:`~mixgrad.ad.tape.Node`)."""
        return [Node(*record) for record in self._records]

    def __len__(self):
        return len(self._records)

    def input(self, value, level):
        """Start a traced input of ``value``; returns its ``Var``."""
        self._records.append((None, None, (), {}, value, (), ()))
        return _var(value, self, len(self._records) - 1, level)

    @property
    def nbytes(self):
        """Bytes held by the stored values (each array buffer counted once)."""
        seen = set()
        return sum(_buffers(r[2], seen) + _buffers(r[4], seen) for r in self._records)

    def summary(self):
        """A table of the nodes: index, primitive, shape, parents.

        Returns
        -------
        str
            One line per node, then ``"the tape has N nodes holding M bytes"``.
        """
        lines = [f"{'w':>4}  {'primitive':<34} {'shape':<16} parents"]
        for i, node in enumerate(self.nodes):
            parents = ", ".join(f"w{p + 1}" for _, p in node.parents)
            lines.append(f"{'w' + str(i + 1):>4}  {node.name:<34} {str(node.shape):<16} {parents}")
        lines.append(f"the tape has {len(self)} nodes holding {self.nbytes} bytes")
        return "\n".join(lines)

    def __repr__(self):
        return f"<Tape: {len(self)} nodes holding {self.nbytes} bytes>"

    def backward(self, out_index, seed):
        """Propagate the adjoint ``seed`` of node ``out_index`` to every node.

        Parameters
        ----------
        out_index : int
        seed : array or float
            Adjoint of the output, of its shape.

        Returns
        -------
        list
            ``adjoints[i]`` for the inputs (``None`` if the output does not
            depend on them); intermediate adjoints are freed as the sweep goes.
        """
        records = self._records
        adjoints = [None] * (out_index + 1)
        adjoints[out_index] = seed
        for i in range(out_index, -1, -1):
            g = adjoints[i]
            if g is None:
                continue
            _, rule, args, kwargs, ans, parents, needs = records[i]
            if not parents:
                continue
            grads = rule(g, ans, args, needs, **kwargs)
            adjoints[i] = None
            for pos, p in parents:
                old = adjoints[p]
                adjoints[p] = grads[pos] if old is None else old + grads[pos]
        return adjoints


def _var(value, tape, index, level):
    v = _new(Var)
    v.value = value
    v._tape = tape
    v._index = index
    v._level = level
    return v


class Var(TracerMixin):
    """A value traced by reverse mode: its value and its place on a tape.

    Created by the reverse-mode transforms (``grad``, ``vjp``...), never by
    hand; numpy code sees an array-like object.
    """

    __slots__ = ("value", "_tape", "_index", "_level")
    _MODE = "vjp"
    _RULES = VJP_RULES

    def __repr__(self):
        return f"Var({self.value!r}, node=w{self._index + 1})"

    @classmethod
    def _lift(cls, prim, args, kwargs, level):
        """Evaluate ``prim`` on the values and append a node to the tape."""
        rule = cls._rule(prim, args, level)
        tape = None
        values, parents, needs = [], [], []
        nested = False
        for i, a in enumerate(args):
            t = type(a)
            if t is Var and a._level == level:
                if tape is None:
                    tape = a._tape
                elif a._tape is not tape:
                    raise ValueError(
                        "values traced by two different transforms were combined; "
                        "a traced value escaped the function it was created in"
                    )
                parents.append((i, a._index))
                a = a.value
                needs.append(True)
            else:
                if not (t is float or (t is np.ndarray and a.dtype.kind == "f")):
                    a = as_operand(a)
                needs.append(False)
            values.append(a)
            nested = nested or type(a) in TRACERS
        if prim in DOMAIN_CHECKS:
            check_domain(prim, values, needs)
        if nested:
            ans = bind(prim, *values, **kwargs)
        else:
            ans = impl_of(prim)(*values, **kwargs)
        saved = SAVED.get(prim)
        stored, stored_ans = values, ans
        if saved is not None:  # keep only what the vjp rule reads
            keep, keep_ans = saved(needs)
            stored = [
                v if i < len(keep) and keep[i] else _shape_only(v) for i, v in enumerate(values)
            ]
            if not keep_ans:
                stored_ans = _shape_only(ans)
        records = tape._records
        records.append((prim, rule, stored, kwargs, stored_ans, tuple(parents), needs))
        return _var(ans, tape, len(records) - 1, level)


TRACERS.add(Var)


def trace_tape(f, x, *args, **kwargs):
    """Run ``f(x, *args, **kwargs)`` and return the tape it recorded.

    Parameters
    ----------
    f : callable
        Numpy code of ``x``.
    x : float or ndarray of shape (...)
        The traced input.
    *args, **kwargs
        Further arguments of ``f``, not traced.

    Returns
    -------
    Tape
        With ``len(tape)`` nodes, ``tape.nbytes`` bytes of stored values,
        ``tape.summary()`` and ``tape.output`` (what ``f`` returned).

    Examples
    --------
    >>> tape = trace_tape(lambda x: np.sum(np.sin(x) * x), np.arange(3.0))
    >>> [node.name for node in tape.nodes]
    ['input', 'numpy.sin', 'numpy.multiply', 'numpy.sum']
    """
    x = check_tracer_input(x)
    tape = Tape()
    with new_level() as level:
        tape.output = f(tape.input(x, level), *args, **kwargs)
    return tape
