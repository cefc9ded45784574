"""The knowledge-check page: the same questions before (pre) and after (post) the session.

Each choice is saved the moment it is made. The pre-test can be changed
until the post-test starts; the post-test opens once the pre-test is
complete. A phase's score shows when every question is answered; the gain
and the explanations show once the post-test is complete.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import ipywidgets as W

from .labels import label, pick
from .quiz import LETTERS, PHASES, THAI_LETTERS, Question, grade
from .session import log
from .store import Participant, Store
from .widgets import _CSS, Nav, _esc, _html, lean

__all__ = ["KnowledgeApp"]


class KnowledgeApp:
    """One participant's pre- and post-test.

    ``radios[phase][question_id]`` is the control of each question.
    """

    def __init__(self, questions: tuple[Question, ...], store: Store, participant: Participant, nav: Nav | None = None, lang: str = "th",
                 post_opens: Callable[[], str | None] | None = None):
        # ``post_opens()`` is None once the post-test may start (the participant's progress or the
        # day's agenda says so, see pages._post_opens), else the sentence that says when it will.
        self.questions, self.store, self.participant, self.nav, self.lang = questions, store, participant, nav, lang
        self.post_opens = post_opens or (lambda: None)
        self.choices = store.quiz_choices(participant.id)
        self._reverting = False
        self.radios: dict[str, dict[str, W.RadioButtons]] = {p: {} for p in PHASES}
        self.status: dict[str, W.HTML] = {p: _html("", f"gecc-quiz-status-{p}") for p in PHASES}
        self.saved = _html("", "gecc-saved")
        self.results = _html("", "gecc-quiz-results")
        # The post-test is for the end of the day: after the pre-test it waits behind a button,
        # so nobody slides from one into the other in the morning.
        self.post_asked = False
        self.post_later = _html("", "gecc-quiz-post-later")
        self.start_post = W.Button(description=label("quiz_start_post", lang), layout=W.Layout(width="auto"))
        self.start_post.add_class("gecc-quiz-start-post")
        self.start_post.on_click(lambda _b: self._open_post())
        sections = []
        for phase in PHASES:
            start = " data-gecc-exercise" if phase == PHASES[0] else ""  # where the page's skip link leads
            title = _html(f"<h3 class='gecc-quiz-phase-title'{start}>{_esc(label(phase, lang))}</h3>")
            box = W.VBox([title, self.status[phase], *[self._create_question(phase, q) for q in questions]])
            box.add_class("gecc-quiz-phase")
            box.add_class(f"gecc-quiz-{phase}")
            sections.append(box)
        self.sections = dict(zip(PHASES, sections))
        header = _html(
            f"{_CSS}<p>{_esc(label('hello', lang))} <b class='gecc-participant-name'>{_esc(participant.display_name)}</b></p>"
            + ("" if questions else f"<p class='gecc-message'>{_esc(label('quiz_no_questions', lang))}</p>")
        )
        children = [header, sections[0], self.post_later, self.start_post, *sections[1:], self.saved, self.results]
        if nav is not None:
            children.insert(0, nav.widget)
        self.widget = W.VBox(children)
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-knowledge")
        self._update()

    def _create_question(self, phase: str, q: Question) -> W.VBox:
        lang = self.lang
        options = []
        for letter, (th, en) in zip(LETTERS, q.choices):
            shown = THAI_LETTERS[letter] if lang == "th" else letter
            options.append((f"{shown}. {pick(th, en, lang)}", letter))
        radio = lean(W.RadioButtons, options=options, value=self.choices.get(phase, {}).get(q.id))
        radio.add_class("gecc-quiz-choice")
        radio.add_class(f"gecc-quiz-{phase}-{q.id}")
        radio.observe(lambda change, qid=q.id: self._on_choice(phase, qid, change["new"]), names="value")
        self.radios[phase][q.id] = radio
        # The id names the question's radio group (aria-labelledby, set by the page script).
        head = _html(f"<div class='gecc-question-text' id='gecc-question-{phase}-{_esc(q.id)}'><b>{_esc(q.id)}</b> "
                     f"{_esc(pick(q.question_th, q.question_en, lang))}</div>")
        box = lean(W.VBox, children=[head, radio])
        box.add_class("gecc-question")
        box.add_class(f"gecc-question-{phase}-{q.id}")  # names the row whose unsaved choice a reload sends again
        return box

    def _open_post(self) -> None:
        self.post_asked = True
        self._update()

    def result(self, phase: str):
        """The :class:`~gecc_kit.quiz.Result` of a phase, from what has been saved."""
        return grade(self.questions, self.choices.get(phase, {}))

    def _on_choice(self, phase: str, question_id: str, letter: str | None) -> None:
        if self._reverting:
            return
        before = self.choices.get(phase, {}).get(question_id)
        try:
            self.store.save_quiz_choice(self.participant.id, phase, question_id, letter)
        except Exception:
            log.exception("saving knowledge-check answer %s/%s failed", phase, question_id)
            self.saved.add_class("gecc-error")
            self.saved.value = f"<span role='alert'>⚠ {_esc(label('save_failed', self.lang))}</span>"
            self._reverting = True  # show what the store holds
            try:
                self.radios[phase][question_id].value = before
            finally:
                self._reverting = False
            return
        self.choices.setdefault(phase, {})[question_id] = letter
        self.saved.remove_class("gecc-error")
        self.saved.value = f"✓ {_esc(label('saved', self.lang))} {datetime.now():%H:%M:%S}"
        self._update()
        if self.nav is not None:
            self.nav.refresh()

    def _update(self) -> None:
        lang = self.lang
        pre, post = self.result("pre"), self.result("post")
        post_started = post.answered > 0
        # The pre-test is what people knew before: fixed once they start the post-test.
        for radio in self.radios["pre"].values():
            radio.disabled = post_started
        post_open = post_started or (pre.complete and self.post_asked)
        for radio in self.radios["post"].values():
            radio.disabled = not post_open
        self.sections["post"].layout.display = None if post_open else "none"
        waiting = pre.complete and not post_open
        not_yet = self.post_opens() if waiting else None
        self.start_post.layout.display = None if waiting and not not_yet else "none"
        later = _esc(label("quiz_post_later", lang)) + (f" {_esc(not_yet)}" if not_yet else "")
        self.post_later.value = f"<p class='gecc-message'>{later}</p>" if waiting else ""
        for phase, r in (("pre", pre), ("post", post)):
            text = label("quiz_progress", lang, answered=r.answered, total=r.total)
            if r.complete:
                text += " · " + label("quiz_score", lang, correct=r.correct, total=r.total)
            extra = ""
            if phase == "pre" and post_started:
                extra = f"<div>{_esc(label('quiz_pre_closed', lang))}</div>"
            self.status[phase].value = f"<div class='gecc-quiz-progress' data-answered='{r.answered}' data-correct='{r.correct if r.complete else ''}'>{_esc(text)}</div>{extra}"
        parts = []
        if not pre.complete and not post_started:
            parts.append(f"<p class='gecc-quiz-post-locked'>{_esc(label('quiz_post_locked', lang))}</p>")
        if pre.complete and post.complete:
            gain = post.correct - pre.correct
            parts.append(
                f"<div class='gecc-score-box'><div class='gecc-quiz-gain' data-gain='{gain}'>{_esc(label('quiz_gain', lang, gain=gain))}</div>"
                f"<div>{_esc(label('pre', lang))}: {pre.correct}/{pre.total} · {_esc(label('post', lang))}: {post.correct}/{post.total}</div></div>"
            )
            parts.append(self._explanations_html())
        self.results.value = "".join(parts)

    def _explanations_html(self) -> str:
        lang = self.lang
        items = []
        for q in self.questions:
            right = dict(zip(LETTERS, q.choices))[q.answer]
            mine = [self.choices.get(p, {}).get(q.id) or "—" for p in PHASES]
            shown = [THAI_LETTERS.get(m, m) if lang == "th" else m for m in mine]
            letter = THAI_LETTERS[q.answer] if lang == "th" else q.answer
            source = f" <small>({_esc(q.source)})</small>" if q.source else ""
            items.append(
                f"<li data-question='{_esc(q.id)}'><b>{_esc(pick(q.question_th, q.question_en, lang))}</b><br>"
                f"{_esc(label('quiz_right_answer', lang))}: {letter}. {_esc(pick(*right, lang))} · "
                f"{_esc(label('quiz_your_answers', lang))}: {' / '.join(shown)}<br>"
                f"{_esc(pick(q.explanation_th, q.explanation_en, lang))}{source}</li>"
            )
        return f"<h3>{_esc(label('quiz_explanations', lang))}</h3><ol class='gecc-quiz-explanations'>{''.join(items)}</ol>"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
