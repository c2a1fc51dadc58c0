"""pallet_staking's stored and call types, with the real type and field names (stable2407)."""

from __future__ import annotations

from typing import Annotated

from typing import Any

from runtime.codec import Codec, ParamError, PerThingCodec, ScaleEnum, struct
from runtime.primitives import U32, U64, U128, AccountId, Bool, CompactU32, CompactU128, Perbill, Percent

CompactPerbill = Annotated[int, PerThingCodec("Perbill", 10**9, compact=True)]


class RewardDestination(ScaleEnum):
    """Where era rewards go. ``Controller`` is deprecated (controller == stash on Tangle)."""

    __scale_name__ = "RewardDestination"
    Staked: None
    Stash: None
    Controller: None
    Account: AccountId
    # ``None`` is a unit variant on chain; declared below because ``None:`` cannot be an annotation name here.


# The chain's ``RewardDestination::None`` variant (a Python keyword-like name): added by hand.
RewardDestination.__variants__["None"] = None
RewardDestination.__order__["None"] = 4
_NONE_DEST = RewardDestination("None", None)
RewardDestination.__units__["None"] = _NONE_DEST
RewardDestination.NoReward = _NONE_DEST  # type: ignore[attr-defined]


class Forcing(ScaleEnum):
    NotForcing: None
    ForceNew: None
    ForceNone: None
    ForceAlways: None


@struct
class ValidatorPrefs:
    commission: CompactPerbill
    blocked: Bool = False


DEFAULT_PREFS = ValidatorPrefs(0, False)


@struct
class UnlockChunk:
    value: CompactU128
    era: CompactU32


@struct
class StakingLedger:
    """A stash's bonded funds. Controllers are deprecated: the ledger is keyed by the stash."""

    stash: AccountId
    total: CompactU128
    active: CompactU128
    unlocking: tuple[UnlockChunk, ...] = ()
    legacy_claimed_rewards: tuple[U32, ...] = ()


@struct
class Nominations:
    targets: tuple[AccountId, ...]
    submitted_in: U32
    suppressed: Bool = False


@struct
class ActiveEraInfo:
    index: U32
    start: U64 | None = None


class IndividualExposureCodec(Codec):
    """``IndividualExposure{who, value}``, stored as a plain ``(who, value)`` tuple: an era stores one
    per (validator, nominator) edge, hundreds of thousands of them, and tuples of atomic values are
    several times cheaper to build (and to keep, for the garbage collector) than dataclasses."""

    type_name = "IndividualExposure"

    def decode(self, value: Any, path: str) -> tuple[str, int]:
        from runtime.accounts import normalize_account

        if not isinstance(value, dict) or set(value) != {"who", "value"}:
            raise ParamError(path, "expected {'who': account, 'value': balance}")
        try:
            who = normalize_account(value["who"])
        except ValueError as exc:
            raise ParamError(f"{path}.who", str(exc)) from None
        amount = value["value"]
        if type(amount) is not int or not 0 <= amount < 1 << 128:
            raise ParamError(f"{path}.value", "expected a u128 balance")
        return (who, amount)

    def encode(self, value: tuple[str, int]) -> dict[str, Any]:
        return {"who": value[0], "value": value[1]}


IndividualExposure = Annotated[tuple, IndividualExposureCodec()]


@struct
class Exposure:
    total: CompactU128
    own: CompactU128
    others: tuple[IndividualExposure, ...] = ()


@struct
class PagedExposureMetadata:
    total: CompactU128
    own: CompactU128
    nominator_count: U32
    page_count: U32


@struct
class ExposurePage:
    page_total: CompactU128
    others: tuple[IndividualExposure, ...]


@struct
class EraRewardPoints:
    """``individual`` is a BTreeMap on chain: here a tuple of (stash, points) sorted by AccountId."""

    total: U32
    individual: tuple[tuple[AccountId, U32], ...] = ()

    def points_of(self, who: str) -> int:
        for stash, points in self.individual:
            if stash == who:
                return points
        return 0


@struct(name="UnappliedSlash")
class StakingUnappliedSlash:
    """pallet_staking's ``UnappliedSlash`` (not the services pallet's type of the same name)."""

    validator: AccountId
    own: U128
    others: tuple[tuple[AccountId, U128], ...]
    reporters: tuple[AccountId, ...]
    payout: U128


class ConfigOpU128(ScaleEnum):
    __scale_name__ = "ConfigOp<u128>"
    Noop: None
    Set: U128
    Remove: None


class ConfigOpU32(ScaleEnum):
    __scale_name__ = "ConfigOp<u32>"
    Noop: None
    Set: U32
    Remove: None


class ConfigOpPercent(ScaleEnum):
    __scale_name__ = "ConfigOp<Percent>"
    Noop: None
    Set: Percent
    Remove: None


class ConfigOpPerbill(ScaleEnum):
    __scale_name__ = "ConfigOp<Perbill>"
    Noop: None
    Set: Perbill
    Remove: None
