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


def register(app: typer.Typer) -> None:
    """Add the bridge's commands to the ``tangle-sim`` app."""
    app.command()(conformance)
    app.add_typer(bridge_app, name="bridge")
