"""One staking-and-slashing model written twice, as a radCAD model and as a tangle-sim scenario,
run in one process on the same parameters: final balances must agree to the base unit; prints both
times and their ratio at 1 and at 100 timesteps per scheduled event (an era). Asserts nothing but the
agreement of the two models.

The model (issue 18): 20 operators, 100 delegators each (2,000), per-era rewards split by stake
with the operator's commission (the simulator's ``service_rewards`` era split), a 5 % chance per
operator per era of a 10 % slash, half of them vetoed by governance; 100 eras x 10 seeds.

radCAD is a benchmark-only dependency, not installed by the README's commands. Its last release
(0.14.0) pins ``numpy<1.26.4``, so a plain ``pip install radcad`` beside NumPy 2 resolves to radcad
0.1.0, which lacks the ``Experiment`` API used here: install it with
``pip install --no-deps radcad==0.14.0 pathos fn-py py`` (it runs on NumPy 2 all the same). Run: ``python benchmarks/bench_vs_radcad.py [eras] [seeds]``.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from runtime import UNIT, GenesisConfig, Runtime
from runtime.errors import DispatchError

OPERATORS = 20
PER_OPERATOR = 100
SLASH_CHANCE = 0.05
VETO_CHANCE = 0.5
SLASH_PERCENT = 10
BUDGET = 100 * UNIT  # Rewards.EraRewardBudget (the simulator's default)
COMMISSION = 100_000_000  # Rewards.OperatorCommission, Perbill (10 %)
OPERATOR_BOND = 10_000 * UNIT


def stake_of(i: int) -> int:
    """Delegator ``i``'s TNT delegation (varied so the pro-rata split has remainders)."""
    return (100 + (i * 37) % 900) * UNIT


def slashes(seed: int, era: int) -> list[int]:
    """The exogenous process both models share: which operators are slashed (not vetoed) in ``era``."""
    out = []
    for op in range(OPERATORS):
        rng = random.Random(f"{seed}/{era}/{op}")
        if rng.random() < SLASH_CHANCE and rng.random() >= VETO_CHANCE:
            out.append(op)
    return out


