"""The files open and print in LibreOffice as a facilitator's or a participant's spreadsheet would:
the results workbook, the summary and "my plan" are converted to PDF by LibreOffice headless
(``soffice``, Debian's ``libreoffice-calc-nogui``) and read back with pdfinfo and pdftotext.

Page limits, for the demo room (8 participants, 40 criteria):
- "my plan" of 3 items, and of 5: 1 page (a normal plan of 2 to 5 items fits one page).
- the results workbook: at most 60 pages. The answers sheet alone has 320 rows (8 x 40), each
  with a criterion of 50 to 130 Thai characters, a long display name and a note, so each
  wraps to 3 to 5 lines: about 7 rows a page, 46 pages; the 7 other sheets take 1 or 2 pages
  each. (Before the page setup it printed as 81 pages of column strips.) Every page shows the
  sheet's first and last column: no strips.
- the summary for executives: at most 10 pages (6 short sheets; the criteria sheet's 40 rows
  take 2 or 3).
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import unicodedata
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from gecc_kit.export import results_tables, results_xlsx, summary_tables, write_csv
from gecc_kit.plan import PlanItem
from gecc_kit.practice import seed_demo
from gecc_kit.quiz import load_questions
from gecc_kit.reports import ReportData, plan_xlsx
from gecc_kit.scoring import Answer, Status

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SOFFICE, reason="LibreOffice is not installed (no soffice): apt-get install libreoffice-calc-nogui"),
    pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
                       reason="pdftotext and pdfinfo are not installed: apt-get install poppler-utils"),
]

FORMULA = '=HYPERLINK("http://x","y")'
DONE = "- ทำแล้ว"
PHONE = "+66 2 123 4567"
UTC = timezone.utc


def convert(tmp_path: Path, *files: Path, to: str = "pdf", infilter: str | None = None) -> list[Path]:
    """``files`` converted by LibreOffice headless, with a user profile of this run's own (two runs
    sharing one profile would wait for each other or fail)."""
    profile = tmp_path / f"lo-profile-{files[0].stem}"
    out = tmp_path / "converted"
    cmd = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
           *([f"--infilter={infilter}"] if infilter else []), "--convert-to", to, "--outdir", str(out), *map(str, files)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    results = [out / f"{f.stem}.{to}" for f in files]
    missing = [r.name for r in results if not r.is_file()]
    assert not missing, f"LibreOffice wrote no {missing}: {done.stdout} {done.stderr}"
    return results


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_texts(pdf: Path) -> list[str]:
    """Each page's text (pdftotext -layout; pages end with a form feed)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:pages(pdf)]


def squash(text: str) -> str:
    """Without whitespace and Thai marks above and below: pdftotext puts spaces inside some Thai
    clusters (ฝึ ก) and may give a cluster's marks in another order (ทัง้ for ทั้ง)."""
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Mn")


def shown_as_typed(text: str, typed: str) -> bool:
    """``typed`` is on the page as it was typed: no apostrophe in front of it."""
    squashed, wanted = squash(text), squash(typed)
    return wanted in squashed and "'" + wanted not in squashed


def plan_data(standard, n: int) -> ReportData:
    answers = {c.id: Answer(c.id, Status.MET) for c in standard.criteria}
    actions = [DONE + " จัดทำคู่มือการให้บริการฉบับใหม่ ติดประกาศที่จุดบริการ และเผยแพร่ทางเว็บไซต์ของหน่วยงาน", FORMULA,
               PHONE + " เป็นสายด่วนของศูนย์ ตอบภายในสามครั้งของเสียงเรียก ทดสอบทุกเดือนโดยหัวหน้างาน",
               "อบรมเจ้าหน้าที่ทุกคนเรื่องการให้บริการด้วยใจ 2 วัน และประเมินผลหลังการอบรม",
               "ปรับปรุงป้ายบอกทางให้เห็นชัดจากทางเข้า มีอักษรเบรลล์ และภาษาอังกฤษ"]
    plan = {}
    for i, c in enumerate(standard.criteria[::7][:n]):  # criteria of different factors, with long titles
        answers[c.id] = Answer(c.id, Status.NOT_YET)
        plan[c.id] = PlanItem(c.id, True, actions[i], "หัวหน้าศูนย์บริการ และเจ้าหน้าที่ประชาสัมพันธ์", date(2027, 1 + i, 15),
                              "ผู้รับบริการพึงพอใจไม่น้อยกว่าร้อยละ 85 ตามแบบสำรวจรายไตรมาส")
    return ReportData(standard, "นางสาวทดสอบ ใจดี", "สำนักงานอุตสาหกรรมจังหวัดภูผาเงิน (สมมติ)", "โต๊ะ 1", answers, plan,
                      made=date(2026, 11, 25))


