"""Make fixed-seed Hypothesis runs depend only on the seed and the code under test.

Hypothesis (6.131+) mixes into generation literal constants it finds in the source of every
*local* module loaded at the time (including test modules). A ``derandomize=True`` run then
draws different examples depending on which test files were collected, or whether a test module
imported ``blueprints``: the same CI profile found a seeded bug when its test ran alone and missed
it in the full suite. :func:`freeze_constant_pool` pins that pool to the constants of the
simulator's own packages (read from their source files in a fixed order, without importing them),
so a fixed-seed run is the same whatever else is loaded.

This replaces a private Hypothesis function; if a future Hypothesis changes it, the freeze is
skipped (and reported by the return value) rather than breaking the run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

#: The simulator's packages whose literals seed the pool.
PACKAGES: tuple[str, ...] = ("runtime", "pallets", "blueprints", "simulations")

_frozen: bool = False


def _package_files(packages: Iterable[str]) -> list[Path]:
    root = Path(__file__).resolve().parents[2]
    files: list[Path] = []
    for package in packages:
        files.extend(sorted((root / package).rglob("*.py")))
    return files


def freeze_constant_pool(packages: Iterable[str] = PACKAGES) -> bool:
    """Pin Hypothesis's local-constant pool to ``packages`` (idempotent). True if it took effect."""
    global _frozen
    if _frozen:
        return True
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants, _constants_from_source
        from sortedcontainers import SortedSet
    except ImportError:
        return False
    if not all(hasattr(providers, name) for name in ("_get_local_constants", "CONSTANTS_CACHE", "float_to_int")):
        return False
    pool = Constants(integers=SortedSet(), floats=SortedSet(key=providers.float_to_int), bytes=SortedSet(), strings=SortedSet())
    for path in _package_files(packages):
        try:
            pool |= _constants_from_source(path.read_bytes(), limit=True)
        except (SyntaxError, ValueError, OSError):
            continue
    providers._get_local_constants = lambda: pool
    providers.CONSTANTS_CACHE.cache.clear()
    _frozen = True
    return True
