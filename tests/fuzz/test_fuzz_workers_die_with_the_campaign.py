"""No fuzz worker outlives its campaign (new-user finding B1): a campaign killed with SIGKILL or
SIGTERM left a worker blocked at exit for ever (its result on a queue nobody reads)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.add(int(entry))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_a_campaign_ends_its_workers(tmp_path: Path, sig: int) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "simulations.cli", "fuzz", "--steps", "100000000", "--workers", "2", "--out", str(tmp_path)],
                            cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            workers = children(proc.pid)
            time.sleep(0.2)
        assert len(workers) >= 2, "the campaign did not start its workers"
        time.sleep(1.0)  # the workers are fuzzing
        proc.send_signal(sig)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.2)
        left = [w for w in workers if alive(w)]
        assert not left, f"workers {left} outlived the campaign killed with {signal.Signals(sig).name}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in workers | children(proc.pid):  # an orphan is init's child by now: kill what was recorded
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("workers_n", [1, 2])
def test_ctrl_c_stops_the_campaign_and_reports_what_it_did(tmp_path: Path, workers_n: int) -> None:
    """Ctrl-C (SIGINT) ends each worker's current run, then the campaign says it was interrupted,
    prints its figures for the steps done and how to resume, and exits 130; no worker is left.
    (It used to die with a bare KeyboardInterrupt, its coverage and figures unprinted.)"""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    corpus = tmp_path / "corpus"
    # a fresh session and the default SIGINT disposition, as in a terminal (a background job of a
    # non-interactive shell would inherit SIGINT ignored)
    proc = subprocess.Popen([sys.executable, "-m", "simulations.cli", "fuzz", "--steps", "100000000", "--workers", str(workers_n),
                             "--corpus", str(corpus), "--out", str(tmp_path / "out")],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (corpus / "entries").is_dir():  # the campaign is fuzzing
            time.sleep(0.2)
        workers = children(proc.pid) if workers_n > 1 else set()
        time.sleep(2.0)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=90)
        assert proc.returncode == 130, out
        words = " ".join(out.split())
        assert "interrupted: stopped by Ctrl-C after" in words, out
        assert "KeyboardInterrupt" not in out and "Traceback" not in out, out
        done = int(words.split("interrupted: stopped by Ctrl-C after ")[1].split(" ")[0].replace(",", ""))
        # how to go on: the steps left, and what the corpus does (a user re-ran the same command and got a fresh campaign)
        assert (f"Go on with `tangle-sim fuzz --corpus {corpus} --steps {100_000_000 - done} <your other options>`: a new campaign of the "
                f"{100_000_000 - done:,} steps left that starts from the runs the corpus kept (it does not re-run the steps done)") in words, out
        assert done > 0 and f"{done:,} steps in" in words  # the summary is the steps done
        assert "Assets.transfer" in out  # the coverage report was printed
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(alive(w) for w in workers):
            time.sleep(0.2)
        assert not [w for w in workers if alive(w)]
    finally:
        if proc.poll() is None:
            proc.kill()
        for w in workers:
            try:
                os.kill(w, signal.SIGKILL)
            except OSError:
                pass


def test_a_worker_that_dies_without_a_result_is_a_crash_not_a_clean_campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Second read: a worker killed mid-campaign (SIGKILL, out of memory) put nothing on the queue;
    the parent stopped waiting once no worker was alive, dropped it, and printed "no failure" with
    exit 0 over half the steps. It is now an error naming the worker and its exit code (the CLI's
    crash path, exit 2), since any failure it found is lost."""
    import simulations.fuzz.workers as workers
    from simulations.fuzz import FuzzConfig

    real = workers.run_worker

    def dies_as_worker_1(cfg, i, *args, **kwargs):  # type: ignore[no-untyped-def]
        if i == 1:
            os._exit(9)  # as a SIGKILL leaves it: no result, no error report
        return real(cfg, i, *args, **kwargs)

    monkeypatch.setattr(workers, "run_worker", dies_as_worker_1)
    with pytest.raises(RuntimeError, match=r"worker 1 ended without a result \(exit code 9\)"):
        workers.fuzz(FuzzConfig(seed=1, steps=400, workers=2, out=tmp_path))


def test_stopped_by_names_the_time_limit_only_when_it_was_reached() -> None:
    from simulations.fuzz.cli import stopped_by
    from simulations.fuzz import FuzzConfig
    from simulations.fuzz.workers import CampaignResult

    cfg = FuzzConfig(steps=None, time_limit=60, workers=2)
    early, late = CampaignResult(cfg), CampaignResult(cfg)
    early.seconds, late.seconds = 5.0, 60.4
    assert stopped_by(late) == "the time limit: --time 60 s"
    assert stopped_by(early) == "the workers' end, before any limit"
