"""The gate of the simulator's extension calls: a call the real runtime does not have answers
``System.CallFiltered`` when its extension is off (the ``real`` profile turns them all off), as a
call the runtime's BaseCallFilter refuses, rather than running against state the extension never
wrote (and answering with a pallet error that suggests the call exists on chain)."""

from __future__ import annotations


def require_extension(enabled: bool, name: str) -> None:
    if not enabled:
        from pallets.system.errors import Error as SystemError

        raise SystemError.CallFiltered(f"the simulator extension {name!r} is off in this profile")
