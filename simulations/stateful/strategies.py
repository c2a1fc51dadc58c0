"""Reusable Hypothesis strategies for call arguments (amounts, accounts, malformed input...)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

UNIT = 10**18
ED = 10**10


def amounts() -> st.SearchStrategy[int]:
    """Balances around the interesting boundaries: zero, dust, the existential deposit, whole
    tokens, more than anyone has, and the u128 maximum."""
    return st.one_of(
        st.sampled_from([0, 1, ED - 1, ED, ED + 1, UNIT, 10**6 * UNIT, 2 * 10**6 * UNIT, (1 << 128) - 1]),
        st.integers(min_value=0, max_value=10**24),
    )


def mostly_true() -> st.SearchStrategy[bool]:
    """True four times out of five: take the path that gets past permission checks, usually."""
    return st.sampled_from([True, True, True, True, False])


def malformed_amounts() -> st.SearchStrategy[Any]:
    """Values a u128 must refuse: negative, overflowing, floats, strings, bools, None."""
    return st.one_of(
        st.integers(max_value=-1),
        st.integers(min_value=1 << 128, max_value=1 << 140),
        st.floats(allow_nan=True),
        st.text(max_size=5),
        st.booleans(),
        st.none(),
    )


def malformed_transfer_params() -> st.SearchStrategy[dict[str, Any]]:
    """Params for Balances.transfer_keep_alive that are wrong in exactly one way."""
    good_dest = st.just("Bob")
    return st.one_of(
        st.fixed_dictionaries({"dest": good_dest, "value": malformed_amounts()}),
        st.fixed_dictionaries({"dest": st.sampled_from(["Nobody", "0x12", "", "5Invalid"]), "value": st.just(1)}),
        st.fixed_dictionaries({"dest": good_dest}),
        st.fixed_dictionaries({"value": st.just(1)}),
        st.fixed_dictionaries({"dest": good_dest, "value": st.just(1), "surplus": st.integers()}),
    )
