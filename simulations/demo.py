"""The narrated demo run on the embedded default dev chain (no node, no server)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from runtime import UNIT, DispatchError, Runtime
from runtime.accounts import DEV_NAMES, display_name


def tnt(amount: int) -> str:
    """Base units as TNT with 4 decimals (display only; state stays integer)."""
    whole, frac = divmod(amount, UNIT)
    return f"{whole:,}.{frac * 10_000 // UNIT:04d}"


def run_demo(console: Console | None = None, seed: int = 0) -> Runtime:
    console = console or Console()
    rt = Runtime.dev(seed=seed)
    console.rule("[bold]tangle-sim demo[/bold]: the embedded dev chain")
    console.print(f"spec_version {rt.spec_version}, block {rt.block_number}, state root {rt.state_root()[:18]}…")

    def step(text: str, origin: str, module: str, function: str, params: dict) -> None:
        try:
            receipt = rt.dispatch(origin, module, function, params)
            console.print(f"[green]✓[/green] {text} → {', '.join(e.name for e in receipt.triggered_events) or 'no events'}")
        except DispatchError as exc:
            console.print(f"[red]✗[/red] {text} → [bold]{exc.qualified_name}[/bold] (nothing changed)")

    step("Alice sends Bob 100 TNT", "Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 100 * UNIT})
    step("Bob tries to send Charlie 10,000,000 TNT", "Bob", "Balances", "transfer_keep_alive", {"dest": "Charlie", "value": 10_000_000 * UNIT})
    step("Root creates asset 1 (USDC) for Alice", "root", "Assets", "force_create", {"id": 1, "owner": "Alice", "is_sufficient": True, "min_balance": 1})
    step("Alice mints 5,000 USDC to Dave", "Alice", "Assets", "mint", {"id": 1, "beneficiary": "Dave", "amount": 5_000 * 10**6})
    rt.advance_blocks(10)
    step("Dave sends Eve 1,000 USDC", "Dave", "Assets", "transfer", {"id": 1, "target": "Eve", "amount": 1_000 * 10**6})

    table = Table(title=f"Balances at block {rt.block_number}")
    table.add_column("account")
    table.add_column("free TNT", justify="right")
    table.add_column("USDC", justify="right")
    assets = rt.pallets["Assets"]
    for name in DEV_NAMES:
        who = rt.account(name)
        table.add_row(name, tnt(rt.free_balance(who)), f"{assets.balance(1, who) / 10**6:,.2f}")  # type: ignore[attr-defined]
    console.print(table)
    events = Table(title="Events")
    events.add_column("block", justify="right")
    events.add_column("event")
    events.add_column("attributes")
    for ev in rt.all_events():
        attrs = ", ".join(f"{k}={display_name(v) if isinstance(v, str) and len(v) == 48 else v}" for k, v in ev.attributes.items())
        events.add_row(str(ev.block), ev.name, attrs)
    console.print(events)
    console.print(f"final state root {rt.state_root()}")
    return rt
