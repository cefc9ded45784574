"""The workshop server: Voilà on the notebooks folder, configured for a room.

:func:`serve` prepares the store and the workshop, prints what a facilitator
shares, then replaces its own process with Voilà (``python -m voila``), so
Ctrl+C and signals reach Voilà directly. Kernels learn the store, the criteria
and the workshop through environment variables (see :mod:`gecc_kit.session`).

Only the notebooks folder is served; the store (``var/``), the criteria and
any configuration live outside it, so no URL reaches them.
"""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import socket
import sys
from urllib.parse import quote, urlsplit
from dataclasses import dataclass, field
from pathlib import Path

from . import keys
from .criteria import Standard, load_standard, sample_criteria_path
from .journey import SHELL
from .store import Store, Workshop, sqlite_url

__all__ = ["ServerConfig", "serve", "voila_argv", "kernel_environment", "KIT_ROOT", "NOTEBOOKS_DIR"]

KIT_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = KIT_ROOT / "notebooks"
TEMPLATES_ROOT = Path(__file__).resolve().parent / "share" / "jupyter"  # Voilà finds templates/gecc here
DASHBOARD = "facilitator/dashboard.ipynb"  # the facilitator's live view of the room; needs the key
CONSENSUS = "facilitator/consensus.ipynb"  # one table's answers side by side, and what it agreed; needs the key
FIRST_PAGE = "00-welcome.ipynb"

# Kernels get an IPython profile without the history database: with many
# kernels starting at once its SQLite file locks, and IPython prints
# "database is locked" into participants' pages.
_IPYTHON_CONFIG = "c.HistoryManager.enabled = False\n"


@dataclass
class ServerConfig:
    """Everything ``gecc-kit serve`` was asked for."""

    host: str = "127.0.0.1"
    port: int = 8866
    store_url: str | None = None
    criteria: str | None = None
    workshop: str | None = None
    notebooks: Path = NOTEBOOKS_DIR  # the only folder the server serves
    expect: int = 0  # participants expected at once: kernels kept ready for the welcome page
    room: int = 0  # participants of the whole session on every replica (0: --expect); one address's allowance
    max_kernels: int | None = None  # kernels running at once before pages wait; None: from free memory
    cell_timeout: int = 120  # seconds a page's cell may take (ready kernels wait outside it)
    debug: bool = False  # log more, kernel ids included
    disconnected_timeout: int = 60  # seconds a page's kernel outlives its last tab (busy or not)
    public_url: str | None = None  # e.g. https://gecc.example.go.th/gecc/ when a proxy (HTTPS) is in front
    prefix: str | None = None  # path the server answers under, e.g. /gecc/ (default: the public URL's path, else /)
    replica: str | None = None  # this process's name when several serve one room behind a proxy
    agenda: str = "full"  # the plan of data/agenda.csv the welcome page shows: full or half
    pre_test_first: bool = True  # teaching pages open once the participant has done the pre-test
    trusted_proxies: tuple[str, ...] = ()  # proxies whose X-Forwarded-For is believed (loopback too with public_url)
    var_dir: Path = field(default_factory=lambda: Path(os.environ.get("GECC_VAR_DIR") or KIT_ROOT / "var"))

    @property
    def public_host(self) -> str:
        """The address participants type: the LAN address when serving on all interfaces."""
        if self.host in ("0.0.0.0", "::", ""):
            return lan_address()
        return self.host

    @property
    def path_prefix(self) -> str:
        """The path every page is under, ``/`` or e.g. ``/gecc/`` (always with both slashes)."""
        raw = self.prefix if self.prefix is not None else (urlsplit(self.public_url).path if self.public_url else "/")
        parts = [part for part in (raw or "").split("/") if part]
        return "/" + "".join(f"{part}/" for part in parts)

    @property
    def base_url(self) -> str:
        """Where participants reach the server, without the trailing slash: the public URL when one
        is given (a proxy in front), else this machine's address, port and prefix."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return f"http://{self.public_host}:{self.port}{self.path_prefix.rstrip('/')}"

    @property
    def public_origin(self) -> str:
        """``scheme://host[:port]`` of the public URL ("" without one)."""
        if not self.public_url:
            return ""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"


