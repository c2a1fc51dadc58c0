"""The README's blueprint snippet runs as written (so the README never drifts from the API)."""

from __future__ import annotations

import re
from pathlib import Path


def test_readme_blueprint_snippet_runs() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Blueprints in Python", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert len(code.strip().splitlines()) < 30
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    namespace["test_cube"]()
