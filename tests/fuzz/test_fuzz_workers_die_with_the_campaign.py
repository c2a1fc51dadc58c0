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
