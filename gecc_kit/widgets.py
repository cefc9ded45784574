"""Widgets: thin views over the criteria, scoring and store.

:class:`AssessmentApp` shows one factor's criteria with a status and an
evidence note each, saves every change to the store at once, and redraws
the live score and gap list. :class:`JoinForm` greets someone whose link has
no (or an unknown) participant token. :func:`assessment_page` picks between
them from the page's URL; it is the only call a factor notebook makes.

Every interactive control carries a ``gecc-...`` CSS class (see docs/ui.md).
Text people type is shown with :func:`html.escape`, never as HTML.
"""
from __future__ import annotations

import html
from datetime import datetime

import ipywidgets as W

from .criteria import Criterion, Standard, factor as get_factor
from .errors import GeccError, UnknownParticipant, UnknownWorkshop
from .scoring import Answer, Score, Status, score
from .session import Request, current_request, log, open_standard, open_store
from .store import Participant, Store

__all__ = ["AssessmentApp", "JoinForm", "assessment_page", "LABELS", "label"]

# Every label a participant reads: (Thai, English).
LABELS = {
    "mandatory": ("ข้อจำเป็น", "Mandatory"),
    "weight": ("น้ำหนัก", "Weight"),
    "guidance": ("คำแนะนำ", "Guidance"),
    "evidence": ("ตัวอย่างหลักฐาน", "Evidence examples"),
    "act": ("อ้างอิงกฎหมาย", "Legal reference"),
    "note_placeholder": ("บันทึกหลักฐานหรือข้อสังเกต (บันทึกอัตโนมัติ)", "Evidence or remarks (saved automatically)"),
    "score_title": ("คะแนนด้านนี้ (ตัวอย่าง)", "Score for this factor (illustrative)"),
    "level": ("ระดับที่ได้", "Level reached"),
    "no_level": ("ยังไม่ถึง{first}", "Below {first}"),
    "nothing_applicable": ("ทุกข้อไม่เกี่ยวข้อง จึงไม่มีคะแนนด้านนี้", "Every criterion is not applicable: nothing to score"),
    "mandatory_unmet": ("ข้อจำเป็นที่ยังไม่ผ่าน", "Mandatory criteria not yet met"),
    "unanswered": ("ยังไม่ได้ตอบ", "Unanswered"),
    "gaps_title": ("สิ่งที่ควรปรับปรุง (เรียงตามความสำคัญ)", "Gaps to close (most important first)"),
    "no_gaps": ("ยังไม่มีข้อที่ตอบว่ายังไม่ผ่านหรือผ่านบางส่วน", "No criterion answered 'not yet' or 'partly met' so far"),
    "saved": ("บันทึกแล้ว", "Saved"),
    "save_failed": ("บันทึกไม่สำเร็จ คำตอบบนจอกลับเป็นค่าที่บันทึกไว้ล่าสุด กรุณาตอบข้อนั้นอีกครั้ง หากยังไม่ได้ให้แจ้งวิทยากร", "Not saved: the screen shows the last saved answer again; please answer once more, and tell the facilitator if it persists"),
    "note_failed": ("บันทึกข้อความไม่สำเร็จ ข้อความยังอยู่บนจอ ระบบจะลองบันทึกอีกครั้งเมื่อพิมพ์ต่อ", "Note not saved yet: it stays on screen and is saved again as you type"),
    "hello": ("สวัสดี", "Hello"),
    "join_title": ("เข้าร่วมการฝึกประเมินตนเอง", "Join the practice self-assessment"),
    "join_welcome": ("กรอกชื่อเพื่อเริ่มทำแบบประเมิน ระบบจะสร้างลิงก์ส่วนตัวให้ท่านกลับมาทำต่อได้ทุกเมื่อ", "Enter your name to start; you get a personal link to come back to at any time."),
    "join_unknown": ("ไม่พบผู้เข้าร่วมจากลิงก์นี้ ลิงก์อาจพิมพ์ไม่ครบ ลองเปิดลิงก์ส่วนตัวอีกครั้ง หรือเข้าร่วมใหม่ด้านล่าง", "This link matches no participant. Check the link, or join again below."),
    "join_name": ("ชื่อที่แสดง", "Display name"),
    "join_office": ("หน่วยงาน", "Office"),
    "join_button": ("เริ่มทำแบบประเมิน", "Start"),
    "join_need_name": ("กรุณากรอกชื่อที่แสดงก่อน", "Please enter a display name first"),
    "join_too_long": ("ชื่อหรือหน่วยงานยาวเกิน 120 ตัวอักษร กรุณาย่อให้สั้นลง", "Name or office is longer than 120 characters; please shorten it"),
    "join_done": ("เข้าร่วมแล้ว กำลังเปิดแบบประเมินของท่าน หากหน้าไม่เปลี่ยนเอง กดลิงก์ส่วนตัวด้านล่าง", "Joined: opening your assessment. If the page does not change, open your personal link below."),
    "personal_link": ("ลิงก์ส่วนตัวของท่าน เก็บไว้เพื่อกลับมาทำต่อจากเดิมได้ทุกอุปกรณ์", "Your personal link: keep it to resume on any device"),
    "no_workshop": ("ลิงก์นี้ไม่มีรหัสการอบรม กรุณาขอลิงก์จากวิทยากร", "This link has no workshop code; ask the facilitator for the link."),
    "unknown_workshop": ("รหัสการอบรมในลิงก์นี้ไม่มีในระบบ กรุณาตรวจสอบลิงก์กับวิทยากร", "This link's workshop code is not known here; check the link with the facilitator."),
    "broken": ("ขออภัย ระบบขัดข้องชั่วคราว กรุณาโหลดหน้านี้ใหม่ หรือแจ้งวิทยากร", "Sorry, something went wrong. Reload the page or tell the facilitator."),
}


