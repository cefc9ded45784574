"""Reading the spreadsheets under ``data/``: CSV (UTF-8, a BOM is fine; or Thai Windows-874) or XLSX.

Shared by every data loader (criteria, knowledge-check questions, practice
offices and answers) so that each reports problems the same way: the file,
the row as a spreadsheet counts it (header = row 1) and the column, in Thai
with the English after it.
Every cell is cleaned before it is read: zero-width characters are removed
and non-breaking spaces become ordinary spaces (both are invisible in a
spreadsheet, and "yes" with one of them is not "yes").
This module imports no widgets and no storage.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import Problem

YES = {"yes", "y", "true", "1", "ใช่"}
NO = {"no", "n", "false", "0", "ไม่", "ไม่ใช่"}
# Ids become CSS classes and URL parts: letters, digits, - and _ only.
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# Invisible in a spreadsheet, so never meant: zero-width characters go, non-breaking spaces become spaces.
INVISIBLE = {0x200B: None, 0x200C: None, 0x200D: None, 0x2060: None, 0xFEFF: None, 0x00A0: " ", 0x202F: " "}
HEADER_SEARCH_ROWS = 10  # how far down a header under a title row is looked for

_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
# Ids that Excel, LibreOffice or Google Sheets read as a date when they open a CSV (or when typed):
# month names (Jan-1, 1-Jan, Jan1, SEPT2) here; numbers (1-1, 3-12, 1-13 = Jan 2013, 2024-1-1, 1/2)
# in _NUMBERS_RE when one of them can be a month (see spreadsheet_trap).
_DATE_ID_RE = re.compile(rf"^(?:{_MONTH}-?\d{{1,4}}|\d{{1,2}}-?{_MONTH})$", re.IGNORECASE)
_NUMBERS_RE = re.compile(r"^\d{1,4}([-/.])\d{1,4}(?:\1\d{1,4})?$")
# ... and as a number: 1E5 (100000), 01 (1), or more digits than a number keeps.
_NUMBER_ID_RE = re.compile(r"^(?:\d+[eE]\d+|0\d+|\d{16,})$")


@dataclass
class Table:
    """Rows of one sheet: header names and (spreadsheet row number, values) pairs."""

    name: str  # what a person should look for: a file name, or "book.xlsx, sheet 'levels'"
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    header_row: int = 1  # as a spreadsheet counts; more than 1 when a title sits above the header
    dates: dict[tuple[int, str], str] = field(default_factory=dict)  # (row, column) -> the date a spreadsheet made of the cell
    encoding: str = "utf-8"


def clean(text: str) -> str:
    """Text without zero-width characters, with ordinary spaces for non-breaking ones, stripped."""
    return text.translate(INVISIBLE).strip()


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(str(value))


def visible(value: str, limit: int = 40) -> str:
    """A value as a message may quote it: cut to ``limit``, invisible characters shown as <U+XXXX>."""
    return "".join(
        f"<U+{ord(ch):04X}>" if unicodedata.category(ch) in ("Cf", "Cc", "Co", "Cn") or (ch.isspace() and ch != " ") else ch
        for ch in value[:limit]
    )


def _known(row: list[str], names: set[str]) -> int:
    return sum(1 for v in row if v.strip().lower() in names)


def _header_index(raw: list[list[str]], columns: Iterable[str] | None) -> int:
    """The 0-based index of the header row: the first row, unless a later one names more known columns."""
    if not columns:
        return 0
    names = {c.lower() for c in columns}
    enough = min(2, len(names))
    first = _known(raw[0], names) if raw else 0
    if first >= enough:
        return 0
    for i in range(1, min(len(raw), HEADER_SEARCH_ROWS)):
        found = _known(raw[i], names)
        if found >= enough and found > first:
            return i
    return 0


def table_from_rows(name: str, raw: list[list], problems: list[Problem], columns: Iterable[str] | None = None) -> Table | None:
    """A table from raw cell values; with ``columns`` (the names expected), a title row above the header is found and named."""
    dates = {}
    for r, values in enumerate(raw, start=1):
        for i, v in enumerate(values):
            if isinstance(v, (dt.date, dt.datetime)):
                dates[(r, i)] = cell(v)
    raw = [[cell(v) for v in r] for r in raw]
    top = _header_index(raw, columns)
    if not raw or not any(raw[top]):
        problems.append(Problem(
            name, None, None,
            "the file is empty: it needs a header row and at least one row of data.",
            "ไฟล์ว่าง: ต้องมีแถวหัวตาราง (ชื่อคอลัมน์) และข้อมูลอย่างน้อยหนึ่งแถว",
            structural=True))
        return None
    header_row = top + 1
    if top and any(any(r) for r in raw[:top]):
        above_en = "this row looks like a title" if top == 1 else f"rows 1 to {top} look like a title"
        above_th = "แถวนี้ดูเหมือนเป็นชื่อเรื่อง" if top == 1 else f"แถว 1 ถึง {top} ดูเหมือนเป็นชื่อเรื่อง"
        delete_en = "delete row 1" if top == 1 else f"delete rows 1 to {top}"
        delete_th = "ลบแถว 1" if top == 1 else f"ลบแถว 1 ถึง {top}"
        problems.append(Problem(
            name, 1, None,
            f"{above_en}; the header is on row {header_row}: {delete_en}, so that the column names are on row 1.",
            f"{above_th} แถวหัวตาราง (ชื่อคอลัมน์) อยู่ที่แถว {header_row}: {delete_th} ให้ชื่อคอลัมน์อยู่ในแถว 1",
            structural=True))
    header = [h.strip().lower() for h in raw[top]]
    while header and header[-1] == "":
        header.pop()
    rows = []
    table_dates = {}
    for number, values in enumerate(raw[top + 1:], start=header_row + 1):
        if not any(values):
            continue  # blank rows are allowed
        for i, value in enumerate(values):
            if value and (i >= len(header) or not header[i]):
                problems.append(Problem(
                    name, number, column_letter(i),
                    f"this cell ('{visible(value)}') has no column name in the header row; name the column or move the text.",
                    f"ช่องนี้ ('{visible(value)}') ไม่มีชื่อคอลัมน์ในแถวหัวตาราง: ตั้งชื่อคอลัมน์หรือย้ายข้อความไปคอลัมน์ที่มีชื่อ",
                    kind="unnamed-cell"))
            elif (number, i) in dates and i < len(header):
                table_dates[(number, header[i])] = dates[(number, i)]
        rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    return Table(name, header, rows, header_row, table_dates)


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _thai_cp874(data: bytes) -> str | None:
    """The text of a CSV saved by Thai Windows/Excel (Windows-874, a superset of TIS-620), or None.

    Accepted only when it reads as Thai: every Thai vowel or tone mark follows a
    Thai letter, so a Latin-1 file (café) is not taken for Thai.
    """
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError:
        return None
    if not re.search("[\u0e01-\u0e2e]", text):
        return None
    marks = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")
    for m in marks.finditer(text):
        if m.start() == 0 or not "\u0e01" <= text[m.start() - 1] <= "\u0e4e":
            return None
    return text


def read_csv(path: Path, problems: list[Problem], columns: Iterable[str] | None = None) -> Table | None:
    """One CSV file as a table; ``columns`` (the names expected) lets a title row above the header be found."""
    name = path.name
    encoding = "utf-8"
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot read the file ({exc.strerror}).", f"อ่านไฟล์ไม่ได้ ({exc.strerror})", structural=True))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text = _thai_cp874(data)
        encoding = "cp874"
        if text is None:
            line = data[: exc.start].count(b"\n") + 1
            problems.append(Problem(
                name, line, None,
                "the file is not UTF-8 text. In Excel use 'Save As' > 'CSV UTF-8 (Comma delimited)'.",
                "ไฟล์ไม่ใช่ข้อความ UTF-8 (และไม่ใช่ภาษาไทยแบบ Windows-874): ใน Excel ใช้ 'บันทึกเป็น' (Save As) > 'CSV UTF-8 (Comma delimited)'",
                structural=True))
            return None
    if "\x00" in text:
        problems.append(Problem(
            name, None, None,
            "the file is not a CSV text file (it holds binary data). Save it as CSV UTF-8 or XLSX.",
            "ไฟล์นี้ไม่ใช่ไฟล์ข้อความ CSV (มีข้อมูลไบนารี): บันทึกเป็น CSV UTF-8 หรือ XLSX",
            structural=True))
        return None
    try:
        raw = list(csv.reader(io.StringIO(text, newline="")))  # keeps line breaks inside quoted cells
    except csv.Error as exc:
        problems.append(Problem(
            name, None, None,
            f"the file is not valid CSV ({exc}). Save it again as CSV UTF-8.",
            f"ไฟล์ไม่ใช่ CSV ที่ถูกต้อง ({exc}): บันทึกใหม่เป็น CSV UTF-8",
            structural=True))
        return None
    table = table_from_rows(name, raw, problems, columns)
    if table is not None:
        table.encoding = encoding
    return table


def read_xlsx(
    path: Path, problems: list[Problem], sheets: tuple[str, ...], columns: dict[str, Iterable[str]] | None = None
) -> dict[str, Table | None] | None:
    """The named sheets of a workbook (case-insensitive).

    The first sheet that has none of the other names stands in for ``sheets[0]``.
    A sheet with data and another name is reported (it would not be read),
    naming the sheets expected. ``columns`` maps a sheet to the column names
    expected in it, so that a title row above its header is found.
    """
    import openpyxl  # imported here: only a facilitator loading XLSX pays for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(
            path.name, None, None,
            f"the file is not a readable XLSX workbook ({type(exc).__name__}). Save it again from Excel as .xlsx.",
            f"เปิดไฟล์นี้เป็นสมุดงาน XLSX ไม่ได้ ({type(exc).__name__}): บันทึกใหม่จาก Excel เป็น .xlsx",
            structural=True))
        return None
    try:
        found: dict[str, tuple[str, list]] = {}
        for sheet in book.worksheets:
            raw = [[xlsx_value(c) for c in r] for r in sheet.iter_rows()]
            found.setdefault(clean(sheet.title).lower(), (sheet.title, raw))
    finally:
        book.close()
    used = {key for key in sheets if key in found}
    if sheets[0] not in found:
        stand_in = next((key for key in found if key not in sheets), None)
        if stand_in is not None:
            found[sheets[0]] = found.pop(stand_in)
            used.add(sheets[0])
    tables: dict[str, Table | None] = {}
    for key in sheets:
        if key in found:
            title, raw = found[key]
            tables[key] = table_from_rows(f"{path.name}, sheet '{title}'", raw, problems, (columns or {}).get(key))
    missing = [key for key in sheets if key not in used]
    names = ", ".join(f"'{s}'" for s in sheets)
    for key, (title, raw) in found.items():
        if key in sheets or not any(cell(v) for r in raw for v in r):
            continue  # an empty extra sheet (Sheet2) holds nothing that would be lost
        hint_en = f"rename it to '{missing[0]}'" if len(missing) == 1 else "rename it"
        hint_th = f"เปลี่ยนชื่อชีตเป็น '{missing[0]}'" if len(missing) == 1 else "เปลี่ยนชื่อชีต"
        problems.append(Problem(
            path.name, None, None,
            f"the sheet '{title}' has an unknown name, so it is not read: {hint_en} (the sheets are named {names}) or delete it.",
            f"ชีต '{title}' มีชื่อที่ไม่รู้จัก จึงไม่ถูกอ่าน: {hint_th} (ชื่อชีตที่ใช้ได้: {names}) หรือลบชีตนี้",
            kind="unknown-sheet", structural=True))
    return tables


def xlsx_value(cell):
    """A cell's value as a person sees it: 60% is 60, not 0.6."""
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (getattr(cell, "number_format", "") or ""):
        return round(value * 100, 10)
    return value


