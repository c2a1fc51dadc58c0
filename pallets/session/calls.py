"""pallet_session's dispatchables (stable2407): set_keys and purge_keys.

``ValidatorIdOf`` is pallet_staking's ``StashOf``: the caller must be a bonded controller (on Tangle
controller == stash). The proof is not checked: stable2407's ``OpaqueKeys::ownership_proof_is_valid``
accepts any bytes. Setting keys for the first time takes a consumer reference on the account;
purging releases it.
"""

from __future__ import annotations

from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import Bytes

from pallets.session.errors import Error
from pallets.session.keys import SessionKeys, raw_keys


class Calls:
    @call(0)
    def set_keys(self, origin: Origin, keys: SessionKeys, proof: Bytes) -> None:
        """Sets the session key(s) of the caller's validator to ``keys`` (effective next session)."""
        account = ensure_signed(origin)
        who = self.validator_id_of(account) if self.validator_id_of is not None else None  # type: ignore[attr-defined]
        if who is None:
            raise Error.NoAssociatedValidatorId()
        if self.system is None or not self.system.can_inc_consumer(account):  # type: ignore[attr-defined]
            raise Error.NoAccount()
        s = self.storage  # type: ignore[attr-defined]
        old = s.NextKeys.get(who)
        for key in raw_keys(keys):
            owner = s.KeyOwner.get(key)
            if owner is not None and owner != who:
                raise Error.DuplicatedKey()
        old_raw = dict(raw_keys(old)) if old is not None else {}
        for kid, raw in raw_keys(keys):
            previous = old_raw.get(kid)
            if previous is not None:
                if previous == raw:
                    continue
                s.KeyOwner.remove((kid, previous))
            s.KeyOwner.insert((kid, raw), who)
        s.NextKeys.insert(who, keys)
        if old is None:
            self.system.inc_consumers(account)  # type: ignore[attr-defined]

    @call(1)
    def purge_keys(self, origin: Origin) -> None:
        """Removes the caller's session keys (a stash that is no longer bonded is its own validator id)."""
        account = ensure_signed(origin)
        who = self.validator_id_of(account) if self.validator_id_of is not None else None  # type: ignore[attr-defined]
        if who is None:
            who = account  # ValidatorId::try_from(account): ValidatorId = AccountId here
        s = self.storage  # type: ignore[attr-defined]
        old = s.NextKeys.remove(who)
        if old is None:
            raise Error.NoKeys()
        for key in raw_keys(old):
            s.KeyOwner.remove(key)
        self.system.dec_consumers(account)  # type: ignore[attr-defined]
