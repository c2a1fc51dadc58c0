"""pallet_treasury, as far as the modelled pallets reach it: its account and its ``OnUnbalanced``.

The testnet runtime routes Staking's ``Slash`` and ``RewardRemainder`` and Democracy's ``Slash``
to the Treasury (T:lib.rs, spec delegation_lst_rewards.md and governance.md). Spends, bounties and
the burn at each spend period are not modelled: no call of this pallet is dispatchable here.
"""

from pallets.treasury.account import TREASURY_PALLET_ID, treasury_account
from pallets.treasury.events import Event
from pallets.treasury.unbalanced import on_unbalanced

__all__ = ["TREASURY_PALLET_ID", "Event", "on_unbalanced", "treasury_account"]
