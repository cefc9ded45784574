"""Widgets: thin views over the criteria, scoring and store.

:class:`AssessmentApp` shows one factor's criteria with a status and an
evidence note each, saves every change to the store at once, and redraws
the live score and gap list. :class:`JoinForm` greets someone whose link has
no (or an unknown) participant token. :class:`Nav` is the bar on top of every
page (step x of N, what is done, the language switch); :class:`WelcomeApp` is
the welcome page of someone who has joined. The pages themselves are put
together in :mod:`gecc_kit.pages`.

Every interactive control carries a ``gecc-...`` CSS class (see docs/ui.md).
Text people type is shown with :func:`html.escape`, never as HTML.
"""
from __future__ import annotations

import html
import os
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

import ipywidgets as W

from .criteria import Criterion, Standard, factor as get_factor
from .errors import TooManyJoins
from .journey import DONE, KNOWLEDGE, MODULES, STARTED, TODO, module, progress
from .labels import LABELS, label, pick
from .practice import Office
from .quiz import Question, grade
from .scoring import Answer, Score, Status, score
from .session import Request, log
from .store import Participant, Store
from .text import MAX_TEXT, clean_name, name_too_long, text_too_long

__all__ = ["AssessmentApp", "JoinForm", "Nav", "PreTestFirst", "StepApp", "WelcomeApp", "nav_html", "notice_html", "message", "lean", "LABELS", "label"]



