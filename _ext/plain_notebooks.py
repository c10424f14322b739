"""Make the notebooks the book offers for download read well in plain Jupyter.

The chapters are written in MyST: ``{cite}``, ``{term}``, ``{ref}`` and ``{numref}`` roles,
``{admonition}`` blocks, ``(label)=`` targets and ``{literalinclude}`` listings. The web page
renders them, and so does JupyterLab with jupyterlab-myst (``make lab``, Binder), but plain
Jupyter, Colab and GitHub show the markup raw. The book's download button serves the copy of
each notebook under ``_build/html/_sources/``; after the build this extension rewrites the
markdown cells of that copy (the repository's notebooks are untouched) so that each role
becomes the text the web page shows:

* ``{cite}`a,b``` becomes "(Author, 2006; Author and Other, 2008)", ``{cite:t}`` "Author (2006)";
* ``{term}`text <target>``` becomes *text*;
* ``{ref}`` becomes the section's title (or the explicit text), ``{numref}`` the figure's
  number as the web page numbers it ("Fig. 7.3");
* admonitions become block quotes headed by their title;
* ``(label)=`` lines are dropped, and a ``{literalinclude}`` becomes a pointer to the next
  cell, which prints the same code (``.ci/notebook_cells.py``).

``plain_markdown`` is the pure function; ``tests/browser/test_book_html.py`` checks that no
markup is left in any downloaded chapter.
"""

import json
import re
from pathlib import Path

ROLE = re.compile(r"\{(cite(?::[a-z]+)?|term|ref|numref|doc|eq)\}`([^`]*)`")
TARGET = re.compile(r"^\([A-Za-z0-9_:.-]+\)=[ \t]*$")
FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[a-z-]+)\}[ \t]*(?P<arg>.*)$")
OPTION = re.compile(r"^:[a-z-]+:")
EXPLICIT = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)
ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "warning", "caution",
               "attention", "danger", "error", "seealso", "dropdown"}


def _split_explicit(content):
    """``text <target>`` -> (text, target); ``target`` -> (None, target)."""
    m = EXPLICIT.match(content)
    return (m["text"], m["target"]) if m and m["text"] else (None, content.strip())


def cite_text(entry_authors, year, textual):
    """Author-year text of one citation: "Bishop, 2006" or, textual, "Bishop (2006)"."""
    if len(entry_authors) == 1:
        names = entry_authors[0]
    elif len(entry_authors) == 2:
        names = f"{entry_authors[0]} and {entry_authors[1]}"
    else:
        names = f"{entry_authors[0]} et al."
    return f"{names} ({year})" if textual else f"{names}, {year}"


class Resolver:
    """Resolve the roles of one document, from the bibliography and Sphinx's environment.

    Parameters
    ----------
    citations : dict
        Key -> (list of author last names, year).
    refs : dict
        Label -> section title (``{ref}``).
    numbers : dict
        Label -> (figure type, number string) (``{numref}``).
    numfig_format : dict
        Figure type -> format with ``%s`` ("Fig. %s").
    """

    def __init__(self, citations, refs, numbers, numfig_format):
        self.citations, self.refs, self.numbers = citations, refs, numbers
        self.numfig_format = numfig_format

    def role(self, name, content):
        if name.startswith("cite"):
            keys = [k.strip() for k in content.split(",") if k.strip()]
            if not all(k in self.citations for k in keys):
                return None
            textual = name == "cite:t"
            parts = [cite_text(*self.citations[k], textual) for k in keys]
            return "; ".join(parts) if textual else "(" + "; ".join(parts) + ")"
        text, target = _split_explicit(content)
        if name == "term":
            return f"*{text or target}*"
        if name == "ref":
            title = text or self.refs.get(target)
            return f"*{title}*" if title else None
        if name == "numref":
            if target not in self.numbers:
                return None
            figtype, number = self.numbers[target]
            fmt = text or self.numfig_format.get(figtype, "%s")
            return fmt.replace("%s", number).replace("{number}", number)
        return text or target


def plain_markdown(source, resolver):
    """The markdown ``source`` with MyST markup replaced by plain text (see module docstring)."""
    out = _blocks(source.split("\n"), resolver)
    text = "\n".join(out)

    def sub(m):
        resolved = resolver.role(m[1], m[2])
        return m[0] if resolved is None else resolved

    return re.sub(r"\n{3,}", "\n\n", ROLE.sub(sub, text)).strip("\n")


def _blocks(lines, resolver):
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        m = FENCE_OPEN.match(line)
        if TARGET.match(line):
            i += 1
            continue
        if not m or (m["name"] not in ADMONITIONS and m["name"] != "literalinclude"):
            out.append(line)
            i += 1
            continue
        fence, end = m["fence"], i + 1
        while end < len(lines) and lines[end].rstrip() != fence:
            end += 1
        body = lines[i + 1:end]
        while body and OPTION.match(body[0]):
            body = body[1:]
        if m["name"] == "literalinclude":
            out.append(f"*(The library's code, `{m['arg'].strip()}`, is printed by the next cell.)*")
        else:
            title = m["arg"].strip() or m["name"].capitalize()
            inner = _blocks(body, resolver)
            out += [f"> **{title}**", ">"] + [f"> {b}".rstrip() for b in inner]
        i = end + 1
    return out


def _citations(app):
    from pybtex.database import parse_file

    citations = {}
    for bibfile in app.config.bibtex_bibfiles:
        for key, entry in parse_file(Path(app.srcdir) / bibfile).entries.items():
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            last = [" ".join(p.last_names).replace("{", "").replace("}", "") for p in people]
            citations[key] = (last or [entry.fields.get("title", key)], entry.fields.get("year", "n.d."))
    return citations


def _resolver(app):
    env = app.env
    std = env.get_domain("std")
    refs = {label: title for label, (_, _, title) in std.labels.items() if title}
    numbers = {}
    for label, (docname, labelid) in std.anonlabels.items():
        for figtype, ids in env.toc_fignumbers.get(docname, {}).items():
            if labelid in ids:
                numbers[label] = (figtype, ".".join(map(str, ids[labelid])))
    fmt = {"figure": "Fig. %s", "table": "Table %s", "code-block": "Listing %s", "section": "Section %s"}
    fmt.update(app.config.numfig_format or {})
    return Resolver(_citations(app), refs, numbers, fmt)


def _rewrite(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    resolver = None
    for docname in sorted(app.env.found_docs):
        if not str(app.env.doc2path(docname)).endswith(".ipynb"):
            continue
        path = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if not path.exists():
            continue
        resolver = resolver or _resolver(app)
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                cell["source"] = plain_markdown(source, resolver)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def setup(app):
    app.connect("build-finished", _rewrite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
