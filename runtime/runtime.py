"""The runtime: one deterministic state machine composed of pallets.

``Runtime.dev(seed=0)`` builds the dev chain. ``rt.dispatch(origin, call_module, call_function,
call_params)`` takes the same three names and params shape as substrate-interface's
``compose_call`` and returns an :class:`ExtrinsicReceipt`; a failed call changes nothing and raises
a :class:`DispatchError` naming the real pallet and error (``raise_error=False`` returns the failed
receipt instead). Blocks advance with ``advance_blocks``/``run_to_block``, running hooks in FRAME's
order: runtime upgrades, every pallet's ``on_initialize`` (by pallet index), the extrinsics, every
``on_finalize``. Sessions (= MultiAssetDelegation rounds) and staking eras change inside
``on_initialize`` of the Session pallet, which fans out ``on_new_session``/``on_new_era``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO, Any, Callable, Iterable

from runtime.calllog import CallRecord, ContractRecord, merged_records, write_log
from runtime.codec import ParamError
from runtime.context import RuntimeContext
from runtime.errors import DispatchError, InvalidTransaction, RuntimePanic, UnknownCall
from runtime.events import EventRecord
from runtime.genesis import GenesisConfig, UpgradeConfig
from runtime.origin import Origin, to_origin
from runtime.perf import tune_gc
from runtime.pallet import CallSpec, Pallet, constants_with
from runtime.profile import Profile
from runtime.receipt import ExtrinsicReceipt
from runtime.storage import Snapshot, Storage
from runtime.upgrades import GENESIS_SPEC_VERSION, RuntimeUpgrade, resolve

_HOOK_NAMES = ("on_initialize", "on_finalize", "on_new_session", "on_new_era", "on_runtime_upgrade")


#: exceptions that stop the process rather than report a pallet's failure: re-raised as they are
_INTERRUPTS = (KeyboardInterrupt, SystemExit)


def _drop_frames(error: BaseException) -> None:
    """Forget where a returned (not raised) error was raised. Its traceback holds the failed call's
    frames, and through them the dispatcher's own locals (the receipt that holds the error): a
    reference cycle per failed call that only the garbage collector frees (a loop of failed
    transfers ran at half speed; a fuzz campaign left ~12,000 objects per 1,000 steps to it). A
    raised error keeps its traceback (the caller may want it)."""
    seen = 0
    while error is not None and seen < 16:  # the chain of errors handled while raising it
        error.__traceback__ = None
        error = error.__context__  # type: ignore[assignment]
        seen += 1


class QueryResult:
    """What ``substrate.query(...)`` returns, reduced to what matters: ``.value`` (and ``.raw``)."""

    __slots__ = ("value", "raw")

    def __init__(self, value: Any, raw: Any) -> None:
        self.value = value
        self.raw = raw

    def __repr__(self) -> str:
        return f"<QueryResult {self.value!r}>"


#: the last block a u32 ``BlockNumber`` (Tangle's) can number
MAX_BLOCK = 2**32 - 1
#: block hashes remembered (they are a pure function of the seed and the number; this only saves time)
_BLOCK_HASH_CACHE = 16_384

class RuntimeSnapshot:
    """A saved runtime for what-if branches (see :meth:`Runtime.snapshot`)."""

    __slots__ = ("storage", "block", "phase", "extrinsic_idx", "event_log_len", "event_log", "call_log", "contract_log", "upgrades")

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)


class Runtime:
    """A simulated Tangle testnet runtime."""

    def __init__(self, genesis: GenesisConfig | dict | None = None, *, extra_pallets: Iterable[Callable[[RuntimeContext], Pallet]] = ()) -> None:
        """Build a runtime from ``genesis``. ``extra_pallets`` are factories (usually Pallet subclasses)
        called with the runtime context: user pallets composed in by index like the built-in ones."""
        tune_gc()
        if genesis is None:
            genesis = GenesisConfig.dev()
        elif isinstance(genesis, dict):
            genesis = GenesisConfig.model_validate(genesis)
        self.genesis = genesis
        self.profile = Profile.build(genesis.profile, genesis.quirks, genesis.extensions)
        self._active_quirks: frozenset[str] = self.profile.quirks
        self.db = Storage()
        self.ctx = RuntimeContext(self, self.db)
        self._block = 0
        self._phase: Any = "Initialization"
        self._extrinsic_idx = 0
        self.event_log: list[EventRecord] = []
        self.call_log: list[CallRecord] = []
        self.contract_log: list[ContractRecord] = []  # deployments and mints between calls
        self.hook_trace: list[tuple[int, str, str]] | None = None
        self._validators: list[Callable[[Origin, CallSpec, tuple], None]] = []
        self._block_hash_cache: dict[int, str] = {}

        from runtime.construct import construct_runtime

        self.pallets: dict[str, Pallet] = construct_runtime(self, extra_pallets)
        self._system = self.pallets["System"]  # every signed dispatch bumps its nonce
        self._base_consts = {name: p.consts for name, p in self.pallets.items()}
        self._apply_constant_overrides(genesis.constants)
        self._calls: dict[tuple[str, str], tuple[CallSpec, Pallet]] = {}
        for pallet in self.pallets.values():
            for name, spec in type(pallet).call_specs().items():
                self._calls[(pallet.name, name)] = (spec, pallet)
        self._hooks = {h: [p for p in self.pallets.values() if p.has_hook(h)] for h in _HOOK_NAMES}
        # Pallets with block hooks; skipping idle blocks needs each to say when it next acts
        # (``next_hook_block``). One that cannot say makes every block busy (nothing is skipped).
        self._block_hook_pallets = list(dict.fromkeys(self._hooks["on_initialize"] + self._hooks["on_finalize"]))
        self.skip_idle_blocks = True  # False: step block by block (tests compare the two)
        self._upgrades: list[RuntimeUpgrade] = []
        self._upgrades_from_log: list[dict[str, Any]] = []
        for up in genesis.upgrades:
            self._add_upgrade(up)

        for pallet in self.pallets.values():
            pallet.build_genesis(genesis)
        self.db.journal.clear()
        self.db.events.clear()  # genesis emits no events
        self._initialize_block(1)

    # ------------------------------------------------------------------ construction helpers
    @classmethod
    def dev(cls, seed: int = 0, profile: str = "intended", **overrides: Any) -> "Runtime":
        """The dev chain: Alice..Ferdie funded (1,000,000 TNT each), Alice sudo and validator."""
        return cls(GenesisConfig.dev(seed=seed, profile=profile, **overrides))

    def _apply_constant_overrides(self, overrides: dict[str, dict[str, Any]]) -> None:
        for pallet_name, values in overrides.items():
            pallet = self.pallets.get(pallet_name)
            if pallet is None or pallet.consts is None:
                raise ParamError(f"constants.{pallet_name}", f"no pallet with constants named {pallet_name!r}")
            pallet.consts = constants_with(pallet.consts, values, f"constants.{pallet_name}")
            self._base_consts[pallet_name] = pallet.consts

    def register_validator(self, check: Callable[[Origin, CallSpec, tuple], None]) -> None:
        """Add a transaction-validity check (a signed extension such as CheckNominatedRestaked)."""
        self._validators.append(check)

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, origin: Any, call_module: str, call_function: str, call_params: dict[str, Any] | None = None, *, raise_error: bool = True) -> ExtrinsicReceipt:
        """Dispatch one call in the current block.

        Bad input (unknown call, malformed params, unrecognisable origin) raises ValueError naming the
        field and is not recorded; nothing changes. A dispatch error rolls back the call's writes and
        events and is raised (or returned in the receipt when ``raise_error=False``).
        """
        entry = self._calls.get((call_module, call_function))
        if entry is None:
            raise UnknownCall(self._unknown_call_message(call_module, call_function))
        spec, pallet = entry
        org = to_origin(origin)
        try:
            args = spec.decode(call_params)
        except ParamError as exc:
            raise ParamError(f"{call_module}.{call_function}.{exc.path}", exc.reason) from None
        for check in self._validators:
            check(org, spec, args)
        db = self.db
        events = db.events
        n_before = len(events)
        idx = self._extrinsic_idx
        self._phase = "ApplyExtrinsic"
        fee = 0
        if org.kind == "signed":
            if self.genesis.transaction_fees and spec.pays_fee:
                fee = self._charge_fee(org.who, spec)  # type: ignore[arg-type]
            self._system.inc_nonce(org.who)  # type: ignore[attr-defined]
        error: DispatchError | None = None
        db.begin()
        try:
            spec.fn(pallet, org, *args)
        except DispatchError as exc:
            db.rollback()
            error = exc
        except _INTERRUPTS:
            db.rollback()  # the process is being stopped (a signal, Ctrl-C): not the pallet's panic; say so as it is
            raise
        except BaseException as exc:
            db.rollback()
            self._extrinsic_idx += 1
            raise RuntimePanic(f"{call_module}.{call_function} panicked (rolled back): {exc!r}") from exc
        else:
            db.commit()
        self._extrinsic_idx = idx + 1
        block = self._block
        block_hash = self._block_hash_cache.get(block) or self.block_hash(block)  # (the block's hash is cached while it is built)
        receipt = ExtrinsicReceipt(call_module, call_function, block, idx, block_hash, error, events[n_before:], fee, spec.weight)
        self.call_log.append(CallRecord(block, idx, org, spec, args, "ok" if error is None else error.qualified_name))
        if error is not None:
            if raise_error:
                error.receipt = receipt
                raise error
            _drop_frames(error)
        return receipt

    def _dispatch_nested(self, origin: Any, call: Any) -> None:
        entry = self._calls.get((call.call_module, call.call_function))
        if entry is None:
            raise UnknownCall(self._unknown_call_message(call.call_module, call.call_function))
        spec, pallet = entry
        org = to_origin(origin)
        self.db.transactional(lambda: spec.fn(pallet, org, *call.args))

    def _charge_fee(self, who: str, spec: CallSpec) -> int:
        cfg = self.genesis.fees
        fee = cfg.base_fee + spec.weight * cfg.fee_per_weight // 10**12
        balances = self.pallets["Balances"]
        try:
            self.db.transactional(lambda: balances.withdraw_fee(who, fee))  # type: ignore[attr-defined]
        except DispatchError:
            raise InvalidTransaction("Inability to pay some fees (e.g. account balance too low)") from None
        return fee

    def _unknown_call_message(self, module: str, function: str) -> str:
        if module not in self.pallets:
            return f"unknown pallet {module!r}; the simulator implements {sorted(self.pallets)}"
        names = sorted(type(self.pallets[module]).call_specs())
        import difflib

        close = difflib.get_close_matches(function, names, n=3)
        hint = f"; did you mean {close}?" if close else ""
        return f"unknown call {module}.{function}{hint} (implemented: {names})"

    # ------------------------------------------------------------------ blocks and hooks
    @property
    def block_number(self) -> int:
        return self._block

    def block_hash(self, n: int) -> str:
        cached = self._block_hash_cache.get(n)
        if cached is None:
            cached = "0x" + hashlib.blake2b(f"tangle-sim/{self.genesis.seed}/block/{n}".encode(), digest_size=32).hexdigest()
            if len(self._block_hash_cache) >= _BLOCK_HASH_CACHE:  # bounded: a long run hashes millions of blocks
                self._block_hash_cache.clear()
            self._block_hash_cache[n] = cached
        return cached

    @property
    def genesis_hash(self) -> str:
        return self.block_hash(0)

    def _run_hooks(self, hook: str, arg: int, exclude: tuple[str, ...] = ()) -> None:
        db = self.db
        for pallet in self._hooks[hook]:
            if exclude and pallet.name in exclude:
                continue
            if self.hook_trace is not None:
                self.hook_trace.append((self._block, pallet.name, hook))
            db.begin()
            try:
                getattr(pallet, hook)(arg)
            except _INTERRUPTS:
                db.rollback()
                raise
            except BaseException as exc:
                db.rollback()
                raise RuntimePanic(f"{pallet.name}.{hook}({arg}) failed at block {self._block}: {exc!r}") from exc
            db.commit()

    def _initialize_block(self, n: int) -> None:
        self._block = n
        self._phase = "Initialization"
        self._extrinsic_idx = 0
        system = self._system
        system.initialize(n, self._block_hash_cache.get(n - 1) or self.block_hash(n - 1))  # type: ignore[attr-defined]
        for up in self._upgrades:
            if up.at_block == n:
                self._enact_upgrade(up)
        if system.code_pending():  # type: ignore[attr-defined]
            self._enact_code_upgrade(n)
        self._run_hooks("on_initialize", n)
        self._phase = "ApplyExtrinsic"

    def _finalize_block(self) -> None:
        self._phase = "Finalization"
        self._run_hooks("on_finalize", self._block)
        self.event_log.extend(self.db.events)
        self.db.events.clear()
        if not self.db.depth:
            # inside a caller's transaction (a fuzz step waiting through blocks) the journal is the
            # caller's: it reads every block's writes off it, and a rollback must reach them
            self.db.journal.clear()

    def advance_blocks(self, n: int = 1) -> None:
        """Finalize the current block and build ``n`` new ones (hooks run for each).

        Runs of idle blocks (no pallet's hook acts, no upgrade is enacted) are crossed in one step
        that leaves exactly the state stepping would (System's block number, parent hash and
        block-hash window) and no events: the cost is per scheduled event, not per block."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"advance_blocks: n must be a non-negative integer, got {n!r}")
        target = self._block + n
        if target > MAX_BLOCK:
            raise ValueError(f"advance_blocks: block {target:,} is past the last block a u32 BlockNumber can number ({MAX_BLOCK:,})")
        while self._block < target:
            if self.skip_idle_blocks and self.hook_trace is None and target - self._block > 1:
                # cross the idle blocks and initialize the first busy one (or the target) directly:
                # stopping one block short of it cost an idle block's hooks and finalization per jump
                m = min(self._next_busy_block(self._block + 1, target), target)
                if m > self._block + 1:
                    self._finalize_block()
                    self._skip_to(m)
                    continue
            self._finalize_block()
            self._initialize_block(self._block + 1)

    def _next_busy_block(self, first: int, last: int) -> int:
        """The first block in [first, last] at which a hook may act or an upgrade is enacted
        (``last + 1`` if none)."""
        busy = last + 1
        if self._system.code_pending():  # type: ignore[attr-defined]
            return first
        for up in self._upgrades:
            if first <= up.at_block < busy:
                busy = up.at_block
                break
        for pallet in self._block_hook_pallets:
            declare = getattr(pallet, "next_hook_block", None)
            if declare is None:
                return first
            nxt = declare(first)
            if nxt is not None and nxt < busy:
                if nxt <= first:
                    return first
                busy = nxt
        return busy

    def _skip_to(self, m: int) -> None:
        """Become block ``m`` as if every block after the current one up to ``m`` had been built
        (their hooks are no-ops: ``_next_busy_block`` said so), then stand in ``m`` like
        ``_initialize_block`` leaves it."""
        a = self._block + 1  # the first skipped block
        system = self._system
        keep = system.consts.BlockHashCount  # type: ignore[attr-defined]
        block_hash = system.storage.BlockHash  # type: ignore[attr-defined]
        # System.initialize(k) inserts BlockHash[k-1] and, once k-1 > keep, removes BlockHash[k-1-keep]:
        # blocks a..m remove the keys lo..oldest_kept (a range, not a scan of the 257-key window,
        # which was a third of a session rotation's cost in the fuzz world)
        oldest_kept = m - 1 - keep
        lo = max(1, a - 1 - keep)
        if oldest_kept >= lo:
            if oldest_kept - lo < len(block_hash):
                gone = [k for k in range(lo, oldest_kept + 1) if k in block_hash]
            else:  # a jump longer than the window: every key in the range is one of the window's
                gone = [k for k in block_hash.keys() if lo <= k <= oldest_kept]
            for key in gone:
                block_hash.remove(key)
        self._block = m - 1
        cached = self._block_hash_cache.get
        for k in range(max(a, oldest_kept + 1, 1), m):
            block_hash.insert(k - 1, bytes.fromhex((cached(k - 1) or self.block_hash(k - 1))[2:]))
        self._initialize_block(m)

    def run_to_block(self, n: int) -> None:
        """Advance until the current block is ``n``."""
        if not isinstance(n, int) or isinstance(n, bool):
            raise ValueError(f"run_to_block: target must be a block number (an integer), got {type(n).__name__} {str(n)[:40]!r}")
        if n < self._block:
            raise ValueError(f"run_to_block: target {n} is before the current block {self._block}")
        self.advance_blocks(n - self._block)

    def advance_sessions(self, n: int = 1) -> None:
        """Advance to the first block of the ``n``-th next session (= MultiAssetDelegation round)."""
        session = self.pallets["Session"]
        self._check_span("advance_sessions", n, self.genesis.session_length)
        target = session.current_index() + n  # type: ignore[attr-defined]
        while session.current_index() < target:  # type: ignore[attr-defined]
            self.advance_blocks(session.blocks_until_next_session())  # type: ignore[attr-defined]

    advance_rounds = advance_sessions

    def advance_eras(self, n: int = 1) -> None:
        """Advance until ``n`` more staking eras have started."""
        self._check_span("advance_eras", n, self.genesis.session_length * self.genesis.sessions_per_era)
        target = self.current_era + n
        while self.current_era < target:
            self.advance_sessions(1)

    def _check_span(self, what: str, n: Any, blocks_each: int) -> None:
        """Refuse, before any block is built, ``n`` sessions or eras that are not a count or would
        run past the last u32 block (it would otherwise fail there, after hours of work)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f"{what}: n must be a non-negative integer, got {n!r}")
        if self._block + n * blocks_each > MAX_BLOCK:
            raise ValueError(f"{what}: {n:,} would run past the last block a u32 BlockNumber can number ({MAX_BLOCK:,})")

    @property
    def current_session(self) -> int:
        return self.pallets["Session"].current_index()  # type: ignore[attr-defined]

    @property
    def current_round(self) -> int:
        """MultiAssetDelegation's round (the session index on testnet)."""
        mad = self.pallets.get("MultiAssetDelegation")
        if mad is not None:
            return mad.get_current_round()  # type: ignore[attr-defined]
        return self.current_session

    @property
    def current_era(self) -> int:
        """Staking's active era (0 before staking exists)."""
        staking = self.pallets.get("Staking")
        if staking is not None:
            return staking.active_era()  # type: ignore[attr-defined]
        return self.current_session // self.genesis.sessions_per_era

    # ------------------------------------------------------------------ upgrades
    def _check_upgrade(self, config: UpgradeConfig, previous: int) -> RuntimeUpgrade:
        """Resolve an upgrade and validate its constant names (raises ValueError naming the field)."""
        up = resolve(config, previous)
        for pallet_name, values in up.constants.items():
            pallet = self.pallets.get(pallet_name)
            if pallet is None or pallet.consts is None:
                raise ParamError(f"upgrades.constants.{pallet_name}", f"no pallet with constants named {pallet_name!r}")
            constants_with(pallet.consts, values, f"upgrades.constants.{pallet_name}")  # validate names and values now
        return up

    def _add_upgrade(self, config: UpgradeConfig) -> RuntimeUpgrade:
        previous = max([GENESIS_SPEC_VERSION] + [u.spec_version for u in self._upgrades])
        up = self._check_upgrade(config, previous)
        if any(u.at_block == up.at_block for u in self._upgrades):
            raise ValueError(f"upgrades: two upgrades at block {up.at_block}")
        self._upgrades.append(up)
        self._upgrades.sort(key=lambda u: u.at_block)
        return up

    def schedule_upgrade(self, config: UpgradeConfig | dict | str, at_block: int | None = None) -> RuntimeUpgrade:
        """Schedule a runtime upgrade (by name from ``runtime.upgrades.KNOWN_UPGRADES`` or spelled out)."""
        if isinstance(config, str):
            config = UpgradeConfig(name=config, at_block=at_block if at_block is not None else self._block + 1)
        elif isinstance(config, dict):
            config = UpgradeConfig.model_validate(config)
        if config.at_block <= self._block:
            raise ValueError(f"schedule_upgrade: at_block {config.at_block} is not in the future (current block {self._block})")
        up = self._add_upgrade(config)
        self._upgrades_from_log.append(config.model_dump(mode="json"))
        return up

    def scheduled_upgrades_after_genesis(self) -> list[dict[str, Any]]:
        return list(self._upgrades_from_log)

    def _enact_code_upgrade(self, n: int) -> None:
        """Run the ``:code`` a previous block set (System.set_code, apply_authorized_upgrade) from
        block ``n`` on: its rules, ``LastRuntimeUpgrade``, ``on_runtime_upgrade``. It is kept with the
        scheduled upgrades so a restored snapshot re-derives the same rules."""
        from runtime.upgrades import read_code

        system = self.pallets["System"]
        code = system.take_pending_code()  # type: ignore[attr-defined]
        if code is None:
            return
        config = read_code(code).config.model_copy(update={"at_block": n})
        up = self._check_upgrade(config, 0)  # set_code checked the version (or was told not to)
        self._upgrades.append(up)
        self._upgrades.sort(key=lambda u: u.at_block)
        self._apply_upgrade_rules(up)
        system.note_runtime_upgrade(up.spec_version, emit=False)  # type: ignore[attr-defined]
        self._run_hooks("on_runtime_upgrade", up.spec_version)

    def _enact_upgrade(self, up: RuntimeUpgrade) -> None:
        self._apply_upgrade_rules(up)
        self.pallets["System"].note_runtime_upgrade(up.spec_version)  # type: ignore[attr-defined]
        self._run_hooks("on_runtime_upgrade", up.spec_version)

    def _apply_upgrade_rules(self, up: RuntimeUpgrade) -> None:
        for pallet_name, values in up.constants.items():
            pallet = self.pallets[pallet_name]
            pallet.consts = constants_with(pallet.consts, values, f"constants.{pallet_name}")
        if up.quirks:
            active = set(self._active_quirks)
            for key, on in up.quirks.items():
                (active.add if on else active.discard)(key)
            self._active_quirks = frozenset(active)

    def _rederive_rules(self) -> None:
        """Constants and quirks as they stand at the current block (after a restore)."""
        for name, consts in self._base_consts.items():
            self.pallets[name].consts = consts
        self._active_quirks = self.profile.quirks
        for up in self._upgrades:
            if up.at_block <= self._block:
                self._apply_upgrade_rules(up)

    @property
    def spec_version(self) -> int:
        return self.pallets["System"].spec_version()  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ state
    def query(self, module: str, storage_function: str, params: list[Any] | None = None) -> QueryResult:
        """Read storage by its real name, with keys in substrate-interface's shape (like ``substrate.query``)."""
        item = self.db.item(module, storage_function)
        params = list(params or [])
        codecs = item.key_codecs()
        if len(params) != len(codecs):
            raise ParamError("params", f"{module}.{storage_function} takes {len(codecs)} key(s), got {len(params)}")
        keys = [c.decode(v, f"params[{i}]") for i, (c, v) in enumerate(zip(codecs, params))]
        key = None if not keys else (keys[0] if len(keys) == 1 else tuple(keys))
        raw = item.get(key)
        custom = getattr(self.pallets.get(module), "render_query", None)
        if custom is not None:
            rendered = custom(storage_function, key, raw)
            if rendered is not NotImplemented:
                return QueryResult(rendered, raw)
        return QueryResult(None if raw is None else item.value_codec().encode(raw), raw)

    def query_map(self, module: str, storage_function: str, params: list[Any] | None = None) -> list[tuple[Any, Any]]:
        """All entries of a map (optionally under a first-key prefix) as (encoded key, encoded value)."""
        item = self.db.item(module, storage_function)
        codecs = item.key_codecs()
        vcodec = item.value_codec()
        out = []
        prefix = None
        if params:
            prefix = codecs[0].decode(params[0], "params[0]")
        for key, value in item.items():
            parts = key if isinstance(key, tuple) and len(codecs) > 1 else (key,)
            if prefix is not None and parts[0] != prefix:
                continue
            enc_key = [c.encode(k) for c, k in zip(codecs, parts)]
            out.append((enc_key[0] if len(enc_key) == 1 else enc_key, vcodec.encode(value)))
        return out

    def state_root(self) -> str:
        """A digest over all chain storage: equal states give equal roots on any machine."""
        return self.db.state_root()

    def snapshot(self) -> RuntimeSnapshot:
        """Save the whole runtime for a what-if branch (shallow copies of immutable values)."""
        if self.db.depth:
            raise RuntimeError("snapshot() inside a dispatch")
        return RuntimeSnapshot(
            storage=self.db.snapshot(),
            block=self._block,
            phase=self._phase,
            extrinsic_idx=self._extrinsic_idx,
            event_log_len=len(self.event_log),
            event_log=list(self.event_log),
            call_log=list(self.call_log),
            contract_log=list(self.contract_log),
            upgrades=(list(self._upgrades), list(self._upgrades_from_log)),
        )

    def restore(self, snap: RuntimeSnapshot) -> None:
        """Return to a snapshot; may be called any number of times on the same snapshot."""
        storage: Snapshot = snap.storage
        self.db.restore(storage)
        self._block = snap.block
        self._phase = snap.phase
        self._extrinsic_idx = snap.extrinsic_idx
        self.event_log = list(snap.event_log)
        self.call_log = list(snap.call_log)
        # contracts deployed after the snapshot stay deployed (they are Python objects, not state),
        # so their deployments stay in the log, now after the restored calls; mints were state: gone
        later = [r for r in self.contract_log[len(snap.contract_log):] if r.data["action"] == "deploy"]
        self.contract_log = list(snap.contract_log) + [ContractRecord(r.block, min(r.position, len(self.call_log)), r.data) for r in later]
        self._upgrades, self._upgrades_from_log = list(snap.upgrades[0]), list(snap.upgrades[1])
        self._rederive_rules()

    @property
    def events(self) -> list[EventRecord]:
        """Events of the current block so far."""
        return list(self.db.events)

    def all_events(self) -> list[EventRecord]:
        """Every event since genesis, in order."""
        return self.event_log + self.db.events

    def events_named(self, name: str, since_block: int = 0) -> list[EventRecord]:
        return [e for e in self.all_events() if e.block >= since_block and e.matches(name)]

    # ------------------------------------------------------------------ introspection
    def supported_calls(self, kind: str = "all") -> dict[str, list[str]]:
        """``{pallet: [call names]}`` implemented by the simulator; ``kind`` is all, real or extension."""
        if kind not in ("all", "real", "extension"):
            raise ValueError("kind must be 'all', 'real' or 'extension'")
        out: dict[str, list[str]] = {}
        for (pallet, name), (spec, _) in self._calls.items():
            if kind == "real" and spec.extension or kind == "extension" and not spec.extension:
                continue
            out.setdefault(pallet, []).append(name)
        return {p: sorted(names) for p, names in out.items()}

    def call_spec(self, module: str, function: str) -> CallSpec:
        entry = self._calls.get((module, function))
        if entry is None:
            raise UnknownCall(self._unknown_call_message(module, function))
        return entry[0]

    def constants(self, pallet: str) -> Any:
        """The constants a pallet runs with right now (after genesis overrides and upgrades)."""
        return self.pallets[pallet].consts

    def _record_contract(self, data: dict[str, Any]) -> None:
        if self.db.depth == 0:
            self.contract_log.append(ContractRecord(self._block, len(self.call_log), data))

    def log_records(self) -> list[CallRecord | ContractRecord]:
        """Calls and contract records (deployments, mints) in the order they happened: what a
        call log file holds between its genesis and end lines."""
        return merged_records(self.call_log, self.contract_log)

    def export_log(self, target: str | Path | IO[str]) -> int:
        """Write the call log as JSON lines (see :mod:`runtime.calllog`)."""
        return write_log(self, target)

    # ------------------------------------------------------------------ convenience for tests and demos
    def free_balance(self, who: str) -> int:
        """Free TNT of ``who``, resolved exactly as ``dispatch`` resolves an origin (dev names,
        ``//Name``, SS58, 0x-hex); an unknown name raises ValueError instead of reading 0."""
        return self.pallets["Balances"].free_balance(self.account(who))  # type: ignore[attr-defined]

    def reserved_balance(self, who: str) -> int:
        """Reserved TNT of ``who`` (names resolved as in :meth:`free_balance`)."""
        return self.pallets["Balances"].reserved_balance(self.account(who))  # type: ignore[attr-defined]

    def asset_balance(self, asset_id: int, who: str) -> int:
        """``who``'s balance of pallet_assets asset ``asset_id`` (names resolved as in :meth:`free_balance`)."""
        return self.pallets["Assets"].balance(asset_id, self.account(who))  # type: ignore[attr-defined]

    def account(self, who: str) -> Any:
        from runtime.accounts import normalize_account

        return normalize_account(who)

    def accounts(self, names: Iterable[str]) -> list[str]:
        return [self.account(n) for n in names]
