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
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime
from pathlib import Path

from .criteria import Standard, factor as get_factor
from .labels import label, pick
from .plan import PlanItem, thai_date
from .scoring import Answer, Score, score_all

__all__ = ["ReportData", "score_chart_svg", "score_chart_html", "report_html", "plan_xlsx", "level_text", "XLSX_MIME", "print_css", "css_string", "jinja_env", "KIT_TITLE"]

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
    """The A4 print CSS (``templates/print.css.j2``): Thai fonts (Sarabun embedded) and word breaks, a running header
    with the kit's title and, for illustrative criteria, one short fixed line saying so (the
    criteria file's full notice is printed in the body: a long one would not fit the margin)."""
    from .fonts import embedded_css

    notice = label("illustrative_header", lang) if standard is not None and standard.illustrative else ""
    return jinja_env().get_template("print.css.j2").render(
        font_faces=embedded_css(),  # Sarabun from npm inside the page: the PDF embeds it, no network
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
    rows = _chart_rows(standard, scores, lang)
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
    parts.append(_chart_legend(standard, lang))
    return "".join(parts)


def score_chart_html(standard: Standard, scores: Mapping[str, Score], lang: str = "th") -> str:
    """The same chart as bars drawn in HTML, for the screen (the summary page): its words are the
    page's text at 16 px at any width, where an SVG picture scales them down with it on a phone.
    The figures are also in the table under it, which a screen reader reads; the bars are hidden from it."""
    marks = "".join(f"<i class='gecc-chart-mark' style='left:{lv.min_percent:g}%'></i>" for lv in standard.levels)
    rows = _chart_rows(standard, scores, lang)
    out = []
    for i, (name, s) in enumerate(rows):
        overall = " gecc-chart-overall" if i == len(rows) - 1 else ""
        width = s.percent if s.applicable else 0
        shown = f"{s.percent:.1f}%" if s.applicable else "—"
        out.append(
            f"<div class='gecc-chart-row{overall}'><span class='gecc-chart-name'>{html.escape(name)}</span>"
            f"<span class='gecc-chart-track'><span class='gecc-bar' data-scope='{html.escape(s.scope)}' data-percent='{s.percent:.1f}' "
            f"style='width:{width:.1f}%'></span>{marks}</span><span class='gecc-chart-value'>{shown}</span></div>"
        )
    return f"<div class='gecc-chart gecc-chart-html' aria-hidden='true'>{''.join(out)}</div>{_chart_legend(standard, lang)}"


def _chart_rows(standard: Standard, scores: Mapping[str, Score], lang: str) -> list[tuple[str, Score]]:
    """The chart's bars: each factor, then the overall score."""
    rows = [(pick(f.name_th, f.name_en, lang), scores[f.id]) for f in standard.factors]
    rows.append((label("overall", lang), scores["overall"]))
    return rows


def _chart_legend(standard: Standard, lang: str) -> str:
    """The line under the chart naming the level thresholds (and, for the sample, that they are illustrative)."""
    legend = " · ".join(f"{html.escape(pick(lv.name_th, lv.name_en, lang))} {lv.min_percent:g}%" for lv in standard.levels)
    suffix = label("illustrative_suffix", lang) if standard.illustrative else ""
    return f"<div class='gecc-chart-legend'>┆ {html.escape(label('thresholds', lang) + suffix)}: {legend}</div>"


def report_html(data: ReportData, lang: str = "th", mark=None) -> str:
    """"My report": one self-contained HTML page (no script, no external file).

    Thai lines break between words only: ``mark`` marks the word boundaries (``gecc-kit reports``
    passes :func:`gecc_kit.thai.mark_html`, the segmenter); by default :func:`gecc_kit.thai.mark_known`,
    the kit's texts from the words ``gecc-kit serve`` cut, so a participant's kernel that makes
    the file never loads the segmenter (text typed there is left to the browser)."""
    from .thai import mark_known

    mark = mark or mark_known
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
    return mark(env.get_template("report.html.j2").render(
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
    ))


def _status_text(answer, lang: str) -> str:
    status = getattr(answer, "status", None)
    return pick(status.label_th, status.label_en, lang) if status else label("unanswered", lang)


def _cell_text(value):
    """A value as a cell may hold it: control characters (a soft line break pasted from Word)
    cannot be stored in XLSX and become spaces."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub(" ", value) if isinstance(value, str) else value


# The spreadsheets' layout, shared by "my plan" and the results workbook (export.py): A4
# landscape, fitted to the page's width, the header row printed again on every page, and
# wrapped text in columns and rows sized from the text (Thai is wider than Latin, and its
# vowels and tone marks above and below need a taller line).
# Number formats with the Buddhist year: [$-107041E] is Excel's Western digits (01), Buddhist
# calendar (07) and Thai locale (041E); LibreOffice reads it too (tests/test_libreoffice.py).
XLSX_DATE_SHORT = "[$-107041E]d/mm/yyyy"  # 15/01/2570
XLSX_DATETIME = "[$-107041E]d mmm yyyy hh:mm"  # 25 พ.ย. 2569 09:30
XLSX_PAGE_WIDTH = 140.0  # column-width units across A4 landscape: Excel prints them at 100 %, LibreOffice without Calibri at about 80 %
_LINE_PT, _LINE_PT_THAI, _ROW_PAD_PT = 15.0, 16.0, 2.0  # a line of 11-pt text, Latin or with Thai (marks above and below); padding
_THAI_WORD = 8.0  # a run of Thai (no spaces between words) breaks at word boundaries: this much need not wrap
_SHORT = 16.0  # columns up to this wide (numbers, dates, names of factors) do not give way to the long texts
_MAX_ROW_PT = 409.0  # Excel's tallest row: a longer text is cut on paper (the cell keeps all of it)


def _char_units(ch: str) -> float:
    """How wide one character prints, in column-width units (the width of a ``0``)."""
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0  # Thai vowels and tone marks above or below, zero-width characters
    if "\u0e00" <= ch <= "\u0e7f":
        return 1.1  # Excel's Thai fonts (Leelawadee UI, Tahoma) against Calibri's digits
    if ch == " ":
        return 0.5
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2.0
    if ch.isupper() or ch.isdigit() or ch in "%@#&mwMW":
        return 1.05
    return 0.85


@lru_cache(maxsize=8192)
def _text_units(text: str) -> float:
    return sum(_char_units(ch) for ch in text)


@lru_cache(maxsize=16384)
def _wrapped_lines(text: str, width: float) -> int:
    """The lines ``text`` takes when wrapped in a column ``width`` units wide (at word spaces, and
    inside a long word or a run of Thai, which has no spaces between words, where it must)."""
    usable = max(width - 1.2, 1.0)  # the cell's padding
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in re.findall(r"\S+\s*", paragraph) or [""]:
            units = _text_units(word.rstrip())
            thai = any("\u0e00" <= ch <= "\u0e7f" for ch in word)
            if used and used + units > usable:
                lines += 1  # the word moves to the next line
                used = 0.0
            if units > usable:  # a long word or Thai run is broken (Thai at word boundaries: a little slack)
                full, used = divmod(units * (1.1 if thai else 1.0), usable)
                lines += int(full)
            else:
                used += units
            used += _text_units(word[len(word.rstrip()):])
    return lines


def _word_units(word: str) -> float:
    """The width a word needs unbroken (a Thai run breaks between its words)."""
    units = _text_units(word)
    return min(units, _THAI_WORD) if any("\u0e00" <= ch <= "\u0e7f" for ch in word) else units


def _cell_shown(value) -> str:
    """The text a cell shows, for measuring."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return "25 พ.ย. 2569 09:30"
    if isinstance(value, date):
        return "25 พ.ย. 2569"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _column_widths(columns: list[list], budget: float = XLSX_PAGE_WIDTH, cap: float = 45.0) -> list[float]:
    """Column widths for ``columns`` (each a list of values, the header first): a column is as wide
    as its longest value (up to ``cap``), never narrower than its longest word or a date. When the
    total is over ``budget`` the long text columns give way (they wrap) in proportion to the mean
    length of their texts, so that the rows need as few lines as the page allows."""
    natural, least, mean = [], [], []
    for values in columns:
        shown = [_cell_shown(v) for v in values]
        longest = max((_text_units(line) for text in shown[1:] for line in text.split("\n")), default=0.0)
        words = max((_word_units(w) for text in shown for w in text.split()), default=0.0)
        typed = [v for v in values[1:] if v is not None and not isinstance(v, str)]
        whole = max((_text_units(_cell_shown(v)) for v in typed), default=0.0)  # numbers and dates never wrap
        floor = min(max(words, whole, 6.0) + 1.5, cap)
        natural.append(min(max(longest + 1.5, floor, _text_units(shown[0]) / 2 + 1.5), cap))
        least.append(max(floor, min(natural[-1], _SHORT)))  # short columns keep their width
        filled = [_text_units(text) for text in shown[1:] if text]
        mean.append(sum(filled) / len(filled) if filled else 0.0)
    if sum(natural) <= budget or sum(least) >= budget:
        return [round(w, 1) for w in (natural if sum(natural) <= budget else least)]
    lo, hi = 0.0, max(n / m for n, m in zip(natural, mean) if m) if any(mean) else 1.0
    for _ in range(40):  # the widths are mean * k, within [least, natural]: find k that fills the budget
        k = (lo + hi) / 2
        if sum(min(max(m * k, a), n) for m, a, n in zip(mean, least, natural)) > budget:
            hi = k
        else:
            lo = k
    return [round(min(max(m * lo, a), n), 1) for m, a, n in zip(mean, least, natural)]


def _row_height(values, widths) -> float:
    """Points for a row of wrapped ``values`` in columns of ``widths`` (a Thai line is taller)."""
    lines, thai = 1, False
    for value, width in zip(values, widths):
        text = _cell_shown(value)
        if text:
            lines = max(lines, _wrapped_lines(text, width))
            thai = thai or any("\u0e00" <= ch <= "\u0e7f" for ch in text)
    return min(round(lines * (_LINE_PT_THAI if thai else _LINE_PT) + _ROW_PAD_PT, 1), _MAX_ROW_PT)


def _table_style(book, header: bool) -> str:
    """The named style of a table's cells (thin grey borders, wrapped text, top-aligned) or of its
    header (bold on light blue as well), added to ``book`` once: one style for thousands of cells."""
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.styles.fonts import DEFAULT_FONT

    name = "GECC header" if header else "GECC cell"
    if name not in book.named_styles:
        edge = Side(style="thin", color="A0A0A0")
        font = Font(name=DEFAULT_FONT.name, sz=DEFAULT_FONT.sz, family=DEFAULT_FONT.family, scheme=DEFAULT_FONT.scheme, b=header)
        style = NamedStyle(name, font=font, border=Border(left=edge, right=edge, top=edge, bottom=edge),
                           alignment=Alignment(wrap_text=True, vertical="top"))
        if header:
            style.fill = PatternFill("solid", fgColor="E8EEF5")
        book.add_named_style(style)
    return name


def _lay_out_table(ws, first_row: int, n_rows: int, widths: list[float], first_col: int = 1, header: bool = True) -> None:
    """Borders, wrapping and row heights for the table at ``first_row`` (its header row first when
    ``header``) of ``n_rows`` rows, in columns from ``first_col`` whose widths are ``widths``
    (a cell's number format is kept)."""
    head, body = _table_style(ws.parent, True), _table_style(ws.parent, False)
    last_col = first_col + len(widths) - 1
    for r, row in enumerate(ws.iter_rows(min_row=first_row, max_row=first_row + n_rows - 1, min_col=first_col, max_col=last_col)):
        for cell in row:
            shown = cell.number_format
            cell.style = head if header and r == 0 else body
            if shown != "General":
                cell.number_format = shown
        ws.row_dimensions[first_row + r].height = _row_height([c.value for c in row], widths)


_PRINT_UNITS, _PRINT_HEIGHT_PT = 146.0, 500.0  # what A4 landscape holds inside the margins at 100 % (Excel, Calibri 11)


def _one_page_widths(columns: list[list], height_of, cap: float = 40.0, smallest: float = 0.7) -> tuple[list[float], bool]:
    """Column widths for a sheet that should print on one page, and whether it will: of a few
    page widths (wider columns wrap less, so the rows are shorter, but print smaller) the one
    that prints largest on one A4 landscape page, when that is at least ``smallest`` of full size.
    Otherwise the usual widths, for as many pages as it takes. ``height_of(widths)``: the sheet's
    height in points."""
    best = (0.0, [])
    for stretch in (1.0, 1.1, 1.2, 1.3, 1.45):
        widths = _column_widths(columns, XLSX_PAGE_WIDTH * stretch, cap * stretch)
        scale = min(1.0, _PRINT_UNITS / sum(widths), _PRINT_HEIGHT_PT / height_of(widths))
        if scale > best[0] + 0.01:
            best = (scale, widths)
    if best[0] >= smallest:
        return best[1], True
    return _column_widths(columns, cap=cap), False


def _print_setup(ws, title_row: int | None = None, one_page: bool = False) -> None:
    """A4 landscape, the columns fitted to the page's width (as many pages down as needed, or one
    page when ``one_page``), ``title_row`` printed again at the top of every page, the sheet's name
    and page numbers below."""
    from openpyxl.worksheet.page import PageMargins
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.55, bottom=0.55, header=0.25, footer=0.25)
    ws.print_options.horizontalCentered = True
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"
    ws.oddFooter.center.text = "&A  &P / &N"
    ws.oddFooter.center.size = 9


