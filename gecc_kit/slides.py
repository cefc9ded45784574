"""The facilitator's deck: ``slides/*.ipynb`` as reveal.js HTML that works with no network.

Each notebook's cells carry slide metadata (slide, subslide, fragment, notes). nbconvert's
SlidesExporter renders them with the kit's ``gecc-slides`` template, which loads reveal.js
only from ``reveal.js/`` beside the HTML: :func:`build_slides` copies it there from the copy
the set-up installed from npm (``package.json``, pinned: ``make slides`` or ``npm ci``).
Speaker notes open with the "s" key.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .errors import GeccError

__all__ = ["build_slides", "reveal_dir", "SLIDES_DIR", "SlidesError"]

PACKAGE = Path(__file__).resolve().parent
KIT_ROOT = PACKAGE.parent
SLIDES_DIR = KIT_ROOT / "slides"
NBCONVERT_TEMPLATES = PACKAGE / "share" / "jupyter" / "nbconvert" / "templates"


class SlidesError(GeccError):
    """The slides cannot be built (reveal.js is not installed, or no deck)."""


def reveal_dir() -> Path:
    """reveal.js as the set-up installed it (``$GECC_NODE_MODULES`` or the kit's node_modules)."""
    base = Path(os.environ.get("GECC_NODE_MODULES") or KIT_ROOT / "node_modules")
    path = base / "reveal.js"
    if not (path / "dist" / "reveal.js").is_file():
        raise SlidesError(
            f"reveal.js is not installed in {base}: run `make slides` (or `npm ci` in {KIT_ROOT}) once, with access to the npm registry."
        )
    return path


def build_slides(out: Path, decks: Path = SLIDES_DIR) -> list[Path]:
    """Every deck in ``decks`` as ``out/NAME.slides.html``, with reveal.js copied to ``out/reveal.js``."""
    import nbformat
    from nbconvert import SlidesExporter

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
        nb = nbformat.read(nb_path, as_version=4)
        body, _ = exporter.from_notebook_node(nb, resources={
            "language_code": "th",
            "metadata": {"name": nb_path.stem},
        })
        path = out / f"{nb_path.stem}.slides.html"
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written
