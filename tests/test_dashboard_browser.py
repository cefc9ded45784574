"""The facilitator's pages served by `gecc-kit serve`, driven in Chromium: refused without the
key, live with it (no reload), a consensus round at a table, and the results download."""
from __future__ import annotations

import io
import re
import pytest

from gecc_kit import load_standard
from gecc_kit.keys import table_key
from gecc_kit.practice import seed_demo
from gecc_kit.quiz import load_questions
from gecc_kit.store import Store
from conftest import ROOT, SAMPLE_CRITERIA
from test_server import Server, browser, http_get, page, wait_until  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
SHOTS = ROOT / "build" / "screenshots"  # kept out of git
SHOTS.mkdir(parents=True, exist_ok=True)
DASH = "/voila/render/facilitator/dashboard.ipynb"
CONSENSUS = "/voila/render/facilitator/consensus.ipynb"


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    from gecc_kit import load_standard

    s = Server(tmp_path_factory.mktemp("dash"))
    store = Store(s.store_url)
    seed_demo(store, "E2E", load_standard(SAMPLE_CRITERIA), load_questions())
    s.key = (s.var / "facilitator.key").read_text().strip()
    s.store = store
    yield s
    store.close()
    s.stop()


@pytest.mark.parametrize("path", [DASH, CONSENSUS])
@pytest.mark.parametrize("query", ["?w=E2E", "?w=E2E&key=", "?w=E2E&key=not-the-key", "?w=E2E&KEY={key}", "?w=E2E&key={short}"])
def test_facilitator_pages_refuse_without_the_key(room, path, query):
    status, body = http_get(room.base + path + query.format(key=room.key, short=room.key[:-1]))
    assert status == 403
    html = body.decode()
    assert "ไม่อนุญาตให้เปิดหน้านี้" in html and 'lang="th"' in html
    assert "gecc-dash" not in html and "Traceback" not in html and room.key not in html
    assert "kernelId" not in html, "no kernel was started for a refused page"


@pytest.mark.parametrize("path", [
    "./facilitator/dashboard.ipynb", "x/../facilitator/dashboard.ipynb", "%2E/facilitator/dashboard.ipynb",
    "facilitator/./dashboard.ipynb", "facilitator//dashboard.ipynb", "Facilitator/dashboard.ipynb", "FACILITATOR/consensus.ipynb",
    "./01-location.ipynb", "%ff.ipynb",
])
def test_odd_spellings_of_a_path_open_nothing(room, path):
    """A path that reaches a page only after normalising (or not at all) opens no page and starts no kernel."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", room.port, timeout=60)
    conn.request("GET", f"/voila/render/{path}?w=E2E")  # sent as written, not normalised
    r = conn.getresponse()
    html = r.read().decode("utf-8", "replace")
    conn.close()
    assert r.status in (400, 403, 404), path
    assert 'lang="th"' in html and ("ไม่พบหน้านี้" in html or "ไม่อนุญาต" in html or "ขออภัย" in html), path
    assert "kernelId" not in html and "Traceback" not in html, path


def test_banner_prints_the_dashboard_link_with_its_key(room):
    assert f"{room.base}{DASH}?w=E2E&key={room.key}" in room.output()


def test_dashboard_is_live_without_a_reload(room, page):
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.goto(f"{room.base}{DASH}?w=E2E&key={room.key}")
    joined = page.locator(".gecc-dash-joined")
    joined.wait_for(timeout=60_000)
    assert joined.inner_text() == "8"
    assert page.locator(".gecc-dash-factor").count() == 4
    assert "ตัวอย่าง" in page.locator(".gecc-notice").first.inner_text()
    # Table 3 has two members: its consensus is hidden; the heatmap shows P01.. not names.
    assert "ซ่อนไว้" in page.locator(".gecc-dash-table[data-table='โต๊ะ 3']").inner_text()
    heat = page.locator(".gecc-heatmap").inner_text()
    names = [p.display_name for p in room.store.participants("E2E")]
    assert "P08" in heat and not any(n in heat for n in names)
    page.locator(".gecc-show-names input").check()
    wait_until(lambda: names[0] in page.locator(".gecc-heatmap").inner_text(), 10)
    assert all(n in page.locator(".gecc-heatmap").inner_text() for n in names)

    # Someone joins and answers while the dashboard is on the projector.
    newcomer = room.store.join("E2E", "<b>ผู้มาใหม่</b>", "หน่วยงานใหม่", "โต๊ะ 3")
    room.store.save_answer(newcomer.id, "L01", status="not_yet")
    assert wait_until(lambda: joined.inner_text() == "9", 20), "the count updates by itself"
    assert wait_until(lambda: "<b>ผู้มาใหม่</b>" in page.locator(".gecc-heatmap").inner_text(), 20), "typed name shown as text"
    assert page.locator(".gecc-heatmap b").count() == 0
    # Table 3 now has three members: its row is no longer hidden.
    assert wait_until(lambda: "ซ่อนไว้" not in page.locator(".gecc-dash-table[data-table='โต๊ะ 3']").inner_text(), 20)
    assert len(navigations) == 1, f"no reload: {navigations}"


SMALL_TEXT = """() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el || el.closest('script, style, #loading, .gecc-skip')) continue;  // the skip link shows on focus only
    const range = document.createRange(); range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (!box.width || !box.height || box.top >= innerHeight || box.bottom <= 0) continue;  // not on the first screen
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 23.5) small.push(`${size}px: ${node.textContent.trim().slice(0, 40)}`);
  }
  return small;
}"""


def test_the_dashboard_reads_from_the_back_of_the_room(room, browser):
    """On a 1920x1080 projector: nothing under 24 px on the first screen, the instructions folded
    away, the charts using the width, and small offices said plainly, not "other: 8"."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{room.base}{DASH}?w=E2E&key={room.key}")
    page.wait_for_selector(".gecc-dash-factor .gecc-dist", timeout=60_000)
    page.wait_for_timeout(300)
    small = page.evaluate(SMALL_TEXT)
    assert small == [], small
    howto = page.locator("details.gecc-howto")
    assert howto.count() == 1 and howto.get_attribute("open") is None, "the instructions are folded away"
    assert "gecc-kit serve" not in page.locator("details.gecc-howto summary").inner_text()
    chart = page.locator(".gecc-dash-factor .gecc-dist").first.bounding_box()
    assert chart["width"] >= 0.35 * 1920, f"a factor's chart is {chart['width']} px wide on a 1920 px screen"
    offices = page.inner_text(".gecc-dash-attendance")
    people = room.store.participants("E2E")
    small = {p.office for p in people if sum(q.office == p.office for q in people) < 3}
    assert f"{len(small)} กลุ่ม" in offices and "ไม่แสดงชื่อ" in offices  # the demo's offices of one person each
    page.screenshot(path=str(SHOTS / "dashboard-1920.png"))
    context.close()


