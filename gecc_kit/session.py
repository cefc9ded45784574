"""Who is on this page: the workshop code and participant token from the URL.

A participant's page is ``.../01-location.ipynb?w=CODE&p=TOKEN``. Voilà puts
the query string in the kernel's environment (``QUERY_STRING``); a preheated
kernel learns it only when a request arrives: :func:`wait_for_request` does what
``voila.utils.wait_for_request`` does without importing Voilà, which would cost
every kernel about 2 seconds and 30 MiB.

Everything a kernel needs from the server comes through environment
variables that ``gecc-kit serve`` sets: ``GECC_STORE_URL``, ``GECC_CRITERIA``,
``GECC_WORKSHOP`` (the default workshop code), ``GECC_PUBLIC_URL`` and, with a
proxy in front, ``GECC_PUBLIC_ORIGIN`` (the scheme and host links are built on).

**Preview** (``make lab``: JupyterLab, and Voilà's preview inside it): the lab's config
(:mod:`gecc_kit.lab`) sets ``GECC_PREVIEW=1`` in the server's environment, which its kernels
inherit. A kernel of ``gecc-kit serve`` is never a preview, whatever its environment: that
server gives every kernel ``GECC_HANDOVER_KEY`` (see :func:`preview`). In a preview a participant
notebook is opened by the **preview participant** of the **preview workshop**
(:data:`gecc_kit.store.PREVIEW_CODE`), kept in a store of its own (``$GECC_PREVIEW_STORE_URL``,
``var/lab/preview.sqlite``) that no dashboard, export or workshop list reads; a facilitator
notebook (``notebooks/facilitator/``) is opened with the local facilitator key for the real
workshop (``w=`` in Voilà's preview, else ``$GECC_WORKSHOP``, else the store's latest).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlencode

from . import kernel_guard
from .criteria import Standard, load_standard
from .errors import StoreError
from .practice import Office, load_offices
from .quiz import Question, load_questions
from .store import PREVIEW_CODE, Participant, Store, default_store_url, sqlite_url

kernel_guard.install()

log = logging.getLogger("gecc_kit")
log.addHandler(logging.NullHandler())  # never print to a participant's page
log.propagate = False
if os.environ.get("GECC_LOG_FILE"):
    _handler = logging.FileHandler(os.environ["GECC_LOG_FILE"], encoding="utf-8")
    _handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)


@dataclass(frozen=True)
class Request:
    """What the page's URL says: workshop code, participant token, and the page address."""

    workshop_code: str
    token: str
    page_url: str  # the page without its query string, e.g. http://10.0.0.5:8866/voila/render/01-location.ipynb
    lang: str = "th"  # "en" when the link says l=en

    @property
    def page(self) -> str:
        """The notebook's file name, e.g. ``01-location.ipynb``."""
        return self.page_url.rsplit("/", 1)[-1]

    def link(self, token: str | None = None, page: str | None = None, lang: str | None = None) -> str:
        """The URL of a page (this one by default) for this workshop, a token and a language.

        Every link a page shows is built here, so the workshop code, the
        participant token and the language carry over from page to page.
        """
        base = self.page_url
        if page:
            base = base.rsplit("/", 1)[0] + "/" + page
        query = {"w": self.workshop_code}
        if token or self.token:
            query["p"] = token or self.token
        if (lang or self.lang) == "en":
            query["l"] = "en"
        return f"{base}?{urlencode(query)}"


def _handover_url() -> tuple[str, dict[str, str]]:
    env = os.environ
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL") or "/"
    url = (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:{env.get('VOILA_APP_PORT', '8866')}"
        f"{base}gecc/handover/{env.get('VOILA_KERNEL_ID', '')}"
    )
    return url, {"X-Gecc-Handover": env.get("GECC_HANDOVER_KEY", "")}


def _take(info: str) -> None:
    for key, value in json.loads(info).items():
        os.environ[key] = str(value)


