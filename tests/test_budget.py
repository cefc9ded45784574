"""Who gives way when the room's kernel budget is shared (gecc_kit.budget)."""
from __future__ import annotations

from gecc_kit.budget import PER_PARTICIPANT, Holding, make_room, over_limits


def held(n: int, address: str, token: str = "", connected: bool = True, start: float = 0.0, prefix: str = "") -> list[Holding]:
    return [Holding(f"{prefix or address}-{i}", address, token, connected, start + i) for i in range(n)]


def test_a_fourth_page_of_the_same_link_frees_that_links_oldest():
    mine = held(PER_PARTICIPANT, "10.0.0.5", token="t1")
    new = Holding("new", "10.0.0.5", "t1", True, 100)
    assert over_limits(mine + [new], new, allowance=0) == ["10.0.0.5-0"]


def test_a_tab_that_is_gone_gives_way_before_an_older_open_one():
    mine = held(2, "10.0.0.5", token="t1") + [Holding("closed", "10.0.0.5", "t1", False, 50)]
    new = Holding("new", "10.0.0.5", "t1", True, 100)
    assert over_limits(mine + [new], new, allowance=0) == ["closed"]


def test_an_address_beyond_the_room_allowance_frees_its_own_oldest():
    script = [Holding(f"s{i}", "10.0.0.9", f"made-up-{i}", True, i) for i in range(4)]
    new = Holding("new", "10.0.0.9", "made-up-new", True, 100)
    assert over_limits(script + [new], new, allowance=4) == ["s0"]
    assert over_limits(script + [new], new, allowance=0) == [], "no allowance set: no limit per address"


def test_other_peoples_pages_never_give_way_for_a_client_under_its_limits():
    room = held(30, "10.0.0.1", prefix="office") + [Holding("p", "10.0.0.7", "t7", True, 5)]
    new = Holding("new", "10.0.0.8", "t8", True, 100)
    assert over_limits(room + [new], new, allowance=40) == []


def test_a_full_budget_frees_a_kernel_of_whoever_holds_the_most():
    # one script holds 4 on an address, another 3 with new tokens; a newcomer on a third address
    holdings = held(4, "10.0.0.2") + [Holding(f"n{i}", "10.0.0.3", f"tok{i}", True, 10 + i) for i in range(3)]
    assert make_room(holdings, "10.0.0.1", "mine", allowance=4) == "10.0.0.2-0"


def test_a_full_budget_frees_the_newcomers_own_link_first():
    holdings = held(3, "10.0.0.2") + [Holding("old-tab", "10.0.0.1", "mine", True, 1)]
    assert make_room(holdings, "10.0.0.1", "mine", allowance=0) == "old-tab"


def test_a_full_room_of_one_page_each_makes_the_newcomer_wait():
    holdings = [Holding(f"k{i}", f"10.0.0.{i}", f"t{i}", True, i) for i in range(8)]
    assert make_room(holdings, "10.0.1.1", "new", allowance=4) is None


def test_the_client_holding_the_most_waits_rather_than_push_out_a_smaller_one():
    holdings = held(4, "10.0.0.2") + held(3, "10.0.0.3")
    assert make_room(holdings, "10.0.0.2", "", allowance=0) is None  # it is the heaviest itself
    assert make_room(holdings, "10.0.0.3", "", allowance=0) is None  # 4 is not 2 more than 3
    assert make_room(holdings, "10.0.0.4", "", allowance=0) == "10.0.0.2-0"
