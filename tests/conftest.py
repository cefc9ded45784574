"""Shared fixtures: paths to the kit's files, a fresh store, criteria files to break."""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
NOTEBOOKS = ROOT / "notebooks"
SAMPLE_CRITERIA = SAMPLES / "criteria-2568.csv"


def read_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A copy of the sample criteria (with its levels and meta files) that a test may edit."""
    for p in SAMPLES.glob("criteria-2568*.csv"):
        shutil.copy(p, tmp_path / p.name)
    return tmp_path / "criteria-2568.csv"


@pytest.fixture
def store_url(tmp_path) -> str:
    return "sqlite:///" + str(tmp_path / "gecc.sqlite")


POSTGRES_URL = os.environ.get("GECC_TEST_POSTGRES_URL")  # set by .ci/run, which starts PostgreSQL


def _drop_all(url: str) -> None:
    from sqlalchemy import create_engine

    from gecc_kit.store import metadata

    engine = create_engine(url)
    metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, store_url):
    """A fresh, empty store: the embedded SQLite file, and PostgreSQL where CI provides one."""
    from gecc_kit.store import Store

    if request.param == "postgresql":
        if not POSTGRES_URL:
            pytest.skip("GECC_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)")
        _drop_all(POSTGRES_URL)
        s = Store(POSTGRES_URL)
    else:
        s = Store(store_url)
    yield s
    s.close()
    if request.param == "postgresql":
        _drop_all(POSTGRES_URL)


@pytest.fixture
def sqlite_store(store_url):
    from gecc_kit.store import Store

    s = Store(store_url)
    yield s
    s.close()


@pytest.fixture
def standard():
    from gecc_kit import load_standard

    return load_standard(SAMPLE_CRITERIA)
