"""Fixtures of the browser test: the built book served on localhost, opened in headless Chromium.

The book is looked for in ``$BOOK_HTML`` (default ``_build/html``, written by ``make test-build``);
Chromium in ``$CHROMIUM`` (default ``/usr/bin/chromium``, Debian's ``chromium`` package). Playwright
drives that system browser; ``playwright install`` (a download) is never needed.
"""

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BOOK_HTML = Path(os.environ.get("BOOK_HTML", REPO / "_build" / "html")).resolve()
SCREENSHOTS = BOOK_HTML.parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# As root and on a closed network Chromium needs these: no sandbox, no GPU, and none of the
# background connections (updates, sync, QUIC probes) a fresh profile starts with. The resolver
# rule makes every host other than localhost fail at once, so a CDN reference is caught (and fast)
# even on a machine that does have internet access.
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

# viewcode pages (_modules/) are many and alike: the index and the first few are enough.
MAX_MODULE_PAGES = 5


def is_redirect_stub(path):
    """Jupyter Book writes index.html as a bare meta-refresh to the root page."""
    head = path.read_text(encoding="utf-8", errors="replace")[:500].lower()
    return 'http-equiv="refresh"' in head and "<body" not in head


def book_pages(root=BOOK_HTML):
    """Paths (relative, POSIX) of the HTML pages a reader can open, redirect stubs excluded."""
    if not root.is_dir():
        return []
    pages, modules = [], []
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        top = rel.split("/", 1)[0]
        if top == "_modules":
            modules.append(rel)
        elif top.startswith("_") or is_redirect_stub(path):
            continue
        else:
            pages.append(rel)
    index = [m for m in modules if m == "_modules/index.html"]
    rest = [m for m in modules if m != "_modules/index.html"]
    return pages + index + rest[:MAX_MODULE_PAGES]


def pytest_generate_tests(metafunc):
    """One test per page of the book: ``page_path`` such as ``chapters/01-x.html``."""
    if "page_path" in metafunc.fixturenames:
        metafunc.parametrize("page_path", book_pages())


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@pytest.fixture(scope="session")
def book_root():
    """The built HTML directory; a missing build is an error, not a skip."""
    if not (BOOK_HTML / "intro.html").is_file():
        pytest.fail(
            f"no built book at {BOOK_HTML} (intro.html missing): run `make test-build` first, "
            "or point BOOK_HTML at a build's _build/html",
            pytrace=False,
        )
    return BOOK_HTML


@pytest.fixture(scope="session")
def base_url(book_root):
    """``http://127.0.0.1:<free port>/`` serving the book from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(book_root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless system Chromium; skipped only where it is not installed."""
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        pytest.skip(
            f"Chromium not found at {CHROMIUM}: install it with `sudo apt-get install chromium` "
            "(Debian/Ubuntu; `.ci/run` does this) or set CHROMIUM=/path/to/chromium"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh profile per test (Playwright gives each context its own storage)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def screenshot_dir(book_root):
    """``_build/screenshots`` next to the HTML, emptied once per session."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS
