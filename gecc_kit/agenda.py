"""The day's กำหนดการ (agenda): a full-day and a half-day plan, read from ``data/agenda.csv``.

The slides (the กำหนดการ slide and the time slots in the speaker notes), the welcome page and
the tests all read the same file, so the day is told one way everywhere. The file is
``$GECC_AGENDA`` when set, else the kit's ``data/agenda.csv``; it is a CSV in UTF-8 with a
header row and one row per item, in the order of the day:

==========  ========  ==============================================================
column      required  what it holds
==========  ========  ==============================================================
plan        yes       ``full`` (a full day) or ``half`` (a half day: the participants do
                      the self-assessments of modules 01-04 before the day, as pre-work)
start       yes       the clock time the item starts, ``HH:MM`` (``08:30``; ``08.30``
                      is read the same)
minutes     yes       how long it takes, a whole number of minutes
item_th     yes       what the item is called, in Thai (what the room reads)
item_en     no        the same in English (``?l=en``)
page        no        the notebook a participant opens for it, relative to ``notebooks/``
                      (``01-location.ipynb``); empty for breaks, the opening, and the
                      consensus round (done on the facilitator's consensus screen)
kind        yes       one of :data:`KINDS`: registration, opening, pretest, module, cases,
                      break, consensus, posttest, closing
note_th     no        one short line shown under the item (Thai)
note_en     no        the same in English
==========  ========  ==============================================================

Each plan's rows add up: every start is the previous row's start plus its minutes (a gap or
an overlap is a problem), and both plans are present. :func:`load_agenda` reports every
problem at once, each naming the file, the row (as a spreadsheet counts it: the header is
row 1) and the column, like the criteria and the questions do.

This module imports no widgets and no storage.
"""
from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from .errors import DataError, Problem
from .tables import check_columns, read_csv

__all__ = [
    "AgendaError", "Item", "PLANS", "KINDS", "agenda_path", "load_agenda", "agenda",
    "minutes_for_page", "slot_text", "agenda_html",
]

PLANS = ("full", "half")
PLAN_TITLES = {"full": ("เต็มวัน", "Full day"), "half": ("ครึ่งวัน", "Half day")}
KINDS = ("registration", "opening", "pretest", "module", "cases", "break", "consensus", "posttest", "closing")
COLUMNS = {
    "plan": True,
    "start": True,
    "minutes": True,
    "item_th": True,
    "item_en": False,
    "page": False,
    "kind": True,
    "note_th": False,
    "note_en": False,
}
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_PAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(/[A-Za-z0-9][A-Za-z0-9_-]*)*\.ipynb$")
_DAY = 24 * 60


class AgendaError(DataError):
    """Raised when the agenda file (``data/agenda.csv``) is invalid."""

    what = "the agenda"


@dataclass(frozen=True)
class Item:
    """One row of a plan: what happens from ``start`` for ``minutes`` minutes."""

    plan: str
    start: time
    minutes: int
    item_th: str
    item_en: str = ""
    page: str = ""
    kind: str = ""
    note_th: str = ""
    note_en: str = ""

    @property
    def end(self) -> time:
        """When the item ends (the next item's start)."""
        return _time(_minute(self.start) + self.minutes)

    def title(self, lang: str = "th") -> str:
        """The item's name in ``lang`` ("th" or "en"; English falls back to Thai)."""
        return (self.item_en if lang == "en" else "") or self.item_th

    def note(self, lang: str = "th") -> str:
        """The item's note in ``lang`` (English falls back to Thai); empty when it has none."""
        return (self.note_en if lang == "en" else "") or self.note_th

    def time_text(self, lang: str = "th") -> str:
        """Start and end as people write them: ``08.30–09.00 น.`` in Thai, ``08:30–09:00`` in English."""
        return f"{_clock(self.start, lang)}–{_clock(self.end, lang)}" + (" น." if lang != "en" else "")


def agenda_path() -> Path:
    """``$GECC_AGENDA``, else the kit's ``data/agenda.csv``."""
    env = os.environ.get("GECC_AGENDA")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data" / "agenda.csv"


