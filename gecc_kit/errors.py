"""Errors raised by gecc-kit.

Every error carries a message a facilitator can act on: what is wrong and
what to do. Participants never see these as tracebacks; the widgets turn
them into one Thai sentence.
"""
from __future__ import annotations

from dataclasses import dataclass


class GeccError(Exception):
    """Base class of every error gecc-kit raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in a data file (criteria, questions, offices...).

    ``row`` counts like a spreadsheet does (the header is row 1); ``column``
    is the column's header name. Either is ``None`` when the problem is
    about the whole file. ``message`` is English; ``message_th``, when given,
    is the same in Thai and is shown first. ``kind`` groups problems of one
    kind, so that a flood of them is shown as a few and a count;
    ``structural`` problems (a file, a sheet, the header) are listed before
    the problems of single cells.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    message_th: str = ""
    kind: str = ""
    structural: bool = False

    def where(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return where

    def where_th(self) -> str:
        where = self.file.replace(", sheet '", " ชีต '")
        if self.row is not None:
            where += f" แถว {self.row}"
        if self.column is not None:
            where += f" คอลัมน์ {self.column}"
        return where

    def text_en(self) -> str:
        return f"{self.where()}: {self.message}"

    def text_th(self) -> str:
        """The Thai line (the English one when no Thai text was given)."""
        return f"{self.where_th()}: {self.message_th}" if self.message_th else self.text_en()

    def __str__(self) -> str:
        if self.message_th:
            return f"{self.text_th()} / {self.text_en()}"
        return self.text_en()


def ordered(problems) -> list[Problem]:
    """Structural problems (file, sheet, header) first; otherwise in the order found."""
    return sorted(problems, key=lambda p: not p.structural)


def shown(problems, limit: int = 5) -> list[Problem]:
    """The problems to show a person: at most ``limit`` of one kind in one file, then a count.

    ``problems`` should already be :func:`ordered`; problems without a ``kind``
    are always shown.
    """
    problems = list(problems)
    groups: dict[tuple[str, str], list[int]] = {}
    for i, p in enumerate(problems):
        if p.kind:
            groups.setdefault((p.file, p.kind), []).append(i)
    hidden: set[int] = set()
    after: dict[int, Problem] = {}
    for (file, _), indexes in groups.items():
        if len(indexes) <= limit:
            continue
        rest = indexes[limit:]
        hidden.update(rest)
        columns = {problems[i].column for i in rest}
        n = len(rest)
        after[indexes[limit - 1]] = Problem(
            file, None, columns.pop() if len(columns) == 1 else None,
            f"and {n} more of the same kind.",
            f"และอีก {n} รายการที่เป็นปัญหาแบบเดียวกัน",
            kind="more",
            structural=problems[indexes[0]].structural,
        )
    out = []
    for i, p in enumerate(problems):
        if i not in hidden:
            out.append(p)
        if i in after:
            out.append(after[i])
    return out


class DataError(GeccError):
    """Raised when a data file (questions, offices, practice answers) is invalid.

    ``problems`` lists every problem found, not just the first, the structural
    ones first; ``warnings`` lists what is accepted but worth changing. The
    message shows a flood of one kind as a few and a count (:func:`shown`).
    """

    what = "the data"
    what_th = "ข้อมูล"

    def __init__(self, problems: list[Problem], warnings: list[Problem] = ()):
        self.problems = ordered(problems)
        self.warnings = list(warnings)
        lines = "\n".join(f"  - {p}" for p in shown(self.problems))
        n = len(self.problems)
        super().__init__(f"พบ {n} ปัญหาใน{self.what_th} / {n} problem(s) in {self.what}:\n{lines}")


class CriteriaError(DataError):
    """Raised when a criteria file (or its levels or meta file) is invalid."""

    what = "the criteria"
    what_th = "เกณฑ์"


class StoreError(GeccError):
    """Raised when the response store cannot be opened or written."""


class TooManyJoins(StoreError):
    """Raised when a workshop already took its joins for this minute (see ``Store.join``)."""


class UnknownParticipant(GeccError):
    """Raised when a participant token is not known in a workshop."""


class UnknownWorkshop(GeccError):
    """Raised when a workshop code is not known in the store."""
