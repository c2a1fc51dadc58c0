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


@bridge_app.command("replay")
def replay(
    log: Path = typer.Argument(..., help="A call log (JSON lines) exported by the simulator."),
    url: str = typer.Option("ws://127.0.0.1:9944", "--url", help="The node's websocket (or http) URL."),
    stop: bool = typer.Option(True, "--stop-at-first-divergence/--keep-going", help="Stop at the first divergence, or go on to the end."),
    key: list[str] = typer.Option([], "--key", "-k", help="Extra signer derivation URIs (//Name) besides the dev accounts."),
    align: bool = typer.Option(True, "--align/--no-align", help="Seal empty blocks (engine_createBlock) so calls land at their log block."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also print event attributes of diverging calls."),
) -> None:
    """Submit a log's calls to a node and print, call by call, the simulator's outcome next to the node's."""
    from rich.table import Table

    from runtime.bridge.keyring import Keyring
    from runtime.bridge.replay import bridge_replay
    from runtime.calllog import CallLogError

    try:
        result = bridge_replay(log, url, keep_going=not stop, keyring=Keyring(key), align=align)
    except CallLogError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except (ConnectionError, OSError) as exc:
        console.print(f"[red]error:[/red] cannot reach {url}: {exc}")
        raise typer.Exit(2) from None
    table = Table(title=f"{log} on {url}")
    for col in ("line", "block", "call", "origin", "simulator", "node", ""):
        table.add_column(col, overflow="fold")
    from runtime.accounts import display_name

    for step in result.steps:
        origin = step.origin if step.origin in ("root", "none") or not step.origin.startswith("5") else display_name(step.origin)
        if step.node is None:
            node_text, mark = f"[cyan]skipped: {step.note}[/cyan]", "·"
        else:
            node_text = step.node.summary() + (f" [dim]({step.note})[/dim]" if step.note else "")
            mark = "[red]✗[/red]" if step.diverged else "[green]✓[/green]"
        blocks = str(step.block) if step.node is None or step.node.block in (None, step.block) else f"{step.block}→{step.node.block}"
        table.add_row(str(step.line), blocks, step.call, origin, step.sim.summary(), node_text, mark)
    console.print(table)
    for note in result.notes:
        console.print(f"[yellow]note:[/yellow] {note}")
    if verbose:
        for step in result.divergences:
            console.print(f"line {step.line} simulator events: {step.sim.attributes}")
            console.print(f"line {step.line} node events:      {step.node.attributes if step.node else None}")
    skipped = sum(1 for s in result.steps if s.skipped)
    summary = f"{len(result.steps)} calls, {len(result.divergences)} divergence(s), {skipped} skipped"
    if result.stopped_early:
        summary += " (stopped at the first divergence; --keep-going to continue)"
    console.print(f"[red]{summary}[/red]" if result.divergences else f"[green]{summary}[/green]")
    raise typer.Exit(1 if result.divergences else 0)


BUILD_MODES = ("instant", "batch", "manual")
MAX_HISTORY = 100_000  # each kept block holds a runtime snapshot


PROFILES = ("intended", "real")


def node_options_problem(sealing: str, history: int, finality_lag: int, finality_delay: float, block_time: float = 0.0, port: int = 0, profile: str = "intended") -> str | None:
    """What is wrong with ``tangle-sim node``'s chain options, naming the option (None if nothing)."""
    import math

    if not 0 <= port <= 65535:
        return f"--port must be between 0 and 65535, got {port}"
    if profile not in PROFILES:
        return f"--profile must be one of {', '.join(PROFILES)}, got {profile!r}"
    if sealing not in BUILD_MODES:
        return f"--sealing must be one of {', '.join(BUILD_MODES)}, got {sealing!r}"
    if not 1 <= history <= MAX_HISTORY:
        return f"--history must be between 1 and {MAX_HISTORY} blocks, got {history}"
    if finality_lag < 0:
        return f"--finality-lag must be 0 or more blocks, got {finality_lag}"
    if finality_lag >= history:
        return f"--finality-lag ({finality_lag}) must be smaller than --history ({history}): unfinalized blocks must stay queryable"
    if not (math.isfinite(finality_delay) and 0 <= finality_delay <= 3600):
        return f"--finality-delay must be between 0 and 3600 seconds, got {finality_delay}"
    if not (math.isfinite(block_time) and 0 <= block_time <= 86_400):
        return f"--block-time must be between 0 and 86400 seconds, got {block_time}"
    return None


def node(
    port: int = typer.Option(9944, help="Port for HTTP and websocket JSON-RPC (0: any free port)."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    metadata: Optional[Path] = typer.Option(None, "--metadata", "-m", help=METADATA_HELP),
    profile: str = typer.Option("intended", help="Runtime profile: intended or real (real reproduces the chain's quirks)."),
    sealing: str = typer.Option("instant", "--sealing", "--build-mode", help="Block build mode: instant (a block per extrinsic), batch (one block for what arrives within 100 ms) or manual (blocks on dev_newBlock / engine_createBlock)."),
    genesis_log: Optional[Path] = typer.Option(None, "--genesis-log", help="Start from the genesis of this call log (its calls are not applied)."),
    session_length: Optional[int] = typer.Option(None, help="Blocks per session (MAD round); default the metadata's Babe.EpochDuration (7,200 on the testnet's 1 s runtime)."),
    block_time: float = typer.Option(0.0, help="Also seal an empty block every this many seconds (0: never)."),
    history: int = typer.Option(256, "--history", help="Recent blocks whose state stays queryable (and dev_setHead targets); older ones answer an error."),
    finality_lag: int = typer.Option(0, "--finality-lag", help="Finality trails the best block by this many blocks (0: each block is finalized after --finality-delay)."),
    finality_delay: float = typer.Option(0.5, "--finality-delay", help="With --finality-lag 0: seconds between a block's InBlock and its Finalized."),
    fees: bool = typer.Option(True, "--fees/--no-fees", help="Charge the chain's transaction fees (pallet-transaction-payment's formula), as on chain."),
) -> None:
    """Serve the simulator as a Substrate-compatible JSON-RPC node (what substrate-interface connects to)."""
    import asyncio

    from runtime import GenesisConfig, Runtime
    from runtime.bridge.node.chain import SimChain, node_time_base
    from runtime.bridge.node.rpc import RpcHandler
    from runtime.bridge.node.server import NodeServer

    sealing = sealing.lower()  # Chopsticks spells the modes Instant / Batch / Manual
    problem = node_options_problem(sealing, history, finality_lag, finality_delay, block_time, port, profile) or _port_problem(host, port)
    if problem is not None:
        console.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(2)
    md = _metadata(metadata)
    if genesis_log is not None:
        from runtime.calllog import CallLogError, read_log

        try:
            first = next(iter(read_log(genesis_log)))
        except (CallLogError, StopIteration) as exc:
            console.print(f"[red]error:[/red] {exc or 'empty call log'}")
            raise typer.Exit(2) from None
        config = GenesisConfig.model_validate(first.data.get("genesis", {}))
    else:
        config = GenesisConfig.dev(profile=profile, **node_time_base(md, session_length))
    chain = SimChain(md, Runtime(config), sealing=sealing, history=history, finality_lag=finality_lag, finality_delay=finality_delay, fees=fees)
    server = NodeServer(RpcHandler(chain), host, port)

    async def main() -> None:
        await server.start()
        console.print(f"tangle-sim node: ws://{host}:{server.port} and http://{host}:{server.port}")
        console.print(f"  chain {md.spec_name} spec {chain.rt.spec_version}, profile {chain.rt.profile.name}, sealing {sealing}")
        finality = f"lag {finality_lag} blocks" if finality_lag else f"{finality_delay:g} s after each block"
        console.print(f"  history {history} blocks, finality {finality}, fees {'on' if chain.node_fees else 'off'}")
        console.print(f"  blocks {chain.slot_ms} ms apart (the runtime's BABE slot), sessions of {chain.rt.genesis.session_length} blocks")
        console.print(f"  genesis {chain.genesis_hash}")
        console.print(f"  metadata {md.source} (served as V14)")
        if block_time > 0:
            async def produce() -> None:
                while True:
                    await asyncio.sleep(block_time)
                    with chain.lock:
                        chain.seal()

            asyncio.get_running_loop().create_task(produce())
        await server.serve_forever()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        console.print("stopped")
    except OSError as exc:  # the port was taken during the metadata load
        console.print(f"[red]error:[/red] cannot listen on {host}:{port} (--host/--port): {exc.strerror or exc}")
        raise typer.Exit(2) from None


def _port_problem(host: str, port: int) -> str | None:
    """Bind ``host:port`` once before the slow metadata load, so a busy port (or a bad --host) is
    reported at once in one line instead of as a traceback after it."""
    import socket

    if port == 0:
        return None
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as asyncio.start_server binds
            sock.bind((host, port))
    except OSError as exc:
        return f"cannot listen on {host}:{port} (--host/--port): {exc.strerror or exc}"
    return None


def register(app: typer.Typer) -> None:
    """Add the bridge's commands to the ``tangle-sim`` app."""
    app.command()(conformance)
    app.command()(node)
    app.add_typer(bridge_app, name="bridge")