# ------------------------------------------------------------------------------------- radCAD
def radcad_run(seed: int, eras: int, steps_per_era: int, deepcopy: bool) -> dict[str, Any]:
    from radcad import Experiment, Model, Simulation
    from radcad.engine import Backend, Engine

    initial_state = {
        "operator_stake": tuple(OPERATOR_BOND for _ in range(OPERATORS)),
        "delegations": tuple(tuple(stake_of(o * PER_OPERATOR + j) for j in range(PER_OPERATOR)) for o in range(OPERATORS)),
        "operator_rewards": tuple(0 for _ in range(OPERATORS)),
        "delegator_rewards": tuple(tuple(0 for _ in range(PER_OPERATOR)) for _ in range(OPERATORS)),
        "era": 0,
    }
    params = {"seed": [seed], "steps_per_era": [steps_per_era], "budget": [BUDGET], "commission": [COMMISSION]}

    def p_era(params, substep, state_history, prev_state):  # type: ignore[no-untyped-def]
        return {"new_era": prev_state["timestep"] % params["steps_per_era"] == 0}

    def s_era(params, substep, state_history, prev_state, policy_input):  # type: ignore[no-untyped-def]
        return "era", prev_state["era"] + (1 if policy_input["new_era"] else 0)

    def p_rewards(params, substep, state_history, prev_state):  # type: ignore[no-untyped-def]
        if prev_state["timestep"] % params["steps_per_era"] != 0:
            return {"credits": None}
        stakes, dels = prev_state["operator_stake"], prev_state["delegations"]
        weights = [s + sum(d) for s, d in zip(stakes, dels)]
        total = sum(weights)
        op_credit, del_credit = [], []
        for weight, amounts in zip(weights, dels):
            pot = params["budget"] * weight // total
            rest = pot - pot * params["commission"] // 10**9
            shares = tuple(rest * a // weight for a in amounts)
            op_credit.append(pot - sum(shares))
            del_credit.append(shares)
        return {"credits": (op_credit, del_credit)}

    def s_operator_rewards(params, substep, state_history, prev_state, policy_input):  # type: ignore[no-untyped-def]
        credits = policy_input["credits"]
        if credits is None:
            return "operator_rewards", prev_state["operator_rewards"]
        return "operator_rewards", tuple(a + b for a, b in zip(prev_state["operator_rewards"], credits[0]))

    def s_delegator_rewards(params, substep, state_history, prev_state, policy_input):  # type: ignore[no-untyped-def]
        credits = policy_input["credits"]
        if credits is None:
            return "delegator_rewards", prev_state["delegator_rewards"]
        return "delegator_rewards", tuple(tuple(a + b for a, b in zip(old, new)) for old, new in zip(prev_state["delegator_rewards"], credits[1]))

    def p_slash(params, substep, state_history, prev_state):  # type: ignore[no-untyped-def]
        if prev_state["timestep"] % params["steps_per_era"] != 0:
            return {"slashed": ()}
        return {"slashed": tuple(slashes(params["seed"], prev_state["era"]))}

    def s_operator_stake(params, substep, state_history, prev_state, policy_input):  # type: ignore[no-untyped-def]
        hit = set(policy_input["slashed"])
        return "operator_stake", tuple(s - s * SLASH_PERCENT // 100 if i in hit else s for i, s in enumerate(prev_state["operator_stake"]))

    def s_delegations(params, substep, state_history, prev_state, policy_input):  # type: ignore[no-untyped-def]
        hit = set(policy_input["slashed"])
        return "delegations", tuple(tuple(a - a * SLASH_PERCENT // 100 for a in d) if i in hit else d for i, d in enumerate(prev_state["delegations"]))

    state_update_blocks = [
        {"policies": {"era": p_era}, "variables": {"era": s_era}},
        {"policies": {"rewards": p_rewards}, "variables": {"operator_rewards": s_operator_rewards, "delegator_rewards": s_delegator_rewards}},
        {"policies": {"slash": p_slash}, "variables": {"operator_stake": s_operator_stake, "delegations": s_delegations}},
    ]
    model = Model(initial_state=initial_state, state_update_blocks=state_update_blocks, params=params)
    simulation = Simulation(model=model, timesteps=eras * steps_per_era, runs=1)
    experiment = Experiment([simulation])
    experiment.engine = Engine(backend=Backend.SINGLE_PROCESS, deepcopy=deepcopy, drop_substeps=True)
    result = experiment.run()
    final = result[-1]
    return {
        "operator_stake": list(final["operator_stake"]),
        "delegations": [list(d) for d in final["delegations"]],
        "operator_rewards": list(final["operator_rewards"]),
        "delegator_rewards": [list(d) for d in final["delegator_rewards"]],
    }


# ------------------------------------------------------------------------------------ tangle-sim
def tangle_run(seed: int, eras: int, steps_per_era: int, setup_time: list[float] | None = None) -> dict[str, Any]:
    from pallets.primitives.slashing import UnappliedSlash
    from runtime.accounts import derive_account

    started = time.perf_counter()
    ops = [derive_account(f"bench-op-{i}") for i in range(OPERATORS)]
    dels = [derive_account(f"bench-del-{i}") for i in range(OPERATORS * PER_OPERATOR)]
    balances = dict(GenesisConfig.dev().balances) | {a: 2 * OPERATOR_BOND for a in ops} | {a: 2 * stake_of(i) for i, a in enumerate(dels)}
    rt = Runtime(GenesisConfig.dev(seed=seed, session_length=steps_per_era, sessions_per_era=1, balances=balances,
                                   constants={"MultiAssetDelegation": {"MaxDelegations": PER_OPERATOR},
                                              "Rewards": {"EraRewardBudget": BUDGET, "OperatorCommission": COMMISSION}}))
    mad = rt.pallets["MultiAssetDelegation"]
    for op in ops:
        rt.dispatch(op, "MultiAssetDelegation", "join_operators", {"bond_amount": OPERATOR_BOND})
    for i, who in enumerate(dels):
        amount = stake_of(i)
        rt.dispatch(who, "MultiAssetDelegation", "deposit", {"asset": {"Custom": 0}, "amount": amount, "evm_address": None, "lock_multiplier": None})
        rt.dispatch(who, "MultiAssetDelegation", "delegate", {"operator": ops[i // PER_OPERATOR], "asset": {"Custom": 0}, "amount": amount, "blueprint_selection": "All"})
    pending = rt.pallets["Rewards"].storage.PendingEraRewards
    start = {a: pending.get(a, 0) for a in ops + dels}
    if setup_time is not None:
        setup_time.append(time.perf_counter() - started)
    for era in range(eras):
        rt.advance_eras(1)  # the era's rewards are split at its start
        for op in slashes(seed, era + 1):
            rt.db.begin()
            try:
                mad.slash_operator(UnappliedSlash(era=era, blueprint_id=0, service_id=0, operator=ops[op], slash_percent=SLASH_PERCENT))
            except DispatchError:
                rt.db.rollback()
                raise
            rt.db.commit()
    ops_meta = mad.storage.Operators
    delegators = mad.storage.Delegators
    return {
        "operator_stake": [ops_meta.get(a).stake for a in ops],
        "delegations": [[sum(d.amount for d in delegators.get(dels[o * PER_OPERATOR + j]).delegations) for j in range(PER_OPERATOR)] for o in range(OPERATORS)],
        "operator_rewards": [pending.get(a, 0) - start[a] for a in ops],
        "delegator_rewards": [[pending.get(dels[o * PER_OPERATOR + j], 0) - start[dels[o * PER_OPERATOR + j]] for j in range(PER_OPERATOR)] for o in range(OPERATORS)],
    }


def main(argv: list[str]) -> None:
    eras = int(argv[0]) if argv else 100
    seeds = int(argv[1]) if len(argv) > 1 else 10
    try:
        import radcad  # noqa: F401
    except ImportError:
        print("radCAD is not installed: pip install '.[bench]' (or pip install radcad)")
        raise SystemExit(2)
    print(f"{OPERATORS} operators, {OPERATORS * PER_OPERATOR:,} delegators, {eras} eras x {seeds} seeds, "
          f"{SLASH_CHANCE:.0%} slash chance per operator-era, {VETO_CHANCE:.0%} vetoed")
    for steps in (1, 100):
        timings: dict[str, float] = {"tangle-sim": 0.0, "radCAD deepcopy=False": 0.0, "radCAD deepcopy=True": 0.0}
        cpu: dict[str, float] = dict.fromkeys(timings, 0.0)  # CPU seconds: steadier than wall time on a shared machine
        slashed = 0
        setup: list[float] = []
        for seed in range(seeds):
            slashed += sum(len(slashes(seed, e + 1)) for e in range(eras))
            started, started_cpu = time.perf_counter(), time.process_time()
            ours = tangle_run(seed, eras, steps, setup)
            timings["tangle-sim"] += time.perf_counter() - started
            cpu["tangle-sim"] += time.process_time() - started_cpu
            for deep in (False, True):
                if deep and steps > 1:
                    continue  # deepcopy per timestep: minutes per seed (the issue measured ~380 s)
                started, started_cpu = time.perf_counter(), time.process_time()
                theirs = radcad_run(seed, eras, steps, deepcopy=deep)
                timings[f"radCAD deepcopy={deep}"] += time.perf_counter() - started
                cpu[f"radCAD deepcopy={deep}"] += time.process_time() - started_cpu
                if theirs != ours:
                    raise SystemExit(f"seed {seed}, {steps} steps/era: final balances differ between radCAD and tangle-sim")
        sim = timings["tangle-sim"]
        run_only = sim - sum(setup)
        print(f"{steps:>3} timestep(s) per era: balances identical to the base unit ({slashed} slashes applied);"
              f" tangle-sim {sim:.2f} s, of which {sum(setup):.2f} s building the chain (4,000 deposit/delegate dispatches per seed)")
        for name, t in timings.items():
            if name != "tangle-sim" and t:
                print(f"      {name}: {t:.2f} s -> ratio radCAD/tangle-sim {t / sim:.2f} (whole), {t / run_only:.2f} (eras only);"
                      f" CPU {cpu[name]:.2f} s vs {cpu['tangle-sim']:.2f} s -> {cpu[name] / cpu['tangle-sim']:.2f} (whole)")


if __name__ == "__main__":
    main(sys.argv[1:])
