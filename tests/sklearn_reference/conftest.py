"""Fixtures for scikit-learn's reference test file run against mixgrad (issue 12).

WIP: the per-test exclusion list (private API / message wording) is not written yet,
so the module is opt-in: set MIXGRAD_SKLEARN_REFERENCE=1 to run it.
"""
import os

import numpy as np
import pytest


@pytest.fixture(params=[np.float32, np.float64])
def global_dtype(request):
    return request.param


@pytest.fixture(params=[42])
def global_random_seed(request):
    return request.param


def pytest_collection_modifyitems(config, items):
    if os.environ.get("MIXGRAD_SKLEARN_REFERENCE") == "1":
        return
    mark = pytest.mark.skip(reason="WIP: exclusion list not written; set MIXGRAD_SKLEARN_REFERENCE=1")
    for item in items:
        if "sklearn_reference" in str(item.fspath):
            item.add_marker(mark)