def check_replica(config: "ServerConfig") -> str | None:
    """Why this replica cannot join a cluster, or None when it can."""
    if not config.replica:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,32}", config.replica):
        return f"--replica {config.replica!r}: use letters, digits, - or _ (at most 32)"
    store = config.store_url or os.environ.get("GECC_STORE_URL") or ""
    if not store.startswith("postgresql"):
        return "--replica: replicas share one PostgreSQL store; give --store postgresql+psycopg://USER:PASSWORD@HOST/DB"
    if not config.workshop:
        return "--replica: every replica serves the same workshop; give --workshop CODE"
    if not config.public_url:
        return "--replica: links must lead to the proxy in front of the replicas; give --public-url https://…/"
    return None


def cookie_secret(var_dir: Path) -> Path:
    """``var/cookie_secret``: signs the server's cookies, made once. Copy it (with
    ``facilitator.key``) to every replica's ``var/``."""
    path = var_dir / "cookie_secret"
    if not path.is_file() or len(path.read_bytes().strip()) < 32:
        keys.write_key(path, secrets.token_hex(32))
    return path


def check_public_url(url: str, prefix: str | None = None) -> str | None:
    """Why a ``--public-url`` (with ``--base-url``) cannot work, or None when it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"--public-url {url!r} is not an http(s) address such as https://gecc.example.go.th/gecc/"
    if parts.query or parts.fragment:
        return f"--public-url {url!r} has a query or fragment; give the address of the server only"
    if prefix is not None:
        norm = lambda p: "/" + "/".join(x for x in p.split("/") if x)  # noqa: E731
        if norm(parts.path or "/") != norm(prefix):
            return f"--public-url path {parts.path or '/'!r} and --base-url {prefix!r} differ: the proxy must pass the path unchanged"
    return None


def lan_address() -> str:
    """This machine's IPv4 address on the local network, as other devices reach it.

    Read from the network interfaces (no traffic is sent): the first interface
    that is up and not loopback or a virtual bridge; 127.0.0.1 when there is none.
    """
    import psutil

    stats = psutil.net_if_stats()
    virtual = ("lo", "docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "zt")
    candidates = []
    for name, addresses in psutil.net_if_addrs().items():
        if name.startswith(virtual) or not (stats.get(name) and stats[name].isup):
            continue
        for a in addresses:
            if a.family == socket.AF_INET and not a.address.startswith(("127.", "169.254.")):
                candidates.append((not name.startswith(("en", "eth", "wl")), name, a.address))
    return min(candidates)[2] if candidates else "127.0.0.1"


def facilitator_key(var_dir: Path) -> str:
    """The facilitator's key: made once, kept in ``var/facilitator.key`` (outside the served folder).

    The dashboard and every table's consensus view open with it (each table's link carries a key
    of its own, see :mod:`gecc_kit.keys`); it survives a restart so the projected dashboard's
    link keeps working, until ``gecc-kit keys rotate``.
    """
    return keys.facilitator_key(var_dir)


def join_qr(url: str, var_dir: Path):
    """The QR code of the participants' link, saved as ``var/join-qr.png`` to project or print.

    Returns the QR object (its ``terminal()`` draws it in the terminal) and the PNG's path.
    """
    import segno

    qr = segno.make(url, error="m")
    path = var_dir / "join-qr.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    qr.save(path, scale=12, border=4)
    return qr, path


def participant_url(config: ServerConfig, workshop: Workshop, page: str = FIRST_PAGE) -> str:
    """The link to share in the room and in the Zoom chat."""
    return f"{config.base_url}/voila/render/{page}?w={workshop.code}"


def kernel_environment(config: ServerConfig, store_url: str, criteria: Path, workshop: Workshop) -> dict[str, str]:
    """The environment Voilà (and so every kernel) runs with."""
    ipython_dir = config.var_dir / "ipython"
    profile = ipython_dir / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    for name in ("ipython_config.py", "ipython_kernel_config.py"):
        (profile / name).write_text(_IPYTHON_CONFIG, encoding="utf-8")
    # IPython copies its startup README with the package file's mode (0644) unless one is there.
    (profile / "startup").mkdir(exist_ok=True)
    (profile / "startup" / "README").touch(exist_ok=True)
    env = dict(os.environ)
    env.update(
        GECC_STORE_URL=store_url,
        GECC_CRITERIA=str(criteria),
        GECC_WORKSHOP=workshop.code,
        GECC_PUBLIC_URL=config.base_url,
        # With a proxy in front (HTTPS), pages build their links on the public scheme and host.
        GECC_PUBLIC_ORIGIN=config.public_origin,
        GECC_NOTEBOOKS=str(config.notebooks),  # the module notebooks, whose Markdown the shell page shows
        GECC_LOG_FILE=str(config.var_dir / "kernels.log"),
        # A room joins within a minute or two; a script replaying joins is held to twice the room.
        GECC_JOINS_PER_MINUTE=str(max(60, 2 * max(config.expect, 0))),
        GECC_AGENDA_PLAN=config.agenda,  # the plan of the day the welcome page shows
        GECC_PRE_TEST_FIRST="1" if config.pre_test_first else "0",
        IPYTHONDIR=str(ipython_dir),
        JUPYTER_PATH=os.pathsep.join(p for p in (str(TEMPLATES_ROOT), os.environ.get("JUPYTER_PATH", "")) if p),
        PYTHONUNBUFFERED="1",
    )
    return env


def pool_config(config: ServerConfig) -> dict:
    """Voilà's settings for kernels kept ready ("preheated") for ``--expect N`` participants.

    Every participant page is served by one shell notebook whose kernel stays with the
    participant for the day and moves between modules itself, so only that notebook keeps
    kernels ready:

    - at the start N, each already started with the kit imported, waiting for its participant
      (however long: the wait is not inside a timed cell);
    - then it follows the room (``GeccVoila.ready_target``): N minus those already in, never
      fewer than a few spares for reloads and late comers, never past the kernel cap;
    - a used kernel is replaced 15 s later, after the burst rather than during it: measured
      with 60 joining, refills started at once (2 s) took the CPU from the joiners and the
      p95 page time went from 0.3 s to 38 s.
    No other notebook keeps kernels ready (the facilitator's start when opened).
    Each ready kernel holds about 50 MiB (unique memory), so N=60 keeps about 3 GiB ready at the
    start, and about 60 x 60 MiB once the room is in.
    """
    n = max(config.expect, 0)
    return {
        "VoilaConfiguration": {"preheat_kernel": True},
        "VoilaKernelManager": {
            "kernel_pools_config": {
                "default": {"pool_size": 0},
                SHELL: {"pool_size": n},
            },
            "fill_delay": 15.0,
        },
    }


KERNEL_MIB = 70  # what one kernel costs, with margin (measured: 49 MiB unique, 65 MiB resident)


def max_kernels(config: ServerConfig) -> int:
    """The cap on live kernels: as given, else what three quarters of the free memory holds.

    Never below the ready pools plus one kernel per expected participant, plus a margin.
    """
    if config.max_kernels is not None:
        return max(config.max_kernels, 0)
    import psutil

    by_memory = int(psutil.virtual_memory().available * 0.75 / (KERNEL_MIB * 2**20))
    return max(by_memory, 2 * config.expect + 20)


def voila_argv(config: ServerConfig) -> list[str]:
    """Voilà's command line for a workshop room (see ../shared/TECH-NOTES.md for why each)."""
    return [
        sys.executable,
        "-m",
        "gecc_kit.voila_app",  # Voilà itself, plus a cap on live kernels with a Thai "room full" page
        f"--GeccVoila.max_kernels={max_kernels(config)}",
        f"--GeccVoila.expect={max(config.expect, 0)}",
        f"--GeccVoila.room={max(config.room, 0)}",
        f"--GeccVoila.disconnected_timeout={max(config.disconnected_timeout, 0)}",
        str(config.notebooks),
        "--no-browser",
        f"--port={config.port}",
        f"--Voila.ip={config.host}",
        f"--Voila.base_url={config.path_prefix}",
        "--Voila.port_retries=0",  # a busy port is an error, not a silent other port
        "--show_tracebacks=False",  # participants never see a traceback
        # The kit's template (gecc_kit/share/jupyter/voila/templates/gecc): Thai loading and error
        # screens, lang="th", and nothing fetched from another host (a workshop room may be offline).
        "--template=gecc",
        "--VoilaExporter.language_code=th",
        "--strip_sources=True",
        # Under a burst, late output was dropped and rare pages hung: wait longer, but not forever.
        "--VoilaExecutor.iopub_timeout=60",
        f"--VoilaExecutor.timeout={max(1, config.cell_timeout)}",
        *(["--Voila.log_level=DEBUG"] if config.debug else []),  # never Voila's --debug: it shows tracebacks
        # Kernels starting together raced for TCP ports ("Address already in use").
        "--KernelManager.transport=ipc",
        # A kernel whose tab is gone (closed, or left for the next module) is shut down after a
        # minute without a connection: each participant leaves one behind per page, and a room
        # moving through seven pages would otherwise pile them up. Nothing is lost: every answer
        # is already in the store, and the same link builds the page again. Connected kernels
        # (someone reading a page) are never culled.
        "--MappingKernelManager.cull_idle_timeout=60",
        "--MappingKernelManager.cull_interval=10",
        # Settings written by serve() (the preheated pools of --expect), and no voila.json or
        # voila.py from anywhere else (not from the served folder, not from the user's config).
        f"--Voila.config_file_paths={config.var_dir / 'voila-config'}",
        # Only pictures next to the notebooks may be fetched; never data, config or the store.
        "--VoilaConfiguration.file_allowlist",
        ".*[.](png|jpg|jpeg|gif|svg)",
        "--VoilaConfiguration.file_denylist",
        "(.*/)?[.].*",
        "--VoilaConfiguration.file_denylist",
        ".*[.](ipynb|py|sqlite|db|csv|xlsx|json|toml|yml|yaml|cfg|ini|log)",
    ]


def private_var(var_dir: Path) -> None:
    """``var/`` (store, keys, logs, QR) readable by the facilitator's account only: the folder
    0700, its files 0600, and everything the server and its kernels create later too (umask)."""
    os.umask(0o077)
    var_dir.mkdir(parents=True, exist_ok=True)
    var_dir.chmod(0o700)
    for root, dirs, files in os.walk(var_dir):
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o700)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o600)


def prepare(config: ServerConfig) -> tuple[str, Path, Standard, Store, Workshop]:
    """Check the criteria, open the store and pick the workshop, before anything is served."""
    private_var(config.var_dir)
    criteria = Path(config.criteria).resolve() if config.criteria else sample_criteria_path().resolve()
    standard = load_standard(criteria)
    store = Store(config.store_url or os.environ.get("GECC_STORE_URL") or sqlite_url(config.var_dir / "gecc.sqlite"))
    store_url = store.url  # absolute: kernels run in another folder
    if config.workshop:
        workshop = store.ensure_workshop(config.workshop)
    else:
        workshop = store.latest_workshop() or store.ensure_workshop()
    return store_url, criteria, standard, store, workshop


def thai_words(config: ServerConfig, criteria: Path) -> Path | None:
    """The Thai words of everything the kit shows on screen, cut once by the segmenter
    (:func:`gecc_kit.thai.write_words`; again only when a text changed), in ``var/public``: a
    folder of Voilà's static files (``/voila/static/gecc-thai-words.json``, read by the page's
    ``thai-breaks.js``); kernels read it too (``$GECC_THAI_WORDS``) but never load the segmenter.
    It holds only the kit's own texts. The segmenter's memory goes with the exec into Voilà.
    None when it cannot be made: pages then break Thai lines as the browser does."""
    from . import thai

    target = config.var_dir / "public" / "voila" / "templates" / "gecc" / "static" / thai.WORDS_FILE
    extra = [Path(v) for v in (os.environ.get(k) for k in ("GECC_OFFICES", "GECC_QUESTIONS", "GECC_AGENDA")) if v]
    try:
        return thai.write_words(target, thai.kit_sources(config.notebooks, criteria, extra))[0]
    except Exception as e:  # noqa: BLE001  (a missing segmenter must not keep the room out)
        print(f"  Thai word boundaries could not be prepared ({type(e).__name__}: {e}): the browser breaks Thai lines itself.",
              file=sys.stderr, flush=True)
        return None


def web_fonts(config: ServerConfig) -> bool:
    """Sarabun for the pages, from the kit's own server (no CDN): the woff2 files the set-up installed
    from npm (:mod:`gecc_kit.fonts`) copied into ``var/public``'s static files (``/voila/static/fonts/``),
    and beside the template there the @font-face rules (with the ``--base-url`` prefix) that the page
    template includes. Without the files the rules are removed, one line says so, and pages use the
    machine's Thai fonts; False then."""
    from . import fonts

    template = config.var_dir / "public" / "voila" / "templates" / "gecc"
    rules = template / "gecc-fonts.css"
    if not fonts.installed():
        rules.unlink(missing_ok=True)
        print(f"  Sarabun (the Thai web font) is not installed in {fonts.font_dir()}: pages use the machine's Thai fonts "
              "(`npm ci` in the kit's folder installs it; `make serve` does).", file=sys.stderr, flush=True)
        return False
    folder = template / "static" / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    for subset in fonts.SUBSETS:
        for weight in fonts.WEIGHTS:
            source = fonts.font_file(subset, weight)
            _replace_if_changed(folder / source.name, source.read_bytes())
    url = quote(f"{config.path_prefix}voila/static/fonts/", safe="/%")
    _replace_if_changed(rules, fonts.face_css(lambda p: url + p.name).encode("utf-8"))
    return True


