"""Build the chain a scenario starts from: accounts, the genesis config, and the setup calls.

Everything an actor does goes through ``rt.dispatch`` (setup included), so the call log of a run
replays to the same state root. Actor ids map to accounts: a dev name (``Alice``...) is the dev
account, anything else is ``derive_account("sim/<id>")`` (deterministic, no key derivation cost).
"""

from __future__ import annotations

from typing import Any

from runtime import GenesisConfig, Runtime
from runtime.genesis import UNIT

from pallets.treasury import treasury_account
from simulations.lab.actors import Actors, SetupError, runtime_pallets
from simulations.lab.services import setup_services
from simulations.scenario import MAX_AMOUNT, NATIVE_SYMBOL, Scenario

TREASURY = treasury_account()
NATIVE = {"Custom": 0}
RESERVE = 1_000 * UNIT  # free TNT every actor gets on top of what it bonds (fees, deposits, ED)


# the runtime constants a scenario sets through a plain ``parameters`` field (not ``constants``):
# an error on the constant names the field the user wrote (and its --param)
CONSTANT_SOURCES = {"constants.Services.SlashDeferDuration": "slash_defer_duration",
                    "constants.Staking.SlashDeferDuration": "staking_slash_defer_duration",
                    "constants.Staking.BondingDuration": "staking_bonding_duration"}


def constants_for(sc: Scenario, rule: str) -> dict[str, dict[str, Any]]:
    """Per-pallet constants of the run under ``rule``.

    The native queues are used only by their own rule: Services defers by ``slash_defer_duration``
    under ``tangle_services`` and by 0 otherwise (Python-modelled rules apply a due slash through
    ``Services.slash`` and the very next ``on_initialize``); Staking defers by
    ``staking_slash_defer_duration`` under ``substrate_staking`` and by 0 otherwise
    (``report_offence`` then applies at once).
    """
    p = sc.parameters
    have = runtime_pallets()
    consts: dict[str, dict[str, Any]] = {k: dict(v) for k, v in p.constants.items()}
    consts.setdefault("Staking", {})
    consts["Staking"].setdefault("BondingDuration", p.staking_bonding_duration)
    consts["Staking"]["SlashDeferDuration"] = p.staking_slash_defer_duration if rule == "substrate_staking" else 0
    if "Services" in have:
        consts.setdefault("Services", {})
        consts["Services"]["SlashDeferDuration"] = p.slash_defer_duration if rule == "tangle_services" else 0
    return consts


def extensions_for(sc: Scenario) -> dict[str, Any]:
    p = sc.parameters
    ext = dict(p.extensions)
    if p.request_expiry_blocks is not None:
        ext["request_expiry_blocks"] = p.request_expiry_blocks
    if p.instance_limits is not None:
        ext["instance_limits"] = p.instance_limits
    return ext


def build_actors(sc: Scenario) -> Actors:
    actors = Actors()
    actors.asset_ids[NATIVE_SYMBOL] = 0
    for a in sc.genesis.assets:
        actors.asset_ids[a.symbol] = a.id
    for o in sc.genesis.operators:
        actors.add(o.id, "operator")
    for v in sc.genesis.validators:
        actors.add(v.id, "validator")
    for d_id, _ in sc.delegator_ids():
        actors.add(d_id, "delegator")
    for b in sc.genesis.blueprints:
        actors.add(b.owner, "blueprint_owner")
    for s in sc.genesis.services:
        actors.add(s.owner, "service_owner")
    for p in sc.genesis.lst_pools:
        actors.add(p.creator, "pool_creator")
        for m in p.members:
            actors.add(m.id, "pool_member")
    for r in sc.genesis.requesters:
        actors.add(r.id, "requester")
    return actors


