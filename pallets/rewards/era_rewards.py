"""Per-era rewards to operators and their delegators (simulator extension ``service_rewards``).

The real runtime has no such payout (spec §3.6: operators claim recorded service payments, delegators
earn vault APY). Under the intended profile, at each staking era start:

1. every *Active* operator's weight is its TNT self-stake plus the TNT (``Custom(0)``) delegated to
   it, regular and natively restaked; other assets earn through reward vaults instead, since
   amounts of different assets cannot be added up without prices;
2. the era budget ``EraRewardBudget`` is split between operators by weight (rounded down);
3. of an operator's share, ``OperatorCommission`` goes to the operator; the rest is split by weight
   among its delegators (rounded down) and the operator's self-stake; the operator also receives
   the rounding dust, so the commission plus the delegators' shares add up exactly to what was
   issued for that operator;
4. the sum is minted (``Currency.mint_into``, issuance rises) into the era-rewards account
   (``PalletId`` sub-account ``b"era"``) and credited to ``PendingEraRewards``; each account takes
   its credit with ``claim_era_rewards`` (an extension call), so an era change costs one write per
   rewarded account rather than one transfer each.

Events: ``Balances.Minted`` and one ``EraRewardsDistributed{era, operator, total, commission,
to_delegators}`` per rewarded operator (extension event).
"""

from __future__ import annotations

from runtime.accounts import pallet_account
from runtime.errors import DispatchError
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import perbill_of

from pallets.primitives.assets import NATIVE
from pallets.rewards.errors import Error
from pallets.rewards.events import Event


class EraRewards:
    def pallet_account(self) -> str:
        return pallet_account(self.consts.PalletId)

    def era_rewards_account(self) -> str:
        return pallet_account(self.consts.PalletId, b"era")

    def compute_era_rewards(self) -> tuple[dict[str, int], list[tuple[str, int, int, int]]]:
        """(credit per account, [(operator, total, commission, to_delegators)]) for one era, from the
        operators' current TNT stake. Pure: writes nothing."""
        dm = self.delegation_manager
        budget = self.consts.EraRewardBudget
        stakes = dm.active_operator_stakes(NATIVE) if dm is not None else []
        weights = [stake + sum(a for _, a in dels) for _, stake, dels in stakes]
        total_weight = sum(weights)
        credits: dict[str, int] = {}
        summary: list[tuple[str, int, int, int]] = []
        if budget == 0 or total_weight == 0:
            return credits, summary
        commission_rate = self.consts.OperatorCommission
        for (operator, _stake, dels), weight in zip(stakes, weights):
            pot = budget * weight // total_weight
            if pot == 0:
                continue
            commission = perbill_of(commission_rate, pot)
            rest = pot - commission
            to_delegators = 0
            for delegator, amount in dels:
                share = rest * amount // weight
                if share:
                    credits[delegator] = credits.get(delegator, 0) + share
                    to_delegators += share
            credits[operator] = credits.get(operator, 0) + pot - to_delegators
            summary.append((operator, pot, commission, to_delegators))
        return credits, summary

    def on_new_era(self, era: int) -> None:
        if not self.ctx.extensions.service_rewards:
            return
        credits, summary = self.compute_era_rewards()
        minted = sum(total for _, total, _, _ in summary)
        if minted == 0:
            return
        account = self.era_rewards_account()
        try:
            self.ctx.transactional(lambda: self.currency.mint_into(account, minted))
        except DispatchError:
            return  # e.g. an era budget below the existential deposit: nothing is issued this era
        pending = self.storage.PendingEraRewards
        for who, amount in credits.items():
            pending.insert(who, pending.get(who, 0) + amount)
        for operator, total, commission, to_delegators in summary:
            self.deposit_event(Event.EraRewardsDistributed(era, operator, total, commission, to_delegators))

    @call(extension=True)
    def claim_era_rewards(self, origin: Origin) -> None:
        """Pay the caller's accumulated per-era rewards (simulator extension)."""
        who = ensure_signed(origin)
        amount = self.storage.PendingEraRewards.take(who)
        if not amount:
            raise Error.NoRewardsToClaim()
        try:
            self.ctx.transactional(lambda: self.currency.transfer(self.era_rewards_account(), who, amount, keep_alive=False))
        except DispatchError:
            raise Error.TransferFailed() from None
        self.deposit_event(Event.EraRewardsClaimed(who, amount))
