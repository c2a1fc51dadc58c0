"""The era split's shares (``split_by_weight``) equal the plain formula ``rest * amount // weight``
element by element, whichever path it takes (distinct amounts divided once each, or one division
per amount)."""

from __future__ import annotations

import random

import pytest

from pallets.rewards.era_rewards import _SAMPLE, EraRewards, split_by_weight

U128 = (1 << 128) - 1


def plain(amounts: tuple[int, ...], rest: int, weight: int) -> tuple[int, ...]:
    return tuple(rest * a // weight for a in amounts)


def cases() -> list[tuple[tuple[int, ...], int, int]]:
    rng = random.Random(18)
    unit = 10**18
    out: list[tuple[tuple[int, ...], int, int]] = [
        ((), 5, 7),
        ((0,) * 40, 10**20, 3),
        ((U128,) * 40 + (1,), U128, U128),  # the largest u128 values: quotients of 256-bit products
        ((1, 2) * 20, 0, 9),  # nothing to split
        ((7,) * 33, 1, 1),
        (tuple(unit * (1 + j % 7) for j in range(100)), 9 * 10**15, 500 * unit),  # the benchmark's shape
        (tuple(range(_SAMPLE - 1)) * 2, 12345, 678),  # shorter than the sample before repeating
        (tuple(range(_SAMPLE)) + (5,) * 50, 10**19, 10**21),  # repeats only after the sample: plain path
        ((5,) * _SAMPLE + tuple(range(1000, 1100)), 10**19, 10**21),  # repeats in the sample, distinct after
    ]
    for _ in range(300):
        n = rng.randrange(0, 200)
        pool = [rng.randrange(0, 1 << rng.choice([8, 64, 96, 128])) for _ in range(rng.choice([1, 3, 16, 200]))]
        amounts = tuple(rng.choice(pool) for _ in range(n))
        weight = max(1, sum(amounts) + rng.randrange(0, 1 << 70))
        rest = rng.randrange(0, 1 << rng.choice([1, 60, 90, 128]))
        out.append((amounts, rest, weight))
    return out


@pytest.mark.parametrize("amounts, rest, weight", cases())
def test_split_equals_the_plain_formula(amounts: tuple[int, ...], rest: int, weight: int) -> None:
    got = split_by_weight(amounts, rest, weight)
    assert type(got) is tuple
    assert got == plain(amounts, rest, weight)


def test_both_paths_are_exercised_and_shares_keep_their_order() -> None:
    repeated = tuple([3, 1, 2] * 20)
    assert len(set(repeated[:_SAMPLE])) * 2 <= _SAMPLE  # the distinct-amount path
    assert split_by_weight(repeated, 100, 7) == tuple([42, 14, 28] * 20)
    distinct = tuple(range(1, 41))
    assert split_by_weight(distinct, 7, 3) == tuple(7 * a // 3 for a in distinct)


def test_split_among_drops_zero_shares_but_counts_the_sum() -> None:
    delegators = tuple(f"d{i}" for i in range(40))
    amounts = tuple([0, 5] * 20)
    credited, split, total = EraRewards._split_among(delegators, amounts, 1000, 100)
    assert credited == delegators[1::2]
    assert split == (50,) * 20
    assert total == 1000


def test_either_path_of_split_by_weight_gives_the_plain_formula() -> None:
    """The caller may pass the sample test's answer (the era split keeps it with the amounts): both
    paths give ``rest * amount // weight``, whichever the amounts would have chosen."""
    import random

    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 80)
        pool = [rng.randrange(1, 10**24) for _ in range(rng.randint(1, 6))]
        amounts = tuple(rng.choice(pool) if rng.random() < 0.5 else rng.randrange(10**24) for _ in range(n))
        rest, weight = rng.randrange(10**20), rng.randrange(1, 10**26)
        want = tuple(rest * a // weight for a in amounts)
        assert split_by_weight(amounts, rest, weight, True) == split_by_weight(amounts, rest, weight, False) == split_by_weight(amounts, rest, weight) == want


def test_reduced_amounts_divides_by_the_common_factor_of_amounts_and_weight() -> None:
    """``reduced_amounts`` divides the amounts and the weight by their greatest common divisor, and
    the shares computed from the reduced integers are the plain formula's (whole-token stakes share
    a factor of 10^18; a slash of 10 % leaves 10^17)."""
    from pallets.rewards.era_rewards import reduced_amounts

    unit = 10**18
    amounts = tuple((100 + (i * 37) % 900) * unit for i in range(100))
    weight = 10_000 * unit + sum(amounts)
    common, g, reduced = reduced_amounts(amounts, weight)
    assert common == unit and g == unit
    assert reduced == tuple(100 + (i * 37) % 900 for i in range(100))
    rest = 4_500_000_000_000_000_123
    assert EraRewards._split_among(tuple(map(str, range(100))), amounts, rest, weight, False, (common, g, reduced)) == EraRewards._split_among(tuple(map(str, range(100))), amounts, rest, weight)
    # the weight alone may share less with the amounts than they share among themselves
    common, g, reduced = reduced_amounts(amounts, weight + 3 * 10**17)
    assert (common, g) == (unit, 10**17) and reduced == tuple(a // 10**17 for a in amounts)
    # nothing in common: the same tuple, no copy
    odd = (3, 5, 7) * 20
    assert reduced_amounts(odd, 1000)[1:] == (1, odd) and reduced_amounts(odd, 1000)[2] is odd


def test_reduced_amounts_reuses_the_known_answer_while_the_factor_holds() -> None:
    """The era split keeps the last answer per bond list: an operator whose weight changed but kept
    the same common factor with its amounts reuses the reduced tuple (the same object); a weight
    with another factor gets a new one."""
    from pallets.rewards.era_rewards import reduced_amounts

    amounts = tuple(10**18 * (1 + i % 5) for i in range(60))
    first = reduced_amounts(amounts, 10**21)
    assert reduced_amounts(amounts, 7 * 10**21, first) is first
    other = reduced_amounts(amounts, 10**21 + 10**15, first)
    assert other[1] == 10**15 and other[2] == tuple(a // 10**15 for a in amounts)
    assert reduced_amounts((), 10**20) == (0, 10**20, ())  # no delegations: every (empty) share is 0


@pytest.mark.parametrize("amounts, rest, weight", cases())
def test_split_among_with_reduced_amounts_equals_the_plain_formula(amounts: tuple[int, ...], rest: int, weight: int) -> None:
    """Scaled by 10^18 (and 10^17, as after a slash) so that most cases share a factor, the split
    through ``reduced_amounts`` gives the plain formula's shares, sum and zero-share filtering."""
    from pallets.rewards.era_rewards import reduced_amounts

    for factor in (1, 10**17, 10**18):
        scaled = tuple(a * factor for a in amounts)
        w = weight * factor + (factor // 2 if factor > 1 and rest % 3 == 0 else 0)  # sometimes a weight with a smaller common factor
        delegators = tuple(f"d{i}" for i in range(len(scaled)))
        want = EraRewards._split_among(delegators, scaled, rest, w, False)
        assert want[1] == tuple(x for x in plain(scaled, rest, w) if x)
        assert EraRewards._split_among(delegators, scaled, rest, w, False, reduced_amounts(scaled, w)) == want
