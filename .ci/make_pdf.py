"""Print the single-page HTML build of the book to an A4 PDF with headless Chromium.

``make pdf`` first builds the whole book as one HTML page (Sphinx's ``singlehtml`` builder, from
the stored notebook outputs), then runs this script, which

1. serves that directory on 127.0.0.1 and opens the page in Debian's Chromium through Playwright
   (offline: the same launch flags as the browser test, every host but localhost unresolvable);
2. waits for MathJax to typeset and for every image to load;
3. expands everything a reader of the HTML has to click open, so the PDF holds the same content:
   exercise solutions (``dropdown`` admonitions) and hidden setup cells (``hide-cell``) are printed
   open and their toggle buttons are hidden;
4. adds print rules (a page break before each chapter, the part titles) and makes formulas,
   tables and code lines that are wider than the page smaller, or wraps them;
5. refuses to print math MathJax left untypeset or images that did not load, and otherwise writes
   the PDF with page numbers in the footer.

Usage: ``python .ci/make_pdf.py [--html DIR] [--out FILE] [--build-log FILE]``. The build log (the
output of the ``singlehtml`` build) is only summarised: Sphinx warnings do not stop the PDF.
"""

import argparse
import functools
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_HTML = REPO / "_build" / "pdf" / "_build" / "singlehtml"
DEFAULT_OUT = REPO / "_build" / "pdf" / "gradients-and-mixtures.pdf"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# A4 is 210 mm wide; with 15 mm side margins the text is 180 mm = 680 CSS pixels wide. The page is
# laid out in a viewport that wide, so what is measured there is what gets printed.
MARGINS = {"top": "18mm", "bottom": "18mm", "left": "15mm", "right": "15mm"}
PAGE_WIDTH_PX = round((210 - 2 * 15) / 25.4 * 96)
# Smallest font scales for what is too wide for the page: code and tables, then formulas.
MIN_SCALE, MIN_SCALE_MATH = 0.7, 0.5

# As in tests/browser/conftest.py: no sandbox (root), no GPU, no background connections, and
# every host other than localhost fails at once, so the PDF never waits on the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

# Print rules added to the page. The theme already hides its navigation when printing and
# shows a title and a table of contents (#jb-print-docs-body); these rules handle the rest.
PRINT_CSS = """
@media print {
  html { font-size: 14px; }
  *, *::before, *::after { animation: none !important; transition: none !important; }
  /* a title page, a contents page, then the introduction */
  #jb-print-docs-body { break-after: page; }
  #jb-print-docs-body > h1 { margin-top: 30vh; }
  .pdf-byline { text-align: center; color: #555; font-size: 1.2rem; break-after: page; }
  .pdf-chapter { break-before: page; }
  .pdf-part-title {
    font-size: 1.9rem; font-weight: 600; color: #444;
    border-bottom: 2px solid #888; padding-bottom: .3em; margin-bottom: 1.5em;
  }
  /* toggles: their content is printed open, the buttons and summaries are not printed */
  button.toggle-button, details.hide > summary, details.toggle-details > summary,
  .copybtn, a.headerlink, #pst-back-to-top, .prev-next-area { display: none !important; }
  /* Chromium cannot split a box that clips its overflow, so a long admonition or hidden cell
     would be cut at the page end: let them overflow, and break across pages when they must */
  .admonition, div.admonition, details.admonition, .pst-scrollable-table-container,
  div.cell_output, div.output, .highlight, pre {
    overflow: visible !important; max-height: none !important;
  }
  .admonition, div.admonition { break-inside: auto; }
  /* the theme keeps div.highlight whole, which left an empty cell frame at the foot of a page:
     the whole cell moves to the next page instead (one taller than a page still breaks) */
  div.highlight { display: block; break-inside: auto; }
  div.cell_input, div.cell_output, figure, img, table, mjx-container[display="true"] {
    break-inside: avoid;
  }
  h2, h3, h4, .admonition-title, p.rubric, figcaption { break-after: avoid; }
  img { max-width: 100% !important; height: auto; }
}
"""

