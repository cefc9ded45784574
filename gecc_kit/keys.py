"""Facilitator keys with the least power each link needs.

- The **facilitator key** (``var/facilitator.key``) opens everything: the dashboard (names,
  the results export) and every table's consensus view.
- A **table key** opens one table's consensus view of one workshop and nothing else. It is
  derived from the facilitator key (HMAC-SHA256 of the workshop code and the table), so
  nothing more has to be stored, and rotating the facilitator key changes every table key.

``gecc-kit keys rotate`` writes a new facilitator key; a running server and its kernels read
the key file again when it changes (``$GECC_FACILITATOR_KEY_FILE``), so old links stop
working at once. ``$GECC_FACILITATOR_KEY`` (a key given directly) is for tests and embedding.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE = "facilitator.key"
MIN_LENGTH = 20

_cache: dict[str, tuple[float, str]] = {}


def new_key() -> str:
    return secrets.token_urlsafe(24)


def write_key(path: Path, key: str) -> None:
    """Write a key file readable by its owner only (replacing any old one atomically)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    os.replace(tmp, path)


def read_key(path: Path) -> str:
    """The key in ``path`` ("" when missing or too short), re-read only when the file changes."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return ""
    cached = _cache.get(str(path))
    if cached and cached[0] == mtime:
        return cached[1]
    key = path.read_text(encoding="ascii").strip()
    key = key if len(key) >= MIN_LENGTH else ""
    _cache[str(path)] = (mtime, key)
    return key


def facilitator_key(var_dir: Path) -> str:
    """The facilitator key in ``var_dir``, made the first time."""
    path = var_dir / KEY_FILE
    key = read_key(path)
    if not key:
        key = new_key()
        write_key(path, key)
    return key


def rotate(var_dir: Path) -> str:
    """A new facilitator key (so every facilitator and table link changes); returns it."""
    key = new_key()
    write_key(var_dir / KEY_FILE, key)
    return key


def current_key() -> str:
    """The facilitator key a server or kernel goes by: the key file's, else ``$GECC_FACILITATOR_KEY``."""
    path = os.environ.get("GECC_FACILITATOR_KEY_FILE", "")
    if path:
        return read_key(Path(path))
    return os.environ.get("GECC_FACILITATOR_KEY", "").strip()


def table_key(key: str, workshop_code: str, table: str) -> str:
    """The key that opens table ``table``'s consensus view of ``workshop_code`` and nothing else."""
    digest = hmac.new(key.encode(), f"table\0{workshop_code.upper()}\0{table.strip()}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def same(given: str, expected: str) -> bool:
    """True when a key was given and equals the expected one (constant-time comparison)."""
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def access(given: str, workshop_code: str = "", table: str = "", key: str | None = None) -> str | None:
    """What ``given`` opens: ``"facilitator"`` (everything), ``"table"`` (this table's consensus
    only, when ``table`` is named) or None. Constant-time comparisons."""
    key = current_key() if key is None else key
    if same(given, key):
        return "facilitator"
    if table and workshop_code and key and same(given, table_key(key, workshop_code, table)):
        return "table"
    return None
