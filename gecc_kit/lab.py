"""JupyterLab for preparing the session (``make lab``): the kit's folder, the kit's kernel settings,
every participant notebook previewed as a participant, and nothing a preview does in the repo.

``make lab`` runs ``jupyter lab --config=gecc_kit/share/lab/jupyter_server_config.py``; that file
calls :func:`configure`, which

- puts the kit's kernel settings in the server's environment, inherited by every kernel it starts
  (JupyterLab's and Voilà's preview): ``GECC_PREVIEW=1``, the store, the criteria, the notebooks
  folder, the facilitator key file (``var/facilitator.key``, made the first time, as ``gecc-kit
  serve`` does) and the preview store (``var/lab/preview.sqlite``). What a preview kernel does with
  them is :mod:`gecc_kit.session`'s: a participant notebook opens for the preview participant of
  the preview workshop, a facilitator notebook with the local key, and a kernel of ``gecc-kit
  serve`` is never a preview;
- saves notebooks as the repository keeps them (:func:`strip_notebook`, the contents manager's
  ``pre_save_hook``): no outputs, no execution counts, no trust or widget state, and the kernel's
  name and language as the file had them;
- keeps JupyterLab's own files under ``var/lab/``: trust signatures (the kit's notebooks are signed
  at start, so neither JupyterLab nor Voilà's preview asks whether to trust them), workspaces, user
  settings and checkpoints (:class:`Checkpoints`; no ``.ipynb_checkpoints`` beside the notebooks).
"""
from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = KIT_ROOT / "notebooks"
SIGNED = ("notebooks/**/*.ipynb", "slides/*.ipynb")  # the kit's own notebooks: trusted in its JupyterLab
CONFIG_FILE = Path(__file__).resolve().parent / "share" / "lab" / "jupyter_server_config.py"

# Cell metadata a run or a view adds (JupyterLab's trust mark, timings, collapsed or scrolled output).
_RUN_METADATA = ("trusted", "execution", "collapsed", "scrolled")


def var_dir() -> Path:
    """``$GECC_VAR_DIR``, else the kit's ``var/`` (as ``gecc-kit serve``)."""
    return Path(os.environ.get("GECC_VAR_DIR") or KIT_ROOT / "var").resolve()


def environment(var: Path) -> dict[str, str]:
    """What the lab's kernels get: the kit's settings (those already set, e.g. GECC_STORE_URL or
    GECC_WORKSHOP, are kept) and ``GECC_PREVIEW=1``."""
    from . import keys
    from .criteria import sample_criteria_path
    from .store import sqlite_url

    lab = var / "lab"
    env = {
        "GECC_STORE_URL": os.environ.get("GECC_STORE_URL") or sqlite_url(var / "gecc.sqlite"),
        "GECC_CRITERIA": os.environ.get("GECC_CRITERIA") or str(sample_criteria_path().resolve()),
        "GECC_AGENDA_PLAN": os.environ.get("GECC_AGENDA_PLAN") or "full",
        "GECC_PREVIEW": "1",
        "GECC_PREVIEW_STORE_URL": os.environ.get("GECC_PREVIEW_STORE_URL") or sqlite_url(lab / "preview.sqlite"),
        "GECC_NOTEBOOKS": str(NOTEBOOKS_DIR),
        "GECC_LAB_ROOT": str(KIT_ROOT),
        "GECC_LOG_FILE": str(lab / "kernels.log"),
        "GECC_FACILITATOR_KEY_FILE": str(var / keys.KEY_FILE),
    }
    templates = str(Path(__file__).resolve().parent / "share" / "jupyter")
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (templates, os.environ.get("JUPYTER_PATH", "")) if p)
    return env


