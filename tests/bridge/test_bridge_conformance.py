"""Conformance of the simulator with the real metadata: the checker itself, and the simulator's pallets."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pallets.multi_asset_delegation.types import OperatorMetadata
from pallets.primitives.assets import Asset
from runtime import Runtime
from runtime.bridge.conformance import check_conformance
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.typecheck import check_type
from runtime.codec import AccountIdCodec, ScaleEnum, UIntCodec, struct
from runtime.errors import ErrorSet
from runtime.events import EventSet
from runtime.origin import Origin, ensure_signed
from runtime.pallet import Pallet, call
from runtime.primitives import U64, U128, AccountId, Balance, BoundedBytes, CompactBalance, H160
from runtime.storage import PalletStorage, StorageMap, StorageValue
from simulations.cli import app

# ---------------------------------------------------------------- a deliberately half-wrong pallet
# Credits (index 59) exists on chain but is not modelled; this stand-in gets some names and types
# right and some wrong, so every classification of the checker is exercised.


class CreditsStorage(PalletStorage, prefix="Credits"):
    LastRewardUpdateBlock = StorageMap(AccountId, U64, default=0)  # right
    AssetStakeTiers = StorageValue(U64)  # chain: a map keyed by u128
    Ghost = StorageValue(U64, extension=True)  # simulator-only
    Typo = StorageValue(U64)  # not on chain


class CreditsError(ErrorSet, pallet="Credits"):
    NoValidTier = 3  # right
    AmountZero = 7  # chain index 4
    NotAnError = 50  # not on chain


class CreditsEvent(EventSet, pallet="Credits"):
    StakeTiersUpdated = (2, {})  # right
    CreditsClaimed = {"who": AccountId, "offchain_account_id": BoundedBytes(64), "amount_claimed": U128}  # field order
    CreditsGrantedFromBurn = {"who": AccountId, "tnt_burned": U128, "credits_granted": U64}  # u64 vs u128


class Credits(Pallet):
    name = "Credits"
    index = 59
    Storage = CreditsStorage
    Error = CreditsError
    Event = CreditsEvent

    @call(0)
    def burn(self, origin: Origin, amount: CompactBalance) -> None:  # right
        ensure_signed(origin)

    @call(1)
    def claim_credits(self, origin: Origin, amount_to_claim: Balance, offchain_account_id: BoundedBytes(64)) -> None:  # not compact
        ensure_signed(origin)

    @call(9)
    def claim_credits_with_asset(self, origin: Origin, amount_to_claim: CompactBalance, offchain_account_id: BoundedBytes(64), asset_id: U128) -> None:  # index 2
        ensure_signed(origin)

    @call(4)
    def set_asset_stake_tiers(self, origin: Origin, asset: U128, new_tiers: tuple[U128, ...]) -> None:  # arg name
        ensure_signed(origin)

    @call(extension=True)
    def grant_bonus(self, origin: Origin, who: AccountId) -> None:  # simulator-only
        ensure_signed(origin)


@pytest.fixture(scope="module")
def credits_report(metadata: RuntimeMetadata):
    rt = Runtime(extra_pallets=[Credits])
    return check_conformance(rt, metadata).pallets["Credits"]


def _status(report, kind: str, name: str) -> tuple[str, str]:
    found = [f for f in report.findings if f.kind == kind and f.name == name]
    assert len(found) == 1, found
    return found[0].status, found[0].detail


def test_checker_accepts_what_matches(credits_report) -> None:
    assert _status(credits_report, "pallet", "Credits")[0] == "implemented"
    assert _status(credits_report, "call", "burn")[0] == "implemented"
    assert _status(credits_report, "error", "NoValidTier")[0] == "implemented"
    assert _status(credits_report, "event", "StakeTiersUpdated")[0] == "implemented"
    assert _status(credits_report, "storage", "LastRewardUpdateBlock")[0] == "implemented"


def test_checker_lists_extensions_apart(credits_report) -> None:
    assert _status(credits_report, "call", "grant_bonus") == ("extension", "simulator extension")
    assert _status(credits_report, "storage", "Ghost")[0] == "extension"


def test_checker_reports_each_kind_of_mismatch(credits_report) -> None:
    status, why = _status(credits_report, "call", "claim_credits")
    assert status == "mismatched" and "amount_to_claim" in why and "compact vs not compact" in why
    status, why = _status(credits_report, "call", "claim_credits_with_asset")
    assert status == "mismatched" and "call index 9 vs chain 2" in why
    status, why = _status(credits_report, "call", "set_asset_stake_tiers")
    assert status == "mismatched" and "['asset', 'new_tiers'] vs chain ['asset_id', 'new_tiers']" in why
    assert _status(credits_report, "error", "AmountZero") == ("mismatched", "index 7 vs chain 4")
    assert _status(credits_report, "error", "NotAnError")[0] == "mismatched"
    status, why = _status(credits_report, "event", "CreditsClaimed")
    assert status == "mismatched" and "fields" in why
    status, why = _status(credits_report, "event", "CreditsGrantedFromBurn")
    assert status == "mismatched" and "credits_granted: simulator u64 vs chain u128" in why
    assert _status(credits_report, "storage", "AssetStakeTiers") == ("mismatched", "0 key(s) vs chain 1")
    assert _status(credits_report, "storage", "Typo")[0] == "mismatched"


def test_checker_counts_what_is_not_modelled(credits_report) -> None:
    assert _status(credits_report, "call", "set_stake_tiers")[0] == "missing"
    assert _status(credits_report, "error", "InsufficientTntBalance")[0] == "missing"
    assert _status(credits_report, "storage", "StoredStakeTiers")[0] == "missing"
    assert credits_report.count("call", "missing") == 1


def test_checker_flags_a_wrong_pallet_index(metadata: RuntimeMetadata) -> None:
    class Misplaced(Credits):
        index = 60

    report = check_conformance(Runtime(extra_pallets=[Misplaced]), metadata).pallets["Credits"]
    assert _status(report, "pallet", "Credits") == ("mismatched", "index 60 in the simulator, 59 on chain")


# ---------------------------------------------------------------- type compatibility


def _arg_type(metadata: RuntimeMetadata, pallet: str, call_name: str, arg: str) -> int:
    return next(a.type_id for a in metadata.pallet(pallet).calls[call_name].args if a.name == arg)


def test_typecheck_scalars_and_accounts(metadata: RuntimeMetadata) -> None:
    value = _arg_type(metadata, "Balances", "transfer_keep_alive", "value")
    dest = _arg_type(metadata, "Balances", "transfer_keep_alive", "dest")
    assert check_type(UIntCodec(128, compact=True), metadata, value).ok
    assert "compact vs not compact" in check_type(UIntCodec(128), metadata, value).problems[0]
    assert not check_type(UIntCodec(64, compact=True), metadata, value).ok
    assert check_type(AccountIdCodec(multi=True), metadata, dest).ok
    assert "MultiAddress vs AccountId32" in check_type(AccountIdCodec(), metadata, dest).problems[0]


def test_typecheck_enums_and_structs(metadata: RuntimeMetadata) -> None:
    asset = _arg_type(metadata, "MultiAssetDelegation", "deposit", "asset")
    assert check_type(Asset.__codec__, metadata, asset).ok

    class BogusAsset(ScaleEnum):
        Custom: U128
        Erc721: H160

    problems = check_type(BogusAsset.__codec__, metadata, asset).problems
    assert len(problems) == 1 and "variant 'Erc721' not on chain" in problems[0]

    operators = metadata.pallet("MultiAssetDelegation").storage["Operators"].value_type_id
    assert check_type(OperatorMetadata.__codec__, metadata, operators).ok

    @struct
    class Renamed:
        stake: U128
        delegations_count: U64

    problems = check_type(Renamed.__codec__, metadata, operators).problems
    assert "fields not on chain ['delegations_count']" in problems[0]


# ---------------------------------------------------------------- the simulator itself


@pytest.fixture(scope="module")
def report(metadata: RuntimeMetadata):
    return check_conformance(Runtime.dev(), metadata)


def test_report_covers_every_modelled_pallet(report) -> None:
    rt = Runtime.dev()
    assert set(report.pallets) == set(rt.pallets) | {"Treasury"}  # Treasury: its events only (not composed)
    for name, calls in rt.supported_calls().items():
        found = {f.name for f in report.pallets[name].findings if f.kind == "call" and f.status != "missing"}
        assert found == set(calls), name
    for name, extension_calls in rt.supported_calls("extension").items():
        assert {f.name for f in report.pallets[name].extensions if f.kind == "call"} == set(extension_calls)


def test_cli_prints_the_table_and_exits_nonzero_on_mismatch(metadata: RuntimeMetadata, report) -> None:
    result = CliRunner().invoke(app, ["conformance", "--metadata", metadata.source], terminal_width=200)
    assert result.exit_code == (0 if report.ok else 1), result.output
    for name in report.pallets:
        assert name in result.output
    assert ("conformant: no mismatch" in result.output) == report.ok
    for finding in report.mismatches:
        assert finding.name in result.output


def test_cli_without_metadata_file_exits_2(tmp_path) -> None:
    result = CliRunner().invoke(app, ["conformance", "--metadata", str(tmp_path / "none.scale")])
    assert result.exit_code == 2
    assert "no such metadata file" in " ".join(result.output.split())  # rich may wrap a long path


def test_simulator_conforms(report) -> None:
    """No mismatch with the real metadata: a name or type that drifts from the chain fails here."""
    assert report.ok, f"{len(report.mismatches)} mismatch(es): " + " | ".join(str(m) for m in report.mismatches)


def test_a_drifted_error_name_fails_conformance(metadata: RuntimeMetadata, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: rename one real error of a modelled pallet and the report is not ok."""
    from pallets.sudo import Error

    errors = dict(Error.__errors__)
    errors["RequireSudoo"] = errors.pop("RequireSudo")
    monkeypatch.setattr(Error, "__errors__", errors)
    drifted = check_conformance(Runtime(), metadata)
    assert not drifted.ok
    assert any(m.name in ("RequireSudoo", "RequireSudo") for m in drifted.mismatches), drifted.mismatches


