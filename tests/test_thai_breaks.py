"""Thai lines break between words, never inside one (gecc_kit/thai.py), on paper and on screen.

Every line of every handout PDF and of a printed "my report" is read back with
``pdftotext -layout`` (and ``-raw``, whose content order keeps a table cell's lines together)
and found in the page's own text; where a line ends must be a word boundary of the segmenter.
On screen, a participant's pages at 390 px are measured with ``Range.getClientRects``.
A set of words seen split before (issue 15) must never be split.
"""
from __future__ import annotations

import html as htmllib
import json
import os
import re
import subprocess
import sys
import textwrap
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from gecc_kit import load_standard, thai
from gecc_kit.quiz import load_questions
from conftest import NOTEBOOKS, SAMPLE_CRITERIA, ROOT
from test_server import browser, pre_tested, server  # noqa: F401  (fixtures)

KNOWN = ("ด้านสถานที่", "จอแสดงคิว", "ผู้สูงอายุ", "เจ้าหน้าที่", "กำหนดเสร็จ", "ระดับพื้นฐาน")
MARK = re.compile(r"[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]")  # a line never starts with a mark above or below


# --- what counts as "inside a word" --------------------------------------------------------


def inside_words(text: str) -> set[int]:
    """Offsets in ``text`` where a line break would cut a word of the segmenter (the break goes
    before the character at that offset)."""
    bad, pos = set(), 0
    for piece in thai.segment(text):
        if thai.PIECE.fullmatch(piece) and len(MARK.sub("", piece)) > 1:
            bad.update(pos + i for i in range(1, len(piece)) if not MARK.match(piece[i]))
        pos += len(piece)
    return bad


def squash(text: str) -> str:
    """Without whitespace (pdftotext puts spaces inside some Thai clusters: ฝึ ก, เป็ น), NFC, and
    the sara am that some fonts' maps give as two characters made one."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", "", text)).replace("\u0e4d\u0e32", "\u0e33")


def squashed_inside_words(text: str) -> tuple[str, set[int]]:
    """``text`` squashed, and :func:`inside_words` in the squashed text's offsets."""
    index, out = {}, []
    for i, ch in enumerate(text):
        if not ch.isspace():
            index[i] = len(out)
            out.append(ch)
    return squash("".join(out)), {index[i] for i in inside_words(text) if i in index}


_BLOCK = re.compile(r"<(?:br|p|div|li|tr|td|th|h[1-6]|table|ul|ol|section|details|summary|pre|main|body|dt|dd|blockquote|hr)\b[^>]*>|"
                    r"</(?:p|div|li|tr|td|th|h[1-6]|table|ul|ol|section|details|summary|pre|main|dt|dd|blockquote)>", re.I)


def shown_text(page_html: str) -> str:
    """The text a browser shows for ``page_html``: head, styles, scripts and JupyterLab's heading
    anchors (¶, hidden) out, blocks on lines of their own, inline tags (the marks among them)
    joined, entities decoded."""
    body = re.sub(r"<head\b.*?</head>|<style\b.*?</style>|<script\b.*?</script>|<!--.*?-->|<a class=\"anchor-link\"[^>]*>.*?</a>", "",
                  page_html, flags=re.S | re.I)
    body = _BLOCK.sub("\n", body)
    return htmllib.unescape(re.sub(r"<[^>]+>", "", body))


# The running header and the page numbers (print.css.j2's @page boxes): not in the page's text.
FURNITURE = re.compile("|".join([re.escape(squash("ชุดฝึกอบรมมาตรฐานศูนย์ราชการสะดวก (GECC)")),
                                 re.escape(squash("เกณฑ์ในเอกสารนี้เป็นตัวอย่างเพื่อการฝึก ไม่ใช่แบบประเมินทางการ")), r"หน้า\d+/\d+"]))


