"""Blocks, sessions and hooks in FRAME order."""

from __future__ import annotations

import pytest

from runtime import GenesisConfig, Runtime
from runtime.events import EventSet
from runtime.origin import Origin, ensure_signed
from runtime.pallet import Pallet, call
from runtime.primitives import U64
from runtime.storage import PalletStorage, StorageValue


class TraceStorage(PalletStorage, prefix="Trace"):
    Log = StorageValue(tuple[U64, ...], default=())


def make_tracer(name: str, index: int, code: int):
    class Store(PalletStorage, prefix=name):
        Log = StorageValue(tuple[U64, ...], default=())

    class Ev(EventSet, pallet=name):
        Noted = {"what": U64}

    class Tracer(Pallet):
        Storage = Store
        Event = Ev

        def _note(self, what: int) -> None:
            self.storage.Log.put(self.storage.Log.value() + (what,))
            self.deposit_event(Ev.Noted(what))

        def on_initialize(self, n: int) -> None:
            self._note(code * 1000 + 1)

        def on_finalize(self, n: int) -> None:
            self._note(code * 1000 + 3)

        @call(0)
        def poke(self, origin: Origin) -> None:
            ensure_signed(origin)
            self._note(code * 1000 + 2)

    Tracer.name = name
    Tracer.index = index
    return Tracer


def test_hooks_run_in_frame_order() -> None:
    rt = Runtime(GenesisConfig.dev(), extra_pallets=[make_tracer("Zeta", 201, 2), make_tracer("Alpha", 200, 1)])
    rt.hook_trace = []
    rt.dispatch("Alice", "Zeta", "poke", {})
    rt.advance_blocks(1)
    # block 1 finalize (Alpha then Zeta, by index), block 2 initialize (same order)
    trace = [(b, p, h) for b, p, h in rt.hook_trace if p in ("Alpha", "Zeta")]
    assert trace == [(1, "Alpha", "on_finalize"), (1, "Zeta", "on_finalize"), (2, "Alpha", "on_initialize"), (2, "Zeta", "on_initialize")]
    zeta = rt.pallets["Zeta"].storage.Log.value()
    assert zeta == (2001, 2002, 2003, 2001)  # init(1), the extrinsic, finalize(1), init(2)
    phases = [(e.block, e.phase, e["what"]) for e in rt.all_events() if e.name == "Zeta.Noted"]
    assert phases == [(1, "Initialization", 2001), (1, "ApplyExtrinsic", 2002), (1, "Finalization", 2003), (2, "Initialization", 2001)]


def test_sessions_rotate_every_session_length_blocks() -> None:
    rt = Runtime(GenesisConfig.dev(session_length=10))
    assert rt.current_session == 0 and rt.block_number == 1
    rt.run_to_block(10)
    assert rt.current_session == 0
    rt.advance_blocks(1)
    assert rt.block_number == 11 and rt.current_session == 1
    assert rt.events_named("Session.NewSession")[-1]["session_index"] == 1
    rt.advance_sessions(2)
    assert rt.current_session == 3 and rt.block_number == 31


def test_run_to_block_refuses_the_past(rt: Runtime) -> None:
    rt.advance_blocks(5)
    with pytest.raises(ValueError, match="before the current block"):
        rt.run_to_block(3)
    with pytest.raises(ValueError):
        rt.advance_blocks(-1)


def test_block_hashes_are_deterministic_per_seed() -> None:
    a, b, c = Runtime.dev(seed=1), Runtime.dev(seed=1), Runtime.dev(seed=2)
    assert a.block_hash(5) == b.block_hash(5) != c.block_hash(5)
    assert a.query("System", "ParentHash").value == a.block_hash(0)
