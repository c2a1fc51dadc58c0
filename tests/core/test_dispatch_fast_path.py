"""The dispatcher's fixed cost: what a failed call leaves for the garbage collector, and the
per-call argument fast path (which must decide exactly as the codecs do)."""

from __future__ import annotations

import gc

import pytest

from runtime import DispatchError, Runtime
from runtime.codec import ParamError, StructCodec, VecCodec, struct
from runtime.primitives import U32


@struct
class Pair:
    left: U32
    right: U32


def _cyclic_garbage(fn) -> int:  # type: ignore[no-untyped-def]
    """Objects only the cycle collector could free after ``fn()`` (reference counting frees the rest)."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        fn()
        return gc.collect()
    finally:
        if was:
            gc.enable()


def test_a_returned_failure_leaves_no_reference_cycle(rt: Runtime) -> None:
    # a failed call's error kept its traceback, whose frames held the receipt holding the error:
    # a cycle per failed call, left to the cycle collector (most fuzz calls fail)
    def fail() -> None:
        for _ in range(50):
            receipt = rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 10**30}, raise_error=False)
            assert receipt.error_name == "Token.FundsUnavailable"

    assert _cyclic_garbage(fail) == 0
    assert len(rt.call_log) == 50 and rt.call_log[-1].outcome == "Token.FundsUnavailable"


def test_a_raised_failure_keeps_its_traceback_into_the_pallet(rt: Runtime) -> None:
    with pytest.raises(DispatchError) as exc:
        rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 10**30})
    frames = []
    tb = exc.value.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    assert any("pallets/balances" in f for f in frames)


def test_struct_field_paths_stay_exact_when_remembered() -> None:
    # a struct's field paths are remembered per parent path: two arguments holding the same struct
    # type, decoded over and over, still name their own field (and the list item) on a bad value
    codec = VecCodec(Pair.__codec__)
    for _ in range(3):
        assert codec.decode([{"left": 1, "right": 2}], "a") == (Pair(1, 2),)
        assert codec.decode([{"left": 3, "right": 4}], "b") == (Pair(3, 4),)
    with pytest.raises(ParamError) as exc:
        codec.decode([{"left": 1, "right": 2}, {"left": 1, "right": -1}], "b")
    assert exc.value.path == "b[1].right"
    with pytest.raises(ParamError) as exc:
        codec.decode([{"left": "x", "right": 2}], "a")
    assert exc.value.path == "a[0].left"
    with pytest.raises(ParamError) as exc:
        codec.decode([{"left": 1, "right": 2, "middle": 0}], "a")
    assert exc.value.path == "a[0].middle" and "unknown field" in exc.value.reason
    assert isinstance(Pair.__codec__, StructCodec)


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_a_process_being_stopped_is_not_reported_as_a_pallet_panic(monkeypatch: pytest.MonkeyPatch, interrupt: type[BaseException]) -> None:
    """SIGTERM's SystemExit (or Ctrl-C) raised inside a call leaves as itself, with the call rolled
    back: a user stopping a run saw 'RuntimePanic: ... panicked' and a 233-line traceback."""
    from pallets.balances import Balances
    from runtime import Runtime

    rt = Runtime.dev()

    def stopped(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.storage.TotalIssuance.put(1)  # a write the rollback must undo
        raise interrupt()
    monkeypatch.setattr(Balances, "transfer", stopped)
    with pytest.raises(interrupt):
        rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 1})
    monkeypatch.undo()
    assert rt.pallets["Balances"].storage.TotalIssuance.value() != 1
