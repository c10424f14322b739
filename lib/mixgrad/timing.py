"""Wall-clock measurement for chapters and benchmarks.

Timings vary from run to run, so chapters print them on lines that start
with ``[timing]``; the nbval sanitize file masks exactly those lines, and
every other output is compared strictly.

Used in :ref:`forward-reverse`, :ref:`ad-systems` and
:ref:`em-gaussian-mixtures`.
"""

import time

import numpy as np

__all__ = ["best_time", "timing_line", "rounding_level"]


def best_time(f, *args, repeat=5, number=1, **kwargs):
    """Best-of-``repeat`` wall time of ``f(*args, **kwargs)`` in seconds.

    Parameters
    ----------
    f : callable
        The function to time.
    *args, **kwargs
        Its arguments.
    repeat : int, default 5
        Number of timed rounds; the minimum is returned (least disturbed).
    number : int, default 1
        Calls per round; the round time is divided by it.

    Returns
    -------
    float
        Seconds per call.
    """
    if repeat < 1 or number < 1:
        raise ValueError(f"repeat and number must be >= 1, got {repeat} and {number}")
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            f(*args, **kwargs)
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def timing_line(label, seconds):
    """Format a timing as a ``[timing]`` line (masked by nbval's sanitizer).

    Parameters
    ----------
    label : str
        What was timed.
    seconds : float
        The time, in seconds (from :func:`best_time`).

    Returns
    -------
    str
        ``"[timing] label: 1.23 ms"``, in s, ms or µs with two decimals.
    """
    if seconds >= 1:
        text = f"{seconds:.2f} s"
    elif seconds >= 1e-3:
        text = f"{seconds * 1e3:.2f} ms"
    else:
        text = f"{seconds * 1e6:.2f} µs"
    return f"[timing] {label}: {text}"


def rounding_level(value, bound=1e-13):
    """Format a difference that should be at rounding level, as a bound when it is.

    Differences of float64 results at rounding level (1e-16 to 1e-14) change from
    run to run with summation order and memory alignment, so printing their digits
    makes a chapter's output unstable. Below ``bound`` this prints ``"< 1e-13"``;
    a larger value is printed with two significant digits, so it shows (and a
    stored output then no longer matches).

    Parameters
    ----------
    value : float
        A non-negative difference, e.g. ``np.abs(a - b).max()``.
    bound : float, default 1e-13
        The largest value printed as a bound.

    Returns
    -------
    str

    Examples
    --------
    >>> rounding_level(4.4e-16)
    '< 1e-13'
    >>> rounding_level(2.5e-9)
    '2.5e-09'
    """
    value, bound = float(value), float(bound)
    if not bound > 0:
        raise ValueError(f"bound must be positive, got {bound}")
    if not value >= 0:  # also catches NaN
        raise ValueError(f"value must be a non-negative difference, got {value}")
    return f"< {bound:.0e}" if value < bound else f"{value:.1e}"

