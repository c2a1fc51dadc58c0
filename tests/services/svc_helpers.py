"""Shared helpers for the Services tests: a fast dev chain with USDC/WETH assets, operators that
joined MultiAssetDelegation with delegations, a two-job blueprint, and dispatch/assert helpers."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import DispatchError, GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.genesis import UNIT

from pallets.services.crypto import dev_private_key, public_key, sign

ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"))
SVC = "Services"
MAD = "MultiAssetDelegation"
TNT = {"Custom": 0}
USDC_ID, WETH_ID = 1, 2
USDC = {"Custom": USDC_ID}
WETH = {"Custom": WETH_ID}
DEV = ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie")


def make_rt(profile: str = "intended", **overrides: Any) -> Runtime:
    """A dev chain with 10-block rounds and two sufficient assets (USDC id 1, WETH id 2) held by every dev account."""
    assets = [
        {"id": USDC_ID, "min_balance": 1, "name": "USD Coin", "symbol": "USDC", "decimals": 6, "balances": {n: 1_000_000 * 10**6 for n in DEV}},
        {"id": WETH_ID, "min_balance": 1, "name": "Wrapped Ether", "symbol": "WETH", "decimals": 18, "balances": {n: 1_000 * UNIT for n in DEV}},
    ]
    base: dict[str, Any] = {"session_length": 10, "assets": assets, "profile": profile}
    base.update(overrides)
    return Runtime(GenesisConfig.dev(**base))


def svc(rt: Runtime, who: str, call: str, **params: Any):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, SVC, call, params)


def slasher(rt: Runtime, blueprint_id: int = 0) -> str:
    """Who may slash and dispute under the default manager: the blueprint owner (intended), the
    manager contract's mapped account under real (quirk ``services.default_manager_names_itself``)."""
    from runtime.accounts import evm_to_account

    pallet = rt.pallets[SVC]
    owner, bp = pallet.storage.Blueprints.get(blueprint_id)
    return evm_to_account(bp.manager_address) if pallet.ctx.quirk("services.default_manager_names_itself") else owner


def mad(rt: Runtime, who: str, call: str, **params: Any):  # type: ignore[no-untyped-def]
    return rt.dispatch(who, MAD, call, params)


def fails(rt: Runtime, error: str, who: str, call: str, pallet: str = SVC, **params: Any) -> DispatchError:
    """Dispatch, expect ``error`` by name, and check the failed call changed nothing."""
    root = rt.state_root()
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(who, pallet, call, params)
    assert exc.value.matches(error), f"expected {error}, got {exc.value.qualified_name}: {exc.value}"
    assert rt.state_root() == root
    return exc.value


def key_of(name: str) -> bytes:
    return public_key(dev_private_key(name))


def prefs(name: str, rpc: str = "") -> dict:
    return {"key": "0x" + key_of(name).hex(), "rpc_address": rpc or f"https://{name.lower()}.example:9944"}


def sign_as(name: str, message: bytes) -> str:
    return "0x" + sign(dev_private_key(name), message).hex()


def job(name: str, params: list, result: list, pricing: Any = None) -> dict:
    return {"metadata": {"name": name, "description": None}, "params": params, "result": result,
            "pricing_model": pricing if pricing is not None else {"PayOnce": {"amount": 0}}}


def blueprint(manager: str = "0x" + "21" * 20, jobs: list | None = None, registration_params: list | None = None,
              request_params: list | None = None, models: tuple = ("Fixed", "Dynamic"), revision: Any = "Latest") -> dict:
    """The pallet tests' "CGGMP21 TSS" blueprint: keygen(u8) -> List<u8> (PayOnce 100), sign(u64, List<u8>) -> List<u8> (PayOnce 200)."""
    if jobs is None:
        jobs = [job("keygen", ["Uint8"], [{"List": "Uint8"}], {"PayOnce": {"amount": 100}}),
                job("sign", ["Uint64", {"List": "Uint8"}], [{"List": "Uint8"}], {"PayOnce": {"amount": 200}})]
    return {"metadata": {"name": "CGGMP21 TSS", "description": "threshold signatures", "author": "Webb", "category": "tss",
                         "code_repository": None, "logo": None, "website": None, "license": "MIT"},
            "jobs": jobs, "registration_params": registration_params or [], "request_params": request_params or [],
            "manager": {"Evm": manager}, "master_manager_revision": revision, "sources": [],
            "supported_membership_models": list(models)}


def create_blueprint(rt: Runtime, owner: str = "Alice", **kw: Any) -> int:
    bid = rt.pallets[SVC].storage.NextBlueprintId.value()
    svc(rt, owner, "create_blueprint", blueprint=blueprint(**kw))
    return bid


def join_operator(rt: Runtime, op: str, bond: int = 1_000 * UNIT, delegator: str = "Ferdie") -> None:
    """MAD ``join_operators`` and a delegator's USDC and WETH delegations to it (so approvals with those
    assets pass the stake check)."""
    mad(rt, op, "join_operators", bond_amount=bond)
    for asset, amount in ((USDC, 1_000 * 10**6), (WETH, 10 * UNIT)):
        mad(rt, delegator, "deposit", asset=asset, amount=amount, evm_address=None, lock_multiplier=None)
        mad(rt, delegator, "delegate", operator=rt.account(op), asset=asset, amount=amount, blueprint_selection="All")


