"""A workshop's results as one spreadsheet (XLSX) or a folder of CSV files.

``gecc-kit export`` and the dashboard's button both call :func:`results_tables`,
then :func:`results_xlsx` or :func:`write_csv`. Every sheet has Thai headers
with the English name after a slash; participants are numbered P01, P02... in
joining order (:func:`gecc_kit.room.participant_numbers`: the dashboard shows the same
numbers, and they sort as text) so sheets can be matched. Personal links (tokens) are never
exported: they open a participant's answers.

Values keep their types: numbers, and timestamps as timezone-aware datetimes in Thai local
time (:data:`BANGKOK`; stored in UTC). The XLSX writes them as dates (Excel has no time zones:
the header says "เวลาประเทศไทย / Bangkok time") in a number format that shows the Buddhist
year in Excel and LibreOffice; CSV as ``2026-11-25 09:30:00``. Every sheet prints on A4
landscape, as wide as the page, with its header row on every page.

Text people typed is written verbatim. In the XLSX it is a text cell, never a formula, so
it needs no apostrophe. In CSV a spreadsheet program decides, so a typed cell gets a leading
apostrophe when, after any leading spaces, tabs or line breaks, it

1. starts with ``=`` (``=1+1``, ``=HYPERLINK("http://x","y")``); or
2. starts with ``+``, ``-`` or ``@`` and then calls a function (a name directly followed by
   ``(``: ``+SUM(A1)``, ``@HYPERLINK(...)``), uses dynamic data exchange or another sheet
   (a ``|``, or a ``!`` before a cell reference: ``-cmd|' /C calc'!A0``), or is nothing but
   arithmetic on numbers and cell references (``-2+3``, ``+A1*2``, ``+66-2-123-4567``,
   which a spreadsheet would subtract).

Anything else is ordinary text and is written as typed: ``- ทำแล้ว``, ``+66 2 123 4567``,
``-5``, ``+เห็นตรงกัน``, ``@home``.

This module imports no widgets and no storage: it reads a room (the shape
:meth:`gecc_kit.store.Store.room` returns).
"""
from __future__ import annotations

import csv
import io
import re
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from .criteria import Standard, factor as get_factor
from .plan import thai_date
from .quiz import Question, grade
from .reports import XLSX_DATE_SHORT, XLSX_DATETIME, XLSX_PAGE_WIDTH, _cell_text, _column_widths, _lay_out_table, _print_setup, level_text
from .room import participant_numbers
from .scoring import score_all

__all__ = ["Sheet", "results_tables", "summary_tables", "results_xlsx", "write_csv", "SHEETS", "SUMMARY_SHEETS", "PERSONAL_NOTE",
           "BANGKOK", "bangkok_time", "looks_like_formula"]

try:
    from zoneinfo import ZoneInfo

    BANGKOK = ZoneInfo("Asia/Bangkok")
except (ImportError, KeyError):  # no time-zone database (Windows without tzdata): Thailand keeps UTC+7 all year
    BANGKOK = timezone(timedelta(hours=7), "Asia/Bangkok")
BANGKOK_TIME = "เวลาประเทศไทย / Bangkok time"

# The full results hold every participant's display name and answers: personal data.
PERSONAL_NOTE = ("ไฟล์นี้มีข้อมูลส่วนบุคคล (ชื่อที่แสดง หน่วยงาน และคำตอบรายคน) สำหรับวิทยากรเท่านั้น ไม่ส่งต่อ "
                 "และลบเมื่อไม่จำเป็นแล้ว ผู้บริหารใช้ไฟล์สรุปภาพรวม (gecc-kit export --summary) / "
                 "Personal data (display names, offices, each person's answers), for the facilitator only: do not pass "
                 "it on, delete it when no longer needed. For executives use the summary (gecc-kit export --summary).")
SUMMARY_NOTE = ("สรุปภาพรวม ไม่มีชื่อหรือคำตอบรายบุคคล กลุ่มที่มีไม่ถึง 3 คนไม่แสดงผล / "
                "Aggregated summary: no names, no individual answers; groups under 3 are not shown.")
SUMMARY_SHEETS = ("about", "factors", "offices", "criteria", "knowledge", "tables")

