"""Account identities: SS58 addresses, the dev keyring, pallet accounts and the EVM mapping.

Inside the simulator an ``AccountId`` is its SS58 address with the Tangle testnet prefix (42), so
events, queries and call logs read exactly as substrate-interface decodes them from a real node.
The dev accounts are the real ``//Alice`` ... ``//Ferdie`` sr25519 keys; any other ``//Name`` is
derived the same way on demand, so a call log can be signed and replayed against a node.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from scalecodec.utils.ss58 import ss58_decode, ss58_encode

SS58_FORMAT = 42

# Public keys of the standard Substrate dev accounts (sr25519, derived from the dev phrase with
# the hard junction //Name). tests/test_accounts.py checks them against substrate-interface.
DEV_PUBLIC_KEYS: dict[str, str] = {
    "Alice": "d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d",
    "Bob": "8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48",
    "Charlie": "90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22",
    "Dave": "306721211d5404bd9da88e0204360a1a9ab8b87c66c1bc2fcdd37f3c2222cc20",
    "Eve": "e659a7a1628cdd93febc04a4e0646ea20e9f5f0ce097d9a05290d4a9e054df4e",
    "Ferdie": "1cbd2d43530a44705ad088af313e18f80b53ef16b36177cd4b77b846f2a5f07c",
}
DEV_NAMES: tuple[str, ...] = tuple(DEV_PUBLIC_KEYS)
DEV_ACCOUNTS: dict[str, str] = {name: ss58_encode(key, SS58_FORMAT) for name, key in DEV_PUBLIC_KEYS.items()}
_NAME_OF: dict[str, str] = {address: name for name, address in DEV_ACCOUNTS.items()}

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_PAIRS: dict[str, int] = {a + b: i * 58 + j for i, a in enumerate(_B58) for j, b in enumerate(_B58)}
_B58_DIGIT: dict[str, int] = {c: i for i, c in enumerate(_B58)}
_SS58_PREFIX_42 = bytes([SS58_FORMAT])


def _ss58_encode_42(public: bytes) -> str:
    """SS58 (prefix 42) of a 32-byte public key; equal to scalecodec's ``ss58_encode`` (a test
    checks it), several times faster, which matters when a scenario makes a million accounts."""
    payload = _SS58_PREFIX_42 + public
    n = int.from_bytes(payload + hashlib.blake2b(b"SS58PRE" + payload, digest_size=64).digest()[:2], "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    return "".join(reversed(out))


def _ss58_public_42(text: str) -> bytes | None:
    """The public key of a canonical prefix-42 address with a valid checksum, else None (the caller
    then takes the general, slower path, which also explains what is wrong)."""
    if len(text) != 48:
        return None
    n = 0
    pairs = _B58_PAIRS
    try:
        for i in range(0, 48, 2):
            n = n * 3364 + pairs[text[i : i + 2]]
    except KeyError:
        return None
    if n >> 280:  # more than 35 bytes
        return None
    raw = n.to_bytes(35, "big")
    if raw[0] != SS58_FORMAT or hashlib.blake2b(b"SS58PRE" + raw[:33], digest_size=64).digest()[:2] != raw[33:]:
        return None
    return raw[1:33]


CANONICAL_SEEN: set[str] = set()  # canonical prefix-42 addresses seen (each normalises to itself); to_origin reads it too
_cache: dict[object, str] = {}  # any other input seen -> its canonical address
_derived: dict[str, str] = {}  # "//Name" -> address, for accounts made with keyring_account()
#: label -> what to use instead, for display labels that are not accounts (harness operators such as
#: ``Operator4``, registered by blueprints.naming): only the error message below reads it
LABEL_HINTS: dict[str, str] = {}
# Canonical addresses are remembered without a bound, in a set: the entry shares the string the
# state already holds, so it costs one set slot, and a simulation with a million accounts keeps
# hitting it (a bounded cache that filled up made every call decode and re-encode both addresses:
# transfers fell to a sixth of their rate at 10^6 accounts). A set rather than a dict because a
# lookup in a million-entry set reads one random cache line (its slot holds the key) where a dict
# reads two (its index, then its entry): at 10^6 accounts each is a main-memory access, and a
# transfer normalises two addresses. Inputs that are not already canonical (other SS58 prefixes,
# hex, raw bytes, dev names) are cached up to this many:
MAX_OTHER_INPUTS = 1_000_000
_other_inputs = 0


def normalize_account(value: object) -> str:
    """Canonical SS58 (prefix 42) for an SS58 address of any prefix, a dev name, ``//Name``,
    0x-hex of 32 bytes, or 32 raw bytes. Raises ValueError with a readable message otherwise."""
    global _other_inputs
    if type(value) is str and value in CANONICAL_SEEN:
        return value
    hit = _cache.get(value) if isinstance(value, (str, bytes)) else None  # never hash arbitrary objects
    if hit is not None:
        return hit
    result = _normalize(value)
    if result == value and type(value) is str:
        CANONICAL_SEEN.add(value)
    elif isinstance(value, (str, bytes)) and _other_inputs < MAX_OTHER_INPUTS and len(value) <= 128:
        _cache[value] = result
        _other_inputs += 1
    return result


def _normalize(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        if len(value) != 32:
            raise ValueError(f"an AccountId is 32 bytes, got {len(value)}")
        return _ss58_encode_42(bytes(value))
    if not isinstance(value, str):
        raise ValueError(f"expected an account (SS58 address, dev name or 0x-hex public key), got {type(value).__name__} {value!r}")
    if _ss58_public_42(value) is not None:
        return value
    text = value.strip()
    if text.startswith("0x"):
        body = text[2:]
        if len(body) != 64:
            raise ValueError(f"a 0x-hex AccountId has 64 hex digits, got {len(body)}: {text[:20]!r}")
        try:
            return _ss58_encode_42(bytes.fromhex(body))
        except ValueError:
            raise ValueError(f"invalid hex AccountId {text[:20]!r}") from None
    name = text[2:] if text.startswith("//") else text
    for dev, address in DEV_ACCOUNTS.items():
        if name.lower() == dev.lower():
            return address
    if text.startswith("//"):
        return keyring_account(text)
    if text in _derived:
        return _derived[text]
    try:
        public = ss58_decode(text)
    except Exception:
        known = ", ".join(DEV_NAMES)
        hint = LABEL_HINTS.get(text)
        raise ValueError(
            f"unknown account {value!r}: expected an SS58 address, a 0x-hex public key, "
            f"a dev name ({known}) or a derivation path like '//Operator1'" + (f"; {hint}" if hint else "")
        ) from None
    return _ss58_encode_42(bytes.fromhex(public))


@lru_cache(maxsize=None)
def keyring_account(uri: str) -> str:
    """The SS58 address of the sr25519 key derived from the dev phrase with ``uri`` (e.g. ``//Op7``).

    Derivation goes through substrate-interface (imported lazily: it is slow to import), so the
    account can sign on a real node.
    """
    from substrateinterface import Keypair

    address = ss58_encode(Keypair.create_from_uri(uri).public_key.hex(), SS58_FORMAT)
    _derived[uri] = address
    _NAME_OF.setdefault(address, uri)
    return address


_raw_cache: dict[str, bytes] = {}


def account_bytes(account: str) -> bytes:
    """The 32 raw bytes of an account (for ordering the way the chain orders AccountIds).

    Cached without a small bound: elections sort hundreds of thousands of voters every era."""
    raw = _raw_cache.get(account)
    if raw is None:
        raw = _ss58_public_42(account)
        if raw is None:
            raw = bytes.fromhex(ss58_decode(account))
        if len(_raw_cache) < 5_000_000:
            _raw_cache[account] = raw
    return raw


def display_name(account: str) -> str:
    """``Alice`` for a dev account, ``//Op7`` for a derived one, a shortened address otherwise."""
    name = _NAME_OF.get(account)
    if name:
        return name
    return f"{account[:6]}…{account[-4:]}"


def pallet_account(pallet_id: bytes, sub: bytes = b"") -> str:
    """``PalletId(pallet_id).into_sub_account_truncating(sub)``: ``b"modl" ++ id ++ sub``, zero-padded to 32 bytes."""
    raw = (b"modl" + pallet_id + sub)[:32]
    return normalize_account(raw.ljust(32, b"\0"))


def evm_to_account(h160: str) -> str:
    """Tangle's ``HashedAddressMapping<BlakeTwo256>``: ``blake2_256(b"evm:" ++ address)``."""
    raw = bytes.fromhex(h160[2:] if h160.startswith("0x") else h160)
    return normalize_account(hashlib.blake2b(b"evm:" + raw, digest_size=32).digest())


def account_to_evm(account: str) -> str:
    """The services pallet's ``into_address``: the first 20 bytes of the AccountId."""
    return "0x" + account_bytes(account)[:20].hex()


def derive_account(label: str) -> str:
    """A deterministic account for simulations that never sign on a real node (cheap: no sr25519)."""
    address = normalize_account(hashlib.blake2b(b"tangle-sim/" + label.encode(), digest_size=32).digest())
    _NAME_OF.setdefault(address, label)
    return address