def genesis_for(sc: Scenario, rule: str, seed: int, actors: Actors, extra: dict[str, int] | None = None) -> GenesisConfig:
    """The genesis config of one arm: balances for every actor (``extra``: TNT on top, per account:
    governance agents' voting balances), assets, clocks, constants."""
    tnt: dict[str, int] = {acc: RESERVE for acc in actors.accounts.values()}
    for acc, amount in (extra or {}).items():
        tnt[acc] = tnt.get(acc, 0) + amount
    assets: dict[int, dict[str, int]] = {a.id: {} for a in sc.genesis.assets}
    for o in sc.genesis.operators:
        acc = actors.account(o.id)
        tnt[acc] += (o.balance if o.balance is not None else o.bond) + (o.validator or 0)
    for v in sc.genesis.validators:
        tnt[actors.account(v.id)] += v.bond
    for d_id, d in sc.delegator_ids():
        acc = actors.account(d_id)
        for dl in d.delegations:
            if dl.asset == NATIVE_SYMBOL:
                tnt[acc] += dl.amount
            else:
                aid = actors.asset_ids[dl.asset]
                assets[aid][acc] = assets[aid].get(acc, 0) + dl.amount
    for p in sc.genesis.lst_pools:
        tnt[actors.account(p.creator)] += p.bond
        for m in p.members:
            tnt[actors.account(m.id)] += m.amount
    tnt[TREASURY] = tnt.get(TREASURY, 0) + UNIT  # the slash recipient exists
    _fits_u128(tnt, assets, actors)
    base = GenesisConfig.dev(seed=seed)
    balances = dict(base.balances)
    for acc, amount in tnt.items():
        balances[acc] = balances.get(acc, 0) + amount
    n_validators = 1 + len(sc.genesis.validators) + sum(1 for o in sc.genesis.operators if o.validator is not None)
    p = sc.parameters
    asset_list = [
        {"id": a.id, "owner": "Alice", "is_sufficient": True, "min_balance": a.min_balance, "name": a.symbol, "symbol": a.symbol,
         "decimals": a.decimals, "balances": assets[a.id]}
        for a in sc.genesis.assets
    ]
    return GenesisConfig.dev(
        seed=seed,
        profile=p.profile,
        balances=balances,
        assets=asset_list,
        session_length=p.session_length,
        sessions_per_era=p.sessions_per_era,
        constants=constants_for(sc, rule),
        extensions=extensions_for(sc),
        staking={"validators": [{"stash": "Alice", "bond": 100 * UNIT}], "validator_count": n_validators, "minimum_validator_count": 1},
    )


def _fits_u128(tnt: dict[str, int], assets: dict[int, dict[str, int]], actors: Actors) -> None:
    """Each actor's genesis holding is the sum of its amounts and the setup's reserve: one over a
    u128 is named by actor (the runtime's own check named an address and printed every balance)."""
    names = {acc: name for name, acc in actors.accounts.items()}
    holdings = [("TNT", f"its bond, delegations and balance plus the setup's {RESERVE // UNIT:,} TNT reserve", tnt)]
    holdings += [(f"asset {aid}", "its delegations together", holders) for aid, holders in assets.items()]
    for what, why, holders in holdings:
        for acc, amount in holders.items():
            if amount > MAX_AMOUNT:
                raise ValueError(f"genesis: {names.get(acc, acc)!r} would hold {amount:,} base units of {what} ({why}), "
                                 f"over a u128 balance ({MAX_AMOUNT:,})")


def _do(rt: Runtime, who: str, module: str, function: str, params: dict[str, Any], where: str = "") -> Any:
    """Dispatch one setup call; a failure is a :class:`SetupError` naming the scenario field it came
    from (``where``) and, for the runtime limits a scenario meets first, the constant to raise."""
    receipt = rt.dispatch(who, module, function, params, raise_error=False)
    if not receipt.is_success:
        hint = _SETUP_HINTS.get((str(receipt.error_name), function)) or _SETUP_HINTS.get((str(receipt.error_name), None))
        raise SetupError(f"setup: {where + ': ' if where else ''}{module}.{function} by {who[:8]}… failed with {receipt.error_name}"
                         + (f" ({hint(rt)})" if hint else ""))
    return receipt


def _mad(rt: Runtime, name: str) -> Any:
    return getattr(rt.pallets["MultiAssetDelegation"].consts, name)


#: what to change when a setup call meets a runtime limit (the testnet's values are the defaults)
_SETUP_HINTS = {  # (error, the setup call's function or None for any)
    ("MultiAssetDelegation.MaxDelegationsExceeded", None): lambda rt: f"an operator takes at most {_mad(rt, 'MaxDelegations')} delegations (the "
                                                                      "testnet's MaxDelegations); raise parameters.constants.MultiAssetDelegation.MaxDelegations",
    ("MultiAssetDelegation.BondTooLow", "join_operators"): lambda rt: f"an operator's bond must be at least {_mad(rt, 'MinOperatorBondAmount'):,} "
                                                                      "base units (MinOperatorBondAmount)",
    ("MultiAssetDelegation.BondTooLow", "deposit"): (min_delegation := lambda rt: f"a delegation must be at least {_mad(rt, 'MinDelegateAmount'):,} "
                                                                                  "base units (MinDelegateAmount)"),
    ("MultiAssetDelegation.BondTooLow", "delegate"): min_delegation,
}


