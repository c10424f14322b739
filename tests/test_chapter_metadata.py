"""Reader features of the chapters, checked without executing them.

Every chapter opens with a label and a title, every figure has a caption, a
name and alt text (MyST-NB cell metadata ``mystnb.figure`` / ``mystnb.image``),
every citation points into ``references.bib``, every ``{numref}`` into a named
figure, and every chapter has exercise solutions behind a dropdown.
"""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
BIB = ROOT / "references.bib"

LABEL_LINE = re.compile(r"\([A-Za-z0-9][A-Za-z0-9_-]*\)=")
CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
NUMREF_ROLE = re.compile(r"\{numref\}`(?:[^`<]*<)?([^`<>]+)>?`")
BIB_KEY = re.compile(r"^\s*@\s*[A-Za-z]+\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)
SOLUTION = re.compile(r"^```\{admonition\} Solution to exercise \d+\n:class: dropdown\n",
                      re.MULTILINE)


def load_cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def has_png(cell):
    return any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def figure_cells(path):
    return [(i, cell) for i, cell in enumerate(load_cells(path))
            if cell["cell_type"] == "code" and has_png(cell)]


def markdown(path):
    return [(i, source(cell)) for i, cell in enumerate(load_cells(path))
            if cell["cell_type"] == "markdown"]


def cite_keys(text):
    return {key.strip() for group in CITE_ROLE.findall(text) for key in group.split(",")}


def bib_keys():
    return set(BIB_KEY.findall(BIB.read_text(encoding="utf-8"))) if BIB.exists() else set()


def test_there_are_chapters():
    assert len(CHAPTERS) >= 11, f"expected at least 11 chapters, found {len(CHAPTERS)}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_first_cell_is_label_and_title(path):
    first = load_cells(path)[0]
    lines = source(first).splitlines()
    assert first["cell_type"] == "markdown", f"{path.name} cell 0: must be a markdown cell"
    assert lines and LABEL_LINE.fullmatch(lines[0]), (
        f"{path.name} cell 0: must start with a '(label)=' line, found {lines[:1]!r}")
    assert len(lines) > 1 and lines[1].startswith("# "), (
        f"{path.name} cell 0: the label must be followed by a '# ' title line")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_figures_have_caption_name_and_alt_text(path):
    for i, cell in figure_cells(path):
        options = cell["metadata"].get("mystnb", {})
        figure, image = options.get("figure", {}), options.get("image", {})
        for what, value in (("mystnb.figure.caption", figure.get("caption")),
                            ("mystnb.image.alt", image.get("alt"))):
            assert isinstance(value, str) and value.strip(), (
                f"{path.name} cell {i}: a figure without {what}")
        assert str(figure.get("name", "")).startswith("fig-"), (
            f"{path.name} cell {i}: mystnb.figure.name must be set and start with 'fig-'")
        assert figure["caption"].strip() != image["alt"].strip(), (
            f"{path.name} cell {i}: the alt text must describe the picture, not repeat the caption")


def test_figure_names_are_unique_and_numrefs_resolve():
    names = {}
    for path in CHAPTERS:
        for i, cell in figure_cells(path):
            name = cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")
            if name:
                assert name not in names, (
                    f"{path.name} cell {i}: figure name {name!r} already used in {names[name]}")
                names[name] = f"{path.name} cell {i}"
    for path in CHAPTERS:
        for i, text in markdown(path):
            for target in NUMREF_ROLE.findall(text):
                if target.startswith("fig-"):
                    assert target in names, (
                        f"{path.name} cell {i}: {{numref}} to unknown figure {target!r}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_citations_exist_in_references_bib(path):
    known = bib_keys()
    if len(known) < 10:
        pytest.skip(f"references.bib has only {len(known)} entries")
    for i, text in markdown(path):
        unknown = sorted(cite_keys(text) - known)
        assert not unknown, f"{path.name} cell {i}: cite keys not in references.bib: {unknown}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_exercise_solutions_are_dropdowns(path):
    cells = markdown(path)
    assert any(SOLUTION.search(text) for _, text in cells), (
        f"{path.name}: no '```{{admonition}} Solution to exercise N' with ':class: dropdown'")
    for i, text in cells:
        for line in re.findall(r"^```\{admonition\} Solution to exercise[^\n]*\n[^\n]*",
                               text, re.MULTILINE):
            assert line.endswith(":class: dropdown"), (
                f"{path.name} cell {i}: solution admonition without ':class: dropdown'")


def test_cite_role_parser():
    text = "as shown {cite}`a2000, b2001` and {cite:t}`c2002`; {cite:p}`d2003`."
    assert cite_keys(text) == {"a2000", "b2001", "c2002", "d2003"}
    assert NUMREF_ROLE.findall("{numref}`fig-x` and {numref}`Figure %s <fig-y>`") == [
        "fig-x", "fig-y"]
