"""pallet_democracy's types (vote.rs, conviction.rs, types.rs, vote_threshold.rs)."""

from __future__ import annotations

from typing import Annotated, Any

from runtime.codec import Codec, ParamError, ScaleEnum, TupleCodec, UIntCodec, _describe, codec_of, struct
from runtime.primitives import U32, U64, AccountId, Balance, Bool

from pallets.primitives.bounded import Bounded


CONVICTIONS = ("None", "Locked1x", "Locked2x", "Locked3x", "Locked4x", "Locked5x", "Locked6x")


class Conviction(ScaleEnum):
    """How long a vote's balance stays locked (and how much it counts)."""

    __annotations__ = {name: None for name in CONVICTIONS}

    @property
    def level(self) -> int:
        return CONVICTIONS.index(self.name)
LOCK_PERIODS = (0, 1, 2, 4, 8, 16, 32)


def conviction_votes(level: int, capital: int) -> int:
    """``Conviction::votes``: None counts a tenth, LockedNx counts N times."""
    return capital // 10 if level == 0 else capital * level


class VoteCodec(UIntCodec):
    """``Vote``: one byte, bit 7 = aye, low bits = conviction 0..6. Accepts the byte or
    ``{"aye": bool, "conviction": "Locked1x"}``."""

    def __init__(self) -> None:
        super().__init__(8)

    def decode(self, value: Any, path: str) -> int:
        if isinstance(value, dict):
            aye, conviction = value.get("aye"), value.get("conviction", "None")
            if not isinstance(aye, bool) or conviction not in CONVICTIONS:
                raise ParamError(path, f"expected {{'aye': bool, 'conviction': one of {list(CONVICTIONS)}}}, got {_describe(value)}")
            return (0x80 if aye else 0) | CONVICTIONS.index(conviction)
        byte = super().decode(value, path)
        if byte & 0x7F > 6:
            raise ParamError(path, f"conviction {byte & 0x7F} out of range 0..6")
        return byte

    #: every byte ``decode`` accepts (nay/aye x conviction 0..6): generators draw from it
    domain: tuple[int, ...] = tuple(aye | c for aye in (0, 0x80) for c in range(7))


Vote = Annotated[int, VoteCodec()]


def vote_aye(vote: int) -> bool:
    return bool(vote & 0x80)


def vote_conviction(vote: int) -> int:
    return vote & 0x7F


@struct
class StandardVote:
    vote: Vote
    balance: Balance


@struct
class SplitVote:
    aye: Balance
    nay: Balance


class AccountVote(ScaleEnum):
    Standard: StandardVote
    Split: SplitVote


def vote_balance(v: AccountVote) -> int:
    return v.value.balance if v.name == "Standard" else v.value.aye + v.value.nay


class VoteThreshold(ScaleEnum):
    SuperMajorityApprove: None
    SuperMajorityAgainst: None
    SimpleMajority: None


@struct
class Tally:
    ayes: Balance
    nays: Balance
    turnout: Balance


@struct
class Delegations:
    votes: Balance
    capital: Balance


class PriorLockCodec(Codec):
    """``PriorLock(BlockNumber, Balance)``: a tuple struct (unlock block, amount)."""

    type_name = "PriorLock"

    def __init__(self) -> None:
        self._inner = TupleCodec((codec_of(U64), codec_of(Balance)))

    def decode(self, value: Any, path: str) -> tuple[int, int]:
        return self._inner.decode(value, path)

    def encode(self, value: tuple[int, int]) -> Any:
        return self._inner.encode(value)


PriorLock = Annotated[tuple, PriorLockCodec()]


@struct
class Direct:
    votes: tuple[tuple[U32, AccountVote], ...]
    delegations: Delegations
    prior: PriorLock


@struct
class Delegating:
    balance: Balance
    target: AccountId
    conviction: Conviction
    delegations: Delegations
    prior: PriorLock


class Voting(ScaleEnum):
    Direct: Direct
    Delegating: Delegating


NO_DELEGATIONS = Delegations(0, 0)
DEFAULT_VOTING = Voting.Direct(Direct((), NO_DELEGATIONS, (0, 0)))


@struct
class ReferendumStatus:
    end: U64
    proposal: Bounded
    threshold: VoteThreshold
    delay: U64
    tally: Tally


@struct
class Finished:
    approved: Bool
    end: U64


class ReferendumInfo(ScaleEnum):
    Ongoing: ReferendumStatus
    Finished: Finished


class MetadataOwner(ScaleEnum):
    External: None
    Proposal: U32
    Referendum: U32


def isqrt(n: int) -> int:
    import math

    return math.isqrt(n)


def approved(threshold: VoteThreshold, tally: Tally, electorate: int) -> bool:
    """``VoteThreshold::approved``: with s_t = isqrt(turnout), s_E = isqrt(electorate), a turnout of
    zero never passes; SuperMajorityApprove needs nays/s_t < ayes/s_E, SuperMajorityAgainst needs
    nays/s_E < ayes/s_t, SimpleMajority ayes > nays (exact integer comparisons)."""
    s_t, s_e = isqrt(tally.turnout), isqrt(electorate)
    if s_t == 0:
        return False
    if threshold.name == "SuperMajorityApprove":
        return tally.nays * s_e < tally.ayes * s_t
    if threshold.name == "SuperMajorityAgainst":
        return tally.nays * s_t < tally.ayes * s_e
    return tally.ayes > tally.nays
