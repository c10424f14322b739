"""The same functions as symbolic PyTensor graphs, for comparison with our tape.

PyTensor (the successor of Theano, the engine under PyMC) builds a *graph*
of symbolic variables, differentiates it symbolically with
``pytensor.grad``, rewrites it (simplification, fusion of elementwise
operations) and compiles it once into a callable. This module builds the
book's running examples as such graphs and gives small tools to look at them:
their printed form before and after the rewrites, and their node counts.

It is not imported by ``mixgrad.ad`` (PyTensor is heavy); import it as
``from mixgrad.ad import pytensor_compare``.

See the chapter :ref:`ad-systems`.
"""

from collections import Counter
from io import StringIO

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.compile import Function
from pytensor.compile.mode import Mode
from pytensor.graph.basic import Variable
from pytensor.graph.rewriting.db import RewriteDatabaseQuery
from pytensor.graph.traversal import io_toposort
from pytensor.tensor.linalg import solve_triangular

from mixgrad._validation import check_finite_array

__all__ = [
    "python_mode",
    "seed_function_graph",
    "gmm_loglik_graph",
    "compile_value_and_grad",
    "graph_text",
    "compiled_graph_text",
    "count_nodes",
    "count_compiled_nodes",
    "op_counts",
    "mixture_model",
]

_LOG_2PI = float(np.log(2.0 * np.pi))


def python_mode():
    """PyTensor's ``fast_run`` rewrites without fusion, executed by NumPy thunks.

    PyTensor 3 compiles by default with Numba, and ``mode="CVM"`` generates
    and compiles C code with gcc; both take tens of seconds per new graph on
    a cold cache. This mode applies the same graph rewrites except the fusion
    of elementwise operations (a fused loop only pays off as generated code;
    run from Python it would loop element by element) and runs each node with
    its NumPy implementation, so it compiles in seconds.

    Returns
    -------
    pytensor.compile.mode.Mode
    """
    rewrites = RewriteDatabaseQuery(include=["fast_run"], exclude=["fusion"])
    return Mode(linker="py", optimizer=rewrites)


# --- graphs of the book's functions -----------------------------------------------


def seed_function_graph():
    """The lecture's ``f(x1, x2) = x1 x2 + sin(x1)`` as a symbolic graph.

    Returns
    -------
    inputs : list of 2 scalar TensorVariables
        ``[x1, x2]`` (float64 scalars).
    output : TensorVariable
        The scalar ``f``.
    """
    x1 = pt.dscalar("x1")
    x2 = pt.dscalar("x2")
    return [x1, x2], x1 * x2 + pt.sin(x1)


def gmm_loglik_graph():
    """The Gaussian-mixture mean log-likelihood of :func:`mixgrad.ad.gmm_loglik` as a graph.

    The same formula, step for step: triangular solves with the Cholesky
    factors, squared Mahalanobis distances, log-weights by ``log_softmax``,
    and a log-sum-exp over the components.

    Returns
    -------
    inputs : list of 4 TensorVariables
        ``[X, means, log_weights, chol]`` of shapes (n_samples, n_features),
        (n_components, n_features), (n_components,) and
        (n_components, n_features, n_features).
    output : TensorVariable
        The scalar mean log-likelihood.
    """
    X = pt.dmatrix("X")
    means = pt.dmatrix("means")
    log_weights = pt.dvector("log_weights")
    chol = pt.dtensor3("chol")
    d = X.shape[1]
    diff = X.T[None, :, :] - means[:, :, None]  # (k, d, n)
    z = solve_triangular(chol, diff, lower=True)
    mahalanobis = pt.sum(pt.square(z), axis=1)  # (k, n)
    log_det = pt.sum(pt.log(pt.diagonal(chol, axis1=1, axis2=2)), axis=1)  # (k,)
    log_norm = pt.special.log_softmax(log_weights) - log_det - 0.5 * d * _LOG_2PI
    log_prob = log_norm[:, None] - 0.5 * mahalanobis
    return [X, means, log_weights, chol], pt.mean(pt.logsumexp(log_prob, axis=0))


def compile_value_and_grad(inputs, output, wrt, *, mode=None):
    """Differentiate ``output`` symbolically and compile value and gradients.

    Parameters
    ----------
    inputs : list of TensorVariable
        Inputs of the compiled function, in call order.
    output : TensorVariable
        A scalar graph.
    wrt : list of TensorVariable
        The inputs to differentiate with respect to (a subset of ``inputs``).
    mode : str or Mode, optional
        PyTensor compilation mode (default :func:`python_mode`).

    Returns
    -------
    pytensor Function
        Called with the inputs, returns ``[value, *gradients]``.
    """
    _check_variables(inputs, "inputs")
    _check_variables(wrt, "wrt")
    if not isinstance(output, Variable) or output.ndim != 0:
        raise ValueError("output must be a scalar PyTensor variable (ndim 0)")
    missing = [v.name for v in wrt if v not in inputs]
    if missing:
        raise ValueError(f"wrt must be a subset of inputs; not found in inputs: {missing}")
    grads = pytensor.grad(output, wrt)
    return pytensor.function(inputs, [output, *grads], mode=python_mode() if mode is None else mode)


