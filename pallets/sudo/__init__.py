"""pallet_sudo: the dev chain's superuser (Alice), dispatching calls as root."""

from __future__ import annotations

from runtime.calls import Call, DispatchResult, RuntimeCall
from runtime.errors import DispatchError, ErrorSet
from runtime.events import EventSet
from runtime.genesis import GenesisConfig
from runtime.origin import Origin, ROOT, ensure_signed
from runtime.pallet import Pallet, call
from runtime.primitives import AccountId, CompactU64, MultiAddress
from runtime.codec import struct
from runtime.storage import PalletStorage, StorageValue


@struct
class Weight:
    ref_time: CompactU64
    proof_size: CompactU64


class SudoStorage(PalletStorage, prefix="Sudo"):
    Key = StorageValue(AccountId)


class Error(ErrorSet, pallet="Sudo"):
    RequireSudo = 0


class Event(EventSet, pallet="Sudo"):
    Sudid = (0, {"sudo_result": DispatchResult})
    KeyChanged = (1, {"old": AccountId | None, "new": AccountId})
    KeyRemoved = (2, {})
    SudoAsDone = (3, {"sudo_result": DispatchResult})


class Sudo(Pallet):
    name = "Sudo"
    index = 3
    Storage = SudoStorage
    Error = Error
    Event = Event

    def build_genesis(self, config: GenesisConfig) -> None:
        if config.sudo:
            self.storage.Key.put(config.sudo)

    def _ensure_sudo(self, origin: Origin) -> str:
        who = ensure_signed(origin)
        if who != self.storage.Key.value():
            raise Error.RequireSudo()
        return who

    def _run(self, origin: object, inner: RuntimeCall) -> str | None:
        try:
            self.ctx.dispatch_call(origin, inner)
        except DispatchError as exc:
            return exc.qualified_name
        return None

    @call(0)
    def sudo(self, origin: Origin, call: Call) -> None:
        """Dispatch ``call`` as root. The inner call's failure is reported in ``Sudid``, not raised."""
        self._ensure_sudo(origin)
        self.deposit_event(Event.Sudid(self._run(ROOT, call)))

    @call(1)
    def sudo_unchecked_weight(self, origin: Origin, call: Call, weight: Weight) -> None:
        self._ensure_sudo(origin)
        self.deposit_event(Event.Sudid(self._run(ROOT, call)))

    @call(2)
    def set_key(self, origin: Origin, new: MultiAddress) -> None:
        if not origin.is_root:
            self._ensure_sudo(origin)
        old = self.storage.Key.value()
        self.storage.Key.put(new)
        self.deposit_event(Event.KeyChanged(old, new))

    @call(3)
    def sudo_as(self, origin: Origin, who: MultiAddress, call: Call) -> None:
        self._ensure_sudo(origin)
        self.deposit_event(Event.SudoAsDone(self._run(Origin.signed(who), call)))

    @call(4)
    def remove_key(self, origin: Origin) -> None:
        self._ensure_sudo(origin)
        self.storage.Key.kill()
        self.deposit_event(Event.KeyRemoved())