_CSS = """
<style>
.gecc-app { max-width: 52rem; font-size: 1rem; line-height: 1.6; }
.gecc-app, .gecc-app * { box-sizing: border-box; }
/* Thai breaks between words only: the page marks each word (<gecc-w>, thai-breaks.js) and only a run wider than
   its line wraps inside (break-word; "anywhere" let tables squeeze columns and cut every word). A widget's
   text may be narrower than its longest run (min-width: 0): a long link then wraps instead of widening the page. */
.gecc-app .widget-html-content, .gecc-app .widget-label, .gecc-teaching { white-space: normal; word-break: normal; overflow-wrap: break-word; min-width: 0; }
gecc-w, .gecc-nowrap { white-space: nowrap; }
.gecc-notice { color: #7a4b00; background: #fff6e0; padding: .25rem .6rem; border-radius: .3rem; font-size: 1rem; }
.gecc-criterion { border: 1px solid #d0d7de; border-radius: .5rem; padding: .6rem .8rem; margin: .5rem 0; width: 100%; }
.gecc-criterion-title { font-weight: 600; }
.gecc-tag { display: inline-block; font-size: 1rem; padding: 0 .4rem; border-radius: .25rem; background: #eef; margin-right: .3rem; }
.gecc-tag-mandatory { background: #fde2e1; color: #8a1c1c; }
.gecc-criterion details { font-size: 1rem; color: #333; }
.gecc-status { flex-wrap: wrap; max-width: 100%; }
.gecc-status .widget-toggle-button { margin: .3rem .5rem .3rem 0; min-width: 6rem; height: auto; min-height: 44px; padding: .3rem .8rem; }
.gecc-status .widget-toggle-button.mod-active { background: #1f6feb; color: #fff; font-weight: 600; }
.gecc-note textarea { min-height: 5rem; font-size: 1rem; font-family: inherit; }
.gecc-note, .gecc-status, .gecc-join-name, .gecc-join-office { width: 100% !important; max-width: 100%; }
.gecc-score-box { border: 2px solid #1f6feb; border-radius: .5rem; padding: .6rem .8rem; }
.gecc-score-percent { font-size: 2rem; font-weight: 700; }
.gecc-saved { color: #1a7f37; font-size: 1rem; min-height: 1.4rem; }
.gecc-sticky-summary { position: sticky; bottom: 0; z-index: 900; background: #fff; border-top: 2px solid #1f6feb;
  padding: .3rem .6rem; box-shadow: 0 -2px 6px rgba(0,0,0,.08); width: 100%; }
.gecc-sticky-summary .gecc-saved { min-height: 0; }
/* Sticky needs every box between it and the page's scroller to let it out: widget boxes and output
   areas clip (overflow auto/hidden) by default. */
.widget-box:has(.gecc-sticky-summary), .jp-OutputArea-output:has(.gecc-sticky-summary),
.jp-OutputArea-child:has(.gecc-sticky-summary), .jp-OutputArea:has(.gecc-sticky-summary) { overflow: visible !important; }
.gecc-saved.gecc-error { color: #b42318; }
.gecc-save-mark { font-size: 1rem; min-height: 1.2rem; color: #57606a; }
.gecc-save-mark:empty { min-height: 0; }
[data-gecc-save='saved'] > .gecc-save-mark { color: #1a7f37; }
[data-gecc-save='waiting'] > .gecc-save-mark { color: #9a6700; font-weight: bold; }
[data-gecc-save='lost'] > .gecc-save-mark, [data-gecc-save='failed'] > .gecc-save-mark { color: #b42318; font-weight: bold; }
.gecc-count { font-size: 1rem; color: #57606a; text-align: right; }
.gecc-count-over { color: #b42318; font-weight: bold; }
.gecc-message { font-size: 1.05rem; }
.gecc-link { word-break: break-all; }
.gecc-share { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.gecc-copy-link, .gecc-share-line { display: inline-block; min-height: 44px; padding: .5rem 1rem; font-size: 1rem; border-radius: .4rem; border: 1px solid #1f6feb; background: #fff; color: #1f6feb; cursor: pointer; text-decoration: none; }
.gecc-share-line { background: #047a3a; border-color: #047a3a; color: #fff !important; }  /* LINE's green, dark enough for white text (5.4:1) */
.gecc-copy-status { color: #1a7f37; font-weight: 600; }
.gecc-qr svg { width: 220px; height: 220px; max-width: 100%; }
.gecc-nav { border-bottom: 1px solid #d0d7de; padding-bottom: .4rem; margin-bottom: .6rem; font-size: 1rem; }
.gecc-nav-where { font-weight: 600; }
.gecc-steps { list-style: none; padding: 0; margin: .3rem 0; display: flex; flex-wrap: wrap; gap: .3rem; }
.gecc-step a, .gecc-step span { display: inline-flex; align-items: center; min-height: 44px; padding: .2rem .7rem; border: 1px solid #d0d7de; border-radius: 1rem; text-decoration: none; color: #1f2328; }
.gecc-step-done a { background: #dafbe1; border-color: #1a7f37; }
.gecc-step-started a { background: #fff8c5; border-color: #bf8700; }
.gecc-step-current a { outline: 2px solid #1f6feb; font-weight: 700; }
.gecc-lang-switch { font-size: 1rem; }
/* The page starts below the fixed bar: the page script measures the bar (--gecc-topbar-height, a11y.js). */
.jp-LabShell .lm-BoxPanel-child { padding-top: calc(var(--gecc-topbar-height, 3.4rem) + .3rem) !important; }
/* Voila's page scrolls inside a Lumino panel with "contain: strict", which would make a fixed bar
   scroll away with the content; without it the bar stays at the top of the window. */
.lm-BoxPanel, .lm-BoxPanel-child { contain: none !important; }
.gecc-topbar { position: fixed; top: 0; left: 0; right: 0; z-index: 1000; background: #fff; border-bottom: 1px solid #d0d7de;
  box-shadow: 0 1px 4px rgba(0,0,0,.08); padding: .2rem .8rem; font-size: 1rem; line-height: 1.5;
  display: flex; flex-wrap: wrap; align-items: flex-start; gap: .2rem .8rem; max-height: 80vh; overflow-y: auto; }
.gecc-topbar details { flex: 1 1 12rem; min-width: 0; }
.gecc-topbar summary { cursor: pointer; font-weight: 600; }
.gecc-topbar a { white-space: nowrap; }
.gecc-topbar .gecc-steps a { white-space: normal; }
#gecc-app, #gecc-join, [data-gecc-exercise], [data-gecc-focus], .gecc-view h1 { scroll-margin-top: calc(var(--gecc-topbar-height, 4rem) + .8rem); }
@media (max-width: 600px) { .jp-LabShell .lm-BoxPanel-child { padding-top: calc(var(--gecc-topbar-height, 6.2rem) + .3rem) !important; } }
.gecc-modules { display: flex; flex-direction: column; gap: .4rem; padding: 0; list-style: none; }
.gecc-module-button { display: block; padding: .6rem .8rem; border-radius: .5rem; background: #1f6feb; color: #fff !important; text-decoration: none; font-weight: 600; }
.gecc-module-button.gecc-step-done { background: #1a7f37; }
.gecc-plan-row { border: 1px solid #d0d7de; border-radius: .5rem; padding: .5rem .7rem; margin: .4rem 0; width: 100%; }
.gecc-plan-row .widget-text, .gecc-plan-row .widget-textarea, .gecc-plan-row .widget-datepicker { width: 100% !important; max-width: 100%; }
.gecc-plan-row input[type=date] { max-width: 100%; }
.gecc-plan-row .widget-inline-hbox { flex-direction: column; align-items: stretch; height: auto; }
.gecc-plan-row .widget-inline-hbox .widget-label { width: auto; text-align: left; max-width: 100%; margin-top: .3rem; }
.gecc-question { border: 1px solid #d0d7de; border-radius: .5rem; padding: .5rem .7rem; margin: .4rem 0; width: 100%; }
.gecc-question .widget-radio-box { flex-direction: column; width: 100%; }
.gecc-question .widget-radio-box label { white-space: normal; line-height: 1.4; height: auto; min-height: 1.6rem; padding: .15rem 0; }
.gecc-question .widget-radio { width: 100% !important; max-width: 100%; }
.gecc-downloads a { display: inline-block; margin: .3rem .6rem .3rem 0; padding: .55rem .8rem; min-height: 44px; border: 1px solid #1f6feb; border-radius: .4rem; text-decoration: none; }
/* A teaching section's title opens and folds it (content._fold; folded on a phone by a11y.js). */
.gecc-section > summary { cursor: pointer; min-height: 44px; margin: 1.1rem 0 .5rem; }
.gecc-section > summary > h2 { display: inline; margin: 0; }
/* The summary's bar chart, drawn in HTML (reports.score_chart_html): its words stay 16 px on a phone. */
.gecc-chart-html { max-width: 40rem; margin: .4rem 0 .2rem; }
.gecc-chart-row { display: grid; grid-template-columns: minmax(6rem, 10rem) 1fr 4.5rem; align-items: center; gap: .6rem; margin: .35rem 0; }
.gecc-chart-row.gecc-chart-overall { font-weight: 700; }
.gecc-chart-track { position: relative; height: 1.75rem; background: #eef2f7; border-radius: .2rem; }
.gecc-chart-html .gecc-bar { position: absolute; left: 0; top: 0; bottom: 0; background: #1f6feb; border-radius: .2rem; }
.gecc-chart-overall .gecc-bar { background: #0b4fa3; }
.gecc-chart-mark { position: absolute; top: -.2rem; bottom: -.2rem; border-left: 2px dashed #9a6700; }
.gecc-chart-value { text-align: right; white-space: nowrap; }
@media (max-width: 600px) {
  .gecc-chart-row { grid-template-columns: 1fr 4.5rem; row-gap: .15rem; }
  .gecc-chart-name { grid-column: 1 / -1; }
}
.gecc-chart-legend { font-size: 1rem; color: #7a4b00; margin: .2rem 0 .6rem; }
.gecc-score-table { border-collapse: collapse; margin: .4rem 0; max-width: 100%; }
.gecc-score-table td, .gecc-score-table th { border-bottom: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
.gecc-score-table .gecc-percent { text-align: right; white-space: nowrap; }
.gecc-app .widget-checkbox { width: auto !important; max-width: 100%; }
.gecc-plan-row .widget-text, .gecc-plan-row .widget-textarea, .gecc-plan-row .widget-datepicker { margin-left: 0; margin-right: 0; }
.jp-RenderedMarkdown table { max-width: 100%; }
.jp-RenderedMarkdown td, .jp-RenderedMarkdown th { white-space: normal; overflow-wrap: break-word; }
/* Thai words do not break, so a table of many columns is wider than a phone: there it is shown row by row,
   each cell under its column's heading (data-label: content.py). */
@media (max-width: 600px) {
  .gecc-teaching table, .gecc-teaching tbody, .gecc-teaching tr, .gecc-teaching td { display: block; width: auto; }
  .gecc-teaching thead { display: none; }
  .gecc-teaching tr { border: 1px solid #d0d7de; border-radius: .4rem; margin: .5rem 0; padding: .3rem .6rem; }
  .jp-RenderedMarkdown.gecc-teaching td { border: none; padding: .15rem 0; text-align: left; }
  .gecc-teaching td[data-label]:not([data-label=''])::before { content: attr(data-label) ': '; font-weight: 600; white-space: nowrap; }
}
.gecc-app .widget-checkbox label { white-space: normal; }
.gecc-app .widget-dropdown, .gecc-app .widget-dropdown select { width: 100% !important; max-width: 100%; }
@media (max-width: 600px) { .gecc-status .widget-toggle-button { min-width: 5.5rem; } .gecc-topbar details { flex-basis: 100%; } }
/* Reading and access (issue 15, WCAG 2.2 AA): 16 px for whatever a person reads or types in (iOS zooms into
   smaller fields), 44 px tap targets, field borders of 3:1, labels above their fields, a radio on its answer's
   first line, a chosen status marked by more than its colour. The focus ring is the page's (templates/gecc). */
.gecc-view { --jp-content-font-size1: 16px; --jp-ui-font-size1: 16px; --jp-widgets-font-size: 16px;
  --jp-widgets-inline-height: 44px; --jp-widgets-input-border-color: #6e7781; --jp-widgets-input-padding: 8px; }
.gecc-view small, .gecc-view sub, .gecc-view sup { font-size: 1rem; }
.gecc-view .widget-html-content { min-width: 0; line-height: 1.6; }  /* a long link wraps within the screen, not past it */
.gecc-unanswered-hint a { display: inline-block; padding: .6rem .2rem; }
.gecc-view .jupyter-button { min-height: 44px; height: auto; padding: .4rem 1rem; font-size: 1rem; line-height: 1.4; }
.gecc-status .widget-toggle-button.mod-active::before { content: "✓" / ""; margin-right: .35em; }
/* ipywidgets reads the choice from the clicked element itself: a word mark inside the label must not take the click */
.widget-toggle-button > * { pointer-events: none; }
.gecc-app .widget-toggle-buttons, .gecc-app .gecc-note { margin-left: 0; margin-right: 0; }
.gecc-note > .widget-label { position: absolute !important; width: 1px !important; height: 1px; overflow: hidden; clip-path: inset(50%); margin: 0; padding: 0; }
.gecc-join .widget-inline-hbox { flex-direction: column; align-items: stretch; height: auto; }
.gecc-join .widget-inline-hbox > .widget-label { width: auto !important; max-width: 100%; text-align: left; margin: .6rem 0 .2rem; font-weight: 600; }
.gecc-join .widget-text, .gecc-join .widget-dropdown { margin-left: 0; margin-right: 0; }
.gecc-join .widget-inline-hbox > input, .gecc-join .widget-inline-hbox > select { flex: none; height: 44px; }
.gecc-join .gecc-join-button { margin: 1rem 0 .3rem; width: auto; min-width: 14rem; max-width: 100%; align-self: flex-start; }
.gecc-join-feedback .gecc-error { color: #b42318; font-weight: 600; }
.gecc-join-feedback .gecc-error::before { content: "⚠ " / ""; }
.gecc-view .widget-checkbox { height: auto; min-height: 44px; }
.gecc-view .widget-checkbox .widget-label-basic { display: inline-flex; align-items: center; gap: .5rem; min-height: 44px; cursor: pointer; }
.gecc-view .widget-checkbox input[type=checkbox], .gecc-question input[type=radio] { width: 1.25rem; height: 1.25rem; flex: none; margin: 0; }
.gecc-question .widget-radio-box label { display: flex; align-items: flex-start; gap: .6rem; min-height: 44px; padding: .55rem 0; line-height: 1.5; cursor: pointer; }
.gecc-question .widget-radio-box input[type=radio] { order: -1; margin-top: .15em; }
.gecc-topbar summary { min-height: 44px; padding: .45rem 0; }
.gecc-topbar a { display: inline-block; padding: .65rem .2rem; }
.gecc-view summary { min-height: 44px; padding: .45rem 0; cursor: pointer; }
.gecc-personal-link { display: inline-block; padding: .6rem 0; }
</style>
"""


