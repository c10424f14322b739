"""The :class:`WengertList`: sweeps, graph and programs as text.

Built by :func:`mixgrad.ad.trace`; see :mod:`mixgrad.ad.wengert` for the story.

See the chapter :ref:`forward-reverse`.
"""

import ast

import numpy as np

from mixgrad.ad._symbolic import Expr, bare_call
from mixgrad.ad._wengert_ops import (
    OPS,
    Listing,
    bar,
    dot,
    num,
    partials,
    partials_text,
    product,
    real,
    scaled,
    sum_terms,
    times,
    trivial,
)

__all__ = ["WengertList"]


# --- the Wengert list -------------------------------------------------------------------


class WengertList:
    """The Wengert list of a traced scalar function, with its dual and adjoint programs.

    Parameters
    ----------
    nodes : list of Node
        The lines ``w1 ... wn``; inputs first.
    output : int
        Index of the node returned by the function.

    Attributes
    ----------
    nodes : tuple of Node
    output : int
    input_names : tuple of str
        Parameter names, in the order of the inputs ``w1, w2, ...``.
    values : ndarray of shape (n_nodes,)
        ``w1 ... wn`` at the traced point.
    """

    def __init__(self, nodes, output):
        self.nodes = tuple(nodes)
        self.output = output
        self.input_names = tuple(n.name for n in self.nodes if n.op == "input")
        self.values = np.array([n.value for n in self.nodes])

    def __len__(self):
        return len(self.nodes)

    def __repr__(self):
        return f"<WengertList of {len(self)} nodes, output w{self.output}>\n{self.original()}"

    @property
    def value(self):
        """The function value (the output node's value)."""
        return float(self.values[self.output - 1])

    # --- the graph -----------------------------------------------------------------

    @property
    def edges(self):
        """Edges ``(i, j)`` of the computational graph: ``wj`` reads ``wi``."""
        return tuple((i, n.index) for n in self.nodes for i in dict.fromkeys(n.operands))

    def layers(self):
        """Depth of every node: 0 for inputs, else 1 + the deepest operand.

        Returns
        -------
        ndarray of shape (n_nodes,) of int
        """
        depth = np.zeros(len(self), dtype=int)
        for n in self.nodes:
            if n.operands:
                depth[n.index - 1] = 1 + max(depth[i - 1] for i in n.operands)
        return depth

    def label(self, index):
        """Short label of a node's operation: the input name or ``sin``, ``*``..."""
        n = self.nodes[index - 1]
        symbols = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "neg": "−"}
        return n.name if n.op == "input" else symbols.get(n.op, n.op)

    # --- sweeps ----------------------------------------------------------------------

    def _seed_vector(self, seed):
        if seed is None:
            raise TypeError(
                f"seed is required: a dict giving the tangent of each input, e.g. "
                f"{{{self.input_names[0]!r}: 1.0}}"
            )
        if not isinstance(seed, dict):
            raise TypeError(
                f"seed must be a dict {{input name: tangent}}, got {type(seed).__name__}"
            )
        unknown = set(seed) - set(self.input_names)
        if unknown:
            raise ValueError(
                f"seed names unknown inputs {sorted(unknown)}; the inputs are "
                f"{list(self.input_names)}"
            )
        return {k: real(v, f"seed[{k!r}]") for k, v in seed.items()}

    def forward_sweep(self, seed):
        """Tangents ``ẇ1 ... ẇn`` of the dual program (forward mode).

        Parameters
        ----------
        seed : dict of {str: float}
            Tangent of each input (``ẋ``); inputs left out get 0.

        Returns
        -------
        ndarray of shape (n_nodes,)
            The last entry at ``output`` is the directional derivative ``∇f · ẋ``.
        """
        seed = self._seed_vector(seed)
        tangents = np.zeros(len(self))
        for n in self.nodes:
            if n.op == "input":
                tangents[n.index - 1] = seed.get(n.name, 0.0)
                continue
            partials = self._partials(n)
            tangents[n.index - 1] = sum(
                p * tangents[a - 1] for a, p in zip(n.args, partials, strict=True)
                if type(a) is int
            )
        return tangents

    def reverse_sweep(self, seed=1.0):
        """Adjoints ``w̄1 ... w̄n`` of the adjoint program (reverse mode).

        Parameters
        ----------
        seed : float, default 1.0
            Adjoint of the output (``ȳ``).

        Returns
        -------
        ndarray of shape (n_nodes,)
            ``w̄i = ∂(ȳ f)/∂wi``; the entries of the inputs form the gradient.
        """
        adjoints = np.zeros(len(self))
        adjoints[self.output - 1] = real(seed, "seed")
        for n in reversed(self.nodes[: self.output]):
            if n.op == "input":
                continue
            for a, p in zip(n.args, self._partials(n), strict=True):
                if type(a) is int:
                    adjoints[a - 1] += p * adjoints[n.index - 1]
        return adjoints

    def gradient(self):
        """Gradient by one reverse sweep, as ``{input name: ∂f/∂x}``."""
        adjoints = self.reverse_sweep()
        return {n.name: float(adjoints[n.index - 1]) for n in self.nodes if n.op == "input"}

    def _partials(self, n):
        values = [self.values[a - 1] if type(a) is int else a for a in n.args]
        return partials(n.op, n.value, values)

    def _partials_text(self, n):
        values = [self.values[a - 1] if type(a) is int else a for a in n.args]
        ans = Expr(ast.Name(id=f"w{n.index}"), bare_call, n.value)
        return partials_text(n.op, ans, self._operand_names(n), values)

    # --- programs as text -----------------------------------------------------------

    def _operand_names(self, n):
        return [f"w{a}" if type(a) is int else num(a) for a in n.args]

    def _operand_values(self, n):
        return [num(self.values[a - 1]) if type(a) is int else num(a) for a in n.args]

    def original(self, *, values=False):
        """The original program, one line per node (``w3 = w1 * w2``).

        Parameters
        ----------
        values : bool, default False
            Append the value of each line (``w3 = w1 * w2 = 1``).

        Returns
        -------
        Listing
            A ``str`` whose repr is the program itself (prints in notebooks).
        """
        lines = []
        for n in self.nodes:
            rhs = n.name if n.op == "input" else OPS[n.op].show(*self._operand_names(n))
            line = f"w{n.index} = {rhs}"
            if values:
                line += f" = {num(n.value)}"
            lines.append(line)
        return Listing("\n".join(lines))

    def dual(self, seed, *, unicode=True):
        """The dual (tangent) program with its numbers, as on the seed's slide.

        ``ẇ3 = w2·ẇ1 + w1·ẇ2 = 2·0 + 0.5·1 = 0.5``: the chain rule, then the
        values substituted, then the tangent.

        Parameters
        ----------
        seed : dict of {str: float}
            Tangent of each input; inputs left out get 0.
        unicode : bool, default True
            Write ``ẇ3``; if False write ``dw3`` (as the source transformer does).

        Returns
        -------
        Listing
        """
        tangents = self.forward_sweep(seed)
        lines = []
        for n in self.nodes:
            d = dot(n.index, unicode)
            if n.op == "input":
                lines.append(f"{d} = {num(tangents[n.index - 1])}")
                continue
            texts = self._partials_text(n)
            pairs = [(t, p, a) for a, t, p in zip(n.args, texts, self._partials(n), strict=True)
                     if type(a) is int]
            line = f"{d} = {sum_terms([times(t, dot(a, unicode)) for t, _, a in pairs])}"
            if not trivial([t for t, _, _ in pairs]):
                numeric = [product(p, tangents[a - 1], partial_first=True) for _, p, a in pairs]
                line += f" = {sum_terms(numeric)}"
            lines.append(f"{line} = {num(tangents[n.index - 1])}")
        return Listing("\n".join(lines))

    def adjoint(self, *, seed=1.0, unicode=True):
        """The adjoint program, in reverse order: ``w̄i = Σ_j w̄j·∂wj/∂wi``.

        Parameters
        ----------
        seed : float, default 1.0
            Adjoint of the output.
        unicode : bool, default True
            Write ``w̄3``; if False write ``w3_bar``.

        Returns
        -------
        Listing
            ``w̄5 = 1``, ``w̄4 = w̄5 = 1``, ..., ``w̄1 = w̄3·w2 + w̄4·cos(w1) = ...``.
        """
        adjoints = self.reverse_sweep(seed)
        consumers = {i: [] for i in range(1, len(self) + 1)}
        for n in self.nodes[: self.output]:
            if n.op == "input":
                continue
            texts = self._partials_text(n)
            for a, t, p in zip(n.args, texts, self._partials(n), strict=True):
                if type(a) is int:
                    consumers[a].append((n.index, t, p))
        lines = [f"{bar(self.output, unicode)} = {num(adjoints[self.output - 1])}"]
        for i in range(self.output - 1, 0, -1):
            terms = consumers[i]
            symbolic = sum_terms([scaled(bar(j, unicode), t) for j, t, _ in terms])
            line = f"{bar(i, unicode)} = {symbolic}"
            if terms and not trivial([t for _, t, _ in terms]):
                numeric = [product(p, adjoints[j - 1], partial_first=False) for j, _, p in terms]
                line += f" = {sum_terms(numeric)}"
            lines.append(f"{line} = {num(adjoints[i - 1])}")
        return Listing("\n".join(lines))