# Runs in the page once MathJax is done: print layout, everything expanded, part titles added.
# Returns counts a person can compare with the HTML.
PREPARE_JS = r"""
async () => {
  const counts = {details: 0, admonitions: 0, chapters: 0, parts: 0};
  for (const d of document.querySelectorAll("details")) {
    if (!d.open) { d.open = true; counts.details += 1; }
  }
  for (const a of document.querySelectorAll(".toggle-hidden")) {
    a.classList.remove("toggle-hidden");
    counts.admonitions += 1;
  }
  for (const b of document.querySelectorAll("button.toggle-button")) {
    b.classList.remove("toggle-button-hidden");
  }
  // Each document of the book starts after <span id="document-NAME">: a new page each.
  const firstSections = {};
  for (const marker of document.querySelectorAll('span[id^="document-"]')) {
    const section = marker.nextElementSibling;
    if (section && section.tagName === "SECTION") {
      section.classList.add("pdf-chapter");
      firstSections[marker.id.slice("document-".length)] = section;
      counts.chapters += 1;
    }
  }
  // The part captions of the table of contents become titles above each part's first chapter.
  const toc = document.querySelector("#jb-print-toc nav");
  if (toc) {
    for (const caption of toc.querySelectorAll("p.caption")) {
      const list = caption.nextElementSibling;
      const link = list && list.querySelector('a[href^="#document-"]');
      const section = link && firstSections[link.getAttribute("href").slice("#document-".length)];
      if (!section) continue;
      const title = document.createElement("div");
      title.className = "pdf-part-title";
      title.textContent = caption.textContent.trim();
      section.prepend(title);
      counts.parts += 1;
    }
  }
  // The author line of the page footer (not printed by the theme) goes under the title.
  const title = document.querySelector("#jb-print-docs-body > h1");
  const author = document.querySelector("footer .component-author");
  if (title && author) {
    const byline = document.createElement("p");
    byline.className = "pdf-byline";
    byline.textContent = author.textContent.trim();
    title.after(byline);
  }
  // Math that was hidden while MathJax typeset it is laid out again now that it is visible.
  if (window.MathJax && MathJax.startup && MathJax.startup.document) {
    await MathJax.startup.document.rerender();
  }
  return counts;
}
"""

# Runs after PREPARE_JS, in a viewport as wide as the printed page: what would run off the right
# edge is made smaller (down to MIN_SCALE, formulas to MIN_SCALE_MATH); code wider than that wraps.
FIT_JS = r"""
([minScale, minScaleMath]) => {
  const counts = {formulas: 0, tables: 0, code: 0, wrapped: 0, tooWide: [], offPage: []};
  const blockOf = (el) => {
    let node = el.parentElement;
    while (node && getComputedStyle(node).display.startsWith("inline")) node = node.parentElement;
    return node;
  };
  const room = (node) => {
    const style = getComputedStyle(node);
    return node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const shrink = (el, scale, least) => {
    const size = parseFloat(getComputedStyle(el).fontSize);
    el.style.fontSize = `${(size * Math.max(scale, least)).toFixed(2)}px`;
  };
  for (const box of document.querySelectorAll("article mjx-container")) {
    const math = box.querySelector("mjx-math");
    const block = box.getAttribute("display") === "true" ? box : blockOf(box);
    if (!math || !block) continue;
    const width = math.getBoundingClientRect().width;
    const available = room(block);
    if (width <= available + 1) continue;
    shrink(box, 0.98 * available / width, minScaleMath);
    counts.formulas += 1;
    if (math.getBoundingClientRect().width > available + 1) {
      counts.tooWide.push(box.textContent.slice(0, 60));
    }
  }
  for (const table of document.querySelectorAll("article table")) {
    const available = room(blockOf(table) || table.parentElement);
    const width = table.getBoundingClientRect().width;
    if (width > available + 1) {
      shrink(table, 0.98 * available / width, minScale);
      counts.tables += 1;
    }
  }
  for (const pre of document.querySelectorAll("article pre")) {
    if (pre.scrollWidth <= pre.clientWidth + 1) continue;
    const scale = pre.clientWidth / pre.scrollWidth;
    if (scale >= minScale) {
      shrink(pre, 0.98 * scale, minScale);
      counts.code += 1;
    } else {
      pre.style.whiteSpace = "pre-wrap";
      pre.style.wordBreak = "break-word";
      counts.wrapped += 1;
    }
  }
  // Whatever still reaches past the right edge makes Chromium scale down every printed page.
  const edge = document.documentElement.clientWidth + 1;
  for (const el of document.querySelectorAll("article *")) {
    if (el.getBoundingClientRect().right <= edge || el.closest("mjx-assistive-mml")) continue;
    if (el.parentElement.getBoundingClientRect().right > edge) continue;  // reported its parent
    counts.offPage.push(`${el.tagName.toLowerCase()}: ${el.textContent.trim().slice(0, 50)}`);
  }
  return counts;
}
"""

