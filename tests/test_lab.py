"""`make lab`: JupyterLab to prepare the session. Participant notebooks open for a preview
participant of a preview workshop that no list, dashboard or export shows; facilitator notebooks
open with the local key; nothing a preview does changes the real workshops or a tracked file.
And `tools/need.sh`: the set-up says what the machine lacks, in one `apt-get install` line."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT
from gecc_kit import lab, session
from gecc_kit.errors import StoreError, UnknownWorkshop
from gecc_kit.scoring import Status
from gecc_kit.store import PREVIEW_CODE, Store, sqlite_url

LOCATION = NOTEBOOKS / "01-location.ipynb"
LAB_VARS = ("GECC_PREVIEW", "GECC_PREVIEW_STORE_URL", "GECC_STORE_URL", "GECC_WORKSHOP", "GECC_HANDOVER_KEY", "GECC_LAB_ROOT",
            "GECC_FACILITATOR_KEY", "GECC_FACILITATOR_KEY_FILE", "GECC_NOTEBOOKS", "JPY_SESSION_NAME", "SCRIPT_NAME",
            "QUERY_STRING", "VOILA_REQUEST_URL", "VOILA_PREHEAT", "GECC_PRE_TEST_FIRST")


def clear_caches():
    for fn in (session.open_store, session.open_standard):
        fn.cache_clear()


@pytest.fixture
def preview_env(tmp_path, monkeypatch):
    """A kernel of the kit's JupyterLab: the lab's environment for a var/ in tmp_path, with a real workshop."""
    for name in LAB_VARS:
        monkeypatch.delenv(name, raising=False)
    var = tmp_path / "var"
    monkeypatch.setenv("GECC_VAR_DIR", str(var))
    (var / "lab").mkdir(parents=True)
    from gecc_kit import keys

    key = keys.facilitator_key(var)
    for name, value in lab.environment(var).items():
        monkeypatch.setenv(name, value)
    real = Store(os.environ["GECC_STORE_URL"])
    real.ensure_workshop("REAL")
    for name in ("สมชาย", "สมหญิง", "สมศรี"):
        p = real.join("REAL", name, "สำนักงานจริง", "1")
        real.save_answer(p.id, "L01", status=Status.PARTIAL)
    clear_caches()
    yield real, key, var
    clear_caches()
    real.close()


def snapshot(store: Store, code: str = "REAL"):
    return store.room(code), store.workshop_list()


# --- preview as a kernel sees it -----------------------------------------------------------

def test_a_participant_notebook_opens_for_the_preview_participant(preview_env, monkeypatch):
    from gecc_kit import pages
    from gecc_kit.widgets import AssessmentApp

    real, _key, var = preview_env
    before = snapshot(real)
    monkeypatch.setenv("JPY_SESSION_NAME", str(LOCATION))
    app = pages.assessment_page("location")
    assert isinstance(app, AssessmentApp), "01-location is open before the pre-test in a preview"
    request = session.current_request()
    assert request.workshop_code == PREVIEW_CODE and request.token
    assert request.link(page="02-personnel.ipynb").startswith("./02-personnel.ipynb?w=PREVIEW&p=")
    preview = Store(session.preview_store_url())
    assert preview.url.startswith(sqlite_url(var / "lab" / "preview.sqlite"))
    who = preview.participant(PREVIEW_CODE, request.token)
    assert who.display_name == session.PREVIEW_NAME
    preview.save_answer(who.id, "L01", status=Status.MET)
    assert pages.assessment_page("location").participant.id == who.id, "the same preview participant every time"
    # The preview workshop is in no list, no dashboard, no export; the real workshops are as they were.
    assert snapshot(real) == before and [w.code for w in real.workshop_list()] == ["REAL"]
    assert preview.workshop_list() == [] and preview.latest_workshop() is None
    with pytest.raises(UnknownWorkshop):
        preview.room(PREVIEW_CODE)
    with pytest.raises(UnknownWorkshop):
        real.workshop(PREVIEW_CODE)
    preview.close()


def test_voilas_preview_inside_the_lab_is_a_preview_too(preview_env, monkeypatch):
    from gecc_kit import pages

    monkeypatch.setenv("SCRIPT_NAME", "/voila/render/notebooks/01-location.ipynb")
    monkeypatch.setenv("QUERY_STRING", "w=REAL&l=en")  # a real code typed into the preview changes nothing
    monkeypatch.setenv("VOILA_REQUEST_URL", "http://localhost:8888/voila/render/notebooks/01-location.ipynb?w=REAL&l=en")
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    request = session.current_request()
    assert (request.workshop_code, request.lang) == (PREVIEW_CODE, "en")
    assert request.page_url == "http://localhost:8888/voila/render/notebooks/01-location.ipynb"
    assert type(pages.journey_page().view).__name__ == "VBox"


def test_a_page_of_the_workshop_server_is_never_a_preview(preview_env, monkeypatch):
    from gecc_kit import pages

    real, _key, var = preview_env
    monkeypatch.setenv("GECC_HANDOVER_KEY", "k" * 32)  # every kernel of gecc-kit serve has it
    monkeypatch.setenv("JPY_SESSION_NAME", str(LOCATION))
    monkeypatch.setenv("QUERY_STRING", "w=REAL")
    assert not session.preview()
    request = session.current_request()
    assert (request.workshop_code, request.token) == ("REAL", ""), "a participant link as on the day: join first"
    assert type(pages.assessment_page("location")).__name__ != "AssessmentApp"
    monkeypatch.setenv("QUERY_STRING", f"w={PREVIEW_CODE}")
    assert "gecc-page-message" in pages.assessment_page("location")._dom_classes, "the preview code is no workshop there"
    assert not (var / "lab" / "preview.sqlite").exists(), "no preview participant was made"


def test_facilitator_notebooks_open_with_the_local_key_for_the_real_workshop(preview_env, monkeypatch):
    from gecc_kit.dashboard import DashboardApp, TablePicker, consensus_page, dashboard_page

    real, key, _var = preview_env
    monkeypatch.setenv("JPY_SESSION_NAME", str(NOTEBOOKS / "facilitator" / "dashboard.ipynb"))
    app = dashboard_page(interval=None)
    assert isinstance(app, DashboardApp) and app.request.workshop_code == "REAL"
    assert f"key={key}" in os.environ["QUERY_STRING"]
    monkeypatch.setenv("JPY_SESSION_NAME", str(NOTEBOOKS / "facilitator" / "consensus.ipynb"))
    assert isinstance(consensus_page(interval=None), TablePicker)
    real.ensure_workshop("LATER")
    monkeypatch.setenv("GECC_WORKSHOP", "REAL")  # a workshop named in the lab's environment wins over the latest
    monkeypatch.delenv("QUERY_STRING")
    assert dashboard_page(interval=None).request.workshop_code == "REAL"


def test_the_preview_code_is_reserved(sqlite_store):
    with pytest.raises(StoreError, match="reserved"):
        sqlite_store.ensure_workshop("preview")
    assert sqlite_store.workshop_list() == []


def test_the_preview_needs_a_store_of_its_own(monkeypatch, tmp_path):
    url = sqlite_url(tmp_path / "gecc.sqlite")
    monkeypatch.setenv("GECC_STORE_URL", url)
    monkeypatch.setenv("GECC_PREVIEW_STORE_URL", url)
    with pytest.raises(StoreError):
        session.preview_store_url()


# --- what JupyterLab saves ------------------------------------------------------------------

def test_a_saved_notebook_is_what_the_repository_keeps():
    """Outputs, counts, trust, widget state and the kernel's details, as JupyterLab sends them: saved
    through the hook, the notebook is byte for byte the tracked file."""
    original = LOCATION.read_text(encoding="utf-8")
    nb = json.loads(original)
    for cell in nb["cells"]:
        cell["metadata"]["trusted"] = True
        if cell["cell_type"] == "code":
            cell["metadata"].update(scrolled=True, execution={"iopub.status.idle": "2026-01-01T00:00:00Z"})
            cell["execution_count"] = 7
            cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                                "data": {"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
                                         "text/plain": "AssessmentApp"}}]
    nb["metadata"]["kernelspec"]["display_name"] = "Python 3 (ipykernel)"
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python",
                                       "codemirror_mode": {"name": "ipython", "version": 3}}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2, "version_minor": 0}}

    class Manager:
        def _get_os_path(self, path):
            return str(ROOT / path)

    model = {"type": "notebook", "format": "json", "content": nb}
    lab.strip_notebook(model=model, path="notebooks/01-location.ipynb", contents_manager=Manager())
    saved = nbformat.writes(nbformat.from_dict(model["content"]), version=nbformat.NO_CONVERT) + "\n"
    assert saved == original


def test_checkpoints_stay_under_var_lab(tmp_path):
    cp = lab.Checkpoints(root_dir=str(tmp_path / "checkpoints"))
    path = Path(cp.checkpoint_path("checkpoint", "notebooks/facilitator/dashboard.ipynb"))
    assert path == tmp_path / "checkpoints" / "notebooks" / "facilitator" / "dashboard-checkpoint.ipynb"
    assert path.parent.is_dir() and not (NOTEBOOKS / "facilitator" / ".ipynb_checkpoints").exists()


def test_the_kits_notebooks_are_signed_outside_the_repository(tmp_path):
    from nbformat.sign import NotebookNotary

    assert lab.sign_notebooks(tmp_path / "data") >= 12
    notary = NotebookNotary(data_dir=str(tmp_path / "data"))
    assert notary.check_signature(nbformat.read(LOCATION, as_version=4))
    assert {p.name for p in (tmp_path / "data").iterdir()} == {"nbsignatures.db", "notebook_secret"}


# --- the set-up says what it needs ----------------------------------------------------------

def run_need(target: str, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    return subprocess.run(["/bin/sh", str(ROOT / "tools" / "need.sh"), target], cwd=ROOT, capture_output=True, text=True,
                          env={"PATH": str(empty), "HOME": str(tmp_path), **env}, timeout=30)


def test_make_test_names_every_missing_package_in_one_apt_get_line(tmp_path):
    done = run_need("test", tmp_path)
    assert done.returncode == 1
    lines = [line.strip() for line in done.stderr.splitlines() if "apt-get" in line]
    assert lines == ["sudo apt-get install npm poppler-utils zbar-tools chromium libreoffice-calc-nogui caddy fonts-thai-tlwg"]
    assert "npm, pdftotext, pdfinfo, zbarimg, chromium, soffice" in done.stderr
    cluster = run_need("test", tmp_path, GECC_TEST_POSTGRES_URL="postgresql+psycopg://x@y/z")
    assert cluster.stderr.rstrip().endswith("caddy fonts-thai-tlwg haproxy pgbouncer")


def test_serve_and_lab_need_a_browser_slides_npm(tmp_path):
    for target in ("serve", "lab"):
        done = run_need(target, tmp_path)
        assert done.returncode == 1 and done.stderr.rstrip().endswith("sudo apt-get install chromium")
    done = run_need("slides", tmp_path)
    assert done.returncode == 1 and done.stderr.rstrip().endswith("sudo apt-get install npm")


@pytest.mark.skipif(not all(shutil.which(t) for t in ("npm", "pdftotext", "pdfinfo", "zbarimg", "chromium", "soffice", "caddy")),
                    reason="this machine lacks a test tool (the check's own test above runs without them)")
def test_nothing_is_printed_when_nothing_is_missing():
    done = subprocess.run(["sh", "tools/need.sh", "test"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_make_checks_before_it_installs_anything():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("serve", "lab", "test", "handouts", "slides"):
        assert re.search(rf"^{target}: need-{target} ", makefile, re.M), target
    assert "$(BIN)/jupyter lab --config=$(LAB_CONFIG) $(ARGS)" in makefile
    assert re.search(r"^LAB_CONFIG := gecc_kit/share/lab/jupyter_server_config.py$", makefile, re.M)
    assert lab.CONFIG_FILE.is_file()


# --- JupyterLab in Chromium -----------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"


def lab_command(port: int, token: str) -> list[str]:
    """The command `make lab` runs (read from make itself, the set-up left out), with test options."""
    args = f"--no-browser --port={port} --ServerApp.port_retries=0 --IdentityProvider.token={token}"
    if os.geteuid() == 0:
        args += " --allow-root"
    out = subprocess.run(["make", "-s", "-n", "-o", ".venv/.installed", "-o", "need-lab", "lab", f"ARGS={args}"],
                         cwd=ROOT, capture_output=True, text=True, check=True, timeout=60).stdout
    line = [line for line in out.splitlines() if "jupyter lab" in line][-1]
    return shlex.split(line)


LAB_LEFTOVERS = re.compile(r"(^|/)(\.ipynb_checkpoints|\.virtual_documents|\.jupyter|Untitled[^/]*|nbsignatures\.db|[^/]*\.jupyterlab-workspace)(/|$)")


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60).stdout


def ran_outputs(path: Path) -> bool:
    """True when a saved notebook holds what a run leaves (outputs, counts, widget state)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return True
    return "widgets" in nb.get("metadata", {}) or any(
        c.get("outputs") or c.get("execution_count") for c in nb.get("cells", []) if c.get("cell_type") == "code")


