"""Who may hold how many kernels: the room's kernel budget, shared fairly.

A participant page holds one kernel for as long as its tab is open. The server has a budget
of live kernels (``--max-kernels``); this module decides, from plain data, which kernels give
way so that one client (a script, a stuck browser, a person with many tabs) cannot use the
budget up and lock everyone else out:

- **per participant**: a personal link holds at most :data:`PER_PARTICIPANT` kernels (a laptop,
  a phone and one more); one more page of the same link frees that link's oldest kernel;
- **per address**: one address holds at most ``allowance`` kernels, the room-sized number that
  ``--expect`` sets (a whole office may sit behind one address on Zoom); one more page from
  that address frees its oldest kernel;
- **one address builds two pages at a time** on new kernels (each costs about a CPU-second);
  a third waits its turn (or for a ready kernel), so parallel requests cannot take the machine
  from everyone else (pages served from ready kernels cost little and are not limited);
- **when the budget is full**, a page that needs a new kernel frees, in this order: one of its
  own link's kernels, one of its own address's when that address is at its allowance, or one of
  the address holding the most, when that address holds at least two more than the newcomer's;
  otherwise it waits (the Thai "room full" page).

Kernels whose tab is gone (no connection) go first, then the least recently active. Kernels
nobody holds (ready kernels, facilitator pages) never give way here. Pure functions: no
tornado, no Voilà; :mod:`gecc_kit.voila_app` feeds them the server's state.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

PER_PARTICIPANT = 3
BUILDS_PER_ADDRESS = 2  # pages one address may have building on new kernels at once (ready kernels: no limit)


@dataclass(frozen=True)
class Holding:
    """One participant kernel: whose it is and how alive its page is."""

    kernel_id: str
    address: str
    token: str = ""  # the personal link's token; "" for a page opened without one
    connected: bool = False  # a browser tab is connected to it now
    last_activity: float = 0.0  # seconds (any clock, compared only with each other)


def _giving_way_order(holdings: list[Holding]) -> list[Holding]:
    return sorted(holdings, key=lambda h: (h.connected, h.last_activity))


def over_limits(holdings: list[Holding], new: Holding, allowance: int, per_participant: int = PER_PARTICIPANT) -> list[str]:
    """The kernels to free after ``new`` was given to a page: the oldest of its own link's and its
    own address's beyond their limits (``allowance`` 0: no limit per address). ``new`` stays."""
    others = [h for h in holdings if h.kernel_id != new.kernel_id]
    free: list[str] = []
    if new.token:
        same = _giving_way_order([h for h in others if h.token == new.token])
        free += [h.kernel_id for h in same[: max(0, len(same) + 1 - per_participant)]]
    if allowance > 0:
        same = _giving_way_order([h for h in others if h.address == new.address and h.kernel_id not in free])
        free += [h.kernel_id for h in same[: max(0, len(same) + 1 - allowance)]]
    return free


def make_room(holdings: list[Holding], address: str, token: str, allowance: int) -> str | None:
    """With the budget full, the one kernel to free so a page of (``address``, ``token``) can start
    one, or None when it has to wait (see the module docstring for the order)."""
    if token:
        same = _giving_way_order([h for h in holdings if h.token == token])
        if same:
            return same[0].kernel_id
    mine = [h for h in holdings if h.address == address]
    if allowance > 0 and len(mine) >= allowance:
        return _giving_way_order(mine)[0].kernel_id
    counts = Counter(h.address for h in holdings)
    if counts:
        heaviest, held = max(counts.items(), key=lambda item: item[1])
        if heaviest != address and held >= len(mine) + 2:
            return _giving_way_order([h for h in holdings if h.address == heaviest])[0].kernel_id
    return None