# file/sheet names, in order
SHEETS = ("about", "participants", "answers", "scores", "plans", "knowledge", "consensus", "consensus_scores")


@dataclass(frozen=True)
class Sheet:
    name: str  # English, also the CSV file name
    title: str  # Thai sheet title
    headers: tuple[str, ...]
    rows: list[list]
    text_columns: frozenset[int] = frozenset()  # columns people typed: escaped in CSV


def bangkok_time(value: datetime | None) -> datetime | None:
    """A stored timestamp (UTC; a naive one is UTC) in Thai local time, timezone-aware."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(BANGKOK)


def _factor_name(fid: str) -> str:
    f = get_factor(fid)
    return f.name_th


def results_tables(standard: Standard, room, questions: tuple[Question, ...], exported_at: datetime | None = None) -> list[Sheet]:
    """Every sheet of a workshop's results, as plain rows (see :data:`SHEETS`)."""
    exported_at = exported_at or datetime.now(timezone.utc)
    people = room.participants
    number = participant_numbers(people)
    factor_ids = [f.id for f in standard.factors]

    about = Sheet("about", "เกี่ยวกับไฟล์", ("รายการ / item", "ค่า / value"), [
        ["รหัสการอบรม / workshop", room.workshop.code],
        [f"ส่งออกเมื่อ / exported at ({BANGKOK_TIME})", bangkok_time(exported_at)],
        ["เกณฑ์ / criteria", standard.title_th],
        ["จำนวนข้อ / criteria count", len(standard.criteria)],
        ["ผู้เข้าร่วม / participants", len(people)],
        ["หมายเหตุ / note", standard.notice_th + " / " + standard.notice_en if standard.illustrative else ""],
        ["ข้อมูลส่วนบุคคล / personal data", PERSONAL_NOTE],
    ], frozenset({1}))

    participants = Sheet("participants", "ผู้เข้าร่วม", (
        "ลำดับ / no.", "ชื่อที่แสดง / display name", "หน่วยงาน / office", "โต๊ะ / table",
        f"เข้าร่วมเมื่อ / joined ({BANGKOK_TIME})", f"ใช้งานล่าสุด / last active ({BANGKOK_TIME})"), [
        [number[p.id], p.display_name, p.office, p.table_label, bangkok_time(room.joined_at.get(p.id)), bangkok_time(room.active_at.get(p.id))]
        for p in people
    ], frozenset({1, 2, 3}))

    answer_rows = []
    for p in people:
        mine = room.answers.get(p.id, {})
        for c in standard.criteria:
            a = mine.get(c.id)
            if a is None or (a.status is None and not a.note):
                continue
            answer_rows.append([
                number[p.id], p.display_name, c.id, _factor_name(c.factor), c.title_th, "ใช่" if c.mandatory else "",
                c.weight, a.status.label_th if a.status else "", a.status.value if a.status else "", a.note,
            ])
    answers = Sheet("answers", "คำตอบ", (
        "ลำดับ / no.", "ชื่อที่แสดง / display name", "รหัสเกณฑ์ / criterion", "ด้าน / factor", "เกณฑ์ / criterion title",
        "ข้อจำเป็น / mandatory", "น้ำหนัก / weight", "ผลประเมิน / status", "รหัสผล / status code", "หลักฐานหรือข้อสังเกต / note"),
        answer_rows, frozenset({1, 9}))

    score_rows = []
    for p in people:
        scores = score_all(standard, room.answers.get(p.id, {}))
        for key in factor_ids + ["overall"]:
            s = scores[key]
            score_rows.append([
                number[p.id], p.display_name, p.office, p.table_label, "รวมทุกด้าน" if key == "overall" else _factor_name(key), key,
                round(s.percent, 1) if s.applicable else None, level_text(standard, s, "th"), s.answered, s.total,
            ])
    scores = Sheet("scores", "คะแนน", (
        "ลำดับ / no.", "ชื่อที่แสดง / display name", "หน่วยงาน / office", "โต๊ะ / table", "ด้าน / factor", "รหัสด้าน / factor id",
        "คะแนน (%) / score (%)", "ระดับ / level", "ตอบแล้ว / answered", "ทั้งหมด / criteria"), score_rows, frozenset({1, 2, 3}))

    order = {c.id: i for i, c in enumerate(standard.criteria)}
    plan_rows = []
    for p in people:
        items = [item for item in room.plans.get(p.id, {}).values() if item.chosen and item.criterion_id in order]
        for item in sorted(items, key=lambda i: order[i.criterion_id]):
            c = standard.criterion(item.criterion_id)
            plan_rows.append([number[p.id], p.display_name, c.id, c.title_th, item.action, item.owner,
                              item.due, thai_date(item.due), item.indicator])
    plans = Sheet("plans", "แผนพัฒนา", (
        "ลำดับ / no.", "ชื่อที่แสดง / display name", "รหัสเกณฑ์ / criterion", "เกณฑ์ / criterion title", "สิ่งที่จะทำ / action",
        "ผู้รับผิดชอบ / owner", "กำหนดเสร็จ / due", "กำหนดเสร็จ (พ.ศ.) / due (B.E.)", "ตัวชี้วัด / indicator"),
        plan_rows, frozenset({1, 4, 5, 8}))

    knowledge_rows = []
    for p in people:
        mine = room.quiz.get(p.id, {})
        pre, post = grade(questions, mine.get("pre", {})), grade(questions, mine.get("post", {}))
        if not (pre.answered or post.answered):
            continue
        both = pre.complete and post.complete
        knowledge_rows.append([
            number[p.id], p.display_name, pre.answered, pre.correct, round(pre.percent, 1) if pre.complete else None,
            post.answered, post.correct, round(post.percent, 1) if post.complete else None,
            round(post.percent - pre.percent, 1) if both else None,
        ])
    knowledge = Sheet("knowledge", "แบบทดสอบความรู้", (
        "ลำดับ / no.", "ชื่อที่แสดง / display name", "ก่อนการอบรม ตอบ / pre answered", "ก่อนการอบรม ถูก / pre correct",
        "ก่อนการอบรม (%) / pre (%)", "หลังการอบรม ตอบ / post answered", "หลังการอบรม ถูก / post correct",
        "หลังการอบรม (%) / post (%)", "เปลี่ยนแปลง (จุดร้อยละ) / change (percentage points)"), knowledge_rows, frozenset({1}))

    consensus_rows, consensus_score_rows = [], []
    for table in sorted(room.consensus):
        agreed = room.consensus[table]
        for c in standard.criteria:
            a = agreed.get(c.id)
            if a is None or (a.status is None and not a.note):
                continue
            consensus_rows.append([table, c.id, _factor_name(c.factor), c.title_th,
                                   a.status.label_th if a.status else "", a.status.value if a.status else "", a.note])
        table_scores = score_all(standard, agreed)
        for key in factor_ids + ["overall"]:
            s = table_scores[key]
            consensus_score_rows.append([table, "รวมทุกด้าน" if key == "overall" else _factor_name(key), key,
                                         round(s.percent, 1) if s.applicable else None, level_text(standard, s, "th"), s.answered, s.total])
    consensus = Sheet("consensus", "ฉันทามติรายโต๊ะ", (
        "โต๊ะ / table", "รหัสเกณฑ์ / criterion", "ด้าน / factor", "เกณฑ์ / criterion title", "ผลที่ตกลงกัน / agreed status",
        "รหัสผล / status code", "หมายเหตุ / note"), consensus_rows, frozenset({0, 6}))
    consensus_scores = Sheet("consensus_scores", "คะแนนฉันทามติ", (
        "โต๊ะ / table", "ด้าน / factor", "รหัสด้าน / factor id", "คะแนน (%) / score (%)", "ระดับ / level",
        "ตอบแล้ว / answered", "ทั้งหมด / criteria"), consensus_score_rows, frozenset({0}))
    return [about, participants, answers, scores, plans, knowledge, consensus, consensus_scores]


