"""Actors' behaviour: operators (honest / faulty(p) / offline), delegators (hold / flee / restake
after slashes), validators (faulty, leaving the set), requesters (service requests each round).

Agents are plain data (deep-copied with the rest of a simulation for what-if branches). They see
the chain only through an :class:`AgentPort` (signed calls by actor id, a few reads, reporting a
fault, asking to leave or to request a service), never the simulation object, so every action lands
in the call log and an agent cannot reach into the runtime or the slash queue. Each draws only from
its own stream (``port.streams[agent.id]``), so adding an actor never changes what the others do.
Failed calls are part of the story (e.g. ``CannotExit`` while an operator still runs services) and
are counted, not hidden. While a run drains its slash queue (``port.draining``) nobody misbehaves,
is accused or sends requests; exits and withdrawals go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from simulations.clock import Clock
from simulations.rng import Streams

if TYPE_CHECKING:
    from simulations.scenario import DelegatorSpec, OperatorSpec, RequesterSpec, ValidatorSpec

MAD = "MultiAssetDelegation"


class AgentPort(Protocol):
    """Everything an agent may do or read."""

    streams: Streams
    clock: Clock
    draining: bool

    @property
    def current_round(self) -> int: ...

    def constant(self, pallet: str, name: str) -> Any: ...

    def act(self, actor_id: str, module: str, function: str, params: dict[str, Any]) -> bool: ...

    def account(self, actor_id: str) -> str: ...

    def asset(self, symbol: str) -> dict[str, int]: ...

    def blueprint_id(self, name: str) -> int: ...

    def staking_active(self, actor_id: str) -> int: ...

    def delegated_amount(self, delegator: str, operator: str, symbol: str) -> int: ...

    def undelegated_deposit(self, delegator: str, symbol: str) -> int: ...

    def best_unslashed_operator(self, exclude: str) -> str | None: ...

    def report_fault(self, offender: str, target: str, fault_block: int, percent: int, disputed: bool, justified: bool = True) -> None: ...

    def exit_operator(self, operator: str) -> None: ...

    def request_service(self, requester: str, spec: Any) -> None: ...


@dataclass
class OperatorAgent:
    id: str
    spec: "OperatorSpec"
    slashes_applied: int = 0
    went_offline: bool = False
    leaving: bool = False
    left: bool = False
    faults: int = 0

    def on_round(self, sim: AgentPort, r: int) -> None:
        b = self.spec.behaviour
        if self.left or sim.draining:
            return
        if b.kind == "faulty" and r >= b.from_round and (b.max_faults is None or self.faults < b.max_faults):
            stream = sim.streams[self.id]
            if stream.random() < b.p:
                offset = stream.randrange(sim.clock.session_length)
                disputed = stream.random() < b.disputed_p
                self.faults += 1
                sim.report_fault(self.id, "services", sim.clock.first_block_of_round(r) + offset, b.slash_percent, disputed)
        elif b.kind == "offline" and r >= b.offline_from_round:
            if not self.went_offline:
                self.went_offline = True
                sim.act(self.id, MAD, "go_offline", {})
            stream = sim.streams[self.id]
            disputed = stream.random() < b.disputed_p
            sim.report_fault(self.id, "services", sim.clock.first_block_of_round(r), b.slash_percent, disputed)
        if b.falsely_accused_p > 0:
            accusations = sim.streams[f"{self.id}/accusations"]
            if accusations.random() < b.falsely_accused_p:
                offset = accusations.randrange(sim.clock.session_length)
                disputed = accusations.random() < b.falsely_accused_disputed_p
                sim.report_fault(self.id, "services", sim.clock.first_block_of_round(r) + offset, b.falsely_accused_percent, disputed, justified=False)

    slashes_proposed: int = 0

    def on_slash(self, sim: AgentPort, phase: str) -> None:
        """One of this operator's slashes was proposed or applied."""
        if phase == "proposed":
            self.slashes_proposed += 1
        else:
            self.slashes_applied += 1
        b = self.spec.behaviour
        seen = self.slashes_proposed if b.leave_when == "proposed" else self.slashes_applied
        if b.leave_after_slashes is not None and b.leave_when == phase and seen >= b.leave_after_slashes and not self.leaving:
            self.leaving = True
            sim.exit_operator(self.id)


