"""The kit's Voilà application without a server: how many kernels it keeps ready for the room."""
from __future__ import annotations

import asyncio
import time

import pytest

from gecc_kit.journey import SHELL
from gecc_kit.voila_app import GeccVoila


class FakeKernels:
    """What ``ready_target`` reads of Voilà's kernel manager: live kernel ids and the pools."""

    def __init__(self, live: int, ready: int, starting: int):
        loop = asyncio.new_event_loop()
        done = []
        for i in range(ready):
            f = loop.create_future()
            f.set_result({"kernel_id": f"k{i}"})
            done.append(f)
        self._pools = {SHELL: done + [loop.create_future() for _ in range(starting)]}
        self._live = [f"k{i}" for i in range(live)]

    def list_kernel_ids(self):
        return list(self._live)


def app(expect: int, live: int, ready: int, starting: int, cap: int = 0) -> GeccVoila:
    a = GeccVoila(expect=expect, max_kernels=cap)
    a.kernel_manager = FakeKernels(live, ready, starting)
    return a


@pytest.mark.parametrize("ready", [0, 20, 59])
def test_a_pool_that_is_still_filling_is_not_shrunk(ready):
    """Kernels of the room's pool that are still starting are nobody's page: while 60 fill, the
    target stays 60 (it once dropped, and a starting kernel was shut down)."""
    assert app(60, live=60, ready=ready, starting=60 - ready).ready_target() == 60


def test_a_ready_kernel_counts_as_ready_once_its_page_has_run():
    """/healthz's "ready": Voilà's pool entry is done when the kernel has started, but the page
    still runs in a task of its own; only a kernel whose page has run is ready for the room."""
    a = app(4, live=4, ready=0, starting=0)
    loop = asyncio.new_event_loop()
    entries = []
    for i, page_done in enumerate((True, True, False, None)):
        inner = loop.create_future()
        if page_done:
            inner.set_result(None)
        outer = loop.create_future()
        if page_done is not None:
            outer.set_result({"kernel_id": f"k{i}", "task": inner})
        entries.append(outer)
    a.kernel_manager._pools[SHELL] = entries
    rendered, target, starting, live = a.readiness()
    assert (rendered, starting, live) == (2, 2, 4) and target == 4


def test_once_the_room_is_in_only_the_spares_are_kept():
    assert app(60, live=66, ready=6, starting=0).ready_target() == 6  # 60 pages + 6 spares
    assert app(60, live=30, ready=6, starting=0).ready_target() == 36  # 24 have their page: 36 still expected
    assert app(60, live=60, ready=0, starting=0, cap=62).ready_target() == 2, "never past the cap"


def test_one_address_may_hold_the_whole_session_on_a_replica():
    """With replicas, ``--expect`` is this replica's share and ``--room`` the whole session: an
    office behind one NAT address whose replica is lost may all come here."""
    assert GeccVoila(expect=20).allowance() == 22  # the room plus its spares
    assert GeccVoila(expect=20, room=60).allowance() == 62
    assert GeccVoila(expect=0, room=60).allowance() == 0, "no room set: no limit per address"


class HeldKernels(FakeKernels):
    """Participant kernels with their tabs' connections, as ``holdings`` reads them."""

    def __init__(self, connected: dict[str, int]):
        super().__init__(live=0, ready=0, starting=0)
        self._live = list(connected)
        self._kernel_connections = connected

    def get_kernel(self, kernel_id):
        return None


def test_a_page_still_loading_does_not_give_way_to_the_next_page_of_its_office():
    """Kernel 'b' was just handed to a page whose tab has not connected yet; 'a' belongs to a tab
    open for a minute. When one more page of the same address passes the allowance, 'a' gives
    way: ending 'b' would break a page in the middle of loading (seen when a lost replica's
    participants reloaded onto another together)."""
    from gecc_kit import budget
    from gecc_kit.voila_app import LOADING_GRACE

    a = GeccVoila(expect=2, spare_kernels=0)  # one address holds at most 2
    a.kernel_manager = HeldKernels({"a": 1, "b": 0, "c": 0})
    for kernel_id, token in (("a", "ta"), ("b", "tb")):
        a._holders[kernel_id] = ("10.0.0.9", token)
    a._taken_at["a"] = time.monotonic() - 2 * LOADING_GRACE
    a._taken_at["b"] = time.monotonic()
    held = {h.kernel_id: h for h in a.holdings()}
    assert held["b"].connected, "a page still loading counts as connected"
    new = budget.Holding("c", "10.0.0.9", "tc", connected=True, last_activity=time.time())
    assert budget.over_limits([*held.values(), new], new, a.allowance()) == ["a"]
    a._taken_at["b"] -= 2 * LOADING_GRACE  # a page that never connected its tab goes first
    held = {h.kernel_id: h for h in a.holdings()}
    assert budget.over_limits([*held.values(), new], new, a.allowance()) == ["b"]


