"""CheckNominatedRestaked looks through the wrappers that now exist: an unbond that would uncover
restaked nominations is an invalid transaction whether it is sent directly, inside a Utility batch,
through Proxy.proxy, or as a batch inside a proxy (and a proxy inside a batch). Wrappers the
extension does not inspect (multisig, as_derivative) are shown too: there the unbond reaches Staking."""

from __future__ import annotations

import pytest

from runtime import GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.errors import InvalidTransaction
from tests.utility.gov_helpers import UNIT, c

DAVE = DEV_ACCOUNTS["Dave"]


def unbond(value: int) -> dict:
    return c("Staking", "unbond", value=value)


@pytest.fixture(params=["intended", "real"])
def rt(request: pytest.FixtureRequest) -> Runtime:
    """Dave bonds 100 TNT and restakes 40 of it with operator Bob: unbonding more than 60 would uncover it."""
    rt = Runtime(GenesisConfig.dev(session_length=10, profile=request.param))
    rt.dispatch("Bob", "MultiAssetDelegation", "join_operators", {"bond_amount": 10 * UNIT})
    rt.dispatch("Dave", "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"})
    rt.dispatch("Dave", "MultiAssetDelegation", "delegate_nomination", {"operator": "Bob", "amount": 40 * UNIT, "blueprint_selection": {"Fixed": [1]}})
    rt.dispatch("Dave", "Proxy", "add_proxy", {"delegate": "Eve", "proxy_type": "Staking", "delay": 0})
    rt.dispatch("Dave", "Proxy", "add_proxy", {"delegate": "Ferdie", "proxy_type": "Any", "delay": 0})
    return rt


def refused(rt: Runtime, origin: str, module: str, function: str, params: dict) -> None:
    root, n_calls = rt.state_root(), len(rt.call_log)
    with pytest.raises(InvalidTransaction) as exc:
        rt.dispatch(origin, module, function, params)
    assert exc.value.custom == 1
    assert rt.state_root() == root and len(rt.call_log) == n_calls  # no receipt, no fee, no nonce


def unbonding(rt: Runtime) -> int:
    return sum(chunk.value for chunk in rt.query("Staking", "Ledger", ["Dave"]).raw.unlocking)


def test_direct(rt: Runtime) -> None:
    refused(rt, "Dave", "Staking", "unbond", {"value": 61 * UNIT})
    rt.dispatch("Dave", "Staking", "unbond", {"value": 50 * UNIT})
    assert unbonding(rt) == 50 * UNIT


@pytest.mark.parametrize("batch", ["batch", "batch_all", "force_batch"])
def test_inside_a_utility_batch(rt: Runtime, batch: str) -> None:
    refused(rt, "Dave", "Utility", batch, {"calls": [c("System", "remark", remark="0x00"), unbond(61 * UNIT)]})
    rt.dispatch("Dave", "Utility", batch, {"calls": [unbond(20 * UNIT), unbond(20 * UNIT)]})
    assert unbonding(rt) == 40 * UNIT


def test_inside_proxy_proxy(rt: Runtime) -> None:
    """The real account's restaked stake is checked, whoever signs."""
    refused(rt, "Eve", "Proxy", "proxy", {"real": "Dave", "force_proxy_type": None, "call": unbond(61 * UNIT)})
    r = rt.dispatch("Eve", "Proxy", "proxy", {"real": "Dave", "force_proxy_type": None, "call": unbond(30 * UNIT)})
    assert r.triggered_events[-1].matches("ProxyExecuted", result=None) and unbonding(rt) == 30 * UNIT


def test_batch_inside_a_proxy(rt: Runtime) -> None:
    inner = c("Utility", "batch_all", calls=[unbond(10 * UNIT), unbond(61 * UNIT)])
    refused(rt, "Ferdie", "Proxy", "proxy", {"real": "Dave", "force_proxy_type": None, "call": inner})
    ok = c("Utility", "batch", calls=[unbond(10 * UNIT), unbond(10 * UNIT)])
    rt.dispatch("Ferdie", "Proxy", "proxy", {"real": "Dave", "force_proxy_type": None, "call": ok})
    assert unbonding(rt) == 20 * UNIT


def test_proxy_inside_a_batch(rt: Runtime) -> None:
    inner = c("Proxy", "proxy", real="Dave", force_proxy_type=None, call=unbond(61 * UNIT))
    refused(rt, "Ferdie", "Utility", "batch", {"calls": [inner]})


def test_wrappers_the_extension_does_not_inspect(rt: Runtime) -> None:
    """Multisig and as_derivative are not looked through (delegation_lst_rewards.md §1.9): a 1-of-2
    multisig that bonded and restaked can unbond past its nominations."""
    from pallets.multisig import multi_account_id
    from runtime.accounts import account_bytes

    sigs = tuple(sorted((DEV_ACCOUNTS["Alice"], DAVE), key=account_bytes))
    ms = multi_account_id(sigs, 1)
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": ms, "value": 200 * UNIT})
    via = lambda call: {"other_signatories": [DAVE], "call": call}  # noqa: E731
    rt.dispatch("Alice", "Multisig", "as_multi_threshold_1", via(c("Staking", "bond", value=100 * UNIT, payee="Staked")))
    rt.dispatch("Alice", "Multisig", "as_multi_threshold_1", via(c("MultiAssetDelegation", "delegate_nomination", operator="Bob", amount=40 * UNIT, blueprint_selection={"Fixed": [1]})))
    rt.dispatch("Alice", "Multisig", "as_multi_threshold_1", via(unbond(90 * UNIT)))
    ledger = rt.query("Staking", "Ledger", [ms]).raw
    assert ledger.active == 10 * UNIT  # below the 40 TNT still restaked: the gap the extension leaves
