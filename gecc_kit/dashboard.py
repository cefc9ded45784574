"""The facilitator's pages: the live dashboard and the table consensus view.

The dashboard opens only with the facilitator key, a table's consensus view also with that
table's own key (:mod:`gecc_kit.keys`): the server refuses the page otherwise
(:mod:`gecc_kit.voila_app`), and the page itself checks again. Figures come from :mod:`gecc_kit.room` (pure), read
from the store with one :meth:`~gecc_kit.store.Store.room` call per refresh.

- :class:`DashboardApp` refreshes itself every few seconds without a page reload
  (an asyncio task in the kernel re-reads the store and updates only the parts
  that changed). Big type for a projector or a Zoom screen share. Names in the
  heatmap are hidden until the facilitator ticks "show names".
- :class:`ConsensusApp` shows one table's members' answers side by side; the
  table's agreed answer and note are saved at once and scored like a participant's.

Text people typed (names, offices, tables, notes) is escaped, never rendered as HTML.
"""
from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qs, urlencode

import ipywidgets as W

from .criteria import Standard, factor as get_factor
from .keys import access, table_key
from .labels import label, pick
from .quiz import Question
from .reports import level_text
from .room import BINS, Overview, heatmap_rows, overview, participant_numbers
from .scoring import Answer, Status, score_all
from .session import Request, current_request, log, open_questions, open_standard, open_store
from .store import Store
from .widgets import _CSS, _esc, _html, illustrative_suffix, lean, message, notice_html

__all__ = ["DashboardApp", "ConsensusApp", "dashboard_page", "consensus_page", "REFRESH_SECONDS"]

REFRESH_SECONDS = 5.0
DASHBOARD_PAGE = "dashboard.ipynb"
CONSENSUS_PAGE = "consensus.ipynb"
_SYMBOL = {Status.MET: "✓", Status.PARTIAL: "◐", Status.NOT_YET: "✗", Status.NA: "–"}