def pdf_lines(pdf: Path, mode: str) -> list[str]:
    """The lines of ``pdftotext -<mode>``, squashed, without empty lines and the page furniture
    (so the last line of a page and the first of the next are neighbours, as in the text)."""
    out = subprocess.run(["pdftotext", f"-{mode}", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    lines = [squash(line) for line in re.split(r"[\n\f]", out)]
    return [line for line in lines if line and FURNITURE.sub("", line)]


def line_breaks(pdf: Path, mode: str) -> list[tuple[str, str]]:
    """Each pair of consecutive lines of :func:`pdf_lines`."""
    lines = pdf_lines(pdf, mode)
    return list(zip(lines, lines[1:]))


def split_words(pairs, words=KNOWN) -> list[str]:
    """Known words cut across two lines: ``ด้านสถาน|ที่``."""
    return [f"{a[-12:]}|{b[:12]}" for a, b in pairs for w in words
            for k in range(1, len(w)) if a.endswith(w[:k]) and b.startswith(w[k:])]


def check_pdf(pdf: Path, page_html: str) -> dict:
    """Every line end of the PDF judged against the page's own text and its segmentation.

    A line end is found by looking up the two squashed lines around it in the page's squashed
    text (a list's number, drawn by CSS, is taken off a line that is not found with it): when
    they follow each other there, the end must not be inside a word (if they occur more than
    once, it is wrong when it is inside a word at every occurrence); when the first ends a block and the second starts one,
    it is a block's end. Lines that pdftotext put side by side from a table's columns (-layout)
    are not found: they are counted, and -raw (content order) reads those cells line by line."""
    shown = shown_text(page_html)
    source, bad = squashed_inside_words(shown)
    blocks = [squash(b) for b in shown.split("\n") if squash(b)]
    result = {"wrong": [], "judged": {"layout": 0, "raw": 0}, "block_ends": 0, "unfound": {"layout": [], "raw": []}}
    for mode in ("layout", "raw"):
        for a, b in line_breaks(pdf, mode):
            a, b = (x if x in source else re.sub(r"^\d+\.", "", x) for x in (a, b))
            at = [m.start() + len(a) for m in re.finditer(re.escape(a + b), source)]
            if at:
                result["judged"][mode] += 1
                if all(pos in bad for pos in at):
                    result["wrong"].append(f"{a[-12:]}|{b[:12]}")
            elif any(x.endswith(a) for x in blocks) and any(x.startswith(b) for x in blocks):
                result["block_ends"] += 1
            else:
                result["unfound"][mode].append(f"{a[-12:]}|{b[:12]}")
    return result


def assert_breaks_between_words(pdf: Path, page_html: str, least: int = 40, least_layout: int | None = None) -> None:
    found = check_pdf(pdf, page_html)
    assert not found["wrong"], f"{pdf.name}: lines end inside a word: {found['wrong']}"
    # Not vacuous: -layout's lines are judged where they are one column's, and -raw judges
    # nearly every line end (what it does not find is a list's number or the like).
    judged, unfound = found["judged"], found["unfound"]
    assert judged["layout"] >= (least if least_layout is None else least_layout) and judged["raw"] >= least, (pdf.name, judged)
    assert len(unfound["raw"]) <= max(3, judged["raw"] // 20), (pdf.name, judged, unfound["raw"])
    pairs = line_breaks(pdf, "layout") + line_breaks(pdf, "raw")
    assert not split_words(pairs), f"{pdf.name}: {split_words(pairs)}"


# --- the segmenter and the marks -----------------------------------------------------------


def test_the_segmenter_keeps_the_kits_words_whole():
    text = "ศูนย์ราชการสะดวกมีจอแสดงคิว ผู้สูงอายุและเจ้าหน้าที่ด้านสถานที่ กำหนดเสร็จภายใน ระดับพื้นฐาน พ.ร.บ. การอำนวยความสะดวกฯ ต่างๆ"
    pieces = thai.segment(text)
    assert "".join(pieces) == text
    for word in (*KNOWN, "ศูนย์ราชการสะดวก", "พ.ร.บ.", "การอำนวยความสะดวกฯ", "ต่างๆ"):
        assert word in pieces, (word, pieces)
    assert all(w in thai.kit_words() for w in KNOWN), "the words issue 15 saw split are in data/thai-words.txt"
    # pythainlp alone (and the browser's ICU) cut these: the kit's words are what keeps them whole,
    # also where the dictionary offers a tie (เจ้าหน้า|ที่มา, เจ้า|หน้าที่นั่ง)
    assert thai.segment("จอแสดงคิว") == ["จอแสดงคิว"] and thai.segment("กำหนดเสร็จ") == ["กำหนดเสร็จ"]
    assert thai.segment("ของเจ้าหน้าที่มาพัฒนา") == ["ของ", "เจ้าหน้าที่", "มา", "พัฒนา"]
    assert thai.segment("แต่ไม่มีเจ้าหน้าที่นั่งประจำ")[3:] == ["เจ้าหน้าที่", "นั่ง", "ประจำ"]


def test_marks_go_into_text_only():
    page = ("<html><head><title>ด้านสถานที่</title><style>.x::after { content: 'จอแสดงคิว'; }</style>"
            "<script>var s = 'ผู้สูงอายุ';</script></head><body>"
            "<p title='เจ้าหน้าที่' data-x=\"a > b\">มีจอแสดงคิว &amp; ผู้สูงอายุ</p>"
            "<pre>ห้ามแตะต้อง</pre><code>ด้านสถานที่</code><svg><text>ระดับพื้นฐาน</text></svg>"
            "<textarea>กำหนดเสร็จ</textarea><b>ที่</b></body></html>")
    marked = thai.mark_html(page)
    assert '<p title=\'เจ้าหน้าที่\' data-x="a > b">มี<wbr><gecc-w>จอแสดงคิว</gecc-w> &amp; <gecc-w>ผู้สูงอายุ</gecc-w></p>' in marked
    for untouched in ("<title>ด้านสถานที่</title>", "content: 'จอแสดงคิว'", "var s = 'ผู้สูงอายุ';", "<pre>ห้ามแตะต้อง</pre>",
                      "<code>ด้านสถานที่</code>", "<text>ระดับพื้นฐาน</text>", "<textarea>กำหนดเสร็จ</textarea>", "<b>ที่</b>"):
        assert untouched in marked, untouched
    assert thai.mark_html(marked) == marked, "marked once"
    assert shown_text(marked) == shown_text(page), "the text itself does not change"


def test_a_wide_teaching_table_can_be_read_row_by_row_on_a_phone():
    """Words do not break, so a table of six columns is wider than a phone: each cell carries its
    column's heading, and the phone's CSS shows the rows one under the other."""
    from gecc_kit.content import render
    from gecc_kit.widgets import _CSS

    html = render("| | ข้อเกณฑ์ | กำหนดเสร็จ |\n|---|---|---|\n| ✅ ดี | L08 | ภายใน 30 วัน |\n")
    assert '<td data-label="">✅ ดี</td>' in html and '<td data-label="กำหนดเสร็จ">ภายใน 30 วัน</td>' in html
    assert "td[data-label]:not([data-label=''])::before" in _CSS and "@media (max-width: 600px)" in _CSS


def test_the_page_script_finds_thai_as_the_module_does():
    """thai-breaks.js marks the screen as thai.py marks paper: the same pieces, words, marks."""
    js = (ROOT / "gecc_kit/share/jupyter/voila/templates/gecc/thai-breaks.js").read_text(encoding="utf-8")
    piece = re.search(r"var PIECE = /(.*)/g;", js).group(1)
    marks = re.search(r"var MARKS = /(.*)/g;", js).group(1)
    assert piece == thai.PIECE.pattern and marks == thai._MARKS.pattern
    assert 'var WORD = "GECC-W", TEXT = "GECC-T";' in js and thai.WORD_TAG == "gecc-w"
    template = (ROOT / "gecc_kit/share/jupyter/voila/templates/gecc/index.html.j2").read_text(encoding="utf-8")
    assert "{% include 'thai-breaks.js' %}" in template


def test_the_words_file_is_cut_once_and_read_without_the_segmenter(tmp_path):
    source = tmp_path / "texts.csv"
    source.write_text("id,title\n1,มีจอแสดงคิวและป้ายบอกทาง\n2,ผ่าน\n3,ยังไม่ถึง\n", encoding="utf-8")
    target = tmp_path / "public" / thai.WORDS_FILE
    assert thai.write_words(target, [source])[1] is True
    assert thai.write_words(target, [source]) == (target, False), "unchanged texts: not cut again"
    words = json.loads(target.read_text(encoding="utf-8"))["words"]
    assert "มี|จอแสดงคิว|และ|ป้ายบอกทาง" in words and "ผ่าน" in words
    source.write_text(source.read_text(encoding="utf-8") + "4,ระดับพื้นฐาน\n", encoding="utf-8")
    assert thai.write_words(target, [source])[1] is True, "a changed text: cut again"
    # A kernel marks "my report" from the file alone: pythainlp is never imported there.
    script = textwrap.dedent(f"""
        import sys
        from gecc_kit import thai
        html = "<p>มีจอแสดงคิวและป้ายบอกทาง ยังไม่ถึงระดับพื้นฐาน สมชายพิมพ์เอง</p>"
        print(thai.mark_known(html, {str(target)!r}))
        print("pythainlp" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    assert out[1] == "False"
    assert out[0] == ('<p>มี<wbr><gecc-w>จอแสดงคิว</gecc-w><wbr><gecc-w>และ</gecc-w><wbr>'
                      '<gecc-w>ป้ายบอกทาง</gecc-w> <gecc-w>ยัง</gecc-w><wbr><gecc-w>ไม่</gecc-w><wbr>'
                      '<gecc-w>ถึง</gecc-w>'
                      '<wbr><gecc-w>ระดับพื้นฐาน</gecc-w> สมชายพิมพ์เอง</p>'), "known runs and a row of them; typed text left alone"


def test_a_participants_kernel_never_loads_the_segmenter(tmp_path):
    """The pages, the summary and "my report" as a kernel makes it: no pythainlp in the process."""
    words, _ = thai.write_words(tmp_path / thai.WORDS_FILE, thai.kit_sources(NOTEBOOKS, SAMPLE_CRITERIA))
    script = textwrap.dedent(f"""
        import sys
        import gecc_kit.pages, gecc_kit.summary, gecc_kit.knowledge, gecc_kit.content
        from gecc_kit import load_standard
        from gecc_kit.reports import ReportData, report_html
        from gecc_kit.content import module_content
        standard = load_standard({str(SAMPLE_CRITERIA)!r})
        module_content("01-location.ipynb")
        html = report_html(ReportData(standard, "ก", "ข", "1", {{}}, {{}}))
        print('<gecc-w>ระดับพื้นฐาน</gecc-w>' in html, sorted(m for m in sys.modules if m.startswith("pythainlp")))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT,
                         env=dict(os.environ, GECC_THAI_WORDS=str(words))).stdout
    assert out.strip() == "True []", "the report is marked from the words file, without the segmenter"


# --- paper ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standard():
    return load_standard(SAMPLE_CRITERIA)


@pytest.fixture(scope="module")
def handouts(tmp_path_factory):
    from gecc_kit.cli import main

    out = tmp_path_factory.mktemp("handouts")
    assert main(["handouts", "--out", str(out)]) == 0
    return out


def test_every_line_of_every_handout_ends_between_words(handouts):
    pdfs = sorted(handouts.glob("*.pdf"))
    assert len(pdfs) == len(list(NOTEBOOKS.glob("*.ipynb")))
    seen = ""
    for pdf in pdfs:
        page_html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        assert_breaks_between_words(pdf, page_html)
        seen += squash(shown_text(page_html))
    assert all(w in seen for w in KNOWN[:4]), "the handouts use the words that were split before"


def test_every_line_of_the_worksheet_ends_between_words(tmp_path, standard):
    from gecc_kit.handouts import build_worksheet

    built = build_worksheet(tmp_path / "worksheet.pdf", standard)
    # The evidence to look for is set beside each criterion, so most -layout lines hold two
    # columns (not judged); -raw reads every cell's lines in order and judges them all.
    assert_breaks_between_words(built.pdf[0], built.html[0].read_text(encoding="utf-8"), least_layout=20)


def test_every_line_of_my_report_ends_between_words(tmp_path, sqlite_store, standard):
    from gecc_kit.handouts import build_reports
    from gecc_kit.practice import seed_demo
    from gecc_kit.scoring import Status

    people = seed_demo(sqlite_store, "THB", standard, load_questions())[:1]
    p = people[0]
    answers = sqlite_store.answers(p.id)
    gaps = [c.id for c in standard.criteria if c.id in answers and answers[c.id].status not in (None, Status.MET)][:3]
    for i, cid in enumerate(gaps):
        sqlite_store.save_plan_item(p.id, cid, chosen=True, action="จัดให้มีจอแสดงคิวและที่นั่งสำหรับผู้สูงอายุ" * (i + 1),
                                    owner="เจ้าหน้าที่ด้านสถานที่", due=date(2027, 3, 31), indicator="ผ่านระดับพื้นฐาน")
    room = sqlite_store.room("THB")
    room.participants = people
    built = build_reports(tmp_path, standard, room)
    pdf, page_html = built.pdf[0], built.html[0].read_text(encoding="utf-8")
    assert_breaks_between_words(pdf, page_html)
    text = squash(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert "กำหนดเสร็จ" in text and "ระดับพื้นฐาน" in text
    # A date never wraps: "31 มี.ค. 2570" is on one line.
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"31 มี\.ค\. 2570", layout), "the due date on one line"


# --- the screen ----------------------------------------------------------------------------

LINES_JS = """() => {
  const blocks = new Map();
  function blockOf(el) {
    for (; el && el !== document.body; el = el.parentElement) {
      const d = getComputedStyle(el).display;
      if (d !== 'inline' && d !== 'contents') { return el; }
    }
    return document.body;
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const p = n.parentElement;
    if (!p || p.closest('script, style, textarea, select, svg, code, pre')) { continue; }
    const b = blockOf(p);
    if (!blocks.has(b)) { blocks.set(b, { text: '', tops: [] }); }
    const rec = blocks.get(b);
    for (let i = 0; i < n.data.length; i++) {
      const r = document.createRange();
      r.setStart(n, i); r.setEnd(n, i + 1);
      const rect = r.getClientRects()[0];
      rec.text += n.data[i];
      rec.tops.push(rect && rect.width > 0 ? [rect.top, rect.height] : null);
    }
  }
  const out = [];
  for (const rec of blocks.values()) {
    const breaks = [];
    let last = null;
    rec.tops.forEach((t, i) => {
      if (!t) { return; }
      if (last && t[0] > last[0] + 0.5 * Math.min(t[1], last[1])) { breaks.push(i); }
      last = t;
    });
    if (/[\\u0E01-\\u0E5B]/.test(rec.text)) { out.push({ text: rec.text, breaks: breaks }); }
  }
  return out;
}"""


def screen_breaks(page) -> tuple[list[str], int]:
    """(line breaks inside a word, line breaks seen) of the page as it is drawn now."""
    wrong, count = [], 0
    for block in page.evaluate(LINES_JS):
        text, bad = block["text"], inside_words(block["text"])
        for at in block["breaks"]:
            count += 1
            if at in bad or split_words([(text[:at].rstrip(), text[at:].lstrip())]):
                wrong.append(f"{text[max(0, at - 12):at]}|{text[at:at + 12]}")
    return wrong, count


@pytest.mark.browser
def test_a_phone_breaks_thai_between_words_only(server, browser):
    from gecc_kit.scoring import Status
    from gecc_kit.store import Store

    standard = load_standard(SAMPLE_CRITERIA)
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ทดสอบตัดคำ", "สำนักงานเขตทดสอบ", "3"))
    for c in standard.for_factor("location")[:4]:
        store.save_answer(p.id, c.id, status=Status.PARTIAL)
        store.save_plan_item(p.id, c.id, chosen=True, action="ติดป้าย", due=date(2027, 3, 31))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    page = context.new_page()
    total = 0
    try:
        for notebook, ready in [("00-welcome.ipynb", ".gecc-welcome"), ("06-knowledge-check.ipynb", ".gecc-quiz-pre"),
                                ("00-gecc-basics.ipynb", ".gecc-basics"), ("01-location.ipynb", ".gecc-criterion"),
                                ("05-summary.ipynb", ".gecc-plan-row")]:
            page.goto(f"{server.base}/voila/render/{notebook}?w=E2E&p={p.token}")
            page.wait_for_selector(ready, timeout=90_000)
            page.wait_for_function("window.gecc && window.gecc.thaiWords > 0", timeout=30_000)
            page.wait_for_timeout(1000)  # the last widgets drawn and marked
            # the top bar's menu and every folded part open: their lines are measured too
            page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
            page.wait_for_timeout(300)
            assert page.locator("gecc-w").count() > 20, f"{notebook}: the page's Thai is marked"
            wrong, count = screen_breaks(page)
            assert not wrong, f"{notebook} at 390 px: lines broken inside a word: {wrong}"
            total += count
    finally:
        context.close()
        store.close()
    assert total > 200, "the pages wrapped many lines"


@pytest.mark.browser
def test_the_words_are_served_and_nothing_else_of_var(server):
    """``gecc-kit serve`` cut the kit's words into var/public, served as a static file; the
    folder's neighbours in var/ (the store, the key) stay out of reach."""
    from test_server import http_get

    status, body = http_get(server.base + "/voila/static/" + thai.WORDS_FILE)
    words = json.loads(body)["words"]
    assert status == 200 and "ผู้สูงอายุ" in words and "จอแสดงคิว" in {w for e in words for w in e.split("|")}
    for path in ("/voila/static/../../../../../gecc.sqlite", "/voila/static/..%2F..%2F..%2F..%2F..%2Fgecc.sqlite",
                 "/voila/static/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/facilitator.key", "/voila/static/../../../../../facilitator.key"):
        status, body = http_get(server.base + path)
        assert status != 200 and b"SQLite format 3" not in body, path


@pytest.mark.browser
def test_the_words_travel_compressed(server):
    """The words file is the largest thing a phone downloads after the page: the server gzips it
    (and the page) for a browser that accepts it."""
    import gzip
    import urllib.request

    got = {}
    for path in ("/voila/static/" + thai.WORDS_FILE, "/voila/render/00-welcome.ipynb"):
        request = urllib.request.Request(server.base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            assert response.headers.get("Content-Encoding") == "gzip", path
        got[path] = gzip.decompress(raw)
        assert len(raw) < len(got[path]) / 2, (path, len(raw), len(got[path]))
    assert "ผู้สูงอายุ" in json.loads(got["/voila/static/" + thai.WORDS_FILE])["words"]
