"""Paper that reads well (issue 15, "Paper"): the worksheet fits the sample's 40 criteria on at
most 5 A4 pages with no near-empty page and one banner on page 1, at a readable size; the
printed knowledge check letters its choices as the screen does (ก ข ค ง in Thai), and the
facilitator's answer key names the same letter. Every file is built, then read back
(pdfinfo, pdftotext -layout / -raw / -bbox-layout; the page's computed styles in Chromium)."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gecc_kit import load_standard
from gecc_kit.cli import main
from gecc_kit.handouts import build_handouts, notebook_html
from gecc_kit.quiz import LETTERS, THAI_LETTERS, load_questions
from conftest import NOTEBOOKS, SAMPLE_CRITERIA

MM = 72 / 25.4  # PDF points per millimetre
KNOWLEDGE = "06-knowledge-check.ipynb"
KIT_TITLE = "ชุดฝึกอบรมมาตรฐานศูนย์ราชการสะดวก(GECC)"
ILLUSTRATIVE = "ไม่ใช่แบบประเมินทางการ"  # ends both the running header's line and the sample's notice
PAGE_NUMBER = re.compile(r"^หน้า\d+/\d+$")


def squash(text: str) -> str:
    """Without whitespace (pdftotext puts spaces inside some Thai clusters: ฝึ ก), NFC, and the
    sara am that some fonts' maps give as two characters made one."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", "", text)).replace("\u0e4d\u0e32", "\u0e33")


def text_of(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, check=True, text=True).stdout


