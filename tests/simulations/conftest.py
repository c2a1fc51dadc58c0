"""A fresh PostgreSQL database per test, on the server ``.ci/run`` starts (TANGLE_SIM_TEST_PG_URL).

Without the variable the PostgreSQL tests skip on a developer machine and FAIL in CI (``CI`` set):
CI must never pass because the server was missing.
"""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest


def pg_base_url() -> str:
    url = os.environ.get("TANGLE_SIM_TEST_PG_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TANGLE_SIM_TEST_PG_URL is not set: .ci/run installs and starts PostgreSQL and exports it")
        pytest.skip("no PostgreSQL server: set TANGLE_SIM_TEST_PG_URL (see .ci/run)")
    return url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of an empty database, dropped after the test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = pg_base_url()
    name = f"tsim_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The same test on a SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")
