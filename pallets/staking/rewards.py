"""Era rewards: how much an era pays (``EraPayout``) and how ``payout_stakers`` splits it.

Era payout. With ``GenesisConfig.staking.era_payout > 0`` every era pays exactly that to its
validators and nominators (no remainder). Otherwise the testnet reward curve applies
(``pallet_staking::ConvertCurve``: min inflation 1.5%, max 2.5%, ideal stake 80%, falloff 5%):

* ``x = staked / issuance``; ``I(x) = min + (max - min) * x / ideal`` up to the ideal stake,
  ``I(x) = min + (max - min) * 2^(-(x - ideal) / falloff)`` above it;
* ``portion = era_duration / year`` (Perbill, year = 365.25 days);
* ``validator_payout = portion * I(x) * issuance``; ``remainder = portion * max * issuance - validator_payout``,
  issued to the Treasury (``RewardRemainder = Treasury``: ``Balances.Deposit`` and ``Treasury.Deposit``).

Simplification: the chain evaluates I(x) with a 40-piece linear approximation built at compile
time; here ``2^-t`` is the chord between consecutive powers of two (exact at integer ``t``,
at most ~3% high in between, on the part of I above ``min``).

Split (``do_payout_stakers_by_page``): the validator's share of the era payout is its share of
the era's reward points; the validator takes its commission first, then the rest is shared pro
rata to exposure (own stake to the validator, each nominator's exposure to the nominator).
Rewards are deposited (``Currency::deposit_into_existing`` / ``deposit_creating``: ``Balances.Deposit``;
``Reward = ()``, so the issuance rises by them) to the payee's destination.
"""

from __future__ import annotations

from typing import Any


from pallets.staking.arith import PERBILL, perbill_from_rational, perbill_mul, percent_mul
from pallets.staking.errors import Error
from pallets.staking.events import Event
from pallets.staking.types import Exposure, RewardDestination
from pallets.treasury import on_unbalanced

MILLISECONDS_PER_YEAR = 1000 * 3600 * 24 * 36525 // 100


def inflation_parts(stake_parts: int, min_inflation: int, max_inflation: int, ideal: int, falloff: int) -> int:
    """I(x) in Perbill parts for a staked fraction ``stake_parts`` (Perbill parts)."""
    if stake_parts <= ideal:
        return min_inflation + (max_inflation - min_inflation) * stake_parts // ideal if ideal else max_inflation
    t_scaled = (stake_parts - ideal) * PERBILL // falloff  # t in Perbill units
    halvings, frac = divmod(t_scaled, PERBILL)
    if halvings >= 64:
        return min_inflation
    above = (max_inflation - min_inflation) * (2 * PERBILL - frac) // (2 * PERBILL)
    return min_inflation + (above >> halvings)


