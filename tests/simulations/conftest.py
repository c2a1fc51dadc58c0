"""A fresh PostgreSQL database per test, on the server ``.ci/run`` starts (TANGLE_SIM_TEST_PG_URL).

Without the variable the tests start their own throwaway server when Debian's postgresql is
installed; without either they skip on a developer machine and FAIL in CI (``CI`` set): CI must
never pass because the server was missing.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest


def _start_local_server(tmp: Path) -> tuple[str, Callable[[], None]] | None:
    """A throwaway cluster like .ci/run's, when Debian's PostgreSQL is installed but no server was
    given (a developer's ``CI=true pytest``); None when there is no initdb."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
    if not bins:
        return None
    bin_dir = Path(bins[-1]).parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = tmp / "data"
    if as_postgres:
        shutil.chown(tmp, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = lambda *args: subprocess.run([*as_postgres, *args], check=True, capture_output=True, timeout=120)  # noqa: E731
    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(tmp / "server.log"), "-w", "-t", "60",
        "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {tmp} -c fsync=off -c max_connections=200", "start")
    return (f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
            lambda: subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True, timeout=120))


@pytest.fixture(scope="session")
def pg_base_url() -> Iterator[str]:
    """TANGLE_SIM_TEST_PG_URL, else a server started here (stopped at the end of the session),
    else skip, or FAIL when ``CI`` is set."""
    url = os.environ.get("TANGLE_SIM_TEST_PG_URL", "")
    if url:
        yield url
        return
    tmp = Path(tempfile.mkdtemp(prefix="tangle-sim-pg-test."))
    try:
        started = _start_local_server(tmp)
    except (OSError, subprocess.SubprocessError) as exc:
        started = None
        reason = f"could not start PostgreSQL: {exc}"
    else:
        reason = "no PostgreSQL: set TANGLE_SIM_TEST_PG_URL or install Debian's postgresql (see .ci/run)"
    if started is None:
        shutil.rmtree(tmp, ignore_errors=True)
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must test the store on a real server")
        pytest.skip(reason)
    url, stop = started
    try:
        yield url
    finally:
        stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """The URL of an empty database, dropped after the test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = pg_base_url
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