def illustrative_suffix(standard: Standard, lang: str = "th") -> str:
    """" (ตัวอย่าง)" after a score's title while the criteria are illustrative, else nothing."""
    return label("illustrative_suffix", lang) if standard.illustrative else ""


def notice_html(standard: Standard, lang: str = "th") -> str:
    """The one-line "illustrative" notice, or nothing for an official criteria file."""
    if not standard.illustrative:
        return ""
    text = pick(standard.notice_th, standard.notice_en, lang)
    return f"<div class='gecc-notice gecc-illustrative'>{_esc(text)}</div>"


def _esc(text: str) -> str:
    return html.escape(text or "", quote=True)


_SHARED: dict = {}


def _shared(model_cls, **traits):
    """One Layout or Style model per kernel for each set of values (see :func:`lean`)."""
    key = (model_cls, tuple(sorted(traits.items())))
    if key not in _SHARED:
        _SHARED[key] = model_cls(**traits)
    return _SHARED[key]


def lean(cls, *, width: str | None = "100%", style: dict | None = None, **kwargs):
    """A widget whose Layout and Style models are shared with its like, not made anew.

    Every ipywidget brings a Layout and usually a Style model of its own: a page of 40 rows
    sent the browser 800 models, and under load ZeroMQ's high-water mark (1000 messages)
    dropped some, so the page never finished (Voilà: "Timeout waiting for IOPub output").
    Widgets whose layout and style never change on their own share them; a widget whose
    layout is changed later (shown or hidden) must be made the ordinary way.
    """
    traits = cls.class_traits()
    if "layout" not in kwargs and "layout" in traits:
        kwargs["layout"] = _shared(W.Layout, width=width) if width else _shared(W.Layout)
    style_trait = traits.get("style")
    if "style" not in kwargs and style_trait is not None and isinstance(style_trait.klass, type):
        kwargs["style"] = _shared(style_trait.klass, **(style or {}))
    return cls(**kwargs)


