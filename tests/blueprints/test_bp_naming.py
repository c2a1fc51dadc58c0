"""One naming wherever a person reads: read helpers resolve names as dispatch does and refuse
unknown ones; faults, results, reprs and timelines use names; amounts carry decimals and symbol."""

from __future__ import annotations

import re

import pytest

from blueprints import U64, Blueprint, BlueprintTestHarness, Faulty, Quorum, ServiceManager
from blueprints.amounts import format_amount, format_units
from blueprints.harness import tnt_and_usdc
from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.genesis import UNIT

SS58 = re.compile(r"\b5[1-9A-HJ-NP-Za-km-z]{47}\b")


def squaring() -> Blueprint:
    bp = Blueprint("naming-under-test", manager=lambda: ServiceManager(Quorum(2)), security=tnt_and_usdc())

    @bp.job(0)
    def square(x: U64) -> U64:
        return x * x

    return bp


def test_read_helpers_resolve_dev_names_exactly_as_dispatch_does() -> None:
    rt = Runtime.dev()
    bob = DEV_ACCOUNTS["Bob"]
    assert rt.free_balance("Bob") == rt.free_balance(bob) == rt.query("System", "Account", ["Bob"]).value["data"]["free"] > 0
    assert rt.free_balance("//Bob") == rt.free_balance("bob") == rt.free_balance(bob)
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "Bob", "value": 5 * UNIT})
    assert rt.free_balance("Bob") == rt.query("System", "Account", [bob]).value["data"]["free"]
    assert rt.reserved_balance("Bob") == 0


@pytest.mark.parametrize("helper", ["free_balance", "reserved_balance"])
def test_read_helpers_refuse_unknown_names_instead_of_reading_zero(helper: str) -> None:
    rt = Runtime.dev()
    with pytest.raises(ValueError, match="unknown account 'Bobb'"):
        getattr(rt, helper)("Bobb")


def test_asset_balance_resolves_names_and_refuses_unknown_ones() -> None:
    h = BlueprintTestHarness(squaring(), operators=1)
    assert h.rt.asset_balance(1, "Eve") == 1_000_000 * 10**6
    with pytest.raises(ValueError, match="Evee"):
        h.rt.asset_balance(1, "Evee")
    with pytest.raises(ValueError, match="Bobb"):
        h.operator_stake("Bobb")


def test_faults_and_results_name_operators_the_same_way_with_the_address_at_hand() -> None:
    h = BlueprintTestHarness(squaring(), operators=4, behaviours={"Operator4": Faulty(1.0)})
    out = h.call_job(0, 6)
    assert set(out.results) == {"Bob", "Charlie", "Dave", "Operator4"}
    (fault,) = h.manager.faults()
    assert fault.operator == "Operator4" and fault.operator in out.results
    assert fault.account == out.account("Operator4") == h.operator("Operator4").account
    assert h.manager.faults(operator="Operator4") == [fault] and h.manager.faults(operator="Bob") == []
    assert out.account("Bob") == DEV_ACCOUNTS["Bob"]


def test_job_outcome_repr_is_short_and_readable() -> None:
    h = BlueprintTestHarness(squaring(), operators=3, behaviours={"Dave": Faulty(1.0)})
    out = h.call_job(0, 3)
    text = repr(out)
    assert text.startswith("JobOutcome(call 0, job 0, result=9 (final)") and "Bob: 9" in text
    assert not SS58.search(text) and "Field" not in text and "EventRecord" not in text and len(text) < 200


def test_timeline_names_accounts_and_formats_every_amount() -> None:
    h = BlueprintTestHarness(squaring(), operators=3, behaviours={"Dave": Faulty(1.0)})
    h.call_job(0, 3)
    h.report_faults(percent=10)
    h.advance_rounds(h.slash_defer_rounds())
    rows = h.timeline()
    text = "\n".join(t for _, _, t in rows)
    assert "Ferdie delegated 10,000 USDC to Bob" in text
    assert "Dave lost 100 TNT of self-stake" in text and "delegator Ferdie lost 1,000 USDC" in text
    assert "base units" not in text and "of asset" not in text and not SS58.search(text)


def test_amounts_keep_every_digit_and_unknown_assets_stay_in_base_units() -> None:
    assert format_units(1_000 * 10**6, 6, "USDC") == "1,000 USDC"
    assert format_units(1, 6, "USDC") == "0.000001 USDC" and format_units(-15 * 10**17, 18, "TNT") == "-1.5 TNT"
    rt = Runtime.dev()
    assert format_amount(rt, 0, 10**18) == "1 TNT"
    assert format_amount(rt, 777, 5) == "5 base units of asset 777"
