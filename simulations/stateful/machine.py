"""``RuntimeMachine``: a Hypothesis state machine whose rules are real calls on the runtime.

Subclass it to add rules and invariants for your own blueprint (see docs/stateful.md)::

    class MyMachine(RuntimeMachine):
        @rule(who=RuntimeMachine.accounts)
        def remark(self, who):
            self.call(who, "System", "remark", {"remark": "hi"})

Every rule goes through :meth:`RuntimeMachine.call`, which dispatches without raising, checks
that a failed call left the state root unchanged, and records the call in the runtime's call log.
When a run fails, the (shrunk) call log is written as JSON lines and the one-line replay command is
printed, so the failure can be replayed outside Hypothesis.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from runtime import GenesisConfig, ParamError, Runtime
from runtime.accounts import DEV_NAMES, derive_account
from runtime.receipt import ExtrinsicReceipt
from simulations.stateful import strategies as S
from simulations.stateful.invariants import ALL_INVARIANTS, Ledger

FAILURE_DIR_ENV = "TANGLE_SIM_FAILURE_DIR"


def failure_dir() -> Path:
    return Path(os.environ.get(FAILURE_DIR_ENV, ".hypothesis/tangle-sim-failures"))


class RuntimeMachine(RuleBasedStateMachine):
    """Random call sequences over the whole runtime with every invariant checked after each step."""

    accounts = Bundle("accounts")
    assets = Bundle("assets")

    #: invariant functions (rt, ledger) checked after every step; extend in subclasses
    checks: ClassVar[list[Callable[[Runtime, Ledger], None]]] = list(ALL_INVARIANTS)
    #: genesis of each example; small sessions so rounds and eras pass within a run
    genesis: ClassVar[dict[str, Any]] = {"session_length": 5, "sessions_per_era": 2}

    def __init__(self) -> None:
        super().__init__()
        self.rt = self.make_runtime()
        self.ledger = Ledger()
        self.failed_calls = 0
        self.receipts = 0

    # ------------------------------------------------------------------ construction
    def make_runtime(self) -> Runtime:
        """The runtime each example starts from (override for another genesis or extra pallets)."""
        return Runtime(GenesisConfig.dev(**self.genesis))

    # ------------------------------------------------------------------ the one way rules dispatch
    def call(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> ExtrinsicReceipt:
        """Dispatch without raising; a failed call must leave the state root unchanged."""
        with self.guard():
            root = self.rt.state_root()
            receipt = self.rt.dispatch(origin, module, function, params, raise_error=False)
            self.receipts += 1
            if not receipt.is_success:
                self.failed_calls += 1
                assert self.rt.state_root() == root, f"failed call {module}.{function} ({receipt.error_name}) changed the state root"
                assert receipt.triggered_events == [], f"failed call {module}.{function} kept events"
            return receipt

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Save the call log (and print the replay command) if anything inside fails."""
        try:
            yield
        except BaseException:
            _report(self)
            raise

    def bad_input(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> None:
        """Malformed input must raise ValueError and change nothing (not even the call log)."""
        root, calls = self.rt.state_root(), len(self.rt.call_log)
        try:
            self.rt.dispatch(origin, module, function, params, raise_error=False)
        except ValueError:
            pass
        else:
            raise AssertionError(f"malformed {module}.{function} {params!r} was accepted")
        assert self.rt.state_root() == root and len(self.rt.call_log) == calls

    # ------------------------------------------------------------------ setup
    @initialize(target=accounts)
    def dev_accounts(self) -> Any:
        from hypothesis.stateful import multiple

        return multiple(*(self.rt.account(n) for n in DEV_NAMES), derive_account("fresh-1"), derive_account("fresh-2"))

    # ------------------------------------------------------------------ balances
    @rule(src=accounts, dest=accounts, value=S.amounts(), keep_alive=st.booleans())
    def transfer(self, src: str, dest: str, value: int, keep_alive: bool) -> None:
        fn = "transfer_keep_alive" if keep_alive else "transfer_allow_death"
        self.call(src, "Balances", fn, {"dest": dest, "value": value})

    @rule(src=accounts, dest=accounts, keep_alive=st.booleans())
    def transfer_all(self, src: str, dest: str, keep_alive: bool) -> None:
        self.call(src, "Balances", "transfer_all", {"dest": dest, "keep_alive": keep_alive})

    # ------------------------------------------------------------------ assets
    # The bundle holds (asset id, owner): most calls come from the owner so they get past the
    # permission checks; ``by_owner=False`` sends the same call from anyone (NoPermission paths).
    @rule(target=assets, asset_id=st.integers(min_value=1, max_value=5), owner=accounts, sufficient=st.booleans(), min_balance=st.integers(1, 1000))
    def create_asset(self, asset_id: int, owner: str, sufficient: bool, min_balance: int) -> tuple[int, str]:
        self.call("root", "Assets", "force_create", {"id": asset_id, "owner": owner, "is_sufficient": sufficient, "min_balance": min_balance})
        return (asset_id, owner)

    @rule(asset=assets, other=accounts, who=accounts, amount=S.amounts(), by_owner=S.mostly_true())
    def mint_asset(self, asset: tuple[int, str], other: str, who: str, amount: int, by_owner: bool) -> None:
        self.call(asset[1] if by_owner else other, "Assets", "mint", {"id": asset[0], "beneficiary": who, "amount": amount})

    @rule(asset=assets, src=accounts, dest=accounts, amount=S.amounts(), keep_alive=st.booleans())
    def transfer_asset(self, asset: tuple[int, str], src: str, dest: str, amount: int, keep_alive: bool) -> None:
        self.call(src, "Assets", "transfer_keep_alive" if keep_alive else "transfer", {"id": asset[0], "target": dest, "amount": amount})

    @rule(asset=assets, other=accounts, who=accounts, freeze=st.booleans(), by_owner=S.mostly_true())
    def freeze_or_thaw(self, asset: tuple[int, str], other: str, who: str, freeze: bool, by_owner: bool) -> None:
        self.call(asset[1] if by_owner else other, "Assets", "freeze" if freeze else "thaw", {"id": asset[0], "who": who})

    @rule(asset=assets, other=accounts, who=accounts, amount=S.amounts(), by_owner=S.mostly_true())
    def burn_asset(self, asset: tuple[int, str], other: str, who: str, amount: int, by_owner: bool) -> None:
        self.call(asset[1] if by_owner else other, "Assets", "burn", {"id": asset[0], "who": who, "amount": amount})

    # ------------------------------------------------------------------ time
    @rule(n=st.integers(min_value=1, max_value=12))
    def advance_blocks(self, n: int) -> None:
        with self.guard():
            self.rt.advance_blocks(n)

    @rule()
    def advance_session(self) -> None:
        with self.guard():
            self.rt.advance_sessions(1)

    # ------------------------------------------------------------------ bad input on purpose
    @rule(src=accounts, params=S.malformed_transfer_params())
    def malformed_transfer(self, src: str, params: dict[str, Any]) -> None:
        self.bad_input(src, "Balances", "transfer_keep_alive", params)

    @rule(dest=accounts, value=S.amounts())
    def wrong_origin(self, dest: str, value: int) -> None:
        receipt = self.call("root", "Balances", "transfer_keep_alive", {"dest": dest, "value": value})
        assert receipt.error_name == "BadOrigin"

    @rule(src=accounts, dest=accounts)
    def root_only_call_from_signed(self, src: str, dest: str) -> None:
        receipt = self.call(src, "Balances", "force_transfer", {"source": src, "dest": dest, "value": 1})
        assert receipt.error_name == "BadOrigin"

    # ------------------------------------------------------------------ invariants
    @invariant()
    def runtime_invariants(self) -> None:
        with self.guard():
            for check in self.checks:
                check(self.rt, self.ledger)

    def teardown(self) -> None:
        self.rt = None  # type: ignore[assignment]


def save_failure(machine: RuntimeMachine, name: str | None = None) -> Path:
    """Write the machine's call log (JSON lines) and return its path."""
    directory = failure_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name or type(machine).__name__}.jsonl"
    machine.rt.export_log(path)
    return path


def _report(machine: RuntimeMachine) -> None:
    """Save the call log of the failing example. While Hypothesis shrinks, failures are frequent and
    not final; only the final (minimal) replay is saved, unless we run outside Hypothesis."""
    if getattr(machine, "rt", None) is None:
        return
    try:
        from hypothesis.control import current_build_context

        if not current_build_context().is_final:
            return
    except Exception:  # not inside a Hypothesis run: always save
        pass
    try:
        path = save_failure(machine)
    except Exception:  # pragma: no cover - never mask the real failure
        return
    machine.failure_log = path  # type: ignore[attr-defined]
    print(f"\ntangle-sim: failing call sequence saved; replay it with:\n    tangle-sim replay {path}\n")