def _replace_if_changed(target: Path, data: bytes) -> None:
    """Write ``target`` only when it differs, in one step (replicas sharing var/ may serve it meanwhile)."""
    if target.is_file() and target.read_bytes() == data:
        return
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)


def dashboard_url(config: ServerConfig, workshop: Workshop, key: str) -> str | None:
    """The facilitator's dashboard link with its key, once the kit has a dashboard notebook."""
    if not (config.notebooks / DASHBOARD).is_file():
        return None
    return f"{config.base_url}/voila/render/{DASHBOARD}?w={workshop.code}&key={key}"


def banner(
    config: ServerConfig,
    store: Store,
    criteria: Path,
    standard: Standard,
    workshop: Workshop,
    key: str | None = None,
    qr_png: Path | None = None,
    qr_text: str = "",
) -> str:
    """What the facilitator reads in the terminal."""
    shown_store = store.engine.url.render_as_string(hide_password=True)
    notice = "  (illustrative sample: not the official form)" if standard.illustrative else ""
    lines = [
        "",
        "gecc-kit workshop server / เซิร์ฟเวอร์การอบรม" + (f"   (replica {config.replica})" if config.replica else ""),
        f"  Workshop code / รหัสการอบรม:   {workshop.code}",
        "  Share this link / ลิงก์สำหรับผู้เข้าร่วม (in the room and in the Zoom chat):",
        f"      {participant_url(config, workshop)}",
    ]
    if qr_text:
        lines.append(qr_text.rstrip("\n"))
    if qr_png:
        lines.append(f"  QR code to project or print / QR code สำหรับฉายหรือพิมพ์:   {qr_png}")
    if key:
        url = dashboard_url(config, workshop, key)
        if url:
            lines += ["  Facilitator dashboard (keep this link to yourself) / หน้าจอวิทยากร (อย่าแชร์ลิงก์นี้):", f"      {url}"]
        lines.append(f"  Facilitator key / รหัสวิทยากร:   {key}   (kept in {config.var_dir / 'facilitator.key'})")
    lines += [
        f"  Criteria / เกณฑ์:   {criteria}  ({len(standard.criteria)} criteria){notice}",
        f"  Answers stored in / เก็บคำตอบที่:   {shown_store}",
        *offices_line(),
        "  Stop with Ctrl+C. Answers are saved as they are given; restarting keeps them.",
        "",
    ]
    return "\n".join(lines)