def _html(value: str, *classes: str) -> W.HTML:
    w = lean(W.HTML, width=None, value=value)
    for c in classes:
        w.add_class(c)
    return w


class AssessmentApp:
    """One factor's self-assessment for one participant, saved as it is answered.

    Parameters
    ----------
    standard
        The criteria and levels.
    factor_id
        Which factor (``location``, ``personnel``, ``service``, ``technology``).
    store, participant
        Where answers are saved, and whose they are. The participant's saved
        answers are shown when the app is built.
    link
        The participant's personal link, shown so they can resume elsewhere.
    lang
        ``"th"`` (default) or ``"en"`` for the labels.
    nav
        The navigation bar shown on top, refreshed after a status is saved.
    """

    opens_content = True  # its page shows the notebook's teaching content

    def __init__(
        self,
        standard: Standard,
        factor_id: str,
        store: Store,
        participant: Participant,
        link: str = "",
        lang: str = "th",
        nav: "Nav | None" = None,
    ):
        self.standard = standard
        self.nav = nav
        self.factor = get_factor(factor_id)
        self.store = store
        self.participant = participant
        self.lang = lang
        self.criteria = standard.for_factor(self.factor.id)
        self.answers: dict[str, Answer] = store.answers(participant.id)
        self._reverting = False
        self.status_widgets: dict[str, W.ToggleButtons] = {}
        self.note_widgets: dict[str, W.Textarea] = {}
        self.rows: dict[str, W.VBox] = {}
        self.heads: dict[str, tuple[W.HTML, str]] = {}  # a row's title widget and its own HTML
        self.saved = _html("", "gecc-saved")
        self.score_html = _html("", "gecc-score")
        self.gaps_html = _html("", "gecc-gaps")
        rows = [self._create_row(c) for c in self.criteria]
        header = _html(
            f"{_CSS}{notice_html(standard, lang)}"
            f"<p>{_esc(label('hello', lang))} <b class='gecc-participant-name'>{_esc(participant.display_name)}</b></p>"
            + (_link_html(link, lang) if link else "")
        )
        # What has been answered, the score so far and "saved" stay in view at the foot of the
        # window while the criteria scroll past (CSS position: sticky), and are said politely: the
        # page script makes the box a live region (role=status) once, so each change is spoken.
        self.live = _html("", "gecc-live-score")
        sticky = lean(W.VBox, children=[self.live, self.saved])
        sticky.add_class("gecc-sticky-summary")
        self.widget = W.VBox([*([nav.widget] if nav else []), header, *rows, sticky, self.score_html, self.gaps_html])
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-assessment")
        self._update()

    # --- building ----------------------------------------------------------------------

    def _create_row(self, c: Criterion) -> W.VBox:
        lang = self.lang
        saved = self.answers.get(c.id, Answer(c.id))
        tags = ""
        if c.mandatory:
            tags += f"<span class='gecc-tag gecc-tag-mandatory'>{_esc(label('mandatory', lang))}</span>"
        tags += f"<span class='gecc-tag'>{_esc(label('weight', lang))} {c.weight:g}</span>"
        title = pick(c.title_th, c.title_en, lang)
        details = []
        guidance = pick(c.guidance_th, c.guidance_en, lang)
        evidence = pick(c.evidence_th, c.evidence_en, lang)
        if guidance:
            details.append(f"<p><b>{_esc(label('guidance', lang))}:</b> {_esc(guidance)}</p>")
        if evidence:
            details.append(f"<p><b>{_esc(label('evidence', lang))}:</b> {_esc(evidence)}</p>")
        if c.act_ref:
            details.append(f"<p><b>{_esc(label('act', lang))}:</b> {_esc(c.act_ref)}</p>")
        more = f"<details><summary>{_esc(label('guidance', lang))}</summary>{''.join(details)}</details>" if details else ""
        # The title has an id: the page script names the row's status group after it (aria-labelledby). The
        # first criterion is where the page's skip link leads (data-gecc-exercise).
        first = " data-gecc-exercise" if c is self.criteria[0] else ""
        head = _html(f"<div class='gecc-criterion-title' id='gecc-title-{_esc(c.id)}'{first}>{_esc(c.id)} {_esc(title)}</div>"
                     f"<div>{tags}</div>{more}")

        options = [(pick(s.label_th, s.label_en, lang), s.value) for s in Status]
        status = lean(
            W.ToggleButtons,
            options=options,
            value=saved.status.value if saved.status else None,
            style={"button_width": "auto"},
        )
        status.add_class("gecc-status")
        status.add_class(f"gecc-status-{c.id}")
        status.observe(lambda change, cid=c.id: self._on_status(cid, change["new"]), names="value")

        note = lean(
            W.Textarea,
            value=saved.note,
            placeholder=label("note_placeholder", lang),
            description=f"{label('note_label', lang)} {c.id}",  # its name; shown only to screen readers (the placeholder says it)
            continuous_update=True,  # every keystroke is saved: a closed tab loses nothing
        )
        note.add_class("gecc-note")
        note.add_class(f"gecc-note-{c.id}")
        note.add_class(f"gecc-limit-{MAX_TEXT}")  # the page counts the characters (templates/gecc/saving.js)
        note.observe(lambda change, cid=c.id: self._on_note(cid, change["new"]), names="value")

        self.status_widgets[c.id] = status
        self.note_widgets[c.id] = note
        row = lean(W.VBox, children=[head, status, note])
        row.add_class("gecc-criterion")
        row.add_class(f"gecc-criterion-{c.id}")
        self.rows[c.id] = row
        self.heads[c.id] = (head, head.value)
        return row

    # --- events ------------------------------------------------------------------------

    def _on_status(self, criterion_id: str, value: str | None) -> None:
        if self._reverting:
            return
        old = self.answers.get(criterion_id, Answer(criterion_id))
        if self._save(criterion_id, "save_failed", status=value):
            self.answers[criterion_id] = Answer(criterion_id, Status(value) if value else None, old.note)
        else:
            # Show what the store holds, so the screen never claims an answer that was not kept.
            self._reverting = True
            try:
                self.status_widgets[criterion_id].value = old.status.value if old.status else None
            finally:
                self._reverting = False
        self._update()
        if self.nav is not None:
            self.nav.refresh()

    def _on_note(self, criterion_id: str, value: str) -> None:
        # On failure the text stays on screen (nothing typed is thrown away); the next keystroke retries.
        if text_too_long(value):  # refused whole (never cut): the stored note stays as it was
            self._problem(criterion_id, label("note_too_long", self.lang, n=f"{MAX_TEXT:,}"))
            return
        if self._save(criterion_id, "note_failed", note=value):
            old = self.answers.get(criterion_id, Answer(criterion_id))
            self.answers[criterion_id] = Answer(criterion_id, old.status, value)

    def _save(self, criterion_id: str, failure: str, **fields) -> bool:
        try:
            self.store.save_answer(self.participant.id, criterion_id, **fields)
        except Exception:  # a participant sees one sentence; the log has the details
            log.exception("saving %s for participant %s failed", criterion_id, self.participant.id)
            self.saved.value = f"⚠ {_esc(label(failure, self.lang))}"
            self.saved.add_class("gecc-error")
            self._problem(criterion_id, label(failure, self.lang))
            return False
        self._problem(criterion_id, None)
        self.saved.remove_class("gecc-error")
        self.saved.value = f"✓ {_esc(label('saved', self.lang))} {datetime.now():%H:%M:%S}"
        return True

    def _problem(self, criterion_id: str, text: str | None) -> None:
        """Say on the criterion's own row that its last change was not saved (None: all is well).

        The row's class ``gecc-save-failed`` makes the page mark it "not saved" (saving.js)."""
        row, (head, html) = self.rows.get(criterion_id), self.heads.get(criterion_id, (None, ""))
        if row is None or head is None:
            return
        if text:
            row.add_class("gecc-save-failed")
            head.value = f"{html}<p class='gecc-error gecc-row-problem' role='alert'>⚠ {_esc(text)}</p>"
        elif "gecc-save-failed" in row._dom_classes:
            row.remove_class("gecc-save-failed")
            head.value = html

    # --- drawing -----------------------------------------------------------------------

    def result(self) -> Score:
        """The current score of this factor."""
        return score(self.standard, self.answers, self.factor.id)

    def _update(self) -> None:
        lang = self.lang
        s = self.result()
        shown = f"{s.percent:.1f}%" if s.applicable else "—"
        counts = " · ".join(
            f"{_esc(pick(st.label_th, st.label_en, lang))} {s.counts[st.value]}" for st in Status
        ) + f" · {_esc(label('unanswered', lang))} {s.counts['unanswered']}"
        unmet = ""
        if s.mandatory_unmet:
            ids = ", ".join(_esc(c.id) for c in s.mandatory_unmet)
            unmet = f"<div class='gecc-mandatory-unmet'>{_esc(label('mandatory_unmet', lang))}: {ids}</div>"
        self.score_html.value = (
            f"<div class='gecc-score-box'><div>{_esc(label('score_title', lang) + illustrative_suffix(self.standard, lang))}</div>"
            f"<div class='gecc-score-percent' data-percent='{s.percent:.1f}'>{shown}</div>"
            # No level here: a certification level belongs to a whole centre, not to one factor
            # (DOMAIN.md); the summary page shows the level of all four factors together.
            f"<div class='gecc-level-note'>{_esc(label('level_overall_only', lang))}</div>"
            f"<div class='gecc-counts'>{counts}</div>{unmet}</div>"
        )
        answered = len(self.criteria) - s.counts["unanswered"]
        self.live.value = (
            f"<div class='gecc-live' data-answered='{answered}'>"
            f"{_esc(label('answered_of', lang, answered=answered, total=len(self.criteria)))} · "
            f"{_esc(label('score_now', lang))} <b>{shown}</b></div>"
        )
        answered_gaps = [g for g in s.gaps if g.status is not None]
        if answered_gaps:
            items = "".join(
                f"<li data-criterion='{_esc(g.criterion.id)}'>"
                + (f"<span class='gecc-tag gecc-tag-mandatory'>{_esc(label('mandatory', lang))}</span>" if g.criterion.mandatory else "")
                + f"{_esc(g.criterion.id)} {_esc(pick(g.criterion.title_th, g.criterion.title_en, lang))}"
                + f" <i>({_esc(pick(g.status.label_th, g.status.label_en, lang))})</i></li>"
                for g in answered_gaps
            )
            body = f"<ol>{items}</ol>"
        else:
            body = f"<p>{_esc(label('no_gaps', lang))}</p>"
        self.gaps_html.value = f"<h3>{_esc(label('gaps_title', lang))}</h3>{body}"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def joins_per_minute() -> int:
    """Joins a workshop takes per minute: the room (``gecc-kit serve`` sets it from --expect)."""
    try:
        return max(1, int(os.environ.get("GECC_JOINS_PER_MINUTE", "") or 120))
    except ValueError:
        return 120


