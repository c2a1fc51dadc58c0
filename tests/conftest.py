"""Shared fixtures for the whole suite."""

from __future__ import annotations

import pytest

from runtime import GenesisConfig, Runtime


@pytest.fixture
def rt() -> Runtime:
    """A fresh dev chain (intended profile, 1,200-block sessions)."""
    return Runtime.dev()


@pytest.fixture
def fast_rt() -> Runtime:
    """A dev chain with 10-block sessions (like the fast-runtime build), for tests that wait rounds."""
    return Runtime(GenesisConfig.dev(session_length=10))
