"""A participant's results as files: the score chart, "my report" (HTML) and "my plan" (XLSX).

Everything here is built from plain data (the standard, the answers, the
plan), so the summary page, the handouts and the facilitator's export share
it. Participant text is escaped in HTML (Jinja2 autoescape) and written
verbatim as cell values in the workbook, never as formulas.
This module imports no widgets and no storage.
"""
from __future__ import annotations

import html
import io
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime
from pathlib import Path

from .criteria import Standard, factor as get_factor
from .labels import label, pick
from .plan import PlanItem, thai_date
from .scoring import Answer, Score, score_all

__all__ = ["ReportData", "score_chart_svg", "report_html", "plan_xlsx", "level_text", "XLSX_MIME", "print_css", "css_string", "jinja_env", "KIT_TITLE"]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATES = Path(__file__).resolve().parent / "templates"
KIT_TITLE = ("ชุดฝึกอบรมมาตรฐานศูนย์ราชการสะดวก (GECC)", "GECC workshop kit")


@lru_cache(maxsize=1)
def jinja_env():
    """The kit's Jinja2 templates (``gecc_kit/templates``), HTML autoescaped."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape  # only pages that make files pay for it

    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: quoted, with backslashes, quotes, ``<`` and every control
    character (CSS ends a string at a CR or form feed too) written as escapes."""
    out = []
    for ch in text:
        if ch in '\\"<' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):X} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def print_css(standard: Standard | None, lang: str = "th") -> str:
    """The A4 print CSS (``templates/print.css.j2``): Thai fonts and word breaks, a running header
    with the kit's title and, for illustrative criteria, one short fixed line saying so (the
    criteria file's full notice is printed in the body: a long one would not fit the margin)."""
    notice = label("illustrative_header", lang) if standard is not None and standard.illustrative else ""
    return jinja_env().get_template("print.css.j2").render(
        header_left=css_string(pick(*KIT_TITLE, lang)),
        header_right=css_string(notice),
        page_label=css_string(label("ws_page", lang) + " "),
    )


@dataclass(frozen=True)
class ReportData:
    """What a personal report shows: who, the standard, their answers and plan."""

    standard: Standard
    display_name: str
    office: str
    table_label: str
    answers: Mapping[str, Answer]
    plan: Mapping[str, PlanItem]
    made: date | None = None  # the report's date (today by default)

    @property
    def scores(self) -> dict[str, Score]:
        return score_all(self.standard, self.answers)

    def chosen_plan(self) -> list[PlanItem]:
        """Plan items still in the plan, in the order of the criteria file."""
        order = {c.id: i for i, c in enumerate(self.standard.criteria)}
        items = [p for p in self.plan.values() if p.chosen and p.criterion_id in order]
        return sorted(items, key=lambda p: order[p.criterion_id])


def level_text(standard: Standard, s: Score, lang: str = "th") -> str:
    """The level a score reaches, in words ("below Basic" when none)."""
    if s.level:
        return pick(s.level.name_th, s.level.name_en, lang)
    if not s.applicable:
        return label("nothing_applicable", lang)
    first = standard.levels[0]
    return label("no_level", lang).format(first=pick(first.name_th, first.name_en, lang))


def score_chart_svg(standard: Standard, scores: Mapping[str, Score], lang: str = "th") -> str:
    """A horizontal bar chart of the four factors and the overall score, as inline SVG.

    Labels are text in the page's font (Thai shapes correctly), level
    thresholds are dashed lines named in a legend under the chart, and each
    bar carries ``data-percent``.
    """
    rows = [(pick(f.name_th, f.name_en, lang), scores[f.id]) for f in standard.factors]
    rows.append((label("overall", lang), scores["overall"]))
    left, width, bar_h, gap, top = 125, 300, 28, 12, 26
    height = top + len(rows) * (bar_h + gap) + 10
    parts = [
        f"<svg class='gecc-chart' role='img' aria-label='{html.escape(label('summary_scores', lang))}' "
        f"viewBox='0 0 {left + width + 70} {height}' width='100%' style='max-width:36rem' xmlns='http://www.w3.org/2000/svg' "
        "font-family='inherit' font-size='16'>"
    ]
    for lv in standard.levels:
        x = left + width * lv.min_percent / 100
        parts.append(f"<line x1='{x:.1f}' y1='{top - 6}' x2='{x:.1f}' y2='{height - 8}' stroke='#9a6700' stroke-dasharray='4 3'/>")
        parts.append(f"<text x='{x:.1f}' y='{top - 10}' text-anchor='middle' font-size='12' fill='#7a4b00'>{lv.min_percent:g}</text>")
    for i, (name, s) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = width * s.percent / 100 if s.applicable else 0
        overall = i == len(rows) - 1
        color = "#0b4fa3" if overall else "#1f6feb"
        shown = f"{s.percent:.1f}%" if s.applicable else "—"
        weight = " font-weight='700'" if overall else ""
        parts.append(f"<text x='{left - 8}' y='{y + bar_h * 0.7:.1f}' text-anchor='end'{weight}>{html.escape(name)}</text>")
        parts.append(f"<rect x='{left}' y='{y}' width='{width}' height='{bar_h}' fill='#eef2f7'/>")
        parts.append(f"<rect class='gecc-bar' data-scope='{html.escape(s.scope)}' data-percent='{s.percent:.1f}' x='{left}' y='{y}' width='{w:.1f}' height='{bar_h}' fill='{color}'/>")
        parts.append(f"<text x='{left + width + 6}' y='{y + bar_h * 0.7:.1f}'>{shown}</text>")
    parts.append("</svg>")
    legend = " · ".join(f"{html.escape(pick(lv.name_th, lv.name_en, lang))} {lv.min_percent:g}%" for lv in standard.levels)
    suffix = label("illustrative_suffix", lang) if standard.illustrative else ""
    parts.append(f"<div class='gecc-chart-legend'>┆ {html.escape(label('thresholds', lang) + suffix)}: {legend}</div>")
    return "".join(parts)


