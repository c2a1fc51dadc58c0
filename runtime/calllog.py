"""The call log: every dispatched call, exportable as JSON lines and replayable.

Format (one JSON object per line):

* ``{"kind": "genesis", "format": 1, "genesis": {...}}`` - first line, the full genesis config;
* ``{"kind": "upgrade", ...}`` - a runtime upgrade scheduled after genesis;
* ``{"kind": "call", "block": 12, "index": 0, "origin": "5Grw...", "call_module": "Balances",
  "call_function": "transfer_keep_alive", "call_params": {...}, "outcome": "ok" | "Pallet.Error",
  "extension": false}`` - params exactly as ``compose_call`` takes them;
* ``{"kind": "end", "block": 40, "state_root": "0x..."}`` - last line, written on export.

Replaying a log into a fresh runtime built from its genesis advances to each call's block, dispatches
it, and must reproduce every outcome and the final state root.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator

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
        if data["kind"] not in ("genesis", "call", "upgrade", "end"):
            raise CallLogError(f"line {lineno}: unknown kind {data['kind']!r}")
        if data["kind"] == "call":
            for key in ("block", "origin", "call_module", "call_function", "call_params"):
                if key not in data:
                    raise CallLogError(f"line {lineno}: call entry lacks {key!r}")
        yield LogEntry(data["kind"], data, lineno)


def write_log(rt: "Runtime", target: str | Path | IO[str]) -> int:
    """Write ``rt``'s genesis, upgrades and calls as JSON lines; returns the number of calls."""
    lines = [json.dumps({"kind": "genesis", "format": FORMAT_VERSION, "genesis": rt.genesis.model_dump(mode="json")})]
    for upgrade in rt.scheduled_upgrades_after_genesis():
        lines.append(json.dumps({"kind": "upgrade", **upgrade}))
    for record in rt.call_log:
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


def replay(source: str | Path | IO[str] | Iterable[str], *, stop_at_first: bool = False, progress: Any = None) -> ReplayResult:
    """Rebuild a runtime from a call log and re-run every call, comparing outcomes and the final root."""
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
            block = data["block"]
            if not isinstance(block, int) or block < rt.block_number:
                raise CallLogError(f"line {entry.line}: block {block!r} is not >= the current block {rt.block_number}")
            rt.run_to_block(block)
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
        elif entry.kind == "end":
            rt.run_to_block(data.get("block", rt.block_number))
            expected_root = data.get("state_root")
            if expected_root and expected_root != rt.state_root():
                divergences.append(Divergence(entry.line, "final state root", expected_root, rt.state_root()))
    if rt is None:
        raise CallLogError("empty call log")
    return ReplayResult(rt, calls, divergences, expected_root)
