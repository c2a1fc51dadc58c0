"""``ServiceManager``: the base class blueprint authors subclass for their on-chain manager.

It is a :class:`pallets.services.manager.BlueprintServiceManager` (so the pallet calls it at the
same points the chain calls the BSM contract) that adds what v1 left to each author:

* **result aggregation** in ``on_job_result``: every submission is recorded in the manager's
  journaled contract state; an :class:`~blueprints.aggregation.Aggregation` policy (per job or for
  all) decides when a result is *final*; operators whose first result disagrees with the final one
  (``mismatch``) or who submit two different results (``equivocation``) are recorded as
  :class:`Fault` s. Only the service's operators count (for a Dynamic service, those it had when
  the job was called): under ``profile="real"`` the pallet accepts a result from any registered
  operator, which is kept in :meth:`submissions` but never decides, is never judged or rewarded. Results are **recorded, not refused**: a revert would roll back the fault record
  too (the manager's state is journaled with the call), so the evidence would vanish.
* **origins**: ``query_slashing_origin`` / ``query_dispute_origin`` default to the manager's own
  address (tnt-core's default ``address(this)``), mapped to an account as on chain; pass
  ``slashing_origin=`` / ``dispute_origin=`` to name an account instead.
* **reporting**: :meth:`unreported_faults` / :meth:`mark_reported` let a reporter (the harness)
  turn faults into ``Services.slash`` calls exactly once.

Override the usual hooks (``on_register``, ``on_request``...) as in the pallet's base class; to
refuse a result, override :meth:`validate_result` and raise ``Revert``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

from pallets.services.manager import BlueprintServiceManager, Revert
from pallets.services.types import Field
from runtime.accounts import evm_to_account, normalize_account

from blueprints.naming import account_of, name_of

from blueprints.aggregation import Aggregation, FirstResult

__all__ = ["Fault", "Revert", "ServiceManager"]


class Fault(NamedTuple):
    """Evidence that an operator misbehaved on one call (immutable: it lives in contract state).

    ``operator`` is the name a person reads (``Dave``, ``Operator4``, else the SS58 address) and
    ``account`` its SS58 address (what ``Services.slash`` takes); :meth:`ServiceManager.record_fault`
    fills both from either."""

    service_id: int
    call_id: int
    job: int
    operator: str
    kind: str  # "mismatch", "equivocation", "outlier", or a blueprint's own kind
    block: int
    detail: str = ""
    account: str = ""

    def __repr__(self) -> str:
        return f"Fault({self.kind} by {self.operator}, service {self.service_id} call {self.call_id} job {self.job}, block {self.block}" + (
            f": {self.detail})" if self.detail else ")")


class ServiceManager(BlueprintServiceManager):
    """Hooks with aggregation, fault records and configurable origins (see the module doc)."""

    def __init__(self, aggregation: Aggregation | None = None, *, per_job: dict[int, Aggregation] | None = None,
                 slashing_origin: str | None = None, dispute_origin: str | None = None,
                 heartbeat_interval: int | None = None, heartbeat_threshold: int | None = None, deadline: int | None = None,
                 qos: bool = True) -> None:
        if deadline is not None and deadline < 0:
            raise ValueError("deadline must be >= 0 blocks after the call")
        self.deadline = deadline
        self.qos = qos  # report each answer's outcome as QoS points to the Rewards pallet (qos_rewards extension)
        self.aggregation = aggregation if aggregation is not None else FirstResult()
        self.per_job = dict(per_job or {})
        self._slashing_origin = slashing_origin
        self._dispute_origin = dispute_origin
        self.heartbeat_interval = heartbeat_interval
        self.heartbeat_threshold = heartbeat_threshold

    # ------------------------------------------------------------------ author hooks
    def validate_result(self, blueprint_id: int, service_id: int, job: int, call_id: int, operator: str,
                        args: Sequence[Field], result: Sequence[Field]) -> None:
        """Raise ``Revert`` to refuse a result outright (``InvalidJobResult``; nothing is recorded)."""

    def on_finalized(self, service_id: int, job: int, call_id: int, result: tuple[Field, ...]) -> None:
        """Called (inside the submitting call, journaled) when a call's result becomes final."""

    def policy(self, job: int) -> Aggregation:
        return self.per_job.get(job, self.aggregation)

    # ------------------------------------------------------------------ the pallet's hooks
    def on_job_call(self, blueprint_id: int, service_id: int, job: int, call_id: int, args: Sequence[Field]) -> bool | None:
        """Records the call's block when a ``deadline`` is set, and a Dynamic service's operators at
        the call (whose results count toward it); a subclass overriding this hook calls
        ``super().on_job_call(...)`` to keep both."""
        if self.deadline is not None:
            self.state.set(("called", service_id, call_id), self.block_number)
        service = self.pallet.storage.Instances.get(service_id)
        if service is not None and service.membership_model.name == "Dynamic":  # a Fixed service's operators never change
            self.state.set(("members", service_id, call_id), service.operators())
        return None

    def on_job_result(self, blueprint_id: int, service_id: int, job: int, call_id: int, operator: str, preferences: Any,
                      args: Sequence[Field], result: Sequence[Field]) -> bool | None:
        self.validate_result(blueprint_id, service_id, job, call_id, operator, args, result)
        result = tuple(result)
        state = self.state
        key = ("subs", service_id, call_id)
        subs: tuple[tuple[str, tuple[Field, ...]], ...] = state.get(key, ())
        members = self._members(service_id, call_id)
        if operator not in members:
            # under profile="real" the pallet accepts a result from any registered operator (services.md
            # §5.10); one outside the service is recorded (submissions()) but never counts, judged or rewarded
            state.set(key, subs + ((operator, result),))
            return None
        if self.deadline is not None:
            called = state.get(("called", service_id, call_id))
            if called is not None and self.block_number - called > self.deadline:
                self.record_fault(Fault(service_id, call_id, job, operator, "late", self.block_number,
                                        f"answered {self.block_number - called} blocks after the call (deadline {self.deadline})"))
                return None  # recorded, not counted
        prior = [r for op, r in subs if op == operator]
        if prior and result not in prior:
            self.record_fault(Fault(service_id, call_id, job, operator, "equivocation", self.block_number, "two different results for one call"))
        subs = subs + ((operator, result),)
        state.set(key, subs)
        final = state.get(("final", service_id, call_id))
        policy = self.policy(job)
        if final is None:
            first = self._first_results(subs, members)
            decision = policy.settle(first, len(members))
            if decision is not None:
                state.set(("final", service_id, call_id), decision.result)
                state.set(("final_block", service_id, call_id), self.block_number)
                for op, why in decision.faults.items():
                    self.record_fault(Fault(service_id, call_id, job, op, policy.fault_kind, self.block_number, why))
                for op in first:
                    if op not in decision.faults:
                        self.record_success(op)
                for op in self._operators(service_id):
                    if op not in first:
                        self._report_qos(op)  # no answer (yet): tracked with no point, so silence earns nothing
                    self._report_heartbeats(blueprint_id, service_id, op)
                self.on_finalized(service_id, job, call_id, decision.result)
        elif not prior:
            why = policy.judge(result, final)
            if why is not None:
                self.record_fault(Fault(service_id, call_id, job, operator, policy.fault_kind, self.block_number, why))
            else:
                self.record_success(operator)
        return None

    @staticmethod
    def _first_results(subs: Sequence[tuple[str, tuple[Field, ...]]], members: Sequence[str]) -> dict[str, tuple[Field, ...]]:
        """Each member's first result, in arrival order: only the service's operators count toward a decision."""
        first: dict[str, tuple[Field, ...]] = {}
        for op, r in subs:
            if op in members:
                first.setdefault(op, r)
        return first

    def _members(self, service_id: int, call_id: int) -> tuple[str, ...]:
        """The operators whose results count for a call: a Dynamic service's operators when it was called
        (recorded by ``on_job_call``), else the service's operators now (a Fixed service's never change)."""
        recorded = self.state.get(("members", service_id, call_id))
        return recorded if recorded is not None else tuple(self._operators(service_id))

    def _operators(self, service_id: int) -> list[str]:
        service = self.pallet.storage.Instances.get(service_id)
        return list(service.operators()) if service is not None else []

    def _operator_count(self, service_id: int) -> int:
        return len(self._operators(service_id))

    # ------------------------------------------------------------------ reading the records
    def final_result(self, service_id: int, call_id: int) -> tuple[Field, ...] | None:
        """The accepted result of a call, or None while undecided."""
        return self.state.get(("final", service_id, call_id))

    def final_block(self, service_id: int, call_id: int) -> int | None:
        return self.state.get(("final_block", service_id, call_id))

    def submissions(self, service_id: int, call_id: int) -> tuple[tuple[str, tuple[Field, ...]], ...]:
        """Every (operator, result) submitted for a call, in order (equivocations included)."""
        return self.state.get(("subs", service_id, call_id), ())

    def record_fault(self, fault: Fault) -> None:
        """Append ``fault`` to the fault log (journaled: inside a failing call it is undone). The
        operator may be given as an SS58 address, a dev name or a label; both forms are stored."""
        account = fault.account or account_of(fault.operator)
        fault = fault._replace(operator=name_of(account), account=account)
        n = self.state.get("fault_count", 0)
        self.state.set(("fault", n), fault)
        self.state.set("fault_count", n + 1)
        self._report_qos(account, failed=1)

    def record_success(self, operator: str) -> None:
        """An answer that counted: one QoS point for ``operator`` (SS58) this era."""
        self._report_qos(operator, succeeded=1)

    def _report_heartbeats(self, blueprint_id: int, service_id: int, operator: str) -> None:
        """Heartbeats the pallet received from ``operator`` since the last report, as QoS points (read
        at each decided call: the pallet does not call the manager on a heartbeat)."""
        stats = self.pallet.storage.ServiceOperatorHeartbeats.get((blueprint_id, service_id, operator))
        received = stats.received_heartbeats
        key = ("heartbeats_seen", service_id, operator)
        seen = self.state.get(key, 0)
        if received != seen:
            self.state.set(key, received)
        if received > seen:
            self._report_qos(operator, heartbeats=received - seen)

    def _report_qos(self, account: str, **counts: int) -> None:
        """QoS points go to the Rewards pallet (``record_qos``; a no-op unless the ``qos_rewards``
        extension is on), for a Python manager what a precompile call would be for a contract."""
        rewards = getattr(self.pallet, "rewards", None) if self.qos else None
        if rewards is not None and hasattr(rewards, "record_qos"):
            rewards.record_qos(account, **counts)

    def faults(self, service_id: int | None = None, operator: str | None = None) -> list[Fault]:
        """The fault log in order, optionally for one service and/or operator."""
        state = self.state
        out = [state.get(("fault", i)) for i in range(state.get("fault_count", 0))]
        if service_id is not None:
            out = [f for f in out if f.service_id == service_id]
        if operator is not None:
            who = account_of(operator)
            out = [f for f in out if f.account == who]
        return out

    def unreported_faults(self) -> list[Fault]:
        """Faults no reporter has turned into a slash yet (one report per operator, call and kind)."""
        seen: set[tuple[int, int, str, str]] = set()
        out = []
        for f in self.faults():
            k = (f.service_id, f.call_id, f.account, f.kind)
            if k in seen or ("reported",) + k in self.state:
                continue
            seen.add(k)
            out.append(f)
        return out

    def mark_reported(self, fault: Fault) -> None:
        self.state.set(("reported", fault.service_id, fault.call_id, fault.account, fault.kind), True)

    # ------------------------------------------------------------------ origins and settings
    @property
    def slashing_account(self) -> str:
        """The account ``Services.slash`` must come from for this manager's services."""
        return self._origin_account(self._slashing_origin)

    @property
    def dispute_account(self) -> str:
        return self._origin_account(self._dispute_origin)

    def _origin_account(self, configured: str | None) -> str:
        if configured is not None:
            if configured.startswith("0x") and len(configured) == 42:
                return evm_to_account(configured)
            return normalize_account(configured)
        if self.address is None:
            raise RuntimeError("the manager is not deployed yet")
        return evm_to_account(self.address)

    def query_slashing_origin(self, blueprint_id: int, service_id: int) -> str | None:
        return self._slashing_origin if self._slashing_origin is not None else self.address

    def query_dispute_origin(self, blueprint_id: int, service_id: int) -> str | None:
        return self._dispute_origin if self._dispute_origin is not None else self.address

    def get_heartbeat_interval(self, blueprint_id: int, service_id: int) -> tuple[bool, int]:
        return (True, 0) if self.heartbeat_interval is None else (False, self.heartbeat_interval)

    def get_heartbeat_threshold(self, blueprint_id: int, service_id: int) -> tuple[bool, int]:
        return (True, 0) if self.heartbeat_threshold is None else (False, self.heartbeat_threshold)
