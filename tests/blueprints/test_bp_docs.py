"""The quickstart in docs/blueprints.md is under 30 lines and passes as written."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "blueprints.md"


def quickstart() -> str:
    text = DOC.read_text()
    match = re.search(r"<!-- quickstart -->\s*```python\n(.*?)```\s*<!-- /quickstart -->", text, re.S)
    assert match, "docs/blueprints.md lost its quickstart block"
    return match.group(1)


def test_quickstart_is_under_30_lines() -> None:
    assert len(quickstart().strip().splitlines()) < 30


def test_quickstart_runs_and_its_tests_pass() -> None:
    namespace: dict = {"__name__": "quickstart"}
    exec(compile(quickstart(), str(DOC), "exec"), namespace)
    tests = [fn for name, fn in namespace.items() if name.startswith("test_") and callable(fn)]
    assert tests, "the quickstart defines no test"
    for fn in tests:
        fn()
