"""Runtime upgrades switch behaviour exactly at the target block."""

from __future__ import annotations

import pytest

from runtime import DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS

DUST = 10**11  # above the genesis ED (10^10), below the upgraded ED (10^12)


def reap_leaving(rt: Runtime, amount_left: int) -> None:
    """Make Ferdie hold exactly ``amount_left`` after sending the rest to Bob (allow death)."""
    ferdie = DEV_ACCOUNTS["Ferdie"]
    rt.dispatch("Ferdie", "Balances", "transfer_allow_death", {"dest": "Bob", "value": rt.free_balance(ferdie) - amount_left})


def test_constant_change_switches_at_the_target_block_not_one_early() -> None:
    rt = Runtime(GenesisConfig.dev(upgrades=[{"at_block": 50, "name": "existential-deposit-1e12"}]))
    ferdie = DEV_ACCOUNTS["Ferdie"]
    rt.run_to_block(49)
    assert rt.spec_version == 1403 and rt.constants("Balances").ExistentialDeposit == 10**10
    snap = rt.snapshot()
    reap_leaving(rt, DUST)
    assert rt.free_balance(ferdie) == DUST  # still alive under the old rule
    rt.restore(snap)
    rt.advance_blocks(1)
    assert rt.block_number == 50 and rt.spec_version == 1404
    assert rt.constants("Balances").ExistentialDeposit == 10**12
    assert rt.events_named("System.CodeUpdated")[0].block == 50
    reap_leaving(rt, DUST)
    assert rt.free_balance(ferdie) == 0  # reaped: the dust is below the new ED
    assert rt.events_named("Balances.DustLost")[-1]["amount"] == DUST


def test_restore_before_the_upgrade_restores_the_old_rules() -> None:
    rt = Runtime(GenesisConfig.dev(upgrades=[{"at_block": 5, "name": "existential-deposit-1e12"}]))
    snap = rt.snapshot()
    rt.run_to_block(6)
    assert rt.constants("Balances").ExistentialDeposit == 10**12
    rt.restore(snap)
    assert rt.block_number == 1 and rt.constants("Balances").ExistentialDeposit == 10**10 and rt.spec_version == 1403


def test_upgrade_scheduled_at_runtime_and_quirk_switch() -> None:
    rt = Runtime.dev()
    up = rt.schedule_upgrade("fix-terminate-slashes", at_block=3)
    assert up.spec_version == 1405  # the named upgrade carries its own spec_version
    with pytest.raises(ValueError, match="not in the future"):
        rt.schedule_upgrade("slash-defer-14", at_block=1)
    rt.run_to_block(3)
    assert rt.spec_version == 1405


def test_upgrade_quirk_switch_takes_effect_at_the_block() -> None:
    rt = Runtime(GenesisConfig.dev(profile="real", upgrades=[{"at_block": 4, "name": "fix-terminate-slashes"}]))
    key = "services.terminate_clears_all_round_slashes"
    rt.run_to_block(3)
    assert rt.ctx.quirk(key)
    rt.advance_blocks(1)
    assert not rt.ctx.quirk(key)


def test_bad_upgrade_configs_are_clear_errors() -> None:
    with pytest.raises(ValueError, match="unknown upgrade"):
        Runtime(GenesisConfig.dev(upgrades=[{"at_block": 4, "name": "nope"}]))
    with pytest.raises(ValueError, match="unknown constant"):
        Runtime(GenesisConfig.dev(upgrades=[{"at_block": 4, "constants": {"Balances": {"Nope": 1}}}]))
