"""Join burst: N participants open the workshop link within a few seconds.

Each simulated participant is an HTTP + websocket client that does what a
browser must before a person can answer:

1. GET the page (Voilà returns it once the notebook has run in a kernel);
2. check the page: status 200, the widget view is in it, and none of the
   failures plain Voilà showed under a burst (a Python traceback, "database is
   locked", an "Error" output, a missing widget view);
3. open the kernel's websocket and get a reply to ``kernel_info_request``: the
   page's controls can now reach the kernel (time-to-interactive).

A client that gets no answer within ``--timeout`` seconds counts as a hang.
After each burst every client shuts its kernel down (as closed tabs are
culled), and the next burst starts once the preheated pool is full again.

The same burst is then run against plain ``voila notebooks/01-location.ipynb``
with Voilà's default settings, and the ratio of the p95 times is printed.

Nobody joins here (both pages measured are the join form), so the kit's rule that teaching pages
open only after the pre-test (gecc_kit.journey.AFTER_PRE_TEST) changes nothing this burst measures.

Run from the kit's folder::

    .venv/bin/python bench/join_burst.py --participants 60 --bursts 10 --plain-bursts 1

Prints one line per burst and a summary; record the numbers in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

KIT = Path(__file__).resolve().parent.parent
BAD = ("Traceback (most recent call last)", "database is locked", '"output_type": "error"', "ename")


@dataclass
class Result:
    ok: bool
    seconds: float
    problem: str = ""


@dataclass
class Burst:
    label: str
    results: list[Result] = field(default_factory=list)
    server_mib: float = 0.0
    kernel_mib: list[float] = field(default_factory=list)  # unique memory (USS) per kernel
    cpu_seconds: float = 0.0
    wall: float = 0.0
    left_after_shutdown: int = 0

    def times(self) -> list[float]:
        return sorted(r.seconds for r in self.results if r.ok)

    def pct(self, p: float) -> float:
        t = self.times()
        if not t:
            return float("nan")
        return t[min(len(t) - 1, int(round(p / 100 * (len(t) - 1))))]

    def failures(self) -> list[str]:
        return [r.problem for r in self.results if not r.ok]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def kernels_of(pid: int) -> list[psutil.Process]:
    out = []
    for p in tree(pid)[1:]:
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:
            pass
    return out


def cpu_of(pid: int) -> float:
    total = 0.0
    for p in tree(pid):
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


async def participant(url: str, base: str, delay: float, timeout: float, kernels: list) -> Result:
    await asyncio.sleep(delay)
    start = time.perf_counter()
    client = AsyncHTTPClient(force_instance=True, max_clients=1)
    try:
        response = await asyncio.wait_for(
            client.fetch(HTTPRequest(url, request_timeout=timeout, connect_timeout=timeout), raise_error=False), timeout
        )
        html = response.body.decode("utf-8", "replace")
        if response.code != 200:
            return Result(False, time.perf_counter() - start, f"HTTP {response.code}")
        for bad in BAD:
            if bad in html:
                return Result(False, time.perf_counter() - start, f"page contains {bad!r}")
        if "application/vnd.jupyter.widget-view+json" not in html:
            return Result(False, time.perf_counter() - start, "no widget view in the page (output missing)")
        config = re.search(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', html, re.S)
        kernel_id = json.loads(config.group(1))["kernelId"]
        kernels.append((kernel_id, response.headers.get_list("Set-Cookie")))
        ws_url = f"{base.replace('http', 'ws', 1)}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
        ws = await asyncio.wait_for(websocket_connect(ws_url), timeout)
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": "bench", "session": uuid.uuid4().hex, "msg_type": "kernel_info_request", "version": "5.3"}
        await ws.write_message(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": {}, "channel": "shell"}))
        deadline = time.perf_counter() + timeout
        while True:
            raw = await asyncio.wait_for(ws.read_message(), max(0.1, deadline - time.perf_counter()))
            if raw is None:
                return Result(False, time.perf_counter() - start, "websocket closed")
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8", "replace")
            if '"kernel_info_reply"' in raw and msg_id in raw:
                break
        ws.close()
        return Result(True, time.perf_counter() - start)
    except asyncio.TimeoutError:
        return Result(False, time.perf_counter() - start, f"hang: no answer within {timeout:g} s")
    except Exception as exc:  # any other failure is a failure, counted and shown
        return Result(False, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    finally:
        client.close()


async def shutdown(base: str, kernels: list) -> None:
    """Shut the burst's kernels down, as Voilà's page does on unload (with its XSRF token)."""
    client = AsyncHTTPClient(force_instance=True)
    token = uuid.uuid4().hex  # the same token as cookie and header: what a page's own script would send
    headers = {"X-XSRFToken": token, "Cookie": f"_xsrf={token}"}

    async def one(kernel_id):
        try:
            r = await client.fetch(HTTPRequest(f"{base}/voila/api/shutdown/{kernel_id}", method="POST", body=b"",
                                               headers=headers, request_timeout=180), raise_error=False)
            return r.code
        except Exception as exc:
            return type(exc).__name__

    codes = await asyncio.gather(*(one(k) for k, _ in kernels))
    client.close()
    if any(c != 204 for c in codes):
        print(f"  (kernel shutdown answered {sorted(set(map(str, codes)))})")


async def run_burst(label: str, base: str, url: str, pid: int, n: int, window: float, timeout: float) -> Burst:
    burst = Burst(label)
    kernels: list = []
    cpu0, t0 = cpu_of(pid), time.perf_counter()
    delays = sorted(random.uniform(0, window) for _ in range(n))
    burst.results = await asyncio.gather(*(participant(url, base, d, timeout, kernels) for d in delays))
    burst.wall = time.perf_counter() - t0
    burst.cpu_seconds = cpu_of(pid) - cpu0
    procs = tree(pid)
    if procs:
        burst.server_mib = procs[0].memory_info().rss / 2**20
    for k in kernels_of(pid):
        try:
            burst.kernel_mib.append(k.memory_full_info().uss / 2**20)
        except psutil.Error:
            pass
    await shutdown(base, kernels)
    await asyncio.sleep(2)
    burst.left_after_shutdown = len(kernels_of(pid))
    return burst


def wait_http(base: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    import urllib.request

    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.returncode}")
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit("server did not start")


def wait_pool(pid: int, expected: int, seconds: float = 900) -> float:
    """Wait until at least ``expected`` kernels run and the server is idle (the pool is full
    and every kernel has finished starting); return how long that took."""
    t0 = time.time()
    before = cpu_of(pid)
    while time.time() - t0 < seconds:
        time.sleep(3)
        now = cpu_of(pid)
        if len(kernels_of(pid)) >= expected and now - before < 0.3:
            return time.time() - t0
        before = now
    return time.time() - t0


def start(cmd: list[str], env: dict, cwd: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, cwd=cwd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


def report(b: Burst, n: int) -> str:
    per = sum(b.kernel_mib) / len(b.kernel_mib) if b.kernel_mib else float("nan")
    fails = b.failures()
    shown = f"; failures: {fails[:3]}" if fails else ""
    return (
        f"{b.label:<14} ok {n - len(fails):>3}/{n}  p50 {b.pct(50):6.2f} s  p95 {b.pct(95):6.2f} s  max {b.pct(100):6.2f} s  "
        f"wall {b.wall:5.1f} s  CPU {b.cpu_seconds:6.1f} s  server {b.server_mib:5.0f} MiB  "
        f"kernels {len(b.kernel_mib):>3} x {per:4.0f} MiB USS ({b.left_after_shutdown} after the tabs close){shown}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=60)
    ap.add_argument("--bursts", type=int, default=10, help="bursts against gecc-kit serve")
    ap.add_argument("--plain-bursts", type=int, default=1, help="bursts against plain Voilà (each takes about a minute)")
    ap.add_argument("--window", type=float, default=10.0, help="seconds over which the participants arrive")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds after which a client counts as hung")
    args = ap.parse_args()
    n = args.participants
    tmp = Path(tempfile.mkdtemp(prefix="gecc-bench-"))
    python = sys.executable
    env = dict(os.environ, GECC_VAR_DIR=str(tmp / "var"))
    store = f"sqlite:///{tmp / 'var' / 'gecc.sqlite'}"
    print(f"machine: {platform.node()} {platform.machine()}, {psutil.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.1f} GiB, Python {platform.python_version()}")
    print(f"burst: {n} participants arriving within {args.window:g} s\n")
    kit_bursts, plain_bursts = [], []

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start([python, "-m", "gecc_kit.cli", "serve", "--port", str(port), "--store", store, "--workshop", "BENCH",
                  "--expect", str(n)], env, KIT, tmp / "kit.log")
    try:
        wait_http(base, proc)
        print(f"gecc-kit: pool filled in {wait_pool(proc.pid, n):.0f} s")
        for i in range(args.bursts):
            b = asyncio.run(run_burst(f"gecc-kit #{i + 1}", base, f"{base}/voila/render/00-welcome.ipynb?w=BENCH", proc.pid, n, args.window, args.timeout))
            print(report(b, n), flush=True)
            kit_bursts.append(b)
            if i + 1 < args.bursts:
                wait_pool(proc.pid, n)
    finally:
        stop(proc)

    plain_port = free_port()
    plain_base = f"http://127.0.0.1:{plain_port}"
    plain_env = dict(env, GECC_STORE_URL=store, GECC_WORKSHOP="BENCH")
    proc = start([python, "-m", "voila", str(KIT / "notebooks" / "01-location.ipynb"), "--no-browser", f"--port={plain_port}"],
                 plain_env, KIT / "notebooks", tmp / "plain.log")
    try:
        wait_http(plain_base, proc)
        for i in range(args.plain_bursts):
            b = asyncio.run(run_burst(f"plain Voilà #{i + 1}", plain_base, f"{plain_base}/?w=BENCH", proc.pid, n, args.window, args.timeout))
            print(report(b, n), flush=True)
            plain_bursts.append(b)
            time.sleep(5)
    finally:
        stop(proc)

    def pooled(bursts):
        merged = Burst("all")
        for b in bursts:
            merged.results += b.results
            merged.kernel_mib += b.kernel_mib
        return merged

    kit, plain = pooled(kit_bursts), pooled(plain_bursts)
    print()
    print(f"gecc-kit   ({len(kit_bursts)} bursts): p50 {kit.pct(50):.2f} s, p95 {kit.pct(95):.2f} s, max {kit.pct(100):.2f} s, "
          f"failures {len(kit.failures())}")
    if plain_bursts:
        print(f"plain Voilà ({len(plain_bursts)} bursts): p50 {plain.pct(50):.2f} s, p95 {plain.pct(95):.2f} s, max {plain.pct(100):.2f} s, "
              f"failures {len(plain.failures())}")
        print(f"p95 ratio plain / gecc-kit: {plain.pct(95) / kit.pct(95):.1f}x")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if not kit.failures() else 1


if __name__ == "__main__":
    sys.exit(main())
