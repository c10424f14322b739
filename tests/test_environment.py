"""The pip lock and the conda environment describe the same pinned packages."""

import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The library supports Python 3.12 and newer; the book's stored outputs come from one pinned
# environment, .venv (Python 3.12, requirements.lock). `make test-py` runs these tests on
# another Python too, where only the checks of the files themselves apply.
IN_BOOK_VENV = pathlib.Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()
book_venv_only = pytest.mark.skipif(
    not IN_BOOK_VENV, reason=f"not the book's pinned environment {ROOT / '.venv'} ({sys.prefix})"
)


def _pins(lines):
    pins = {}
    for line in lines:
        line = line.strip()
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def lock_pins():
    text = (ROOT / "requirements.lock").read_text().splitlines()
    return _pins(line for line in text if not line.startswith("#"))


def conda_pins():
    text = (ROOT / "environment.yml").read_text().splitlines()
    return _pins(line.strip().removeprefix("- ") for line in text)


def test_lock_pins_every_line():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == len(lock_pins()), "every lock line must be an exact 'name==version' pin"


def test_environment_yml_matches_lock():
    lock, conda = lock_pins(), conda_pins()
    assert lock, "requirements.lock has no pins"
    assert conda == lock, (
        f"only in lock: {sorted(set(lock) - set(conda))}; only in environment.yml: "
        f"{sorted(set(conda) - set(lock))}; differing versions: "
        f"{sorted(k for k in set(lock) & set(conda) if lock[k] != conda[k])}. Run `make lock`."
    )


def test_environment_yml_python_version():
    text = (ROOT / "environment.yml").read_text()
    assert "python=3.12" in text
    assert (ROOT / ".python-version").read_text().strip() == "3.12"


@book_venv_only
@pytest.mark.parametrize("name", ["numpy", "scipy", "pymc", "arviz", "jupyter-book", "nbval"])
def test_installed_versions_match_lock(name):
    """The running environment is the pinned one (stored outputs depend on it)."""
    from importlib.metadata import version

    assert version(name) == lock_pins()[name]


@book_venv_only
def test_running_python_is_312():
    assert sys.version_info[:2] == (3, 12)


def test_library_supports_newer_pythons():
    """pyproject.toml: 3.12 and newer, no upper cap (issue 14); the book's lock stays on 3.12."""
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["requires-python"] == ">=3.12"


@pytest.mark.parametrize("name", ["jupyterlab", "jupyterlab-myst"])
def test_lab_is_pinned(name):
    """`make lab` runs JupyterLab from the lock, with MyST rendering."""
    assert name in lock_pins()


@book_venv_only
def test_jupyterlab_myst_is_enabled_and_compatible():
    """JupyterLab disables an extension built against other core packages (it prints 'X')."""
    import subprocess

    jupyter = pathlib.Path(sys.prefix) / "bin" / "jupyter"
    out = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True, text=True)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    line = next((ln for ln in text.splitlines() if "jupyterlab-myst" in ln and " v" in ln), "")
    assert "enabled" in line.split() and "OK" in line.split(), text
    assert "not compatible" not in text, text
