"""Workshop day: a room of N participants goes through the whole day, page by page.

Each simulated participant is an HTTP + websocket client that speaks the Jupyter
widget protocol as the browser's widget manager does, and answers like a person:

1. **Join**: within ``--window`` s of each other, everyone opens the room's link
   (``00-welcome.ipynb?w=DAY``), gets the page's widget models over the kernel's
   websocket (``comm_info_request``, then ``request_state`` to every comm), types a
   name into the join form (``gecc-join-name``) and clicks ``gecc-join-button``.
   Joined = the kernel sends the personal link (``data-gecc-url='...p=TOKEN'``) and
   the welcome page's widgets (``gecc-welcome``).
2. **Modules**, in teaching order: the pre-test (``06-knowledge-check``), the four
   factors (``01``-``04``), the summary and plan (``05``), the post-test (``06``
   again); the background page (``00-gecc-basics``, nothing to answer) is not
   visited. The pre-test, answered through its widgets, comes right after the join:
   the kit opens the factor and summary pages only after it (AFTER_PRE_TEST).
   The room opens each within ``--window`` s; ``--gap`` s of quiet follow
   once everyone's answers are sent. A participant opens a page

   a. by **route**, when its current page has a ``gecc-route`` Text widget: the
      module's path and query go into it (with ``#n`` after them, as the kit's page
      script sends, so the same module twice is still a change), and the page is
      open when the kernel has sent the ``gecc-view-<notebook stem>`` widget and the
      page's controls (same websocket, same kernel, no page load); or
   b. by **page load** otherwise (plain Voilà, or the kit without a route widget):
      the previous tab leaves (its websocket closes and, as Voilà's page does on
      unload, a shutdown beacon is posted), the page is fetched, its kernel's
      websocket opened and the models loaded.

   The time of an open is from the moment the participant starts opening to the
   moment the page's controls have answered (their models are all there). Then
   the participant answers with pauses of 0.2-1 s: a status for every criterion
   and one evidence note (factor pages), every question of the phase (knowledge
   check), or one plan row chosen and its action typed (summary).
3. At the end the server is stopped and the store is read: for every participant,
   the last value sent for each (criterion, field) must be what the store holds.
   lost answers = sent - stored.

A page is broken when it does not open within ``--timeout`` s, lacks its widgets,
or shows an error (a traceback, Voilà's "Cell execution timed out", ``ename``, an
IOPub ``error`` message) while the participant is on it.

Per burst: ok count, p50/p95/max open time, broken pages, kernels and their total
unique memory (USS) and the server's USS at the burst's peak (sampled every 0.5 s),
server and kernel CPU seconds during the burst, and the kernels alive 120 s after
the burst started (or at the end of the gap, if that comes first).

The same day is then run against plain Voilà (``voila notebooks/``, default
settings, a fresh store), page loads only, and the p95 ratio is printed per burst.

Run from the kit's folder::

    .venv/bin/python bench/workshop_day.py --participants 60 --idle 900 --gap 120 --window 10

A small check: ``--participants 5 --idle 5 --gap 5 --window 3``. Exits 0 even when
a target is missed; the summary says which are met. ``--no-route`` makes the kit's
participants load every page (a browser without the page script, a reload);
``--no-beacon`` makes leaving tabs post no shutdown beacon (a phone that drops the
tab). The websocket speaks the v1 kernel protocol, as JupyterLab's services do.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

KIT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(KIT))  # the kit's own package, for the store and the criteria

from gecc_kit.criteria import load_standard  # noqa: E402
from join_burst import free_port, kernels_of, start, stop, tree  # noqa: E402 (bench/ is the script's folder)
from gecc_kit.quiz import LETTERS, load_questions  # noqa: E402
from gecc_kit.scoring import Status  # noqa: E402
from gecc_kit.store import Store  # noqa: E402

WELCOME = "00-welcome.ipynb"
KNOWLEDGE = "06-knowledge-check.ipynb"
SUMMARY = "05-summary.ipynb"
FACTOR_PAGES = {
    "01-location.ipynb": "location",
    "02-personnel.ipynb": "personnel",
    "03-service.ipynb": "service",
    "04-technology.ipynb": "technology",
}
# (label, notebook, knowledge-check phase) in teaching order
SCHEDULE = [
    ("pre-test", KNOWLEDGE, "pre"),
    ("01 location", "01-location.ipynb", None),
    ("02 personnel", "02-personnel.ipynb", None),
    ("03 service", "03-service.ipynb", None),
    ("04 technology", "04-technology.ipynb", None),
    ("05 summary", SUMMARY, None),
    ("post-test", KNOWLEDGE, "post"),
]
# What a page must never show (join_burst.py's list, plus Voilà's timeout text).
BAD = ("Traceback (most recent call last)", "Cell execution timed out", "database is locked",
       '"output_type": "error"', "ename")
BAD_STREAM = ("Traceback (most recent call last)", "Cell execution timed out", "database is locked")
STATUSES = [s.value for s in Status]  # the order of a status control's options
GAP_STATUSES = {Status.PARTIAL.value, Status.NOT_YET.value}  # what the summary lists as a plan row
KERNEL_TARGET = 1.2  # kernels per participant, 2 minutes after a module change
P95_TARGET = 1.5  # seconds
MEMORY_TARGET = 100.0  # MiB per participant, server and all kernels (USS)


# --- the server's processes (free_port, tree, kernels_of, start, stop: join_burst.py's) ------


def cpu_of(pid: int) -> tuple[float, float]:
    """CPU seconds so far: the server process's own, and the whole tree's (kernels, and kernels
    that have ended, which count in the server's children_* times once reaped)."""
    own = total = 0.0
    for i, p in enumerate(tree(pid)):
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
            if i == 0:
                own = t.user + t.system
        except psutil.Error:
            pass
    return own, total


def uss_mib(p: psutil.Process) -> float | None:
    try:
        return p.memory_full_info().uss / 2**20
    except psutil.Error:
        return None


@dataclass
class Sample:
    t: float
    kernels: int
    kernel_mib: float
    server_mib: float

    @property
    def total_mib(self) -> float:
        return self.kernel_mib + self.server_mib


def sample(pid: int) -> Sample:
    procs = tree(pid)
    server = uss_mib(procs[0]) if procs else None
    ks = [u for u in (uss_mib(k) for k in kernels_of(pid)) if u is not None]
    return Sample(time.perf_counter(), len(ks), sum(ks), server or 0.0)


class Sampler:
    """Samples the server and its kernels every ``interval`` s in a thread (not in the clients' loop)."""

    def __init__(self, pid: int, interval: float = 0.5):
        self.pid, self.interval = pid, interval
        self.samples: list[Sample] = []
        self.cost = 0.0  # seconds spent sampling
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            t0 = time.perf_counter()
            try:
                self.samples.append(sample(self.pid))
            except Exception:  # a process that ends while it is read: the next sample will do
                pass
            self.cost += time.perf_counter() - t0
            self._stop.wait(max(0.0, self.interval - (time.perf_counter() - t0)))

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def peak(self) -> Sample | None:
        return max(self.samples, key=lambda s: s.total_mib, default=None)

    def kernels_at(self, t: float) -> Sample | None:
        after = [s for s in self.samples if s.t >= t]
        return after[0] if after else None


async def wait_http(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    """Wait until the server answers; ``/gecc-ping`` is a 404 that starts no kernel."""
    client = AsyncHTTPClient(force_instance=True)
    deadline = time.time() + seconds
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {proc.returncode}")
            try:
                await client.fetch(HTTPRequest(base + "/gecc-ping", request_timeout=5, connect_timeout=2), raise_error=False)
                return
            except Exception:
                await asyncio.sleep(0.3)
    finally:
        client.close()
    raise SystemExit("server did not start")


async def wait_pool(pid: int, expected: int, seconds: float = 900) -> float:
    """Wait until at least ``expected`` kernels run and the server is idle (the pool is full
    and every kernel has finished starting); return how long that took."""
    t0 = time.time()
    before = cpu_of(pid)[1]
    while time.time() - t0 < seconds:
        await asyncio.sleep(3)
        now = cpu_of(pid)[1]
        if len(kernels_of(pid)) >= expected and now - before < 0.3:
            return time.time() - t0
        before = now
    return time.time() - t0


# --- one kernel's websocket, as the browser's widget manager holds it -----------------------


V1 = "v1.kernel.websocket.jupyter.org"  # the kernel websocket protocol JupyterLab's services (and so Voilà's page) ask for


def encode_v1(channel: str, parts: list[bytes]) -> bytes:
    """jupyter_server's v1 framing: uint64 count, uint64 offsets, the channel, then the parts."""
    channel_b = channel.encode("utf-8")
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(channel_b))
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), channel_b, *parts])