# Resolves once MathJax has typeset the page (false after 120 s).
MATHJAX_JS = r"""
async () => {
  const mj = window.MathJax;
  if (!(mj && mj.startup && mj.startup.promise)) return false;
  const done = await Promise.race([
    mj.startup.promise.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 120000)),
  ]);
  if (document.fonts) await document.fonts.ready;
  return done;
}
"""

# What a reader would see as broken: TeX left as text, MathJax errors, images that did not load.
INSPECT_JS = r"""
async () => {
  const out = {rawTex: [], untypeset: [], mathErrors: [], brokenImages: [], formulas: 0};
  const notProse = "pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight, .sig";
  const re = /\\\(|\\\[|\$\$/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(notProse) || parent.closest("#pst-search-dialog")) continue;
    for (const m of node.textContent.matchAll(re)) {
      const text = node.textContent;
      out.rawTex.push(text.slice(Math.max(0, m.index - 30), m.index + 50).replace(/\s+/g, " "));
    }
  }
  const article = document.querySelector("article") || document.body;
  for (const e of article.querySelectorAll("span.math, div.math")) {
    out.formulas += 1;
    if (!e.querySelector("mjx-container")) out.untypeset.push(e.textContent.trim().slice(0, 60));
  }
  for (const e of document.querySelectorAll("mjx-merror")) out.mathErrors.push(e.textContent);
  const images = Array.from(document.images);
  for (const img of images) if (img.loading === "lazy") img.loading = "eager";
  const settled = (img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve, {once: true});
    img.addEventListener("error", resolve, {once: true});
  });
  await Promise.race([
    Promise.all(images.map(settled)),
    new Promise((resolve) => setTimeout(resolve, 60000)),
  ]);
  for (const img of images) {
    if (!img.complete || img.naturalWidth === 0) out.brokenImages.push(img.getAttribute("src"));
  }
  out.images = images.length;
  return out;
}
"""

HEADER = (
    '<div style="font-size:8px; width:100%; padding:0 15mm; color:#777; '
    'font-family:sans-serif;">Gradients &amp; Mixtures</div>'
)
FOOTER = (
    '<div style="font-size:8px; width:100%; text-align:center; color:#777; '
    'font-family:sans-serif;"><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></div>'
)


SEARCH_INDEX = "/searchindex.js"
EXPECTED_404 = (SEARCH_INDEX, "/favicon.ico")  # Chromium asks for a favicon on its own


def _note_console(msg, notes):
    """Record a console error of the page, except the expected 404s."""
    where = (msg.location or {}).get("url", "")
    if msg.type == "error" and not where.endswith(EXPECTED_404):
        notes.append(f"console error: {msg.text}" + (f" [{where}]" if where else ""))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


def serve(directory):
    """Serve ``directory`` on a free port of 127.0.0.1 from a thread; returns (server, base URL)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def summarise_build_log(path):
    """Print the Sphinx warnings of the singlehtml build (they do not stop the PDF)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", Path(path).read_text(encoding="utf-8", errors="replace"))
    # a warning can follow a status line ("assembling single document... intro.md:86: WARNING")
    warnings = [
        re.sub(r"^.*\.\.\. (?=\S+: WARNING:)", "", line)
        for line in text.splitlines()
        if "WARNING:" in line
    ]
    print(f"singlehtml build: {len(warnings)} Sphinx warning(s) (full log: {path})")
    for line in warnings[:15]:
        print(f"  {line.replace(str(REPO) + '/', '')}")
    if len(warnings) > 15:
        print(f"  ... and {len(warnings) - 15} more")


def count_pages(pdf_bytes):
    """Number of page objects in a PDF written by Chromium (Skia keeps them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf_bytes))


def check_text(pdf_path):
    """Raw TeX in the text of the PDF, when poppler's ``pdftotext`` happens to be installed."""
    if shutil.which("pdftotext") is None:
        return None
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8", errors="replace")
    return re.findall(r".{0,30}(?:\\\(|\\\[|\$\$).{0,30}", text)


