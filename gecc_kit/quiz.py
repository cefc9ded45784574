"""The knowledge check: multiple-choice questions taken before and after the session.

Questions live in ``data/knowledge-check.csv`` (or ``$GECC_QUESTIONS``), one
row each: the question and four choices in Thai and English, the letter of
the right answer, an explanation and a source. :func:`load_questions` checks
the file and names the file, row and column of every problem.

Grading is pure: :func:`grade` turns one phase's choices into a
:class:`Result`; the gain is the post-test minus the pre-test.
This module imports no widgets and no storage.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import DataError, Problem
from .tables import check_columns, read_csv, unique_id

__all__ = ["Question", "Result", "PHASES", "LETTERS", "THAI_LETTERS", "shown_letter", "load_questions", "questions_path", "grade"]

LETTERS = ("a", "b", "c", "d")
# How a choice is labelled for people: ก ข ค ง in Thai, a b c d in English, on screen and on paper
# alike (the files and the store keep a to d).
THAI_LETTERS = dict(zip(LETTERS, ("ก", "ข", "ค", "ง")))
PHASES = ("pre", "post")
TOPICS = ("gecc", "location", "personnel", "service", "technology", "act")
COLUMNS = {
    "id": True,
    "topic": True,
    "question_th": True,
    "question_en": False,
    **{f"choice_{x}_{lang}": lang == "th" for x in LETTERS for lang in ("th", "en")},
    "answer": True,
    "explanation_th": True,
    "explanation_en": False,
    "source": False,
}


class QuestionsError(DataError):
    """Raised when the knowledge-check questions file is invalid."""

    what = "the knowledge-check questions"


@dataclass(frozen=True)
class Question:
    """One multiple-choice question; ``choices`` are (Thai, English) pairs for a to d."""

    id: str
    topic: str
    question_th: str
    question_en: str
    choices: tuple[tuple[str, str], ...]
    answer: str  # a letter in LETTERS
    explanation_th: str
    explanation_en: str = ""
    source: str = ""


@dataclass(frozen=True)
class Result:
    """One phase of one participant: how many answered, and how many right."""

    answered: int
    correct: int
    total: int

    @property
    def complete(self) -> bool:
        """True once every question has an answer."""
        return self.total > 0 and self.answered == self.total

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0


def shown_letter(letter: str, lang: str = "th") -> str:
    """A choice's letter as a participant reads it: ``ข`` for ``b`` in Thai, ``b`` in English."""
    return THAI_LETTERS.get(letter, letter) if lang == "th" else letter


def questions_path() -> Path:
    """``$GECC_QUESTIONS``, else the kit's ``data/knowledge-check.csv``."""
    env = os.environ.get("GECC_QUESTIONS")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data" / "knowledge-check.csv"


def load_questions(path: str | os.PathLike | None = None) -> tuple[Question, ...]:
    """Read and check the questions.

    Raises
    ------
    QuestionsError
        With every problem, each naming the file, row and column.
    """
    path = Path(path) if path is not None else questions_path()
    problems: list[Problem] = []
    if not path.is_file():
        raise QuestionsError([Problem(path.name or str(path), None, None, f"no such file: {path}")])
    table = read_csv(path, problems)
    questions: list[Question] = []
    if table is not None and check_columns(table, COLUMNS, problems):
        seen: dict[str, int] = {}
        for row, v in table.rows:
            before = len(problems)
            qid = unique_id(table, row, v.get("id", ""), seen, problems, "Q01")
            topic = v.get("topic", "").strip().lower()
            if topic not in TOPICS:
                problems.append(Problem(table.name, row, "topic", f"unknown topic '{v.get('topic', '')}'; use one of: {', '.join(TOPICS)}."))
            for column in ("question_th", "explanation_th", *(f"choice_{x}_th" for x in LETTERS)):
                if not v.get(column):
                    problems.append(Problem(table.name, row, column, "this cell is empty; every question needs its Thai text, four choices and an explanation."))
            answer = v.get("answer", "").strip().lower()
            if answer not in LETTERS:
                problems.append(Problem(table.name, row, "answer", f"'{v.get('answer', '')}' is not a choice; write the letter of the right answer: a, b, c or d."))
            if len(problems) == before:
                questions.append(
                    Question(
                        id=qid,
                        topic=topic,
                        question_th=v["question_th"],
                        question_en=v.get("question_en", ""),
                        choices=tuple((v[f"choice_{x}_th"], v.get(f"choice_{x}_en", "")) for x in LETTERS),
                        answer=answer,
                        explanation_th=v["explanation_th"],
                        explanation_en=v.get("explanation_en", ""),
                        source=v.get("source", ""),
                    )
                )
        if not table.rows:
            problems.append(Problem(table.name, None, None, "the file has a header but no questions."))
    if problems:
        raise QuestionsError(problems)
    return tuple(questions)


def grade(questions: tuple[Question, ...], choices: Mapping[str, str | None]) -> Result:
    """Grade one phase: ``choices`` maps question id to the chosen letter (missing = unanswered)."""
    answered = correct = 0
    for q in questions:
        chosen = choices.get(q.id)
        if chosen:
            answered += 1
            correct += chosen == q.answer
    return Result(answered=answered, correct=correct, total=len(questions))