def decode_v1(raw: bytes) -> dict:
    n = int.from_bytes(raw[:8], "little")
    offsets = [int.from_bytes(raw[8 * (i + 1):8 * (i + 2)], "little") for i in range(n)]
    parts = [raw[offsets[i]:offsets[i + 1]] for i in range(1, n - 1)]
    return {"channel": raw[offsets[0]:offsets[1]].decode("utf-8"), "header": json.loads(parts[0]),
            "parent_header": json.loads(parts[1]), "metadata": json.loads(parts[2]), "content": json.loads(parts[3]),
            "buffers": parts[4:]}


def decode(raw, v1: bool = False) -> dict | None:
    """A message from the kernel websocket: v1 framing, or (legacy protocol) JSON text or
    jupyter_server's binary framing (uint32 count, uint32 offsets, the JSON message, its buffers)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return json.loads(raw)
    if v1:
        return decode_v1(raw)
    n = struct.unpack("!I", raw[:4])[0]
    offsets = list(struct.unpack("!" + "I" * n, raw[4:4 * (n + 1)])) + [len(raw)]
    msg = json.loads(raw[offsets[0]:offsets[1]].decode("utf-8"))
    msg["buffers"] = [raw[a:b] for a, b in zip(offsets[1:-1], offsets[2:])]
    return msg


def refs(state: dict) -> list[str]:
    """The models a widget's state points to (children of a box)."""
    out = []
    for value in state.values():
        items = value if isinstance(value, list) else [value]
        for v in items:
            if isinstance(v, str) and v.startswith("IPY_MODEL_"):
                out.append(v[len("IPY_MODEL_"):])
    return out


