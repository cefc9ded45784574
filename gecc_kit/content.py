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

import json
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
    return f"<div class='jp-RenderedHTMLCommon jp-RenderedMarkdown gecc-teaching'>{_markdown()(markdown_text)}</div>"


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
    return ModuleContent("".join(before), "".join(after))
