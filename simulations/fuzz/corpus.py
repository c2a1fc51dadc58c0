"""The on-disk corpus: programs that reached something new, mutated by later runs.

Layout of ``--corpus DIR``: ``DIR/entries/<sha1>.jsonl`` (one program each, :mod:`simulations.fuzz.program`
format; the name is the content's hash, so two workers adding the same program write one file) and
``DIR/coverage.json`` (the features reached so far, merged by each finishing worker under a lock on
``DIR/.lock``, so workers finishing together, as after a Ctrl-C, neither collide nor lose each
other's features; every file is written to a per-process temporary name, then renamed). A campaign given
the same directory resumes: it loads every entry (in name order, so a resumed campaign is
reproducible) and mutates them.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import hashlib
import json
import os
import random
from pathlib import Path
from typing import Any, Iterator

from simulations.fuzz.coverage import Coverage
from simulations.fuzz.program import Step, dumps, is_program, loads

MAX_ENTRIES_LOADED = 2_000  # a long campaign's corpus stays a bounded working set in memory


class Corpus:
    def __init__(self, directory: Path) -> None:
        self.dir = Path(directory)
        self.entries = self.dir / "entries"
        self.entries.mkdir(parents=True, exist_ok=True)
        #: entries the last :meth:`load` skipped (not a program)
        self.skipped = 0

    def load(self) -> list[list[Step]]:
        """The last :data:`MAX_ENTRIES_LOADED` entries (by name); one that cannot be read or is not a
        program (damaged, binary, a directory, JSON of another shape) is skipped and counted in
        :attr:`skipped`."""
        out = []
        self.skipped = 0
        for path in sorted(self.entries.glob("*.jsonl"))[-MAX_ENTRIES_LOADED:]:
            try:
                program = loads(path.read_text())
            except (OSError, ValueError, RecursionError):  # ValueError: JSON, and text that is not UTF-8
                program = None
            if program is None or not is_program(program):
                self.skipped += 1
                continue
            out.append(program)
        return out

    def add(self, program: list[Step]) -> bool:
        text = dumps(program)
        path = self.entries / (hashlib.sha1(text.encode()).hexdigest() + ".jsonl")
        if path.exists():
            return False
        _write_atomically(path, text)
        return True

    def coverage(self) -> Coverage | None:
        """What every campaign on this corpus reached (``coverage.json``), or None when there is none yet or it is damaged."""
        try:
            return Coverage.from_json(json.loads((self.dir / "coverage.json").read_text()))
        except (FileNotFoundError, ValueError):  # none yet, or damaged: it is rewritten at the next save
            return None

    def save_coverage(self, coverage: Coverage) -> None:
        with self._locked():  # read, merge and write as one step among the campaign's workers
            merged = self.coverage() or Coverage()
            merged.merge(coverage)
            _write_atomically(self.dir / "coverage.json", json.dumps(merged.to_json()))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path: Path, text: str) -> None:
    """``path`` gets ``text`` whole or not at all; the temporary name is this process's, so two
    workers writing the same file at once do not rename each other's."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    partial.replace(path)


def mutate(rng: random.Random, entries: list[list[Step]]) -> list[Step]:
    """A new program from the corpus: splice two, truncate, repeat a chunk, or perturb arguments."""
    a = rng.choice(entries)
    r = rng.random()
    if r < 0.3 and len(entries) > 1:
        b = rng.choice(entries)
        return a[:rng.randint(0, len(a))] + b[rng.randint(0, len(b)):]
    if r < 0.5:
        return a[:rng.randint(1, max(1, len(a)))]
    if r < 0.65 and len(a) > 2:
        i = rng.randrange(len(a) - 1)
        j = rng.randint(i + 1, min(len(a), i + 8))
        return a[:j] + a[i:j] * rng.randint(1, 3) + a[j:]
    out = copy.deepcopy(a)
    for _ in range(rng.randint(1, 4)):
        calls = [s for s in out if s[0] == "call"]
        if not calls:
            break
        step = rng.choice(calls)
        step[4] = _perturb(rng, step[4])
    return out


def _perturb(rng: random.Random, value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return max(0, rng.choice((0, 1, value - 1, value + 1, value * 2, value // 2)))
    if isinstance(value, dict) and value:
        key = rng.choice(sorted(value, key=str))
        out = dict(value)
        out[key] = _perturb(rng, value[key])
        return out
    if isinstance(value, list) and value:
        out_list = list(value)
        i = rng.randrange(len(out_list))
        out_list[i] = _perturb(rng, out_list[i])
        return out_list
    return value
