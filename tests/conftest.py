"""Shared fixtures: paths of the repository's seeds and a Cleaner built once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

import cleaner

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def default_cleaner() -> cleaner.Cleaner:
    return cleaner.Cleaner()


@pytest.fixture(scope="session")
def english_cleaner() -> cleaner.Cleaner:
    return cleaner.Cleaner(language="en")
