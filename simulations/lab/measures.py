"""One measured value: what the loop reports per round and per run, before anything stores it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Metric:
    """``value`` of ``metric`` for ``entity`` (an actor id, ``queue``, ``sim``...) in ``asset``;
    exact base units for amounts, a count otherwise."""

    entity: str
    role: str
    metric: str
    asset: str
    value: int
