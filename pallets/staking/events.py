from runtime.events import EventSet
from runtime.primitives import U32, Balance, AccountId, Perbill

from pallets.staking.types import Forcing, RewardDestination, ValidatorPrefs


class Event(EventSet, pallet="Staking"):
    EraPaid = (0, {"era_index": U32, "validator_payout": Balance, "remainder": Balance})
    Rewarded = (1, {"stash": AccountId, "dest": RewardDestination, "amount": Balance})
    Slashed = (2, {"staker": AccountId, "amount": Balance})
    SlashReported = (3, {"validator": AccountId, "fraction": Perbill, "slash_era": U32})
    OldSlashingReportDiscarded = (4, {"session_index": U32})
    StakersElected = (5, {})
    Bonded = (6, {"stash": AccountId, "amount": Balance})
    Unbonded = (7, {"stash": AccountId, "amount": Balance})
    Withdrawn = (8, {"stash": AccountId, "amount": Balance})
    Kicked = (9, {"nominator": AccountId, "stash": AccountId})
    StakingElectionFailed = (10, {})
    Chilled = (11, {"stash": AccountId})
    PayoutStarted = (12, {"era_index": U32, "validator_stash": AccountId})
    ValidatorPrefsSet = (13, {"stash": AccountId, "prefs": ValidatorPrefs})
    SnapshotVotersSizeExceeded = (14, {"size": U32})
    SnapshotTargetsSizeExceeded = (15, {"size": U32})
    ForceEra = (16, {"mode": Forcing})
    ControllerBatchDeprecated = (17, {"failures": U32})
