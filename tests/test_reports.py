"""My report (HTML) and my plan (XLSX): read back as a participant's spreadsheet or browser would."""
from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest

from gecc_kit import score_all
from gecc_kit.plan import PlanItem
from gecc_kit.reports import ReportData, plan_xlsx, report_html, score_chart_svg
from gecc_kit.scoring import Answer, Status

XSS = "<img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE answers;--"


@pytest.fixture
def data(standard):
    answers = {c.id: Answer(c.id, Status.MET) for c in standard.criteria}
    answers["L08"] = Answer("L08", Status.PARTIAL, XSS)
    answers["S04"] = Answer("S04", Status.NOT_YET, "")
    plan = {
        "L08": PlanItem("L08", True, "=HYPERLINK(\"http://x\")", SQL, date(2027, 1, 15), "คู่มือ 100% ตรงกับ info.go.th"),
        "S04": PlanItem("S04", False, "ไม่ทำแล้ว"),
    }
    return ReportData(standard, XSS, "สำนักงาน <b>ก</b>", "โต๊ะ 1", answers, plan, made=date(2026, 11, 25))


def test_the_plan_workbook_holds_the_plan_with_thai_headers(data):
    book = openpyxl.load_workbook(io.BytesIO(plan_xlsx(data)))
    sheet = book.worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header = next(r for r in rows if r and r[0] == "เกณฑ์ (id)")
    assert header[4:] == ["สิ่งที่จะทำ", "ผู้รับผิดชอบ", "กำหนดเสร็จ", "กำหนดเสร็จ (พ.ศ.)", "ตัวชี้วัดความสำเร็จ"]
    start = rows.index(header) + 1
    body = rows[start:rows.index([None] * len(header), start)]
    assert len(body) == 1, "only chosen items are in the plan"
    item = body[0]
    assert item[0] == "L08" and item[3] == "ผ่านบางส่วน"
    assert item[4] == '=HYPERLINK("http://x")' and sheet.cell(row=start + 1, column=5).data_type == "s"
    assert item[5] == SQL and item[7] == "15 ม.ค. 2570" and item[8] == "คู่มือ 100% ตรงกับ info.go.th"
    assert item[6].date() == date(2027, 1, 15), "the due date is a date"
    assert sheet.cell(row=start + 1, column=7).number_format == "[$-107041E]d/mm/yyyy", "shown with the Buddhist year"
    assert any(data.standard.notice_th in str(r[0]) for r in rows if r and r[0])
    # The scores are under the plan, on the same sheet: the file is one sheet, one page.
    assert len(book.worksheets) == 1
    overall = [r for r in rows if r[2] == "ภาพรวม"][0]
    assert overall[3] == round(score_all(data.standard, data.answers)["overall"].percent, 1)


def test_the_plan_workbook_is_set_up_for_a4(data):
    """A4 landscape, fitted to the page (one page for a plan this size), the header row printed on
    every page, every row of the plan as tall as its wrapped text (LibreOffice does not grow the
    rows of a file it opens; tests/test_libreoffice.py prints the file)."""
    sheet = openpyxl.load_workbook(io.BytesIO(plan_xlsx(data))).worksheets[0]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 1)  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    header = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).value == "เกณฑ์ (id)")
    assert sheet.print_title_rows == f"${header}:${header}"
    title = sheet.cell(row=header + 1, column=3)
    assert title.alignment.wrap_text and sheet.row_dimensions[header + 1].height >= 3 * 15, "a long criterion wraps onto a taller row"
    assert sum(sheet.column_dimensions[c].width for c in "ABCDEFGHI") <= 150


def test_the_report_is_self_contained_and_shows_typed_text_as_text(data):
    page = report_html(data)
    assert "<script" not in page and "<link" not in page
    assert not re.findall(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", page), "nothing is fetched from elsewhere"
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;b&gt;ก&lt;/b&gt;" in page
    assert "25 พ.ย. 2569" in page and "15 ม.ค. 2570" in page
    assert data.standard.notice_th in page
    overall = score_all(data.standard, data.answers)["overall"]
    assert f"{overall.percent:.1f}%" in page
    assert "ไม่ทำแล้ว" not in page, "an item taken out of the plan is not printed"


def test_the_chart_has_one_bar_per_factor_and_overall(standard):
    answers = {c.id: Answer(c.id, Status.MET) for c in standard.for_factor("location")}
    svg = score_chart_svg(standard, score_all(standard, answers))
    bars = re.findall(r"data-scope='(\w+)' data-percent='([\d.]+)'", svg)
    weight = lambda cs: sum(c.weight for c in cs)  # noqa: E731
    overall = 100 * weight(standard.for_factor("location")) / weight(standard.criteria)
    assert bars == [("location", "100.0"), ("personnel", "0.0"), ("service", "0.0"), ("technology", "0.0"), ("overall", f"{overall:.1f}")]
    assert "ด้านสถานที่" in svg and "ระดับพื้นฐาน 60%" in svg


def test_control_characters_pasted_from_word_do_not_break_the_workbook(data):
    import dataclasses

    plan = dict(data.plan)
    plan["L08"] = dataclasses.replace(plan["L08"], action="บรรทัดแรก\x0bบรรทัดสอง")
    book = openpyxl.load_workbook(io.BytesIO(plan_xlsx(dataclasses.replace(data, plan=plan))))
    values = [c for r in book.worksheets[0].iter_rows(values_only=True) for c in r]
    assert "บรรทัดแรก บรรทัดสอง" in values
