"""The real metadata fixture (raw storage keys and values are computed from it), shared with the bridge tests."""

from tests.bridge.conftest import metadata  # noqa: F401
