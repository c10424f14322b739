"""PyTensor configuration used by :mod:`mixgrad.bayes` (see :ref:`ad-systems`).

Two flags are set when :mod:`mixgrad.bayes` is imported, each only if you have
not set it yourself in ``PYTENSOR_FLAGS``:

``blas__ldflags=``
    A pip-installed PyTensor finds no system BLAS to link its C code against
    and warns about it at import. PyMC's samplers here evaluate small graphs
    (sums over data of elementwise log-densities) that do not use BLAS, so the
    book links none, which is what PyTensor would do anyway, minus the
    warning. To link a real BLAS, set e.g.
    ``PYTENSOR_FLAGS="blas__ldflags=-lopenblas"`` before the import.
``numba__fastmath=False``
    With fast-math, code that Numba has just compiled and the same code loaded
    from PyTensor's cache can round differently; a Markov chain amplifies the
    last bit into different draws, so a seeded run would give one answer on a
    fresh machine and another on the second run. Without fast-math both agree
    (and the samplers here are no slower).
"""

import os
import sys

__all__ = ["configure_pytensor_flags"]

_DEFAULTS = {"blas__ldflags": "", "numba__fastmath": "False"}


def configure_pytensor_flags(environ=None):
    """Add the book's defaults to ``PYTENSOR_FLAGS`` for flags you have not set.

    Must run before PyTensor is first imported; afterwards the flags are
    read-only and this function changes nothing in ``os.environ``.

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
    if environ is None and "pytensor" in sys.modules:
        return flags
    present = {item.split("=", 1)[0].strip() for item in flags.split(",") if item.strip()}
    added = [f"{name}={value}" for name, value in _DEFAULTS.items() if name not in present]
    if added:
        env["PYTENSOR_FLAGS"] = ",".join(added + ([flags] if flags else []))
    return env.get("PYTENSOR_FLAGS", "")
