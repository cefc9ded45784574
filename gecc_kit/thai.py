"""Thai line breaking: the kit says where a line may break, rather than leaving it to chance.

Thai is written without spaces between words. Chromium (the participants' browsers and the
printer of the handouts) finds line breaks with ICU's dictionary, which cuts words the kit uses
all day: จอแส|ดงคิว, ผู้|สูงอายุ, เจ้า|หน้าที่, ระดับพื้น|ฐาน. So the kit marks the boundaries:

- :func:`segment` cuts text into words with a dictionary segmenter: pythainlp's ``newmm``
  (maximal matching) over pythainlp's word list plus ``data/thai-words.txt``, the kit's own
  compound terms, which are never cut (ด้านสถานที่, กำหนดเสร็จ, เจ้าหน้าที่, the glossary's terms).
- :func:`mark_html` marks them in HTML text only (never in tags, attributes, ``<style>``,
  ``<script>``, ``<title>``, ``<textarea>``, ``<code>``, ``<pre>``, SVG): a word of two or more
  letters becomes ``<gecc-w>`` (``white-space: nowrap``: no break inside), and words follow
  each other with ``<wbr>`` (a break is allowed there even where ICU sees none). Chromium
  honours both on screen and when printing; ``word-break: keep-all`` with ``<wbr>`` or U+200B
  is not honoured for Thai (measured with Chromium 156: it still breaks จอแส|ดงคิว). The word is
  an element of its own name (a custom element, inline), not a ``<span>``: a page's rules for
  spans (``.gecc-step span { display: inline-flex }``) must not reach it.

Where the segmenter runs (it costs about 80 MiB and 1.5 s to load, with the kit's words):

- Printed output (handouts, the worksheet, "my report" printed by ``gecc-kit``) is marked by
  :func:`mark_html` in the command's own process.
- ``gecc-kit serve`` first writes :func:`write_words`: every Thai run of the kit's texts (the
  notebooks, the labels and other texts in the code, the templates, the data files, the
  criteria being served) with its words, as JSON; then it execs Voilà, which frees that memory.
  Browsers fetch the file (``/voila/static/gecc-thai-words.json``) and the page template's
  ``thai-breaks.js`` marks text the same way as widgets draw it, so a participant's kernel
  never loads pythainlp. A kernel that makes "my report" marks the kit's texts in it from the
  same file (:func:`mark_known`). Text a participant typed is not in the file and is left to
  the browser, unless it is made of the kit's runs.

Core: no widgets, no storage; pythainlp is imported only by :func:`segment` and its callers.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

__all__ = ["segment", "words_of", "mark_html", "mark_known", "marked", "kit_words", "kit_sources", "thai_runs",
           "write_words", "load_words", "KIT_WORDS", "WORD_TAG", "WORDS_FILE", "WORDS_ENV"]

PACKAGE = Path(__file__).resolve().parent
KIT_ROOT = PACKAGE.parent
KIT_WORDS = KIT_ROOT / "data" / "thai-words.txt"
WORD_TAG = "gecc-w"  # a word that never breaks: ``white-space: nowrap`` (print.css.j2, widgets._CSS, thai-breaks.js)
WORDS_FILE = "gecc-thai-words.json"  # served as /voila/static/gecc-thai-words.json
WORDS_ENV = "GECC_THAI_WORDS"  # where a kernel finds it (set by ``gecc-kit serve``)
FORMAT = 1

# A piece of Thai that breaks only at word boundaries: an abbreviation (พ.ร.บ., ก.ค., พ.ศ.), kept
# whole, or a run of Thai letters, vowels, marks and digits. The same expression is in
# thai-breaks.js: keep them alike.
PIECE = re.compile(r"(?<![\u0E01-\u0E5B])(?:[\u0E01-\u0E2E][\u0E31-\u0E4E]?\.){2,}|[\u0E01-\u0E5B]+")
_MARKS = re.compile(r"[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]")  # vowels and tone marks above or below a letter
_NO_BREAK_BEFORE = ("ๆ", "ฯ")  # ไม้ยมก and ไปยาลน้อย stay with the word before them


def _letters(word: str) -> int:
    """How many places a word takes on a line (a letter and its marks are one)."""
    return len(_MARKS.sub("", word))


# --- the segmenter (pythainlp: loaded only where this is called) -----------------------------


def kit_words(path: Path = KIT_WORDS) -> frozenset[str]:
    """The kit's own words (``data/thai-words.txt``: one a line, ``#`` starts a comment)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(w for w in (line.split("#", 1)[0].strip() for line in lines) if w)