MAX_NAME = 120  # characters of a display name or office


def _pick(th: str, en: str, lang: str) -> str:
    """The English text when asked for and present, else the Thai."""
    return en if lang == "en" and en else th


def label(key: str, lang: str = "th") -> str:
    """The label in Thai (``"th"``) or English (``"en"``)."""
    return _pick(*LABELS[key], lang)


_CSS = """
<style>
.gecc-app { max-width: 52rem; font-size: 1rem; line-height: 1.6; }
.gecc-app, .gecc-app * { box-sizing: border-box; }
.gecc-app .widget-html-content, .gecc-app .widget-label { white-space: normal; word-break: normal; overflow-wrap: anywhere; }
.gecc-notice { color: #7a4b00; background: #fff6e0; padding: .25rem .6rem; border-radius: .3rem; font-size: .9rem; }
.gecc-criterion { border: 1px solid #d0d7de; border-radius: .5rem; padding: .6rem .8rem; margin: .5rem 0; width: 100%; }
.gecc-criterion-title { font-weight: 600; }
.gecc-tag { display: inline-block; font-size: .8rem; padding: 0 .4rem; border-radius: .25rem; background: #eef; margin-right: .3rem; }
.gecc-tag-mandatory { background: #fde2e1; color: #8a1c1c; }
.gecc-criterion details { font-size: .92rem; color: #333; }
.gecc-status { flex-wrap: wrap; max-width: 100%; }
.gecc-status .widget-toggle-button { margin: .15rem .3rem .15rem 0; min-width: 6rem; height: auto; min-height: 2.2rem; }
.gecc-status .widget-toggle-button.mod-active { background: #1f6feb; color: #fff; font-weight: 600; }
.gecc-note textarea { min-height: 3rem; font-size: .95rem; }
.gecc-note, .gecc-status, .gecc-join-name, .gecc-join-office { width: 100% !important; max-width: 100%; }
.gecc-score-box { border: 2px solid #1f6feb; border-radius: .5rem; padding: .6rem .8rem; }
.gecc-score-percent { font-size: 2rem; font-weight: 700; }
.gecc-saved { color: #1a7f37; font-size: .9rem; min-height: 1.4rem; }
.gecc-saved.gecc-error { color: #b42318; }
.gecc-message { font-size: 1.05rem; }
.gecc-link { word-break: break-all; }
</style>
"""


def notice_html(standard: Standard, lang: str = "th") -> str:
    """The one-line "illustrative" notice, or nothing for an official criteria file."""
    if not standard.illustrative:
        return ""
    text = _pick(standard.notice_th, standard.notice_en, lang)
    return f"<div class='gecc-notice gecc-illustrative'>{_esc(text)}</div>"


def _esc(text: str) -> str:
    return html.escape(text or "", quote=True)


