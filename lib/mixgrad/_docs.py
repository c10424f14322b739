"""Shared numpydoc blocks, written once and filled into docstrings.

A docstring line that holds only ``%(name)s`` is replaced by the block
:data:`DOCS` ``[name]``, indented like that line (the scheme of SciPy's
``doccer`` and MNE's ``fill_doc``). The rendered docstrings, in ``help()`` and
in the API pages, are complete.

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

#: The shared blocks, by name.
DOCS = {
    "X": "X : array-like of shape (n_samples, n_features)\n    Samples.",
    "model": _MODEL,
    "X_model": "X : array-like of shape (n_samples, n_features)\n    Samples.\n" + _MODEL,
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
