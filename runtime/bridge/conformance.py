"""Conformance: does the simulator name and type everything the way the real runtime does?

Why: a call log is only worth replaying on a node, and a blueprint prototyped here only ports to
the chain, if every pallet, call, argument, error, event, event field and storage item the
simulator declares exists in the real metadata under the same name with a compatible type. This
module compares a :class:`runtime.runtime.Runtime` (whatever pallets it composes, so new pallets
are covered as they land) with a :class:`runtime.bridge.metadata.RuntimeMetadata`.

Statuses: ``implemented`` (present on both sides and compatible), ``missing`` (on chain, not
modelled: informational), ``extension`` (simulator-only call or storage item, declared as such:
never a mismatch) and ``mismatched`` (the simulator declares it as real but the chain disagrees).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import TYPE_CHECKING, Iterable

from runtime.bridge.typecheck import check_type

if TYPE_CHECKING:
    from runtime.bridge.metadata import PalletInfo, RuntimeMetadata
    from runtime.pallet import Pallet
    from runtime.runtime import Runtime

KINDS = ("pallet", "call", "error", "event", "storage", "constant")
STATUSES = ("implemented", "missing", "extension", "mismatched")


@dataclass(frozen=True)
class Finding:
    """One compared item: ``detail`` says what differs (for mismatches) or what it is."""

    pallet: str
    kind: str
    name: str
    status: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.pallet}.{self.name} ({self.kind}) {self.status}"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass
class PalletReport:
    name: str
    sim_index: int
    chain_index: int | None
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    def count(self, kind: str, status: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind and f.status == status)

    @property
    def mismatches(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "mismatched"]

    @property
    def extensions(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "extension"]


@dataclass
class ConformanceReport:
    metadata: str
    spec: str
    pallets: dict[str, PalletReport]

    @property
    def findings(self) -> list[Finding]:
        return [f for p in self.pallets.values() for f in p.findings]

    @property
    def mismatches(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "mismatched"]

    @property
    def extensions(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "extension"]

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def totals(self) -> Counter:
        return Counter((f.kind, f.status) for f in self.findings)


def check_conformance(rt: "Runtime", md: "RuntimeMetadata") -> ConformanceReport:
    """Compare every pallet ``rt`` composes with the metadata, and the events its pallets deposit
    for a pallet it does not compose (the Treasury's ``Deposit``, deposited by its ``OnUnbalanced``
    for Staking and Democracy): those events reach ``System.Events`` too, so their names, indices
    and fields are checked the same way (that pallet's calls, errors and storage are not modelled)."""
    pallets = {}
    for name, pallet in sorted(rt.pallets.items(), key=lambda kv: kv[1].index):
        pallets[name] = _check_pallet(pallet, md)
    for name, event_set in _uncomposed_event_sets().items():
        chain = md.pallets.get(name)
        if name in pallets:
            continue
        report = pallets[name] = PalletReport(name, chain.index if chain else None, chain.index if chain else None)
        if chain is None:
            report.findings.append(Finding(name, "pallet", name, "mismatched", "no pallet of this name in the metadata"))
            continue
        _check_events(SimpleNamespace(name=name, Event=event_set), chain, md, report)  # type: ignore[arg-type]
    return ConformanceReport(md.source, f"{md.spec_name} {md.spec_version} (metadata V{md.version})", pallets)


def _uncomposed_event_sets() -> dict[str, type]:
    from pallets.treasury import Event as TreasuryEvent

    return {TreasuryEvent.__pallet__: TreasuryEvent}


def _check_pallet(pallet: "Pallet", md: "RuntimeMetadata") -> PalletReport:
    name = pallet.name
    chain = md.pallets.get(name)
    report = PalletReport(name, pallet.index, chain.index if chain else None)
    if chain is None:
        report.findings.append(Finding(name, "pallet", name, "mismatched", "no pallet of this name in the metadata"))
        return report
    if chain.index != pallet.index:
        report.findings.append(Finding(name, "pallet", name, "mismatched", f"index {pallet.index} in the simulator, {chain.index} on chain"))
    else:
        report.findings.append(Finding(name, "pallet", name, "implemented", f"index {chain.index}"))
    _check_calls(pallet, chain, md, report)
    _check_errors(pallet, chain, report)
    _check_events(pallet, chain, md, report)
    _check_storage(pallet, chain, md, report)
    _check_constants(pallet, chain, md, report)
    return report


def _check_calls(pallet: "Pallet", chain: "PalletInfo", md: "RuntimeMetadata", report: PalletReport) -> None:
    name = pallet.name
    specs = type(pallet).call_specs()
    for call_name, spec in sorted(specs.items()):
        real = chain.calls.get(call_name)
        if spec.extension:
            note = "simulator extension" if real is None else "declared an extension, but the chain has a call of this name"
            report.findings.append(Finding(name, "call", call_name, "extension", note))
            continue
        if real is None:
            report.findings.append(Finding(name, "call", call_name, "mismatched", _not_found(call_name, chain.calls)))
            continue
        problems = []
        if spec.index is not None and spec.index != real.index:
            problems.append(f"call index {spec.index} vs chain {real.index}")
        if spec.arg_names != real.arg_names:
            problems.append(f"arguments {list(spec.arg_names)} vs chain {list(real.arg_names)}")
        by_name = {a.name: a for a in real.args}
        for arg, codec in zip(spec.arg_names, spec.codecs):
            if arg in by_name:
                check = check_type(codec, md, by_name[arg].type_id, arg)
                problems += check.problems
                report.unchecked += [f"{call_name}: {u}" for u in check.unchecked]
        if problems:
            report.findings.append(Finding(name, "call", call_name, "mismatched", "; ".join(problems)))
        else:
            report.findings.append(Finding(name, "call", call_name, "implemented", f"index {real.index}"))
    for call_name in sorted(set(chain.calls) - set(specs)):
        report.findings.append(Finding(name, "call", call_name, "missing", f"index {chain.calls[call_name].index}: not modelled"))


def declared_extension(owner: object, name: str, item: object = None) -> bool:
    """Is event/error ``name`` declared simulator-only? (``EventSet``/``ErrorSet`` have no marker
    yet; an ``extension`` attribute on the item or an ``__extensions__`` name set on the class is
    honoured as soon as it exists.)"""
    return bool(getattr(item, "extension", False)) or name in getattr(owner, "__extensions__", ())


def _check_errors(pallet: "Pallet", chain: "PalletInfo", report: PalletReport) -> None:
    errors = pallet.Error.__errors__ if pallet.Error is not None else {}
    for err_name, err in sorted(errors.items()):
        real = chain.errors.get(err_name)
        if declared_extension(pallet.Error, err_name, err):
            report.findings.append(Finding(pallet.name, "error", err_name, "extension", "simulator-only error"))
        elif real is None:
            report.findings.append(Finding(pallet.name, "error", err_name, "mismatched", _not_found(err_name, chain.errors)))
        elif err.index is not None and err.index != real.index:
            report.findings.append(Finding(pallet.name, "error", err_name, "mismatched", f"index {err.index} vs chain {real.index}"))
        else:
            report.findings.append(Finding(pallet.name, "error", err_name, "implemented", f"index {real.index}"))
    _missing(report, pallet.name, "error", chain.errors, errors)


def _check_events(pallet: "Pallet", chain: "PalletInfo", md: "RuntimeMetadata", report: PalletReport) -> None:
    events = pallet.Event.__events__ if pallet.Event is not None else {}
    for ev_name, spec in sorted(events.items()):
        real = chain.events.get(ev_name)
        if declared_extension(pallet.Event, ev_name, spec):
            report.findings.append(Finding(pallet.name, "event", ev_name, "extension", "simulator-only event"))
            continue
        if real is None:
            report.findings.append(Finding(pallet.name, "event", ev_name, "mismatched", _not_found(ev_name, chain.events)))
            continue
        problems = []
        if spec.index is not None and spec.index != real.index:
            problems.append(f"index {spec.index} vs chain {real.index}")
        chain_fields = real.field_names
        if spec.fields != chain_fields:
            problems.append(f"fields {list(spec.fields)} vs chain {list(chain_fields)}")
        else:
            for fname, codec, finfo in zip(spec.fields, spec.codecs, real.fields):
                check = check_type(codec, md, finfo.type_id, fname)
                problems += check.problems
                report.unchecked += [f"event {ev_name}: {u}" for u in check.unchecked]
        status = "mismatched" if problems else "implemented"
        report.findings.append(Finding(pallet.name, "event", ev_name, status, "; ".join(problems) or f"index {real.index}"))
    _missing(report, pallet.name, "event", chain.events, events)


def _check_storage(pallet: "Pallet", chain: "PalletInfo", md: "RuntimeMetadata", report: PalletReport) -> None:
    storage_cls = pallet.Storage
    if storage_cls is None:
        _missing(report, pallet.name, "storage", chain.storage, {})
        return
    prefix = storage_cls.__prefix__
    for item_name, decl in sorted(storage_cls.__decls__.items()):
        if decl.extension:
            report.findings.append(Finding(pallet.name, "storage", item_name, "extension", "simulator-only storage"))
            continue
        if prefix != chain.storage_prefix:
            report.findings.append(Finding(pallet.name, "storage", item_name, "mismatched", f"storage prefix {prefix!r} vs chain {chain.storage_prefix!r}"))
            continue
        real = chain.storage.get(item_name)
        if real is None:
            report.findings.append(Finding(pallet.name, "storage", item_name, "mismatched", _not_found(item_name, chain.storage)))
            continue
        problems = []
        if len(decl.keys) != len(real.key_type_ids):
            problems.append(f"{len(decl.keys)} key(s) vs chain {len(real.key_type_ids)}")
        else:
            item = pallet.storage.__dict__.get(item_name) if pallet.storage is not None else None
            if item is not None:
                for i, (codec, tid) in enumerate(zip(item.key_codecs(), real.key_type_ids)):
                    check = check_type(codec, md, tid, f"key{i}")
                    problems += check.problems
                    report.unchecked += [f"storage {item_name}: {u}" for u in check.unchecked]
                check = check_type(item.value_codec(), md, real.value_type_id, "value")
                problems += check.problems
                report.unchecked += [f"storage {item_name}: {u}" for u in check.unchecked]
        status = "mismatched" if problems else "implemented"
        report.findings.append(Finding(pallet.name, "storage", item_name, status, "; ".join(problems) or real.value_type))
    _missing(report, pallet.name, "storage", chain.storage, storage_cls.__decls__)


#: the Python type of a non-integer constant and the chain types it stands for
_PLAIN_CONSTANT_TYPES = {bool: ("bool",), bytes: ("PalletId",), str: ("H160", "AccountId32")}


def _check_constants(pallet: "Pallet", chain: "PalletInfo", md: "RuntimeMetadata", report: PalletReport) -> None:
    """Each constant's declared chain type (which bounds a genesis override, ``check_constant``)
    against the metadata's. A default that differs from the testnet's value is noted, not a
    mismatch: some defaults are chosen for simulation (see each pallet's constants module)."""
    import dataclasses

    from runtime.pallet import constant_codecs

    consts = pallet.consts
    if consts is None or not dataclasses.is_dataclass(consts):
        return
    codecs = constant_codecs(type(consts))
    declared = {f.name for f in dataclasses.fields(consts)}
    for const_name in sorted(declared):
        default = getattr(consts, const_name)
        real = chain.constants.get(const_name)
        if real is None:
            report.findings.append(Finding(pallet.name, "constant", const_name, "extension", "not a metadata constant (a Config value or a simulator parameter)"))
            continue
        codec = codecs.get(const_name)
        if type(default) is int:
            if codec is None:
                status, detail = "mismatched", f"declared a plain int: declare its chain type ({real.resolved})"
            elif codec.type_name == real.resolved or (real.resolved == "Weight" and codec.type_name == "u64"):
                status, detail = "implemented", real.resolved if real.resolved != "Weight" else "Weight (its ref_time)"
            else:
                status, detail = "mismatched", f"declared {codec.type_name}, chain {real.resolved}"
        elif real.resolved in _PLAIN_CONSTANT_TYPES.get(type(default), ()):
            status, detail = "implemented", real.resolved
        else:
            status, detail = "mismatched", f"a {type(default).__name__} here, chain {real.resolved}"
        if status == "implemented":
            chain_value = _constant_value(md, pallet.name, const_name, real.resolved)
            if chain_value is not None and chain_value != default:
                detail += f"; default {default!r} here, {chain_value!r} on testnet"
        report.findings.append(Finding(pallet.name, "constant", const_name, status, detail))
    _missing(report, pallet.name, "constant", chain.constants, dict.fromkeys(declared))


def _constant_value(md: "RuntimeMetadata", pallet: str, name: str, resolved: str) -> object:
    """The chain's value in the simulator's form (a Weight's ref_time, bytes, a lower-case
    address), or None when it cannot be decoded."""
    try:
        value = md.constant_value(pallet, name)
    except Exception:  # noqa: BLE001 - a value the registry cannot decode is only not compared
        return None
    if isinstance(value, dict) and "ref_time" in value:
        return value["ref_time"]
    if isinstance(value, str) and value.startswith("0x") and resolved == "PalletId":
        return bytes.fromhex(value[2:])
    return value


def _missing(report: PalletReport, pallet: str, kind: str, chain_items: dict, declared: dict) -> None:
    for name in sorted(set(chain_items) - set(declared)):
        report.findings.append(Finding(pallet, kind, name, "missing", "on chain, not modelled"))


def _not_found(name: str, available: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(available), n=2)
    hint = f"; did you mean {close}?" if close else ""
    return f"not in the metadata{hint}"