class Conn:
    """One page's kernel websocket: the live widget models (comm id -> state) and what went wrong."""

    def __init__(self, ws, kernel_id: str):
        self.ws, self.kernel_id = ws, kernel_id
        self.v1 = getattr(ws, "selected_subprotocol", None) == V1
        self.session = uuid.uuid4().hex
        self.models: dict[str, dict] = {}
        self.touched: dict[str, int] = {}  # comm id -> sequence number of its last comm_open / update
        self.seq = 0
        self.comms: set[str] | None = None  # from comm_info_reply
        self.state_requests: dict[str, str] = {}  # request msg_id -> comm id
        self.pending: set[str] = set()  # comm ids whose request_state has no reply yet
        self.errors: list[str] = []
        self.idle: set[str] = set()  # msg_ids the kernel has finished handling
        self.closed = False
        self._tick = asyncio.Event()
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, base: str, kernel_id: str, timeout: float, cookies: dict) -> "Conn":
        url = f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
        request = HTTPRequest(url, headers=cookie_header(cookies), connect_timeout=timeout, request_timeout=timeout)
        ws = await asyncio.wait_for(websocket_connect(request, max_message_size=64 * 2**20, subprotocols=[V1]), timeout)
        return cls(ws, kernel_id)

    # reading

    def _changed(self) -> None:
        tick, self._tick = self._tick, asyncio.Event()
        tick.set()

    async def _read(self) -> None:
        try:
            while True:
                raw = await self.ws.read_message()
                if raw is None:
                    break
                try:
                    msg = decode(raw, self.v1)
                    self._handle(msg)
                except Exception as exc:  # a message we cannot read is a finding, not a crash
                    self.errors.append(f"unreadable message: {type(exc).__name__}: {exc}")
                self._changed()
        except Exception as exc:
            if not self.closed:
                self.errors.append(f"websocket: {type(exc).__name__}: {exc}")
        finally:
            self.closed = True
            self._changed()

    def _touch(self, comm_id: str) -> None:
        self.seq += 1
        self.touched[comm_id] = self.seq

    def _handle(self, msg: dict) -> None:
        kind = msg.get("header", {}).get("msg_type") or msg.get("msg_type")
        content = msg.get("content") or {}
        parent = (msg.get("parent_header") or {}).get("msg_id")
        if kind == "comm_info_reply":
            self.comms = set(content.get("comms") or {})
        elif kind == "comm_open":
            if content.get("target_name") == "jupyter.widget":
                state = (content.get("data") or {}).get("state") or {}
                self.models[content["comm_id"]] = dict(state)
                self._touch(content["comm_id"])
                self._check_outputs(state)
        elif kind == "comm_msg":
            data = content.get("data") or {}
            comm_id = content.get("comm_id")
            if data.get("method") in ("update", "echo_update") and comm_id:
                state = data.get("state") or {}
                self.models.setdefault(comm_id, {}).update(state)
                self._touch(comm_id)
                self._check_outputs(state)
                if self.state_requests.get(parent) == comm_id:
                    self.pending.discard(comm_id)
        elif kind == "comm_close":
            self.models.pop(content.get("comm_id"), None)
            self.pending.discard(content.get("comm_id"))
        elif kind == "error":
            self.errors.append(f"IOPub error {content.get('ename')}: {str(content.get('evalue'))[:120]}")
        elif kind == "stream":
            text = content.get("text") or ""
            for bad in BAD_STREAM:
                if bad in text:
                    self.errors.append(f"{content.get('name')} output contains {bad!r}")
        elif kind in ("display_data", "execute_result", "update_display_data"):
            text = json.dumps(content.get("data") or {}, ensure_ascii=False)
            for bad in BAD_STREAM:
                if bad in text:
                    self.errors.append(f"output contains {bad!r}")
        elif kind == "status":
            state = content.get("execution_state")
            if state == "idle" and parent:
                self.idle.add(parent)
            elif state in ("dead", "restarting", "autorestarting"):
                self.errors.append(f"kernel {state}")

    def _check_outputs(self, state: dict) -> None:
        """An Output widget's outputs may carry an error (its traceback is the page's)."""
        for out in state.get("outputs") or []:
            if isinstance(out, dict) and out.get("output_type") == "error":
                self.errors.append(f"output widget error {out.get('ename')}: {str(out.get('evalue'))[:120]}")

    async def wait(self, predicate, timeout: float):
        """Wait until ``predicate()`` returns something true (returned) or the time is up (None)."""
        deadline = time.perf_counter() + timeout
        while True:
            value = predicate()
            if value:
                return value
            left = deadline - time.perf_counter()
            if left <= 0 or self.closed:
                return predicate() or None
            tick = self._tick
            try:
                await asyncio.wait_for(tick.wait(), left)
            except asyncio.TimeoutError:
                pass

    # writing

    async def send(self, msg_type: str, content: dict, msg_id: str | None = None) -> str:
        msg_id = msg_id or uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": "bench", "session": self.session, "msg_type": msg_type, "version": "5.3",
                  "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if self.v1:
            parts = [json.dumps(x, ensure_ascii=False).encode("utf-8") for x in (header, {}, {}, content)]
            await self.ws.write_message(encode_v1("shell", parts), binary=True)
        else:
            await self.ws.write_message(json.dumps(
                {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []},
                ensure_ascii=False))
        return msg_id

    async def comm(self, comm_id: str, data: dict, msg_id: str | None = None) -> str:
        return await self.send("comm_msg", {"comm_id": comm_id, "data": data}, msg_id)

    async def update(self, comm_id: str, state: dict) -> str:
        return await self.comm(comm_id, {"method": "update", "state": state, "buffer_paths": []})

    async def load_state(self, timeout: float) -> bool:
        """What the browser does on opening a page: list the widget comms and ask each for its state."""
        await self.send("comm_info_request", {"target_name": "jupyter.widget"})
        if not await self.wait(lambda: self.comms is not None, timeout):
            return False
        for comm_id in self.comms:
            msg_id = uuid.uuid4().hex
            self.pending.add(comm_id)
            self.state_requests[msg_id] = comm_id  # before sending: the reply may come at once
            await self.comm(comm_id, {"method": "request_state"}, msg_id)
        return bool(await self.wait(lambda: not self.pending, timeout))

    # looking

    def classes(self, comm_id: str) -> list[str]:
        return self.models.get(comm_id, {}).get("_dom_classes") or []

    def with_class(self, cls: str, scope=None) -> list[str]:
        ids = self.models if scope is None else [c for c in scope if c in self.models]
        return [c for c in ids if cls in self.classes(c)]

    def descendants(self, roots) -> set[str]:
        seen, todo = set(), list(roots)
        while todo:
            c = todo.pop()
            if c in seen:
                continue
            seen.add(c)
            todo.extend(refs(self.models.get(c, {})))
        return seen

    def html_values(self):
        for state in self.models.values():
            value = state.get("value")
            if isinstance(value, str):
                yield value

    async def close(self) -> None:
        self.closed = True
        try:
            self.ws.close()
        except Exception:
            pass
        self.reader.cancel()
        try:
            await self.reader
        except BaseException:
            pass


def cookie_header(cookies: dict) -> dict:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


KERNEL_ID = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S)
TOKEN = re.compile(r"data-gecc-url='[^']*?[?&;]p=([A-Za-z0-9_-]+)")


def kernel_id_of(html: str) -> str:
    """The id of the kernel a served page runs on (from Voilà's page config), as tests/test_server.py reads it."""
    return json.loads(KERNEL_ID.search(html).group(1))["kernelId"]


# --- a participant ---------------------------------------------------------------------------


@dataclass
class Visit:
    ok: bool
    seconds: float
    problem: str = ""
    how: str = ""  # "route", "load", or "" when the page never opened
    answers: int = 0


class Failed(Exception):
    pass