def _html(value: str, *classes: str) -> W.HTML:
    w = W.HTML(value=value)
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
    """

    def __init__(self, standard: Standard, factor_id: str, store: Store, participant: Participant, link: str = "", lang: str = "th"):
        self.standard = standard
        self.factor = get_factor(factor_id)
        self.store = store
        self.participant = participant
        self.lang = lang
        self.criteria = standard.for_factor(self.factor.id)
        self.answers: dict[str, Answer] = store.answers(participant.id)
        self._reverting = False
        self.status_widgets: dict[str, W.ToggleButtons] = {}
        self.note_widgets: dict[str, W.Textarea] = {}
        self.saved = _html("", "gecc-saved")
        self.score_html = _html("", "gecc-score")
        self.gaps_html = _html("", "gecc-gaps")
        rows = [self._create_row(c) for c in self.criteria]
        header = _html(
            f"{_CSS}{notice_html(standard, lang)}"
            f"<p>{_esc(label('hello', lang))} <b class='gecc-participant-name'>{_esc(participant.display_name)}</b></p>"
            + (_link_html(link, lang) if link else "")
        )
        self.widget = W.VBox([header, *rows, self.saved, self.score_html, self.gaps_html])
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
        title = _pick(c.title_th, c.title_en, lang)
        details = []
        guidance = _pick(c.guidance_th, c.guidance_en, lang)
        evidence = _pick(c.evidence_th, c.evidence_en, lang)
        if guidance:
            details.append(f"<p><b>{_esc(label('guidance', lang))}:</b> {_esc(guidance)}</p>")
        if evidence:
            details.append(f"<p><b>{_esc(label('evidence', lang))}:</b> {_esc(evidence)}</p>")
        if c.act_ref:
            details.append(f"<p><b>{_esc(label('act', lang))}:</b> {_esc(c.act_ref)}</p>")
        more = f"<details><summary>{_esc(label('guidance', lang))}</summary>{''.join(details)}</details>" if details else ""
        head = _html(f"<div class='gecc-criterion-title'>{_esc(c.id)} {_esc(title)}</div><div>{tags}</div>{more}")

        options = [(_pick(s.label_th, s.label_en, lang), s.value) for s in Status]
        status = W.ToggleButtons(
            options=options,
            value=saved.status.value if saved.status else None,
            style={"button_width": "auto"},
            layout=W.Layout(width="100%"),
        )
        status.add_class("gecc-status")
        status.add_class(f"gecc-status-{c.id}")
        status.observe(lambda change, cid=c.id: self._on_status(cid, change["new"]), names="value")

        note = W.Textarea(
            value=saved.note,
            placeholder=label("note_placeholder", lang),
            continuous_update=True,  # every keystroke is saved: a closed tab loses nothing
            layout=W.Layout(width="100%"),
        )
        note.add_class("gecc-note")
        note.add_class(f"gecc-note-{c.id}")
        note.observe(lambda change, cid=c.id: self._on_note(cid, change["new"]), names="value")

        self.status_widgets[c.id] = status
        self.note_widgets[c.id] = note
        row = W.VBox([head, status, note], layout=W.Layout(width="100%"))
        row.add_class("gecc-criterion")
        row.add_class(f"gecc-criterion-{c.id}")
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

    def _on_note(self, criterion_id: str, value: str) -> None:
        # On failure the text stays on screen (nothing typed is thrown away); the next keystroke retries.
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
            return False
        self.saved.remove_class("gecc-error")
        self.saved.value = f"✓ {_esc(label('saved', self.lang))} {datetime.now():%H:%M:%S}"
        return True

    # --- drawing -----------------------------------------------------------------------

    def result(self) -> Score:
        """The current score of this factor."""
        return score(self.standard, self.answers, self.factor.id)

    def _update(self) -> None:
        lang = self.lang
        s = self.result()
        if s.level:
            level = _pick(s.level.name_th, s.level.name_en, lang)
        elif not s.applicable:
            level = label("nothing_applicable", lang)
        else:
            first = self.standard.levels[0]
            level = label("no_level", lang).format(first=_pick(first.name_th, first.name_en, lang))
        shown = f"{s.percent:.1f}%" if s.applicable else "—"
        counts = " · ".join(
            f"{_esc(_pick(st.label_th, st.label_en, lang))} {s.counts[st.value]}" for st in Status
        ) + f" · {_esc(label('unanswered', lang))} {s.counts['unanswered']}"
        unmet = ""
        if s.mandatory_unmet:
            ids = ", ".join(_esc(c.id) for c in s.mandatory_unmet)
            unmet = f"<div class='gecc-mandatory-unmet'>{_esc(label('mandatory_unmet', lang))}: {ids}</div>"
        self.score_html.value = (
            f"<div class='gecc-score-box'><div>{_esc(label('score_title', lang))}</div>"
            f"<div class='gecc-score-percent' data-percent='{s.percent:.1f}'>{shown}</div>"
            f"<div>{_esc(label('level', lang))}: <b class='gecc-level'>{_esc(level)}</b></div>"
            f"<div class='gecc-counts'>{counts}</div>{unmet}</div>"
        )
        answered_gaps = [g for g in s.gaps if g.status is not None]
        if answered_gaps:
            items = "".join(
                f"<li data-criterion='{_esc(g.criterion.id)}'>"
                + (f"<span class='gecc-tag gecc-tag-mandatory'>{_esc(label('mandatory', lang))}</span>" if g.criterion.mandatory else "")
                + f"{_esc(g.criterion.id)} {_esc(_pick(g.criterion.title_th, g.criterion.title_en, lang))}"
                + f" <i>({_esc(_pick(g.status.label_th, g.status.label_en, lang))})</i></li>"
                for g in answered_gaps
            )
            body = f"<ol>{items}</ol>"
        else:
            body = f"<p>{_esc(label('no_gaps', lang))}</p>"
        self.gaps_html.value = f"<h3>{_esc(label('gaps_title', lang))}</h3>{body}"

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


class JoinForm:
    """Greets someone without a known participant token and lets them join.

    Joining shows the personal link and sends the browser to it, so the page
    is then built from the store exactly as when the link is opened later.
    """

    def __init__(self, standard: Standard, factor_id: str, store: Store, request: Request, reason: str, lang: str = "th"):
        self.standard, self.factor_id, self.store, self.request, self.lang = standard, factor_id, store, request, lang
        self.participant: Participant | None = None
        self.message = _html(f"<p class='gecc-message'>{_esc(label(reason, lang))}</p>", "gecc-join-message")
        self.name = W.Text(placeholder=label("join_name", lang), description="", layout=W.Layout(width="100%"))
        self.name.add_class("gecc-join-name")
        self.office = W.Text(placeholder=label("join_office", lang), layout=W.Layout(width="100%"))
        self.office.add_class("gecc-join-office")
        self.button = W.Button(description=label("join_button", lang), button_style="primary")
        self.button.add_class("gecc-join-button")
        self.button.on_click(lambda _b: self._join())
        self.feedback = _html("", "gecc-join-feedback")
        self.form = W.VBox([self.name, self.office, self.button, self.feedback])
        title = _html(f"{_CSS}<h2>{_esc(label('join_title', lang))}</h2>")
        self.widget = W.VBox([title, self.message, self.form])
        self.widget.add_class("gecc-app")
        self.widget.add_class("gecc-join")

    def _join(self) -> None:
        name, office = self.name.value.strip(), self.office.value.strip()
        if not name:
            self.feedback.value = f"<p class='gecc-error'>{_esc(label('join_need_name', self.lang))}</p>"
            return
        if len(name) > MAX_NAME or len(office) > MAX_NAME:
            self.feedback.value = f"<p class='gecc-error'>{_esc(label('join_too_long', self.lang))}</p>"
            return
        self.button.disabled = True
        try:
            p = self.store.join(self.request.workshop_code, name, office)
        except Exception:
            log.exception("join failed")
            self.feedback.value = f"<p class='gecc-error'>{_esc(label('broken', self.lang))}</p>"
            self.button.disabled = False
            return
        self.participant = p
        link = self.request.link(p.token)
        # A meta refresh (honoured when inserted into the page) takes the browser to the personal
        # link: declarative, so it does not depend on when the front end runs script outputs.
        self.message.value = (
            f"<p class='gecc-message'>{_esc(label('join_done', self.lang))}</p>"
            f"{_link_html(link, self.lang)}"
            f"<meta http-equiv='refresh' content='0; url={_esc(link)}'>"
        )
        self.widget.children = [self.message]

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _link_html(link: str, lang: str) -> str:
    return (
        f"<p class='gecc-personal-link-box'>{_esc(label('personal_link', lang))}:<br>"
        f"<a class='gecc-link gecc-personal-link' href='{_esc(link)}'>{_esc(link)}</a></p>"
    )


def _message(key: str, lang: str = "th") -> W.HTML:
    w = _html(f"{_CSS}<p class='gecc-message'>{_esc(label(key, lang))}</p>", "gecc-app", "gecc-page-message")
    return w


def assessment_page(factor_id: str, lang: str = "th"):
    """The self-assessment of one factor for whoever opened this page.

    Reads the workshop code and token from the URL (see :mod:`gecc_kit.session`)
    and returns an :class:`AssessmentApp`, a :class:`JoinForm`, or a short Thai
    message when the link cannot work. Never raises to the page.
    """
    try:
        request = current_request()
        standard = open_standard()
        store = open_store()
        if not request.workshop_code:
            return _message("no_workshop", lang)
        try:
            store.workshop(request.workshop_code)
        except UnknownWorkshop:
            return _message("unknown_workshop", lang)
        if not request.token:
            return JoinForm(standard, factor_id, store, request, "join_welcome", lang)
        try:
            participant = store.participant(request.workshop_code, request.token)
        except UnknownParticipant:
            return JoinForm(standard, factor_id, store, request, "join_unknown", lang)
        return AssessmentApp(standard, factor_id, store, participant, request.link(), lang)
    except GeccError:
        log.exception("page could not be built")
        return _message("broken", lang)
    except Exception:
        log.exception("unexpected error while building the page")
        return _message("broken", lang)
