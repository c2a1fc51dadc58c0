"""Sample call logs: one well-formed call for every call the simulator implements, and short real flows.

Why: encoding parity must cover every call, including pallets that land later, without anyone
writing a fixture per call. The simulator's own codecs say what each argument looks like, so a
value of the right shape can be generated for any argument (rotating enum variants and
``Some``/``None`` between samples). Dispatching the samples into a dev runtime records them in its
call log with their outcomes (often an error: the point is the encoding, not the effect). The
short flows (:func:`scenario_runtimes`) are realistic call sequences whose calls mostly succeed.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from runtime.accounts import DEV_ACCOUNTS
from runtime.calls import DispatchResultCodec, RuntimeCallCodec
from runtime.codec import (
    AccountIdCodec,
    BoolCodec,
    BytesCodec,
    Codec,
    EnumCodec,
    FixedBytesCodec,
    H160Codec,
    IntCodec,
    OptionCodec,
    ParamError,
    PerThingCodec,
    SetCodec,
    StructCodec,
    TextCodec,
    TupleCodec,
    UIntCodec,
    VecCodec,
    bind_pending,
)
from runtime.errors import InvalidTransaction, RuntimePanic, UnknownCall
from runtime.genesis import UNIT, GenesisConfig
from runtime.pallet import CallSpec
from runtime.runtime import Runtime

BOB = DEV_ACCOUNTS["Bob"]


class Unsampleable(TypeError):
    """No sample can be generated for this codec (a custom codec the sampler does not know)."""


def sample_value(codec: Codec, variant: int = 0, depth: int = 0) -> Any:
    """A value in compose_call's shape for ``codec``; ``variant`` picks enum variants and Some/None."""
    if depth > 6:
        raise Unsampleable(f"{codec.type_name}: nested too deep")
    if isinstance(codec, UIntCodec):
        return min(codec.max, 1 + variant)
    if isinstance(codec, IntCodec):
        return -1 - variant
    if isinstance(codec, BoolCodec):
        return variant % 2 == 0
    if isinstance(codec, PerThingCodec):
        return min(codec.max, 10)
    if isinstance(codec, TextCodec):
        return "sim"[: codec.max_len] if codec.max_len is not None else "tangle-sim"
    if isinstance(codec, BytesCodec):
        return "sim"[: codec.max_len] if codec.max_len is not None else "tangle-sim"
    if isinstance(codec, FixedBytesCodec):
        return "0x" + "ab" * codec.n
    if isinstance(codec, H160Codec):
        return "0x" + "12" * 20
    if isinstance(codec, AccountIdCodec):
        return BOB
    if isinstance(codec, OptionCodec):
        return sample_value(codec.inner, variant, depth + 1) if variant % 2 == 0 else None
    if isinstance(codec, (VecCodec, SetCodec)):
        if variant % 2 == 1 or codec.max_len == 0:
            return []
        return [sample_value(codec.inner, variant, depth + 1)]
    if isinstance(codec, TupleCodec):
        return [sample_value(c, variant, depth + 1) for c in codec.items]
    if isinstance(codec, StructCodec):
        if not codec._bound:
            codec._bind()
        return {name: sample_value(c, variant, depth + 1) for _, name, c in codec.fields}
    if isinstance(codec, EnumCodec):
        if not codec.cls.__variants__:
            bind_pending()
        names = list(codec.cls.__variants__)
        for offset in range(len(names)):
            name = names[(variant + offset) % len(names)]
            payload = codec.cls.__variants__[name]
            if payload is None:
                return name
            try:
                return {name: sample_value(payload, variant, depth + 1)}
            except Unsampleable:
                continue
        raise Unsampleable(f"{codec.type_name}: no variant can be sampled")
    if isinstance(codec, RuntimeCallCodec):
        return {"call_module": "System", "call_function": "remark_with_event", "call_args": {"remark": "bridge"}}
    if isinstance(codec, DispatchResultCodec):
        raise Unsampleable("a dispatch result is not a call argument")
    raise Unsampleable(f"no sample for {type(codec).__name__} ({codec.type_name})")


def sample_params(spec: CallSpec, variant: int = 0) -> dict[str, Any]:
    """One params dict for ``spec`` (raises :class:`Unsampleable` if an argument has no sample)."""
    return {name: sample_value(codec, variant) for name, codec in zip(spec.arg_names, spec.codecs)}


