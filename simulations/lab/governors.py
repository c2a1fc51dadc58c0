"""Governance agents and the veto processes they run through the runtime's own pallets.

When governance wants to veto a slash (the scenario's ``governance.policy``, as in the shortcut), a
:class:`VetoProcess` is started on the arm's ``governance.path``; from then on the veto is whatever
the agents make of it, call by call: the sudo key holder calls ``Sudo.sudo`` / ``sudo_as``;
councillors move and vote ``Council`` motions (``propose`` / ``vote`` / ``close``; the motion's
threshold is the smallest approval count the target origin accepts), token holders vote
``Democracy`` referenda; a passed referendum is enacted by the ``Scheduler`` at its real enactment
block. Nothing is assumed to succeed: the process records what the chain answered
(``Council.Executed`` with ``BadOrigin``, ``Disapproved``, ``NotPassed``, a ``Scheduler.Dispatched``
error), when it started, when its veto call executed or would execute, and whether that was before
the slash applied.

Each agent draws from its own stream (``gov/<id>``): per process stage, whether it takes part
(``turnout``), its reaction delay and (policy ``random``) its decision, so adding an agent never moves
another's draws. Everything here is plain data, deep-copied with the rest of a simulation; the
board acts through a :class:`GovPort` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from runtime import Runtime

from pallets.primitives.bounded import inline

from simulations.clock import Clock
from simulations.governance import SlashView, build_policy
from simulations.lab import gov_calls as gc
from simulations.lab.policy_guard import guarded
from simulations.lab.slash_queue import SlashRecord
from simulations.rng import Streams
from simulations.scenario import DelaySpec, GovAgentSpec, GovernanceSpec

GOV_PATHS = ("sudo", "council_motion", "referendum_standard", "referendum_fast_track", "referendum_instant", "multisig_dispute")
NATIVE_RULES = ("substrate_staking", "tangle_services")
OUTCOMES = ("landed", "late", "failed", "pending")


class GovPort(Protocol):
    """What the board needs from the loop."""

    rt: Runtime
    clock: Clock
    streams: Streams

    def dispatch(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> Any: ...

    def schedule(self, block: int, kind: str, arg: Any = None) -> None: ...

    def account(self, actor_id: str) -> str: ...

    def dispute_origin(self, service_id: int | None) -> str: ...

    def record(self, slash_id: int) -> SlashRecord: ...

    def veto_landed(self, rec: SlashRecord, block: int) -> None: ...


def stream_name(agent_id: str) -> str:
    return f"gov/{agent_id}"


def draw_delay(spec: DelaySpec, rng: Any) -> int | None:
    """One reaction delay (blocks), or None: the agent never acts."""
    if spec.kind == "never":
        return None
    if spec.kind == "fixed":
        return spec.blocks
    if spec.kind == "uniform":
        return rng.randint(spec.low, spec.high)
    return int(rng.expovariate(1.0 / spec.mean)) if spec.mean > 0 else 0


def default_agents(gov: GovernanceSpec) -> tuple[GovAgentSpec, list[GovAgentSpec], list[GovAgentSpec]]:
    """(sudo, council, voters): the scenario's, or five councillors / one holder / a key holder
    reacting after ``reaction_blocks``."""
    react = DelaySpec(kind="fixed", blocks=gov.reaction_blocks)
    sudo = gov.sudo or GovAgentSpec(id="sudo-key", reaction=react)
    council = list(gov.council) or [GovAgentSpec(id="gov-councillor", count=5, reaction=react)]
    voters = list(gov.voters) or [GovAgentSpec(id="gov-holder", balance=1_000 * 10**18, conviction="Locked1x", reaction=react)]
    return sudo, council, voters


def can_act_at_once(spec: DelaySpec) -> bool:
    """Whether a reaction delay can be 0 blocks (an instant referendum's voting lasts one block)."""
    return (spec.kind == "fixed" and spec.blocks == 0) or (spec.kind == "uniform" and spec.low == 0) or spec.kind == "exponential"


def instant_voters(gov: GovernanceSpec) -> dict[str, int]:
    """Who could vote in an instant referendum (voting period 1 block: only in the block the council
    fast-tracks it): token holders that can act at once (``voters``) and councillors with a balance
    (the one who closes the fast-track votes aye at once, ``councillors``), among the arm's agents."""
    _, council, voters = default_agents(gov)
    return {"voters": sum(v.count for v in voters if can_act_at_once(v.reaction) and v.balance > 0),
            "councillors": sum(c.count for c in council if c.balance > 0), "reaction_blocks": gov.reaction_blocks,
            "default_voters": int(not gov.voters), "default_council": int(not gov.council)}


def fastest_landing(path: str, rt: Runtime, fast_track_voting_period: int | None = None) -> tuple[int | None, str]:
    """Blocks from a slash's proposal to the earliest block the path's veto call can execute, with
    every agent acting at once, and what that comes from; None: the path can never execute it
    (governance.md §13.2). The governance pallets keep the testnet's periods (6 s blocks) whatever a
    scenario does to its rounds, so this is what a compressed round clock is compared with."""
    if path in ("sudo", "multisig_dispute", "shortcut"):
        return 0, "the same block"
    if path == "council_motion":
        return None, "no council origin satisfies the veto call's origin (Root, or the service's dispute origin): BadOrigin"
    demo = rt.constants("Democracy")
    if path == "referendum_instant":
        return 2, "an instant fast-track: voting period 1 block, enacted the block after"
    if path == "referendum_fast_track":
        period = fast_track_voting_period or demo.FastTrackVotingPeriod
        return period + 1, f"Democracy FastTrackVotingPeriod {period:,} + 1 block to enact"
    if path == "referendum_standard":
        return 1 + demo.VotingPeriod + demo.EnactmentPeriod, (f"a launch 1 block later at best, Democracy VotingPeriod {demo.VotingPeriod:,} "
                                                               f"+ EnactmentPeriod {demo.EnactmentPeriod:,}")
    raise ValueError(f"unknown governance path {path!r}")


@dataclass
class Stance:
    """One agent's part in one stage of one process."""

    agent: str
    acts: bool  # turned out and will act (a delay was drawn)
    veto: bool  # its decision rule says veto
    at: int | None  # the block it acts in


@dataclass
class VetoProcess:
    """One veto of one slash on one path: the per-slash governance record."""

    slash_id: int
    path: str
    target: str
    apply_block: int | None  # when the slash applies (the rule's execution block)
    call: dict[str, Any] = field(default_factory=dict)  # what Root (or the motion) dispatches
    stage: str = "waiting"  # waiting | motion | proposal | referendum | enacting | done
    step: str = ""  # which motion: veto | external | fast_track
    started_block: int | None = None  # first governance action on chain
    enact_block: int | None = None  # when the veto call executed or would execute
    outcome: str = "pending"  # landed | late | failed | pending
    failure: str = ""
    motion_index: int | None = None
    timepoint: dict[str, int] | None = None  # multisig: where the operation was opened
    motion_seq: int = 0  # which motion of this process the scheduled votes belong to
    motion_hash: str = ""
    motion_call: dict[str, Any] = field(default_factory=dict)
    threshold: int = 0
    ayes: int = 0
    nays: int = 0
    proposer: str | None = None
    ref_index: int | None = None
    ref_end: int | None = None
    stances: list[Stance] = field(default_factory=list)
    # the slash applied while the process was still open: late from then (it can no longer land),
    # whatever the chain does with the process afterwards; ``earliest_enact``: the earliest block its
    # call could still execute then, when its own enactment block was not known yet (a lower bound)
    late_at: int | None = None
    earliest_enact: int | None = None

    @property
    def open(self) -> bool:
        """Its outcome is still unknown (the drain waits for it). A process classified late when its
        slash applied is not open, though it may still be running on chain (:attr:`running`)."""
        return self.outcome == "pending"

    @property
    def running(self) -> bool:
        """The process still has steps to take on chain (the chain does not know the slash applied)."""
        return self.stage != "done"

    @property
    def lateness_bound(self) -> bool:
        """The lateness is a lower bound (the enactment block was not known when the veto became late)."""
        return self.outcome == "late" and self.enact_block is None and self.earliest_enact is not None

    @property
    def lateness(self) -> int | None:
        """Blocks past the last block a veto could land in (A - 1), when the enactment block is known
        (or, :attr:`lateness_bound`, at least this many)."""
        enact = self.enact_block if self.enact_block is not None else (self.earliest_enact if self.outcome == "late" else None)
        if enact is None or self.apply_block is None:
            return None
        return max(enact - (self.apply_block - 1), 0)

    def row(self) -> dict[str, Any]:
        return {"slash_id": self.slash_id, "path": self.path, "target": self.target, "started_block": self.started_block,
                "enact_block": self.enact_block, "apply_block": self.apply_block, "landed": self.outcome == "landed", "outcome": self.outcome,
                "failure": self.failure, "lateness": self.lateness, "lateness_bound": self.lateness_bound, "stage": self.stage,
                "late_at": self.late_at}

    def note(self) -> str:
        where = f"gov {self.path}: started {self.started_block}, enacts {self.enact_block}, slash applies {self.apply_block}"
        if self.outcome == "landed":
            return f"{where}: landed"
        if self.outcome == "pending":
            return f"{where}: pending ({self.stage})"
        return f"{where}: veto {'late' if self.outcome == 'late' else 'failed'}: {self.failure}"


@dataclass
class GovBoard:
    """The governance agents of one arm and their processes."""

    path: str
    sudo: GovAgentSpec
    council: list[tuple[str, GovAgentSpec]]
    voters: list[tuple[str, GovAgentSpec]]
    default_policy: Any  # the scenario's policy model (agents without one use it)
    fast_track_voting_period: int | None = None
    multisig_threshold: int | None = None
    processes: list[VetoProcess] = field(default_factory=list)

    @classmethod
    def from_spec(cls, gov: GovernanceSpec) -> "GovBoard":
        sudo, council, voters = default_agents(gov)
        return cls(gov.path, sudo, [(i, s) for s in council for i in s.ids()], [(i, s) for s in voters for i in s.ids()], gov.policy,
                   gov.fast_track_voting_period, gov.multisig_threshold)

    def signatories(self, account_of: Any) -> tuple[tuple[str, ...], int]:
        """(sorted signatory accounts, threshold) of the councillors' multisig (``multisig_dispute``)."""
        from runtime.accounts import account_bytes

        accounts = tuple(sorted((account_of(i) for i, _ in self.council), key=account_bytes))
        return accounts, self.multisig_threshold or gc.more_than_half(len(accounts))

    def agent_ids(self) -> list[tuple[str, str, GovAgentSpec]]:
        """(id, role, spec) of every agent with an account (the sudo key holder acts with the chain's key)."""
        return [(i, "councillor", s) for i, s in self.council] + [(i, "voter", s) for i, s in self.voters]

    def open_processes(self) -> list[VetoProcess]:
        return [p for p in self.processes if p.open]

    def slash_applied(self, port: GovPort, rec: SlashRecord) -> None:
        """``rec`` applied: a veto process of it still open can no longer land in time, so it is late
        from now (not pending: a drain need not wait for it). The process itself goes on, as on chain
        (nothing there knows), and only refines the record when it ends; its lateness is known when its
        enactment block is (a referendum's, if it passes), else a lower bound (:meth:`_earliest_enact`)."""
        now = port.rt.block_number
        for proc in self.processes:
            if proc.slash_id != rec.slash_id or not proc.open:
                continue
            proc.late_at = now
            if proc.apply_block is None or proc.apply_block > now:
                proc.apply_block = now
            if proc.enact_block is None:
                proc.earliest_enact = self._earliest_enact(port, proc, now)
            when = (f"its call executes at block {proc.enact_block}" if proc.enact_block is not None and proc.stage == "enacting"
                    else f"its call would execute at block {proc.enact_block} if it passes" if proc.enact_block is not None
                    else f"its call could execute at block {proc.earliest_enact} at the earliest")
            proc.outcome, proc.failure = "late", f"slash applied at block {now} while the {proc.stage} stage was still open ({when})"
            rec.decision = "veto_late"
            self._annotate(port, proc)

    def _earliest_enact(self, port: GovPort, proc: VetoProcess, now: int) -> int:
        """The earliest block an open process's call could still execute, from ``now``: a fast-track
        still in its motions needs its voting period and a block to enact after them (a standard one
        its voting and enactment periods); otherwise the next block."""
        if self.path in ("referendum_fast_track", "referendum_instant") and proc.stage == "motion":
            period = 1 if self.path == "referendum_instant" else (self.fast_track_voting_period or port.rt.constants("Democracy").FastTrackVotingPeriod)
            return now + period + 1
        if self.path == "referendum_standard" and proc.stage in ("waiting", "proposal"):
            demo = port.rt.constants("Democracy")
            return now + 1 + demo.VotingPeriod + demo.EnactmentPeriod
        return now + 1

    # ------------------------------------------------------------------ drawing
    def _stance(self, port: GovPort, agent: str, spec: GovAgentSpec, view: SlashView, start: int) -> Stance:
        """Turnout, decision and delay, always drawn in this order from the agent's own stream."""
        name = stream_name(agent)
        rng = port.streams[name]
        turns_out = rng.random() < spec.turnout
        policy = spec.policy or self.default_policy
        decide = guarded(build_policy(policy, actor=name), policy, f"governance agent {agent}'s policy")
        veto = bool(decide(view, port.streams))
        delay = draw_delay(spec.reaction, rng)
        acts = turns_out and delay is not None
        return Stance(agent, acts, veto, start + delay if acts and delay is not None else None)

    @staticmethod
    def view_of(rec: SlashRecord) -> SlashView:
        return SlashView(rec.slash_id, rec.rule, rec.offender, rec.target, rec.percent, rec.disputed, rec.proposed_block or 0,
                         rec.timing.last_veto_block if rec.timing else None, rec.veto_window_blocks)

    # ------------------------------------------------------------------ starting
    def start(self, port: GovPort, rec: SlashRecord, queue_records: list[SlashRecord]) -> VetoProcess:
        """Governance wants ``rec`` vetoed: start the process of this board's path."""
        now = port.rt.block_number
        proc = VetoProcess(rec.slash_id, self.path, rec.target, rec.timing.execute_block if rec.timing else None)
        self.processes.append(proc)
        pid = len(self.processes) - 1
        view = self.view_of(rec)
        if self.path == "sudo":
            st = self._stance(port, self.sudo.id, self.sudo, view, now)
            proc.stances = [st]
            if not st.acts or not st.veto:
                self._fail(port, proc, "the sudo key holder did not act")
            else:
                port.schedule(st.at, "gov", (pid, "sudo", None))  # type: ignore[arg-type]
            return proc
        proc.call = self._root_call(port, rec, queue_records) if self.path.startswith("referendum") else self._plain_call(port, rec, queue_records)
        if self.path == "council_motion":
            self._start_motion(port, pid, proc, "veto", proc.call, 1, 2, now, view, strict=True)
        elif self.path in ("referendum_fast_track", "referendum_instant"):
            call, num, den = gc.external_motion(proc.call, self.path == "referendum_instant")
            self._start_motion(port, pid, proc, "external", call, num, den, now, view)
        elif self.path == "multisig_dispute":
            proc.stage = "multisig"
            proc.stances = [self._stance(port, i, s, view, now) for i, s in self.council]
            _, proc.threshold = self.signatories(port.account)
            movers = sorted((st.at, k) for k, st in enumerate(proc.stances) if st.acts and st.veto)
            if len(movers) < proc.threshold:
                self._fail(port, proc, f"only {len(movers)} of the {proc.threshold} signatories needed approve")
                return proc
            proc.motion_seq += 1
            for at, k in movers[:proc.threshold]:
                port.schedule(at, "gov", (pid, "ms_approve", proc.stances[k].agent, proc.motion_seq))  # type: ignore[arg-type]
        elif self.path == "referendum_standard":
            stances = [self._stance(port, i, s, view, now) for i, s in self.voters]
            proc.stances = stances
            movers = sorted((st.at, k) for k, st in enumerate(stances) if st.acts and st.veto)
            if not movers:
                self._fail(port, proc, "no token holder proposed the veto")
            else:
                proc.proposer = stances[movers[0][1]].agent
                port.schedule(movers[0][0], "gov", (pid, "public_propose", proc.proposer))
        else:  # pragma: no cover - validated by the scenario model
            raise ValueError(f"unknown governance path {self.path!r}")
        return proc

    def _staking_index(self, rec: SlashRecord, queue_records: list[SlashRecord]) -> int:
        """Our position among the entries stored under the slash's era key now (the still-pending
        records of that key, in order). A motion or referendum fixes it when it starts, as a real
        proposal does: if another slash of the same era key is cancelled before it enacts, the stored
        order shifts and the call names another entry or fails ``InvalidSlashIndex`` (on chain too)."""
        alive = [r for r in queue_records if r.native and r.target == "staking" and r.native_key == rec.native_key and r.status == "pending"]
        return alive.index(rec)

    def _plain_call(self, port: GovPort, rec: SlashRecord, queue_records: list[SlashRecord]) -> dict[str, Any]:
        """The veto call itself, as a motion would carry it."""
        if rec.target == "staking":
            return gc.cancel_deferred_slash(rec.native_key[0], [self._staking_index(rec, queue_records)])  # type: ignore[index]
        era, index = rec.native_key  # type: ignore[misc]
        return gc.dispute(era, index)

    def _root_call(self, port: GovPort, rec: SlashRecord, queue_records: list[SlashRecord]) -> dict[str, Any]:
        """The veto call as Root dispatches it (a dispute is made as the dispute origin)."""
        call = self._plain_call(port, rec, queue_records)
        if rec.target == "services":
            return gc.as_signed(port.dispute_origin(rec.service_id), call)
        return call

    # ------------------------------------------------------------------ motions
    def _start_motion(self, port: GovPort, pid: int, proc: VetoProcess, step: str, call: dict[str, Any], num: int, den: int, now: int,
                      view: SlashView, strict: bool = False) -> None:
        """A Council motion carrying ``call``; ``strict``: the origin needs more than num/den (else at least)."""
        seats = len(self.council)
        proc.stage, proc.step, proc.motion_call = "motion", step, call
        proc.threshold = gc.more_than_half(seats) if strict else gc.at_least(seats, num, den)
        proc.ayes = proc.nays = 0
        proc.motion_seq += 1
        proc.motion_index, proc.motion_hash = None, gc.call_hash(call)
        proc.stances = [self._stance(port, i, s, view, now) for i, s in self.council]
        movers = sorted((st.at, k) for k, st in enumerate(proc.stances) if st.acts and st.veto)
        if not movers:
            self._fail(port, proc, f"no councillor moved the {step} motion")
            return
        first_at, first = movers[0]
        proc.proposer = proc.stances[first].agent
        port.schedule(first_at, "gov", (pid, "motion_propose", proc.proposer, proc.motion_seq))  # type: ignore[arg-type]
        for st in proc.stances:
            if st.acts and st.agent != proc.proposer:
                port.schedule(max(st.at, first_at), "gov", (pid, "motion_vote", st.agent, proc.motion_seq))  # type: ignore[arg-type]

    def _motion_propose(self, port: GovPort, pid: int, proc: VetoProcess, agent: str) -> None:
        rt = port.rt
        proc.motion_index = rt.query("Council", "ProposalCount").raw
        if proc.started_block is None:
            proc.started_block = rt.block_number
        call = proc.motion_call
        receipt = port.dispatch(port.account(agent), "Council", "propose", {"threshold": proc.threshold, "proposal": call, "length_bound": gc.length(call)})
        if not receipt.is_success:
            self._fail(port, proc, f"Council.propose: {receipt.error_name}")
            return
        if proc.threshold < 2:  # executed at once with Member(1, seats)
            self._motion_done(port, pid, proc, receipt, agent)
            return
        port.schedule(rt.block_number + rt.constants("Council").MotionDuration, "gov", (pid, "motion_end", agent, proc.motion_seq))
        self._motion_vote(port, pid, proc, agent)  # the mover votes too (proposing is not a vote)

    def _motion_vote(self, port: GovPort, pid: int, proc: VetoProcess, agent: str) -> None:
        if proc.stage != "motion" or proc.motion_index is None:
            return
        st = next(s for s in proc.stances if s.agent == agent)
        receipt = port.dispatch(port.account(agent), "Council", "vote", {"proposal": proc.motion_hash, "index": proc.motion_index, "approve": st.veto})
        if not receipt.is_success:
            return  # counted in the loop's failures (e.g. the motion was closed meanwhile)
        if st.veto:
            proc.ayes += 1
        else:
            proc.nays += 1
        seats = len(self.council)
        if proc.ayes >= proc.threshold or seats - proc.nays < proc.threshold:
            self._motion_close(port, pid, proc, agent)

    def _motion_close(self, port: GovPort, pid: int, proc: VetoProcess, agent: str) -> None:
        if proc.stage != "motion" or proc.motion_index is None:
            return
        call = proc.motion_call
        receipt = port.dispatch(port.account(agent), "Council", "close", {"proposal_hash": proc.motion_hash, "index": proc.motion_index,
                                                                          "proposal_weight_bound": gc.WEIGHT_BOUND, "length_bound": gc.length(call)})
        if not receipt.is_success:
            self._fail(port, proc, f"Council.close: {receipt.error_name}")
            return
        self._motion_done(port, pid, proc, receipt, agent)

    def _motion_done(self, port: GovPort, pid: int, proc: VetoProcess, receipt: Any, closer: str) -> None:
        """The motion closed (or a threshold-1 motion ran): go on with the next stage, or record why not."""
        now = port.rt.block_number
        executed = [e for e in receipt.triggered_events if e.matches("Council.Executed")]
        if not executed:
            self._fail(port, proc, f"{proc.step} motion disapproved ({proc.ayes} aye of {len(self.council)}, threshold {proc.threshold})")
            return
        result = executed[-1]["result"]
        if result is not None:
            proc.enact_block = now
            if proc.step == "fast_track" and result == "Democracy.ProposalMissing":
                result += " (a launch boundary tabled the external as a standard referendum before fast_track passed)"
            self._fail(port, proc, result)
            return
        rec = port.record(proc.slash_id)
        if proc.step == "veto":  # a motion carrying the veto itself succeeded (not reachable on this runtime)
            self._landed(port, proc, rec, now)
        elif proc.step == "external":
            voting_period = 1 if self.path == "referendum_instant" else (self.fast_track_voting_period or port.rt.constants("Democracy").FastTrackVotingPeriod)
            call, num, den = gc.fast_track_motion(proc.call, voting_period, self.path == "referendum_instant")
            self._start_motion(port, pid, proc, "fast_track", call, num, den, now, self.view_of(rec))
        elif proc.step == "fast_track":
            started = [e for e in receipt.triggered_events if e.matches("Democracy.Started")]
            self._referendum(port, pid, proc, started[-1]["ref_index"])
            spec = next(s for i, s in self.council if i == closer)
            if spec.balance > 0:  # the councillor who made it a referendum votes aye at once (an instant one lasts a block)
                port.dispatch(port.account(closer), "Democracy", "vote",
                              {"ref_index": proc.ref_index, "vote": gc.standard_vote(True, spec.balance, spec.conviction)})

    # ------------------------------------------------------------------ referenda
    def _public_propose(self, port: GovPort, pid: int, proc: VetoProcess, agent: str) -> None:
        rt = port.rt
        proc.started_block = rt.block_number
        proc.stage = "proposal"
        receipt = port.dispatch(port.account(agent), "Democracy", "propose",
                                {"proposal": inline(proc.call), "value": rt.constants("Democracy").MinimumDeposit})
        if not receipt.is_success:
            self._fail(port, proc, f"Democracy.propose: {receipt.error_name}")
            return
        port.schedule(self._next_launch(rt, rt.block_number + 1), "gov", (pid, "launch", None))

    @staticmethod
    def _next_launch(rt: Runtime, after: int) -> int:
        period = rt.constants("Democracy").LaunchPeriod
        return after + (-after) % period

    def _launch(self, port: GovPort, pid: int, proc: VetoProcess) -> None:
        """A launch boundary passed: is our public proposal a referendum now? (Else wait for the next.)"""
        rt = port.rt
        h = gc.call_hash(proc.call)
        storage = rt.pallets["Democracy"].storage
        for index in range(storage.LowestUnbaked.value(), storage.ReferendumCount.value()):
            info = storage.ReferendumInfoOf.get(index)
            if info is not None and info.name == "Ongoing" and "0x" + info.value.proposal.hash().hex() == h:
                self._referendum(port, pid, proc, index)
                return
        port.schedule(self._next_launch(rt, rt.block_number + 1), "gov", (pid, "launch", None))

    def _referendum(self, port: GovPort, pid: int, proc: VetoProcess, ref_index: int) -> None:
        rt = port.rt
        info = rt.pallets["Democracy"].storage.ReferendumInfoOf.get(ref_index)
        status = info.value
        now = rt.block_number
        proc.stage, proc.ref_index, proc.ref_end = "referendum", ref_index, status.end
        proc.enact_block = status.end + max(status.delay, 1)  # if it passes
        view = self.view_of(port.record(proc.slash_id))
        proc.stances = [self._stance(port, i, s, view, now) for i, s in self.voters]
        for st in proc.stances:
            if st.acts and st.at is not None and st.at < status.end:
                port.schedule(st.at, "gov", (pid, "ref_vote", st.agent))
        port.schedule(status.end, "gov", (pid, "bake", None))

    def _ref_vote(self, port: GovPort, proc: VetoProcess, agent: str) -> None:
        if proc.stage != "referendum":
            return
        st = next(s for s in proc.stances if s.agent == agent)
        spec = next(s for i, s in self.voters if i == agent)
        port.dispatch(port.account(agent), "Democracy", "vote", {"ref_index": proc.ref_index, "vote": gc.standard_vote(st.veto, spec.balance, spec.conviction)})

    def _bake(self, port: GovPort, pid: int, proc: VetoProcess) -> None:
        info = port.rt.pallets["Democracy"].storage.ReferendumInfoOf.get(proc.ref_index)
        if info is None or info.name != "Finished":
            self._fail(port, proc, "referendum cancelled")
            return
        if not info.value.approved:
            if proc.late_at is not None and proc.enact_block is not None:  # late already: it would have enacted then at the earliest
                proc.earliest_enact = proc.enact_block
            proc.enact_block = None
            self._fail(port, proc, "referendum not passed")
            return
        proc.stage = "enacting"
        if proc.apply_block is not None and proc.enact_block is not None and proc.enact_block >= proc.apply_block and self._slash_gone(port, proc):
            # the slash already applied: the enactment can only fail; its block is known, so stop here
            self._late(port, proc, f"slash applied at block {proc.apply_block}, the referendum enacts at {proc.enact_block}")
            return
        port.schedule(proc.enact_block, "gov", (pid, "enact", None))  # type: ignore[arg-type]

    def _slash_gone(self, port: GovPort, proc: VetoProcess) -> bool:
        return port.record(proc.slash_id).status == "applied"

    def _enact(self, port: GovPort, proc: VetoProcess) -> None:
        """The Scheduler ran our referendum's call in this block's ``on_initialize``: what did it answer?"""
        from pallets.democracy import task_name

        rt = port.rt
        now = rt.block_number
        name = task_name(proc.ref_index)  # type: ignore[arg-type]
        events = [e for e in rt.events if e.matches("Scheduler.Dispatched") and _bytes(e["id"]) == name]
        if not events:
            self._fail(port, proc, "not dispatched by the Scheduler")
            return
        result = events[-1]["result"]
        if result is None and proc.target == "services":  # Root made the dispute through dispatch_as: its own result
            inner = [e for e in rt.events if e.matches("Utility.DispatchedAs")]
            result = inner[-1]["result"] if inner else "no DispatchedAs"
        self._finish_call(port, proc, now, result)

    # ------------------------------------------------------------------ multisig
    def _ms_approve(self, port: GovPort, proc: VetoProcess, agent: str) -> None:
        """One signatory's ``Multisig.as_multi`` carrying the veto call; the last needed one executes it
        as the multisig account (the dispute origin)."""
        rt = port.rt
        accounts, threshold = self.signatories(port.account)
        me = port.account(agent)
        others = tuple(a for a in accounts if a != me)
        if threshold == 1:
            proc.started_block = rt.block_number
            receipt = port.dispatch(me, "Multisig", "as_multi_threshold_1", {"other_signatories": others, "call": proc.call})
            self._finish_call(port, proc, rt.block_number, None if receipt.is_success else receipt.error_name)
            return
        first = proc.ayes == 0
        timepoint = None if first else proc.timepoint
        receipt = port.dispatch(me, "Multisig", "as_multi", {"threshold": threshold, "other_signatories": others, "maybe_timepoint": timepoint,
                                                             "call": proc.call, "max_weight": gc.WEIGHT_BOUND})
        if not receipt.is_success:
            self._fail(port, proc, f"Multisig.as_multi: {receipt.error_name}")
            return
        if first:
            proc.started_block = rt.block_number
            proc.timepoint = {"height": receipt.block_number, "index": receipt.extrinsic_idx}
        proc.ayes += 1
        executed = [e for e in receipt.triggered_events if e.matches("Multisig.MultisigExecuted")]
        if executed:
            self._finish_call(port, proc, rt.block_number, executed[-1]["result"])

    # ------------------------------------------------------------------ sudo
    def _sudo(self, port: GovPort, proc: VetoProcess) -> None:
        rt = port.rt
        now = rt.block_number
        proc.started_block = proc.enact_block = now
        rec = port.record(proc.slash_id)
        key = rt.pallets["Sudo"].storage.Key.value()
        if rec.target == "staking":
            call = self._plain_call(port, rec, _records(port))
            receipt = port.dispatch(key, "Sudo", "sudo", {"call": call})
            event = "Sudo.Sudid"
        else:
            era, index = rec.native_key  # type: ignore[misc]
            receipt = port.dispatch(key, "Sudo", "sudo_as", {"who": port.dispute_origin(rec.service_id), "call": gc.dispute(era, index)})
            event = "Sudo.SudoAsDone"
        if not receipt.is_success:
            self._fail(port, proc, f"{receipt.call_module}.{receipt.call_function}: {receipt.error_name}")
            return
        self._finish_call(port, proc, now, receipt.event(event)["sudo_result"])

    # ------------------------------------------------------------------ endings
    def _finish_call(self, port: GovPort, proc: VetoProcess, now: int, result: str | None) -> None:
        rec = port.record(proc.slash_id)
        if result is None and rec.status == "pending":
            self._landed(port, proc, rec, now)
        elif proc.apply_block is not None and now >= proc.apply_block:
            self._late(port, proc, result or "the slash was no longer pending")
        else:
            self._fail(port, proc, result or f"slash {rec.status}")

    def _already_late(self, port: GovPort, proc: VetoProcess, how: str, enact: int | None = None) -> bool:
        """A process classified late when its slash applied ends on chain: it stays late; its end and
        (when its call executed) its real enactment block are recorded."""
        if proc.late_at is None:
            return False
        proc.stage = "done"
        if enact is not None:
            proc.enact_block, proc.earliest_enact = enact, None
        proc.failure += f"; then {how}"
        self._annotate(port, proc)
        return True

    def _landed(self, port: GovPort, proc: VetoProcess, rec: SlashRecord, now: int) -> None:
        if self._already_late(port, proc, "its call executed", now):  # pragma: no cover - its slash applied, so it cannot land
            return
        proc.outcome, proc.stage, proc.enact_block = "landed", "done", now
        port.veto_landed(rec, now)
        self._annotate(port, proc)

    def _late(self, port: GovPort, proc: VetoProcess, why: str) -> None:
        if self._already_late(port, proc, why, proc.enact_block):
            return
        proc.outcome, proc.stage, proc.failure = "late", "done", why
        rec = port.record(proc.slash_id)
        rec.decision = "veto_late"
        self._annotate(port, proc)

    def _fail(self, port: GovPort, proc: VetoProcess, why: str) -> None:
        if proc.late_at is not None:
            # it was counted late when its slash applied (it could no longer land); now that the
            # process has failed on chain, its call will never execute: it is a failure, not late
            proc.earliest_enact = None
            why = f"{why} (its slash had applied at block {proc.late_at}, while the process was open)"
            proc.late_at = None
        proc.outcome, proc.stage, proc.failure = "failed", "done", why
        rec = port.record(proc.slash_id)
        rec.decision = "veto_failed"
        self._annotate(port, proc)

    @staticmethod
    def _annotate(port: GovPort, proc: VetoProcess) -> None:
        rec = port.record(proc.slash_id)
        rec.note = (rec.note + "; " if rec.note else "") + proc.note()
        port.touch(rec)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ dispatching actions
    def act(self, port: GovPort, arg: tuple[Any, ...]) -> None:
        pid, step, agent = arg[:3]
        proc = self.processes[pid]
        if not proc.running or (len(arg) > 3 and arg[3] != proc.motion_seq):
            return  # finished, or an action of an earlier motion of this process
        if step == "sudo":
            self._sudo(port, proc)
        elif step == "ms_approve":
            self._ms_approve(port, proc, agent)  # type: ignore[arg-type]
        elif step == "motion_propose":
            self._motion_propose(port, pid, proc, agent)  # type: ignore[arg-type]
        elif step == "motion_vote":
            self._motion_vote(port, pid, proc, agent)  # type: ignore[arg-type]
        elif step == "motion_end":
            self._motion_close(port, pid, proc, agent)  # type: ignore[arg-type]
        elif step == "public_propose":
            self._public_propose(port, pid, proc, agent)  # type: ignore[arg-type]
        elif step == "launch":
            self._launch(port, pid, proc)
        elif step == "ref_vote":
            self._ref_vote(port, proc, agent)  # type: ignore[arg-type]
        elif step == "bake":
            self._bake(port, pid, proc)
        elif step == "enact":
            self._enact(port, proc)
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown governance step {step!r}")


def _bytes(value: Any) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str) and value.startswith("0x"):
        return bytes.fromhex(value[2:])
    return bytes(value)


def _records(port: GovPort) -> list[SlashRecord]:
    return port.queue.records  # type: ignore[attr-defined]
