"""Dev keys: which sr25519 keypair signs for an account of a call log.

Why: a call log names accounts by SS58 address; to submit its calls to a node, each signer needs
its secret key. The simulator's dev accounts are the standard ``//Alice`` … ``//Ferdie`` keys and any
account made with ``runtime.accounts.keyring_account('//Name')`` is derived the same way, so the
keyring knows all of them; other URIs can be added (``--key //Operator7``). Accounts made with
``derive_account`` (simulation-only, no secret) have no key.
"""

from __future__ import annotations

from typing import Iterable

from substrateinterface import Keypair

from runtime.accounts import DEV_NAMES, _NAME_OF, normalize_account


class Keyring:
    """Maps SS58 addresses to keypairs derived from the dev phrase (``//Name`` URIs)."""

    def __init__(self, uris: Iterable[str] = ()) -> None:
        self._uris: dict[str, str] = {}
        self._pairs: dict[str, Keypair] = {}
        for name in DEV_NAMES:
            self.add(f"//{name}")
        for uri in uris:
            self.add(uri)

    def add(self, uri: str) -> str:
        """Register a derivation URI (``//Name``); returns its address."""
        from runtime.accounts import keyring_account

        address = keyring_account(uri)
        self._uris[address] = uri
        return address

    def uri_of(self, account: str) -> str | None:
        address = normalize_account(account)
        uri = self._uris.get(address)
        if uri is None:
            known = _NAME_OF.get(address)
            if known is not None and known.startswith("//"):
                uri = self._uris[address] = known
            elif known in DEV_NAMES:
                uri = self._uris[address] = f"//{known}"
        return uri

    def keypair(self, account: str) -> Keypair | None:
        """The keypair for ``account``, or None if its secret is unknown."""
        address = normalize_account(account)
        pair = self._pairs.get(address)
        if pair is None:
            uri = self.uri_of(address)
            if uri is None:
                return None
            pair = self._pairs[address] = Keypair.create_from_uri(uri, ss58_format=42)
        return pair

    def __contains__(self, account: str) -> bool:
        return self.uri_of(account) is not None
