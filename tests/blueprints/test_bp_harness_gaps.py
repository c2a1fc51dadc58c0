"""Harness gaps: dynamic membership helpers, errors naming the operator and the keyword, unknown
operators in behaviours refused, permission errors that say what is missing, clear operator
lookup errors, events and results as DataFrames."""

from __future__ import annotations

import pytest

from blueprints import U8, U64, Blueprint, BlueprintTestHarness, Faulty, Offline, Quorum, ServiceManager
from blueprints.harness import UnknownOperator
from blueprints.values import ValueMismatch
from runtime import DispatchError


def squaring(membership=("Fixed",), **kw) -> Blueprint:  # type: ignore[no-untyped-def]
    bp = Blueprint("gaps", manager=lambda: ServiceManager(Quorum(2)), membership=membership, **kw)

    @bp.job(0)
    def square(x: U64) -> U64:
        return x * x

    return bp


def test_join_and_leave_service_change_who_answers() -> None:
    h = BlueprintTestHarness(squaring(("Dynamic",)), operators=3, standby=["Operator4"])
    assert h.members() == ["Bob", "Charlie", "Dave"] and set(h.call_job(0, 2).results) == {"Bob", "Charlie", "Dave"}
    h.join_service("Operator4")
    assert "Operator4" in h.members() and set(h.call_job(0, 3).results) == {"Bob", "Charlie", "Dave", "Operator4"}
    h.leave_service("Charlie")
    assert h.members() == ["Bob", "Dave", "Operator4"] and set(h.call_job(0, 4).results) == {"Bob", "Dave", "Operator4"}
    with pytest.raises(DispatchError, match="Services.TooFewOperators"):
        h.leave_service("Bob")  # the service started with three: it keeps at least three


def test_fixed_membership_refuses_join_with_the_pallets_error() -> None:
    h = BlueprintTestHarness(squaring(), operators=2, standby=1)
    with pytest.raises(DispatchError, match="Services.DynamicMembershipNotSupported"):
        h.join_service("Dave")


def test_missing_registration_args_name_the_operator_and_the_keyword() -> None:
    bp = squaring(registration_params=[U8])
    with pytest.raises(ValueMismatch) as info:
        BlueprintTestHarness(bp, operators=2, registration_args={"Bob": [1]})
    text = str(info.value)
    assert "expected 1 values, got 0 for operator Charlie" in text
    assert "registration_args=[...]" in text and "registration_args={'Charlie': [...]}" in text


def test_unknown_operators_in_behaviours_are_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown operator\(s\) 'Operator9'; the operators are Bob, Charlie, Dave"):
        BlueprintTestHarness(squaring(), operators=3, behaviours={"Operator9": Faulty(1.0)})
    with pytest.raises(ValueError, match="4 behaviours for 3 operators"):
        BlueprintTestHarness(squaring(), operators=3, behaviours=[Offline()] * 4)
    with pytest.raises(TypeError, match=r"behaviours\['Bob'\] is not a Behaviour"):
        BlueprintTestHarness(squaring(), operators=3, behaviours={"Bob": "offline"})
    h = BlueprintTestHarness(squaring(), operators=3, behaviours={2: Offline()})
    assert "Dave" not in h.call_job(0, 2).results


def test_a_caller_that_is_not_permitted_is_told_so() -> None:
    h = BlueprintTestHarness(squaring(), operators=2)
    before = h.rt.state_root()
    with pytest.raises(DispatchError) as info:
        h.call_job(0, 2, caller="Ferdie")
    assert info.value.qualified_name == "BadOrigin"
    assert str(info.value) == ("BadOrigin: Ferdie is not a permitted caller of service 0: its owner Eve "
                               "(no other permitted callers) may call its jobs")
    assert h.rt.state_root() == before


def test_unknown_operator_lookup_lists_the_known_names() -> None:
    h = BlueprintTestHarness(squaring(), operators=3)
    with pytest.raises(KeyError) as info:
        h.operator("Dav")
    assert isinstance(info.value, UnknownOperator)
    assert str(info.value) == "no operator 'Dav' in this harness; its operators are Bob, Charlie, Dave"


def test_events_and_results_as_dataframes() -> None:
    h = BlueprintTestHarness(squaring(), operators=3, behaviours={"Dave": Faulty(1.0)})
    out = h.call_job(0, 7)
    results = h.results_frame()
    assert list(results.columns) == ["block", "call", "job", "operator", "account", "result", "accepted"]
    assert results.set_index("operator")["accepted"].to_dict() == {"Bob": True, "Charlie": True, "Dave": False}
    assert results[results.operator == "Bob"].result.item() == 49
    events = h.events_frame("Services")
    called = events[events.event == "JobCalled"]
    assert len(called) == 1 and called.caller.item() == "Eve" and called.call_id.item() == out.call_id
    assert called.text.item() == "Eve called job 0 (square) (call 0): 7"