def era_payout(consts: Any, staked: int, issuance: int, era_duration_ms: int) -> tuple[int, int]:
    """``(validator_payout, remainder)`` of the reward curve for one era."""
    portion = perbill_from_rational(era_duration_ms, MILLISECONDS_PER_YEAR)
    stake = perbill_from_rational(staked, issuance) if issuance else 0
    rate = inflation_parts(stake, consts.MinInflation, consts.MaxInflation, consts.IdealStake, consts.Falloff)
    payout = perbill_mul(portion, issuance * rate // PERBILL)
    maximum = perbill_mul(portion, issuance * consts.MaxInflation // PERBILL)
    return payout, max(maximum - payout, 0)


class RewardOps:
    """Mixin of the Staking pallet: ``end_era`` accounting and ``payout_stakers``."""

    storage: Any
    consts: Any
    currency: Any
    ctx: Any

    def _pay_era(self, era: int, era_duration_ms: int) -> None:
        s = self.storage
        fixed = self.era_payout_config  # type: ignore[attr-defined]
        if fixed:
            validator_payout, remainder = fixed, 0
        else:
            validator_payout, remainder = era_payout(self.consts, s.ErasTotalStake.get(era), self.currency.total_issuance(), era_duration_ms)
        total = validator_payout + remainder
        cap = s.MaxStakedRewards.value()
        if cap is not None:
            validator_payout = min(validator_payout, percent_mul(cap, total))
        remainder = total - validator_payout
        self.deposit_event(Event.EraPaid(era, validator_payout, remainder))  # type: ignore[attr-defined]
        s.ErasValidatorReward.insert(era, validator_payout)
        if remainder:
            on_unbalanced(self.currency, self.deposit_event, remainder)  # ``Currency::issue`` then the Treasury  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ exposures
    def page_count(self, era: int, stash: str) -> int:
        overview = self.storage.ErasStakersOverview.get((era, stash))
        if overview is None:
            return 1
        if overview.page_count == 0 and overview.own > 0:
            return 1
        return overview.page_count

    def eras_stakers(self, era: int, stash: str) -> Exposure:
        """The full exposure of a validator in an era (all pages)."""
        s = self.storage
        overview = s.ErasStakersOverview.get((era, stash))
        if overview is None:
            return Exposure(0, 0, ())
        others: tuple[tuple[str, int], ...] = ()
        for page in range(overview.page_count):
            others += s.ErasStakersPaged.get((era, stash, page)).others
        return Exposure(overview.total, overview.own, others)

    def _next_claimable_page(self, era: int, stash: str) -> int | None:
        claimed = self.storage.ClaimedRewards.get((era, stash))
        for page in range(self.page_count(era, stash)):
            if page not in claimed:
                return page
        return None

    # ------------------------------------------------------------------ payout
    def do_payout_stakers(self, validator_stash: str, era: int) -> None:
        s = self.storage
        if validator_stash not in s.Bonded:
            raise Error.NotStash()
        page = self._next_claimable_page(era, validator_stash)
        if page is None:
            raise Error.AlreadyClaimed()
        self.do_payout_stakers_by_page(validator_stash, era, page)

    def do_payout_stakers_by_page(self, validator_stash: str, era: int, page: int) -> None:
        s = self.storage
        current = s.CurrentEra.value()
        if current is None:
            raise Error.InvalidEraToReward()
        history = self.consts.HistoryDepth
        if not (max(current - history, 0) <= era <= current):
            raise Error.InvalidEraToReward()
        if page >= self.page_count(era, validator_stash):
            raise Error.InvalidPage()
        era_reward = s.ErasValidatorReward.get(era)
        if era_reward is None:
            raise Error.InvalidEraToReward()
        ledger = s.Ledger.get(validator_stash)
        if ledger is None:
            raise Error.NotController() if validator_stash in s.Bonded else Error.NotStash()
        keep = tuple(e for e in ledger.legacy_claimed_rewards if e >= max(current - history, 0))
        if keep != ledger.legacy_claimed_rewards:
            import dataclasses

            ledger = dataclasses.replace(ledger, legacy_claimed_rewards=keep)
            self._update_ledger(ledger)  # type: ignore[attr-defined]
        claimed = s.ClaimedRewards.get((era, validator_stash))
        if era in ledger.legacy_claimed_rewards or page in claimed:
            raise Error.AlreadyClaimed()
        s.ClaimedRewards.insert((era, validator_stash), claimed + (page,))

        overview = s.ErasStakersOverview.get((era, validator_stash))
        exposure_page = s.ErasStakersPaged.get((era, validator_stash, page))
        # the validator's own stake belongs to page 0 only (PagedExposure)
        own = overview.own if overview is not None and page == 0 else 0
        total = overview.total if overview is not None else 0
        others = exposure_page.others if exposure_page is not None else ()
        page_total = (exposure_page.page_total if exposure_page is not None else 0) + own

        points = s.ErasRewardPoints.get(era)
        validator_points = points.points_of(validator_stash)
        if validator_points == 0:
            return
        validator_total_payout = perbill_mul(perbill_from_rational(validator_points, points.total), era_reward)
        commission = s.ErasValidatorPrefs.get((era, validator_stash)).commission
        total_commission = perbill_mul(commission, validator_total_payout)
        leftover = validator_total_payout - total_commission
        validator_staking = perbill_mul(perbill_from_rational(own, total), leftover)
        # the commission is paid across pages in proportion to each page's stake
        commission_payout = perbill_mul(perbill_from_rational(page_total, total), total_commission)
        validator_payout = validator_staking + commission_payout
        self.deposit_event(Event.PayoutStarted(era, validator_stash))  # type: ignore[attr-defined]
        self._make_payout_event(validator_stash, validator_payout)
        for who, value in others:
            reward = perbill_mul(perbill_from_rational(value, total), leftover)
            self._make_payout_event(who, reward)

    def _make_payout_event(self, stash: str, amount: int) -> None:
        paid = self.make_payout(stash, amount)
        if paid is not None:
            dest, minted = paid
            self.deposit_event(Event.Rewarded(stash, dest, minted))  # type: ignore[attr-defined]

    def make_payout(self, stash: str, amount: int) -> tuple[RewardDestination, int] | None:
        """Mint ``amount`` to the stash's reward destination; None if nothing was paid."""
        if amount == 0:
            return None
        s = self.storage
        dest = s.Payee.get(stash)
        if dest is None:
            return None
        name = dest.name
        if name in ("Stash", "Controller"):
            if self.currency.total_balance(stash) == 0:
                return None
            minted = self.currency.deposit_creating(stash, amount)
        elif name == "Staked":
            ledger = s.Ledger.get(stash)
            if ledger is None or self.currency.total_balance(stash) == 0:
                return None
            minted = self.currency.deposit_creating(stash, amount)
            if minted:
                import dataclasses

                self._update_ledger(dataclasses.replace(ledger, total=ledger.total + minted, active=ledger.active + minted))  # type: ignore[attr-defined]
        elif name == "Account":
            minted = self.currency.deposit_creating(dest.value, amount)
        else:
            return None
        return dest, minted
