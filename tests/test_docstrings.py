"""The docstrings behind the API reference (api/*.md) and the chapters they point to.

Every public object of mixgrad, at the path chapters import it from, must have
a numpydoc docstring (a "Parameters" section when it takes arguments), name the
chapter that explains it with a ``:ref:`` (in its own docstring or in its
module's), and appear exactly once in the API pages. References to labels must
name labels that the book defines.
"""

import ast
import importlib
import importlib.util
import inspect
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "mixgrad"

CHAPTER_LABELS = {
    "divided-differences", "dual-numbers", "forward-reverse", "ad-systems",
    "gaussian-mixtures", "generative-classifiers", "em-gaussian-mixtures", "why-em-works",
    "em-at-scale", "semi-supervised", "missing-data", "kmeans-limit", "variational-bayes",
}
# Part III: its chapters are being written; references to these are allowed already.
BAYES_LABELS = {"bayesian-supervised", "bayesian-unsupervised", "bayesian-semi-supervised",
                "how-many-components"}

# Import paths documented whatever the chapters import; the chapters add their own.
BASE_MODULES = [
    "mixgrad.ad", "mixgrad.mixture", "mixgrad.plot", "mixgrad.datasets",
    "mixgrad.timing", "mixgrad.exceptions", "mixgrad.bayes",
]
REF = re.compile(r":ref:`(?:[^`<]*<)?([^`<>]+)>?`")
SECTION = re.compile(r"^(\w[\w ]*)\n-{3,}\n", re.M)


def _is_bayes(modname):
    return modname.startswith(("mixgrad.bayes", "mixgrad.plot.bayes"))


def _chapter_modules():
    """Modules the chapters import from, and submodules they import by name."""
    found = set()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            found.update(re.findall(r"^\s*import\s+(mixgrad(?:\.\w+)*)", source, re.M))
            for match in re.finditer(
                r"^\s*from\s+(mixgrad(?:\.\w+)*)\s+import\s+(\([^)]*\)|.*)$", source, re.M
            ):
                modname, names = match.groups()
                found.add(modname)
                module = _import(modname) if _module_exists(modname) else None
                for item in names.strip("()").split(","):
                    words = item.split()  # ``name`` or ``name as alias``
                    if words and inspect.ismodule(getattr(module, words[0], None)):
                        found.add(f"{modname}.{words[0]}")  # a submodule imported by name
    return {name for name in found if _module_exists(name)}


def _module_exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:  # a parent package that is not importable (yet)
        return False


def _import(modname):
    try:
        return importlib.import_module(modname)
    except ImportError:
        if _is_bayes(modname):  # Part III is optional until its package exists
            return None
        raise


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and not inspect.ismodule(v)]
    return list(names)


def _documented_modules():
    return sorted(set(BASE_MODULES) | _chapter_modules())


def _public_objects():
    """``(import path, object)`` of every public class and function, each object once."""
    out, seen = [], set()
    for modname in _documented_modules():
        module = _import(modname)
        if module is None:
            continue
        for name in _public_names(module):
            obj = getattr(module, name)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and id(obj) not in seen:
                seen.add(id(obj))
                out.append((f"{modname}.{name}", modname, obj))
    return out


PUBLIC = _public_objects()
IDS = [path for path, _, _ in PUBLIC]


def _takes_arguments(obj):
    if inspect.isclass(obj) and issubclass(obj, BaseException):
        return False  # exceptions and warnings take a message
    try:
        return bool(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        return False


def _parameters_documented(doc):
    match = re.search(r"^Parameters\n-+\n(.*?)(?=^\w[\w ]*\n-{3,}\n|\Z)", doc, re.M | re.S)
    names = set()
    for line in match.group(1).splitlines():
        if line and not line[0].isspace():
            names.update(n.strip().lstrip("*") for n in line.split(" : ")[0].split(","))
    return names


@pytest.mark.parametrize(("path", "modname", "obj"), PUBLIC, ids=IDS)
def test_numpydoc_sections(path, modname, obj):
    doc = inspect.getdoc(obj)
    assert doc, f"{path} has no docstring"
    if not _takes_arguments(obj):
        return
    sections = set(SECTION.findall(doc))
    if inspect.isclass(obj) and "Parameters" not in sections:
        # result containers (dataclasses made by the library) list their fields
        assert "Attributes" in sections, f"{path}: no Parameters or Attributes section"
        return
    assert "Parameters" in sections, f"{path} takes arguments but has no Parameters section"
    missing = set(inspect.signature(obj).parameters) - _parameters_documented(doc)
    assert not missing, f"{path}: parameters {sorted(missing)} not in its Parameters section"


@pytest.mark.parametrize(("path", "modname", "obj"), PUBLIC, ids=IDS)
def test_names_the_chapter_that_explains_it(path, modname, obj):
    docs = [inspect.getdoc(obj), inspect.getmodule(obj).__doc__, _import(modname).__doc__]
    labels = set().union(*(REF.findall(doc or "") for doc in docs))
    assert labels & (CHAPTER_LABELS | BAYES_LABELS), (
        f"{path}: neither its docstring nor its module's names a chapter; add "
        f"'See the chapter :ref:`<label>`.' with a label from {sorted(CHAPTER_LABELS)}"
    )


def _book_labels():
    pattern = re.compile(r"^\(([\w-]+)\)=\s*$", re.M)
    labels = set()
    skip = {"lib", "tests", "benchmarks", "node_modules"}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in skip and not d.startswith((".", "_"))]
        for name in files:
            if name.endswith(".md"):
                text = (Path(folder) / name).read_text(encoding="utf-8")
                labels.update(pattern.findall(text))
    for notebook in (ROOT / "chapters").glob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "markdown":
                labels.update(pattern.findall("".join(cell["source"])))
    return labels