def wait_for_request() -> None:
    """In a preheated kernel, wait for the participant's request and put it in the environment.

    The request comes over the kit's hand-over socket (``gecc/handover/<kernel id>``, see
    :class:`gecc_kit.voila_app.HandoverSocket`), with the same variables Voilà would set, and
    without importing Voilà in the kernel: that import costs a kernel about 2 CPU-seconds and
    30 MiB, paid by every kernel of a room. This blocks the cell; the shell page uses
    :func:`await_request` instead, so its wait is not bounded by the executor's cell timeout.
    """
    from websockets.sync.client import connect

    url, headers = _handover_url()
    try:
        with connect(url, additional_headers=headers, open_timeout=5, close_timeout=1) as ws:
            info = ws.recv()
    except Exception as exc:  # noqa: BLE001 - any failure: the page says it cannot be built
        log.warning("no request info from the hand-over socket: %s", exc)
        return
    _take(info)


async def await_request(retries: int = 5) -> bool:
    """In a preheated kernel, wait (as long as it takes: an hour, a night) for the request.

    Runs as an asyncio task in the kernel after the page's cell has finished, so Voilà's cell
    timeout never ends the wait. True once the request is in the environment; False when the
    server cannot be reached after a few tries (the page then says so in Thai).
    """
    from websockets.asyncio.client import connect

    url, headers = _handover_url()
    for attempt in range(retries):
        try:
            async with connect(url, additional_headers=headers, open_timeout=10, close_timeout=1, ping_interval=20) as ws:
                _take(await ws.recv())
                return True
        except Exception as exc:  # noqa: BLE001 - try again, then give up with a Thai sentence
            log.warning("waiting for the request failed (%s/%s): %s", attempt + 1, retries, exc)
            await asyncio.sleep(min(2 ** attempt, 10))
    return False


def current_request(wait: bool = True) -> Request:
    """Read the page's URL from the kernel's environment (see the module docstring).

    With ``wait=False`` a preheated kernel does not wait for its request here (the caller
    already did, with :func:`await_request`).
    """
    if preview():
        return preview_request()
    preheated = os.environ.get("VOILA_PREHEAT") == "True"
    if preheated and wait:
        wait_for_request()
    return request_from_environment(preheated)


def request_from_environment(preheated: bool = False) -> Request:
    """The request in ``os.environ`` (``QUERY_STRING``, ``SCRIPT_NAME`` ...) as a :class:`Request`."""
    params = {k: v[0] for k, v in parse_qs(os.environ.get("QUERY_STRING", "")).items() if v}
    code = (params.get("w") or os.environ.get("GECC_WORKSHOP", "")).strip()
    token = (params.get("p") or "").strip()
    # The page as the browser asked for it, without the query string. A pooled kernel's
    # VOILA_REQUEST_URL is that of the request that refilled the pool (someone else's), so
    # a preheated kernel builds the address from the request info it waited for instead.
    request_url = "" if preheated else os.environ.get("VOILA_REQUEST_URL", "").split("?", 1)[0]
    host = os.environ.get("SERVER_NAME")
    path = os.environ.get("SCRIPT_NAME", "")
    origin = os.environ.get("GECC_PUBLIC_ORIGIN", "").rstrip("/")
    if origin and path:
        # Behind a proxy (HTTPS): the browser's scheme and host, not those the proxy used to reach us.
        page_url = origin + path
    elif request_url:
        page_url = request_url
    elif host and path:
        port = os.environ.get("SERVER_PORT")
        page_url = f"http://{host}{':' + port if port else ''}{path}"
    else:
        page_url = os.environ.get("GECC_PUBLIC_URL", "").rstrip("/") + (path or "")
    lang = "en" if params.get("l", "").strip().lower() == "en" else "th"
    return Request(code, token, page_url, lang)


# --- preview (make lab) -----------------------------------------------------------------------

_KIT_ROOT = Path(__file__).resolve().parent.parent
PREVIEW_TITLE = "ดูตัวอย่างใน JupyterLab (preview)"
PREVIEW_NAME = "ผู้ทดลองดู (preview)"
PREVIEW_OFFICE = "หน่วยงานตัวอย่าง (preview)"


def preview() -> bool:
    """True in a kernel of the kit's JupyterLab (``make lab``), never in one of ``gecc-kit serve``."""
    return os.environ.get("GECC_PREVIEW") == "1" and not os.environ.get("GECC_HANDOVER_KEY")


