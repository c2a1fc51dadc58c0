"""The loop of one arm: a runtime plus the Python-side state (agents, slash queue, schedule,
random streams), advanced round by round, then (by default) drained: after the last round the run
goes on, with no new faults, accusations or requests, until no slash is pending.

Everything Python-side lives in :class:`SimState`, plain data that ``copy.deepcopy`` forks together
with ``rt.snapshot()`` for what-if branches. The runtime is advanced only as far as the next
scheduled action (a slash proposal, a veto landing, a rule's execution block, a pallet-queue check)
or the next round, so long quiet stretches cost one ``run_to_block``.

Agents see an :class:`AgentView` (the narrow :class:`simulations.lab.agents.AgentPort`), the
slash queue a :class:`simulations.lab.slash_queue.QueuePort`; neither holds the simulation.
"""

from __future__ import annotations

import copy
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterator

from runtime import Runtime
from runtime.accounts import display_name
from runtime.primitives import percent_of

from pallets.primitives.derivation import multi_account_id

from simulations.clock import Clock
from simulations.governance import SlashView, build_policy
from simulations.lab.policy_guard import guarded
from simulations.lab.actors import Actors, SetupError
from simulations.lab.agents import DelegatorAgent, OperatorAgent, RequesterAgent, ValidatorAgent
from simulations.lab.governors import NATIVE_RULES, GovBoard
from simulations.lab.measures import Metric
from simulations.lab.services import COMMITMENTS, request_params
from simulations.lab.slash_queue import SlashQueue, SlashRecord
from simulations.lab.world import build_actors, genesis_for, setup_chain
from simulations.rng import Streams
from simulations.scenario import NATIVE_SYMBOL, Scenario
from simulations.veto_rules import make_timing

MAD = "MultiAssetDelegation"
SVC = "Services"


@dataclass
class SimState:
    streams: Streams
    queue: SlashQueue
    operators: dict[str, OperatorAgent]
    validators: dict[str, ValidatorAgent]
    delegators: dict[str, DelegatorAgent]
    requesters: dict[str, RequesterAgent]
    actors: Actors
    heap: list[tuple[int, int, str, Any]] = field(default_factory=list)
    seq: int = 0
    events_seen: int = 0
    losses: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (account, asset) -> slashed
    loss_events: list[tuple[int, str, str, int]] = field(default_factory=list)  # (round, account, asset, amount): valued at that round's price
    mad_slashed: dict[tuple[str, int, int], list[dict[str, int]]] = field(default_factory=dict)  # (operator, service, era) -> assets taken per application, in order
    dropped_slashes: set[tuple[int, int]] = field(default_factory=set)  # Services SlashDropped (era, index)
    last_operator_key: tuple[str, int, int] | None = None  # the OperatorSlashed that DelegatorSlashed events follow
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # "Pallet.call -> Error" -> count
    decisions: dict[int, bool] = field(default_factory=dict)  # forced decisions (what-if branches)
    fork_at: int | None = None  # slash id at which to stop for a fork
    fork_ready: bool = False
    round: int = 0
    initial_member_values: dict[tuple[str, str], int] = field(default_factory=dict)  # (member, pool) -> TNT value after setup
    draining: bool = False  # past the last round: no new faults, the queue runs to empty
    drained_rounds: int = 0
    # what was still open at the horizon (the last round), before any drain resolved it: the tables
    # would otherwise read the post-drain "0 pending" as "nothing was pending at the horizon"
    at_horizon: dict[str, Any] | None = None
    gov: GovBoard | None = None  # governance agents and their veto processes (a path other than the shortcut)