@pytest.mark.parametrize("items", [3, 5])
def test_my_plan_prints_on_one_page_with_typed_text_as_typed(standard, tmp_path, items):
    path = tmp_path / f"plan{items}.xlsx"
    path.write_bytes(plan_xlsx(plan_data(standard, items)))
    (pdf,) = convert(tmp_path, path)
    assert pages(pdf) == 1, f"my plan of {items} items printed on {pages(pdf)} pages"
    text = page_texts(pdf)[0]
    assert shown_as_typed(text, DONE) and shown_as_typed(text, PHONE), "ordinary text shows no apostrophe"
    assert FORMULA in text, "a typed formula is shown as text, not run"
    assert "15/01/2570" in text and squash("15 ม.ค. 2570") in squash(text), "the due date is a date shown with the Buddhist year"
    assert "ภาพรวม" in text and squash("นางสาวทดสอบ ใจดี") in squash(text)


@pytest.fixture
def demo_room(sqlite_store, standard):
    """The demo room, with typed text that looks like a formula, and timestamps we know."""
    store = sqlite_store
    seed_demo(store, "LO", standard, load_questions())
    people = store.participants("LO")
    store.save_answer(people[1].id, "L01", status="met", note=DONE)
    store.save_plan_item(people[0].id, "S04", action=FORMULA, owner=PHONE, due=date(2027, 1, 15), indicator=DONE)
    room = store.room("LO")
    room.joined_at[people[0].id] = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)  # 09:30 in Bangkok
    room.active_at[people[0].id] = datetime(2026, 11, 25, 17, 45, tzinfo=UTC)  # 00:45 the next day in Bangkok
    return room


def test_the_results_workbook_prints_whole_rows_with_thai_dates_and_typed_text(demo_room, standard, tmp_path):
    questions = load_questions()
    exported = datetime(2026, 11, 25, 10, 5, tzinfo=UTC)
    sheets = results_tables(standard, demo_room, questions, exported_at=exported)
    results, summary = tmp_path / "results.xlsx", tmp_path / "summary.xlsx"
    results.write_bytes(results_xlsx(sheets))
    summary.write_bytes(results_xlsx(summary_tables(standard, demo_room, questions, exported_at=exported)))
    results_pdf, summary_pdf = convert(tmp_path, results, summary)

    n = pages(results_pdf)
    assert n <= 60, f"the results workbook of the demo room printed on {n} pages"
    assert pages(summary_pdf) <= 10, f"the summary printed on {pages(summary_pdf)} pages"
    texts = page_texts(results_pdf)
    # Every page is whole rows: the sheet's first and last column are on it (no strips of columns).
    for i, text in enumerate(texts, start=1):
        sheet = next((s for s in sheets if squash(f"{s.title} {i} / {n}") in squash(text)), None)
        assert sheet is not None, f"page {i} has no footer naming its sheet"
        first, last = (h.split(" / ")[-1].split()[0] for h in (sheet.headers[0], sheet.headers[-1]))  # in English
        assert squash(first) in squash(text) and squash(last) in squash(text), f"page {i} ({sheet.title}) is a strip of columns"

    everything = "\f".join(texts)
    # Timestamps are dates in Thai local time with the Buddhist year, and the header says so.
    assert squash("25 พ.ย. 2569 09:30") in squash(everything), "joined at 02:30 UTC is 09:30 in Bangkok"
    assert squash("26 พ.ย. 2569 00:45") in squash(everything), "17:45 UTC is the next day in Bangkok"
    assert squash("25 พ.ย. 2569 17:05") in squash(everything), "exported at"
    assert squash("เวลาประเทศไทย") in squash(everything)
    assert "15/01/2570" in everything, "a due date is a date"
    # Typed text: no apostrophe, and a typed formula is text (not its result, "y").
    assert shown_as_typed(everything, DONE) and shown_as_typed(everything, PHONE)
    assert FORMULA in everything
    # Participant numbers sort: P01 ... P08.
    assert "P01" in everything and "P08" in everything and not re.search(r"\bP1\b", everything)


def test_the_csv_guard_neutralises_formulas_only(demo_room, standard, tmp_path):
    sheets = results_tables(standard, demo_room, load_questions(), exported_at=datetime(2026, 11, 25, 10, 5, tzinfo=UTC))
    write_csv(sheets, tmp_path / "csv")
    with open(tmp_path / "csv" / "plans.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    item = next(r for r in rows if r[2] == "S04")
    assert item[4] == "'" + FORMULA and item[5] == PHONE and item[8] == DONE and item[6] == "2027-01-15"
    with open(tmp_path / "csv" / "participants.csv", encoding="utf-8-sig", newline="") as f:
        first = list(csv.reader(f))[1]
    assert first[0] == "P01" and first[4] == "2026-11-25 09:30:00", "Bangkok time, as the header says"

    # LibreOffice opening the CSV (UTF-8, comma-separated): ordinary text as typed, the formula not run.
    (pdf,) = convert(tmp_path, tmp_path / "csv" / "plans.csv", infilter="CSV:44,34,76,1")
    text = "\f".join(page_texts(pdf))
    assert shown_as_typed(text, DONE) and shown_as_typed(text, PHONE)
    assert FORMULA in text, "the typed formula is shown as text"
