"""Wallet coordination after tBTC's RFC 12, as a blueprint (algorithm in :mod:`blueprints.examples.tbtc`).

One service = one wallet; its request argument is the wallet's 20-byte public key hash. Every
900 blocks a keeper (the service owner) opens the coordination window with job 0
``coordinate(coordination_block)``. Each operator's handler derives the seed from the wallet PKH and
``rt.block_hash(coordination_block - 32)``, the leader and the checklist; the leader answers with
its :class:`Proposal`, followers submit nothing (``NoResult``). When the active phase (80 blocks)
is over the keeper calls job 1 ``close_window(coordination_block)``.

The manager is the on-chain validator (``WalletProposalValidator``'s role): it accepts only the
designated leader's proposal, in the active phase, for an action in the checklist or Noop, and
records ``LeaderImpersonation`` / ``LeaderMistake`` faults; at ``close_window`` a window without
an accepted proposal is a ``LeaderIdleness`` fault of its leader. Followers run the same
validation off chain on the ``JobResultSubmitted`` events they see (:class:`Follower`), so their
views can be compared with the manager's. Faults are then reported to ``Services.slash``.

Run the story: ``python -m blueprints.examples.wallet_coordination``.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any, Sequence

from rich.console import Console

from pallets.services.manager import Revert
from pallets.services.types import Field
from runtime.events import EventRecord

from blueprints import U8, U64, Array, Blueprint, BlueprintTestHarness, JobContext, NoResult, ServiceManager
from blueprints.behaviours import Behaviour, Faulty, Offline
from blueprints.examples import tbtc
from blueprints.harness import tnt_and_usdc
from blueprints.manager import Fault
from blueprints.amounts import tnt
from blueprints.naming import name_of
from blueprints.timeline import demo_table, fit_words, heading, print_timeline, timeline_rows
from blueprints.values import shape_of


@dataclass
class Proposal:
    """The leader's proposal for a window (a ``Struct`` result)."""

    window_index: U64
    action: str


PROPOSAL = shape_of(Proposal)
SLASH_PERCENT = {tbtc.FAULT_IMPERSONATION: 10, tbtc.FAULT_MISTAKE: 5, tbtc.FAULT_IDLENESS: 1}


@dataclass
class Window:
    """Everything derived for one window of one wallet."""

    index: int
    coordination_block: int
    seed: bytes
    leader: str
    checklist: list[str]


def derive_window(rt: Any, operators: Sequence[str], wallet_pkh: bytes, coordination_block: int) -> Window:
    """Seed, leader and checklist of a window, from the chain's block hash of the safe block."""
    if not tbtc.is_coordination_block(coordination_block):
        raise ValueError(f"block {coordination_block} does not open a coordination window")
    safe_hash = bytes.fromhex(rt.block_hash(tbtc.safe_block(coordination_block))[2:])
    seed = tbtc.coordination_seed(wallet_pkh, safe_hash)
    index = tbtc.window_index(coordination_block)
    return Window(index, coordination_block, seed, tbtc.leader(operators, seed), tbtc.actions_checklist(index, seed))


def wallet_pkh_of(service: Any) -> bytes:
    """The wallet PKH: the service's request argument (an ``Array(20, Uint8)``)."""
    return bytes(item.value for item in service.args[0].value[1])