def check_columns(table: Table, spec: dict[str, bool], problems: list[Problem]) -> bool:
    """Report missing and unknown columns; return False when a required one is missing."""
    ok = True
    seen = set()
    row = table.header_row
    for h in table.header:
        if not h:
            continue
        if h in seen:
            problems.append(Problem(table.name, row, h, "this column appears twice; keep one.", "คอลัมน์นี้ซ้ำกัน: เก็บไว้คอลัมน์เดียว", structural=True))
        seen.add(h)
        if h not in spec:
            problems.append(Problem(
                table.name, row, h,
                f"unknown column. Allowed columns: {', '.join(spec)}.",
                f"ไม่รู้จักคอลัมน์นี้ คอลัมน์ที่ใช้ได้: {', '.join(spec)}",
                structural=True))
    for column, required in spec.items():
        if required and column not in seen:
            problems.append(Problem(
                table.name, row, column,
                "this required column is missing from the header row.",
                "แถวหัวตารางไม่มีคอลัมน์นี้ ซึ่งต้องมี: เพิ่มคอลัมน์ชื่อนี้",
                structural=True))
            ok = False
    return ok


def yes_no(table: Table, row: int, column: str, value: str, problems: list[Problem], default: bool | None) -> bool:
    """yes/no (also y/n, true/false, 1/0, ใช่/ไม่); blank gives ``default``, or a problem when None."""
    v = value.strip().lower()
    if v in YES:
        return True
    if v in NO:
        return False
    if v == "" and default is not None:
        return default
    if v:
        problems.append(Problem(
            table.name, row, column,
            f"'{visible(value)}' is not yes or no; write yes or no.",
            f"'{visible(value)}' ไม่ใช่ yes หรือ no: เขียน yes หรือ no (หรือ ใช่ / ไม่)",
            kind="yes-no"))
    else:
        problems.append(Problem(
            table.name, row, column,
            "this cell is empty; write yes or no.",
            "ช่องนี้ว่าง: เขียน yes หรือ no (หรือ ใช่ / ไม่)",
            kind="yes-no-empty"))
    return bool(default)


