"""Write the generated cells of the chapters, so each notebook also works outside the book.

Usage (from the repository root, with the book's environment):

    .venv/bin/python .ci/notebook_cells.py                      # every chapter
    .venv/bin/python .ci/notebook_cells.py chapters/01-*.ipynb  # some
    .venv/bin/python .ci/notebook_cells.py --check              # exit 1 if a chapter is not up to date

`make notebook-cells` runs the first form. The script is idempotent: a second run changes nothing.
It writes two kinds of cells, recognised by their ``id`` and ``metadata.generated_by``:

1. ``install-mixgrad``, right before the first code cell: installs the book's wheel of mixgrad
   (from the published book, ``_ext/mixgrad_wheel.py``; the address comes from ``repository.url``
   in ``_config.yml``) plus the chapter's other third-party imports (PyMC, ArviZ, ...), each only
   where its module is missing. A notebook downloaded from the book, opened on Colab or Binder,
   then runs; in the book's environment the cell does nothing and prints nothing. It is shown
   collapsed: ``hide-input`` on the web page, ``jupyter.source_hidden`` in JupyterLab,
   ``cellView: form`` (its ``#@title``) on Colab.

2. ``src-...``, right after each ``{literalinclude}`` of library code (the markdown cell is split
   there when text follows the directive): prints the same lines with ``inspect.getsource``, so
   plain Jupyter shows the code the web page shows. Tagged ``remove-cell``: on the web page the
   directive renders it already. Its source is collapsed in JupyterLab, so a reader sees the code.

Outputs of the generated cells are filled in by running their code with this Python (the book's
environment), and the code cells of an executed notebook are numbered 1, 2, ... as a run numbers
them, so the notebooks stay strict-nbval clean without a re-execution; outputs already stored are
kept when the cell's code is the same, except that a source cell's output is refreshed when the
library code it prints has changed (``--check`` then reports the chapter as stale). A cell that was generated but is no longer wanted (its
directive is gone) is removed.
"""

import argparse
import ast
import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "_ext"))
from mixgrad_wheel import wheel_url  # noqa: E402

MARK = "notebook_cells"
INSTALL_ID = "install-mixgrad"
CORE = {"numpy", "scipy", "matplotlib", "sklearn", "mixgrad"}  # installed with the wheel
ALWAYS_THERE = {"IPython", "ipykernel"}  # wherever a notebook runs
DIST_NAMES = {"sklearn": "scikit-learn", "PIL": "pillow", "yaml": "PyYAML"}

# ```{literalinclude} path  (or ~~~, or :::{literalinclude} with colon_fence) ... closing fence
DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|~{3,}|:{3,})\{literalinclude\}[ \t]+(?P<path>\S+)[ \t]*\n"
    r"(?P<body>(?:.*\n)*?)(?P=fence)[ \t]*$",
    re.MULTILINE,
)


