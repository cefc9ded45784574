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
app/journey.ipynb          ``journey_page()``
=========================  =========================

The workshop server serves every participant page with ``app/journey.ipynb``: a
:class:`JourneyApp` that shows the module the link names (its notebook's Markdown
around its app) and then moves between modules in the same kernel when the
participant follows a link, so a room that changes module together starts no
kernel and loads no page. The module notebooks stay the single source of the
content (handouts, JupyterLab, review) and still work on their own.
"""
from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import ipywidgets as W

from .content import module_content
from .errors import GeccError, UnknownParticipant, UnknownWorkshop
from .journey import AFTER_PRE_TEST, DONE, MODULES, SHELL, Module
from .journey import module as module_of
from .labels import label
from .session import await_request, current_request, log, open_offices, open_questions, open_standard, preview, request_from_environment, store_for
from .widgets import _SHARED, AssessmentApp, JoinForm, Nav, PreTestFirst, StepApp, WelcomeApp, _esc, message

__all__ = ["welcome_page", "basics_page", "assessment_page", "summary_page", "knowledge_page", "journey_page", "JourneyApp"]


def _page(build: Callable, lang: str | None = None, request=None, on_participant: Callable | None = None):
    """Resolve the request and participant, then ``build(ctx)``; a join form or a message otherwise."""
    try:
        request = request or current_request()
        lang = lang or request.lang
        standard = open_standard()
        store = store_for(request)  # the preview store for JupyterLab's preview participant (make lab)
        if not request.workshop_code:
            return message("no_workshop", lang)
        try:
            store.workshop(request.workshop_code)
        except UnknownWorkshop:
            return message("unknown_workshop", lang)
        questions = _questions()

        def page_for(participant, request=request):
            nav = Nav(request, standard, store, participant, questions, lang)
            if request.page in AFTER_PRE_TEST and not nav.pre_test_done and _pre_test_first():
                return PreTestFirst(request, nav, lang)
            app = build(_Context(request, standard, store, participant, questions, nav, lang))
            following = nav.next_widget()
            if following is not None:
                app.widget.children = (*app.widget.children, following)
            return app

        def after_join(participant):  # the same page, for the participant who just joined
            joined = dataclasses.replace(request, token=participant.token)
            if on_participant is not None:
                on_participant(joined)
            return page_for(participant, joined)

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


def _pre_test_first() -> bool:
    """Teaching pages open after the pre-test (``gecc-kit serve --no-pre-test-first`` sets 0); in
    JupyterLab's preview every page opens, so a module can be previewed without the pre-test."""
    return os.environ.get("GECC_PRE_TEST_FIRST", "1") != "0" and not preview()


def _agenda_plan() -> str:
    """The day's plan the facilitator chose (``gecc-kit serve --agenda``, $GECC_AGENDA_PLAN)."""
    plan = os.environ.get("GECC_AGENDA_PLAN", "full")
    return plan if plan in ("full", "half") else "full"


def agenda_block(lang: str = "th") -> str:
    """The day's กำหนดการ for the welcome page: the plan the facilitator chose (``gecc-kit serve
    --agenda``, $GECC_AGENDA_PLAN), from the same file as the slides; nothing if it cannot be read."""
    from .agenda import agenda_html

    try:
        table = agenda_html(_agenda_plan(), lang, caption=True)
    except GeccError:
        log.exception("the agenda could not be read")
        return ""
    title = "Agenda" if lang == "en" else "กำหนดการ"
    return f"<div class='gecc-agenda-box'><h2 id='gecc-agenda'>{title}</h2>{table}</div>"


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


# What each kind of module shows, built from a resolved page (one definition for the module
# notebooks' calls below and for the one page of the day).
def _welcome(ctx):
    return WelcomeApp(ctx.request, ctx.participant, ctx.nav, ctx.lang)


def _assessment(factor_id: str):
    return lambda ctx: AssessmentApp(ctx.standard, factor_id, ctx.store, ctx.participant, ctx.request.link(), ctx.lang, ctx.nav)


def _summary(ctx):
    from .summary import SummaryApp

    return SummaryApp(ctx.standard, ctx.store, ctx.participant, ctx.request, ctx.nav, ctx.lang)


