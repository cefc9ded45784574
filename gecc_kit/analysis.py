"""After the session: the analysis a facilitator runs in JupyterLab, and the summary for executives.

``notebooks/facilitator/analysis.ipynb`` is thin: it opens :class:`Analysis` for a workshop
and shows one :class:`Section` per question, each a chart (matplotlib, Thai labels in the Thai
font the kit's print CSS names first, see :func:`thai_font`) and two lines of interpretation
generated from the figures, in Thai with the English after it:

1. the room's factor scores and their spread;
2. the criteria the room meets least, and 3. those it disagrees on most;
4. the knowledge check before and after, for the room and by office;
5. each table's consensus against its members' own answers.

Every figure comes from :mod:`gecc_kit.results` (the export's sheets and the dashboard's
:func:`gecc_kit.room.overview`) and obeys the anonymity rule: nothing from fewer than
:data:`gecc_kit.room.MIN_GROUP` people, offices and tables under that size are not named, and no
participant's name is ever shown.

:func:`summary_pdf` (``gecc-kit summary``) runs the notebook headless (nbclient), exports it without
code (nbconvert and the handouts' template, :func:`gecc_kit.handouts.executed_notebook_html`) and
prints it to an A4 PDF (:mod:`gecc_kit.printing`).
"""
from __future__ import annotations

import base64
import html
import io
import os
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from .criteria import factor as get_factor
from .errors import GeccError
from .labels import label
from .plan import thai_date
from .reports import TEMPLATES
from .results import TZ, Results, results
from .room import MIN_GROUP
from .scoring import Status

__all__ = ["Analysis", "Section", "thai_font", "css_font_families", "NoThaiFont", "NOTEBOOK", "run_notebook", "summary_pdf"]

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "facilitator" / "analysis.ipynb"
NO_PRINT = "gecc-no-print"  # a notebook cell with this tag is left out of the printed summary
PRIVACY = ("ไม่มีชื่อผู้เข้าร่วม ตัวเลขใดที่มาจากไม่ถึง 3 คนไม่แสดง และหน่วยงานหรือโต๊ะที่มีไม่ถึง 3 คนไม่แสดงแยก",
           "No names; no figure from fewer than 3 people; offices and tables under 3 are not shown on their own.")
HIDDEN = (label("dash_hidden", "th"), label("dash_hidden", "en"))  # as the dashboard says it

_STATUS_COLOURS = {Status.MET: "#1a7f37", Status.PARTIAL: "#f2cc60", Status.NOT_YET: "#cf222e", Status.NA: "#d0d7de"}
_BIN_COLOURS = ("#cf222e", "#f08a4b", "#f2cc60", "#8fc98b", "#1a7f37")
_BLUE, _GREY, _ORANGE = "#1f6feb", "#8c959f", "#bf8700"
_THAI_MARKS = set("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")


class NoThaiFont(GeccError):
    """No font with Thai letters for the charts."""


# --- the Thai font -------------------------------------------------------------------------


def css_font_families() -> tuple[str, ...]:
    """The font families of the kit's print CSS body (``templates/print.css.j2``), in order,
    without the generic ones: the charts follow the same order as the printed pages."""
    css = (TEMPLATES / "print.css.j2").read_text(encoding="utf-8")
    m = re.search(r"body\s*\{[^}]*?font-family:\s*([^;]+);", css)
    families = [f.strip().strip("\"'") for f in m.group(1).split(",")] if m else []
    return tuple(f for f in families if f and f not in ("sans-serif", "serif", "monospace", "system-ui"))


def _has_thai(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        return ord("ก") in FT2Font(path).get_charmap()
    except Exception:  # a font file FreeType cannot read is no use
        return False


@lru_cache(maxsize=1)
def thai_font() -> str:
    """The first family of :func:`css_font_families` that matplotlib can use and that has Thai
    letters: Sarabun when the set-up installed it from npm (:func:`gecc_kit.fonts.matplotlib_files`),
    else e.g. Laksaman or Loma from fonts-thai-tlwg; :class:`NoThaiFont` if there is none."""
    from matplotlib import font_manager

    from .fonts import matplotlib_files

    try:
        for path in matplotlib_files():
            font_manager.fontManager.addfont(str(path))
    except Exception as e:  # noqa: BLE001  (the machine's Thai fonts then)
        print(f"Sarabun could not be prepared for the charts ({type(e).__name__}: {e})", file=sys.stderr)
    families = css_font_families()
    known = {}
    for entry in font_manager.fontManager.ttflist:
        known.setdefault(entry.name, []).append(entry.fname)
    for family in families:
        if any(_has_thai(path) for path in known.get(family, ())):
            return family
    # matplotlib's font cache may be older than the fonts: look at the system's files once.
    from matplotlib.ft2font import FT2Font

    for path in font_manager.findSystemFonts():
        try:
            name = FT2Font(path).family_name
        except Exception:
            continue
        if name in families and _has_thai(path):
            font_manager.fontManager.addfont(path)
            return name
    raise NoThaiFont(
        "ไม่พบฟอนต์ภาษาไทยสำหรับกราฟ (" + ", ".join(families) + ") ติดตั้งด้วย apt-get install fonts-thai-tlwg / "
        "no Thai font for the charts (" + ", ".join(families) + "): install one, e.g. apt-get install fonts-thai-tlwg."
    )


def _style() -> dict:
    return {
        "font.family": [thai_font(), "DejaVu Sans"],  # DejaVu for the odd symbol the Thai font lacks
        "font.size": 10,
        "text.parse_math": False,  # an office typed as "$x$" stays text
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.titleweight": "bold",
        "svg.fonttype": "none",
    }


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=150, layout="constrained")


