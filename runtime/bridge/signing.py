"""Signed extrinsics: rebuild the signing payload from the bytes and check the signature.

Why: the JSON-RPC node must accept exactly what a real node accepts: an extrinsic whose signature
covers this chain's genesis hash, spec and transaction version and era birth block. The payload is
rebuilt from the extrinsic itself (call bytes and the signed-extension "extra" bytes, taken
verbatim) plus the "additional signed" data each extension of the metadata asks for, so unknown
zero-sized extensions such as Tangle's ``CheckNominatedRestaked`` need no special case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable

from substrateinterface import Keypair, KeypairType

from runtime.bridge.metadata import RuntimeMetadata


class SignatureError(ValueError):
    """The extrinsic's signature cannot be checked or does not verify (``reason`` as a node words it)."""


@dataclass(frozen=True)
class SignedParts:
    """Where the parts of a decoded signed extrinsic are, in its bytes."""

    signer_public: bytes
    scheme: str  # Sr25519 | Ed25519 | Ecdsa
    signature: bytes
    extra: bytes
    call: bytes
    era: Any
    nonce: int


def signed_parts(raw: bytes, decoded: Any) -> SignedParts:
    """Split a decoded signed extrinsic (scalecodec ``Extrinsic``) into what the signature covers."""
    vo = decoded.value_object
    address = vo["address"]
    signature = vo["signature"]
    call = vo["call"]
    public = _public_key(address.value)
    ((scheme, sig_hex),) = signature.value.items()
    return SignedParts(
        signer_public=public,
        scheme=scheme,
        signature=bytes.fromhex(sig_hex[2:]),
        extra=bytes(raw[signature.data_end_offset : call.data_start_offset]),
        call=bytes(raw[call.data_start_offset : call.data_end_offset]),
        era=vo["era"].value,
        nonce=vo["nonce"].value,
    )


def _public_key(address: Any) -> bytes:
    from scalecodec.utils.ss58 import ss58_decode

    if isinstance(address, dict):
        if "Id" not in address:
            raise SignatureError("only MultiAddress::Id signers are supported")
        address = address["Id"]
    if isinstance(address, str) and address.startswith("0x"):
        return bytes.fromhex(address[2:])
    return bytes.fromhex(ss58_decode(address))


def era_birth(era: Any, current: int) -> int:
    """The birth block of a mortal era ``(period, phase)`` as seen from block ``current``."""
    period, phase = era
    return (max(current, phase) - phase) // period * period + phase


def era_death(era: Any, current: int) -> int:
    return era_birth(era, current) + era[0]


def additional_signed(md: RuntimeMetadata, genesis_hash: bytes, birth_hash: bytes, spec_version: int | None = None) -> bytes:
    """The "additional signed" bytes of every signed extension of ``md``, in order."""
    out = bytearray()
    for ext in md.signed_extensions:
        ident = ext["identifier"]
        if ident == "CheckSpecVersion":
            out += (spec_version if spec_version is not None else md.spec_version).to_bytes(4, "little")
        elif ident == "CheckTxVersion":
            out += md.transaction_version.to_bytes(4, "little")
        elif ident == "CheckGenesis":
            out += genesis_hash
        elif ident in ("CheckMortality", "CheckEra"):
            out += birth_hash
        elif ident == "CheckMetadataHash":
            out += b"\x00"  # Option<[u8; 32]>::None: mode Disabled, as substrate-interface signs
        elif not _zero_sized(md, ext["additional_signed"]):
            raise SignatureError(f"cannot build the additional signed data of the {ident} extension")
    return bytes(out)


def _zero_sized(md: RuntimeMetadata, type_id: int) -> bool:
    body = md.types[type_id]["def"]
    if "tuple" in body:
        return all(_zero_sized(md, t) for t in body["tuple"])
    if "composite" in body:
        return all(_zero_sized(md, f["type"]) for f in body["composite"]["fields"])
    return False


def signing_payload(parts: SignedParts, md: RuntimeMetadata, genesis_hash: bytes, birth_hash: bytes, spec_version: int | None = None) -> bytes:
    """What the signer signed: call ++ extra ++ additional signed, hashed if longer than 256 bytes."""
    payload = parts.call + parts.extra + additional_signed(md, genesis_hash, birth_hash, spec_version)
    if len(payload) > 256:
        return hashlib.blake2b(payload, digest_size=32).digest()
    return payload


def verify_signature(parts: SignedParts, md: RuntimeMetadata, genesis_hash: bytes, block_hash_of: Callable[[int], bytes | None], current_block: int, *, spec_version: int | None = None) -> None:
    """Raise :class:`SignatureError` unless the signature is valid for this chain at ``current_block``."""
    era = parts.era
    if era in ("00", None) or era == (0, 0):
        birth_hash = genesis_hash
    else:
        birth = era_birth(era, current_block)
        found = block_hash_of(birth)
        if found is None:
            raise SignatureError("Transaction has an ancient birth block")
        birth_hash = found
    payload = signing_payload(parts, md, genesis_hash, birth_hash, spec_version)
    crypto = {"Sr25519": KeypairType.SR25519, "Ed25519": KeypairType.ED25519}.get(parts.scheme)
    if crypto is None:
        raise SignatureError(f"{parts.scheme} signatures are not supported by tangle-sim")
    if not Keypair(public_key=parts.signer_public, crypto_type=crypto, ss58_format=md.ss58_prefix).verify(payload, parts.signature):
        raise SignatureError("Transaction has a bad signature")
