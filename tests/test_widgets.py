"""Widgets: does setting a control change the model and the store, and is
typed text shown as text?"""
from __future__ import annotations

import pytest

from gecc_kit import Status, score
from gecc_kit.pages import assessment_page
from gecc_kit.widgets import AssessmentApp, JoinForm
from gecc_kit.session import Request, open_store

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def participant(store):
    store.ensure_workshop("W1")
    return store.join("W1", XSS)


def test_status_click_saves_and_rescores(standard, store, participant):
    app = AssessmentApp(standard, "location", store, participant)
    assert app.result().percent == 0
    app.status_widgets["L01"].value = "met"
    app.status_widgets["L05"].value = "partial"
    assert store.answers(participant.id)["L01"].status is Status.MET
    assert store.answers(participant.id)["L05"].status is Status.PARTIAL
    weights = {c.id: c.weight for c in standard.for_factor("location")}
    expected = 100 * (weights["L01"] + weights["L05"] / 2) / sum(weights.values())
    assert app.result().percent == pytest.approx(expected)
    assert f"{expected:.1f}%" in app.score_html.value
    assert "บันทึกแล้ว" in app.saved.value


def test_note_is_saved_verbatim_as_typed(standard, store, participant):
    app = AssessmentApp(standard, "location", store, participant)
    app.note_widgets["L02"].value = XSS
    assert store.answers(participant.id)["L02"].note == XSS


def test_reopening_shows_saved_answers(standard, store, participant):
    first = AssessmentApp(standard, "location", store, participant)
    first.status_widgets["L03"].value = "not_yet"
    first.note_widgets["L03"].value = "ทางลาดชันเกินไป"
    again = AssessmentApp(standard, "location", store, participant)
    assert again.status_widgets["L03"].value == "not_yet"
    assert again.note_widgets["L03"].value == "ทางลาดชันเกินไป"
    assert "L03" in again.gaps_html.value


def test_name_is_escaped_in_the_page(standard, store, participant):
    app = AssessmentApp(standard, "location", store, participant)
    html = app.widget.children[0].value
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_every_control_has_a_gecc_class(standard, store, participant):
    app = AssessmentApp(standard, "location", store, participant)
    for cid, w in app.status_widgets.items():
        assert {"gecc-status", f"gecc-status-{cid}"} <= set(w._dom_classes)
    for cid, w in app.note_widgets.items():
        assert {"gecc-note", f"gecc-note-{cid}"} <= set(w._dom_classes)


def test_illustrative_notice_is_shown(standard, store, participant):
    app = AssessmentApp(standard, "location", store, participant)
    assert standard.notice_th in app.widget.children[0].value


def test_a_failed_save_is_said_in_thai_and_the_screen_matches_the_store(standard, store, participant, monkeypatch):
    """When the store refuses a write, the page says so in one Thai sentence, shows what the
    store holds, keeps a typed note on screen, and the next try saves."""
    app = AssessmentApp(standard, "location", store, participant)
    app.status_widgets["L01"].value = "partial"
    real_save = store.save_answer

    def broken(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "save_answer", broken)
    app.status_widgets["L01"].value = "met"
    assert "บันทึกไม่สำเร็จ" in app.saved.value and "disk full" not in app.saved.value
    assert app.status_widgets["L01"].value == "partial" == store.answers(participant.id)["L01"].status.value
    assert app.result().percent == pytest.approx(score(standard, store.answers(participant.id), "location").percent)
    app.note_widgets["L01"].value = "ป้ายอยู่หลังต้นไม้"
    assert app.note_widgets["L01"].value == "ป้ายอยู่หลังต้นไม้"  # nothing typed is thrown away

    monkeypatch.setattr(store, "save_answer", real_save)
    app.status_widgets["L01"].value = "met"
    app.note_widgets["L01"].value = "ป้ายอยู่หลังต้นไม้ ย้ายแล้ว"
    saved = store.answers(participant.id)["L01"]
    assert saved.status is Status.MET and saved.note == "ป้ายอยู่หลังต้นไม้ ย้ายแล้ว"
    assert "บันทึกแล้ว" in app.saved.value


def test_a_factor_with_nothing_applicable_shows_a_dash_not_zero(standard, store, participant):
    app = AssessmentApp(standard, "location", store, participant)
    for w in app.status_widgets.values():
        w.value = "na"
    assert ">—<" in app.score_html.value and "ไม่เกี่ยวข้อง" in app.score_html.value


def test_a_factor_page_shows_no_level_of_its_own(standard, store, participant):
    """A certification level belongs to a whole centre: a factor page shows its percent and
    points to the summary for the level (content review P10)."""
    app = AssessmentApp(standard, "location", store, participant)
    for c in standard.for_factor("location"):
        store.save_answer(participant.id, c.id, status="met")
    app = AssessmentApp(standard, "location", store, participant)
    assert "100.0%" in app.score_html.value
    assert not any(level.name_th in app.score_html.value for level in standard.levels)
    assert "ทั้งศูนย์" in app.score_html.value


def test_join_form_creates_participant_and_sends_the_browser_to_the_personal_link(standard, store):
    store.ensure_workshop("W2")
    request = Request("W2", "", "http://host:8866/voila/render/01-location.ipynb")
    form = JoinForm(store, request, "join_welcome")
    form.button.click()
    assert form.participant is None and "กรุณากรอกชื่อ" in form.feedback.value
    form.name.value = "ก" * 121
    form.button.click()
    assert form.participant is None and "ยาวเกิน 120" in form.feedback.value
    form.name.value = XSS
    form.button.click()
    p = form.participant
    assert p.display_name == XSS
    link = f"http://host:8866/voila/render/01-location.ipynb?w=W2&amp;p={p.token}"
    assert f"href='{link}'" in form.message.value
    assert f"http-equiv='refresh' content='0; url={link}'" in form.message.value
    assert store.participant("W2", p.token).id == p.id


