"""pallet_staking (index 17) as configured on the Tangle testnet (polkadot-sdk stable2407).

Bonding with a ``staking `` lock, validator/nominator intentions, eras of ``SessionsPerEra``
sessions with a deterministic election (:mod:`.election`), era rewards paid by
``payout_stakers`` (:mod:`.rewards`), deferred slashes (:mod:`.slashing`), and the
``SessionManager`` (:mod:`.eras`) and ``StakingInterface`` (:mod:`.interface`) sides.
Controllers are deprecated: the controller of every ledger is its stash.
"""

from __future__ import annotations

from typing import Any

from runtime.errors import DispatchError
from runtime.genesis import GenesisConfig
from runtime.origin import Origin
from runtime.pallet import Pallet

from pallets.staking.calls import Calls
from pallets.staking.constants import StakingConstants
from pallets.staking.eras import EraManager
from pallets.staking.errors import Error
from pallets.staking.events import Event
from pallets.staking.interface import StakingInterfaceAdapter, StakingReads
from pallets.staking.ledger import LedgerOps
from pallets.staking.recovery import RecoveryCalls
from pallets.staking.rewards import RewardOps
from pallets.staking.slashing import SlashingOps
from pallets.staking.storage import StakingStorage
from pallets.staking.types import DEFAULT_PREFS, RewardDestination

__all__ = ["Staking", "StakingConstants"]


class Staking(Calls, RecoveryCalls, StakingReads, EraManager, RewardOps, SlashingOps, LedgerOps, Pallet):
    name = "Staking"
    index = 17
    Storage = StakingStorage
    Error = Error
    Event = Event
    Constants = StakingConstants

    def __init__(self, ctx, constants=None, *, currency=None, system=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.currency = currency
        self.system = system
        self.listeners: list[Any] = []  # OnStakingUpdate listeners (Lst under the intended profile)
        self.era_payout_config = 0  # GenesisConfig.staking.era_payout (0 = reward curve)
        self.interface = StakingInterfaceAdapter(self)

    def build_genesis(self, config: GenesisConfig) -> None:
        st = config.staking
        s = self.storage
        self.era_payout_config = st.era_payout
        n = len(st.validators)
        s.ValidatorCount.put(st.validator_count if st.validator_count is not None else n)
        s.MinimumValidatorCount.put(st.minimum_validator_count if st.minimum_validator_count is not None else max(n - 1, 0))
        s.Invulnerables.put(tuple(v.stash for v in st.validators))
        s.SlashRewardFraction.put(st.slash_reward_fraction)
        for v in st.validators:
            if self.currency.free_balance(v.stash) < v.bond:
                raise ValueError(f"staking.validators: {v.stash} cannot bond {v.bond}: its genesis balance is lower")
            try:
                self.bond(Origin.signed(v.stash), v.bond, RewardDestination.Staked)
                self.validate(Origin.signed(v.stash), DEFAULT_PREFS)
            except DispatchError as exc:
                raise ValueError(f"staking.validators: {v.stash} cannot bond and validate: {exc}") from None
