"""The exhaustion stress: 1,000 service requests against operators with instance limits, every
call's outcome checked against the limits' reference model, and the failures exactly where the
arithmetic puts them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulations.stateful import world
from simulations.stateful.exhaustion import LIMIT_ERROR, Approve, Request, Terminate, requests_then_approvals, run_exhaustion

BOB, CHARLIE, DAVE = world.SETUP_OPERATORS


def test_a_thousand_requests_fail_exactly_past_the_limits() -> None:
    rt = world.build_world(services=False)
    # request i names (Bob), (Bob, Charlie), (Charlie, Dave), (Dave) for i % 4 = 0, 1, 2, 3
    steps = requests_then_approvals(1000, [(0,), (0, 1), (1, 2), (2,)])
    report = run_exhaustion(rt, 0, world.SETUP_OPERATORS, {BOB: 300, CHARLIE: 420, DAVE: None}, steps)
    requests = [o for o in report.outcomes if o.call.startswith("request")]
    assert len(requests) == 1000
    failed = {i for i, o in enumerate(requests) if o.actual is not None}
    # Bob is named by half the requests: his 300 fill up by request 599, every later one naming him fails
    assert failed == {i for i in range(600, 1000) if i % 4 in (0, 1)}
    assert all(requests[i].actual == LIMIT_ERROR for i in failed)
    # Charlie: 150 with Bob before the cut-off + 250 with Dave = 400, under 420; Dave has no limit
    assert report.committed == {BOB: 300, CHARLIE: 400, DAVE: 500}
    assert report.services == 800 and len(rt.pallets["Services"].storage.Instances) == 800


def test_pending_approvals_count_and_termination_frees_a_slot() -> None:
    rt = world.build_world(services=False)
    steps = [Request((0,)), Request((0,)), Request((0,)),  # all three pass: nothing is committed yet
             Approve(0, 0), Approve(1, 0), Approve(2, 0),    # the third approval is one past the limit
             Terminate(0), Approve(2, 0)]                    # a terminated service frees the slot
    report = run_exhaustion(rt, 0, world.SETUP_OPERATORS, {BOB: 2}, steps)
    assert [o.actual for o in report.outcomes] == [None, None, None, None, None, LIMIT_ERROR, None, None]
    assert report.committed[BOB] == 2


def test_a_skipped_limit_check_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from pallets.services.limits import InstanceLimits

    monkeypatch.setattr(InstanceLimits, "_check_capacity", lambda self, blueprint_id, operator: None)
    with pytest.raises(AssertionError, match=r"step 2 \(request .*expected Services.MaxServicesPerOperatorExceeded, got success"):
        run_exhaustion(world.build_world(services=False), 0, world.SETUP_OPERATORS, {BOB: 1}, requests_then_approvals(3, [(0,)]))


OPS = st.tuples(st.integers(0, 2)).map(tuple) | st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True).map(tuple)
STEPS = st.lists(st.one_of(OPS.map(Request), st.builds(Approve, st.integers(0, 40), st.integers(0, 2)),
                           st.builds(Terminate, st.integers(0, 40))), min_size=1, max_size=150)


@given(steps=STEPS, limits=st.tuples(*[st.one_of(st.none(), st.integers(0, 4))] * 3))
def test_random_plans_match_the_limit_model(steps: list, limits: tuple) -> None:
    rt = world.build_world(services=False)
    report = run_exhaustion(rt, 0, world.SETUP_OPERATORS, dict(zip(world.SETUP_OPERATORS, limits)), steps)
    for op, limit in zip(world.SETUP_OPERATORS, limits):
        assert limit is None or report.committed[op] <= limit