def test_consensus_round_appears_on_the_dashboard(room, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    dash, table = context.new_page(), context.new_page()
    dash.goto(f"{room.base}{DASH}?w=E2E&key={room.key}")
    row = dash.locator(".gecc-dash-table[data-table='โต๊ะ 1']")
    row.wait_for(timeout=60_000)
    assert "0/40" in row.inner_text()
    link = row.locator("a.gecc-consensus-link").get_attribute("href")
    assert room.key not in link and f"key={table_key(room.key, 'E2E', 'โต๊ะ 1')}" in link, "the table's own key"

    table.goto(link)
    l01 = table.locator(".gecc-consensus-L01")
    l01.wait_for(timeout=60_000)
    members = [p.display_name for p in room.store.participants("E2E") if p.table_label == "โต๊ะ 1"]
    for m in members:
        assert m in l01.inner_text()
    # What every member answered alike is agreed already; the table clicks the rest.
    ids = [c.id for c in load_standard(SAMPLE_CRITERIA).for_factor("location")]
    answers = {m.id: room.store.answers(m.id) for m in room.store.participants("E2E") if m.table_label == "โต๊ะ 1"}
    alike = {cid for cid in ids if all(cid in a and a[cid].status for a in answers.values())
             and len({a[cid].status for a in answers.values()}) == 1}
    assert wait_until(lambda: set(room.store.consensus("E2E", "โต๊ะ 1")) == alike, 15), (alike, room.store.consensus("E2E", "โต๊ะ 1"))
    l01.get_by_role("button", name="ผ่านบางส่วน", exact=True).click()
    table.locator(".gecc-consensus-L02").get_by_role("button", name="ผ่าน", exact=True).click()
    agreed = len(alike | {"L01", "L02"})
    assert wait_until(lambda: len(room.store.consensus("E2E", "โต๊ะ 1")) == agreed, 15), (agreed, alike, room.store.consensus("E2E", "โต๊ะ 1"))
    assert room.store.consensus("E2E", "โต๊ะ 1")["L01"].status.value == "partial"
    assert wait_until(lambda: f"{agreed}/40" in row.inner_text(), 20), "the dashboard shows the table's progress by itself"
    # Reloading the consensus view shows what the table agreed.
    table.reload()
    table.locator(".gecc-consensus-L01 button.mod-active").wait_for(timeout=60_000)
    assert table.locator(".gecc-consensus-L01 button.mod-active").inner_text().strip() == "ผ่านบางส่วน"
    context.close()


def test_results_download_from_the_dashboard(room, page):
    from openpyxl import load_workbook

    page.goto(f"{room.base}{DASH}?w=E2E&key={room.key}")
    page.locator(".gecc-dash-export-button").wait_for(timeout=60_000)
    page.locator(".gecc-dash-export-button").click()
    link = page.locator("a.gecc-download-results")
    link.wait_for(timeout=30_000)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert re.match(r"gecc-results-E2E-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    people = list(book["ผู้เข้าร่วม"].values)[1:]
    assert len(people) == len(room.store.participants("E2E"))
    assert "ฉันทามติรายโต๊ะ" in book.sheetnames


def test_table_picker_lists_tables(room, page):
    page.goto(f"{room.base}{CONSENSUS}?w=E2E&key={room.key}")
    links = page.locator("a.gecc-consensus-table-link")
    links.first.wait_for(timeout=60_000)
    assert {links.nth(i).inner_text() for i in range(links.count())} >= {"โต๊ะ 1", "โต๊ะ 2", "โต๊ะ 3"}
    links.first.click()
    try:
        page.locator(".gecc-consensus-L01").wait_for(timeout=90_000)
    except Exception as exc:  # say what the facilitator would have seen instead
        raise AssertionError(f"no consensus view at {page.url}: {page.locator('body').inner_text()[:400]!r}") from exc
    assert "ฉันทามติของโต๊ะ: โต๊ะ 1" in page.locator(".gecc-consensus h2").first.inner_text()


def test_a_tables_consensus_link_opens_that_table_only(room, page):
    """Handed its consensus link, a table opens its own consensus view and nothing else: not
    another table's, not the table list, not the dashboard (names, the results download)."""
    from urllib.parse import quote

    key1 = table_key(room.key, "E2E", "โต๊ะ 1")
    t1, t2 = quote("โต๊ะ 1"), quote("โต๊ะ 2")
    for path in [f"{CONSENSUS}?w=E2E&t={t2}&key={key1}", f"{CONSENSUS}?w=E2E&key={key1}", f"{DASH}?w=E2E&key={key1}",
                 f"{DASH}?w=E2E&t={t1}&key={key1}", f"{CONSENSUS}?w=OTHER&t={t1}&key={key1}"]:
        status, body = http_get(room.base + path)
        assert status == 403, path
        assert "kernelId" not in body.decode(), "no kernel for a refused page"
    page.goto(f"{room.base}{CONSENSUS}?w=E2E&t={t1}&key={key1}")
    page.locator(".gecc-consensus-L01").wait_for(timeout=60_000)
    assert "ฉันทามติของโต๊ะ: โต๊ะ 1" in page.locator(".gecc-consensus h2").first.inner_text()
    assert page.locator("a.gecc-consensus-back").count() == 0, "no way to the table list"
    other = page.locator("a.gecc-consensus-factor-link").first.get_attribute("href")
    assert f"key={key1}" in other and f"t={quote('โต๊ะ 1')}" in other.replace("+", "%20")


def test_rotating_the_key_ends_every_old_link_on_a_running_server(tmp_path):
    import subprocess
    import sys

    s = Server(tmp_path)
    try:
        old = (s.var / "facilitator.key").read_text().strip()
        old_table = table_key(old, "E2E", "1")
        assert http_get(f"{s.base}{DASH}?w=E2E&key={old}")[0] == 200
        done = subprocess.run([sys.executable, "-m", "gecc_kit.cli", "keys", "rotate", "--var", str(s.var)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        new = (s.var / "facilitator.key").read_text().strip()
        assert new != old and new in done.stdout
        assert http_get(f"{s.base}{DASH}?w=E2E&key={old}")[0] == 403
        assert http_get(f"{s.base}{CONSENSUS}?w=E2E&t=1&key={old_table}")[0] == 403
        assert http_get(f"{s.base}{CONSENSUS}?w=E2E&t=1&key={table_key(new, 'E2E', '1')}")[0] == 200
        assert http_get(f"{s.base}{DASH}?w=E2E&key={new}")[0] == 200
    finally:
        s.stop()


@pytest.mark.parametrize("which", ["dashboard", "consensus"])
def test_the_facilitator_pages_pass_axe(room, browser, which):
    """axe-core on the facilitator's pages as projected (1920x1080): no critical, serious or
    moderate violation (issue 15 asks it of the facilitator pages too)."""
    from test_a11y import axe_violations

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    if which == "dashboard":
        page.goto(f"{room.base}{DASH}?w=E2E&key={room.key}")
        page.wait_for_selector(".gecc-dash-factor .gecc-dist", timeout=60_000)
    else:
        t1 = "โต๊ะ 1"
        page.goto(f"{room.base}{CONSENSUS}?w=E2E&t={t1}&key={table_key(room.key, 'E2E', t1)}")
        page.wait_for_selector(".gecc-consensus-L01", timeout=60_000)
    page.wait_for_timeout(500)
    bad = [v for v in axe_violations(page) if v["impact"] in ("critical", "serious", "moderate")]
    context.close()
    assert not bad, bad