class Participant:
    """One person with a browser tab: joins, then opens each module and answers."""

    def __init__(self, day: "Day", number: int):
        self.day, self.number = day, number
        self.name = f"ผู้เข้าร่วม {number}"
        self.token: str | None = None
        self.conn: Conn | None = None
        self.cookies: dict[str, str] = {}
        self.http = AsyncHTTPClient(force_instance=True, max_clients=4)
        self.sent: dict[tuple, object] = {}  # (kind, ...key) -> last value sent
        self.messages = 0  # answer messages sent
        self.unacked = 0  # pages whose last answer the kernel did not confirm in time
        self.last_msg: str | None = None
        self.routes = 0
        self.beacons: list[asyncio.Task] = []

    # pages

    async def get(self, url: str) -> str:
        timeout = self.day.timeout
        response = await asyncio.wait_for(self.http.fetch(
            HTTPRequest(url, headers=cookie_header(self.cookies), request_timeout=timeout, connect_timeout=timeout,
                        follow_redirects=False), raise_error=False), timeout)
        for header in response.headers.get_list("Set-Cookie"):
            jar = SimpleCookie()
            try:
                jar.load(header)
            except Exception:
                continue
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        html = response.body.decode("utf-8", "replace") if response.body else ""
        if response.code != 200:
            raise Failed(f"HTTP {response.code}" + (" (room full)" if response.code == 503 else ""))
        for bad in BAD:
            if bad in html:
                raise Failed(f"page contains {bad!r}")
        if "application/vnd.jupyter.widget-view+json" not in html:
            raise Failed("no widget view in the page (output missing)")
        return html

    async def leave(self, beacon: bool) -> None:
        """The tab leaves its page: the socket closes and Voilà's unload handler posts the shutdown beacon."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        await conn.close()
        if beacon:
            self.beacons.append(asyncio.ensure_future(self._beacon(conn.kernel_id)))

    async def _beacon(self, kernel_id: str):
        xsrf = self.cookies.get("_xsrf", "")
        try:
            r = await self.http.fetch(HTTPRequest(
                f"{self.day.base}/voila/api/shutdown/{kernel_id}", method="POST", body=urlencode({"_xsrf": xsrf}),
                headers={**cookie_header(self.cookies), "Content-Type": "application/x-www-form-urlencoded"},
                request_timeout=60, connect_timeout=60), raise_error=False)
            return r.code
        except Exception as exc:
            return type(exc).__name__

    async def load(self, url: str) -> Conn:
        """Fetch a page, open its kernel's websocket and load every widget model (a page load)."""
        await self.leave(self.day.beacon)
        html = await self.get(url)
        try:
            kernel_id = kernel_id_of(html)
        except Exception:
            raise Failed("no kernel id in the page")
        self.conn = await Conn.open(self.day.base, kernel_id, self.day.timeout, self.cookies)
        if not await self.conn.load_state(self.day.timeout):
            raise Failed(f"widget models did not arrive within {self.day.timeout:g} s"
                         + (" (websocket closed)" if self.conn.closed else ""))
        return self.conn

    def link(self, page: str) -> str:
        query = {"w": self.day.code}
        if self.token:
            query["p"] = self.token
        return f"/voila/render/{page}?{urlencode(query)}"

    # joining

    async def join(self, delay: float) -> Visit:
        await asyncio.sleep(delay)
        start = time.perf_counter()
        try:
            conn = await self.load(self.day.base + self.link(WELCOME))
            form = await self.until(conn, lambda: (conn.with_class("gecc-join-name"), conn.with_class("gecc-join-button"))
                                    if conn.with_class("gecc-join-name") and conn.with_class("gecc-join-button") else None)
            if not form:
                raise Failed(f"no join form (gecc-join-name, gecc-join-button) within {self.day.timeout:g} s")
            names, buttons = form
            await conn.update(names[0], {"value": self.name})
            await conn.comm(buttons[0], {"method": "custom", "content": {"event": "click"}})

            def joined():
                for value in conn.html_values():
                    m = TOKEN.search(value)
                    if m and conn.with_class("gecc-welcome"):
                        return m.group(1)
                return None

            token = await self.until(conn, joined)
            seconds = time.perf_counter() - start
            if not token:
                feedback = [v for c in conn.with_class("gecc-join-feedback") for v in [conn.models[c].get("value")] if v]
                raise Failed(f"not joined within {self.day.timeout:g} s" + (f": {feedback[0][:80]}" if feedback else ""))
            self.token = token
            if conn.errors:
                return Visit(False, seconds, conn.errors[0], "load")
            return Visit(True, seconds, how="load")
        except Failed as exc:
            return Visit(False, time.perf_counter() - start, str(exc), "load")
        except asyncio.TimeoutError:
            return Visit(False, time.perf_counter() - start, f"hang: no answer within {self.day.timeout:g} s", "load")
        except Exception as exc:
            return Visit(False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}", "load")

    # modules

    def controls(self, conn: Conn, page: str, phase: str | None, scope) -> dict | None:
        """The page's controls found in ``scope`` (comm ids), or None while some are missing."""
        day = self.day
        ids = [c for c in scope if c in conn.models]
        if page in FACTOR_PAGES:
            wanted = day.criteria[FACTOR_PAGES[page]]
            status = {cls[len("gecc-status-"):]: c for c in ids if "gecc-status" in conn.classes(c)
                      for cls in conn.classes(c) if cls.startswith("gecc-status-")}
            notes = {cls[len("gecc-note-"):]: c for c in ids if "gecc-note" in conn.classes(c)
                     for cls in conn.classes(c) if cls.startswith("gecc-note-")}
            if all(w in status and "_options_labels" in conn.models[status[w]] for w in wanted) and all(w in notes for w in wanted):
                return {"status": {w: status[w] for w in wanted}, "note": {w: notes[w] for w in wanted}}
            return None
        if page == KNOWLEDGE:
            prefix = f"gecc-quiz-{phase}-"
            radios = {cls[len(prefix):]: c for c in ids if "gecc-quiz-choice" in conn.classes(c)
                      for cls in conn.classes(c) if cls.startswith(prefix)}
            if all(q in radios and "_options_labels" in conn.models[radios[q]] for q in day.questions):
                return {"quiz": {q: radios[q] for q in day.questions}}
            return None
        if page == SUMMARY:
            if not conn.with_class("gecc-summary", ids):
                return None
            rows = {cls[len("gecc-plan-choose-"):]: c for c in ids if "gecc-plan-choose" in conn.classes(c)
                    for cls in conn.classes(c) if cls.startswith("gecc-plan-choose-")}
            wanted = {key[1] for key, value in self.sent.items() if key[0] == "status" and value in GAP_STATUSES}
            if wanted <= set(rows):
                return {"plan": rows}
            return None
        raise ValueError(page)

    def missing(self, conn: Conn, page: str, phase: str | None) -> str:
        """What a page lacks, to say why it is broken."""
        classes = {cls for c in conn.models for cls in conn.classes(c)}
        if page != KNOWLEDGE and "gecc-pre-test-first" in classes:
            return "the page asks for the pre-test first (gecc-pre-test-first): the pre-test was not complete"
        if page in FACTOR_PAGES:
            wanted = self.day.criteria[FACTOR_PAGES[page]]
            have = sum(1 for w in wanted if f"gecc-status-{w}" in classes)
            return f"page without its widgets: {have} of {len(wanted)} status controls"
        if page == KNOWLEDGE:
            have = sum(1 for q in self.day.questions if f"gecc-quiz-{phase}-{q}" in classes)
            return f"page without its widgets: {have} of {len(self.day.questions)} {phase}-test questions"
        wanted = {key[1] for key, value in self.sent.items() if key[0] == "status" and value in GAP_STATUSES}
        have = {cls[len("gecc-plan-choose-"):] for cls in classes if cls.startswith("gecc-plan-choose-")}
        if "gecc-summary" not in classes:
            return "page without its widgets: no gecc-summary"
        return f"page without its widgets: {len(wanted & have)} of {len(wanted)} plan rows (missing {sorted(wanted - have)[:5]})"

    async def until(self, conn: Conn, ready, s0: int = 0, errors: int | None = None):
        """Wait for ``ready()`` up to the timeout; stop early (Failed) when the page says it cannot
        work (``gecc-page-message``), an error arrives, or the socket closes."""
        errors = len(conn.errors) if errors is None else errors

        def check():
            found = ready()
            if found:
                return ("ok", found)
            if len(conn.errors) > errors:
                return ("fail", conn.errors[errors])
            for c in conn.with_class("gecc-page-message"):
                if conn.touched.get(c, 0) > s0:
                    text = re.sub(r"<style.*?</style>", "", str(conn.models[c].get("value", "")), flags=re.S)
                    text = " ".join(re.sub(r"<[^>]+>", " ", text).split())
                    return ("fail", f"the page says: {text[:100]}")
            if conn.closed:
                return ("fail", "websocket closed")
            return None

        result = await conn.wait(check, self.day.timeout)
        if result and result[0] == "fail":
            raise Failed(result[1])
        return result[1] if result else None

    async def open_by_route(self, conn: Conn, route: str, page: str, phase: str | None) -> dict:
        s0 = conn.seq
        view = f"gecc-view-{Path(page).stem}"
        # As the kit's page script does: the link's path and query, and "#n" so that the same
        # module twice (the pre- and post-test) is still a change of the box's value.
        self.routes += 1
        await conn.update(route, {"value": f"{self.link(page)}#{self.routes}"})

        def ready():
            views = [c for c in conn.with_class(view) if conn.touched.get(c, 0) > s0]
            if not views:
                return None
            found = self.controls(conn, page, phase, conn.descendants(views))
            if found is None:  # the view may be a marker beside the page rather than its box
                found = self.controls(conn, page, phase, [c for c, t in conn.touched.items() if t > s0])
            return found

        found = await self.until(conn, ready, s0)
        if not found:
            if not [c for c in conn.with_class(view) if conn.touched.get(c, 0) > s0]:
                raise Failed(f"no {view} widget within {self.day.timeout:g} s after the route changed")
            raise Failed(self.missing(conn, page, phase))
        return found

    async def open_by_load(self, page: str, phase: str | None) -> dict:
        conn = await self.load(self.day.base + self.link(page))
        # Every model the page listed has arrived; a page built later (a ready kernel builds it once
        # its request is handed over) arrives by comm_open.
        found = await self.until(conn, lambda: self.controls(conn, page, phase, list(conn.models)), errors=0)
        if not found:
            raise Failed(self.missing(conn, page, phase))
        return found

    async def visit(self, page: str, phase: str | None, delay: float) -> Visit:
        await asyncio.sleep(delay)
        start = time.perf_counter()
        how = ""
        seconds = 0.0
        answers_before = self.messages
        try:
            conn = self.conn
            route = conn.with_class("gecc-route") if conn is not None and not conn.closed else []
            if route and self.day.allow_route:
                how = "route"
                errors = len(conn.errors)
                controls = await asyncio.wait_for(self.open_by_route(conn, route[0], page, phase), self.day.timeout + 5)
            else:
                how = "load"
                errors = 0
                controls = await asyncio.wait_for(self.open_by_load(page, phase), self.day.timeout + 5)
            conn = self.conn
            seconds = time.perf_counter() - start
            if len(conn.errors) > errors:
                # a broken page still gets answered if its controls are there, as a person would
                try:
                    await asyncio.wait_for(self.answer(conn, page, phase, controls), self.day.timeout)
                except Exception:
                    pass
                return Visit(False, seconds, conn.errors[errors], how, self.messages - answers_before)
            await asyncio.wait_for(self.answer(conn, page, phase, controls), self.day.timeout)
            if len(conn.errors) > errors:
                return Visit(False, seconds, conn.errors[errors] + " (while answering)", how, self.messages - answers_before)
            return Visit(True, seconds, "", how, self.messages - answers_before)
        except Failed as exc:
            return Visit(False, seconds or time.perf_counter() - start, str(exc), how, self.messages - answers_before)
        except asyncio.TimeoutError:
            what = "answers not sent" if seconds else "hang: page did not open"
            return Visit(False, seconds or time.perf_counter() - start, f"{what} within {self.day.timeout:g} s", how,
                         self.messages - answers_before)
        except Exception as exc:
            return Visit(False, seconds or time.perf_counter() - start, f"{type(exc).__name__}: {exc}", how,
                         self.messages - answers_before)

    # answering

    async def pause(self) -> None:
        await asyncio.sleep(random.uniform(0.2, 1.0))

    async def say(self, conn: Conn, comm_id: str, state: dict, key: tuple, value) -> None:
        await self.pause()
        self.last_msg = await conn.update(comm_id, state)
        self.sent[key] = value
        self.messages += 1

    async def answer(self, conn: Conn, page: str, phase: str | None, controls: dict) -> None:
        if page in FACTOR_PAGES:
            for cid, comm_id in controls["status"].items():
                options = conn.models[comm_id].get("_options_labels") or []
                if len(options) != len(STATUSES):
                    raise Failed(f"status control {cid} offers {len(options)} options, not {len(STATUSES)}")
                k = random.randrange(len(options))
                await self.say(conn, comm_id, {"index": k}, ("status", cid), STATUSES[k])
            cid = random.choice(list(controls["note"]))
            text = f"บันทึก {self.name} {cid} หลักฐาน {random.randint(1000, 9999)}"
            await self.say(conn, controls["note"][cid], {"value": text}, ("note", cid), text)
        elif page == KNOWLEDGE:
            start = conn.with_class("gecc-quiz-start-post")
            if phase == "post" and start and any(conn.models[c].get("disabled") for c in controls["quiz"].values()):
                # The post-test waits behind its button (end of the day): press it, as a person does.
                await conn.comm(start[0], {"method": "custom", "content": {"event": "click"}})
                opened = await self.until(conn, lambda: all(not conn.models[c].get("disabled") for c in controls["quiz"].values()))
                if not opened:
                    raise Failed("the post-test did not open after its button was pressed")
            for qid, comm_id in controls["quiz"].items():
                state = conn.models[comm_id]
                if state.get("disabled"):
                    raise Failed(f"{phase}-test question {qid} is disabled (locked)")
                options = state.get("_options_labels") or []
                k = random.randrange(len(options))
                await self.say(conn, comm_id, {"index": k}, ("quiz", phase, qid), LETTERS[k])
        elif page == SUMMARY:
            rows = controls["plan"]
            if not rows:
                self.day.notes.append(f"{self.name}: the summary offered no plan row (no gaps)")
                return
            cid = random.choice(sorted(rows))
            await self.say(conn, rows[cid], {"value": True}, ("plan_chosen", cid), True)
            action = await conn.wait(lambda: (conn.with_class(f"gecc-plan-action-{cid}") or [None])[0], self.day.timeout)
            if not action:
                raise Failed(f"the plan row {cid} showed no action field after it was chosen")
            text = f"แผน {self.name}: ปรับปรุง {cid} ภายในไตรมาส {random.randint(1, 4)}"
            await self.say(conn, action, {"value": text}, ("plan_action", cid), text)
        # The kernel has handled the last answer once it reports idle for it (answers are handled in order).
        last = self.last_msg
        if last and not await conn.wait(lambda: last in conn.idle, min(60.0, self.day.timeout / 2)):
            self.unacked += 1

    async def close(self) -> None:
        await self.leave(beacon=False)
        if self.beacons:
            await asyncio.gather(*self.beacons, return_exceptions=True)
        self.http.close()


