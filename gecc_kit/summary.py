"""The summary page: four factor scores side by side, the gaps, the improvement plan, downloads.

:class:`SummaryApp` is a thin view: scores come from :mod:`gecc_kit.scoring`,
the plan is saved through the store field by field as it is typed, and the
files come from :mod:`gecc_kit.reports`, built from what the store holds.
"""
from __future__ import annotations

import base64
import time
from datetime import date, datetime

import ipywidgets as W

from .criteria import Standard, factor as get_factor
from .errors import StoreError
from .journey import MODULES
from .labels import label, pick
from .plan import MAX_FIELD, PlanItem, thai_date
from .scoring import Answer, score_all
from .session import Request, log
from .store import Participant, Store
from .widgets import _CSS, Nav, _esc, _html, illustrative_suffix, lean, notice_html

__all__ = ["SummaryApp", "PlanRow"]


DUE_YEARS_AHEAD = 20  # a plan's due date lies between last year and this many years ahead


def due_problem(value: date | None, today: date | None = None) -> str | None:
    """The label of what is wrong with a due date (``plan_due_be``, ``plan_due_range``), or None."""
    if value is None:
        return None
    today = today or date.today()
    if value.year > 2400:
        return "plan_due_be"
    if not today.year - 1 <= value.year <= today.year + DUE_YEARS_AHEAD:
        return "plan_due_range"
    return None


class PlanRow:
    """One gap in the plan editor: a checkbox, and the four fields once it is chosen."""

    def __init__(self, app: "SummaryApp", criterion_id: str, answer: Answer | None, item: PlanItem | None, number: int = 0):
        self.app, self.criterion_id, self.item = app, criterion_id, item or PlanItem(criterion_id, chosen=False)
        self._reverting = False
        lang = app.lang
        c = app.standard.criterion(criterion_id)
        f = get_factor(c.factor)
        status = answer.status if answer else None
        if status is None or status.value == "na":
            state = label("unanswered", lang) if status is None else pick(status.label_th, status.label_en, lang)
        elif status.value == "met":
            state = label("plan_now_met", lang)
        else:
            state = pick(status.label_th, status.label_en, lang)
        mandatory = f"<span class='gecc-tag gecc-tag-mandatory'>{_esc(label('mandatory', lang))}</span>" if c.mandatory else ""
        self.title = _html(
            f"<div class='gecc-criterion-title'>{f'{number}. ' if number else ''}{mandatory}{_esc(c.id)} {_esc(pick(c.title_th, c.title_en, lang))}</div>"
            f"<div><i>{_esc(pick(f.name_th, f.name_en, lang))} · {_esc(state)}</i></div>"
        )
        self.choose = lean(W.Checkbox, width=None, value=self.item.chosen, description=label("plan_choose", lang), indent=False)
        self.choose.add_class("gecc-plan-choose")
        self.choose.add_class(f"gecc-plan-choose-{criterion_id}")
        self.choose.observe(self._on_choose, names="value")
        self.fields = W.VBox([])  # its own layout: shown and hidden
        self.widgets: dict[str, W.Widget] = {}
        self.due_text = _html("", "gecc-plan-due-th")
        self.widget = lean(W.VBox, children=[self.title, self.choose, self.fields])
        self.widget.add_class("gecc-plan-row")
        self.widget.add_class(f"gecc-plan-row-{criterion_id}")
        if self.item.chosen:
            self._show_fields()

    def _show_fields(self) -> None:
        lang = self.app.lang
        if not self.widgets:  # built the first time the gap is chosen: fewer widgets on a phone
            item = self.item
            # Each field carries its label as its description (stacked above it by the CSS), not as a
            # separate HTML widget: a plan of many gaps stays a page of few models (see widgets.lean).
            stacked = {"description_width": "initial"}
            self.widgets = {
                "action": lean(W.Textarea, value=item.action, description=label("plan_action", lang), style=stacked,
                               placeholder=label("plan_action", lang), continuous_update=True),
                "owner": lean(W.Text, value=item.owner, description=label("plan_owner", lang), style=stacked,
                              placeholder=label("plan_owner", lang), continuous_update=True),
                "due": lean(W.DatePicker, value=item.due, description=label("plan_due", lang), style=stacked),
                "indicator": lean(W.Text, value=item.indicator, description=label("plan_indicator", lang), style=stacked,
                                  placeholder=label("plan_indicator", lang), continuous_update=True),
            }
            children = []
            for key, w in self.widgets.items():
                w.add_class(f"gecc-plan-{key}")
                w.add_class(f"gecc-plan-{key}-{self.criterion_id}")
                if key != "due":
                    w.add_class(f"gecc-limit-{MAX_FIELD}")  # the page counts the characters (saving.js)
                w.observe(lambda change, key=key: self._on_field(key, change["new"]), names="value")
                children.append(w)
                if key == "due":
                    children.append(self.due_text)
            self._show_due(item.due)
            self.fields.children = children
        self.fields.layout.display = None

    def _show_due(self, due: date | None) -> None:
        self.due_text.value = f"<span class='gecc-due-be'>{_esc(thai_date(due, self.app.lang))}</span>" if due else ""

    def _on_choose(self, change) -> None:
        if self._reverting:
            return
        chosen = bool(change["new"])
        if not self.app.save(self.criterion_id, chosen=chosen):
            self._revert(self.choose, self.item.chosen)  # the screen shows what the store holds
            return
        self.item = PlanItem(**{**self.item.__dict__, "chosen": chosen})
        if chosen:
            self._show_fields()
        else:
            self.fields.layout.display = "none"  # what was written stays saved, only hidden

    def _on_field(self, key: str, value) -> None:
        if self._reverting:
            return
        if key == "due":
            problem = due_problem(value)
            if problem:
                # A Thai user may pick the Buddhist-era year (the date box is Gregorian), or a
                # typed year may run on (60501): say so and keep what the store holds.
                self.due_text.value = f"<span class='gecc-error gecc-due-warning' role='alert'>⚠ {_esc(label(problem, self.app.lang))}</span>"
                self._revert(self.widgets["due"], self.item.due)
                return
            self._show_due(value)
        if self.app.save(self.criterion_id, **{key: value}):
            self.item = PlanItem(**{**self.item.__dict__, key: value})
            if "gecc-save-failed" in self.widget._dom_classes:
                self.widget.remove_class("gecc-save-failed")
            return
        self.widget.add_class("gecc-save-failed")  # the page marks the row "not saved" (saving.js)
        if key == "due":
            self._revert(self.widgets["due"], self.item.due)
            self._show_due(self.item.due)
        # Text that fails to save stays on screen (nothing typed is thrown away); the next keystroke retries.

    def _revert(self, widget, value) -> None:
        self._reverting = True
        try:
            widget.value = value
        finally:
            self._reverting = False


