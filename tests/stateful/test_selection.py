"""How the kit chooses steps (``simulations.stateful.selection``) and checks them (``MachineCore``):
preconditions and bundles still gate rules, weights still count, the kit's rules draw their
arguments from one seed while a user's keep one choice each, its initializers seed the bundles
before the first step, and a step's invariants are re-checked by the storage it wrote."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidDefinition
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from simulations.stateful import RuntimeMachine
from simulations.stateful.core import _rule_draw
from simulations.stateful.selection import RuleDraw, SeededChoices, compile_strategy

FAST = settings(max_examples=30, stateful_step_count=20, deadline=None, derandomize=True, database=None)


def with_rule_draw(machine: type[RuleBasedStateMachine]) -> type[RuleBasedStateMachine]:
    """``machine`` choosing its steps with :class:`RuleDraw` (as every ``MachineCore`` does)."""
    draw = RuleDraw(machine.setup_state().rules)
    original = machine.__init__

    def init(self: Any) -> None:
        original(self)
        self._rules_strategy = draw.for_machine(self)
    machine.__init__ = init  # type: ignore[method-assign]
    return machine


def test_preconditions_and_empty_bundles_still_gate_rules() -> None:
    ran: Counter[str] = Counter()

    @with_rule_draw
    class Gated(RuleBasedStateMachine):
        things = Bundle("things")

        made = 0

        @rule(target=things, x=st.integers(0, 9))
        def make(self, x: int) -> int:
            ran["make"] += 1
            self.made += 1
            return x

        @rule(t=things)
        def use(self, t: int) -> None:
            assert 0 <= t <= 9  # only values a rule put there
            ran["use"] += 1

        @precondition(lambda self: False)
        @rule()
        def never(self) -> None:
            raise AssertionError("a rule whose precondition is false ran")

        @precondition(lambda self: self.made > 0)
        @rule()
        def after_make(self) -> None:
            ran["after_make"] += 1

    run_state_machine_as_test(Gated, settings=FAST)
    assert ran["make"] and ran["use"] and ran["after_make"]


def test_no_rule_can_run_is_an_invalid_definition() -> None:
    @with_rule_draw
    class Stuck(RuleBasedStateMachine):
        @precondition(lambda self: False)
        @rule()
        def never(self) -> None:
            pass

    with pytest.raises(InvalidDefinition, match="No progress can be made"):
        run_state_machine_as_test(Stuck, settings=FAST)


def test_weights_are_slots_and_the_draw_covers_every_rule() -> None:
    """A rule weighted 30 among 1-slot rules is drawn far more often; every rule is drawn."""
    ran: Counter[str] = Counter()

    class Weighted(RuntimeMachine):
        rule_weights = {"heavy": 30, "light": 1}

        @rule()
        def heavy(self) -> None:
            ran["heavy"] += 1

        @rule()
        def light(self) -> None:
            ran["light"] += 1

    draw = _rule_draw(Weighted)
    names = Counter(r.function.__name__ for r in draw.slots)
    assert names["heavy"] == 30 and names["light"] == 1
    run_state_machine_as_test(Weighted, settings=settings(FAST, max_examples=20))
    assert ran["heavy"] > 3 * max(ran["light"], 1)


def test_kit_rules_draw_their_arguments_from_one_seed_and_a_users_rules_do_not() -> None:
    class Mine(RuntimeMachine):
        @rule(a=st.integers(0, 5), b=st.booleans())
        def mine(self, a: int, b: bool) -> None:
            pass

    draw = _rule_draw(Mine)
    by_name = {r.function.__name__: r for r in draw.slots}
    assert draw.seeded[id(by_name["transfer"])]  # accounts, amounts, flags: all raw choices
    assert not draw.seeded[id(by_name["mine"])]  # the user's rule: one Hypothesis choice per argument
    assert draw.seeded[id(by_name["create_blueprint"])]  # st.data() too: a SeededData over the same seed
    assert draw.seeded[id(by_name["heartbeat"])]  # and a strategy that is not raw choices (binary)


def test_a_seeded_data_draws_whole_strategies_and_raw_choices_deterministically() -> None:
    """A kit rule's ``data`` draws from its seed: the same seed gives the same blueprint, fields and
    raw choices; the fields match their types; a filter that rejects everything marks the example
    invalid instead of escaping."""
    from pallets.services.types.field import matches
    from simulations.stateful import strategies as S
    from simulations.stateful.rulebase import RuleMixin
    from simulations.stateful.selection import SeededData

    def sample(seed: int) -> tuple[Any, ...]:
        data = SeededChoices(seed).draw(st.data())
        assert isinstance(data, SeededData)
        bp = data.draw(S.service_blueprints())
        types = bp.jobs[0].params
        fields = data.draw(S.fields_for(types))
        assert all(matches(f, t) for f, t in zip(fields, types, strict=True))
        wrong = data.draw(S.mismatching_fields_for(types))
        return bp, fields, wrong, RuleMixin.draw_int(data, 3, 9), RuleMixin.draw_some(data, "abcdef", 1, 3)

    runs: list[list[tuple[Any, ...]]] = []

    @settings(max_examples=1, database=None)
    @given(st.none())
    def inside_a_test(_: None) -> None:  # strategies such as builds() need Hypothesis's build context, as rules have
        runs.append([sample(seed) for seed in range(40)])

    inside_a_test()
    inside_a_test()
    assert runs[0] == runs[1]
    assert len({repr(r[0]) for r in runs[0]}) > 20  # the seed steers the draw
    assert all(3 <= r[3] <= 9 and 1 <= len(r[4]) <= 3 for r in runs[0])

    class Parent:
        why: str | None = None

        def mark_invalid(self, why: str) -> None:
            self.why = why
            raise RuntimeError("invalid")

    parent = Parent()
    with pytest.raises(RuntimeError, match="invalid"):
        SeededChoices(1, parent).draw(st.integers(0, 3).filter(lambda v: v > 5))
    assert parent.why is not None and "could not draw" in parent.why


def test_seeded_choices_are_deterministic_and_within_bounds() -> None:
    drawer = compile_strategy(st.one_of(st.sampled_from([0, 1, 10**10]), st.integers(0, 10**24), st.booleans(), st.just("x")))
    runs = [[drawer(SeededChoices(seed), None) for seed in range(300)] for _ in range(2)]
    assert runs[0] == runs[1]
    values = runs[0]
    ints = [v for v in values if type(v) is int]
    assert all(0 <= v <= 10**24 for v in ints) and {True, False, "x"} <= set(values)
    assert 0 in ints and 10**24 in ints and any(0 < v < 2**32 for v in ints)  # endpoints and small values favoured
    choice = SeededChoices(7)
    assert all(3 <= choice.draw_integer(3, 200) <= 200 for _ in range(500))


def test_the_kits_initializers_fill_the_bundles_before_the_first_step_and_a_users_still_run() -> None:
    seen: list[int] = []

    class WithInit(RuntimeMachine):
        mine = Bundle("mine")

        @initialize(target=mine, x=st.integers(1, 3))
        def my_init(self, x: int) -> int:
            seen.append(x)
            return x

        @rule(m=mine)
        def use_mine(self, m: int) -> None:
            assert m in (1, 2, 3)

    machine = WithInit()
    try:
        assert machine.bundle("accounts") and machine.bundle("services") and machine.bundle("blueprints")
        assert [r.function.__name__ for r in machine._initialize_rules_to_run] == ["my_init"]
    finally:
        machine.teardown()
    run_state_machine_as_test(WithInit, settings=settings(FAST, max_examples=5))
    assert seen


class Quiet(RuntimeMachine):
    rule_weights = {"nothing": 400}

    @rule()
    def nothing(self) -> None:
        pass


def mint_one(self: Any, bypass_journal: bool = False) -> None:
    """Give Bob one token from nowhere (the issuance does not follow)."""
    system = self.rt.pallets["System"]
    who = next(a for a in system.storage.Account._d if system.account(a).free > 10**18)
    account = system.account(who)
    if bypass_journal:
        system.storage.Account._d[who] = account._replace(free=account.free + 1)
    else:
        system.set_account(who, account._replace(free=account.free + 1))


def test_a_step_that_breaks_an_invariant_through_storage_is_caught_at_that_step() -> None:
    """The invariant runs because the step wrote System.Account (read off the journal)."""
    machine = Quiet()
    try:
        machine.check_invariants(FAST, lambda s: None, Counter())
        machine.run_step(mint_one, {})
        with pytest.raises(AssertionError, match="token_conservation"):
            machine.check_invariants(FAST, lambda s: None, Counter())
    finally:
        machine.rt = None  # type: ignore[assignment]


def test_what_the_steps_checks_skipped_is_caught_when_the_example_ends() -> None:
    """A write no journal saw skips the step's check; the full check at the end still runs it."""
    machine = Quiet()
    machine.check_invariants(FAST, lambda s: None, Counter())
    machine.run_step(mint_one, {"bypass_journal": True})
    machine.check_invariants(FAST, lambda s: None, Counter())  # nothing touched as far as the journal knows
    with pytest.raises(AssertionError, match="token_conservation"):
        machine.teardown()