def sweep_runtime(rt: Runtime | None = None, *, variants: int = 2, origins: tuple[str, ...] = ("Alice", "root"), kind: str = "real") -> tuple[Runtime, list[str]]:
    """Dispatch ``variants`` samples of every ``kind`` call (real by default) from each origin.

    Returns the runtime (its call log holds every dispatched sample) and the calls that could not
    be sampled or were refused as bad input (``Pallet.call: why``)."""
    rt = rt if rt is not None else Runtime.dev()
    problems: list[str] = []
    for pallet, calls in rt.supported_calls(kind).items():
        for name in calls:
            spec = rt.call_spec(pallet, name)
            for v in range(variants):
                try:
                    params = sample_params(spec, v)
                except Unsampleable as exc:
                    problems.append(f"{pallet}.{name}: {exc}")
                    break
                for origin in origins:
                    try:
                        rt.dispatch(origin, pallet, name, params, raise_error=False)
                    except (ParamError, InvalidTransaction, UnknownCall) as exc:
                        problems.append(f"{pallet}.{name}: {exc}")
                    except RuntimePanic as exc:  # a simulator bug: report it, keep sweeping
                        problems.append(f"{pallet}.{name}: panic {exc}")
                rt.advance_blocks(1)
    return rt, problems


# ------------------------------------------------------------------------------------------ real flows

Step = tuple[str, str, str, dict[str, Any]]


Scenario = tuple[Runtime, list[str]]


def _run(rt: Runtime, steps: list[Step | int]) -> Scenario:
    """Dispatch steps (an int advances that many blocks). Dispatch errors are outcomes, recorded in
    the call log; bad input (a wrong argument name in a step) is returned as a problem."""
    problems = []
    for step in steps:
        if isinstance(step, int):
            rt.advance_blocks(step)
            continue
        origin, pallet, call, params = step
        if call not in rt.supported_calls().get(pallet, []):
            continue  # a pallet that has not landed (yet) in this tree
        try:
            rt.dispatch(origin, pallet, call, params, raise_error=False)
        except (ValueError, RuntimePanic) as exc:
            problems.append(f"{pallet}.{call}: {exc}")
    return rt, problems


def _dev(**overrides: Any) -> Runtime:
    assets = [{"id": 7, "min_balance": 1, "name": "USD Coin", "symbol": "USDC", "decimals": 6, "balances": {n: 10**12 for n in ("Alice", "Bob", "Charlie", "Dave")}}]
    return Runtime(GenesisConfig.dev(session_length=10, assets=assets, **overrides))


def balances_assets_flow() -> Scenario:
    A, B, C, D = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave"))
    return _run(_dev(), [
        (A, "Balances", "transfer_keep_alive", {"dest": B, "value": 100 * UNIT}),
        (B, "Balances", "transfer_allow_death", {"dest": C, "value": 10 * UNIT}),
        (B, "Balances", "transfer_keep_alive", {"dest": C, "value": 10**30}),
        ("root", "Balances", "force_set_balance", {"who": D, "new_free": 5 * UNIT}),
        ("root", "Assets", "force_create", {"id": 1, "owner": A, "is_sufficient": True, "min_balance": 1}),
        (A, "Assets", "set_metadata", {"id": 1, "name": "Tether", "symbol": "USDT", "decimals": 6}),
        (A, "Assets", "mint", {"id": 1, "beneficiary": D, "amount": 5_000 * 10**6}),
        2,
        (D, "Assets", "transfer", {"id": 1, "target": B, "amount": 1_000 * 10**6}),
        (D, "Assets", "approve_transfer", {"id": 1, "delegate": C, "amount": 10**6}),
        (C, "Assets", "transfer_approved", {"id": 1, "owner": D, "destination": C, "amount": 10**6}),
        (A, "Assets", "freeze", {"id": 1, "who": B}),
        (B, "Assets", "transfer", {"id": 1, "target": D, "amount": 1}),
        (A, "Assets", "create", {"id": 2, "admin": A, "min_balance": 10}),
        (A, "System", "remark_with_event", {"remark": "hello"}),
    ])


