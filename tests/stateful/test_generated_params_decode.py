"""The well-typed params the fuzz engine and the kit's ``fuzz_any_call`` draw are accepted by every
call's own decoder: a refused draw is a ``ParamError`` that stops a user's machine for a reason that
is not in their code (a new user's docs example failed on a Democracy vote with conviction 53)."""

from __future__ import annotations

import random

from runtime.codec import ParamError
from simulations.fuzz.values import LiveState
from simulations.stateful import world
from simulations.stateful.call_args import CallGenerators


def test_every_calls_drawn_params_decode() -> None:
    rt = world.build_world()
    gens = CallGenerators(rt, frozenset())
    live = LiveState(world.ACCOUNTS)
    live.draw_call = lambda r: gens.draw_inner(r, live)
    refused: dict[str, str] = {}
    for pallet, name, gen in gens.outer:
        spec = rt.call_spec(pallet, name)
        rng = random.Random(f"{pallet}.{name}")
        for _ in range(60):
            params = gen(rng, live)
            try:
                spec.decode(params)
            except ParamError as exc:
                refused.setdefault(f"{pallet}.{name}", str(exc))
    assert len(gens.outer) > 150
    assert refused == {}
