"""The call log: every dispatched call, exportable as JSON lines and replayable.

Format (one JSON object per line):

* ``{"kind": "genesis", "format": 1, "genesis": {...}}`` - first line, the full genesis config;
* ``{"kind": "upgrade", ...}`` - a runtime upgrade scheduled after genesis;
* ``{"kind": "call", "block": 12, "index": 0, "origin": "5Grw...", "call_module": "Balances",
  "call_function": "transfer_keep_alive", "call_params": {...}, "outcome": "ok" | "Pallet.Error",
  "extension": false}`` - params exactly as ``compose_call`` takes them;
* ``{"kind": "contract", "block": 3, "action": "deploy", "address": "0x...", "contract": "manager",
  "factory": "package.module:Class" | null, "source": "path/to/module.py" | null}`` - a contract
  (service manager, ERC-20 token) deployed between calls; ``{"kind": "contract", "action": "mint",
  "address": "0x...", "to": "0x...", "amount": 5}`` - ERC-20 tokens minted from outside any call;
* ``{"kind": "end", "block": 40, "state_root": "0x..."}`` - last line, written on export.

Replaying a log into a fresh runtime built from its genesis advances to each call's block, dispatches
it, and must reproduce every outcome and the final state root.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

if TYPE_CHECKING:
    from runtime.origin import Origin
    from runtime.pallet import CallSpec
    from runtime.runtime import Runtime

FORMAT_VERSION = 1


class CallRecord:
    """One dispatched call. Arguments are kept as internal (immutable) values and rendered lazily."""

    __slots__ = ("block", "index", "origin", "spec", "args", "outcome")

    def __init__(self, block: int, index: int, origin: "Origin", spec: "CallSpec", args: tuple, outcome: str) -> None:
        self.block = block
        self.index = index
        self.origin = origin
        self.spec = spec
        self.args = args
        self.outcome = outcome

    @property
    def call_module(self) -> str:
        return self.spec.pallet

    @property
    def call_function(self) -> str:
        return self.spec.name

    @property
    def call_params(self) -> dict[str, Any]:
        return self.spec.encode(self.args)

    @property
    def success(self) -> bool:
        return self.outcome == "ok"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "call",
            "block": self.block,
            "index": self.index,
            "origin": self.origin.to_json(),
            "call_module": self.spec.pallet,
            "call_function": self.spec.name,
            "call_params": self.call_params,
            "outcome": self.outcome,
            "extension": self.spec.extension,
        }

    def __repr__(self) -> str:
        return f"<call #{self.block}-{self.index} {self.origin!r} {self.spec.pallet}.{self.spec.name} -> {self.outcome}>"


class ContractRecord:
    """Something done to a contract from outside any call (deployed, tokens minted): not a call, but
    later calls depend on it, so the log keeps it at its place among the calls."""

    __slots__ = ("block", "position", "data")

    def __init__(self, block: int, position: int, data: dict[str, Any]) -> None:
        self.block = block
        self.position = position  # how many calls were logged before it
        self.data = data

    def to_json(self) -> dict[str, Any]:
        return {"kind": "contract", "block": self.block, **self.data}

    def __repr__(self) -> str:
        return f"<contract {self.data.get('action')} {self.data.get('address')} at block {self.block}>"


def merged_records(calls: list[CallRecord], contracts: list[ContractRecord]) -> list[CallRecord | ContractRecord]:
    """Calls and contract records in the order they happened."""
    if not contracts:
        return list(calls)
    out: list[CallRecord | ContractRecord] = []
    done = 0
    for rec in contracts:
        out += calls[done:rec.position]
        done = max(done, rec.position)
        out.append(rec)
    out += calls[done:]
    return out


@dataclass
class LogEntry:
    """A parsed line of a call log file."""

    kind: str
    data: dict[str, Any]
    line: int


class CallLogError(ValueError):
    """A call log file is malformed; the message names the line."""


def read_log(source: str | Path | IO[str] | Iterable[str]) -> Iterator[LogEntry]:
    """Parse a JSON-lines call log, with errors that name the offending line."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise CallLogError(f"{path}: no such call log")
        handle: Iterable[str] = path.read_text().splitlines()
    else:
        handle = source
    for lineno, raw in enumerate(handle, start=1):
        raw = raw.strip()
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CallLogError(f"line {lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict) or "kind" not in data:
            raise CallLogError(f"line {lineno}: expected an object with a 'kind' field")
        if data["kind"] not in ("genesis", "call", "upgrade", "contract", "end"):
            raise CallLogError(f"line {lineno}: unknown kind {data['kind']!r}")
        if data["kind"] == "call":
            for key in ("block", "origin", "call_module", "call_function", "call_params"):
                if key not in data:
                    raise CallLogError(f"line {lineno}: call entry lacks {key!r}")
        if data["kind"] == "contract":
            _check_contract_entry(data, lineno)
        yield LogEntry(data["kind"], data, lineno)


_CONTRACT_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "deploy": {"address": (str,), "contract": (str,), "factory": (str, type(None)), "source": (str, type(None))},
    "mint": {"address": (str,), "to": (str,), "amount": (int,)},
}


