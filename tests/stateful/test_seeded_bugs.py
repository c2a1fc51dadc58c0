"""Break one rule at a time in a patched runtime and check the machine finds it within the CI budget
(200 examples x 50 steps, fixed seed). Finding is what these tests assert, so they skip shrinking,
except one, which checks that the failure shrinks to a short, replayable call log. The patches are
the shared seeded bugs (tests/support/seeded_bugs.py), which the fuzz engine is tested against too."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from runtime.calllog import read_log, replay
from simulations.stateful import RuntimeMachine
from simulations.stateful.determinism import freeze_constant_pool
from simulations.stateful.world import build_world

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from seeded_bugs import BUGS  # noqa: E402

CI_BUDGET = settings(max_examples=200, stateful_step_count=50, deadline=None, derandomize=True, print_blob=False, database=None,
                     report_multiple_bugs=False)
FIND_ONLY = settings(CI_BUDGET, phases=[Phase.explicit, Phase.reuse, Phase.generate])
SETUP_CALLS = len(build_world().call_log)


def machine_finds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bug: str, shrink: bool = False) -> Path:
    """Run the machine on the runtime with seeded bug ``bug``: it must fail with an AssertionError
    matching the bug's ``finds`` (the invariant or rule check that names the broken rule) and save
    the failing call log."""
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    assert freeze_constant_pool()  # the same fixed-seed run whichever tests were collected
    BUGS[bug].patch(monkeypatch)
    with pytest.raises(AssertionError, match=BUGS[bug].finds):
        run_state_machine_as_test(RuntimeMachine, settings=CI_BUDGET if shrink else FIND_ONLY)
    log = tmp_path / "RuntimeMachine.jsonl"
    assert log.exists(), "the failing call sequence was not saved"
    return log


def calls_of(log: Path) -> list[dict[str, Any]]:
    return [e.data for e in read_log(log) if e.kind == "call"]


# ------------------------------------------------------------------ tokens
def test_dust_that_is_not_burned_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = machine_finds(monkeypatch, tmp_path, "dust_not_burned")
    assert any(c["call_module"] == "Balances" for c in calls_of(log)[SETUP_CALLS:])


def test_transfer_that_silently_mints_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Balances and issuance stay in step: only the event half of token_conservation sees it."""
    log = machine_finds(monkeypatch, tmp_path, "transfer_mints")
    assert calls_of(log)


def test_asset_mint_that_forgets_the_supply_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine_finds(monkeypatch, tmp_path, "asset_mint_forgets_supply")


def test_asset_burn_that_forgets_the_supply_is_caught_and_shrinks_to_a_replayable_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = machine_finds(monkeypatch, tmp_path, "asset_burn_forgets_supply", shrink=True)
    calls = calls_of(log)[SETUP_CALLS:]
    assert len(calls) == 1 and calls[0]["call_function"] in ("burn", "unbond")  # shrunk to the one call that burns
    result = replay(log)  # the saved log replays on a correct runtime, with the same outcomes
    assert result.calls == SETUP_CALLS + 1 and not [d for d in result.divergences if "outcome" in d.what]


# ------------------------------------------------------------------ services
def test_skipped_instance_limit_check_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = machine_finds(monkeypatch, tmp_path, "instance_limit_skipped")
    assert any(c["call_function"] == "set_instance_limit" for c in calls_of(log))


def test_slash_applied_one_round_early_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = machine_finds(monkeypatch, tmp_path, "slash_one_round_early")
    assert any(c["call_function"] == "slash" for c in calls_of(log))


def test_slash_applied_after_a_dispute_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = machine_finds(monkeypatch, tmp_path, "slash_after_dispute")
    assert any(c["call_function"] == "dispute" for c in calls_of(log))


def test_expired_request_that_is_not_refunded_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine_finds(monkeypatch, tmp_path, "expired_request_not_refunded")


def test_terminate_that_keeps_instance_commitments_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine_finds(monkeypatch, tmp_path, "terminate_keeps_commitments")


# ------------------------------------------------------------------ delegation
def test_operator_joining_twice_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine_finds(monkeypatch, tmp_path, "operator_joins_twice")


def test_delegator_unstaking_more_than_delegated_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine_finds(monkeypatch, tmp_path, "unstake_more_than_delegated")


def test_delegation_missing_on_the_operator_side_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine_finds(monkeypatch, tmp_path, "delegation_missing_operator_side")


# ------------------------------------------------------------------ staking and pools
def test_lst_unbond_that_loses_tokens_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = machine_finds(monkeypatch, tmp_path, "lst_unbond_loses_tokens")
    assert any(c["call_function"] == "unbond" and c["call_module"] == "Lst" for c in calls_of(log))


def test_staking_unbond_that_keeps_the_lock_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    machine_finds(monkeypatch, tmp_path, "staking_lock_sticks")
