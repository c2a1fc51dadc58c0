from __future__ import annotations

import hashlib

import pytest
from substrateinterface import Keypair

from runtime.accounts import DEV_ACCOUNTS, account_bytes, account_to_evm, evm_to_account, keyring_account, normalize_account, pallet_account


@pytest.mark.parametrize("name", list(DEV_ACCOUNTS))
def test_dev_accounts_are_the_real_sr25519_dev_keys(name: str) -> None:
    assert DEV_ACCOUNTS[name] == Keypair.create_from_uri(f"//{name}", ss58_format=42).ss58_address


def test_account_forms_normalise_to_one_ss58() -> None:
    alice = DEV_ACCOUNTS["Alice"]
    raw = account_bytes(alice)
    assert normalize_account("alice") == alice
    assert normalize_account("//Alice") == alice
    assert normalize_account("0x" + raw.hex()) == alice
    assert normalize_account(raw) == alice
    # the same key with the Polkadot prefix (0) decodes to the same account
    from scalecodec.utils.ss58 import ss58_encode

    assert normalize_account(ss58_encode(raw.hex(), 0)) == alice


def test_unknown_account_is_a_clear_value_error() -> None:
    with pytest.raises(ValueError, match="unknown account 'Zed'"):
        normalize_account("Zed")
    with pytest.raises(ValueError, match="32 bytes"):
        normalize_account(b"\x01" * 31)


def test_derived_keyring_account_matches_substrate_interface() -> None:
    assert keyring_account("//Operator7") == Keypair.create_from_uri("//Operator7", ss58_format=42).ss58_address


def test_treasury_pallet_account_is_the_well_known_address() -> None:
    # PalletId(*b"py/trsry").into_account_truncating() with SS58 prefix 42
    assert pallet_account(b"py/trsry") == "5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z"


def test_evm_mapping_directions() -> None:
    alice = DEV_ACCOUNTS["Alice"]
    assert account_to_evm(alice) == "0x" + account_bytes(alice)[:20].hex()
    mapped = evm_to_account("0x" + "11" * 20)
    assert mapped != alice and len(account_bytes(mapped)) == 32


def test_fast_ss58_codec_agrees_with_scalecodec_and_refuses_other_forms() -> None:
    import hashlib

    from scalecodec.utils.ss58 import ss58_encode

    from runtime.accounts import _ss58_encode_42, _ss58_public_42

    keys = [bytes(32), b"\xff" * 32] + [hashlib.blake2b(b"%d" % i, digest_size=32).digest() for i in range(300)]
    for key in keys:
        address = ss58_encode(key, 42)
        assert _ss58_encode_42(key) == address
        assert _ss58_public_42(address) == key
        assert account_bytes(address) == key
        assert _ss58_public_42(ss58_encode(key, 0)) is None  # another prefix: the general path
        tampered = address[:-1] + ("2" if address[-1] != "2" else "3")
        assert _ss58_public_42(tampered) is None  # bad checksum
        assert _ss58_public_42(" " + address[1:]) is None and _ss58_public_42(address + "1") is None
        assert normalize_account(ss58_encode(key, 0)) == address == normalize_account("0x" + key.hex()) == normalize_account(key)


def test_the_normalisation_cache_keeps_hitting_past_a_million_other_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    import runtime.accounts as accounts

    # the bound on non-canonical inputs is full: canonical addresses must still be remembered
    monkeypatch.setattr(accounts, "_other_inputs", accounts.MAX_OTHER_INPUTS)
    fresh = accounts._ss58_encode_42(b"\x07" * 32)
    accounts.CANONICAL_SEEN.discard(fresh)
    assert normalize_account(fresh) == fresh
    assert fresh in accounts.CANONICAL_SEEN and fresh not in accounts._cache
    other = "0x" + "08" * 32
    assert normalize_account(other) == accounts._ss58_encode_42(b"\x08" * 32)
    assert other not in accounts._cache
    with pytest.raises(ValueError, match="unknown account"):
        normalize_account(fresh[:-1] + ("2" if fresh[-1] != "2" else "3"))
    with pytest.raises(ValueError, match="expected an account"):
        normalize_account(((),) * 3)


def test_origins_of_canonical_addresses_come_from_the_address_set_not_a_cache_per_signer() -> None:
    import runtime.origin as origin_mod
    from runtime.origin import to_origin

    fresh = [accounts_ss58(i) for i in range(300)]
    before = len(origin_mod._origin_cache)
    for address in fresh:
        first, again = to_origin(address), to_origin(address)
        assert first.kind == again.kind == "signed" and first.who == again.who == address
    assert len(origin_mod._origin_cache) == before  # a million signers keep no million origins
    hex_spelling = "0x" + hashlib.blake2b(b"origin/0", digest_size=32).hexdigest()
    assert to_origin(hex_spelling).who == fresh[0]
    assert to_origin(hex_spelling) is to_origin(hex_spelling)  # other spellings are cached (bounded)
    assert to_origin("root").kind == "root" and to_origin("Alice").who == normalize_account("Alice")
    with pytest.raises(ValueError, match="origin"):
        to_origin(fresh[0][:-1] + ("2" if fresh[0][-1] != "2" else "3"))


def accounts_ss58(i: int) -> str:
    from runtime.accounts import _ss58_encode_42

    return _ss58_encode_42(hashlib.blake2b(b"origin/%d" % i, digest_size=32).digest())