def _knowledge(ctx):
    from .knowledge import KnowledgeApp

    return KnowledgeApp(ctx.questions, ctx.store, ctx.participant, ctx.nav, ctx.lang, post_opens=_post_opens(ctx))


def _post_opens(ctx, now: Callable[[], datetime] | None = None) -> Callable[[], str | None]:
    """The post-test opens once the participant has done the summary and plan, or from the time
    the day's agenda gives it (``--agenda``; Thai time), whichever comes first. The agenda is read
    once per page, when first needed (not at every answer)."""
    agenda_time: list = []

    def posttest_at():
        if not agenda_time:
            try:
                from .agenda import posttest_start

                agenda_time.append(posttest_start(_agenda_plan()))
            except Exception:  # no agenda to go by: progress alone decides
                log.exception("the agenda could not be read")
                agenda_time.append(None)
        return agenda_time[0]

    def opens() -> str | None:
        nav = ctx.nav
        if nav is not None and nav.states.get(SUMMARY_PAGE) == DONE:
            return None
        at = posttest_at()
        clock = (now or _thai_now)()
        if at is not None and clock.time() >= at:
            return None
        if at is None:
            return label("quiz_post_when_summary", ctx.lang)
        return label("quiz_post_when", ctx.lang, time=at.strftime("%H.%M" if ctx.lang != "en" else "%H:%M"))
    return opens


SUMMARY_PAGE = next(m.notebook for m in MODULES if m.kind == "summary")


def _thai_now() -> datetime:
    return datetime.now(timezone(timedelta(hours=7)))  # Asia/Bangkok has no daylight saving


def _basics(ctx):
    return StepApp(ctx.nav, "basics")


def _builder(m: Module) -> Callable:
    kinds = {"welcome": _welcome, "basics": _basics, "summary": _summary, "knowledge": _knowledge}
    return kinds.get(m.kind) or _assessment(m.factor)


def welcome_page(lang: str | None = None):
    """The welcome page: the join form, or (once joined) the personal link and every module."""
    return _page(_welcome, lang)


def assessment_page(factor_id: str, lang: str | None = None):
    """The self-assessment of one factor for whoever opened this page."""
    return _page(_assessment(factor_id), lang)


def summary_page(lang: str | None = None):
    """The four factor scores side by side, the gaps, the improvement plan and the downloads."""
    return _page(_summary, lang)


def basics_page(lang: str | None = None):
    """The background page (GECC and the Act): its content opens once the pre-test is done."""
    return _page(_basics, lang)


def knowledge_page(lang: str | None = None):
    """The knowledge check, before and after the session."""
    return _page(_knowledge, lang)


# --- one page for the day ------------------------------------------------------------------

def _all_widgets():
    try:
        from ipywidgets.widgets.widget import _instances
    except ImportError:  # pragma: no cover - older ipywidgets
        _instances = W.Widget.widgets
    return _instances


def _tree(root) -> set:
    """Every widget under ``root`` (children and widget-valued traits), ``root`` included."""
    seen: dict[int, W.Widget] = {}
    todo = [root]
    while todo:
        w = todo.pop()
        if not isinstance(w, W.Widget) or id(w) in seen:
            continue
        seen[id(w)] = w
        for name in w.keys:
            value = getattr(w, name, None)
            if isinstance(value, W.Widget):
                todo.append(value)
            elif isinstance(value, (list, tuple)):
                todo.extend(v for v in value if isinstance(v, W.Widget))
    return set(seen.values())


