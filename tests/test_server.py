"""The served app: `gecc-kit serve` driven in a real Chromium, as a participant
would use it, and probed for what it must never hand out."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gecc_kit import Status, load_standard, score
from gecc_kit.quiz import load_questions
from gecc_kit.store import Store
from conftest import NOTEBOOKS, SAMPLE_CRITERIA

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE = "/voila/render/01-location.ipynb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


DECOYS = {  # files a careless facilitator might leave in the served folder
    "gecc.sqlite": b"SQLite format 3\x00 decoy store",
    "criteria.csv": "id,factor,title_th\nX1,location,ลับ\n".encode(),
    "helper.py": b"SECRET = 'assessment_page'\n",
    ".env": b"GECC_STORE_URL=postgresql://user:secret@db/gecc\n",
    "voila.json": b'{"secret": "title_th"}',
    "kernels.log": b"Traceback (most recent call last): secret\n",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def served_copy(tmp: Path) -> Path:
    """A copy of the kit's notebooks, with decoy files beside them and one picture."""
    folder = tmp / "served"
    folder.mkdir()
    for nb in NOTEBOOKS.glob("**/*.ipynb"):
        target = folder / nb.relative_to(NOTEBOOKS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(nb, target)
    for name, data in DECOYS.items():
        (folder / name).write_bytes(data)
    (folder / "logo.png").write_bytes(PNG)
    return folder


class Server:
    def __init__(self, tmp: Path, host: str = "127.0.0.1", port: int | None = None, extra: tuple[str, ...] = ()):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.var = tmp / "var"
        self.store_path = self.var / "gecc.sqlite"
        self.store_url = "sqlite:///" + str(self.store_path)
        self.log = open(tmp / "server.log", "a+")
        self.notebooks = tmp / "served"
        env = dict(os.environ, GECC_VAR_DIR=str(self.var))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gecc_kit.cli", "serve", "--host", host, "--port", str(self.port),
             "--store", self.store_url, "--workshop", "E2E", "--notebooks", str(self.notebooks if self.notebooks.exists() else served_copy(tmp)),
             *extra],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its kernels go down with it
        )
        deadline = time.time() + 90
        while time.time() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                if http_get(self.base + "/gecc-ping")[0] == 404:  # up (and no kernel started to say so)
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError("server did not start:\n" + self.output())

    def pool(self) -> tuple[int, int, int] | None:
        """(ready, target, starting) from the second line of /healthz; None while nothing is kept ready."""
        lines = http_get(self.base + "/healthz")[1].decode().splitlines()
        found = re.fullmatch(r"ready (\d+) of (\d+), starting (\d+), kernels \d+", lines[1]) if len(lines) > 1 else None
        return tuple(int(x) for x in found.groups()) if found else None

    def wait_ready(self, timeout: float = 300) -> float:
        """Wait until every ready kernel the server wants has started and run its page (Voilà's
        "pool is filled" line comes before that); return how long it took."""
        t0 = time.time()
        while time.time() - t0 < timeout:
            pool = self.pool()
            if pool and pool[1] > 0 and pool[0] >= pool[1] and pool[2] == 0:
                return time.time() - t0
            time.sleep(0.5)
        raise AssertionError(f"ready kernels not up in {timeout:.0f} s ({self.pool()}):\n" + self.output()[-2000:])

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = Server(tmp_path_factory.mktemp("served"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="th-TH")
    pg = context.new_page()
    pg.dialogs = []
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def status_button(page, cid: str, label: str):
    return page.locator(f".gecc-status-{cid}").get_by_role("button", name=label, exact=True)


def active_label(page, cid: str) -> str | None:
    active = page.locator(f".gecc-status-{cid} button.mod-active")
    return active.inner_text().strip() if active.count() else None


def open_as(page, base: str, token: str, criterion: str) -> None:
    """Open the location page with a participant's link and wait for a criterion's row."""
    page.goto(f"{base}{PAGE}?w=E2E&p={token}")
    page.wait_for_selector(f".gecc-criterion-{criterion}", timeout=60_000)


def pre_tested(store: Store, participant):
    """A participant who has done the pre-test: teaching pages (journey.AFTER_PRE_TEST) open after it."""
    for q in load_questions():
        store.save_quiz_choice(participant.id, "pre", q.id, "a")
    return participant


def stored(store: Store, participant_id: int, criterion: str, status: Status, note: str | None = None) -> bool:
    a = store.answers(participant_id).get(criterion)
    return bool(a) and a.status is status and (note is None or a.note == note)


def kernel_id_of(page: bytes) -> str:
    """The id of the kernel a served page runs on (from Voila's page config)."""
    import json
    import re

    config = re.search(rb'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', page, re.S)
    return json.loads(config.group(1))["kernelId"]


def live_kernels(server_pid: int) -> set[str]:
    """The ids of the server's kernel processes still running (from their connection files' names)."""
    import re

    import psutil

    ids = set()
    for proc in psutil.Process(server_pid).children(recursive=True):
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            found = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(proc.cmdline()))
        except psutil.Error:
            continue
        if found:
            ids.add(found.group(1))
    return ids


