"""MultiAssetDelegation operators: join, bond more/less, offline/online, leave, in rounds."""

from __future__ import annotations

import pytest

from mad_helpers import ALICE, BOB, CHARLIE, MAD, TNT, UNIT, delegate, delegator, deposit, fails, leaves_with_a_delegation, mad, make_rt, names, operator, reserved


@pytest.fixture
def rt():  # type: ignore[no-untyped-def]
    return make_rt()


def test_join_operators_reserves_bond_and_starts_active(rt) -> None:  # type: ignore[no-untyped-def]
    before = reserved(rt, "Bob")
    receipt = mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    assert names(receipt) == ["OperatorJoined"]
    assert receipt.event("OperatorJoined")["who"] == BOB
    op = operator(rt, "Bob")
    assert (op.stake, op.delegation_count, op.request, op.delegations, op.status.name) == (10 * UNIT, 0, None, (), "Active")
    assert reserved(rt, "Bob") == before + 10 * UNIT
    assert rt.pallets[MAD].is_operator(BOB) and rt.pallets[MAD].is_operator_active(BOB)
    assert rt.pallets[MAD].get_operator_stake(BOB) == 10 * UNIT


def test_join_operators_errors(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.BondTooLow", "Bob", "join_operators", bond_amount=99)
    mad(rt, "Bob", "join_operators", bond_amount=100)  # exactly the minimum (100 base units on testnet)
    fails(rt, "MultiAssetDelegation.AlreadyOperator", "Bob", "join_operators", bond_amount=10 * UNIT)
    fails(rt, "Balances.InsufficientBalance", "Charlie", "join_operators", bond_amount=2_000_000 * UNIT)
    fails(rt, "BadOrigin", "root", "join_operators", bond_amount=10 * UNIT)


def test_operator_bond_more(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "operator_bond_more", additional_bond=UNIT)
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    receipt = mad(rt, "Bob", "operator_bond_more", additional_bond=5 * UNIT)
    assert receipt.event("OperatorBondMore")["additional_bond"] == 5 * UNIT
    assert operator(rt, "Bob").stake == 15 * UNIT
    assert reserved(rt, "Bob") == 15 * UNIT
    fails(rt, "Balances.InsufficientBalance", "Bob", "operator_bond_more", additional_bond=2_000_000 * UNIT)
    fails(rt, "MultiAssetDelegation.StakeOverflow", "Bob", "operator_bond_more", additional_bond=(1 << 128) - 1)


def test_operator_unstake_flow_counts_rounds(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "schedule_operator_unstake", unstake_amount=UNIT)
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "execute_operator_unstake")
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "cancel_operator_unstake")
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    fails(rt, "MultiAssetDelegation.NoScheduledBondLess", "Bob", "execute_operator_unstake")
    fails(rt, "MultiAssetDelegation.NoScheduledBondLess", "Bob", "cancel_operator_unstake")
    fails(rt, "MultiAssetDelegation.UnstakeAmountTooLarge", "Bob", "schedule_operator_unstake", unstake_amount=11 * UNIT)
    fails(rt, "MultiAssetDelegation.InsufficientStakeRemaining", "Bob", "schedule_operator_unstake", unstake_amount=10 * UNIT - 99)
    receipt = mad(rt, "Bob", "schedule_operator_unstake", unstake_amount=4 * UNIT)
    assert receipt.event("OperatorBondLessScheduled")["unstake_amount"] == 4 * UNIT
    assert operator(rt, "Bob").request.request_time == rt.current_round
    fails(rt, "MultiAssetDelegation.PendingUnstakeRequestExists", "Bob", "schedule_operator_unstake", unstake_amount=UNIT)
    rt.advance_sessions(4)  # OperatorBondLessDelay = 5 rounds
    fails(rt, "MultiAssetDelegation.BondLessRequestNotSatisfied", "Bob", "execute_operator_unstake")
    rt.advance_sessions(1)
    mad(rt, "Bob", "execute_operator_unstake")
    assert operator(rt, "Bob").stake == 6 * UNIT and operator(rt, "Bob").request is None
    assert reserved(rt, "Bob") == 6 * UNIT


