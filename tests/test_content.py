"""The content a trainer signs (issue 13, ../shared/reviews/content-review.md): one term for one
thing, English for every criterion, and a pre-test whose answers are not on the pages a
participant can open before it."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gecc_kit import load_standard
from gecc_kit.content import module_content
from gecc_kit.journey import AFTER_PRE_TEST, MODULES
from gecc_kit.labels import LABELS
from conftest import NOTEBOOKS, SAMPLE_CRITERIA

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"


def retired_terms() -> dict[str, str]:
    """Retired term -> the term to use, from the glossary's table (its last column)."""
    terms = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[3] and cells[0] not in ("Thai", "---"):
            for old in cells[3].split(";"):
                terms[old.strip()] = cells[0]
    return terms


def audience_texts() -> dict[str, str]:
    """Everything a participant or an audience reads: notebooks, slides, data files, labels."""
    texts = {}
    for path in [*NOTEBOOKS.glob("**/*.ipynb"), *(ROOT / "slides").glob("*.ipynb")]:
        nb = json.loads(path.read_text(encoding="utf-8"))
        texts[str(path.relative_to(ROOT))] = "\n".join("".join(c["source"]) for c in nb["cells"])
    for path in (ROOT / "data").glob("**/*.csv"):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8-sig")
    texts["gecc_kit/labels.py"] = "\n".join(f"{th}\n{en}" for th, en in LABELS.values())
    for name in ("export.py", "reports.py", "dashboard.py", "summary.py", "knowledge.py", "widgets.py"):  # their strings are read too
        texts[f"gecc_kit/{name}"] = (ROOT / "gecc_kit" / name).read_text(encoding="utf-8")
    texts["README.md"] = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "gecc_kit" / "templates").glob("*.j2"):
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return texts


def test_the_glossary_retires_terms():
    terms = retired_terms()
    assert {"ก่อนเรียน", "เน็ตหลุด", "ติ๊ก", "พ.ร.บ. อำนวยความสะดวกฯ"} <= set(terms), terms


def test_no_retired_term_comes_back():
    """A retired term (colloquial, or a second name for one thing) in anything participants or
    the room read: the file and the term to use instead."""
    terms = retired_terms()
    found = []
    for name, text in audience_texts().items():
        for old, new in terms.items():
            hits = text.count(old)  # case-sensitive: "service mind" is retired, "Service Mind" is the term
            if hits:
                found.append(f"{name}: {old!r} ({hits}x), write {new!r}")
    assert not found, "\n".join(found)


def test_every_criterion_has_english_guidance_and_evidence():
    """``?l=en`` shows English everywhere: no criterion falls back to Thai guidance or evidence."""
    standard = load_standard(SAMPLE_CRITERIA)
    missing = [c.id for c in standard.criteria if not (c.guidance_en.strip() and c.evidence_en.strip())]
    assert not missing, f"criteria without English guidance or evidence: {missing}"


def test_teaching_pages_come_after_the_pre_test_in_the_journey():
    order = [m.notebook for m in MODULES]
    knowledge = order.index("06-knowledge-check.ipynb")
    assert order[0] == "00-welcome.ipynb" and knowledge == 1
    assert all(order.index(n) > knowledge for n in AFTER_PRE_TEST)
    assert [m.number for m in MODULES] == list(range(1, len(MODULES) + 1))


@pytest.mark.parametrize("notebook", ["00-welcome.ipynb", "06-knowledge-check.ipynb"])
def test_the_pages_open_before_the_pre_test_hold_no_background(notebook):
    """The welcome page welcomes, joins and explains privacy and the day; the background (the
    Act's sections, the certifiers, the levels) waits for step 3."""
    content = module_content(notebook, str(NOTEBOOKS))
    text = re.sub(r"<[^>]+>", " ", content.before + content.after)
    for background in ("มาตรา 7", "มาตรา 8", "มาตรา 10", "สปน.", "ระดับพื้นฐาน", "สะดวก รวดเร็ว เข้าถึงง่าย"):
        assert background not in text, f"{notebook} teaches {background!r} before the pre-test"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", " ", text))


def test_no_pre_test_answer_is_on_a_page_open_before_the_pre_test():
    """What a participant can read before finishing the pre-test: the welcome page and the
    knowledge check's page (their Markdown), the top bar listing every step, the labels of the
    join form and of the "pre-test first" box on every other page. None of it holds the text of
    a pre-test question's right answer (the questions' own choices aside)."""
    from gecc_kit.quiz import LETTERS, load_questions
    from gecc_kit.session import Request
    from gecc_kit.widgets import nav_html

    readable = []
    for notebook in ("00-welcome.ipynb", "06-knowledge-check.ipynb"):
        content = module_content(notebook, str(NOTEBOOKS))
        readable += [content.before, content.after]
    for lang in ("th", "en"):
        request = Request("W", "t", "http://host/voila/render/06-knowledge-check.ipynb", lang=lang)
        readable.append(nav_html(request, {}, lang))
    readable += [text for pair in LABELS.values() for text in pair]
    from gecc_kit.pages import agenda_block

    readable += [agenda_block(lang) for lang in ("th", "en")]  # the welcome page's กำหนดการ
    assert "gecc-agenda" in readable[-1]
    page = _squash(" ".join(readable))
    for q in load_questions():
        for right in q.choices[LETTERS.index(q.answer)]:  # Thai and English
            assert len(_squash(right)) >= 4
            assert _squash(right) not in page, f"{q.id}'s answer ({right!r}) can be read before the pre-test"