def test_a_step_that_touches_nothing_an_invariant_reads_skips_it() -> None:
    machine = Quiet()
    try:
        machine.check_invariants(FAST, lambda s: None, Counter())  # the first check is full
        first = dict(machine.invariant_set.runs)
        assert all(first.values())
        machine.run_step(lambda self: None, {})
        machine.check_invariants(FAST, lambda s: None, Counter())
        assert machine.invariant_set.runs == first  # nothing written: nothing re-checked
        machine.run_step(lambda self: self.call("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 10**18}), {})
        machine.check_invariants(FAST, lambda s: None, Counter())
        after = machine.invariant_set.runs
        assert after["token_conservation"] == first["token_conservation"] + 1
        assert after["staking_slashes_wait_for_their_era"] == first["staking_slashes_wait_for_their_era"]
    finally:
        machine.teardown()


def test_malformed_input_that_writes_before_refusing_is_caught_inside_a_step() -> None:
    """bad_input reads "changed nothing" off the journal and the event buffer inside a step (the state
    root is compared only every root_every-th call there): a refusal after a write is still caught."""
    machine = Quiet()
    try:
        machine.check_invariants(FAST, lambda s: None, Counter())
        rt = machine.rt
        real_dispatch = rt.dispatch

        def writes_then_refuses(origin: Any, module: str, function: str, params: Any, **kw: Any) -> Any:
            if params == "write first":
                mint_one(machine)
            raise ValueError("malformed")

        rt.dispatch = writes_then_refuses  # type: ignore[method-assign]
        machine.root_every = 10**9  # no root comparison: the journal alone must catch it
        machine.run_step(lambda self: self.bad_input("Alice", "Balances", "transfer_keep_alive", "refused cleanly"), {})
        with pytest.raises(AssertionError, match="wrote storage"):
            machine.run_step(lambda self: self.bad_input("Alice", "Balances", "transfer_keep_alive", "write first"), {})
        rt.dispatch = real_dispatch  # type: ignore[method-assign]
    finally:
        machine.rt = None  # type: ignore[assignment]


def test_per_key_reads_skip_an_invariant_whose_keys_the_step_did_not_write(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A transfer between two people writes System.Account, which the delegation pot's check reads
    only for the pot's own account: it is skipped, as in the fuzz engine; a step that moves the pot's
    balance runs it (and catches a pot that lost what it owes)."""
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    machine = Quiet()
    try:
        machine.check_invariants(FAST, lambda s: None, Counter())
        runs = machine.invariant_set.runs
        before = dict(runs)
        machine.run_step(lambda self: self.call("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 10**18}), {})
        machine.check_invariants(FAST, lambda s: None, Counter())
        assert runs["token_conservation"] == before["token_conservation"] + 1
        assert runs["delegation_pot_backs_deposits"] == before["delegation_pot_backs_deposits"]
        pot = machine.rt.pallets["MultiAssetDelegation"].pallet_account()
        machine.run_step(lambda self: self.call("Alice", "MultiAssetDelegation", "deposit", {
            "asset": {"Custom": 0}, "amount": 10**18, "evm_address": None, "lock_multiplier": None}), {})
        machine.check_invariants(FAST, lambda s: None, Counter())
        assert runs["delegation_pot_backs_deposits"] == before["delegation_pot_backs_deposits"] + 1

        def drain_pot(self: Any) -> None:
            system = self.rt.pallets["System"]
            account = system.account(pot)
            system.set_account(pot, account._replace(free=account.free - 10**20))
            alice = system.account(world_account("Alice"))
            system.set_account(world_account("Alice"), alice._replace(free=alice.free + 10**20))  # conserved: only the pot's books break

        machine.run_step(drain_pot, {})
        with pytest.raises(AssertionError, match="delegation_pot_backs_deposits"):
            machine.check_invariants(FAST, lambda s: None, Counter())
    finally:
        machine.rt = None  # type: ignore[assignment]


def world_account(name: str) -> str:
    from runtime.accounts import DEV_ACCOUNTS

    return DEV_ACCOUNTS[name]


def test_a_call_outside_a_step_makes_the_next_check_a_full_one() -> None:
    """No journal sees a call made outside a step, so the check after it runs every invariant."""
    machine = Quiet()
    try:
        machine.check_invariants(FAST, lambda s: None, Counter())
        before = dict(machine.invariant_set.runs)
        machine.call("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 10**18})
        machine.check_invariants(FAST, lambda s: None, Counter())
        after = machine.invariant_set.runs
        assert all(after[name] == before[name] + 1 for name in after if name != "state_is_immutable")
    finally:
        machine.teardown()


def test_a_failed_call_that_wrote_around_the_journal_is_caught_by_the_root_comparison(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A value the journal does not hold but the root does (what a rollback that failed to restore
    a key would leave) is caught by the state root compared around a call (every root_every-th,
    counted across examples)."""
    monkeypatch.setenv("TANGLE_SIM_FAILURE_DIR", str(tmp_path))
    for root_every, caught in ((1, True), (10**9, False)):
        machine = Quiet()
        machine.root_every = root_every
        try:
            machine.check_invariants(FAST, lambda s: None, Counter())
            rt = machine.rt
            real_dispatch = rt.dispatch

            def sneaky(*args: Any, **kw: Any) -> Any:
                accounts = rt.pallets["System"].storage.Account
                who = world_account("Bob")
                accounts.mark_dirty(who)
                accounts._d[who] = accounts._d[who]._replace(free=accounts._d[who].free + 1)
                rt.db.root_cache = None
                return real_dispatch(*args, **kw)

            monkeypatch.setattr(rt, "dispatch", sneaky)
            overdraw = lambda self: self.call("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 10**30})  # noqa: E731
            if caught:
                with pytest.raises(AssertionError, match="changed the state root"):
                    machine.run_step(overdraw, {})
            else:
                machine.run_step(overdraw, {})
            monkeypatch.setattr(rt, "dispatch", real_dispatch)
        finally:
            machine.rt = None  # type: ignore[assignment]


def test_a_fixed_seed_run_is_the_same_run_twice() -> None:
    """Same seed, same calls: each example's call log and state root are identical whether the
    starting world is built or restored from the cache (seeded arguments, SeededData, field draws)."""
    from simulations.stateful.core import forget_worlds
    from simulations.stateful.determinism import freeze_constant_pool

    seen: list[tuple[int, str, int]] = []

    class Recorded(RuntimeMachine):
        def teardown(self) -> None:
            if self.rt is not None:
                seen.append((len(self.rt.call_log), self.rt.state_root(), self.rt.block_number))
            super().teardown()

    runs = []
    for forget in (True, False):
        if forget:
            forget_worlds()
        seen.clear()
        freeze_constant_pool()
        run_state_machine_as_test(Recorded, settings=settings(FAST, max_examples=12, stateful_step_count=25))
        runs.append(list(seen))
    assert runs[0] == runs[1]
    assert len({root for _, root, _ in runs[0]}) > 6  # the examples differ from one another