# --- the day ---------------------------------------------------------------------------------


@dataclass
class Burst:
    label: str
    visits: list[Visit] = field(default_factory=list)
    skipped: int = 0  # participants who never joined
    peak: Sample | None = None
    cpu_server: float = 0.0
    cpu_kernels: float = 0.0
    wall: float = 0.0
    kernels_after: int | None = None
    after_seconds: float = 0.0
    beacons: dict = field(default_factory=dict)

    def times(self) -> list[float]:
        return sorted(v.seconds for v in self.visits if v.ok)

    def pct(self, p: float) -> float:
        t = self.times()
        if not t:
            return float("nan")
        return t[min(len(t) - 1, int(round(p / 100 * (len(t) - 1))))]

    def broken(self) -> list[Visit]:
        return [v for v in self.visits if not v.ok]


class Day:
    def __init__(self, label: str, base: str, pid: int, code: str, args, allow_route: bool):
        self.label, self.base, self.pid, self.code = label, base, pid, code
        self.n, self.window, self.gap, self.timeout = args.participants, args.window, args.gap, args.timeout
        self.beacon = args.beacon
        self.allow_route = allow_route
        standard = load_standard(None)
        self.criteria = {f: [c.id for c in standard.for_factor(f)] for f in FACTOR_PAGES.values()}
        self.questions = [q.id for q in load_questions()]
        self.people = [Participant(self, i + 1) for i in range(self.n)]
        self.bursts: list[Burst] = []
        self.samples: list[Sample] = []
        self.sampling = 0.0  # seconds this process spent reading the server's memory
        self.notes: list[str] = []

    async def burst(self, label: str, run) -> Burst:
        """Run one burst (``run(participant, delay)`` for everyone who can), then the gap."""
        b = Burst(label)
        people = [p for p in self.people if p.token or label == "join"]
        b.skipped = self.n - len(people)
        delays = [random.uniform(0, self.window) for _ in people]
        own0, total0 = cpu_of(self.pid)
        t0 = time.perf_counter()
        with Sampler(self.pid) as sampler:
            b.visits = await asyncio.gather(*(run(p, d) for p, d in zip(people, delays)))
        b.wall = time.perf_counter() - t0
        own1, total1 = cpu_of(self.pid)
        b.cpu_server, b.cpu_kernels = own1 - own0, (total1 - own1) - (total0 - own0)
        b.peak = sampler.peak()
        self.samples += sampler.samples
        self.sampling += sampler.cost
        # the gap: the room reads and listens; the kernels left behind are counted at +120 s
        gap_end = time.perf_counter() + self.gap
        mark = t0 + 120
        if mark <= time.perf_counter():
            s = sampler.kernels_at(mark)
            b.kernels_after, b.after_seconds = (s.kernels, s.t - t0) if s else (len(kernels_of(self.pid)), time.perf_counter() - t0)
        else:
            await asyncio.sleep(max(0.0, min(mark, gap_end) - time.perf_counter()))
            b.kernels_after, b.after_seconds = len(kernels_of(self.pid)), time.perf_counter() - t0
        beacons = [t for p in people for t in p.beacons]
        if beacons:
            codes = await asyncio.gather(*beacons, return_exceptions=True)
            for c in codes:
                b.beacons[str(c)] = b.beacons.get(str(c), 0) + 1
            for p in people:
                p.beacons = []
        await asyncio.sleep(max(0.0, gap_end - time.perf_counter()))
        self.bursts.append(b)
        print(report(self.label, b, self.n), flush=True)
        return b

    async def run(self, idle: float) -> None:
        try:
            if idle > 0:
                with Sampler(self.pid, interval=10.0) as sampler:  # the idle room's memory counts too
                    await asyncio.sleep(idle)
                self.samples += sampler.samples
            s = await asyncio.to_thread(sample, self.pid)
            self.samples.append(s)
            print(f"{self.label}: idle {idle:g} s: {s.kernels} kernels, {s.kernel_mib:.0f} MiB USS, server {s.server_mib:.0f} MiB USS",
                  flush=True)
            await self.burst("join", lambda p, d: p.join(d))
            for label, page, phase in SCHEDULE:
                await self.burst(label, lambda p, d, page=page, phase=phase: p.visit(page, phase, d))
        finally:
            await asyncio.gather(*(p.close() for p in self.people), return_exceptions=True)


