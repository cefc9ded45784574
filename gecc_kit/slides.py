"""The facilitator's deck: ``slides/*.ipynb`` as reveal.js HTML that works with no network.

Each notebook's cells carry slide metadata (slide, subslide, fragment, notes). nbconvert's
SlidesExporter renders them with the kit's ``gecc-slides`` template, which loads reveal.js
only from ``reveal.js/`` beside the HTML: :func:`build_slides` copies it there from the copy
the set-up installed from npm (``package.json``, pinned: ``make slides`` or ``npm ci``).
Speaker notes open with the "s" key.

Before rendering, :func:`fill_deck` replaces the deck's placeholders (HTML comments in its
Markdown cells, so the notebook still reads as a deck in Jupyter) with the kit's data:

- ``<!-- gecc:agenda full -->`` / ``<!-- gecc:agenda half -->``: the plan from ``data/agenda.csv``
  (:func:`gecc_kit.agenda.agenda_html`), so the กำหนดการ slide and the day never disagree;
- ``<!-- gecc:slot KEY -->``: when a page (``01-location.ipynb``) or a kind (``consensus``)
  happens in each plan (:func:`gecc_kit.agenda.slot_text`), for slides and speaker notes;
- ``<!-- gecc:join -->``: the participants' link and its QR code, when the link is given
  (``join_url``, or ``$GECC_JOIN_URL``: the link ``gecc-kit serve`` prints); otherwise a
  visible placeholder for the facilitator to fill.
"""
from __future__ import annotations

import copy
import html
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from . import agenda
from .errors import GeccError
from .fonts import embedded_css

__all__ = ["build_slides", "fill_deck", "reveal_dir", "SLIDES_DIR", "SlidesError"]

PACKAGE = Path(__file__).resolve().parent
KIT_ROOT = PACKAGE.parent
SLIDES_DIR = KIT_ROOT / "slides"
NBCONVERT_TEMPLATES = PACKAGE / "share" / "jupyter" / "nbconvert" / "templates"


PLACEHOLDER = re.compile(r"<!--\s*gecc:([a-z]+)(?:\s+([^\s>]+))?\s*-->")

# The deck's own styles for what fill_deck inserts (the agenda table, the join link and QR code,
# the sources list); classes only, put before the first slide's content.
SLIDE_CSS = """<style type="text/css">
.reveal .slides section .jp-RenderedHTMLCommon table.gecc-agenda { font-size: 17px; line-height: 1.3; border-collapse: collapse; margin: 0; }
.reveal table.gecc-agenda th, .reveal table.gecc-agenda td { padding: 2px 12px; vertical-align: top; }
.reveal table.gecc-agenda td.gecc-agenda-time { white-space: nowrap; }
.reveal table.gecc-agenda td.gecc-agenda-minutes { text-align: right; }
.reveal table.gecc-agenda tr.gecc-agenda-break td { color: #666; }
.reveal table.gecc-agenda tr[data-kind="consensus"] td { font-weight: bold; }
.reveal .gecc-agenda-note { font-size: 14px; font-weight: normal; color: #555; }
.reveal .gecc-nowrap { white-space: nowrap; }
.reveal .gecc-join-qr { float: right; margin: 0 0 .3em 1em; }
.reveal .gecc-join-qr img { width: 300px; height: 300px; margin: 0; }
.reveal .gecc-join-link { font-size: 24px; font-family: "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; background: #eef4fb; padding: .2em .4em; }
.reveal .gecc-join-missing { font-family: inherit; color: #7a4b00; background: #fff6e0; }
.reveal .slides section .jp-RenderedHTMLCommon ul.gecc-sources li { font-size: 21px; line-height: 1.35; }
</style>"""


class SlidesError(GeccError):
    """The slides cannot be built (reveal.js is not installed, no deck, a bad placeholder or join link)."""


def reveal_dir() -> Path:
    """reveal.js as the set-up installed it (``$GECC_NODE_MODULES`` or the kit's node_modules)."""
    base = Path(os.environ.get("GECC_NODE_MODULES") or KIT_ROOT / "node_modules")
    path = base / "reveal.js"
    if not (path / "dist" / "reveal.js").is_file():
        raise SlidesError(
            f"reveal.js is not installed in {base}: run `make slides` (or `npm ci` in {KIT_ROOT}) once, with access to the npm registry."
        )
    return path