def wait_until(fn, timeout=15.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.2)
    return fn()


def test_banner_tells_the_facilitator_what_to_share(server):
    out = server.output()
    link = f"{server.base}/voila/render/00-welcome.ipynb?w=E2E"
    assert link in out
    assert "E2E" in out and server.store_url.split("///")[1] in out
    # A QR code in the terminal, and as a PNG to project, that a phone's camera reads as the link.
    assert "▄▄▄▄▄" in out
    png = server.var / "join-qr.png"
    assert str(png) in out
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png)], capture_output=True, text=True, timeout=30)
    assert decoded.stdout.strip() == link
    # The facilitator key: printed, kept outside the served folder, readable by its owner only.
    key_file = server.var / "facilitator.key"
    key = key_file.read_text().strip()
    assert len(key) >= 20 and key in out
    assert key_file.stat().st_mode & 0o077 == 0
    for path in ("/voila/files/../var/facilitator.key", "/voila/files/..%2Fvar%2Ffacilitator.key", f"/voila/files/{key_file}"):
        status, body = http_get(server.base + path)
        assert status != 200 and key.encode() not in body


def test_answers_are_saved_and_restored_after_a_reload(server, page):
    """Answer three criteria and write a note; reload; everything is back, and in the store."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ผู้เข้าร่วมทดสอบ"))
    page.goto(f"{server.base}{PAGE}?w=E2E&p={p.token}")
    page.wait_for_selector(".gecc-status-L01", timeout=60_000)
    assert "ผู้เข้าร่วมทดสอบ" in page.inner_text(".gecc-assessment")

    status_button(page, "L01", "ผ่าน").click()
    status_button(page, "L02", "ผ่านบางส่วน").click()
    status_button(page, "L03", "ยังไม่ผ่าน").click()
    page.fill(".gecc-note-L02 textarea", "ที่จอดรถคนพิการ 2 ช่อง อยู่ไกลทางเข้า")
    expected = {"L01": Status.MET, "L02": Status.PARTIAL, "L03": Status.NOT_YET}
    saved = wait_until(
        lambda: (a := store.answers(p.id))
        and {k: a[k].status for k in expected if k in a} == expected
        and a["L02"].note == "ที่จอดรถคนพิการ 2 ช่อง อยู่ไกลทางเข้า"
    )
    assert saved, store.answers(p.id)

    page.reload()
    page.wait_for_selector(".gecc-status-L01", timeout=60_000)
    assert active_label(page, "L01") == "ผ่าน"
    assert active_label(page, "L02") == "ผ่านบางส่วน"
    assert active_label(page, "L03") == "ยังไม่ผ่าน"
    assert active_label(page, "L04") is None
    assert page.input_value(".gecc-note-L02 textarea") == "ที่จอดรถคนพิการ 2 ช่อง อยู่ไกลทางเข้า"

    # The score on screen is the kit's scoring of what the store holds.
    standard = load_standard(SAMPLE_CRITERIA)
    expected_score = score(standard, store.answers(p.id), "location")
    shown = page.get_attribute(".gecc-score-percent", "data-percent")
    assert float(shown) == pytest.approx(expected_score.percent, abs=0.05)
    assert "L03" in page.inner_text(".gecc-gaps")
    assert standard.notice_th in page.inner_text(".gecc-illustrative")
    store.close()


def test_joining_from_the_shared_link_gives_a_personal_link_that_resumes(server, page):
    """Open the room's link, join with a hostile name: the browser lands on the personal link;
    answer, reload: same person, same answer, no script ran."""
    name = "<img src=x onerror=alert(1)>'; DROP TABLE answers;--"
    page.goto(f"{server.base}{PAGE}?w=E2E")
    page.wait_for_selector(".gecc-join-name input", timeout=60_000)
    assert "เข้าร่วม" in page.inner_text(".gecc-join")
    page.fill(".gecc-join-name input", name)
    page.click(".gecc-join-button")
    page.wait_for_url("**p=**", timeout=20_000)
    # A newcomer on a teaching page is sent to the pre-test first; this test is about joining,
    # so the pre-test is done through the store and the personal link in the address bar reloaded.
    page.wait_for_selector(".gecc-pre-test-first", timeout=60_000)
    token = page.url.split("p=")[1]
    store = Store(server.store_url)
    p = pre_tested(store, store.participant("E2E", token))
    page.reload()
    page.wait_for_selector(".gecc-assessment .gecc-personal-link", timeout=60_000)
    link = page.inner_text(".gecc-assessment .gecc-personal-link")
    assert link == page.url and link.split("p=")[1] == token

    status_button(page, "L05", "ผ่าน").click()
    assert p.display_name == name
    assert wait_until(lambda: stored(store, p.id, "L05", Status.MET))

    page.reload()
    page.wait_for_selector(".gecc-status-L05", timeout=60_000)
    assert active_label(page, "L05") == "ผ่าน"
    assert name in page.inner_text(".gecc-participant-name")  # shown as text
    assert page.locator(".gecc-assessment img").count() == 0  # never as HTML
    assert page.dialogs == []
    store.close()


def test_an_unknown_token_gets_a_thai_message_and_a_way_to_join(server, page):
    page.goto(f"{server.base}{PAGE}?w=E2E&p=not-a-real-token")
    page.wait_for_selector(".gecc-join-name input", timeout=60_000)
    text = page.inner_text(".gecc-join")
    assert "ไม่พบผู้เข้าร่วม" in text
    assert "Traceback" not in page.content()


def test_one_participant_cannot_open_anothers_answers(server, page):
    """A link with a token one character off, or another workshop's code, never shows someone's answers."""
    store = Store(server.store_url)
    owner = pre_tested(store, store.join("E2E", "เจ้าของคำตอบ"))
    store.save_answer(owner.id, "L03", status="met", note="บันทึกส่วนตัวของเจ้าของ 4821")
    store.ensure_workshop("OTHER")
    near = owner.token[:-1] + ("A" if owner.token[-1] != "A" else "B")
    for query in (f"w=E2E&p={near}", f"w=OTHER&p={owner.token}", "w=E2E&p="):
        page.goto(f"{server.base}{PAGE}?{query}")
        page.wait_for_selector(".gecc-join, .gecc-page-message", timeout=60_000)
        body = page.locator("body").inner_text()
        assert "บันทึกส่วนตัวของเจ้าของ 4821" not in body and "เจ้าของคำตอบ" not in body, query
    open_as(page, server.base, owner.token, "L03")
    assert page.input_value(".gecc-note-L03 textarea") == "บันทึกส่วนตัวของเจ้าของ 4821"
    store.close()


def test_files_in_the_served_folder_are_not_handed_out(server):
    """A store, data, code, config or log file left beside the notebooks is refused; a picture is served."""
    for name in DECOYS:
        status, body = http_get(f"{server.base}/voila/files/{name}")
        assert status != 200 and DECOYS[name] not in body, name
        assert b"Traceback" not in body, name
    assert http_get(f"{server.base}/voila/files/logo.png") == (200, PNG)


def test_store_criteria_and_sources_are_not_served(server):
    """No URL hands out the store, the criteria file or a notebook's source."""
    rel_store = os.path.relpath(server.store_path, server.notebooks)
    candidates = [
        f"/voila/files/{rel_store}",
        f"/voila/files/{rel_store}".replace("../", "..%2F"),
        f"/voila/files/{server.store_path}",
        "/voila/files/../var/gecc.sqlite",
        "/voila/files/..%2Fvar%2Fgecc.sqlite",
        "/voila/files/../data/samples/criteria-2568.csv",
        "/voila/files/01-location.ipynb",
        "/files/01-location.ipynb",
        "/api/contents/01-location.ipynb",
        "/voila/files/../gecc_kit/store.py",
        "/static/../../var/gecc.sqlite",
    ]
    for path in candidates:
        status, body = http_get(server.base + path)
        assert status != 200, path
        assert b"SQLite format 3" not in body and b"title_th" not in body and b"assessment_page" not in body, path
        assert b"Traceback" not in body, path
    # and the store really is there, holding answers
    assert server.store_path.read_bytes()[:15] == b"SQLite format 3"


