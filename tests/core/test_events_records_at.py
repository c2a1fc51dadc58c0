"""``records_at`` builds a batch of events at one position without calling ``EventRecord.__init__``
per record (issue 18: a slash builds one per delegator, an era change one per operator). Each
record must be what the constructor builds: spec, values, position, and so repr, equality, the
substrate-interface shape and attribute reads."""

from __future__ import annotations

from pallets.balances.events import Event
from runtime.events import EventRecord, records_at


def test_records_at_builds_what_the_constructor_builds() -> None:
    values = [("5Alice", "5Bob", 10**12), ("5Bob", "5Charlie", 0), ("5Charlie", "5Alice", 3)]
    for block, idx, phase in ((7, 2, "ApplyExtrinsic"), (9, None, "Initialization"), (0, None, "Finalization")):
        built = records_at(Event.Transfer, values, block, idx, phase)
        wanted = [EventRecord(Event.Transfer, v, block, idx, phase) for v in values]
        assert [type(r) for r in built] == [EventRecord] * 3
        assert built == wanted
        assert [(r.block, r.extrinsic_idx, r.phase, repr(r), r.value, r["amount"]) for r in built] == \
               [(r.block, r.extrinsic_idx, r.phase, repr(r), r.value, r["amount"]) for r in wanted]
    assert records_at(Event.Transfer, [], 1, None, "Initialization") == []
    assert records_at(Event.Transfer, iter(values), 1, None, "Initialization")[2].values == values[2]  # any iterable, in order


def test_event_position_is_where_deposit_event_puts_an_event() -> None:
    from runtime import GenesisConfig, Runtime

    rt = Runtime(GenesisConfig.dev(session_length=3))
    seen: list[tuple] = []  # type: ignore[type-arg]

    def check() -> None:
        position = rt.ctx.event_position()
        record = Event.Transfer("5Alice", "5Bob", 1)
        rt.ctx.deposit_event(record)
        assert (record.block, record.extrinsic_idx, record.phase) == position
        seen.append(position)

    session = rt.pallets["Session"]
    real = session.on_initialize
    session.on_initialize = lambda n: (check(), real(n))[1]  # type: ignore[method-assign]  # inside a block hook
    rt.advance_blocks(2)
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": rt.account("Bob"), "value": 10**12})
    check()  # between extrinsics
    assert {p[2] for p in seen} == {"Initialization", "ApplyExtrinsic"}
    assert all(p[1] is None for p in seen if p[2] == "Initialization")
