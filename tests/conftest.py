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


class RollbackCheck:
    """Dispatch a call that must write and then fail, and prove the failure left nothing behind.

    Why it records the writes: a rollback test whose call fails before writing anything cannot
    notice a dispatcher that commits on error. The check therefore asserts the call really wrote
    (storage or events) before it failed, then compares the state root, the event buffer, the call
    log outcome and every storage entry the call touched with their values before the call."""

    def __call__(self, rt: Runtime, origin, pallet: str, call: str, params: dict, error: str) -> list:  # type: ignore[no-untyped-def]
        from runtime import DispatchError
        from runtime.storage import _MISSING

        _GONE = object()

        db = rt.db
        root, events = rt.state_root(), list(db.events)
        seen: list[tuple] = []
        original = db.rollback

        def recording_rollback() -> None:
            if len(db._marks) == 1:  # the dispatch's own transaction, not a nested one
                mark, n_events = db._marks[-1]
                writes = [(item, key, old) for item, key, old in db.journal[mark:] if item._d.get(key, _GONE) != (_GONE if old is _MISSING else old)]
                seen.append((writes, list(db.events[n_events:])))
            original()

        db.rollback = recording_rollback  # type: ignore[method-assign]
        snapshot = {k: dict(item._d) for k, item in db.items.items()}
        try:
            with pytest.raises(DispatchError) as exc:
                rt.dispatch(origin, pallet, call, params)
        finally:
            del db.rollback
        assert exc.value.matches(error), f"expected {error}, got {exc.value.qualified_name}"
        assert len(seen) == 1, "the dispatch's transaction was not rolled back"
        writes, new_events = seen[0]
        assert writes or new_events, f"{pallet}.{call} failed before changing anything: this case cannot detect a commit on error"
        for item, key, _old in writes:
            before = snapshot[(item.prefix, item.name)]
            assert item._d.get(key, "<missing>") == before.get(key, "<missing>"), f"{item.prefix}.{item.name}[{key!r}] kept the failed call's write"
        after = {k: dict(item._d) for k, item in db.items.items()}
        nonces_before, nonces_after = snapshot.pop(("System", "Nonces")), after.pop(("System", "Nonces"))
        assert after == snapshot  # everything but the nonce, which a failed signed call bumps as on chain
        changed = {k for k in set(nonces_before) | set(nonces_after) if nonces_before.get(k) != nonces_after.get(k)}
        assert len(changed) <= 1 and all(nonces_after[k] == nonces_before.get(k, 0) + 1 for k in changed)
        assert rt.state_root() == root
        assert list(db.events) == events
        assert rt.call_log[-1].outcome == exc.value.qualified_name
        return writes


@pytest.fixture
def rolls_back() -> RollbackCheck:
    """``rolls_back(rt, origin, pallet, call, params, error)``: see :class:`RollbackCheck`."""
    return RollbackCheck()
