"""Operator registration data: ``OperatorPreferences`` (per blueprint) and ``OperatorProfile``
(per operator: the services it runs and the blueprints it is registered on)."""

from __future__ import annotations

from runtime.codec import struct
from runtime.primitives import U64, BoundedText, FixedBytes

MAX_RPC_ADDRESS = 256
ZERO_KEY = bytes(65)


@struct
class OperatorPreferences:
    """``key``: the operator's uncompressed secp256k1 public key (65 bytes, 0x04 || x || y), used to
    verify heartbeats and price quotes; ``rpc_address``: where customers reach the operator."""

    key: FixedBytes(65)
    rpc_address: BoundedText(MAX_RPC_ADDRESS) = ""


@struct
class OperatorProfile:
    """``services``: active service ids (≤ MaxServicesPerOperator); ``blueprints``: registered
    blueprint ids (≤ MaxBlueprintsPerOperator). Created at the first ``register``, never deleted."""

    services: frozenset[U64] = frozenset()
    blueprints: frozenset[U64] = frozenset()


EMPTY_PROFILE = OperatorProfile()
