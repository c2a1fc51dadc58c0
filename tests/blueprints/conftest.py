"""Fixtures for the blueprint tests: the real runtime metadata, loaded once (skipped visibly when absent)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def metadata():  # type: ignore[no-untyped-def]
    from runtime.bridge.metadata import MetadataError, default_metadata_path, load_metadata

    path = default_metadata_path()
    if path is None:
        pytest.skip("no runtime metadata file: set TANGLE_METADATA or provide ../shared/tangle/tangle-testnet-runtime.scale")
    try:
        return load_metadata(path)
    except MetadataError as exc:
        pytest.skip(f"runtime metadata unavailable: {exc}")
