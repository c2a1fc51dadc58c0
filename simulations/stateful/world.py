"""The world every example of :class:`~simulations.stateful.RuntimeMachine` starts from.

A genesis with short clocks (5-block rounds, 2-round eras, small MAD/Staking/Services delays and
request expiry) so that deferred things (unstakes, withdrawals, slashes, expiries, eras) happen
within a 50-step run, an asset every dev account holds, and a few setup calls dispatched through
``rt.dispatch`` (so they are in the call log and a saved failure replays): three operators joined
and registered on a default blueprint, a delegator (TNT to Bob for every blueprint, USDC to
Charlie for blueprint 0), a second validator (Charlie; Alice, the genesis validator, is
invulnerable), a rewards vault, a running service (Bob and Charlie on blueprint 0), a paid request
still pending (Dave), and one Lst pool.

Everything else is left to the rules, so Hypothesis can shrink it away.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pallets.services.crypto import dev_private_key, public_key
from runtime import GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS, DEV_NAMES, derive_account

UNIT = 10**18
TNT: dict[str, int] = {"Custom": 0}
USDC_ID = 100
USDC: dict[str, int] = {"Custom": USDC_ID}
ASSET_BALANCE = 10**12
OPERATOR_BOND = 1_000 * UNIT

FRESH_ACCOUNTS: tuple[str, ...] = (derive_account("fresh-1"), derive_account("fresh-2"))
ACCOUNTS: tuple[str, ...] = tuple(DEV_ACCOUNTS[n] for n in DEV_NAMES) + FRESH_ACCOUNTS
SETUP_OPERATORS: tuple[str, ...] = tuple(DEV_ACCOUNTS[n] for n in ("Bob", "Charlie", "Dave"))
BLUEPRINT_OWNER = DEV_ACCOUNTS["Alice"]
POOL_DEPOSITOR = DEV_ACCOUNTS["Eve"]
DELEGATOR = DEV_ACCOUNTS["Ferdie"]
VALIDATOR = DEV_ACCOUNTS["Charlie"]
SERVICE_OWNER = DEV_ACCOUNTS["Eve"]
VAULT_ID = 1
VAULT_CONFIG: dict[str, int] = {"apy": 100_000_000, "incentive_cap": 0, "deposit_cap": 10**30, "boost_multiplier": 1}

GENESIS: dict[str, Any] = {
    "session_length": 5,
    "sessions_per_era": 2,
    "assets": [{"id": USDC_ID, "owner": "Alice", "min_balance": 1, "name": "USD Coin", "symbol": "USDC", "decimals": 6,
                "balances": {n: ASSET_BALANCE for n in DEV_NAMES}}],
    "extensions": {"request_expiry_blocks": 20},
    # Alice (the genesis validator) is invulnerable; room for three more elected validators, which can be slashed
    "staking": {"validators": [{"stash": "Alice", "bond": 100 * UNIT}], "validator_count": 4},
    "constants": {
        "MultiAssetDelegation": {"LeaveOperatorsDelay": 2, "OperatorBondLessDelay": 1, "LeaveDelegatorsDelay": 1, "DelegationBondLessDelay": 1},
        "Services": {"SlashDeferDuration": 6},
        "Staking": {"BondingDuration": 2, "SlashDeferDuration": 1},
    },
}
"""The machine's genesis (``GenesisConfig.dev`` overrides)."""


def default_blueprint() -> dict[str, Any]:
    """Blueprint 0: ``keygen(u8) -> List<u8>`` (free) and ``sign(u64, List<u8>) -> List<u8>``
    (PayOnce 1 TNT), Fixed and Dynamic membership, the default service manager."""
    def job(name: str, params: list, result: list, amount: int) -> dict[str, Any]:
        return {"metadata": {"name": name, "description": None}, "params": params, "result": result, "pricing_model": {"PayOnce": {"amount": amount}}}

    return {"metadata": {"name": "stress", "description": None, "author": "tangle-sim", "category": "stress", "code_repository": None,
                         "logo": None, "website": None, "license": "MIT"},
            "jobs": [job("keygen", ["Uint8"], [{"List": "Uint8"}], 0), job("sign", ["Uint64", {"List": "Uint8"}], [{"List": "Uint8"}], UNIT)],
            "registration_params": [], "request_params": [], "manager": {"Evm": "0x" + "00" * 20}, "master_manager_revision": "Latest",
            "sources": [], "supported_membership_models": ["Fixed", "Dynamic"]}


@lru_cache(maxsize=None)
def operator_key(account: str) -> str:
    """The ECDSA key an operator registers with (deterministic per account)."""
    return "0x" + public_key(dev_private_key(f"stateful/{account}")).hex()


def operator_preferences(account: str) -> dict[str, str]:
    return {"key": operator_key(account), "rpc_address": "https://operator.example:9944"}


