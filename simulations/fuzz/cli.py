"""``tangle-sim fuzz``: the command line of the fuzz engine (registered by :mod:`simulations.cli`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import typer
from rich.console import Console

if TYPE_CHECKING:
    from runtime import Runtime
    from simulations.fuzz.coverage import Coverage
    from simulations.fuzz.workers import CampaignResult


#: --steps when neither --steps nor --time is given
DEFAULT_STEPS = 100_000


def _where(exc: BaseException) -> str:
    """Where a user's --runtime or --invariant code raised: its innermost frame outside this package
    (a bare message left the author guessing which line of their module failed)."""
    import traceback

    root = str(Path(__file__).resolve().parents[2])
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not str(Path(f.filename).resolve()).startswith(root)
              or "/tests/" in f.filename]
    if not frames:
        return ""
    f = frames[-1]
    return f" ({type(exc).__name__} at {f.filename}:{f.lineno} in {f.name}: {(f.line or '').strip()})"


def _every(seconds: float, emit: Callable[[str], None]) -> Callable[[str], None]:
    """Pass on at most one progress line per ``seconds`` (the first one at once)."""
    last = [-seconds]

    def progress(line: str) -> None:
        now = time.monotonic()
        if now - last[0] >= seconds:
            last[0] = now
            emit(line)
    return progress


def register(app: typer.Typer) -> None:
    @app.command()
    def fuzz(steps: int = typer.Option(None, help=f"Stop after this many steps (all workers together). Default {DEFAULT_STEPS:,}, "
                                                  "or no step limit when --time is given."),
             time_limit: float = typer.Option(None, "--time", help="Stop after this many seconds. Alone, it is the only limit; with --steps, "
                                                                   "whichever comes first stops the campaign."),
             seed: int = typer.Option(0, help="Campaign seed; with the same --workers a campaign is reproducible."),
             workers: int = typer.Option(None, help="Worker processes (default: every core)."),
             profile: str = typer.Option("intended", help="Behaviour profile of the default world: intended or real."),
             runtime: str = typer.Option(None, "--runtime", metavar="MODULE:FUNCTION", help="Fuzz the Runtime this function returns (the log names it)."),
             invariant: list[str] = typer.Option([], "--invariant", metavar="MODULE:FUNCTION",
                                                 help="An extra invariant fn(rt, ledger), repeatable (all built-in ones always run)."),
             corpus: Path = typer.Option(None, help="Corpus directory: runs that reach something new are kept and mutated; resumes a campaign."),
             out: Path = typer.Option(Path("tangle-sim-fuzz"), help="Where failing call logs are saved."),
             run_length: int = typer.Option(200, help="Steps per run before the world is restored."),
             keep_going: bool = typer.Option(False, help="Do not stop at the first failure."),
             shrink_time: float = typer.Option(10.0, help="Seconds the shrinker may spend on a failure. A time bound depends on the "
                                                          "machine's load: the same seed can shrink further on an idle machine."),
             shrink_candidates: int = typer.Option(None, help="At most this many candidate programs tried per failure: the same shrunk "
                                                               "log on any machine (give a large --shrink-time too, so time never stops it first)."),
             report: bool = typer.Option(True, help="Print the coverage report at the end.")) -> None:
        """Fuzz every call of every pallet at the runtime's speed, with every invariant checked; a
        failure is shrunk to a minimal call log that `tangle-sim replay` re-checks (exit 1)."""
        from simulations.fuzz.coverage import report as coverage_report
        from simulations.fuzz.coverage import summary as coverage_summary
        from simulations.fuzz.engine import FuzzConfig, World, default_workers
        from simulations.fuzz.workers import fuzz as run_campaign
        from simulations.stateful.invariants import ALL_INVARIANTS

        console = Console()
        if profile not in ("intended", "real"):
            console.print(f"[red]error:[/red] --profile is intended or real, got {profile!r}")
            raise typer.Exit(2)
        if steps is None and time_limit is None:
            steps = DEFAULT_STEPS
        try:
            cfg = FuzzConfig(seed=seed, steps=steps, time_limit=time_limit, workers=default_workers() if workers is None else workers, profile=profile,
                             runtime=runtime, invariants=list(ALL_INVARIANTS) + list(invariant), corpus=corpus, out=out, run_length=run_length,
                             stop_on_failure=not keep_going, shrink_time=shrink_time,
                             shrink_candidates=shrink_candidates)
        except ValueError as exc:  # the option names are the fields' ("run_length" is --run-length)
            name, _, why = str(exc).partition(": ")
            console.print(f"[red]error:[/red] --{name.replace('_', '-').replace('time-limit', 'time')}: {why}", highlight=False)
            raise typer.Exit(2) from None
        problem = out_problem(out)
        if problem is not None:  # refused now, not at the first failure (whose log it would lose)
            console.print(f"[red]error:[/red] --out: {problem}", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        entries = None
        if corpus is not None:
            entries, skipped = _corpus_entries(corpus)
            if skipped:
                console.print(f"note: {skipped:,} corpus entr{'y' if skipped == 1 else 'ies'} in {corpus}/entries skipped: not a program "
                              "(unreadable, not text, or JSON of another shape)", highlight=False, soft_wrap=True)
        try:
            world = World(cfg)  # fail fast on a bad --runtime or --invariant, before any worker starts
        except Exception as exc:
            console.print(f"[red]error:[/red] {exc}{_where(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        from simulations.fuzz.corpus import Corpus

        aside = None
        # a damaged total was dropped and overwritten without a word (checked only when there is one:
        # Corpus makes its directory, which a new campaign's workers make once they are fuzzing)
        if corpus is not None and (corpus / "coverage.json").exists():
            aside = Corpus(corpus).set_aside_damaged()
            if aside is not None:
                console.print(f"[yellow]warning:[/yellow] {corpus}/coverage.json does not read ({aside[1]}); it is kept as {aside[0]}, and the "
                              "corpus total over every campaign on it restarts from this campaign", highlight=False, soft_wrap=True)
        try:
            if console.is_terminal:
                with console.status("fuzzing") as status:
                    result = run_campaign(cfg, progress=lambda line: status.update(line), world=world, entries=entries)
            else:  # a log file (nohup, CI): a progress line a minute instead of a spinner nobody sees
                result = run_campaign(cfg, progress=_every(60.0, lambda line: console.print(line, highlight=False, soft_wrap=True)), world=world, entries=entries)
        except Exception as exc:  # a crash of the fuzzer itself: not exit 1, which says "a bug was found"
            console.print(f"[red]error:[/red] the campaign crashed, a bug of the fuzzer rather than a failure it found: "
                          f"{type(exc).__name__}: {exc}{_where(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        if result.interrupted:
            console.print(f"[yellow]interrupted:[/yellow] {interrupted_line(result, corpus)}", highlight=False, soft_wrap=True)
        own = " (this campaign)" if corpus is not None else ""
        console.print(f"{steps_line(result)}; {len(result.coverage.features):,} coverage features{own}", highlight=False, soft_wrap=True)
        console.print(f"stopped by {stopped_by(result)}", highlight=False, soft_wrap=True)
        if report:
            if own:
                console.print("coverage of this campaign (the corpus's, over every campaign on it, follows):", highlight=False)
            full = write_full_report(out, result.coverage, world.rt, cfg.run_length)
            console.print(coverage_report(result.coverage, world.rt, full=str(full) if full else None, width=max(console.width, 60),
                                          run_length=cfg.run_length),
                          highlight=False, soft_wrap=True)
        if corpus is not None:  # a resumed campaign's own figures are not the corpus's: say both (a new user took one for the other)
            total = Corpus(corpus).coverage()
            if total is not None:
                since = f"every campaign on it since its damaged total was set aside as {aside[0]}" if aside else "every campaign on it"
                console.print(f"the corpus {corpus} ({since}, {corpus}/coverage.json): {coverage_summary(total, world.rt)}", highlight=False, soft_wrap=True)
        print_outcome(console, result)
        raise typer.Exit(1 if result.failures else 130 if result.interrupted else 0)


def interrupted_line(result: "CampaignResult", corpus: Path | None) -> str:
    """What a Ctrl-C stopped, and the command that goes on from there."""
    cfg = result.config
    if cfg.steps is None:  # a time-bounded campaign: go on with the time left
        left_s = max((cfg.time_limit or 0) - result.seconds, 1)
        limit, done = f"--time {left_s:.0f}", f"{result.steps:,} steps ({result.seconds:.0f} of {cfg.time_limit:g} s)"
        what = f"{left_s:.0f} s left"
    else:
        left = max(cfg.steps - result.steps, 0)
        limit, done, what = f"--steps {left}", f"{result.steps:,} of {cfg.steps:,} steps", f"{left:,} steps left"
    again = (f"`tangle-sim fuzz --corpus {corpus} {limit} <your other options>`: a new campaign of the {what} that starts "
             "from the runs the corpus kept (it does not re-run the steps done)" if corpus is not None else
             f"`tangle-sim fuzz --corpus DIR {limit} <your other options>` next time: a corpus keeps a campaign's runs to go on from")
    return f"stopped by Ctrl-C after {done}; the figures below are those of the steps done. Go on with {again}"


def steps_line(result: "CampaignResult") -> str:
    """Steps, the fuzzing rate over the fuzzing time alone, and shrinking's time apart (the rate
    over a time that included shrinking read 47 steps/s for a campaign that found a bug at once)."""
    cfg = result.config
    fuzzing = result.fuzz_seconds
    rate = result.steps / fuzzing if fuzzing > 0 else 0.0
    saved = result.saved
    shrinking = f"; {result.shrink_seconds:.1f} s shrinking and saving {saved} failure{'s' if saved != 1 else ''}" if saved else ""
    return (f"{result.steps:,} steps in {fuzzing:.1f} s of fuzzing ({rate:,.0f} steps/s, {cfg.workers} worker{'s' if cfg.workers != 1 else ''}, "
            f"seed {cfg.seed}){shrinking}; {result.seconds:.1f} s in all")


def stopped_by(result: "CampaignResult") -> str:
    """Which limit ended the campaign: the --steps default used to cap a --time campaign without a word."""
    cfg = result.config
    if result.interrupted:
        return "Ctrl-C"
    if result.failures and cfg.stop_on_failure:
        return "the first failure (--keep-going goes on)"
    if cfg.steps is not None and result.steps >= cfg.steps:
        default = f" (the default; with --time alone, the time is the only limit)" if cfg.steps == DEFAULT_STEPS and cfg.time_limit is None else ""
        return f"the step limit: --steps {cfg.steps:,}{default}"
    if cfg.time_limit is not None and result.seconds >= cfg.time_limit:
        return f"the time limit: --time {cfg.time_limit:g} s"
    return "the workers' end, before any limit"


def out_problem(out: Path) -> str | None:
    """Why failing logs cannot be saved under ``out`` (it is made if missing), or None. A file there,
    or a directory that cannot be made or written to, crashed the campaign at its first failure and
    lost it (new-user finding 9)."""
    import os

    if out.exists() and not out.is_dir():
        return f"{out} is a file, not a directory for the failing call logs"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot make the directory {out} ({exc.strerror or exc})"
    if not os.access(out, os.W_OK | os.X_OK):
        return f"the directory {out} is not writable"
    return None


def _corpus_entries(directory: Path) -> tuple[list[Any] | None, int]:
    """The programs a campaign on the corpus ``directory`` loads (read once here, handed to the
    workers) and how many entries were skipped as not programs. A new corpus has none (None: its
    directory is left for the workers to make)."""
    from simulations.fuzz.corpus import Corpus

    if not (directory / "entries").is_dir():
        return None, 0
    corpus = Corpus(directory)
    entries = corpus.load()
    return entries, corpus.skipped


def write_full_report(out: Path, coverage: "Coverage", rt: "Runtime", run_length: int | None = None) -> Path | None:
    """The coverage report with every error variant never reached named, as ``OUT/coverage.txt``
    (the console names them as counts per pallet). None if it cannot be written (the console
    report is still printed)."""
    from simulations.fuzz.coverage import full_report

    path = Path(out) / "coverage.txt"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(full_report(coverage, rt, run_length))
    except OSError:
        return None
    return path


def print_outcome(console: Console, result: "CampaignResult") -> None:
    """The campaign's outcome, last and under a rule of its own: each failure (what failed, when it
    was found, how far it shrank, the replay command), or that every check held. After ~240 lines of
    coverage, the failure was easy to miss when it followed the table with no separator."""
    failures = result.failures
    console.rule(f"[red]{len(failures)} failure{'s' if len(failures) != 1 else ''}[/red]" if failures else "result", style="red" if failures else "")
    if not failures:
        console.print(f"no failure: every invariant and check held over {result.steps:,} steps", highlight=False)
    for failure in failures:
        console.print(f"[red]{failure.summary()}[/red]", highlight=False, soft_wrap=True)
        console.print(f"  found after {failure.steps_before:,} steps ({failure.found_after:.1f} s), shrunk from "
                      f"{len(failure.program)} to {len(failure.shrunk)} steps in {failure.shrink_seconds:.1f} s", highlight=False)
        if failure.shrink_error is not None:
            console.print(f"  [yellow]the shrinker crashed ({failure.shrink_error}): the log holds the unshrunk program[/yellow]",
                          highlight=False, soft_wrap=True)
        if failure.repeats:
            console.print(f"  failed the same way {failure.repeats:,} more time{'s' if failure.repeats != 1 else ''} (counted here, not "
                          "shrunk or saved again)", highlight=False)
        if failure.other_logs:
            console.print(f"  also saved by another worker: {', '.join(str(p) for p in failure.other_logs)}", highlight=False, soft_wrap=True)
        if failure.found_message is not None:
            console.print(f"  (before shrinking it read: {failure.found_message})", highlight=False, soft_wrap=True)
        if failure.log is None:
            from simulations.fuzz.program import dumps

            console.print(f"  [red]{failure.save_error}[/red]; its program (one step a line):\n{dumps(failure.shrunk)}", highlight=False, soft_wrap=True)
            continue
        console.print(f"  replay it with:\n    tangle-sim replay {failure.log}", highlight=False, soft_wrap=True)
