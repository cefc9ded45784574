"""Nothing personal outlives its need: logs without secrets, var/ for the facilitator's account
only, and deletion that leaves nothing readable in the store's files (even while serving)."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from gecc_kit.store import Store, workshops
from test_server import Server, http_get, kernel_id_of, pre_tested, wait_until

KERNEL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def strings(path) -> str:
    return subprocess.run(["strings", "-n", "6", str(path)], capture_output=True, text=True, check=True).stdout


def store_files(var) -> list:
    return [p for p in var.iterdir() if p.name.startswith("gecc.sqlite")]


def gecc_kit(*args: str, store_url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gecc_kit.cli", *args, "--store", store_url],
                          capture_output=True, text=True, timeout=120)


def test_the_log_and_var_keep_no_token_key_or_kernel_id(tmp_path):
    """Failed requests carrying a participant's token, a wrong key and the right key on a
    misspelt page: none of them, and no kernel id, appears in the server's output after its
    banner or in any file under var/ other than the store and the key file."""
    room = Server(tmp_path)
    store = Store(room.store_url)
    try:
        banner_end = len(room.output())
        key = (room.var / "facilitator.key").read_text().strip()
        alice = pre_tested(store, store.join("E2E", "อลิส"))
        status, body = http_get(f"{room.base}/voila/render/01-location.ipynb?w=E2E&p={alice.token}")
        assert status == 200
        kernel = kernel_id_of(body)
        wrong_key = uuid.uuid4().hex
        for path in [
            f"/voila/render/no-such-page.ipynb?w=E2E&p={alice.token}",
            f"/voila/render/01-location.ipynb/x?w=E2E&p={alice.token}",
            f"/voila/files/secret.csv?p={alice.token}",
            f"/voila/render/facilitator/dashboard.ipynb?w=E2E&key={wrong_key}",
            f"/voila/render/facilitator/dashbord.ipynb?w=E2E&key={key}",
            f"/api/kernels/{uuid.uuid4()}/channels?p={alice.token}",
        ]:
            assert http_get(room.base + path)[0] >= 400
        http_get(f"{room.base}/voila/api/shutdown/{kernel}?p={alice.token}")  # refused without _xsrf
        log = room.output()[banner_end:]
        assert "GET /voila/render" in log, "the access log is on: the test looks at real lines"
        for secret in (alice.token, key, wrong_key):
            assert secret not in log
        assert not KERNEL_ID.search(log), KERNEL_ID.search(log)
        for path in room.var.rglob("*"):
            if path.is_file() and not path.name.startswith("gecc.sqlite") and path.name != "facilitator.key":
                text = path.read_bytes().decode("utf-8", "replace")
                assert alice.token not in text and key not in text and wrong_key not in text, path
    finally:
        store.close()
        room.stop()


def test_var_is_the_facilitators_only(tmp_path):
    room = Server(tmp_path)
    store = Store(room.store_url)
    try:
        alice = pre_tested(store, store.join("E2E", "อลิส"))
        assert http_get(f"{room.base}/voila/render/01-location.ipynb?w=E2E&p={alice.token}")[0] == 200
        assert stat.S_IMODE(room.var.stat().st_mode) == 0o700
        files = [p for p in room.var.rglob("*") if p.is_file()]
        assert {"gecc.sqlite", "gecc.sqlite-wal", "facilitator.key", "join-qr.png"} <= {p.name for p in files}
        loose = {str(p.relative_to(room.var)): oct(stat.S_IMODE(p.stat().st_mode)) for p in files
                 if stat.S_IMODE(p.stat().st_mode) & 0o077}
        assert not loose, f"readable by others: {loose}"
        folders = [p for p in room.var.rglob("*") if p.is_dir() and stat.S_IMODE(p.stat().st_mode) & 0o077]
        assert not folders, folders
    finally:
        store.close()
        room.stop()


def test_deleting_a_workshop_while_serving_leaves_no_name_or_token_in_the_files(tmp_path):
    room = Server(tmp_path)
    store = Store(room.store_url)
    try:
        store.ensure_workshop("KEEP")
        kept = store.join("KEEP", "คนที่อยู่ต่อ")
        people = [pre_tested(store, store.join("E2E", f"ผู้เข้าร่วมลบ{i}")) for i in range(5)]
        for p in people:
            store.save_answer(p.id, "L01", status="met", note=f"บันทึกลับของ{p.display_name}")
        # a participant page is open on the server (its kernel holds a connection to the store)
        status, _ = http_get(f"{room.base}/voila/render/01-location.ipynb?w=E2E&p={people[0].token}")
        assert status == 200
        before = "".join(strings(p) for p in store_files(room.var))
        assert people[1].token in before, "the check can see a token in the files"
        done = gecc_kit("workshop", "delete", "E2E", "--yes", store_url=room.store_url)
        assert done.returncode == 0, done.stderr
        after = "".join(strings(p) for p in store_files(room.var))
        for p in people:
            assert p.token not in after
            assert not any(p.display_name.encode() in f.read_bytes() for f in store_files(room.var)), p.display_name
        assert store.participant("KEEP", kept.token).display_name == "คนที่อยู่ต่อ", "the other workshop is untouched"
    finally:
        store.close()
        room.stop()


def test_purge_deletes_only_workshops_idle_for_longer_than_asked(tmp_path):
    url = "sqlite:///" + str(tmp_path / "gecc.sqlite")
    store = Store(url)
    store.ensure_workshop("OLD")
    old = store.join("OLD", "ผู้เข้าร่วมเก่า")
    store.ensure_workshop("NEW")
    store.join("NEW", "ผู้เข้าร่วมใหม่")
    long_ago = datetime.now(timezone.utc) - timedelta(days=120)
    with store.engine.begin() as conn:
        conn.execute(update(workshops).where(workshops.c.code == "OLD").values(created_at=long_ago))
        conn.exec_driver_sql("UPDATE participants SET updated_at = ?, created_at = ? WHERE id = ?", (long_ago, long_ago, old.id))
    store.close()
    refused = gecc_kit("workshop", "purge", "--older-than", "ninety", store_url=url)
    assert refused.returncode != 0 and "90d" in refused.stderr
    done = gecc_kit("workshop", "purge", "--older-than", "90d", "--yes", store_url=url)
    assert done.returncode == 0, done.stderr
    assert "OLD" in done.stdout and "NEW" not in done.stdout.replace("No workshop", "")
    listed = gecc_kit("workshop", "list", store_url=url).stdout
    assert "OLD" not in listed and "NEW" in listed
    assert "ผู้เข้าร่วมเก่า".encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("gecc.sqlite*"))


@pytest.mark.skipif(not os.environ.get("GECC_TEST_POSTGRES_URL"), reason="GECC_TEST_POSTGRES_URL is not set (.ci/run sets it)")
def test_delete_and_purge_work_on_postgresql():
    store = Store(os.environ["GECC_TEST_POSTGRES_URL"])
    code = "PG" + uuid.uuid4().hex[:6].upper()
    store.ensure_workshop(code)
    store.join(code, "ลบบน PostgreSQL")
    assert store.delete_workshop(code) == 1
    assert code not in {w.code for w in store.workshop_list()}
    store.close()
