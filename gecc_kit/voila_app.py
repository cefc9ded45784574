"""Voilà, as the workshop server runs it: a cap on live kernels, facilitator pages behind a key,
and Thai error pages everywhere.

``gecc-kit serve`` runs ``python -m gecc_kit.voila_app`` instead of ``python -m voila``. It is
Voilà's own application with these changes:

- **Cap**: a page that would start a kernel while ``--GeccVoila.max_kernels`` kernels are
  already running gets a Thai "the room is full, please wait" page (HTTP 503) that reloads
  itself every 15 seconds, instead of overloading the machine. A page served from a ready
  (preheated) kernel is always let through: it starts no new kernel. Voilà has no such
  setting (voila#617).
- **Facilitator pages** (``facilitator/...``) open only with ``key=`` equal to the facilitator
  key, or for one table's consensus view that table's key (:mod:`gecc_kit.keys`, compared in
  constant time); anyone else gets a Thai 403 and no kernel is started. They are never held
  back by the cap.
- **Errors**: every page handler (static files, pictures, unknown addresses) answers errors
  with the kit's Thai error page (template ``error.html``) instead of tornado's English text.
  The folder listing (``/``, ``/voila/tree``) sends people to the welcome page, and the
  listing API is gone: only the notebooks themselves are reachable.

- **One page for the day**: every participant page (``00-welcome.ipynb`` ... ``06-...``) is served
  by one shell notebook (``app/journey.ipynb``), whose kernel then moves between the modules
  without a new kernel or page load (see :mod:`gecc_kit.pages`). Its ready kernels follow the
  room: ``--expect`` minus the participants already in, never fewer than a few spares, never
  past the cap.
- **Hand-over**: a ready kernel learns its request from the kit's own socket
  (``/gecc/handover/<kernel id>``), which only kernels holding the server's hand-over key can
  open; a request is delivered once and forgotten. Voilà's ``/voila/query/`` is gone.
- **A budget shared fairly**: live kernels (in use, ready and starting) never pass
  ``max_kernels``, checked where every kernel starts; a personal link, and an address beyond the
  room-sized allowance ``--expect`` sets, hold only so many, their oldest giving way first; a
  full budget frees a kernel of whoever holds the most before anyone waits (see
  :mod:`gecc_kit.budget`). A page whose tab has been gone for ``disconnected_timeout`` seconds
  ends, busy or not (a dashboard's timer kept its kernel alive all day).
- **Routine events log one line**: a websocket to a kernel that is gone, a closed tab.
- **Logs without secrets**: every log line has the values of ``p``, ``key``, ``_xsrf`` and
  ``token`` in URLs blanked, and kernel ids (enough to reach a page's kernel) unless the
  server runs with ``--debug``.

Everything else is Voilà's.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import math
import os
import posixpath
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from tornado import ioloop, web
from tornado.websocket import WebSocketHandler
from traitlets import Int, Unicode, default
import voila.handler
from voila.app import Voila
from voila.handler import VoilaHandler

from . import budget, keys
from .journey import MODULES, SHELL

FACILITATOR_PREFIX = "facilitator/"
CONSENSUS = "facilitator/consensus.ipynb"  # the one facilitator page a table's own key opens
WELCOME = "00-welcome.ipynb"
PARTICIPANT_PAGES = frozenset(m.notebook for m in MODULES)
# Voilà page parameters that would make it start a fresh kernel (or serve its stock page): ignored.
IGNORED_ARGUMENTS = ("template", "theme")

ROOM_FULL = """<!DOCTYPE html>
<html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="refresh" content="15">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'unsafe-inline'">
<title>ห้องเต็มชั่วคราว (GECC)</title>
<style>body{font-family:"Sarabun","Noto Sans Thai","Laksaman","Loma",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1f2328}
.en{color:#57606a}</style></head>
<body><div class="gecc-room-full">
<h1>ขณะนี้มีผู้เข้าร่วมเต็มจำนวน กรุณารอสักครู่</h1>
<p>ระบบจะเปิดหน้านี้ให้อัตโนมัติเมื่อมีที่ว่าง (ลองใหม่ทุก 15 วินาที) ไม่ต้องปิดหน้านี้ คำตอบที่บันทึกแล้วไม่หายไป</p>
<p class="en">The room is full right now. This page retries by itself every 15 seconds; your saved answers are kept.</p>
</div></body></html>"""


BUILD_SLOTS = max(2, os.cpu_count() or 2)  # pages built on new kernels at once, machine-wide
BUILD_WAIT = 20.0  # seconds a page waits for its address's turn to build, before the "room full" page
LOADING_GRACE = 30.0  # seconds a page that just got its kernel counts as connected (its tab is still loading)
WEBSOCKET_MAX_BYTES = 4 * 2**20  # room for a refused 1 MB note to reach the kernel and be answered in Thai

TEMPLATE_DIR = Path(__file__).resolve().parent / "share" / "jupyter" / "voila" / "templates" / "gecc"


@lru_cache(maxsize=1)
def _error_template():
    import jinja2

    # the kit's template, then the same template folders Voilà finds on JUPYTER_PATH (var/public's
    # holds the Sarabun rules `gecc-kit serve` writes, gecc-fonts.css)
    more = [os.path.join(p, "voila", "templates", "gecc") for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(TEMPLATE_DIR), *more]), autoescape=True)
    return env.get_template("error.html")


def thai_error_html(status_code: int) -> str:
    """The kit's Thai error page (the template's ``error.html``, as Voilà's own pages show it)."""
    try:
        return _error_template().render(status_code=status_code)
    except Exception:  # never a traceback: one plain Thai line
        return f'<!DOCTYPE html><html lang="th"><meta charset="utf-8"><p>ขออภัย เปิดหน้านี้ไม่ได้ ({int(status_code)})</p></html>'


class ThaiErrors:
    """Mixin: answer any error with the Thai error page, never tornado's English text or a traceback."""

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(thai_error_html(status_code))


class QuietErrors:
    """Mixin for the kernel websocket: a routine refusal (a kernel that is gone after its tab closed
    or it was culled) answers with its status and logs one line, never a traceback."""

    def write_error(self, status_code, **kwargs):
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish(str(int(status_code)))


class HealthHandler(web.RequestHandler):
    """``/healthz`` for a load balancer or a monitor: answers at once and starts no kernel."""

    def get(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        replica = os.environ.get("GECC_REPLICA", "")
        lines = [f"ok {replica}" if replica else "ok"]
        app = self.settings.get("gecc_app")
        if app is not None and app.expect > 0:
            # The second line tells a deploy script (or a benchmark) when the room can come in:
            # ready kernels have started and run their page; "starting" ones have not yet.
            rendered, target, starting, live = app.readiness()
            lines.append(f"ready {rendered} of {target}, starting {starting}, kernels {live}")
        self.finish("\n".join(lines) + "\n")

    head = get


class NotFoundHandler(ThaiErrors, web.RequestHandler):
    """Any address the server does not know."""

    def prepare(self):
        raise web.HTTPError(404)


class ToWelcomeHandler(ThaiErrors, web.RequestHandler):
    """The bare address (and Voilà's folder listing) leads to the welcome page of the workshop."""

    def get(self, *args, **kwargs):
        query = {"w": os.environ["GECC_WORKSHOP"]} if os.environ.get("GECC_WORKSHOP") else {}
        base = self.settings.get("base_url", "/")
        self.redirect(f"{base}voila/render/{WELCOME}" + (f"?{urlencode(query)}" if query else ""))


SECRET_QUERY = re.compile(r"(?i)([?&;](?:p|key|_xsrf|token)=)[^&;\s\"'<>)]*")
KERNEL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def scrub(message: str, show_ids: bool = False) -> str:
    """A log line without participants' tokens, keys or (unless ``show_ids``) kernel ids."""
    message = SECRET_QUERY.sub(r"\1…", message)
    return message if show_ids else KERNEL_ID.sub("<kernel>", message)


class Scrubbed(logging.Filter):
    """Scrubs every record a log handler writes (tornado's access log included)."""

    def __init__(self, show_ids: bool):
        super().__init__()
        self.show_ids = show_ids

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and type(exc).__name__ == "DeadKernelError":
            # A page whose kernel ended while it was being built: the kit ends kernels on purpose
            # (a client's oldest page gives way to its newest); one line, not a traceback.
            record.msg, record.args, record.exc_info, record.exc_text = "a page's kernel ended while the page was being built", (), None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        message = record.getMessage()
        clean = scrub(message, self.show_ids)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


def canonical(path: str | None) -> str | None:
    """The page path as the server resolves it, or None when it is not written that way.

    ``./facilitator/x``, ``a/../facilitator/x`` or ``//x`` reach the same file as the plain path
    once Voilà normalises it; such spellings are refused, so every check here sees the real path.
    """
    raw = (path or "").lstrip("/")
    normal = posixpath.normpath("/" + raw).lstrip("/")
    return raw if raw == normal and "\\" not in raw else None


@dataclass(frozen=True)
class Client:
    """Who asked for the page being served: their address and personal token (if any)."""

    app: "GeccVoila"
    address: str
    token: str = ""
    facilitator: bool = False


# The page request being served, seen by the kernel starts and hand-overs it causes.
_page_client: ContextVar[Client | None] = ContextVar("gecc_page_client", default=None)


@dataclass(frozen=True)
class Ticket:
    """A page waiting for its turn to build on a new kernel."""

    seq: int
    address: str
    since: float


class RoomFull(web.HTTPError):
    """The kernel budget is used up: the page waits (the Thai "room full" page)."""

    def __init__(self):
        super().__init__(503)


def room_full(handler: web.RequestHandler) -> None:
    handler.set_status(503)
    handler.set_header("Retry-After", "15")
    handler.set_header("Cache-Control", "no-store")
    handler.set_header("Content-Type", "text/html; charset=UTF-8")
    handler.finish(_room_full_html())


@lru_cache(maxsize=1)
def _room_full_html() -> str:
    """The "room full" page, in Sarabun when `gecc-kit serve` wrote its rules (see :func:`_error_template`)."""
    try:
        rules = _error_template().environment.get_template("gecc-fonts.css").render()
    except Exception:  # no Sarabun: the machine's Thai fonts
        rules = ""
    return ROOM_FULL.replace("<style>", "<style>" + rules, 1)


class CappedVoilaHandler(ThaiErrors, VoilaHandler):
    """Voilà's page handler: facilitator pages need the key, participant pages are served by the
    shell notebook, and new kernels wait beyond the cap."""

    async def get(self, path=None):
        app = self.settings.get("gecc_app")
        path = canonical(path)
        if path is None:
            raise web.HTTPError(404)  # an odd spelling of a path: no page, no kernel
        for name in IGNORED_ARGUMENTS:  # never a stock page, never a kernel outside the pools
            self.request.arguments.pop(name, None)
            self.request.query_arguments.pop(name, None)
        # The page's unload beacon (Voilà's front end) sends this cookie's value back, so a
        # closed tab frees its kernel at once instead of after the cull timeout.
        self.xsrf_token  # noqa: B018 (sets the _xsrf cookie)
        if path.lower().startswith(FACILITATOR_PREFIX) or path.lower() == FACILITATOR_PREFIX.rstrip("/"):
            opens = keys.access(self.get_argument("key", ""), self.get_argument("w", "").strip(),
                                self.get_argument("t", "").strip(), key=app.current_key() if app is not None else "")
            if opens is None or (opens == "table" and path != CONSENSUS):
                self.log.warning("facilitator page %s refused: no or wrong key", path)
                raise web.HTTPError(403)
            if app is not None:
                _page_client.set(Client(app, self.request.remote_ip or "", facilitator=True))
            return await super().get(path)  # the facilitator is never told the room is full
        notebook = SHELL if (path in PARTICIPANT_PAGES and app is not None and app.shell_exists()) else path
        if app is None:
            return await super().get(notebook)
        client = Client(app, app.client_address(self.request), self.get_argument("p", "").strip()[:64])
        _page_client.set(client)
        # A page that starts a kernel costs about a CPU-second. Pages are built a few at a time
        # (one per core), at most two per address, and the waiting page whose address holds the
        # least goes first: a script sending pages in parallel waits behind everyone else.
        ticket = app.wait_to_build(client)
        try:
            while not self._has_ready_kernel(notebook) and not app.may_build(ticket):
                if time.monotonic() - ticket.since > BUILD_WAIT:
                    self.log.warning("a page waited %s s for its turn to build; it gets the wait page", BUILD_WAIT)
                    return room_full(self)
                await asyncio.sleep(0.05)
        finally:
            app.waiting.pop(ticket.seq, None)
        if self._has_ready_kernel(notebook):
            return await super().get(notebook)  # a ready kernel: nothing to start
        app.building[client.address] = app.building.get(client.address, 0) + 1  # the slot is this page's now
        try:
            if app.max_kernels > 0 and app.live_count() >= app.max_kernels:
                victim = app.make_room(client)
                if victim is None:
                    self.log.warning("room full: %s kernels live (cap %s); a page waits", app.live_count(), app.max_kernels)
                    return room_full(self)
                await app.free(victim, "the budget is full: a kernel of the client holding the most gave way")
            return await super().get(notebook)
        finally:
            app.building[client.address] -= 1
            if app.building[client.address] <= 0:
                del app.building[client.address]

    def write_error(self, status_code, **kwargs):
        if status_code == 503:
            return room_full(self)  # the budget filled up between the check and the start
        return super().write_error(status_code, **kwargs)

    def _has_ready_kernel(self, path) -> bool:
        pool_size = getattr(self.kernel_manager, "get_pool_size", None)
        try:
            return bool(pool_size and path and pool_size(path) > 0)
        except Exception:
            return False


class HandoverSocket(WebSocketHandler):
    """The request hand-over to ready (preheated) kernels, owned by the kit.

    A ready kernel has run its page up to "who is this for?" and waits on this socket. Voilà's
    page handler calls :meth:`send_updates` with the request when it gives the kernel to a
    participant. Unlike Voilà's ``/voila/query/`` socket:

    - only a kernel can open it: the connection must carry the server's hand-over key
      (``$GECC_HANDOVER_KEY``, in every kernel's environment, never in a page);
    - one waiter per kernel; a request is delivered once and then forgotten;
    - a request nobody collects is dropped after a minute.
    """

    _waiters: dict = {}
    _pending: dict = {}  # kernel id -> (time, request info)
    PENDING_SECONDS = 60

    def check_origin(self, origin):
        return False  # a browser page (which sends an Origin) never talks to this socket

    def prepare(self):
        expected = os.environ.get("GECC_HANDOVER_KEY", "")
        if not keys.same(self.request.headers.get("X-Gecc-Handover", ""), expected):
            raise web.HTTPError(403)

    def open(self, kernel_id: str) -> None:
        if kernel_id in HandoverSocket._waiters:
            self.close(4009, "one waiter per kernel")
            return
        self.kernel_id = kernel_id
        HandoverSocket._waiters[kernel_id] = self
        HandoverSocket._forget_old()
        pending = HandoverSocket._pending.pop(kernel_id, None)
        if pending is not None:
            self._deliver(pending[1])

    def on_message(self, message):
        pass  # kernels only listen

    def on_close(self) -> None:
        kernel_id = getattr(self, "kernel_id", None)
        if kernel_id is not None and HandoverSocket._waiters.get(kernel_id) is self:
            del HandoverSocket._waiters[kernel_id]

    def _deliver(self, payload) -> None:
        HandoverSocket._waiters.pop(self.kernel_id, None)
        try:
            self.write_message(json.dumps(payload))
        except Exception:
            logging.getLogger("gecc_kit").warning("a ready kernel left before its request was handed over")

    @classmethod
    def _forget_old(cls) -> None:
        now = time.monotonic()
        for kernel_id in [k for k, (t, _) in cls._pending.items() if now - t > cls.PENDING_SECONDS]:
            del cls._pending[kernel_id]

    @classmethod
    def send_updates(cls, msg: dict) -> None:
        """Hand a request to a ready kernel (called by Voilà's page handler)."""
        kernel_id, payload = msg["kernel_id"], msg["payload"]
        client = _page_client.get()
        if client is not None and not client.facilitator:
            client.app.took(kernel_id, client)
        waiter = cls._waiters.get(kernel_id)
        if waiter is not None:
            waiter._deliver(payload)
        else:
            cls._forget_old()
            cls._pending[kernel_id] = (time.monotonic(), payload)


# Voilà's page handler hands requests to ready kernels through this name: the kit's socket instead.
voila.handler.RequestInfoSocketHandler = HandoverSocket


def _ready(task) -> bool:
    """A pool entry (Voilà's task that starts a kernel and runs its page) whose kernel is ready."""
    return task.done() and not task.cancelled() and task.exception() is None


def last_activity(kernel):
    """A kernel's last activity, or None while its start is still under way. jupyter_server sets
    the trait one turn of the loop after the kernel enters the manager's map; reading it before
    raises a TraitError (not an AttributeError, so ``getattr(..., None)`` does not help)."""
    values = getattr(kernel, "_trait_values", None)
    if values is not None:
        return values.get("last_activity")
    return getattr(kernel, "last_activity", None)


def guard_culling(km) -> None:
    """jupyter_server's culler visits every kernel, including one whose start is still under way:
    its ``last_activity`` is not set yet, reading it raises, and the culler logs a traceback (seen
    in CI while pages arrived at a full room). Such a kernel is not idle: the culler skips it."""
    original = km.cull_kernel_if_idle

    async def cull_kernel_if_idle(kernel_id):
        kernel = km._kernels.get(kernel_id)
        if kernel is None or last_activity(kernel) is None:
            return None
        return await original(kernel_id)

    km.cull_kernel_if_idle = cull_kernel_if_idle


class GeccVoila(Voila):
    """Voilà for a workshop room (see the module docstring)."""

    max_kernels = Int(0, config=True, help="Most kernels running at once; 0 for no cap. Pages beyond it wait.")
    expect = Int(0, config=True, help="Participants in the room: kernels kept ready until they are all in.")
    room = Int(
        0, config=True, help="Participants of the whole session on every replica (0: --expect): what one address may hold here."
    )
    spare_kernels = Int(
        -1, config=True, help="Ready kernels kept once the room is in (reloads, late comers); -1: a tenth of --expect, at least 2."
    )
    disconnected_timeout = Int(
        60, config=True, help="Seconds a page's kernel lives on after its last tab went away (busy or not); 0: never ended."
    )
    facilitator_key = Unicode(
        "", help="Key that opens the facilitator pages (default: the key file $GECC_FACILITATOR_KEY_FILE, read again "
                 "when it changes, else $GECC_FACILITATOR_KEY); no key: they are closed to everyone."
    ).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._holders: dict[str, tuple[str, str]] = {}  # participant kernel id -> (address, token)
        self._taken_at: dict[str, float] = {}  # participant kernel id -> when a page got it (monotonic)
        self._disconnected: dict[str, float] = {}  # kernel id -> since when no tab is connected
        self.building: dict[str, int] = {}  # address -> pages being built on new kernels now
        self.waiting: dict[int, Ticket] = {}  # pages waiting for their turn to build, by arrival
        self._tickets = itertools.count()

    def current_key(self) -> str:
        return self.facilitator_key or keys.current_key()

    @default("cookie_secret")
    def _cookie_secret_from_file(self):
        """The same secret on every replica (``$GECC_COOKIE_SECRET_FILE``), so a participant moved to
        another replica keeps their identity; a new random one otherwise."""
        path = os.environ.get("GECC_COOKIE_SECRET_FILE", "")
        if path and os.path.isfile(path):
            secret = Path(path).read_bytes().strip()
            if len(secret) >= 32:
                return secret
        return os.urandom(32)

    def shell_exists(self) -> bool:
        root = getattr(self, "root_dir", None) or os.getcwd()
        return os.path.isfile(os.path.join(root, SHELL))

    # --- ready kernels that follow the room ------------------------------------------------

    def spares(self) -> int:
        if self.spare_kernels >= 0:
            return self.spare_kernels
        return max(2, math.ceil(self.expect / 10)) if self.expect > 0 else 0

    def pool_counts(self) -> tuple[int, int, int]:
        """(live kernels, ready kernels in the shell's pool, pool entries still starting).

        Only the shell keeps kernels ready (``pool_config``: every other pool is 0).
        """
        km = self.kernel_manager
        pool = getattr(km, "_pools", {}).get(SHELL, [])
        ready = sum(1 for t in pool if _ready(t))
        return len(km.list_kernel_ids()), ready, sum(1 for t in pool if not t.done())

    def readiness(self) -> tuple[int, int, int, int]:
        """(ready kernels whose page has been run, how many the room wants now, pool entries still
        starting or running their page, live kernels): what /healthz reports. A pool entry is done
        once its kernel has started; its page then runs in a task of its own (Voilà's
        ``generate_content_hybrid``), and a page handed out before that waits for it."""
        km = self.kernel_manager
        pool = getattr(km, "_pools", {}).get(SHELL, [])

        def page_done(t) -> bool:
            inner = t.result().get("task") if _ready(t) else None
            return _ready(t) and (inner is None or (inner.done() and not inner.cancelled() and inner.exception() is None))

        rendered = sum(1 for t in pool if page_done(t))
        return rendered, self.ready_target(), len(pool) - rendered, len(km.list_kernel_ids())

    def ready_target(self) -> int:
        """How many ready kernels the shell page should have now.

        Everyone expected who has no page yet, and a few spares for reloads and late comers, within
        the cap: live kernels (in use and ready) plus those starting never pass ``max_kernels``.
        """
        if self.expect <= 0:
            return 0
        live, ready, starting = self.pool_counts()
        # Kernels of pool entries still starting are live but nobody's: counting them as in use
        # shrank the pool while it filled (measured: a ready kernel shut down mid-start, a traceback).
        in_use = max(0, live - ready - starting)
        want = max(self.spares(), self.expect - in_use)
        pool_len = len(getattr(self.kernel_manager, "_pools", {}).get(SHELL, []))
        if self.max_kernels > 0:
            room = max(0, self.max_kernels - live - starting)
            want = min(want, pool_len + room)
        return max(0, want)

    # --- the kernel budget, shared fairly (gecc_kit.budget) ----------------------------------

    def live_count(self) -> int:
        """Kernels alive or starting: what the budget counts."""
        km = self.kernel_manager
        return len(set(km.list_kernel_ids()) | set(getattr(km, "_pending_kernels", {})))

    def client_address(self, request) -> str:
        """Who is asking: the peer address, or behind a trusted proxy (``$GECC_TRUSTED_PROXIES``,
        loopback when ``--public-url`` is given) the last address it added to X-Forwarded-For."""
        peer = request.remote_ip or ""
        trusted = {a.strip() for a in os.environ.get("GECC_TRUSTED_PROXIES", "").split(",") if a.strip()}
        forwarded = request.headers.get("X-Forwarded-For", "")
        if peer in trusted and forwarded:
            return forwarded.split(",")[-1].strip()[:64] or peer
        return peer

    def wait_to_build(self, client: Client) -> "Ticket":
        ticket = Ticket(next(self._tickets), client.address, time.monotonic())
        self.waiting[ticket.seq] = ticket
        return ticket

    def may_build(self, ticket: "Ticket") -> bool:
        """This page's turn to build: a free slot, its address under two builds, and no waiting page
        of an address that holds fewer kernels (then the earlier one) before it."""
        held: dict[str, int] = {}
        for address, _token in self._holders.values():
            held[address] = held.get(address, 0) + 1
        busy = sum(self.building.values())
        if busy >= BUILD_SLOTS:
            # One more slot for a newcomer (an address holding and building nothing): someone
            # joining never waits behind pages a busy client keeps building.
            newcomer = not held.get(ticket.address) and not self.building.get(ticket.address)
            if not (newcomer and busy < BUILD_SLOTS + 1):
                return False

        def rank(t: Ticket) -> tuple[int, int]:
            return (held.get(t.address, 0) + self.building.get(t.address, 0), t.seq)

        eligible = [t for t in self.waiting.values() if self.building.get(t.address, 0) < budget.BUILDS_PER_ADDRESS]
        return bool(eligible) and min(eligible, key=rank) is ticket

    def allowance(self) -> int:
        """Most kernels one address may hold: the whole room plus its spares (0: no limit). With
        replicas the whole room is ``room`` (``--expect`` is this replica's share): when a replica
        is lost, all its people may come here, and an office behind one NAT address is one address."""
        if self.expect <= 0:
            return 0
        return max(self.room, self.expect) + self.spares()

    def holdings(self) -> list[budget.Holding]:
        km = self.kernel_manager
        live = set(km.list_kernel_ids())
        connections = getattr(km, "_kernel_connections", {})
        now = time.monotonic()
        held = []
        for kernel_id, (address, token) in list(self._holders.items()):
            if kernel_id not in live:
                continue
            try:  # a kernel ending right now may already be half gone from the manager
                activity = last_activity(km.get_kernel(kernel_id))  # None: still starting
            except (KeyError, AttributeError):
                continue
            # A page just handed its kernel has not connected its tab yet (it is still loading):
            # it counts as connected, or the next page of the same office would end it mid-load.
            loading = now - self._taken_at.get(kernel_id, -LOADING_GRACE) < LOADING_GRACE
            held.append(budget.Holding(
                kernel_id, address, token, connected=connections.get(kernel_id, 0) > 0 or loading,
                last_activity=activity.timestamp() if activity is not None else time.time(),  # starting: the newest
            ))
        return held

    def make_room(self, client: Client) -> str | None:
        return budget.make_room(self.holdings(), client.address, client.token, self.allowance())

    def took(self, kernel_id: str, client: Client) -> None:
        """A participant page got ``kernel_id``: note whose it is, and free what it holds too many."""
        self._holders[kernel_id] = (client.address, client.token)
        self._taken_at[kernel_id] = time.monotonic()
        new = budget.Holding(kernel_id, client.address, client.token, connected=True, last_activity=time.time())
        for other in budget.over_limits(self.holdings(), new, self.allowance()):
            asyncio.ensure_future(self.free(other, "one client held too many pages: its oldest gave way"))

    async def free(self, kernel_id: str, why: str) -> None:
        self._holders.pop(kernel_id, None)
        self._taken_at.pop(kernel_id, None)
        self.log.info("%s%s", why, f" ({kernel_id})" if self.debugging() else "")
        try:
            # At once (SIGKILL), not a polite request the kernel answers in its own time: a page is
            # waiting for this room, and every answer of the page that gives way is already stored.
            await self.kernel_manager.shutdown_kernel(kernel_id, now=True)
        except Exception:
            self.log.info("a kernel to free was already gone")

    def _guard_starts(self) -> None:
        """Every kernel start (a page's, a ready kernel's) passes here, with no wait between this
        check and the kernel being counted: the budget holds even when pages arrive together."""
        km = self.kernel_manager
        original = km.pre_start_kernel

        def pre_start_kernel(kernel_name, kwargs):
            client = _page_client.get()
            facilitator = client is not None and client.facilitator  # never told the room is full
            if self.max_kernels > 0 and not facilitator and self.live_count() >= self.max_kernels:
                raise RoomFull()
            started = original(kernel_name, kwargs)
            if client is not None and not facilitator and kwargs.get("env", {}).get("VOILA_PREHEAT") == "False":
                self.took(started[2], client)  # a page's own kernel (not a ready one for the pool)
            return started

        km.pre_start_kernel = pre_start_kernel

    async def _end_pages_left_behind(self) -> None:
        """Shut down kernels that no tab has been connected to for ``disconnected_timeout``."""
        if self.disconnected_timeout <= 0:
            return
        km = self.kernel_manager
        connections = getattr(km, "_kernel_connections", {})
        ready = {t.result().get("kernel_id") for pool in getattr(km, "_pools", {}).values() for t in pool if _ready(t)}
        now = time.monotonic()
        live = set(km.list_kernel_ids())
        for kernel_id in list(self._disconnected):
            if kernel_id not in live or connections.get(kernel_id, 0) > 0:
                del self._disconnected[kernel_id]
        for kernel_id in live - ready:
            if connections.get(kernel_id, 0) > 0:
                continue
            since = self._disconnected.setdefault(kernel_id, now)
            if now - since >= self.disconnected_timeout:
                del self._disconnected[kernel_id]
                await self.free(kernel_id, f"a page left for {self.disconnected_timeout} s ended")
        for kernel_id in [k for k in self._holders if k not in live and k not in getattr(km, "_pending_kernels", {})]:
            del self._holders[kernel_id]
            self._taken_at.pop(kernel_id, None)

    def _follow_the_room(self) -> None:
        km = self.kernel_manager
        original = km.fill_if_needed

        def fill_if_needed(delay=None, notebook_name=None, **kwargs):
            if notebook_name == SHELL:  # the size Voilà fills to is the room's, asked now
                config = dict(km.kernel_pools_config)
                config[SHELL] = {**config.get(SHELL, {}), "pool_size": self.ready_target()}
                km.kernel_pools_config = config
            return original(delay=delay, notebook_name=notebook_name, **kwargs)

        km.fill_if_needed = fill_if_needed

        def get_pool_size(notebook_name: str) -> int:
            # Only kernels that are ready count, and they go first: a refill still in its 15 s delay
            # would make a reload wait for it (measured: 12-16 s); a cold start takes about a second.
            pool = km._pools.get(notebook_name, [])
            pool.sort(key=lambda task: not _ready(task))
            return sum(1 for task in pool if _ready(task))

        km.get_pool_size = get_pool_size

        async def tick():
            pool = getattr(km, "_pools", {}).get(SHELL)
            if pool is None:
                return
            # A ready kernel refused by the budget (RoomFull) leaves a failed entry: drop it.
            pool[:] = [t for t in pool if not (t.done() and (t.cancelled() or t.exception() is not None))]
            target = self.ready_target()
            if len(pool) < target:
                km.fill_if_needed(delay=0, notebook_name=SHELL)
            elif len(pool) > target and all(task.done() for task in pool):  # never while it fills
                # More ready than the room needs (people came back to their page): free one at a time.
                for i in range(len(pool) - 1, -1, -1):
                    task = pool[i]
                    if _ready(task):
                        kernel_id = task.result().get("kernel_id")
                        pool.pop(i)
                        try:
                            await km.shutdown_kernel(kernel_id)
                        except Exception:
                            self.log.info("a ready kernel could not be shut down: already gone")
                        break

        def run_tick():
            asyncio.ensure_future(tick())

        self._room_timer = ioloop.PeriodicCallback(run_tick, 5000)
        self._room_timer.start()

    # --- Voilà's application, changed -------------------------------------------------------

    def init_settings(self):
        settings = super().init_settings()
        settings["gecc_app"] = self
        settings["default_handler_class"] = NotFoundHandler
        # A page's widget message is a few kB (a 2,000-character Thai note is 6 kB); tornado's
        # default lets one message carry 10 MiB. Bigger ones close that websocket.
        settings["websocket_max_message_size"] = WEBSOCKET_MAX_BYTES
        # Pages, scripts and the Thai words file (252 kB of JSON, 60 kB gzipped) travel compressed
        # to a browser that asks for it: a phone on a busy room's Wi-Fi or on Zoom's side.
        settings["compress_response"] = True
        # Personal links carry a token in the URL: never in a Referer header, never in a cache.
        settings["headers"] = {**settings.get("headers", {}), "Referrer-Policy": "no-referrer"}
        self._scrub_logs()
        self._guard_starts()
        guard_culling(self.kernel_manager)
        if hasattr(self.kernel_manager, "_pools"):
            self._follow_the_room()

        def upkeep():
            asyncio.ensure_future(self._end_pages_left_behind())

        self._upkeep_timer = ioloop.PeriodicCallback(upkeep, 5000)
        self._upkeep_timer.start()
        return settings

    def debugging(self) -> bool:
        """Run with ``--debug`` (``--Voila.log_level=DEBUG``). The logger itself is always at DEBUG
        (traitlets filters in its handler), so its level says nothing."""
        level = self.log_level if isinstance(self.log_level, int) else logging.getLevelName(str(self.log_level))
        return isinstance(level, int) and level <= logging.DEBUG

    def _scrub_logs(self) -> None:
        """Every log line the server writes goes through :class:`Scrubbed`: the app's own, and
        tornado's (access log, uncaught errors), which Voilà leaves to Python's last-resort
        handler: they get a handler of their own on the root logger."""
        scrubbed = Scrubbed(show_ids=self.debugging())
        root = logging.getLogger()
        if not root.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            root.addHandler(handler)
        self.log.addFilter(scrubbed)  # records logged to the app's logger (kernel manager included)
        for logger in (self.log, root):
            for handler in logger.handlers:
                if not any(isinstance(f, Scrubbed) for f in handler.filters):
                    handler.addFilter(scrubbed)

    def init_handlers(self):
        handlers = []
        for spec in super().init_handlers():
            pattern, cls = spec[0], spec[1] if len(spec) >= 2 else None
            if cls is None:
                pass
            elif pattern.endswith("/voila/render/(.*)"):
                spec = (pattern, type("TornadoCappedVoilaHandler", (CappedVoilaHandler, cls), {}), *spec[2:])
            elif "/voila/api/contents" in pattern:
                continue  # the folder listing API: nobody needs it, and it would list every file
            elif "/voila/query/" in pattern:
                continue  # Voilà's hand-over socket: the kit's own replaces it (HandoverSocket)
            elif cls.__name__ == "TornadoVoilaTreeHandler":
                spec = (pattern, ToWelcomeHandler)
            elif "/api/kernels/" in pattern and "channels" in pattern:
                spec = (pattern, type(f"Quiet{cls.__name__}", (QuietErrors, cls), {}), *spec[2:])
            elif "/voila/api/themes/" in pattern or "/voila/api/shutdown/" in pattern:
                # a theme file that is not there, a shutdown asked with GET: the Thai page, not an
                # empty 404 or Voilà's English JSON (the page's own requests never read the body)
                spec = (pattern, type(f"Thai{cls.__name__}", (ThaiErrors, cls), {}), *spec[2:])
            elif not issubclass(cls, web.RequestHandler) or "/api/" in pattern:
                pass  # websockets and JSON APIs answer in their own (machine) format
            else:
                spec = (pattern, type(f"Thai{cls.__name__}", (ThaiErrors, cls), {}), *spec[2:])
            handlers.append(spec)
        base = self.server_url or self.base_url or "/"
        handlers.append((base.rstrip("/") + r"/gecc/handover/(\w+-\w+-\w+-\w+-\w+)", HandoverSocket))
        handlers.insert(0, (base.rstrip("/") + "/healthz", HealthHandler))
        if base.rstrip("/"):  # also at the root, for a check that does not know the prefix
            handlers.insert(0, ("/healthz", HealthHandler))
        return handlers


main = GeccVoila.launch_instance

if __name__ == "__main__":
    main()