def delegation_flow() -> Scenario:
    A, B, C, D, E = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve"))
    mad = "MultiAssetDelegation"
    return _run(_dev(), [
        (B, mad, "join_operators", {"bond_amount": 10 * UNIT}),
        (C, mad, "join_operators", {"bond_amount": 1}),
        (D, mad, "deposit", {"asset": {"Custom": 0}, "amount": 50 * UNIT, "evm_address": None, "lock_multiplier": None}),
        (D, mad, "deposit", {"asset": {"Custom": 7}, "amount": 10**9, "evm_address": None, "lock_multiplier": "ThreeMonths"}),
        (D, mad, "delegate", {"operator": B, "asset": {"Custom": 0}, "amount": 20 * UNIT, "blueprint_selection": {"Fixed": [1, 2]}}),
        (D, mad, "delegate", {"operator": B, "asset": {"Custom": 7}, "amount": 10**6, "blueprint_selection": "All"}),
        (B, mad, "operator_bond_more", {"additional_bond": UNIT}),
        (B, mad, "add_blueprint_id", {"blueprint_id": 1}),
        (D, mad, "schedule_delegator_unstake", {"operator": B, "asset": {"Custom": 0}, "amount": 5 * UNIT}),
        (D, mad, "cancel_delegator_unstake", {"operator": B, "asset": {"Custom": 0}, "amount": 5 * UNIT}),
        (D, mad, "schedule_withdraw", {"asset": {"Custom": 0}, "amount": 10 * UNIT}),
        (B, mad, "go_offline", {}),
        (B, mad, "go_online", {}),
        (B, mad, "schedule_operator_unstake", {"unstake_amount": UNIT}),
        35,
        (B, mad, "execute_operator_unstake", {}),
        (D, mad, "execute_withdraw", {"evm_address": None}),
        (E, "Staking", "bond", {"value": 100 * UNIT, "payee": "Staked"}),
        (E, "Staking", "nominate", {"targets": [A]}),
        (E, mad, "delegate_nomination", {"operator": B, "amount": 10 * UNIT, "blueprint_selection": {"Fixed": [1]}}),
        (B, mad, "schedule_leave_operators", {}),
        (B, mad, "cancel_leave_operators", {}),
    ])


def staking_lst_flow() -> Scenario:
    A, B, C, D, E, F = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"))
    return _run(_dev(), [
        (B, "Staking", "bond", {"value": 1_000 * UNIT, "payee": "Stash"}),
        (B, "Staking", "validate", {"prefs": {"commission": 50_000_000, "blocked": False}}),
        (C, "Staking", "bond", {"value": 500 * UNIT, "payee": {"Account": D}}),
        (C, "Staking", "nominate", {"targets": [A, B]}),
        (C, "Staking", "bond_extra", {"max_additional": 10 * UNIT}),
        (D, "Lst", "create", {"amount": 10 * UNIT, "root": E, "nominator": F, "bouncer": C, "name": "tgTNT", "icon": None}),
        (E, "Lst", "join", {"amount": 5 * UNIT, "pool_id": 1}),
        (F, "Lst", "nominate", {"pool_id": 1, "validators": [A]}),
        (E, "Lst", "set_commission", {"pool_id": 1, "new_commission": [10_000_000, E]}),
        (E, "Lst", "set_commission_max", {"pool_id": 1, "max_commission": 500_000_000}),
        (D, "Lst", "bond_extra", {"pool_id": 1, "extra": {"FreeBalance": UNIT}}),
        35,
        (C, "Staking", "unbond", {"value": 10 * UNIT}),
        (D, "Staking", "payout_stakers", {"validator_stash": A, "era": 0}),
        (E, "Lst", "unbond", {"member_account": E, "pool_id": 1, "unbonding_points": UNIT}),
        (E, "Lst", "set_state", {"pool_id": 1, "state": "Blocked"}),
        (C, "Staking", "chill", {}),
        (C, "Staking", "rebond", {"value": UNIT}),
    ])


def rewards_flow() -> Scenario:
    A, B, D = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Dave"))
    cfg = {"apy": 100_000_000, "deposit_cap": 1_000_000 * UNIT, "incentive_cap": 0, "boost_multiplier": None}
    return _run(_dev(), [
        ("root", "Rewards", "create_reward_vault", {"vault_id": 1, "new_config": cfg}),
        ("root", "Rewards", "manage_asset_reward_vault", {"vault_id": 1, "asset": {"Custom": 0}, "action": "Add"}),
        ("root", "Rewards", "set_vault_metadata", {"vault_id": 1, "name": "TNT vault", "logo": "logo"}),
        (B, "MultiAssetDelegation", "join_operators", {"bond_amount": 10 * UNIT}),
        (D, "MultiAssetDelegation", "deposit", {"asset": {"Custom": 0}, "amount": 50 * UNIT, "evm_address": None, "lock_multiplier": "OneMonth"}),
        (D, "MultiAssetDelegation", "delegate", {"operator": B, "asset": {"Custom": 0}, "amount": 20 * UNIT, "blueprint_selection": "All"}),
        20,
        (D, "Rewards", "claim_rewards", {}),
        (A, "Rewards", "claim_rewards_other", {"who": D, "asset": {"Custom": 0}}),
        ("root", "Rewards", "update_apy_blocks", {"blocks": 100}),
        ("root", "Rewards", "remove_vault_metadata", {"vault_id": 1}),
    ])