def make_pdf(html_dir, out):
    """Open ``html_dir/intro.html`` in Chromium and print it to ``out``; returns problems found."""
    from playwright.sync_api import sync_playwright

    page_file = html_dir / "intro.html"
    if not page_file.is_file():
        sys.exit(f"error: {page_file} not found: build the single-page HTML first (`make pdf`)")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        sys.exit(
            f"error: Chromium not found at {CHROMIUM}: install it with "
            "`sudo apt-get install chromium` or set CHROMIUM=/path/to/chromium"
        )
    out.unlink(missing_ok=True)  # a failed run leaves no stale PDF behind
    server, base = serve(html_dir)
    notes, problems = [], []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            context = browser.new_context(
                viewport={"width": PAGE_WIDTH_PX, "height": 1000},
                color_scheme="light",
                service_workers="block",
            )
            context.set_default_timeout(180_000)
            page = context.new_page()
            # The single page has no search, and so no searchindex.js: that 404 is expected.
            page.on("console", lambda msg: _note_console(msg, notes))
            page.on(
                "requestfailed",
                lambda req: not req.url.endswith(EXPECTED_404)
                and notes.append(f"failed request: {req.url}"),
            )
            start = time.perf_counter()
            page.goto(base + "intro.html", wait_until="load")
            if not page.evaluate(MATHJAX_JS):
                problems.append("MathJax did not finish typesetting within 120 s")
            page.emulate_media(media="print")
            page.add_style_tag(content=PRINT_CSS)
            counts = page.evaluate(PREPARE_JS)
            fitted = page.evaluate(FIT_JS, [MIN_SCALE, MIN_SCALE_MATH])
            notes += [f"formula still too wide: {text}" for text in fitted["tooWide"]]
            notes += [
                f"wider than the page (Chromium then shrinks every page to fit): {text}"
                for text in fitted["offPage"]
            ]
            found = page.evaluate(INSPECT_JS)
            print(
                f"page ready in {time.perf_counter() - start:.0f} s: {counts['chapters']} "
                f"documents, {counts['parts']} part titles, {found['formulas']} formulas, "
                f"{found['images']} images; opened {counts['details']} collapsed blocks and "
                f"{counts['admonitions']} toggled admonitions"
            )
            print(
                f"made smaller to fit the page: {fitted['formulas']} formulas, {fitted['tables']} "
                f"tables, {fitted['code']} code blocks; {fitted['wrapped']} code blocks wrapped"
            )
            for key, label in [
                ("rawTex", "TeX left as text"),
                ("untypeset", "formula not typeset"),
                ("mathErrors", "MathJax error"),
                ("brokenImages", "image not loaded"),
            ]:
                problems += [f"{label}: {item}" for item in found[key][:10]]
            if not problems:
                start = time.perf_counter()
                out.parent.mkdir(parents=True, exist_ok=True)
                page.pdf(
                    path=str(out),
                    format="A4",
                    print_background=True,
                    margin=MARGINS,
                    display_header_footer=True,
                    header_template=HEADER,
                    footer_template=FOOTER,
                    outline=True,
                    tagged=True,
                )
                print(f"printed in {time.perf_counter() - start:.0f} s")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    for note in notes[:10]:
        print(f"note: {note}")
    if len(notes) > 10:
        print(f"note: ... and {len(notes) - 10} more")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=DEFAULT_HTML, help="the singlehtml build")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="PDF to write")
    parser.add_argument("--build-log", type=Path, help="log of the singlehtml build to summarise")
    args = parser.parse_args(argv)
    if args.build_log and args.build_log.is_file():
        summarise_build_log(args.build_log)
    problems = make_pdf(args.html.resolve(), args.out.resolve())
    if problems:
        print(f"error: the PDF was not written, {len(problems)} problem(s) in the page:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    data = args.out.read_bytes()
    print(f"wrote {args.out} ({count_pages(data)} pages, {len(data) / 1e6:.1f} MB)")
    leftover = check_text(args.out)
    if leftover:
        print(f"error: the PDF's text still holds TeX delimiters: {leftover[:5]}")
        return 1
    if leftover is None:
        print("(pdftotext not installed: the PDF's text was not checked, only the page)")
    else:
        print("pdftotext: no TeX delimiters left in the PDF's text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