# ------------------------------------------------------------------------------------------ manager
class CoordinationManager(ServiceManager):
    """The on-chain side: opens/closes windows, validates proposals, records RFC 12 faults."""

    def _service(self, service_id: int) -> Any:
        return self.pallet.storage.Instances.get(service_id)

    def window(self, service_id: int, coordination_block: int) -> Window:
        service = self._service(service_id)
        return derive_window(self.pallet.ctx, service.operators(), wallet_pkh_of(service), coordination_block)

    def on_job_call(self, blueprint_id: int, service_id: int, job: int, call_id: int, args: Sequence[Field]) -> bool | None:
        cb = args[0].value
        if not tbtc.is_coordination_block(cb):
            raise Revert(f"block {cb} does not open a coordination window")
        index = tbtc.window_index(cb)
        now = self.block_number
        opened = self.state.get(("opened", service_id, index))
        if job == 0:
            if opened is not None:
                raise Revert(f"window {index} is already open")
            if not tbtc.in_active_phase(cb, now):
                raise Revert(f"window {index} can only be opened during its active phase")
            self.state.set(("opened", service_id, index), call_id)
            self.state.set(("window_of_call", service_id, call_id), index)
        elif job == 1:
            if opened is None:
                raise Revert(f"window {index} was never opened")
            if now < cb + tbtc.ACTIVE_PHASE:
                raise Revert(f"window {index} is still in its active phase")
            if ("closed", service_id, index) in self.state:
                raise Revert(f"window {index} is already closed")
            self.state.set(("closed", service_id, index), True)
            if self.accepted(service_id, index) is None:
                w = self.window(service_id, cb)
                self.record_fault(Fault(service_id, opened, 0, w.leader, tbtc.FAULT_IDLENESS, now, f"no valid proposal in window {index}"))
        return None

    def on_job_result(self, blueprint_id: int, service_id: int, job: int, call_id: int, operator: str, preferences: Any,
                      args: Sequence[Field], result: Sequence[Field]) -> bool | None:
        if job != 0:
            return super().on_job_result(blueprint_id, service_id, job, call_id, operator, preferences, args, result)
        index = self.state.get(("window_of_call", service_id, call_id))
        proposal: Proposal = PROPOSAL.from_field(result[0])
        cb = index * tbtc.COORDINATION_FREQUENCY
        if not tbtc.in_active_phase(cb, self.block_number):
            return None  # passive phase: followers accept nothing; the leader is idle unless it proposed in time
        w = self.window(service_id, cb)
        kind = tbtc.validate_proposal(operator, w.leader, proposal.window_index, proposal.action, index, w.checklist)
        accepted = self.accepted(service_id, index)
        if kind is None and accepted is not None and accepted != proposal.action:
            kind = "equivocation"
        if kind is not None:
            self.record_fault(Fault(service_id, call_id, 0, operator, kind, self.block_number, f"window {index}: {proposal.action}"))
            return None
        self.state.set(("accepted", service_id, index), proposal.action)
        return None

    def accepted(self, service_id: int, index: int) -> str | None:
        """The action accepted for a window (None: no valid proposal yet)."""
        return self.state.get(("accepted", service_id, index))


# ------------------------------------------------------------------------------------------ blueprint
@dataclass
class WalletWork:
    """Off-chain wallet state the leader consults: pending work per action (what the Bitcoin side
    and the bridge contracts would report). Shared by all operators: they watch the same chains."""

    pending: dict[str, int] = field(default_factory=lambda: {a: 0 for a in (tbtc.REDEMPTION, *tbtc.SWEEPS)})
    executed: list[tuple[int, str]] = field(default_factory=list)

    def execute(self, index: int, action: str) -> None:
        if action in self.pending:
            self.pending[action] = 0
        self.executed.append((index, action))


def build_blueprint(work: WalletWork | None = None) -> Blueprint:
    work = work if work is not None else WalletWork()
    bp = Blueprint("wallet-coordination", description="tBTC RFC 12 coordination windows for one wallet", author="tangle-sim",
                   category="example", license="MIT", manager=CoordinationManager, request_params=[Array[U8, 20]],
                   security=tnt_and_usdc())

    @bp.job(0)
    def coordinate(coordination_block: U64, ctx: JobContext) -> Proposal:
        """open a coordination window; the leader proposes"""
        service = ctx.rt.pallets["Services"].storage.Instances.get(ctx.service_id)
        w = derive_window(ctx.rt, service.operators(), wallet_pkh_of(service), coordination_block)
        if w.leader != ctx.operator:
            raise NoResult()  # a follower listens
        return Proposal(w.index, tbtc.choose_action(w.checklist, work.pending))

    @bp.job(1)
    def close_window(coordination_block: U64) -> None:
        """end of the active phase: the manager checks the leader was not idle"""
        return None  # no result declared: operators submit nothing

    bp.work = work  # type: ignore[attr-defined]
    return bp


# ------------------------------------------------------------------------------------------ behaviours
class Impersonator(Behaviour):
    """Proposes in every window as if it were the leader (followers must record LeaderImpersonation)."""

    def plan(self, honest: Any, ctx: JobContext) -> list[tuple[int, tuple[Field, ...]]]:
        try:
            return [(0, honest())]
        except NoResult:
            pass
        cb = ctx.args[0].value
        return [(0, (PROPOSAL.to_field(Proposal(tbtc.window_index(cb), tbtc.REDEMPTION)),))]

    def __repr__(self) -> str:
        return "Impersonator()"


