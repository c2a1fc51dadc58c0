"""pallet_session: sessions of ``session_length`` blocks (1,200 on testnet; BABE epochs).

The session index is MultiAssetDelegation's round; every ``sessions_per_era`` sessions staking
starts an era. At each boundary the runtime's SessionManager (see runtime/construct.py) is told,
in pallet_session's order: ``end_session(i)``, ``start_session(i + 1)``, ``new_session(i + 2)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from runtime.genesis import GenesisConfig
from runtime.pallet import Pallet
from runtime.primitives import U32, AccountId, Bytes, FixedBytes
from runtime.storage import PalletStorage, StorageMap, StorageValue
from runtime.traits import SessionManager

from pallets.session.calls import Calls
from pallets.session.errors import Error, Event
from pallets.session.keys import SessionKeys


@dataclass(frozen=True)
class SessionConstants:
    SessionLength: int = 1200


class SessionStorage(PalletStorage, prefix="Session"):
    CurrentIndex = StorageValue(U32, default=0)
    Validators = StorageValue(tuple[AccountId, ...], default=())
    QueuedValidators = StorageValue(tuple[AccountId, ...], default=(), extension=True)
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
            validators = sm.new_session(0) or ()
            self.storage.Validators.put(tuple(validators))
            queued = sm.new_session(1)
            self.storage.QueuedValidators.put(tuple(queued) if queued is not None else tuple(validators))
            sm.start_session(0)

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
        sm = self.session_manager
        if sm is not None:
            sm.end_session(current)
        new_index = current + 1
        s.CurrentIndex.put(new_index)
        s.Validators.put(s.QueuedValidators.value())
        if sm is not None:
            sm.start_session(new_index)
            queued = sm.new_session(new_index + 1)
            if queued is not None:
                s.QueuedValidators.put(tuple(queued))
        self.deposit_event(Event.NewSession(new_index))