def operator_key(name: str) -> str:
    """The 65-byte uncompressed ECDSA key a dev operator registers with (Services' dev keys)."""
    from pallets.services.crypto import dev_private_key, public_key

    return "0x" + public_key(dev_private_key(name)).hex()


def services_blueprint() -> dict[str, Any]:
    """A two-job blueprint: keygen(u8) -> List<u8> (PayOnce 100), sign(u64, List<u8>) -> List<u8>."""

    def job(name: str, params: list, pay: int) -> dict[str, Any]:
        return {"metadata": {"name": name, "description": None}, "params": params, "result": [{"List": "Uint8"}], "pricing_model": {"PayOnce": {"amount": pay}}}

    return {
        "metadata": {"name": "CGGMP21 TSS", "description": "threshold signatures", "author": "tangle-sim", "category": "tss",
                     "code_repository": None, "logo": None, "website": None, "license": "MIT"},
        "jobs": [job("keygen", ["Uint8"], 100), job("sign", ["Uint64", {"List": "Uint8"}], 200)],
        "registration_params": [], "request_params": [], "manager": {"Evm": "0x" + "21" * 20},
        "master_manager_revision": "Latest", "sources": [], "supported_membership_models": ["Fixed", "Dynamic"],
    }


def services_flow() -> Scenario:
    """Blueprint, two operators registered, a service requested, approved, called, answered, terminated."""
    A, B, C, E = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Eve"))
    rt = _dev()
    if "Services" not in rt.pallets:
        return rt, []
    mad, svc = "MultiAssetDelegation", "Services"
    tnt = {"Custom": 0}
    return _run(rt, [
        (A, svc, "create_blueprint", {"blueprint": services_blueprint()}),
        (B, mad, "join_operators", {"bond_amount": 1_000 * UNIT}),
        (C, mad, "join_operators", {"bond_amount": 1_000 * UNIT}),
        (B, svc, "register", {"blueprint_id": 0, "preferences": {"key": operator_key("Bob"), "rpc_address": "https://bob.example:9944"}, "registration_args": [], "value": 0}),
        (C, svc, "register", {"blueprint_id": 0, "preferences": {"key": operator_key("Charlie"), "rpc_address": "https://charlie.example:9944"}, "registration_args": [], "value": 0}),
        (E, svc, "request", {"evm_origin": None, "blueprint_id": 0, "permitted_callers": [A], "operators": [B, C], "request_args": [],
                             "asset_security_requirements": [{"asset": tnt, "min_exposure_percent": 10, "max_exposure_percent": 20}],
                             "ttl": 100, "payment_asset": tnt, "value": 0, "membership_model": {"Fixed": {"min_operators": 2}}}),
        (B, svc, "approve", {"request_id": 0, "security_commitments": [{"asset": tnt, "exposure_percent": 10}]}),
        (C, svc, "approve", {"request_id": 0, "security_commitments": [{"asset": tnt, "exposure_percent": 15}]}),
        1,
        (A, svc, "call", {"service_id": 0, "job": 0, "args": [{"Uint8": 3}]}),
        (B, svc, "submit_result", {"service_id": 0, "call_id": 0, "result": [{"List": ["Uint8", [{"Uint8": 1}, {"Uint8": 2}]]}]}),
        (C, svc, "submit_result", {"service_id": 0, "call_id": 7, "result": []}),
        (B, svc, "update_rpc_address", {"blueprint_id": 0, "rpc_address": "https://bob2.example:9944"}),
        (E, svc, "terminate", {"service_id": 0}),
        (C, svc, "unregister", {"blueprint_id": 0}),
    ])


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "services": services_flow,
    "balances_assets": balances_assets_flow,
    "delegation": delegation_flow,
    "staking_lst": staking_lst_flow,
    "rewards": rewards_flow,
}


def scenario_runtimes() -> Iterator[tuple[str, Runtime, list[str]]]:
    """Run every scenario: (name, runtime whose call log the encoding and replay tests use, problems)."""
    for name, build in SCENARIOS.items():
        rt, problems = build()
        yield name, rt, problems
