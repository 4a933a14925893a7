"""A few examples of each fuzz target, and every crash the fuzzer found (benchmarks/fuzz.py runs
the long campaign)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

import cleaner  # noqa: E402
from clisupport import rules_env  # noqa: E402, F401 (rules_env: autouse)
from fuzz_targets import CRASHES, TARGETS  # noqa: E402

FEW = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))



@pytest.fixture(scope="module")
def auto(rules_env):
    return cleaner.Cleaner()


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_a_few_fuzz_inputs_of_each_target_run_without_a_crash(auto, name):
    strategy, target = TARGETS[name]

    @FEW
    @given(strategy)
    def run(item):
        target(auto, item)

    run()


@pytest.mark.parametrize("name, item", CRASHES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CRASHES)])
def test_a_crash_the_fuzzer_found_stays_fixed(auto, name, item):
    TARGETS[name][1](auto, item)
