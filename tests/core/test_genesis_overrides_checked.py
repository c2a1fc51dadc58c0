"""Constant and extension overrides are checked when the genesis config is made (new-user finding):
a negative ``LeaveOperatorsDelay`` stored ``{'Leaving': -3}`` in a u32 field and let an operator leave in
the block it asked to; a string crashed the run later; an unknown or misspelled extension ran with the
default. Each is now refused with the field named, and nothing is built."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from runtime import GenesisConfig, Runtime
from runtime.codec import ParamError
from runtime.genesis import UpgradeConfig


@pytest.mark.parametrize(("constants", "field", "says"), [
    ({"MultiAssetDelegation": {"LeaveOperatorsDelay": -3}}, "constants.MultiAssetDelegation.LeaveOperatorsDelay", "a u32 constant is an integer from 0 to 4,294,967,295, got -3"),
    ({"MultiAssetDelegation": {"LeaveOperatorsDelay": "3"}}, "constants.MultiAssetDelegation.LeaveOperatorsDelay", "expected an unsigned integer, got str"),
    ({"MultiAssetDelegation": {"LeaveOperatorsDelay": 2**128}}, "constants.MultiAssetDelegation.LeaveOperatorsDelay", "from 0 to 4,294,967,295"),
    # each constant's own chain type bounds it (the real metadata's: u32 delay, u8, Percent, u128)
    ({"MultiAssetDelegation": {"LeaveOperatorsDelay": 2**32}}, "constants.MultiAssetDelegation.LeaveOperatorsDelay", "a u32 constant is an integer from 0 to 4,294,967,295, got 4294967296"),
    ({"Lst": {"MaxPointsToBalance": 256}}, "constants.Lst.MaxPointsToBalance", "a u8 constant is an integer from 0 to 255, got 256"),
    ({"Services": {"MinimumNativeSecurityRequirement": 101}}, "constants.Services.MinimumNativeSecurityRequirement", "a Percent constant is an integer from 0 to 100 parts (= 100 %), got 101"),
    ({"Rewards": {"OperatorCommission": 10**9 + 1}}, "constants.Rewards.OperatorCommission", "a Perbill constant is an integer from 0 to 1,000,000,000 parts"),
    ({"Balances": {"ExistentialDeposit": 2**128}}, "constants.Balances.ExistentialDeposit", "a u128 constant is an integer from 0 to"),
    ({"MultiAssetDelegation": {"LeaveOperatorsDelay": True}}, "constants.MultiAssetDelegation.LeaveOperatorsDelay", "expected an unsigned integer, got"),
    ({"Democracy": {"InstantAllowed": 1}}, "constants.Democracy.InstantAllowed", "expected true or false"),
    ({"MultiAssetDelegation": {"PalletId": "PotStake"}}, "constants.MultiAssetDelegation.PalletId", "expected bytes"),
    ({"MultiAssetDelegation": {"NoSuch": 1}}, "constants.MultiAssetDelegation", "unknown constant(s) ['NoSuch']"),
])
def test_a_bad_constant_is_refused_naming_it(constants: dict, field: str, says: str) -> None:
    with pytest.raises(ValidationError) as info:
        GenesisConfig.dev(constants=constants)
    text = str(info.value)
    assert f"{field}: " in text and says in text


def test_each_constant_accepts_its_types_whole_range() -> None:
    top = {"MultiAssetDelegation": {"LeaveOperatorsDelay": 2**32 - 1}, "Lst": {"MaxPointsToBalance": 255},
           "Services": {"MinimumNativeSecurityRequirement": 100}, "Balances": {"ExistentialDeposit": 2**128 - 1}}
    assert GenesisConfig.dev(constants=top).constants == top


def test_every_standard_integer_constant_declares_its_chain_type() -> None:
    """A constant annotated plain ``int`` would fall back to "below 2^128": every standard pallet
    declares U8..U128, Percent or Perbill (conformance compares them with the metadata)."""
    import dataclasses

    from runtime.construct import standard_constants
    from runtime.pallet import constant_codecs

    for pallet, consts in standard_constants().items():
        codecs = constant_codecs(type(consts))
        for f in dataclasses.fields(consts):
            if type(getattr(consts, f.name)) is int:
                assert f.name in codecs, f"{pallet}.{f.name} has no declared chain type"


def test_a_section_that_is_not_a_mapping_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match=r"constants\.MultiAssetDelegation\n.*valid dictionary"):
        GenesisConfig.dev(constants={"MultiAssetDelegation": [1, 2]})


@pytest.mark.parametrize(("extensions", "field", "says"), [
    ({"nosuch_ext": True}, "extensions.nosuch_ext", "unknown extension"),
    ({"request_expiry_block": 5}, "extensions.request_expiry_block", "unknown extension"),
    ({"request_expiry_blocks": -5}, "extensions.request_expiry_blocks", "greater than or equal to 1"),
    ({"request_expiry_blocks": "5"}, "extensions.request_expiry_blocks", "valid integer"),
    ({"mad_slashing": "yes"}, "extensions.mad_slashing", "valid boolean"),
    ({"mad_slashing": 1}, "extensions.mad_slashing", "valid boolean"),
])
def test_a_bad_extension_is_refused_naming_it(extensions: dict, field: str, says: str) -> None:
    with pytest.raises(ValidationError) as info:
        GenesisConfig.dev(extensions=extensions)
    assert f"{field}: " in str(info.value) and says in str(info.value)


def test_good_overrides_apply_and_a_custom_pallet_name_is_checked_when_the_runtime_is_built() -> None:
    rt = Runtime(GenesisConfig.dev(extensions={"request_expiry_blocks": 5, "mad_slashing": False},
                                   constants={"MultiAssetDelegation": {"LeaveOperatorsDelay": 3}}))
    assert rt.ctx.extensions.request_expiry_blocks == 5 and rt.ctx.extensions.mad_slashing is False
    assert rt.pallets["MultiAssetDelegation"].consts.LeaveOperatorsDelay == 3
    genesis = GenesisConfig.dev(constants={"NoPallet": {"X": 1}})  # may be a custom runtime's pallet
    with pytest.raises(ParamError, match=r"constants\.NoPallet: no pallet with constants"):
        Runtime(genesis)


def test_an_upgrades_constants_are_checked_too() -> None:
    up = UpgradeConfig(at_block=5, spec_version=1404, constants={"MultiAssetDelegation": {"LeaveOperatorsDelay": -1}})
    with pytest.raises(ValueError, match=r"upgrades\.constants\.MultiAssetDelegation\.LeaveOperatorsDelay: .*got -1"):
        Runtime(GenesisConfig.dev(upgrades=[up]))


def test_a_negative_delay_can_no_longer_let_an_operator_leave_at_once() -> None:
    """The reported consequence, checked on the accepted boundary: the smallest delay (0) still
    makes the operator wait for the next round boundary's check, never a negative round."""
    rt = Runtime(GenesisConfig.dev(constants={"MultiAssetDelegation": {"LeaveOperatorsDelay": 0}}))
    rt.dispatch("Bob", "MultiAssetDelegation", "join_operators", {"bond_amount": 10**18})
    rt.dispatch("Bob", "MultiAssetDelegation", "schedule_leave_operators", {})
    status = rt.pallets["MultiAssetDelegation"].storage.Operators.get(rt.account("Bob")).status
    assert status.name == "Leaving" and status.value >= 0