# ------------------------------------------------------------------------------------------ followers
@dataclass
class Follower:
    """One operator's off-chain view: the proposals it accepted and the faults it saw."""

    account: str
    accepted: dict[int, str] = field(default_factory=dict)
    faults: list[tuple[int, str, str]] = field(default_factory=list)  # (window, operator, kind)


# ------------------------------------------------------------------------------------------ simulation
@dataclass
class WindowReport:
    index: int
    coordination_block: int
    leader: str
    checklist: list[str]
    accepted: str | None
    faults: list[Fault]
    pending: dict[str, int] = field(default_factory=dict)  # the wallet's pending work when the window opened


class WalletCoordination:
    """A wallet served by ``operators`` simulated operators, run window by window."""

    def __init__(self, operators: int = 5, behaviours: dict[Any, Behaviour] | None = None, wallet_pkh: bytes | None = None,
                 seed: int = 0, arrival_rate: float = 0.5) -> None:
        self.work = WalletWork()
        self.blueprint = build_blueprint(self.work)
        self.wallet_pkh = wallet_pkh if wallet_pkh is not None else hashlib.sha256(b"tangle-sim/wallet/" + str(seed).encode()).digest()[:20]
        self.h = BlueprintTestHarness(self.blueprint, operators, behaviours=behaviours, request_args=[self.wallet_pkh], seed=seed)
        self.manager: CoordinationManager = self.h.manager  # type: ignore[assignment]
        self.rng = random.Random(seed)
        self.arrival_rate = arrival_rate
        self.followers = {op.account: Follower(op.account) for op in self.h.operators}
        self.reports: list[WindowReport] = []
        assert self.h.network is not None
        self.h.network.on_event.append(self._observe)

    @property
    def rt(self) -> Any:
        return self.h.rt

    def _observe(self, ev: EventRecord) -> None:
        """Followers validate every proposal they see (the off-chain half of RFC 12)."""
        if not (ev.matches("Services.JobResultSubmitted") and ev["job"] == 0 and ev["service_id"] == self.h.service_id):
            return
        index = self.manager.state.get(("window_of_call", self.h.service_id, ev["call_id"]))
        cb = index * tbtc.COORDINATION_FREQUENCY
        if not tbtc.in_active_phase(cb, ev.block):
            return
        w = derive_window(self.rt, self.operators(), self.wallet_pkh, cb)
        proposal: Proposal = PROPOSAL.from_field(ev["result"][0])
        sender = ev["operator"]
        for follower in self.followers.values():
            if follower.account == sender:
                continue
            kind = tbtc.validate_proposal(sender, w.leader, proposal.window_index, proposal.action, index, w.checklist)
            if kind is None and index in follower.accepted and follower.accepted[index] != proposal.action:
                kind = "equivocation"
            if kind is None:
                follower.accepted.setdefault(index, proposal.action)
            else:
                follower.faults.append((index, sender, kind))

    def followers_agree(self) -> bool:
        """Each follower accepted exactly the manager's accepted proposals of the windows it did not lead."""
        for follower in self.followers.values():
            expected = {r.index: r.accepted for r in self.reports if r.accepted is not None and r.leader != follower.account}
            if follower.accepted != expected:
                return False
        return True

    def operators(self) -> list[str]:
        return list(self.rt.pallets["Services"].storage.Instances.get(self.h.service_id).operators())

    def run_window(self) -> WindowReport:
        """Advance to the next coordination block, open the window, let the leader propose, close it."""
        h = self.h
        cb = tbtc.next_coordination_block(self.rt.block_number)
        h.advance(cb - self.rt.block_number)
        for action in self.work.pending:  # new work arrives on the Bitcoin side
            if self.rng.random() < self.arrival_rate:
                self.work.pending[action] += 1
        faults_before = len(self.manager.faults())
        pending = dict(self.work.pending)
        h.call_job(0, cb)
        h.advance(cb + tbtc.ACTIVE_PHASE - self.rt.block_number)
        h.call_job(1, cb)
        index = tbtc.window_index(cb)
        accepted = self.manager.accepted(h.service_id, index)
        if accepted is not None:
            self.work.execute(index, accepted)
        w = derive_window(self.rt, self.operators(), self.wallet_pkh, cb)
        report = WindowReport(index, cb, w.leader, w.checklist, accepted, self.manager.faults()[faults_before:], pending)
        self.reports.append(report)
        return report

    def run(self, windows: int) -> list[WindowReport]:
        return [self.run_window() for _ in range(windows)]

    def report_faults(self) -> list[tuple[Fault, str | None]]:
        """Each fault becomes a slash of its kind's percentage (impersonation 10 %, mistake 5 %, idleness 1 %)."""
        out = []
        for fault in self.manager.unreported_faults():
            receipt = self.rt.dispatch(self.manager.slashing_account, "Services", "slash",
                                       {"offender": fault.account, "service_id": fault.service_id, "slash_percent": SLASH_PERCENT.get(fault.kind, 5)},
                                       raise_error=False)
            if receipt.error is None:
                self.manager.mark_reported(fault)
            out.append((fault, receipt.error_name if receipt.error is not None else None))
        return out


