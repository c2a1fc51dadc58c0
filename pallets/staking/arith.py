"""Perbill / Percent arithmetic the way ``sp_arithmetic`` rounds it (integers only)."""

from __future__ import annotations

from runtime.primitives import PERBILL, perbill_from_rational

__all__ = ["PERBILL", "perbill_from_rational", "perbill_mul", "perbill_mul_floor", "percent_mul"]


def perbill_mul(parts: int, amount: int) -> int:
    """``Perbill * amount`` (``Mul`` impl: round to nearest, ties down)."""
    q, r = divmod(amount * parts, PERBILL)
    return q + 1 if 2 * r > PERBILL else q


def perbill_mul_floor(parts: int, amount: int) -> int:
    return amount * parts // PERBILL


def percent_mul(parts: int, amount: int) -> int:
    """``Percent * amount`` (round to nearest, ties down)."""
    q, r = divmod(amount * parts, 100)
    return q + 1 if 2 * r > 100 else q
