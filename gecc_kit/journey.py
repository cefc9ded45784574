"""The participant's journey: the pages of a workshop, in order, and what is done.

Pure data and functions (no widgets, no storage): the pages build their
navigation bar from :data:`MODULES` and :func:`progress`, and the facilitator's
dashboard can use the same.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .criteria import Standard
from .plan import PlanItem
from .quiz import PHASES, Question, grade
from .scoring import Answer

__all__ = ["Module", "MODULES", "KNOWLEDGE", "AFTER_PRE_TEST", "SHELL", "module", "progress", "DONE", "STARTED", "TODO"]

DONE, STARTED, TODO = "done", "started", "todo"


@dataclass(frozen=True)
class Module:
    """One page of the journey: its notebook and title, and what it holds."""

    number: int  # its step in the teaching order, 1 for the welcome page
    notebook: str
    title_th: str
    title_en: str
    kind: str  # welcome, knowledge, basics, factor, summary
    factor: str = ""


# In teaching order (the order of data/agenda.csv): join, the pre-test before any teaching
# content (the background answers the pre-test's questions), the background, the four
# factors, the summary and plan; the knowledge check's page holds the post-test too, which
# the summary page leads back to at the end of the day.
MODULES: tuple[Module, ...] = (
    Module(1, "00-welcome.ipynb", "ยินดีต้อนรับและลงทะเบียน", "Welcome and join", "welcome"),
    Module(2, "06-knowledge-check.ipynb", "แบบทดสอบก่อนและหลังการอบรม", "Pre-test and post-test", "knowledge"),
    Module(3, "00-gecc-basics.ipynb", "ศูนย์ราชการสะดวกและ พ.ร.บ. การอำนวยความสะดวกฯ", "GECC and the Licensing Facilitation Act", "basics"),
    Module(4, "01-location.ipynb", "ด้านสถานที่", "Location", "factor", "location"),
    Module(5, "02-personnel.ipynb", "ด้านบุคลากร", "Personnel", "factor", "personnel"),
    Module(6, "03-service.ipynb", "ด้านบริการ", "Service", "factor", "service"),
    Module(7, "04-technology.ipynb", "ด้านเทคโนโลยี", "Technology", "factor", "technology"),
    Module(8, "05-summary.ipynb", "สรุปผลและแผนพัฒนา", "Summary and plan", "summary"),
)
KNOWLEDGE = next(m for m in MODULES if m.kind == "knowledge")
# Pages whose teaching content answers the pre-test: they open once the pre-test is done.
AFTER_PRE_TEST = frozenset(m.notebook for m in MODULES if m.kind in ("basics", "factor", "summary"))


# The one notebook the workshop server serves for every module's link (its kernel moves between
# modules; see gecc_kit.pages.JourneyApp), relative to the notebooks folder.
SHELL = "app/journey.ipynb"


def module(notebook: str) -> Module:
    """The module of a notebook file name (KeyError if it is not part of the journey)."""
    for m in MODULES:
        if m.notebook == notebook:
            return m
    raise KeyError(notebook)


def progress(
    standard: Standard,
    answers: Mapping[str, Answer],
    plan: Mapping[str, PlanItem],
    quiz: Mapping[str, Mapping[str, str]],
    questions: tuple[Question, ...],
) -> dict[str, str]:
    """The state of every module for one participant: ``done``, ``started`` or ``todo``.

    - welcome: done (whoever has a personal link has joined);
    - basics (the background page): done once the pre-test is done (it opens then);
    - a factor: done when every criterion has a status, started when some have;
    - summary: done when the plan has at least one written action, or when every
      criterion is answered met or not applicable (there is nothing to plan);
    - knowledge check: done when both the pre- and post-test are complete.
    """
    states: dict[str, str] = {}
    for m in MODULES:
        if m.kind == "welcome":
            state = DONE
        elif m.kind == "basics":
            state = DONE if grade(questions, quiz.get("pre", {})).complete or not questions else TODO
        elif m.kind == "factor":
            ids = [c.id for c in standard.for_factor(m.factor)]
            n = sum(1 for cid in ids if answers.get(cid) is not None and answers[cid].status is not None)
            state = DONE if ids and n == len(ids) else STARTED if n else TODO
        elif m.kind == "summary":
            # Done with a written action, or when everything is answered and nothing is left to plan.
            nothing_to_plan = all(a is not None and a.status is not None and a.status.value in ("met", "na")
                                  for a in (answers.get(c.id) for c in standard.criteria))
            state = DONE if any(item.written for item in plan.values()) or nothing_to_plan else TODO
        else:
            results = [grade(questions, quiz.get(phase, {})) for phase in PHASES]
            state = DONE if all(r.complete for r in results) else STARTED if any(r.answered for r in results) else TODO
        states[m.notebook] = state
    return states