def strip_notebook(model: dict, path: str = "", contents_manager=None, **_kwargs) -> None:
    """The contents manager's ``pre_save_hook``: a notebook is saved as the repository keeps it.

    Outputs and execution counts go, as do the trust mark, timings and the widget state; the
    kernelspec is kept as the file on disk has it (JupyterLab writes its display name) and
    ``language_info`` keeps only the language's name (JupyterLab writes the kernel's version).
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    nb = model["content"]
    for cell in nb.get("cells", []):
        meta = cell.get("metadata")
        if isinstance(meta, dict):
            for key in _RUN_METADATA:
                meta.pop(key, None)
            shown = meta.get("jupyter")
            if isinstance(shown, dict):
                shown.pop("outputs_hidden", None)
                if not shown:
                    del meta["jupyter"]
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    meta = nb.setdefault("metadata", {})
    meta.pop("widgets", None)
    info = meta.get("language_info")
    if isinstance(info, dict) and info.get("name"):
        meta["language_info"] = {"name": info["name"]}
    before = _metadata_on_disk(contents_manager, path)
    spec, kept = meta.get("kernelspec"), before.get("kernelspec")
    if isinstance(spec, dict) and isinstance(kept, dict) and spec.get("name") == kept.get("name"):
        meta["kernelspec"] = kept


def _metadata_on_disk(contents_manager, path: str) -> dict:
    if contents_manager is None or not path:
        return {}
    try:
        os_path = contents_manager._get_os_path(path)
        with open(os_path, encoding="utf-8") as f:
            meta = json.load(f).get("metadata", {})
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def sign_notebooks(data_dir: Path, root: Path = KIT_ROOT) -> int:
    """Sign the kit's notebooks in ``data_dir``'s signature store (``nbsignatures.db``), so its
    JupyterLab trusts them: no "Untrusted notebook" question (Voilà's preview asks one, and its
    "Render anyway" saves the notebook). The files themselves are not changed."""
    import nbformat
    from nbformat.sign import NotebookNotary

    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    notary = NotebookNotary(data_dir=str(data_dir))
    n = 0
    for pattern in SIGNED:
        for path in sorted(root.glob(pattern)):
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception:  # noqa: BLE001 - a broken notebook is JupyterLab's to report, not the start's
                continue
            if not notary.check_signature(nb):
                notary.sign(nb)
            n += 1
    return n


from jupyter_core.utils import ensure_dir_exists  # noqa: E402 - JupyterLab's, a dependency of the kit
from jupyter_server.services.contents.filecheckpoints import AsyncFileCheckpoints  # noqa: E402
from jupyter_server.utils import to_os_path  # noqa: E402
from tornado.web import HTTPError  # noqa: E402


class Checkpoints(AsyncFileCheckpoints):
    """Checkpoints kept under ``root_dir`` (``var/lab/checkpoints/``), in the notebooks' folder
    layout, instead of an ``.ipynb_checkpoints`` folder beside each notebook."""

    def checkpoint_path(self, checkpoint_id, path):
        path = path.strip("/")
        parent, name = ("/" + path).rsplit("/", 1)
        basename, ext = os.path.splitext(name)
        root = os.path.normpath(self.root_dir)
        folder = to_os_path(parent.strip("/"), root)
        if os.path.commonpath([folder, root]) != root:
            raise HTTPError(404, f"{path} is outside the root")
        with self.perm_to_403():
            ensure_dir_exists(folder)
        return os.path.join(folder, f"{basename}-{checkpoint_id}{ext}")


def configure(c) -> None:
    """Apply the kit's settings to a Jupyter server config ``c`` (see the module docstring)."""
    from . import keys

    var = var_dir()
    lab = var / "lab"
    for folder in (var, lab):
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    keys.facilitator_key(var)  # the key facilitator notebooks open with (made once, kept for serve too)
    os.environ.pop("GECC_FACILITATOR_KEY", None)  # the key file is the one key
    os.environ.update(environment(var))

    c.ServerApp.root_dir = str(KIT_ROOT)
    c.ContentsManager.preferred_dir = "notebooks"
    c.ContentsManager.pre_save_hook = strip_notebook
    # Jupyter applies this config twice; the second time the hook "overrides" itself: not worth a warning.
    warnings.filterwarnings("ignore", message="Overriding existing pre_save_hook", category=UserWarning)
    c.ContentsManager.checkpoints_class = Checkpoints
    c.FileCheckpoints.root_dir = str(lab / "checkpoints")
    c.NotebookNotary.data_dir = str(lab / "data")
    c.LabApp.workspaces_dir = str(lab / "workspaces")
    c.LabApp.user_settings_dir = str(lab / "user-settings")
    sign_notebooks(lab / "data")