def test_a_page_whose_kernel_gave_way_logs_one_line_not_a_traceback():
    """The kit ends kernels on purpose (a client's oldest page gives way); Voilà then logs the
    page's cell as failed with DeadKernelError. That is one warning line in the server's log."""
    import logging
    import sys

    from nbclient.exceptions import DeadKernelError

    from gecc_kit.voila_app import Scrubbed

    try:
        raise DeadKernelError("Kernel died")
    except DeadKernelError:
        record = logging.LogRecord("Voila", logging.ERROR, __file__, 1, "Error at server while executing cell: %r", ("cell",), sys.exc_info())
    assert Scrubbed(show_ids=False).filter(record)
    text = logging.Formatter("%(levelname)s %(message)s").format(record)
    assert text == "WARNING a page's kernel ended while the page was being built" and "Traceback" not in text
    try:
        raise ValueError("a real bug")
    except ValueError:
        other = logging.LogRecord("Voila", logging.ERROR, __file__, 1, "boom", (), sys.exc_info())
    Scrubbed(show_ids=False).filter(other)
    assert "Traceback" in logging.Formatter("%(message)s").format(other), "other errors keep their traceback"


def test_the_culler_skips_a_kernel_whose_start_is_under_way(caplog, tmp_path):
    """A kernel being started has no ``last_activity`` yet; jupyter_server's culler read it and
    logged a traceback (CI, pages arriving at a full room). With the kit's guard the culler skips
    that kernel quietly, and still culls a kernel that has been idle too long."""
    import logging
    from datetime import timedelta

    from jupyter_server._tz import utcnow
    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager, ServerKernelManager

    from gecc_kit.voila_app import guard_culling

    def manager():
        km = AsyncMappingKernelManager(root_dir=str(tmp_path), cull_idle_timeout=60)
        starting = ServerKernelManager()
        starting.kernel_name = "python3"
        km._kernels["starting"] = starting  # in the map, last_activity not yet set
        culled = []

        async def shutdown_kernel(kernel_id, now=False, restart=False):
            culled.append(kernel_id)

        km.shutdown_kernel = shutdown_kernel
        return km, culled

    caplog.set_level(logging.DEBUG)
    km, _ = manager()
    km.log = logging.getLogger("unguarded")
    asyncio.run(km.cull_kernels())
    assert any(r.name == "unguarded" and r.exc_info for r in caplog.records), "the unguarded culler raised (the bug)"

    caplog.clear()
    km, culled = manager()
    km.log = logging.getLogger("guarded")
    guard_culling(km)
    idle = ServerKernelManager()
    idle.kernel_name = "python3"
    idle.execution_state = "idle"
    idle.last_activity = utcnow() - timedelta(seconds=600)
    km._kernels["idle"] = idle
    km._kernel_connections["idle"] = 0
    asyncio.run(km.cull_kernels())
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    assert culled == ["idle"], "the long-idle kernel is still culled, the starting one is not"


def test_a_kernel_still_starting_is_counted_as_the_newest_holding():
    """The budget reads each held kernel's last activity. One turn after a page's kernel enters the
    manager's map it has none yet (reading it raised TraitError, which ``getattr(..., None)`` does
    not catch, so the next page of the room would have failed). It counts as the newest: when the
    address passes its allowance, the idle older page gives way, not the one being built."""
    from jupyter_server._tz import utcnow
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

    from gecc_kit import budget

    kernels = {"old": ServerKernelManager(), "new": ServerKernelManager()}
    kernels["old"].last_activity = utcnow()  # "new" is still starting: no last_activity yet

    class Starting(HeldKernels):
        def get_kernel(self, kernel_id):
            return kernels[kernel_id]

    a = GeccVoila(expect=1, spare_kernels=0)  # one address holds at most 1
    a.kernel_manager = Starting({"old": 0, "new": 0})
    for kernel_id in kernels:
        a._holders[kernel_id] = ("10.0.0.9", "t-" + kernel_id)
        a._taken_at[kernel_id] = time.monotonic() - 60  # both past the loading grace
    held = {h.kernel_id: h for h in a.holdings()}
    assert set(held) == {"old", "new"}
    assert held["new"].last_activity >= held["old"].last_activity
    # A third page of the address: the older, idle page gives way, not the one still starting.
    assert budget.make_room(list(held.values()), "10.0.0.9", "t-third", a.allowance()) == "old"
