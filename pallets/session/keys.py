"""The testnet runtime's ``opaque::SessionKeys`` and the key type ids pallet_session indexes them by.

Why a module: ``KeyOwner`` is keyed by ``(KeyTypeId, raw key)``, so set_keys/purge_keys walk the
keys field by field in the runtime's declaration order (``impl_opaque_keys!``: babe, grandpa,
im_online on tangle-testnet spec 1403; no authority_discovery).
"""

from __future__ import annotations

from runtime.codec import struct
from runtime.primitives import FixedBytes

Public32 = FixedBytes(32)


@struct(name="SessionKeys")
class SessionKeys:
    babe: Public32  # type: ignore[valid-type]
    grandpa: Public32  # type: ignore[valid-type]
    im_online: Public32  # type: ignore[valid-type]


# (field, KeyTypeId) in declaration order: sp_consensus_babe::KEY_TYPE, sp_consensus_grandpa::KEY_TYPE,
# pallet_im_online's sr25519 app key type.
KEY_IDS: tuple[tuple[str, bytes], ...] = (("babe", b"babe"), ("grandpa", b"gran"), ("im_online", b"imon"))


def raw_keys(keys: SessionKeys) -> list[tuple[bytes, bytes]]:
    """``(KeyTypeId, raw public key)`` pairs, the ``KeyOwner`` keys of a set of session keys."""
    return [(kid, getattr(keys, field)) for field, kid in KEY_IDS]


#: the keys pallet_session queues at genesis for a validator that has none (``T::Keys::default()``)
ZERO_KEYS = SessionKeys(bytes(32), bytes(32), bytes(32))
