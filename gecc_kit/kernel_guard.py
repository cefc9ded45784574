"""What the kit changes in the process of every kernel that serves a page.

1. **A malformed widget message is ignored**, never answered with a traceback: a page (or a
   script posing as one) that sends a value a widget cannot take (a status that does not
   exist, a number for a text) gets the widget's real state back, and the kernel's log one line.
2. **A kernel that is shut down ends without a traceback** on the facilitator's console.
   ipykernel 7.4 has a race at shutdown (upstream ipython/ipykernel#1518 fixed one
half of it): after a shutdown request the control thread publishes "idle"
while the main thread stops the IOPub thread. If the control thread checks
that the IOPub thread is alive just before ``IOPubThread.stop()`` closes the
event pipes, its send fails with ``ZMQError(ENOTSOCK)`` and tornado prints a
traceback into the server's log. It happened when 20 tabs closed at once on a
busy 2-core machine. The message is a status nobody is listening for any more,
so it is dropped; any other error still raises.

Installed by :mod:`gecc_kit.session` (imported by every page), i.e. in every kernel that serves one.
"""
from __future__ import annotations

import functools
import logging

import zmq


def install() -> None:
    quiet_exit()
    safe_widget_messages()


def safe_widget_messages() -> None:
    """Make ``Widget._handle_msg`` ignore a message it cannot apply, and resend the real state."""
    try:
        from ipywidgets import Widget
    except ImportError:
        return
    if getattr(Widget._handle_msg, "_gecc_safe", False):
        return
    # ipywidgets wraps the method in ``_show_traceback``, which sends the traceback to the page
    # (IPython's showtraceback): call the method it wraps.
    decorated = Widget._handle_msg
    handle = next((cell.cell_contents for cell in (decorated.__closure__ or ()) if callable(cell.cell_contents)), decorated)

    @functools.wraps(handle)
    def safe_handle(self, msg):
        try:
            return handle(self, msg)
        except Exception as error:  # noqa: BLE001 (whatever a page sends, no traceback goes back)
            logging.getLogger("gecc_kit").warning("a widget message that could not be applied was ignored (%s)", type(error).__name__)
            try:
                self.send_state()  # the page shows what the kernel (and the store) hold
            except Exception:  # noqa: BLE001
                pass

    safe_handle._gecc_safe = True
    Widget._handle_msg = safe_handle


def quiet_exit() -> None:
    """Make ``IOPubThread.schedule`` drop a send that loses the race with ``stop()``."""
    try:
        from ipykernel.iostream import IOPubThread
    except ImportError:  # not in a kernel's environment
        return
    if getattr(IOPubThread.schedule, "_gecc_quiet", False):
        return
    schedule = IOPubThread.schedule

    @functools.wraps(schedule)
    def quiet_schedule(self, f):
        try:
            schedule(self, f)
        except zmq.ZMQError as error:
            if error.errno != zmq.ENOTSOCK or not getattr(self, "_stopped", False):
                raise

    quiet_schedule._gecc_quiet = True
    IOPubThread.schedule = quiet_schedule
