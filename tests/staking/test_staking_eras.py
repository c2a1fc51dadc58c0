"""Staking: era timing over sessions, forcing, the election and the SessionManager wiring."""

from __future__ import annotations

from runtime import UNIT, GenesisConfig, Runtime
from runtime.accounts import account_bytes
from tests.staking.staking_helpers import ALICE, BOB, CHARLIE, DAVE, bond, events, fails, fast, make_validator, staking


def test_genesis_era_zero() -> None:
    rt = fast()
    assert rt.query("Staking", "ActiveEra").value == {"index": 0, "start": 6000}
    assert rt.query("Staking", "CurrentEra").value == 0
    assert rt.query("Staking", "ErasStartSessionIndex", [0]).value == 0
    assert rt.query("Staking", "ErasStakersOverview", [0, "Alice"]).value == {"total": 100 * UNIT, "own": 100 * UNIT, "nominator_count": 0, "page_count": 0}
    assert rt.pallets["Session"].storage.Validators.value() == (ALICE,)
    assert rt.query("Staking", "Invulnerables").value == [ALICE]


def test_era_is_planned_one_session_early_and_starts_every_three_sessions() -> None:
    rt = fast()  # 10-block sessions, 3 sessions per era
    s = staking(rt)
    rt.advance_sessions(1)  # session 1 (block 11)
    assert (s.current_era(), s.active_era()) == (0, 0)
    rt.advance_sessions(1)  # session 2 (block 21): era 1 planned, session 3 queued
    assert rt.block_number == 21
    assert (s.current_era(), s.active_era()) == (1, 0)
    assert rt.query("Staking", "ErasStartSessionIndex", [1]).value == 3
    assert events(rt, "Staking.StakersElected", since_block=21)
    assert not events(rt, "Staking.EraPaid")
    rt.advance_sessions(1)  # session 3 (block 31): era 0 ends, era 1 active
    assert rt.block_number == 31
    assert (s.current_era(), s.active_era()) == (1, 1)
    assert [e["era_index"] for e in events(rt, "Staking.EraPaid")] == [0]
    rt.advance_eras(2)
    assert rt.block_number == 91 and s.active_era() == 3
    assert rt.query("Staking", "BondedEras").value == [(0, 0), (1, 3), (2, 6), (3, 9)]


def test_testnet_timing_default_session_length() -> None:
    rt = Runtime.dev()
    rt.advance_eras(1)
    assert rt.block_number == 3 * 1200 + 1
    assert rt.query("Staking", "ActiveEra").value == {"index": 1, "start": 3601 * 6000}


def test_new_era_hook_runs_for_other_pallets(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    rt = fast()
    seen: list[int] = []
    monkeypatch.setattr(rt.ctx, "notify_new_era", lambda era: seen.append(era))
    rt.advance_eras(2)
    assert seen == [1, 2]


def test_force_new_era_and_force_no_eras() -> None:
    rt = fast()
    s = staking(rt)
    fails(rt, "BadOrigin", "Bob", "Staking", "force_new_era", {})
    receipt = rt.dispatch("root", "Staking", "force_new_era", {})
    assert receipt.event("ForceEra")["mode"].name == "ForceNew"
    rt.advance_sessions(1)  # session 1 starts; era 1 planned for session 2
    assert s.current_era() == 1
    assert rt.query("Staking", "ForceEra").value == "NotForcing"
    rt.advance_sessions(1)
    assert s.active_era() == 1
    rt.dispatch("root", "Staking", "force_no_eras", {})
    rt.advance_sessions(9)
    assert s.active_era() == 1
    rt.dispatch("root", "Staking", "force_new_era_always", {})
    rt.advance_sessions(3)
    assert s.active_era() == 3  # planned at the first session, then one era per session


def test_election_picks_top_backed_with_nominations_split() -> None:
    rt = fast()
    make_validator(rt, "Bob", 50 * UNIT)
    make_validator(rt, "Charlie", 80 * UNIT)
    bond(rt, "Dave", 100 * UNIT)
    # Dave backs Bob and Charlie: 50 each -> Bob 100, Charlie 130, Alice 100
    rt.dispatch("Dave", "Staking", "nominate", {"targets": ["Bob", "Charlie", "//NotAValidator"]})
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 2})
    rt.advance_eras(1)
    elected = staking(rt).elected_validators()
    tie_winner = min((ALICE, BOB), key=account_bytes)
    assert set(elected) == {CHARLIE, tie_winner}
    assert elected == sorted(elected, key=account_bytes)
    assert rt.pallets["Session"].storage.Validators.value() == tuple(elected)
    # Dave's whole stake is exposed, split between his elected targets
    era = staking(rt).active_era()
    exposures = {v: rt.query("Staking", "ErasStakersOverview", [era, v]).value for v in elected}
    dave_total = sum(p["value"] for v in elected for page in [rt.query("Staking", "ErasStakersPaged", [era, v, 0]).value] if page for p in page["others"])
    assert dave_total == 100 * UNIT
    assert rt.query("Staking", "ErasTotalStake", [era]).value == sum(e["total"] for e in exposures.values())


def test_election_failure_keeps_the_validator_set() -> None:
    rt = fast()
    rt.dispatch("root", "Staking", "set_validator_count", {"new": 3})
    rt.dispatch("root", "Staking", "set_staking_configs", {
        "min_nominator_bond": "Noop", "min_validator_bond": "Noop", "max_nominator_count": "Noop",
        "max_validator_count": "Noop", "chill_threshold": "Noop", "min_commission": "Noop", "max_staked_rewards": "Noop"})
    rt.pallets["Staking"].storage.MinimumValidatorCount.put(2)  # genesis-style setting
    rt.advance_sessions(2)
    assert events(rt, "Staking.StakingElectionFailed")
    assert staking(rt).current_era() == 0
    make_validator(rt, "Bob", 10 * UNIT, keys=False)
    rt.advance_sessions(1)
    assert staking(rt).current_era() == 1
    # Bob validates without session keys: pallet_session leaves him out of the queued set until he sets them
    queued = lambda: {v for v, _ in rt.pallets["Session"].storage.QueuedKeys.value()}  # noqa: E731
    assert queued() == {ALICE}
    rt.dispatch("Bob", "Session", "set_keys", {"keys": {"babe": "0x" + "11" * 32, "grandpa": "0x" + "12" * 32, "im_online": "0x" + "13" * 32}, "proof": "0x"})
    rt.advance_sessions(1)
    assert queued() == {ALICE}  # no new set this session: the current validators are queued again
    rt.advance_eras(1)  # the next planned era's set, with Bob's keys now
    assert queued() == {ALICE, BOB}


def test_exposure_pages_of_64() -> None:
    balances = {f"//N{i}": 1000 * UNIT for i in range(70)}
    rt = Runtime(GenesisConfig.dev(session_length=10, balances={**GenesisConfig.dev().balances, **balances}))
    for i in range(70):
        bond(rt, f"//N{i}", 10 * UNIT)
        rt.dispatch(f"//N{i}", "Staking", "nominate", {"targets": ["Alice"]})
    rt.advance_eras(1)
    overview = rt.query("Staking", "ErasStakersOverview", [1, "Alice"]).value
    assert overview["nominator_count"] == 70 and overview["page_count"] == 2
    assert len(rt.query("Staking", "ErasStakersPaged", [1, "Alice", 1]).value["others"]) == 6
    _ = DAVE