def test_the_bare_address_leads_to_the_welcome_page_not_a_file_list(server):
    """Someone who types only the host lands on the welcome page of the workshop; no folder listing."""
    import http.client

    for path in ("/", "/voila/tree", "/voila/tree/facilitator"):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        assert r.status == 302, path
        assert r.getheader("Location").endswith("/voila/render/00-welcome.ipynb?w=E2E"), path
        assert b"dashboard.ipynb" not in body and b"gecc.sqlite" not in body
        conn.close()


def test_a_missing_page_shows_no_traceback(server):
    status, body = http_get(server.base + "/voila/render/nope.ipynb")
    assert status == 404
    assert b"Traceback" not in body


def test_a_note_typed_just_before_the_tab_closes_is_kept(server, browser):
    """Type a note and close the tab: the note is in the store, with no blur or save button.

    Each keystroke is sent to the kernel as it is typed; the widget front end
    holds back a keystroke until the previous one is acknowledged (a round trip of
    tens of milliseconds here), so the tab is closed half a second after the last
    key, about the quickest a person reaches the close button."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ปิดแท็บเร็ว"))
    context = browser.new_context()
    page = context.new_page()
    open_as(page, server.base, p.token, "L07")
    status_button(page, "L07", "ผ่าน").click()
    page.locator(".gecc-note-L07 textarea").press_sequentially("มีช่องพิเศษ", delay=20)
    page.wait_for_timeout(500)
    context.close()  # no blur, no "save" button: the keystrokes themselves were saved
    assert wait_until(lambda: stored(store, p.id, "L07", Status.MET, "มีช่องพิเศษ"))
    store.close()


def test_a_note_too_long_says_so_on_its_row_and_the_saved_note_stays(server, page):
    """A pasted text over the limit (the kernel refuses a megabyte the same way: test_widgets): the
    row says in Thai it was not saved (not "saved"), the counter shows the limit, the stored note
    is the one from before; a shorter note is saved again."""
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "วางข้อความยาว"))
    store.save_answer(p.id, "L03", status="met", note="บันทึกเดิม")
    open_as(page, server.base, p.token, "L03")
    note = page.locator(".gecc-note-L03 textarea")
    note.fill("ก" * 2_500)
    row = page.locator(".gecc-criterion-L03")
    page.wait_for_selector(".gecc-criterion-L03[data-gecc-save='failed']", timeout=30_000)
    assert "ไม่ได้บันทึก" in row.locator(".gecc-save-mark").inner_text()
    assert "ยาวเกิน 2,000 ตัวอักษร" in row.locator(".gecc-row-problem").inner_text()
    assert "ยาวเกิน" in row.locator(".gecc-count").inner_text()
    assert store.answers(p.id)["L03"].note == "บันทึกเดิม"
    note.fill("สั้นลงแล้ว")
    page.wait_for_selector(".gecc-criterion-L03[data-gecc-save='saved']", timeout=30_000)
    assert wait_until(lambda: store.answers(p.id)["L03"].note == "สั้นลงแล้ว")
    assert row.locator(".gecc-row-problem").count() == 0
    store.close()


def test_answers_outlive_a_dead_kernel(server, page):
    """Kill every kernel after answering: the same link shows the answers again."""
    import psutil

    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "เคอร์เนลดับ"))
    open_as(page, server.base, p.token, "L09")
    status_button(page, "L09", "ไม่เกี่ยวข้อง").click()
    assert wait_until(lambda: stored(store, p.id, "L09", Status.NA))
    kernels = [c for c in psutil.Process(server.proc.pid).children(recursive=True) if "ipykernel" in " ".join(c.cmdline())]
    assert kernels
    for k in kernels:
        k.kill()
    psutil.wait_procs(kernels, timeout=10)
    # The open page says in Thai that it must be reloaded, rather than silently not saving.
    page.wait_for_selector("#gecc-connection[data-kind='dead']", timeout=20_000)
    assert "กรุณาโหลดหน้านี้ใหม่" in page.inner_text("#gecc-connection")
    page.click("#gecc-connection button")
    page.wait_for_selector(".gecc-criterion-L09", timeout=60_000)
    assert active_label(page, "L09") == "ไม่เกี่ยวข้อง"
    assert page.locator("#gecc-connection").count() == 0
    store.close()


def test_a_room_server_answers_on_other_addresses(tmp_path, browser):
    """With --host 0.0.0.0 a device reaching the machine by another address can answer.

    127.0.0.2 stands in for the laptop's LAN address: another Host header, same machine."""
    room = Server(tmp_path, host="0.0.0.0")
    try:
        store = Store(room.store_url)
        p = pre_tested(store, store.join("E2E", "ผู้เข้าร่วมผ่าน Wi-Fi"))
        context = browser.new_context()
        page = context.new_page()
        open_as(page, f"http://127.0.0.2:{room.port}", p.token, "L06")
        status_button(page, "L06", "ผ่านบางส่วน").click()
        assert wait_until(lambda: stored(store, p.id, "L06", Status.PARTIAL))
        context.close()
        store.close()
    finally:
        room.stop()