_DASH_CSS = """
<style>
/* Read from the back of a 60-person room on a projector: nothing under 24 px. */
.gecc-dash { max-width: none !important; font-size: 24px; line-height: 1.4; }
.gecc-dash .widget-html, .gecc-dash .widget-html-content { font-size: 24px; line-height: 1.4; }
.gecc-dash .widget-checkbox label, .gecc-dash .widget-button { font-size: 24px; }
.gecc-dash .gecc-notice, .gecc-dash small, .gecc-dash .gecc-tag { font-size: 24px; }
.jp-RenderedHTMLCommon h1 { font-size: 44px; }
.gecc-howto, .gecc-howto summary { font-size: 24px; line-height: 1.4; }
.gecc-howto summary { cursor: pointer; color: #1f6feb; }
.gecc-dash h3 { font-size: 28px; margin: .3rem 0; }
.gecc-consensus-status .widget-toggle-button { font-size: 1.25rem !important; min-height: 3rem; min-width: 8rem; padding: .3rem .8rem; }
.gecc-dash h2 { font-size: 34px; margin: 1.2rem 0 .4rem; border-bottom: 2px solid #1f6feb; }
.gecc-dash-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: .4rem 1.5rem; }
.gecc-dash-head h1 { font-size: 44px; margin: 0; }
.gecc-dash-updated { font-size: 24px; color: #57606a; }
.gecc-dash-updated.gecc-error { color: #b42318; font-weight: 600; }
.gecc-dash-big { font-size: 96px; font-weight: 800; line-height: 1; color: #1f6feb; }
.gecc-dash-cols { display: flex; flex-wrap: wrap; gap: 1rem 2.5rem; }
.gecc-dash-cols > div { flex: 1 1 18rem; min-width: 0; }
.gecc-dash-factors-cols > div { flex: 1 1 calc(50% - 2.5rem); }
.gecc-dash table { border-collapse: collapse; }
.gecc-dash td, .gecc-dash th { padding: .2rem .6rem; border-bottom: 1px solid #d0d7de; text-align: left; vertical-align: top; }
.gecc-dash .gecc-num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.gecc-bar { display: inline-block; height: 1.4rem; background: #1f6feb; vertical-align: middle; border-radius: .2rem; }
.gecc-bar-done { background: #1a7f37; } .gecc-bar-started { background: #bf8700; } .gecc-bar-todo { background: #d0d7de; }
.gecc-dash-progress { width: 100%; }
.gecc-dash-progress td:nth-child(2) { width: 40%; }
.gecc-dash .gecc-num { white-space: nowrap !important; }
.gecc-stack { display: flex; width: 100%; height: 1.6rem; border-radius: .2rem; overflow: hidden; }
.gecc-dist { display: flex; align-items: flex-end; gap: .3rem; height: 9rem; width: 100%; }
.gecc-dist div { flex: 1 1 0; background: #1f6feb; color: #fff; font-size: 24px; text-align: center; min-height: 1.8rem; }
.gecc-dist-labels { display: flex; gap: .3rem; font-size: 24px; color: #57606a; width: 100%; }
.gecc-dist-labels span { flex: 1 1 0; text-align: center; }
.gecc-hidden { color: #57606a; font-style: italic; font-size: 24px; }
.gecc-heatmap { font-size: 24px; overflow-x: auto; max-width: 100%; }
.gecc-heatmap table { border-collapse: collapse; width: 100%; }
.gecc-heatmap td, .gecc-heatmap th { padding: 0 .15rem; border: 1px solid #fff; text-align: center; min-width: 2.2rem; }
.gecc-heatmap th.gecc-hm-person { writing-mode: vertical-rl; transform: rotate(180deg); max-height: 10rem; overflow: hidden; white-space: nowrap; }
.gecc-heatmap td.gecc-hm-criterion { text-align: left; white-space: nowrap; position: sticky; left: 0; background: #fff; }
.gecc-hm-met { background: #1a7f37; color: #fff; } .gecc-hm-partial { background: #f2cc60; }
.gecc-hm-not_yet { background: #cf222e; color: #fff; } .gecc-hm-na { background: #d0d7de; } .gecc-hm-none { background: #f6f8fa; }
.gecc-chip { display: inline-block; padding: 0 .45rem; margin: .1rem .2rem .1rem 0; border-radius: .8rem; font-size: 24px; border: 1px solid #d0d7de; }
.gecc-chip.gecc-hm-met, .gecc-chip.gecc-hm-not_yet { border-color: transparent; }
.gecc-consensus-row { border: 1px solid #d0d7de; border-radius: .5rem; padding: .5rem .8rem; margin: .5rem 0; width: 100%; }
.gecc-consensus-score { border: 2px solid #1f6feb; border-radius: .5rem; padding: .5rem .8rem; font-size: 24px; }
.gecc-dash .widget-toggle-button { font-size: 24px; height: auto; min-height: 2.8rem; }
.gecc-dash-export a { font-size: 24px; }
</style>
"""


def _query() -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(os.environ.get("QUERY_STRING", "")).items() if v}


def _table_link(request: Request, key: str, table: str, **extra) -> str:
    """A table's consensus link, with that table's own key (it opens nothing else)."""
    return _facilitator_link(request, table_key(key, request.workshop_code, table), CONSENSUS_PAGE, t=table, **extra)


def _facilitator_link(request: Request, key: str, page: str, **extra) -> str:
    base = request.page_url.rsplit("/", 1)[0]
    query = {"w": request.workshop_code, "key": key, **{k: v for k, v in extra.items() if v}}
    if request.lang == "en":
        query["l"] = "en"
    return f"{base}/{page}?{urlencode(query)}"


def _pct(value: float) -> str:
    return f"{value:.0f}%"


def _hidden(lang: str) -> str:
    return f"<p class='gecc-hidden'>{_esc(label('dash_hidden', lang))}</p>"


def _factor_name(fid: str, lang: str) -> str:
    f = get_factor(fid)
    return pick(f.name_th, f.name_en, lang)


def _criterion_text(standard: Standard, c, lang: str) -> str:
    tag = " <span class='gecc-tag gecc-tag-mandatory'>" + _esc(label("mandatory", lang)) + "</span>" if c.mandatory else ""
    return f"<b>{_esc(c.id)}</b> {_esc(pick(c.title_th, c.title_en, lang))}{tag}"


class Ticker:
    """Calls ``fn`` every ``seconds`` in the kernel's event loop, for as long as the kernel lives."""

    def __init__(self, fn: Callable[[], None], seconds: float):
        self.fn, self.seconds, self.task = fn, seconds, None
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            return
        self.task = loop.create_task(self._run())

    async def _run(self):
        while True:
            await asyncio.sleep(self.seconds)
            try:
                self.fn()
            except Exception:  # a refresh that fails is logged and tried again next time
                log.exception("periodic refresh failed")

    def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()


