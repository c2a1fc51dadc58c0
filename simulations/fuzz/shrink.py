"""Delta debugging of a failing program to a minimal one that fails the same way.

A candidate is kept when re-running it from the world's snapshot fails with the same key (kind and
invariant or call). Passes, in order, until nothing changes or the deadline: drop chunks (halving
their size), drop single steps, simplify call arguments (integers toward 0, 1 and halves; lists
shorter), then drop and shorten time steps; once none of these changes anything, each integer is
searched down (binary search between its passing half and itself) to the least value that still
fails. Last, adjacent time steps are merged into one where the merged program still fails. Every
candidate stops at its first failure, so the program is also cut right after the step that fails.
"""

from __future__ import annotations

import time
from typing import Any, Iterator

from simulations.fuzz.derived import DerivedAccounts
from simulations.fuzz.hostile import MARK
from simulations.fuzz.program import Step


def shrink(world: Any, program: list[Step], key: tuple[str, str], deadline: float, max_candidates: int | None = None) -> list[Step]:
    """``deadline`` (``time.monotonic()``) and ``max_candidates`` bound the work; with the deadline
    out of reach, the candidate budget makes the result the same on any machine."""
    tried = [0]
    creations: list[list] = [[]]  # the pure accounts ``best`` creates (see simulations.fuzz.derived)
    job_calls: list[dict] = [{}]  # the job calls ``best``'s Services.call steps made (id of the step -> (service, call id))

    def fails(candidate: list[Step]) -> list[Step] | None:
        if max_candidates is not None and tried[0] >= max_candidates:
            return None
        tried[0] += 1
        derived = DerivedAccounts(creations[0], job_calls[0])
        _, failure = world.execute(candidate, derived=derived)
        if failure is not None and failure.key == key:
            kept = derived.steps[:failure.step + 1]  # rewritten to the accounts and call ids this candidate derived
            creations[0], job_calls[0] = derived.creations, derived.job_calls_of(kept)
            return kept
        return None

    best = fails(program) or program
    bisected: set[tuple[str, tuple, int]] = set()  # (step head, path, value) already searched down by pass 4
    changed = True
    while changed and time.monotonic() < deadline:
        changed = False
        # 1. chunks, from halves down to pairs
        n = 2
        while len(best) >= 2 and time.monotonic() < deadline:
            size = max(1, len(best) // n)
            removed = False
            for start in range(0, len(best), size):
                candidate = best[:start] + best[start + size:]
                hit = fails(candidate) if candidate else None
                if hit is not None:
                    best, removed, changed = hit, True, True
                    break
            if not removed:
                if size == 1:
                    break
                n *= 2
        # 2. arguments toward simple values
        for i in range(len(best)):
            if time.monotonic() >= deadline or i >= len(best):
                break
            step = best[i]
            if step[0] not in ("call", "bad"):
                continue
            for simpler in _simplifications(step[4]):
                candidate = best[:i] + [step[:4] + [simpler]] + best[i + 1:]
                hit = fails(candidate)
                if hit is not None:
                    best, changed = hit, True
                    break
        # 3. time steps: shorter
        for i in range(len(best)):
            if time.monotonic() >= deadline or i >= len(best):
                break
            step = best[i]
            if step[0] == "wait" and step[1] > 1:
                for blocks in (1, step[1] // 2):
                    hit = fails(best[:i] + [["wait", blocks]] + best[i + 1:])
                    if hit is not None:
                        best, changed = hit, True
                        break
        # 4. once nothing above helps: each integer down to its least failing value
        if not changed and time.monotonic() < deadline:
            best, changed = _bisect_integers(best, fails, deadline, bisected)
    # 5. last: adjacent time steps as one (``["wait", 10], ["wait", 20]`` reads as 30 blocks), kept
    # only when the merged program still fails the same way (a check between them can matter)
    return _merge_waits(best, fails, deadline)


def _merge_waits(best: list[Step], fails: Any, deadline: float) -> list[Step]:
    i = 0
    while i + 1 < len(best) and time.monotonic() < deadline:
        if best[i][0] == "wait" and best[i + 1][0] == "wait":
            hit = fails(best[:i] + [["wait", best[i][1] + best[i + 1][1]]] + best[i + 2:])
            if hit is not None:
                best = hit
                continue  # the merged step may merge with the next one too
        i += 1
    return best


def _bisect_integers(best: list[Step], fails: Any, deadline: float, bisected: set[tuple[str, tuple, int]]) -> tuple[list[Step], bool]:
    """Binary search of each integer argument between its half (which passes: halving stops only
    there) and itself (which fails), for the least value that still fails. Halving alone left
    2^33 - 1 where 2^32 was the boundary. About log2(value) candidates per integer, each integer
    once (``bisected`` remembers the values already searched down, across passes)."""
    changed = False
    for i in range(len(best)):
        if i >= len(best):
            break
        step = best[i]
        if step[0] not in ("call", "bad"):
            continue
        for path, leaf in list(_leaves(step[4], ())):
            if i >= len(best) or best[i][:4] != step[:4]:
                break  # a candidate failed earlier and was cut: this step is gone
            if isinstance(leaf, bool) or not isinstance(leaf, int) or leaf < 3:
                continue
            memo = (repr(step[:4]), path, leaf)
            if memo in bisected:
                continue
            bisected.add(memo)
            lo, hi = leaf // 2, leaf  # lo passes, hi fails
            while hi - lo > 1 and time.monotonic() < deadline and i < len(best) and best[i][:4] == step[:4]:
                mid = (lo + hi) // 2
                current = best[i]
                hit = fails(best[:i] + [current[:4] + [_replace(current[4], path, mid)]] + best[i + 1:])
                if hit is None:
                    lo = mid
                else:
                    hi, best, changed = mid, hit, True
            bisected.add((repr(step[:4]), path, hi))  # searched down: the next pass leaves it
    return best, changed


def _simplifications(params: Any) -> Iterator[Any]:
    """Params with one leaf made simpler (each candidate differs in one place)."""
    for path, leaf in _leaves(params, ()):
        for simpler in _simpler(leaf):
            yield _replace(params, path, simpler)


def _simpler(leaf: Any) -> list[Any]:
    if isinstance(leaf, bool):
        return []
    if isinstance(leaf, int):
        return [v for v in (0, 1, leaf // 2) if abs(v) < abs(leaf)][:3]
    if isinstance(leaf, list) and leaf:
        return [leaf[:len(leaf) // 2]] if len(leaf) > 1 else [[]]
    if isinstance(leaf, str) and len(leaf) > 1 and not leaf.startswith("0x") and len(leaf) != 48:
        return [leaf[:1]]
    if isinstance(leaf, str) and len(leaf) == 1 and not leaf.isascii():
        return ["a"]  # a drawn '\U0003e43b' says nothing a reader needs when any letter fails the same way
    return []


def _leaves(value: Any, path: tuple) -> Iterator[tuple[tuple, Any]]:
    if isinstance(value, dict) and MARK in value:
        return  # a hostile value's marker stays as it is
    if isinstance(value, dict):
        for k in value:
            yield from _leaves(value[k], path + (k,))
    elif isinstance(value, list):
        yield path, value
        for i, v in enumerate(value):
            yield from _leaves(v, path + (i,))
    else:
        yield path, value


def _replace(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        out[head] = _replace(value[head], rest, new)
        return out
    out_list = list(value)
    out_list[head] = _replace(value[head], rest, new)
    return out_list
