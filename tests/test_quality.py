"""The quality gate: floors only move up unless asked, and the devset stays above them."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
spec = importlib.util.spec_from_file_location("quality", ROOT / "benchmarks" / "quality.py")
quality = importlib.util.module_from_spec(spec)
spec.loader.exec_module(quality)


def test_raising_the_floors_never_lowers_one(tmp_path):
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"all": 0.95}))
    failures = quality.check_floors({"all": 0.90}, raise_floors=True, lower_floors=False, path=floors)
    assert failures and json.loads(floors.read_text())["all"] == 0.95


def test_lowering_a_floor_needs_the_explicit_flag(tmp_path):
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"all": 0.95}))
    assert quality.check_floors({"all": 0.90}, raise_floors=False, lower_floors=True, path=floors) == []
    assert json.loads(floors.read_text())["all"] < 0.95


def test_a_missing_floors_file_is_pinned_from_the_first_run(tmp_path):
    floors = tmp_path / "floors_html.json"
    assert quality.check_floors({"fundus": 0.9614}, raise_floors=False, lower_floors=False, path=floors) == []
    assert json.loads(floors.read_text()) == {"fundus": round(0.9614 - quality.FLOOR_SLACK, 4)}


@pytest.mark.skipif(not (SHARED / "devset").is_dir(), reason="the devset (../shared/devset) is not beside this checkout")
def test_devset_f1_stays_above_the_pinned_floors(tmp_path):
    report = quality.run(SHARED, tmp_path)
    _, figures = quality.table(report)
    assert quality.check_floors(figures, False, False) == []


def test_the_title_left_out_row_is_shown_but_has_no_floor():
    # The contract keeps the headline in the clean text; neither gold has it. The table shows
    # the output without it beside the real figure, and no floor is pinned on that row.
    def row(f1):
        return {"lang": "en", "precision": f1, "recall": f1, "f1": f1}
    report = {"set": {"cleaner": [row(0.9), row(0.8)], "untitled": [row(1.0), row(0.9)], "keep_all": [row(0.5)] * 2}}
    text, figures = quality.table(report)
    assert "| all, title line left out | 2 | 0.950 | 0.950 | 0.950 | 0.950 | |" in text
    assert figures["all"] == 0.85 and not any("title" in key for key in figures)