@dataclass
class ValidatorAgent:
    id: str
    spec: "ValidatorSpec"
    left: bool = False
    faults: int = 0

    def on_round(self, sim: AgentPort, r: int) -> None:
        b = self.spec.behaviour
        if self.spec.leave_at_round is not None and r == self.spec.leave_at_round and not self.left:
            self.left = True
            sim.act(self.id, "Staking", "chill", {})
            bonded = sim.staking_active(self.id)
            if bonded:
                sim.act(self.id, "Staking", "unbond", {"value": bonded})
        if b.kind == "faulty" and not sim.draining and r >= b.from_round and (b.max_faults is None or self.faults < b.max_faults):
            stream = sim.streams[self.id]
            if stream.random() < b.p:
                offset = stream.randrange(sim.clock.session_length)
                disputed = stream.random() < b.disputed_p
                self.faults += 1
                sim.report_fault(self.id, "staking", sim.clock.first_block_of_round(r) + offset, b.slash_percent, disputed)


@dataclass
class DelegatorAgent:
    """A delegator; ``moves`` are its open unstake/withdraw steps: ``{operator, asset, amount, stage, due_round, to}``."""

    id: str
    spec: "DelegatorSpec"
    reacted: set[str] = field(default_factory=set)  # operators it already reacted to
    moves: list[dict[str, Any]] = field(default_factory=list)

    def backs(self, sim: AgentPort, operator: str) -> bool:
        return any(d.operator == operator for d in self.spec.delegations)

    def on_slash(self, sim: AgentPort, operator: str, phase: str) -> None:
        b = self.spec.behaviour
        if b.kind == "hold" or b.when != phase or operator in self.reacted or not self.backs(sim, operator):
            return
        self.reacted.add(operator)
        if not sim.streams.chance(self.id, b.p):
            return
        target = sim.best_unslashed_operator(exclude=operator) if b.kind == "restake" else None
        for dl in self.spec.delegations:
            if dl.operator != operator:
                continue
            amount = sim.delegated_amount(self.id, operator, dl.asset)
            if amount <= 0:
                continue
            r = sim.act(self.id, MAD, "schedule_delegator_unstake", {"operator": sim.account(operator), "asset": sim.asset(dl.asset), "amount": amount})
            if r:
                delay = sim.constant(MAD, "DelegationBondLessDelay")
                self.moves.append({"operator": operator, "asset": dl.asset, "amount": amount, "stage": "unstaking",
                                   "due_round": sim.current_round + delay, "to": target, "blueprints": dl.blueprints})

    def on_round(self, sim: AgentPort, r: int) -> None:
        # one execute_delegator_unstake executes every ready unstake request of the delegator
        due = [m for m in self.moves if m["stage"] == "unstaking" and r >= m["due_round"]]
        if due:
            if sim.act(self.id, MAD, "execute_delegator_unstake", {}):
                for move in due:
                    self._after_unstake(sim, move)
            else:
                for move in due:
                    self._retry(move, r)
        for move in self.moves:
            if move["stage"] == "withdrawing" and r >= move["due_round"]:
                if sim.act(self.id, MAD, "execute_withdraw", {"evm_address": None}):
                    for other in self.moves:
                        if other["stage"] == "withdrawing" and r >= other["due_round"]:
                            other["stage"] = "done"
                else:
                    self._retry(move, r)

    @staticmethod
    def _retry(move: dict[str, Any], r: int) -> None:
        move["due_round"] = r + 1
        move["tries"] = move.get("tries", 0) + 1
        if move["tries"] > 3:
            move["stage"] = "failed"

    def _after_unstake(self, sim: AgentPort, move: dict[str, Any]) -> None:
        asset = sim.asset(move["asset"])
        amount = sim.undelegated_deposit(self.id, move["asset"])
        if move["to"] is not None and amount > 0:
            selection: Any = "All" if move["blueprints"] == "all" else {"Fixed": [sim.blueprint_id(b) for b in move["blueprints"]]}
            sim.act(self.id, MAD, "delegate", {"operator": sim.account(move["to"]), "asset": asset, "amount": amount, "blueprint_selection": selection})
            move["stage"] = "done"
        elif amount > 0 and sim.act(self.id, MAD, "schedule_withdraw", {"asset": asset, "amount": amount}):
            move["stage"] = "withdrawing"
            move["due_round"] = sim.current_round + sim.constant(MAD, "LeaveDelegatorsDelay")
        else:
            move["stage"] = "done"


@dataclass
class RequesterAgent:
    id: str
    spec: "RequesterSpec"
    sent: int = 0

    def on_round(self, sim: AgentPort, r: int) -> None:
        if sim.draining:
            return
        n = min(self.spec.per_round, self.spec.total - self.sent)
        for _ in range(max(n, 0)):
            self.sent += 1
            sim.request_service(self.id, self.spec)
