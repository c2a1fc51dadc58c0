"""The pytest plugin of the stress kit (installed with the package: entry point ``pytest11``).

It registers two Hypothesis profiles and four fixtures, so a user's property test is three lines::

    def test_no_dust_is_lost(run_machine):
        run_machine(RuntimeMachine)

Profiles (pick one with ``pytest --hypothesis-profile=NAME``; the tangle-sim suite loads ``ci``):

``ci``
    fixed seed (``derandomize``), 200 examples x 50 steps, no deadline, no example database:
    the same run on every machine and whatever tests were collected (the plugin pins
    Hypothesis's constant pool, :mod:`simulations.stateful.determinism`), within the CI budget.
``stress``
    random seeds, 1,000 examples x 100 steps, failures kept in the example database (so the next
    run replays them first): a few minutes per run on the whole machine. Hypothesis keeps every
    example's choices until the run ends (about 1 MB per 100-step example here), so run it
    repeatedly for longer campaigns rather than raising ``max_examples`` into the gigabytes.

Fixtures:

``runtime``
    a fresh dev chain (``Runtime.dev()``, intended profile).
``dev_accounts``
    the dev accounts by name, as a mapping with attribute access (``dev_accounts.alice``).
``blueprint_factory``
    deploys a Python :class:`~blueprints.Blueprint` with simulated operators and returns its
    :class:`~blueprints.BlueprintTestHarness`; ``blueprint_factory.on(rt, bp)`` only creates the
    blueprint on an existing runtime and returns its id.
``run_machine``
    runs a state machine class with the settings of the loaded profile (``run_machine(M, **overrides)``).
"""

from __future__ import annotations

import functools
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, run_state_machine_as_test

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from simulations.stateful.determinism import freeze_constant_pool

CI_PROFILE = "ci"
STRESS_PROFILE = "stress"

settings.register_profile(
    CI_PROFILE, max_examples=200, stateful_step_count=50, derandomize=True, deadline=None, database=None, print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
# Hypothesis loads its own ``ci`` profile (fixed seed, no database) when it sees a CI variable such
# as ``CI=true``, and a new profile inherits whatever is loaded at registration.  Stress runs must
# stay random with their database even there, so they start from Hypothesis's plain default.
settings.register_profile(
    STRESS_PROFILE, parent=settings.get_profile("default"), derandomize=False,
    max_examples=1_000, stateful_step_count=100, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)


class DevAccounts(Mapping[str, str]):
    """The dev accounts (Alice, Bob, ...) by name; ``dev_accounts["Bob"]`` or ``dev_accounts.bob``."""

    def __init__(self, accounts: Mapping[str, str]) -> None:
        self._accounts = dict(accounts)

    def __getitem__(self, name: str) -> str:
        return self._accounts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._accounts)

    def __len__(self) -> int:
        return len(self._accounts)

    def __getattr__(self, name: str) -> str:
        try:
            return self._accounts[name.capitalize()]
        except KeyError:
            raise AttributeError(f"no dev account {name!r}; there are {', '.join(self._accounts)}") from None


class BlueprintFactory:
    """Deploys blueprints for tests (see the module doc)."""

    def __call__(self, blueprint: Any, operators: int | list[str] = 3, **harness: Any) -> Any:
        """A :class:`~blueprints.BlueprintTestHarness` with ``blueprint`` deployed: operators joined,
        registered, a service requested and approved. ``harness`` are its keyword options."""
        from blueprints import BlueprintTestHarness

        return BlueprintTestHarness(blueprint, operators, **harness)

    def on(self, rt: Runtime, blueprint: Any, owner: str = "Alice") -> int:
        """Create ``blueprint`` (a :class:`~blueprints.Blueprint`, or the ``create_blueprint``
        params' ``blueprint`` value) on ``rt`` through ``Services.create_blueprint``; its id."""
        compiled = blueprint.compile() if hasattr(blueprint, "compile") else blueprint
        if hasattr(blueprint, "deploy_manager"):
            blueprint.deploy_manager(rt.pallets["Services"])
        receipt = rt.dispatch(owner, "Services", "create_blueprint", {"blueprint": compiled})
        return int(receipt.event("Services.BlueprintCreated")["blueprint_id"])


