"""pallet_session: sessions of ``session_length`` blocks (1,200 on testnet; BABE epochs).

The session index is MultiAssetDelegation's round; every ``sessions_per_era`` sessions staking
starts an era. At each boundary the runtime's SessionManager (see runtime/construct.py) is told,
in pallet_session's order: ``end_session(i)``, ``start_session(i + 1)``, ``new_session(i + 2)``.

As pallet_session's ``rotate_session``: the session's validators are the ones queued at the last
rotation (``QueuedKeys``), and the next set is queued with the keys each validator has then; a
validator the session manager elects without session keys (``set_keys``) is left out of the queue.
Genesis gives the initial validators keys (the chain spec's ``session.keys``): babe and im_online
are the stash's own public key, as the dev chain's ``//Alice`` authority has; grandpa (ed25519 on
chain) is a deterministic stand-in derived from the stash.
"""

from __future__ import annotations

import hashlib

from dataclasses import dataclass
from typing import Callable

from runtime.accounts import account_bytes
from runtime.genesis import GenesisConfig
from runtime.pallet import Pallet
from runtime.primitives import U32, U64, AccountId, Bool, Bytes, FixedBytes
from runtime.storage import PalletStorage, StorageMap, StorageValue
from runtime.traits import SessionManager

from pallets.session.calls import Calls
from pallets.session.errors import Error, Event
from pallets.session.keys import ZERO_KEYS, SessionKeys, raw_keys


@dataclass(frozen=True)
class SessionConstants:
    SessionLength: U64 = 1200


class SessionStorage(PalletStorage, prefix="Session"):
    CurrentIndex = StorageValue(U32, default=0)
    Validators = StorageValue(tuple[AccountId, ...], default=())
    QueuedChanged = StorageValue(Bool, default=False)
    QueuedKeys = StorageValue(tuple[tuple[AccountId, SessionKeys], ...], default=())
    DisabledValidators = StorageValue(tuple[U32, ...], default=())
    NextKeys = StorageMap(AccountId, SessionKeys)  # by ValidatorId (= the stash)
    KeyOwner = StorageMap(tuple[FixedBytes(4), Bytes], AccountId)  # (KeyTypeId, raw key) -> ValidatorId




class Session(Calls, Pallet):
    name = "Session"
    index = 18
    Storage = SessionStorage
    Error = Error
    Event = Event
    Constants = SessionConstants

    def __init__(self, ctx, constants=None, *, session_manager: SessionManager | None = None, system=None,  # type: ignore[no-untyped-def]
                 validator_id_of: Callable[[str], str | None] | None = None) -> None:
        super().__init__(ctx, constants)
        self.session_manager = session_manager
        self.system = system  # consumer references for set_keys/purge_keys
        self.validator_id_of = validator_id_of  # pallet_staking::StashOf (controller -> stash)

    def build_genesis(self, config: GenesisConfig) -> None:
        sm = self.session_manager
        if sm is not None:
            validators = tuple(sm.new_session(0) or ())
            for stash in validators:  # the chain spec's session keys of the initial authorities
                self._genesis_keys(stash)
            self.storage.Validators.put(validators)
            queued = sm.new_session(1)
            queued = tuple(queued) if queued is not None else validators
            # genesis queues every validator, with default keys for one that has none (pallet_session)
            self.storage.QueuedKeys.put(tuple((v, self.storage.NextKeys.get(v) or ZERO_KEYS) for v in queued))
            sm.start_session(0)

    def _genesis_keys(self, stash: str) -> None:
        """pallet_session's genesis ``keys`` entry for ``stash``: its keys and their owner records,
        and a consumer reference on the account."""
        if self.storage.NextKeys.contains(stash):
            return
        public = account_bytes(stash)
        keys = SessionKeys(public, hashlib.blake2b(b"tangle-sim/grandpa/" + public, digest_size=32).digest(), public)
        self.storage.NextKeys.insert(stash, keys)
        for key in raw_keys(keys):
            self.storage.KeyOwner.insert(key, stash)
        if self.system is not None:
            # inc_consumers_without_limit (a genesis stash is bonded, so it exists; an account with no
            # provider would take one instead, which this model's genesis never needs)
            self.system.inc_consumers(stash)

    def current_index(self) -> int:
        return self.storage.CurrentIndex.value()

    def blocks_until_next_session(self) -> int:
        length = self.consts.SessionLength
        return length - (self.block_number - 1) % length

    def on_initialize(self, n: int) -> None:
        if n > 1 and (n - 1) % self.consts.SessionLength == 0:
            self.rotate_session()

    def next_hook_block(self, after: int) -> int:
        """The first block >= ``after`` whose ``on_initialize`` rotates the session (lets the
        runtime cross the blocks in between at once)."""
        length = self.consts.SessionLength
        m = max(after, 2)
        return m + (-(m - 1)) % length

    def rotate_session(self) -> None:
        s = self.storage
        current = s.CurrentIndex.value()
        changed = s.QueuedChanged.value()
        sm = self.session_manager
        if sm is not None:
            sm.end_session(current)
        session_keys = s.QueuedKeys.value()
        s.Validators.put(tuple([v for v, _ in session_keys]))
        if changed:
            s.DisabledValidators.put(())  # a changed active set starts with nobody disabled
        new_index = current + 1
        s.CurrentIndex.put(new_index)
        if sm is not None:
            sm.start_session(new_index)
        maybe_next = sm.new_session(new_index + 1) if sm is not None else None
        # a new set from the manager counts as changed even if it is the same accounts (pallet_session)
        next_validators, next_changed = (tuple(maybe_next), True) if maybe_next is not None else (s.Validators.value(), False)
        next_keys = s.NextKeys.get
        queued = tuple([(v, keys) for v in next_validators if (keys := next_keys(v)) is not None])
        if not next_changed:
            now = [k for _, k in session_keys]
            next_changed = any(i >= len(now) or now[i] != keys for i, (_, keys) in enumerate(queued))
        s.QueuedKeys.put(queued)
        s.QueuedChanged.put(next_changed)
        self.deposit_event(Event.NewSession(new_index))
