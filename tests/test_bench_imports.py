"""Every benchmark under bench/ still imports against today's code.

The benchmarks are run by hand, not by the suite, so a renamed internal they rely on goes
unnoticed until someone needs the figures (bench/release.py imported a helper the
integrity work had removed). Importing each one catches that whole class cheaply.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = sorted(
    p.stem
    for p in (Path(__file__).resolve().parent.parent / "bench").glob("*.py")
    if p.stem != "__init__"
)


def test_there_are_benchmarks_to_check() -> None:
    assert {"release", "results_page", "page_weight", "joint_attack"} <= set(BENCH)


@pytest.mark.parametrize("name", BENCH)
def test_benchmark_imports(name: str) -> None:
    importlib.import_module(f"bench.{name}")
