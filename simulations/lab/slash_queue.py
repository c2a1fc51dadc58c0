"""One slash queue, swappable timing rules.

Every misbehaviour becomes a :class:`SlashRecord` that goes through the same life: proposed, then
vetoed, applied, rejected (the proposal itself was refused) or dropped (never processed). What the
rule changes is *when* a veto can land and *when* the slash takes effect, and, where the rule is a
pallet of the runtime, *how*:

* ``tangle_services`` on an operator (target ``services``) drives the real Services pallet:
  ``Services.slash`` by the service's slashing origin proposes, ``Services.dispute`` by its dispute
  origin vetoes, and the pallet's ``on_initialize`` applies it through MultiAssetDelegation's
  ``SlashManager`` when round ``era + SlashDeferDuration`` starts. The runner only watches storage
  and events.
* ``substrate_staking`` on a validator (target ``staking``) drives the real Staking pallet:
  ``Staking.report_offence`` (Root, standing in for pallet_offences) defers the slash to era
  ``R + SlashDeferDuration + 1``; ``Staking.cancel_deferred_slash`` by the ``slash_cancel`` origin
  vetoes it (the index is recomputed at veto time, since cancelling shifts later entries).
* Every other (rule, target) pair is modelled in Python on the runtime's clock
  (:mod:`simulations.veto_rules`); the veto is a Python decision checked against the rule's deadline.
  At the rule's execution block the slash is applied through the real runtime path with no deferral
  of its own: ``Services.slash`` in a runtime whose Services ``SlashDeferDuration`` is 0 (applied by
  the next block's ``on_initialize``, so one block after the execution block), or
  ``Staking.report_offence`` with Staking's ``SlashDeferDuration`` 0 (applied in the call). The
  stake slashed is the offender's and its exposed delegators' stake *at application*: capture-time
  stake (Symbiotic) is not enforced, which is exactly the "stake may have left before fulfilment"
  property the reference notes ask to check.

Losses per account come from the runtime's events (MultiAssetDelegation ``OperatorSlashed`` /
``DelegatorSlashed``, Staking ``Slashed``), so they are exact base units.

Every record carries its ground truth from the scenario (``justified``: the offender really
misbehaved; False for an injected false accusation) and the block at which it was closed (applied,
vetoed, dropped, failed or rejected), from which :mod:`simulations.lab.outcomes` counts honest
operators slashed, faulty ones escaped and time to resolution. The queue acts through a
:class:`QueuePort` (the loop), not the simulation object.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from runtime import Runtime

from simulations.clock import Clock
from simulations.veto_rules import TangleServicesTiming, Timing, TimingRule

FINAL = ("vetoed", "applied", "rejected", "dropped", "failed")
OPEN = ("scheduled", "pending", "executing")


class QueuePort(Protocol):
    """What the queue needs from the loop: the runtime it drives, scheduling, origins, and the
    hand-over of applied slashes (amounts from the loss ledger, reactions of actors)."""

    rt: Runtime
    clock: Clock

    def dispatch(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> Any: ...

    def schedule(self, block: int, kind: str, arg: Any = None) -> None: ...

    def account(self, actor_id: str) -> str: ...

    def slashing_origin(self, service_id: int | None) -> str: ...

    def dispute_origin(self, service_id: int | None) -> str: ...

    def scan_events(self) -> None: ...

    def is_dropped(self, key: tuple[int, int]) -> bool: ...

    def take_slash_amounts(self, rec: "SlashRecord") -> dict[str, int]: ...

    def on_slash_applied(self, rec: "SlashRecord") -> None: ...

PERBILL_PER_PERCENT = 10_000_000


@dataclass
class SlashRecord:
    slash_id: int
    rule: str
    target: str  # services | staking
    offender: str  # actor id
    percent: int
    disputed: bool
    fault_block: int
    service_id: int | None = None
    blueprint_id: int | None = None
    proposed_block: int | None = None
    timing: Timing | None = None
    status: str = "scheduled"  # scheduled | pending | executing | vetoed | applied | rejected | dropped | failed
    decision: str | None = None  # veto | keep
    veto_block: int | None = None
    applied_block: int | None = None
    native_key: tuple | None = None  # services: (era, index); staking: (apply_era,)
    amount: int = 0  # TNT taken (base units)
    note: str = ""
    native: bool = False
    justified: bool = True  # ground truth: the offender really misbehaved
    closed_block: int | None = None  # when the record reached a final status
    amounts: dict[str, int] = field(default_factory=dict)  # every asset taken, per symbol (base units)

    def row(self) -> dict[str, Any]:
        """The store's slash row."""
        t = self.timing
        return {
            "slash_id": self.slash_id, "rule": self.rule, "target": self.target, "offender": self.offender, "percent": self.percent,
            "disputed": int(self.disputed), "fault_block": self.fault_block, "proposed_block": self.proposed_block,
            "last_veto_block": t.last_veto_block if t else None, "execute_block": t.execute_block if t else None,
            "resolved_block": t.resolved_block if t else None, "decision": self.decision, "veto_block": self.veto_block,
            "applied_block": self.applied_block, "status": self.status, "amount": self.amount, "note": self.note,
            "justified": int(self.justified), "closed_block": self.closed_block,
            "amounts_json": json.dumps({k: str(v) for k, v in sorted(self.amounts.items())}),
        }

    @property
    def veto_window_blocks(self) -> int:
        return self.timing.veto_window_blocks if self.timing else 0


