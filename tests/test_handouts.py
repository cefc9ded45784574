"""Paper and slides: every file is built, then opened and read back (pdftotext, pdfinfo,
word boxes; the slides in Chromium with the network blocked)."""
from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat
import pytest

from gecc_kit import load_standard
from gecc_kit.cli import main
from gecc_kit.journey import MODULES
from gecc_kit.handouts import build_handouts, build_reports, build_worksheet, notebook_html, participant_notebooks
from gecc_kit.practice import seed_demo
from gecc_kit.printing import BrowserNotFound, find_browser, print_pdf
from gecc_kit.quiz import load_questions
from conftest import NOTEBOOKS, SAMPLE_CRITERIA, read_rows, write_rows

MM = 72 / 25.4  # PDF points per millimetre
CODE_MARKERS = ("assessment_page", "welcome_page", "summary_page", "knowledge_page", "import ", "gecc_kit", "def ", "()")


def text_of(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(pdf), "-"], capture_output=True, check=True, text=True).stdout


def squash(text: str) -> str:
    """Without whitespace: pdftotext puts spaces inside some Thai clusters (e.g. ฝึ ก)."""
    return re.sub(r"\s+", "", text)


def page_boxes(pdf: Path):
    """(page width, page height, [(xMin, yMin, xMax, yMax, word)]) for every page, from pdftotext -bbox."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    root = ET.fromstring(xml)
    for page in root.iter("page"):
        words = [(float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")), w.text or "")
                 for w in page.iter("word")]
        yield float(page.get("width")), float(page.get("height")), words


def assert_a4_and_inside_the_page(pdf: Path) -> None:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert abs(float(size.group(1)) - 210 * MM) < 2 and abs(float(size.group(2)) - 297 * MM) < 2, f"{pdf.name} is not A4"
    for n, (width, height, words) in enumerate(page_boxes(pdf), start=1):
        assert words, f"{pdf.name} page {n} is empty"
        for x0, y0, x1, y1, word in words:
            # Nothing runs off the page: every word lies inside the sheet with at least 5 mm to spare.
            assert x0 >= 5 * MM and x1 <= width - 5 * MM and y0 >= 5 * MM and y1 <= height - 5 * MM, (pdf.name, n, word, x0, x1)


@pytest.fixture(scope="module")
def standard():
    return load_standard(SAMPLE_CRITERIA)


@pytest.fixture(scope="module")
def handouts(tmp_path_factory, standard):
    out = tmp_path_factory.mktemp("handouts")
    return out, build_handouts(out, standard, load_questions())


def h1_of(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    return next(line[2:].strip() for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# "))


def test_every_participant_notebook_becomes_an_a4_pdf_in_thai_without_code(handouts, standard):
    out, built = handouts
    notebooks = participant_notebooks(NOTEBOOKS)
    assert [p.stem for p in built.pdf] == [nb.stem for nb in notebooks] and len(notebooks) == len(MODULES)
    assert [nb.name for nb in notebooks] == [m.notebook for m in MODULES], "in teaching order"
    for nb, pdf in zip(notebooks, built.pdf):
        text = text_of(pdf)
        flat = squash(text)
        assert squash(h1_of(nb)) in flat, f"{pdf.name}: its heading"
        for marker in CODE_MARKERS:
            assert marker not in text, f"{pdf.name} shows code: {marker!r}"
        # Page 1 says the kit's title and the illustrative line once (its own head, not a second
        # banner); the running header carries them on every later page; page x / n on every page.
        pages = text.split("\f")[:-1]
        title, short = "ชุดฝึกอบรมมาตรฐานศูนย์ราชการสะดวก(GECC)", "เกณฑ์ในเอกสารนี้เป็นตัวอย่างเพื่อการฝึกไม่ใช่แบบประเมินทางการ"
        first = squash(pages[0])
        assert first.count(title) == 1 and first.count("ไม่ใช่แบบประเมินทางการ") == 1, (pdf.name, first[:300])
        assert squash(standard.notice_th) in first, (pdf.name, "the criteria file's notice on page 1")
        for i, page in enumerate(pages, start=1):
            page_flat = squash(page)
            if i > 1:
                assert title in page_flat and short in page_flat, (pdf.name, i, "the running header")
            assert f"หน้า{i}/{len(pages)}" in page_flat, (pdf.name, i)
        assert_a4_and_inside_the_page(pdf)


def test_the_self_assessment_is_printed_as_a_checklist(handouts, standard):
    out, built = handouts
    location = text_of(out / "01-location.pdf", "-raw")  # content order: a table cell stays together
    flat = squash(location)
    for c in standard.for_factor("location"):
        assert c.id in location and squash(c.title_th) in flat
    assert all(squash(s) in flat for s in ("ผ่าน", "ผ่านบางส่วน", "ยังไม่ผ่าน", "ไม่เกี่ยวข้อง", "หลักฐาน/บันทึก"))
    html = (out / "01-location.html").read_text(encoding="utf-8")
    assert html.count("class=\"gecc-checklist-row\"") == len(standard.for_factor("location"))
    assert "<script" not in html and "https://" not in re.sub(r"/\*.*?\*/", "", html, flags=re.S), "offline: no script, no CDN"
    assert "widget-view" not in html
    # The participants' copy leaves the case's worked answer out (handouts given out before the
    # session must not spoil the table's discussion); the facilitator's copy prints it open.
    personnel = (out / "02-personnel.html").read_text(encoding="utf-8")
    assert '<details class="gecc-case-answer"' not in personnel and "ฉบับวิทยากร" in squash(text_of(out / "02-personnel.pdf"))
    facilitator = notebook_html(NOTEBOOKS / "02-personnel.ipynb", standard, (), facilitator=True)
    assert "<details class=\"gecc-case-answer\" open" in facilitator
    # The knowledge check as questions with boxes.
    quiz = squash(text_of(out / "06-knowledge-check.pdf", "-raw"))
    for q in load_questions():
        assert squash(q.question_th)[:30] in quiz


def test_thai_words_are_not_split_in_the_middle(tmp_path, standard):
    """A sample paragraph of known words, long enough to wrap many times: every line must end
    between two words. (With JupyterLab's stock `word-break: break-all` this fails.)"""
    # Compounds are given as their parts (คน พิการ): a break between them is a break between words.
    words = ("ประชาชน ที่ มา ติดต่อ ราชการ ต้อง การ ความ สะดวก รวดเร็ว และ เข้า ถึง ง่าย หน่วย งาน จึง ควร จัด "
             "สถานที่ ให้ เหมาะสม มี ป้าย บอก ทาง ชัดเจน เจ้า หน้าที่ มี จิต บริการ ขั้นตอน ไม่ ซับซ้อน "
             "และ ใช้ เทคโนโลยี ช่วย ลด ภาระ ของ ประชาชน ทุก กลุ่ม โดย เฉพาะ ผู้ สูง อายุ และ คน พิการ ").split() * 6
    paragraph = "".join(words)
    boundaries = set()
    pos = 0
    for w in words:
        pos += len(w)
        boundaries.add(pos)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# ตัวอย่างย่อหน้า\n\n" + paragraph)])
    path = tmp_path / "sample.ipynb"
    nbformat.write(nb, path)
    html = tmp_path / "sample.html"
    html.write_text(notebook_html(path, standard, ()), encoding="utf-8")
    pdf = print_pdf(html, tmp_path / "sample.pdf")
    lines = [squash(line) for line in text_of(pdf, "-raw").splitlines()]
    start = next(i for i, line in enumerate(lines) if line and paragraph.startswith(line))
    got, breaks = "", []
    for line in lines[start:]:
        if not line or not paragraph.startswith(got + line):
            break
        got += line
        breaks.append(len(got))
    assert got == paragraph, "the whole paragraph was read back"
    assert len(breaks) >= 5, "it wrapped over several lines"
    bad = [paragraph[b - 6:b] + "|" + paragraph[b:b + 6] for b in breaks[:-1] if b not in boundaries]
    assert not bad, f"lines broken inside a word: {bad}"


def test_worksheet_lists_every_criterion_of_the_file(tmp_path, sample_copy, capsys):
    rows = read_rows(sample_copy)
    header = rows[0]
    extra = dict.fromkeys(header, "")
    extra.update(id="T99", factor="technology", title_th="มีตู้บริการตนเองพิมพ์เอกสารคำขอได้ทันที", mandatory="no", weight="1")
    write_rows(sample_copy, rows + [[extra[h] for h in header]])
    standard = load_standard(sample_copy)
    out = tmp_path / "worksheet.pdf"
    assert main(["worksheet", "--out", str(out), "--criteria", str(sample_copy)]) == 0
    assert f"{len(standard.criteria)} criteria" in capsys.readouterr().out
    raw = text_of(out, "-raw")
    flat = squash(raw)
    for c in standard.criteria:
        assert re.search(rf"\b{c.id}\b", raw), c.id
        assert squash(c.title_th) in flat, c.id
    assert "T99" in raw and "มีตู้บริการตนเองพิมพ์เอกสารคำขอได้ทันที" in flat
    for f in standard.factors:
        assert squash(f.name_th) in flat
    assert squash(standard.notice_th) in flat
    assert_a4_and_inside_the_page(out)


def test_a_criteria_files_notice_cannot_break_the_layout(tmp_path, sample_copy):
    """A notice with a form feed and CSS in it, or a very long one, is text: every criterion is
    still printed and nothing leaves the page (CSS ends a string at a form feed or CR)."""
    meta = sample_copy.with_name("criteria-2568.meta.csv")
    rows = read_rows(meta)
    for row in rows:
        if row and row[0] == "notice_th":
            row[1] = "ตัวอย่าง\f}} body{display:none} x{{ " + "เกณฑ์ชุดนี้ใช้ฝึกเท่านั้น " * 40
    write_rows(meta, rows)
    standard = load_standard(sample_copy)
    built = build_worksheet(tmp_path / "ws.pdf", standard)
    raw = text_of(built.pdf[0], "-raw")
    assert all(re.search(rf"\b{c.id}\b", raw) for c in standard.criteria)
    assert_a4_and_inside_the_page(built.pdf[0])


def test_personal_reports_as_pdf(tmp_path, store, standard):
    seed_demo(store, "REP", standard, load_questions())
    people = store.participants("REP")[:3]
    first = people[0]
    store.save_plan_item(first.id, "S04", action="แจ้งความล่าช้าทุก 7 วันด้วยแบบฟอร์มกลาง", owner="งานสารบรรณ")
    room = store.room("REP")
    room.participants = people  # three are enough here; the benchmark prints sixty
    built = build_reports(tmp_path, standard, room)
    assert len(built.pdf) == 3
    # -raw: a cell's text in the order it was set (the layout reading order interleaves table
    # columns once a plan cell wraps).
    text = squash(text_of(built.pdf[0], "-raw"))
    assert squash(first.display_name) in text and "รายงานผลการฝึกประเมินตนเอง" in text
    assert "แจ้งความล่าช้าทุก7วันด้วยแบบฟอร์มกลาง" in text and "%" in text
    assert_a4_and_inside_the_page(built.pdf[0])


def test_no_browser_is_a_clear_message_and_the_html_is_still_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GECC_BROWSER", str(tmp_path / "no-such-browser"))
    code = main(["handouts", "--out", str(tmp_path / "h")])
    err = capsys.readouterr().err
    assert code == 3 and "no-such-browser" in err and "Traceback" not in err
    assert len(list((tmp_path / "h").glob("*.html"))) == len(MODULES) and not list((tmp_path / "h").glob("*.pdf"))
    code = main(["worksheet", "--out", str(tmp_path / "ws.pdf")])
    err = capsys.readouterr().err
    assert code == 3 and "no-such-browser" in err and (tmp_path / "ws.html").is_file() and not (tmp_path / "ws.pdf").exists()
    monkeypatch.delenv("GECC_BROWSER")
    monkeypatch.setattr("gecc_kit.printing.CANDIDATES", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BrowserNotFound, match="apt-get install chromium"):
        find_browser()


def test_slides_work_offline_and_navigate(tmp_path, capsys):
    from playwright.sync_api import sync_playwright

    out = tmp_path / "slides"
    assert main(["slides", "--out", str(out)]) == 0
    deck = out / "gecc-workshop.slides.html"
    html = deck.read_text(encoding="utf-8")
    assert 'src="reveal.js/dist/reveal.js"' in html and (out / "reveal.js" / "dist" / "reveal.js").is_file()
    assert html.count('<aside class="notes">') >= 5, "speaker notes"
    assert "ตัวอย่างเพื่อการฝึก" in html, "the illustrative line"
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        page = context.new_page()

        def route(r):
            requests.append(r.request.url)
            return r.continue_() if r.request.url.startswith("file://") else r.abort()

        page.route("**/*", route)
        page.goto(deck.as_uri())
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=20_000)
        first = page.locator(".reveal .slides > section.present").inner_text()
        assert "ศูนย์ราชการสะดวก" in first and page.evaluate("Reveal.getIndices().h") == 0
        page.keyboard.press("ArrowRight")
        page.wait_for_function("Reveal.getIndices().h === 1", timeout=5_000)
        assert "เข้าร่วมการอบรม" in page.locator(".reveal .slides > section.present").inner_text()
        page.wait_for_function("location.hash === '#/1'", timeout=5_000)  # the address follows the deck
        browser.close()
    assert all(u.startswith("file://") for u in requests), [u for u in requests if not u.startswith("file://")]


def test_reveal_is_installed_from_npm_not_copied_into_the_repo():
    root = Path(__file__).resolve().parent.parent
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    assert not [f for f in tracked if "reveal" in f.lower() and f.endswith((".js", ".css"))]
    pinned = re.search(r'"reveal.js": "(5\.\d+\.\d+)"', (root / "package.json").read_text())
    assert pinned, "reveal.js 5 pinned to one version (6 renders blank with nbconvert 7)"
    lock = (root / "package-lock.json").read_text()
    assert f'"version": "{pinned.group(1)}"' in lock