def config():
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def requirement_specs():
    """Module name -> pip requirement, from pyproject's optional dependencies (``pymc>=6``)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = {}
    for reqs in project.get("optional-dependencies", {}).values():
        for req in reqs:
            name = re.match(r"[A-Za-z0-9_.\-]+", req).group(0)
            specs.setdefault(name.lower().replace("-", "_"), req)
    return specs


def third_party_imports(nb):
    """Top-level modules the chapter's code imports that the wheel does not bring."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.get("id") == INSTALL_ID:
            continue
        lines = [line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if (top not in sys.stdlib_module_names and top not in CORE
                        and top not in ALWAYS_THERE and top not in found):
                    found.append(top)
    return found


def install_source(nb, url):
    specs = requirement_specs()
    needs = [("mixgrad", url)]
    for module in third_party_imports(nb):
        dist = DIST_NAMES.get(module, module)
        needs.append((module, specs.get(dist.lower().replace("-", "_"), dist)))
    entries = "\n".join(f"    {module!r}: {spec!r},".replace("'", '"') for module, spec in needs)
    return (
        "#@title Install the book's library where it is missing (Colab, Binder, a downloaded notebook)\n"
        "# In the book's own environment (make book, make lab) this cell does nothing.\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        "_needs = {  # module: what pip installs where the module is missing\n"
        f"{entries}\n"
        "}\n"
        "_missing = [spec for module, spec in _needs.items() if importlib.util.find_spec(module) is None]\n"
        "if _missing:\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *_missing], check=True)'
    )


def parse_options(body):
    options = {}
    for line in body.splitlines():
        m = re.fullmatch(r":([\w-]+):\s*(.*)", line.strip())
        if m:
            options[m.group(1)] = m.group(2)
    return options


def module_of(path):
    """``../lib/mixgrad/ad/tape.py`` -> ``mixgrad.ad.tape`` (None for files outside the library)."""
    parts = Path(path).with_suffix("").parts
    if "lib" not in parts or Path(path).suffix != ".py":
        return None
    dotted = parts[parts.index("lib") + 1:]
    if dotted[-1] == "__init__":
        dotted = dotted[:-1]
    return ".".join(dotted)


def source_code(module, options):
    """Code printing what ``{literalinclude}`` with these options shows (pyobject or a range)."""
    # importlib, not an import statement: the chapter does not import this module for its text
    # (tests/test_docstrings.py documents every module a chapter imports from).
    # No name of the chapter's is (re)bound: the module is not assigned to a variable (chapter 10
    # has its own ``missing``) and the helper names of a range start with an underscore.
    mod = f"importlib.import_module({module!r})".replace("'", '"')
    imp = "import importlib\nimport inspect\n"
    if "pyobject" in options:
        return f"{imp}\nprint(inspect.getsource({mod}.{options['pyobject']}), end=\"\")"
    code = [imp, f"_lines = inspect.getsource({mod}).splitlines()"]
    start, end = "0", "len(_lines)"
    if "lines" in options:
        m = re.fullmatch(r"(\d*)-(\d*)", options["lines"].strip())
        if not m:
            raise ValueError(f":lines: {options['lines']!r}: only one range 'a-b' is supported")
        start = str(int(m.group(1)) - 1) if m.group(1) else "0"
        end = m.group(2) or "len(_lines)"
    for key, first in (("start-at", True), ("start-after", False)):
        if key in options:
            code.append(f"_start = next(i for i, line in enumerate(_lines) if {options[key]!r} in line)"
                        + ("" if first else " + 1"))
            start = "_start"
    for key, last in (("end-at", True), ("end-before", False)):
        if key in options:
            code.append(f"_end = next(i for i, line in enumerate(_lines) if i >= {start} and "
                        f"{options[key]!r} in line)" + (" + 1" if last else ""))
            end = "_end"
    code.append(f"print(\"\\n\".join(_lines[{start}:{end}]))")
    return "\n".join(code)


def source_id(module, options):
    what = options.get("pyobject") or hashlib.sha1(
        json.dumps(options, sort_keys=True).encode()).hexdigest()[:8]
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{module.rpartition('.')[2]}-{what}").strip("-").lower()
    return f"src-{slug}"[:64]


def run_outputs(code):
    """Stdout of ``code`` as notebook outputs (what the kernel stores)."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT / "chapters")
    if result.returncode != 0:
        raise RuntimeError(f"generated cell failed:\n{code}\n{result.stderr}")
    if result.stderr.strip():
        raise RuntimeError(f"generated cell wrote to stderr:\n{code}\n{result.stderr}")
    if not result.stdout:
        return []
    return [nbformat.v4.new_output("stream", name="stdout", text=result.stdout)]


def generated(cell, kind=None):
    mark = cell.get("metadata", {}).get("generated_by", {})
    return isinstance(mark, dict) and mark.get("tool") == MARK and kind in (None, mark.get("kind"))


def code_cell(cell_id, code, tags, kind, old=None, colab_form=False, outputs=True):
    cell = nbformat.v4.new_code_cell(code)
    cell.id = cell_id
    cell.metadata = {"tags": tags, "jupyter": {"source_hidden": True},
                     "generated_by": {"tool": MARK, "kind": kind}}
    if colab_form:
        cell.metadata["cellView"] = "form"
    if old is not None and old.source == code:
        cell.outputs, cell.execution_count = old.outputs, old.execution_count
        if outputs and kind == "source":  # the library's code may have changed since
            fresh = run_outputs(code)
            if [o.get("text") for o in fresh] != [o.get("text") for o in old.outputs]:
                cell.outputs = fresh
    elif outputs:
        cell.outputs = run_outputs(code)
    return cell


def split_markdown(cell):
    """Pieces of a markdown cell, each ending with a library literalinclude (or the plain rest)."""
    text, pieces, pos = cell.source, [], 0
    for m in DIRECTIVE.finditer(text):
        module = module_of(m.group("path"))
        if module is None:
            continue
        pieces.append((text[pos:m.end()].strip("\n"), module, parse_options(m.group("body"))))
        pos = m.end()
    rest = text[pos:].strip("\n")
    if rest or not pieces:
        pieces.append((rest, None, None))
    return pieces


def update(nb, url, outputs=True):
    old_generated = {c.id: c for c in nb.cells if generated(c)}
    cells = []
    # rejoin markdown cells we split earlier (their continuation ids end with -cont<N>)
    for cell in nb.cells:
        if generated(cell):
            continue
        cont = cell.get("metadata", {}).get("generated_by", {})
        if (cell.cell_type == "markdown" and cells and cells[-1].cell_type == "markdown"
                and isinstance(cont, dict) and cont.get("tool") == f"{MARK}-split"):
            cells[-1].source = cells[-1].source.rstrip("\n") + "\n\n" + cell.source
            continue
        cells.append(cell)

    out, used = [], set()
    for cell in cells:
        if cell.cell_type != "markdown":
            out.append(cell)
            continue
        pieces = split_markdown(cell)
        for n, (text, module, options) in enumerate(pieces):
            if n == 0:
                piece = cell
                piece.source = text
            else:
                piece = nbformat.v4.new_markdown_cell(text)
                piece.id = f"{cell.id}-cont{n}"[:64]
                piece.metadata = {"generated_by": {"tool": f"{MARK}-split"}}
            out.append(piece)
            if module is None:
                continue
            cid = source_id(module, options)
            while cid in used:
                cid = f"{cid}-x"
            used.add(cid)
            out.append(code_cell(cid, source_code(module, options), ["remove-cell"], "source",
                                 old=old_generated.get(cid), outputs=outputs))

    first_code = next(i for i, c in enumerate(out) if c.cell_type == "code")
    install = code_cell(INSTALL_ID, install_source(nb, url), ["hide-input"], "install",
                        old=old_generated.get(INSTALL_ID), colab_form=True, outputs=outputs)
    if outputs and install.outputs:
        raise RuntimeError(f"the install cell prints in the book's environment:\n{install.outputs}")
    out.insert(first_code, install)
    # An executed notebook numbers its code cells 1, 2, ... (nbclient does); nbval refuses a cell
    # with outputs but no count ("unrun reference cell"). Number the new cells as a run would.
    code = [c for c in out if c.cell_type == "code"]
    if outputs and all(c.execution_count is not None for c in code if not generated(c)):
        for n, c in enumerate(code, start=1):
            c.execution_count = n
    nb.cells = out
    return nb


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="chapters to update (default: chapters/*.ipynb)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    url = wheel_url(config()["repository"]["url"])
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    stale = []
    for path in paths:
        before = path.read_text(encoding="utf-8")
        nb = update(nbformat.reads(before, as_version=4), url)
        after = nbformat.writes(nb)
        after += "" if after.endswith("\n") else "\n"  # as nbformat.write does
        if after != before:
            stale.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
        print(f"{'stale' if args.check and after != before else 'updated' if after != before else 'up to date'}: {path}")
    if args.check and stale:
        print(f"{len(stale)} notebook(s) not up to date: run .venv/bin/python .ci/notebook_cells.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
