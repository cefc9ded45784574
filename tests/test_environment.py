"""Set-up files: do environment.yml and pyproject.toml ask for the same packages?"""
from __future__ import annotations

import re
import tomllib

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
