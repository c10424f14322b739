"""The book ships its library: a notebook downloaded from the built book installs mixgrad from it.

A fresh virtual environment, without mixgrad, runs the install cell of chapter 01 exactly as the
build serves it for download (``_sources/chapters/01-*.ipynb``), with the published book's address
replaced by the local server's. The wheel comes from ``_build/html/_static/`` over HTTP; its
dependencies (numpy, scipy, ...) are not downloaded (no network here): the check afterwards borrows
them from the book's environment, after the fresh environment's own site-packages. A second run of
the cell installs nothing and prints nothing.

Needs no browser, only the build (``make test-build``).
"""

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

sys.path.insert(0, str(REPO / "_ext"))
from mixgrad_wheel import book_url, wheel_name  # noqa: E402

CHAPTER = "chapters/01-divided-differences.ipynb"


def _install_cell(book_root):
    nb = json.loads((book_root / "_sources" / CHAPTER).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell.get("id") == "install-mixgrad":
            src = cell["source"]
            return src if isinstance(src, str) else "".join(src)
    pytest.fail(f"{CHAPTER} as served for download has no install-mixgrad cell", pytrace=False)


def _repository_url():
    import yaml

    return yaml.safe_load((REPO / "_config.yml").read_text())["repository"]["url"]


def test_build_ships_the_wheel(book_root):
    assert (book_root / "_static" / wheel_name()).is_file(), "the build has no wheel of mixgrad"


def test_downloaded_notebook_installs_the_wheel(book_root, base_url, tmp_path):
    cell = _install_cell(book_root)
    published = book_url(_repository_url())
    assert f"{published}_static/{wheel_name()}" in cell, "the install cell points elsewhere"
    local_cell = cell.replace(published, base_url)

    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    run_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    # Only the wheel from the local server: no index, no dependencies (numpy etc. come below).
    run_env.update(PIP_NO_INDEX="1", PIP_NO_DEPS="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
                   PIP_CONFIG_FILE=os.devnull, PIP_FIND_LINKS="")

    def run(code):
        return subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                              env=run_env, cwd=tmp_path, timeout=300)

    missing = run("import importlib.util; print(importlib.util.find_spec('mixgrad'))")
    assert missing.stdout.strip() == "None", "the fresh environment already has mixgrad"

    first = run(local_cell)
    assert first.returncode == 0, f"install cell failed:\n{first.stdout}\n{first.stderr}"

    book_site = sysconfig.get_paths()["purelib"]  # numpy, scipy, ... of the book's environment
    check = run(
        "import sys\n"
        f"sys.path.append({book_site!r})\n"
        "import mixgrad, mixgrad.ad as ad\n"
        "from mixgrad.datasets import load_old_faithful\n"
        f"assert mixgrad.__file__.startswith({str(env_dir)!r}), mixgrad.__file__\n"
        "import numpy as np\n"
        "assert abs(ad.grad(np.sin)(0.3) - np.cos(0.3)) < 1e-12\n"
        "print(mixgrad.__version__, load_old_faithful().shape)\n"
    )
    assert check.returncode == 0, f"the installed wheel does not work:\n{check.stderr}"
    assert check.stdout.split()[0] == wheel_name().split("-")[1]

    again = run(local_cell)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == "", (
        f"where mixgrad is installed the cell must do nothing:\n{again.stdout}{again.stderr}")
