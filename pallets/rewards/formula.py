"""The vault reward formula, ``calculate_deposit_rewards_with_lock_multiplier`` (spec §3.5), as a
pure function of integers so it can be checked against the chain's golden values.

For every block since the user's last claim a vault pays ``apy × min(1, D/deposit_cap) × I / ApyBlocks``
(``I`` = TNT total issuance, ``D`` = the vault's total delegated deposit), split by score:
``from_rational(user_score, S).mul_floor(per_block) × blocks`` per score entry, ``S`` being the
vault's total score. Perbill arithmetic rounds down throughout, as on chain.

Real (quirk ``rewards.score_uses_total_deposit``): the user's base score is the *whole* deposit
``U`` and each lock adds ``a·m`` on top while running (``a`` after it expired), so a locked token
earns ``1 + m`` units. Intended: the base is the user's *delegated* amount and a running lock adds
``a·(m − 1)``, so a locked delegated token earns ``m`` units, the same weight the vault score gives it.
"""

from __future__ import annotations

from typing import Iterable

from pallets.rewards.errors import Error

PERBILL = 10**9
U32_MAX = 2**32 - 1


def from_rational(p: int, q: int) -> int:
    """``Perbill::from_rational`` rounded down, saturating at 100% (and 100% for ``q == 0``)."""
    return PERBILL if q == 0 or p >= q else p * PERBILL // q


def mul_floor(parts: int, x: int) -> int:
    return x * parts // PERBILL


def proportional_apy(total_deposit: int, deposit_cap: int, apy: int) -> int:
    """``apy × from_rational(D, cap)``; ``CannotCalculatePropotionalApy`` for a zero cap."""
    if deposit_cap == 0:
        raise Error.CannotCalculatePropotionalApy()
    return apy * from_rational(total_deposit, deposit_cap) // PERBILL


def decay_percent(now: int, last_claim_block: int, decay_start: int, decay_rate: int) -> int:
    """100 until ``decay_start`` blocks since the last claim, then ``max(100 − rate_parts, 90)``:
    the rate is in parts per billion, so any rate >= 10 ppb means a 90% cliff (as on chain)."""
    if now - last_claim_block <= decay_start:
        return 100
    return max(100 - decay_rate if decay_rate < 100 else 0, 90)


def reward_per_block(annual: int, apy_blocks: int) -> int:
    if apy_blocks == 0:
        raise Error.CannotCalculateRewardPerBlock()
    return annual // min(apy_blocks, U32_MAX)


def vault_reward(
    *,
    total_deposit: int,
    total_score: int,
    user_amount: int,
    locks: Iterable[tuple[int, int, int]],
    apy: int,
    deposit_cap: int,
    incentive_cap: int,
    boost: bool,
    last_claim_block: int | None,
    now: int,
    issuance: int,
    apy_blocks: int,
    decay_start: int = 0,
    decay_rate: int = 0,
    locks_on_top: bool = True,
) -> int:
    """The reward a claim pays now. ``locks`` are ``(amount, multiplier, expiry_block)``;
    ``user_amount`` is the whole deposit (real) or the delegated amount (intended, ``locks_on_top=False``)."""
    if incentive_cap > total_deposit:
        raise Error.TotalDepositLessThanIncentiveCap()
    eff_apy = proportional_apy(total_deposit, deposit_cap, apy)
    annual = mul_floor(eff_apy, issuance)
    pct = decay_percent(now, last_claim_block or 0, decay_start, decay_rate)
    annual = mul_floor(pct * 10**7, annual)
    per_block = reward_per_block(annual, apy_blocks)
    lcb = last_claim_block if last_claim_block is not None else now
    n = now - lcb if now > lcb else 0
    entries = [(user_amount, n)]
    if boost:
        for a, m, e in locks:
            running = a * m if locks_on_top else a * (m - 1)
            after = a if locks_on_top else 0
            if e > lcb:
                if e > now:
                    entries.append((running, n))
                else:
                    entries.append((running, e - lcb))
                    entries.append((after, max(n - (e - lcb), 0)))
            else:
                entries.append((after, n))
    if sum(s for s, _ in entries) == 0:
        raise Error.NoRewardsAvailable()
    return sum(mul_floor(from_rational(s, total_score), per_block) * b for s, b in entries)
