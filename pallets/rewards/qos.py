"""QoS-weighted era rewards (simulator extension ``qos_rewards``, intended profile only).

The real runtime pays no per-era rewards at all, and the ``service_rewards`` extension splits its
budget by TNT stake alone, so an operator that never answers earns as much as one that does. Under
``qos_rewards`` a blueprint's manager reports quality of service as it observes it (the way the
design notes describe QoS points: successful and failed submissions, heartbeats), through
:meth:`QosPoints.record_qos` (for a Python manager this stands in for a precompile call), and the
era split scales each *tracked* operator's stake share by its points:

* ``points = succeeded + heartbeats - failed``, floored at 0, per operator, for the era;
* an operator is *tracked* from the first time a manager reports on it (``QosTracked``); untracked
  operators keep their stake share as without the extension;
* a tracked operator receives ``share * points / best``, where ``share`` is its stake share of the
  era budget and ``best`` the highest points of any tracked operator in the era: the best ones keep
  their whole share, an operator with no points (offline, or only faults) earns nothing, and so
  does every tracked operator in an era where none earned a point. What is withheld is never
  credited, so never minted; within an operator the split between commission and delegators is
  unchanged (by stake);
* the era's points are cleared at each era start, after the split.

Storage (simulator-only): ``EraQosPoints`` (operator -> (succeeded, failed, heartbeats)) and
``QosTracked`` (operator -> ()).
"""

from __future__ import annotations

from typing import Sequence


def qos_points(succeeded: int, failed: int, heartbeats: int) -> int:
    """An operator's points for an era: good work and liveness minus faults, never below 0."""
    return max(0, succeeded + heartbeats - failed)


class QosPoints:
    """Mixin of the Rewards pallet (see the module doc)."""

    def record_qos(self, operator: str, *, succeeded: int = 0, failed: int = 0, heartbeats: int = 0) -> None:
        """Add to ``operator``'s QoS counters for the current era (no-op without ``qos_rewards``).
        Called from inside the reporting dispatch, so a failed call records nothing."""
        if not self.ctx.extensions.qos_rewards:  # type: ignore[attr-defined]
            return
        if min(succeeded, failed, heartbeats) < 0:
            raise ValueError("QoS counters only grow")
        store = self.storage.EraQosPoints  # type: ignore[attr-defined]
        s, f, h = store.get(operator, (0, 0, 0))
        store.insert(operator, (s + succeeded, f + failed, h + heartbeats))
        if operator not in self.storage.QosTracked:  # type: ignore[attr-defined]
            self.storage.QosTracked.insert(operator, ())  # type: ignore[attr-defined]

    def qos_counters(self, operator: str) -> tuple[int, int, int]:
        """(succeeded, failed, heartbeats) recorded for ``operator`` in the current era."""
        return self.storage.EraQosPoints.get(operator, (0, 0, 0))  # type: ignore[attr-defined,no-any-return]

    def qos_weights(self, operators: Sequence[str], weights: Sequence[int]) -> list[int]:
        """Each operator's weight for its share of the era budget (the split's denominator stays the
        sum of the stake weights): a tracked operator's stake weight scaled by ``points / best``
        (see the module doc), an untracked one's unchanged."""
        tracked = self.storage.QosTracked  # type: ignore[attr-defined]
        if not self.ctx.extensions.qos_rewards or len(tracked) == 0:  # type: ignore[attr-defined]
            return list(weights)
        store = self.storage.EraQosPoints  # type: ignore[attr-defined]
        points = {op: qos_points(*store.get(op, (0, 0, 0))) for op in operators if op in tracked}
        best = max(points.values(), default=0)
        return [w if op not in points else (w * points[op] // best if best else 0) for op, w in zip(operators, weights)]

    def end_qos_era(self) -> None:
        """Clear the era's counters (after the split)."""
        if len(self.storage.EraQosPoints):  # type: ignore[attr-defined]
            self.storage.EraQosPoints.clear()  # type: ignore[attr-defined]