class JourneyApp:
    """One participant's page for the whole workshop day.

    Shows the module the link names (its notebook's Markdown around the module's app), and moves
    to another module in the same kernel when the participant follows a link to one: the page
    template sends the link's address to the hidden ``gecc-route`` text box (and puts it in the
    address bar) instead of loading a new page. A reload, a new tab or another device opens the
    same address as a page of its own. Only links to this participant's own pages move the page;
    the old module's widgets are closed, so a kernel holds one module at a time.

    In a ready (preheated) kernel, the page is built once the request has been handed over: the
    wait is an asyncio task after the cell has finished, so it can last an hour or a night.
    """

    def __init__(self, lang: str | None = None):
        self.lang = lang
        self.request = None
        self.route = W.Text(value="", layout=W.Layout(display="none"))
        self.route.add_class("gecc-route")
        self.route.observe(self._on_route, names="value")
        self.body = W.VBox()
        self.body.add_class("gecc-journey")
        self.widget = W.VBox([self.route, self.body])
        self.view = None
        self._created: set = set()
        self.task = None

    # --- start --------------------------------------------------------------------------------

    def start(self) -> "JourneyApp":
        """Build the page now, or (in a ready kernel) once its request has arrived."""
        if os.environ.get("VOILA_PREHEAT") == "True":
            waiting = W.HTML(f"<p class='gecc-message gecc-preparing'>{_esc(label('preparing_page', self.lang or 'th'))}</p>")
            self.body.children = [waiting]
            self._created = {waiting}
            # Paid now, while the kernel waits, not when the room joins or changes module together.
            for m in MODULES:
                module_content(m.notebook, os.environ.get("GECC_NOTEBOOKS"))
            self.task = asyncio.get_event_loop().create_task(self._after_handover())
        else:
            self.open(current_request(wait=False))
        return self

    async def _after_handover(self) -> None:
        if await await_request():
            self.open(request_from_environment(preheated=True))
        else:
            self._show(message("broken", self.lang or "th"))

    # --- moving between modules ---------------------------------------------------------------

    def open(self, request) -> None:
        """Show the module ``request`` names (the welcome page for any other page name)."""
        try:
            if request.page not in {m.notebook for m in MODULES}:  # the shell's own address: the welcome page
                url = request.page_url
                base = url.removesuffix(SHELL).rstrip("/") if url.endswith(SHELL) else url.rsplit("/", 1)[0]
                request = dataclasses.replace(request, page_url=f"{base}/{MODULES[0].notebook}")
            self.request = request
            m = module_of(request.page)
            before = set(_all_widgets())
            app = _page(_builder(m), self.lang, request=request, on_participant=self._joined)
            content = module_content(m.notebook, os.environ.get("GECC_NOTEBOOKS"))
            # Content that answers the pre-test shows only to a participant who has done it
            # (not to a page still asking to join, nor to one sent to the pre-test first).
            if _pre_test_first() and m.notebook in AFTER_PRE_TEST and not getattr(app, "opens_content", False):
                content = type(content)("", "")
            parts = []
            if content.before:
                parts.append(W.HTML(content.before))
            parts.append(getattr(app, "widget", app))
            if content.after:
                parts.append(W.HTML(content.after))
            if m.kind == "welcome":
                parts.append(W.HTML(agenda_block(request.lang if request.lang else "th")))
            view = W.VBox(parts)
            view.add_class("gecc-view")
            view.add_class("gecc-view-" + m.notebook.rsplit(".", 1)[0])
            created = {w for k, w in _all_widgets().items() if k not in before}
            self._show(view, created)
        except Exception:
            log.exception("the page could not be built")
            self._show(message("broken", (request.lang if request else None) or "th"))

    def _joined(self, request) -> None:
        self.request = request

    def _show(self, view, created: set | None = None) -> None:
        old = (_tree(self.view) if self.view is not None else set()) | self._created
        self.view, self._created = view, set(created or ())
        self.body.children = [view]
        shared = {id(w) for w in _SHARED.values()}
        keep = {id(w) for w in _tree(view)} | {id(w) for w in self._created} | shared
        for w in old:
            if id(w) not in keep:
                try:
                    w.close()
                except Exception:  # a widget already closed
                    pass

    def _on_route(self, change) -> None:
        address = (change.get("new") or "").split("#", 1)[0]
        if not address or self.request is None:
            return
        parts = urlsplit(address)
        page = parts.path.rsplit("/", 1)[-1]
        params = {k: v[0] for k, v in parse_qs(parts.query).items() if v}
        if page not in {m.notebook for m in MODULES}:
            return
        if params.get("w", "") != self.request.workshop_code or params.get("p", "") != self.request.token or not self.request.token:
            return  # only this participant's own pages move this page
        lang = "en" if params.get("l", "").lower() == "en" else "th"
        base = self.request.page_url.rsplit("/", 1)[0]
        self.lang = None
        self.open(dataclasses.replace(self.request, page_url=f"{base}/{page}", lang=lang))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def journey_page(lang: str | None = None) -> JourneyApp:
    """Every participant page of the workshop, on one page that moves between modules."""
    return JourneyApp(lang).start()
