"""The response store: answers saved at once, upserted, kept across restarts,
and never lost or refused when many kernels write the same SQLite file."""
from __future__ import annotations

import multiprocessing as mp
import sqlite3
import time
import traceback

import pytest

from gecc_kit import Status, StoreError, UnknownParticipant, UnknownWorkshop
from gecc_kit.store import SCHEMA_VERSION, Store
from conftest import POSTGRES_URL, _drop_all


def test_sqlite_store_uses_wal_and_a_busy_timeout(sqlite_store):
    with sqlite_store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    assert sqlite_store.schema_version() == SCHEMA_VERSION


def test_schema_version_is_recorded(store):
    assert store.schema_version() == SCHEMA_VERSION


def test_join_gives_unguessable_distinct_tokens(store):
    store.ensure_workshop("room1")
    tokens = {store.join("ROOM1", f"คนที่ {i}").token for i in range(50)}
    assert len(tokens) == 50
    assert all(len(t) >= 20 for t in tokens)


def test_workshop_codes_are_normalised_and_checked(store):
    assert store.ensure_workshop(" gecc-68 ").code == "GECC-68"
    assert store.workshop("gecc-68").code == "GECC-68"
    with pytest.raises(UnknownWorkshop):
        store.workshop("NOPE")
    with pytest.raises(UnknownWorkshop):
        store.ensure_workshop("bad code!")


def test_participant_lookup_needs_the_right_workshop_and_token(store):
    store.ensure_workshop("A")
    store.ensure_workshop("B")
    p = store.join("A", "สมหญิง")
    assert store.participant("A", p.token).display_name == "สมหญิง"
    with pytest.raises(UnknownParticipant):
        store.participant("B", p.token)
    with pytest.raises(UnknownParticipant):
        store.participant("A", p.token[:-1])
    with pytest.raises(UnknownParticipant):
        store.participant("A", "")


def test_status_and_note_are_upserted_separately(store):
    store.ensure_workshop("W")
    p = store.join("W", "x")
    store.save_answer(p.id, "L01", status=Status.MET)
    store.save_answer(p.id, "L01", note="ป้ายชัดเจน")
    store.save_answer(p.id, "L01", status="partial")
    store.save_answer(p.id, "L02", note="only a note")
    got = store.answers(p.id)
    assert got["L01"].status is Status.PARTIAL and got["L01"].note == "ป้ายชัดเจน"
    assert got["L02"].status is None and got["L02"].note == "only a note"
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM answers").scalar() == 2
        created, updated = conn.exec_driver_sql("SELECT created_at, updated_at FROM answers WHERE criterion_id='L01'").one()
        assert updated >= created
        assert updated > created  # three writes: the row was updated, not replaced


def test_participant_text_is_stored_verbatim(store):
    """HTML and SQL typed by a participant come back exactly as typed."""
    store.ensure_workshop("W")
    name = "<img src=x onerror=alert(1)>'; DROP TABLE answers;--"
    p = store.join("W", name, office="สอจ. <b>เชียงใหม่</b>")
    store.save_answer(p.id, "L01", note=name)
    again = store.participant("W", p.token)
    assert again.display_name == name and again.office == "สอจ. <b>เชียงใหม่</b>"
    assert store.answers(p.id)["L01"].note == name


def test_answers_survive_reopening_the_store(store):
    store.ensure_workshop("W")
    p = store.join("W", "x")
    store.save_answer(p.id, "S01", status="met", note="n")
    store.close()
    again = Store(store.url)
    assert again.answers(again.participant("W", p.token).id)["S01"].status is Status.MET
    again.close()


def test_a_bad_url_is_a_clear_store_error(tmp_path):
    with pytest.raises(StoreError):
        Store("not a url at all")


def test_a_store_from_a_newer_kit_is_refused(store_url):
    Store(store_url).close()
    conn = sqlite3.connect(store_url.removeprefix("sqlite:///"))
    conn.execute("UPDATE schema_info SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer gecc-kit"):
        Store(store_url)


WRITERS = 20
WRITES_EACH = 60  # two writes each (status, then note): 2,400 writes in all
CRITERIA = 20
STATUSES = ["met", "partial", "not_yet", "na"]


def _writer(url: str, token: str, barrier, errors) -> None:
    try:
        s = Store(url)  # each process opens (and races to prepare) the store itself
        p = s.participant("BURST", token)
        barrier.wait(timeout=60)
        for i in range(WRITES_EACH):
            cid = f"C{i % CRITERIA:02d}"
            s.save_answer(p.id, cid, status=STATUSES[i % 4])
            s.save_answer(p.id, cid, note=f"{token}-{i}")
    except BaseException:
        errors.put(traceback.format_exc())


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request, store_url):
    if request.param == "sqlite":
        yield store_url
        return
    if not POSTGRES_URL:
        pytest.skip("GECC_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)")
    _drop_all(POSTGRES_URL)
    yield POSTGRES_URL
    _drop_all(POSTGRES_URL)


