"""pallet_utility's dispatchables (polkadot-sdk stable2407, pallet-utility 37.0.1).

Atomicity as upstream defines it: each inner call is its own storage layer, so a failing item is
always rolled back; ``batch`` keeps the items before it and stops; ``batch_all`` returns the
item's error, so the enclosing extrinsic (or the enclosing batch item) discards everything;
``force_batch`` keeps going. Non-Root origins keep their call filters for every item (a proxy's
type, batch_all's rule against nesting itself); Root bypasses filters.
"""

from __future__ import annotations

from runtime.calls import Call, RuntimeCall
from runtime.errors import BadOrigin
from runtime.origin import Origin, ROOT, ensure_root, ensure_signed, with_caller, with_filter
from runtime.pallet import call
from runtime.primitives import U16

from pallets.primitives.derivation import derivative_account_id
from pallets.primitives.dispatch import OriginCaller, Weight, dispatch, error_name, origin_from_caller, try_dispatch
from pallets.utility.errors import Error
from pallets.utility.events import Event


def _not_batch_all(c: RuntimeCall) -> bool:
    """batch_all's filter: ``!matches!(c.is_sub_type(), Some(Call::batch_all { .. }))``."""
    return not (c.call_module == "Utility" and c.call_function == "batch_all")


class Calls:
    def _batch_origin(self, origin: Origin, calls: tuple[RuntimeCall, ...]) -> bool:
        if origin.kind == "none":
            raise BadOrigin()
        if len(calls) > self.consts.batched_calls_limit:  # type: ignore[attr-defined]
            raise Error.TooManyCalls()
        return origin.is_root

    @call(0)
    def batch(self, origin: Origin, calls: tuple[Call, ...]) -> None:
        """Dispatch in order, stop at the first failure (``BatchInterrupted``); earlier items stay."""
        is_root = self._batch_origin(origin, calls)
        for index, inner in enumerate(calls):
            err = try_dispatch(self.ctx, origin, inner, bypass_filter=is_root)  # type: ignore[attr-defined]
            if err is not None:
                self.deposit_event(Event.BatchInterrupted(index, err.qualified_name))  # type: ignore[attr-defined]
                return
            self.deposit_event(Event.ItemCompleted())  # type: ignore[attr-defined]
        self.deposit_event(Event.BatchCompleted())  # type: ignore[attr-defined]

    @call(1)
    def as_derivative(self, origin: Origin, index: U16, call: Call) -> None:
        """Dispatch as the caller's derivative account, keeping the caller's filters; the inner
        error is the extrinsic's error."""
        who = ensure_signed(origin)
        dispatch(self.ctx, with_caller(origin, derivative_account_id(who, index)), call)  # type: ignore[attr-defined]

    @call(2)
    def batch_all(self, origin: Origin, calls: tuple[Call, ...]) -> None:
        """All or nothing: the first failing item's error fails the whole call."""
        is_root = self._batch_origin(origin, calls)
        item_origin = origin if is_root else with_filter(origin, _not_batch_all)
        for inner in calls:
            dispatch(self.ctx, item_origin, inner, bypass_filter=is_root)  # type: ignore[attr-defined]
            self.deposit_event(Event.ItemCompleted())  # type: ignore[attr-defined]
        self.deposit_event(Event.BatchCompleted())  # type: ignore[attr-defined]

    @call(3)
    def dispatch_as(self, origin: Origin, as_origin: OriginCaller, call: Call) -> None:
        """Root dispatches ``call`` as any origin (filters bypassed); the result is in ``DispatchedAs``."""
        ensure_root(origin)
        err = try_dispatch(self.ctx, origin_from_caller(as_origin), call, bypass_filter=True)  # type: ignore[attr-defined]
        self.deposit_event(Event.DispatchedAs(error_name(err)))  # type: ignore[attr-defined]

    @call(4)
    def force_batch(self, origin: Origin, calls: tuple[Call, ...]) -> None:
        """Dispatch every item whatever happens (``ItemFailed`` for failures)."""
        is_root = self._batch_origin(origin, calls)
        failed = False
        for inner in calls:
            err = try_dispatch(self.ctx, origin, inner, bypass_filter=is_root)  # type: ignore[attr-defined]
            if err is not None:
                failed = True
                self.deposit_event(Event.ItemFailed(err.qualified_name))  # type: ignore[attr-defined]
            else:
                self.deposit_event(Event.ItemCompleted())  # type: ignore[attr-defined]
        self.deposit_event(Event.BatchCompletedWithErrors() if failed else Event.BatchCompleted())  # type: ignore[attr-defined]

    @call(5)
    def with_weight(self, origin: Origin, call: Call, weight: Weight) -> None:
        """Root dispatches ``call`` as Root; the weight is only a witness here."""
        ensure_root(origin)
        dispatch(self.ctx, ROOT, call, bypass_filter=True)  # type: ignore[attr-defined]