def run_with_profile(machine: type[RuleBasedStateMachine], _item: Any = None, **overrides: Any) -> None:
    """Run ``machine`` with the loaded profile's settings (``overrides`` win).

    Afterwards it says what ran: Hypothesis's statistics plus how often each rule and invariant ran
    (shown by ``pytest --hypothesis-show-statistics``: the run is not a ``@given`` test, so the
    plugin collects them here), and it warns when a rule or invariant the user's machine defines
    never ran, which would let a run pass without exercising what the user wrote.

    A failure is shrunk at the level of calls (:mod:`simulations.fuzz.kit_shrink`: seconds) rather
    than by Hypothesis re-running rule choices (minutes); the AssertionError then names the failing
    check and the minimal call log. A failure the calls alone do not reproduce (a rule's own
    assertion) falls back to Hypothesis's shrinking. ``machine.call_level_shrink = False`` keeps
    Hypothesis's shrinking always."""
    __tracebackhide__ = _hide_plugin_frame  # a shrunk failure is reported, not this function's source
    from hypothesis import Phase
    from hypothesis.statistics import collector, describe_statistics

    from simulations.stateful.core import LAST_FAILURE, RULE_RUNS, forget_worlds, never_ran

    forget_worlds()  # this run builds its own starting world (under whatever the caller patched)
    LAST_FAILURE.pop(machine, None)
    chosen = settings(settings.default, **overrides)
    if chosen.derandomize:
        freeze_constant_pool()
    call_level = getattr(machine, "call_level_shrink", False) and Phase.shrink in chosen.phases
    first = settings(chosen, phases=[p for p in chosen.phases if p is not Phase.shrink]) if call_level else chosen
    RULE_RUNS.pop(machine, None)
    collected: list[dict[str, Any]] = []
    try:
        with collector.with_value(collected.append):
            try:
                run_state_machine_as_test(machine, settings=first)
            except AssertionError as exc:
                if not call_level:
                    raise
                shrunk = _shrink_calls(machine)
                if shrunk is None:  # not reproducible from the calls alone: let Hypothesis shrink
                    run_state_machine_as_test(machine, settings=chosen)
                    raise
                replay = _replay_command(machine, shrunk.log)
                print(f"\ntangle-sim: shrunk to {len(shrunk.shrunk)} steps in {shrunk.seconds:.1f} s; replay it with:\n    {replay}\n")
                raise shrunk_failure(shrunk, replay, exc) from None
    finally:
        runs = RULE_RUNS.get(machine)
        lines = [describe_statistics(collected[-1])] if collected else []
        if runs:
            lines.append(f"  - {machine.__name__}: how often each rule and invariant ran (all examples, shrinking included):")
            lines += [f"    - {label}: {n}" for label, n in runs.most_common() if not label.startswith("check ")]
            lines += check_lines(machine, runs)
        if _item is not None and lines:
            _item.hypothesis_statistics = "\n".join(lines)
    missing = never_ran(machine)
    if missing:
        message = f"{machine.__name__}: never ran: {', '.join(missing)} (raise their rule_weights, or check their preconditions)"
        warnings.warn(message, NeverRanWarning, stacklevel=2)


def check_lines(machine: type, runs: Counter[str]) -> list[str]:
    """The ``checks`` entries' runs: each one the user added by name, the kit's built-in invariants
    as one total (each runs when a step could have moved it, all of them at full checks)."""
    from simulations.stateful.core import own_checks

    mine = own_checks(machine)
    lines = [f"  - {machine.__name__}: how often each of its checks ran (a check runs when a step could have moved it):"]
    lines += [f"    - check {name}: {runs.get(f'check {name}', 0)}" for name in mine]
    built_in = sum(n for label, n in runs.items() if label.startswith("check ") and label[len("check "):] not in mine)
    lines.append(f"    - the kit's {len(getattr(machine, 'checks', ())) - len(mine)} built-in invariants together: {built_in}")
    return lines


def shrunk_failure(shrunk: Any, replay: str, unshrunk: BaseException) -> AssertionError:
    """The AssertionError pytest reports for a call-level shrink, shrunk result first.

    Raised ``from`` Hypothesis's error, pytest printed the unshrunk example first (Hypothesis's
    "Falsifying example:", which its users read as the minimal one) and the shrunk result about
    130 lines later. Here the shrunk failure is the message and Hypothesis's example follows as
    notes, under a line saying it is the unshrunk one. Marked ``tangle_sim_shrunk`` so pytest hides
    the plugin's frame (:func:`_hide_plugin_frame`)."""
    failure = AssertionError(f"{shrunk.message()}\nreplay the shrunk failure with: {replay}")
    failure.tangle_sim_shrunk = True  # type: ignore[attr-defined]
    failure.add_note(f"--- for reference only: Hypothesis's UNSHRUNK example ({shrunk.original} steps); the shrunk failure is above ---\n"
                     f"unshrunk: {type(unshrunk).__name__}: {unshrunk}")
    for note in getattr(unshrunk, "__notes__", ()):
        failure.add_note(note)
    return failure


