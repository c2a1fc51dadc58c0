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
