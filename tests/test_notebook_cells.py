"""The generated cells of the chapters (.ci/notebook_cells.py): current, showing what the web shows.

- every chapter that has the install cell is up to date (a rerun of the script changes nothing);
- the install cell names the wheel the build ships, from the one repository setting;
- each source cell prints exactly the lines its ``{literalinclude}`` renders on the web page
  (Sphinx's own LiteralIncludeReader is the reference).
"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

nbformat = pytest.importorskip("nbformat", reason="nbformat (the book's environment) is needed")
pytest.importorskip("yaml", reason="PyYAML (the book's environment) is needed")


def _load_script():
    script = ROOT / ".ci" / "notebook_cells.py"
    spec = importlib.util.spec_from_file_location("notebook_cells", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cells_script = _load_script()


def processed(path):
    nb = nbformat.read(path, as_version=4)
    if not any(cell.get("id") == cells_script.INSTALL_ID for cell in nb.cells):
        pytest.skip(f"{path.name}: no generated cells yet "
                    "(run .venv/bin/python .ci/notebook_cells.py)")
    return nb


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_generated_cells_are_current(path):
    nb = processed(path)
    before = nbformat.writes(nb)
    url = cells_script.wheel_url(cells_script.config()["repository"]["url"])
    after = nbformat.writes(cells_script.update(nbformat.reads(before, as_version=4), url))
    assert after == before, (
        f"{path.name}: run .venv/bin/python .ci/notebook_cells.py {path.relative_to(ROOT)}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_install_cell(path):
    nb = processed(path)
    sys.path.insert(0, str(ROOT / "_ext"))
    from mixgrad_wheel import wheel_name

    first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert first_code.id == cells_script.INSTALL_ID, f"{path.name}: the install cell comes first"
    assert f"/_static/{wheel_name()}" in first_code.source
    assert "hide-input" in first_code.metadata["tags"]
    assert first_code.outputs == [], "in the book's environment the install cell prints nothing"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_source_cells_print_what_literalinclude_shows(path):
    from sphinx.config import Config
    from sphinx.directives.code import LiteralIncludeReader

    nb = processed(path)
    config = Config()
    config.source_encoding = "utf-8"
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        directives = [m for m in cells_script.DIRECTIVE.finditer(cell.source)
                      if cells_script.module_of(m.group("path"))]
        assert len(directives) <= 1, f"{path.name} cell {i}: not split after each literalinclude"
        if not directives:
            continue
        m = directives[0]
        after = nb.cells[i + 1]
        assert cells_script.generated(after, "source"), (
            f"{path.name} cell {i}: no source cell after it")
        assert after.metadata["tags"] == ["remove-cell"]
        expected, _ = LiteralIncludeReader(
            str((path.parent / m.group("path")).resolve()),
            cells_script.parse_options(m.group("body")), config).read()
        printed = "".join(out.get("text", "") for out in after.outputs)
        assert printed == expected, (
            f"{path.name} cell {i + 1}: prints other lines than the web page")


def test_source_code_for_a_range(tmp_path):
    """``:start-at:``/``:end-at:`` (no pyobject) prints the lines between, inclusive."""
    line = "defvjp(np.divide,"
    code = cells_script.source_code("mixgrad.ad.vjp_rules", {"start-at": line, "end-at": line})
    assert 'inspect.getsource(importlib.import_module("mixgrad.ad.vjp_rules"))' in code
    assert cells_script.run_outputs(code)[0]["text"].lstrip().startswith("defvjp(np.divide,")


@pytest.mark.parametrize(
    "options", [{"pyobject": "mvn_m_step"}, {"start-at": "def mvn_m_step", "end-at": "def"}]
)
def test_source_cells_bind_no_chapter_name(options):
    """A source cell must not rebind a chapter's variables (chapter 10 has its own ``missing``)."""
    import ast

    code = cells_script.source_code("mixgrad.mixture.missing", options)
    bound = {t.id for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    imported = {a.asname or a.name for node in ast.walk(ast.parse(code))
                if isinstance(node, ast.Import) for a in node.names}
    assert all(name.startswith("_") for name in bound), bound
    assert imported <= {"importlib", "inspect"}, imported


def test_module_of():
    assert cells_script.module_of("../lib/mixgrad/ad/tape.py") == "mixgrad.ad.tape"
    assert cells_script.module_of("../lib/mixgrad/ad/__init__.py") == "mixgrad.ad"
    assert cells_script.module_of("../references.bib") is None
