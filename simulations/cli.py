"""The ``tangle-sim`` command line. Subcommands live next to what they drive and register here."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(add_completion=False, no_args_is_help=True, help="tangle-sim: a pure-Python simulator of the Tangle restaking runtime.")
console = Console()


@app.command()
def demo(seed: int = typer.Option(0, help="Seed of the dev chain."), log: Path = typer.Option(None, help="Also write the call log (JSON lines) here.")) -> None:
    """A narrated restaking run on the embedded dev chain: operators, delegations, a blueprint, a
    service, a job, a deferred slash and an expired request; tables of stakes, balances and events."""
    from simulations.demo import run_demo

    run_demo(console, seed=seed, log_path=log)


#: tangle-sim's own top-level packages: code a log names from them is not announced by replay
_OWN_PACKAGES = frozenset({"simulations", "runtime", "pallets", "blueprints"})


@app.command()
def replay(log: Path = typer.Argument(..., help="A call log (JSON lines) exported by the simulator."),
           stop_at_first: bool = typer.Option(False, help="Stop at the first divergence."),
           strict: bool = typer.Option(False, help="With invariants in the log: also fail when outcomes or the root differ from the log."),
           contract: list[str] = typer.Option([], "--contract", metavar="ADDRESS=module:Factory",
                                              help="What rebuilds the contract (service manager, ERC-20 token) deployed at ADDRESS; "
                                                   "needed when the log could not name it, repeatable.")) -> None:
    """Replay a call log into a fresh runtime and check every outcome and the final state root; a log
    saved by a failing fuzz or stateful run also re-checks its invariants ("invariant X fails at line N",
    exit 1, or "invariants pass", exit 0)."""
    from runtime.calllog import CallLogError, replay as do_replay

    overrides: dict[str, str] = {}
    for item in contract:
        address, sep, factory = item.partition("=")
        if not sep or not address.strip() or ":" not in factory:
            console.print(f"[red]error:[/red] --contract wants ADDRESS=package.module:Factory, got {item!r}")
            raise typer.Exit(2)
        overrides[address.strip()] = factory.strip()
    told: set[str] = set()

    def announce(named: list[tuple[str, str | None]]) -> None:
        """Say which code outside tangle-sim the log makes replay import and run, before it does."""
        for name, source in named:
            if name.partition(".")[0].partition(":")[0] not in _OWN_PACKAGES and name not in told:
                told.add(name)
                console.print(f"replay imports and runs {name}" + (f" ({source})" if source else "") + ", named by the log",
                              highlight=False, soft_wrap=True)

    try:
        result = do_replay(log, stop_at_first=stop_at_first, contracts=overrides, on_code=announce)
    except CallLogError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    if result.violation is not None:
        console.print(f"[red]{result.violation}[/red]", highlight=False)
        console.print(f"replayed {result.calls} calls to block {result.runtime.block_number}, re-checking {len(result.checked)} invariants")
        raise typer.Exit(1)
    for d in result.divergences:
        console.print(f"[yellow]divergence[/yellow] {d}" if result.checked else f"[red]divergence[/red] {d}", highlight=False)
    console.print(f"replayed {result.calls} calls to block {result.runtime.block_number}; state root {result.runtime.state_root()}")
    if not result.complete:
        # a log cut short (copied or written in part) has lost its end, and perhaps the failing call:
        # "invariants pass" would read as "fixed" (new-user finding 7); an input error, exit 2
        console.print("[red]error:[/red] the log has no end line: it is incomplete (cut short while written or copied), so the replay "
                      "above covers only the lines it holds and cannot say whether the run's failure is gone", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    if result.expected_root:
        console.print("state root matches the log" if result.expected_root == result.runtime.state_root() else "[red]state root differs from the log[/red]")
    if result.unrebuilt is not None and not result.ok:
        # the run's runtime was not this one: a pass here cannot tell a fix from the missing patch
        console.print(f"[red]error:[/red] replay cannot rebuild the run's runtime: it was built by {result.unrebuilt}. It replayed the log's "
                      "genesis and calls on the stock runtime instead, which differs from the run (above), so whether the bug is fixed "
                      "cannot be told from it; replay a log of a machine class defined at a module's top level", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    for line, what in result.steps_passed:
        console.print(f"the failing step at line {line} ({what} when the log was made) no longer fails", highlight=False)
    if result.checked:
        # a saved failure re-checked: what matters is whether its invariants hold now (after a fix
        # the run legitimately takes another path, so outcomes and the root differ from the log)
        console.print(f"invariants pass: {len(result.checked)} re-checked after every call"
                      + (" (the run differs from the log, as it does once a bug is fixed, or when the code replayed differs "
                         "from the run's in some other way)" if result.divergences else ""), highlight=False)
        raise typer.Exit(1 if strict and result.divergences else 0)
    raise typer.Exit(0 if result.ok else 1)


from runtime.bridge.cli import register as _register_bridge  # noqa: E402 - conformance, node, bridge replay/encode

_register_bridge(app)

from simulations.fuzz.cli import register as _register_fuzz  # noqa: E402 - tangle-sim fuzz

_register_fuzz(app)


MAX_ERROR_CHARS = 500  # an error line echoes user input (a key, a number, a policy's message): bounded


def _bounded(message: str) -> str:
    """``message`` on one line, at most about :data:`MAX_ERROR_CHARS` characters: the start (which
    names the field) and the end, with how much was left out (a 100,000-character --param key is
    not echoed whole)."""
    text = " ".join(str(message).splitlines())
    if len(text) <= MAX_ERROR_CHARS:
        return text
    head, tail = MAX_ERROR_CHARS - 140, 80
    return f"{text[:head]} … ({len(text) - head - tail:,} characters left out) … {text[-tail:]}"


def _error(message: object) -> None:
    """One error line: plain text (brackets in a message are not markup), bounded."""
    from rich.text import Text

    console.print(Text.assemble(("error:", "red"), " ", _bounded(str(message))), highlight=False, soft_wrap=True)


def _sim_errors(fn):  # type: ignore[no-untyped-def]
    """Run a simulations command; scenario and store errors print without a traceback (exit 2), each on
    one line however long (soft wrap: a terminal may fold it, but no newline splits a path or a position)."""
    from pydantic import ValidationError
    from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError

    from simulations.commands import CommandError
    from simulations.store import StoreNotFound
    from simulations.yamlerrors import ScenarioError

    try:
        return fn()
    except ScenarioError as exc:
        for problem in exc.problems:
            _error(problem)
    except (CommandError, StoreNotFound) as exc:
        _error(exc)
    except KeyError as exc:  # str() of a KeyError is its repr: quotes around the message
        _error(exc.args[0] if exc.args else exc)
    except (DatabaseError, ArgumentError, NoSuchModuleError) as exc:  # an unreachable or malformed --store
        _error(f"the run store: {str(exc).splitlines()[0]}")
    except (ValidationError, ValueError) as exc:
        # a value the scenario's schema let through but the runtime refused (a constant, an
        # extension; runtime.codec.ParamError is a ValueError): one line per field, no traceback
        from simulations.lab.world import runtime_config_problems

        for problem in runtime_config_problems(exc):
            _error(problem)
    raise typer.Exit(2)


STORE_HELP = "Run store: a SQLAlchemy URL or a SQLite file path."
ALLOW_LONG_HELP = "Accept runs longer than 100,000 blocks (up to the u32 block number's 4,294,967,295)."


@app.command()
def run(scenario: Path = typer.Argument(..., help="Scenario file (YAML or TOML)."),
        seed: int = typer.Option(None, help="Override the scenario's seed."),
        param: list[str] = typer.Option([], "--param", "-p", help="Override a parameter: key=value (dotted keys reach any field)."),
        rule: list[str] = typer.Option([], "--rule", "-r", help="Slash-veto rule(s) to run (default: the scenario's)."),
        store: str = typer.Option("tangle-sim-runs.db", help=STORE_HELP),
        progress: bool = typer.Option(True, help="Show a progress bar."),
        allow_long: bool = typer.Option(False, "--allow-long", help=ALLOW_LONG_HELP)) -> None:
    """Run a scenario under each slash-veto rule, commit every round to the run store, print a summary."""
    from simulations.commands import cli_run

    _sim_errors(lambda: cli_run(console, str(scenario), seed, param, rule, store, progress, allow_long))


@app.command()
def resume(run_id: int = typer.Argument(None, help="Run or sweep id (default: the latest)."), store: str = typer.Option("tangle-sim-runs.db", help=STORE_HELP),
           progress: bool = typer.Option(True, help="Show a progress bar."),
           workers: int = typer.Option(None, help="Sweeps: worker processes (default: every core; 1 = serial)."),
           force: bool = typer.Option(False, "--force", help="Resume although the store says another host's process still runs it."),
           out: Path = typer.Option(None, help="Sweeps: once finished, write every run of the sweep (what sweep --out writes): Parquet if the name ends in .parquet, else CSV.")) -> None:
    """Resume an interrupted run (re-play each unfinished arm from its seed to the last committed round, check it, continue)
    or sweep (run the tasks that have no stored result)."""
    from simulations.commands import cli_resume

    _sim_errors(lambda: cli_resume(console, run_id, store, progress, workers, force, str(out) if out else None))


@app.command()
def discard(run_id: int = typer.Argument(...), store: str = typer.Option("tangle-sim-runs.db", help=STORE_HELP)) -> None:
    """Delete everything a run wrote to the store."""
    from simulations.commands import cli_discard

    _sim_errors(lambda: cli_discard(console, run_id, store))


@app.command()
def sweep(scenario: Path = typer.Argument(..., help="Scenario file (YAML or TOML)."),
          param: list[str] = typer.Option([], "--param", "-p", help="A swept parameter: key=v1,v2,... (repeat for a grid)."),
          runs: int = typer.Option(10, help="Monte Carlo runs per parameter point and rule."),
          rule: list[str] = typer.Option([], "--rule", "-r", help="Slash-veto rule(s) (default: the scenario's)."),
          policy: list[str] = typer.Option([], "--policy", help="Veto policy arm(s): a name from the scenario's policies, never/always/veto_disputed, "
                                                                 "veto_under:N, random:P, or an inline {kind: ...} (repeat for a grid)."),
          workers: int = typer.Option(None, help="Worker processes (default: every core; 1 = serial)."),
          dask: str = typer.Option(None, help="Run on Dask: 'local' for a LocalCluster, or a scheduler address tcp://host:port."),
          store: str = typer.Option("tangle-sim-runs.db", help=STORE_HELP),
          out: Path = typer.Option(None, help="Also write the results DataFrame: Parquet if the name ends in .parquet, else CSV."),
          progress: bool = typer.Option(True, help="Show a progress bar."),
          per_round: bool = typer.Option(False, "--per-round", help="Store every round's metrics of every run (default: the final round only)."),
          allow_long: bool = typer.Option(False, "--allow-long", help=ALLOW_LONG_HELP)) -> None:
    """Monte Carlo sweep over arms (policy x rule x parameters, identical arms once, common seeds), in parallel;
    each result committed to the run store as it finishes; per-arm summary with confidence intervals."""
    from simulations.commands import cli_sweep

    _sim_errors(lambda: cli_sweep(console, str(scenario), param, runs, rule, workers, dask, store, str(out) if out else None, progress, policy, per_round, allow_long))


@app.command()
def report(run: str = typer.Argument(None, help="Run or sweep id (default: the latest)."), store: str = typer.Option("tangle-sim-runs.db", help=STORE_HELP),
           out: Path = typer.Option(None, help="Output directory (default: tangle-sim-report-<id>)."),
           format: str = typer.Option("html", "--format", help="html (page + PNGs), png, or both.")) -> None:
    """Write an HTML/PNG report of a stored run or sweep and print its summary table."""
    from simulations.commands import cli_report

    _sim_errors(lambda: cli_report(console, run, store, str(out) if out else None, format))


@app.command()
def export(run: int = typer.Argument(..., help="Run or sweep id."), store: str = typer.Option("tangle-sim-runs.db", help=STORE_HELP),
           out: Path = typer.Option(None, help="Output directory (default: tangle-sim-export-<id>)."),
           format: str = typer.Option("csv", "--format", help="csv or parquet.")) -> None:
    """Write every stored table of a run or sweep (run, arms, metrics, slashes, losses, checkpoints) and its outcomes per run as CSV or Parquet files."""
    from simulations.commands import cli_export

    _sim_errors(lambda: cli_export(console, run, store, str(out) if out else None, format))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