def test_cancel_operator_unstake(rt) -> None:  # type: ignore[no-untyped-def]
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    mad(rt, "Bob", "schedule_operator_unstake", unstake_amount=UNIT)
    receipt = mad(rt, "Bob", "cancel_operator_unstake")
    assert names(receipt) == ["OperatorBondLessCancelled"]
    assert operator(rt, "Bob").request is None and operator(rt, "Bob").stake == 10 * UNIT


def test_go_offline_and_online(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "go_offline")
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "go_online")
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    fails(rt, "MultiAssetDelegation.NotOfflineOperator", "Bob", "go_online")
    assert names(mad(rt, "Bob", "go_offline")) == ["OperatorWentOffline"]
    assert operator(rt, "Bob").status.name == "Inactive"
    assert not rt.pallets[MAD].is_operator_active(BOB)
    fails(rt, "MultiAssetDelegation.NotActiveOperator", "Bob", "go_offline")
    assert names(mad(rt, "Bob", "go_online")) == ["OperatorWentOnline"]
    assert operator(rt, "Bob").status.name == "Active"


class FakeServices:
    """A ServiceManager stand-in: which operators still run services or are registered on blueprints."""

    def __init__(self) -> None:
        self.active: set[str] = set()
        self.registered: set[str] = set()

    def get_active_services_count(self, operator: str) -> int:
        return int(operator in self.active)

    def get_active_blueprints_count(self, operator: str) -> int:
        return int(operator in self.registered)

    def can_exit(self, operator: str) -> bool:
        return operator not in self.active and operator not in self.registered

    def has_active_services(self, operator: str) -> bool:
        return operator in self.active

    def get_blueprints_by_operator(self, operator: str) -> list[int]:
        return [1] if operator in self.registered else []


def test_go_offline_refused_with_active_services(rt) -> None:  # type: ignore[no-untyped-def]
    services = FakeServices()
    rt.pallets[MAD].service_manager = services
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    services.active.add(BOB)
    fails(rt, "MultiAssetDelegation.CannotGoOfflineWithActiveServices", "Bob", "go_offline")
    services.active.clear()
    services.registered.add(BOB)  # registered blueprints do not block going offline
    mad(rt, "Bob", "go_offline")


def test_leave_state_machine(rt) -> None:  # type: ignore[no-untyped-def]
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "schedule_leave_operators")
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "cancel_leave_operators")
    fails(rt, "MultiAssetDelegation.NotAnOperator", "Bob", "execute_leave_operators")
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    fails(rt, "MultiAssetDelegation.NotLeavingOperator", "Bob", "cancel_leave_operators")
    fails(rt, "MultiAssetDelegation.NotLeavingOperator", "Bob", "execute_leave_operators")
    rt.advance_sessions(2)
    assert names(mad(rt, "Bob", "schedule_leave_operators")) == ["OperatorLeavingScheduled"]
    assert operator(rt, "Bob").status == operator(rt, "Bob").status.Leaving(2 + 10)
    fails(rt, "MultiAssetDelegation.AlreadyLeaving", "Bob", "schedule_leave_operators")
    assert names(mad(rt, "Bob", "cancel_leave_operators")) == ["OperatorLeaveCancelled"]
    assert operator(rt, "Bob").status.name == "Active"
    mad(rt, "Bob", "schedule_leave_operators")
    rt.advance_sessions(9)
    fails(rt, "MultiAssetDelegation.LeavingRoundNotReached", "Bob", "execute_leave_operators")
    rt.advance_sessions(1)
    free = rt.free_balance(BOB)
    assert names(mad(rt, "Bob", "execute_leave_operators")) == ["OperatorLeaveExecuted"]
    assert operator(rt, "Bob") is None
    assert reserved(rt, "Bob") == 0 and rt.free_balance(BOB) == free + 10 * UNIT