# --- text helpers -------------------------------------------------------------------------


def _short(text: str, limit: int = 34) -> str:
    """``text`` cut to about ``limit`` characters with an ellipsis, never between a Thai letter and its marks."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = limit
    while cut < len(text) and text[cut] in _THAI_MARKS:
        cut += 1
    return text[:cut].rstrip() + "…"


def _wrap(text: str, width: int = 26) -> str:
    """Two lines at most, broken at a space (Thai words are separated by spaces between phrases)."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    best = min(spaces, key=lambda i: abs(i - len(text) / 2)) if spaces else None
    if best is None or max(best, len(text) - best) > width * 1.5:
        return _short(text, width)
    return text[:best] + "\n" + _short(text[best + 1:], int(width * 1.3))


def _factor(fid: str, lang: str = "th") -> str:
    f = get_factor(fid)
    return f.name_th if lang == "th" else f.name_en


def _e(text) -> str:
    return html.escape(str(text), quote=True)


# --- sections -------------------------------------------------------------------------------


@dataclass
class Section:
    """One question of the analysis: a chart, two lines of interpretation, and the figures behind it.

    In a notebook it shows itself (HTML with the chart as a PNG); ``figure`` is the matplotlib
    figure, ``table`` the figures (no names), ``lines`` the interpretation as (Thai, English)."""

    key: str
    title: tuple[str, str]
    figure: object | None
    lines: tuple[tuple[str, str], ...]
    table: pd.DataFrame | None = None
    _png: bytes | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"<Section {self.key}: {self.title[1]}>"

    def png(self) -> bytes | None:
        if self.figure is None:
            return None
        if self._png is None:
            import matplotlib

            buffer = io.BytesIO()
            with matplotlib.rc_context(_style()):
                self.figure.savefig(buffer, format="png")
            self._png = buffer.getvalue()
        return self._png

    def _repr_html_(self) -> str:
        parts = [f"<div class='gecc-analysis gecc-analysis-{self.key}'>"]
        png = self.png()
        if png is not None:
            parts.append(f"<img class='gecc-analysis-chart' alt='{_e(self.title[0])} / {_e(self.title[1])}' "
                         f"style='max-width:100%;height:auto' src='data:image/png;base64,{base64.b64encode(png).decode()}'>")
        parts.append("<ul class='gecc-analysis-lines' style='margin-top:.3em'>")
        for th, en in self.lines:
            parts.append(f"<li>{_e(th)}<br><span style='color:#57606a;font-size:85%'><em>{_e(en)}</em></span></li>")
        parts.append("</ul></div>")
        return "".join(parts)


@dataclass
class Note:
    """A heading-less block of text (the header, or why nothing can be shown)."""

    html: str

    def _repr_html_(self) -> str:
        return self.html


