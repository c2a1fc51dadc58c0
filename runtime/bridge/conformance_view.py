"""The conformance report as rich tables (what ``tangle-sim conformance`` prints).

Why separate: the check is data (tested directly); this is only how a person reads it: one row
per pallet with counts per status, then every mismatch with its reason, then the extensions.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from runtime.bridge.conformance import ConformanceReport


def render_report(report: ConformanceReport, console: Console, *, verbose: bool = False) -> None:
    """Print the per-pallet table, the mismatches, the extensions (and unchecked notes if verbose)."""
    table = Table(title=f"Conformance with {report.spec}", caption=f"metadata: {report.metadata}")
    table.add_column("pallet (index)")
    table.add_column("kind")
    for status in ("implemented", "missing", "extension", "mismatched"):
        table.add_column(status, justify="right")
    for p in report.pallets.values():
        index = f"({p.sim_index})" if p.chain_index == p.sim_index else f"[red]({p.sim_index}, chain {p.chain_index})[/red]"
        for i, kind in enumerate(("call", "error", "event", "storage", "constant")):
            counts = [p.count(kind, s) for s in ("implemented", "missing", "extension", "mismatched")]
            bad = f"[red]{counts[3]}[/red]" if counts[3] else "0"
            label = f"{p.name} {index}" if i == 0 else ""
            table.add_row(label, {"storage": "storage"}.get(kind, f"{kind}s"), str(counts[0]), str(counts[1]), str(counts[2]), bad, end_section=(i == 4))
    console.print(table)
    console.print("[dim]missing = on chain but not modelled (informational); extension = simulator-only, skipped by the bridge[/dim]")
    if report.mismatches:
        mt = Table(title=f"[red]{len(report.mismatches)} mismatch(es)[/red]")
        for col in ("pallet", "kind", "name", "why"):
            mt.add_column(col, overflow="fold")
        for f in report.mismatches:
            mt.add_row(f.pallet, f.kind, f.name, f.detail)
        console.print(mt)
    if report.extensions:
        et = Table(title=f"{len(report.extensions)} simulator extension(s) (not on chain; skipped by the bridge)")
        for col in ("pallet", "kind", "name", "note"):
            et.add_column(col)
        for f in report.extensions:
            et.add_row(f.pallet, f.kind, f.name, f.detail)
        console.print(et)
    if verbose:
        for p in report.pallets.values():
            for note in p.unchecked:
                console.print(f"[dim]{p.name}: {note}[/dim]")
            for f in p.findings:
                if f.status == "missing":
                    console.print(f"[dim]{f}[/dim]")
    verdict = "[green]conformant: no mismatch[/green]" if report.ok else f"[red]not conformant: {len(report.mismatches)} mismatch(es)[/red]"
    console.print(verdict)
