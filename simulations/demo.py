"""The narrated demo: a restaking story on the embedded dev chain (no node, no server).

Two operators join MultiAssetDelegation, delegators restake USDC behind them, Alice publishes a
blueprint, Eve requests a service and both operators approve it, a job is called and answered, a
wrong answer is slashed through the deferred-slash window (7 rounds of 1,200 blocks, as on the
testnet), and a forgotten request expires and is refunded. Every step is a real call through
``rt.dispatch``; the run ends with tables of stakes, balances and the event timeline, and writes the
call log so ``tangle-sim replay`` can rebuild the same state.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from blueprints.amounts import TNT_DECIMALS, format_amount, format_units
from runtime import UNIT, DispatchError, GenesisConfig, Runtime
from runtime.accounts import display_name

USDC = {"Custom": 1}
TNT = {"Custom": 0}
SQUARING = {
    "metadata": {"name": "incredible-squaring", "description": "squares a number", "author": "Alice", "category": "demo",
                 "code_repository": None, "logo": None, "website": None, "license": "MIT"},
    "jobs": [{"metadata": {"name": "square", "description": None}, "params": ["Uint64"], "result": ["Uint64"], "pricing_model": {"PayOnce": {"amount": 0}}}],
    "registration_params": [], "request_params": [],
    "manager": {"Evm": "0x" + "52" * 20}, "master_manager_revision": "Latest", "sources": [],
    "supported_membership_models": ["Fixed"],
}


def tnt(amount: int) -> str:
    """Base units as TNT, exact (the blueprint timelines' one rule: trailing zeros trimmed, never rounded)."""
    return format_units(amount, TNT_DECIMALS, "")


def usdc(amount: int) -> str:
    """Base units as USDC (6 decimals), exact."""
    return format_units(amount, 6, "")


def _operator_key(name: str) -> str:
    from pallets.services.crypto import dev_private_key, public_key

    return "0x" + public_key(dev_private_key(name)).hex()


def dev_genesis(seed: int = 0) -> GenesisConfig:
    """The dev chain plus a USDC asset held by the delegators (testnet timing: 1,200-block rounds)."""
    return GenesisConfig.dev(seed=seed, assets=[{"id": 1, "owner": "Alice", "name": "USD Coin", "symbol": "USDC", "decimals": 6,
                                                 "balances": {"Dave": 50_000 * 10**6, "Ferdie": 50_000 * 10**6}}])


def run_demo(console: Console | None = None, seed: int = 0, log_path: Path | None = None) -> Runtime:
    console = console or Console()
    rt = Runtime(dev_genesis(seed))
    console.rule("[bold]tangle-sim demo[/bold]: restaking on the embedded dev chain")
    console.print(f"spec_version {rt.spec_version}, profile {rt.profile.name}, block {rt.block_number}, round {rt.current_round}")

    def outcome(mark: str, text: str, result: str, plain: str, names: list[str] | None = None) -> None:
        """``  ✓ text → result`` on one line when it fits the console, else ``→ result`` on lines of
        its own, a long list of ``names`` broken only between names and indented (rich would break
        it anywhere, ``→ Reserved,`` / ``OperatorJoined`` at the left margin)."""
        if len(f"  ✓ {text} → {plain}") <= console.width:
            console.print(f"  {mark} {text} {result}")
            return
        console.print(f"  {mark} {text}")
        if not names or len(f"      → {plain}") <= console.width:
            console.print(f"      {result}")
            return
        lines = [f"→ {names[0]}"]
        for n in names[1:]:
            if len(f"        {lines[-1]}, {n},") <= console.width:
                lines[-1] += f", {n}"
            else:
                lines[-1] += ","
                lines.append(f"  {n}")
        for line in lines:
            console.print(f"      [dim]{line}[/dim]")

    def step(text: str, origin: str, module: str, function: str, params: dict[str, Any]) -> Any:
        try:
            receipt = rt.dispatch(origin, module, function, params)
        except DispatchError as exc:
            outcome("[red]✗[/red]", text, f"→ [bold]{exc.qualified_name}[/bold] (nothing changed)", f"{exc.qualified_name} (nothing changed)")
            return None
        events = [e.spec.name for e in receipt.triggered_events]
        names = ", ".join(events) or "no events"
        outcome("[green]✓[/green]", text, f"[dim]→ {names}[/dim]", names, events)
        return receipt

    console.print("[bold]1. Operators and restakers[/bold]")
    for op in ("Bob", "Charlie"):
        step(f"{op} joins as an operator with 1,000 TNT self-stake", op, "MultiAssetDelegation", "join_operators", {"bond_amount": 1_000 * UNIT})
    step("Dave deposits 20,000 USDC", "Dave", "MultiAssetDelegation", "deposit", {"asset": USDC, "amount": 20_000 * 10**6, "evm_address": None, "lock_multiplier": None})
    step("Dave delegates it to Bob for blueprint 0 only", "Dave", "MultiAssetDelegation", "delegate",
         {"operator": "Bob", "asset": USDC, "amount": 20_000 * 10**6, "blueprint_selection": {"Fixed": [0]}})
    step("Ferdie deposits 30,000 USDC", "Ferdie", "MultiAssetDelegation", "deposit", {"asset": USDC, "amount": 30_000 * 10**6, "evm_address": None, "lock_multiplier": None})
    step("Ferdie delegates it to Charlie for every blueprint", "Ferdie", "MultiAssetDelegation", "delegate",
         {"operator": "Charlie", "asset": USDC, "amount": 30_000 * 10**6, "blueprint_selection": "All"})
    step("Eve tries to delegate to an account that is no operator", "Eve", "MultiAssetDelegation", "delegate",
         {"operator": "Eve", "asset": USDC, "amount": 1, "blueprint_selection": "All"})

    console.print("[bold]2. A blueprint and a service[/bold]")
    step("Alice publishes the incredible-squaring blueprint", "Alice", "Services", "create_blueprint", {"blueprint": SQUARING})
    for op in ("Bob", "Charlie"):
        step(f"{op} registers for it", op, "Services", "register",
             {"blueprint_id": 0, "preferences": {"key": _operator_key(op), "rpc_address": f"https://{op.lower()}.example:9944"}, "registration_args": [], "value": 0})
    requirements = [{"asset": TNT, "min_exposure_percent": 10, "max_exposure_percent": 50}, {"asset": USDC, "min_exposure_percent": 10, "max_exposure_percent": 50}]
    step("Eve requests a service from both, paying 100 TNT", "Eve", "Services", "request",
         {"evm_origin": None, "blueprint_id": 0, "permitted_callers": [], "operators": ["Bob", "Charlie"], "request_args": [],
          "asset_security_requirements": requirements, "ttl": 10_000, "payment_asset": TNT, "value": 100 * UNIT,
          "membership_model": {"Fixed": {"min_operators": 2}}})
    commitments = [{"asset": TNT, "exposure_percent": 20}, {"asset": USDC, "exposure_percent": 20}]
    for op in ("Bob", "Charlie"):
        step(f"{op} approves with 20% exposure", op, "Services", "approve", {"request_id": 0, "security_commitments": commitments})

    console.print("[bold]3. A job, two answers, a slash[/bold]")
    step("Eve calls square(7)", "Eve", "Services", "call", {"service_id": 0, "job": 0, "args": [{"Uint64": 7}]})
    step("Bob answers 49", "Bob", "Services", "submit_result", {"service_id": 0, "call_id": 0, "result": [{"Uint64": 49}]})
    step("Charlie answers 50", "Charlie", "Services", "submit_result", {"service_id": 0, "call_id": 0, "result": [{"Uint64": 50}]})
    step("Charlie answers a call that does not exist", "Charlie", "Services", "submit_result", {"service_id": 0, "call_id": 9, "result": [{"Uint64": 1}]})
    before = {op: rt.pallets["MultiAssetDelegation"].get_operator_stake(rt.account(op)) for op in ("Bob", "Charlie")}  # type: ignore[attr-defined]
    slash = step("Alice (the slashing origin) proposes a 10% slash of Charlie", "Alice", "Services", "slash", {"offender": "Charlie", "service_id": 0, "slash_percent": 10})
    if slash is not None:
        ev = slash.event("UnappliedSlash")
        console.print(f"  the slash waits in round {ev['era']}; it applies at round {ev['era'] + rt.constants('Services').SlashDeferDuration} unless disputed")
    step("Dave tries to dispute it (he is not the dispute origin)", "Dave", "Services", "dispute", {"era": rt.current_round, "index": 0})
    start = rt.block_number
    rt.advance_rounds(rt.constants("Services").SlashDeferDuration)
    console.print(f"  … {rt.block_number - start:,} blocks later (round {rt.current_round}) the slash applies:")
    for ev in rt.all_events():
        if ev.block > start and ev.spec.pallet == "MultiAssetDelegation" and ev.spec.name in ("OperatorSlashed", "DelegatorSlashed"):
            who = ev.get("operator") or ev.get("delegator")
            asset = ev.get("asset")  # none on OperatorSlashed: a self-stake, TNT
            amount = format_amount(rt, 0 if asset is None else asset, ev["amount"])
            console.print(f"    {ev.spec.name}: {display_name(who)} loses {amount}")

    console.print("[bold]4. A forgotten request expires[/bold]")
    step("Eve requests another service from Bob, paying 50 TNT", "Eve", "Services", "request",
         {"evm_origin": None, "blueprint_id": 0, "permitted_callers": [], "operators": ["Bob"], "request_args": [],
          "asset_security_requirements": requirements, "ttl": 10_000, "payment_asset": TNT, "value": 50 * UNIT,
          "membership_model": {"Fixed": {"min_operators": 1}}})
    expiry = rt.profile.extensions.request_expiry_blocks
    rt.advance_blocks(expiry + 1)
    expired = [e for e in rt.all_events() if e.spec.name == "ServiceRequestExpired"]
    console.print(f"  after {expiry:,} blocks: {len(expired)} request expired and was refunded")
    step("Bob approves it anyway", "Bob", "Services", "approve", {"request_id": 1, "security_commitments": commitments})

    stakes = Table(title=f"Operator stakes at block {rt.block_number:,} (round {rt.current_round})")
    stakes.add_column("operator")
    stakes.add_column("self-stake before (TNT)", justify="right")
    stakes.add_column("self-stake now (TNT)", justify="right")
    stakes.add_column("USDC delegated", justify="right")
    mad = rt.pallets["MultiAssetDelegation"]
    from pallets.primitives.assets import Asset

    for op in ("Bob", "Charlie"):
        who = rt.account(op)
        stakes.add_row(op, tnt(before[op]), tnt(mad.get_operator_stake(who)), usdc(mad.get_total_delegation_by_asset(who, Asset.Custom(1))))  # type: ignore[attr-defined]
    console.print(stakes)

    table = Table(title="Free TNT balances")
    table.add_column("account")
    table.add_column("free TNT", justify="right")
    for name in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"):
        table.add_row(name, tnt(rt.free_balance(rt.account(name))))
    console.print(table)

    events = Table(title="Event timeline (restaking pallets)")
    events.add_column("block", justify="right")
    events.add_column("event")
    events.add_column("attributes", overflow="fold")
    units = asset_units(rt)
    for ev in rt.all_events():
        if ev.spec.pallet not in ("MultiAssetDelegation", "Services"):
            continue
        encoded = ev.encoded_attributes()
        attrs = ", ".join(f"{k}={_amount(ev.spec.name, k, v, encoded.get('asset'), units) or _short(_names(v))}" for k, v in encoded.items())
        events.add_row(f"{ev.block:,}", ev.name, attrs)
    console.print(events)
    if log_path is not None:
        rt.export_log(log_path)
        console.print(f"call log written to {log_path}; rebuild it with: tangle-sim replay {log_path}")
    console.print(f"final state root {rt.state_root()}")
    return rt


# amounts the timeline shows in tokens: with an ``asset`` attribute in that asset, else the ones
# known to be TNT (a self-stake slash; the demo pays every request in TNT, so refunds are TNT)
AMOUNT_KEYS = ("amount", "refunded", "value", "bond_amount", "reward", "fee")
NATIVE_AMOUNTS = {("OperatorSlashed", "amount"), ("ServiceRequestExpired", "refunded"), ("OperatorJoined", "bond_amount")}


def asset_units(rt: Runtime) -> dict[int, tuple[str, int]]:
    """(symbol, decimals) by asset id as the chain's own ``Assets.Metadata`` gives them (id 0: TNT), so
    the timeline follows whatever assets the genesis created."""
    units = {0: ("TNT", 18)}
    for asset_id, meta in rt.pallets["Assets"].storage.Metadata.items():
        units[asset_id] = (meta.symbol.decode("utf-8", "replace") or f"asset {asset_id}", meta.decimals)
    return units


def _amount(event: str, key: str, value: Any, asset: Any, units: dict[int, tuple[str, int]]) -> str | None:
    """``key=value`` of an event as tokens of its asset, or None to show it as it is."""
    if key not in AMOUNT_KEYS or not isinstance(value, int) or isinstance(value, bool):
        return None
    if isinstance(asset, dict) and set(asset) == {"Custom"} and asset["Custom"] in units:
        symbol, decimals = units[asset["Custom"]]
        return format_units(value, decimals, symbol)
    if asset is None and (event, key) in NATIVE_AMOUNTS:
        return format_units(value, TNT_DECIMALS, "TNT")
    return None


def _names(value: Any) -> Any:
    """Encoded event values with SS58 addresses shown as dev names."""
    if isinstance(value, str) and len(value) == 48 and value.startswith("5"):
        return display_name(value)
    if isinstance(value, list):
        return [_names(v) for v in value]
    if isinstance(value, dict):
        return {k: _names(v) for k, v in value.items()}
    return value


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 70 else text[:67] + "…"
