"""Printing HTML to A4 PDF with a Chromium-family browser found on the machine.

nbconvert's own ``--to webpdf`` needs Playwright's private Chromium (downloaded
from the internet); a browser already installed prints the same HTML offline
(see ../shared/TECH-NOTES.md). The page size, margins, running header and page
numbers come from the HTML's own ``@page`` CSS (``templates/print.css.j2``).

Which browser: the ``browser`` argument (``--browser``), else ``$GECC_BROWSER``,
else the first of :data:`CANDIDATES` found. None found is a :class:`BrowserNotFound`
with what to install.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import GeccError

__all__ = ["BrowserNotFound", "PrintBusy", "PrintError", "find_browser", "print_pdf", "print_many", "CANDIDATES"]

CANDIDATES = (
    "/usr/lib/chromium/chromium-headless-shell",  # Debian's chromium-headless-shell: the quickest
    "chromium-headless-shell",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "brave-browser",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "C:/Program Files/Google/Chrome/Application/chrome.exe",
    "C:/Program Files (x86)/Microsoft/Edge/Application/msedge.exe",
)


class BrowserNotFound(GeccError):
    """No Chromium-family browser to print PDFs with."""


class PrintError(GeccError):
    """The browser did not produce a PDF."""


class PrintBusy(PrintError):
    """No printing slot came free in time (many people asked for files at once)."""


def find_browser(browser: str | os.PathLike | None = None) -> str:
    """The browser that prints PDFs (see the module docstring)."""
    wanted = str(browser) if browser else os.environ.get("GECC_BROWSER", "").strip()
    if wanted:
        path = shutil.which(wanted) or (wanted if Path(wanted).is_file() and os.access(wanted, os.X_OK) else None)
        if not path:
            raise BrowserNotFound(f"the browser {wanted!r} (from --browser or GECC_BROWSER) is not an executable file.")
        return path
    for name in CANDIDATES:
        path = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
        if path:
            return path
    raise BrowserNotFound(
        "no Chromium-family browser found to print PDFs. Install one (Debian/Ubuntu: apt-get install chromium), "
        "or give its path with --browser PATH or GECC_BROWSER. The HTML files are written all the same."
    )


def _command(browser: str, html: Path, pdf: Path, profile: str) -> list[str]:
    return [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-pdf-header-footer",  # the page's own @page header and page numbers instead
        f"--user-data-dir={profile}",
        "--virtual-time-budget=10000",
        f"--print-to-pdf={pdf}",
        html.resolve().as_uri(),
    ]


SLOTS = max(1, min(4, os.cpu_count() or 1))  # browsers printing at once on this machine, across processes


SLOT_WAIT = 60.0  # seconds a print waits for a slot before it gives up (and the page says so in Thai)


@contextmanager
def _print_slot(wait: float = SLOT_WAIT):
    """Wait for one of :data:`SLOTS` machine-wide printing slots (lock files in the temp folder).

    Sixty participants pressing "prepare my files" at once start sixty browsers otherwise;
    with the slots they take turns, a second or so each. Where file locks are not available
    (Windows) printing is not limited.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    # One folder per user (another user's lock files could not be opened): the limit holds for
    # the processes of one account, which is how the server and its kernels run.
    folder = Path(tempfile.gettempdir()) / f"gecc-kit-print-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        files = [open(folder / f"slot-{i}.lock", "a") for i in range(SLOTS)]
    except OSError:  # no usable temp folder: print without the limit rather than not at all
        yield
        return
    held = None
    deadline = time.monotonic() + wait
    try:
        while held is None:
            for f in files:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    held = f
                    break
                except OSError:
                    continue
            else:
                if time.monotonic() > deadline:
                    raise PrintBusy(f"every printing slot stayed busy for {wait:g} s.")
                time.sleep(0.1)
        yield
    finally:
        if held is not None:
            fcntl.flock(held, fcntl.LOCK_UN)
        for f in files:
            f.close()


def print_pdf(html: str | os.PathLike, pdf: str | os.PathLike, browser: str | None = None, timeout: float = 120,
              wait: float | None = None) -> Path:
    """Print one HTML file to a PDF file (A4, from the page's CSS); PrintBusy after ``wait`` s without a slot."""
    html, pdf = Path(html), Path(pdf)
    browser = find_browser(browser)
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.unlink(missing_ok=True)
    with _print_slot(SLOT_WAIT if wait is None else wait), tempfile.TemporaryDirectory(prefix="gecc-print-") as profile:
        try:
            done = subprocess.run(_command(browser, html, pdf.resolve(), profile), capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PrintError(f"{browser} did not finish printing {html.name} within {timeout:g} s.") from None
    if not pdf.is_file() or pdf.stat().st_size == 0 or not pdf.read_bytes().startswith(b"%PDF"):
        last = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise PrintError(f"{browser} printed no PDF for {html.name} (exit {done.returncode}: {last[0][:200]}).")
    return pdf


def print_many(jobs: Iterable[tuple[Path, Path]], browser: str | None = None, workers: int | None = None) -> list[Path]:
    """Print (html, pdf) pairs, a few browsers at a time (one per core, at most 4)."""
    jobs = list(jobs)
    browser = find_browser(browser)
    workers = workers or SLOTS
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: print_pdf(job[0], job[1], browser), jobs))