def number(table: Table, row: int, column: str, value: str, problems: list[Problem]) -> float | None:
    try:
        number = float(value.removesuffix("%").strip()) if value else math.nan
    except ValueError:
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        comma = "," in value
        hint = " (use a dot for decimals: 1.5, not 1,5)" if comma else ""
        hint_th = " (ใช้จุดเป็นจุดทศนิยม: 1.5 ไม่ใช่ 1,5)" if comma else ""
        problems.append(Problem(
            table.name, row, column,
            f"'{visible(value)}' is not a number{hint}; write a number such as 2 or 1.5.",
            f"'{visible(value)}' ไม่ใช่ตัวเลข{hint_th}: เขียนตัวเลข เช่น 2 หรือ 1.5",
            kind="number"))
        return None
    return number


def unique_id(table: Table, row: int, value: str, seen: dict[str, int], problems: list[Problem], example: str) -> str:
    """Check that an id is given, well formed and not used before (``seen`` maps id to its first row)."""
    if (row, "id") in table.dates:
        date = table.dates[(row, "id")]
        problems.append(Problem(
            table.name, row, "id",
            f"the spreadsheet has turned this id into a date ({date}); format the id column as Text and type an id that starts with a letter, such as {example}.",
            f"โปรแกรมตารางคำนวณเปลี่ยนรหัสในช่องนี้เป็นวันที่ ({date}) แล้ว: ตั้งรูปแบบคอลัมน์ id เป็นข้อความ (Text) แล้วพิมพ์รหัสที่ขึ้นต้นด้วยตัวอักษร เช่น {example}",
            kind="id-date"))
    elif not value:
        problems.append(Problem(
            table.name, row, "id",
            f"the id is empty; give every row a short unique id such as {example}.",
            f"รหัส (id) ว่าง: ให้ทุกแถวมีรหัสสั้น ๆ ที่ไม่ซ้ำกัน เช่น {example}",
            kind="id-empty"))
    elif not ID_RE.match(value):
        trap = spreadsheet_trap(value)
        also = f" (spreadsheet programs would also turn it into {trap[0]})" if trap else ""
        also_th = f" (โปรแกรมตารางคำนวณจะเปลี่ยนรหัสนี้เป็น{trap[1]}ด้วย)" if trap else ""
        problems.append(Problem(
            table.name, row, "id",
            f"the id '{visible(value)}' may use only letters, digits, - and _ (up to 32), e.g. {example}{also}.",
            f"รหัส '{visible(value)}' ใช้ได้เฉพาะตัวอักษรอังกฤษ ตัวเลข - และ _ (ไม่เกิน 32 ตัว) เช่น {example}{also_th}",
            kind="id-form"))
    elif value in seen:
        problems.append(Problem(
            table.name, row, "id",
            f"duplicate id '{value}' (first used on row {seen[value]}); ids must be unique.",
            f"รหัส '{value}' ซ้ำ (ใช้ครั้งแรกที่แถว {seen[value]}): รหัสต้องไม่ซ้ำกัน",
            kind="id-duplicate"))
    else:
        seen[value] = row
    return value


