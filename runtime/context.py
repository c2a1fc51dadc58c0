"""What a pallet may ask of the runtime it runs in (and nothing more)."""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from runtime.events import EventRecord
from runtime.storage import Storage

if TYPE_CHECKING:
    from runtime.profile import Extensions
    from runtime.runtime import Runtime

T = TypeVar("T")


class RuntimeContext:
    """The narrow surface pallets see: storage, events, the clock, the profile, randomness."""

    def __init__(self, rt: "Runtime", db: Storage) -> None:
        self._rt = rt
        self.db = db
        self.seed: int = rt.genesis.seed

    # --- clock
    def block_number(self) -> int:
        return self._rt._block

    def extrinsic_index(self) -> int | None:
        """``frame_system::extrinsic_index()``: the index of the extrinsic being applied (None in hooks)."""
        rt = self._rt
        return rt._extrinsic_idx if rt._phase == "ApplyExtrinsic" else None

    def block_hash(self, n: int) -> str:
        """The (deterministic) hash of block ``n``, 0x-hex."""
        return self._rt.block_hash(n)

    # --- events
    def event_position(self) -> tuple[int, int | None, str]:
        """(block, extrinsic index, phase): where an event deposited now sits (what
        :meth:`deposit_event` writes into it). A pallet depositing a batch of events builds them
        here at once (a slash's events for each of an operator's hundred delegators)."""
        rt = self._rt
        phase = rt._phase
        return rt._block, (rt._extrinsic_idx if phase == "ApplyExtrinsic" else None), phase

    def deposit_event(self, record: EventRecord) -> None:
        rt = self._rt
        record.block = rt._block
        record.phase = rt._phase
        record.extrinsic_idx = rt._extrinsic_idx if rt._phase == "ApplyExtrinsic" else None
        self.db.events.append(record)

    # --- the call log
    def record_contract(self, data: dict[str, Any]) -> None:
        """Log something done to a contract from outside any call (a deployment, a mint), so a
        replay redoes it between the same calls. Inside a call or a hook it is the call's effect
        (replayed with it) and is not logged again."""
        self._rt._record_contract(data)

    # --- transactions
    def transactional(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` in a nested transaction (``with_transaction``): its writes vanish if it raises."""
        return self.db.transactional(fn)

    def check_upgrade(self, config: Any) -> Any:
        """Validate a code upgrade's rules against this runtime (constant names); raises ValueError."""
        return self._rt._check_upgrade(config, 0)

    # --- behaviour
    def quirk(self, key: str) -> bool:
        """Is this real-runtime quirk reproduced right now (profile, then upgrades)?"""
        return key in self._rt._active_quirks

    @property
    def extensions(self) -> "Extensions":
        return self._rt.profile.extensions

    @property
    def profile_name(self) -> str:
        return self._rt.profile.name

    # --- randomness (deterministic per seed and label, independent between labels)
    def rng(self, label: str) -> random.Random:
        digest = hashlib.blake2b(f"{self.seed}/{label}".encode(), digest_size=16).digest()
        return random.Random(int.from_bytes(digest, "big"))

    # --- cross-cutting notifications the runtime fans out to pallets with the matching hook
    def notify_new_era(self, era: int) -> None:
        self._rt._run_hooks("on_new_era", era)

    def notify_new_session(self, index: int, exclude: tuple[str, ...] = ()) -> None:
        self._rt._run_hooks("on_new_session", index, exclude=exclude)

    def pallet_account(self, pallet_id: bytes, sub: bytes = b"") -> str:
        from runtime.accounts import pallet_account

        return pallet_account(pallet_id, sub)

    def sudo_key(self) -> str | None:
        return self._rt.genesis.sudo

    def dispatch_call(self, origin: Any, call: Any) -> None:
        """Dispatch an inner :class:`runtime.calls.RuntimeCall` (Sudo.sudo, Utility.batch) in a nested
        transaction. Raises the inner call's DispatchError; the caller decides whether it propagates."""
        self._rt._dispatch_nested(origin, call)
