"""Oracle watchtower after Rocket Pool's oracle DAO: operators agree on a rewards Merkle root per interval.

Intervals are ``INTERVAL_BLOCKS`` blocks long (interval ``i`` covers blocks ``(i*L, (i+1)*L]``).
When one ends, the keeper (the service owner) calls job 0 ``rewards_root(interval)``; every
operator computes the interval's rewards **from simulator state** at that block and submits the
root of the rewards tree (:mod:`blueprints.examples.merkle`; half the operators run "treegen", the
other half the independent "rockettree", like Rocket Pool's oDAO):

* claimers: the service's operators; ``address`` = the first 20 bytes of the AccountId (the
  pallet's ``into_address``), ``network`` = 0;
* amount A (Rocket Pool's RPL slot): a pot of ``POT`` TNT per interval split by the **ruleset**
  in effect at the interval's end block (integer maths, multiply before divide, dust stays):
  ruleset 1 pro rata to MultiAssetDelegation self-stake, ruleset 2 pro rata to its integer square
  root (flattens whales);
* amount B (the ETH slot): the service fees the operator earned in the interval
  (``Services.RewardDistributed`` of the job's ``Subscription`` billing, read from the events).

The manager (:class:`OracleManager`) finalises a root when a **majority** of the service's
operators submitted the same (interval, ruleset, root); dissenters are faults. A **rule change** is
announced with job 1 ``announce_ruleset(version, target_block)`` at least ``NOTICE_BLOCKS`` ahead;
both rulesets are built into the operators, which pick by the interval's end block. A result that
claims a ruleset not in effect is refused outright (``InvalidJobResult``).

Run the story: ``python -m blueprints.examples.oracle_watchtower``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from rich.console import Console

from pallets.services.manager import Revert, normalize_address
from pallets.services.types import Field
from runtime.accounts import account_bytes, display_name
from runtime.genesis import UNIT

from blueprints import U8, U64, Array, Blueprint, BlueprintTestHarness, JobContext, Majority, ServiceManager, subscription
from blueprints.behaviours import Behaviour, Faulty, Slow
from blueprints.examples.merkle import IMPLEMENTATIONS, Claimer
from blueprints.harness import tnt_and_usdc
from blueprints.timeline import demo_table, fit_words, heading, print_timeline, timeline_rows, tnt
from blueprints.values import shape_of

INTERVAL_BLOCKS = 100
NOTICE_BLOCKS = 2 * INTERVAL_BLOCKS
POT = 1_000 * UNIT
NETWORK = 0
FEE_PER_INTERVAL = 10 * UNIT


@dataclass
class RewardsRoot:
    """An operator's answer for one interval (a ``Struct`` result)."""

    interval: U64
    ruleset: U8
    root: Array[U8, 32]


ROOT = shape_of(RewardsRoot)


def interval_end(interval: int) -> int:
    return (interval + 1) * INTERVAL_BLOCKS


# ------------------------------------------------------------------------------------------ rulesets
def _weights_v1(stakes: dict[str, int]) -> dict[str, int]:
    return dict(stakes)


def _weights_v2(stakes: dict[str, int]) -> dict[str, int]:
    return {op: math.isqrt(s) for op, s in stakes.items()}


RULESETS: dict[int, Callable[[dict[str, int]], dict[str, int]]] = {1: _weights_v1, 2: _weights_v2}


