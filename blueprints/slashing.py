"""Slashing policies: how a reporter turns a manager's faults into ``Services.slash`` calls.

``Services.slash(offender, service_id, percent)`` takes a percentage of what the operator has
*now*, so one slash per fault compounds: four 10 % faults leave 65.61 % (1,000 -> 656.1 TNT). A
:class:`SlashPolicy` decides instead, per operator and service:

* **group per window**: faults whose blocks fall in the same ``window`` (blocks; aligned buckets
  ``block // window``) are one offence and one slash;
* **escalate on repeat**: the n-th slash of an operator uses ``escalation[n-1]`` percent (the last
  entry repeats), so a first offence can be mild and a habit expensive;
* **cap per period**: the percents slashed for offences in one ``period`` (blocks; aligned buckets)
  add up to at most ``cap``; an offence over the cap is clipped, and skipped when nothing is left.
  Because each slash applies to what remains, the actual loss in a period is at most ``cap`` %;
* per-kind percents (``kinds={"equivocation": 50}``) override the base percent (the highest kind in
  a group wins) when no escalation is given.

Every fault a plan covers is marked reported, so nothing is slashed twice. The policy keeps no
state: the slashes already issued are passed in (the harness keeps them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from blueprints.manager import Fault


@dataclass(frozen=True)
class Issued:
    """A slash already proposed (for escalation and caps)."""

    account: str
    service_id: int
    block: int  # the offence's first fault block
    percent: int


@dataclass(frozen=True)
class SlashOrder:
    """One ``Services.slash`` to propose, with the faults it punishes."""

    account: str
    operator: str  # the name people read
    service_id: int
    percent: int
    faults: tuple[Fault, ...]
    note: str = ""

    @property
    def block(self) -> int:
        return min(f.block for f in self.faults)


@dataclass(frozen=True)
class SlashPolicy:
    """See the module doc. ``percent`` is the base percent; ``escalation`` (if given) replaces it by
    the n-th entry for an operator's n-th slash."""

    percent: int = 10
    window: int | None = None
    escalation: tuple[int, ...] = ()
    cap: int | None = None
    period: int | None = None
    kinds: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in (("percent", self.percent), ("cap", self.cap), *((f"escalation[{i}]", v) for i, v in enumerate(self.escalation)),
                            *((f"kinds[{k!r}]", v) for k, v in self.kinds.items())):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100):
                raise ValueError(f"SlashPolicy.{name} must be an integer percent in 0..100, got {value!r}")
        for name, value in (("window", self.window), ("period", self.period)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"SlashPolicy.{name} must be a number of blocks >= 1, got {value!r}")
        if self.cap is not None and self.period is None:
            raise ValueError("SlashPolicy.cap needs period= (blocks): the cap is per period")

    def plan(self, faults: Sequence[Fault], issued: Sequence[Issued] = ()) -> list[SlashOrder]:
        """The slashes for ``faults`` (unreported ones), given the slashes already ``issued``."""
        groups: dict[tuple[str, int, int], list[Fault]] = {}
        for i, f in enumerate(sorted(faults, key=lambda f: (f.block, f.call_id))):
            bucket = f.block // self.window if self.window else i  # no window: every fault is its own offence
            groups.setdefault((f.account, f.service_id, bucket), []).append(f)
        history = list(issued)
        orders: list[SlashOrder] = []
        for (account, service_id, _), group in groups.items():
            start = group[0].block
            nth = sum(1 for i in history if i.account == account and i.service_id == service_id)
            percent = self._percent(nth, group)
            note = f"offence {nth + 1}" + (f", {len(group)} faults grouped" if len(group) > 1 else "")
            if self.cap is not None and self.period is not None:
                used = sum(i.percent for i in history if i.account == account and i.service_id == service_id
                           and i.block // self.period == start // self.period)
                room = max(0, self.cap - used)
                if percent > room:
                    note += f", clipped from {percent}% by the {self.cap}% cap per {self.period} blocks"
                    percent = room
            orders.append(SlashOrder(account, group[0].operator, service_id, percent, tuple(group), note))
            if percent:
                history.append(Issued(account, service_id, start, percent))
        return orders

    def _percent(self, nth: int, group: Sequence[Fault]) -> int:
        if self.escalation:
            return self.escalation[min(nth, len(self.escalation) - 1)]
        kinds = [self.kinds[f.kind] for f in group if f.kind in self.kinds]
        return max(kinds) if kinds else self.percent


__all__ = ["Issued", "SlashOrder", "SlashPolicy"]
