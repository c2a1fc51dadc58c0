"""The corpus total "over every campaign on it" counts every campaign (new-user report 10, finding
8): a damaged coverage.json is kept aside with a warning, not silently overwritten, and a campaign
killed with SIGKILL has merged its kept entries' features already."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from simulations.cli import app
from simulations.fuzz.corpus import Corpus
from simulations.fuzz.coverage import Coverage

ROOT = Path(__file__).resolve().parents[2]


def test_a_damaged_total_is_kept_aside_with_a_warning_and_the_restart_said(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    (corpus / "entries").mkdir(parents=True)
    (corpus / "coverage.json").write_text("{broken")
    (corpus / "coverage.json.corrupt-1").write_text("an older one")  # never overwritten either
    out = CliRunner().invoke(app, ["fuzz", "--steps", "200", "--workers", "1", "--corpus", str(corpus), "--out", str(tmp_path / "o"), "--no-report"])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert f"warning: {corpus}/coverage.json does not read" in text and f"kept as {corpus}/coverage.json.corrupt-2" in text
    assert "restarts from this campaign" in text and "since its damaged total was set aside" in text
    assert (corpus / "coverage.json.corrupt-2").read_text() == "{broken" and (corpus / "coverage.json.corrupt-1").read_text() == "an older one"
    assert json.loads((corpus / "coverage.json").read_text())["features"]  # this campaign's, in a fresh file


def test_valid_json_of_another_shape_is_damaged_too(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    (tmp_path / "coverage.json").write_text("[1, 2]")
    coverage = Coverage()
    coverage.features.add("call:System.remark:ok")
    corpus.save_coverage(coverage)  # damaged since the campaign began: set aside, not merged into
    assert (tmp_path / "coverage.json.corrupt-1").read_text() == "[1, 2]"
    assert corpus.coverage() is not None and corpus.coverage().features == {"call:System.remark:ok"}


def test_saving_a_growing_coverage_again_counts_each_step_once(tmp_path: Path) -> None:
    corpus = Corpus(tmp_path)
    coverage = Coverage()
    coverage.observe(["call", "Alice", "System", "remark", {"remark": "0x"}], "ok", ())
    corpus.save_coverage(coverage)
    coverage.observe(["call", "Alice", "System", "remark", {"remark": "0x"}], "ok", ())
    coverage.observe(["call", "Alice", "Balances", "burn", {"value": 1}], "Balances.InsufficientBalance", ())
    corpus.save_coverage(coverage)
    corpus.save_coverage(coverage)
    total = corpus.coverage()
    assert total is not None and total.calls == {"System.remark": 2, "Balances.burn": 1} and total.successes == {"System.remark": 2}
    assert total.features == coverage.features


def test_a_sigkilled_campaigns_kept_entries_are_counted_in_the_total(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "simulations.cli", "fuzz", "--steps", "100000000", "--workers", "1", "--corpus", str(corpus),
                             "--out", str(tmp_path / "o"), "--no-report"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not (corpus / "coverage.json").exists():
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    entries = list((corpus / "entries").glob("*.jsonl"))
    assert entries, "the campaign kept no entry"
    saved = json.loads((corpus / "coverage.json").read_text())  # written while it ran, not only at its end
    assert len(saved["features"]) > 50 and sum(saved["calls"].values()) > 0


def test_a_total_damaged_during_a_campaign_restarts_from_the_workers_whole_coverage(tmp_path: Path) -> None:
    """Second read: after a mid-campaign damage the set-aside total restarted from what the worker
    reached since its last save, losing what that save had merged. It restarts from the worker's
    whole coverage now (the damaged file kept aside, as before)."""
    from simulations.fuzz.corpus import Corpus
    from simulations.fuzz.coverage import Coverage

    corpus = Corpus(tmp_path)
    coverage = Coverage()
    coverage.features.add("call:System.remark:ok")
    corpus.save_coverage(coverage)
    (tmp_path / "coverage.json").write_text("{not json")
    coverage.features.add("event:System.Remarked")
    corpus.save_coverage(coverage)
    assert (tmp_path / "coverage.json.corrupt-1").read_text() == "{not json"
    assert corpus.coverage().features == {"call:System.remark:ok", "event:System.Remarked"}


def test_the_cli_reads_the_corpus_once_and_hands_it_to_the_workers(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Second read: the CLI read every entry to count the skipped ones, then each worker read them
    all again (2,000 entries: ~3 s each). The workers now get the CLI's list."""
    corpus_dir, out = tmp_path / "corpus", tmp_path / "out"
    first = CliRunner().invoke(app, ["fuzz", "--steps", "400", "--workers", "1", "--corpus", str(corpus_dir), "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert list((corpus_dir / "entries").glob("*.jsonl"))
    loads: list[int] = []
    real = Corpus.load

    def counted(self):  # type: ignore[no-untyped-def]
        loads.append(1)
        return real(self)

    monkeypatch.setattr(Corpus, "load", counted)
    again = CliRunner().invoke(app, ["fuzz", "--steps", "400", "--workers", "1", "--corpus", str(corpus_dir), "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert len(loads) == 1
