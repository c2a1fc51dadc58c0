"""Amounts for people: base units rendered with the asset's decimals and symbol.

Balances stay integers in state; these strings are for timelines and reports only, exact (trailing
zeros trimmed: ``25 TNT``, ``8.333333333333333333 TNT``; never rounded). TNT has 18
decimals; a pallet_assets asset uses its on-chain ``Metadata`` (decimals, symbol); an asset without
metadata is shown in base units with its id, so nothing is ever silently rescaled.
"""

from __future__ import annotations

from typing import Any

TNT_DECIMALS = 18


def _asset_id(asset: Any) -> int | None:
    """0 for TNT, the id of a Custom asset, None for anything else (ERC-20)."""
    if isinstance(asset, int):
        return asset
    if getattr(asset, "name", None) == "Custom":
        return int(asset.value)
    if isinstance(asset, dict) and "Custom" in asset:
        return int(asset["Custom"])
    return None


def asset_unit(rt: Any, asset: Any) -> tuple[int, str] | None:
    """(decimals, symbol) of ``asset`` (TNT, a Custom id, an ``Asset``), or None when unknown."""
    aid = _asset_id(asset)
    if aid == 0:
        return TNT_DECIMALS, "TNT"
    if aid is None or rt is None:
        return None
    meta = rt.pallets["Assets"].storage.Metadata.get(aid)
    if meta is None or not meta.symbol:
        return None
    symbol = meta.symbol.decode(errors="replace") if isinstance(meta.symbol, (bytes, bytearray)) else str(meta.symbol)
    return int(meta.decimals), symbol


def format_units(amount: int, decimals: int, symbol: str) -> str:
    """``1,000 USDC``, ``8.333333333333333333 TNT``, ``0.000001 USDC``: the exact amount, with
    thousands separators and trailing zeros trimmed, nothing rounded. One rule for every amount a
    timeline or summary prints: a fixed two decimals (``25.00 TNT``) beside an exact tail
    (``8.333333333333333333 TNT``) read as two precisions."""
    sign = "-" if amount < 0 else ""
    whole, frac = divmod(abs(amount), 10**decimals)
    digits = str(frac).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{sign}{whole:,}{'.' + digits if digits else ''}{' ' + symbol if symbol else ''}"


def format_amount(rt: Any, asset: Any, amount: int) -> str:
    """``amount`` (base units) of ``asset`` for people; unknown assets as ``N base units of asset X``."""
    unit = asset_unit(rt, asset)
    if unit is None:
        aid = _asset_id(asset)
        what = f"asset {aid}" if aid is not None else f"asset {asset!r}"
        return f"{amount:,} base units of {what}"
    return format_units(amount, *unit)


def tnt(amount: int) -> str:
    return format_units(amount, TNT_DECIMALS, "TNT")


__all__ = ["asset_unit", "format_amount", "format_units", "tnt"]