def _check_variables(variables, name):
    if not isinstance(variables, (list, tuple)) or not variables:
        raise TypeError(f"{name} must be a non-empty list of PyTensor variables")
    for v in variables:
        if not isinstance(v, Variable):
            raise TypeError(f"{name} must contain PyTensor variables, got {type(v).__name__}")


# --- looking at graphs ------------------------------------------------------------


def graph_text(outputs):
    """The printed form (``pytensor.dprint``) of a graph before any rewrite.

    Parameters
    ----------
    outputs : Variable or list of Variable

    Returns
    -------
    str
    """
    buf = StringIO()
    pytensor.dprint(outputs, file=buf)
    return buf.getvalue().rstrip()


def compiled_graph_text(fn):
    """The printed form of a compiled function's graph, after the rewrites.

    Parameters
    ----------
    fn : pytensor Function

    Returns
    -------
    str
    """
    _check_function(fn)
    buf = StringIO()
    pytensor.dprint(fn, file=buf)
    return buf.getvalue().rstrip()


def count_nodes(outputs):
    """Number of operations (Apply nodes) in a graph as built, before rewrites.

    Parameters
    ----------
    outputs : Variable or list of Variable

    Returns
    -------
    int
    """
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    _check_variables(list(outputs), "outputs")
    return len(io_toposort([], list(outputs)))


def count_compiled_nodes(fn):
    """Number of operations in a compiled function's rewritten graph.

    Parameters
    ----------
    fn : pytensor Function

    Returns
    -------
    int
    """
    _check_function(fn)
    return len(fn.maker.fgraph.apply_nodes)


def op_counts(graph):
    """How many nodes of each operation type a graph has.

    Parameters
    ----------
    graph : pytensor Function, Variable or list of Variable
        A compiled function (its rewritten graph) or outputs (the graph as
        built).

    Returns
    -------
    collections.Counter
        Operation class name (``Elemwise`` ops by their scalar op, e.g.
        ``"Mul"``; fused ones as ``"Composite"``) to count.
    """
    if isinstance(graph, Function):
        nodes = graph.maker.fgraph.toposort()
    else:
        outputs = graph if isinstance(graph, (list, tuple)) else [graph]
        _check_variables(list(outputs), "graph")
        nodes = io_toposort([], list(outputs))
    return Counter(_op_name(node.op) for node in nodes)


def _op_name(op):
    scalar_op = getattr(op, "scalar_op", None)
    return type(scalar_op if scalar_op is not None else op).__name__


def _check_function(fn):
    if not isinstance(fn, Function):
        raise TypeError(f"fn must be a compiled pytensor Function, got {type(fn).__name__}")


# --- PyMC ---------------------------------------------------------------------------


def mixture_model(x, weights, scales):
    """A PyMC model of 1-D mixture data with unknown means and a flat prior.

    ``x_i ~ sum_j weights[j] Normal(mu_j, scales[j])``, ``mu ~ Flat``, so the
    model's log-density in ``mu`` is ``n * gmm_loglik`` of the same data.

    Parameters
    ----------
    x : array-like of shape (n_samples,)
        Observed data.
    weights : array-like of shape (n_components,)
        Known mixture weights (positive, summing to 1).
    scales : array-like of shape (n_components,)
        Known component standard deviations (positive).

    Returns
    -------
    pymc.Model
        With one free variable ``"mu"`` of shape (n_components,).
    """
    import pymc as pm

    x = check_finite_array(x, "x", ndim=1)
    weights = check_finite_array(weights, "weights", ndim=1)
    scales = check_finite_array(scales, "scales", ndim=1)
    if weights.shape != scales.shape:
        raise ValueError(
            "weights and scales must have the same shape, "
            f"got {weights.shape} and {scales.shape}"
        )
    if np.any(weights <= 0) or abs(weights.sum() - 1.0) > 1e-12:
        raise ValueError("weights must be positive and sum to 1")
    if np.any(scales <= 0):
        raise ValueError("scales must be positive")
    with pm.Model() as model:
        mu = pm.Flat("mu", shape=weights.shape)
        pm.NormalMixture("x", w=weights, mu=mu, sigma=scales, observed=x)
    return model
