"""Shared numpydoc blocks, written once and filled into docstrings.

A docstring line that holds only ``%(name)s`` is replaced by the block
:data:`DOCS` ``[name]``, indented like that line (the scheme of SciPy's
``doccer`` and MNE's ``fill_doc``). The rendered docstrings, in ``help()`` and
in the API pages, are complete. Blocks named ``parameters_*``, ``returns_*``
and ``warns_*`` bring their section header with them, so that two functions
sharing their first parameters share one slot line, not a header and a slot.

>>> from mixgrad._docs import fill_doc
>>> @fill_doc
... def f(rng):
...     '''Draw.
...
...     Parameters
...     ----------
...     %(rng)s
...     '''
>>> print(f.__doc__.strip())
Draw.
<BLANKLINE>
    Parameters
    ----------
    rng : numpy.random.Generator or int
        Source of randomness.
"""

import re
import textwrap

__all__ = ["DOCS", "fill_doc"]

_MODEL = """\
weights : array-like of shape (n_components,)
    Mixture weights, non-negative, summing to 1.
means : array-like of shape (n_components, n_features)
    Component means.
precisions_cholesky : array-like
    Cholesky factors of the precisions, of shape (n_components, n_features,
    n_features) for "full", (n_features, n_features) for "tied",
    (n_components, n_features) for "diag" and (n_components,) for
    "spherical" (see
    :func:`~mixgrad.mixture.precisions_cholesky_from_covariances`).
covariance_type : {"full", "tied", "diag", "spherical"}
    Which of the four covariance structures ``precisions_cholesky`` holds."""

_X = "X : array-like of shape (n_samples, n_features)\n    Samples.\n"