def report_html(data: ReportData, lang: str = "th") -> str:
    """"My report": one self-contained HTML page (no script, no external file)."""
    env = jinja_env()
    standard = data.standard
    scores = data.scores
    made = data.made or date.today()
    factors = []
    for f in standard.factors:
        s = scores[f.id]
        factors.append(
            {
                "name": pick(f.name_th, f.name_en, lang),
                "score": s,
                "level": level_text(standard, s, lang),
                "rows": [
                    {
                        "criterion": c,
                        "title": pick(c.title_th, c.title_en, lang),
                        "answer": data.answers.get(c.id),
                        "status": _status_text(data.answers.get(c.id), lang),
                    }
                    for c in standard.for_factor(f.id)
                ],
            }
        )
    plan_rows = []
    for item in data.chosen_plan():
        c = standard.criterion(item.criterion_id)
        plan_rows.append({"item": item, "criterion": c, "title": pick(c.title_th, c.title_en, lang), "due": thai_date(item.due, lang)})
    overall = scores["overall"]
    return env.get_template("report.html.j2").render(
        lang=lang,
        print_css=print_css(standard, lang),
        L=lambda key, **kw: label(key, lang, **kw),
        pick=lambda th, en: pick(th, en, lang),
        title=label("report_title", lang),
        scores_title=label("summary_scores", lang) + (label("illustrative_suffix", lang) if standard.illustrative else ""),
        standard=standard,
        notice=pick(standard.notice_th, standard.notice_en, lang) if standard.illustrative else "",
        name=data.display_name,
        office=data.office,
        table_label=data.table_label,
        made=thai_date(made, lang),
        chart=score_chart_svg(standard, scores, lang),
        factors=factors,
        overall=overall,
        overall_level=level_text(standard, overall, lang),
        gaps=[
            {"criterion": g.criterion, "title": pick(g.criterion.title_th, g.criterion.title_en, lang), "status": _status_text(g, lang),
             "factor": pick(get_factor(g.criterion.factor).name_th, get_factor(g.criterion.factor).name_en, lang)}
            for g in overall.gaps
        ],
        plan=plan_rows,
    )


def _status_text(answer, lang: str) -> str:
    status = getattr(answer, "status", None)
    return pick(status.label_th, status.label_en, lang) if status else label("unanswered", lang)


def _cell_text(value):
    """A value as a cell may hold it: control characters (a soft line break pasted from Word)
    cannot be stored in XLSX and become spaces."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(" ", value) if isinstance(value, str) else value




def plan_xlsx(data: ReportData, lang: str = "th") -> bytes:
    """"My plan" as an XLSX workbook: the plan with Thai headers, then the scores.

    Text is written as plain cell values: a note that starts with ``=`` stays
    text, it is never turned into a formula.
    """
    from openpyxl import Workbook  # only the summary page pays for it
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    standard = data.standard
    book = Workbook()
    sheet = book.active
    sheet.title = label("plan_title", lang)[:31]
    headers = [
        label("criterion", lang) + " (id)",
        label("factor", lang),
        label("criterion", lang),
        label("status", lang),
        label("plan_action", lang),
        label("plan_owner", lang),
        label("plan_due", lang),
        label("plan_due", lang) + (" (พ.ศ.)" if lang == "th" else " (B.E.)"),
        label("plan_indicator", lang),
    ]
    sheet.append([_cell_text(f"{label('report_title', lang)}: {data.display_name}")])
    sheet.append([_cell_text(f"{label('your_office', lang)}: {data.office}")])
    if standard.illustrative:
        sheet.append([pick(standard.notice_th, standard.notice_en, lang)])
    sheet.append([])
    header_row = sheet.max_row + 1
    sheet.append(headers)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for item in data.chosen_plan():
        c = standard.criterion(item.criterion_id)
        f = get_factor(c.factor)
        sheet.append([_cell_text(v) for v in [
            c.id,
            pick(f.name_th, f.name_en, lang),
            pick(c.title_th, c.title_en, lang),
            _status_text(data.answers.get(c.id), lang),
            item.action,
            item.owner,
            item.due,
            thai_date(item.due, lang),
            item.indicator,
        ]])
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: "=..." typed by a participant is not a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(row[6].value, (date, datetime)):
            row[6].number_format = "yyyy-mm-dd"
    for i, w in enumerate((10, 16, 50, 14, 50, 24, 12, 14, 40), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)

    scores_sheet = book.create_sheet(label("score", lang))
    scores_sheet.append([label("factor", lang), label("score", lang) + " (%)", label("level", lang), label("unanswered", lang)])
    for cell in scores_sheet[1]:
        cell.font = Font(bold=True)
    scores = data.scores
    for key in [f.id for f in standard.factors] + ["overall"]:
        s = scores[key]
        name = label("overall", lang) if key == "overall" else pick(get_factor(key).name_th, get_factor(key).name_en, lang)
        scores_sheet.append([name, round(s.percent, 1) if s.applicable else None, level_text(standard, s, lang), s.counts["unanswered"]])
    scores_sheet.column_dimensions["A"].width = 20
    scores_sheet.column_dimensions["C"].width = 24
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
