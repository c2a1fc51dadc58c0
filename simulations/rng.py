"""One seeded random stream per actor.

Each actor (operator, delegator, requester, governance, a slash rule...) draws from its own
``random.Random`` derived from ``blake2b(f"{seed}/{actor_id}")``, the same derivation the runtime
uses for ``RuntimeContext.rng(label)``. Adding or removing an actor therefore never changes what the
others draw, and a run is fully determined by its seed.
"""

from __future__ import annotations

import hashlib
import random


def derive_seed(seed: int, label: str) -> int:
    """A 128-bit integer derived from ``(seed, label)``; independent between labels."""
    digest = hashlib.blake2b(f"tangle-sim/sim/{seed}/{label}".encode(), digest_size=16).digest()
    return int.from_bytes(digest, "big")


def actor_rng(seed: int, actor_id: str) -> random.Random:
    """A fresh stream for ``actor_id`` under ``seed``."""
    return random.Random(derive_seed(seed, f"actor/{actor_id}"))


def run_seed(base_seed: int, run_index: int) -> int:
    """The seed of Monte Carlo run ``run_index`` of a sweep (63 bits so it fits every store)."""
    return derive_seed(base_seed, f"run/{run_index}") & ((1 << 63) - 1)


class Streams:
    """The per-actor streams of one run. ``streams["op1"]`` is op1's stream, created on first use.

    The object is deep-copyable (what-if branches copy it with the rest of the simulation state),
    and ``draws(actor)`` counts how often an actor drew, which tests use to check independence.
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def __getitem__(self, actor_id: str) -> random.Random:
        stream = self._streams.get(actor_id)
        if stream is None:
            stream = self._streams[actor_id] = actor_rng(self.seed, actor_id)
        return stream

    def random(self, actor_id: str) -> float:
        """One uniform draw in [0, 1) from ``actor_id``'s stream."""
        return self[actor_id].random()

    def chance(self, actor_id: str, p: float) -> bool:
        """True with probability ``p`` (always draws, so the stream advances the same way whatever ``p``)."""
        return self[actor_id].random() < p

    def actors(self) -> list[str]:
        return sorted(self._streams)