class Simulation:
    """A scenario under one slash-veto rule, with a given seed."""

    MIN_DEPOSIT = 1_000 * 10**18  # Democracy's MinimumDeposit: what a token holder needs to propose a public referendum

    def __init__(self, scenario: Scenario, rule: str, seed: int | None = None) -> None:
        self.sc = scenario
        self.rule = rule
        self.seed = scenario.seed if seed is None else seed
        p = scenario.parameters
        self.clock = Clock(p.session_length, p.sessions_per_era)
        actors = build_actors(scenario)
        gov = scenario.governance
        board = GovBoard.from_spec(gov) if gov.path != "shortcut" and rule in NATIVE_RULES else None
        extra: dict[str, int] = {}
        if board is not None:
            for agent_id, role, spec in board.agent_ids():
                acc = actors.add(agent_id, role)
                extra[acc] = extra.get(acc, 0) + spec.balance + (self.MIN_DEPOSIT if role == "voter" else 0)
        if board is not None and gov.path == "multisig_dispute" and rule == "tangle_services":
            # the blueprints' owner (the default manager's dispute origin) is the councillors' multisig account
            multisig = multi_account_id(*board.signatories(actors.account))
            for bp in scenario.genesis.blueprints:
                actors.accounts[bp.owner] = multisig
        self.genesis = genesis_for(scenario, rule, self.seed, actors, extra)
        self.rt = Runtime(self.genesis)
        timing = make_timing(rule, self.clock, p, resolver=scenario.governance.resolver)
        self.state = SimState(
            streams=Streams(self.seed),
            queue=SlashQueue(rule, timing),
            operators={o.id: OperatorAgent(o.id, o) for o in scenario.genesis.operators},
            validators={v.id: ValidatorAgent(v.id, v) for v in scenario.genesis.validators},
            delegators={d_id: DelegatorAgent(d_id, d) for d_id, d in scenario.delegator_ids()},
            requesters={r.id: RequesterAgent(r.id, r) for r in scenario.genesis.requesters},
            actors=actors,
            gov=board,
        )
        self.decide = guarded(build_policy(scenario.governance.policy), scenario.governance.policy)  # a user policy that raises: one clear error
        self.total_blocks = scenario.total_blocks()
        self.last_round = self.clock.round_of(self.total_blocks)
        self._setup_done = False
        self.view = AgentView(self)

    @staticmethod
    def rounds_of(sc: Scenario) -> int:
        """How many rounds (0 .. last) a scenario runs."""
        clock = Clock(sc.parameters.session_length, sc.parameters.sessions_per_era)
        return clock.round_of(sc.total_blocks()) + 1

    # ------------------------------------------------------------------ conveniences
    @property
    def actors(self) -> Actors:
        return self.state.actors

    @property
    def streams(self) -> Streams:
        return self.state.streams

    @property
    def queue(self) -> SlashQueue:
        return self.state.queue

    def schedule(self, block: int, kind: str, arg: Any = None) -> None:
        self.state.seq += 1
        heapq.heappush(self.state.heap, (block, self.state.seq, kind, arg))

    def dispatch(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> Any:
        """Dispatch a call (failures are returned, counted, and stay in the call log)."""
        receipt = self.rt.dispatch(origin, module, function, params, raise_error=False)
        if not receipt.is_success:
            self.state.failures[f"{module}.{function} -> {receipt.error_name}"] += 1
        return receipt

    def act(self, actor_id: str, module: str, function: str, params: dict[str, Any]) -> bool:
        """An actor's own signed call; True if it succeeded."""
        return self.dispatch(self.actors.account(actor_id), module, function, params).is_success

    def account(self, actor_id: str) -> str:
        return self.actors.account(actor_id)

    def is_dropped(self, key: tuple[int, int]) -> bool:
        return key in self.state.dropped_slashes

    # ------------------------------------------------------------------ the governance port (simulations.lab.governors.GovPort)
    def record(self, slash_id: int) -> SlashRecord:
        return self.queue.records[slash_id]

    def touch(self, rec: SlashRecord) -> None:
        self.queue.touch(rec)

    def veto_landed(self, rec: SlashRecord, block: int) -> None:
        """A governance process's veto call succeeded: the slash is vetoed in this block."""
        rec.status, rec.veto_block = "vetoed", block
        self.queue.touch(rec)

    def governance_open(self) -> bool:
        """A veto process is still running (its outcome unknown): draining goes on for it."""
        return self.state.gov is not None and bool(self.state.gov.open_processes())

    # ------------------------------------------------------------------ setup and forks
    def setup(self) -> None:
        setup_chain(self.rt, self.sc, self.actors)
        board = self.state.gov
        if board is not None and board.council:
            members = [self.actors.account(i) for i, _ in board.council]
            receipt = self.dispatch("root", "Council", "set_members", {"new_members": members, "prime": None, "old_count": 0})
            if not receipt.is_success:
                raise SetupError(f"setup: Council.set_members failed with {receipt.error_name}")
        self.state.initial_member_values = self.member_values()
        for svc in self.actors.services:
            spec = self.sc.genesis.services[self.actors.services.index(svc)]
            if spec.terminate_at_round is not None:
                self.schedule(self.clock.first_block_of_round(spec.terminate_at_round), "terminate", svc["id"])
        for f in self.sc.faults:
            target = "staking" if f.offender in self.state.validators else "services"
            self.schedule(self.clock.first_block_of_round(f.round), "scripted_fault", (f.offender, target, f.slash_percent, f.disputed, f.service, f.justified))
        self._setup_done = True

    def fork(self) -> tuple[Any, SimState]:
        """Save everything (runtime and Python state) for a what-if branch."""
        return self.rt.snapshot(), copy.deepcopy(self.state)

    def restore(self, saved: tuple[Any, SimState]) -> None:
        snap, state = saved
        self.rt.restore(snap)
        self.state = copy.deepcopy(state)

    # ------------------------------------------------------------------ faults and slashes
    def fault(self, offender: str, target: str, fault_block: int, percent: int, disputed: bool, service_index: int | None = None,
              justified: bool = True) -> None:
        """A misbehaviour at ``fault_block`` (or, ``justified=False``, a false accusation): proposed
        as a slash ``detection_blocks`` later."""
        service_id = blueprint_id = None
        if target == "services":
            svc = self.service_of(offender, service_index)
            if svc is None:
                self.state.counters["faults_without_service"] += 1
                return
            service_id, blueprint_id = svc["id"], svc["blueprint_id"]
        rec = self.queue.new_record(target=target, offender=offender, percent=percent, disputed=disputed, fault_block=fault_block,
                                    service_id=service_id, blueprint_id=blueprint_id, justified=justified)
        self.state.counters["faults" if justified else "false_accusations"] += 1
        self.schedule(max(fault_block + self.sc.parameters.detection_blocks, self.rt.block_number), "propose", rec.slash_id)

    def service_of(self, operator: str, index: int | None = None) -> dict[str, Any] | None:
        mine = [s for s in self.actors.services if operator in s["operators"]]
        if not mine:
            return None
        return mine[index] if index is not None and index < len(mine) else mine[0]

    def slashing_origin(self, service_id: int | None) -> str:
        """Whom the service's manager names as slashing origin, asked of the pallet: the default
        manager names the blueprint owner, and under ``real`` the manager contract itself (tnt-core's
        stock manager, which slashes through the Services precompile as its mapped account). The
        owner if it names nobody (the slash then fails as on chain)."""
        svc = next(s for s in self.actors.services if s["id"] == service_id)
        named = self.rt.pallets[SVC].slashing_origin_of(service_id)  # type: ignore[attr-defined]
        return named if named is not None else self.actors.account(svc["blueprint_owner"])

    def dispute_origin(self, service_id: int | None) -> str:
        """Whom the service's manager names as dispute origin (as :meth:`slashing_origin`)."""
        svc = next(s for s in self.actors.services if s["id"] == service_id)
        named = self.rt.pallets[SVC].dispute_origin_of(svc["blueprint_id"], service_id)  # type: ignore[attr-defined]
        return named if named is not None else self.actors.account(svc["blueprint_owner"])

    def _propose(self, rec: SlashRecord) -> None:
        self.queue.propose(self, rec)
        self.state.counters["proposed"] += 1
        if rec.status not in ("pending",):
            return
        op = self.state.operators.get(rec.offender)
        if op is not None:
            op.on_slash(self.view, "proposed")
        for d in self.state.delegators.values():
            d.on_slash(self.view, rec.offender, "proposed")
        if self.state.fork_at == rec.slash_id and not self.state.draining:
            self.state.fork_ready = True
            return
        self._govern(rec)

    def _govern(self, rec: SlashRecord, forced: bool | None = None) -> None:
        view = SlashView(rec.slash_id, rec.rule, rec.offender, rec.target, rec.percent, rec.disputed, rec.proposed_block or 0,
                         rec.timing.last_veto_block if rec.timing else None, rec.veto_window_blocks)
        veto = forced if forced is not None else self.state.decisions.get(rec.slash_id)
        if veto is None:
            veto = bool(self.decide(view, self.streams))
        rec.decision = "veto" if veto else "keep"
        self.queue.touch(rec)
        if veto and self.state.gov is not None and rec.native:
            self.state.gov.start(self, rec, self.queue.records)
        elif veto:
            self.schedule(max(rec.proposed_block or 0, self.rt.block_number) + self.sc.governance.reaction_blocks, "veto", rec.slash_id)

    def decide_fork(self, veto: bool) -> None:
        """In a branch: governance's decision on the fork slash is forced to ``veto``."""
        rec = self.queue.records[self.state.fork_at]  # type: ignore[index]
        self.state.decisions[rec.slash_id] = veto
        self.state.fork_ready = False
        self.state.fork_at = None
        self._govern(rec, forced=veto)

    def on_slash_applied(self, rec: SlashRecord) -> None:
        self.state.counters["applied"] += 1
        if self.state.gov is not None:  # a veto process still open for it can only be late now
            self.state.gov.slash_applied(self, rec)
        self._services_react(rec)  # owners may end the slashed operator's services first
        op = self.state.operators.get(rec.offender)
        if op is not None:
            op.on_slash(self.view, "applied")
        for d in self.state.delegators.values():
            d.on_slash(self.view, rec.offender, "applied")

    def take_slash_amounts(self, rec: SlashRecord) -> dict[str, int]:
        """What the pallet took for ``rec``, per asset: applications of one (operator, service, round)
        come in index order, so they are handed out in that order whatever order the checks run in."""
        self.scan_events()
        key = (self.actors.account(rec.offender), rec.service_id, rec.native_key[0])  # type: ignore[index]
        amounts = self.state.mad_slashed.get(key, [])
        return amounts.pop(0) if amounts else {}

    # ------------------------------------------------------------------ services (requests, exits)
    def request_service(self, requester: str, spec: Any) -> None:
        """One request by ``requester``; with probability ``approve_p`` (the requester's approvals stream)
        the named operators approve it, else it stays pending (and expires if request expiry is on)."""
        rt = self.rt
        storage = rt.pallets[SVC].storage
        bid = self.actors.blueprint_ids[spec.blueprint]
        rid = storage.NextServiceRequestId.value()
        sid = storage.NextInstanceId.value()
        c = self.state.counters
        c["requests_sent"] += 1
        receipt = self.dispatch(self.actors.account(requester), SVC, "request", request_params(rt, self.actors, bid, spec.operators))
        if not receipt.is_success:
            c["requests_refused"] += 1
            return
        if not self.streams.chance(f"{requester}/approvals", spec.approve_p):
            c["requests_left_pending"] += 1
            return
        for op in spec.operators:
            if not self.act(op, SVC, "approve", {"request_id": rid, "security_commitments": COMMITMENTS}):
                c["approvals_refused"] += 1
                return
        if storage.Instances.contains(sid):
            c["services_started"] += 1
            owners = {bp.id: bp.owner for bp in self.sc.genesis.blueprints}
            self.actors.services.append({"id": sid, "blueprint": spec.blueprint, "blueprint_id": bid, "blueprint_owner": owners[spec.blueprint],
                                         "owner": requester, "operators": list(spec.operators), "terminate_on_slash": False, "active": True})
            if spec.terminate_after_rounds is not None:
                self.schedule(self.clock.first_block_of_round(rt.current_round + spec.terminate_after_rounds), "terminate", sid)

    def terminate_service(self, service_id: int) -> None:
        svc = next((s for s in self.actors.services if s["id"] == service_id), None)
        if svc is None or not svc["active"]:
            return
        if self.act(svc["owner"], SVC, "terminate", {"service_id": service_id}):
            svc["active"] = False
            self.state.counters["services_terminated"] += 1

    def _services_react(self, rec: SlashRecord) -> None:
        """Owners with ``terminate_on_slash`` end the slashed operator's services."""
        if rec.target != "services":
            return
        for svc in self.actors.services:
            if svc["active"] and svc["terminate_on_slash"] and rec.offender in svc["operators"]:
                self.terminate_service(svc["id"])

    def _unregister_all(self, operator: str) -> None:
        """Unregister ``operator`` from its blueprints (refused while it runs a service there)."""
        storage = self.rt.pallets[SVC].storage
        account = self.actors.account(operator)
        for bp, bid in self.actors.blueprint_ids.items():
            if storage.Operators.contains((bid, account)):
                self.act(operator, SVC, "unregister", {"blueprint_id": bid})

    def exit_operator(self, operator: str) -> None:
        """Start leaving: unregister from blueprints, then ``schedule_leave_operators`` (refused by
        Services while the operator still runs services); retried each round, five times at most."""
        self.schedule(self.rt.block_number, "try_exit", (operator, 0))

    def _try_exit(self, operator: str, tries: int) -> None:
        if SVC in self.rt.pallets:
            self._unregister_all(operator)
        if self.act(operator, MAD, "schedule_leave_operators", {}):
            delay = self.rt.constants(MAD).LeaveOperatorsDelay
            self.state.counters["exits_scheduled"] += 1
            self.schedule(self.clock.first_block_of_round(self.rt.current_round + delay), "execute_leave", operator)
        elif tries < 5:
            self.schedule(self.clock.first_block_of_round(self.rt.current_round + 1), "try_exit", (operator, tries + 1))
        else:
            self.state.counters["exits_refused"] += 1

    # ------------------------------------------------------------------ reading state
    def staking_active(self, actor_id: str) -> int:
        ledger = self.rt.pallets["Staking"].storage.Ledger.get(self.actors.account(actor_id))
        return ledger.active if ledger is not None else 0

    def delegated_amount(self, delegator: str, operator: str, symbol: str) -> int:
        meta = self.rt.pallets[MAD].storage.Delegators.get(self.actors.account(delegator))
        if meta is None:
            return 0
        op_acc, asset_id = self.actors.account(operator), self.actors.asset_ids[symbol]
        return sum(d.amount for d in meta.delegations if d.operator == op_acc and d.asset.value == asset_id and not d.is_nomination)

    def undelegated_deposit(self, delegator: str, symbol: str) -> int:
        meta = self.rt.pallets[MAD].storage.Delegators.get(self.actors.account(delegator))
        if meta is None:
            return 0
        asset_id = self.actors.asset_ids[symbol]
        for asset, dep in meta.deposits:
            if asset.value == asset_id:
                pending = sum(w.amount for w in meta.withdraw_requests if w.asset.value == asset_id)
                return max(dep.amount - dep.delegated_amount - pending, 0)
        return 0

    def best_unslashed_operator(self, exclude: str) -> str | None:
        slashed = {r.offender for r in self.queue.records if r.status in ("pending", "applied", "executing")}
        ops = self.rt.pallets[MAD].storage.Operators
        best, best_stake = None, -1
        for op_id, agent in self.state.operators.items():
            if op_id == exclude or op_id in slashed or agent.leaving:
                continue
            meta = ops.get(self.actors.account(op_id))
            if meta is not None and meta.status.name == "Active" and meta.stake > best_stake:
                best, best_stake = op_id, meta.stake
        return best

    # ------------------------------------------------------------------ events
    def scan_events(self) -> None:
        """Fold new runtime events into the loss ledger (exact base units)."""
        rt = self.rt
        n_log = len(rt.event_log)
        seen = self.state.events_seen
        if seen < n_log:
            new = rt.event_log[seen:] + list(rt.db.events)
        else:
            new = rt.db.events[seen - n_log:]
        self.state.events_seen = n_log + len(rt.db.events)
        losses = self.state.losses
        events = self.state.loss_events
        now = self.clock.round_of(rt.block_number)
        for ev in new:
            pallet, name = ev.spec.pallet, ev.spec.name
            if pallet == MAD and name == "OperatorSlashed":
                losses[(ev["operator"], NATIVE_SYMBOL)] += ev["amount"]
                events.append((now, ev["operator"], NATIVE_SYMBOL, ev["amount"]))
                key = (ev["operator"], ev["service_id"], ev["era"])
                self.state.mad_slashed.setdefault(key, []).append({NATIVE_SYMBOL: ev["amount"]})
                self.state.last_operator_key = key
            elif pallet == MAD and name == "DelegatorSlashed":
                symbol = self._symbol(ev["asset"])
                losses[(ev["delegator"], symbol)] += ev["amount"]
                events.append((now, ev["delegator"], symbol, ev["amount"]))
                # slash_operator emits OperatorSlashed, then one DelegatorSlashed per exposed delegation
                if self.state.last_operator_key is not None:
                    taken = self.state.mad_slashed[self.state.last_operator_key][-1]
                    taken[symbol] = taken.get(symbol, 0) + ev["amount"]
            elif pallet == "Staking" and name == "Slashed":
                losses[(ev["staker"], NATIVE_SYMBOL)] += ev["amount"]
                events.append((now, ev["staker"], NATIVE_SYMBOL, ev["amount"]))
            elif pallet == "Services" and name == "SlashDropped":
                self.state.dropped_slashes.add((ev["era"], ev["index"]))
            elif pallet == "Services" and name == "ServiceRequestExpired":
                self.state.counters["requests_expired"] += 1

    def _symbol(self, asset: Any) -> str:
        aid = asset.value if hasattr(asset, "value") else asset
        for sym, i in self.actors.asset_ids.items():
            if i == aid:
                return sym
        return f"asset{aid}"

    # ------------------------------------------------------------------ running
    def _run_action(self, kind: str, arg: Any) -> None:
        q = self.queue
        if kind == "propose":
            self._propose(q.records[arg])
        elif kind == "veto":
            q.veto(self, q.records[arg])
        elif kind == "execute":
            q.execute(self, q.records[arg])
        elif kind == "check":
            q.check(self, q.records[arg])
        elif kind == "scripted_fault":
            offender, target, percent, disputed, service, justified = arg
            if not self.state.draining:
                self.fault(offender, target, self.rt.block_number, percent, disputed, service, justified)
        elif kind == "try_exit":
            self._try_exit(*arg)
        elif kind == "execute_leave":
            if self.act(arg, MAD, "execute_leave_operators", {}):
                self.state.operators[arg].left = True
                self.state.counters["operators_left"] += 1
            else:
                self.state.counters["leave_failed"] += 1
        elif kind == "terminate":
            self.terminate_service(arg)
        elif kind == "gov":
            if self.state.gov is not None:
                self.state.gov.act(self, arg)
        elif kind == "round_start":
            self._round_start(arg)
        else:  # pragma: no cover - programming error
            raise ValueError(f"unknown action {kind!r}")

    def _round_start(self, r: int) -> None:
        s = self.state
        for agent in list(s.operators.values()) + list(s.validators.values()) + list(s.delegators.values()) + list(s.requesters.values()):
            agent.on_round(self.view, r)

    def advance_to(self, target: int) -> bool:
        """Run scheduled actions up to the end of block ``target``. Returns False if it stopped early
        at a fork point (the fork slash was just proposed)."""
        rt = self.rt
        heap = self.state.heap
        while True:
            if self.state.fork_ready:
                return False
            nxt = heap[0][0] if heap else None
            if nxt is not None and nxt <= target:
                if nxt > rt.block_number:
                    rt.run_to_block(nxt)
                _, _, kind, arg = heapq.heappop(heap)
                self._run_action(kind, arg)
                self.queue.stamp(rt.block_number)
                continue
            if rt.block_number < target:
                rt.run_to_block(target)
                continue
            return True

    def run_round(self, r: int) -> bool:
        """Play round ``r`` to its last block (or the run's end). False if stopped at a fork point."""
        if r > 0 and self.state.round < r:
            self.state.round = r
            self.rt.run_to_block(max(self.clock.first_block_of_round(r), self.rt.block_number))
            self._round_start(r)
        elif r == 0 and not self._setup_done:
            self.setup()
        end = self.clock.last_block_of_round(r) if self.state.draining else min(self.clock.last_block_of_round(r), self.total_blocks)
        return self.advance_to(end)

    def rounds(self, start: int = 0) -> Iterator[int]:
        """Play rounds ``start`` .. the last, then drain (scenario ``end.pending == "drain"``): more
        rounds with no new faults until no slash is open or ``end.max_drain_rounds`` have passed.
        Yields each round number once it is played; stops early (without yielding) at a fork point."""
        for r in range(start, self.last_round + 1):
            if not self.run_round(r):
                return
            yield r
        if self.state.at_horizon is None and not self.state.draining:
            self.state.at_horizon = self.horizon_snapshot()
        end = self.sc.end
        if end.pending != "drain":
            return
        r = max(start - 1, self.last_round)
        self.state.draining = True
        while (self.queue.open_records() or self.governance_open()) and self.state.drained_rounds < end.max_drain_rounds:
            r += 1
            self.state.drained_rounds += 1
            self.run_round(r)
            yield r

    def horizon_snapshot(self) -> dict[str, Any]:
        """The slashes and veto processes still open at the horizon, and what those slashes would take
        (base units per asset): read-only, so taking it changes no state and no draw."""
        open_recs = self.queue.open_records()  # as ``pending_at_end`` counts them
        risk: dict[str, int] = {}
        for rec in open_recs:
            for sym, amount in self.value_at_risk(rec).items():
                risk[sym] = risk.get(sym, 0) + amount
        gov_open = len(self.state.gov.open_processes()) if self.state.gov is not None else 0
        return {"round": self.last_round, "pending": len(open_recs), "pending_justified": sum(1 for r in open_recs if r.justified),
                "pending_base": dict(sorted(risk.items())), "gov_open": gov_open}

    # ------------------------------------------------------------------ measuring
    def metrics(self) -> list[Metric]:
        """Per-entity state at this point (exact ints): stakes, delegations, losses, pool values."""
        self.scan_events()
        rt, acts = self.rt, self.actors
        out: list[Metric] = []
        mad = rt.pallets[MAD].storage
        for op_id in self.state.operators:
            meta = mad.Operators.get(acts.account(op_id))
            out.append(Metric(op_id, "operator", "stake", NATIVE_SYMBOL, meta.stake if meta else 0))
            per_asset: dict[str, int] = defaultdict(int)
            for bond in meta.delegations if meta else ():
                per_asset[self._symbol(bond.asset)] += bond.amount
            for sym, amount in sorted(per_asset.items()):
                out.append(Metric(op_id, "operator", "delegated", sym, amount))
        for d_id in self.state.delegators:
            meta = mad.Delegators.get(acts.account(d_id))
            per_asset = defaultdict(int)
            for d in meta.delegations if meta else ():
                per_asset[self._symbol(d.asset)] += d.amount
            for dl in self.state.delegators[d_id].spec.delegations:
                per_asset.setdefault(dl.asset, 0)
            for sym, amount in sorted(per_asset.items()):
                out.append(Metric(d_id, "delegator", "delegated", sym, amount))
        staking = rt.pallets["Staking"].storage
        for v_id in list(self.state.validators) + [o.id for o in self.sc.genesis.operators if o.validator is not None]:
            ledger = staking.Ledger.get(acts.account(v_id))
            out.append(Metric(v_id, "validator", "bonded", NATIVE_SYMBOL, ledger.total if ledger else 0))
        if self.sc.genesis.lst_pools:
            lst = rt.pallets["Lst"]
            fungibles = rt.pallets["Assets"].fungibles
            for pool in self.sc.genesis.lst_pools:
                pid = acts.pool_ids.get(pool.id)
                if pid is None:
                    continue
                out.append(Metric(pool.id, "pool", "active", NATIVE_SYMBOL, lst.active_balance(pid)))
                for member in [pool.creator] + [m.id for m in pool.members]:
                    points = fungibles.balance(pid, acts.account(member))
                    out.append(Metric(member, "pool_member", f"value:{pool.id}", NATIVE_SYMBOL, lst.pool_points_to_balance(pid, points) if points else 0))
        for (account, sym), amount in sorted(self.state.losses.items()):
            out.append(Metric(self.entity_name(account), self.role_of(account), "slashed", sym, amount))
        counts: dict[str, int] = defaultdict(int)
        for rec in self.queue.records:
            counts[rec.status] += 1
        for status in ("pending", "vetoed", "applied", "rejected", "dropped", "failed"):
            out.append(Metric("queue", "queue", status, "-", counts.get(status, 0)))
        if self.sc.genesis.blueprints and SVC in rt.pallets:
            storage = rt.pallets[SVC].storage
            out.append(Metric("services", "services", "pending_requests", "-", len(storage.ServiceRequests)))
            out.append(Metric("services", "services", "active_services", "-", len(storage.Instances)))
        for name, value in sorted(self.state.counters.items()):
            out.append(Metric("sim", "sim", name, "-", value))
        return out

    def entity_name(self, account: str) -> str:
        actor = self.actors.actor_of(account)
        if actor is not None:
            return actor
        if self.sc.genesis.lst_pools:
            lst = self.rt.pallets["Lst"]
            for pool_id, pid in self.actors.pool_ids.items():
                if lst.bonded_account(pid) == account:
                    return f"pool:{pool_id}"
        return display_name(account)

    def role_of(self, account: str) -> str:
        actor = self.actors.actor_of(account)
        if actor is not None:
            return self.actors.roles[actor]
        return "pool" if self.entity_name(account).startswith("pool:") else "other"

    def member_values(self) -> dict[tuple[str, str], int]:
        """What each LST pool member's tokens are worth now (TNT, exact)."""
        out: dict[tuple[str, str], int] = {}
        if not self.sc.genesis.lst_pools:
            return out
        lst = self.rt.pallets["Lst"]
        fungibles = self.rt.pallets["Assets"].fungibles
        for pool in self.sc.genesis.lst_pools:
            pid = self.actors.pool_ids.get(pool.id)
            if pid is None:
                continue
            for member in [pool.creator] + [m.id for m in pool.members]:
                points = fungibles.balance(pid, self.actors.account(member))
                out[(member, pool.id)] = lst.pool_points_to_balance(pid, points) if points else 0
        return out

    def losses(self) -> list[Metric]:
        """Final losses per entity and asset: slashed amounts, plus what LST members' tokens lost in
        value since setup (their pool's bonded account is what staking slashes)."""
        self.scan_events()
        out = [Metric(self.entity_name(acc), self.role_of(acc), "loss", sym, amount) for (acc, sym), amount in sorted(self.state.losses.items())]
        now = self.member_values()
        for (member, pool), before in self.state.initial_member_values.items():
            lost = before - now.get((member, pool), 0)
            if lost > 0:
                out.append(Metric(member, "pool_member", "loss", NATIVE_SYMBOL, lost))
        return out

    # ------------------------------------------------------------------ what is still at stake
    def value_at_risk(self, rec: SlashRecord) -> dict[str, int]:
        """What an open slash would take if it were applied now, per asset (base units).

        Services: ``percent`` of the offender's self-stake and of each delegation to it that covers
        the blueprint (what ``slash_operator`` takes); staking, reported natively: the amount
        pallet_staking computed at report; staking, modelled: ``percent`` of the validator's own
        bond (a lower bound: nominators' exposure is not estimated)."""
        if rec.target == "services":
            acc = self.actors.account(rec.offender)
            mad = self.rt.pallets[MAD].storage
            op = mad.Operators.get(acc)
            if op is None:
                return {}
            out: dict[str, int] = {NATIVE_SYMBOL: percent_of(rec.percent, op.stake)}
            for delegator in {b.delegator for b in op.delegations}:
                meta = mad.Delegators.get(delegator)
                for d in meta.delegations if meta else ():
                    if d.operator == acc and d.blueprint_selection.contains(rec.blueprint_id):
                        sym = self._symbol(d.asset)
                        out[sym] = out.get(sym, 0) + percent_of(rec.percent, d.amount)
            return out
        if rec.native and rec.amount:
            return {NATIVE_SYMBOL: rec.amount}
        ledger = self.rt.pallets["Staking"].storage.Ledger.get(self.actors.account(rec.offender))
        return {NATIVE_SYMBOL: percent_of(rec.percent, ledger.total)} if ledger else {}


class AgentView:
    """The :class:`simulations.lab.agents.AgentPort` of one simulation: what agents may do and read."""

    __slots__ = ("_sim",)

    def __init__(self, sim: Simulation) -> None:
        self._sim = sim

    def __deepcopy__(self, memo: dict) -> "AgentView":
        return self  # agents never hold it; a fork keeps acting on the same simulation object

    @property
    def streams(self) -> Streams:
        return self._sim.state.streams

    @property
    def clock(self) -> Clock:
        return self._sim.clock

    @property
    def draining(self) -> bool:
        return self._sim.state.draining

    @property
    def current_round(self) -> int:
        return self._sim.rt.current_round

    def constant(self, pallet: str, name: str) -> Any:
        return getattr(self._sim.rt.constants(pallet), name)

    def act(self, actor_id: str, module: str, function: str, params: dict[str, Any]) -> bool:
        return self._sim.act(actor_id, module, function, params)

    def account(self, actor_id: str) -> str:
        return self._sim.actors.account(actor_id)

    def asset(self, symbol: str) -> dict[str, int]:
        return self._sim.actors.asset(symbol)

    def blueprint_id(self, name: str) -> int:
        return self._sim.actors.blueprint_ids[name]

    def staking_active(self, actor_id: str) -> int:
        return self._sim.staking_active(actor_id)

    def delegated_amount(self, delegator: str, operator: str, symbol: str) -> int:
        return self._sim.delegated_amount(delegator, operator, symbol)

    def undelegated_deposit(self, delegator: str, symbol: str) -> int:
        return self._sim.undelegated_deposit(delegator, symbol)

    def best_unslashed_operator(self, exclude: str) -> str | None:
        return self._sim.best_unslashed_operator(exclude)

    def report_fault(self, offender: str, target: str, fault_block: int, percent: int, disputed: bool, justified: bool = True) -> None:
        self._sim.fault(offender, target, fault_block, percent, disputed, justified=justified)

    def exit_operator(self, operator: str) -> None:
        self._sim.exit_operator(operator)

    def request_service(self, requester: str, spec: Any) -> None:
        self._sim.request_service(requester, spec)
