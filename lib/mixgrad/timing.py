"""Wall-clock measurement for chapters and benchmarks.

Timings vary from run to run, so chapters print them on lines that start
with ``[timing]``; the nbval sanitize file masks exactly those lines, and
every other output is compared strictly.

Used in :ref:`forward-reverse`, :ref:`ad-systems` and
:ref:`em-gaussian-mixtures`.
"""

import time

import numpy as np

__all__ = ["best_time", "timing_line"]


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