@dataclass
class SlashQueue:
    """The slash queue of one arm; all state is plain data (deep-copied for what-if branches)."""

    rule: str
    timing_rule: TimingRule
    records: list[SlashRecord] = field(default_factory=list)
    changed: set[int] = field(default_factory=set)  # slash ids changed since the last commit

    # -------------------------------------------------------------------- helpers
    def is_native(self, target: str) -> bool:
        return (self.rule, target) in (("tangle_services", "services"), ("substrate_staking", "staking"))

    def new_record(self, **kw: Any) -> SlashRecord:
        rec = SlashRecord(slash_id=len(self.records), rule=self.rule, **kw)
        rec.native = self.is_native(rec.target)
        self.records.append(rec)
        self.changed.add(rec.slash_id)
        return rec

    def touch(self, rec: SlashRecord) -> None:
        self.changed.add(rec.slash_id)

    def take_changed(self) -> list[dict[str, Any]]:
        rows = [self.records[i].row() for i in sorted(self.changed)]
        self.changed.clear()
        return rows

    def pending(self) -> list[SlashRecord]:
        return [r for r in self.records if r.status in ("pending", "executing")]

    def open_records(self) -> list[SlashRecord]:
        """Not resolved yet: detected but not proposed, pending, or being applied."""
        return [r for r in self.records if r.status in OPEN]

    def stamp(self, block: int) -> None:
        """Close the records that reached a final status in ``block``."""
        for i in self.changed:
            rec = self.records[i]
            if rec.closed_block is None and rec.status in FINAL:
                rec.closed_block = block

    # -------------------------------------------------------------------- proposing
    def propose(self, sim: QueuePort, rec: SlashRecord) -> None:
        """Propose ``rec`` now (block ``sim.block``): through the pallet if the rule is native."""
        block = sim.rt.block_number
        rec.proposed_block = block
        self.touch(rec)
        if rec.native and rec.target == "services":
            self._propose_services_native(sim, rec)
        elif rec.native and rec.target == "staking":
            self._propose_staking_native(sim, rec)
        else:
            rec.timing = self.timing_rule.schedule(rec.fault_block, block)
            if rec.timing.rejected:
                rec.status, rec.note = "rejected", rec.timing.rejected
                return
            if rec.timing.execute_block is None:
                rec.status, rec.note = "dropped", "never executed under this rule"
                return
            rec.status = "pending"
            sim.schedule(rec.timing.execute_block, "execute", rec.slash_id)

    def _services_slash(self, sim: QueuePort, rec: SlashRecord) -> str | None:
        """``Services.slash`` by the service's slashing origin; on success remember the unapplied
        slash's (era, index), on failure return the error's name."""
        slasher = sim.slashing_origin(rec.service_id)
        receipt = sim.dispatch(slasher, "Services", "slash", {"offender": sim.account(rec.offender), "service_id": rec.service_id, "slash_percent": rec.percent})
        if not receipt.is_success:
            return receipt.error_name
        ev = receipt.event("Services.UnappliedSlash")
        rec.native_key = (ev["era"], ev["index"])
        return None

    def _propose_services_native(self, sim: QueuePort, rec: SlashRecord) -> None:
        error = self._services_slash(sim, rec)
        if error is not None:
            rec.status, rec.note = "rejected", error
            return
        assert isinstance(self.timing_rule, TangleServicesTiming)
        rec.timing = self.timing_rule.schedule(rec.fault_block, rec.proposed_block)  # type: ignore[arg-type]
        rec.status = "pending"
        if rec.timing.execute_block is None:
            rec.status, rec.note = "dropped", "never processed (its round is already past when it would apply)"
            return
        sim.schedule(rec.timing.execute_block, "check", rec.slash_id)

    def _propose_staking_native(self, sim: QueuePort, rec: SlashRecord) -> None:
        rec.timing = self.timing_rule.schedule(rec.fault_block, rec.proposed_block)  # type: ignore[arg-type]
        staking = sim.rt.pallets["Staking"]
        key = staking.active_era() + staking.consts.SlashDeferDuration + 1
        before = len(staking.storage.UnappliedSlashes.get(key))
        receipt = sim.dispatch("root", "Staking", "report_offence", {"validator": sim.account(rec.offender), "slash_fraction": rec.percent * PERBILL_PER_PERCENT})
        if not receipt.is_success:
            rec.status, rec.note = "rejected", receipt.error_name
            return
        entries = staking.storage.UnappliedSlashes.get(key)
        if len(entries) == before:
            rec.status, rec.note = "rejected", "no slash scheduled (no exposure in the active era, invulnerable, or not above a prior slash)"
            return
        entry = entries[-1]
        rec.native_key = (key,)
        rec.amount = entry.own + sum(v for _, v in entry.others)  # what it will take (exact, computed at report)
        rec.status = "pending"
        sim.schedule(rec.timing.execute_block, "check", rec.slash_id)

    # -------------------------------------------------------------------- vetoing
    def veto(self, sim: QueuePort, rec: SlashRecord) -> None:
        """Land governance's veto now, if the rule still allows it."""
        block = sim.rt.block_number
        self.touch(rec)
        if rec.status not in ("pending",):
            rec.note = (rec.note + "; " if rec.note else "") + f"veto at block {block} too late ({rec.status})"
            if rec.status in ("applied", "executing"):
                rec.decision = "veto_late"
            return
        if rec.native and rec.target == "services":
            era, index = rec.native_key  # type: ignore[misc]
            receipt = sim.dispatch(sim.dispute_origin(rec.service_id), "Services", "dispute", {"era": era, "index": index})
            ok = receipt.is_success
            why = "" if ok else receipt.error_name
        elif rec.native and rec.target == "staking":
            ok, why = self._cancel_staking(sim, rec)
        else:
            ok = rec.timing is not None and rec.timing.veto_allowed(block)
            why = "" if ok else f"past the last veto block {rec.timing.last_veto_block if rec.timing else None}"
        if ok:
            rec.status, rec.veto_block = "vetoed", block
        else:
            rec.decision = "veto_late"
            rec.note = (rec.note + "; " if rec.note else "") + f"veto failed: {why}"

    def _cancel_staking(self, sim: QueuePort, rec: SlashRecord) -> tuple[bool, str]:
        (key,) = rec.native_key  # type: ignore[misc]
        # our still-pending records under this key, in insertion order, are the stored entries
        alive = [r for r in self.records if r.native and r.target == "staking" and r.native_key == (key,) and r.status == "pending"]
        index = alive.index(rec)
        receipt = sim.dispatch("slash_cancel", "Staking", "cancel_deferred_slash", {"era": key, "slash_indices": [index]})
        return receipt.is_success, ("" if receipt.is_success else receipt.error_name)

    # -------------------------------------------------------------------- executing and watching
    def execute(self, sim: QueuePort, rec: SlashRecord) -> None:
        """A Python-modelled rule's execution block: apply through the runtime with no deferral."""
        if rec.status != "pending":
            return
        self.touch(rec)
        if rec.target == "services":
            error = self._services_slash(sim, rec)
            if error is not None:
                rec.status, rec.note = "failed", error
                return
            rec.status = "executing"
            sim.schedule(sim.rt.block_number + 1, "check", rec.slash_id)
        else:
            receipt = sim.dispatch("root", "Staking", "report_offence", {"validator": sim.account(rec.offender), "slash_fraction": rec.percent * PERBILL_PER_PERCENT})
            if not receipt.is_success:
                rec.status, rec.note = "failed", receipt.error_name
                return
            slashed = [e for e in receipt.triggered_events if e.matches("Staking.Slashed")]
            if not slashed:
                rec.status, rec.note = "failed", "no slash (no exposure in the active era, invulnerable, or not above a prior slash)"
                return
            rec.amount = sum(e["amount"] for e in slashed)
            rec.amounts = {"TNT": rec.amount}
            rec.status, rec.applied_block = "applied", sim.rt.block_number
            sim.on_slash_applied(rec)

    def check(self, sim: QueuePort, rec: SlashRecord) -> None:
        """Is a slash in a pallet's queue gone (applied) yet? Keep watching while it may still apply."""
        if rec.status not in ("pending", "executing"):
            return
        block = sim.rt.block_number
        if rec.target == "services":
            era, index = rec.native_key  # type: ignore[misc]
            sim.scan_events()
            stored = sim.rt.pallets["Services"].storage.UnappliedSlashes.get((era, index))
            if stored is None:
                self.touch(rec)
                if sim.is_dropped((era, index)):
                    rec.status, rec.note = "dropped", "SlashDropped: the operator left the delegation system"
                    return
                # every record of this (operator, service, round) the pallet applied by now, in index order
                storage = sim.rt.pallets["Services"].storage.UnappliedSlashes
                group = sorted((r for r in self.records if r.target == "services" and r.status in ("pending", "executing") and r.native_key is not None
                                and r.native_key[0] == era and r.offender == rec.offender and r.service_id == rec.service_id
                                and storage.get(r.native_key) is None and not sim.is_dropped(r.native_key)),
                               key=lambda r: r.native_key[1])  # type: ignore[index]
                for r in group:
                    self.touch(r)
                    r.status, r.applied_block = "applied", block
                    r.amounts = sim.take_slash_amounts(r)
                    r.amount = r.amounts.get("TNT", 0)
                for r in group:
                    sim.on_slash_applied(r)
            elif self._may_apply_later(sim, era, block + 1):
                # kept (MaxSlashesPerBlock, or slash_operator failed): retried in later blocks
                same_round = sim.clock.round_of(block + 1) == sim.clock.round_of(block)
                sim.schedule(block + 1 if same_round else sim.clock.first_block_of_round(sim.clock.round_of(block) + 1), "check", rec.slash_id)
            else:
                self.touch(rec)
                rec.status, rec.note = "dropped", "left in storage when its round passed (never processed again)"
        else:
            (key,) = rec.native_key  # type: ignore[misc]
            staking = sim.rt.pallets["Staking"]
            if staking.active_era() >= key:
                self.touch(rec)
                rec.status, rec.applied_block = "applied", block
                rec.amounts = {"TNT": rec.amount}
                sim.on_slash_applied(rec)
            else:
                sim.schedule(sim.clock.first_block_of_era(key), "check", rec.slash_id)

    def _may_apply_later(self, sim: QueuePort, era: int, block: int) -> bool:
        """Real profile: only round ``current - D`` is ever processed; intended: anything due."""
        if not sim.rt.ctx.quirk("services.slash_applied_only_in_exact_round"):
            return True
        defer = sim.rt.constants("Services").SlashDeferDuration
        return max(sim.clock.round_of(block) - defer, 0) == era
