"""Workers finishing together (as after a Ctrl-C) save the corpus's coverage at the same moment: one
renamed the other's temporary file away (FileNotFoundError ended the campaign), and an unlocked
read-merge-write could drop a worker's features. Saves are now locked and their temporary names
per process."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from simulations.fuzz.corpus import Corpus
from simulations.fuzz.coverage import Coverage
from simulations.fuzz.program import loads


def _saver(directory: str, tag: str, rounds: int) -> None:
    corpus = Corpus(Path(directory))
    for i in range(rounds):
        cov = Coverage()
        cov.features.add(f"{tag}:{i}")
        corpus.save_coverage(cov)
        corpus.add([["call", "Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": i}]])  # both add the same programs


def test_two_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    rounds = 150
    procs = [ctx.Process(target=_saver, args=(str(tmp_path), tag, rounds)) for tag in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    merged = Corpus(tmp_path).coverage()
    assert merged is not None and merged.features == {f"{t}:{i}" for t in "ab" for i in range(rounds)}
    entries = Corpus(tmp_path).load()
    assert sorted(e[0][4]["value"] for e in entries) == list(range(rounds))
    assert not list(tmp_path.rglob("*.partial"))
    assert all(loads(p.read_text()) for p in (tmp_path / "entries").glob("*.jsonl"))
