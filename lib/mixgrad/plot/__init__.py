"""Figures of the book.

Every figure a chapter shows comes from a function here (tested in
``tests/test_plot_*.py``), so that the book and the library cannot drift.
Each function takes an optional ``ax`` and returns the matplotlib Axes (or
Figure) it drew on.
"""

from .style import PALETTE, book_style, use_book_style  # noqa: F401

# --- Part I figures (owned by the AD-periphery work) -------------------------
# isort: split
from .ad import plot_convergence, plot_graph, plot_step_errors, plot_sweep_costs  # noqa: F401

# --- Part II figures ----------------------------------------------------------
# One submodule per chapter, imported by name (two of them define a
# `plot_accuracy_curves` of their own): `mixgrad.plot.gaussians`,
# `.classifiers`, `.em_fit` (and `.em_diagnostics`), `.bound`, `.scale`, `.semi`, `.missing`,
# `.kmeans`, `.variational`; `.ellipse` holds the covariance ellipse they all draw, and
# `.systems` the figures of the chapter on PyTensor.
from .ellipse import covariance_axes, covariance_ellipse  # noqa: F401