def test_replayed_join_clicks_from_one_page_create_one_participant(standard, store):
    store.ensure_workshop("W3")
    form = JoinForm(store, Request("W3", "", "http://host:8866/voila/render/00-welcome.ipynb"), "join_welcome")
    form.name.value = "สคริปต์"
    for _ in range(50):  # the click message sent again and again over the page's websocket
        form.button._handle_button_msg(None, {"event": "click"}, [])
    assert [p.display_name for p in store.participants("W3")] == ["สคริปต์"]


def test_the_assessment_shows_the_personal_link(standard, store, participant):
    app = AssessmentApp(standard, "location", store, participant, link="http://h/p.ipynb?w=W1&p=tok")
    assert "href='http://h/p.ipynb?w=W1&amp;p=tok'" in app.widget.children[0].value


@pytest.mark.parametrize(
    "query, expected",
    [("", "กรอกชื่อเพื่อเริ่ม"), ("p=unknown-token", "ไม่พบผู้เข้าร่วม"), ("w=NOWHERE", "ไม่มีในระบบ")],
)
def test_page_from_url(monkeypatch, store_url, query, expected):
    """A missing or unknown token gets the join form; an unknown workshop a Thai message."""
    monkeypatch.setenv("GECC_STORE_URL", store_url)
    monkeypatch.setenv("GECC_WORKSHOP", "W3")
    monkeypatch.setenv("QUERY_STRING", query)
    open_store.cache_clear()
    open_store().ensure_workshop("W3")
    page = assessment_page("location")
    if "w=" in query:
        assert not isinstance(page, JoinForm) and expected in page.value
    else:
        assert isinstance(page, JoinForm) and expected in page.message.value


def test_page_for_a_known_token(monkeypatch, store_url):
    monkeypatch.setenv("GECC_STORE_URL", store_url)
    open_store.cache_clear()
    s = open_store()
    s.ensure_workshop("W4")
    p = s.join("W4", "ผู้ทดสอบ")
    s.save_answer(p.id, "L04", status="met")
    monkeypatch.setenv("QUERY_STRING", f"w=w4&p={p.token}")
    page = assessment_page("location")
    assert isinstance(page, AssessmentApp)
    assert page.status_widgets["L04"].value == "met"


def test_a_broken_store_gives_a_thai_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("GECC_STORE_URL", "postgresql+nosuchdriver://x/y")
    monkeypatch.setenv("QUERY_STRING", "w=W5&p=abc")
    open_store.cache_clear()
    page = assessment_page("location")
    assert "ระบบขัดข้อง" in page.value


def test_a_note_too_long_is_refused_on_its_row_and_the_saved_note_is_kept(standard, store, participant):
    from gecc_kit.text import MAX_TEXT

    app = AssessmentApp(standard, "location", store, participant)
    app.note_widgets["L01"].value = "บันทึกเดิม"
    assert store.answers(participant.id)["L01"].note == "บันทึกเดิม"
    app.note_widgets["L01"].value = "ก" * 1_000_000  # a pasted megabyte
    assert store.answers(participant.id)["L01"].note == "บันทึกเดิม", "the stored note is unchanged"
    row = app.rows["L01"]
    assert "gecc-save-failed" in row._dom_classes
    assert f"ยาวเกิน {MAX_TEXT:,} ตัวอักษร" in row.children[0].value and "ไม่ได้บันทึก" in row.children[0].value
    app.note_widgets["L01"].value = "สั้นลงแล้ว"
    assert store.answers(participant.id)["L01"].note == "สั้นลงแล้ว"
    assert "gecc-save-failed" not in row._dom_classes and "gecc-row-problem" not in row.children[0].value


def test_names_are_kept_normalised_without_direction_or_invisible_characters(standard, store):
    store.ensure_workshop("W4")
    form = JoinForm(store, Request("W4", "", "http://host:8866/voila/render/00-welcome.ipynb"), "join_welcome")
    form.name.value = "\u202eสม\u200bชาย\u00a0 ใจดี\u2066"
    form.button.click()
    assert form.participant.display_name == "สมชาย ใจดี"
    invisible = JoinForm(store, Request("W4", "", "http://host:8866/voila/render/00-welcome.ipynb"), "join_welcome")
    invisible.name.value = "\u200b\u200d\u2060"
    invisible.button.click()
    assert invisible.participant is None and "กรุณากรอกชื่อ" in invisible.feedback.value
    decomposed = store.join("W4", "e\u0301")  # the store itself keeps names in NFC
    assert decomposed.display_name == "\u00e9"


def test_joins_beyond_the_rooms_rate_wait_with_a_thai_message(standard, store, monkeypatch):
    """Fresh pages (one join each) replayed by a script: past the workshop's joins per minute the
    join is refused in Thai and nothing is created; the form can be sent again later."""
    monkeypatch.setenv("GECC_JOINS_PER_MINUTE", "5")
    store.ensure_workshop("W5")
    forms = []
    for i in range(8):
        form = JoinForm(store, Request("W5", "", "http://host:8866/voila/render/00-welcome.ipynb"), "join_welcome")
        form.name.value = f"คนที่ {i}"
        form.button.click()
        forms.append(form)
    assert len(store.participants("W5")) == 5
    refused = forms[-1]
    assert refused.participant is None and "กรุณารอสักครู่" in refused.feedback.value
    assert not refused.button.disabled, "it can be pressed again"
