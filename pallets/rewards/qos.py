"""QoS-weighted era rewards (simulator extension ``qos_rewards``, intended profile only).

The real runtime pays no per-era rewards at all, and the ``service_rewards`` extension splits its
budget by TNT stake alone, so an operator that never answers earns as much as one that does. Under
``qos_rewards`` a blueprint's manager reports quality of service as it observes it (the way the
design notes describe QoS points: successful and failed submissions, heartbeats), through
:meth:`QosPoints.record_qos` (for a Python manager this stands in for a precompile call), and the
era split weighs each operator's stake by its points:

* ``points = succeeded + heartbeats - failed``, floored at 0, per operator, for the era;
* in an era where any points were recorded, an operator's share of the era budget is
  ``stake_weight * points`` over the sum of those products: an operator with no points (offline,
  or only faults) earns nothing; within an operator the split between commission and delegators is
  unchanged (by stake);
* in an era where nothing was recorded (no blueprint reports QoS) the split is by stake alone, as
  without the extension;
* points are cleared at each era start, after the split.

Storage: ``EraQosPoints`` (operator -> (succeeded, failed, heartbeats)), simulator-only.
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

    def qos_counters(self, operator: str) -> tuple[int, int, int]:
        """(succeeded, failed, heartbeats) recorded for ``operator`` in the current era."""
        return self.storage.EraQosPoints.get(operator, (0, 0, 0))  # type: ignore[attr-defined,no-any-return]

    def qos_weights(self, operators: Sequence[str], weights: Sequence[int]) -> list[int]:
        """The weights the era budget is split by: stake weights times QoS points when the extension
        is on and points were recorded this era, else the stake weights unchanged."""
        store = self.storage.EraQosPoints  # type: ignore[attr-defined]
        if not self.ctx.extensions.qos_rewards or len(store) == 0:  # type: ignore[attr-defined]
            return list(weights)
        return [w * qos_points(*store.get(op, (0, 0, 0))) for op, w in zip(operators, weights)]

    def end_qos_era(self) -> None:
        """Clear the era's counters (after the split)."""
        if len(self.storage.EraQosPoints):  # type: ignore[attr-defined]
            self.storage.EraQosPoints.clear()  # type: ignore[attr-defined]