def run_demo(console: Console | None = None, windows: int = 16, seed: int = 9) -> WalletCoordination:
    """Five operators: Dave is offline (idle when he leads), Operator4 impersonates the leader,
    Charlie proposes garbage a third of the time; 16 windows (the 16th has the sweeps)."""
    console = console or Console()
    sim = WalletCoordination(5, behaviours={"Dave": Offline(), "Operator4": Impersonator(), "Charlie": Faulty(0.34, seed=seed)}, seed=seed)
    h = sim.h
    heading(console, "wallet coordination (tBTC RFC 12): windows every 900 blocks, one leader per window")
    console.print(f"wallet PKH 0x{sim.wallet_pkh.hex()}; service {h.service_id} run by "
                  + ", ".join(f"{op.name} ({op.behaviour!r})" for op in h.operators))
    console.print(f"sweeps every {tbtc.SWEEP_EVERY}th window (issue 6; keep-core uses 4), heartbeat probability {tbtc.HEARTBEAT_PROBABILITY}, "
                  "leader RNG: CPython random seeded by the seed's first 8 bytes (not Go math/rand)")
    console.print("The checklist is what the leader [italic]may[/italic] propose in a window; it proposes the first "
                  "action the wallet has pending work for (new redemption requests arrive at random), else Noop. "
                  "So an honest leader proposing Noop under a Redemption checklist means no redemption was pending.")
    table = demo_table("Coordination windows", ("window", "leader", "checklist", "pending", "accepted", "faults by"))
    for r in sim.run(windows):
        accepted = r.accepted or "—"
        if r.accepted == tbtc.NOOP:
            accepted += " (no work)"
        offenders = ", ".join(dict.fromkeys(f.operator for f in r.faults))
        table.add_row(str(r.index), name_of(r.leader), ", ".join(r.checklist),
                      str(r.pending.get(tbtc.REDEMPTION, 0)), accepted, offenders)
    console.print(fit_words(table))
    console.print("window i opens at block 900·i; pending: redemption requests waiting when it opened. "
                  "faults: LeaderImpersonation (a non-leader proposed), LeaderMistake (the leader proposed an action "
                  "outside the checklist), LeaderIdleness (no valid proposal in the window); each is listed below.")
    console.print(f"every follower accepted exactly the proposals the manager accepted: {sim.followers_agree()}")
    console.print("[bold]Reporting faults[/bold]")
    stakes = {op.name: h.operator_stake(op.name) for op in h.operators}
    for fault, err in sim.report_faults():
        console.print(f"  {fault.kind} by {fault.operator} in call {fault.call_id} → slash {SLASH_PERCENT.get(fault.kind, 5)}%"
                      + (f" [red]{err}[/red]" if err else ""))
    h.advance_rounds(h.slash_defer_rounds())
    for op in h.operators:
        now = h.operator_stake(op.name)
        if now != stakes[op.name]:
            console.print(f"  {op.name}: self-stake {tnt(stakes[op.name])} → {tnt(now)}")
    print_timeline(console, timeline_rows(h.rt.all_events(), sim.blueprint, categories=("request", "job", "result", "slash"), rt=h.rt),
                   title="Timeline: requests, job calls, results, slashes")
    return sim


def main(argv: Any = None) -> None:
    run_demo()


if __name__ == "__main__":
    main()