def setup_chain(rt: Runtime, sc: Scenario, actors: Actors) -> None:
    """The setup calls, all in block 1 (round 0): validators bond and validate, operators join,
    blueprints/services are created, delegators deposit and delegate, LST pools are created."""
    acc = actors.account
    g = sc.genesis
    for i, v in enumerate(g.validators):
        _do(rt, acc(v.id), "Staking", "bond", {"value": v.bond, "payee": "Staked"}, f"genesis.validators[{i}] ({v.id}).bond")
        _do(rt, acc(v.id), "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}}, f"genesis.validators[{i}] ({v.id})")
    for i, o in enumerate(g.operators):
        if o.validator is not None:
            _do(rt, acc(o.id), "Staking", "bond", {"value": o.validator, "payee": "Staked"}, f"genesis.operators[{i}] ({o.id}).validator")
            _do(rt, acc(o.id), "Staking", "validate", {"prefs": {"commission": 0, "blocked": False}}, f"genesis.operators[{i}] ({o.id})")
        _do(rt, acc(o.id), "MultiAssetDelegation", "join_operators", {"bond_amount": o.bond}, f"genesis.operators[{i}] ({o.id}).bond")
    if g.blueprints or g.services or g.requesters:
        setup_services(rt, sc, actors)
    group = {id(d): i for i, d in enumerate(g.delegators)}
    for d_id, d in sc.delegator_ids():
        who = acc(d_id)
        for j, dl in enumerate(d.delegations):
            where = f"genesis.delegators[{group[id(d)]}] ({d_id}).delegations[{j}]"
            asset = actors.asset(dl.asset)
            _do(rt, who, "MultiAssetDelegation", "deposit", {"asset": asset, "amount": dl.amount, "evm_address": None, "lock_multiplier": None}, where)
            selection: Any = "All" if dl.blueprints == "all" else {"Fixed": [actors.blueprint_ids[b] for b in dl.blueprints]}
            _do(rt, who, "MultiAssetDelegation", "delegate", {"operator": acc(dl.operator), "asset": asset, "amount": dl.amount, "blueprint_selection": selection}, where)
    for p in g.lst_pools:
        creator = acc(p.creator)
        receipt = _do(rt, creator, "Lst", "create", {"amount": p.bond, "root": creator, "nominator": creator, "bouncer": creator, "name": None, "icon": None})
        pool_id = receipt.event("Lst.Created")["pool_id"]
        actors.pool_ids[p.id] = pool_id
        for m in p.members:
            _do(rt, acc(m.id), "Lst", "join", {"amount": m.amount, "pool_id": pool_id})
        _do(rt, creator, "Lst", "nominate", {"pool_id": pool_id, "validators": [acc(v) for v in p.nominate]})


# ---------------------------------------------------------------------------------------- checks
def runtime_config_problems(exc: Exception) -> list[str]:
    """What the runtime said about a scenario's ``constants`` / ``extensions``, one line per field
    (``constants.NoPallet: no pallet ...``, ``extensions.request_expiry_blocks: ... (got -5)``):
    a pydantic error names its fields, a ParamError / ValueError is its own first line."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        from runtime.validation_errors import error_lines

        return error_lines(exc, under={"Extensions": "extensions"}.get(exc.title, ""), root=exc.title, with_value=True,
                           named=("constants.", "extensions.", "upgrades."))  # GenesisConfig's own checks name the field and the value already
    text = str(exc).strip()
    return [text.splitlines()[0] if text else type(exc).__name__]


def check_runtime_config(sc: Scenario, rules: list[str]) -> None:
    """Build each rule's genesis runtime once: constants and extensions the runtime refuses
    (unknown pallet or constant, a value of the wrong type or range) are refused here, when the
    scenario loads, not in the middle of a stored run. Raises ValueError listing
    :func:`runtime_config_problems` (a few ms per rule)."""
    from pydantic import ValidationError

    actors = build_actors(sc)
    for rule in dict.fromkeys(rules):
        try:
            Runtime(genesis_for(sc, rule, sc.seed, actors))
        except (ValidationError, ValueError, TypeError) as exc:
            raise RuntimeConfigError(runtime_config_problems(exc)) from None


class RuntimeConfigError(ValueError):
    """The runtime refused a scenario's constants or extensions; ``problems``: one line per field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
