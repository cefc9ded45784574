"""Reading the spreadsheets under ``data/``: CSV (UTF-8, a BOM is fine) or XLSX.

Shared by every data loader (criteria, knowledge-check questions, practice
offices and answers) so that each reports problems the same way: the file,
the row as a spreadsheet counts it (header = row 1) and the column.
This module imports no widgets and no storage.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem

YES = {"yes", "y", "true", "1", "ใช่"}
NO = {"no", "n", "false", "0", "ไม่", "ไม่ใช่"}
# Ids become CSS classes and URL parts: letters, digits, - and _ only.
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")

@dataclass
class Table:
    """Rows of one sheet: header names and (spreadsheet row number, values) pairs."""

    name: str  # what a person should look for: a file name, or "book.xlsx, sheet 'levels'"
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def table_from_rows(name: str, raw: list[list], problems: list[Problem]) -> Table | None:
    raw = [[cell(v) for v in r] for r in raw]
    if not raw or not any(raw[0]):
        problems.append(Problem(name, None, None, "the file is empty: it needs a header row and at least one row of data."))
        return None
    header = [h.strip().lower() for h in raw[0]]
    while header and header[-1] == "":
        header.pop()
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue  # blank rows are allowed
        for i, value in enumerate(values):
            if value and (i >= len(header) or not header[i]):
                problems.append(Problem(name, number, column_letter(i), f"this cell ('{value[:40]}') has no column name in the header row; name the column or move the text."))
        rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    return Table(name, header, rows)


def column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_csv(path: Path, problems: list[Problem]) -> Table | None:
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, "the file is not UTF-8 text. In Excel use 'Save As' > 'CSV UTF-8 (Comma delimited)'."))
        return None
    except OSError as exc:
        problems.append(Problem(name, None, None, f"cannot read the file ({exc.strerror})."))
        return None
    if "\x00" in text:
        problems.append(Problem(name, None, None, "the file is not a CSV text file (it holds binary data). Save it as CSV UTF-8 or XLSX."))
        return None
    try:
        raw = list(csv.reader(io.StringIO(text, newline="")))  # keeps line breaks inside quoted cells
    except csv.Error as exc:
        problems.append(Problem(name, None, None, f"the file is not valid CSV ({exc}). Save it again as CSV UTF-8."))
        return None
    return table_from_rows(name, raw, problems)


def read_xlsx(path: Path, problems: list[Problem], sheets: tuple[str, ...]) -> dict[str, Table | None] | None:
    """The named sheets of a workbook (case-insensitive); the first sheet stands in for ``sheets[0]``."""
    import openpyxl  # imported here: only a facilitator loading XLSX pays for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(path.name, None, None, f"the file is not a readable XLSX workbook ({type(exc).__name__}). Save it again from Excel as .xlsx."))
        return None
    try:
        found = {}
        for sheet in book.worksheets:
            raw = [[xlsx_value(c) for c in r] for r in sheet.iter_rows()]
            found[sheet.title.strip().lower()] = (sheet.title, raw)
    finally:
        book.close()
    tables: dict[str, Table | None] = {}
    for key in sheets:
        if key in found:
            title, raw = found[key]
        elif key == sheets[0] and found:
            title, raw = next(iter(found.values()))
        else:
            continue
        tables[key] = table_from_rows(f"{path.name}, sheet '{title}'", raw, problems)
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
    for h in table.header:
        if not h:
            continue
        if h in seen:
            problems.append(Problem(table.name, 1, h, "this column appears twice; keep one."))
        seen.add(h)
        if h not in spec:
            problems.append(Problem(table.name, 1, h, f"unknown column. Allowed columns: {', '.join(spec)}."))
    for column, required in spec.items():
        if required and column not in seen:
            problems.append(Problem(table.name, 1, column, "this required column is missing from the header row."))
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
    problems.append(Problem(table.name, row, column, f"'{value}' is not yes or no; write yes or no." if v else "this cell is empty; write yes or no."))
    return bool(default)


def number(table: Table, row: int, column: str, value: str, problems: list[Problem]) -> float | None:
    try:
        number = float(value.removesuffix("%").strip()) if value else math.nan
    except ValueError:
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        hint = " (use a dot for decimals: 1.5, not 1,5)" if "," in value else ""
        problems.append(Problem(table.name, row, column, f"'{value}' is not a number{hint}; write a number such as 2 or 1.5."))
        return None
    return number


def unique_id(table: Table, row: int, value: str, seen: dict[str, int], problems: list[Problem], example: str) -> str:
    """Check that an id is given, well formed and not used before (``seen`` maps id to its first row)."""
    if not value:
        problems.append(Problem(table.name, row, "id", f"the id is empty; give every row a short unique id such as {example}."))
    elif not ID_RE.match(value):
        problems.append(Problem(table.name, row, "id", f"the id '{value[:40]}' may use only letters, digits, - and _ (up to 32), e.g. {example} or 1-1 instead of 1.1."))
    elif value in seen:
        problems.append(Problem(table.name, row, "id", f"duplicate id '{value}' (first used on row {seen[value]}); ids must be unique."))
    else:
        seen[value] = row
    return value
