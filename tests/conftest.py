"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest
from hypothesis import settings

from runtime import GenesisConfig, Runtime
from simulations.stateful.plugin import CI_PROFILE

# The fixed-seed, bounded profile; `pytest --hypothesis-profile=stress` replaces it (Hypothesis's
# own plugin loads the named profile after this conftest is imported).
settings.load_profile(CI_PROFILE)


@pytest.fixture
def rt() -> Runtime:
    """A fresh dev chain (intended profile, 1,200-block sessions)."""
    return Runtime.dev()


@pytest.fixture
def fast_rt() -> Runtime:
    """A dev chain with 10-block sessions (like the fast-runtime build), for tests that wait rounds."""
    return Runtime(GenesisConfig.dev(session_length=10))