def pages_of(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def body_lines(page: str) -> list[str]:
    """A page's text lines (pdftotext -layout) without the running header and the page number."""
    lines = []
    for line in page.splitlines():
        flat = squash(line)
        if not flat or PAGE_NUMBER.match(flat):
            continue
        if flat.startswith(KIT_TITLE) and len(lines) == 0:  # the running header, first on the page
            continue
        lines.append(flat)
    return lines


def layout_lines(pdf: Path):
    """Per page: (page height, [(yMin, squashed line)]) from pdftotext -bbox-layout."""
    xml = text_of(pdf, "-bbox-layout")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    for page in ET.fromstring(xml).iter("page"):
        lines = [(float(line.get("yMin")), squash("".join(w.text or "" for w in line.iter("word"))))
                 for line in page.iter("line")]
        yield float(page.get("height")), lines


@pytest.fixture(scope="module")
def standard():
    return load_standard(SAMPLE_CRITERIA)


@pytest.fixture(scope="module")
def worksheet(tmp_path_factory, standard):
    """``gecc-kit worksheet --out ws.pdf`` for the sample criteria."""
    out = tmp_path_factory.mktemp("worksheet") / "ws.pdf"
    assert main(["worksheet", "--out", str(out), "--criteria", str(SAMPLE_CRITERIA)]) == 0
    return out


@pytest.fixture(scope="module")
def knowledge_handouts(tmp_path_factory, standard):
    """The knowledge check's handout, the participants' and the facilitator's (only that notebook)."""
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copy(NOTEBOOKS / KNOWLEDGE, folder / KNOWLEDGE)
    out = tmp_path_factory.mktemp("handouts")
    questions = load_questions()
    participants = build_handouts(out / "participants", standard, questions, notebooks=folder)
    facilitator = build_handouts(out / "facilitator", standard, questions, notebooks=folder, facilitator=True)
    return participants.pdf[0], facilitator.pdf[0]


# --- the worksheet ---------------------------------------------------------------------------


def test_the_worksheet_fits_the_40_criteria_on_at_most_5_pages(worksheet, standard):
    assert len(standard.criteria) == 40, "the sample the limit is set for"
    pages = pages_of(worksheet)
    assert pages <= 5, f"the worksheet takes {pages} pages"
    raw = text_of(worksheet, "-raw")
    missing = [c.id for c in standard.criteria if not re.search(rf"\b{c.id}\b", raw)]
    assert not missing, f"criteria missing from the worksheet: {missing}"
    flat = squash(raw)
    assert all(squash(c.title_th) in flat for c in standard.criteria)
    assert all(squash(f.name_th) in flat for f in standard.factors)


def test_no_page_of_the_worksheet_is_nearly_empty(worksheet):
    """Every page but the last holds at least a quarter of a full page's lines: the factors follow
    on instead of each starting a page of its own."""
    pages = text_of(worksheet, "-layout").split("\f")[:-1]
    counts = [len(body_lines(page)) for page in pages]
    full = max(counts)
    thin = [(n, c) for n, c in enumerate(counts[:-1], start=1) if c < 0.25 * full]
    assert not thin, f"near-empty pages (page, lines) of a full {full}: {thin} in {counts}"


def test_a_factor_never_starts_in_the_last_fifth_of_a_page(worksheet, standard):
    """A factor's heading moves to the next page rather than start at the foot of one (the page
    box: 18 mm top and 16 mm bottom margins, print.css.j2)."""
    headings = {f.id: squash(f"{f.number}. {f.name_th} ({len(standard.for_factor(f.id))} ข้อ)") for f in standard.factors}
    found = {}
    for n, (height, lines) in enumerate(layout_lines(worksheet), start=1):
        last_fifth = 18 * MM + 0.8 * (height - 34 * MM)
        for y, line in lines:
            for fid, heading in headings.items():
                if line.startswith(heading):
                    found[fid] = (n, y)
                    assert y < last_fifth, f"{fid} starts at {y / MM:.0f} mm on page {n}, in the last fifth"
    assert set(found) == set(headings), f"headings found: {found}"


def test_page_1_shows_the_banner_once(worksheet, standard):
    """Page 1 does not repeat the running header's illustrative line as a second banner: the
    criteria file's notice is said once there; the running header carries it from page 2 on."""
    pages = [squash(p) for p in text_of(worksheet, "-layout").split("\f")[:-1]]
    first = pages[0]
    assert first.count(KIT_TITLE) == 1, "the kit's title once on page 1"
    assert first.count(ILLUSTRATIVE) == 1, "the illustrative line once on page 1"
    assert squash(standard.notice_th) in first, "the criteria file's own notice on page 1"
    assert first.count("2568·2568") == 0, "the fiscal year is not repeated after a title that names it"
    header = squash("เกณฑ์ในเอกสารนี้เป็นตัวอย่างเพื่อการฝึก ไม่ใช่แบบประเมินทางการ")
    for n, page in enumerate(pages[1:], start=2):
        assert KIT_TITLE in page and header in page, f"page {n}: the running header"


def test_the_worksheet_has_boxes_a_notes_line_and_readable_type(worksheet, standard):
    """Four boxes and, beside them, the evidence to look for above one line for notes per
    criterion; 11 pt body, criteria at 10.5 pt, nothing a person reads under 9.5 pt, and every
    status name inside its column (computed in Chromium with the print media)."""
    from playwright.sync_api import sync_playwright

    page_html = worksheet.with_suffix(".html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="gecc-checklist-row" data-criterion="(\w+)">(.*?)</tr>', page_html, re.S)
    assert [cid for cid, _ in rows] == [c.id for c in standard.criteria]
    for cid, row in rows:
        assert row.count('class="tick-box"') == 4, cid
        notes = re.search(r'<td class="lines">(.*?)</td>', row, re.S).group(1)
        assert notes.count('<div class="line">') == 1, f"{cid}: one line for notes"
        assert 'class="c-evidence-hint"' in notes, f"{cid}: the evidence to look for, beside the boxes"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.emulate_media(media="print")
        page.goto(worksheet.with_suffix(".html").as_uri())
        sizes = page.evaluate("""() => {
            const pt = el => parseFloat(getComputedStyle(el).fontSize) * 0.75;
            const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            let smallest = [99, ""];
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                if (!n.textContent.trim() || !n.parentElement.getClientRects().length) continue;
                const size = pt(n.parentElement);
                if (size < smallest[0]) smallest = [size, n.parentElement.className + ": " + n.textContent.trim().slice(0, 30)];
            }
            const heads = [...document.querySelectorAll("th.box-head")];
            const spill = heads.filter(th => th.scrollWidth > th.clientWidth).map(th => th.textContent);
            return {body: pt(document.body), title: pt(document.querySelector(".c-title")), smallest, heads: heads.length, spill};
        }""")
        browser.close()
    assert abs(sizes["body"] - 11) < 0.05 and sizes["title"] >= 10.5, sizes
    assert sizes["smallest"][0] >= 9.5 - 0.05, f"text under 9.5 pt: {sizes['smallest']}"
    assert sizes["heads"] == 4 * len(standard.factors) and not sizes["spill"], f"status names wider than their column: {sizes['spill']}"


# --- the printed knowledge check -------------------------------------------------------------

CHOICE_LABEL = re.compile(r"(?:^|\s)([a-d])\.\s", re.M)


def test_the_printed_quiz_letters_its_choices_as_the_screen_does(knowledge_handouts, standard):
    participants, _ = knowledge_handouts
    questions = load_questions()
    layout = text_of(participants, "-layout")
    assert not CHOICE_LABEL.findall(layout), "a/b/c/d labels in the Thai handout"
    raw = squash(text_of(participants, "-raw"))
    for q in questions:
        for letter, (th, _en) in zip(LETTERS, q.choices):
            assert f"{THAI_LETTERS[letter]}.{squash(th)}" in raw, (q.id, letter)
    assert "คำตอบที่ถูก" not in raw, "the participants' copy has no answer key"
    # The English handout letters a to d, as the English screen does.
    english = notebook_html(NOTEBOOKS / KNOWLEDGE, standard, questions, lang="en")
    assert re.findall(r'class="gecc-choice-letter">(\w)\.</span>', english)[:4] == list(LETTERS)
    assert "gecc-choice-letter\">ก." not in english


def test_the_facilitators_answer_key_names_the_thai_letter(knowledge_handouts):
    _, facilitator = knowledge_handouts
    questions = load_questions()
    raw = squash(text_of(facilitator, "-raw"))
    assert squash("เฉลยแบบทดสอบ (ฉบับวิทยากร)") in raw
    keys = re.findall(r"คำตอบที่ถูก:([ก-ฮa-d])\.", raw)
    assert keys == [THAI_LETTERS[q.answer] for q in questions], keys
    for q in questions:
        right = q.choices[LETTERS.index(q.answer)][0]
        assert f"คำตอบที่ถูก:{THAI_LETTERS[q.answer]}.{squash(right)}" in raw, q.id
        assert squash(q.explanation_th)[:40] in raw, q.id
    assert not CHOICE_LABEL.findall(text_of(facilitator, "-layout")), "a/b/c/d labels in the Thai facilitator's copy"
