"""The after-workshop analysis: its sections on a demo room, the notebook run headless, and
`gecc-kit summary` printed to an A4 PDF without code or names (read back with pdfinfo/pdftotext)."""
from __future__ import annotations

import re
import subprocess

import nbformat
import pytest
from nbclient import NotebookClient

from gecc_kit import load_standard
from gecc_kit.analysis import NOTEBOOK, Analysis, NoThaiFont, css_font_families, thai_font
from gecc_kit.cli import main
from gecc_kit.practice import seed_demo
from gecc_kit.quiz import load_questions
from gecc_kit.store import Store
from conftest import SAMPLE_CRITERIA

OFFICE = "กองทดสอบการวิเคราะห์ (สมมติ)"  # three people: big enough to be shown by name
NAMES = ("นางสาวลับเฉพาะ หนึ่ง", "นายลับเฉพาะ สอง", "นางลับเฉพาะ สาม")
HEADINGS = ("สรุปผลหลังการอบรม", "คะแนนรายด้านของห้องและการกระจาย", "เกณฑ์ที่ห้องทำได้น้อยที่สุด",
            "เกณฑ์ที่คำตอบต่างกันมากที่สุด", "ความรู้ก่อนและหลังการอบรม รายหน่วยงาน", "ฉันทามติของโต๊ะเทียบกับคำตอบรายคน")
CODE = ("import ", "results(", "Analysis", "analysis.", "gecc_kit", "def ", "os.environ", "GECC_WORKSHOP", "store_url", "Traceback")


def squash(text: str) -> str:
    """Without whitespace: pdftotext puts spaces inside some Thai clusters."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    """The 8 fictional units (each its own office: too small to name), two tables' consensus,
    and a fourth table of three named people from one office with answers and knowledge checks."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("analysis") / "gecc.sqlite")
    store, standard, questions = Store(url), load_standard(SAMPLE_CRITERIA), load_questions()
    demo = [p.display_name for p in seed_demo(store, "ANA", standard, questions)]
    for i, c in enumerate(standard.criteria):
        store.save_consensus("ANA", "โต๊ะ 1", c.id, status="met" if i % 3 else "partial")
    for i, c in enumerate(standard.criteria[:20]):
        store.save_consensus("ANA", "โต๊ะ 2", c.id, status="partial" if i % 2 else "not_yet")
    for i, name in enumerate(NAMES):
        p = store.join("ANA", name, OFFICE, "โต๊ะ 4")
        for j, q in enumerate(questions):
            store.save_quiz_choice(p.id, "pre", q.id, "a" if (i + j) % 2 else q.answer)
            store.save_quiz_choice(p.id, "post", q.id, q.answer if (i + j) % 5 else "b")
        for j, c in enumerate(standard.criteria):
            store.save_answer(p.id, c.id, status=("met", "partial", "not_yet")[(i + j) % 3])
    store.ensure_workshop("EMPTY")
    store.close()
    return url, (*demo, *NAMES)


def test_the_charts_use_the_print_css_thai_font():
    families = css_font_families()
    assert families[:2] == ("Sarabun", "TH Sarabun New") and "Loma" in families, "the print CSS's order"
    font = thai_font()
    assert font in families and font != "DejaVu Sans"
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    assert not [f for f in families[:families.index(font)] if f in installed and f != "DejaVu Sans"], "the first one installed"


def test_no_thai_font_is_a_clear_error(monkeypatch):
    import gecc_kit.analysis as analysis

    monkeypatch.setattr(analysis, "css_font_families", lambda: ("No Such Thai Font",))
    analysis.thai_font.cache_clear()
    try:
        with pytest.raises(NoThaiFont, match="ไม่พบฟอนต์ภาษาไทย.*fonts-thai-tlwg"):
            analysis.thai_font()
    finally:
        analysis.thai_font.cache_clear()


