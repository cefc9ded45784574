"""Paper: the participant notebooks as handouts, the blank worksheet, personal reports as PDF.

- :func:`build_handouts` exports every participant notebook with nbconvert (HTMLExporter, the
  kit's ``gecc-handout`` template): code hidden, and each app cell shown as its printed
  stand-in instead of empty widgets (a factor's criteria as a checklist with boxes, a blank
  plan, the knowledge-check questions). No kernel runs: the stand-ins come from the criteria
  and questions files, so a handout is the same on every machine. Then each HTML is printed
  to A4 PDF by a Chromium-family browser (:mod:`gecc_kit.printing`).
- :func:`worksheet_html` is the paper self-assessment for on-site participants without a device.
- :func:`build_reports` prints every participant's "my report" of a workshop as PDF.

Every page has the kit's title and, for illustrative criteria, that line in its running
header, and page numbers (``templates/print.css.j2``). Thai lines break between words only:
every page is marked with :func:`gecc_kit.thai.mark_html` in this (the command's) process.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .criteria import Standard
from .labels import label, pick
from .quiz import LETTERS, Question, shown_letter
from .reports import KIT_TITLE, TEMPLATES, jinja_env, print_css
from .thai import mark_html

__all__ = ["KIT_TITLE", "participant_notebooks", "notebook_html", "executed_notebook_html", "worksheet_html", "build_handouts",
           "build_worksheet", "build_reports", "Built"]

PACKAGE = Path(__file__).resolve().parent
NBCONVERT_TEMPLATES = PACKAGE / "share" / "jupyter" / "nbconvert" / "templates"
NOTEBOOKS = PACKAGE.parent / "notebooks"
_CALL = re.compile(r"\b(welcome_page|basics_page|assessment_page|summary_page|knowledge_page)\s*\(\s*(?:[\"']([\w-]+)[\"'])?")


@dataclass(frozen=True)
class Built:
    """What a build wrote: HTML files and, when a browser printed them, PDFs."""

    html: list[Path]
    pdf: list[Path]


def _printed_css() -> str:
    return (TEMPLATES / "printed.css").read_text(encoding="utf-8")


def _statuses(lang: str) -> list[str]:
    from .scoring import Status

    return [pick(s.label_th, s.label_en, lang) for s in Status]


def _macros():
    return jinja_env().get_template("printed.html.j2").make_module(vars={})


def printed_app(standard: Standard, questions: tuple[Question, ...], source: str, lang: str = "th",
                facilitator: bool = False) -> str | None:
    """The printed stand-in for a notebook's app cell (None when the cell holds no kit page).
    The questions' choices are lettered as on screen (ก ข ค ง in Thai); ``facilitator`` adds the
    answer key after them."""
    m = _CALL.search(source)
    if not m:
        return None
    kind, arg = m.group(1), m.group(2)
    macros = _macros()
    L = lambda key, **kw: label(key, lang, **kw)  # noqa: E731
    P = lambda th, en: pick(th, en, lang)  # noqa: E731
    note = lambda key: f"<p class='gecc-printed-note'>{html.escape(label(key, lang))}</p>"  # noqa: E731
    if kind == "assessment_page":
        return note("ws_how_to_mark") + str(macros.checklist(standard, arg, L, P, _statuses(lang)))
    if kind == "summary_page":
        return (note("ws_summary") + str(macros.scores_blank(standard, L, P)) + str(macros.levels_table(standard, L, P))
                + f"<h3>{html.escape(label('plan_title', lang))}</h3>" + str(macros.plan_blank(L)))
    if kind == "knowledge_page":
        if not questions:
            return note("quiz_no_questions")
        letters = [shown_letter(x, lang) for x in LETTERS]
        key = str(macros.answer_key(questions, L, P, letters, LETTERS)) if facilitator else ""
        return note("ws_quiz") + str(macros.questions_list(questions, P, letters)) + key
    if kind == "basics_page":
        return None  # the background page has nothing to fill in
    return note("ws_join")  # welcome_page: joining happens on a device


def participant_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The participant notebooks, in teaching order (the facilitator's pages are not handouts);
    notebooks that are not part of the journey follow by name."""
    from .journey import MODULES

    order = {m.notebook: i for i, m in enumerate(MODULES)}
    found = [p for p in folder.glob("*.ipynb") if not p.name.startswith(".")]
    return sorted(found, key=lambda p: (order.get(p.name, len(order)), p.name))


# A case's worked answer (folded on screen): ``<details class="gecc-case-answer">…</details>``.
_WORKED_ANSWER = re.compile(r"<details(\s+class=\"gecc-case-answer\")[^>]*>.*?</details>", re.S)