@lru_cache(maxsize=1)
def _newmm() -> Callable[[str], list[str]]:
    from pythainlp.corpus.common import thai_words
    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import dict_trie

    trie = dict_trie(set(thai_words()) | kit_words())
    return lambda run: word_tokenize(run, custom_dict=trie, engine="newmm", keep_whitespace=False)


@lru_cache(maxsize=1)
def _kit_words_re() -> re.Pattern | None:
    words = sorted(kit_words(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def _cut(piece: str) -> list[str]:
    """``newmm``, but the kit's words are never cut: maximal matching counts words, and where two
    cuts tie it may take a dictionary oddity (เจ้าหน้า|ที่มา, เจ้า|หน้าที่นั่ง) over the kit's word."""
    found = _kit_words_re()
    out: list[str] = []
    last = 0
    for m in found.finditer(piece) if found else ():
        if m.start() > last:
            out += _newmm()(piece[last:m.start()])
        out.append(m.group())
        last = m.end()
    if last < len(piece):
        out += _newmm()(piece[last:])
    return out


@lru_cache(maxsize=65536)
def words_of(piece: str) -> tuple[str, ...]:
    """A Thai piece (a match of :data:`PIECE`) as its words: an abbreviation stays whole, and so
    does every word of ``data/thai-words.txt``."""
    if "." in piece or len(piece) < 2:
        return (piece,)
    words: list[str] = []
    for w in _cut(piece):
        if words and (w.startswith(_NO_BREAK_BEFORE) or _letters(w) == 0):
            words[-1] += w
        else:
            words.append(w)
    return tuple(words)


def segment(text: str) -> list[str]:
    """``text`` cut at its word boundaries: each Thai word is an item, and so is each stretch of
    other text between Thai pieces. ``"".join(segment(text)) == text``."""
    out: list[str] = []
    last = 0
    for m in PIECE.finditer(text):
        if m.start() > last:
            out.append(text[last:m.start()])
        out.extend(words_of(m.group()))
        last = m.end()
    if last < len(text):
        out.append(text[last:])
    return out


# --- marking HTML ----------------------------------------------------------------------------


def marked(words: Sequence[str]) -> str:
    """A Thai piece's words as HTML: each word of two or more letters unbreakable, ``<wbr>``
    between words. Thai letters need no escaping."""
    return "<wbr>".join(f"<{WORD_TAG}>{w}</{WORD_TAG}>" if _letters(w) > 1 else w for w in words)


def _mark_text(text: str, words: Callable[[str], Sequence[str] | None]) -> str:
    def one(m: re.Match) -> str:
        found = words(m.group())
        if not found or (len(found) == 1 and _letters(found[0]) < 2):
            return m.group()
        return marked(found)

    return PIECE.sub(one, text)


# Elements whose text is never marked: raw text (scripts, styles, the title, a text field's
# value), code, and SVG or MathML (an HTML element is not allowed in them).
_RAW = ("script", "style", "title", "textarea")
_SKIP = frozenset(("code", "pre", "kbd", "samp", "svg", "math", "select", "option", "noscript", "template"))
_TAG = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[!?][^>]*>|<(/?)([A-Za-z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)


def mark_html(html: str, words: Callable[[str], Sequence[str] | None] | None = None) -> str:
    """``html`` with its Thai word boundaries marked (see the module's notes), in text only.

    ``words`` gives a Thai piece's words (None: leave it to the browser); by default the
    segmenter (:func:`words_of`, which loads pythainlp). Marked HTML is marked only once.
    """
    words = words or words_of
    out: list[str] = []
    skip: dict[str, int] = {}
    pos = 0
    while True:
        m = _TAG.search(html, pos)
        text = html[pos:m.start() if m else len(html)]
        if text:
            out.append(text if any(skip.values()) else _mark_text(text, words))
        if not m:
            break
        closing, name, rest = m.group(1), (m.group(2) or "").lower(), m.group(3) or ""
        end = m.end()
        if name in _RAW and not closing:
            close = re.compile(rf"</{name}\s*>", re.I).search(html, end)
            end = close.end() if close else len(html)
        elif name == WORD_TAG and not closing:  # already marked: copied as it is
            close = html.find(f"</{WORD_TAG}>", end)
            end = close + len(f"</{WORD_TAG}>") if close >= 0 else len(html)
        elif name in _SKIP and not rest.rstrip().endswith("/"):
            skip[name] = max(0, skip.get(name, 0) + (-1 if closing else 1))
        out.append(html[m.start():end])
        pos = end
    return "".join(out)


# --- the kit's texts, segmented once (``gecc-kit serve``), for browsers and kernels -------------


def kit_sources(notebooks: Path | None = None, criteria: Path | None = None, extra: Iterable[Path] = ()) -> list[Path]:
    """The files the kit's on-screen Thai comes from: its code (labels and other texts), its
    templates, its data files, the notebooks served, the criteria served (and their levels and
    meta files), and ``extra`` files (offices, questions, agenda set by the environment)."""
    files = [p for p in sorted(PACKAGE.rglob("*")) if p.suffix in (".py", ".j2", ".js", ".css", ".html") and p.is_file()]
    files += sorted((KIT_ROOT / "data").rglob("*.csv"))
    if notebooks is not None:
        files += sorted(p for p in Path(notebooks).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if criteria is not None:
        criteria = Path(criteria)
        files += sorted(criteria.parent.glob(f"{criteria.stem}*{criteria.suffix}"))
    files += [Path(p) for p in extra]
    return list(dict.fromkeys(p for p in files if p.is_file()))


def thai_runs(texts: Iterable[str]) -> set[str]:
    """Every Thai piece (see :data:`PIECE`) in ``texts`` that has more than one letter."""
    runs: set[str] = set()
    for text in texts:
        runs.update(r for r in PIECE.findall(text) if _letters(r) > 1)
    return runs


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ""


def write_words(target: Path, sources: Iterable[Path], texts: Iterable[str] = ()) -> tuple[Path, bool]:
    """Write ``target``: each Thai piece of ``sources`` and ``texts`` with its words (JSON:
    ``{"format", "digest", "words": ["จอแสดงคิว|ให้|บริการ", ...]}``, words split by ``|``).
    Pieces that need no mark (one short word) are left out. The file is written again only when
    the pieces, the kit's words or pythainlp changed (the segmenter is loaded only then).
    Returns the file and whether it was (re)written."""
    from importlib.metadata import PackageNotFoundError, version

    runs = sorted(thai_runs([*(_read(p) for p in sources), *texts]))
    try:
        segmenter = version("pythainlp")
    except PackageNotFoundError:
        segmenter = "none"
    digest = hashlib.sha256(json.dumps([FORMAT, segmenter, sorted(kit_words()), runs], ensure_ascii=False).encode()).hexdigest()
    try:
        if json.loads(target.read_text(encoding="utf-8")).get("digest") == digest:
            return target, False
    except (OSError, ValueError, AttributeError):
        pass
    entries = []
    for run in runs:
        ws = words_of(run)
        if len(ws) > 1 or _letters(ws[0]) > 1:
            entries.append("|".join(ws))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "digest": digest, "words": entries}, ensure_ascii=False, separators=(",", ":")),
                   encoding="utf-8")
    tmp.replace(target)
    return target, True


@lru_cache(maxsize=1)
def load_words(path: str) -> dict[str, str]:
    """A file of :func:`write_words` as {piece: its words split by ``|``} (kept as one string
    each: about 1 MiB in a kernel); empty when it cannot be read."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = data["words"] if data.get("format") == FORMAT else []
    except (OSError, ValueError, KeyError, AttributeError):
        return {}
    return {e.replace("|", ""): e for e in entries if isinstance(e, str)}


def _joined(run: str, known: dict[str, str], longest: int = 40) -> tuple[str, ...] | None:
    """A piece not in ``known`` that is a row of known pieces (a label's text and a level's name
    put together: ยังไม่ถึง + ระดับพื้นฐาน) as their words: the fewest pieces, longer first; None
    when it is not. The same rule is in thai-breaks.js."""
    n = len(run)
    best: list[int | None] = [0] + [None] * n
    prev = [0] * (n + 1)
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(min(n, i + longest), i, -1):
            if run[i:j] in known and (best[j] is None or best[i] + 1 < best[j]):
                best[j], prev[j] = best[i] + 1, i
    if best[n] is None:
        return None
    parts = []
    j = n
    while j > 0:
        parts.append(known[run[prev[j]:j]])
        j = prev[j]
    return tuple("|".join(reversed(parts)).split("|"))


def mark_known(html: str, path: str | os.PathLike | None = None) -> str:
    """:func:`mark_html` with the words of the file :func:`write_words` wrote (``path``, else
    ``$GECC_THAI_WORDS``), without the segmenter: for a participant's kernel. Pieces the file does
    not know are left to the browser; without the file nothing is marked."""
    path = path or os.environ.get(WORDS_ENV)
    known = load_words(str(path)) if path else {}
    if not known:
        return html
    return mark_html(html, lambda run: known[run].split("|") if run in known else _joined(run, known))


def _main(argv: list[str] | None = None) -> int:
    """``python -m gecc_kit.thai TEXT...``: each text cut into words (``|`` between them)."""
    import sys

    for text in (argv if argv is not None else sys.argv[1:]):
        print("|".join(segment(text)))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