def test_pages_are_thai_and_load_nothing_from_other_hosts(server, browser):
    """Every request a participant's pages make goes to the workshop server: the room may be offline."""
    from urllib.parse import urlparse

    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ออฟไลน์"))
    context = browser.new_context()
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for notebook in ("00-welcome.ipynb", "01-location.ipynb", "05-summary.ipynb", "06-knowledge-check.ipynb"):
        page.goto(f"{server.base}/voila/render/{notebook}?w=E2E&p={p.token}")
        page.wait_for_selector(".gecc-app", timeout=60_000)
        assert page.evaluate("document.documentElement.lang") == "th"
    page.goto(f"{server.base}/voila/render/00-welcome.ipynb?w=E2E")  # the join form too
    page.wait_for_selector(".gecc-join", timeout=60_000)
    page.wait_for_timeout(500)
    hosts = {urlparse(u).netloc for u in requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {f"127.0.0.1:{server.port}"}, sorted(u for u in requests if urlparse(u).netloc not in ("", f"127.0.0.1:{server.port}"))
    context.close()
    store.close()


def test_the_loading_screen_speaks_thai(server):
    status, body = http_get(f"{server.base}/voila/render/00-welcome.ipynb?w=E2E")
    html = body.decode("utf-8")
    assert status == 200 and '<html lang="th">' in html
    thai = html.index("กำลังเตรียมหน้าสำหรับท่าน")
    assert thai < html.index("voila_process(1,"), "the Thai text is in place before the first cell runs"
    assert "cdn.jsdelivr.net" not in html and "fontawesome" not in html.lower()


@pytest.mark.parametrize("path", [
    "/voila/render/nope.ipynb", "/voila/render/01-locatoin.ipynb", "/voila/render/old/05-summary.ipynb",
    # outside Voila's page handler: tornado's own answers, in Thai too
    "/voila/files/gecc.sqlite", "/voila/files/helper.py", "/nope", "/api/contents", "/voila/api/contents",
    "/voila/api/contents/01-location.ipynb", "/voila/static/nope.js", "/voila/labextensions/nope", "/voila/files/nope.png",
    "/voila/api/themes/nope.css", "/voila/api/themes/", "/voila/api/shutdown/00000000-0000-0000-0000-000000000000",
])
def test_error_pages_are_thai_and_offline(server, path):
    status, body = http_get(server.base + path)
    html = body.decode("utf-8", "replace")
    assert status in (403, 404, 405)
    assert '<html lang="th">' in html and ("ไม่พบหน้านี้" in html or "ไม่อนุญาต" in html)
    assert "https://" not in html and "Traceback" not in html


def test_a_restarted_server_keeps_every_answer_and_link(tmp_path, browser):
    """Stop the server mid-workshop: the open page says it lost the connection; start it again on
    the same port: the same personal link opens the participant's answers."""
    first = Server(tmp_path)
    port = first.port
    try:
        store = Store(first.store_url)
        p = pre_tested(store, store.join("E2E", "เซิร์ฟเวอร์รีสตาร์ต"))
        context = browser.new_context()
        page = context.new_page()
        open_as(page, first.base, p.token, "L04")
        status_button(page, "L04", "ผ่าน").click()
        page.fill(".gecc-note-L04 textarea", "มีเจ้าหน้าที่ประจำจุดคัดกรอง")
        assert wait_until(lambda: stored(store, p.id, "L04", Status.MET, "มีเจ้าหน้าที่ประจำจุดคัดกรอง"))
    finally:
        first.stop()
    page.wait_for_selector("#gecc-connection", timeout=20_000)
    assert "สัญญาณขาด" in page.inner_text("#gecc-connection") or "โหลดหน้านี้ใหม่" in page.inner_text("#gecc-connection")
    key = (tmp_path / "var" / "facilitator.key").read_text()
    second = Server(tmp_path, port=port)
    try:
        assert (tmp_path / "var" / "facilitator.key").read_text() == key, "the dashboard's link survives a restart"
        open_as(page, second.base, p.token, "L04")
        assert active_label(page, "L04") == "ผ่าน"
        assert page.input_value(".gecc-note-L04 textarea") == "มีเจ้าหน้าที่ประจำจุดคัดกรอง"
        status_button(page, "L05", "ยังไม่ผ่าน").click()
        assert wait_until(lambda: stored(store, p.id, "L05", Status.NOT_YET))
        context.close()
        store.close()
    finally:
        second.stop()



def test_preheated_kernels_serve_the_right_participant(tmp_path, browser):
    """With --expect, pages come from kernels started in advance: each still learns whose page it
    is (the kit's own wait for the request), joins and resumes."""
    room = Server(tmp_path, extra=("--expect", "2"))
    try:
        store = Store(room.store_url)
        alice = pre_tested(store, store.join("E2E", "อลิส"))
        store.save_answer(alice.id, "L02", status="partial")
        context = browser.new_context()
        page = context.new_page()
        deadline = time.time() + 120
        while "Kernel pool of app/journey.ipynb is filled" not in room.output() and time.time() < deadline:
            time.sleep(0.5)
        open_as(page, room.base, alice.token, "L02")
        assert "Using pre-heated kernel" in room.output()
        assert active_label(page, "L02") == "ผ่านบางส่วน"
        assert "อลิส" in page.inner_text(".gecc-participant-name")
        page.goto(f"{room.base}/voila/render/00-welcome.ipynb?w=E2E")
        page.wait_for_selector(".gecc-join-name input", timeout=60_000)
        page.fill(".gecc-join-name input", "บ๊อบ")
        page.click(".gecc-join-button")
        page.wait_for_url("**p=**", timeout=20_000)
        page.wait_for_selector(".gecc-welcome", timeout=60_000)
        assert page.inner_text(".gecc-personal-link") == page.url
        assert page.url.startswith(f"{room.base}/voila/render/00-welcome.ipynb?w=E2E&p=")
        context.close()
        store.close()
    finally:
        room.stop()


def test_no_code_runs_from_the_browser_and_no_kernel_list_is_given(server, tmp_path):
    """A participant who scripts the kernel's websocket can send widget messages only: an
    execute_request is dropped (Voilà's allowed message types), and no URL lists other
    people's kernels."""
    import json
    import uuid

    marker = tmp_path / "executed"
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ผู้ลองเขียนโค้ด"))
    status, body = http_get(f"{server.base}/voila/render/01-location.ipynb?w=E2E&p={p.token}")
    kernel_id = kernel_id_of(body)

    from websockets.sync.client import connect

    def message(msg_type, content):
        header = {"msg_id": uuid.uuid4().hex, "username": "x", "session": uuid.uuid4().hex, "msg_type": msg_type, "version": "5.3"}
        return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"})

    replies = []
    with connect(f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}") as ws:
        ws.send(message("execute_request", {"code": f"open({str(marker)!r}, 'w').write('x')", "silent": False, "store_history": False,
                                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}))
        ws.send(message("kernel_info_request", {}))
        deadline = time.time() + 15
        while time.time() < deadline:
            raw = ws.recv(timeout=15)
            raw = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            replies.append(raw)
            if "kernel_info_reply" in raw:
                break
    assert any("kernel_info_reply" in r for r in replies), "the socket itself works (kernel_info is allowed)"
    time.sleep(1)
    assert not marker.exists(), "code sent from the browser ran in the kernel"
    assert not any("execute_reply" in r or "execute_input" in r for r in replies)
    for path in ("/api/kernels", "/api/sessions", "/api/contents", "/api/terminals"):
        status, body = http_get(server.base + path)
        assert status != 200 or kernel_id.encode() not in body, path
    store.close()


class CuttableProxy:
    """A TCP relay between the browser and the server whose line can be cut, as Wi-Fi drops."""

    def __init__(self, upstream_port: int):
        self.upstream = upstream_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.open: list[socket.socket] = []
        import threading

        self._threading = threading
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.upstream))
            self.open += [client, server]
            for a, b in ((client, server), (server, client)):
                self._threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        self.up = False
        for s in self.open:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.open = []

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


