"""Write each script of a page once.

Sphinx 7.4 writes an inline script (``app.add_js_file(None, body=...)``) twice when an
extension registers it after the builder has started: once as filename ``None``, once as ``''``
(fixed upstream in sphinx-doc/sphinx#13402, Sphinx 8.2). sphinx-thebe does exactly that, so
every page declared ``const THEBE_JS_URL`` twice and the browser reported a SyntaxError.
Drop this extension once the book moves to a Sphinx with the fix.
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        filename = getattr(script, "filename", script) or ""
        attributes = getattr(script, "attributes", {})
        key = (str(filename), tuple(sorted(attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    app.connect("html-page-context", _dedupe_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