def offices_line() -> list[str]:
    """A reminder when participants would pick from the sample's fictional units (the demo's)."""
    from .errors import GeccError
    from .practice import load_offices, offices_path

    try:
        offices = load_offices()
    except GeccError:
        return [f"  Offices / รายชื่อหน่วยงาน:   {offices_path()} cannot be read: participants type their office"]
    if any("สมมติ" in o.name_th for o in offices):
        return [f"  Offices / รายชื่อหน่วยงาน:   {offices_path()} holds the FICTIONAL sample units (for the demo):",
                "      replace them with the units coming, or set GECC_OFFICES to a file of your own",
                "      (แก้ไขรายชื่อหน่วยงานให้ตรงกับผู้เข้าร่วมจริง)"]
    return [f"  Offices / รายชื่อหน่วยงาน:   {offices_path()} ({len(offices)} unit{'' if len(offices) == 1 else 's'})"]


def serve(config: ServerConfig) -> None:
    """Prepare, print the banner, and become the Voilà server (does not return)."""
    store_url, criteria, standard, store, workshop = prepare(config)
    key = facilitator_key(config.var_dir)
    qr, png = join_qr(participant_url(config, workshop), config.var_dir)
    drawn = io.StringIO()
    qr.terminal(out=drawn, compact=True, border=2)
    print(banner(config, store, criteria, standard, workshop, key, png, drawn.getvalue()), flush=True)
    store.close()
    env = kernel_environment(config, store_url, criteria, workshop)
    words = thai_words(config, criteria)
    if web_fonts(config) or words is not None:  # Voilà serves var/public's static files (and its template's font rules)
        env["JUPYTER_PATH"] = os.pathsep.join((env["JUPYTER_PATH"], str(config.var_dir / "public")))
    if words is not None:  # kernels read the words for "my report"
        env["GECC_THAI_WORDS"] = str(words)
    # The server and the kernels read the key file (again when `gecc-kit keys rotate` changes it).
    env["GECC_FACILITATOR_KEY_FILE"] = str(config.var_dir / keys.KEY_FILE)
    env.pop("GECC_FACILITATOR_KEY", None)
    # Ready kernels collect their participant's request with this key (voila_app.HandoverSocket);
    # it lives only in the server's and the kernels' environment, new at every start.
    env["GECC_HANDOVER_KEY"] = secrets.token_urlsafe(24)
    env["GECC_COOKIE_SECRET_FILE"] = str(cookie_secret(config.var_dir))
    if config.replica:
        env["GECC_REPLICA"] = config.replica
    # Behind a proxy on this machine (Caddy, HAProxy) every request comes from loopback: the
    # address a participant came from is the one the proxy adds to X-Forwarded-For.
    proxies = [*config.trusted_proxies, *(["127.0.0.1", "::1"] if config.public_url else [])]
    env["GECC_TRUSTED_PROXIES"] = ",".join(dict.fromkeys(proxies))
    config_dir = config.var_dir / "voila-config"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "voila.json").write_text(json.dumps(pool_config(config) if config.expect > 0 else {}, indent=2), encoding="utf-8")
    argv = voila_argv(config)
    os.chdir(config.notebooks)
    os.execvpe(argv[0], argv, env)