ROW_OUTCOME = """() => {
  const row = document.querySelector('.gecc-criterion-L08');
  const bar = document.getElementById('gecc-connection');
  return (row && row.dataset.geccSave === 'saved') || (bar && (bar.dataset.kind === 'reload' || bar.dataset.kind === 'unsaved'));
}"""


def test_a_dropped_connection_never_loses_a_click_silently(server, browser):
    """Cut the line under an open page and click an answer while it is cut: the page marks it
    "not saved yet" in Thai. When the line is back, the answer reaches the store and the row says
    "saved", or the page says in Thai that it was not saved, and its reload sends it again.
    Twenty times in a row, in the test's own loop: a flaky answer here is a lost answer."""
    proxy = CuttableProxy(server.port)
    store = Store(server.store_url)
    p = pre_tested(store, store.join("E2E", "ไวไฟหลุด"))
    context = browser.new_context()
    page = context.new_page()
    cycle = [("ผ่านบางส่วน", Status.PARTIAL), ("ยังไม่ผ่าน", Status.NOT_YET), ("ผ่าน", Status.MET)]
    reloads = 0
    try:
        open_as(page, f"http://127.0.0.1:{proxy.port}", p.token, "L08")
        for i in range(20):
            label, status = cycle[i % len(cycle)]
            page.wait_for_function("() => window.gecc && !document.getElementById('gecc-connection')", timeout=30_000)
            proxy.cut()
            page.wait_for_selector("#gecc-connection[data-kind='lost']", timeout=20_000)
            assert "สัญญาณขาด" in page.inner_text("#gecc-connection")
            status_button(page, "L08", label).click()
            assert page.get_attribute(".gecc-criterion-L08", "data-gecc-save") == "waiting"
            assert "ยังไม่ได้บันทึก" in page.inner_text(".gecc-criterion-L08 .gecc-save-mark")
            proxy.restore()
            page.wait_for_function(ROW_OUTCOME, timeout=60_000)
            if page.get_attribute(".gecc-criterion-L08", "data-gecc-save") != "saved":
                # The page says so in Thai, and its reload sends the answer again.
                text = page.inner_text("#gecc-connection")
                assert "กรุณาโหลดหน้านี้ใหม่" in text or "ยังไม่ได้บันทึก" in text, text
                reloads += 1
                page.click("#gecc-connection button")
                page.wait_for_selector(".gecc-criterion-L08[data-gecc-save='saved']", timeout=60_000)
            assert wait_until(lambda: stored(store, p.id, "L08", status), timeout=15), f"round {i + 1}: {label} not in the store"
            assert active_label(page, "L08") == label
            assert "บันทึกแล้ว" in page.inner_text(".gecc-criterion-L08 .gecc-save-mark")
        print(f"20 rounds, {reloads} needed a reload")
    finally:
        context.close()
        proxy.close()
        store.close()


