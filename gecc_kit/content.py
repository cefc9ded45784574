"""The teaching content of a module, read from its notebook (the single source).

Participants see each module on one page that stays open all day (see
:class:`gecc_kit.pages.JourneyApp`): the kernel shows the module's Markdown cells
around the module's app, as Voilà would show the notebook itself. Handouts,
JupyterLab and reviews read the same notebooks.

Core: no widgets, no storage. Markdown is rendered with mistune (already installed
with nbconvert, light enough for every kernel); the notebooks are the kit's own,
so their HTML is kept as written.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["ModuleContent", "module_content", "NOTEBOOKS"]

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@dataclass(frozen=True)
class ModuleContent:
    """A module's Markdown as HTML: what comes before its app cell, and what comes after."""

    before: str
    after: str


@lru_cache(maxsize=1)
def _markdown():
    import mistune

    return mistune.create_markdown(escape=False, plugins=["table", "strikethrough", "footnotes", "url"])


def render(markdown_text: str) -> str:
    """One Markdown cell as HTML, in the classes JupyterLab's CSS styles as a Markdown cell."""
    return f"<div class='jp-RenderedHTMLCommon jp-RenderedMarkdown gecc-teaching'>{_fold(_label_cells(_markdown()(markdown_text)))}</div>"


_H2 = re.compile(r"(?=<h2[\s>])")
_H2_WHOLE = re.compile(r"<h2[^>]*>.*?</h2>", re.S)
SECTION = "<details class='gecc-section' open>"
KEEP = "<details class='gecc-section gecc-section-keep' open>"


def _fold(html_text: str) -> str:
    """Each ``<h2>`` section as a ``<details>`` whose summary is the heading, open. A phone's page
    folds them (the page script), except the ones marked to keep (:func:`module_content`): a
    module's teaching is 5,000 px on a 390 px screen, its section titles fit on one."""
    parts = _H2.split(html_text)
    out = [parts[0]]
    for part in parts[1:]:
        head = _H2_WHOLE.match(part)
        if head is None:
            out.append(part)
            continue
        out.append(f"{SECTION}<summary>{head.group()}</summary>{part[head.end():]}</details>")
    return "".join(out)


def _keep(html_text: str, last: bool) -> str:
    """Mark the first (or the last) section of a module's text to stay open on a phone."""
    at = html_text.rfind(SECTION) if last else html_text.find(SECTION)
    return html_text if at < 0 else html_text[:at] + KEEP + html_text[at + len(SECTION):]


_TABLE = re.compile(r"<table>\s*<thead>(.*?)</thead>(.*?)</table>", re.S)


def _label_cells(html_text: str) -> str:
    """Each body cell of a Markdown table with its column's heading (``data-label``): a phone
    shows a wide table row by row, each cell under its heading (widgets._CSS), because Thai
    words do not break (a table of six columns is wider than 390 px)."""
    def table(m: re.Match) -> str:
        heads = [html.escape(re.sub(r"<[^>]+>", "", h).strip(), quote=True) for h in re.findall(r"<th[^>]*>(.*?)</th>", m.group(1), re.S)]

        def row(r: re.Match) -> str:
            cells = iter(heads)
            return re.sub(r"<td(?=[\s>])", lambda _c: f'<td data-label="{next(cells, "")}"', r.group())

        return m.group().replace(m.group(2), re.sub(r"<tr>.*?</tr>", row, m.group(2), flags=re.S), 1)

    return _TABLE.sub(table, html_text)


@lru_cache(maxsize=16)
def module_content(notebook: str, folder: str | None = None) -> ModuleContent:
    """The Markdown cells of ``notebook`` around its first code cell (the app), as HTML.

    A notebook that cannot be read gives empty content: the app still works.
    """
    path = Path(folder) if folder else NOTEBOOKS
    try:
        cells = json.loads((path / notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return ModuleContent("", "")
    before: list[str] = []
    after: list[str] = []
    seen_app = False
    for cell in cells:
        if cell.get("cell_type") == "code":
            seen_app = True
            continue
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        (after if seen_app else before).append(render(text))
    # On a phone the overview (the first section) and the exercise's instructions (the last one
    # before the app) stay open; the other sections fold to their titles.
    return ModuleContent(_keep(_keep("".join(before), last=False), last=True), "".join(after))
