"""The book ships its library: a wheel of ``mixgrad`` in the built HTML, ``_static/<wheel>``.

Every chapter starts with a cell (written by ``.ci/notebook_cells.py``) that installs this wheel,
from the published book, where ``import mixgrad`` fails: a notebook downloaded from the book,
opened on Colab or Binder. Its address comes from one setting, ``repository.url`` in
``_config.yml``, which also drives the repository and launch buttons: the book is published with
GitHub Pages, so ``https://github.com/<owner>/<name>`` is read at
``https://<owner>.github.io/<name>/`` (:func:`book_url`).

The wheel is built offline from the source tree (``pip wheel --no-deps --no-build-isolation``,
with the setuptools of the book's environment) in a scratch copy, so no ``build/`` directory is
left in the repository. ``tests/browser/test_wheel.py`` installs it from the served build into a
fresh virtual environment.

This module is also imported by ``.ci/notebook_cells.py`` (plain functions, no Sphinx needed).
"""

import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATIC = "_static"


def book_url(repository_url):
    """Address of the published book for a GitHub repository URL (GitHub Pages).

    >>> book_url("https://github.com/gradients-and-mixtures/gradients-and-mixtures")
    'https://gradients-and-mixtures.github.io/gradients-and-mixtures/'
    """
    m = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", repository_url)
    if m is None:
        raise ValueError(
            f"repository.url must be https://github.com/<owner>/<name>, got {repository_url!r}: "
            "the book's address (GitHub Pages) is derived from it"
        )
    owner, name = m.groups()
    return f"https://{owner.lower()}.github.io/{name}/"


def project_version(root=ROOT):
    """``project.version`` from ``pyproject.toml``."""
    return tomllib.loads((Path(root) / "pyproject.toml").read_text())["project"]["version"]


def wheel_name(root=ROOT):
    """File name of the pure-Python wheel, e.g. ``mixgrad-0.1.0-py3-none-any.whl``."""
    return f"mixgrad-{project_version(root)}-py3-none-any.whl"


def wheel_url(repository_url, root=ROOT):
    """Where the published book serves the wheel."""
    return f"{book_url(repository_url)}{STATIC}/{wheel_name(root)}"


def build_wheel(out_dir, root=ROOT):
    """Build the wheel into ``out_dir`` (offline, no build isolation); return its path."""
    root, out_dir = Path(root), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("mixgrad-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="mixgrad-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, src / name)
        shutil.copytree(
            root / "lib" / "mixgrad",
            src / "lib" / "mixgrad",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
        )
        cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
               "--no-build-isolation", "--no-index", "--wheel-dir", str(out_dir), str(src)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"building the mixgrad wheel failed:\n{result.stdout}{result.stderr}")
    path = out_dir / wheel_name(root)
    if not path.is_file():
        raise RuntimeError(f"pip wheel wrote {sorted(out_dir.glob('*.whl'))}, expected {path.name}")
    return path


def _on_build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    path = build_wheel(Path(app.outdir) / STATIC, root=app.srcdir)
    from sphinx.util import logging

    logging.getLogger(__name__).info(f"mixgrad wheel: {path.relative_to(app.outdir)}")


def _on_config_inited(app, config):
    """``{{ wheel_url }}`` and ``{{ book_url }}`` in the book's Markdown pages (MyST substitutions)."""
    repository = (config.html_theme_options or {}).get("repository_url")
    if not repository:
        return
    subs = dict(getattr(config, "myst_substitutions", None) or {})
    subs.setdefault("book_url", book_url(repository))
    subs.setdefault("wheel_url", wheel_url(repository, root=app.srcdir))
    config.myst_substitutions = subs


def setup(app):
    app.connect("config-inited", _on_config_inited)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