class JoinForm:
    """Greets someone without a known participant token and lets them join.

    Asks for a display name, the office (picked from the offices file, or
    typed under "other") and an optional table.

    With ``on_join`` (how the kit's pages use it), joining replaces the form
    with the page itself, built by ``on_join(participant)`` in this same
    kernel, and marks the personal link with ``data-gecc-url``: the kit's page
    template then puts it in the address bar (``history.replaceState``), so a
    reload or a bookmark resumes, and joining costs no second page load.
    Without ``on_join`` the browser is sent to the personal link (a meta
    refresh), where the page is built from the store.
    """

    OTHER = "__other__"

    def __init__(
        self,
        store: Store,
        request: Request,
        reason: str,
        offices: tuple[Office, ...] = (),
        lang: str = "th",
        on_join: Callable[[Participant], object] | None = None,
    ):
        self.store, self.request, self.lang, self.on_join = store, request, lang, on_join
        self.offices = {o.id: o for o in offices}
        self.participant: Participant | None = None
        self.message = _html(f"<p class='gecc-message'>{_esc(label(reason, lang))}</p>", "gecc-join-message")
        # Each field is named by its description (a <label for> above it, see _CSS), not by a placeholder.
        stacked = {"description_width": "initial"}
        self.name = lean(W.Text, description=label("join_name", lang), style=stacked)
        self.name.add_class("gecc-join-name")
        options = [(label("join_office_pick", lang), "")]
        options += [(pick(o.name_th, o.name_en, lang), o.id) for o in offices]
        options += [(label("join_office_other", lang), self.OTHER)]
        self.office_pick = lean(W.Dropdown, options=options, value="", description=label("join_office", lang), style=stacked)
        self.office_pick.add_class("gecc-join-office-pick")
        self.office = W.Text(description=label("join_office_other_name", lang), style=stacked,  # its own layout: shown and hidden
                             layout=W.Layout(width="100%", display=None if not offices else "none"))
        self.office.add_class("gecc-join-office")
        self.table = lean(W.Text, description=label("join_table", lang), style=stacked)
        self.table.add_class("gecc-join-table")
        self.office_pick.observe(self._on_pick, names="value")
        self.button = W.Button(description=label("join_button", lang), button_style="primary")
        self.button.add_class("gecc-join-button")
        self.button.on_click(lambda _b: self._join())
        self.feedback = _html("", "gecc-join-feedback")  # said at once: the page script makes it role=alert
        self.form = W.VBox([self.name, self.office_pick, self.office, self.table, self.button, self.feedback])
        title = _html(f"{_CSS}{join_topbar_html(request, lang)}<h2 id='gecc-join'>{_esc(label('join_title', lang))}</h2>")
        self.widget = W.VBox([title, self.message, self.form])
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-join")

    def _on_pick(self, change) -> None:
        other = change["new"] == self.OTHER or not self.offices
        self.office.layout.display = None if other else "none"
        # A table from the offices file is offered, never forced: people sit where they sit.
        # It replaces an empty table or the one the previously picked office offered.
        before, office = self.offices.get(change["old"]), self.offices.get(change["new"])
        typed = self.table.value.strip()
        if not typed or (before is not None and typed == before.table):
            self.table.value = office.table if office else ""

    def office_name(self) -> str:
        """The office as it will be stored: the picked office's Thai name, what was typed under "other", or ""."""
        picked = self.offices.get(self.office_pick.value)
        if picked:
            return picked.name_th
        if self.office_pick.value == self.OTHER or not self.offices:
            return self.office.value.strip()
        return ""

    def _join(self) -> None:
        if self.participant is not None or self.button.disabled:
            return  # one join per page: a click sent again (or replayed by a script) creates nobody
        name, office, table = clean_name(self.name.value), clean_name(self.office_name()), clean_name(self.table.value)
        if not name:
            self.feedback.value = f"<p class='gecc-error'>{_esc(label('join_need_name', self.lang))}</p>"
            return
        if any(name_too_long(v) for v in (name, office, table)):
            self.feedback.value = f"<p class='gecc-error'>{_esc(label('join_too_long', self.lang))}</p>"
            return
        self.button.disabled = True
        try:
            p = self.store.join(self.request.workshop_code, name, office, table, per_minute=joins_per_minute())
        except TooManyJoins:
            self.feedback.value = f"<p class='gecc-error'>{_esc(label('join_busy', self.lang))}</p>"
            self.button.disabled = False
            return
        except Exception:
            log.exception("join failed")
            self.feedback.value = f"<p class='gecc-error'>{_esc(label('broken', self.lang))}</p>"
            self.button.disabled = False
            return
        self.participant = p
        link = self.request.link(p.token)
        # A meta refresh (honoured when inserted into the page) takes the browser to the personal
        # link: declarative, so it does not depend on when the front end runs script outputs.
        if self.on_join is not None:
            try:
                page = self.on_join(p)
            except Exception:
                log.exception("the page after joining could not be built")
                page = None
            if page is not None:
                self.page = page
                # The focus goes to this line (data-gecc-focus, the page script), where the new page starts.
                self.message.value = (f"<p class='gecc-message gecc-joined' tabindex='-1' data-gecc-focus>✓ {_esc(label('join_joined', self.lang))}</p>"
                                      f"<span class='gecc-go' data-gecc-url='{_esc(link)}'></span>")
                self.widget.children = [self.message, page.widget]
                return
        self.message.value = (
            f"<p class='gecc-message'>{_esc(label('join_done', self.lang))}</p>"
            f"{_link_html(link, self.lang)}"
            f"<meta http-equiv='refresh' content='0; url={_esc(link)}'>"
        )
        self.widget.children = [self.message]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class Nav:
    """Where the participant is: "step x of N", every module with its state, and the language switch.

    Every link carries the workshop code, the token and the language.
    :meth:`refresh` re-reads the participant's progress from the store.
    """

    def __init__(self, request: Request, standard: Standard, store: Store, participant: Participant, questions: tuple[Question, ...], lang: str = "th"):
        self.request, self.standard, self.store, self.participant = request, standard, store, participant
        self.questions, self.lang = questions, lang
        self.states: dict[str, str] = {}
        self.pre_test_done = True
        self.widget = _html("", "gecc-nav-box")
        self._next: W.HTML | None = None
        self.refresh()

    def refresh(self) -> None:
        try:
            pid = self.participant.id
            quiz = self.store.quiz_choices(pid)
            self.pre_test_done = grade(self.questions, quiz.get("pre", {})).complete or not self.questions
            self.states = progress(self.standard, self.store.answers(pid), self.store.plan(pid), quiz, self.questions)
        except Exception:  # the bar is a convenience: a failed read leaves the last one shown
            log.exception("progress could not be read")
        self.widget.value = nav_html(self.request, self.states, self.lang)
        if self._next is not None:  # the way on follows what is done (the pre-test just finished)
            value = self._next_html()
            if self._next.value != value:
                self._next.value = value

    def next_module(self):
        """Where to go from this page, in teaching order: the pre-test first, then the
        background, the four factors and the summary, and from the summary the post-test."""
        try:
            here = module(self.request.page)
        except KeyError:
            return None
        if here.kind == "welcome" and not self.pre_test_done:
            return KNOWLEDGE
        if here is KNOWLEDGE:
            if self.states.get(KNOWLEDGE.notebook) == DONE or not self.pre_test_done:
                return None  # finish the test first; after the post-test there is nowhere left
            factors = [m for m in MODULES if m.kind == "factor"]
            if all(self.states.get(m.notebook, TODO) == TODO for m in factors):
                return next(m for m in MODULES if m.kind == "basics")  # the day starts with the background
            todo = [m for m in MODULES if m.kind in ("factor", "summary") and self.states.get(m.notebook) != DONE]
            return todo[0] if todo else None
        if here.kind == "summary":
            return KNOWLEDGE if self.states.get(KNOWLEDGE.notebook) != DONE else None  # the post-test
        later = [m for m in MODULES if m.number > here.number]
        return later[0] if later else None

    def _next_html(self) -> str:
        m = self.next_module()
        if m is None:
            return ""
        return _next_link_html(self.request, m, label("next_module", self.lang, title=pick(m.title_th, m.title_en, self.lang)))

    def next_widget(self) -> W.HTML:
        """A link to :meth:`next_module`, kept up to date by :meth:`refresh` (empty when there
        is nowhere left to go, or not yet: the pre-test unfinished)."""
        if self._next is None:
            self._next = _html(self._next_html(), "gecc-next-box")
        return self._next


