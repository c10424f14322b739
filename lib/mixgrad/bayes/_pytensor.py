"""PyTensor configuration used by :mod:`mixgrad.bayes` (see :ref:`ad-systems`).

A pip-installed PyTensor finds no system BLAS to link its C code against and
warns about it at import. PyMC's samplers here evaluate small graphs (sums over
data of elementwise log-densities) that do not use BLAS, so the book sets the
documented flag ``blas__ldflags=`` (empty: link no BLAS), which is what
PyTensor would do anyway, minus the warning. To link a real BLAS, set
``PYTENSOR_FLAGS="blas__ldflags=-lopenblas"`` (or similar) before importing
:mod:`mixgrad.bayes`; a value you set is never overridden.
"""

import os
import sys

__all__ = ["configure_pytensor_flags"]


def configure_pytensor_flags(environ=None):
    """Add ``blas__ldflags=`` to ``PYTENSOR_FLAGS`` unless BLAS flags are already set.

    Must run before PyTensor is first imported; afterwards the flag is read-only
    and this function only reports what is in effect.

    Parameters
    ----------
    environ : mapping, optional
        The environment to edit (default ``os.environ``).

    Returns
    -------
    str
        The resulting value of ``PYTENSOR_FLAGS``.
    """
    env = os.environ if environ is None else environ
    flags = env.get("PYTENSOR_FLAGS", "")
    if "blas__ldflags" not in flags and (environ is not None or "pytensor" not in sys.modules):
        env["PYTENSOR_FLAGS"] = ",".join(filter(None, ["blas__ldflags=", flags]))
    return env.get("PYTENSOR_FLAGS", "")
