"""Criteria as data: the four GECC factors, the criteria of a standard and its levels.

A *standard* is read from a spreadsheet a facilitator can edit:

- a CSV file (UTF-8, a BOM is fine) with one row per criterion, plus two small
  files beside it: ``<name>.levels.csv`` (the certification levels and their
  thresholds) and, optionally, ``<name>.meta.csv`` (title, fiscal year, the
  "illustrative" notice);
- or one XLSX workbook with the sheets ``criteria``, ``levels`` and, optionally,
  ``meta``, laid out the same way.

:func:`load_standard` checks everything and reports every problem at once,
each with the file, the row (as a spreadsheet counts, header = row 1) and the
column. This module imports no widgets and no storage.
"""
from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CriteriaError, Problem

__all__ = [
    "FACTORS",
    "Factor",
    "Criterion",
    "Level",
    "Standard",
    "load_standard",
    "sample_criteria_path",
]


@dataclass(frozen=True)
class Factor:
    """One of the four GECC factors (fixed by the FY2568 standard)."""

    id: str
    number: int
    name_th: str
    name_en: str


FACTORS: tuple[Factor, ...] = (
    Factor("location", 1, "ด้านสถานที่", "Location"),
    Factor("personnel", 2, "ด้านบุคลากร", "Personnel"),
    Factor("service", 3, "ด้านบริการ", "Service"),
    Factor("technology", 4, "ด้านเทคโนโลยี", "Technology"),
)
_FACTOR_BY_NAME = {name: f for f in FACTORS for name in (f.id, f.name_th, f.name_en.lower())}


@dataclass(frozen=True)
class Criterion:
    """One criterion (indicator) of the standard."""

    id: str
    factor: str
    title_th: str
    title_en: str = ""
    guidance_th: str = ""
    guidance_en: str = ""
    evidence_th: str = ""
    evidence_en: str = ""
    mandatory: bool = False
    weight: float = 1.0
    act_ref: str = ""


@dataclass(frozen=True)
class Level:
    """A certification level reached at ``min_percent`` or more.

    With ``all_mandatory`` the level also needs every applicable mandatory
    criterion met.
    """

    id: str
    name_th: str
    name_en: str
    min_percent: float
    all_mandatory: bool = True


