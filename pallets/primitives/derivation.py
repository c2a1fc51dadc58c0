"""Account derivation shared by Utility (``as_derivative``) and Multisig (``multi_account_id``)."""

from __future__ import annotations

import hashlib

from runtime.accounts import account_bytes, normalize_account
from runtime.scale import compact

_ENTROPY_PREFIX = b"modlpy/utilisuba"


def derivative_account_id(who: str, index: int) -> str:
    """``blake2_256(b"modlpy/utilisuba" ++ who ++ index as u16 LE)`` (``Pallet::derivative_account_id``)."""
    raw = hashlib.blake2b(_ENTROPY_PREFIX + account_bytes(who) + index.to_bytes(2, "little"), digest_size=32).digest()
    return normalize_account(raw)


def multi_account_id(signatories: tuple[str, ...], threshold: int) -> str:
    """``blake2_256(b"modlpy/utilisuba" ++ SCALE(sorted signatories) ++ threshold as u16 LE)``
    (``pallet_multisig::Pallet::multi_account_id``); ``signatories`` must already be sorted."""
    body = compact(len(signatories)) + b"".join(account_bytes(s) for s in signatories)
    raw = hashlib.blake2b(_ENTROPY_PREFIX + body + threshold.to_bytes(2, "little"), digest_size=32).digest()
    return normalize_account(raw)
