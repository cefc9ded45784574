"""Sarabun, the Thai font of the kit's pages and paper: installed by the set-up from npm
(``@fontsource/sarabun``, pinned in package.json; ``npm ci`` puts it in node_modules/), served by
the kit itself, never fetched from a CDN.

- Screen: ``gecc-kit serve`` copies the woff2 files into Voilà's static files
  (``/voila/static/fonts/``) with the @font-face rules the page template includes
  (:func:`gecc_kit.server.web_fonts`).
- Paper (handouts, worksheet, "my report", the summary) and the slides: the CSS embeds the files
  as data: URLs (:func:`embedded_css`), so the PDFs Chromium prints from local HTML carry Sarabun.
- Charts: :func:`gecc_kit.analysis.thai_font` registers them with matplotlib (:func:`matplotlib_files`).

Without node_modules every one of them falls back to the machine's Thai fonts (e.g. Laksaman
or Loma from fonts-thai-tlwg). Only the Thai and Latin subsets are used; the weights are the
regular, the semibold of titles and the bold.
"""
from __future__ import annotations

import base64
import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

__all__ = ["FAMILY", "SUBSETS", "WEIGHTS", "PRINT_WEIGHTS", "font_dir", "font_file", "installed", "face_css", "embedded_css",
           "matplotlib_files"]

KIT_ROOT = Path(__file__).resolve().parent.parent
FAMILY = "Sarabun"
# Each subset's unicode-range, as the package's own CSS (Google Fonts' subsets) gives it: the
# browser fetches a file only when the page has a letter of its range.
SUBSETS = {
    "thai": "U+02D7, U+0303, U+0331, U+0E01-0E5B, U+200C-200D, U+25CC",
    "latin": "U+0000-00FF, U+0131, U+0152-0153, U+02BB-02BC, U+02C6, U+02DA, U+02DC, U+0304, U+0308, U+0329, "
             "U+2000-206F, U+20AC, U+2122, U+2191, U+2193, U+2212, U+2215, U+FEFF, U+FFFD",
}
WEIGHTS = (400, 600, 700)  # the screen: text, titles (600) and bold; a face is fetched only when used
PRINT_WEIGHTS = (400, 700)  # embedded in every printed page: 600 is drawn with 700 (the nearest heavier face)


def font_dir() -> Path:
    """Where the set-up installed the font files (``$GECC_NODE_MODULES`` or the kit's node_modules)."""
    base = Path(os.environ.get("GECC_NODE_MODULES") or KIT_ROOT / "node_modules")
    return base / "@fontsource" / "sarabun" / "files"


def font_file(subset: str, weight: int, ext: str = "woff2") -> Path:
    return font_dir() / f"sarabun-{subset}-{weight}-normal.{ext}"


def installed(weights: tuple[int, ...] = WEIGHTS) -> bool:
    """True when every file of ``weights`` (Thai and Latin) is there."""
    return all(font_file(s, w).is_file() for s in SUBSETS for w in weights)


def face_css(url: Callable[[Path], str], weights: tuple[int, ...] = WEIGHTS, display: str = "swap") -> str:
    """The @font-face rules of Sarabun's ``weights``, each woff2 file at ``url(path)``."""
    return "\n".join(
        f'@font-face {{ font-family: "{FAMILY}"; font-style: normal; font-weight: {w}; font-display: {display}; '
        f'src: url("{url(font_file(s, w))}") format("woff2"); unicode-range: {r}; }}'
        for w in weights for s, r in SUBSETS.items()
    )


def matplotlib_files() -> list[Path]:
    """Sarabun as TrueType files for matplotlib, whose FreeType reads neither woff2 nor woff: for each
    of :data:`PRINT_WEIGHTS`, the package's Thai and Latin woff files merged by fontTools (a
    matplotlib dependency) into one file in matplotlib's cache folder, made again only when the
    package's files are newer; [] when Sarabun is not installed."""
    if not all(font_file(s, w, "woff").is_file() for s in SUBSETS for w in PRINT_WEIGHTS):
        return []
    from fontTools.merge import Merger
    from matplotlib import get_cachedir

    folder = Path(get_cachedir()) / "gecc-kit-fonts"
    files = []
    for weight in PRINT_WEIGHTS:
        sources = [font_file(s, weight, "woff") for s in SUBSETS]
        target = folder / f"{FAMILY}-{weight}.ttf"
        if not target.is_file() or target.stat().st_mtime < max(p.stat().st_mtime for p in sources):
            folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
            Merger().merge([str(p) for p in sources]).save(str(tmp))
            tmp.replace(target)
        files.append(target)
    return files


def embedded_css() -> str:
    """The rules with the files as data: URLs (about 100 KB), for a page printed or opened with no
    server; "" when Sarabun is not installed (the CSS's next fonts are used)."""
    return _embedded(str(font_dir()))


@lru_cache(maxsize=2)
def _embedded(folder: str) -> str:
    if not installed(PRINT_WEIGHTS):
        return ""
    # block: a page is printed once its fonts are in, never with the fallback first
    return face_css(lambda p: "data:font/woff2;base64," + base64.b64encode(p.read_bytes()).decode("ascii"),
                    PRINT_WEIGHTS, display="block")
