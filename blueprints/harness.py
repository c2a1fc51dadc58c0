"""``BlueprintTestHarness``: a blueprint deployed on a fresh dev chain with simulated operators,
ready for ``harness.call_job(0, args)``, in one process and in milliseconds.

What it does, every step a real call through ``rt.dispatch``:

1. builds a dev chain (``session_length`` blocks per round, 10 by default so the deferred-slash
   window of ``SlashDeferDuration`` = 7 rounds is 70 blocks) with a USDC asset (id 1);
2. deploys the blueprint's manager at its address and ``create_blueprint`` s it (author: Alice);
3. for each operator: ``MultiAssetDelegation.join_operators`` (self-stake ``bond``), a delegator
   (Ferdie) ``deposit`` s and ``delegate`` s USDC to it, then ``Services.register`` with its key;
4. the owner (Eve) ``request`` s a service from all operators with the blueprint's security
   requirements, and each operator ``approve`` s at the minimum exposure;
5. an :class:`~blueprints.operators.OperatorNetwork` answers job calls and heartbeats.

Operators are named Bob, Charlie, Dave, then ``Operator4``, ``Operator5``... (funded at genesis).
``harness.rt`` is the runtime for anything else.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from pallets.services.types import Field
from runtime import DispatchError, GenesisConfig, Runtime
from runtime.events import EventRecord
from runtime.genesis import UNIT

from blueprints.behaviours import Behaviour, Honest
from blueprints.definition import Blueprint, require
from blueprints.ledger import EraReward, Payment, RewardLedger, SkippedBill, name_infrastructure, payments, skipped_bills
from blueprints.manager import Fault, ServiceManager
from blueprints.naming import account_of, labelled_account, name_of

if TYPE_CHECKING:
    from blueprints.slashing import SlashPolicy
from blueprints.operators import EventCursor, OperatorNetwork, SimulatedOperator

SVC = "Services"
MAD = "MultiAssetDelegation"
USDC_ID = 1
USDC = {"Custom": USDC_ID}
DEV_OPERATORS = ("Bob", "Charlie", "Dave")
AUTHOR, OWNER, DELEGATOR = "Alice", "Eve", "Ferdie"


def _require_name(who: object) -> None:
    """A harness read or call that takes ``who`` refuses anything but a name or address, in one
    sentence naming the argument (a number or an object read as an unknown account further in)."""
    if not isinstance(who, str):
        raise TypeError(f"who must be an operator or account name (str), got {type(who).__name__} {who!r:.60}")


@dataclass
class JobOutcome:
    """What one ``call_job`` produced."""

    call_id: int
    job: int
    result: Any  # the accepted result as Python (the manager's final one, else the chain's JobResults)
    final: bool  # True when an aggregating manager accepted it (or, without one, a result is on chain)
    results: dict[str, list[Any]]  # operator name (blueprints.naming.name_of) -> every result it submitted, as Python
    events: list[EventRecord]
    blocks: int  # blocks built while waiting
    seconds: float
    missing: list[str] = field(default_factory=list)  # the service's operators that submitted nothing and have nothing scheduled (Slow ones are not missing)
    pending: list[str] = field(default_factory=list)  # the service's operators that have not answered yet but will (a Slow one's answer is scheduled)


    def events_named(self, name: str) -> list[EventRecord]:
        return [e for e in self.events if e.matches(name)]

    def account(self, operator: str) -> str:
        """The SS58 address behind a ``results`` key (names resolve as ``rt.dispatch`` does)."""
        return account_of(operator)

    def __repr__(self) -> str:
        from blueprints.timeline import _fmt

        # several results from one operator (an equivocator) are listed as separate answers, never as one list
        answers = ", ".join(f"{name}: {_fmt(values[0])}" if len(values) == 1 else
                            f"{name}: {len(values)} answers {' then '.join(_fmt(v) for v in values)}" for name, values in self.results.items())
        state = "final" if self.final else "not final"
        silent = f", no answer from {', '.join(self.missing)}" if self.missing else ""
        later = f", answer still to come from {', '.join(self.pending)}" if self.pending else ""
        return (f"JobOutcome(call {self.call_id}, job {self.job}, result={_fmt(self.result)} ({state}), "
                f"answers {{{answers}}}{silent}{later}, {len(self.events)} events, {self.blocks} blocks)")


@dataclass
class _Options:
    bond: int = 1_000 * UNIT
    delegation: int = 10_000 * 10**6
    tnt_delegation: int = 0


class RewardsNotRecorded(RuntimeError):
    """``h.rewards_of(...)`` before any era was paid (or under a profile without era rewards): not a 0."""


class UnknownOperator(KeyError):
    """``h.operator("Dav")``: says which operators exist (a KeyError, so ``except KeyError`` still works)."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(name)
        self.name, self.known = name, list(known)

    def __str__(self) -> str:
        return f"no operator {self.name!r} in this harness; its operators are {', '.join(self.known)}"