def report(day: str, b: Burst, n: int) -> str:
    broken = b.broken()
    ok = len(b.visits) - len(broken)
    routes = sum(1 for v in b.visits if v.how == "route")
    loads = sum(1 for v in b.visits if v.how == "load")
    answers = sum(v.answers for v in b.visits)
    peak = b.peak
    mem = (f"peak {peak.kernels} kernels {peak.kernel_mib:.0f} MiB + server {peak.server_mib:.0f} MiB = "
           f"{peak.total_mib / n:.0f} MiB/participant") if peak else "peak n/a"
    after = (f"kernels at +{b.after_seconds:.0f} s: {b.kernels_after} ({b.kernels_after / n:.2f}/participant)"
             if b.kernels_after is not None else "")
    problems = {}
    for v in broken:
        problems[v.problem] = problems.get(v.problem, 0) + 1
    shown = "; broken: " + "; ".join(f"{k} (x{c})" for k, c in sorted(problems.items(), key=lambda kv: -kv[1])[:3]) if problems else ""
    skipped = f" ({b.skipped} never joined)" if b.skipped else ""
    beacons = f"  beacons {dict(sorted(b.beacons.items()))}" if b.beacons and set(b.beacons) != {"204"} else ""
    return (
        f"{day:<6} {b.label:<13} ok {ok:>3}/{n}{skipped}  p50 {b.pct(50):5.2f} s  p95 {b.pct(95):5.2f} s  max {b.pct(100):5.2f} s  "
        f"broken {len(broken)}  via route {routes}/load {loads}  answers {answers}  wall {b.wall:5.1f} s  "
        f"CPU server {b.cpu_server:5.1f} s kernels {b.cpu_kernels:6.1f} s  {mem}  {after}{beacons}{shown}"
    )