class Analysis:
    """The after-workshop analysis of one workshop (see the module docstring).

    ``Analysis.open(code)`` never raises for an unknown workshop or an empty room: the header
    says so in Thai and English and every section shows nothing, so the notebook runs to the
    end either way (``error`` holds the sentence).
    """

    def __init__(self, res: Results | None, error: str = ""):
        self.results, self.error = res, error

    @classmethod
    def open(cls, code: str, store=None) -> "Analysis":
        try:
            return cls(results(code, store))
        except GeccError as exc:
            return cls(None, str(exc))

    # -- the header --------------------------------------------------------------------------

    def header(self) -> Note:
        if self.error:
            return Note(f"<p class='gecc-analysis-error' style='color:#b42318;font-weight:600'>{_e(self.error)}</p>")
        r = self.results
        st = r.standard
        now = datetime.now(ZoneInfo(TZ))
        notice = f"<p class='gecc-illustrative-line' style='color:#7a4b00'><b>⚠ {_e(st.notice_th)}</b> / {_e(st.notice_en)}</p>" \
            if st.illustrative else ""
        return Note(
            "<div class='gecc-analysis-header'>"
            f"<p><b>รหัสการอบรม / workshop:</b> {_e(r.workshop)} · <b>ผู้เข้าร่วม / participants:</b> {r.joined} คน · "
            f"<b>วิเคราะห์เมื่อ / analysed:</b> {_e(thai_date(now.date()))} {now:%H:%M} น.</p>"
            f"<p><b>เกณฑ์ / criteria:</b> {_e(st.title_th)}</p>"
            f"{notice}"
            f"<p class='gecc-analysis-privacy'>{_e(PRIVACY[0])} / <em>{_e(PRIVACY[1])}</em></p>"
            "</div>"
        )

    # -- 1. factor scores and their spread -----------------------------------------------------

    def factor_scores(self) -> Section | None:
        if self.error:
            return None
        import matplotlib

        f = self.results.factors
        shown = f[~f["hidden"]]
        with matplotlib.rc_context(_style()):
            fig = _figure(7.2, 0.42 * len(f) + 1.35)
            ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]}, sharey=True)
            y = list(range(len(f)))[::-1]
            labels = [_factor(fid) for fid in f["factor"]]
            for yi, (_, row) in zip(y, f.iterrows()):
                if row["hidden"]:
                    ax1.text(2, yi, HIDDEN[0], va="center", color=_GREY, fontsize=9)
                    continue
                ax1.barh(yi, row["mean"], color=_BLUE, height=0.6)
                ax1.errorbar(row["mean"], yi, xerr=[[min(row["sd"], row["mean"])], [min(row["sd"], 100 - row["mean"])]],
                             color="#1f2328", capsize=3, lw=1)
                ax1.text(min(row["mean"] + row["sd"], 100) + 2, yi, f"{row['mean']:.0f}%", va="center", fontsize=9)
                total = sum(int(row[c]) for c in _bin_columns(f))
                left = 0.0
                for colour, column in zip(_BIN_COLOURS, _bin_columns(f)):
                    n = int(row[column])
                    if n:
                        ax2.barh(yi, 100 * n / total, left=left, color=colour, height=0.6)
                        ax2.text(left + 50 * n / total, yi, str(n), ha="center", va="center", fontsize=8)
                        left += 100 * n / total
            ax1.set_yticks(y, labels)
            ax1.set_xlim(0, 112)
            ax1.set_xlabel("คะแนนเฉลี่ย ± ส่วนเบี่ยงเบนมาตรฐาน (%)")
            ax1.set_title("ค่าเฉลี่ยและการกระจาย")
            ax2.set_xlim(0, 100)
            ax2.set_xlabel("สัดส่วนผู้ตอบ (%) ตัวเลขในแถบ = จำนวนคน")
            ax2.set_title("จำนวนคนตามช่วงคะแนน")
            ax2.tick_params(left=False)
            from matplotlib.patches import Patch

            fig.legend([Patch(color=c) for c in _BIN_COLOURS], [c.replace("-", "–") + "%" for c in _bin_columns(f)],
                       loc="outside lower right", ncol=5, fontsize=7.5, frameon=False, handlelength=1, columnspacing=0.8)
        if shown.empty:
            lines = (("ยังไม่มีด้านใดที่มีผู้ตอบอย่างน้อย 3 คน จึงยังไม่แสดงคะแนนของห้อง",
                      "No factor has answers from 3 people yet, so the room's scores are not shown."),
                     (PRIVACY[0], PRIVACY[1]))
        else:
            best, worst = shown.loc[shown["mean"].idxmax()], shown.loc[shown["mean"].idxmin()]
            widest = shown.loc[shown["sd"].idxmax()]
            if len(shown) > 1:
                first = (f"ด้านที่ห้องได้คะแนนเฉลี่ยสูงสุดคือ{_factor(best['factor'])} ({best['mean']:.0f}%) "
                         f"ต่ำสุดคือ{_factor(worst['factor'])} ({worst['mean']:.0f}%) ห่างกัน {best['mean'] - worst['mean']:.0f} จุดร้อยละ",
                         f"Highest mean: {_factor(best['factor'], 'en')} ({best['mean']:.0f}%); lowest: "
                         f"{_factor(worst['factor'], 'en')} ({worst['mean']:.0f}%), {best['mean'] - worst['mean']:.0f} percentage points apart.")
            else:
                first = (f"{_factor(best['factor'])} ได้คะแนนเฉลี่ย {best['mean']:.0f}% จาก {best['n']} คน ด้านอื่นมีผู้ตอบไม่ถึง 3 คน",
                         f"{_factor(best['factor'], 'en')}: mean {best['mean']:.0f}% of {best['n']}; the other factors have fewer than 3 answers.")
            second = (f"คะแนนกระจายมากที่สุดใน{_factor(widest['factor'])} (ส่วนเบี่ยงเบนมาตรฐาน {widest['sd']:.0f} จุด) "
                      "หน่วยงานในห้องพร้อมไม่เท่ากันในด้านนี้ ควรดูหลักฐานประกอบก่อนสรุปเป็นภาพรวม",
                      f"Scores vary most in {_factor(widest['factor'], 'en')} (standard deviation {widest['sd']:.0f} points): "
                      "the units are unevenly ready there; look at the evidence before drawing a room-wide conclusion.")
            lines = (first, second)
        table = f[["factor", "factor_th", "n", "mean", "sd", *_bin_columns(f), "hidden"]].copy()
        return Section("factors", ("คะแนนรายด้านของห้องและการกระจาย", "The room's factor scores and their spread"), fig, lines, table)

    # -- 2. and 3. criteria ----------------------------------------------------------------------

    def _criteria_chart(self, rows: pd.DataFrame, annotate, title: str):
        import matplotlib

        with matplotlib.rc_context(_style()):
            fig = _figure(7.2, 0.36 * len(rows) + 1.25)
            ax = fig.subplots()
            y = list(range(len(rows)))[::-1]
            for yi, (_, row) in zip(y, rows.iterrows()):
                total = sum(int(row[s.value]) for s in Status) or 1
                left = 0.0
                for s in Status:
                    n = int(row[s.value])
                    if n:
                        ax.barh(yi, 100 * n / total, left=left, color=_STATUS_COLOURS[s], height=0.6)
                        ax.text(left + 50 * n / total, yi, str(n), ha="center", va="center", fontsize=8,
                                color="#fff" if s in (Status.MET, Status.NOT_YET) else "#1f2328")
                        left += 100 * n / total
                ax.text(102, yi, annotate(row), va="center", fontsize=9)
            ax.set_yticks(y, [f"{row['criterion_id']} {_short(row['title_th'], 30)}" + (" *" if row["mandatory"] else "")
                              for _, row in rows.iterrows()])
            ax.set_xlim(0, 100)
            ax.set_xlabel("สัดส่วนคำตอบ (%) ตัวเลขในแถบ = จำนวนคน · * ข้อจำเป็น")
            ax.set_title(title)
            from matplotlib.patches import Patch

            fig.legend([Patch(color=_STATUS_COLOURS[s]) for s in Status], [s.label_th for s in Status],
                       loc="outside lower center", ncol=4, fontsize=8, frameon=False)
        return fig

    def _criteria_table(self, rows: pd.DataFrame) -> pd.DataFrame:
        return rows[["criterion_id", "factor", "title_th", "mandatory", "n", "mean", "spread", *(s.value for s in Status)]].copy()

    def _criteria_rows(self, stats):
        """The criteria frame's rows for ``stats`` (room.py's weakest or most disputed), in order."""
        c = self.results.criteria
        ids = [s.criterion.id for s in stats]
        return c.set_index("criterion_id").loc[ids].reset_index() if ids else c.iloc[0:0]

    def _no_criteria(self, key: str, title, all_fine) -> Section:
        """The section without a chart: ``all_fine`` when some criterion has 3 answers, else why none shows."""
        c = self.results.criteria
        first = all_fine if (~c["hidden"]).any() else (
            "ยังไม่มีเกณฑ์ใดที่มีผู้ตอบอย่างน้อย 3 คน จึงยังไม่แสดงผลรายเกณฑ์", "No criterion has answers from 3 people yet.")
        return Section(key, title, None, (first, (PRIVACY[0], PRIVACY[1])), self._criteria_table(c.iloc[0:0]))

    def weakest_criteria(self) -> Section | None:
        if self.error:
            return None
        rows = self._criteria_rows(self.results.overview.weakest)
        title = ("เกณฑ์ที่ห้องทำได้น้อยที่สุด", "The criteria the room meets least")
        if rows.empty:
            return self._no_criteria("weakest", title, ("ทุกเกณฑ์ที่มีผู้ตอบอย่างน้อย 3 คนได้คะแนนเต็ม", "Every criterion with 3 or more answers has full credit."))
        fig = self._criteria_chart(rows, lambda r: f"{r['mean']:.0f}%", "เกณฑ์ที่ได้คะแนนเฉลี่ยต่ำสุด (% ของคะแนนเต็ม)")
        top = rows.iloc[0]
        mandatory = int(rows["mandatory"].sum())
        factor_id, in_factor = Counter(rows["factor"].astype(str)).most_common(1)[0]
        lines = (
            (f"เกณฑ์ที่ห้องทำได้น้อยที่สุดคือ {top['criterion_id']} {_short(top['title_th'], 60)} ได้เฉลี่ย {top['mean']:.0f}% "
             f"ของคะแนนเต็ม ({int(top['not_yet'])} คนตอบว่ายังไม่ผ่าน)",
             f"The criterion the room meets least is {top['criterion_id']} {_short(top['title_en'], 60)}: {top['mean']:.0f}% "
             f"of full credit ({int(top['not_yet'])} answered not yet)."),
            ((f"{mandatory} ใน {len(rows)} ข้อนี้เป็นข้อจำเป็น" if mandatory else f"ไม่มีข้อจำเป็นใน {len(rows)} ข้อนี้")
             + f" และ {in_factor} ข้ออยู่ใน{_factor(factor_id)} ควรให้มาก่อนในแผนพัฒนาของหน่วยงาน",
             (f"{mandatory} of these {len(rows)} {'is' if mandatory == 1 else 'are'} mandatory" if mandatory else
              f"None of these {len(rows)} is mandatory")
             + f" and {in_factor} {'belongs' if in_factor == 1 else 'belong'} to {_factor(factor_id, 'en')}: "
             "put them first in the units' improvement plans."),
        )
        return Section("weakest", title, fig, lines, self._criteria_table(rows))

    def disputed_criteria(self) -> Section | None:
        if self.error:
            return None
        rows = self._criteria_rows(self.results.overview.disputed)
        title = ("เกณฑ์ที่คำตอบต่างกันมากที่สุด", "The criteria the room disagrees on most")
        if rows.empty:
            return self._no_criteria("disputed", title, ("ทุกเกณฑ์ที่มีผู้ตอบอย่างน้อย 3 คนได้คำตอบตรงกันทั้งห้อง", "Every criterion with 3 or more answers was answered alike."))
        fig = self._criteria_chart(rows, lambda r: f"SD {r['spread']:.2f}", "เกณฑ์ที่คำตอบกระจายมากที่สุด (ส่วนเบี่ยงเบนของคะแนน 0–0.5)")
        top = rows.iloc[0]
        ids_text = ", ".join(rows["criterion_id"].head(3))
        lines = (
            (f"คำตอบต่างกันมากที่สุดในเกณฑ์ {top['criterion_id']} {_short(top['title_th'], 60)}: ผ่าน {int(top['met'])} คน "
             f"ผ่านบางส่วน {int(top['partial'])} คน ยังไม่ผ่าน {int(top['not_yet'])} คน",
             f"Answers differ most on {top['criterion_id']} {_short(top['title_en'], 60)}: met {int(top['met'])}, "
             f"partly met {int(top['partial'])}, not yet {int(top['not_yet'])}."),
            (f"คำตอบที่ต่างกันอาจมาจากสภาพจริงที่ต่างกันหรือการตีความเกณฑ์ต่างกัน ควรใช้ {ids_text} เป็นประเด็นอภิปราย "
             "และตกลงกันว่าหลักฐานแบบใดจึงนับว่าผ่าน",
             f"Different answers may reflect different offices or different readings of the criterion: discuss {ids_text} "
             "and agree what evidence counts as met."),
        )
        return Section("disputed", title, fig, lines, self._criteria_table(rows))

    # -- 4. knowledge gain by office -----------------------------------------------------------

    def knowledge_by_office(self) -> Section | None:
        if self.error:
            return None
        import matplotlib

        r = self.results
        gain = r.gain.set_index("phase")
        offices = r.offices
        named = offices[(offices["merged"] == 0) & offices["pre"].notna() & offices["post"].notna()]
        not_shown = int(offices.loc[offices["merged"] > 0, "merged"].sum()) + int(((offices["merged"] == 0) & ~offices.index.isin(named.index)).sum())
        rows = []
        if not gain.loc["pre", "hidden"] and not gain.loc["post", "hidden"]:
            rows.append(("ทั้งห้อง", gain.loc["pre", "percent"], gain.loc["post", "percent"],
                         gain.loc["change", "percent"], int(gain.loc["change", "n"])))
        for _, o in named.iterrows():
            rows.append((o["office"], o["pre"], o["post"], o["change"], int(o["participants"])))
        table = pd.DataFrame(rows, columns=["office", "pre", "post", "change", "participants"])
        title = ("ความรู้ก่อนและหลังการอบรม รายหน่วยงาน", "Knowledge before and after, by office")
        if table.empty:
            lines = (("มีผู้ทำแบบทดสอบครบทั้งก่อนและหลังไม่ถึง 3 คน จึงยังไม่แสดงผล",
                      "Fewer than 3 people completed the knowledge check, so no result is shown."), (PRIVACY[0], PRIVACY[1]))
            return Section("knowledge", title, None, lines, table)
        with matplotlib.rc_context(_style()):
            fig = _figure(7.2, 0.5 * len(table) + 1.15)
            ax = fig.subplots()
            y = list(range(len(table)))[::-1]
            for yi, (_, row) in zip(y, table.iterrows()):
                ax.barh(yi + 0.18, row["pre"], height=0.34, color=_GREY, label="ก่อนการอบรม" if yi == y[0] else None)
                ax.barh(yi - 0.18, row["post"], height=0.34, color=_BLUE, label="หลังการอบรม" if yi == y[0] else None)
                change = "" if pd.isna(row["change"]) else f"{row['change']:+.0f} จุด"
                ax.text(max(row["pre"], row["post"]) + 2, yi, change, va="center", fontsize=9)
            ax.set_yticks(y, [_wrap(label) for label in table["office"]])
            ax.set_xlim(0, 115)
            ax.set_xlabel("คะแนนแบบทดสอบเฉลี่ย (%) · ข้อความ = เปลี่ยนแปลงเฉลี่ย (จุดร้อยละ)")
            ax.set_title("แบบทดสอบความรู้ ก่อนและหลังการอบรม")
            fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
        if not gain.loc["change", "hidden"]:
            g = gain["percent"]
            first = (f"ทั้งห้อง คะแนนเฉลี่ยก่อนการอบรม {g['pre']:.0f}% ({int(gain.loc['pre', 'n'])} คน) หลังการอบรม {g['post']:.0f}% "
                     f"({int(gain.loc['post', 'n'])} คน) ผู้ที่ทำครบทั้งสองครั้ง {int(gain.loc['change', 'n'])} คน "
                     f"เปลี่ยนแปลงเฉลี่ย {g['change']:+.0f} จุดร้อยละ",
                     f"The whole room: {g['pre']:.0f}% before ({int(gain.loc['pre', 'n'])} people), {g['post']:.0f}% after "
                     f"({int(gain.loc['post', 'n'])}); the {int(gain.loc['change', 'n'])} who did both changed by "
                     f"{g['change']:+.0f} percentage points on average.")
        else:
            first = ("มีผู้ทำครบทั้งก่อนและหลังไม่ถึง 3 คน จึงไม่แสดงการเปลี่ยนแปลงของทั้งห้อง",
                     "Fewer than 3 people did both tests, so the room's change is not shown.")
        ranked = named[named["change"].notna()].sort_values("change", ascending=False)
        if len(ranked) >= 2:
            hi, lo = ranked.iloc[0], ranked.iloc[-1]
            second = (f"หน่วยงานที่คะแนนเพิ่มขึ้นมากที่สุดคือ {hi['office']} ({hi['change']:+.0f} จุด) น้อยที่สุดคือ {lo['office']} "
                      f"({lo['change']:+.0f} จุด) หน่วยงานที่มีผู้ทำไม่ถึง 3 คน ({not_shown} กลุ่ม) ไม่แสดงแยก",
                      f"Largest gain: {hi['office']} ({hi['change']:+.0f} points); smallest: {lo['office']} ({lo['change']:+.0f}). "
                      f"Offices with fewer than 3 people ({not_shown} groups) are not shown on their own.")
        elif len(ranked) == 1:
            hi = ranked.iloc[0]
            second = (f"{hi['office']} เปลี่ยนแปลงเฉลี่ย {hi['change']:+.0f} จุดร้อยละ หน่วยงานอื่นมีผู้ทำไม่ถึง 3 คน "
                      f"({not_shown} กลุ่ม) จึงไม่แสดงแยก",
                      f"{hi['office']}: {hi['change']:+.0f} points on average; the other offices ({not_shown} groups) have "
                      "fewer than 3 people and are not shown on their own.")
        else:
            second = (f"ไม่มีหน่วยงานใดที่มีผู้ทำแบบทดสอบครบอย่างน้อย 3 คน ({not_shown} กลุ่ม) จึงแสดงเฉพาะภาพรวมของห้อง",
                      f"No office has 3 or more people who did both tests ({not_shown} groups), so only the whole room is shown.")
        return Section("knowledge", title, fig, (first, second), table)

    # -- 5. table consensus against individual answers ------------------------------------------

    def consensus_vs_individuals(self) -> Section | None:
        if self.error:
            return None
        import matplotlib

        r = self.results
        scores = r.scores[(r.scores["factor"] == "overall") & (r.scores["answered"] > 0) & r.scores["percent"].notna()]
        table_of = dict(zip(r.participants["no"], r.participants["table"].fillna("").str.strip()))
        answers = r.answers[r.answers["status"].notna()].assign(table=lambda a: a["no"].map(table_of))
        rows = []
        for _, t in r.tables.iterrows():
            if t["hidden"] or not t["answered"] or pd.isna(t["overall"]):
                continue
            mine = scores[scores["table"].fillna("").str.strip() == t["table"]]["percent"]
            agreed = r.consensus[(r.consensus["table"] == t["table"]) & r.consensus["status"].notna()]
            agreed = dict(zip(agreed["criterion_id"], agreed["status"].astype(str)))
            members = answers[(answers["table"] == t["table"]) & answers["criterion_id"].isin(agreed)]
            same = (members["status"].astype(str) == members["criterion_id"].map(agreed)).sum()
            rows.append({
                "table": t["table"], "members": int(t["members"]), "consensus": float(t["overall"]),
                "individual_mean": float(mine.mean()) if len(mine) >= MIN_GROUP else float("nan"),
                "agreement": 100.0 * same / len(members) if len(members) else float("nan"),
                "criteria_agreed": len(agreed),
            })
        table = pd.DataFrame(rows, columns=["table", "members", "consensus", "individual_mean", "agreement", "criteria_agreed"])
        table["difference"] = table["consensus"] - table["individual_mean"]
        title = ("ฉันทามติของโต๊ะเทียบกับคำตอบรายคน", "Table consensus against individual answers")
        hidden_tables = int(r.tables["hidden"].sum())
        if table.empty:
            lines = (("ยังไม่มีโต๊ะที่มีสมาชิกอย่างน้อย 3 คนบันทึกผลที่ตกลงกัน (ฉันทามติ)",
                      "No table of 3 or more has recorded what it agreed (consensus) yet."),
                     ("เปิดมุมมองฉันทามติจากหน้าจอวิทยากรให้แต่ละโต๊ะบันทึกผลที่ตกลงกัน"
                      + (f" โต๊ะที่มีสมาชิกไม่ถึง 3 คน ({hidden_tables} โต๊ะ) ไม่แสดง" if hidden_tables else ""),
                      "Open the consensus view from the dashboard for each table to record what it agreed"
                      + (f"; tables under 3 ({hidden_tables}) are not shown." if hidden_tables else ".")))
            return Section("consensus", title, None, lines, table)
        with matplotlib.rc_context(_style()):
            fig = _figure(7.2, 0.5 * len(table) + 1.25)
            ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]}, sharey=True)
            y = list(range(len(table)))[::-1]
            for yi, (_, row) in zip(y, table.iterrows()):
                if not pd.isna(row["individual_mean"]):
                    ax1.barh(yi + 0.18, row["individual_mean"], height=0.34, color=_GREY,
                             label="เฉลี่ยคะแนนรายคนของสมาชิก" if yi == y[0] else None)
                ax1.barh(yi - 0.18, row["consensus"], height=0.34, color=_BLUE, label="ฉันทามติของโต๊ะ" if yi == y[0] else None)
                if not pd.isna(row["agreement"]):
                    ax2.barh(yi, row["agreement"], height=0.5, color=_ORANGE)
                    ax2.text(row["agreement"] + 2, yi, f"{row['agreement']:.0f}%", va="center", fontsize=9)
            ax1.set_yticks(y, [_wrap(t, 16) for t in table["table"]])
            ax1.set_xlim(0, 105)
            ax1.set_xlabel("คะแนนรวมทุกด้าน (%)")
            ax1.set_title("คะแนนรวม: รายคนเทียบฉันทามติ")
            fig.legend(loc="outside lower center", ncol=2, fontsize=8, frameon=False)
            ax2.set_xlim(0, 118)
            ax2.set_xlabel("คำตอบรายคนที่ตรงกับฉันทามติ (%)")
            ax2.set_title("ความตรงกัน")
            ax2.tick_params(left=False)
        compared = table[table["difference"].notna()]
        if not compared.empty:
            far = compared.loc[compared["difference"].abs().idxmax()]
            higher = int((compared["difference"] > 0).sum())
            first = (f"โต๊ะที่ฉันทามติต่างจากค่าเฉลี่ยรายคนมากที่สุดคือ {far['table']}: ฉันทามติ {far['consensus']:.0f}% "
                     f"ค่าเฉลี่ยรายคน {far['individual_mean']:.0f}% ({far['difference']:+.0f} จุดร้อยละ) "
                     f"ฉันทามติสูงกว่าค่าเฉลี่ยรายคน {higher} ใน {len(compared)} โต๊ะ",
                     f"The table whose consensus is furthest from its members' mean is {far['table']}: {far['consensus']:.0f}% "
                     f"agreed against {far['individual_mean']:.0f}% on their own ({far['difference']:+.0f} points); "
                     f"the consensus is higher at {higher} of {len(compared)} tables.")
        else:
            first = ("สมาชิกที่ตอบครบของแต่ละโต๊ะยังไม่ถึง 3 คน จึงยังเทียบกับค่าเฉลี่ยรายคนไม่ได้",
                     "No table has 3 members with their own answers yet, so there is no individual mean to compare with.")
        agreement = table["agreement"].dropna()
        if not agreement.empty:
            second = (f"ฉันทามติตรงกับคำตอบรายคนของสมาชิกเฉลี่ย {agreement.mean():.0f}% ของคำตอบ ข้อที่ไม่ตรงคือข้อที่โต๊ะเปลี่ยนความเห็น"
                      "หลังพูดคุย ควรทบทวนว่าเหตุผลหรือหลักฐานใดทำให้เปลี่ยน",
                      f"The consensus matches the members' own answers in {agreement.mean():.0f}% of answers on average; the rest "
                      "is where tables changed their minds after talking: review what reason or evidence changed them.")
        else:
            second = ("สมาชิกยังไม่ได้ตอบเกณฑ์ที่โต๊ะตกลงกัน จึงยังเทียบความตรงกันไม่ได้",
                      "Members have not answered the criteria their table agreed on, so agreement cannot be compared yet.")
        return Section("consensus", title, fig, (first, second), table)

    def sections(self) -> list[Section]:
        """Every section in order (nothing when the workshop could not be read)."""
        if self.error:
            return []
        return [self.factor_scores(), self.weakest_criteria(), self.disputed_criteria(), self.knowledge_by_office(),
                self.consensus_vs_individuals()]


