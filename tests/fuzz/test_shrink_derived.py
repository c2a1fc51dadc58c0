"""The shrinker keeps accounts derived at run time consistent: a pure proxy's address depends on the
block and extrinsic index that created it, so steps before its ``create_pure`` used to be uncuttable."""

from __future__ import annotations

import time

from runtime import Runtime
from simulations.fuzz import FuzzConfig, World
from simulations.fuzz.shrink import shrink
from simulations.stateful import world as kit
from simulations.stateful.invariants import Ledger

BOB, CHARLIE = kit.SETUP_OPERATORS[0], kit.SETUP_OPERATORS[1]


def no_pure_account_adds_a_proxy(rt: Runtime, ledger: Ledger) -> None:
    """A planted 'bug': any pure proxy (its own spawner is a delegate) with a second delegate."""
    for who, (defs, _deposit) in rt.pallets["Proxy"].storage.Proxies.items():
        assert len(defs) < 2, f"{who} has {len(defs)} proxies"


def _world() -> World:
    from simulations.stateful.invariants import ALL_INVARIANTS

    return World(FuzzConfig(invariants=[*ALL_INVARIANTS, no_pure_account_adds_a_proxy]))


def _noisy_program(world: World) -> list:
    """Irrelevant steps (a wait, transfers, a remark) before and between the three that matter."""
    rt = world.reset()
    pure_of = None
    program = [["wait", 3],
               ["call", "Alice", "Balances", "transfer_keep_alive", {"dest": "Dave", "value": 10**18}],
               ["call", "Eve", "System", "remark", {"remark": "0x01"}],
               ["call", BOB, "Proxy", "create_pure", {"proxy_type": "Any", "delay": 0, "index": 0}],
               ["wait", 2],
               ["call", "Ferdie", "Balances", "transfer_keep_alive", {"dest": "Alice", "value": 10**18}]]
    ex, failure = world.execute(program)
    assert failure is None
    pure_of = next(ev["pure"] for ev in ex.rt.all_events() if ev.name == "Proxy.PureCreated")
    del rt
    return program + [["call", CHARLIE, "Balances", "transfer_keep_alive", {"dest": pure_of, "value": 10**20}],
                      ["call", "Eve", "System", "remark", {"remark": "0x02"}],
                      ["call", pure_of, "Proxy", "add_proxy", {"delegate": "Dave", "proxy_type": "Any", "delay": 0}]]


def test_steps_before_a_create_pure_are_cut_and_the_pure_account_follows() -> None:
    world = _world()
    program = _noisy_program(world)
    _, failure = world.execute(program)
    assert failure is not None and failure.key == ("invariant", "no_pure_account_adds_a_proxy")
    best = shrink(world, program, failure.key, deadline=time.monotonic() + 60, max_candidates=400)
    assert [s[3] for s in best] == ["create_pure", "transfer_keep_alive", "add_proxy"], best
    pure = best[2][1]
    assert pure != program[-1][1] and best[1][4]["dest"] == pure  # a new address, used consistently
    _, again = world.execute(best)  # the shrunk program reproduces on its own, no rewriting
    assert again is not None and again.key == failure.key


def no_pure_proxy_is_killed(rt: Runtime, ledger: Ledger) -> None:
    """A planted 'bug' that needs a ``kill_pure`` with the right coordinates to fire: a pure proxy
    created in this run has lost its Proxies entry."""
    proxies = rt.pallets["Proxy"].storage.Proxies
    gone = [ev["pure"] for ev in rt.all_events() if ev.name == "Proxy.PureCreated" and not proxies.get(ev["pure"])[0]]
    assert not gone, f"pure proxies killed: {gone}"


def test_kill_pure_coordinates_follow_the_creation() -> None:
    """``kill_pure`` names the creation's block and extrinsic index: rebased with the account."""
    from simulations.stateful.invariants import ALL_INVARIANTS

    world = World(FuzzConfig(invariants=[*ALL_INVARIANTS, no_pure_proxy_is_killed]))
    program = _noisy_program(world)[:-1]  # funded, with a remark after
    _, ok = world.execute(program)
    assert ok is None
    pure = program[-2][4]["dest"]
    create = next(r for r in world.rt.call_log if r.spec.name == "create_pure")
    kill = ["call", pure, "Proxy", "kill_pure", {"spawner": BOB, "proxy_type": "Any", "index": 0, "height": create.block, "ext_index": create.index}]
    _, failure = world.execute(program + [kill])
    assert failure is not None and failure.key == ("invariant", "no_pure_proxy_is_killed")
    best = shrink(world, program + [kill], failure.key, deadline=time.monotonic() + 60, max_candidates=600)
    assert [s[3] for s in best] == ["create_pure", "kill_pure"], best
    ex, again = world.execute(best)  # reproduces as it stands
    assert again is not None and again.key == failure.key
    create = next(r for r in ex.rt.call_log if r.spec.name == "create_pure")
    assert (best[1][4]["height"], best[1][4]["ext_index"]) == (create.block, create.index) != (kill[4]["height"], kill[4]["ext_index"])
    assert best[1][1] != pure  # the pure account moved with its creation
