"""The join burst through HAProxy (HTTPS) to 1, 2 and 3 replicas sharing one PostgreSQL store.

All replicas run on this one machine, so the cores are the same for every row: the figures show
the proxy's and the replicas' overhead, not the gain of more machines (see deploy/SIZING.md for
what more machines give). Each row: the replicas start with the room split between them
(``--expect`` N/k each), their ready kernels fill, then N participants open the shared link
within ``--window`` seconds through HAProxy; each waits for its page and its kernel's reply over
the websocket (time-to-interactive, as bench/join_burst.py measures it), the websocket sent
with HAProxy's stickiness cookie as a browser sends it. Needs PostgreSQL
($GECC_TEST_POSTGRES_URL, as .ci/run starts it), haproxy and openssl.

    GECC_TEST_POSTGRES_URL=postgresql+psycopg://gecc_test:gecc_test@127.0.0.1:5432/gecc_test \\
        .venv/bin/python bench/cluster_burst.py --participants 60

Prints one line per row; record them in bench/RESULTS.md.
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

from join_burst import participant, wait_pool  # noqa: E402
from test_cluster import ROOT, HAProxy, make_certificate  # noqa: E402
from test_server import Server, free_port  # noqa: E402


def haproxy_config(folder: Path, replicas: int) -> Path:
    """deploy/haproxy/haproxy.cfg with the `server` lines of the replicas that run."""
    lines = (ROOT / "deploy" / "haproxy" / "haproxy.cfg").read_text().splitlines()
    kept = [line for line in lines if not (line.strip().startswith("server r") and int(line.split()[1][1:]) > replicas)]
    path = folder / f"haproxy-{replicas}.cfg"
    path.write_text("\n".join(kept) + "\n")
    return path


async def burst(url: str, n: int, window: float, timeout: float) -> list:
    delays = sorted(random.uniform(0, window) for _ in range(n))
    kernels: list = []
    return await asyncio.gather(*(participant(url, url.split("/voila/")[0], d, timeout, kernels, proxied=True) for d in delays))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, math.ceil(p / 100 * len(values)) - 1))] if values else float("nan")


def row(pg_url: str, tmp: Path, k: int, n: int, window: float, timeout: float) -> str:
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
                                             "--public-url", public + "/", "--expect", str(math.ceil(n / k)))))
        ports = [r.port for r in replicas]
        haproxy = HAProxy(folder, pem, ports, proxy_port, config=haproxy_config(folder, k))
        started = time.monotonic()
        for r in replicas:  # every ready kernel started and the machine idle (Voilà's "filled" line comes earlier)
            wait_pool(r.proc.pid, math.ceil(n / k))
        filled = time.monotonic() - started
        cpu0 = sum(p.cpu_times().user + p.cpu_times().system for r in replicas for p in [psutil.Process(r.proc.pid)])
        t0 = time.perf_counter()
        results = asyncio.run(burst(f"{public}/voila/render/00-welcome.ipynb?w={code}", n, window, timeout))
        wall = time.perf_counter() - t0
        cpu = sum(p.cpu_times().user + p.cpu_times().system for r in replicas for p in [psutil.Process(r.proc.pid)]) - cpu0
        ok = [r.seconds for r in results if r.ok]
        problems = sorted({r.problem for r in results if not r.ok})
        spread = [r.output().count("Using pre-heated kernel") for r in replicas]
        return (f"{k} replica{'s' if k > 1 else ' '}  ok {len(ok):>3}/{n}  p50 {pct(ok, 50):5.2f} s  p95 {pct(ok, 95):5.2f} s  "
                f"max {pct(ok, 100):5.2f} s  wall {wall:5.1f} s  servers' CPU {cpu:5.1f} s  pages per replica {spread}  "
                f"ready kernels filled in {filled:.0f} s" + (f"  problems: {problems[:3]}" if problems else ""))
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
            print(row(pg_url, Path(tmp), k, args.participants, args.window, args.timeout), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