# --- the dashboard ------------------------------------------------------------------------


def attendance_html(ov: Overview, lang: str) -> str:
    def groups_html(groups, small: str) -> str:
        if not groups:
            return ""
        rows = []
        for g in groups:
            name = _esc(g.label) if not g.merged else _esc(label(small, lang, k=g.merged))
            n = str(g.n)  # attendance adds up to the number joined; small groups are only not named
            rows.append(f"<tr><td>{name}</td><td class='gecc-num'>{n}</td></tr>")
        return "<table>" + "".join(rows) + "</table>"

    return (
        "<div class='gecc-dash-cols gecc-dash-attendance'>"
        f"<div><div class='gecc-dash-big gecc-dash-joined'>{ov.joined}</div></div>"
        f"<div><h3>{_esc(label('dash_by_office', lang))}</h3>{groups_html(ov.by_office, 'dash_small_offices')}</div>"
        f"<div><h3>{_esc(label('dash_by_table', lang))}</h3>{groups_html(ov.by_table, 'dash_small_tables')}</div>"
        "</div>"
    )


def progress_html(ov: Overview, lang: str) -> str:
    if not ov.progress or ov.progress[0].hidden:
        return _hidden(lang)
    rows = []
    for mp in ov.progress:
        total = max(mp.done + mp.started + mp.todo, 1)
        bars = "".join(
            f"<span class='gecc-bar gecc-bar-{kind}' style='width:{100 * n / total:.1f}%'></span>"
            for kind, n in (("done", mp.done), ("started", mp.started), ("todo", mp.todo)) if n
        )
        title = pick(mp.module.title_th, mp.module.title_en, lang)
        rows.append(
            f"<tr class='gecc-dash-module' data-module='{_esc(mp.module.notebook)}'><td>{mp.module.number}. {_esc(title)}</td>"
            f"<td><div class='gecc-stack'>{bars}</div></td>"
            f"<td class='gecc-num'>{_esc(label('done', lang))} <b class='gecc-done'>{mp.done}</b></td>"
            f"<td class='gecc-num'>{_esc(label('started', lang))} <b class='gecc-started'>{mp.started}</b></td>"
            f"<td class='gecc-num'>{_esc(label('dash_todo', lang))} <b class='gecc-todo'>{mp.todo}</b></td></tr>"
        )
    return "<table class='gecc-dash-progress'>" + "".join(rows) + "</table>"


def factors_html(standard: Standard, ov: Overview, lang: str) -> str:
    blocks = []
    for fs in ov.factors:
        name = _esc(_factor_name(fs.factor, lang))
        if fs.hidden:
            blocks.append(f"<div class='gecc-dash-factor' data-factor='{fs.factor}'><h3>{name}</h3>{_hidden(lang)}</div>")
            continue
        top = max(max(fs.bins), 1)
        bars = "".join(f"<div style='height:{max(100 * n / top, 0):.0f}%' title='{n}'>{n or ''}</div>" for n in fs.bins)
        labels = "".join(f"<span>{lo}–{hi}</span>" for lo, hi in BINS)
        blocks.append(
            f"<div class='gecc-dash-factor' data-factor='{fs.factor}'><h3>{name}</h3>"
            f"<div><span class='gecc-dash-mean' data-mean='{fs.mean:.1f}'>{_esc(label('dash_mean_n', lang, mean=fs.mean, n=fs.n))}</span></div>"
            f"<div class='gecc-dist'>{bars}</div><div class='gecc-dist-labels'>{labels}</div></div>"
        )
    return "<div class='gecc-dash-cols gecc-dash-factors-cols'>" + "".join(blocks) + "</div>"


def criteria_list_html(standard: Standard, items, lang: str, kind: str) -> str:
    if not items:
        return f"<p class='gecc-hidden'>{_esc(label('dash_none_yet', lang))}</p>"
    rows = []
    for s in items:
        counts = " ".join(
            f"<span class='gecc-chip gecc-hm-{st.value}'>{_SYMBOL[st]} {s.counts[st.value]}</span>" for st in Status
        )
        rows.append(
            f"<tr class='gecc-dash-{kind}' data-criterion='{_esc(s.criterion.id)}'><td>{_criterion_text(standard, s.criterion, lang)}</td>"
            f"<td class='gecc-num'>{_pct(s.mean)}</td><td>{counts}</td></tr>"
        )
    return "<table>" + "".join(rows) + "</table>"