def plan_xlsx(data: ReportData, lang: str = "th") -> bytes:
    """"My plan" as an XLSX workbook of one sheet that prints on one A4 page for a plan of a few
    items: who, the plan with Thai headers, then the scores.

    Text is written as plain cell values: a note that starts with ``=`` stays
    text, it is never turned into a formula. The due date is a real date (shown with the
    Buddhist year by Excel and LibreOffice), and again as Thai text for any other program.
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
    rows = []
    for item in data.chosen_plan():
        c = standard.criterion(item.criterion_id)
        f = get_factor(c.factor)
        rows.append([_cell_text(v) for v in [
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
    intro = [f"{label('report_title', lang)}: {data.display_name}", f"{label('your_office', lang)}: {data.office}"]
    if standard.illustrative:
        intro.append(pick(standard.notice_th, standard.notice_en, lang))
    score_rows = [[label("factor", lang), label("score", lang) + " (%)", label("level", lang), label("unanswered", lang)]]
    scores = data.scores
    for key in [f.id for f in standard.factors] + ["overall"]:
        s = scores[key]
        name = label("overall", lang) if key == "overall" else pick(get_factor(key).name_th, get_factor(key).name_en, lang)
        score_rows.append([name, round(s.percent, 1) if s.applicable else None, level_text(standard, s, lang), s.counts["unanswered"]])

    def height_of(widths: list[float]) -> float:  # as laid out below
        return (sum(_row_height([text], [sum(widths)]) for text in intro) + 4 + 6
                + sum(_row_height(values, widths) for values in [headers, *rows])
                + 10 + sum(_row_height(values, widths[2:6]) for values in score_rows))

    widths, one_page = _one_page_widths([[h, *(r[i] for r in rows)] for i, h in enumerate(headers)], height_of)
    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = w

    # Who and what: one line each across the table's width, wrapped.
    for i, text in enumerate(intro, start=1):
        cell = sheet.cell(row=i, column=1, value=_cell_text(text))
        cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.font = Font(bold=True, size=13) if i == 1 else Font(italic=i == 3)
        sheet.merge_cells(start_row=i, start_column=1, end_row=i, end_column=len(headers))
        sheet.row_dimensions[i].height = _row_height([text], [sum(widths)]) + (4 if i == 1 else 0)
    header_row = len(intro) + 2
    sheet.row_dimensions[header_row - 1].height = 6

    for r, values in enumerate([headers, *rows]):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=header_row + r, column=c, value=value)
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: "=..." typed by a participant is not a formula
        if isinstance(row[6].value, (date, datetime)):
            row[6].number_format = XLSX_DATE_SHORT if lang == "th" else "yyyy-mm-dd"  # the next column has it in words
    _lay_out_table(sheet, header_row, len(rows) + 1, widths)

    # The scores, under the plan in columns C to F (wide enough for one line each).
    top = sheet.max_row + 2
    sheet.row_dimensions[top - 1].height = 10
    for r, values in enumerate(score_rows):
        for c, value in enumerate(values, start=3):
            cell = sheet.cell(row=top + r, column=c, value=value)
            if isinstance(value, float):
                cell.number_format = "0.0"
    _lay_out_table(sheet, top, len(score_rows), widths[2:6], first_col=3)
    for c in sheet[top + len(score_rows) - 1][2:6]:
        c.font = Font(bold=True)  # the overall line

    _print_setup(sheet, header_row, one_page=one_page)
    sheet.print_area = f"A1:{get_column_letter(len(headers))}{sheet.max_row}"
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