def summary_tables(standard: Standard, room, questions: tuple[Question, ...], exported_at: datetime | None = None) -> list[Sheet]:
    """The summary a facilitator can hand to executives (``gecc-kit export --summary``): the
    room's figures as the dashboard shows them, no names and no individual answers, and any
    group (office, table, the room itself) under :data:`gecc_kit.room.MIN_GROUP` people hidden."""
    from .room import MIN_GROUP, knowledge_gain, overview

    exported_at = exported_at or datetime.now(timezone.utc)
    view = overview(standard, room, questions)
    hidden = "ไม่แสดง (น้อยกว่า 3 คน) / hidden (fewer than 3)"

    def pct(value):
        return round(value, 1) if value is not None else hidden

    about = Sheet("about", "เกี่ยวกับไฟล์", ("รายการ / item", "ค่า / value"), [
        ["รหัสการอบรม / workshop", room.workshop.code],
        [f"ส่งออกเมื่อ / exported at ({BANGKOK_TIME})", bangkok_time(exported_at)],
        ["เกณฑ์ / criteria", standard.title_th],
        ["ผู้เข้าร่วม / participants", view.joined],
        ["หมายเหตุ / note", standard.notice_th + " / " + standard.notice_en if standard.illustrative else ""],
        ["ความเป็นส่วนตัว / privacy", SUMMARY_NOTE],
    ], frozenset({1}))
    factors = Sheet("factors", "คะแนนรายด้านของห้อง", (
        "ด้าน / factor", "ผู้ตอบ / respondents", "คะแนนเฉลี่ย (%) / mean score (%)",
        *(f"{lo}–{hi}% (คน / people)" for lo, hi in ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))),
    ), [[_factor_name(f.factor), f.n, pct(f.mean), *(f.bins if not f.hidden else [hidden] * len(f.bins))] for f in view.factors])
    office_rows = []
    for group in view.by_office:
        if group.merged:  # small offices together, and those who gave none: counted, never scored
            office_rows.append([f"อื่น ๆ หรือไม่ได้ระบุ ({group.merged} กลุ่ม) / other or not given", group.n, hidden, hidden, hidden, hidden])
            continue
        members = [p for p in room.participants if (p.office or "").strip() == group.label]
        overall = [s["overall"].percent for s in (score_all(standard, room.answers.get(p.id, {})) for p in members)
                   if s["overall"].answered and s["overall"].applicable]
        gain = knowledge_gain(members, room.quiz, questions)
        office_rows.append([group.label, group.n, pct(statistics.fmean(overall) if len(overall) >= MIN_GROUP else None),
                            pct(gain.pre), pct(gain.post), pct(gain.gain)])
    offices = Sheet("offices", "ตามหน่วยงาน", (
        "หน่วยงาน / office", "ผู้เข้าร่วม / participants", "คะแนนรวมเฉลี่ย (%) / mean overall score (%)",
        "แบบทดสอบก่อน (%) / pre-test (%)", "แบบทดสอบหลัง (%) / post-test (%)", "เปลี่ยนแปลง (จุดร้อยละ) / change (percentage points)",
    ), office_rows, frozenset({0}))
    criteria = Sheet("criteria", "รายเกณฑ์", (
        "รหัสเกณฑ์ / criterion", "ด้าน / factor", "เกณฑ์ / criterion title", "ข้อจำเป็น / mandatory", "ผู้ตอบ / respondents",
        "ได้คะแนนเฉลี่ย (%) / mean credit (%)", "ผ่าน / met", "ผ่านบางส่วน / partly met", "ยังไม่ผ่าน / not yet", "ไม่เกี่ยวข้อง / not applicable",
    ), [[c.criterion.id, _factor_name(c.criterion.factor), c.criterion.title_th, "ใช่" if c.criterion.mandatory else "", c.n, pct(c.mean),
         *((c.counts[k] for k in ("met", "partial", "not_yet", "na")) if not c.hidden else [hidden] * 4)] for c in view.criteria])
    g = view.gain
    knowledge = Sheet("knowledge", "แบบทดสอบความรู้", ("รายการ / item", "ผู้ทำครบ / completed", "ร้อยละ / percent"), [
        ["ก่อนการอบรม / pre-test", g.n_pre, pct(g.pre)],
        ["หลังการอบรม / post-test", g.n_post, pct(g.post)],
        ["เปลี่ยนแปลงเฉลี่ย (จุดร้อยละ) / mean change (percentage points)", g.n_both, pct(g.gain)],
    ])
    tables = Sheet("tables", "ฉันทามติรายโต๊ะ", (
        "โต๊ะ / table", "สมาชิก / members", *(f"{_factor_name(f.id)} (%)" for f in standard.factors), "รวมทุกด้าน (%) / overall (%)", "ระดับ / level",
    ), [[t.table, t.members, *([hidden] * (len(standard.factors) + 2) if t.hidden else
         [None] * (len(standard.factors) + 1) + ["ยังไม่มีผลที่ตกลงกัน / nothing agreed yet"] if not t.answered else
         [*(round(t.scores[f.id].percent, 1) if t.scores[f.id].applicable else None for f in standard.factors),
          round(t.scores["overall"].percent, 1) if t.scores["overall"].applicable else None, level_text(standard, t.scores["overall"], "th")])]
        for t in view.tables], frozenset({0}))
    return [about, factors, offices, criteria, knowledge, tables]