def knowledge_html(ov: Overview, lang: str) -> str:
    g = ov.gain

    def cell(value, n, fmt):
        return f"{fmt(value)} <small>(n={n})</small>" if value is not None else _esc(label("dash_hidden", lang))

    return (
        "<table class='gecc-dash-knowledge'>"
        f"<tr><td>{_esc(label('pre', lang))}</td><td class='gecc-num gecc-pre'>{cell(g.pre, g.n_pre, _pct)}</td></tr>"
        f"<tr><td>{_esc(label('post', lang))}</td><td class='gecc-num gecc-post'>{cell(g.post, g.n_post, _pct)}</td></tr>"
        f"<tr><td><b>{_esc(label('dash_gain', lang))}</b></td><td class='gecc-num gecc-gain'>"
        f"<b>{cell(g.gain, g.n_both, lambda v: _esc(label('dash_points', lang, v=v)))}</b></td></tr></table>"
    )


def tables_html(standard: Standard, ov: Overview, lang: str, link: Callable[[str], str]) -> str:
    if not ov.tables:
        return f"<p class='gecc-hidden'>{_esc(label('dash_no_tables', lang))}</p>"
    head = "".join(f"<th>{_esc(_factor_name(f.id, lang))}</th>" for f in standard.factors)
    rows = []
    for t in ov.tables:
        open_link = f"<a class='gecc-consensus-link' href='{_esc(link(t.table))}' target='_blank' rel='noopener'>{_esc(label('dash_open_consensus', lang))}</a>"
        if t.hidden:
            cells = f"<td colspan='{len(standard.factors) + 2}' class='gecc-hidden'>{_esc(label('dash_hidden', lang))}</td>"
        else:
            cells = "".join(
                f"<td class='gecc-num'>{_pct(t.scores[f.id].percent) if t.scores[f.id].applicable and t.answered else '–'}</td>"
                for f in standard.factors
            )
            overall = t.scores["overall"]
            cells += (f"<td class='gecc-num gecc-table-overall'><b>{_pct(overall.percent) if t.answered else '–'}</b></td>"
                      f"<td>{_esc(level_text(standard, overall, lang)) if t.answered else ''}</td>")
        members = _esc(label("dash_few", lang)) if t.hidden else str(t.members)
        answered = "–" if t.hidden else f"{t.answered}/{len(standard.criteria)}"
        rows.append(
            f"<tr class='gecc-dash-table' data-table='{_esc(t.table)}'><td>{_esc(t.table)}</td><td class='gecc-num'>{members}</td>"
            f"<td class='gecc-num'>{answered}</td>{cells}<td>{open_link}</td></tr>"
        )
    return (
        f"<table><tr><th>{_esc(label('your_table', lang))}</th><th>{_esc(label('dash_members', lang))}</th>"
        f"<th>{_esc(label('answered', lang))}</th>{head}<th>{_esc(label('overall', lang))}</th><th>{_esc(label('level', lang))}</th><th></th></tr>"
        + "".join(rows) + "</table>"
    )


def heatmap_html(standard: Standard, room, lang: str, names: bool) -> str:
    grid = heatmap_rows(standard, room.participants, room.answers)
    if grid is None:
        return _hidden(lang)
    shown, rows = grid
    number = participant_numbers(room.participants)  # P01…, as in the results workbook
    head = "".join(
        f"<th class='gecc-hm-person' title='{_esc(p.display_name) if names else number[p.id]}'>{_esc(p.display_name) if names else number[p.id]}</th>"
        for p in shown
    )
    body = []
    for c, statuses in rows:
        cells = "".join(
            f"<td class='gecc-hm-{s.value if s else 'none'}'>{_SYMBOL[s] if s else ''}</td>" for s in statuses
        )
        body.append(f"<tr><td class='gecc-hm-criterion' title='{_esc(pick(c.title_th, c.title_en, lang))}'>{_esc(c.id)}</td>{cells}</tr>")
    legend = " ".join(f"<span class='gecc-chip gecc-hm-{s.value}'>{_SYMBOL[s]} {_esc(pick(s.label_th, s.label_en, lang))}</span>" for s in Status)
    return f"<div class='gecc-heatmap'><p>{legend}</p><table><tr><th></th>{head}</tr>{''.join(body)}</table></div>"