# --- what the store holds ----------------------------------------------------------------------


KINDS = ("participants", "status", "note", "quiz", "plan")


def check_store(url: str, code: str, people: list[Participant]) -> dict:
    """Per kind: answers sent (last value per field), stored as sent, lost, and rows nobody sent."""
    store = Store(url)
    try:
        room = store.room(code)
    finally:
        store.close()
    by_token = {p.token: p for p in room.participants}
    out = {k: {"sent": 0, "stored": 0, "unexpected": 0, "messages": 0} for k in KINDS}
    joined = {p.token for p in people if p.token}
    out["participants"]["sent"] = len(joined)
    out["participants"]["stored"] = sum(1 for p in people if p.token in by_token and by_token[p.token].display_name == p.name)
    out["participants"]["unexpected"] = sum(1 for t in by_token if t not in joined)
    for person in people:
        out["status"]["messages"] += sum(1 for k in person.sent if k[0] == "status")
        out["note"]["messages"] += sum(1 for k in person.sent if k[0] == "note")
        out["quiz"]["messages"] += sum(1 for k in person.sent if k[0] == "quiz")
        out["plan"]["messages"] += sum(1 for k in person.sent if k[0].startswith("plan"))
        p = by_token.get(person.token)
        answers = room.answers.get(p.id, {}) if p else {}
        plans = room.plans.get(p.id, {}) if p else {}
        quiz = room.quiz.get(p.id, {}) if p else {}
        for key, value in person.sent.items():
            kind = "plan" if key[0].startswith("plan") else key[0]
            out[kind]["sent"] += 1
            if key[0] == "status":
                a = answers.get(key[1])
                held = a.status.value if a and a.status else None
            elif key[0] == "note":
                a = answers.get(key[1])
                held = a.note if a else None
            elif key[0] == "quiz":
                held = quiz.get(key[1], {}).get(key[2])
            elif key[0] == "plan_chosen":
                item = plans.get(key[1])
                held = item.chosen if item else None
            else:
                item = plans.get(key[1])
                held = item.action if item else None
            out[kind]["stored"] += held == value
        # rows the store holds that no one sent
        for cid, a in answers.items():
            if a.status is not None and ("status", cid) not in person.sent:
                out["status"]["unexpected"] += 1
            if a.note and ("note", cid) not in person.sent:
                out["note"]["unexpected"] += 1
        for phase, choices in quiz.items():
            out["quiz"]["unexpected"] += sum(1 for q in choices if ("quiz", phase, q) not in person.sent)
        for cid, item in plans.items():
            if ("plan_chosen", cid) not in person.sent:
                out["plan"]["unexpected"] += 1
    for k in KINDS:
        out[k]["lost"] = out[k]["sent"] - out[k]["stored"]
    return out


def print_store(label: str, counts: dict, people: list[Participant]) -> None:
    parts = []
    for k in KINDS:
        c = counts[k]
        extra = f", {c['unexpected']} not sent" if c["unexpected"] else ""
        parts.append(f"{k} {c['stored']}/{c['sent']} (lost {c['lost']}{extra})")
    unacked = sum(p.unacked for p in people)
    print(f"{label} store: " + "; ".join(parts) + (f"; {unacked} pages' last answer unconfirmed by the kernel" if unacked else ""))


def targets(label: str, day: Day, counts: dict) -> None:
    n = day.n
    broken = sum(len(b.broken()) for b in day.bursts)
    lost = sum(counts[k]["lost"] for k in KINDS)
    p95s = [(b.label, b.pct(95)) for b in day.bursts]
    worst = max((p for _, p in p95s), default=float("nan"), key=lambda p: math.inf if math.isnan(p) else p)
    peak = max(day.samples, key=lambda s: s.total_mib, default=None)
    per = peak.total_mib / n if peak else float("nan")
    module_bursts = [b for b in day.bursts if b.label != "join" and b.kernels_after is not None]
    kernels = max((b.kernels_after / n for b in module_bursts), default=float("nan"))

    def mark(ok: bool) -> str:
        return "met" if ok else "MISSED"

    print(f"{label} targets for a room of {n}:")
    print(f"  broken pages 0 ................................. {broken:>8}   {mark(broken == 0)}")
    print(f"  lost answers 0 ................................. {lost:>8}   {mark(lost == 0)}")
    print(f"  every burst p95 <= {P95_TARGET:g} s ........................ {worst:>6.2f} s   "
          f"{mark(all(not math.isnan(p) and p <= P95_TARGET for _, p in p95s))}"
          + ("" if all(not math.isnan(p) and p <= P95_TARGET for _, p in p95s)
             else "  (" + ", ".join(f"{b} {p:.2f}" for b, p in p95s if math.isnan(p) or p > P95_TARGET) + ")"))
    print(f"  peak memory <= {MEMORY_TARGET:g} MiB/participant ............... {per:>6.0f} MiB {mark(per <= MEMORY_TARGET)}"
          + (f"  ({peak.kernels} kernels {peak.kernel_mib:.0f} MiB + server {peak.server_mib:.0f} MiB)" if peak else ""))
    print(f"  kernels 2 min after a module change <= {KERNEL_TARGET:g}/participant {kernels:>6.2f}     {mark(kernels <= KERNEL_TARGET)}"
          + ("" if all(b.after_seconds >= 119 for b in module_bursts) else "  (counted at the end of a gap shorter than 2 min)"))


