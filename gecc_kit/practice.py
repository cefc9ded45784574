"""Practice data: the offices a participant can pick, and demonstration answers.

``data/samples/offices.csv`` (or ``$GECC_OFFICES``) lists the service units
a participant chooses from when joining (or types another). The sample
units are fictional; a ministry replaces the file with its own list.
``data/samples/demo-answers.csv`` holds a full, fictional answer set per
sample unit, and ``demo-knowledge.csv`` their knowledge-check answers, so a
facilitator can demonstrate the dashboard and exercises can compare units.

Loading checks everything and names the file, row and column of each
problem. :func:`seed_demo` writes the sample units into a workshop through
any store with the :class:`~gecc_kit.store.Store` interface.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .criteria import Standard
from .errors import DataError, Problem
from .quiz import LETTERS, PHASES, Question
from .scoring import Answer, Status
from .tables import Table, check_columns, read_csv, unique_id

__all__ = ["Office", "load_offices", "offices_path", "load_demo_answers", "load_demo_knowledge", "seed_demo", "SAMPLES"]

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
OFFICE_COLUMNS = {"id": True, "name_th": True, "name_en": False, "table": False}
ANSWER_COLUMNS = {"office_id": True, "criterion_id": True, "status": True, "note": False}
KNOWLEDGE_COLUMNS = {"office_id": True, "phase": True, "question_id": True, "choice": True}


class PracticeDataError(DataError):
    """Raised when the offices or demonstration answers file is invalid."""

    what = "the practice data"


@dataclass(frozen=True)
class Office:
    """A service unit a participant can belong to; ``table`` is its group in the room."""

    id: str
    name_th: str
    name_en: str = ""
    table: str = ""


def offices_path() -> Path:
    """``$GECC_OFFICES``, else the fictional sample units."""
    env = os.environ.get("GECC_OFFICES")
    return Path(env) if env else SAMPLES / "offices.csv"


def _table(path: Path, columns: dict[str, bool], problems: list[Problem]) -> Table | None:
    if not path.is_file():
        problems.append(Problem(path.name or str(path), None, None, f"no such file: {path}"))
        return None
    table = read_csv(path, problems)
    if table is None or not check_columns(table, columns, problems):
        return None
    return table


def load_offices(path: str | os.PathLike | None = None) -> tuple[Office, ...]:
    """Read the offices list (raises :class:`PracticeDataError` naming file, row and column)."""
    path = Path(path) if path is not None else offices_path()
    problems: list[Problem] = []
    offices: list[Office] = []
    table = _table(path, OFFICE_COLUMNS, problems)
    if table is not None:
        seen: dict[str, int] = {}
        for row, v in table.rows:
            before = len(problems)
            oid = unique_id(table, row, v.get("id", ""), seen, problems, "O01")
            if not v.get("name_th"):
                problems.append(Problem(table.name, row, "name_th", "the Thai name of the office is empty."))
            if len(problems) == before:
                offices.append(Office(oid, v["name_th"], v.get("name_en", ""), v.get("table", "")))
    if problems:
        raise PracticeDataError(problems)
    return tuple(offices)


def load_demo_answers(standard: Standard, offices: tuple[Office, ...], path: str | os.PathLike | None = None) -> dict[str, dict[str, Answer]]:
    """Each sample office's answers, keyed by office id then criterion id.

    Every office of ``offices`` must answer every criterion of ``standard``
    exactly once, so a demonstration shows full, comparable answer sets.
    """
    path = Path(path) if path is not None else SAMPLES / "demo-answers.csv"
    problems: list[Problem] = []
    result: dict[str, dict[str, Answer]] = {o.id: {} for o in offices}
    table = _table(path, ANSWER_COLUMNS, problems)
    if table is not None:
        for row, v in table.rows:
            oid, cid, status = v.get("office_id", ""), v.get("criterion_id", ""), v.get("status", "").strip().lower()
            if oid not in result:
                problems.append(Problem(table.name, row, "office_id", f"unknown office '{oid}'; use an id from the offices file."))
                continue
            if cid not in standard:
                problems.append(Problem(table.name, row, "criterion_id", f"unknown criterion '{cid}'; use an id from the criteria file."))
                continue
            if status not in {s.value for s in Status}:
                problems.append(Problem(table.name, row, "status", f"'{v.get('status', '')}' is not a status; use met, partial, not_yet or na."))
                continue
            if cid in result[oid]:
                problems.append(Problem(table.name, row, "criterion_id", f"office {oid} answers {cid} twice; keep one row."))
                continue
            result[oid][cid] = Answer(cid, Status(status), v.get("note", ""))
        for oid, answers in result.items():
            missing = [c.id for c in standard.criteria if c.id not in answers]
            if missing:
                problems.append(Problem(table.name, None, "criterion_id", f"office {oid} has no answer for {', '.join(missing[:5])}{'...' if len(missing) > 5 else ''}; give every office a full set."))
    if problems:
        raise PracticeDataError(problems)
    return result


def load_demo_knowledge(questions: tuple[Question, ...], offices: tuple[Office, ...], path: str | os.PathLike | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """Each sample office's knowledge-check choices: office id -> phase -> question id -> letter."""
    path = Path(path) if path is not None else SAMPLES / "demo-knowledge.csv"
    problems: list[Problem] = []
    ids = {q.id for q in questions}
    result: dict[str, dict[str, dict[str, str]]] = {o.id: {p: {} for p in PHASES} for o in offices}
    table = _table(path, KNOWLEDGE_COLUMNS, problems)
    if table is not None:
        for row, v in table.rows:
            oid, phase, qid, choice = (v.get(k, "").strip() for k in ("office_id", "phase", "question_id", "choice"))
            if oid not in result:
                problems.append(Problem(table.name, row, "office_id", f"unknown office '{oid}'."))
            elif phase not in PHASES:
                problems.append(Problem(table.name, row, "phase", f"'{phase}' is not a phase; use pre or post."))
            elif qid not in ids:
                problems.append(Problem(table.name, row, "question_id", f"unknown question '{qid}'."))
            elif choice.lower() not in LETTERS:
                problems.append(Problem(table.name, row, "choice", f"'{choice}' is not a choice; use a, b, c or d."))
            else:
                result[oid][phase][qid] = choice.lower()
    if problems:
        raise PracticeDataError(problems)
    return result


def seed_demo(store, workshop_code: str, standard: Standard, questions: tuple[Question, ...] = ()) -> list:
    """Add every sample office to a workshop as a participant with its full answers.

    The workshop is created if new. Each office joins under its own name,
    office and table, so a demonstration looks like a room of units. Running
    it twice adds the units twice (a second demonstration round), it never
    changes anyone else's answers.

    Returns the participants created.
    """
    offices = load_offices(SAMPLES / "offices.csv")
    answers = load_demo_answers(standard, offices)
    knowledge = load_demo_knowledge(questions, offices) if questions else {}
    store.ensure_workshop(workshop_code)
    created = []
    for office in offices:
        p = store.join(workshop_code, office.name_th, office.name_th, office.table)
        store.save_answers(p.id, answers[office.id].values())
        for phase, choices in knowledge.get(office.id, {}).items():
            for qid, letter in choices.items():
                store.save_quiz_choice(p.id, phase, qid, letter)
        created.append(p)
    return created
