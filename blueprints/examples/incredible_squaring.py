"""incredible-squaring, the canonical Tangle example, in Python.

Job 0 squares a u64. Every operator answers every call; the manager accepts a result once a
quorum (2 of 3) agrees, records operators that disagree, and its slashing origin reports them:
``Services.slash`` queues an ``UnappliedSlash`` that MultiAssetDelegation applies after
``SlashDeferDuration`` rounds (the dispute window), cutting the operator's self-stake and its
delegators' stake.

The manager also validates inputs in ``on_job_call``: a square that does not fit a u64 is refused
(``InvalidJobCallInput``) before any operator works on it.

Run the story: ``python -m blueprints.examples.incredible_squaring``.
"""

from __future__ import annotations

from typing import Any, Sequence

from rich.console import Console

from pallets.services.manager import Revert
from pallets.services.types import Field
from runtime import DispatchError

from blueprints import U64, Blueprint, BlueprintTestHarness, Faulty, Quorum, ServiceManager, pay_once
from blueprints.harness import tnt_and_usdc
from blueprints.amounts import format_amount
from blueprints.timeline import demo_table, fit_words, heading, print_timeline, timeline_rows, tnt

MAX_ROOT = 2**32 - 1  # the largest x whose square fits a u64
SLASH_PERCENT = 10


class SquaringManager(ServiceManager):
    """Quorum of 2 matching results; refuses inputs whose square would overflow a u64."""

    def __init__(self, quorum: int = 2) -> None:
        super().__init__(Quorum(quorum))

    def on_job_call(self, blueprint_id: int, service_id: int, job: int, call_id: int, args: Sequence[Field]) -> bool | None:
        if job == 0 and args[0].value > MAX_ROOT:
            raise Revert(f"{args[0].value}² does not fit a u64")
        return super().on_job_call(blueprint_id, service_id, job, call_id, args)


def build_blueprint(quorum: int = 2) -> Blueprint:
    bp = Blueprint("incredible-squaring", description="squares a number; a quorum of operators must agree", author="Tangle",
                   category="example", license="MIT", manager=lambda: SquaringManager(quorum), security=tnt_and_usdc())

    @bp.job(0, pricing=pay_once(0))
    def square(x: U64) -> U64:
        """x²"""
        return x * x

    return bp


def run_demo(console: Console | None = None, seed: int = 7, calls: Sequence[int] = (3, 7, 12, 21, 100, 4_294_967_295)) -> BlueprintTestHarness:
    """Deploy with Bob and Charlie honest and Dave faulty (wrong half of the time), call the job,
    report Dave, wait out the dispute window and show the stake he lost."""
    console = console or Console()
    bp = build_blueprint()
    h = BlueprintTestHarness(bp, operators=3, behaviours={"Dave": Faulty(0.5, seed=seed)})
    heading(console, "incredible-squaring: a quorum of 2 out of 3, a faulty operator, a deferred slash")
    console.print(f"blueprint {h.blueprint_id} with manager {bp.manager_address}; service {h.service_id} run by "
                  + ", ".join(f"{op.name} ({op.behaviour!r})" for op in h.operators))

    console.print("[bold]1. Job calls[/bold]")
    for x in calls:
        out = h.call_job(0, x)
        answers = ", ".join(f"{name} {vals[0]}" for name, vals in out.results.items())
        mark = "[green]✓[/green]" if out.result == x * x else "[red]✗[/red]"
        console.print(f"  {mark} square({x}) = {out.result} accepted after {out.blocks} block(s) [dim]({answers})[/dim]")
        h.advance(1)
    try:
        h.call_job(0, MAX_ROOT + 1)
    except DispatchError as exc:
        console.print(f"  [yellow]✗[/yellow] square({MAX_ROOT + 1}) refused by the manager → {exc.qualified_name}")

    console.print("[bold]2. Faults and the deferred slash[/bold]")
    faults = h.manager.faults()  # type: ignore[attr-defined]
    for f in faults:
        console.print(f"  fault: {f.operator} {f.kind} on call {f.call_id} ({f.detail})")
    before = {op.name: (h.operator_stake(op.name), h.delegated(op.name)) for op in h.operators}
    # one slash per offender is enough for the story (every fault is evidence; a stricter manager could slash each)
    for f in {f.operator: f for f in faults}.values():
        h.dispatch(h.manager.slashing_account, "Services", "slash", {"offender": f.account, "service_id": f.service_id, "slash_percent": SLASH_PERCENT})  # type: ignore[attr-defined]
        console.print(f"  the manager's slashing origin proposes a {SLASH_PERCENT}% slash of {f.operator}")
    for f in faults:
        h.manager.mark_reported(f)  # type: ignore[attr-defined]
    defer = h.slash_defer_rounds()
    start = h.rt.block_number
    h.advance_rounds(defer)
    console.print(f"  … {h.rt.block_number - start} blocks ({defer} rounds, the dispute window) later the slash applies")

    table = demo_table("Stake before and after", ("operator", "stake before", "stake after", "USDC before", "USDC after"),
                       right=("stake before", "stake after", "USDC before", "USDC after"))
    for op in h.operators:
        s0, d0 = before[op.name]
        table.add_row(op.name, tnt(s0), tnt(h.operator_stake(op.name)), format_amount(h.rt, 1, d0),
                      format_amount(h.rt, 1, h.delegated(op.name)))
    console.print(fit_words(table))
    print_timeline(console, timeline_rows(h.rt.all_events(), bp, categories=("request", "job", "result", "payment", "reward", "slash"), rt=h.rt),
                   title="Timeline: requests, job calls, results, rewards, slashes")
    console.print(f"mean call_job time: {h.mean_call_ms():.2f} ms")
    return h


def main(argv: Any = None) -> None:
    run_demo()


if __name__ == "__main__":
    main()