def _next_link_html(request: Request, m, text: str) -> str:
    """The button that takes a participant to step ``m`` (class ``gecc-next``)."""
    return (f"<p><a class='gecc-module-button gecc-next' data-module='{_esc(m.notebook)}' "
            f"href='{_esc(request.link(page=m.notebook))}'>{_esc(text)} →</a></p>")


def _steps_html(request: Request, states: dict[str, str], here, lang: str) -> str:
    items = []
    for m in MODULES:
        state = states.get(m.notebook, TODO)
        classes = f"gecc-step gecc-step-{state}" + (" gecc-step-current" if m is here else "")
        mark = "✓ " if state == DONE else ""
        title = pick(m.title_th, m.title_en, lang)
        hint = f" ({label(state, lang)})" if state in (DONE, STARTED) else ""
        current = " aria-current='page'" if m is here else ""
        items.append(
            f"<li class='{classes}' data-module='{_esc(m.notebook)}' data-state='{state}'>"
            f"<a href='{_esc(request.link(page=m.notebook))}' title='{_esc(title + hint)}'{current}>{mark}{m.number}. {_esc(title)}</a></li>"
        )
    return f"<ol class='gecc-steps'>{''.join(items)}</ol>"


def nav_html(request: Request, states: dict[str, str], lang: str = "th") -> str:
    """The navigation (see :class:`Nav`) as HTML.

    Two parts: a bar fixed to the top of the window, the page's one navigation
    (``<nav>`` named "steps of the workshop"; visible wherever the participant
    has scrolled in the teaching content: step x of N, a menu of every module,
    a jump to the exercise, the language switch), and where the exercise starts
    a line saying which step this is (the bar's jump leads there). It carries no
    CSS: the page's app sends that once, so a refresh after each answer sends
    only the bar.
    """
    try:
        here = module(request.page)
        where = pick(here.title_th, here.title_en, lang)
        where = label("step_x_of_n", lang, x=here.number, n=len(MODULES)) + " · " + where
    except KeyError:
        here, where = None, ""
    done = sum(1 for m in MODULES if states.get(m.notebook) == DONE)
    steps = _steps_html(request, states, here, lang)
    topbar = (
        f"<nav class='gecc-topbar' aria-label='{_esc(label('modules', lang))}' data-gecc-title='{_esc(tab_title(where, lang))}'><details class='gecc-topbar-menu'>"
        f"<summary class='gecc-nav-where'>{_esc(where)} <span class='gecc-done-count'>(✓ {done}/{len(MODULES)})</span></summary>{steps}</details>"
        f"<a class='gecc-jump' href='#gecc-app'>{_esc(label('jump_to_exercise', lang))} ↓</a>{lang_switch_html(request, lang)}</nav>"
    )
    return f"{topbar}<div class='gecc-nav' id='gecc-app'><div class='gecc-nav-where'>{_esc(where)}</div></div>"


