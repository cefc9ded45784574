"""Reaching Zoom participants: the kit behind Caddy with HTTPS under a path prefix
(deploy/caddy/Caddyfile, as the README tells an IT team to run it).

Caddy (Debian's package) makes its own throw-away certificate authority here (`tls internal`);
Chromium is told to accept it. Everything else is as on a cloud VM: the kit serves under
/gecc/, is started with --public-url https://localhost:PORT/gecc/, and Caddy passes pages,
websockets and /healthz through.
"""
from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from gecc_kit.scoring import Status
from gecc_kit.store import Store
from test_server import Server, browser, free_port, live_kernels, pre_tested, status_button, stored, wait_until  # noqa: F401

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"


def https_get(url: str) -> tuple[int, dict, bytes]:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # Caddy's own test CA
    try:
        with urllib.request.urlopen(url, timeout=60, context=context) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


class Caddy:
    def __init__(self, tmp: Path, upstream_port: int):
        if not shutil.which("caddy"):
            pytest.fail("caddy is missing: install Debian's caddy (see .ci/run)")
        self.port = free_port()
        env = dict(
            os.environ,
            XDG_DATA_HOME=str(tmp / "caddy-data"), XDG_CONFIG_HOME=str(tmp / "caddy-config"),
            GECC_SITE=f"https://localhost:{self.port}", GECC_TLS="tls internal",
            GECC_UPSTREAM=f"127.0.0.1:{upstream_port}", GECC_CADDY_ADMIN="off",
            GECC_CADDY_OPTIONS="skip_install_trust\nauto_https disable_redirects",
        )
        self.log = open(tmp / "caddy.log", "w+")
        self.proc = subprocess.Popen(["caddy", "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            assert self.proc.poll() is None, self.output()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("caddy did not start:\n" + self.output())

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reach")
    kit_port = free_port()
    caddy = Caddy(tmp, kit_port)
    public = f"https://localhost:{caddy.port}/gecc/"
    kit = Server(tmp, port=kit_port, extra=("--public-url", public))
    kit.public = public.rstrip("/")
    yield kit
    kit.stop()
    caddy.stop()


def test_the_printed_link_and_the_qr_code_are_the_public_https_address(site):
    link = f"{site.public}/voila/render/00-welcome.ipynb?w=E2E"
    assert link in site.output()
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(site.var / "join-qr.png")], capture_output=True, text=True)
    assert decoded.stdout.strip() == link


def test_healthz_answers_through_the_proxy_without_starting_a_kernel(site):
    before = live_kernels(site.proc.pid)
    status, headers, body = https_get(f"{site.public}/healthz")
    assert status == 200 and body == b"ok\n"
    assert live_kernels(site.proc.pid) == before


def test_personal_pages_are_not_cached_and_send_no_referrer(site):
    store = Store(site.store_url)
    p = pre_tested(store, store.join("E2E", "หัวข้อ"))
    status, headers, _ = https_get(f"{site.public}/voila/render/01-location.ipynb?w=E2E&p={p.token}")
    headers = {k.lower(): v for k, v in headers.items()}
    assert status == 200
    assert "no-store" in headers["cache-control"] and headers["referrer-policy"] == "no-referrer"
    assert "max-age" in headers.get("strict-transport-security", "")
    store.close()


def test_a_zoom_participant_joins_and_answers_over_https_under_the_prefix(site, browser):
    """Chromium opens the public link, joins, answers; every link keeps https and /gecc/, the
    websocket is wss:// through Caddy, the answer reaches the store, and a module change works."""
    context = browser.new_context(ignore_https_errors=True, locale="th-TH")
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"{site.public}/voila/render/00-welcome.ipynb?w=E2E")
    page.wait_for_selector(".gecc-join-name input", timeout=60_000)
    page.fill(".gecc-join-name input", "ผู้เข้าร่วมทาง Zoom")
    page.click(".gecc-join-button")
    page.wait_for_url("**p=**", timeout=30_000)
    assert page.url.startswith(f"{site.public}/voila/render/")
    page.wait_for_selector(".gecc-modules a[data-module='01-location.ipynb']", timeout=60_000)
    token = page.url.split("p=")[1].split("&")[0]
    store = Store(site.store_url)
    p = pre_tested(store, store.participant("E2E", token))  # module 1 opens after the pre-test, not what this test is about
    hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    pages = [h for h in hrefs if "/voila/render/" in h]
    assert pages and all(h.startswith(f"{site.public}/voila/render/") for h in pages), pages
    assert sockets and all(u.startswith(f"wss://localhost:{site.public.split(':')[2].split('/')[0]}/gecc/") for u in sockets), sockets
    page.click(".gecc-modules a[data-module='01-location.ipynb']")
    page.wait_for_selector(".gecc-view-01-location .gecc-status-L01", timeout=60_000)
    assert page.url.startswith(f"{site.public}/voila/render/01-location.ipynb?")
    status_button(page, "L01", "ผ่าน").click()
    page.wait_for_selector(".gecc-criterion-L01[data-gecc-save='saved']", timeout=30_000)
    assert page.url.split("p=")[1].split("&")[0] == token
    assert wait_until(lambda: stored(store, p.id, "L01", Status.MET))
    store.close()
    context.close()
