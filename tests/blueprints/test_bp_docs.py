"""The runnable blocks of docs/blueprints.md pass as written: the quickstart (under 30 lines), the
custom aggregation, and the price oracle of the "done when" (under 40 lines)."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path


DOC = Path(__file__).resolve().parents[2] / "docs" / "blueprints.md"


def block(name: str) -> str:
    text = DOC.read_text()
    match = re.search(rf"<!-- {name} -->\s*```python\n(.*?)```\s*<!-- /{name} -->", text, re.S)
    assert match, f"docs/blueprints.md lost its {name} block"
    return match.group(1)


def quickstart() -> str:
    return block("quickstart")


def run_block(name: str) -> dict:
    """Run a block as a module of its own (dataclasses look their module up in sys.modules)."""
    module = types.ModuleType("docs_" + name.replace("-", "_"))
    sys.modules[module.__name__] = module
    try:
        exec(compile(block(name), str(DOC), "exec"), module.__dict__)
        tests = [fn for n, fn in module.__dict__.items() if n.startswith("test_") and callable(fn)]
        assert tests, f"the {name} block defines no test"
        for fn in tests:
            fn()
    finally:
        del sys.modules[module.__name__]
    return module.__dict__


def test_quickstart_is_under_30_lines() -> None:
    assert len(quickstart().strip().splitlines()) < 30


def test_quickstart_runs_and_its_tests_pass() -> None:
    run_block("quickstart")


def test_custom_aggregation_example_runs_and_its_test_passes() -> None:
    ns = run_block("custom-aggregation")
    assert ns["Unanimous"].fault_kind == "dissent"


def test_price_oracle_is_under_40_lines_and_passes() -> None:
    assert len(block("price-oracle").strip().splitlines()) < 40
    ns = run_block("price-oracle")
    assert ns["MARKET"]["ETH"] == 350_000
