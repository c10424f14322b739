"""mixgrad: the companion library of *Gradients & Mixtures*.

Sub-packages mirror the parts of the book:

- :mod:`mixgrad.ad` -- Part I, derivatives by machine (divided differences,
  dual numbers, forward and reverse mode automatic differentiation).
- :mod:`mixgrad.mixture` -- Part II, Gaussian mixtures, EM and its relatives.
- :mod:`mixgrad.plot` -- the figures of the book.
- :mod:`mixgrad.datasets` -- data sets and synthetic generators.

Sub-packages are imported lazily so ``import mixgrad`` stays cheap.
"""

import importlib

__version__ = "0.1.0"
__all__ = ["ad", "mixture", "plot", "datasets"]


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"mixgrad.{name}")
    raise AttributeError(f"module 'mixgrad' has no attribute {name!r}")