def _docstrings(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [tree] + [n for n in ast.walk(tree)
                      if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    docs = [ast.get_docstring(n, clean=False) or "" for n in nodes]
    comments = [line for line in path.read_text(encoding="utf-8").splitlines()
                if line.lstrip().startswith("#:")]
    return docs + comments


def test_every_ref_in_the_library_names_a_label_of_the_book():
    labels = _book_labels() | BAYES_LABELS
    assert CHAPTER_LABELS <= labels, f"chapter labels missing: {CHAPTER_LABELS - labels}"
    bad = {}
    for path in sorted(LIB.rglob("*.py")):
        for doc in _docstrings(path):
            for label in REF.findall(doc):
                if label not in labels:
                    bad.setdefault(str(path.relative_to(ROOT)), set()).add(label)
    assert not bad, f"references to labels the book does not define: {bad}"


# --- the API pages --------------------------------------------------------------------

DIRECTIVE = re.compile(
    r"^\.\. (automodule|autofunction|autoclass|autoexception|autodata|py:data)::\s*(\S+)"
    r"((?:\n[ \t]+:[\w-]+:.*)*)", re.M)


def _api_directives():
    for page in sorted((ROOT / "api").glob("*.md")):
        for kind, target, options in DIRECTIVE.findall(page.read_text(encoding="utf-8")):
            yield page.name, kind, target, dict(
                (m.group(1), m.group(2).strip())
                for m in re.finditer(r":([\w-]+):(.*)", options))


def _resolve(path, kind="automodule"):
    """The object an autodoc directive documents: ``mixgrad.ad.newton`` is the
    function the package exports, not the module of the same name."""
    parts = path.split(".")
    for i in range(len(parts) if kind == "automodule" else len(parts) - 1, 0, -1):
        modname = ".".join(parts[:i])
        if _module_exists(modname):
            module = _import(modname)
            if module is None:
                return None
            obj = module
            for attr in parts[i:]:
                obj = getattr(obj, attr)
            return obj
    raise ImportError(path)


def _documented():
    """``{id(object): [paths]}`` of everything the API pages document."""
    from sphinx.pycode import ModuleAnalyzer

    out = {}
    for _, kind, target, options in _api_directives():
        obj = _resolve(target, kind)
        if obj is None:  # Part III not importable yet
            continue
        paths = [(target, obj)]
        if kind == "automodule" and "members" in options:
            excluded = {n.strip() for n in options.get("exclude-members", "").split(",")}
            attr_docs = ModuleAnalyzer.for_module(target).find_attr_docs()
            for name in _public_names(obj):
                member = getattr(obj, name)
                undocumented_data = not callable(member) and ("", name) not in attr_docs
                if name not in excluded and not undocumented_data:  # autodoc skips those
                    paths.append((f"{target}.{name}", member))
        for path, member in paths:
            out.setdefault(id(member), []).append(path)
    return out


def test_api_pages_document_every_public_name_once():
    pytest.importorskip("sphinx", reason="Sphinx (the book's environment) reads the API pages")
    documented = _documented()
    missing, twice = [], {}
    for modname in _documented_modules():
        module = _import(modname)
        if module is None:
            continue
        for name in _public_names(module):
            paths = documented.get(id(getattr(module, name)))
            if not paths:
                missing.append(f"{modname}.{name}")
            elif len(paths) > 1:
                twice[f"{modname}.{name}"] = sorted(paths)
    assert not missing, f"public names with no entry in api/*.md: {missing}"
    assert not twice, f"documented more than once (use :exclude-members:): {twice}"


def test_api_page_targets_exist():
    for name in ("pytensor", "pymc"):  # the API pages document mixgrad.bayes and pytensor_compare
        pytest.importorskip(name, reason=f"{name} is not installed (pip install 'mixgrad[bayes]')")
    for page, kind, target, _ in _api_directives():
        try:
            _resolve(target, kind)
        except (ImportError, AttributeError) as exc:
            pytest.fail(f"api/{page}: {kind}:: {target} does not resolve ({exc!r})")


def test_the_checks_catch_a_missing_chapter_and_a_missing_parameter():
    def undocumented(x, y):
        """Do something.

        Parameters
        ----------
        x : float
        """

    assert _parameters_documented(inspect.getdoc(undocumented)) == {"x"}
    assert not REF.findall(inspect.getdoc(undocumented))
    assert REF.findall("See :ref:`the chapter <kmeans-limit>` and :ref:`dual-numbers`.") == [
        "kmeans-limit", "dual-numbers"]
