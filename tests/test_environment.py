"""Set-up files: do environment.yml and pyproject.toml ask for the same packages?"""
from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from conftest import ROOT


def _split(spec: str) -> tuple[str, str]:
    name, version = re.match(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", spec).groups()
    return re.sub(r"\[.*\]", "", name).lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(s) for s in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = [s for s in env["dependencies"] if isinstance(s, str)]
    specs += [s for d in env["dependencies"] if isinstance(d, dict) for s in d.get("pip", [])]
    tools = ("python", "pip", "nodejs")  # not Python packages: the interpreter, and npm for package.json
    listed = dict(_split(s) for s in specs if _split(s)[0] not in tools)
    assert listed == wanted
    assert any(_split(s)[0] == "nodejs" for s in specs), "package.json (reveal.js) needs npm"
    python = next(s for s in specs if _split(s)[0] == "python")
    assert _split(python)[1] == project["requires-python"]


def test_a_changed_package_json_does_not_delete_the_font_offline(tmp_path):
    """After a pull touches package.json, `make` must not run `npm ci` (which deletes node_modules
    before it downloads) when the installed packages already are the pinned ones: in a room
    without internet that would leave the pages without Sarabun. When a package is missing, it
    does run `npm ci`."""
    import os
    import shutil
    import subprocess

    real_npm = shutil.which("npm")
    if real_npm is None:
        pytest.fail("npm is needed (tools/need.sh says so)")
    for name in ("Makefile", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "node_modules", tmp_path / "node_modules", symlinks=True)
    calls = tmp_path / "npm-calls"
    fake = tmp_path / "npm"
    # "offline": `npm ci` deletes node_modules and fails, as it does without a network; `npm ls` is npm's own.
    fake.write_text(f"""#!/bin/sh
echo "$*" >> {calls}
if [ "$1" = ci ]; then rm -rf node_modules; echo "npm error network" >&2; exit 1; fi
exec {real_npm} "$@"
""")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}

    def make():
        return subprocess.run(["make", "--no-print-directory", "npm-assets", f"NPM={fake}"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    (tmp_path / "package.json").touch()
    result = make()
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "node_modules/@fontsource/sarabun/package.json").exists(), "the font is still there"
    assert not any(line.startswith("ci") for line in calls.read_text().splitlines()), calls.read_text()

    shutil.rmtree(tmp_path / "node_modules/reveal.js")  # a package really missing: npm ci is needed
    (tmp_path / "package.json").touch()
    result = make()
    assert any(line.startswith("ci") for line in calls.read_text().splitlines()), calls.read_text()
    assert "npm ci failed" in result.stdout, "said in one line, and make goes on"
