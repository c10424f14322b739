"""Part III tests need PyMC (the ``bayes`` extra); without it each module is skipped, with why.

Their modules import PyMC, PyTensor or ArviZ at the top, so a plain ``pytest.importorskip`` inside
them would come too late (the import error happens first, at collection).
"""

import importlib.util

import pytest

_MISSING = [name for name in ("pymc", "pytensor", "arviz")
            if importlib.util.find_spec(name) is None]
REASON = f"{', '.join(_MISSING)} not installed (pip install 'mixgrad[bayes]')"


class _SkippedModule(pytest.Module):
    def collect(self):
        pytest.skip(REASON)


def pytest_pycollect_makemodule(module_path, parent):
    if _MISSING and module_path.name.startswith("test_"):
        return _SkippedModule.from_parent(parent, path=module_path)
    return None


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test drew (the model tests draw the chapters' figures)."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