def notebook_html(path: Path, standard: Standard, questions: tuple[Question, ...], lang: str = "th",
                  facilitator: bool = False) -> str:
    """One notebook as a handout page (HTML): code hidden, apps printed. A case's worked answer
    is left out of the participants' handout (a line says the facilitator has it), so handouts
    given out before the session do not spoil the table's discussion; ``facilitator`` prints
    it open, and the knowledge check's answer key."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if facilitator:  # folded on screen; on the facilitator's paper printed open
                cell.source = re.sub(r"<details(\s+class=\"gecc-case-answer\")", r"<details\1 open", cell.source)
            else:
                held = f"<p class='gecc-answer-held'><em>{html.escape(label('answer_with_facilitator', lang))}</em></p>"
                cell.source = _WORKED_ANSWER.sub(lambda _m: held, cell.source)
        elif cell.cell_type == "code":
            printed = printed_app(standard, questions, cell.source, lang, facilitator)
            cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": printed})] if printed else []
            cell.execution_count = None
    return _handout_html(nb, standard, path.stem, lang)


def executed_notebook_html(nb, standard: Standard, name: str, lang: str = "th") -> str:
    """A notebook that has run (e.g. the analysis, ``gecc-kit summary``) as a page to print: its
    outputs as they are, no code, the handouts' template and A4 CSS. The illustrative line is
    the notebook's own to show (not repeated in the page head)."""
    return _handout_html(nb, standard, name, lang, head_notice=False)


def _handout_html(nb, standard: Standard, name: str, lang: str, head_notice: bool = True) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="gecc-handout",
        extra_template_basedirs=[str(NBCONVERT_TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    notice = pick(standard.notice_th, standard.notice_en, lang) if standard.illustrative and head_notice else ""
    resources = {
        "language_code": lang,
        "metadata": {"name": name},
        "gecc": {"print_css": print_css(standard, lang), "printed_css": _printed_css(),
                 "kit_title": pick(*KIT_TITLE, lang), "notice": notice},
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return mark_html(body)  # Thai breaks between words only (thai.py): run by the command, not a kernel


def worksheet_html(standard: Standard, lang: str = "th", made: date | None = None) -> str:
    """The blank paper worksheet: one checklist per factor (four boxes and a line for notes per
    criterion, the factors following on), the levels, a blank plan."""
    L = lambda key, **kw: label(key, lang, **kw)  # noqa: E731
    return mark_html(jinja_env().get_template("worksheet.html.j2").render(
        lang=lang, L=L, pick=lambda th, en: pick(th, en, lang), standard=standard, statuses=_statuses(lang),
        print_css=print_css(standard, lang), printed_css=_printed_css(), kit_title=pick(*KIT_TITLE, lang),
        # page 1 says it in the body only (the running header's line starts on page 2)
        notice=(pick(standard.notice_th, standard.notice_en, lang).strip() or label("illustrative_header", lang))
        if standard.illustrative else "",
    ))


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build_handouts(out: Path, standard: Standard, questions: tuple[Question, ...], *, pdf: bool = True,
                   browser: str | None = None, notebooks: Path = NOTEBOOKS, lang: str = "th",
                   facilitator: bool = False) -> Built:
    """Every participant notebook as ``out/NAME.html`` and, with ``pdf``, ``out/NAME.pdf``
    (``facilitator``: with the cases' worked answers)."""
    from .errors import GeccError
    from .printing import print_many

    found = participant_notebooks(notebooks)
    if not found:
        raise GeccError(f"no participant notebooks in {notebooks}: run the command from the kit's folder.")
    html = [_write(out / f"{nb.stem}.html", notebook_html(nb, standard, questions, lang, facilitator)) for nb in found]
    pdfs = print_many([(h, h.with_suffix(".pdf")) for h in html], browser) if pdf else []
    return Built(html, pdfs)


def build_worksheet(out_pdf: Path, standard: Standard, *, browser: str | None = None, lang: str = "th") -> Built:
    """The worksheet as PDF (its HTML is written beside it first, so it is there even without a browser)."""
    from .printing import print_pdf

    html = _write(out_pdf.with_suffix(".html"), worksheet_html(standard, lang))
    return Built([html], [print_pdf(html, out_pdf, browser)])


def build_reports(out: Path, standard: Standard, room, *, browser: str | None = None, lang: str = "th") -> Built:
    """Every participant's "my report" of a workshop as HTML and PDF (``P01-name.pdf``..., numbered
    as in the results workbook)."""
    from .printing import print_many
    from .reports import ReportData, report_html
    from .room import participant_numbers

    from .printing import find_browser

    browser = find_browser(browser)  # before any work: no browser, no half-done folder
    html = []
    number = participant_numbers(room.participants)
    for p in room.participants:
        data = ReportData(standard, p.display_name, p.office, p.table_label, room.answers.get(p.id, {}), room.plans.get(p.id, {}))
        safe = re.sub(r"[^\w\u0E00-\u0E7F-]+", "-", p.display_name).strip("-")[:40] or "participant"
        html.append(_write(out / f"{number[p.id]}-{safe}.html", report_html(data, lang, mark=mark_html)))
    return Built(html, print_many([(h, h.with_suffix(".pdf")) for h in html], browser))