def _bin_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if re.fullmatch(r"\d+-\d+", str(c))]


# --- the summary for executives (gecc-kit summary) -------------------------------------------


def run_notebook(code: str, store_url: str | None = None, criteria: str | None = None, timeout: int = 300,
                 notebook: Path = NOTEBOOK):
    """Execute the analysis notebook headless (nbclient) for one workshop; the executed notebook.

    The workshop and store reach the kernel as ``GECC_WORKSHOP`` / ``GECC_STORE_URL`` /
    ``GECC_CRITERIA``, as the server gives them to its kernels (never written into the notebook)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(notebook, as_version=4)
    env = {**os.environ, "GECC_WORKSHOP": code}
    if store_url:
        env["GECC_STORE_URL"] = store_url
    if criteria:
        env["GECC_CRITERIA"] = str(Path(criteria).resolve())
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(notebook.parent)}})
    try:
        # the kernel's own log lines (e.g. ipykernel's transport warning) are not the facilitator's business
        client.execute(env=env, stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        last = [line for line in str(exc).strip().splitlines() if line.strip()][-1:] or ["?"]
        raise GeccError(f"สร้างสรุปผลไม่สำเร็จ / the analysis notebook failed: {last[0][:300]}") from None
    except Exception as exc:  # the kernel did not start or died
        raise GeccError(f"รันสมุดบันทึกวิเคราะห์ไม่สำเร็จ / the analysis notebook could not run ({type(exc).__name__}: {exc})") from None
    return nb


def summary_pdf(code: str, out: Path, *, store=None, criteria: str | None = None, browser: str | None = None):
    """``gecc-kit summary``: the analysis notebook run for ``code``, without code, as an A4 PDF
    (its HTML is written beside it first). An unknown workshop or an empty room is a
    :class:`~gecc_kit.errors.GeccError` in Thai and English before anything runs. Returns
    (html path, pdf path)."""
    from .criteria import load_standard
    from .handouts import executed_notebook_html
    from .printing import print_pdf
    from .results import open_room
    from .store import Store

    out = Path(out)
    if out.suffix.lower() != ".pdf":
        raise GeccError(f"--out {out}: สรุปผลเป็นไฟล์ PDF ชื่อต้องลงท้ายด้วย .pdf / the summary is a PDF: give a name ending in .pdf.")
    standard = load_standard(criteria)
    opened = store if isinstance(store, Store) else Store(store or None)
    try:
        room = open_room(code, opened)  # unknown or empty: one sentence, nothing run
        url = opened.url
    finally:
        if opened is not store:
            opened.close()
    thai_font()  # no Thai font: say so before the kernel starts
    nb = run_notebook(room.workshop.code, url, criteria)
    nb.cells = [c for c in nb.cells if NO_PRINT not in c.get("metadata", {}).get("tags", [])]  # the facilitator's how-to
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            text = o.get("data", {}).get("text/html", "")
            if "gecc-analysis-error" in text:
                raise GeccError(re.sub(r"<[^>]+>", "", text).strip())
        # only what the analysis shows goes on paper: no stray text, warnings or prompts
        cell.outputs = [o for o in cell.get("outputs", []) if o.get("output_type") in ("display_data", "execute_result")]
    html_text = executed_notebook_html(nb, standard, f"สรุปผลการอบรม {room.workshop.code}")
    html_path = out.with_suffix(".html")
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(html_text, encoding="utf-8")
    return html_path, print_pdf(html_path, out, browser)