def load_agenda(path: str | os.PathLike | None = None) -> dict[str, tuple[Item, ...]]:
    """Read and check the agenda: every plan's items in the order of the day.

    Returns
    -------
    dict
        ``{"full": (Item, ...), "half": (Item, ...)}``.

    Raises
    ------
    AgendaError
        With every problem, each naming the file, row and column.
    """
    path = Path(path) if path is not None else agenda_path()
    if not path.is_file():
        raise AgendaError([Problem(path.name or str(path), None, None, f"no such file: {path}")])
    problems: list[Problem] = []
    table = read_csv(path, problems)
    plans: dict[str, list[Item]] = {p: [] for p in PLANS}
    if table is not None and check_columns(table, COLUMNS, problems):
        last: dict[str, tuple[int, Item]] = {}  # plan -> (row, item) of its previous row
        for row, v in table.rows:
            before = len(problems)
            plan = v.get("plan", "").strip().lower()
            if plan not in PLANS:
                problems.append(Problem(table.name, row, "plan", f"'{v.get('plan', '')}' is not a plan; write full or half."))
            start = _parse_clock(table.name, row, v.get("start", ""), problems)
            minutes = _parse_minutes(table.name, row, v.get("minutes", ""), problems)
            if not v.get("item_th"):
                problems.append(Problem(table.name, row, "item_th", "this cell is empty; give every item its Thai name."))
            kind = v.get("kind", "").strip().lower()
            if kind not in KINDS:
                problems.append(Problem(table.name, row, "kind", f"unknown kind '{v.get('kind', '')}'; use one of: {', '.join(KINDS)}."))
            page = v.get("page", "").strip()
            if page and (not _PAGE.match(page) or ".." in page):
                problems.append(Problem(table.name, row, "page", f"'{page[:60]}' is not a notebook under notebooks/; write its file name, such as 01-location.ipynb, or leave the cell empty."))
            if start is not None and minutes is not None and _minute(start) + minutes >= _DAY:
                problems.append(Problem(table.name, row, "minutes", "the item runs to midnight or past it; check the start and the minutes."))
                minutes = None
            if len(problems) > before or plan not in PLANS or start is None or minutes is None:
                last.pop(plan, None)  # a broken row: do not measure the next one against it
                continue
            item = Item(plan=plan, start=start, minutes=minutes, item_th=v["item_th"], item_en=v.get("item_en", ""),
                        page=page, kind=kind, note_th=v.get("note_th", ""), note_en=v.get("note_en", ""))
            if plan in last:
                prev_row, prev = last[plan]
                if item.start != prev.end:
                    gap = "a gap" if item.start > prev.end else "an overlap"
                    problems.append(Problem(
                        table.name, row, "start",
                        f"starts at {_clock(item.start)}, but the {plan} plan's row before it (row {prev_row}) ends at "
                        f"{_clock(prev.end)} ({_clock(prev.start)} + {prev.minutes} minutes): {gap}. Each start is the "
                        f"previous start plus its minutes; change this start or the minutes above."))
            last[plan] = (row, item)
            plans[plan].append(item)
        if not table.rows:
            problems.append(Problem(table.name, None, None, "the file has a header but no items."))
        else:
            for plan in PLANS:
                if not any(v.get("plan", "").strip().lower() == plan for _, v in table.rows):
                    problems.append(Problem(table.name, None, "plan", f"no row is in the {plan} plan; the agenda needs a full-day (full) and a half-day (half) plan."))
    if problems:
        raise AgendaError(problems)
    return {plan: tuple(items) for plan, items in plans.items()}


def agenda(plan: str = "full", path: str | os.PathLike | None = None) -> tuple[Item, ...]:
    """One plan's items in the order of the day (``plan`` is "full" or "half").

    Raises
    ------
    ValueError
        When ``plan`` is not one of :data:`PLANS`.
    AgendaError
        When the file is invalid.
    """
    if plan not in PLANS:
        raise ValueError(f"unknown plan {plan!r}; use one of {PLANS}")
    return load_agenda(path)[plan]


def posttest_start(plan: str = "full", path: str | os.PathLike | None = None) -> time | None:
    """When ``plan``'s post-test begins (its first ``posttest`` row), or None without one."""
    return next((item.start for item in agenda(plan, path) if item.kind == "posttest"), None)


