"""One formatter turns a pydantic ValidationError into ``field: message`` lines for both the call
log's genesis errors (one line, ``;``-joined, the first five) and the lab's runtime-config errors
(one line per field, with the value and the ``extensions`` prefix); each keeps its own output."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from runtime.calllog import validation_summary
from runtime.genesis import GenesisConfig
from runtime.profile import Extensions
from runtime.validation_errors import error_lines
from simulations.lab.world import runtime_config_problems


def _error(model: type[BaseModel], data: dict[str, Any]) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        model.model_validate(data)
    return exc.value


CASES = [
    (GenesisConfig, {"balances": {"Alice": "x"}, "nosuch": 1},
     "balances.Alice: Input should be a valid integer; nosuch: Extra inputs are not permitted",
     ["balances.Alice: Input should be a valid integer (got 'x')", "nosuch: Extra inputs are not permitted (got 1)"]),
    (GenesisConfig, {"extensions": {"request_expiry_blocks": -5}},
     "extensions: extensions.request_expiry_blocks: Input should be greater than or equal to 1 (got -5)",
     ["extensions.request_expiry_blocks: Input should be greater than or equal to 1 (got -5)"]),
    (Extensions, {"request_expiry_blocks": -5},
     "request_expiry_blocks: Input should be greater than or equal to 1",
     ["extensions.request_expiry_blocks: Input should be greater than or equal to 1 (got -5)"]),
]


@pytest.mark.parametrize("model, data, summary, problems", CASES)
def test_each_caller_keeps_its_output(model: type[BaseModel], data: dict[str, Any], summary: str, problems: list[str]) -> None:
    exc = _error(model, data)
    assert validation_summary(exc) == summary
    assert runtime_config_problems(exc) == problems


def test_the_call_log_shows_five_and_counts_the_rest() -> None:
    class Many(BaseModel):
        a: list[int]

    exc = _error(Many, {"a": ["x"] * 8})
    assert validation_summary(exc) == "; ".join(f"a.{i}: Input should be a valid integer, unable to parse string as an integer" for i in range(5)) + " (and 3 more)"


def test_a_whole_model_problem_names_the_root_and_a_missing_field_has_no_value() -> None:
    class Pair(BaseModel):
        x: int

    assert error_lines(_error(Pair, {}), with_value=True) == ["x: Field required"]  # no "(got {})": there is no value
    exc = _error(Pair, 5)  # type: ignore[arg-type]
    assert error_lines(exc, root="pair") == ["pair: Input should be a valid dictionary or instance of Pair"]
    assert error_lines(exc, root="pair", under="top") == ["top: Input should be a valid dictionary or instance of Pair"]


def test_a_huge_value_is_not_repeated_whole() -> None:
    line, = runtime_config_problems(_error(Extensions, {"nosuch": "y" * 1_000_000}))
    assert line.startswith("extensions.nosuch: Extra inputs are not permitted (got 'yyy") and line.endswith("… (1,000,002 characters))")
    assert len(line) < 300
