"""Sarabun, the kit's Thai font: installed from npm by the set-up, served by the kit itself (no CDN),
embedded in every printed page and registered for the charts (gecc_kit/fonts.py; issue 15)."""
from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from urllib.parse import urlparse

import pytest

from gecc_kit import fonts, load_standard
from gecc_kit.quiz import load_questions
from gecc_kit.store import Store
from conftest import NOTEBOOKS, ROOT, SAMPLE_CRITERIA
from test_server import Server, browser, http_get, pre_tested  # noqa: F401  (fixtures)

TLWG = re.compile(r"Loma|Laksaman|Garuda|Kinnari|Norasi|Waree|Umpush|Sawasdee|Purisa|Tlwg", re.I)


def pdf_fonts(pdf) -> list[str]:
    """The font names ``pdffonts`` lists for a PDF (subset prefixes such as ``ABCDEF+`` dropped)."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return [line.split()[0].split("+")[-1] for line in out if line.strip()]


def test_the_set_up_installs_sarabun_pinned():
    version = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]["@fontsource/sarabun"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "an exact version"
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/@fontsource/sarabun"]["version"] == version
    assert fonts.installed(), "npm ci installs it (make test does)"
    # The subsets' ranges are the package's own (a later version may move a letter).
    css = (fonts.font_dir().parent / "400.css").read_text(encoding="utf-8")
    for subset, ranges in fonts.SUBSETS.items():
        found = re.search(rf"sarabun-{subset}-400-normal\.woff2[^}}]*unicode-range:\s*([^;]+);", css)
        assert found and re.sub(r"\s", "", found.group(1)) == re.sub(r"\s", "", ranges), subset


def test_printed_pages_embed_sarabun_and_fall_back_without_it(tmp_path, monkeypatch):
    from gecc_kit.reports import print_css

    css = print_css(None)
    assert css.count("data:font/woff2;base64,") == len(fonts.SUBSETS) * len(fonts.PRINT_WEIGHTS)
    assert not re.search(r"url\((?!\"data:)", css), "nothing but embedded files"
    monkeypatch.setenv("GECC_NODE_MODULES", str(tmp_path / "none"))
    css = print_css(None)
    assert "@font-face" not in css and 'font-family: "Sarabun", "TH Sarabun New", "Laksaman", "Loma"' in css


def test_a_handout_my_report_and_the_worksheet_print_in_sarabun(tmp_path):
    from gecc_kit.handouts import build_worksheet, notebook_html
    from gecc_kit.plan import PlanItem
    from gecc_kit.printing import print_pdf
    from gecc_kit.reports import ReportData, report_html
    from gecc_kit.scoring import Answer, Status
    from gecc_kit.thai import mark_html

    standard = load_standard(SAMPLE_CRITERIA)
    handout = tmp_path / "01-location.html"
    handout.write_text(mark_html(notebook_html(NOTEBOOKS / "01-location.ipynb", standard, load_questions())), encoding="utf-8")
    answers = {c.id: Answer(c.id, Status.MET) for c in standard.criteria}
    answers["L08"] = Answer("L08", Status.PARTIAL, "จอแสดงคิวสำหรับผู้สูงอายุ")
    plan = {"L08": PlanItem("L08", True, "ติดตั้งจอแสดงคิว", "เจ้าหน้าที่ด้านสถานที่", date(2027, 1, 15), "ผ่านระดับพื้นฐาน")}
    report = tmp_path / "report.html"
    report.write_text(mark_html(report_html(ReportData(standard, "ทดสอบ ฟอนต์", "สำนักงานทดสอบ", "โต๊ะ 1", answers, plan,
                                                       made=date(2026, 11, 25)))), encoding="utf-8")
    pdfs = [print_pdf(handout, tmp_path / "handout.pdf"), print_pdf(report, tmp_path / "report.pdf"),
            build_worksheet(tmp_path / "worksheet.pdf", standard).pdf[0]]
    for pdf in pdfs:
        names = pdf_fonts(pdf)
        assert {"Sarabun-Regular", "Sarabun-Bold"} <= set(names), (pdf.name, names)
        # Sarabun has no ≥ or ✓ (the worksheet's levels and its "✓ = ..." line): those come from the
        # next fonts; everything else is Sarabun's.
        if pdf.name != "worksheet.pdf":
            assert not [n for n in names if TLWG.search(n)], f"{pdf.name}: text set in a fallback font: {names}"


def test_the_slides_carry_sarabun(tmp_path):
    from gecc_kit.slides import build_slides

    deck = build_slides(tmp_path / "slides")[0].read_text(encoding="utf-8")
    assert deck.count("data:font/woff2;base64,") == len(fonts.SUBSETS) * len(fonts.PRINT_WEIGHTS)


def test_the_charts_register_sarabun():
    from matplotlib import font_manager

    from gecc_kit import analysis

    analysis.thai_font.cache_clear()
    try:
        assert analysis.thai_font() == "Sarabun"
        path = font_manager.findfont(font_manager.FontProperties(family="Sarabun", weight="bold"))
        assert path.endswith("Sarabun-700.ttf")
    finally:
        analysis.thai_font.cache_clear()


# --- the screen ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory):
    """A server under a path prefix (as behind a proxy at /gecc/): the font URLs must carry it."""
    s = Server(tmp_path_factory.mktemp("fonts"), extra=("--base-url", "/gecc/"))
    yield s
    s.stop()


def fonts_used(page) -> dict:
    return page.evaluate("""async () => {
        await document.fonts.ready;
        const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, "") === "Sarabun");
        return {check: document.fonts.check("16px Sarabun", "ก"),
                loaded: faces.filter(f => f.status === "loaded").map(f => f.weight + " " + f.unicodeRange.slice(0, 12)),
                faces: faces.length,
                family: getComputedStyle(document.querySelector(".gecc-criterion-title, .gecc-app")).fontFamily};
    }""")


@pytest.mark.browser
def test_a_participants_page_is_in_sarabun_from_the_kits_own_server(prefixed, browser):
    base = prefixed.base + "/gecc"
    store = Store(prefixed.store_url)
    p = pre_tested(store, store.join("E2E", "ฟอนต์สารบรรณ"))
    store.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
    page = context.new_page()
    requests, fetched = [], {}
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: fetched.__setitem__(r.url, r.status) if r.url.endswith(".woff2") else None)
    page.goto(f"{base}/voila/render/01-location.ipynb?w=E2E&p={p.token}")
    page.wait_for_selector(".gecc-criterion-title", timeout=60_000)
    used = fonts_used(page)
    assert used["check"] and any(face.startswith("400 ") for face in used["loaded"]), used
    assert used["family"].startswith('Sarabun') or used["family"].startswith('"Sarabun"'), used
    assert fetched and all(u.startswith(f"{base}/voila/static/fonts/sarabun-") and s == 200 for u, s in fetched.items()), fetched
    hosts = {urlparse(u).netloc for u in requests if not u.startswith(("data:", "blob:"))}
    assert hosts == {f"127.0.0.1:{prefixed.port}"}, hosts
    # what was fetched is the file npm installed
    name = next(u for u in fetched if "-thai-400-" in u).rsplit("/", 1)[1]
    assert http_get(f"{base}/voila/static/fonts/{name}") == (200, (fonts.font_dir() / name).read_bytes())
    context.close()
    # The Thai error pages use it too.
    status, body = http_get(f"{base}/voila/render/nope.ipynb")
    assert status == 404 and b'url("/gecc/voila/static/fonts/sarabun-thai-400-normal.woff2")' in body


@pytest.mark.browser
def test_without_the_font_files_the_page_still_renders(tmp_path, browser, monkeypatch):
    monkeypatch.setenv("GECC_NODE_MODULES", str(tmp_path / "no-node-modules"))
    server = Server(tmp_path)
    try:
        said = [line for line in server.output().splitlines() if "Sarabun" in line]
        assert len(said) == 1 and "not installed" in said[0], said
        assert not (server.var / "public" / "voila" / "templates" / "gecc" / "gecc-fonts.css").exists()
        store = Store(server.store_url)
        p = pre_tested(store, store.join("E2E", "ไม่มีฟอนต์"))
        store.close()
        context = browser.new_context(locale="th-TH")
        page = context.new_page()
        requests, errors = [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{server.base}/voila/render/01-location.ipynb?w=E2E&p={p.token}")
        page.wait_for_selector(".gecc-criterion-title", timeout=60_000)
        used = fonts_used(page)
        assert used["faces"] == 0 and "Sarabun" in used["family"], used  # named, so the machine's fonts follow
        assert not [u for u in requests if "/fonts/" in u or u.endswith((".woff", ".woff2"))]
        assert not [e for e in errors if "font" in e.lower() or "404" in e], errors
        assert http_get(f"{server.base}/voila/static/gecc-thai-words.json")[0] == 200, "the words are served all the same"
        context.close()
    finally:
        server.stop()