def _hide_plugin_frame(excinfo: Any) -> bool:
    """pytest's ``__tracebackhide__`` filter: hide :func:`run_with_profile`'s frame (sixty lines of
    the plugin's source) for a shrunk failure, keep it for anything else (a bug of the plugin)."""
    return bool(getattr(excinfo.value, "tangle_sim_shrunk", False))


def _shrink_calls(machine: type[RuleBasedStateMachine]) -> Any:
    """Shrink the machine's last failure by its calls (None when that does not reproduce it)."""
    from simulations.fuzz.kit_shrink import SnapshotWorld, program_of, shrink_kit_failure
    from simulations.stateful.core import _WORLDS, LAST_FAILURE, checks_record, failure_dir, new_log_path, runtime_record

    failed = LAST_FAILURE.get(machine)
    if failed is None:
        return None
    if machine not in _WORLDS:
        machine()  # builds (and caches) the starting world
    cached = _WORLDS.get(machine)
    if cached is None:
        return None
    rt, snapshot, _ = cached
    program = program_of(failed.calls[failed.setup_calls:], snapshot.block, failed.block)
    world = SnapshotWorld(rt, snapshot, list(machine.checks))  # type: ignore[attr-defined]
    path = new_log_path(failure_dir(), f"{machine.__name__}-shrunk")
    rt.restore(snapshot)  # the starting world: its records are what the machine's make_runtime made
    shrunk = shrink_kit_failure(world, program, path, checks_record(machine.checks),  # type: ignore[attr-defined]
                                runtime=runtime_record(machine, len(rt.log_records())))
    if shrunk is None:
        path.unlink(missing_ok=True)
    return shrunk


def _replay_command(machine: type[RuleBasedStateMachine], path: Any) -> str:
    from simulations.stateful.core import _WORLDS, replay_command

    cached = _WORLDS.get(machine)
    return replay_command(cached[0], path) if cached else f"tangle-sim replay {path}"


class NeverRanWarning(UserWarning):
    """A rule or invariant a user's machine defines never ran in a run that passed."""


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """Under a fixed-seed profile, pin Hypothesis's constant pool so a run does not depend on
    which test modules were collected (see :mod:`simulations.stateful.determinism`). Runs after
    Hypothesis's own plugin has loaded ``--hypothesis-profile``.

    With no profile chosen (on the command line or by a conftest), the ``ci`` profile is loaded:
    Hypothesis's default (100 random examples, a 200 ms deadline) fails any machine over this
    runtime with DeadlineExceeded, which is what a new user's first three-line test met."""
    chosen = config.getoption("hypothesis_profile", default=None)
    current = getattr(settings, "_current_profile", None)
    if chosen is None and current in ("default", CI_PROFILE):  # Hypothesis's own "ci" under CI=true: ours instead
        settings.load_profile(CI_PROFILE)
    if settings.default.derandomize:
        freeze_constant_pool()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Each test builds its machines' starting worlds afresh: a world cached by one test (the
    machine reuses it across examples) must not carry into a test that patched the runtime."""
    from simulations.stateful.core import forget_worlds

    forget_worlds()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    from simulations.stateful.core import forget_worlds

    forget_worlds()


@pytest.fixture
def runtime() -> Runtime:
    """A fresh dev chain (intended profile)."""
    return Runtime.dev()


@pytest.fixture
def dev_accounts() -> DevAccounts:
    """The dev accounts by name."""
    return DevAccounts(DEV_ACCOUNTS)


@pytest.fixture
def blueprint_factory() -> BlueprintFactory:
    """Deploy a Python blueprint with simulated operators (or create it on a runtime)."""
    return BlueprintFactory()


@pytest.fixture
def run_machine(request: pytest.FixtureRequest) -> Callable[..., None]:
    """Run a state machine class with the loaded Hypothesis profile (statistics go to this test's report)."""
    return functools.partial(run_with_profile, _item=request.node)