def split_pot(weights: dict[str, int], pot: int = POT) -> dict[str, int]:
    """Pro rata, integer only, multiply before divide; the dust stays in the pot."""
    total = sum(weights.values())
    return {op: (pot * w // total if total else 0) for op, w in weights.items()}


def fees_earned(rt: Any, service_id: int, start: int, end: int) -> dict[str, int]:
    """Service fees each operator earned in blocks ``(start, end]`` (``Services.RewardDistributed``)."""
    out: dict[str, int] = {}
    for ev in rt.all_events():
        if start < ev.block <= end and ev.spec.pallet == "Services" and ev.spec.name == "RewardDistributed" and ev["service_id"] == service_id:
            out[ev["operator"]] = out.get(ev["operator"], 0) + ev["amount"]
    return out


def compute_claimers(rt: Any, service_id: int, interval: int, ruleset: int) -> list[Claimer]:
    """The interval's claimers from the chain's state (stakes now, fees over the interval)."""
    operators = rt.pallets["Services"].storage.Instances.get(service_id).operators()
    mad = rt.pallets["MultiAssetDelegation"]
    stakes = {op: mad.get_operator_stake(op) for op in operators}
    share = split_pot(RULESETS[ruleset](stakes))
    fees = fees_earned(rt, service_id, interval_end(interval) - INTERVAL_BLOCKS, interval_end(interval))
    return [Claimer(account_bytes(op)[:20], NETWORK, share[op], fees.get(op, 0)) for op in operators]


def implementation_for(operator: str, operators: Sequence[str]) -> str:
    """Which tree implementation an operator runs: alternating along the operators sorted by address,
    so both implementations are always in use (as Treegen and Rockettree are in Rocket Pool's oDAO)."""
    ordered = sorted(operators, key=account_bytes)
    return ("treegen", "rockettree")[ordered.index(operator) % 2]


# ------------------------------------------------------------------------------------------ manager
class OracleManager(ServiceManager):
    """Majority consensus on (interval, ruleset, root); ruleset announcements with notice."""

    def __init__(self) -> None:
        super().__init__(Majority())

    def ruleset_at(self, block: int) -> int:
        """The ruleset in effect at ``block`` (old until the announced target block, then new)."""
        change = self.state.get("ruleset_change")
        if change is not None and block >= change[1]:
            return change[0]
        return self.state.get("ruleset", 1)

    def on_job_call(self, blueprint_id: int, service_id: int, job: int, call_id: int, args: Sequence[Field]) -> bool | None:
        now = self.block_number
        if job == 0:
            interval = args[0].value
            expected = self.state.get(("next_interval", service_id))
            if expected is not None and interval != expected:
                raise Revert(f"the next interval to report is {expected}")
            if interval_end(interval) > now:
                raise Revert(f"interval {interval} ends at block {interval_end(interval)}")
            self.state.set(("next_interval", service_id), interval + 1)
            self.state.set(("interval_of_call", service_id, call_id), interval)
        elif job == 1:
            version, target = args[0].value, args[1].value
            current = self.ruleset_at(now)
            if version not in RULESETS or version <= current:
                raise Revert(f"ruleset {version} is unknown or not newer than {current}")
            if target < now + NOTICE_BLOCKS:
                raise Revert(f"a rule change needs {NOTICE_BLOCKS} blocks of notice")
            self.state.set("ruleset", current)
            self.state.set("ruleset_change", (version, target))
        return None

    def validate_result(self, blueprint_id: int, service_id: int, job: int, call_id: int, operator: str,
                        args: Sequence[Field], result: Sequence[Field]) -> None:
        if job != 0:
            return
        answer: RewardsRoot = ROOT.from_field(result[0])
        interval = self.state.get(("interval_of_call", service_id, call_id))
        if answer.interval != interval:
            raise Revert(f"the call is for interval {interval}")
        expected = self.ruleset_at(interval_end(interval))
        if answer.ruleset != expected:
            raise Revert(f"ruleset {answer.ruleset} is not in effect at block {interval_end(interval)} (ruleset {expected} is)")

    def on_finalized(self, service_id: int, job: int, call_id: int, result: tuple[Field, ...]) -> None:
        if job == 0:
            answer: RewardsRoot = ROOT.from_field(result[0])
            self.state.set(("root", service_id, answer.interval), (answer.ruleset, answer.root))

    def finalized_root(self, service_id: int, interval: int) -> tuple[int, bytes] | None:
        """(ruleset, root) agreed for an interval, or None."""
        return self.state.get(("root", service_id, interval))


def manager_of(rt: Any, blueprint: Blueprint) -> OracleManager:
    """The deployed manager (an operator's read-only view of the contract)."""
    return rt.pallets["Services"].contracts[normalize_address(blueprint.manager_address)]


# ------------------------------------------------------------------------------------------ blueprint
def build_blueprint() -> Blueprint:
    bp = Blueprint("oracle-watchtower", description="rewards Merkle roots agreed by an oracle DAO", author="tangle-sim",
                   category="example", license="MIT", manager=OracleManager, security=tnt_and_usdc())

    @bp.job(0, pricing=subscription(FEE_PER_INTERVAL, INTERVAL_BLOCKS))
    def rewards_root(interval: U64, ctx: JobContext) -> RewardsRoot:
        """the interval's rewards tree root"""
        ruleset = manager_of(ctx.rt, bp).ruleset_at(interval_end(interval))
        claimers = compute_claimers(ctx.rt, ctx.service_id, interval, ruleset)
        operators = ctx.rt.pallets["Services"].storage.Instances.get(ctx.service_id).operators()
        return RewardsRoot(interval, ruleset, IMPLEMENTATIONS[implementation_for(ctx.operator, operators)](claimers))

    @bp.job(1)
    def announce_ruleset(version: U8, target_block: U64) -> None:
        """announce a rule change effective at target_block"""
        return None

    return bp


class StaleRules(Behaviour):
    """An operator that never upgraded: computes every interval with ruleset 1."""

    def plan(self, honest: Any, ctx: JobContext) -> list[tuple[int, tuple[Field, ...]]]:
        if ctx.job != 0:
            return [(0, honest())]
        interval = ctx.args[0].value
        claimers = compute_claimers(ctx.rt, ctx.service_id, interval, 1)
        return [(0, (ROOT.to_field(RewardsRoot(interval, 1, IMPLEMENTATIONS["treegen"](claimers))),))]

    def __repr__(self) -> str:
        return "StaleRules()"


# ------------------------------------------------------------------------------------------ simulation
@dataclass
class IntervalReport:
    interval: int
    ruleset: int | None
    root: bytes | None
    agreeing: list[str]
    refused: list[tuple[str, str]]
    faults: list[str]


class Watchtower:
    """An oracle DAO service run interval by interval."""

    def __init__(self, operators: int = 5, behaviours: dict[Any, Behaviour] | None = None, bonds: dict[str, int] | None = None, seed: int = 0) -> None:
        self.blueprint = build_blueprint()
        self.h = BlueprintTestHarness(self.blueprint, operators, behaviours=behaviours, bonds=bonds, seed=seed, payment=FEE_PER_INTERVAL)
        self.manager: OracleManager = self.h.manager  # type: ignore[assignment]
        self.next_interval = self.h.rt.block_number // INTERVAL_BLOCKS
        self.reports: list[IntervalReport] = []

    @property
    def rt(self) -> Any:
        return self.h.rt

    def announce(self, version: int, target_block: int) -> Any:
        return self.h.call_job(1, version, target_block)

    def run_interval(self) -> IntervalReport:
        h = self.h
        interval = self.next_interval
        h.advance(max(interval_end(interval) - self.rt.block_number, 0))
        assert h.network is not None
        actions_before = len(h.network.actions)
        faults_before = len(self.manager.faults())
        out = h.call_job(0, interval)
        h.advance(5)  # let slow operators answer even after the majority
        refused = [(display_name(a.operator), (a.error or "").split(".")[-1]) for a in h.network.actions[actions_before:] if a.kind == "submit" and not a.ok]
        final = self.manager.finalized_root(h.service_id, interval)
        subs = self.manager.submissions(h.service_id, out.call_id)
        agreeing = [display_name(op) for op, r in subs if final is not None and ROOT.from_field(r[0]).root == final[1]]
        faults = [f"{f.operator} {f.kind}" for f in self.manager.faults()[faults_before:]]
        report = IntervalReport(interval, final[0] if final else None, final[1] if final else None, agreeing, refused, faults)
        self.reports.append(report)
        self.next_interval += 1
        return report


def run_demo(console: Console | None = None, intervals: int = 6, seed: int = 2) -> Watchtower:
    """Five oracles with different stakes; Dave is slow, Operator4 never upgrades its rules,
    Operator5 is sometimes wrong. Ruleset 2 is announced in interval 1 for the end of interval 3."""
    console = console or Console()
    bonds = {"Bob": 1_000 * UNIT, "Charlie": 2_000 * UNIT, "Dave": 4_000 * UNIT, "Operator4": 500 * UNIT, "Operator5": 9_000 * UNIT}
    wt = Watchtower(5, behaviours={"Dave": Slow(3), "Operator4": StaleRules(), "Operator5": Faulty(0.4, seed=seed)}, bonds=bonds, seed=seed)
    h = wt.h
    heading(console, "oracle watchtower (Rocket Pool oDAO): a rewards Merkle root per interval, finalised by majority")
    for op in h.operators:
        console.print(f"  {op.name}: {tnt(bonds[op.name])} self-stake, {implementation_for(op.account, [o.account for o in h.operators])}, {op.behaviour!r}")
    table = demo_table(f"Intervals of {INTERVAL_BLOCKS} blocks", ("interval", "rules", "root", "agreeing", "refused", "faults"))
    for i in range(intervals):
        if i == 1:
            target = interval_end(3)
            wt.announce(2, target)
            console.print(f"  block {wt.rt.block_number}: ruleset 2 announced, effective from block {target} (interval 3 onwards)")
        r = wt.run_interval()
        table.add_row(str(r.interval), str(r.ruleset), ("0x" + r.root.hex()[:8] + "…") if r.root else "—",
                      ", ".join(r.agreeing), "; ".join(f"{n}: {e}" for n, e in r.refused), "; ".join(r.faults))
    console.print(fit_words(table))
    console.print("[bold]Reporting dissenters and claiming fees[/bold]")
    for fault, err in h.report_faults(percent=5):
        console.print(f"  {fault.operator} {fault.kind} on call {fault.call_id} → 5% slash" + (f" [red]{err}[/red]" if err else ""))
    claimed = h.rt.dispatch("Bob", "Rewards", "claim_rewards", {}).event("OperatorRewardsClaimed")["amount"]
    console.print(f"  Bob claims {tnt(claimed)} of service fees from the rewards pallet")
    h.advance_rounds(h.slash_defer_rounds())
    print_timeline(console, timeline_rows(h.rt.all_events(), wt.blueprint, categories=("request", "job", "result", "payment", "reward", "slash"), rt=h.rt),
                   title="Timeline: requests, job calls, results, rewards, slashes")
    return wt


def main(argv: Any = None) -> None:
    run_demo()


if __name__ == "__main__":
    main()