def spreadsheet_trap(value: str) -> tuple[str, str] | None:
    """What a spreadsheet program makes of this id when it opens the file: ("a date", "วันที่"), ("a number", "ตัวเลข") or None."""
    numbers = _NUMBERS_RE.match(value)
    if numbers:
        parts = [int(n) for n in value.split(numbers.group(1))]
        if numbers.group(1) != "." or len(parts) == 3:  # 1-1, 1/2, 2024-1-1, 1.1.10
            if any(_month_and_day_or_year(a, b) for a, b in zip(parts, parts[1:])):
                return "a date", "วันที่"
        if numbers.group(1) == "." and len(parts) == 2:  # 1.10 is the number 1.1
            return "a number", "ตัวเลข"
    if _DATE_ID_RE.match(value):
        return "a date", "วันที่"
    if _NUMBER_ID_RE.match(value):
        return "a number", "ตัวเลข"
    return None


def _month_and_day_or_year(a: int, b: int) -> bool:
    """Could a and b, in either order, be a month and a day (3-12, 13-1) or a month and a year (1-13, 2024-1)?"""
    def other(n: int) -> bool:
        return 1 <= n <= 99 or 1000 <= n <= 9999
    return (1 <= a <= 12 and other(b)) or (1 <= b <= 12 and other(a))


def id_warning(table: Table, row: int, value: str, warnings: list[Problem], suggestion: str) -> None:
    """Warn about an id that Excel, LibreOffice or Google Sheets would turn into a date or a number."""
    trap = spreadsheet_trap(value) if ID_RE.match(value or "") else None
    if trap:
        warnings.append(Problem(
            table.name, row, "id",
            f"spreadsheet programs such as Excel turn the id '{value}' into {trap[0]} when they open the file, and then it no longer matches; use an id that starts with a letter, such as {suggestion}.",
            f"Excel และโปรแกรมตารางคำนวณอื่นจะเปลี่ยนรหัส '{value}' เป็น{trap[1]}เมื่อเปิดไฟล์ แล้วรหัสจะไม่ตรงกันอีก: ใช้รหัสที่ขึ้นต้นด้วยตัวอักษร เช่น {suggestion}",
            kind="id-trap"))
