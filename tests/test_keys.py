"""Facilitator and table keys (gecc_kit.keys)."""
from __future__ import annotations

import os
import stat

from gecc_kit import keys

KEY = "k" * 32


def test_a_table_key_opens_its_own_table_of_its_own_workshop_only():
    t1 = keys.table_key(KEY, "E2E", "โต๊ะ 1")
    assert keys.access(t1, "E2E", "โต๊ะ 1", key=KEY) == "table"
    assert keys.access(t1, "e2e", " โต๊ะ 1 ", key=KEY) == "table"  # as the pages spell them
    assert keys.access(t1, "E2E", "โต๊ะ 2", key=KEY) is None
    assert keys.access(t1, "OTHER", "โต๊ะ 1", key=KEY) is None
    assert keys.access(t1, "E2E", "", key=KEY) is None, "no table named: only the facilitator key opens"
    assert keys.access(KEY, "E2E", "โต๊ะ 1", key=KEY) == "facilitator"
    assert keys.access("", "E2E", "โต๊ะ 1", key=KEY) is None
    assert keys.access(t1, "E2E", "โต๊ะ 1", key="") is None, "no facilitator key: nothing opens"
    assert KEY not in t1 and len(t1) >= 20


def test_rotating_changes_the_key_and_every_table_key_and_is_seen_at_once(tmp_path, monkeypatch):
    first = keys.facilitator_key(tmp_path)
    assert keys.facilitator_key(tmp_path) == first, "made once, then kept"
    monkeypatch.setenv("GECC_FACILITATOR_KEY_FILE", str(tmp_path / keys.KEY_FILE))
    assert keys.current_key() == first
    table = keys.table_key(first, "W", "1")
    second = keys.rotate(tmp_path)
    assert second != first
    assert keys.current_key() == second, "a running server reads the new key"
    assert keys.access(first, "W", "1") is None and keys.access(table, "W", "1") is None
    assert keys.access(keys.table_key(second, "W", "1"), "W", "1") == "table"
    assert stat.S_IMODE(os.stat(tmp_path / keys.KEY_FILE).st_mode) == 0o600