def minutes_for_page(notebook: str | os.PathLike, path: str | os.PathLike | None = None) -> int:
    """The full day's minutes for one notebook: the sum over every full-plan row that opens it.

    ``notebook`` is its name under ``notebooks/`` (``"06-knowledge-check.ipynb"``: the pre-test
    and post-test rows together), with or without ``.ipynb``, or a path that ends with it.
    0 when no row opens it.
    """
    name = str(notebook).replace(os.sep, "/")
    if not name.endswith(".ipynb"):
        name += ".ipynb"
    return sum(i.minutes for i in agenda("full", path) if i.page and (name == i.page or name.endswith("/" + i.page)))


def slot_text(key: str, lang: str = "th", path: str | os.PathLike | None = None) -> str:
    """When ``key`` (a page such as ``"01-location.ipynb"`` or a kind such as ``"consensus"``)
    happens in each plan, as one line for a slide or a speaker note.

    For example ``"เต็มวัน 13.50–14.30 น. (40 นาที) · ครึ่งวัน 10.35–11.15 น. (40 นาที)"``.
    Plans without such a row are left out; empty when no plan has one.
    """
    plans = load_agenda(path)
    parts = []
    for plan in PLANS:
        for item in plans[plan]:
            if key in (item.page, item.kind):
                unit = "minutes" if lang == "en" else "นาที"
                parts.append(f"{PLAN_TITLES[plan][lang == 'en']} {item.time_text(lang)} ({item.minutes} {unit})")
    return " · ".join(parts)


def agenda_html(plan: str = "full", lang: str = "th", path: str | os.PathLike | None = None, *, caption: bool = False) -> str:
    """One plan as an HTML table: time (start–end), item (with its note) and minutes.

    Every text is escaped. The table has the class ``gecc-agenda`` and ``data-plan``; each row
    has ``data-kind`` (breaks: the class ``gecc-agenda-break``), so a page can style it without
    inline styles. With ``caption`` the table names its plan and its hours. The HTML has no blank
    line, so it can sit inside a Markdown cell.
    """
    items = agenda(plan, path)
    en = lang == "en"
    head = ("Time", "Item", "Minutes") if en else ("เวลา", "หัวข้อ", "นาที")
    out = [f'<table class="gecc-agenda" data-plan="{plan}">']
    if caption and items:
        hours = f"{_clock(items[0].start, lang)}–{_clock(items[-1].end, lang)}" + ("" if en else " น.")
        label = ("Agenda" if en else "กำหนดการ") + f" ({PLAN_TITLES[plan][en]}, {hours})"
        out.append(f"<caption>{html.escape(label)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead>")
    out.append("<tbody>")
    for item in items:
        css = ' class="gecc-agenda-break"' if item.kind == "break" else ""
        note = item.note(lang)
        note_html = f'<br><span class="gecc-agenda-note">{html.escape(note)}</span>' if note else ""
        out.append(
            f'<tr data-kind="{html.escape(item.kind)}"{css}>'
            f'<td class="gecc-agenda-time">{html.escape(item.time_text(lang))}</td>'
            f'<td class="gecc-agenda-item">{html.escape(item.title(lang))}{note_html}</td>'
            f'<td class="gecc-agenda-minutes">{item.minutes}</td></tr>'
        )
    out.append("</tbody></table>")
    return "\n".join(out)


def _minute(t: time) -> int:
    return t.hour * 60 + t.minute


def _time(minute: int) -> time:
    return time(minute // 60, minute % 60)


def _clock(t: time, lang: str = "en") -> str:
    """``08:30`` (English, and the file's own form) or ``08.30`` (Thai)."""
    return f"{t.hour:02d}{'.' if lang != 'en' else ':'}{t.minute:02d}"


def _parse_clock(name: str, row: int, value: str, problems: list[Problem]) -> time | None:
    m = _CLOCK.match(value.strip())
    if not m:
        what = f"'{value[:20]}' is not a clock time" if value.strip() else "this cell is empty"
        problems.append(Problem(name, row, "start", f"{what}; write the start as HH:MM, such as 08:30 or 13:10."))
        return None
    return time(int(m.group(1)), int(m.group(2)))


def _parse_minutes(name: str, row: int, value: str, problems: list[Problem]) -> int | None:
    v = value.strip()
    if not v.isdigit() or int(v) == 0:
        what = f"'{value[:20]}' is not a whole number of minutes" if v else "this cell is empty"
        problems.append(Problem(name, row, "minutes", f"{what}; write how long the item takes, such as 45."))
        return None
    return int(v)
