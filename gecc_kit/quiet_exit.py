"""A kernel that is shut down ends without a traceback on the facilitator's console.

ipykernel 7.4 has a race at shutdown (upstream ipython/ipykernel#1518 fixed one
half of it): after a shutdown request the control thread publishes "idle"
while the main thread stops the IOPub thread. If the control thread checks
that the IOPub thread is alive just before ``IOPubThread.stop()`` closes the
event pipes, its send fails with ``ZMQError(ENOTSOCK)`` and tornado prints a
traceback into the server's log. It happened when 20 tabs closed at once on a
busy 2-core machine. The message is a status nobody is listening for any more,
so it is dropped; any other error still raises.

Imported by :mod:`gecc_kit.session`, i.e. in every kernel that serves a page.
"""
from __future__ import annotations

import functools

import zmq


def install() -> None:
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
