"""newuser11 finding 9: ``--workers`` was capped by the tasks, not the cores (``--workers 100000``
with 360 tasks would fork 360 processes on a 2-core machine), and the banner printed the number asked for."""

from __future__ import annotations

import os

from simulations.sweep import pool_size


def test_the_pool_never_exceeds_the_cores_nor_the_tasks() -> None:
    cores = os.cpu_count() or 1
    assert pool_size(100_000, 360) == min(cores, 360)
    assert pool_size(None, 360) == min(cores, 360)
    assert pool_size(None, 1) == 1
    assert pool_size(1, 360) == 1
    assert pool_size(100_000, 0) == 1
