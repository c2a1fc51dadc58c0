"""docs/scenarios.md documents every field of the scenario models, with the model's own default.

The models are walked from ``Scenario`` (nested models, lists, unions such as the veto policies),
so a field added anywhere in the schema fails this test until the page mentions it.
"""

from __future__ import annotations

import inspect
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from simulations.scenario import Scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def models(root: type[BaseModel] = Scenario) -> list[type[BaseModel]]:
    seen: list[type[BaseModel]] = []

    def walk(t: Any) -> None:
        if typing.get_origin(t) is not None:
            for arg in typing.get_args(t):
                walk(arg)
        elif inspect.isclass(t) and issubclass(t, BaseModel) and t not in seen:
            seen.append(t)
            for f in t.model_fields.values():
                walk(f.annotation)

    walk(root)
    return seen


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def documented_rows(model: str) -> dict[str, dict[str, str]]:
    """field -> {column header: cell} for the model: the tables under a heading naming it
    (``(`Model`)``), and rows anywhere whose first cell is the model's name (the policy table)."""
    rows: dict[str, dict[str, str]] = {}
    in_section = False
    header: list[str] = []
    for line in DOC.read_text().splitlines():
        if line.startswith("#"):
            in_section = f"`{model}`" in line
            header = []
            continue
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = _cells(line)
        if not header or cells[0] in ("field", "policy"):
            header = cells
            continue
        first_is_model = cells[0].strip("`") == model
        if in_section or first_is_model:
            field_cell = cells[header.index("field")] if "field" in header else cells[0]
            rows[field_cell.strip("`")] = dict(zip(header, cells))
    return rows


def expected_default(field: Any) -> str | None:
    """How the page writes the model's default (None: not checked, e.g. a nested model's defaults)."""
    if field.is_required():
        return "required"
    if field.default_factory is list:
        return "[]"
    if field.default_factory is dict:
        return "{}"
    if field.default_factory is not None:
        return None
    d = field.default
    if d is None:
        return "none"
    if isinstance(d, bool):
        return "true" if d else "false"
    if isinstance(d, (int, float)):
        return repr(d)
    if isinstance(d, str):
        return d or "(empty)"
    return None


ALL = [(m.__name__, name, f) for m in models() for name, f in m.model_fields.items()]


def test_the_walk_reaches_every_part_of_the_schema() -> None:
    names = {m.__name__ for m in models()}
    assert {"Scenario", "GenesisSpec", "OperatorBehaviour", "DelegationSpec", "AnyOf", "RandomVeto", "SymbioticParams", "PoolMember"} <= names
    assert len(ALL) > 80


@pytest.mark.parametrize("model,name,field", ALL, ids=[f"{m}.{n}" for m, n, _ in ALL])
def test_every_scenario_field_is_documented_with_its_default(model: str, name: str, field: Any) -> None:
    rows = documented_rows(model)
    assert name in rows, f"docs/scenarios.md does not document {model}.{name}: add a row to its table (type, unit, default, meaning)"
    row = rows[name]
    assert "unit" in row and "default" in row, f"{model}.{name}: the table needs unit and default columns"
    want = expected_default(field)
    if want is not None:
        assert want in row["default"].replace("`", "").split(), f"{model}.{name}: the page says default {row['default']!r}, the model says {want!r}"


def test_the_check_notices_an_undocumented_field() -> None:
    assert "veto_blocks" in documented_rows("SymbioticParams")
    assert "no_such_field" not in documented_rows("SymbioticParams")
    assert documented_rows("VetoUnder").keys() == {"kind", "percent"}
