"""A custom runtime for the fuzz engine's ``--runtime MODULE:FUNCTION`` tests."""

from __future__ import annotations

from typing import Any


def custom_world() -> Any:
    """The kit's world on the real profile, plus a setup call (so the log has one more setup record)."""
    from simulations.stateful import world

    rt = world.build_world({**world.GENESIS, "profile": "real"})
    rt.dispatch("Alice", "System", "remark_with_event", {"remark": "custom world"})
    return rt
