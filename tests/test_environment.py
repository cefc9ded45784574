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
    listed = dict(_split(s) for s in env["dependencies"] if isinstance(s, str) and not s.startswith(("python", "pip")))
    assert listed == wanted