@dataclass(frozen=True)
class Standard:
    """A validated set of criteria and levels, as read from one source."""

    criteria: tuple[Criterion, ...]
    levels: tuple[Level, ...]  # ascending min_percent
    title_th: str = "เกณฑ์ศูนย์ราชการสะดวก (GECC)"
    title_en: str = "Government Easy Contact Center (GECC) criteria"
    fiscal_year: int | None = None
    illustrative: bool = True
    notice_th: str = "เกณฑ์ น้ำหนัก และเกณฑ์ระดับในชุดนี้เป็นตัวอย่างเพื่อการฝึก ไม่ใช่แบบประเมินทางการ"
    notice_en: str = "Illustrative criteria, weights and thresholds for practice; not the official form."
    source: str = ""
    _by_id: dict = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_id", {c.id: c for c in self.criteria})

    @property
    def factors(self) -> tuple[Factor, ...]:
        """The factors, in teaching order."""
        return FACTORS

    def for_factor(self, factor_id: str) -> tuple[Criterion, ...]:
        """The criteria of one factor, in file order."""
        factor(factor_id)  # raises KeyError on an unknown id
        return tuple(c for c in self.criteria if c.factor == factor_id)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion with this id (KeyError if unknown)."""
        return self._by_id[criterion_id]

    def __contains__(self, criterion_id: str) -> bool:
        return criterion_id in self._by_id


def factor(factor_id: str) -> Factor:
    """The factor with this id, Thai name or English name (KeyError if unknown)."""
    return _FACTOR_BY_NAME[factor_id.strip().lower() if factor_id.isascii() else factor_id.strip()]


def sample_criteria_path() -> Path:
    """The criteria file in use: ``$GECC_CRITERIA`` or the shipped sample."""
    env = os.environ.get("GECC_CRITERIA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data" / "samples" / "criteria-2568.csv"


# --- reading tables -----------------------------------------------------------------

_YES = {"yes", "y", "true", "1", "ใช่"}
_NO = {"no", "n", "false", "0", "ไม่", "ไม่ใช่"}
# Ids become CSS classes and URL parts: letters, digits, - and _ only.
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")

CRITERIA_COLUMNS = {
    "id": True,
    "factor": True,
    "title_th": True,
    "title_en": False,
    "guidance_th": False,
    "guidance_en": False,
    "evidence_th": False,
    "evidence_en": False,
    "mandatory": True,
    "weight": True,
    "act_ref": False,
}
LEVEL_COLUMNS = {"id": True, "name_th": True, "name_en": False, "min_percent": True, "all_mandatory": False}
META_COLUMNS = {"key": True, "value": True}
META_KEYS = {"title_th", "title_en", "fiscal_year", "illustrative", "notice_th", "notice_en"}


@dataclass
class _Table:
    """Rows of one sheet: header names and (spreadsheet row number, values) pairs."""

    name: str  # what a person should look for: a file name, or "book.xlsx, sheet 'levels'"
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _table_from_rows(name: str, raw: list[list], problems: list[Problem]) -> _Table | None:
    raw = [[_cell(v) for v in r] for r in raw]
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
                problems.append(Problem(name, number, _column_letter(i), f"this cell ('{value[:40]}') has no column name in the header row; name the column or move the text."))
        rows.append((number, {h: (values[i] if i < len(values) else "") for i, h in enumerate(header) if h}))
    return _Table(name, header, rows)


def _column_letter(index: int) -> str:
    """Spreadsheet column letters for a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_csv(path: Path, problems: list[Problem]) -> _Table | None:
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
    return _table_from_rows(name, raw, problems)


def _read_xlsx(path: Path, problems: list[Problem]) -> dict[str, _Table | None] | None:
    import openpyxl  # imported here: only a facilitator loading XLSX pays for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        problems.append(Problem(path.name, None, None, f"the file is not a readable XLSX workbook ({type(exc).__name__}). Save it again from Excel as .xlsx."))
        return None
    try:
        sheets = {}
        for sheet in book.worksheets:
            raw = [[_xlsx_value(cell) for cell in r] for r in sheet.iter_rows()]
            sheets[sheet.title.strip().lower()] = (sheet.title, raw)
    finally:
        book.close()
    tables: dict[str, _Table | None] = {}
    for key in ("criteria", "levels", "meta"):
        if key in sheets:
            title, raw = sheets[key]
        elif key == "criteria" and sheets:
            title, raw = next(iter(sheets.values()))
        else:
            continue
        tables[key] = _table_from_rows(f"{path.name}, sheet '{title}'", raw, problems)
    return tables


