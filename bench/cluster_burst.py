"""A room through HAProxy (HTTPS) to 1, 2 and 3 replicas sharing one PostgreSQL store: the join
burst and one module change.

All replicas run on this one machine, so the cores are the same for every row: the figures show
the proxy's and the replicas' overhead, not the gain of more machines (see deploy/SIZING.md for
what more machines give). For each number of replicas k: the replicas start with the room split
between them (``--expect`` N/k each) and their ready kernels come up; then bench/workshop_day.py's
participants (HTTP and websocket clients that drive the widgets, carrying HAProxy's stickiness
cookie as a browser does) join within ``--window`` seconds and, after a short gap, open module 1
together. Needs PostgreSQL ($GECC_TEST_POSTGRES_URL, as .ci/run starts it), haproxy and openssl.

Module 1 opens after the pre-test (gecc_kit.journey.AFTER_PRE_TEST): between the join and the
change, each participant's pre-test is written into the store, untimed, so the change is the same.

    GECC_TEST_POSTGRES_URL=postgresql+psycopg://gecc_test:gecc_test@127.0.0.1:5432/gecc_test \\
        .venv/bin/python bench/cluster_burst.py --participants 60

Prints workshop_day's line per burst (its memory and CPU figures are replica r1's only); record
them in bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from workshop_day import Day  # noqa: E402
from test_cluster import ROOT, HAProxy, make_certificate  # noqa: E402
from test_server import Server, free_port  # noqa: E402


def haproxy_config(folder: Path, replicas: int) -> Path:
    """deploy/haproxy/haproxy.cfg with the `server` lines of the replicas that run."""
    lines = (ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text().splitlines()
    kept = [line for line in lines if not (line.strip().startswith("server r") and int(line.split()[1][1:]) > replicas)]
    path = folder / f"haproxy-{replicas}.cfg"
    path.write_text("\n".join(kept) + "\n")
    return path


def pre_test(pg_url: str, code: str, people) -> int:
    """Every joined participant's pre-test, written into the store (the kit opens the teaching pages,
    module 1 among them, once it is done: gecc_kit.journey.AFTER_PRE_TEST); how many did it."""
    from gecc_kit.quiz import LETTERS, load_questions
    from gecc_kit.store import Store

    questions = load_questions()
    store = Store(pg_url)
    try:
        done = 0
        for person in people:
            if person.token:
                who = store.participant(code, person.token)
                for q in questions:
                    store.save_quiz_choice(who.id, "pre", q.id, random.choice(LETTERS))
                done += 1
        return done
    finally:
        store.close()


def row(pg_url: str, tmp: Path, k: int, n: int, window: float, timeout: float, gap: float) -> None:
    folder = tmp / f"k{k}"
    folder.mkdir()
    pem, _ = make_certificate(folder)
    proxy_port = free_port()
    public = f"https://localhost:{proxy_port}/gecc"
    code = "CB" + uuid.uuid4().hex[:6].upper()
    replicas: list[Server] = []
    haproxy = None
    try:
        for i in range(k):
            r = folder / f"r{i + 1}"
            (r / "var").mkdir(parents=True)
            if replicas:
                for name in ("facilitator.key", "cookie_secret"):
                    (r / "var" / name).write_bytes((replicas[0].var / name).read_bytes())
            replicas.append(Server(r, extra=("--store", pg_url, "--workshop", code, "--replica", f"r{i + 1}",
                                             "--public-url", public + "/", "--expect", str(math.ceil(n / k)), "--room", str(n))))
        ports = [r.port for r in replicas]
        haproxy = HAProxy(folder, pem, ports, proxy_port, config=haproxy_config(folder, k))
        started = time.monotonic()
        for r in replicas:  # every ready kernel started and ran its page, as each replica's /healthz says
            r.wait_ready(timeout=900)
        filled = time.monotonic() - started
        print(f"{k} replica{'s' if k > 1 else ''}: ready kernels up in {filled:.0f} s", flush=True)
        # A room that joins through the widgets, then opens module 1 together (bench/workshop_day.py's
        # participants, through HAProxy; the memory and CPU in its lines are replica r1's only).
        import tornado.netutil  # the participants' HTTP and websocket clients trust the test CA

        defaults = tornado.netutil._client_ssl_defaults
        (defaults() if callable(defaults) else defaults).load_verify_locations(str(folder / "ca.crt"))
        settings = argparse.Namespace(participants=n, window=window, gap=gap, timeout=timeout, beacon=True)
        day = Day(f"{k} replica{'s' if k > 1 else ''}", public, replicas[0].proc.pid, code, settings, allow_route=True)

        async def join_then_module() -> None:
            try:
                await day.burst("join", lambda p, d: p.join(d))
                done = await asyncio.to_thread(pre_test, pg_url, code, day.people)
                print(f"{k} replica{'s' if k > 1 else ''}: pre-test written to the store for {done} participants", flush=True)
                await day.burst("01 location", lambda p, d: p.visit("01-location.ipynb", None, d))
            finally:
                await asyncio.gather(*(p.close() for p in day.people), return_exceptions=True)

        asyncio.run(join_then_module())
    finally:
        if haproxy:
            haproxy.stop()
        for r in replicas:
            r.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=60)
    ap.add_argument("--window", type=float, default=10.0, help="seconds over which the participants arrive")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--gap", type=float, default=30.0,
                    help="seconds between the join and the module change (used kernels are replaced 15 s after use)")
    ap.add_argument("--replicas", default="1,2,3")
    args = ap.parse_args()
    pg_url = os.environ.get("GECC_TEST_POSTGRES_URL")
    if not pg_url:
        print("Set GECC_TEST_POSTGRES_URL to a PostgreSQL database (.ci/run starts one).", file=sys.stderr)
        return 2
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.1f} GiB; {args.participants} participants within {args.window:g} s")
    with tempfile.TemporaryDirectory(prefix="gecc-cluster-bench-") as tmp:
        for k in (int(x) for x in args.replicas.split(",")):
            row(pg_url, Path(tmp), k, args.participants, args.window, args.timeout, args.gap)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
