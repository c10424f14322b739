"""The built book in a real browser, offline: every page loads with nothing from outside
localhost, no console errors or failed requests, all math typeset by MathJax, every image
decoded; search finds a known term; every chapter offers its notebook for download.

Needs a built book (``make test-build``) and Debian's ``chromium``; run with
``make test-browser`` or ``BOOK_HTML=/path/to/_build/html pytest tests/browser``.
One screenshot per page is written to ``_build/screenshots/<page>.png`` for a person to look at.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
SEARCH_TERM = "responsibilities"
SCREENSHOT_MAX_HEIGHT = 8_000  # px; longer pages are cut there (a full chapter is ~10-20k px)

# Elements whose text is code or already-typeset math, never prose with TeX delimiters.
# (Not .mathjax_ignore: MyST-NB puts it on the whole notebook and marks math with .math.)
# Signatures (.sig) are code; search results quote page text from before MathJax ran.
_NOT_PROSE = (
    "pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight, .sig, "
    "#search-results"
)

# Runs in the page after MathJax: returns what a reader would see as broken.
_INSPECT_JS = r"""
async ([notProse]) => {
  const out = {rawTex: [], untypeset: [], mathErrors: [], brokenImages: []};
  const re = /\\\(|\\\[|\$\$|\$[^\s$][^$\n]*\$/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(notProse)) continue;
    const text = node.textContent;
    for (const m of text.matchAll(re)) {
      const start = Math.max(0, m.index - 30);
      out.rawTex.push(text.slice(start, m.index + 50).replace(/\s+/g, " ").trim());
      if (out.rawTex.length >= 5) break;
    }
    if (out.rawTex.length >= 5) break;
  }
  // Sphinx wraps every formula in .math; MathJax puts an mjx-container inside it
  for (const e of document.querySelectorAll("span.math, div.math")) {
    if (!e.querySelector("mjx-container") && !e.closest("#search-results")) {
      out.untypeset.push(e.textContent.replace(/\s+/g, " ").trim().slice(0, 60));
      if (out.untypeset.length >= 5) break;
    }
  }
  for (const e of document.querySelectorAll("mjx-merror")) {
    out.mathErrors.push(e.textContent.slice(0, 80));
  }
  // noundefined shows an unknown macro as red text starting with a backslash
  for (const e of document.querySelectorAll("mjx-container mjx-mtext[style*='red']")) {
    if (e.textContent.trim().startsWith("\\")) out.mathErrors.push(e.textContent.slice(0, 80));
  }
  const images = Array.from(document.images);
  for (const img of images) if (img.loading === "lazy") img.loading = "eager";
  const settled = (img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve, {once: true});
    img.addEventListener("error", resolve, {once: true});
  });
  await Promise.race([
    Promise.all(images.map(settled)),
    new Promise((resolve) => setTimeout(resolve, 15000)),
  ]);
  for (const img of images) {
    if (!img.complete || img.naturalWidth === 0) {
      out.brokenImages.push(img.getAttribute("src") || img.id || img.outerHTML.slice(0, 100));
    }
  }
  return out;
}
"""

# Resolves once MathJax has typeset the page (or at once when the page loads no MathJax).
_MATHJAX_JS = r"""
async () => {
  const hasMath = document.querySelector(".math, span.math, div.math") !== null;
  const mj = window.MathJax;
  if (!(mj && mj.startup && mj.startup.promise)) return {hasMath, loaded: false, done: false};
  const done = await Promise.race([
    mj.startup.promise.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 30000)),
  ]);
  if (document.fonts) await document.fonts.ready;
  return {hasMath, loaded: true, done};
}
"""


def is_local(url):
    """True for URLs served by the test server or embedded in the page (data:, blob:, about:)."""
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or parts.hostname in LOCAL_HOSTS


def _watch(page, problems):
    """Record console errors, uncaught exceptions, failed and non-local requests on ``page``."""

    def on_console(msg):
        if msg.type == "error":
            where = msg.location.get("url", "") if msg.location else ""
            problems.append(f"console error: {msg.text}" + (f" [{where}]" if where else ""))

    def on_request(request):
        if not is_local(request.url):
            problems.append(f"request outside localhost: {request.url}")

    def on_failed(request):
        problems.append(f"request failed ({request.failure}): {request.url}")

    def on_response(response):
        # Any 404 fails, the favicon's included (the book names one: html.favicon in _config.yml;
        # without it Chromium asks for /favicon.ico and logs the 404 on every first load).
        if response.status >= 400:
            problems.append(f"HTTP {response.status}: {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"uncaught JavaScript error: {exc}"))
    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("response", on_response)


def _fail_if(problems, where):
    if problems:
        unique = list(dict.fromkeys(problems))
        pytest.fail(f"{where}: {len(unique)} problem(s):\n  " + "\n  ".join(unique), pytrace=False)


def _source_of(book_root, page_path):
    """The downloadable source of a page (``_sources/<page>.ipynb`` or ``.md``), if any."""
    stem = page_path.removesuffix(".html")
    for suffix in (".ipynb", ".md", ".rst"):
        if (book_root / "_sources" / f"{stem}{suffix}").is_file():
            return f"{stem}{suffix}"
    return None


def _check_favicon(page, problems):
    """The page names an icon and it is served (headless Chromium may never fetch it itself)."""
    href = page.evaluate("() => document.querySelector('link[rel~=icon]')?.href ?? null")
    if not href:
        problems.append("no <link rel=icon>: browsers then request /favicon.ico (a 404)")
        return
    status = page.request.get(href).status
    if status != 200:
        problems.append(f"favicon {href}: HTTP {status}")


def _check_download_button(page, book_root, page_path, problems):
    source = _source_of(book_root, page_path)
    if source is None:
        if page_path.startswith("chapters/"):
            problems.append("no _sources/ copy of the chapter notebook in the build to download")
        return
    toggle = page.locator(".dropdown-download-buttons > button")
    if toggle.count() != 1 or not toggle.is_visible():
        problems.append("no visible download button (.dropdown-download-buttons) in the header")
        return
    if not source.endswith(".ipynb"):
        return
    link = page.locator(".dropdown-download-buttons a.btn-download-source-button")
    href = link.get_attribute("href") if link.count() == 1 else None
    if not href or not href.endswith(f"_sources/{source}"):
        problems.append(f"download menu has no link to _sources/{source} (found {href!r})")
        return
    toggle.click()
    try:
        link.wait_for(state="visible", timeout=5_000)
    except PlaywrightTimeout:
        problems.append("download menu does not open on click (Bootstrap JavaScript?)")
    response = page.request.get(link.evaluate("a => a.href"))
    if not response.ok:
        problems.append(f"download link answers HTTP {response.status}")
        return
    try:
        notebook = json.loads(response.text())
    except ValueError:
        notebook = {}
    if "cells" not in notebook:
        problems.append(f"downloaded {source} is not a notebook (no 'cells')")


def _screenshot(page, page_path, screenshot_dir):
    target = screenshot_dir / Path(page_path).with_suffix(".png")
    target.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    clip = {"x": 0, "y": 0, "width": 1280, "height": min(height, SCREENSHOT_MAX_HEIGHT)}
    page.screenshot(path=str(target), full_page=True, clip=clip)


def test_book_is_built(book_root):
    chapters = sorted(book_root.glob("chapters/*.html"))
    assert chapters, f"no chapters/*.html under {book_root}: is the build complete?"


def test_page(page_path, book_root, base_url, context, screenshot_dir):
    """One page: loads offline and cleanly, math typeset, images shown, download button."""
    problems = []
    page = context.new_page()
    _watch(page, problems)
    response = page.goto(base_url + page_path, wait_until="load")
    if response is None or not response.ok:
        pytest.fail(f"{page_path}: HTTP {response and response.status}", pytrace=False)
    mathjax = page.evaluate(_MATHJAX_JS)
    if mathjax["hasMath"] and not mathjax["loaded"]:
        problems.append("page has math but MathJax did not load")
    elif mathjax["loaded"] and not mathjax["done"]:
        problems.append("MathJax did not finish typesetting within 30 s")
    page.wait_for_load_state("networkidle")
    found = page.evaluate(_INSPECT_JS, [_NOT_PROSE])
    problems += [f"raw TeX left in the text: ...{t}..." for t in found["rawTex"]]
    problems += [f"formula not typeset by MathJax: {t}" for t in found["untypeset"]]
    problems += [f"MathJax error: {t}" for t in found["mathErrors"]]
    problems += [f"image not loaded: {src}" for src in found["brokenImages"]]
    _screenshot(page, page_path, screenshot_dir)  # before the download menu is opened
    _check_download_button(page, book_root, page_path, problems)
    _check_favicon(page, problems)
    page.close()
    _fail_if(problems, page_path)


def test_search_finds_a_known_term(book_root, base_url, context, screenshot_dir):
    """search.html?q=responsibilities lists the EM chapters among its results."""
    problems = []
    page = context.new_page()
    _watch(page, problems)
    page.goto(f"{base_url}search.html?q={SEARCH_TERM}", wait_until="load")
    results = page.locator("#search-results ul.search li")
    try:
        results.first.wait_for(state="visible", timeout=20_000)
        listed = True
    except PlaywrightTimeout:
        listed = False
    if not listed:
        box = page.locator("#search-results")
        summary = box.inner_text().strip() if box.count() else "no #search-results element"
        problems.append(
            f"search for {SEARCH_TERM!r} listed nothing within 20 s "
            f"({summary[:200] or 'empty results box: searchindex.js not loaded?'})"
        )
        _fail_if(problems, f"search.html?q={SEARCH_TERM}")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshot_dir / f"search-{SEARCH_TERM}.png"))
    hrefs = results.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    if not any("chapters/" in (h or "") for h in hrefs):
        problems.append(f"no chapter among the results for {SEARCH_TERM!r}: {hrefs}")
    _fail_if(problems, f"search.html?q={SEARCH_TERM}")


def test_root_redirects_to_intro(book_root, base_url, context):
    page = context.new_page()
    page.goto(base_url, wait_until="load")
    page.wait_for_url(re.compile(r".*/intro\.html$"), timeout=10_000)


# Static check, no browser needed: the HTML and CSS reference no asset outside the build.
_ASSET_ATTR = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\bsrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)"
    r"|<link\b(?=[^>]*\brel\s*=\s*[\"']?(?:stylesheet|preload|modulepreload|icon|shortcut icon"
    r"|manifest)\b)[^>]*?\bhref\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"(?:url\(\s*|@import\s+)[\"']?((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)


def test_no_remote_assets_referenced(book_root):
    problems = []
    for path in sorted(book_root.rglob("*")):
        rel = path.relative_to(book_root).as_posix()
        if path.suffix == ".html" and not rel.startswith("_sources/"):
            text = path.read_text(encoding="utf-8", errors="replace")
            urls = [a or b for a, b in _ASSET_ATTR.findall(text)] + _CSS_URL.findall(text)
        elif path.suffix == ".css":
            urls = _CSS_URL.findall(path.read_text(encoding="utf-8", errors="replace"))
        else:
            continue
        problems += [f"{rel}: loads {url}" for url in dict.fromkeys(urls)]
    _fail_if(problems, "assets from outside the build")
