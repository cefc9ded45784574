"""The kit's Voilà application without a server: how many kernels it keeps ready for the room."""
from __future__ import annotations

import asyncio

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


def test_once_the_room_is_in_only_the_spares_are_kept():
    assert app(60, live=66, ready=6, starting=0).ready_target() == 6  # 60 pages + 6 spares
    assert app(60, live=30, ready=6, starting=0).ready_target() == 36  # 24 have their page: 36 still expected
    assert app(60, live=60, ready=0, starting=0, cap=62).ready_target() == 2, "never past the cap"