#: The shared blocks, by name.
DOCS = {
    "parameters_n_counts": (
        "Parameters\n"
        "----------\n"
        "n : int\n"
        "    Number of counts."
    ),
    "returns_counts": (
        "Returns\n"
        "-------\n"
        "x : ndarray of int of shape (n,)\n"
        "    Counts."
    ),
    "parameters_X": "Parameters\n----------\n" + _X.rstrip(),
    "parameters_X_centers": (
        "Parameters\n"
        "----------\n"
        "X : ndarray of shape (n_samples, n_features)\n"
        "    Samples.\n"
        "centers : ndarray of shape (n_clusters, n_features)\n"
        "    Centres."
    ),
    "parameters_X_resp_positive": (
        "Parameters\n"
        "----------\n"
        "X : array-like of shape (n_samples, n_features)\n"
        "resp : array-like of shape (n_samples, n_components)\n"
        "    Strictly positive ``R``."
    ),
    "parameters_X_missing": (
        "Parameters\n"
        "----------\n"
        "X : array-like of shape (n_samples, n_features)\n"
        "    Data, NaN marking missing entries."
    ),
    "parameters_x_censored": (
        "Parameters\n"
        "----------\n"
        "x : array-like of shape (n_samples,)\n"
        "    Values; entries where ``censored`` is True are ignored (may be NaN).\n"
        "censored : array-like of bool of shape (n_samples,)\n"
        "    True where the value is only known to exceed ``threshold``."
    ),
    "parameters_x_data": (
        "Parameters\n"
        "----------\n"
        "x : array-like of shape (n_samples,)\n"
        "    Data."
    ),
    "parameters_X_model": "Parameters\n----------\n" + _X + _MODEL,
    "defrule_primitive": (
        "primitive : numpy ufunc, numpy function or Primitive\n"
        '    The operation (``np.sin``, or ``Primitive("softplus", impl)``).'
    ),
    "returns_defrule": (
        "Returns\n-------\ncallable\n"
        "    The rule, as stored in ``JVP_RULES`` or ``VJP_RULES`` under ``primitive``.\n\n"
        "See Also\n--------\n"
        "mixgrad.ad.defjvp, mixgrad.ad.defvjp : the rules of the two modes.\n"
        "mixgrad.ad.Primitive : a function of one's own as a primitive.\n"
        "mixgrad.ad.check_grads : the rules checked against divided differences.\n\n"
        "Examples\n--------\nA primitive of one's own, with its rule for each mode:\n\n"
        ">>> import mixgrad.ad as ad\n"
        '>>> cube = ad.Primitive("cube", lambda x: x**3)\n'
        ">>> _ = ad.defjvp(cube, lambda t, ans, x: t * 3 * x**2)\n"
        ">>> _ = ad.defvjp(cube, lambda g, ans, x: g * 3 * x**2)\n"
        ">>> float(ad.derivative(cube)(2.0)), float(ad.grad(cube)(2.0))\n"
        "(12.0, 12.0)"
    ),
    "parameters_f_x": (
        "Parameters\n----------\nf : callable\n    ``f(x, *args, **kwargs)``.\n"
        "x : float or array-like of shape (...)\n    The point."
    ),
    "parameters_grad": (
        "Parameters\n----------\nf : callable\n    Numpy code returning a scalar.\n"
        "argnums : int or tuple of int, default 0\n"
        "    Which positional argument(s) to differentiate."
    ),
    "parameters_returns_jacobian": (
        "Parameters\n----------\nf : callable\n"
        "    ``f(x, *args, **kwargs)``, differentiated with respect to ``x``.\n\n"
        "Returns\n-------\ncallable\n    ``x -> J`` of shape ``f(x).shape + x.shape``."
    ),
    "parameters_fd_f_x": (
        "Parameters\n----------\nf : callable\n    Scalar function applied elementwise to arrays.\n"
        "x : float or array-like of shape (n,)\n    Point(s) at which to differentiate."
    ),
    "returns_fd": (
        "Returns\n-------\nndarray of shape ``np.broadcast_shapes(np.shape(x), np.shape(h))``\n"
        "    Approximations of ``f'(x)``."
    ),
    "warns_tol": (
        "Warns\n-----\nConvergenceWarning\n"
        "    If ``tol`` is not met within ``max_iter`` iterations."
    ),
    "warns_newton": (
        "Warns\n-----\nConvergenceWarning\n"
        "    If neither tolerance is met within ``max_iter`` steps."
    ),
    "X": _X.rstrip(),
    "model": _MODEL,
    "parameters_engine": (
        "Parameters\n----------\n"
        "X : ndarray of shape (n_samples, n_features)\n    Validated float64 data.\n"
        "n_components : int\n"
        'covariance_type : {"full", "tied", "diag", "spherical"}\n'
        "reg_covar : float\n"
        "labels : ndarray of int of shape (n_samples,), optional\n"
        "    Partial labels, ``-1`` = unlabelled; labelled responsibilities are pinned."
    ),
    "parameters_model_missing": (
        "Parameters\n----------\n"
        "model : fitted GaussianMixture or GaussianMixtureClassifier\n"
        "    See :func:`class_log_joint`.\n"
        "X : array-like of shape (n_samples, n_features)\n"
        "    Features; NaN marks a missing value."
    ),
    "parameters_name_accuracies": (
        "Parameters\n----------\nname : str\n    A key of ``accuracies``.\n\n"
        "Returns\n-------\nndarray of shape (n_sizes,)"
    ),
    "parameters_X_returns_float": (
        "Parameters\n----------\n"
        "X : array-like of shape (n_samples, n_features)\n\n"
        "Returns\n-------\nfloat"
    ),
    "X_model": _X + _MODEL,
    "rng": "rng : numpy.random.Generator or int\n    Source of randomness.",
    "ax": "ax : matplotlib Axes, optional\n    Axes to draw on; a new figure when None.",
    "ax_returns": (
        "ax : matplotlib Axes, optional\n    Axes to draw on; a new figure when None.\n\n"
        "Returns\n-------\nmatplotlib.axes.Axes"
    ),
    "labels_partial": (
        "labels : array-like of int of shape (n_samples,), optional\n"
        "    Partial labels (``-1`` = unlabelled); labelled samples contribute\n"
        "    ``log p(x_i, z_i = y_i)`` instead of ``log p(x_i)``."
    ),
    "class_names": (
        "class_names : sequence of str, optional\n"
        '    Legend names of the classes (default "class 0", "class 1", ...).'
    ),
    "mixture_1d_returns": (
        "x : ndarray of shape (n,)\nz : ndarray of int of shape (n,)\n"
        "truth : dict\n    True ``weights``, ``means`` and ``covariances`` (variances),\n"
        "    each of shape (n_components,)."
    ),
    "blobs_parameters_returns": (
        "Parameters\n----------\nn : int, default 1500\n    Number of points.\n"
        "rng : numpy.random.Generator or int\n    Source of randomness.\n\n"
        "Returns\n-------\n"
        "X : ndarray of shape (n, 2)\nz : ndarray of int of shape (n,)\n"
        "truth : dict\n    ``weights`` (3,), ``means`` (3, 2), ``covariances`` (3, 2, 2)."
    ),
}

_SLOT = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", flags=re.MULTILINE)


def fill_doc(obj):
    """Replace every ``%(name)s`` line of ``obj.__doc__`` by ``DOCS[name]``.

    Parameters
    ----------
    obj : function or class
        Its docstring is rewritten in place.

    Returns
    -------
    obj
        The same object, so that ``fill_doc`` works as a decorator.

    Raises
    ------
    KeyError
        If a slot names no block of :data:`DOCS`.
    """
    if obj.__doc__:
        obj.__doc__ = _SLOT.sub(
            lambda m: textwrap.indent(DOCS[m.group(2)], m.group(1)), obj.__doc__
        )
    return obj
