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
  key (``$GECC_FACILITATOR_KEY``, compared in constant time); anyone else gets a Thai 403 and
  no kernel is started. They are never held back by the cap.
- **Errors**: every page handler (static files, pictures, unknown addresses) answers errors
  with the kit's Thai error page (template ``error.html``) instead of tornado's English text.
  The folder listing (``/``, ``/voila/tree``) sends people to the welcome page, and the
  listing API is gone: only the notebooks themselves are reachable.

Everything else is Voilà's.
"""
from __future__ import annotations

import hmac
import os
import posixpath
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from tornado import web
from traitlets import Int, Unicode, default
from voila.app import Voila
from voila.handler import VoilaHandler

FACILITATOR_PREFIX = "facilitator/"
WELCOME = "00-welcome.ipynb"

ROOM_FULL = """<!DOCTYPE html>
<html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta http-equiv="refresh" content="15">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'unsafe-inline'">
<title>ห้องเต็มชั่วคราว (GECC)</title>
<style>body{font-family:"Noto Sans Thai","Sarabun","Loma",sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.6;color:#1f2328}
.en{color:#57606a}</style></head>
<body><div class="gecc-room-full">
<h1>ขณะนี้มีผู้เข้าร่วมเต็มจำนวน กรุณารอสักครู่</h1>
<p>ระบบจะเปิดหน้านี้ให้อัตโนมัติเมื่อมีที่ว่าง (ลองใหม่ทุก 15 วินาที) ไม่ต้องปิดหน้านี้ คำตอบที่บันทึกแล้วไม่หายไป</p>
<p class="en">The room is full right now. This page retries by itself every 15 seconds; your saved answers are kept.</p>
</div></body></html>"""


TEMPLATE_DIR = Path(__file__).resolve().parent / "share" / "jupyter" / "voila" / "templates" / "gecc"


@lru_cache(maxsize=1)
def _error_template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True)
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
        self.finish(thai_error_html(status_code))


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


def key_matches(given: str, expected: str) -> bool:
    """True when a facilitator key was given and equals the expected one (constant-time comparison)."""
    return bool(given and expected) and hmac.compare_digest(given.encode(), expected.encode())


def canonical(path: str | None) -> str | None:
    """The page path as the server resolves it, or None when it is not written that way.

    ``./facilitator/x``, ``a/../facilitator/x`` or ``//x`` reach the same file as the plain path
    once Voilà normalises it; such spellings are refused, so every check here sees the real path.
    """
    raw = (path or "").lstrip("/")
    normal = posixpath.normpath("/" + raw).lstrip("/")
    return raw if raw == normal and "\\" not in raw else None


class CappedVoilaHandler(ThaiErrors, VoilaHandler):
    """Voilà's page handler: facilitator pages need the key, and new kernels wait beyond the cap."""

    async def get(self, path=None):
        app = self.settings.get("gecc_app")
        path = canonical(path)
        if path is None:
            raise web.HTTPError(404)  # an odd spelling of a path: no page, no kernel
        if path.lower().startswith(FACILITATOR_PREFIX) or path.lower() == FACILITATOR_PREFIX.rstrip("/"):
            if not key_matches(self.get_argument("key", ""), getattr(app, "facilitator_key", "")):
                self.log.warning("facilitator page %s refused: no or wrong key", path)
                raise web.HTTPError(403)
            return await super().get(path)  # the facilitator is never told the room is full
        cap = getattr(app, "max_kernels", 0)
        if cap > 0 and not self._has_ready_kernel(path):
            running = len(self.kernel_manager.list_kernel_ids())
            if running >= cap:
                self.log.warning("room full: %s kernels running (cap %s); %s waits", running, cap, path)
                self.set_status(503)
                self.set_header("Retry-After", "15")
                self.set_header("Content-Type", "text/html; charset=UTF-8")
                self.finish(ROOM_FULL)
                return
        return await super().get(path)

    def _has_ready_kernel(self, path) -> bool:
        pool_size = getattr(self.kernel_manager, "get_pool_size", None)
        try:
            return bool(pool_size and path and pool_size(path) > 0)
        except Exception:
            return False


class GeccVoila(Voila):
    """Voilà for a workshop room (see the module docstring)."""

    max_kernels = Int(0, config=True, help="Most kernels running at once; 0 for no cap. Pages beyond it wait.")
    facilitator_key = Unicode(
        help="Key that opens the facilitator pages (default: $GECC_FACILITATOR_KEY); empty: they are closed to everyone."
    ).tag(config=True)

    @default("facilitator_key")
    def _facilitator_key_default(self):
        return os.environ.get("GECC_FACILITATOR_KEY", "").strip()

    def init_settings(self):
        settings = super().init_settings()
        settings["gecc_app"] = self
        settings["default_handler_class"] = NotFoundHandler
        return settings

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
            elif cls.__name__ == "TornadoVoilaTreeHandler":
                spec = (pattern, ToWelcomeHandler)
            elif not issubclass(cls, web.RequestHandler) or "/api/" in pattern or "/voila/query/" in pattern:
                pass  # websockets and JSON APIs answer in their own (machine) format
            else:
                spec = (pattern, type(f"Thai{cls.__name__}", (ThaiErrors, cls), {}), *spec[2:])
            handlers.append(spec)
        return handlers


main = GeccVoila.launch_instance

if __name__ == "__main__":
    main()
