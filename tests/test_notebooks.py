"""Every notebook runs headless, as a facilitator's machine would run it,
and shows what a participant should see (no error, no stray text)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from gecc_kit.store import Store
from conftest import NOTEBOOKS
from test_server import pre_tested

ALL = sorted(NOTEBOOKS.glob("**/*.ipynb"))  # the participants' pages and the facilitator's (facilitator/)


def run(path: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return nb


def outputs(nb) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def assert_clean(nb) -> None:
    for o in outputs(nb):
        assert o["output_type"] != "error", o
        assert not (o["output_type"] == "stream" and o.get("name") == "stderr"), o.get("text")


@pytest.fixture
def workshop_env(tmp_path):
    url = "sqlite:///" + str(tmp_path / "nb.sqlite")
    s = Store(url)
    s.ensure_workshop("NB")
    p = pre_tested(s, s.join("NB", "ผู้ทดสอบ"))  # the teaching pages show their apps once the pre-test is done
    s.save_answer(p.id, "L01", status="met")
    s.close()
    return {"GECC_STORE_URL": url, "GECC_WORKSHOP": "NB", "QUERY_STRING": f"w=NB&p={p.token}"}


@pytest.mark.parametrize("path", ALL, ids=[str(p.relative_to(NOTEBOOKS)) for p in ALL])
def test_notebook_runs_headless(path, workshop_env):
    nb = run(path, workshop_env)
    assert_clean(nb)
    if path.parent.name == "app":
        return  # the shell that serves every module page: no content of its own (see the next test)
    # exactly one H1 (cookbook skeleton)
    h1 = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# ")]
    assert len(h1) == 1


def test_location_notebook_shows_the_saved_assessment(workshop_env):
    nb = run(NOTEBOOKS / "01-location.ipynb", workshop_env)
    views = [o for o in outputs(nb) if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    texts = json.dumps(state, ensure_ascii=False)
    assert "ป้ายชื่อศูนย์ราชการสะดวก" in texts  # L01's Thai text
    toggles = [m["state"] for m in state.values() if m["model_name"] == "ToggleButtonsModel"]
    assert len(toggles) == 10
    assert sum(t["index"] == 0 for t in toggles) == 1  # L01 restored as met


def test_location_notebook_without_a_token_offers_to_join(workshop_env):
    env = dict(workshop_env, QUERY_STRING="")
    nb = run(NOTEBOOKS / "01-location.ipynb", env)
    assert_clean(nb)
    state = json.dumps(nb.metadata["widgets"], ensure_ascii=False)
    assert "เข้าร่วมการฝึกประเมินตนเอง" in state and "gecc-join-button" in state


def test_dashboard_notebook_needs_the_key_and_shows_the_room(workshop_env):
    dashboard = NOTEBOOKS / "facilitator" / "dashboard.ipynb"
    key = "facilitator-key-for-the-test-1234"
    refused = run(dashboard, dict(workshop_env, GECC_FACILITATOR_KEY=key, QUERY_STRING="w=NB&key=wrong"))
    assert_clean(refused)
    state = json.dumps(refused.metadata["widgets"], ensure_ascii=False)
    assert "หน้านี้สำหรับวิทยากร" in state and "gecc-dash" not in state
    shown = run(dashboard, dict(workshop_env, GECC_FACILITATOR_KEY=key, QUERY_STRING=f"w=NB&key={key}"))
    assert_clean(shown)
    state = json.dumps(shown.metadata["widgets"], ensure_ascii=False)
    assert "รหัสการอบรม NB" in state and "gecc-dash-joined'>1<" in state
    assert "ซ่อนไว้ (น้อยกว่า 3 คน)" in state  # one participant: every aggregate is hidden


def test_notebooks_are_committed_without_outputs():
    for path in ALL:
        nb = nbformat.read(path, as_version=4)
        for c in nb.cells:
            if c.cell_type == "code":
                assert not c.outputs and c.execution_count is None, path.name


def test_the_one_page_shows_the_module_its_link_names(workshop_env):
    """Does the shell page (which serves every participant link) show that module's own Markdown
    and app, read from the module's notebook?"""
    import json

    env = {**workshop_env, "SCRIPT_NAME": "/voila/render/01-location.ipynb", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8866"}
    nb = run(NOTEBOOKS / "app" / "journey.ipynb", env)
    assert_clean(nb)
    state = json.dumps(nb.metadata["widgets"], ensure_ascii=False)
    first_h1 = next(line for c in nbformat.read(NOTEBOOKS / "01-location.ipynb", as_version=4).cells
                    if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# "))
    assert first_h1[2:] in state, "the module's heading is on the page"
    assert "gecc-view-01-location" in state and "gecc-status-L01" in state and "gecc-route" in state
    assert "ยินดีต้อนรับสู่การอบรม" not in state, "not the welcome page's content"
