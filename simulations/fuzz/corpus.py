"""The on-disk corpus: programs that reached something new, mutated by later runs.

Layout of ``--corpus DIR``: ``DIR/entries/<sha1>.jsonl`` (one program each, :mod:`simulations.fuzz.program`
format; the name is the content's hash, so two workers adding the same program write one file) and
``DIR/coverage.json`` (the features reached so far, merged by each worker under a lock on
``DIR/.lock``, so workers finishing together, as after a Ctrl-C, neither collide nor lose each
other's features; every file is written to a per-process temporary name, then renamed). A worker
merges what it reached every few seconds while it adds entries, not only at its end, so a campaign
killed with SIGKILL leaves its kept entries' features counted. A damaged ``coverage.json`` is never
overwritten: it is renamed ``coverage.json.corrupt-N`` and the total restarts. A campaign given
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
        self._saved = Coverage()  # what save_coverage has merged already
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
            return self._read_coverage()
        except (FileNotFoundError, DamagedCoverage):
            return None

    def _read_coverage(self) -> Coverage:
        """``coverage.json``; FileNotFoundError when there is none, :class:`DamagedCoverage` when it does not read as one."""
        text = (self.dir / "coverage.json").read_bytes()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError(f"a JSON {type(data).__name__}, not an object")
            return Coverage.from_json(data)
        except (ValueError, TypeError, AttributeError) as exc:  # not JSON, or JSON of another shape
            raise DamagedCoverage(str(exc)[:200]) from None

    def set_aside_damaged(self) -> tuple[Path, str] | None:
        """A ``coverage.json`` that does not read is renamed ``coverage.json.corrupt-N`` (the first
        free N), never overwritten: returns its new path and why it did not read (None when it
        reads or there is none). The corpus total then restarts from the campaigns after it."""
        with self._locked():
            return self._set_aside_if_damaged()

    def _set_aside_if_damaged(self) -> tuple[Path, str] | None:
        return self._read_or_set_aside()[1]

    def _read_or_set_aside(self) -> tuple[Coverage | None, tuple[Path, str] | None]:
        """(``coverage.json``'s coverage, None) when it reads; (None, None) when there is none;
        (None, (its new path, why)) when it did not read and was set aside."""
        try:
            return self._read_coverage(), None
        except FileNotFoundError:
            return None, None
        except DamagedCoverage as exc:
            n = 1
            while (aside := self.dir / f"coverage.json.corrupt-{n}").exists():
                n += 1
            (self.dir / "coverage.json").replace(aside)
            return None, (aside, str(exc))

    def save_coverage(self, coverage: Coverage) -> None:
        """Merge into ``coverage.json`` what ``coverage`` reached since this object's last save (a
        worker calls it every few seconds with its growing coverage, and once at its end: each
        count is merged once). The file is read once under the lock; if it is gone or damaged (then
        kept aside, not overwritten) the total restarts from this worker's whole coverage, not from
        what it reached since its last save, which that file held."""
        with self._locked():  # read, merge and write as one step among the campaign's workers
            merged, _aside = self._read_or_set_aside()
            if merged is None:
                merged = coverage.copy()
            else:
                merged.merge(coverage.since(self._saved))
            _write_atomically(self.dir / "coverage.json", json.dumps(merged.to_json()))
        self._saved = coverage.copy()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class DamagedCoverage(ValueError):
    """A ``coverage.json`` that does not read as a coverage (the message says why)."""


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