def tab_title(where: str, lang: str = "th") -> str:
    """The browser tab's title: where the participant is, then the kit (the page script sets it
    from the top bar's ``data-gecc-title``, also when a module opens in the same page)."""
    kit = "ศูนย์ราชการสะดวก (GECC)" if lang == "th" else "GECC workshop"
    return f"{where} · {kit}" if where else kit


def join_topbar_html(request: Request, lang: str = "th") -> str:
    """The top bar of someone who has not joined yet: a jump to the join form."""
    return (
        f"<nav class='gecc-topbar' aria-label='{_esc(label('modules', lang))}' data-gecc-title='{_esc(tab_title(label('join_title', lang), lang))}'>"
        f"<a class='gecc-jump' href='#gecc-join'>{_esc(label('jump_to_join', lang))} ↓</a>{lang_switch_html(request, lang)}</nav>"
    )


def lang_switch_html(request: Request, lang: str) -> str:
    """A link to this page in the other language (Thai <-> English)."""
    other = "th" if lang == "en" else "en"
    return f"<a class='gecc-lang-switch' lang='{other}' href='{_esc(request.link(lang=other))}'>{_esc(label('switch_lang', lang))}</a>"


class StepApp:
    """A step with nothing to answer (the background page): the navigation, around which the
    page shows its notebook's content, and the way on."""

    opens_content = True  # its page shows the notebook's teaching content

    def __init__(self, nav: Nav, kind: str):
        self.widget = W.VBox([nav.widget, _html(_CSS)])
        self.widget.add_class("gecc-app")
        self.widget.add_class(f"gecc-{kind}")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class PreTestFirst:
    """A page whose teaching content would answer the pre-test, opened before the pre-test is
    done: what to do first, and no content (see ``journey.AFTER_PRE_TEST``)."""

    opens_content = False

    def __init__(self, request: Request, nav: Nav, lang: str = "th"):
        body = _html(
            f"{_CSS}<p class='gecc-message gecc-after-pre-test' role='status' data-gecc-exercise>{_esc(label('after_pre_test', lang))}</p>"
            + _next_link_html(request, KNOWLEDGE, label("to_pre_test", lang))
        )
        self.widget = W.VBox([nav.widget, body])
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-pre-test-first")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class WelcomeApp:
    """The welcome page of someone who has joined: who they are, their link, and every module."""

    def __init__(self, request: Request, participant: Participant, nav: Nav, lang: str = "th"):
        self.request, self.participant, self.nav, self.lang = request, participant, nav, lang
        buttons = []
        for m in MODULES[1:]:
            state = nav.states.get(m.notebook, TODO)
            mark = "✓ " if state == DONE else ""
            buttons.append(
                f"<li><a class='gecc-module-button gecc-step-{state}' data-module='{_esc(m.notebook)}' "
                f"href='{_esc(request.link(page=m.notebook))}'>{mark}{m.number}. {_esc(pick(m.title_th, m.title_en, lang))}</a></li>"
            )
        who = f"<p>{_esc(label('hello', lang))} <b class='gecc-participant-name'>{_esc(participant.display_name)}</b>"
        if participant.office:
            who += f" · {_esc(label('your_office', lang))}: <span class='gecc-participant-office'>{_esc(participant.office)}</span>"
        if participant.table_label:
            who += f" · {_esc(label('your_table', lang))}: <span class='gecc-participant-table'>{_esc(participant.table_label)}</span>"
        who += "</p>"
        head = _html(
            f"{_CSS}{who}<p class='gecc-message'>{_esc(label('welcome_joined', lang))}</p>"
            f"{_link_html(request.link(), lang)}"
        )
        # The QR code is drawn only when asked for: most people never need it on this device.
        self.qr = _html("", "gecc-personal-qr")
        self.qr_button = W.Button(description=label("show_qr", lang), layout=W.Layout(width="auto"))
        self.qr_button.add_class("gecc-show-qr")
        self.qr_button.on_click(lambda _b: self.show_qr())
        modules = _html(f"<h3 data-gecc-exercise>{_esc(label('modules', lang))}</h3><ol class='gecc-modules'>{''.join(buttons)}</ol>")
        self.widget = W.VBox([nav.widget, head, self.qr_button, self.qr, modules])
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-welcome")

    def show_qr(self) -> None:
        """The personal link as a QR code, to carry the page over to a phone."""
        import segno  # small, and only for those who ask

        svg = segno.make(self.request.link(), error="m").svg_inline(scale=5, border=2, title=label("qr_title", self.lang))
        svg = svg.replace("<svg ", "<svg role='img' ", 1)
        self.qr.value = f"<figure class='gecc-qr'>{svg}<figcaption>{_esc(label('qr_hint', self.lang))}</figcaption></figure>"
        self.qr_button.layout.display = "none"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _link_html(link: str, lang: str) -> str:
    """The personal link, with a copy button (the page script copies it) and a LINE share."""
    line = "https://line.me/R/share?text=" + quote(f"{label('share_text', lang)} {link}", safe="")
    return (
        f"<p class='gecc-personal-link-box'>{_esc(label('personal_link', lang))}:<br>"
        f"<a class='gecc-link gecc-personal-link' href='{_esc(link)}'>{_esc(link)}</a></p>"
        f"<p class='gecc-share'><button type='button' class='gecc-copy-link' data-gecc-copy='{_esc(link)}' "
        f"data-gecc-copied='{_esc(label('link_copied', lang))}' data-gecc-copy-failed='{_esc(label('copy_failed', lang))}'>"
        f"{_esc(label('copy_link', lang))}</button> "
        f"<a class='gecc-share-line' href='{_esc(line)}' target='_blank' rel='noopener noreferrer'>{_esc(label('share_line', lang))}</a>"
        f"<span class='gecc-copy-status' role='status' aria-live='polite'></span></p>"
    )


def message(key: str, lang: str = "th") -> W.HTML:
    """A page that is one sentence (a bad link, a broken store)."""
    return _html(f"{_CSS}<p class='gecc-message'>{_esc(label(key, lang))}</p>", "gecc-app", "gecc-page-message")
