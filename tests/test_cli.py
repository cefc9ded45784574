"""The gecc-kit command: what a facilitator reads in the terminal."""
from __future__ import annotations

import subprocess
from pathlib import Path
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


def test_the_banner_says_when_participants_would_pick_fictional_offices(tmp_path, monkeypatch):
    """The sample's units are for the demo: the facilitator is told to put the real ones in."""
    config = ServerConfig(port=9999, store_url=f"sqlite:///{tmp_path}/s.sqlite", var_dir=tmp_path)
    _, criteria, standard, store, first = prepare(config)
    monkeypatch.delenv("GECC_OFFICES", raising=False)
    assert "FICTIONAL" in banner(config, store, criteria, standard, first)
    real = tmp_path / "offices.csv"
    real.write_text("id,name_th,name_en,table\nA1,สำนักงานอุตสาหกรรมจังหวัดหนึ่ง,Provincial Industry Office One,โต๊ะ 1\n", encoding="utf-8")
    monkeypatch.setenv("GECC_OFFICES", str(real))
    text = banner(config, store, criteria, standard, first)
    assert "FICTIONAL" not in text and f"{real} (1 unit)" in text


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


def test_expect_keeps_kernels_ready_for_the_one_page_of_the_day():
    """Every participant page is served by the shell notebook: it alone keeps kernels ready."""
    from gecc_kit.server import SHELL, pool_config

    config = pool_config(ServerConfig(expect=60))
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    assert pools[SHELL]["pool_size"] == 60 and pools["default"]["pool_size"] == 0
    assert (Path(__file__).resolve().parent.parent / "notebooks" / SHELL).is_file()
    assert "--GeccVoila.expect=60" in voila_argv(ServerConfig(expect=60))
    argv = voila_argv(ServerConfig(var_dir=Path("/srv/var")))
    assert "--Voila.config_file_paths=/srv/var/voila-config" in argv, "no voila.json from the served folder is read"
    assert "--MappingKernelManager.cull_idle_timeout=60" in argv


def test_participant_kernels_never_import_voila():
    """Voilà costs a kernel about 2 s and 30 MiB: the pages and the preheated wait do without it."""
    out = subprocess.run(
        [sys.executable, "-c", "import sys, gecc_kit.pages, gecc_kit.summary, gecc_kit.knowledge; print(sorted(m for m in sys.modules if m.split('.')[0] in ('voila', 'jupyter_server', 'pandas')))"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_the_preheated_wait_reads_the_request_like_voila(monkeypatch):
    """A kernel started in advance gets its request's query string and address from the kit's
    hand-over socket, showing the server's hand-over key."""
    import json
    import os
    import threading

    from websockets.sync.server import serve

    from gecc_kit.session import current_request

    info = {"QUERY_STRING": "w=PRE&p=tok123&l=en", "SERVER_NAME": "10.0.0.5", "SERVER_PORT": "8866", "SCRIPT_NAME": "/voila/render/01-location.ipynb"}
    seen = []

    def handler(ws):
        seen.append((ws.request.path, ws.request.headers.get("X-Gecc-Handover")))
        ws.send(json.dumps(info))

    with serve(handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        for key in info:
            monkeypatch.delenv(key, raising=False)
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setenv("VOILA_APP_PORT", str(port))
        monkeypatch.setenv("VOILA_SERVER_URL", "/")
        monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")
        monkeypatch.setenv("GECC_HANDOVER_KEY", "secret-1")
        monkeypatch.setenv("VOILA_REQUEST_URL", "http://elsewhere/voila/render/05-summary.ipynb")  # someone else's
        request = current_request()
        server.shutdown()
    assert seen == [("/gecc/handover/k-1", "secret-1")]
    assert (request.workshop_code, request.token, request.lang) == ("PRE", "tok123", "en")
    assert request.page_url == "http://10.0.0.5:8866/voila/render/01-location.ipynb"
    for key in info:
        os.environ.pop(key, None)