def test_a_full_room_gets_a_thai_wait_page_not_an_overloaded_machine(tmp_path):
    """With --max-kernels 2, a third page waits on a Thai page that retries by itself; when a
    kernel is freed, the next try gets the page."""
    import uuid

    room = Server(tmp_path, extra=("--max-kernels", "2"))
    try:
        kernels = []
        for _ in range(2):
            status, body = http_get(f"{room.base}/voila/render/01-location.ipynb?w=E2E")
            assert status == 200
            kernels.append(kernel_id_of(body))
        status, body = http_get(f"{room.base}/voila/render/00-welcome.ipynb?w=E2E")
        page = body.decode("utf-8")
        assert status == 503
        assert "กรุณารอสักครู่" in page and '<meta http-equiv="refresh" content="15">' in page and '<html lang="th">' in page
        assert "Traceback" not in page
        token = uuid.uuid4().hex
        request = urllib.request.Request(f"{room.base}/voila/api/shutdown/{kernels[0]}", data=b"", method="POST",
                                         headers={"X-XSRFToken": token, "Cookie": f"_xsrf={token}"})
        with urllib.request.urlopen(request, timeout=60) as r:
            assert r.status == 204
        assert wait_until(lambda: http_get(f"{room.base}/voila/render/00-welcome.ipynb?w=E2E")[0] == 200, timeout=30)
    finally:
        room.stop()
