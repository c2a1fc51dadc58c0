"""Fixtures for the bridge tests: the real metadata, loaded once per session (decoding takes ~2 s)."""

from __future__ import annotations

import os

import pytest

from runtime.bridge.metadata import MetadataError, RuntimeMetadata, default_metadata_path, load_metadata


@pytest.fixture(scope="session")
def metadata() -> RuntimeMetadata:
    """The shared testnet metadata; tests needing it are skipped, visibly, when the file is absent."""
    path = default_metadata_path()
    if path is None and os.environ.get("CI"):  # CI has ../shared beside the clone: a missing file must not hide the conformance tests
        pytest.fail("no runtime metadata file in CI (expected ../shared/tangle/tangle-testnet-runtime.scale or TANGLE_METADATA)")
    if path is None:
        pytest.skip("no runtime metadata file: set TANGLE_METADATA or provide ../shared/tangle/tangle-testnet-runtime.scale")
    try:
        return load_metadata(path)
    except MetadataError as exc:
        pytest.skip(f"runtime metadata unavailable: {exc}")


@pytest.fixture(autouse=True)
def _strict_event_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """An event the node cannot encode fails the test that makes it (the node itself logs and goes on)."""
    from runtime.bridge.node.chain import SimChain

    monkeypatch.setattr(SimChain, "strict_events", True)