def build_world(genesis: dict[str, Any] | None = None, *, services: bool = True) -> Runtime:
    """A runtime from ``genesis`` (default :data:`GENESIS`) with the setup calls dispatched;
    ``services=False`` leaves out the running service and the pending request (for tests that
    count an operator's instances from zero)."""
    rt = Runtime(GenesisConfig.dev(**(GENESIS if genesis is None else genesis)))
    for setup in SETUP_CALLS if services else tuple(c for c in SETUP_CALLS if c not in SERVICE_SETUP_CALLS):
        origin, module, function, params = setup(rt)
        rt.dispatch(origin, module, function, params)  # a failing setup call is a bug: raise
    return rt


def _request(operators: list[str], value: int) -> dict[str, Any]:
    return {"evm_origin": None, "blueprint_id": 0, "permitted_callers": [], "operators": operators, "request_args": [],
            "asset_security_requirements": [{"asset": TNT, "min_exposure_percent": 10, "max_exposure_percent": 50}], "ttl": 100,
            "payment_asset": TNT, "value": value, "membership_model": {"Fixed": {"min_operators": len(operators)}}}


def _approval(request_id: int) -> dict[str, Any]:
    return {"request_id": request_id, "security_commitments": [{"asset": TNT, "exposure_percent": 20}]}


def _join(op: str):  # type: ignore[no-untyped-def]
    return lambda rt: (op, "MultiAssetDelegation", "join_operators", {"bond_amount": OPERATOR_BOND})


def _register(op: str):  # type: ignore[no-untyped-def]
    return lambda rt: (op, "Services", "register", {"blueprint_id": 0, "preferences": operator_preferences(op), "registration_args": [], "value": 0})


SERVICE_SETUP_CALLS: tuple[Any, ...] = (
    lambda rt: (SERVICE_OWNER, "Services", "request", _request([SETUP_OPERATORS[0], SETUP_OPERATORS[1]], 0)),
    lambda rt: (SETUP_OPERATORS[0], "Services", "approve", _approval(0)),
    lambda rt: (SETUP_OPERATORS[1], "Services", "approve", _approval(0)),
    lambda rt: (SERVICE_OWNER, "Services", "request", _request([SETUP_OPERATORS[2]], UNIT)),
)
"""Setup calls that start service 0 and leave request 1 pending."""

SETUP_CALLS: tuple[Any, ...] = (
    *(_join(op) for op in SETUP_OPERATORS),
    lambda rt: (BLUEPRINT_OWNER, "Services", "create_blueprint", {"blueprint": default_blueprint()}),
    *(_register(op) for op in SETUP_OPERATORS),
    lambda rt: ("root", "Rewards", "create_reward_vault", {"vault_id": VAULT_ID, "new_config": VAULT_CONFIG}),
    lambda rt: ("root", "Rewards", "manage_asset_reward_vault", {"vault_id": VAULT_ID, "asset": USDC, "action": "Add"}),
    lambda rt: ("root", "Rewards", "update_apy_blocks", {"blocks": 5_256_000}),
    lambda rt: ("Alice", "Balances", "transfer_allow_death", {"dest": rt.pallets["Rewards"].vault_pot_account(VAULT_ID), "value": 10_000 * UNIT}),
    lambda rt: (DELEGATOR, "MultiAssetDelegation", "deposit", {"asset": TNT, "amount": 1_000 * UNIT, "evm_address": None, "lock_multiplier": None}),
    lambda rt: (DELEGATOR, "MultiAssetDelegation", "delegate", {"operator": SETUP_OPERATORS[0], "asset": TNT, "amount": 500 * UNIT, "blueprint_selection": "All"}),
    lambda rt: (DELEGATOR, "MultiAssetDelegation", "deposit", {"asset": USDC, "amount": 10**9, "evm_address": None, "lock_multiplier": None}),
    lambda rt: (DELEGATOR, "MultiAssetDelegation", "delegate", {"operator": SETUP_OPERATORS[1], "asset": USDC, "amount": 10**8, "blueprint_selection": {"Fixed": [0]}}),
    lambda rt: (VALIDATOR, "Staking", "bond", {"value": 1_000 * UNIT, "payee": "Staked"}),
    lambda rt: (VALIDATOR, "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}}),
    # a running service (id 0: Bob and Charlie) and a paid request still pending (id 1: Dave), so
    # slashes, disputes, job calls and expiry refunds are one step away from the start
    *SERVICE_SETUP_CALLS,
    lambda rt: (POOL_DEPOSITOR, "Lst", "create", {"amount": 10 * UNIT, "root": POOL_DEPOSITOR, "nominator": POOL_DEPOSITOR, "bouncer": POOL_DEPOSITOR,
                                                   "name": None, "icon": None}),
)
"""The setup calls, as functions of the runtime returning ``(origin, module, function, params)``."""