def _xlsx_value(value):
    """A sheet's value as a cell holds it: no control characters; datetimes as naive Thai local
    time (a cell has no time zone)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(BANGKOK).replace(tzinfo=None)
    return _cell_text(value)


def results_xlsx(sheets: list[Sheet]) -> bytes:
    """The sheets as one XLSX workbook: Thai sheet titles, bold headers with filter buttons, text
    kept as text, dates as dates (Buddhist year), and every sheet ready to print (A4 landscape,
    as wide as the page, the header row on every page, wrapped text in rows tall enough)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        rows = [[_xlsx_value(v) for v in row] for row in sheet.rows]
        ws.append(list(sheet.headers))
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # "=..." typed by a participant stays text, never a formula
                elif isinstance(cell.value, datetime):
                    cell.number_format = XLSX_DATETIME
                elif isinstance(cell.value, date):
                    cell.number_format = XLSX_DATE_SHORT
                elif isinstance(cell.value, float):
                    cell.number_format = "0.0"
        n = len(sheet.headers)
        widths = _column_widths([[h, *(r[i] for r in rows)] for i, h in enumerate(sheet.headers)],
                                cap=max(45.0, XLSX_PAGE_WIDTH / n))
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        _lay_out_table(ws, 1, len(rows) + 1, widths)
        for i in range(n):  # a number or date in a column of texts (the "about" sheet) lines up with them
            if sum(isinstance(r[i], str) for r in rows) * 2 > len(rows):
                for r, row in enumerate(rows, start=2):
                    if row[i] is not None and not isinstance(row[i], str):
                        ws.cell(row=r, column=i + 1).alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        _print_setup(ws, title_row=1)
        ws.freeze_panes = "A2"
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(n)}{len(rows) + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


_CELL_REF = r"\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?"
_OPERAND = rf"(?:\d+(?:[.,]\d+)*%?|{_CELL_REF})"
_ARITHMETIC = re.compile(rf"\s*[-+]*\s*{_OPERAND}(?:\s*[-+*/^&<>=]+\s*{_OPERAND})+\s*")
_FUNCTION_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\(")
_DDE_OR_SHEET = re.compile(rf"\||!\s*{_CELL_REF}")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program opening a CSV would take ``text`` for a formula (the rule
    is in the module's docstring)."""
    body = text.lstrip(" \t\r\n")
    if body[:1] == "=":
        return True
    if body[:1] not in ("+", "-", "@"):
        return False
    rest = body[1:]
    return bool(_FUNCTION_CALL.search(rest) or _DDE_OR_SHEET.search(rest) or _ARITHMETIC.fullmatch(rest))


def _csv_value(value, typed: bool):
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BANGKOK)
        return value.strftime("%Y-%m-%d %H:%M:%S")  # Thai local time, as the header says
    if isinstance(value, date):
        return value.isoformat()
    if typed and isinstance(value, str) and looks_like_formula(value):
        return "'" + value  # a spreadsheet would run it as a formula
    return value


def write_csv(sheets: list[Sheet], folder: Path) -> list[Path]:
    """One UTF-8 CSV per sheet (with a byte-order mark, so spreadsheet programs read Thai right)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for sheet in sheets:
        path = folder / f"{sheet.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(sheet.headers)
            for row in sheet.rows:
                writer.writerow([_csv_value(v, i in sheet.text_columns) for i, v in enumerate(row)])
        paths.append(path)
    return paths
