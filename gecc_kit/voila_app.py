"""Voilà, as the workshop server runs it: with a cap on live kernels.

``gecc-kit serve`` runs ``python -m gecc_kit.voila_app`` instead of ``python -m voila``. It is
Voilà's own application with one change: a page that would start a kernel while
``--GeccVoila.max_kernels`` kernels are already running gets a Thai "the room is full, please
wait" page (HTTP 503) that reloads itself every 15 seconds, instead of overloading the machine.
A page served from a ready (preheated) kernel is always let through: it starts no new kernel.
Voilà has no such setting (voila#617); everything else is Voilà's.
"""
from __future__ import annotations

from traitlets import Int
from voila.app import Voila
from voila.handler import VoilaHandler

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


class CappedVoilaHandler(VoilaHandler):
    """Voilà's page handler, refusing politely when a new kernel would exceed the cap."""

    async def get(self, path=None):
        app = self.settings.get("gecc_app")
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
    """Voilà with a cap on live kernels (see the module docstring)."""

    max_kernels = Int(0, config=True, help="Most kernels running at once; 0 for no cap. Pages beyond it wait.")

    def init_settings(self):
        settings = super().init_settings()
        settings["gecc_app"] = self
        return settings

    def init_handlers(self):
        handlers = []
        for spec in super().init_handlers():
            if len(spec) >= 2 and spec[1] is not None and spec[0].endswith("/voila/render/(.*)"):
                spec = (spec[0], type("TornadoCappedVoilaHandler", (CappedVoilaHandler, spec[1]), {}), *spec[2:])
            handlers.append(spec)
        return handlers


main = GeccVoila.launch_instance

if __name__ == "__main__":
    main()
