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
* ``{"kind": "runtime", "factory": "package.module:function", "source": "/abs/path.py" | null,
  "setup_records": 7}`` - optional, after the genesis: the run's runtime was built by this function
  (an author's blueprint and manager, a patched pallet); replay calls it instead of building from the
  genesis, and skips the first ``setup_records`` calls and contract lines, which it already made;
* ``{"kind": "checks", "state": "package.module:Ledger", "invariants": [{"name": "package.module:fn",
  "source": ...}, ...]}`` - optional: the invariants the run checked. Replay checks them again after
  every call and every advance of time and reports the first that fails (:class:`Violation`), so a
  saved failure says "invariant X fails at line N" while the bug is there and passes once it is fixed;
* ``{"kind": "step", "block": 9, "step": ["call", "5Grw...", "Balances", "burn", {"value": 7}],
  "failure": "panic", "what": "Balances.burn"}`` - optional, before the end: a fuzz program's failing
  step that never became a call record (a panic rolls its call back, malformed input is refused
  before dispatch), or whose failure a call record cannot show (a failed call that changed the
  state). Replay runs it with the fuzz engine's checks (:func:`simulations.fuzz.program.replay_step`)
  and reports "Balances.burn panics at line N" while the bug is there;
* ``{"kind": "end", "block": 40, "state_root": "0x..."}`` - last line, written on export. A log
  without one is incomplete (cut short while copied or written): replay says so.

Replaying a log into a fresh runtime built from its genesis advances to each call's block, dispatches
it, and must reproduce every outcome and the final state root.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping

from pydantic import ValidationError

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


#: a call log line longer than this is refused before it is parsed (a runtime upgrade's code is the
#: longest thing a real call carries; 16 MiB holds it as hex)
MAX_LINE_CHARS = 16 * 2**20


def validation_summary(exc: ValidationError, shown: int = 5) -> str:
    """A pydantic error on one line: ``field.path: message`` per problem (no URL, no input dump),
    the first ``shown`` of them."""
    from runtime.validation_errors import error_lines

    lines = error_lines(exc, root="genesis")
    more = len(lines) - shown
    return "; ".join(lines[:shown]) + (f" (and {more} more)" if more > 0 else "")


class CallLogError(ValueError):
    """A call log file is malformed; the message names the line."""


def read_log(source: str | Path | IO[str] | Iterable[str]) -> Iterator[LogEntry]:
    """Parse a JSON-lines call log, with errors that name the offending line."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise CallLogError(f"{path}: no such call log")
        if path.is_dir():
            raise CallLogError(f"{path}: a directory, not a call log")
        try:
            handle: Iterable[str] = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError as exc:
            raise CallLogError(f"{path}: not a call log (byte {exc.start:,} is not UTF-8 text: a binary file?)") from None
        except OSError as exc:
            raise CallLogError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    else:
        handle = source
    for lineno, raw in enumerate(handle, start=1):
        raw = raw.strip()
        if not raw:
            continue
        if len(raw) > MAX_LINE_CHARS:
            raise CallLogError(f"line {lineno}: {len(raw):,} characters, more than a call log line may hold ({MAX_LINE_CHARS:,})")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CallLogError(f"line {lineno}: not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise CallLogError(f"line {lineno}: values nested too deeply") from None
        except ValueError:  # json only raises this for a number past Python's integer-conversion limit
            raise CallLogError(f"line {lineno}: a number with more than {sys.get_int_max_str_digits():,} digits (no chain value has so many)") from None
        if isinstance(data, list) and data and data[0] in ("call", "bad", "wait"):
            raise CallLogError(f"line {lineno}: a fuzz program's step, not a call log line: replay the call log saved next to "
                               "NAME.program.jsonl, NAME.jsonl")
        if not isinstance(data, dict) or "kind" not in data:
            raise CallLogError(f"line {lineno}: expected an object with a 'kind' field")
        if data["kind"] not in ("genesis", "call", "upgrade", "contract", "end", "checks", "runtime", "step"):
            raise CallLogError(f"line {lineno}: unknown kind {data['kind']!r}")
        if data["kind"] == "call":
            for key in ("block", "origin", "call_module", "call_function", "call_params"):
                if key not in data:
                    raise CallLogError(f"line {lineno}: call entry lacks {key!r}")
        if data["kind"] == "contract":
            _check_contract_entry(data, lineno)
        if data["kind"] == "checks":
            _check_checks_entry(data, lineno)
        if data["kind"] == "runtime":
            _check_runtime_entry(data, lineno)
        if data["kind"] == "step":
            _check_step_entry(data, lineno)
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


def _named(data: Any, lineno: int, what: str) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("name", data.get("factory")), str) or ":" not in data.get("name", data.get("factory")):
        raise CallLogError(f"line {lineno}: {what} must name an importable 'package.module:name', got {str(data)[:80]}")
    if not isinstance(data.get("source"), (str, type(None))):
        raise CallLogError(f"line {lineno}: {what}'s 'source' must be a path or null")


def _check_checks_entry(data: dict[str, Any], lineno: int) -> None:
    if not isinstance(data.get("invariants"), list):
        raise CallLogError(f"line {lineno}: a checks entry lists its 'invariants'")
    for item in data["invariants"]:
        _named(item, lineno, "an invariant")
    if data.get("state") is not None:
        _named({"name": data["state"], "source": data.get("state_source")}, lineno, "the checks' state")


def _check_runtime_entry(data: dict[str, Any], lineno: int) -> None:
    if data.get("factory") is None and isinstance(data.get("unrebuildable"), str):
        pass  # the run's runtime was built by code no import reaches: replay says it cannot rebuild it
    else:
        _named(data, lineno, "a runtime entry")
    if not isinstance(data.get("method"), (str, type(None))) or not (data.get("method") or "x").isidentifier():
        raise CallLogError(f"line {lineno}: a runtime entry's 'method' must be a method name, got {str(data.get('method'))[:40]}")
    if not isinstance(data.get("setup_records"), int) or isinstance(data.get("setup_records"), bool) or data["setup_records"] < 0:
        raise CallLogError(f"line {lineno}: a runtime entry's 'setup_records' must be a count, got {str(data.get('setup_records'))[:40]}")


def _check_step_entry(data: dict[str, Any], lineno: int) -> None:
    step = data.get("step")
    if not (isinstance(step, list) and len(step) == 5 and step[0] in ("call", "bad") and isinstance(step[2], str) and isinstance(step[3], str)):
        raise CallLogError(f"line {lineno}: a step entry's 'step' must be [\"call\" or \"bad\", origin, pallet, function, params], got {str(step)[:80]}")
    if not isinstance(data.get("block"), int) or isinstance(data.get("block"), bool):
        raise CallLogError(f"line {lineno}: a step entry lacks an integer 'block'")


@dataclass(frozen=True)
class Checks:
    """What a log asks replay to check: invariant names (``"package.module:function"``, each with the
    file that defines it, for modules imported under a name only their runner knew) and the factory
    of the state object they share (``None``: they take only the runtime)."""

    invariants: tuple[tuple[str, str | None], ...]
    state: str | None = None
    state_source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "checks", "state": self.state, "state_source": self.state_source,
                "invariants": [{"name": name, "source": source} for name, source in self.invariants]}


@dataclass(frozen=True)
class RuntimeSource:
    """The function that built a run's runtime, and how many log records (calls and contract lines) it made.
    ``method``: ``factory`` names a class, and the runtime is that method of an instance made without
    ``__init__`` (a Hypothesis machine's ``make_runtime``: its ``__init__`` starts an example).
    ``unrebuildable``: no import reaches what built it (``factory`` is None); replay says so."""

    factory: str | None
    source: str | None
    setup_records: int
    method: str | None = None
    unrebuildable: str | None = None

    def to_json(self) -> dict[str, Any]:
        out = {"kind": "runtime", "factory": self.factory, "source": self.source, "setup_records": self.setup_records}
        if self.method is not None:
            out["method"] = self.method
        if self.unrebuildable is not None:
            out["unrebuildable"] = self.unrebuildable
        return out


def write_log(rt: "Runtime", target: str | Path | IO[str], *, checks: Checks | None = None, runtime: RuntimeSource | None = None,
              records: int | None = None, tail: Iterable[dict[str, Any]] = ()) -> int:
    """Write ``rt``'s genesis, upgrades, calls and contract records as JSON lines; returns the number of calls.
    ``checks`` and ``runtime`` add the lines that let replay re-check invariants and rebuild a custom runtime;
    ``records``: only the first that many calls and contract records; ``tail``: lines (a failing
    ``step``) after them, before the end line (which holds ``rt``'s block and root all the same)."""
    lines = [json.dumps({"kind": "genesis", "format": FORMAT_VERSION, "genesis": rt.genesis.model_dump(mode="json")})]
    if runtime is not None:
        lines.append(json.dumps(runtime.to_json()))
    if checks is not None:
        lines.append(json.dumps(checks.to_json()))
    for upgrade in rt.scheduled_upgrades_after_genesis():
        lines.append(json.dumps({"kind": "upgrade", **upgrade}))
    for record in rt.log_records()[:records]:
        lines.append(json.dumps(record.to_json()))
    lines += [json.dumps(extra) for extra in tail]
    lines.append(json.dumps({"kind": "end", "block": rt.block_number, "state_root": rt.state_root()}))
    text = "\n".join(lines) + "\n"
    if isinstance(target, (str, Path)):
        path = Path(target)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text)
        partial.replace(path)  # a crash mid-write never leaves half a log under the real name
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


#: how a failing ``step`` entry's failure reads ("Balances.burn panics at line 9"), by the fuzz engine's kind
_STEP_VERBS = {"panic": "panics", "bad-input": "mishandles bad input", "rollback": "does not roll back", "crash": "crashes"}


@dataclass
class Violation:
    """An invariant the log names failed during replay (``kind`` "invariant"), or a ``step`` entry
    failed the fuzz engine's checks again (``kind``: "panic", "bad-input", "rollback"; ``invariant``
    is then the call, "Balances.burn"). ``before_line``: it failed while time passed before the
    entry at ``line`` (its blocks' hooks), not in the entry itself."""

    line: int
    invariant: str
    message: str
    kind: str = "invariant"
    before_line: bool = False

    def __str__(self) -> str:
        where = f"during the blocks before line {self.line}" if self.before_line else f"at line {self.line}"
        if self.kind == "invariant":
            return f"invariant {self.invariant} fails {where}: {self.message}"
        return f"{self.invariant} {_STEP_VERBS.get(self.kind, 'fails')} {where}: {self.message}"


@dataclass
class ReplayResult:
    runtime: "Runtime"
    calls: int
    divergences: list[Divergence]
    expected_root: str | None
    violation: Violation | None = None
    checked: tuple[str, ...] = ()  # the invariants re-checked (empty: the log names none)
    #: the log ended with its ``end`` line (False: it was cut short, and the replay covers only what it holds)
    complete: bool = True
    #: ``step`` entries that ran without failing: (line, what failed there when the log was made)
    steps_passed: list[tuple[int, str]] = field(default_factory=list)
    #: what built the run's runtime, when no import reaches it (replay then rebuilt the genesis and
    #: replayed every record instead, which leaves out anything else that builder did)
    unrebuilt: str | None = None

    @property
    def ok(self) -> bool:
        return not self.divergences and self.violation is None


class _Checker:
    """Runs a log's invariants on the replaying runtime; remembers the first failure."""

    def __init__(self, checks: dict[str, Any], line: int) -> None:
        from runtime.factories import FactoryError, load_factory

        try:
            self.fns = [(item["name"], load_factory(item["name"], item.get("source"))) for item in checks["invariants"]]
            state = load_factory(checks["state"], checks.get("state_source")) if checks.get("state") else None
        except FactoryError as exc:
            raise CallLogError(f"line {line}: an invariant the log names cannot be loaded: {exc}") from None
        self.state = state() if state is not None else None
        self.violation: Violation | None = None

    def run(self, rt: "Runtime", line: int, before_line: bool = False) -> bool:
        """Check every invariant; False (and :attr:`violation` set) at the first that fails.
        ``before_line``: the state checked is that of the blocks before the entry at ``line``."""
        for name, fn in self.fns:
            try:
                fn(rt, self.state) if self.state is not None else fn(rt)
            except AssertionError as exc:
                self.violation = Violation(line, name, str(exc), before_line=before_line)
                return False
        return True


def replay(source: str | Path | IO[str] | Iterable[str], *, stop_at_first: bool = False, progress: Any = None,
           contracts: Mapping[str, str | Callable[[], Any]] | None = None,
           on_code: Callable[[list[tuple[str, str | None]]], None] | None = None) -> ReplayResult:
    """Rebuild a runtime from a call log and re-run every call, comparing outcomes and the final root.

    ``contracts`` maps a contract address to its factory (``"module:Name"`` or a callable): for
    contracts the log could not name a factory for, or to replay with another implementation.
    ``on_code`` is told the ``(module:name, file)`` pairs a ``checks``, ``runtime`` or ``contract``
    line names before replay imports and runs them (a log is code as much as data).
    """
    from runtime.genesis import GenesisConfig, UpgradeConfig
    from runtime.runtime import Runtime

    rt: Runtime | None = None
    divergences: list[Divergence] = []
    calls = 0
    expected_root = None
    checker: _Checker | None = None
    skip = 0  # records a custom runtime's factory already made
    step_violation: Violation | None = None
    steps_passed: list[tuple[int, str]] = []
    unrebuilt: str | None = None
    ended = False
    for entry in read_log(source):
        data = entry.data
        if entry.kind == "genesis":
            if rt is not None:
                raise CallLogError(f"line {entry.line}: a second genesis entry")
            try:
                rt = Runtime(GenesisConfig.model_validate(data.get("genesis", {})))
            except ValidationError as exc:
                raise CallLogError(f"line {entry.line}: invalid genesis: {validation_summary(exc)}") from None
            except ValueError as exc:
                raise CallLogError(f"line {entry.line}: invalid genesis: {exc}") from None
            continue
        if rt is None:
            raise CallLogError(f"line {entry.line}: the log must start with a genesis entry")
        if on_code is not None and entry.kind in ("checks", "runtime", "contract"):
            on_code(code_named(data))
        if entry.kind == "runtime":
            if calls or rt.call_log:
                raise CallLogError(f"line {entry.line}: a runtime entry must come before any call")
            if data.get("factory") is None:
                # no import reaches what built it: replay the genesis and every record instead, and
                # say so (the result cannot show a fix of anything the builder did besides them)
                unrebuilt = str(data["unrebuildable"])
                continue
            rt = _build_runtime(data, entry.line)
            skip = data["setup_records"]
            if len(rt.log_records()) != skip:
                raise CallLogError(f"line {entry.line}: {data['factory']} made {len(rt.log_records())} calls and contract records, "
                                   f"the log says {skip}: the function changed since the run")
            calls = len(rt.call_log)
            continue
        if entry.kind == "checks":
            checker = _Checker(data, entry.line)
            continue
        if skip and entry.kind in ("call", "contract"):
            skip -= 1
            continue
        if checker is not None and entry.kind in ("call", "contract", "end", "step") and checker.violation is None:
            # time passes before the entry: hooks may break an invariant on the way
            if isinstance(data.get("block"), int) and not isinstance(data.get("block"), bool) and data["block"] > rt.block_number:
                _run_to(rt, data["block"], entry.line)
                if not checker.run(rt, entry.line, before_line=True):
                    break
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
            if checker is not None and not checker.run(rt, entry.line):
                break
        elif entry.kind == "contract":
            _run_to(rt, data["block"], entry.line)
            apply_contract_entry(rt, data, entry.line, contracts or {})
        elif entry.kind == "step":
            _run_to(rt, data["block"], entry.line)
            step_violation = _replay_step(rt, data, entry.line)
            if step_violation is not None:
                break
            steps_passed.append((entry.line, f"{data.get('failure') or 'a failure'} in {data['step'][2]}.{data['step'][3]}"))
            if checker is not None and not checker.run(rt, entry.line):
                break
        elif entry.kind == "end":
            ended = True
            _run_to(rt, data.get("block", rt.block_number), entry.line)
            # (with a checker, the time before this line already passed above, checked as "before line N")
            if checker is not None and not checker.run(rt, entry.line):
                break
            expected_root = data.get("state_root")
            if expected_root and expected_root != rt.state_root():
                divergences.append(Divergence(entry.line, "final state root", expected_root, rt.state_root()))
    if rt is None:
        raise CallLogError("empty call log")
    violation = step_violation or (checker.violation if checker else None)
    # a violation stops the replay early: only a log read to its last line can lack the end line
    return ReplayResult(rt, calls, divergences, expected_root, violation, tuple(name for name, _ in checker.fns) if checker else (),
                        complete=ended or violation is not None or (stop_at_first and bool(divergences)), steps_passed=steps_passed,
                        unrebuilt=unrebuilt)


def _replay_step(rt: "Runtime", data: dict[str, Any], line: int) -> Violation | None:
    """Run a log's failing ``step`` with the fuzz engine's checks; the failure it still shows, or None."""
    from simulations.fuzz.program import replay_step  # the checks are the engine's (imported only for such a log)

    step = data["step"]
    what = f"{step[2]}.{step[3]}"
    try:
        failure = replay_step(rt, step)
    except Exception as exc:  # anything but the engine's own failures is a crash at the boundary
        return Violation(line, what, f"{type(exc).__name__}: {str(exc)[:300]}", kind="crash")
    return Violation(line, failure.what, failure.message, kind=failure.kind) if failure is not None else None


def code_named(data: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The ``(module:name, file)`` pairs a (validated) ``checks``, ``runtime`` or ``contract`` line
    names: what replaying it imports and runs."""
    if data["kind"] == "checks":
        named = [(item["name"], item.get("source")) for item in data["invariants"]]
        return named + ([(data["state"], data.get("state_source"))] if data.get("state") else [])
    if data["kind"] == "runtime" or data.get("action") == "deploy":
        return [(data["factory"], data.get("source"))] if data.get("factory") else []
    return []


def _build_runtime(data: dict[str, Any], line: int) -> "Runtime":
    """Call the function a log names as its runtime's builder."""
    from runtime.factories import FactoryError, load_factory
    from runtime.runtime import Runtime

    try:
        built = load_factory(data["factory"], data.get("source"))
        method = data.get("method")
        if method is not None:
            if not isinstance(built, type):
                raise FactoryError(f"{data['factory']} is not a class with a {method!r} method")
            built = getattr(built.__new__(built), method)  # the machine's own make_runtime, without starting an example
        rt = built()
    except FactoryError as exc:
        raise CallLogError(f"line {line}: the log's runtime: {exc}") from None
    except Exception as exc:
        raise CallLogError(f"line {line}: building the log's runtime with {data['factory']} failed: {exc!r}") from None
    if not isinstance(rt, Runtime):
        raise CallLogError(f"line {line}: {data['factory']} returned {type(rt).__name__}, not a Runtime")
    return rt


def _run_to(rt: "Runtime", block: Any, line: int) -> None:
    """Advance to a log entry's block; logs only go forward in time."""
    if not isinstance(block, int) or isinstance(block, bool):
        raise CallLogError(f"line {line}: 'block' must be a block number (an integer), got {str(block)[:40]!r}")
    if block < rt.block_number:
        raise CallLogError(f"line {line}: block {block} is not >= the current block {rt.block_number}")
    try:
        rt.run_to_block(block)
    except ValueError as exc:  # past the last u32 block
        raise CallLogError(f"line {line}: {exc}") from None


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
