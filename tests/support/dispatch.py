"""The assertion every pallet's tests make of a refused call: it raises the real pallet's error and
changes nothing (state root and events), so each test file does not re-write it."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import DispatchError, Runtime


def fails_atomically(rt: Runtime, pallet: str, name: str, origin: str, call: str, params: dict[str, Any]) -> DispatchError:
    """Dispatch ``pallet.call`` as ``origin``; it must fail with ``name`` (``Pallet.Error`` or
    ``BadOrigin``...) and leave the state root and the event buffer as they were."""
    root, events = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, pallet, call, params)
    assert exc.value.qualified_name == name
    assert rt.state_root() == root and len(rt.events) == events
    return exc.value