MAX_WAIT_BLOCKS = 1_000_000  # call_job's max_blocks: waiting longer than ~70 days of 6 s blocks is a typo
MAX_OPERATORS = 1024  # Services' MaxOperatorsPerService on testnet: a bigger harness could not even be requested


def _operator_names(arg: str, value: Any, first: int) -> list[str]:
    """``operators=3`` or ``operators=["Bob", "Carol"]`` (same for ``standby``), refused with the field named
    otherwise: a string would silently be read as one name per character."""
    if isinstance(value, bool):
        raise TypeError(f"{arg} must be a count or a list of operator names, got bool {value!r}")
    if isinstance(value, int):
        if not 0 <= value <= MAX_OPERATORS:
            raise ValueError(f"{arg}: a count in 0..{MAX_OPERATORS}, got {value}")
        return [operator_name(first + i) for i in range(value)]
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{arg} must be a count or a list of operator names, got {type(value).__name__} {value!r:.60}")
    if len(value) > MAX_OPERATORS:
        raise ValueError(f"{arg}: at most {MAX_OPERATORS} operators, got {len(value)}")
    bad = [n for n in value if not isinstance(n, str) or not n]
    if bad:
        raise TypeError(f"{arg}: operator names are non-empty strings, got {bad[0]!r:.60}")
    return list(value)


