"""The room as a facilitator sees it: aggregates over everyone's answers.

Pure functions (no widgets, no storage): they take the participants and their
answers as plain mappings (what :meth:`gecc_kit.store.Store.room` returns has
this shape) and compute what the dashboard projects.

Anonymity rule: any aggregate of fewer than :data:`MIN_GROUP` (3) participants
is hidden (``hidden=True``, no figure). Attendance by office or table merges
groups smaller than that into one "other" line.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from .criteria import Criterion, Standard
from .journey import DONE, MODULES, STARTED, TODO, Module, progress
from .plan import PlanItem
from .quiz import Question, grade
from .scoring import Answer, Score, Status, score, score_all

__all__ = [
    "MIN_GROUP", "BINS", "credit", "Group", "ModuleProgress", "FactorStats", "CriterionStats", "Gain", "TableResult",
    "Overview", "overview", "attendance", "module_progress", "factor_stats", "criterion_stats", "weakest",
    "most_disputed", "knowledge_gain", "table_results", "heatmap_rows", "participant_numbers",
]

MIN_GROUP = 3  # the smallest group whose aggregate is shown
BINS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))  # percent ranges of a factor's distribution; the last includes 100
_CREDIT = {Status.MET: 1.0, Status.PARTIAL: 0.5, Status.NOT_YET: 0.0}


class Person(Protocol):
    id: int
    display_name: str
    office: str
    table_label: str


def credit(status: Status | None) -> float | None:
    """What an answer earns (met 1, partly met 0.5, not yet 0); None for not applicable or unanswered."""
    return _CREDIT.get(status) if status is not None else None


def _status(answers: Mapping[str, Answer], criterion_id: str) -> Status | None:
    a = answers.get(criterion_id)
    return a.status if a is not None else None


@dataclass(frozen=True)
class Group:
    """An attendance line: a label and how many joined; ``merged`` groups were each under MIN_GROUP."""

    label: str
    n: int
    merged: int = 0  # how many small groups this line stands for (0: a real office or table)


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    done: int
    started: int
    todo: int
    hidden: bool


@dataclass(frozen=True)
class FactorStats:
    """One factor across the room: participants with at least one answer in it, their mean and distribution."""

    factor: str
    n: int
    mean: float | None  # None when hidden
    bins: tuple[int, ...]  # participants per BINS range (all zero when hidden)
    hidden: bool


@dataclass(frozen=True)
class CriterionStats:
    """One criterion across the room (respondents: answered met, partly met or not yet)."""

    criterion: Criterion
    n: int
    mean: float | None  # percent of full credit, None when hidden
    spread: float | None  # standard deviation of the credit (0 to 0.5): how much the room disagrees
    counts: Mapping[str, int]  # every Status value and "unanswered"
    hidden: bool


@dataclass(frozen=True)
class Gain:
    """The knowledge check: mean percent before, after, and the change for those who did both."""

    n_pre: int
    pre: float | None
    n_post: int
    post: float | None
    n_both: int
    gain: float | None  # mean of (post - pre) over those who completed both; None when hidden


@dataclass(frozen=True)
class TableResult:
    """What one table agreed on (consensus), scored like one participant."""

    table: str
    members: int
    answered: int
    scores: Mapping[str, Score] | None  # None when hidden (fewer than MIN_GROUP members)
    hidden: bool


@dataclass(frozen=True)
class Overview:
    """Everything the dashboard shows, computed in one pass."""

    joined: int
    by_office: tuple[Group, ...]
    by_table: tuple[Group, ...]
    progress: tuple[ModuleProgress, ...]
    factors: tuple[FactorStats, ...]
    criteria: tuple[CriterionStats, ...]
    weakest: tuple[CriterionStats, ...]
    disputed: tuple[CriterionStats, ...]
    gain: Gain
    tables: tuple[TableResult, ...]


def attendance(people: Sequence[Person], key: str) -> tuple[Group, ...]:
    """Who joined, by ``office`` or ``table_label``: largest first.

    Groups under MIN_GROUP are not named: they are counted together in one last line
    (``merged`` = how many groups, people who gave none counting as one group). Everyone is
    counted once, so the lines add up to the number who joined.
    """
    counts = Counter((getattr(p, key) or "").strip() for p in people)
    named = sorted(((label, n) for label, n in counts.items() if n >= MIN_GROUP and label), key=lambda x: (-x[1], x[0]))
    small = [(label, n) for label, n in counts.items() if n < MIN_GROUP or not label]
    groups = [Group(label, n) for label, n in named]
    if small:
        groups.append(Group("", sum(n for _, n in small), merged=len(small)))
    return tuple(groups)


def module_progress(
    standard: Standard,
    people: Sequence[Person],
    answers: Mapping[int, Mapping[str, Answer]],
    plans: Mapping[int, Mapping[str, PlanItem]],
    quiz: Mapping[int, Mapping[str, Mapping[str, str]]],
    questions: tuple[Question, ...],
) -> tuple[ModuleProgress, ...]:
    """How many participants have done, started or not begun each module."""
    states = [progress(standard, answers.get(p.id, {}), plans.get(p.id, {}), quiz.get(p.id, {}), questions) for p in people]
    hidden = len(people) < MIN_GROUP
    result = []
    for m in MODULES:
        c = Counter(s[m.notebook] for s in states)
        result.append(ModuleProgress(m, 0 if hidden else c[DONE], 0 if hidden else c[STARTED], 0 if hidden else c[TODO], hidden))
    return tuple(result)


def factor_stats(standard: Standard, people: Sequence[Person], answers: Mapping[int, Mapping[str, Answer]]) -> tuple[FactorStats, ...]:
    """Each factor's mean percent and distribution over participants who answered at least one of its criteria."""
    result = []
    for f in standard.factors:
        ids = [c.id for c in standard.for_factor(f.id)]
        percents = []
        for p in people:
            mine = answers.get(p.id, {})
            if not any(_status(mine, cid) is not None for cid in ids):
                continue
            s = score(standard, mine, f.id)
            if s.applicable:
                percents.append(s.percent)
        n = len(percents)
        if n < MIN_GROUP:
            result.append(FactorStats(f.id, n, None, (0,) * len(BINS), True))
            continue
        bins = [0] * len(BINS)
        for pct in percents:
            bins[min(int(pct // 20), len(BINS) - 1)] += 1
        result.append(FactorStats(f.id, n, statistics.fmean(percents), tuple(bins), False))
    return tuple(result)


def criterion_stats(standard: Standard, people: Sequence[Person], answers: Mapping[int, Mapping[str, Answer]]) -> tuple[CriterionStats, ...]:
    """Every criterion's mean credit and spread across the room, in file order."""
    result = []
    for c in standard.criteria:
        statuses = [_status(answers.get(p.id, {}), c.id) for p in people]
        counts = {s.value: 0 for s in Status} | {"unanswered": 0}
        for s in statuses:
            counts[s.value if s is not None else "unanswered"] += 1
        credits = [credit(s) for s in statuses if credit(s) is not None]
        n = len(credits)
        if n < MIN_GROUP:
            result.append(CriterionStats(c, n, None, None, {k: 0 for k in counts}, True))
        else:
            result.append(CriterionStats(c, n, 100.0 * statistics.fmean(credits), statistics.pstdev(credits), counts, False))
    return tuple(result)


def weakest(stats: Sequence[CriterionStats], limit: int = 5) -> tuple[CriterionStats, ...]:
    """The criteria the room meets least (lowest mean; mandatory first on a tie, then file order)."""
    shown = [s for s in stats if not s.hidden and s.mean < 100]
    order = {s.criterion.id: i for i, s in enumerate(stats)}
    return tuple(sorted(shown, key=lambda s: (s.mean, not s.criterion.mandatory, order[s.criterion.id]))[:limit])


def most_disputed(stats: Sequence[CriterionStats], limit: int = 5) -> tuple[CriterionStats, ...]:
    """The criteria where answers disagree most (largest spread; file order on a tie); unanimous ones are left out."""
    shown = [s for s in stats if not s.hidden and s.spread > 0]
    order = {s.criterion.id: i for i, s in enumerate(stats)}
    return tuple(sorted(shown, key=lambda s: (-s.spread, order[s.criterion.id]))[:limit])


def knowledge_gain(people: Sequence[Person], quiz: Mapping[int, Mapping[str, Mapping[str, str]]], questions: tuple[Question, ...]) -> Gain:
    """Mean knowledge-check percent before and after, and the mean change of those who completed both."""
    pre, post, change = [], [], []
    for p in people:
        mine = quiz.get(p.id, {})
        a, b = grade(questions, mine.get("pre", {})), grade(questions, mine.get("post", {}))
        if a.complete:
            pre.append(a.percent)
        if b.complete:
            post.append(b.percent)
        if a.complete and b.complete:
            change.append(b.percent - a.percent)

    def mean(values):
        return statistics.fmean(values) if len(values) >= MIN_GROUP else None

    return Gain(len(pre), mean(pre), len(post), mean(post), len(change), mean(change))


def table_results(standard: Standard, people: Sequence[Person], consensus: Mapping[str, Mapping[str, Answer]]) -> tuple[TableResult, ...]:
    """Every table with members or a recorded consensus: its agreed answers scored like a participant's."""
    members = Counter((p.table_label or "").strip() for p in people if (p.table_label or "").strip())
    tables = sorted(set(members) | set(consensus))
    result = []
    for t in tables:
        agreed = consensus.get(t, {})
        answered = sum(1 for a in agreed.values() if a.status is not None)
        hidden = members[t] < MIN_GROUP
        result.append(TableResult(t, members[t], 0 if hidden else answered, None if hidden else score_all(standard, agreed), hidden))
    return tuple(result)


def participant_numbers(people: Sequence[Person]) -> dict[int, str]:
    """Each participant's number in joining order, padded so that the numbers sort as text too:
    P01…P99, or P001… from the 100th participant (the dashboard, the export and the reports'
    file names all use it, so a screen and a sheet name the same person the same way)."""
    digits = max(2, len(str(len(people))))
    return {p.id: f"P{i:0{digits}d}" for i, p in enumerate(people, start=1)}


def heatmap_rows(standard: Standard, people: Sequence[Person], answers: Mapping[int, Mapping[str, Answer]]):
    """The criterion-by-participant grid: (participants shown, [(criterion, [status per participant])]).

    Only participants with at least one answer are columns; None when fewer than MIN_GROUP.
    """
    shown = [p for p in people if any(a.status is not None for a in answers.get(p.id, {}).values())]
    if len(shown) < MIN_GROUP:
        return None
    rows = [(c, [_status(answers.get(p.id, {}), c.id) for p in shown]) for c in standard.criteria]
    return shown, rows


def overview(standard: Standard, room, questions: tuple[Question, ...]) -> Overview:
    """The dashboard's figures for a room (anything with participants, answers, plans, quiz, consensus)."""
    people = room.participants
    stats = criterion_stats(standard, people, room.answers)
    return Overview(
        joined=len(people),
        by_office=attendance(people, "office"),
        by_table=attendance(people, "table_label"),
        progress=module_progress(standard, people, room.answers, room.plans, room.quiz, questions),
        factors=factor_stats(standard, people, room.answers),
        criteria=stats,
        weakest=weakest(stats),
        disputed=most_disputed(stats),
        gain=knowledge_gain(people, room.quiz, questions),
        tables=table_results(standard, people, room.consensus),
    )