def _check_contract_entry(data: dict[str, Any], lineno: int) -> None:
    fields = _CONTRACT_FIELDS.get(data.get("action"))  # type: ignore[arg-type]
    if fields is None:
        raise CallLogError(f"line {lineno}: contract entry has unknown action {data.get('action')!r} (expected one of {sorted(_CONTRACT_FIELDS)})")
    if not isinstance(data.get("block"), int):
        raise CallLogError(f"line {lineno}: contract entry lacks an integer 'block'")
    for key, types in fields.items():
        if not isinstance(data.get(key), types) or isinstance(data.get(key), bool):
            raise CallLogError(f"line {lineno}: contract entry's {key!r} must be {' or '.join(t.__name__ for t in types)}, got {data.get(key)!r}")
    if data["action"] == "deploy" and data["contract"] not in ("manager", "erc20"):
        raise CallLogError(f"line {lineno}: a deployed contract is a 'manager' or an 'erc20', got {data['contract']!r}")


def write_log(rt: "Runtime", target: str | Path | IO[str]) -> int:
    """Write ``rt``'s genesis, upgrades, calls and contract records as JSON lines; returns the number of calls."""
    lines = [json.dumps({"kind": "genesis", "format": FORMAT_VERSION, "genesis": rt.genesis.model_dump(mode="json")})]
    for upgrade in rt.scheduled_upgrades_after_genesis():
        lines.append(json.dumps({"kind": "upgrade", **upgrade}))
    for record in rt.log_records():
        lines.append(json.dumps(record.to_json()))
    lines.append(json.dumps({"kind": "end", "block": rt.block_number, "state_root": rt.state_root()}))
    text = "\n".join(lines) + "\n"
    if isinstance(target, (str, Path)):
        Path(target).write_text(text)
    else:
        target.write(text)
    return len(rt.call_log)


@dataclass
class Divergence:
    line: int
    what: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"line {self.line}: {self.what}: log says {self.expected!r}, replay gave {self.actual!r}"


@dataclass
class ReplayResult:
    runtime: "Runtime"
    calls: int
    divergences: list[Divergence]
    expected_root: str | None

    @property
    def ok(self) -> bool:
        return not self.divergences


