"""frame_system: block number, accounts (with their balances, as Tangle's AccountStore is System),
nonces, and the runtime version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from runtime.genesis import GenesisConfig
from runtime.pallet import Pallet
from runtime.primitives import U16, U64
from runtime.upgrades import GENESIS_SPEC_VERSION, SPEC_NAME

from pallets.system.calls import Calls
from pallets.system.errors import Error
from pallets.system.events import Event
from pallets.system.storage import LastRuntimeUpgradeInfo, SystemStorage
from pallets.system.types import EMPTY_ACCOUNT, AccountInfo

if TYPE_CHECKING:
    from runtime.traits import RawStorage


@dataclass(frozen=True)
class SystemConstants:
    BlockHashCount: U64 = 256
    SS58Prefix: U16 = 42


class System(Calls, Pallet):
    name = "System"
    index = 1
    Storage = SystemStorage
    Error = Error
    Event = Event
    Constants = SystemConstants

    def __init__(self, ctx, constants=None, *, raw_storage: "Callable[[], RawStorage] | None" = None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(ctx, constants)
        self.raw_storage = raw_storage  # the real key layout, for set_storage / kill_storage / kill_prefix

    def build_genesis(self, config: GenesisConfig) -> None:
        self.storage.LastRuntimeUpgrade.put(LastRuntimeUpgradeInfo(GENESIS_SPEC_VERSION, SPEC_NAME))

    # --- block bookkeeping (called by the runtime, not a hook: it must run before every hook)
    def initialize(self, n: int, parent_hash: str) -> None:
        s = self.storage
        s.Number.put(n)
        parent = bytes.fromhex(parent_hash[2:])
        s.ParentHash.put(parent)
        s.BlockHash.insert(n - 1, parent)
        if n - 1 > self.consts.BlockHashCount:
            s.BlockHash.remove(n - 1 - self.consts.BlockHashCount)

    def note_runtime_upgrade(self, spec_version: int, *, emit: bool = True) -> None:
        """``LastRuntimeUpgrade`` follows the running code; ``emit``: a scheduled upgrade's
        ``CodeUpdated`` (a ``set_code`` emitted its own in the block that set the code)."""
        self.storage.LastRuntimeUpgrade.put(LastRuntimeUpgradeInfo(spec_version, SPEC_NAME))
        if emit:
            self.deposit_event(Event.CodeUpdated())

    def take_pending_code(self) -> bytes | None:
        """The ``:code`` set by a previous block, for the runtime to enact (and forget) now."""
        code = self.storage.PendingCode.value()
        if code is not None:
            self.storage.PendingCode.kill()
        return code

    def code_pending(self) -> bool:
        return self.storage.PendingCode.value() is not None

    def spec_version(self) -> int:
        return self.storage.LastRuntimeUpgrade.value().spec_version

    def inc_nonce(self, who: str) -> None:
        nonces = self.storage.Nonces
        nonces.insert(who, nonces.get(who) + 1)

    def nonce(self, who: str) -> int:
        return self.storage.Nonces.get(who)

    # --- the account store (Balances keeps its AccountData here, as on Tangle)
    def account(self, who: str) -> AccountInfo:
        return self.storage.Account._d.get(who, EMPTY_ACCOUNT)

    def set_account(self, who: str, info: AccountInfo) -> None:
        """Write an account; emits NewAccount/KilledAccount when it gains or loses its last reference."""
        accounts = self.storage.Account
        old = accounts._d.get(who)
        alive = info.providers > 0 or info.sufficients > 0
        if not alive and info.consumers == 0:
            if old is not None:
                # frame_system removes the whole AccountInfo, its nonce included: a reaped account
                # starts again at nonce 0 (the nonce lives apart here, in System.Nonces)
                accounts.remove(who)
                self.storage.Nonces.remove(who)
                self.deposit_event(Event.KilledAccount(who))
            return
        if old is None and alive:
            self.deposit_event(Event.NewAccount(who))
        accounts.insert(who, info)

    def inc_consumers(self, who: str) -> None:
        info = self.account(who)
        self.set_account(who, info._replace(consumers=info.consumers + 1))

    def can_inc_consumer(self, who: str) -> bool:
        """``frame_system::can_inc_consumer``: the account needs a provider reference (the
        ``MaxConsumers`` bound is not modelled)."""
        return self.account(who).providers > 0

    def dec_consumers(self, who: str) -> None:
        info = self.account(who)
        if info.consumers:
            self.set_account(who, info._replace(consumers=info.consumers - 1))

    def inc_sufficients(self, who: str) -> None:
        info = self.account(who)
        self.set_account(who, info._replace(sufficients=info.sufficients + 1))

    def dec_sufficients(self, who: str) -> None:
        info = self.account(who)
        if info.sufficients:
            self.set_account(who, info._replace(sufficients=info.sufficients - 1))

    def render_query(self, storage_function: str, key: Any, raw: Any) -> Any:
        if storage_function == "Account":
            return (raw if raw is not None else EMPTY_ACCOUNT).encode(self.nonce(key))
        return NotImplemented
