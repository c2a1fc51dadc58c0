"""The :class:`Ledger`: what invariants remember between two checks.

Invariants are plain functions ``check(rt, ledger)``. Those that judge *changes* (issuance moved
only by mint/burn events, an operator's status moved along a legal edge, a slash was applied no
earlier than its window) keep their previous observations here. Each reads the events deposited
since its own previous check with :func:`new_events`, under its own cursor, so invariants can be
combined freely and each sees every event exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

from runtime import Runtime
from runtime.events import EventRecord


@dataclass
class SlashRecord:
    """A Services unapplied slash as the ledger saw it recorded."""

    era: int
    index: int
    operator: str
    service_id: int
    blueprint_id: int
    state: str = "pending"  # pending | discarded | dropped | applied


@dataclass
class Ledger:
    """Observations kept between checks (one per example)."""

    cursors: dict[str, int] = field(default_factory=dict)
    rounds: dict[str, int] = field(default_factory=dict)
    # tokens
    native_issuance: int | None = None
    asset_supply: dict[int, int] = field(default_factory=dict)
    # MultiAssetDelegation
    operator_status: dict[str, str] | None = None
    departed_operators: set[str] = field(default_factory=set)
    # Services
    committed: dict[tuple[int, str], int] = field(default_factory=dict)
    request_created: dict[int, int] = field(default_factory=dict)
    expired_requests: set[int] = field(default_factory=set)
    slashes: dict[tuple[int, int], SlashRecord] = field(default_factory=dict)
    # Lst: rounding slack each pool is allowed (grows by one unit per payout)
    pool_slack_allowance: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def new_events(rt: Runtime, ledger: Ledger, consumer: str) -> list[EventRecord]:
    """Events deposited since ``consumer``'s previous call (all events since genesis the first time)."""
    start = ledger.cursors.get(consumer, 0)
    log = rt.event_log
    current = rt.db.events
    total = len(log) + len(current)
    ledger.cursors[consumer] = total
    if start >= total:
        return []
    if start < len(log):
        return log[start:] + list(current)
    return list(current[start - len(log):])


def skip_events(rt: Runtime, ledger: Ledger, consumer: str) -> None:
    """Move ``consumer``'s cursor past every event deposited so far without reading them: for an
    incremental form that knows none of them is one it judges (see :func:`new_events`)."""
    ledger.cursors[consumer] = len(rt.event_log) + len(rt.db.events)


def events_with_round(rt: Runtime, ledger: Ledger, consumer: str) -> Iterator[tuple[EventRecord, int]]:
    """Like :func:`new_events`, each event paired with the MultiAssetDelegation round (= session
    index) in force when it was deposited (``Session.NewSession`` comes first in a round's first block)."""
    current = ledger.rounds.get(consumer, 0)
    try:
        for ev in new_events(rt, ledger, consumer):
            if ev.spec.pallet == "Session" and ev.spec.name == "NewSession":
                current = ev["session_index"]
            yield ev, current
    finally:
        ledger.rounds[consumer] = current


def status_name(status: Any) -> str:
    """``OperatorStatus`` (or any ScaleEnum) as its variant name."""
    return status.name if hasattr(status, "name") else str(status)