def kernel_idle(base: str, token: str, path: str) -> bool:
    """True once JupyterLab's session for ``path`` has a kernel that is idle."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=5) as r:
            sessions = json.load(r)
    except OSError:
        return False
    return any(s.get("path") == path and (s.get("kernel") or {}).get("execution_state") == "idle" for s in sessions)


def tracked_state() -> tuple[str, dict[str, str], set[str]]:
    """What `git status --porcelain` says of the tracked notebooks, their bytes, and anything JupyterLab
    leaves beside files (checkpoints, workspaces, signatures), ignored or not. Other people's edits to
    other files of the shared working tree are not this test's business."""
    tracked = [p for p in git("ls-files", "*.ipynb").splitlines()]
    status = git("status", "--porcelain", "--", *tracked)
    files = {p: hashlib.sha256((ROOT / p).read_bytes()).hexdigest() for p in tracked}
    listed = git("status", "--porcelain", "--ignored", "--untracked-files=all", "--", ".",
                 ":(exclude).venv", ":(exclude)node_modules", ":(exclude)var", ":(exclude)build")
    leftovers = {line[3:] for line in listed.splitlines() if LAB_LEFTOVERS.search(line[3:])}
    return status, files, leftovers


@pytest.mark.browser
@pytest.mark.slow
def test_jupyterlab_previews_a_module_as_a_participant_and_leaves_the_repo_clean(tmp_path):
    from test_server import CHROMIUM_ARGS, free_port

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (see tools/need.sh)")
    from playwright.sync_api import sync_playwright

    var = tmp_path / "var"
    real = Store(sqlite_url(var / "gecc.sqlite"))
    real.ensure_workshop("REAL")
    for name in ("สมชาย", "สมหญิง", "สมศรี"):
        real.save_answer(real.join("REAL", name, "สำนักงานจริง", "1").id, "L01", status=Status.PARTIAL)
    before = snapshot(real)
    listed = subprocess.run([sys.executable, "-m", "gecc_kit.cli", "workshop", "list", "--store", real.url],
                            capture_output=True, text=True, timeout=60).stdout
    git_before = tracked_state()
    original = LOCATION.read_bytes()

    port, token = free_port(), "t" + "0" * 31
    env = {k: v for k, v in os.environ.items() if k not in LAB_VARS}
    env.update(GECC_VAR_DIR=str(var), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    log = open(tmp_path / "lab.log", "w+")
    proc = subprocess.Popen(lab_command(port, token), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its kernels go down with it
    base = f"http://127.0.0.1:{port}"

    def output() -> str:
        log.flush()
        return (tmp_path / "lab.log").read_text()[-4000:]

    try:
        import urllib.request

        deadline = time.time() + 90
        while True:
            assert proc.poll() is None, output()
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline, "JupyterLab did not start:\n" + output()
            time.sleep(0.5)
        mtime = LOCATION.stat().st_mtime_ns

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="th-TH")
                dialogs = []
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.goto(f"{base}/lab/tree/notebooks/01-location.ipynb?token={token}")
                page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
                deadline = time.time() + 90
                while not kernel_idle(base, token, "notebooks/01-location.ipynb"):
                    assert time.time() < deadline, "the notebook's kernel did not start:\n" + output()
                    time.sleep(0.5)
                assert page.locator(".jp-Dialog").count() == 0, "no kernel or trust question"
                met = page.locator(".gecc-status-L01").get_by_role("button", name="ผ่าน", exact=True)
                # Run > Run All Cells. The item is disabled until the notebook is the lab's current
                # widget with a kernel; a click on it then does nothing. Open the menu until it is enabled.
                run_menu = page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$"))
                run_all = page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))
                deadline = time.time() + 60
                while True:
                    run_menu.click()
                    page.wait_for_selector(".lm-Menu .lm-Menu-itemLabel", timeout=10_000)
                    if run_all.count():
                        break
                    page.keyboard.press("Escape")
                    assert time.time() < deadline, "Run All Cells stayed disabled:\n" + output()
                    time.sleep(0.5)
                run_all.click()
                met.wait_for(state="visible", timeout=60_000)
                assert session.PREVIEW_NAME in page.inner_text(".gecc-assessment")
                met.click()
                preview = Store(sqlite_url(var / "lab" / "preview.sqlite"))
                who = preview.participants(PREVIEW_CODE)
                assert len(who) == 1 and who[0].display_name == session.PREVIEW_NAME
                deadline = time.time() + 20
                while getattr(preview.answers(who[0].id).get("L01"), "status", None) is not Status.MET:
                    assert time.time() < deadline, "the preview participant's answer was not saved"
                    time.sleep(0.2)
                preview.close()

                # Voilà's preview button: no "Untrusted notebook" question, the same preview participant.
                page.locator(".jp-NotebookPanel-toolbar [title='Render with Voilà']").first.click()
                frame = page.frame_locator("iframe[src*='/voila/render/']")
                shown = frame.locator(".gecc-status-L01 button.mod-active")
                shown.wait_for(state="visible", timeout=120_000)
                assert shown.inner_text().strip() == "ผ่าน", "Voilà's preview shows the preview participant's answers"
                assert page.locator(".jp-Dialog").count() == 0 and not dialogs

                # Save (Ctrl+S) the run notebook: the pre-save hook keeps it as the repository has it.
                page.locator(".jp-NotebookPanel .jp-Notebook").first.click(position={"x": 5, "y": 5})
                page.keyboard.press("Control+s")
                deadline = time.time() + 30
                while LOCATION.stat().st_mtime_ns == mtime:
                    assert time.time() < deadline, "the notebook was not saved"
                    time.sleep(0.2)
                page.wait_for_function("!document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", timeout=30_000)
            except Exception:
                page.screenshot(path=str(tmp_path / "failed.png"))  # kept in pytest's tmp folder
                raise
            finally:
                browser.close()

        assert snapshot(real) == before, "the real workshop is as it was"
        again = subprocess.run([sys.executable, "-m", "gecc_kit.cli", "workshop", "list", "--store", real.url],
                               capture_output=True, text=True, timeout=60).stdout
        assert again == listed and PREVIEW_CODE not in again
        assert tracked_state() == git_before, "no tracked notebook changed and nothing new beside them"
        assert (var / "lab" / "data" / "nbsignatures.db").is_file() and (var / "lab" / "checkpoints").is_dir()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        real.close()
        if LOCATION.read_bytes() != original and ran_outputs(LOCATION):  # the hook failed: put the tracked file back
            LOCATION.write_bytes(original)