# --- running it --------------------------------------------------------------------------------


async def run_day(label: str, proc: subprocess.Popen, base: str, code: str, args, idle: float, pool: int, allow_route: bool) -> Day:
    await wait_http(base, proc)
    if pool:
        print(f"{label}: pool filled in {await wait_pool(proc.pid, pool):.0f} s", flush=True)
    day = Day(label, base, proc.pid, code, args, allow_route)
    await day.run(idle)
    return day


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=60)
    ap.add_argument("--idle", type=float, default=900.0, help="seconds the kit's server stays idle before the room joins")
    ap.add_argument("--gap", type=float, default=120.0, help="seconds of quiet after a burst's answers are all sent")
    ap.add_argument("--window", type=float, default=10.0, help="seconds over which the room opens a page")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds after which a page counts as not opened")
    ap.add_argument("--plain", action=argparse.BooleanOptionalAction, default=True, help="run the same day on plain Voilà")
    ap.add_argument("--plain-idle", type=float, default=30.0, help="seconds plain Voilà stays idle first")
    ap.add_argument("--port-base", type=int, default=None, help="the kit on this port, plain Voilà on the next (default: free ports)")
    ap.add_argument("--workshop", default="DAY", help="workshop code")
    ap.add_argument("--beacon", action=argparse.BooleanOptionalAction, default=True,
                    help="a tab that leaves posts Voilà's shutdown beacon, as its page does on unload")
    ap.add_argument("--route", action=argparse.BooleanOptionalAction, default=True,
                    help="the kit's pages move by route when they offer one (--no-route: page loads, as without the page script)")
    ap.add_argument("--seed", type=int, default=None, help="random seed (arrivals, answers)")
    args = ap.parse_args()
    if args.seed is not None:
        random.seed(args.seed)
    n, code = args.participants, args.workshop.upper()
    tmp = Path(tempfile.mkdtemp(prefix="gecc-day-"))
    python = KIT / ".venv" / "bin" / "python"
    python = python if python.exists() else Path(sys.executable)
    bindir = python.parent

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    print(f"machine: {platform.node()} {platform.machine()}, {psutil.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.1f} GiB, Python {platform.python_version()}")
    print(f"day: {n} participants, each page opened within {args.window:g} s, {args.gap:g} s gaps, timeout {args.timeout:g} s, "
          f"shutdown beacon {'on' if args.beacon else 'off'}; work folder {tmp}\n", flush=True)
    days: dict[str, tuple[Day, dict]] = {}

    def one_day(label: str, cmd: list[str], env: dict, port: int, store: str, idle: float, pool: int, allow_route: bool) -> None:
        proc = start(cmd, env, KIT, tmp / f"{label}.log")
        try:
            day = asyncio.run(run_day(label, proc, f"http://127.0.0.1:{port}", code, args, idle, pool, allow_route=allow_route))
        finally:
            stop(proc)
        counts = check_store(store, code, day.people)
        print_store(label, counts, day.people)
        days[label] = (day, counts)
        print()

    port = args.port_base or free_port()
    store = f"sqlite:///{tmp / 'day.sqlite'}"
    env = dict(os.environ, GECC_VAR_DIR=str(tmp / "var"))
    kit_cmd = [str(bindir / "gecc-kit"), "serve", "--expect", str(n), "--port", str(port), "--store", store, "--workshop", code]
    one_day("kit", kit_cmd, env, port, store, args.idle, n, allow_route=args.route)

    if args.plain:
        plain_port = args.port_base + 1 if args.port_base else free_port()
        plain_store = f"sqlite:///{tmp / 'plain.sqlite'}"
        s = Store(plain_store)  # gecc-kit serve makes the workshop; plain Voilà does not
        s.ensure_workshop(code)
        s.close()
        plain_env = {k: v for k, v in env.items() if k not in ("GECC_CRITERIA",)}
        plain_env.update(GECC_STORE_URL=plain_store, GECC_WORKSHOP=code)
        plain_cmd = [str(bindir / "voila"), "notebooks/", "--port", str(plain_port), "--no-browser"]
        one_day("plain", plain_cmd, plain_env, plain_port, plain_store, args.plain_idle, 0, allow_route=False)

    me = psutil.Process().cpu_times()
    print(f"this benchmark's own CPU: {me.user + me.system:.0f} s; its memory sampling thread ran "
          + ", ".join(f"{d.sampling:.0f} s during the {label} day" for label, (d, _) in days.items()))
    for label, (d, c) in days.items():
        targets(label, d, c)
        if d.notes:
            print(f"  notes: {d.notes[:5]}" + (f" (+{len(d.notes) - 5})" if len(d.notes) > 5 else ""))
    if "plain" in days:
        kit_bursts = {b.label: b for b in days["kit"][0].bursts}
        print("p95 ratio plain / kit per burst: " + ", ".join(
            f"{b.label} {b.pct(95) / kit_bursts[b.label].pct(95):.1f}x" if b.label in kit_bursts else f"{b.label} n/a"
            for b in days["plain"][0].bursts))
    trouble = any(b.broken() for d, _ in days.values() for b in d.bursts) or any(
        c[k]["lost"] or c[k]["unexpected"] for _, c in days.values() for k in KINDS)
    if trouble:
        print(f"server logs kept in {tmp} (kit.log, plain.log, var/kernels.log)")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
