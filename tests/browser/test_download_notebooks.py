"""The notebooks the download button serves (``_sources/chapters/*.ipynb``) read in plain Jupyter.

``_ext/plain_notebooks.py`` rewrites them after the build: no MyST role, admonition, target or
listing directive may be left in a markdown cell, and what replaces them is the web page's text.
"""

import json
import os
import re
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOK_HTML = Path(os.environ.get("BOOK_HTML", REPO / "_build" / "html")).resolve()
sys.path.insert(0, str(REPO / "_ext"))
import plain_notebooks  # noqa: E402

CHAPTERS = sorted(p.name for p in (REPO / "chapters").glob("*.ipynb"))
MARKUP = re.compile(
    r"\{(cite(?::[a-z]+)?|term|ref|numref|doc|eq)\}`|^(`{3,}|:{3,})\{|^\([\w:.-]+\)=\s*$", re.M
)


def markdown_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("name", CHAPTERS)
def test_downloaded_notebook_has_no_myst_markup(name):
    path = BOOK_HTML / "_sources" / "chapters" / name
    if not path.exists():
        pytest.skip(f"{path} not built (run make test-build)")
    left = [m.group(0) for src in markdown_cells(path) for m in MARKUP.finditer(src)]
    assert not left, f"{name}: markup left in the downloaded notebook: {left[:5]}"
    original = markdown_cells(REPO / "chapters" / name)
    assert len(markdown_cells(path)) == len(original)


def test_downloaded_chapter_reads_as_the_page():
    """Chapter 07's citation of Dempster et al. and its figure numbers come out as the page's."""
    path = BOOK_HTML / "_sources" / "chapters" / "07-em-gaussian-mixtures.ipynb"
    if not path.exists():
        pytest.skip(f"{path} not built (run make test-build)")
    text = "\n".join(markdown_cells(path))
    assert "(Dempster et al., 1977)" in text
    page = (BOOK_HTML / "chapters" / "07-em-gaussian-mixtures.html").read_text(encoding="utf-8")
    on_page = re.findall(r'std-numref">(Fig\. [\d.]+)<', page)
    assert on_page and sorted(set(re.findall(r"Fig\. [\d.]+\d", text))) == sorted(set(on_page))


RESOLVER = plain_notebooks.Resolver(
    citations={"a2000": (["Ames"], "2000"), "b2001": (["Bo", "Cy"], "2001"),
               "c2002": (["Di", "Ek", "Fo"], "2002")},
    refs={"sec-x": "A section"},
    numbers={"fig-x": ("figure", "3.2")},
    numfig_format={"figure": "Fig. %s"},
)


@pytest.mark.parametrize(("source", "expected"), [
    ("see {cite}`a2000,b2001`.", "see (Ames, 2000; Bo and Cy, 2001)."),
    ("{cite:t}`c2002` showed", "Di et al. (2002) showed"),
    ("a {term}`dual number` and {term}`HMC <Hamiltonian Monte Carlo>`",
     "a *dual number* and *HMC*"),
    ("in {ref}`sec-x` and {ref}`there <sec-x>`", "in *A section* and *there*"),
    ("({numref}`fig-x`, {numref}`Figure %s <fig-x>`)", "(Fig. 3.2, Figure 3.2)"),
    ("(sec-x)=\n# Title", "# Title"),
    ("```{admonition} Goals\n:class: tip\nLearn $x$.\n```\nafter",
     "> **Goals**\n>\n> Learn $x$.\nafter"),
    ("````{note}\n```python\nx = 1\n```\n````", "> **Note**\n>\n> ```python\n> x = 1\n> ```"),
    ("```{literalinclude} ../lib/m.py\n:pyobject: f\n```",
     "*(The library's code, `../lib/m.py`, is printed by the next cell.)*"),
])
def test_plain_markdown(source, expected):
    assert plain_notebooks.plain_markdown(source, RESOLVER) == expected


def test_unknown_key_is_left_for_the_markup_check():
    assert plain_notebooks.plain_markdown("{cite}`nobody`", RESOLVER) == "{cite}`nobody`"
