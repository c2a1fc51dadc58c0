"""``RuleMixin``: what every ``rules_*.py`` mixin may use, declared once for type checkers, plus
small helpers for choosing *valid* arguments from the current state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

from hypothesis import strategies as st

if TYPE_CHECKING:
    from runtime import Runtime
    from runtime.receipt import ExtrinsicReceipt
    from simulations.fuzz.values import LiveState
    from simulations.stateful.invariants import Ledger

T = TypeVar("T")

#: A drawn index: ``RuleMixin.pick(items, index)`` chooses one of what exists now.
INDEX = st.integers(0, 7)
#: A drawn share in percent (1..100) of an amount, for ``RuleMixin.share``.
PERCENT = st.integers(1, 100)


class RuleMixin:
    """Base of the rule mixins. ``call``/``ok``/``bad_input``/``expect_error``/``advance`` come from
    :class:`~simulations.stateful.core.MachineCore` at run time."""

    if TYPE_CHECKING:
        rt: Runtime
        ledger: Ledger

        def call(self, origin: Any, module: str, function: str, params: dict[str, Any]) -> ExtrinsicReceipt | None: ...
        def ok(self, receipt: ExtrinsicReceipt | None) -> bool: ...
        def bad_input(self, origin: Any, module: str, function: str, params: Any) -> None: ...
        def expect_error(self, receipt: ExtrinsicReceipt | None, *names: str) -> None: ...
        def advance(self, fn: Callable[[], None]) -> None: ...
        def live_state(self) -> LiveState: ...

    def advance_rounds_until(self, done: Callable[[], bool], max_rounds: int) -> None:
        """Advance one round at a time (under :meth:`advance`) until ``done()`` or ``max_rounds``
        rounds have passed: waiting for an era to come, bounded in case it never does."""
        def step() -> None:
            for _ in range(max_rounds):
                if done():
                    return
                self.rt.advance_rounds(1)

        self.advance(step)

    def storage(self, pallet: str) -> Any:
        """A pallet's storage (rules read state to pick valid arguments)."""
        return self.rt.pallets[pallet].storage  # type: ignore[attr-defined]

    @staticmethod
    def pick(items: Sequence[T], index: int) -> T | None:
        """``items[index % len(items)]`` or None: a drawn index picks one of what exists now."""
        return items[index % len(items)] if items else None

    # one raw Hypothesis choice each, with no strategy to build: rules call these at every step, and
    # building a strategy (``st.integers(lo, hi)``, ``st.sampled_from(xs)``) costs more than the draw
    @staticmethod
    def draw_int(data: st.DataObject, lo: int, hi: int) -> int:
        """An integer in ``lo..hi`` (shrinks toward ``lo``)."""
        return data.conjecture_data.draw_integer(lo, hi, shrink_towards=lo)

    @staticmethod
    def draw_from(data: st.DataObject, items: Sequence[T]) -> T:
        """One of ``items`` (shrinks toward the first)."""
        return items[data.conjecture_data.draw_integer(0, len(items) - 1)]

    @staticmethod
    def draw_some(data: st.DataObject, items: Sequence[T], lo: int, hi: int) -> list[T]:
        """``lo..hi`` distinct items of ``items`` (as many as there are, at most), in drawn order."""
        cd = data.conjecture_data
        left = list(items)
        n = cd.draw_integer(min(lo, len(left)), min(hi, len(left)))
        return [left.pop(cd.draw_integer(0, len(left) - 1)) for _ in range(n)]

    @staticmethod
    def share(total: int, percent: int) -> int:
        """``percent`` (1..100) of ``total``, at least 1 when total > 0."""
        return max(total * percent // 100, 1) if total > 0 else 0