class SummaryApp:
    """One participant's results across the four factors, with the plan and downloads.

    Parameters
    ----------
    standard, store, participant
        The criteria, where answers and the plan are saved, and whose they are.
    request
        The page's request (for links to the modules).
    nav
        The navigation bar, refreshed when the plan changes.
    """

    opens_content = True  # its page shows the notebook's teaching content

    def __init__(self, standard: Standard, store: Store, participant: Participant, request: Request, nav: Nav | None = None, lang: str = "th"):
        self.standard, self.store, self.participant, self.request, self.nav, self.lang = standard, store, participant, request, nav, lang
        self.answers = store.answers(participant.id)
        self.plan = store.plan(participant.id)
        self.scores = score_all(standard, self.answers)
        self.saved = _html("", "gecc-saved")
        header = _html(
            f"{_CSS}{notice_html(standard, lang)}"
            f"<p>{_esc(label('hello', lang))} <b class='gecc-participant-name'>{_esc(participant.display_name)}</b></p>"
        )
        self.scores_html = _html(self._scores_html(), "gecc-summary-scores")
        self.rows = self._create_plan_rows()
        plan_intro = _html(
            f"<h3 data-gecc-exercise>{_esc(label('gaps_and_plan', lang))}</h3>"
            + (f"<p>{_esc(label('plan_intro', lang))}</p>" if self.rows else f"<p class='gecc-plan-empty'>{_esc(label('plan_no_gaps', lang))}</p>")
        )
        self._prepared_at = -1e9
        self.download_button = W.Button(description=label("prepare_downloads", lang), button_style="primary", icon="")
        self.download_button.add_class("gecc-prepare-downloads")
        self.download_button.on_click(lambda _b: self.prepare_downloads())
        self.downloads = _html("", "gecc-downloads")
        downloads_title = _html(f"<h3>{_esc(label('downloads', lang))}</h3>")
        children = [header, self.scores_html, plan_intro, *[r.widget for r in self.rows], self.saved, downloads_title, self.download_button, self.downloads]
        if nav is not None:
            children.insert(0, nav.widget)
        self.widget = W.VBox(children)
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-summary")

    # --- building ----------------------------------------------------------------------

    def _scores_html(self) -> str:
        from .reports import level_text, score_chart_html

        lang, standard, scores = self.lang, self.standard, self.scores
        overall = scores["overall"]
        rows = []
        for f in standard.factors:
            s = scores[f.id]
            shown = f"{s.percent:.1f}%" if s.applicable else "—"
            rows.append(
                f"<tr class='gecc-factor-score' data-factor='{f.id}' data-percent='{s.percent:.1f}'>"
                f"<td>{_esc(pick(f.name_th, f.name_en, lang))}</td><td class='gecc-percent'>{shown}</td>"
                f"<td><span class='gecc-factor-level'>{_esc(level_text(standard, s, lang))}</span>"
                f"<br><small>{_esc(label('answered_of', lang, answered=s.answered, total=s.total))}</small></td></tr>"
            )
        overall_shown = f"{overall.percent:.1f}%" if overall.applicable else "—"
        missing = overall.counts["unanswered"]
        hint = ""
        if missing:
            links = []
            for m in MODULES:
                if m.kind == "factor" and scores[m.factor].counts["unanswered"]:
                    links.append(f"<a href='{_esc(self.request.link(page=m.notebook))}'>{_esc(pick(m.title_th, m.title_en, lang))}</a>")
            hint = f"<p class='gecc-unanswered-hint'>⚠ {_esc(label('unanswered_hint', lang, n=missing))}: {' · '.join(links)}</p>"
        unmet = ""
        if overall.mandatory_unmet:
            unmet = f"<p class='gecc-mandatory-unmet'>{_esc(label('mandatory_unmet', lang))}: {', '.join(_esc(c.id) for c in overall.mandatory_unmet)}</p>"
        return (
            f"<h3>{_esc(label('summary_scores', lang) + illustrative_suffix(standard, lang))}</h3>{score_chart_html(standard, scores, lang)}"
            f"<table class='gecc-score-table'>{''.join(rows)}"
            f"<tr class='gecc-factor-score' data-factor='overall' data-percent='{overall.percent:.1f}'><th>{_esc(label('overall', lang))}</th>"
            f"<th class='gecc-percent'>{overall_shown}</th><th><span class='gecc-overall-level'>{_esc(level_text(standard, overall, lang))}</span>"
            f"<br><small>{_esc(label('answered_of', lang, answered=overall.answered, total=overall.total))}</small></th></tr></table>"
            f"{unmet}{hint}"
        )

    def _create_plan_rows(self) -> list[PlanRow]:
        """A row for every answered gap (most important first), then chosen items that are no longer gaps.

        The rows are the ordered gap list and the plan at once: a gap is put
        in the plan where it is listed.
        """
        overall = self.scores["overall"]
        ids = [g.criterion.id for g in overall.gaps if g.status is not None]
        ids += [cid for cid, item in self.plan.items() if item.chosen and cid not in ids and cid in self.standard]
        return [PlanRow(self, cid, self.answers.get(cid), self.plan.get(cid), n) for n, cid in enumerate(ids, start=1)]

    # --- events ------------------------------------------------------------------------

    def save(self, criterion_id: str, **fields) -> bool:
        """Save plan fields now; on failure say so and keep what is on screen."""
        try:
            self.store.save_plan_item(self.participant.id, criterion_id, **fields)
        except StoreError as exc:
            too_long = any(isinstance(v, str) and len(v) > MAX_FIELD for v in fields.values())
            if not too_long:
                log.exception("saving the plan for %s failed: %s", criterion_id, exc)
            self._say("plan_too_long" if too_long else "plan_failed", error=True)
            return False
        except Exception:
            log.exception("saving the plan for %s failed", criterion_id)
            self._say("plan_failed", error=True)
            return False
        self._say("saved")
        if self.nav is not None and ("chosen" in fields or "action" in fields):
            self.nav.refresh()
        return True

    def _say(self, key: str, error: bool = False) -> None:
        if error:
            self.saved.add_class("gecc-error")
            self.saved.value = f"<span role='alert'>⚠ {_esc(label(key, self.lang))}</span>"
        else:
            self.saved.remove_class("gecc-error")
            self.saved.value = f"✓ {_esc(label(key, self.lang))} {datetime.now():%H:%M:%S}"

    def report_data(self):
        """What the store holds now, as the reports need it."""
        from .reports import ReportData

        p = self.participant
        return ReportData(self.standard, p.display_name, p.office, p.table_label, self.store.answers(p.id), self.store.plan(p.id))

    PREPARE_EVERY = 10.0  # seconds: clicks sent again sooner (or replayed) reuse the files just made

    def prepare_downloads(self) -> None:
        """Build "my report" and "my plan" from the store and offer them as download links."""
        now = time.monotonic()
        if now - self._prepared_at < self.PREPARE_EVERY:
            return  # one page queues one set of files at a time: the links on screen are fresh
        self._prepared_at = now
        self.downloads.value = f"<p class='gecc-preparing'>{_esc(label('preparing', self.lang))}</p>"
        self.download_button.disabled = True  # one click at a time: printing takes a second or so
        try:
            self._build_downloads()
        finally:
            self.download_button.disabled = False
            self._prepared_at = time.monotonic()

    def _build_downloads(self) -> None:
        from .reports import XLSX_MIME, plan_xlsx, report_html

        lang = self.lang
        try:
            data = self.report_data()
            report = report_html(data, lang).encode("utf-8")
            plan = plan_xlsx(data, lang)
        except Exception:
            log.exception("building the downloads failed")
            self.downloads.value = f"<p class='gecc-error' role='alert'>{_esc(label('broken', lang))}</p>"
            return
        # Data links: the files need no second request, so they download offline and from any page.
        # The focus goes to "the files are ready" (data-gecc-focus, the page script), the links right after it.
        self.downloads.value = (
            f"<p class='gecc-downloads-ready' tabindex='-1' data-gecc-focus>{_esc(label('downloads_ready', lang, time=f'{datetime.now():%H:%M:%S}'))}</p>"
            f"<a class='gecc-download-report' download='gecc-my-report.html' "
            f"href='data:text/html;charset=utf-8;base64,{base64.b64encode(report).decode()}'>⬇ {_esc(label('my_report', lang))}</a>"
            f"<a class='gecc-download-plan' download='gecc-my-plan.xlsx' "
            f"href='data:{XLSX_MIME};base64,{base64.b64encode(plan).decode()}'>⬇ {_esc(label('my_plan', lang))}</a>"
            + self._report_pdf_link(report)
        )

    def _report_pdf_link(self, report: bytes) -> str:
        """"My report" as an A4 PDF, printed by the server's browser; a Thai hint when there is none."""
        import tempfile
        from pathlib import Path

        from .printing import PrintBusy, print_pdf

        lang = self.lang
        try:
            with tempfile.TemporaryDirectory(prefix="gecc-report-") as folder:
                html = Path(folder) / "report.html"
                html.write_bytes(report)
                pdf = print_pdf(html, Path(folder) / "report.pdf").read_bytes()
        except PrintBusy:
            return f"<p class='gecc-pdf-unavailable gecc-pdf-busy'>{_esc(label('pdf_busy', lang))}</p>"
        except Exception:
            log.exception("my report could not be printed to PDF")
            return f"<p class='gecc-pdf-unavailable'>{_esc(label('pdf_unavailable', lang))}</p>"
        return (f"<a class='gecc-download-report-pdf' download='gecc-my-report.pdf' "
                f"href='data:application/pdf;base64,{base64.b64encode(pdf).decode()}'>⬇ {_esc(label('my_report_pdf', lang))}</a>")

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