def test_schedule_leave_and_unstake_need_can_exit(rt) -> None:  # type: ignore[no-untyped-def]
    services = FakeServices()
    rt.pallets[MAD].service_manager = services
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    services.registered.add(BOB)
    fails(rt, "MultiAssetDelegation.CannotExit", "Bob", "schedule_leave_operators")
    fails(rt, "MultiAssetDelegation.CannotExit", "Bob", "schedule_operator_unstake", unstake_amount=UNIT)


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_execute_leave_with_services_started_after_scheduling(profile: str) -> None:
    """operator_exit_guard: intended refuses to finish leaving while services run (CannotExit); real does not re-check."""
    rt = make_rt(profile)
    services = FakeServices()
    rt.pallets[MAD].service_manager = services
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    mad(rt, "Bob", "schedule_leave_operators")
    services.active.add(BOB)  # e.g. a service approved while leaving
    rt.advance_sessions(10)
    if profile == "intended":
        fails(rt, "MultiAssetDelegation.CannotExit", "Bob", "execute_leave_operators")
        services.active.clear()
    mad(rt, "Bob", "execute_leave_operators")
    assert operator(rt, "Bob") is None


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_cancel_leave_after_going_offline(profile: str) -> None:
    """Real: cancel_leave_operators always sets Active (mad.cancel_leave_sets_active); intended restores Inactive."""
    rt = make_rt(profile)
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    mad(rt, "Bob", "go_offline")
    mad(rt, "Bob", "schedule_leave_operators")
    mad(rt, "Bob", "cancel_leave_operators")
    assert operator(rt, "Bob").status.name == ("Active" if profile == "real" else "Inactive")


def test_round_change_snapshots_every_operator(rt) -> None:  # type: ignore[no-untyped-def]
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    mad(rt, "Alice", "join_operators", bond_amount=20 * UNIT)
    deposit(rt, "Charlie", TNT, 5 * UNIT)
    delegate(rt, "Charlie", "Bob", TNT, 3 * UNIT)
    assert rt.pallets[MAD].get_current_round() == rt.current_session == 0
    rt.advance_sessions(1)
    assert rt.pallets[MAD].get_current_round() == rt.current_session == 1
    at = rt.pallets[MAD].storage.AtStake
    snap = at.get((1, BOB))
    assert snap.stake == 10 * UNIT
    assert [(b.delegator, b.amount) for b in snap.delegations] == [(CHARLIE, 3 * UNIT)]
    assert at.get((1, ALICE)).stake == 20 * UNIT and at.get((1, ALICE)).delegations == ()
    assert at.get((0, BOB)) is None  # Bob joined during round 0, after its snapshot


def test_snapshot_keeps_full_amounts_while_an_unstake_is_pending(rt) -> None:  # type: ignore[no-untyped-def]
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    deposit(rt, "Charlie", TNT, 5 * UNIT)
    delegate(rt, "Charlie", "Bob", TNT, 5 * UNIT)
    mad(rt, "Charlie", "schedule_delegator_unstake", operator=BOB, asset=TNT, amount=2 * UNIT)
    rt.advance_sessions(1)
    snap = rt.pallets[MAD].storage.AtStake.get((1, BOB))
    assert [b.amount for b in snap.delegations] == [5 * UNIT]
    rt.advance_sessions(5)
    mad(rt, "Charlie", "execute_delegator_unstake")
    rt.advance_sessions(1)
    assert [b.amount for b in rt.pallets[MAD].storage.AtStake.get((7, BOB)).delegations] == [3 * UNIT]


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_rejoining_operator_counts_the_delegations_still_pointing_at_it(profile: str) -> None:
    """Found by the stress kit: Charlie delegates to Bob, Bob leaves, Charlie does not unstake, Bob
    joins again. Intended: Bob's new record counts Charlie's delegation (it is still delegated to
    him, and slashable through him). Real (mad.rejoin_forgets_delegations): Bob starts with none."""
    rt = make_rt(profile)
    leaves_with_a_delegation(rt, deposited=5 * UNIT, delegated=3 * UNIT)
    assert operator(rt, "Bob") is None and delegator(rt, "Charlie").delegations[0].operator == BOB
    mad(rt, "Bob", "join_operators", bond_amount=10 * UNIT)
    op = operator(rt, "Bob")
    if profile == "intended":
        assert [(b.delegator, b.amount) for b in op.delegations] == [(CHARLIE, 3 * UNIT)] and op.delegation_count == 1
    else:
        assert op.delegations == () and op.delegation_count == 0