def _xlsx_value(cell):
    """A cell's value as a person sees it: 60% is 60, not 0.6."""
    value = getattr(cell, "value", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (getattr(cell, "number_format", "") or ""):
        return round(value * 100, 10)
    return value


def _check_columns(table: _Table, spec: dict[str, bool], problems: list[Problem]) -> bool:
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


def _yes_no(table: _Table, row: int, column: str, value: str, problems: list[Problem], default: bool | None) -> bool:
    """yes/no (also y/n, true/false, 1/0, ใช่/ไม่); blank gives ``default``, or a problem when None."""
    v = value.strip().lower()
    if v in _YES:
        return True
    if v in _NO:
        return False
    if v == "" and default is not None:
        return default
    problems.append(Problem(table.name, row, column, f"'{value}' is not yes or no; write yes or no." if v else "this cell is empty; write yes or no."))
    return bool(default)


def _number(table: _Table, row: int, column: str, value: str, problems: list[Problem]) -> float | None:
    try:
        number = float(value.removesuffix("%").strip()) if value else math.nan
    except ValueError:
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        hint = " (use a dot for decimals: 1.5, not 1,5)" if "," in value else ""
        problems.append(Problem(table.name, row, column, f"'{value}' is not a number{hint}; write a number such as 2 or 1.5."))
        return None
    return number


def _unique_id(table: _Table, row: int, value: str, seen: dict[str, int], problems: list[Problem], example: str) -> str:
    """Check that an id is given, well formed and not used before (``seen`` maps id to its first row)."""
    if not value:
        problems.append(Problem(table.name, row, "id", f"the id is empty; give every row a short unique id such as {example}."))
    elif not _ID_RE.match(value):
        problems.append(Problem(table.name, row, "id", f"the id '{value[:40]}' may use only letters, digits, - and _ (up to 32), e.g. {example} or 1-1 instead of 1.1."))
    elif value in seen:
        problems.append(Problem(table.name, row, "id", f"duplicate id '{value}' (first used on row {seen[value]}); ids must be unique."))
    else:
        seen[value] = row
    return value


def _parse_criteria(table: _Table, problems: list[Problem]) -> list[Criterion]:
    if not _check_columns(table, CRITERIA_COLUMNS, problems):
        return []
    criteria: list[Criterion] = []
    first_row: dict[str, int] = {}
    for row, v in table.rows:
        before = len(problems)
        cid = _unique_id(table, row, v.get("id", ""), first_row, problems, "L01")
        try:
            fac = factor(v.get("factor", "")).id
        except KeyError:
            fac = ""
            allowed = ", ".join(f"{f.id} ({f.name_th})" for f in FACTORS)
            problems.append(Problem(table.name, row, "factor", f"unknown factor '{v.get('factor', '')}'; use one of: {allowed}."))
        if not v.get("title_th"):
            problems.append(Problem(table.name, row, "title_th", "the Thai text of the criterion is empty; write what the criterion asks for."))
        weight = _number(table, row, "weight", v.get("weight", ""), problems)
        if weight is not None and weight <= 0:
            problems.append(Problem(table.name, row, "weight", f"the weight must be a positive number, not {v.get('weight')}."))
        mandatory = _yes_no(table, row, "mandatory", v.get("mandatory", ""), problems, default=None)
        if len(problems) == before:
            criteria.append(
                Criterion(
                    id=cid,
                    factor=fac,
                    title_th=v["title_th"],
                    title_en=v.get("title_en", ""),
                    guidance_th=v.get("guidance_th", ""),
                    guidance_en=v.get("guidance_en", ""),
                    evidence_th=v.get("evidence_th", ""),
                    evidence_en=v.get("evidence_en", ""),
                    mandatory=mandatory,
                    weight=float(weight),
                    act_ref=v.get("act_ref", ""),
                )
            )
    if not table.rows:
        problems.append(Problem(table.name, None, None, "the file has a header but no criteria."))
        return criteria
    used = {fac for row, v in table.rows for fac in [_factor_or_none(v.get("factor", ""))] if fac}
    for f in FACTORS:
        if f.id not in used:
            problems.append(Problem(table.name, None, "factor", f"factor '{f.id}' ({f.name_th}) has no criteria; add at least one row for it."))
    return criteria


def _factor_or_none(name: str) -> str | None:
    try:
        return factor(name).id
    except KeyError:
        return None


def _parse_levels(table: _Table, problems: list[Problem]) -> list[Level]:
    if not _check_columns(table, LEVEL_COLUMNS, problems):
        return []
    levels: list[Level] = []
    seen: dict[str, int] = {}
    previous: tuple[int, float] | None = None
    for row, v in table.rows:
        before = len(problems)
        lid = _unique_id(table, row, v.get("id", ""), seen, problems, "basic")
        if not v.get("name_th"):
            problems.append(Problem(table.name, row, "name_th", "the Thai name of the level is empty."))
        pct = _number(table, row, "min_percent", v.get("min_percent", ""), problems)
        if pct is not None:
            if not 0 <= pct <= 100:
                problems.append(Problem(table.name, row, "min_percent", f"the threshold {v['min_percent']} is outside 0 to 100."))
            elif previous is not None and pct <= previous[1]:
                problems.append(Problem(table.name, row, "min_percent", f"thresholds must go up row by row: {v['min_percent']} is not above {previous[1]:g} on row {previous[0]}."))
            previous = (row, pct)
        all_mandatory = _yes_no(table, row, "all_mandatory", v.get("all_mandatory", ""), problems, default=True)
        if len(problems) == before:
            levels.append(Level(lid, v["name_th"], v.get("name_en", ""), pct, all_mandatory))
    if not table.rows:
        problems.append(Problem(table.name, None, None, "the levels file has a header but no levels; add at least one."))
    elif levels and all(lv.min_percent <= 1 for lv in levels) and any(lv.min_percent > 0 for lv in levels):
        problems.append(Problem(table.name, None, "min_percent", "the thresholds look like fractions (0.6); write them as percents (60)."))
    return levels


def _parse_meta(table: _Table, problems: list[Problem]) -> dict:
    if not _check_columns(table, META_COLUMNS, problems):
        return {}
    meta: dict = {}
    for row, v in table.rows:
        key, value = v.get("key", ""), v.get("value", "")
        if key not in META_KEYS:
            problems.append(Problem(table.name, row, "key", f"unknown key '{key}'. Allowed keys: {', '.join(sorted(META_KEYS))}."))
        elif key == "fiscal_year":
            if value.isdigit() and 2500 <= int(value) <= 2700:
                meta[key] = int(value)
            else:
                problems.append(Problem(table.name, row, "value", f"the fiscal year '{value}' should be a Buddhist-era year such as 2568."))
        elif key == "illustrative":
            meta[key] = _yes_no(table, row, "value", value, problems, default=True)
        elif value:
            meta[key] = value
    return meta


def load_standard(path: str | os.PathLike | None = None) -> Standard:
    """Read and validate a standard (criteria, levels, meta).

    Parameters
    ----------
    path
        A ``.csv`` criteria file (with ``<name>.levels.csv`` and optionally
        ``<name>.meta.csv`` beside it) or an ``.xlsx`` workbook with the sheets
        ``criteria``, ``levels`` and optionally ``meta``. Defaults to
        :func:`sample_criteria_path`.

    Returns
    -------
    Standard

    Raises
    ------
    CriteriaError
        With every problem found, each naming the file, row and column.
    """
    path = Path(path) if path is not None else sample_criteria_path()
    problems: list[Problem] = []
    suffix = path.suffix.lower()
    if not path.is_file():
        raise CriteriaError([Problem(path.name or str(path), None, None, f"no such file: {path}")])
    tables: dict[str, _Table | None]
    if suffix == ".csv":
        tables = {"criteria": _read_csv(path, problems)}
        stem = path.name[: -len(path.suffix)]
        levels_path = path.with_name(f"{stem}.levels.csv")
        meta_path = path.with_name(f"{stem}.meta.csv")
        if levels_path.is_file():
            tables["levels"] = _read_csv(levels_path, problems)
        else:
            problems.append(Problem(levels_path.name, None, None, f"the levels file is missing: put it beside {path.name} (columns: {', '.join(LEVEL_COLUMNS)})."))
        if meta_path.is_file():
            tables["meta"] = _read_csv(meta_path, problems)
    elif suffix in (".xlsx", ".xlsm"):
        tables = _read_xlsx(path, problems) or {}
        if tables and "levels" not in tables:
            problems.append(Problem(path.name, None, None, "the workbook has no sheet named 'levels'; add one with the columns " + ", ".join(LEVEL_COLUMNS) + "."))
    else:
        raise CriteriaError([Problem(path.name, None, None, "this is not a CSV or XLSX file; save the criteria as CSV UTF-8 or XLSX.")])

    criteria = _parse_criteria(tables["criteria"], problems) if tables.get("criteria") else []
    levels = _parse_levels(tables["levels"], problems) if tables.get("levels") else []
    meta = _parse_meta(tables["meta"], problems) if tables.get("meta") else {}
    if problems:
        raise CriteriaError(problems)
    return Standard(criteria=tuple(criteria), levels=tuple(levels), source=str(path), **meta)
