"""The bridge's commands for ``tangle-sim`` (registered by :func:`register` in simulations/cli.py).

``tangle-sim conformance``, ``tangle-sim node`` and ``tangle-sim bridge replay|encode``. Heavy
imports (scalecodec, substrate-interface) happen inside the commands, so the CLI starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

console = Console()
bridge_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Talk to a Tangle node: replay call logs, encode them as extrinsics.")

METADATA_HELP = "Runtime metadata file (V14/V15 SCALE). Default: $TANGLE_METADATA, else ../shared/tangle/tangle-testnet-runtime.scale."


def _metadata(path: Optional[Path]):  # noqa: ANN202 - RuntimeMetadata, imported lazily
    from runtime.bridge.metadata import MetadataError, load_metadata

    try:
        return load_metadata(path)
    except MetadataError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def conformance(
    metadata: Optional[Path] = typer.Option(None, "--metadata", "-m", help=METADATA_HELP),
    profile: str = typer.Option("intended", help="Runtime profile to build (intended or real)."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also list unchecked types and calls not modelled."),
) -> None:
    """Check the simulator's pallets, calls, arguments, errors, events and storage against real metadata."""
    from runtime import Runtime
    from runtime.bridge.conformance import check_conformance
    from runtime.bridge.conformance_view import render_report

    md = _metadata(metadata)
    report = check_conformance(Runtime.dev(profile=profile), md)
    render_report(report, console, verbose=verbose)
    raise typer.Exit(0 if report.ok else 1)


@bridge_app.command("encode")
def encode(
    log: Path = typer.Argument(..., help="A call log (JSON lines) exported by the simulator."),
    metadata: Optional[Path] = typer.Option(None, "--metadata", "-m", help=METADATA_HELP),
    key: list[str] = typer.Option([], "--key", "-k", help="Extra signer derivation URIs (//Name) besides the dev accounts."),
    show: bool = typer.Option(False, "--show", help="Print every extrinsic's hex."),
) -> None:
    """Encode every call of a log as a signed extrinsic against the metadata, decode it back and compare."""
    from rich.table import Table

    from runtime.bridge.encoding import encode_log
    from runtime.bridge.keyring import Keyring
    from runtime.calllog import CallLogError

    md = _metadata(metadata)
    try:
        report = encode_log(log, md, keyring=Keyring(key))
    except CallLogError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    table = Table(title=f"{log}: {len(report.calls)} calls against {md.spec_name} {md.spec_version}")
    for col in ("pallet", "encoded", "skipped", "failed"):
        table.add_column(col, justify="right" if col != "pallet" else "left")
    pallets = sorted({c.module for c in report.calls})
    for pallet in pallets:
        mine = [c for c in report.calls if c.module == pallet]
        failed = sum(1 for c in mine if c.status == "failed")
        table.add_row(pallet, str(sum(1 for c in mine if c.status == "ok")), str(sum(1 for c in mine if c.status == "skipped")), f"[red]{failed}[/red]" if failed else "0")
    console.print(table)
    for c in report.calls:
        if c.status == "failed":
            console.print(f"[red]line {c.line}[/red] {c.name} by {c.origin}: {c.detail}")
        elif c.status == "skipped":
            console.print(f"[cyan]line {c.line}[/cyan] {c.name}: skipped ({c.detail})")
        if show and c.extrinsic:
            console.print(f"line {c.line} {c.name}: {c.extrinsic}")
    console.print(
        f"throughput: compose {report.rate('compose'):,.0f}/s, compose+sign {report.rate('compose', 'sign'):,.0f} extrinsics/s, "
        f"decode {report.rate('decode'):,.0f}/s, check+verify {report.rate('verify'):,.0f}/s"
    )
    raise typer.Exit(0 if report.ok else 1)


def register(app: typer.Typer) -> None:
    """Add the bridge's commands to the ``tangle-sim`` app."""
    app.command()(conformance)
    app.add_typer(bridge_app, name="bridge")
