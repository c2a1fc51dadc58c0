"""``sp_staking::StakingInterface`` as pallet_staking implements it: what MultiAssetDelegation
(``delegate_nomination``) and Lst (pool bonded accounts) use.

The trait's mutating methods (``bond``, ``unbond``, ``nominate``...) share their names with the
dispatchables, so, as with the Assets pallet's ``fungibles`` adapter, the trait lives on
:class:`StakingInterfaceAdapter` (``staking.interface``). Read-only methods are also on the pallet
itself. Mutations run the same code as the extrinsics, signed by the stash, so they raise the
same errors.
"""

from __future__ import annotations

from typing import Any

from runtime.origin import Origin
from runtime.traits import Stake

from pallets.staking.errors import Error
from pallets.staking.types import RewardDestination


class StakingReads:
    """Mixin of the Staking pallet: the read-only part of the interface."""

    storage: Any
    consts: Any

    def current_era(self) -> int:
        """``CurrentEra`` (the planned era; one session ahead of the active era at era boundaries)."""
        era = self.storage.CurrentEra.value()
        return 0 if era is None else era

    def active_era(self) -> int:
        info = self.storage.ActiveEra.value()
        return 0 if info is None else info.index

    def bonding_duration(self) -> int:
        return self.consts.BondingDuration

    def minimum_nominator_bond(self) -> int:
        return self.storage.MinNominatorBond.value()

    def stake(self, who: str) -> Stake | None:
        ledger = self.storage.Ledger.get(who)
        return None if ledger is None else Stake(ledger.total, ledger.active)

    def active_stake(self, who: str) -> int | None:
        ledger = self.storage.Ledger.get(who)
        return None if ledger is None else ledger.active

    def total_stake(self, who: str) -> int | None:
        ledger = self.storage.Ledger.get(who)
        return None if ledger is None else ledger.total

    def is_validator(self, who: str) -> bool:
        return who in self.storage.Validators

    def is_nominator(self, who: str) -> bool:
        return who in self.storage.Nominators

    def nominations(self, who: str) -> tuple[str, ...] | None:
        n = self.storage.Nominators.get(who)
        return None if n is None else n.targets

    def elected_validators(self) -> list[str]:
        """The validators of the active era, in AccountId order."""
        return list(self.storage.ErasElected.get(self.active_era()))


class StakingInterfaceAdapter:
    """:class:`runtime.traits.StakingInterface` over the Staking pallet."""

    def __init__(self, pallet: Any) -> None:
        self.p = pallet

    # --- reads
    def current_era(self) -> int:
        return self.p.current_era()

    def active_era(self) -> int:
        return self.p.active_era()

    def bonding_duration(self) -> int:
        return self.p.bonding_duration()

    def minimum_nominator_bond(self) -> int:
        return self.p.minimum_nominator_bond()

    def stake(self, who: str) -> Stake | None:
        return self.p.stake(who)

    def active_stake(self, who: str) -> int | None:
        return self.p.active_stake(who)

    def total_stake(self, who: str) -> int | None:
        return self.p.total_stake(who)

    def is_validator(self, who: str) -> bool:
        return self.p.is_validator(who)

    def elected_validators(self) -> list[str]:
        return self.p.elected_validators()

    # --- mutations (StakingInterface::bond etc.)
    def _controller(self, stash: str) -> Origin:
        if stash not in self.p.storage.Bonded:
            raise Error.NotStash()
        return Origin.signed(stash)

    def bond(self, stash: str, value: int, payee: str) -> None:
        """Bond ``value`` with rewards paid to ``payee`` (``RewardDestination::Account``)."""
        self.p.bond(Origin.signed(stash), value, RewardDestination.Account(payee))

    def bond_extra(self, stash: str, extra: int) -> None:
        self.p.bond_extra(Origin.signed(stash), extra)

    def unbond(self, stash: str, value: int) -> None:
        self.p.unbond(self._controller(stash), value)

    def withdraw_unbonded(self, stash: str, num_slashing_spans: int) -> bool:
        """Returns True if the stash was killed (nothing left bonded)."""
        self._controller(stash)
        return self.p.do_withdraw_unbonded(stash, num_slashing_spans)

    def nominate(self, stash: str, targets: list[str]) -> None:
        self.p.nominate(self._controller(stash), tuple(targets))

    def chill(self, stash: str) -> None:
        self.p.chill(self._controller(stash))

    def slash_stake(self, stash: str, value: int) -> int:
        """Slash ``value`` of the stash's bonded stake now (to the Treasury); returns what was taken."""
        return self.p.slash_stake(stash, value)

    def add_listener(self, listener: Any) -> None:
        """Register an ``OnStakingUpdate`` listener (``on_slash``, ``on_withdraw``)."""
        self.p.listeners.append(listener)
