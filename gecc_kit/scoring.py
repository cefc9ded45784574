"""Scoring a self-assessment: pure functions over a standard and answers.

Rules (the thresholds come from the criteria file and are illustrative):

- each criterion is answered met, partly met, not yet, or not applicable;
- a factor's (or the overall) percent is the weight earned over the
  applicable weight: met earns the full weight, partly met half, not yet and
  unanswered nothing; not applicable leaves the criterion out altogether;
- the level reached is the highest whose threshold the percent reaches; a
  level that needs every mandatory criterion met is not reached while one
  applicable mandatory criterion is not met (unanswered counts as not met);
- the gaps are the applicable criteria not fully met: mandatory first, then
  by weight (heaviest first), then in file order.

This module imports no widgets and no storage.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from .criteria import Criterion, Level, Standard

__all__ = ["Status", "Answer", "Gap", "Score", "score", "score_all", "STATUS_LABELS"]


class Status(str, Enum):
    """How far a criterion is met."""

    MET = "met"
    PARTIAL = "partial"
    NOT_YET = "not_yet"
    NA = "na"

    @property
    def label_th(self) -> str:
        return STATUS_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return STATUS_LABELS[self][1]


STATUS_LABELS = {
    Status.MET: ("ผ่าน", "Met"),
    Status.PARTIAL: ("ผ่านบางส่วน", "Partly met"),
    Status.NOT_YET: ("ยังไม่ผ่าน", "Not yet"),
    Status.NA: ("ไม่เกี่ยวข้อง", "Not applicable"),
}
_CREDIT = {Status.MET: 1.0, Status.PARTIAL: 0.5, Status.NOT_YET: 0.0}


@dataclass(frozen=True)
class Answer:
    """A participant's answer to one criterion, with an evidence note."""

    criterion_id: str
    status: Status | None = None
    note: str = ""


@dataclass(frozen=True)
class Gap:
    """An applicable criterion that is not fully met (``status`` None = unanswered)."""

    criterion: Criterion
    status: Status | None


@dataclass(frozen=True)
class Score:
    """The result for one factor, or for all of them (``scope == "overall"``)."""

    scope: str
    percent: float
    earned: float
    applicable_weight: float
    counts: Mapping[str, int]  # keys: the Status values and "unanswered"
    level: Level | None
    mandatory_unmet: tuple[Criterion, ...]
    gaps: tuple[Gap, ...]

    @property
    def applicable(self) -> bool:
        """False when every criterion in scope is not applicable: there is nothing to score."""
        return self.applicable_weight > 0

    @property
    def answered(self) -> int:
        return sum(n for k, n in self.counts.items() if k != "unanswered")

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _status_of(value) -> Status | None:
    if value is None:
        return None
    if isinstance(value, Answer):
        value = value.status
    return Status(value) if value is not None else None


def score(standard: Standard, answers: Mapping[str, Answer | Status | str | None], factor: str | None = None) -> Score:
    """Score one factor (``factor`` id) or all criteria (``factor=None``).

    Parameters
    ----------
    standard
        The criteria and levels.
    answers
        Criterion id to an :class:`Answer`, a :class:`Status` or its value;
        missing ids are unanswered. Ids not in the standard are ignored.
    factor
        A factor id, or None for the overall score.
    """
    criteria = standard.criteria if factor is None else standard.for_factor(factor)
    counts = {s.value: 0 for s in Status} | {"unanswered": 0}
    earned = applicable = 0.0
    gaps: list[tuple[int, Gap]] = []
    mandatory_unmet: list[Criterion] = []
    for order, c in enumerate(criteria):
        status = _status_of(answers.get(c.id))
        counts[status.value if status else "unanswered"] += 1
        if status is Status.NA:
            continue
        applicable += c.weight
        earned += c.weight * _CREDIT.get(status, 0.0)
        if status is not Status.MET:
            gaps.append((order, Gap(c, status)))
            if c.mandatory:
                mandatory_unmet.append(c)
    percent = 100.0 * (earned / applicable) if applicable else 0.0  # the ratio first: x/x is exactly 1
    level = None
    for lv in standard.levels if applicable else ():  # ascending thresholds
        if percent + 1e-9 >= lv.min_percent and not (lv.all_mandatory and mandatory_unmet):
            level = lv
    gaps.sort(key=lambda og: (not og[1].criterion.mandatory, -og[1].criterion.weight, og[0]))
    return Score(
        scope=factor or "overall",
        percent=percent,
        earned=earned,
        applicable_weight=applicable,
        counts=counts,
        level=level,
        mandatory_unmet=tuple(mandatory_unmet),
        gaps=tuple(g for _, g in gaps),
    )


def score_all(standard: Standard, answers: Mapping[str, Answer | Status | str | None]) -> dict[str, Score]:
    """Scores of every factor (keyed by factor id) and ``"overall"``."""
    result = {f.id: score(standard, answers, f.id) for f in standard.factors}
    result["overall"] = score(standard, answers)
    return result
