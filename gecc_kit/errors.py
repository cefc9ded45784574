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
    about the whole file.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataError(GeccError):
    """Raised when a data file (questions, offices, practice answers) is invalid.

    ``problems`` lists every problem found, not just the first.
    """

    what = "the data"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {self.what}:\n{lines}")


class CriteriaError(DataError):
    """Raised when a criteria file (or its levels or meta file) is invalid."""

    what = "the criteria"


class StoreError(GeccError):
    """Raised when the response store cannot be opened or written."""


class TooManyJoins(StoreError):
    """Raised when a workshop already took its joins for this minute (see ``Store.join``)."""


class UnknownParticipant(GeccError):
    """Raised when a participant token is not known in a workshop."""


class UnknownWorkshop(GeccError):
    """Raised when a workshop code is not known in the store."""