def register(rt: Runtime, op: str, blueprint_id: int = 0, args: list | None = None, value: int = 0) -> None:
    svc(rt, op, "register", blueprint_id=blueprint_id, preferences=prefs(op), registration_args=args or [], value=value)


def join_and_register(rt: Runtime, op: str, blueprint_id: int = 0) -> None:
    join_operator(rt, op)
    register(rt, op, blueprint_id)


def requirement(asset: dict, lo: int, hi: int) -> dict:
    return {"asset": asset, "min_exposure_percent": lo, "max_exposure_percent": hi}


def commitment(asset: dict, pct: int) -> dict:
    return {"asset": asset, "exposure_percent": pct}


def request(rt: Runtime, owner: str, operators: list[str], blueprint_id: int = 0, requirements: list | None = None, value: int = 0,
            asset: dict | None = None, model: Any = None, callers: list | None = None, args: list | None = None, ttl: int = 100,
            evm_origin: str | None = None) -> int:
    rid = rt.pallets[SVC].storage.NextServiceRequestId.value()
    svc(rt, owner, "request", evm_origin=evm_origin, blueprint_id=blueprint_id, permitted_callers=[rt.account(c) for c in (callers or [])],
        operators=[rt.account(o) for o in operators], request_args=args or [],
        asset_security_requirements=requirements if requirements is not None else [requirement(TNT, 10, 20), requirement(WETH, 10, 20)],
        ttl=ttl, payment_asset=asset or TNT, value=value, membership_model=model or {"Fixed": {"min_operators": len(operators)}})
    return rid


DEFAULT_COMMITMENTS = [commitment(TNT, 10), commitment(WETH, 10)]


def approve(rt: Runtime, op: str, request_id: int, commitments: list | None = None):  # type: ignore[no-untyped-def]
    return svc(rt, op, "approve", request_id=request_id, security_commitments=commitments if commitments is not None else DEFAULT_COMMITMENTS)


def deploy(rt: Runtime, operators: tuple[str, ...] = ("Bob",), owner: str = "Eve", callers: tuple[str, ...] = ("Alice",), **kw: Any) -> int:
    """Blueprint 0 by Alice, the operators registered, ``owner`` requests and every operator approves: returns the service id."""
    if not rt.pallets[SVC].storage.Blueprints.contains(0):
        create_blueprint(rt)
    for op in operators:
        if rt.pallets[MAD].storage.Operators.get(rt.account(op)) is None:
            join_operator(rt, op)
        if not rt.pallets[SVC].storage.Operators.contains((0, rt.account(op))):
            register(rt, op)
    sid = rt.pallets[SVC].storage.NextInstanceId.value()
    rid = request(rt, owner, list(operators), callers=list(callers), **kw)
    for op in operators:
        approve(rt, op, rid)
    assert rt.pallets[SVC].storage.Instances.contains(sid)
    return sid


def names(receipt: Any, pallet: str = SVC) -> list[str]:
    return [e.spec.name for e in receipt.triggered_events if e.spec.pallet == pallet]


def storage(rt: Runtime) -> Any:
    return rt.pallets[SVC].storage




# ------------------------------------------------------------------ a manager whose hooks can be told to refuse
from pallets.services.manager import BlueprintServiceManager, HookFailure, Revert  # noqa: E402

HOOKS = ("on_blueprint_created", "on_register", "on_unregister", "on_update_rpc_address", "on_request", "on_approve", "on_reject",
         "on_service_initialized", "on_service_termination", "on_job_call", "on_job_result", "can_join", "on_operator_joined",
         "can_leave", "on_operator_left", "query_slashing_origin", "query_dispute_origin", "get_heartbeat_interval",
         "get_heartbeat_threshold", "get_slashing_window")
MANAGER = "0x" + "21" * 20


class ScriptedManager(BlueprintServiceManager):
    """Every hook records its call and then refuses (Revert), fails (HookFailure), answers False, or
    behaves as the default, as the test says (``refuse``, ``fail``, ``false`` sets of hook names;
    ``answers`` overrides the value a hook returns)."""

    def __init__(self) -> None:
        self.refuse: set[str] = set()
        self.fail: set[str] = set()
        self.false: set[str] = set()
        self.answers: dict[str, Any] = {}
        self.calls: list[tuple[str, tuple]] = []


def _scripted(name: str):  # type: ignore[no-untyped-def]
    base = getattr(BlueprintServiceManager, name)

    def hook(self: ScriptedManager, *args: Any) -> Any:
        self.calls.append((name, args))
        if name in self.refuse:
            raise Revert(f"{name} refused")
        if name in self.fail:
            raise HookFailure(f"{name} ran out of gas")
        if name in self.false:
            return False
        if name in self.answers:
            return self.answers[name]
        return base(self, *args)

    hook.__name__ = name
    return hook


for _name in HOOKS:
    setattr(ScriptedManager, _name, _scripted(_name))


def scripted(rt: Runtime, address: str = MANAGER) -> ScriptedManager:
    return rt.pallets[SVC].register_manager(address, ScriptedManager())  # type: ignore[return-value]
