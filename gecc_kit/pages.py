"""The participant pages: one call per notebook.

Each function reads who opened the page from its URL (workshop code,
participant token, language; see :mod:`gecc_kit.session`), and returns the
page's app, a join form when the link has no known participant, or one
Thai sentence when the link cannot work. None of them ever raises to the
page: problems go to the log.

=========================  =========================
notebook                   call
=========================  =========================
00-welcome.ipynb           ``welcome_page()``
01-04 (one per factor)     ``assessment_page("location")`` ...
05-summary.ipynb           ``summary_page()``
06-knowledge-check.ipynb   ``knowledge_page()``
=========================  =========================
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from .errors import GeccError, UnknownParticipant, UnknownWorkshop
from .session import current_request, log, open_offices, open_questions, open_standard, open_store
from .widgets import AssessmentApp, JoinForm, Nav, WelcomeApp, message

__all__ = ["welcome_page", "assessment_page", "summary_page", "knowledge_page"]


def _page(build: Callable, lang: str | None = None):
    """Resolve the request and participant, then ``build(ctx)``; a join form or a message otherwise."""
    try:
        request = current_request()
        lang = lang or request.lang
        standard = open_standard()
        store = open_store()
        if not request.workshop_code:
            return message("no_workshop", lang)
        try:
            store.workshop(request.workshop_code)
        except UnknownWorkshop:
            return message("unknown_workshop", lang)
        questions = _questions()

        def page_for(participant, request=request):
            nav = Nav(request, standard, store, participant, questions, lang)
            app = build(_Context(request, standard, store, participant, questions, nav, lang))
            following = nav.next_widget()
            if following is not None:
                app.widget.children = (*app.widget.children, following)
            return app

        def after_join(participant):  # the same page, for the participant who just joined
            return page_for(participant, dataclasses.replace(request, token=participant.token))

        offices = _offices()
        if not request.token:
            return JoinForm(store, request, "join_welcome", offices, lang, on_join=after_join)
        try:
            participant = store.participant(request.workshop_code, request.token)
        except UnknownParticipant:
            return JoinForm(store, request, "join_unknown", offices, lang, on_join=after_join)
        return page_for(participant)
    except GeccError:
        log.exception("page could not be built")
        return message("broken", lang or "th")
    except Exception:
        log.exception("unexpected error while building the page")
        return message("broken", lang or "th")


def _questions():
    try:
        return open_questions()
    except GeccError:  # a broken questions file breaks the knowledge check only, not the assessment
        log.exception("the knowledge-check questions could not be read")
        return ()


def _offices():
    try:
        return open_offices()
    except GeccError:  # a broken offices file must not stop anyone joining: they type the office
        log.exception("the offices file could not be read")
        return ()


class _Context:
    def __init__(self, request, standard, store, participant, questions, nav, lang):
        self.request, self.standard, self.store, self.participant = request, standard, store, participant
        self.questions, self.nav, self.lang = questions, nav, lang


def welcome_page(lang: str | None = None):
    """The welcome page: the join form, or (once joined) the personal link and every module."""
    return _page(lambda ctx: WelcomeApp(ctx.request, ctx.participant, ctx.nav, ctx.lang), lang)


def assessment_page(factor_id: str, lang: str | None = None):
    """The self-assessment of one factor for whoever opened this page."""

    return _page(lambda ctx: AssessmentApp(ctx.standard, factor_id, ctx.store, ctx.participant, ctx.request.link(), ctx.lang, ctx.nav), lang)


def summary_page(lang: str | None = None):
    """The four factor scores side by side, the gaps, the improvement plan and the downloads."""
    from .summary import SummaryApp

    return _page(lambda ctx: SummaryApp(ctx.standard, ctx.store, ctx.participant, ctx.request, ctx.nav, ctx.lang), lang)


def knowledge_page(lang: str | None = None):
    """The knowledge check, before and after the session."""
    from .knowledge import KnowledgeApp

    return _page(lambda ctx: KnowledgeApp(ctx.questions, ctx.store, ctx.participant, ctx.nav, ctx.lang), lang)
