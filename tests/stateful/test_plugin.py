"""The pytest plugin: fixtures for three-line tests, and the Hypothesis profiles."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

from blueprints import U64, Blueprint
from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from simulations.stateful.plugin import BlueprintFactory, DevAccounts

square = Blueprint("plugin-square")


@square.job(0)
def sq(x: U64) -> U64:
    return x * x


def test_three_line_blueprint_test(blueprint_factory: BlueprintFactory) -> None:
    h = blueprint_factory(square, operators=2)
    assert h.call_job(0, 12).result == 144


def test_blueprint_factory_creates_on_a_given_runtime(runtime: Runtime, blueprint_factory: BlueprintFactory, dev_accounts: DevAccounts) -> None:
    first = blueprint_factory.on(runtime, square, owner=dev_accounts.alice)
    second = blueprint_factory.on(runtime, square, owner="Bob")
    assert second == first + 1
    owner, stored = runtime.pallets["Services"].storage.Blueprints.get(second)
    assert owner == DEV_ACCOUNTS["Bob"] and stored.jobs[0].metadata.name == "sq"


def test_dev_accounts_by_name_and_attribute(dev_accounts: DevAccounts, runtime: Runtime) -> None:
    assert dev_accounts.ferdie == dev_accounts["Ferdie"] == DEV_ACCOUNTS["Ferdie"] and len(dev_accounts) == len(DEV_ACCOUNTS)
    before = runtime.free_balance(dev_accounts.bob)
    runtime.dispatch(dev_accounts.alice, "Balances", "transfer_keep_alive", {"dest": dev_accounts.bob, "value": 10**18})
    assert runtime.free_balance(dev_accounts.bob) == before + 10**18


def test_suite_runs_the_ci_profile() -> None:
    if settings._current_profile != "ci":  # type: ignore[attr-defined]  # e.g. --hypothesis-profile=stress
        return
    assert (settings.default.max_examples, settings.default.stateful_step_count, settings.default.derandomize) == (200, 50, True)
    assert settings.default.database is None


@pytest.mark.parametrize("ci_variable", [None, "true"], ids=["local", "CI=true"])
def test_stress_profile_is_selected_from_the_command_line(tmp_path: Path, ci_variable: str | None) -> None:
    # Under CI=true Hypothesis loads its own fixed-seed, database-less profile before ours register;
    # the stress profile must not inherit it.
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent("""
        from hypothesis import settings

        def test_profile(run_machine, dev_accounts):
            assert settings.default.max_examples == 1000 and settings.default.stateful_step_count == 100
            assert not settings.default.derandomize
            assert settings.default.database is not None
    """))
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci_variable is not None:
        env["CI"] = ci_variable
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-profile=stress", str(probe)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


@pytest.mark.parametrize("ci_variable", [None, "true"], ids=["local", "CI=true"])
def test_with_no_profile_chosen_outside_this_repo_the_ci_profile_is_loaded(tmp_path: Path, ci_variable: str | None) -> None:
    """A user's test file in their own directory (no conftest of ours): Hypothesis's default would
    fail every machine over this runtime with DeadlineExceeded (200 ms)."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent("""
        from hypothesis import settings

        def test_profile(run_machine):
            assert (settings.default.max_examples, settings.default.stateful_step_count) == (200, 50)
            assert settings.default.derandomize and settings.default.deadline is None
    """))
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci_variable is not None:
        env["CI"] = ci_variable
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(probe)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
