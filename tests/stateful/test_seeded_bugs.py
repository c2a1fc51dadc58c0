"""Break one rule at a time in a patched runtime and check the machine finds it within the CI budget."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from runtime.calllog import read_log, replay
from simulations.stateful import RuntimeMachine

CI_BUDGET = settings(max_examples=200, stateful_step_count=50, deadline=None, derandomize=True, print_blob=False)
# Finding is what these tests assert; one of them also shrinks (and replays the shrunk log).
FIND_ONLY = settings(CI_BUDGET, phases=[Phase.explicit, Phase.reuse, Phase.generate])


def machine_finds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, patch: Callable[[pytest.MonkeyPatch], None], shrink: bool = False) -> Path:
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    patch(monkeypatch)
    with pytest.raises(AssertionError):
        run_state_machine_as_test(RuntimeMachine, settings=CI_BUDGET if shrink else FIND_ONLY)
    log = tmp_path / "RuntimeMachine.jsonl"
    assert log.exists(), "the failing call sequence was not saved"
    return log


def test_dust_that_is_not_burned_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.balances import currency

    original = currency.CurrencyImpl._write

    def leaky_write(self, who, old, new):  # type: ignore[no-untyped-def]
        ed = self.consts.ExistentialDeposit
        if new.free < ed and new.reserved == 0 and new.free:
            # bug: reap the account but forget to lower the issuance
            self.system.set_account(who, new._replace(free=0, providers=0))
            return
        original(self, who, old, new)

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(currency.CurrencyImpl, "_write", leaky_write), shrink=True)
    calls = [e for e in read_log(log) if e.kind == "call"]
    assert 1 <= len(calls) <= 3  # shrunk to the one transfer that leaves dust (plus at most its setup)
    result = replay(log)
    assert result.calls == len(calls) and not [d for d in result.divergences if "outcome" in d.what]


def test_asset_mint_that_forgets_the_supply_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.assets import fungibles

    def sloppy_mint(self, asset_id, who, amount):  # type: ignore[no-untyped-def]
        d = self.details(asset_id)
        if d is None or amount == 0:
            return
        self._credit_check(asset_id, who, amount, d)
        self._apply_credit(asset_id, who, amount)  # bug: supply not increased

    machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(fungibles.FungiblesImpl, "do_mint", sloppy_mint))


def test_asset_burn_that_forgets_the_supply_is_caught(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from pallets.assets import fungibles

    def sloppy_burn(self, asset_id, who, amount, *, keep_alive, best_effort):  # type: ignore[no-untyped-def]
        actual, dust = self._debit(asset_id, who, amount, keep_alive, best_effort=best_effort, force=True)
        self._apply_debit(asset_id, who, actual + dust)  # bug: supply not lowered
        return actual + dust

    log = machine_finds(monkeypatch, tmp_path, lambda mp: mp.setattr(fungibles.FungiblesImpl, "do_burn", sloppy_burn))
    assert any(e.kind == "call" and e.data["call_function"] == "burn" for e in read_log(log))