def replay(source: str | Path | IO[str] | Iterable[str], *, stop_at_first: bool = False, progress: Any = None,
           contracts: Mapping[str, str | Callable[[], Any]] | None = None) -> ReplayResult:
    """Rebuild a runtime from a call log and re-run every call, comparing outcomes and the final root.

    ``contracts`` maps a contract address to its factory (``"module:Name"`` or a callable): for
    contracts the log could not name a factory for, or to replay with another implementation.
    """
    from runtime.genesis import GenesisConfig, UpgradeConfig
    from runtime.runtime import Runtime

    rt: Runtime | None = None
    divergences: list[Divergence] = []
    calls = 0
    expected_root = None
    for entry in read_log(source):
        data = entry.data
        if entry.kind == "genesis":
            if rt is not None:
                raise CallLogError(f"line {entry.line}: a second genesis entry")
            try:
                rt = Runtime(GenesisConfig.model_validate(data.get("genesis", {})))
            except ValueError as exc:
                raise CallLogError(f"line {entry.line}: invalid genesis: {exc}") from None
            continue
        if rt is None:
            raise CallLogError(f"line {entry.line}: the log must start with a genesis entry")
        if entry.kind == "upgrade":
            fields = {k: v for k, v in data.items() if k != "kind"}
            rt.schedule_upgrade(UpgradeConfig.model_validate(fields))
        elif entry.kind == "call":
            _run_to(rt, data["block"], entry.line)
            try:
                receipt = rt.dispatch(data["origin"], data["call_module"], data["call_function"], data["call_params"], raise_error=False)
            except ValueError as exc:
                raise CallLogError(f"line {entry.line}: {exc}") from None
            calls += 1
            outcome = "ok" if receipt.is_success else receipt.error_name
            if "outcome" in data and data["outcome"] != outcome:
                divergences.append(Divergence(entry.line, f"{data['call_module']}.{data['call_function']} outcome", data["outcome"], outcome))
                if stop_at_first:
                    break
            if progress is not None:
                progress(calls)
        elif entry.kind == "contract":
            _run_to(rt, data["block"], entry.line)
            apply_contract_entry(rt, data, entry.line, contracts or {})
        elif entry.kind == "end":
            rt.run_to_block(data.get("block", rt.block_number))
            expected_root = data.get("state_root")
            if expected_root and expected_root != rt.state_root():
                divergences.append(Divergence(entry.line, "final state root", expected_root, rt.state_root()))
    if rt is None:
        raise CallLogError("empty call log")
    return ReplayResult(rt, calls, divergences, expected_root)


def _run_to(rt: "Runtime", block: Any, line: int) -> None:
    """Advance to a log entry's block; logs only go forward in time."""
    if not isinstance(block, int) or isinstance(block, bool) or block < rt.block_number:
        raise CallLogError(f"line {line}: block {block!r} is not >= the current block {rt.block_number}")
    rt.run_to_block(block)


def apply_contract_entry(rt: "Runtime", data: dict[str, Any], line: int, overrides: Mapping[str, str | Callable[[], Any]] | None = None) -> None:
    """Redo a logged deployment or mint on ``rt`` (``overrides``: address -> factory)."""
    from pallets.services.manager import normalize_address
    from runtime.factories import FactoryError, load_factory

    services: Any = rt.pallets.get("Services")
    if services is None:
        raise CallLogError(f"line {line}: the log touches a contract but this runtime has no Services pallet")
    try:
        address = normalize_address(data["address"])
    except ValueError as exc:
        raise CallLogError(f"line {line}: {exc}") from None
    if data["action"] == "mint":
        token = services.contracts.get(address)
        if token is None or not hasattr(token, "mint"):
            raise CallLogError(f"line {line}: tokens minted at {address}, where no ERC-20 token is deployed")
        token.mint(data["to"], data["amount"])
        return
    try:
        override = {normalize_address(k): v for k, v in (overrides or {}).items()}.get(address)
    except ValueError as exc:
        raise CallLogError(f"a --contract address: {exc}") from None
    try:
        if callable(override):
            factory = override
        elif isinstance(override, str):
            factory = load_factory(override)
        elif data["factory"]:
            factory = load_factory(data["factory"], data.get("source"))
        else:
            raise CallLogError(
                f"line {line}: the run deployed a {data['contract']} at {address} that no import path rebuilds "
                f"(a local class, a lambda, or a configured instance); name its factory: "
                f"tangle-sim replay LOG --contract {address}=package.module:Factory")
        contract = factory()
    except FactoryError as exc:
        raise CallLogError(f"line {line}: the {data['contract']} at {address}: {exc}") from None
    except CallLogError:
        raise
    except Exception as exc:
        raise CallLogError(f"line {line}: building the {data['contract']} at {address} failed: {exc!r}") from None
    try:
        if data["contract"] == "manager":
            services.register_manager(address, contract, factory=factory)
        else:
            services.register_erc20(address, contract, factory=factory)
    except (TypeError, ValueError) as exc:
        raise CallLogError(f"line {line}: {exc}") from None
