"""Improvement plans and Thai dates: plain data, no widgets, no storage.

A participant picks gaps from the summary page and, for each, writes an
action, an owner, a due date and an indicator. Each is a :class:`PlanItem`
keyed by the criterion it closes. Dates are kept as ISO dates and shown
with the Buddhist-era year (พ.ศ. = Gregorian + 543).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["PlanItem", "thai_date", "buddhist_year", "MONTHS_TH", "MAX_FIELD"]

from .text import MAX_TEXT as MAX_FIELD  # characters kept per plan field: generous, but a paste of a whole file is refused

MONTHS_TH = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class PlanItem:
    """One action of an improvement plan, for one criterion.

    ``chosen`` is False when the participant took the criterion out of the
    plan again; what they wrote is kept, not thrown away.
    """

    criterion_id: str
    chosen: bool = True
    action: str = ""
    owner: str = ""
    due: date | None = None
    indicator: str = ""

    @property
    def written(self) -> bool:
        """True when the plan says at least what will be done."""
        return self.chosen and bool(self.action.strip())


def buddhist_year(d: date) -> int:
    """The Buddhist-era year of a date (2026 -> 2569)."""
    return d.year + 543


def thai_date(d: date | None, lang: str = "th") -> str:
    """``15 ม.ค. 2570`` in Thai, ``15 Jan 2027 (B.E. 2570)`` in English, ``""`` for None."""
    if d is None:
        return ""
    if lang == "en":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year} (B.E. {buddhist_year(d)})"
    return f"{d.day} {MONTHS_TH[d.month - 1]} {buddhist_year(d)}"
