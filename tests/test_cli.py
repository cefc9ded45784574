"""The gecc-kit command: what a facilitator reads in the terminal."""
from __future__ import annotations

import subprocess
import sys

from gecc_kit.cli import main
from gecc_kit.server import ServerConfig, banner, prepare, voila_argv
from conftest import SAMPLE_CRITERIA, read_rows, write_rows


def test_validate_prints_a_summary_and_exits_0(capsys):
    assert main(["validate", str(SAMPLE_CRITERIA)]) == 0
    out = capsys.readouterr().out
    assert "criteria-2568.csv: OK" in out
    assert "Criteria: 40" in out
    assert "ด้านสถานที่: 10" in out
    assert "ระดับพื้นฐาน" in out and "ระดับเป็นเลิศ" in out
    assert "Illustrative" in out


def test_validate_lists_every_problem_and_exits_non_zero(sample_copy, capsys):
    rows = read_rows(sample_copy)
    rows[1][rows[0].index("weight")] = "abc"
    rows[3][rows[0].index("factor")] = "canteen"
    write_rows(sample_copy, rows)
    assert main(["validate", str(sample_copy)]) == 1
    err = capsys.readouterr().err
    assert "2 problem(s)" in err
    assert "row 2, column 'weight'" in err
    assert "row 4, column 'factor'" in err
    assert "Traceback" not in err


def test_validate_as_a_real_command_on_a_bad_file(tmp_path):
    bad = tmp_path / "criteria.csv"
    bad.write_bytes("id,factor\n".encode("cp874"))
    result = subprocess.run([sys.executable, "-m", "gecc_kit.cli", "validate", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "criteria.csv" in result.stderr and "Traceback" not in result.stderr


def test_serve_with_bad_criteria_refuses_to_start(sample_copy, tmp_path):
    rows = read_rows(sample_copy)
    rows[1][rows[0].index("weight")] = "-2"
    write_rows(sample_copy, rows)
    result = subprocess.run(
        [sys.executable, "-m", "gecc_kit.cli", "serve", "--criteria", str(sample_copy), "--store", f"sqlite:///{tmp_path}/s.sqlite"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "row 2, column 'weight'" in result.stderr and "Traceback" not in result.stderr


def test_serve_reuses_the_latest_workshop_and_prints_the_link(tmp_path):
    config = ServerConfig(port=9999, store_url=f"sqlite:///{tmp_path}/s.sqlite", var_dir=tmp_path)
    _, criteria, standard, store, first = prepare(config)
    _, _, _, _, again = prepare(config)
    assert again.code == first.code
    text = banner(config, store, criteria, standard, first)
    assert f"http://127.0.0.1:9999/voila/render/00-welcome.ipynb?w={first.code}" in text
    named = prepare(ServerConfig(store_url=config.store_url, workshop="moi-68", var_dir=tmp_path))[4]
    assert named.code == "MOI-68"


def test_kernels_get_an_absolute_store_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store_url = prepare(ServerConfig(store_url="sqlite:///var/x.sqlite", var_dir=tmp_path))[0]
    assert store_url == "sqlite:///" + str(tmp_path / "var" / "x.sqlite")


def test_lan_host_is_not_printed_as_0_0_0_0():
    assert "0.0.0.0" not in ServerConfig(host="0.0.0.0").base_url


def test_the_room_link_uses_the_wifi_or_ethernet_address(monkeypatch):
    """With --host 0.0.0.0 the printed link names the LAN address, not loopback or a bridge."""
    import socket
    from types import SimpleNamespace as NS

    import psutil

    addrs = {
        "lo": [NS(family=socket.AF_INET, address="127.0.0.1")],
        "docker0": [NS(family=socket.AF_INET, address="172.17.0.1")],
        "wlp2s0": [NS(family=socket.AF_INET6, address="fe80::1"), NS(family=socket.AF_INET, address="192.168.1.23")],
        "enp0s31f6": [NS(family=socket.AF_INET, address="10.0.0.9")],
    }
    stats = {"lo": NS(isup=True), "docker0": NS(isup=True), "wlp2s0": NS(isup=True), "enp0s31f6": NS(isup=False)}
    monkeypatch.setattr(psutil, "net_if_addrs", lambda: addrs)
    monkeypatch.setattr(psutil, "net_if_stats", lambda: stats)
    assert ServerConfig(host="0.0.0.0", port=8866).base_url == "http://192.168.1.23:8866"
    stats["wlp2s0"] = NS(isup=False)
    assert ServerConfig(host="0.0.0.0", port=8866).base_url == "http://127.0.0.1:8866"


def test_voila_runs_with_the_settings_that_survive_a_burst():
    argv = voila_argv(ServerConfig(port=8123))
    for setting in ("--VoilaExecutor.iopub_timeout=60", "--KernelManager.transport=ipc", "--show_tracebacks=False", "--port=8123"):
        assert setting in argv