@pytest.mark.slow
def test_twenty_writer_processes_lose_nothing(shared_url):
    """20 processes writing the same store at once: every write lands, none sees 'locked'."""
    store_url = shared_url
    setup = Store(store_url)
    setup.ensure_workshop("BURST")
    people = [setup.join("BURST", f"writer {i}") for i in range(WRITERS)]
    setup.close()
    ctx = mp.get_context("spawn")
    barrier, errors = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(store_url, p.token, barrier, errors)) for p in people]
    for proc in procs:
        proc.start()
    deadline = time.monotonic() + 180
    for proc in procs:
        proc.join(max(0.1, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():  # never leave a writer behind
            proc.kill()
            proc.join()
    problems = []
    while not errors.empty():
        problems.append(errors.get())
    assert not problems, problems[0]
    assert all(proc.exitcode == 0 for proc in procs)

    check = Store(store_url)
    for p in people:
        got = check.answers(p.id)
        assert len(got) == CRITERIA
        for k in range(CRITERIA):
            last = max(i for i in range(WRITES_EACH) if i % CRITERIA == k)  # the last write wins
            assert got[f"C{k:02d}"].note == f"{p.token}-{last}"
            assert got[f"C{k:02d}"].status.value == STATUSES[last % 4]


def test_a_relative_sqlite_path_means_the_same_file_from_any_folder(tmp_path, monkeypatch):
    """`--store sqlite:///answers.sqlite` is resolved once: kernels run in notebooks/, elsewhere."""
    monkeypatch.chdir(tmp_path)
    s = Store("sqlite:///answers/gecc.sqlite")
    assert s.url == "sqlite:///" + str(tmp_path / "answers" / "gecc.sqlite")
    s.ensure_workshop("REL")
    s.close()
    elsewhere = tmp_path / "notebooks"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert Store(s.url).workshop("REL").code == "REL"


def test_plan_items_are_upserted_field_by_field_and_kept(store):
    from datetime import date

    store.ensure_workshop("P1")
    p = store.join("P1", "ก")
    store.save_plan_item(p.id, "L08", action="ติดคู่มือฉบับใหม่")
    store.save_plan_item(p.id, "L08", owner="'; DROP TABLE answers;--", due=date(2027, 2, 1))
    store.save_plan_item(p.id, "L08", chosen=False)
    item = store.plan(p.id)["L08"]
    assert (item.chosen, item.action, item.owner, item.due) == (False, "ติดคู่มือฉบับใหม่", "'; DROP TABLE answers;--", date(2027, 2, 1))
    with pytest.raises(StoreError):
        store.save_plan_item(p.id, "L08", action="x" * 5000)
    assert store.plan(p.id)["L08"].action == "ติดคู่มือฉบับใหม่"


def test_quiz_choices_per_phase(store):
    store.ensure_workshop("Q1")
    p = store.join("Q1", "ก")
    store.save_quiz_choice(p.id, "pre", "Q01", "a")
    store.save_quiz_choice(p.id, "pre", "Q01", "c")
    store.save_quiz_choice(p.id, "post", "Q01", "b")
    assert store.quiz_choices(p.id) == {"pre": {"Q01": "c"}, "post": {"Q01": "b"}}
    with pytest.raises(ValueError):
        store.save_quiz_choice(p.id, "during", "Q01", "a")
    with pytest.raises(ValueError):
        store.save_quiz_choice(p.id, "pre", "Q01", "e")


def test_a_store_from_the_first_version_is_upgraded_and_keeps_its_answers(store_url):
    """A workshop store written by schema 1 (before plans and the knowledge check) opens,
    gains the new tables, and keeps every answer."""
    from sqlalchemy import create_engine

    from gecc_kit.store import answers, participants, schema_info, workshops

    engine = create_engine(store_url)
    for table in (schema_info, workshops, participants, answers):
        table.create(engine)
    with engine.begin() as conn:
        conn.execute(schema_info.insert().values(version=1))
    engine.dispose()
    old = Store(store_url)
    old.ensure_workshop("OLD")
    p = old.join("OLD", "ก")
    old.save_answer(p.id, "L01", status="met")
    old.close()
    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE plan_items")
        conn.exec_driver_sql("DROP TABLE quiz_answers")
        conn.execute(schema_info.update().values(version=1))
    engine.dispose()
    upgraded = Store(store_url)
    assert upgraded.schema_version() == SCHEMA_VERSION
    assert upgraded.answers(p.id)["L01"].status is Status.MET
    upgraded.save_plan_item(p.id, "L01", action="ต่อ")
    upgraded.save_quiz_choice(p.id, "pre", "Q01", "a")
    assert upgraded.plan(p.id)["L01"].action == "ต่อ"