def test_constants_are_compared_by_their_declared_chain_type(report) -> None:
    """Every constant of the testnet's metadata that the simulator models is declared with the
    chain's type (the type that bounds a genesis override); simulator-only parameters are listed
    as extensions, and a default chosen apart from the testnet's value says so."""
    mad = {f.name: f for f in report.pallets["MultiAssetDelegation"].findings if f.kind == "constant"}
    assert mad["LeaveOperatorsDelay"].status == "implemented" and mad["LeaveOperatorsDelay"].detail == "u32"
    assert mad["MinOperatorBondAmount"].detail == "u128"
    assert mad["SlashRecipient"].status == "missing"
    rewards = {f.name: f for f in report.pallets["Rewards"].findings if f.kind == "constant"}
    assert rewards["EraRewardBudget"].status == "extension"
    democracy = {f.name: f for f in report.pallets["Democracy"].findings if f.kind == "constant"}
    assert "default 100800 here, 604800 on testnet" in democracy["VotingPeriod"].detail


def test_a_constant_declared_with_another_width_fails_conformance(metadata: RuntimeMetadata) -> None:
    """A constant declared u64 where the chain's is u32 would let a genesis override the real
    runtime cannot hold: the report says so."""
    import dataclasses

    from pallets.multi_asset_delegation.constants import MultiAssetDelegationConstants
    from runtime.primitives import U64

    @dataclasses.dataclass(frozen=True)
    class Drifted(MultiAssetDelegationConstants):
        LeaveOperatorsDelay: U64 = 10

    rt = Runtime()
    rt.pallets["MultiAssetDelegation"].consts = Drifted()
    drifted = check_conformance(rt, metadata)
    assert [(m.name, m.detail) for m in drifted.mismatches] == [("LeaveOperatorsDelay", "declared u64, chain u32")]


def test_events_deposited_for_an_uncomposed_pallet_are_checked(metadata: RuntimeMetadata, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Treasury is not composed (no calls modelled), but Staking and Democracy deposit its
    ``Deposit`` event: it reaches ``System.Events`` like any other, so it is checked like any other,
    and a wrong field would be a mismatch."""
    import pallets.treasury as treasury

    report = check_conformance(Runtime(), metadata).pallets["Treasury"]
    assert _status(report, "event", "Deposit")[0] == "implemented"
    assert _status(report, "event", "Spending")[0] == "missing"

    class Wrong(EventSet, pallet="Treasury"):
        Deposit = (4, {"amount": Balance})

    monkeypatch.setattr(treasury, "Event", Wrong)
    status, why = _status(check_conformance(Runtime(), metadata).pallets["Treasury"], "event", "Deposit")
    assert status == "mismatched" and "value" in why