def _join_html(join_url: str | None) -> str:
    if not join_url:
        return ('<p class="gecc-join-link gecc-join-missing">ลิงก์เข้าร่วม: (วิทยากรใส่ลิงก์ที่ <code>gecc-kit serve</code> '
                'แสดง และฉาย QR code จากไฟล์ <code>var/join-qr.png</code>)</p>')
    import segno  # a dependency of the kit (the server draws the same QR code)

    uri = segno.make(join_url, error="m").svg_data_uri(scale=8, border=2)
    link = html.escape(join_url)
    return (f'<div class="gecc-join-qr"><img src="{html.escape(uri)}" alt="QR code ของลิงก์เข้าร่วม"></div>\n'
            f'<p class="gecc-join-link">{link}</p>')


def _check_join_url(join_url: str | None) -> str | None:
    if join_url is None:
        join_url = os.environ.get("GECC_JOIN_URL") or None
    if join_url is None:
        return None
    join_url = join_url.strip()
    parts = urlsplit(join_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s<>\"']", join_url):
        raise SlidesError(f"the join link {join_url[:80]!r} is not an http(s) link; copy the participants' link that `gecc-kit serve` prints.")
    return join_url


def fill_deck(nb, join_url: str | None = None, agenda_path: str | os.PathLike | None = None):
    """A copy of the deck ``nb`` with its placeholders filled (see the module's docstring).

    Raises
    ------
    SlidesError
        On an unknown placeholder or a join link that is not an http(s) link.
    gecc_kit.agenda.AgendaError
        When the agenda file is invalid.
    """
    join_url = _check_join_url(join_url)
    nb = copy.deepcopy(nb)
    where = ""  # the cell being filled, for the error message

    def fill(match: re.Match) -> str:
        what, arg = match.group(1), match.group(2) or ""
        if what == "agenda" and arg in agenda.PLANS:
            return agenda.agenda_html(arg, path=agenda_path)
        if what == "slot" and arg:
            text = agenda.slot_text(arg, path=agenda_path)
            if not text:
                raise SlidesError(f"{where}: the placeholder {match.group(0)!r} names {arg!r}, which no agenda row has (as its page or kind).")
            # one plan's slot never breaks inside its times ("10.35–11.15 น.")
            return " · ".join(f'<span class="gecc-nowrap">{html.escape(part)}</span>' for part in text.split(" · "))
        if what == "join" and not arg:
            return _join_html(join_url)
        raise SlidesError(f"{where}: unknown placeholder {match.group(0)!r}; use gecc:agenda full|half, gecc:slot PAGE-OR-KIND or gecc:join.")

    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type == "markdown":
            where = f"the deck's cell {number} ({cell.source.strip().splitlines()[0][:40] if cell.source.strip() else 'empty'})"
            cell.source = PLACEHOLDER.sub(fill, cell.source)
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is not None:
        first.source = SLIDE_CSS + "\n\n" + first.source
    return nb


def build_slides(out: Path, decks: Path = SLIDES_DIR, *, join_url: str | None = None,
                 agenda_path: str | os.PathLike | None = None) -> list[Path]:
    """Every deck in ``decks`` as ``out/NAME.slides.html``, with reveal.js copied to ``out/reveal.js``.

    ``join_url`` (default ``$GECC_JOIN_URL``) is the participants' link for the join slide;
    ``agenda_path`` (default ``$GECC_AGENDA`` or ``data/agenda.csv``) the agenda.
    """
    import nbformat
    from nbconvert import SlidesExporter

    join_url = _check_join_url(join_url)
    notebooks = sorted(decks.glob("*.ipynb"))
    if not notebooks:
        raise SlidesError(f"no slide notebook in {decks}.")
    source = reveal_dir()
    target = out / "reveal.js"
    out.mkdir(parents=True, exist_ok=True)
    for part in ("dist", "plugin/notes"):
        shutil.copytree(source / part, target / part, dirs_exist_ok=True)
    shutil.copy(source / "LICENSE", target / "LICENSE")
    exporter = SlidesExporter(template_name="gecc-slides", extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
                              exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                              reveal_url_prefix="reveal.js", reveal_theme="white", reveal_transition="slide",
                              reveal_scroll=False)
    written = []
    for nb_path in notebooks:
        nb = fill_deck(nbformat.read(nb_path, as_version=4), join_url=join_url, agenda_path=agenda_path)
        body, _ = exporter.from_notebook_node(nb, resources={
            "language_code": "th",
            "gecc_fonts": embedded_css(),  # Sarabun from npm inside the deck (no network)
            "metadata": {"name": nb_path.stem},
        })
        path = out / f"{nb_path.stem}.slides.html"
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written
