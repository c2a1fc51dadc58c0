"""The hashing and ECDSA the services pallet uses for heartbeats and price quotes.

``ecdsa_verify(signature, message, public_key)`` is Substrate's ``sp_io::crypto::ecdsa_verify``:
it blake2-256-hashes ``message`` (here always a 32-byte keccak digest) and checks that the
65-byte signature (r || s || recovery id 0/1) recovers the operator's key. Operator keys are stored
uncompressed (65 bytes, 0x04 || x || y); a key that is not a point on secp256k1 is rejected like
``ecdsa::Public::from_full``. ``sign`` and ``public_key`` let tests and blueprints produce
signatures the way an operator's keystore would.
"""

from __future__ import annotations

import hashlib

from Crypto.Hash import keccak
from eth_keys import keys
from eth_keys.exceptions import BadSignature, ValidationError

_P = 2**256 - 2**32 - 977


def keccak_256(data: bytes) -> bytes:
    h = keccak.new(digest_bits=256)
    h.update(data)
    return h.digest()


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def is_valid_public_key(key: bytes) -> bool:
    """A full secp256k1 public key on the curve (``ecdsa::Public::from_full`` succeeds)."""
    if len(key) == 65:
        if key[0] != 4:
            return False
        key = key[1:]
    if len(key) != 64:
        return False
    x = int.from_bytes(key[:32], "big")
    y = int.from_bytes(key[32:], "big")
    return x < _P and y < _P and (y * y - x * x * x - 7) % _P == 0


def ecdsa_verify(signature: bytes, message: bytes, public_key: bytes) -> bool:
    """Substrate's ``ecdsa_verify``: recover from ``blake2_256(message)`` and compare keys."""
    if len(signature) != 65 or signature[64] > 1:
        return False
    try:
        recovered = keys.Signature(signature).recover_public_key_from_msg_hash(blake2_256(message))
    except (BadSignature, ValidationError, ValueError):
        return False
    body = public_key[1:] if len(public_key) == 65 else public_key
    return recovered.to_bytes() == body


def public_key(private_key: bytes) -> bytes:
    """The uncompressed 65-byte public key (0x04 || x || y) of a 32-byte private key."""
    return b"\x04" + keys.PrivateKey(private_key).public_key.to_bytes()


def sign(private_key: bytes, message: bytes) -> bytes:
    """A signature ``ecdsa_verify`` accepts for ``message`` (what ``ecdsa::Pair::sign`` produces)."""
    return keys.PrivateKey(private_key).sign_msg_hash(blake2_256(message)).to_bytes()


def dev_private_key(label: str) -> bytes:
    """A deterministic private key for tests and simulations (never use on a real chain)."""
    return blake2_256(b"tangle-sim/ecdsa/" + label.encode())


def heartbeat_message(service_id: int, blueprint_id: int, block: int, metrics: bytes) -> bytes:
    """keccak-256(service_id LE || blueprint_id LE || block LE || metrics): what a heartbeat signs."""
    return keccak_256(service_id.to_bytes(8, "little") + blueprint_id.to_bytes(8, "little") + block.to_bytes(8, "little") + metrics)