class DashboardApp:
    """The facilitator's live view of one workshop (see the module docstring)."""

    def __init__(self, standard: Standard, store: Store, request: Request, key: str, questions: tuple[Question, ...],
                 lang: str = "th", interval: float | None = REFRESH_SECONDS):
        self.standard, self.store, self.request, self.key = standard, store, request, key
        self.questions, self.lang = questions, lang
        self.interval = interval
        self.overview: Overview | None = None
        self.room = None
        code = request.workshop_code
        self.updated = _html("", "gecc-dash-updated")
        self.sections = {
            name: _html("", f"gecc-dash-{name}")
            for name in ("attendance", "progress", "factors", "weakest", "disputed", "knowledge", "tables", "heatmap")
        }
        self.show_names = W.Checkbox(value=False, description=label("dash_show_names", lang), indent=False)
        self.show_names.add_class("gecc-show-names")
        self.show_names.observe(lambda change: self._draw_heatmap(), names="value")
        self.export_button = W.Button(description=label("dash_export", lang), icon="download", layout=W.Layout(width="auto"))
        self.export_button.add_class("gecc-dash-export-button")
        self.export_button.on_click(lambda _b: self.prepare_export())
        self.export_links = _html("", "gecc-dash-export")

        def h2(key: str) -> W.HTML:
            return _html(f"<h2>{_esc(label(key, lang))}</h2>")

        head = _html(
            # The page's title (H1) is the notebook's own heading, above its folded instructions.
            f"{_CSS}{_DASH_CSS}<div class='gecc-dash-head'>"
            f"<span class='gecc-dash-code'>{_esc(label('dash_workshop', lang, code=code))}</span></div>"
            + notice_html(standard, lang)
        )
        s = self.sections
        self.widget = W.VBox([
            head, self.updated,
            h2("dash_joined"), s["attendance"],
            h2("dash_progress"), s["progress"],
            _html(f"<h2>{_esc(label('dash_factors', lang) + illustrative_suffix(standard, lang))}</h2>"), s["factors"],
            h2("dash_weakest"), s["weakest"],
            h2("dash_disputed"), s["disputed"],
            h2("dash_knowledge"), s["knowledge"],
            _html(f"<h2>{_esc(label('dash_tables', lang) + illustrative_suffix(standard, lang))}</h2>"), s["tables"],
            h2("dash_heatmap"), self.show_names, s["heatmap"],
            W.HBox([self.export_button]), self.export_links,
        ])
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-dash")
        self.refresh()
        self.ticker = Ticker(self.refresh, interval) if interval else None

    def _set(self, name: str, value: str) -> None:
        widget = self.sections[name]
        if widget.value != value:  # only what changed goes to the browser
            widget.value = value

    def refresh(self) -> None:
        """Read the store again and redraw what changed; on failure keep the last figures and say so."""
        now = datetime.now().strftime("%H:%M:%S")
        try:
            self.room = self.store.room(self.request.workshop_code)
            self.overview = ov = overview(self.standard, self.room, self.questions)
        except Exception:
            log.exception("dashboard could not read the store")
            self.updated.value = _esc(label("dash_stale", self.lang, time=now))
            self.updated.add_class("gecc-error")
            return
        self.updated.remove_class("gecc-error")
        self.updated.value = _esc(label("dash_updated", self.lang, s=f"{self.interval or 0:g}", time=now))
        lang, standard = self.lang, self.standard
        self._set("attendance", attendance_html(ov, lang))
        self._set("progress", progress_html(ov, lang))
        self._set("factors", factors_html(standard, ov, lang))
        self._set("weakest", criteria_list_html(standard, ov.weakest, lang, "weakest"))
        self._set("disputed", criteria_list_html(standard, ov.disputed, lang, "disputed"))
        self._set("knowledge", knowledge_html(ov, lang))
        self._set("tables", tables_html(standard, ov, lang, self.consensus_link))
        self._draw_heatmap()

    def _draw_heatmap(self) -> None:
        if self.room is not None:
            self._set("heatmap", heatmap_html(self.standard, self.room, self.lang, self.show_names.value))

    def consensus_link(self, table: str) -> str:
        return _table_link(self.request, self.key, table)

    def prepare_export(self) -> None:
        """Build the workbooks from the store now and offer them as download links: every
        participant's answers (personal data, for the facilitator) and the summary without names
        (for executives)."""
        from .export import results_tables, results_xlsx, summary_tables
        from .reports import XLSX_MIME

        try:
            room = self.store.room(self.request.workshop_code)
            data = results_xlsx(results_tables(self.standard, room, self.questions))
            summary = results_xlsx(summary_tables(self.standard, room, self.questions))
        except Exception:
            log.exception("results export failed")
            self.export_links.value = f"<p class='gecc-saved gecc-error'>{_esc(label('broken', self.lang))}</p>"
            return
        stamp = datetime.now()
        name = f"gecc-results-{room.workshop.code}-{stamp:%Y%m%d-%H%M}.xlsx"
        summary_name = f"gecc-summary-{room.workshop.code}-{stamp:%Y%m%d-%H%M}.xlsx"
        self.export_links.value = (
            f"<p>{_esc(label('dash_export_ready', self.lang, time=stamp.strftime('%H:%M:%S')))}:</p><ul>"
            f"<li><a class='gecc-download-results' download='{_esc(name)}' href='data:{XLSX_MIME};base64,{base64.b64encode(data).decode()}'>"
            f"⬇ {_esc(name)}</a> · {_esc(label('dash_export_personal', self.lang))}</li>"
            f"<li><a class='gecc-download-summary' download='{_esc(summary_name)}' href='data:{XLSX_MIME};base64,{base64.b64encode(summary).decode()}'>"
            f"⬇ {_esc(summary_name)}</a> · {_esc(label('dash_export_summary', self.lang))}</li></ul>"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# --- table consensus ------------------------------------------------------------------------


class ConsensusRow:
    """One criterion: each member's answer, and the table's agreed status and note."""

    def __init__(self, app: "ConsensusApp", criterion, agreed: Answer | None):
        self.app, self.criterion = app, criterion
        lang = app.lang
        # The title, the members' answers and the "agreed" heading are one HTML model: a page of
        # rows stays small (see widgets.lean).
        self.head = _html("", "gecc-consensus-members")
        options = [(pick(s.label_th, s.label_en, lang), s.value) for s in Status]
        self.status = lean(W.ToggleButtons, options=options, value=agreed.status.value if agreed and agreed.status else None,
                           style={"button_width": "auto"})
        self.status.add_class("gecc-status")
        self.status.add_class("gecc-consensus-status")
        self.note = lean(W.Textarea, value=agreed.note if agreed else "", placeholder=label("consensus_note", lang),
                         continuous_update=True)
        self.note.add_class("gecc-note")
        self.note.add_class("gecc-consensus-note")
        self.saved = _html("", "gecc-saved")
        self._reverting = False
        self.status.observe(self._on_status, names="value")
        self.note.observe(self._on_note, names="value")
        self.widget = lean(W.VBox, children=[self.head, self.status, self.note, self.saved])
        self.widget.add_class("gecc-consensus-row")
        self.widget.add_class(f"gecc-consensus-{criterion.id}")

    def draw_members(self, members, answers) -> None:
        lang = self.app.lang
        chips = []
        statuses = set()
        for p in members:
            a = answers.get(p.id, {}).get(self.criterion.id)
            s = a.status if a else None
            statuses.add(s)
            text = pick(s.label_th, s.label_en, lang) if s else label("unanswered", lang)
            chips.append(f"<span class='gecc-chip gecc-hm-{s.value if s else 'none'}'>{_esc(p.display_name)}: {_esc(text)}</span>")
        same = f" <small>({_esc(label('consensus_all_same', lang))})</small>" if len(members) > 1 and len(statuses) == 1 and None not in statuses else ""
        value = (f"<div class='gecc-criterion-title'>{_criterion_text(self.app.standard, self.criterion, lang)}</div>"
                 f"<div class='gecc-consensus-chips'>{''.join(chips)}{same}</div>"
                 f"<b>{_esc(label('consensus_agreed', lang))}</b>")
        if self.head.value != value:
            self.head.value = value
        self._prefill(members, statuses)

    def _prefill(self, members, statuses) -> None:
        """Everyone at the table gave the same answer and the table has agreed nothing yet: that
        answer becomes the table's (saved, and said on the row), so the table talks only about the
        criteria where it differs. The table can still change it."""
        agreed = self.app.agreed.get(self.criterion.id)
        if len(members) < 2 or len(statuses) != 1 or None in statuses or (agreed and agreed.status) or self.status.value:
            return
        (status,) = statuses
        self.status.value = status.value  # saved by _on_status, like a click
        if self.app.agreed.get(self.criterion.id) and self.app.agreed[self.criterion.id].status is status:
            self.saved.value = "✓ " + _esc(label("consensus_prefilled", self.app.lang))

    def _on_status(self, change) -> None:
        if self._reverting:
            return
        if self.app.save(self, status=change["new"]):
            self.app.update_score()
        else:
            self._reverting = True
            try:
                stored = self.app.stored(self.criterion.id)
                self.status.value = stored.status.value if stored and stored.status else None
            finally:
                self._reverting = False

    def _on_note(self, change) -> None:
        self.app.save(self, note=change["new"])


class ConsensusApp:
    """One table's consensus round, one factor at a time (see the module docstring).

    A table talks a factor through, then moves to the next with the links at the top; the score
    box counts every factor's agreed answers, from the store.
    """

    def __init__(self, standard: Standard, store: Store, request: Request, key: str, table: str, lang: str = "th",
                 interval: float | None = 10.0, factor_id: str | None = None, table_only: bool = False):
        # ``key`` is the facilitator key, or with ``table_only`` this table's key (no way back to the list)
        self.standard, self.store, self.request, self.key, self.table, self.lang = standard, store, request, key, table, lang
        factor_ids = [f.id for f in standard.factors]
        self.factor_id = factor_id if factor_id in factor_ids else factor_ids[0]
        code = request.workshop_code
        self.agreed = store.consensus(code, table)
        self.score = _html("", "gecc-consensus-score")
        self.refresh_button = W.Button(description=label("consensus_refresh", lang), icon="refresh", layout=W.Layout(width="auto"))
        self.refresh_button.add_class("gecc-consensus-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh_members())
        self.rows = {c.id: ConsensusRow(self, c, self.agreed.get(c.id)) for c in standard.for_factor(self.factor_id)}
        self.member_list = _html("", "gecc-consensus-member-list")
        back = "" if table_only else (
            f"<p><a class='gecc-consensus-back' href='{_esc(_facilitator_link(request, key, CONSENSUS_PAGE))}'>"
            f"← {_esc(label('consensus_back', lang))}</a></p>")
        tabs = " · ".join(
            f"<b class='gecc-consensus-factor-here'>{_esc(pick(f.name_th, f.name_en, lang))}</b>" if f.id == self.factor_id else
            f"<a class='gecc-consensus-factor-link' href='{_esc(_facilitator_link(request, key, CONSENSUS_PAGE, t=table, f=f.id))}'>"
            f"{_esc(pick(f.name_th, f.name_en, lang))}</a>"
            for f in standard.factors
        )
        here = get_factor(self.factor_id)
        parts = [
            _html(f"{_CSS}{_DASH_CSS}<h2>{_esc(label('consensus_title', lang))}: {_esc(table)}</h2>"
                  f"{back}"
                  + notice_html(standard, lang) + f"<p>{_esc(label('consensus_intro', lang))}</p>"
                  f"<p class='gecc-consensus-factors'>{tabs}</p>"),
            self.member_list, self.score, self.refresh_button,
            _html(f"<h2>{_esc(pick(here.name_th, here.name_en, lang))}</h2>"),
            *(row.widget for row in self.rows.values()),
        ]
        self.widget = W.VBox(parts)
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-dash")
        self.widget.add_class("gecc-consensus")
        self.refresh_members()
        self.update_score()
        self.ticker = Ticker(self.refresh_members, interval) if interval else None

    def stored(self, criterion_id: str) -> Answer | None:
        try:
            return self.store.consensus(self.request.workshop_code, self.table).get(criterion_id)
        except Exception:
            log.exception("could not read the consensus")
            return None

    def save(self, row: ConsensusRow, **fields) -> bool:
        try:
            self.store.save_consensus(self.request.workshop_code, self.table, row.criterion.id, **fields)
        except Exception:
            log.exception("consensus not saved")
            row.saved.value = _esc(label("save_failed", self.lang))
            row.saved.add_class("gecc-error")
            return False
        row.saved.remove_class("gecc-error")
        row.saved.value = "✓ " + _esc(label("saved", self.lang))
        current = self.agreed.get(row.criterion.id) or Answer(row.criterion.id)
        if "status" in fields:
            current = Answer(row.criterion.id, Status(fields["status"]) if fields["status"] else None, current.note)
        if "note" in fields:
            current = Answer(row.criterion.id, current.status, fields["note"] or "")
        self.agreed = {**self.agreed, row.criterion.id: current}
        return True

    def refresh_members(self) -> None:
        room = self.store.room(self.request.workshop_code)
        members = [p for p in room.participants if (p.table_label or "").strip() == self.table]
        names = ", ".join(_esc(p.display_name) for p in members) or _esc(label("consensus_no_members", self.lang))
        value = f"<p><b>{_esc(label('dash_members', self.lang))} ({len(members)}):</b> {names}</p>"
        if self.member_list.value != value:
            self.member_list.value = value
        for row in self.rows.values():
            row.draw_members(members, room.answers)

    def update_score(self) -> None:
        scores = score_all(self.standard, self.agreed)
        cells = "".join(
            f"<td>{_esc(_factor_name(f.id, self.lang))}</td><td class='gecc-num' data-factor='{f.id}'>{_pct(scores[f.id].percent)}</td>"
            for f in self.standard.factors
        )
        overall = scores["overall"]
        self.score.value = (
            f"<table><tr>{cells}</tr></table><p><b>{_esc(label('overall', self.lang))}: "
            f"<span class='gecc-consensus-overall'>{_pct(overall.percent)}</span></b> · {_esc(level_text(self.standard, overall, self.lang))}"
            f" · {_esc(label('answered_of', self.lang, answered=overall.answered, total=overall.total))}</p>"
        )

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class TablePicker:
    """The consensus page without a table: every table with its members, each a link."""

    def __init__(self, store: Store, request: Request, key: str, lang: str):
        room = store.room(request.workshop_code)
        members: dict[str, int] = {}
        for p in room.participants:
            t = (p.table_label or "").strip()
            if t:
                members[t] = members.get(t, 0) + 1
        for t in room.consensus:
            members.setdefault(t, 0)
        items = "".join(
            f"<li><a class='gecc-consensus-table-link' href='{_esc(_table_link(request, key, t))}'>{_esc(t)}</a>"
            f" ({n})</li>" for t, n in sorted(members.items())
        ) or f"<li>{_esc(label('dash_no_tables', lang))}</li>"
        self.widget = _html(f"{_CSS}{_DASH_CSS}<h2>{_esc(label('consensus_pick_table', lang))}</h2><ul>{items}</ul>", "gecc-app", "gecc-dash")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


# --- the pages --------------------------------------------------------------------------------


def _facilitator_page(build: Callable, table_keys: bool = False):
    """A facilitator page for the facilitator key (or, with ``table_keys``, a table's own key)."""
    lang = "th"
    try:
        request = current_request()
        lang = request.lang
        query = _query()
        key = query.get("key", "")
        opens = access(key, request.workshop_code, (query.get("t") or "").strip())
        if opens is None or (opens == "table" and not table_keys):
            return message("facilitator_only", lang)
        query = {**query, "access": opens}
        if not request.workshop_code:
            return message("no_workshop", lang)
        store = open_store()
        from .errors import UnknownWorkshop

        try:
            store.workshop(request.workshop_code)
        except UnknownWorkshop:
            return message("unknown_workshop", lang)
        return build(open_standard(), store, request, key, query, lang)
    except Exception:
        log.exception("facilitator page could not be built")
        return message("broken", lang)


def dashboard_page(interval: float | None = REFRESH_SECONDS):
    """The live dashboard (``notebooks/facilitator/dashboard.ipynb``)."""

    def build(standard, store, request, key, query, lang):
        try:
            questions = open_questions()
        except Exception:
            log.exception("the knowledge-check questions could not be read")
            questions = ()
        return DashboardApp(standard, store, request, key, questions, lang, interval)

    return _facilitator_page(build)


def consensus_page(interval: float | None = 10.0):
    """The consensus view (``notebooks/facilitator/consensus.ipynb``): pick a table, then agree."""

    def build(standard, store, request, key, query, lang):
        table = (query.get("t") or "").strip()
        if not table:
            return TablePicker(store, request, key, lang)
        return ConsensusApp(standard, store, request, key, table, lang, interval, factor_id=(query.get("f") or "").strip() or None,
                            table_only=query["access"] == "table")

    return _facilitator_page(build, table_keys=True)