def test_every_section_has_a_chart_two_lines_and_no_name(room):
    url, names = room
    analysis = Analysis.open("ana", url)
    assert not analysis.error
    sections = analysis.sections()
    assert [s.key for s in sections] == ["factors", "weakest", "disputed", "knowledge", "consensus"]
    for s in sections:
        assert s.figure is not None and s.png().startswith(b"\x89PNG"), s.key
        assert len(s.lines) == 2 and all(re.search("[\u0e00-\u0e7f]", th) and re.search("[A-Za-z]", en) for th, en in s.lines)
        html = s._repr_html_()
        assert "data:image/png;base64," in html and not any(n in html for n in names), s.key
        assert not any(n in " ".join(s.table.astype(str).to_numpy().ravel()) for n in names), s.key
    knowledge = sections[3]
    assert list(knowledge.table["office"]) == ["ทั้งห้อง", OFFICE], "the room, then the one office of 3"
    consensus = sections[4].table
    assert list(consensus["table"]) == ["โต๊ะ 1", "โต๊ะ 2"], "tables of 3 with a consensus (โต๊ะ 3 has 2 members)"
    header = analysis.header()._repr_html_()
    assert "ตัวอย่างเพื่อการฝึก" in header and "ANA" in header and "ไม่มีชื่อผู้เข้าร่วม" in header


def test_a_room_of_one_shows_nothing_and_an_unknown_workshop_says_so(tmp_path):
    url = "sqlite:///" + str(tmp_path / "one.sqlite")
    store = Store(url)
    store.ensure_workshop("ONE")
    p = store.join("ONE", "คนเดียว", "สำนักงานเดียว", "โต๊ะ 9")
    store.save_answer(p.id, "L01", status="met")
    store.close()
    sections = Analysis.open("ONE", url).sections()
    for s in sections:
        assert s.figure is None or s.key == "factors", s.key  # the factors' chart says "hidden" on each row
        assert "คนเดียว" not in s._repr_html_() and "สำนักงานเดียว" not in s._repr_html_()
    assert sections[0].table["hidden"].all()
    missing = Analysis.open("NOPE", url)
    assert missing.sections() == [] and missing.factor_scores() is None
    assert "ไม่พบการอบรมรหัส NOPE" in missing.header()._repr_html_()


def test_the_analysis_notebook_runs_headless_on_a_demo_room(room, monkeypatch):
    url, names = room
    monkeypatch.setenv("GECC_STORE_URL", url)
    monkeypatch.setenv("GECC_WORKSHOP", "ANA")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error" or o.get("name") == "stderr"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert html.count("class='gecc-analysis-chart'") == 5 and html.count("<li>") == 10
    assert "gecc-analysis-error" not in html and not any(n in html for n in names)


def test_summary_writes_an_a4_pdf_in_thai_without_code_or_names(room, tmp_path, capsys):
    url, names = room
    out = tmp_path / "summary.pdf"
    code = main(["summary", "--workshop", "ana", "--out", str(out), "--store", url])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert str(out) in printed.out and "ไม่มีชื่อ" in printed.out
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 842(\.\d+)? pts \(A4\)", info) or "(A4)" in info, info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 2 <= pages <= 6, pages
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True, text=True).stdout
    flat = squash(text)
    for heading in HEADINGS:
        assert squash(heading) in flat, heading
    assert squash(load_standard(SAMPLE_CRITERIA).notice_th) in flat, "the illustrative line"
    assert squash(OFFICE) in flat, "an office of 3 is shown by name"
    for name in names:
        assert squash(name) not in flat, name
    for marker in CODE:
        assert marker not in text and squash(marker) not in flat, marker
    assert "ANA" in text
    assert out.with_suffix(".html").is_file()


@pytest.mark.parametrize("workshop, says", [("NOPE", "ไม่พบการอบรมรหัส NOPE"), ("EMPTY", "ยังไม่มีผู้เข้าร่วม")])
def test_summary_of_an_unknown_workshop_or_an_empty_room_is_one_sentence(room, tmp_path, capsys, workshop, says):
    url, _ = room
    out = tmp_path / "summary.pdf"
    code = main(["summary", "--workshop", workshop, "--out", str(out), "--store", url])
    printed = capsys.readouterr()
    assert code != 0 and not out.exists()
    lines = printed.err.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and " / " in lines[0] and "Traceback" not in printed.err, printed.err


def test_summary_wants_a_pdf_name(room, tmp_path, capsys):
    url, _ = room
    code = main(["summary", "--workshop", "ANA", "--out", str(tmp_path / "summary.xlsx"), "--store", url])
    err = capsys.readouterr().err
    assert code != 0 and ".pdf" in err and len(err.strip().splitlines()) == 1