def _count(arg: str, value: Any, maximum: int) -> None:
    """How far to advance: a non-negative int (a negative one used to be a silent no-op, a str a TypeError deep inside)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{arg} must be an integer count, got {type(value).__name__} {value!r:.60}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{arg} must be in 0..{maximum:,}, got {value}")


def _check_amount(arg: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{arg} must be an integer in base units (5 * 10**6 is 5 USDC, 10**18 is 1 TNT), got {type(value).__name__} {value!r:.60}")
    if not 0 <= value < 2**128:
        raise ValueError(f"{arg} must be in 0..2**128-1 base units, got {value}")


def _payment_asset(value: Any) -> dict[str, int]:
    """``payment_asset="USDC"`` / ``"TNT"`` / an asset id -> the ``Asset`` the request pays in."""
    if isinstance(value, str) and value.upper() in ("TNT", "USDC"):
        return {"Custom": 0 if value.upper() == "TNT" else USDC_ID}
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**128:
        return {"Custom": value}
    raise ValueError(f"payment_asset must be 'TNT', 'USDC' or an asset id (int), got {type(value).__name__} {value!r:.60}")


def operator_name(i: int) -> str:
    return DEV_OPERATORS[i] if i < len(DEV_OPERATORS) else f"Operator{i + 1}"


class BlueprintTestHarness:
    """See the module doc. ``operators`` is a count or a list of names; ``behaviours`` maps an
    operator name (or index) to a :class:`~blueprints.behaviours.Behaviour` (default honest)."""

    def __init__(self, blueprint: Blueprint, operators: int | Sequence[str] = 3, *, behaviours: dict[Any, Behaviour] | Sequence[Behaviour] | None = None,
                 session_length: int = 10, profile: str = "intended", seed: int = 0, payment: int = 0, payment_asset: int | str = "TNT", ttl: int = 10_000,
                 request_args: Sequence[Any] = (), registration_args: Sequence[Any] | dict[str, Sequence[Any]] = (), heartbeats: bool = True,
                 genesis: dict[str, Any] | None = None, bond: int = 1_000 * UNIT, bonds: dict[str, int] | None = None,
                 delegation: int = 10_000 * 10**6, tnt_delegation: int = 0, standby: Sequence[str] | int = (),
                 deploy: bool = True) -> None:
        self.blueprint = blueprint
        in_service = _operator_names("operators", operators, 0)
        if not in_service:
            raise ValueError("operators: a service needs at least one operator")
        extra = _operator_names("standby", standby, len(in_service))
        if len(in_service) + len(extra) > MAX_OPERATORS:
            raise ValueError(f"operators + standby: at most {MAX_OPERATORS} operators (the pallet's MaxOperatorsPerService), "
                             f"got {len(in_service) + len(extra)}")
        _check_amount("payment", payment)
        names = in_service + [n for n in extra if n not in in_service]
        if len(set(names)) != len(names):
            raise ValueError(f"operator names must be unique, got {names}")
        self.names = names
        self.in_service = in_service  # the operators the first service is requested from; the rest stand by for join_service
        self.opts = _Options(bond, delegation, tnt_delegation)
        self.session_length = session_length
        self.bonds = dict(bonds or {})
        self.payment, self.ttl = payment, ttl
        self.payment_asset = _payment_asset(payment_asset)  # {"Custom": id}: what ``request`` pays ``payment`` in
        self.request_values = list(request_args)
        self.registration_values = registration_args  # one list for every operator, or {operator name: list}
        derived = {n: labelled_account(n) for n in names if n not in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")}
        self.accounts = {n: derived.get(n, n) for n in names}
        balances = {n: 1_000_000 * UNIT for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")}
        balances.update({a: 1_000_000 * UNIT for a in derived.values()})
        usdc_total = delegation * len(names) + 1_000_000 * 10**6
        config: dict[str, Any] = {"session_length": session_length, "profile": profile, "balances": balances,
                                  "assets": [{"id": USDC_ID, "name": "USD Coin", "symbol": "USDC", "decimals": 6,
                                              "balances": {DELEGATOR: usdc_total, OWNER: 1_000_000 * 10**6}}]}
        config.update(genesis or {})
        self.rt = Runtime(GenesisConfig.dev(seed=seed, **config))
        aid = self.payment_asset["Custom"]
        if aid != 0 and self.rt.pallets["Assets"].storage.Asset.get(aid) is None:
            raise ValueError(f"payment_asset: no asset {aid} on this chain (the harness creates TNT = 0 and USDC = {USDC_ID}; "
                             f"add others with genesis={{'assets': [...]}})")
        self.manager = blueprint.deploy_manager(self.rt.pallets[SVC])
        self.roles = name_infrastructure(self.rt, blueprint.manager_address)
        self.ledger = RewardLedger(self.rt)
        self._check_behaviours(behaviours, names)
        # each behaviour's draws follow the harness seed too: other seeds, independent replications
        self.operators = [SimulatedOperator(n, self._behaviour(behaviours, i, n).in_run(seed), account=self.accounts[n]) for i, n in enumerate(names)]
        self.blueprint_id: int = -1
        self.service_id: int = -1
        self.deploy_era: int = self.rt.current_era
        self.network: OperatorNetwork | None = None
        self.call_seconds: list[float] = []
        #: (block, text) for each job call some operators never answered: silence leaves no event,
        #: so the timeline would otherwise show only who did answer
        self.silences: list[tuple[int, str]] = []
        self.strict = True  # call_job raises if a handler failed on that call
        self.slashes_issued: list[Any] = []  # blueprints.slashing.Issued, for escalation and caps
        self.slash_orders: list[Any] = []  # blueprints.slashing.SlashOrder proposed (or skipped at 0 %), in order
        if deploy:
            self.deploy()

    @staticmethod
    def _check_behaviours(behaviours: Any, names: Sequence[str]) -> None:
        """Refuse behaviours for operators that do not exist (a typo would silently leave one honest)."""
        if behaviours is None:
            return
        if isinstance(behaviours, dict):
            unknown = [k for k in behaviours if not (k in names or (isinstance(k, int) and not isinstance(k, bool) and 0 <= k < len(names)))]
            if unknown:
                raise ValueError(f"behaviours name unknown operator(s) {', '.join(map(repr, unknown))}; the operators are "
                                 f"{', '.join(names)} (or indices 0..{len(names) - 1})")
            bad = [k for k, b in behaviours.items() if not isinstance(b, Behaviour)]
        else:
            if len(behaviours) > len(names):
                raise ValueError(f"{len(behaviours)} behaviours for {len(names)} operators ({', '.join(names)})")
            bad = [i for i, b in enumerate(behaviours) if not isinstance(b, Behaviour)]
        if bad:
            raise TypeError(f"behaviours[{bad[0]!r}] is not a Behaviour (Honest(), Offline(), Deviating(0.2), ...)")

    @staticmethod
    def _behaviour(behaviours: Any, i: int, name: str) -> Behaviour:
        if behaviours is None:
            return Honest()
        if isinstance(behaviours, dict):
            return behaviours.get(name, behaviours.get(i, Honest()))
        return behaviours[i] if i < len(behaviours) else Honest()

    # ------------------------------------------------------------------ context manager sugar
    def __enter__(self) -> "BlueprintTestHarness":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    # ------------------------------------------------------------------ deployment
    def dispatch(self, origin: str, pallet: str, call: str, params: dict[str, Any]) -> Any:
        return self.rt.dispatch(origin, pallet, call, params)

    def deploy(self) -> int:
        """Create the blueprint, join and register the operators, request and approve a service."""
        rt = self.rt
        s = rt.pallets[SVC].storage
        self.blueprint_id = s.NextBlueprintId.value()
        self.dispatch(AUTHOR, SVC, "create_blueprint", {"blueprint": self.blueprint.compile()})
        self.network = OperatorNetwork(rt, self.blueprint, self.blueprint_id, self.operators)
        self.network.on_event.append(self.ledger.on_event)
        self.network.after_poll.append(self.ledger.settle)
        self.network.wake_every = self.session_length  # at most one era start between two ledger reads
        for op in self.operators:
            self.join(op)
            self.register(op)
        self.service_id = self.request_service([self.operator(n) for n in self.in_service])
        self.deploy_era = self.rt.current_era  # rewards_of refuses to answer until a later era has started
        return self.service_id

    def join(self, op: SimulatedOperator) -> None:
        """MAD ``join_operators`` and a USDC delegation to it (so USDC requirements can be met)."""
        self.dispatch(op.account, MAD, "join_operators", {"bond_amount": self.bonds.get(op.name, self.opts.bond)})
        self.dispatch(DELEGATOR, MAD, "deposit", {"asset": USDC, "amount": self.opts.delegation, "evm_address": None, "lock_multiplier": None})
        self.dispatch(DELEGATOR, MAD, "delegate", {"operator": op.account, "asset": USDC, "amount": self.opts.delegation, "blueprint_selection": "All"})
        if self.opts.tnt_delegation:
            tnt_asset = {"Custom": 0}
            self.dispatch(DELEGATOR, MAD, "deposit", {"asset": tnt_asset, "amount": self.opts.tnt_delegation, "evm_address": None, "lock_multiplier": None})
            self.dispatch(DELEGATOR, MAD, "delegate", {"operator": op.account, "asset": tnt_asset, "amount": self.opts.tnt_delegation,
                                                       "blueprint_selection": "All"})

    def register(self, op: SimulatedOperator) -> None:
        from blueprints.values import ValueMismatch

        values = self.registration_values
        args = values.get(op.name, ()) if isinstance(values, dict) else values
        try:
            fields = self.blueprint.registration_args(args)
        except ValueMismatch as exc:
            hints = ", ".join(getattr(s.hint, "__name__", repr(s.hint)) for s in self.blueprint._registration)
            raise ValueMismatch(exc.path, f"{str(exc).split(': ', 1)[-1]} for operator {op.name}; the blueprint's registration_params are "
                                          f"[{hints}]: pass BlueprintTestHarness(..., registration_args=[...]) for every operator or "
                                          f"registration_args={{{op.name!r}: [...]}} for this one") from None
        self.dispatch(op.account, SVC, "register", {"blueprint_id": self.blueprint_id, "preferences": op.preferences(),
                                                     "registration_args": fields, "value": 0})

    def security_requirements(self) -> list[dict[str, Any]]:
        from runtime.codec import codec_of
        from pallets.services.types import AssetSecurityRequirement

        return [codec_of(AssetSecurityRequirement).encode(r) for r in self.blueprint.security]

    def request_service(self, operators: Iterable[SimulatedOperator] | None = None, owner: str = OWNER) -> int:
        """A service request from ``owner`` to ``operators`` (default: all), approved by each."""
        ops = list(operators) if operators is not None else self.operators
        s = self.rt.pallets[SVC].storage
        request_id = s.NextServiceRequestId.value()
        service_id = s.NextInstanceId.value()
        model = ({"Fixed": {"min_operators": len(ops)}} if "Fixed" in self.blueprint.membership
                 else {"Dynamic": {"min_operators": len(ops), "max_operators": None}})
        try:
            self.dispatch(owner, SVC, "request", {
                "evm_origin": None, "blueprint_id": self.blueprint_id, "permitted_callers": [], "operators": [op.account for op in ops],
                "request_args": self.blueprint.request_args(self.request_values), "asset_security_requirements": self.security_requirements(),
                "ttl": self.ttl, "payment_asset": self.payment_asset, "value": self.payment, "membership_model": model})
        except DispatchError as exc:
            raise self._request_failed(exc, owner, len(ops)) from None
        commitments = [{"asset": r["asset"], "exposure_percent": r["min_exposure_percent"]} for r in self.security_requirements()]
        for op in ops:
            self.dispatch(op.account, SVC, "approve", {"request_id": request_id, "security_commitments": commitments})
        if not s.Instances.contains(service_id):
            raise RuntimeError(f"the service did not start after every approval (request {request_id})")
        assert self.network is not None
        self.network.serve(service_id)
        self.network.step()
        return service_id

    # ------------------------------------------------------------------ jobs
    def call_job(self, job: int | str, *args: Any, caller: str = OWNER, service_id: int | None = None, max_blocks: int = 100) -> JobOutcome:
        """Call job ``job`` (its index or its name) with Python ``args``, let the operators answer (building blocks while
        slow operators still have submissions pending and the result is not final), and return
        the accepted result with every event of the call."""
        t0 = time.perf_counter()
        sid = self.service_id if service_id is None else service_id
        spec = self.blueprint.job_spec(job)  # an index or a job name; unknown ones list the jobs
        job = spec.index
        if isinstance(max_blocks, bool) or not isinstance(max_blocks, int) or not 0 <= max_blocks <= MAX_WAIT_BLOCKS:
            raise ValueError(f"max_blocks must be an integer in 0..{MAX_WAIT_BLOCKS}, got {max_blocks!r:.60}")
        network = self.network
        assert network is not None, "deploy() first"
        self._check_reachable(sid, job)
        cursor = EventCursor(self.rt)
        start_block = self.rt.block_number
        try:
            receipt = self.dispatch(caller, SVC, "call", {"service_id": sid, "job": job, "args": spec.encode_args(args)})
        except DispatchError as exc:
            if exc.qualified_name != "BadOrigin":
                raise
            raise self._not_permitted(exc, caller, sid) from None
        call_id = receipt.event("JobCalled")["call_id"]
        network.step()
        while not self._settled(sid, call_id) and network.pending(call_id) and self.rt.block_number - start_block < max_blocks:
            network.advance(1)
        events = cursor.read()
        if self.strict:
            failed = [str(e) for e in network.errors if e.call_id == call_id and e.service_id == sid]
            if failed:
                raise RuntimeError("job handlers failed: " + "; ".join(failed))
        final = self.final_fields(sid, call_id)
        results: dict[str, list[Any]] = {}
        for ev in events:
            if ev.matches("Services.JobResultSubmitted") and ev["call_id"] == call_id:
                results.setdefault(name_of(ev["operator"]), []).append(spec.decode_result(ev["result"]))
        service = self.rt.pallets[SVC].storage.Instances.get(sid)
        coming = {name_of(sub.operator.account) for sub in network.pending(call_id) if sub.service_id == sid}  # Slow(k): late, not silent
        members = [] if service is None else [name_of(a) for a in service.operators()]
        missing = [n for n in members if n not in results and n not in coming]
        pending = [n for n in members if n not in results and n in coming]  # a new user's Slow(3) operator was in neither list
        seconds = time.perf_counter() - t0
        self.call_seconds.append(seconds)
        if missing:
            waited = self.rt.block_number - start_block
            self.silences.append((self.rt.block_number, f"no result from {', '.join(missing)} for call {call_id} "
                                  f"(job {job} {spec.name}) after {waited} block{'s' if waited != 1 else ''}"))
        return JobOutcome(call_id, job, None if final is None else spec.decode_result(final), final is not None, results, events,
                          self.rt.block_number - start_block, seconds, missing, pending)

    def _request_failed(self, exc: DispatchError, owner: str, operators: int) -> DispatchError:
        """The pallet's error for the harness's ``Services.request``, same type, saying what was asked:
        the payment (field ``payment``, in ``payment_asset``) is the usual culprit."""
        from blueprints.amounts import format_amount

        aid = self.payment_asset["Custom"]
        paid = format_amount(self.rt, aid, self.payment)
        detail = (f"Services.request by {owner} to {operators} operator(s) failed" + (f" ({exc.detail})" if exc.detail else "")
                  + f"; the request offered payment={self.payment:,} base units of payment_asset {aid} ({paid})")
        if exc.qualified_name in ("Token.BelowMinimum", "Assets.BelowMinimum"):
            detail += "; a payment must leave the receiving pallet account at or above the asset's existential deposit/min_balance"
        err = type(exc)(detail)
        err.receipt = getattr(exc, "receipt", None)
        return err

    def _not_permitted(self, exc: DispatchError, caller: str, service_id: int) -> DispatchError:
        """The pallet's BadOrigin, same error, saying who may call."""
        service = self.rt.pallets[SVC].storage.Instances.get(service_id)
        if service is None:
            return exc
        permitted = [name_of(a) for a in service.permitted_callers]
        detail = (f"{name_of(account_of(caller))} is not a permitted caller of service {service_id}: its owner {name_of(service.owner)}"
                  + (f" and permitted callers {', '.join(permitted)}" if permitted else " (no other permitted callers)") + " may call its jobs")
        err = type(exc)(detail)
        err.receipt = exc.receipt
        return err

    def _check_reachable(self, service_id: int, job: int) -> None:
        """Refuse (before anything is sent) a call whose result can never be final: an aggregation
        that needs more matching results than the service has operators (``Quorum(5)`` with 3)."""
        if not isinstance(self.manager, ServiceManager):
            return
        service = self.rt.pallets["Services"].storage.Instances.get(service_id)
        if service is None:
            return  # the pallet answers ServiceNotFound
        operators = len(service.operators())
        policy = self.manager.policy(job)
        try:
            need = policy.required(operators)
        except NotImplementedError:
            return
        if need > operators:
            raise ValueError(f"{policy!r} needs {need} matching results but service {service_id} has {operators} operator"
                             f"{'' if operators == 1 else 's'}: no call of job {job} could ever be final (ask for at most {operators}, "
                             f"or start the service with more operators)")

    def _settled(self, service_id: int, call_id: int) -> bool:
        if isinstance(self.manager, ServiceManager):
            return self.manager.final_result(service_id, call_id) is not None
        return False  # without aggregation: wait until every planned submission is in

    def final_fields(self, service_id: int, call_id: int) -> tuple[Field, ...] | None:
        """The accepted result: the aggregating manager's, else the chain's ``JobResults`` (last wins)."""
        if isinstance(self.manager, ServiceManager):
            return self.manager.final_result(service_id, call_id)
        entry = self.rt.pallets[SVC].storage.JobResults.get((service_id, call_id))
        return None if entry is None else entry.result

    def advance(self, blocks: int = 1) -> None:
        """Build blocks with the operators acting in each (late submissions, heartbeats)."""
        _count("blocks", blocks, MAX_WAIT_BLOCKS)
        assert self.network is not None
        self.network.advance(blocks)

    def advance_rounds(self, rounds: int = 1) -> None:
        """Advance ``rounds`` MAD rounds (sessions), operators acting in every block."""
        _count("rounds", rounds, MAX_WAIT_BLOCKS // max(self.session_length, 1))
        target = self.rt.current_round + rounds
        while self.rt.current_round < target:
            self.advance(1)

    # ------------------------------------------------------------------ slashing
    def report_faults(self, percent: int = 10, policy: "SlashPolicy | None" = None) -> list[tuple[Fault, str | None]]:
        """Turn the manager's unreported faults into ``Services.slash`` calls from the slashing origin;
        returns (fault, error name or None) for every fault covered. Without ``policy``: one
        ``percent`` slash per fault (they compound). With a :class:`~blueprints.slashing.SlashPolicy`:
        grouped per window, escalated on repeat, capped per period (see :attr:`slash_orders`)."""
        from blueprints.slashing import SlashPolicy

        if not isinstance(self.manager, ServiceManager):
            return []
        if policy is None and (isinstance(percent, bool) or not isinstance(percent, int) or not 1 <= percent <= 100):
            # Services.slash refuses 0 (InvalidSlashPercentage); a 0 here would mark the faults reported with no slash
            raise ValueError(f"percent must be an integer percent in 1..100 (Services.slash refuses 0), got {percent!r:.60}")
        policy = policy if policy is not None else SlashPolicy(percent)
        out: list[tuple[Fault, str | None]] = []
        for order in policy.plan(self.manager.unreported_faults(), self.slashes_issued):
            error = None
            if order.percent > 0:
                try:
                    self.dispatch(self.manager.slashing_account, SVC, "slash", {"offender": order.account, "service_id": order.service_id,
                                                                               "slash_percent": order.percent})
                except DispatchError as exc:
                    error = exc.qualified_name
            if error is None:
                from blueprints.slashing import Issued

                for fault in order.faults:
                    self.manager.mark_reported(fault)
                if order.percent > 0:
                    self.slashes_issued.append(Issued(order.account, order.service_id, order.block, order.percent))
                self.slash_orders.append(order)
            out.extend((fault, error) for fault in order.faults)
        return out

    def dispute(self, era: int, index: int) -> Any:
        """``Services.dispute`` from the manager's dispute origin: the unapplied slash is discarded."""
        if not isinstance(self.manager, ServiceManager):
            raise TypeError("dispute() needs a blueprints.ServiceManager (it knows its dispute origin)")
        return self.dispatch(self.manager.dispute_account, SVC, "dispute", {"era": era, "index": index})

    def slash_defer_rounds(self) -> int:
        return self.rt.constants(SVC).SlashDeferDuration

    def operator_stake(self, name_or_account: str) -> int:
        """The operator's MAD self-stake (an account that is not an operator is refused, not read as 0)."""
        return self.rt.pallets[MAD].get_operator_stake(self._mad_operator(name_or_account))  # type: ignore[attr-defined]

    def delegated(self, name_or_account: str, asset_id: int = USDC_ID) -> int:
        """What is delegated to the operator in ``asset_id`` (0 = TNT, 1 = USDC), all delegators together."""
        from pallets.primitives.assets import Asset

        account = self._mad_operator(name_or_account)
        self._check_asset(asset_id)
        return self.rt.pallets[MAD].get_total_delegation_by_asset(account, Asset.Custom(asset_id))  # type: ignore[attr-defined]

    def _check_asset(self, asset_id: int) -> None:
        if isinstance(asset_id, bool) or not isinstance(asset_id, int) or (asset_id != 0 and self.rt.pallets["Assets"].storage.Asset.get(asset_id) is None):
            raise ValueError(f"asset_id: no asset {asset_id!r:.60} on this chain (0 = TNT, {USDC_ID} = USDC)")

    def free_balance(self, who: str, asset_id: int = 0) -> int:
        """Free balance of ``who`` in TNT (``asset_id=0``) or an asset (``1`` = USDC), by any name the
        harness prints: ``Operator4`` as well as dev names and addresses. ``h.rt.free_balance`` refuses a
        harness label on purpose (the runtime resolves only what ``dispatch`` resolves, and a label is not
        a key anyone can sign with); this is the same read with the harness's names."""
        _require_name(who)
        self._check_asset(asset_id)
        account = self._account(who)
        return self.rt.free_balance(account) if asset_id == 0 else self.rt.asset_balance(asset_id, account)

    def _mad_operator(self, who: str) -> str:
        account = self._account(who)
        if not self.rt.pallets[MAD].storage.Operators.contains(account):
            raise ValueError(f"{name_of(account)} is not a MultiAssetDelegation operator (never joined, or has left), so it has no "
                             f"self-stake or delegations to read; the harness's operators are {', '.join(self.names)}")
        return account

    def _account(self, who: str) -> str:
        return account_of(self.accounts.get(who, who))

    def operator(self, name: str) -> SimulatedOperator:
        """The simulated operator called ``name`` (or with that account)."""
        for op in self.operators:
            if op.name == name or op.account == name:
                return op
        raise UnknownOperator(name, [op.name for op in self.operators])

    # ------------------------------------------------------------------ dynamic membership
    def join_service(self, name: str, service_id: int | None = None) -> Any:
        """``Services.join_service`` for a standby operator (``standby=`` names them; needs a Dynamic
        membership blueprint). It answers the service's calls from the next one on."""
        op = self.operator(name)
        sid = self.service_id if service_id is None else service_id
        commitments = [{"asset": r["asset"], "exposure_percent": r["min_exposure_percent"]} for r in self.security_requirements()]
        receipt = self.dispatch(op.account, SVC, "join_service", {"instance_id": sid, "security_commitments": commitments})
        assert self.network is not None
        self.network.step()
        return receipt

    def leave_service(self, name: str, service_id: int | None = None) -> Any:
        """``Services.leave_service`` (Dynamic membership; the service keeps at least the operators it started with)."""
        op = self.operator(name)
        sid = self.service_id if service_id is None else service_id
        return self.dispatch(op.account, SVC, "leave_service", {"instance_id": sid})

    def members(self, service_id: int | None = None) -> list[str]:
        """Names of the service's current operators."""
        service = self.rt.pallets[SVC].storage.Instances.get(self.service_id if service_id is None else service_id)
        return [] if service is None else [name_of(a) for a in service.operators()]

    # ------------------------------------------------------------------ tables
    def events_frame(self, pallet: str | None = None) -> "Any":
        """Every event so far as a pandas DataFrame: block, pallet, event, text (the timeline's words,
        when it has some) and one column per attribute (accounts as names). A ``DelegatorSlashed``
        has no operator field on chain; its row names the operator whose slash it is (the
        ``OperatorSlashed`` just before it) in the text and the ``operator`` column, as the timeline does."""
        import pandas as pd

        from blueprints.timeline import describe, with_slash_operator

        rows = []
        for ev, operator in with_slash_operator(self.rt.all_events()):
            if pallet is not None and ev.spec.pallet != pallet:
                continue
            row: dict[str, Any] = {"block": ev.block, "pallet": ev.spec.pallet, "event": ev.spec.name,
                                   "text": describe(ev, self.blueprint, self.rt, operator)}
            for key, value in ev.attributes.items():
                row[key] = name_of(value) if isinstance(value, str) and len(value) == 48 and value.startswith("5") else value
            if operator is not None:
                row["operator"] = name_of(operator)
            rows.append(row)
        return pd.DataFrame(rows)

    def results_frame(self) -> "Any":
        """Every submitted result as a pandas DataFrame: block, call, job, operator (name), account,
        result (decoded), accepted (equal to the call's accepted result, None while undecided)."""
        import pandas as pd

        rows = []
        for ev in self.rt.all_events():
            if not ev.matches("Services.JobResultSubmitted") or ev["service_id"] != self.service_id:
                continue
            spec = self.blueprint.job_spec(ev["job"])
            final = self.final_fields(ev["service_id"], ev["call_id"])
            rows.append({"block": ev.block, "call": ev["call_id"], "job": ev["job"], "operator": name_of(ev["operator"]),
                         "account": ev["operator"], "result": spec.decode_result(ev["result"]),
                         "accepted": None if final is None else tuple(ev["result"]) == tuple(final)})
        return pd.DataFrame(rows, columns=["block", "call", "job", "operator", "account", "result", "accepted"])

    def timeline(self, categories: Iterable[str] | None = None) -> list[tuple[int, str, str]]:
        """(block, category, text) for everything so far, names and amounts as people read them,
        with each delegator's era reward (which has no event of its own) from the reward ledger and,
        under "result", each job call's operators that answered nothing (``JobOutcome.missing``)."""
        from blueprints.timeline import timeline_rows

        wanted = None if categories is None else set(categories)
        rows = timeline_rows(self.rt.all_events(), self.blueprint, categories=wanted, rt=self.rt)
        extra = []
        if wanted is None or "reward" in wanted:
            extra += [(r.block, "reward", str(r)) for r in self.ledger.rows if r.role == "delegator"]
        if wanted is None or "result" in wanted:  # operators that answered nothing (JobOutcome.missing)
            extra += [(block, "result", text) for block, text in self.silences]
        if extra:
            rows += extra
            rows.sort(key=lambda row: row[0])  # stable: same-block rows keep their order
        return rows

    # ------------------------------------------------------------------ money
    def payments(self) -> list[Payment]:
        """Every payment so far: who paid whom, how much of what, and why (see blueprints.ledger). A
        subscription charge is one row; an interval the pallet skipped moved nothing and is not
        here but in :meth:`skipped_bills` (and in the timeline)."""
        return payments(self.rt.all_events(), self.rt, self.roles)

    def skipped_bills(self) -> list[SkippedBill]:
        """Every subscription interval the pallet did not bill, and why (``SubscriptionBillingSkipped``):
        e.g. a rate of 10 base units below the existential deposit, or an owner who cannot pay."""
        return skipped_bills(self.rt.all_events(), self.rt)

    def era_rewards(self, who: str | None = None, era: int | None = None) -> list[EraReward]:
        """Per-era reward credits (operators and delegators), optionally for one account or era."""
        if era is not None and (isinstance(era, bool) or not isinstance(era, int)):
            raise TypeError(f"era must be an era number (int) or None, got {type(era).__name__} {era!r:.60}")
        account = None if who is None else self._account(who)
        return [r for r in self.ledger.rows if (account is None or r.account == account) and (era is None or r.era == era)]

    def rewards_of(self, who: str) -> int:
        """Total era rewards credited to ``who`` so far (TNT base units), claimed or not. A credit is not
        in the free balance until ``who`` claims it: :meth:`claim_era_rewards` (``Rewards.claim_era_rewards``;
        the real ``Rewards.claim_rewards`` answers ``NoRewardsToClaim`` for era rewards). Raises
        :class:`RewardsNotRecorded` rather than answer a 0 that only means "no era was paid yet" (or
        "this profile pays none")."""
        _require_name(who)
        self._account(who)  # an unknown name is said first, not hidden behind "no era yet"
        if not self.rt.profile.extensions.service_rewards:
            raise RewardsNotRecorded(f"no era rewards are recorded under the {self.rt.profile.name!r} profile (extension service_rewards "
                                     "is off; the real runtime pays none): rewards_of would always be 0")
        if self.rt.current_era <= self.deploy_era:
            raise RewardsNotRecorded(f"no era has started since the service was deployed in era {self.deploy_era}, so nobody has been "
                                     f"credited yet: call h.advance_eras(1) first")
        return sum(r.amount for r in self.era_rewards(who))

    def claim_era_rewards(self, who: str) -> int:
        """``Rewards.claim_era_rewards`` signed by ``who`` (harness labels accepted): mints everything the
        era changes credited to it (``PendingEraRewards``) into its free balance and returns that amount.
        This is the only way era rewards reach a balance. It is a simulator extension (``service_rewards``),
        as the era rewards are: the real v1.4.3 Rewards pallet has no such call, and its
        ``claim_rewards`` (call 10) pays ``PendingOperatorRewards`` (subscription shares) only, so for era
        rewards it answers ``NoRewardsToClaim``. Nothing pending: ``Rewards.NoRewardsToClaim``;
        ``profile="real"``: ``System.CallFiltered``."""
        _require_name(who)
        account = self._account(who)
        pending = self.rt.pallets["Rewards"].storage.PendingEraRewards.get(account, 0)
        self.dispatch(account, "Rewards", "claim_era_rewards", {})
        return int(pending)

    def advance_eras(self, eras: int = 1) -> None:
        """Advance until ``eras`` more era starts (rewards distributed), operators acting in every block."""
        _count("eras", eras, MAX_WAIT_BLOCKS // max(3 * self.session_length, 1))
        target = self.rt.current_era + eras
        while self.rt.current_era < target:
            self.advance(1)

    def mean_call_ms(self) -> float:
        return 1000 * sum(self.call_seconds) / len(self.call_seconds) if self.call_seconds else 0.0


# the security the harness requests when a blueprint keeps the default (TNT only); examples add USDC
def tnt_and_usdc(lo: int = 10, hi: int = 20) -> tuple[Any, ...]:
    return (require("TNT", lo, hi), require(USDC_ID, lo, hi))