def preview_store_url() -> str:
    """Where the preview workshop lives: ``$GECC_PREVIEW_STORE_URL``, else ``var/lab/preview.sqlite``;
    never the real store."""
    url = os.environ.get("GECC_PREVIEW_STORE_URL") or sqlite_url(_KIT_ROOT / "var" / "lab" / "preview.sqlite")
    if url == default_store_url():
        raise StoreError("GECC_PREVIEW_STORE_URL names the workshops' own store: the preview needs a store of its own.")
    return url


def preview_participant() -> Participant:
    """The preview participant (made the first time), in the preview workshop of the preview store."""
    store = open_store(preview_store_url())
    store.ensure_workshop(PREVIEW_CODE, PREVIEW_TITLE, preview=True)
    people = store.participants(PREVIEW_CODE)
    if not people:
        store.join(PREVIEW_CODE, PREVIEW_NAME, PREVIEW_OFFICE)
        people = store.participants(PREVIEW_CODE)  # two kernels joining at once: both take the first
    return people[0]


def preview_notebook() -> PurePosixPath | None:
    """The notebook a preview kernel runs, relative to the notebooks folder (None when unknown).

    JupyterLab names it in ``JPY_SESSION_NAME``; Voilà's preview in ``SCRIPT_NAME``
    (``…/voila/render/<path under the lab's folder, $GECC_LAB_ROOT>``)."""
    notebooks = Path(os.environ.get("GECC_NOTEBOOKS") or _KIT_ROOT / "notebooks")
    path = os.environ.get("JPY_SESSION_NAME", "")
    script = os.environ.get("SCRIPT_NAME", "")
    if not path and "/voila/render/" in script:
        path = str(Path(os.environ.get("GECC_LAB_ROOT") or _KIT_ROOT) / unquote(script.split("/voila/render/", 1)[1]))
    if not path:
        return None
    try:
        return PurePosixPath(Path(path).resolve().relative_to(notebooks.resolve()).as_posix())
    except (ValueError, OSError):
        return None


def preview_request() -> Request:
    """The request a preview kernel plays (see the module docstring)."""
    seen = request_from_environment()
    notebook = preview_notebook()
    # In JupyterLab a link to another module opens that notebook beside this one.
    page_url = seen.page_url or (f"./{notebook.name}" if notebook else "")
    if notebook is not None and notebook.parts[:1] == ("facilitator",):
        from . import keys

        params = {k: v[0] for k, v in parse_qs(os.environ.get("QUERY_STRING", "")).items() if v}
        code = params.get("w") or os.environ.get("GECC_WORKSHOP", "").strip()
        if not code:
            latest = open_store().latest_workshop()
            code = latest.code if latest else ""
        if code:
            params["w"] = code
        params.setdefault("key", keys.current_key())  # the facilitator pages read the key from the query
        os.environ["QUERY_STRING"] = urlencode(params)
        return Request(code, "", page_url, seen.lang)
    participant = preview_participant()
    return Request(participant.workshop_code, participant.token, page_url, seen.lang)


def store_for(request: Request) -> Store:
    """The store a participant page uses: the preview store for the preview workshop in a preview,
    else ``$GECC_STORE_URL``'s (where the preview code names no workshop)."""
    if request.workshop_code == PREVIEW_CODE and preview():
        return open_store(preview_store_url())
    return open_store()


@lru_cache(maxsize=4)
def open_store(url: str | None = None) -> Store:
    """One store per kernel and URL (``$GECC_STORE_URL`` by default)."""
    return Store(url)


@lru_cache(maxsize=4)
def open_standard(path: str | None = None) -> Standard:
    """The standard in use (``$GECC_CRITERIA`` or the sample), read once per kernel."""
    return load_standard(path)


@lru_cache(maxsize=4)
def open_offices(path: str | None = None) -> tuple[Office, ...]:
    """The offices a participant can pick (``$GECC_OFFICES`` or the sample), read once per kernel."""
    return load_offices(path)


@lru_cache(maxsize=4)
def open_questions(path: str | None = None) -> tuple[Question, ...]:
    """The knowledge-check questions (``$GECC_QUESTIONS`` or the kit's), read once per kernel."""
    return load_questions(path)
