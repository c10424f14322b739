"""scikit-learn's own test file for GaussianMixture, run against mixgrad's class (issue 12).

``test_gaussian_mixture.py`` is scikit-learn 1.9.1's file with one import rewritten.
Every test in it runs, except the ones in :data:`EXCLUDED`, the one list of exceptions:

- ``"private"``: the test calls scikit-learn's private methods or module functions
  (``_set_parameters``, ``_initialize``, a mock of ``_estimate_gaussian_parameters``).
  It is skipped.
- ``"wording"``: the test asserts scikit-learn's exact message text. It still runs, with
  the ``match=`` argument of ``pytest.raises`` / ``pytest.warns`` dropped, so that the
  exception or warning *type* and everything else the test checks must still hold.

``tests/test_sklearn_reference.py`` checks that the list has no stale entries: every
entry names a test in the file, and every instance of it fails when run unmodified.

``MIXGRAD_SKLEARN_REFERENCE=raw`` runs the file with no exclusions (used by that check).
"""
import contextlib
import os
from pathlib import Path

import numpy as np
import pytest

# test function name -> (kind, reason). One line per test; no other skips.
EXCLUDED = {
    # --- calls scikit-learn's private API ---------------------------------------------
    "test_gaussian_mixture_precisions_init": (
        "private", "calls GaussianMixture._set_parameters and ._initialize"),
    "test_gaussian_mixture_all_init_does_not_estimate_gaussian_parameters": (
        "private", "mocks sklearn.mixture._gaussian_mixture._estimate_gaussian_parameters"),
    # --- asserts scikit-learn's message wording (run with match= dropped) ---------------
    "test_check_weights": (
        "wording", "matches \"The parameter 'weights' should have the shape of ...\""),
    "test_check_means": (
        "wording", "matches \"The parameter 'means' should have the shape of\""),
    "test_check_precisions": (
        "wording", "matches \"The parameter '<type> precision' should have the shape of\""),
    "test_gaussian_mixture_fit_convergence_warning": (
        "wording", "matches \"Best performing initialization did not converge...\""),
    "test_sample": (
        "wording", "matches \"Invalid value for 'n_samples'\""),
}

RAW = os.environ.get("MIXGRAD_SKLEARN_REFERENCE") == "raw"


@pytest.fixture(params=[np.float32, np.float64])
def global_dtype(request):
    """Both dtypes (scikit-learn's own conftest runs float32 only on request)."""
    return request.param


@pytest.fixture(params=[42])
def global_random_seed(request):
    """scikit-learn's default seed."""
    return request.param


REFERENCE_FILE = Path(__file__).with_name("test_gaussian_mixture.py")


def _excluded(item):
    if Path(item.path) != REFERENCE_FILE:  # the collection hook sees every test
        return None
    return EXCLUDED.get(getattr(item, "originalname", item.name))


def pytest_collection_modifyitems(config, items):
    if RAW:
        return
    for item in items:
        entry = _excluded(item)
        if entry is not None and entry[0] == "private":
            item.add_marker(pytest.mark.skip(reason=f"sklearn private API: {entry[1]}"))


def _without_match(function):
    def wrapper(*args, **kwargs):
        kwargs.pop("match", None)
        return function(*args, **kwargs)
    return wrapper


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    entry = None if RAW else _excluded(item)
    with contextlib.ExitStack() as stack:
        if entry is not None and entry[0] == "wording":
            mp = stack.enter_context(pytest.MonkeyPatch.context())
            mp.setattr(pytest, "raises", _without_match(pytest.raises))
            mp.setattr(pytest, "warns", _without_match(pytest.warns))
        yield
