"""One staking-and-slashing model written twice, as a radCAD model and as a tangle-sim scenario,
run in one process on the same parameters: final balances must agree to the base unit; prints both
times and their ratio at 1 and at 100 timesteps per scheduled event (an era). Asserts nothing but the
agreement of the two models.

The model (issue 18): 20 operators, 100 delegators each (2,000), per-era rewards split by stake
with the operator's commission (the simulator's ``service_rewards`` era split), a 5 % chance per
operator per era of a 10 % slash, half of them vetoed by governance; 100 eras x 10 seeds.

What it does not measure (newuser11): neither side models governance. Which slashes are vetoed is a
shared random pre-filter (``slashes()``) applied before either engine sees them, and tangle-sim's
slash is MultiAssetDelegation's ``slash_operator`` called directly, inside a transaction: no
``Services.slash`` dispatch, no deferral, no dispute. So this is the engines' cost on the same
arithmetic, not the cost of the slash-veto path tangle-sim exists to model. Like for like (one
timestep per era, as a radCAD user with per-era dynamics writes it) radCAD is the faster one; the
100-timestep figure is what skipping idle blocks gains when the model must step block by block. The
chains' build is timed warm in both sections (a throwaway build first), so "counting the chain's
build too" does not depend on which section runs first.

radCAD is a benchmark-only dependency, not installed by the README's commands. Its last release
(0.14.0) pins ``numpy<1.26.4``, so a plain ``pip install radcad`` beside NumPy 2 resolves to radcad
0.1.0, which lacks the ``Experiment`` API used here: install it with
``pip install --no-deps radcad==0.14.0 fn-py py && pip install pathos`` (radCAD runs on NumPy 2 all
the same; pathos needs its own dependencies: ppft, dill, pox, multiprocess). Run: ``python benchmarks/bench_vs_radcad.py [eras] [seeds]``; ``... digest`` prints digests of
roots and events to compare two revisions (see ``digests``).
"""

from __future__ import annotations

import operator
import random
import statistics
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


_amount_of = operator.attrgetter("amount")


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
_CHAINS: dict[int, tuple[Runtime, Any, list[str], list[str], float]] = {}


def initial_chain(steps_per_era: int) -> tuple[Runtime, Any, list[str], list[str], float]:
    """The model's initial state as a chain: the 20 operators joined, the 2,000 delegators deposited
    and delegated, by 4,020 dispatches. radCAD's initial state is a literal, so this is the chain's
    equivalent of it (a chain spec): built once per era length, snapshotted, and restored at the
    start of every run (the restore is timed with the run). Returns (runtime, snapshot, operators,
    delegators, seconds the build took)."""
    if steps_per_era in _CHAINS:
        return _CHAINS[steps_per_era]
    from runtime.accounts import derive_account

    started = time.perf_counter()
    ops = [derive_account(f"bench-op-{i}") for i in range(OPERATORS)]
    dels = [derive_account(f"bench-del-{i}") for i in range(OPERATORS * PER_OPERATOR)]
    balances = dict(GenesisConfig.dev().balances) | {a: 2 * OPERATOR_BOND for a in ops} | {a: 2 * stake_of(i) for i, a in enumerate(dels)}
    rt = Runtime(GenesisConfig.dev(session_length=steps_per_era, sessions_per_era=1, balances=balances,
                                   constants={"MultiAssetDelegation": {"MaxDelegations": PER_OPERATOR},
                                              "Rewards": {"EraRewardBudget": BUDGET, "OperatorCommission": COMMISSION}}))
    for op in ops:
        rt.dispatch(op, "MultiAssetDelegation", "join_operators", {"bond_amount": OPERATOR_BOND})
    for i, who in enumerate(dels):
        amount = stake_of(i)
        rt.dispatch(who, "MultiAssetDelegation", "deposit", {"asset": {"Custom": 0}, "amount": amount, "evm_address": None, "lock_multiplier": None})
        rt.dispatch(who, "MultiAssetDelegation", "delegate", {"operator": ops[i // PER_OPERATOR], "asset": {"Custom": 0}, "amount": amount, "blueprint_selection": "All"})
    rt.advance_blocks(1)  # the setup's block ends: the runs start in a fresh block
    chain = _CHAINS[steps_per_era] = (rt, rt.snapshot(), ops, dels, time.perf_counter() - started)
    return chain


def tangle_run(seed: int, eras: int, steps_per_era: int, parts: dict[str, float] | None = None) -> dict[str, Any]:
    """One run: the initial chain restored, ``eras`` eras advanced (each era's rewards are split at
    its start), the seed's slashes applied as the services pallet applies a due slash. ``parts``
    (if given) accumulates the CPU seconds of the era advances and of the slashes, and their count:
    the timed runs pass none, so they make no clock calls of their own (the radCAD side, timed
    once per run, makes none either), and the breakdown comes from separate, untimed runs."""
    from pallets.primitives.slashing import UnappliedSlash

    rt, snapshot, ops, dels, _ = initial_chain(steps_per_era)
    rt.restore(snapshot)
    mad = rt.pallets["MultiAssetDelegation"]
    pending = rt.pallets["Rewards"].storage.PendingEraRewards
    start = dict(pending.items())  # the credits before the run (read once: one pass, not a get per account)
    # the parts (untimed runs only) are timed with the thread's CPU clock: ``time.process_time``
    # costs ~9 us a call on this VM (a system call), ``thread_time`` 1-6 us; in the timed runs the
    # calls (two to four per era) charged tangle-sim time that the radCAD side, timed once per run,
    # does not pay; the slashes are timed only when there are some
    clock = time.thread_time
    timed = parts is not None
    advancing = slashing = 0.0
    applied = t0 = t1 = 0
    for era in range(eras):
        if timed:
            t0 = clock()
        rt.advance_eras(1)  # the era's rewards are split at its start
        if timed:
            advancing += clock() - t0
        due = slashes(seed, era + 1)
        if not due:
            continue
        if timed:
            t1 = clock()
        for op in due:
            rt.db.begin()
            try:
                mad.slash_operator(UnappliedSlash(era=era, blueprint_id=0, service_id=0, operator=ops[op], slash_percent=SLASH_PERCENT))
            except DispatchError:
                rt.db.rollback()
                raise
            rt.db.commit()
        if timed:
            slashing += clock() - t1
        applied += len(due)
    if parts is not None:
        parts["advance"] = parts.get("advance", 0.0) + advancing
        parts["slash"] = parts.get("slash", 0.0) + slashing
        parts["slashes"] = parts.get("slashes", 0) + applied
    # the final state read through the items' public iteration (one pass each); each delegator's
    # stake summed over its delegations by C calls (a generator per delegator was ~2 % of a run)
    ops_meta = dict(mad.storage.Operators.items())
    delegators = dict(mad.storage.Delegators.items())
    credited = dict(pending.items())
    staked = [sum(map(_amount_of, delegators[d].delegations)) for d in dels]
    return {
        "operator_stake": [ops_meta[a].stake for a in ops],
        "delegations": [staked[o * PER_OPERATOR : (o + 1) * PER_OPERATOR] for o in range(OPERATORS)],
        "operator_rewards": [credited.get(a, 0) - start.get(a, 0) for a in ops],
        "delegator_rewards": [[credited.get(d, 0) - start.get(d, 0) for d in dels[o * PER_OPERATOR : (o + 1) * PER_OPERATOR]] for o in range(OPERATORS)],
    }


def digests(eras: int = 25, seeds: int = 2) -> None:
    """``python benchmarks/bench_vs_radcad.py digest``: a digest of the state root after every era
    and of the event log, on the model with heavy slashing (30 % chance per operator-era, half
    vetoed, plus a 50 % slash rolled back every seventh era), under the intended and the real
    profile, at 1 and 3 blocks per era. Run it on two revisions: equal digests mean the same roots
    and events (how the slash and credit optimisations are checked against the code before them)."""
    import hashlib

    from pallets.primitives.slashing import UnappliedSlash

    global SLASH_CHANCE
    chance, SLASH_CHANCE = SLASH_CHANCE, 0.3
    dev = GenesisConfig.dev
    try:
        for profile in ("intended", "real"):
            for steps in (1, 3):
                if profile != "intended":
                    GenesisConfig.dev = classmethod(lambda cls, seed=0, **o: dev.__func__(cls, seed, profile=profile, **o))  # type: ignore[method-assign]
                _CHAINS.clear()
                rt, snap, ops, _dels, _ = initial_chain(steps)
                GenesisConfig.dev = dev  # type: ignore[method-assign]
                mad = rt.pallets["MultiAssetDelegation"]
                h = hashlib.blake2b(digest_size=16)
                for seed in range(seeds):
                    rt.restore(snap)
                    for era in range(eras):
                        rt.advance_eras(1)
                        for op in slashes(seed, era + 1):
                            rt.db.begin()
                            mad.slash_operator(UnappliedSlash(era=era, blueprint_id=0, service_id=0, operator=ops[op], slash_percent=SLASH_PERCENT))
                            rt.db.commit()
                        if era % 7 == 3:
                            rt.db.begin()
                            mad.slash_operator(UnappliedSlash(era=era, blueprint_id=0, service_id=0, operator=ops[era % OPERATORS], slash_percent=50))
                            rt.db.rollback()
                        h.update(rt.state_root().encode())
                    if rt.state_root() != rt.db.state_root_from_scratch():
                        raise SystemExit(f"{profile}, {steps} blocks per era, seed {seed}: the maintained root differs from the recomputed one")
                    h.update("\n".join(f"{e.block} {e.phase} {e.extrinsic_idx} {e!r}" for e in rt.all_events()).encode())
                print(profile, steps, h.hexdigest())
    finally:
        SLASH_CHANCE = chance
        GenesisConfig.dev = dev  # type: ignore[method-assign]
        _CHAINS.clear()


USAGE = "usage: bench_vs_radcad.py [ERAS [SEEDS]] | digest   (defaults: 100 eras, 10 seeds; digest: roots and events digests to compare two revisions)"


def _usage_error(message: str) -> None:
    print(f"{USAGE}\n{message}", file=sys.stderr)
    raise SystemExit(2)


def parse_args(argv: list[str]) -> tuple[int, int] | None:
    """(eras, seeds) from the command line, None for ``digest``; a usage error (exit 2) for
    anything else (``--help`` prints the usage and exits 0)."""
    if argv[:1] == ["digest"] and len(argv) == 1:
        return None
    if any(a in ("-h", "--help") for a in argv):
        print(USAGE)
        raise SystemExit(0)
    if len(argv) > 2:
        _usage_error(f"too many arguments: {' '.join(argv)[:80]}")
    values = []
    for name, text, default in (("ERAS", argv[0] if argv else None, 100), ("SEEDS", argv[1] if len(argv) > 1 else None, 10)):
        if text is None:
            values.append(default)
            continue
        if not (text.isdigit() and len(text) <= 6) or not 0 < int(text) <= 100_000:
            _usage_error(f"{name} must be a whole number from 1 to 100000, got {text[:40]!r}" + (" (digest takes no arguments)" if argv[0] == "digest" else ""))
        values.append(int(text))
    return values[0], values[1]


def main(argv: list[str]) -> None:
    parsed = parse_args(argv)
    if parsed is None:
        return digests()
    eras, seeds = parsed
    try:
        import radcad  # noqa: F401
    except ImportError:
        print("radCAD is not installed: pip install --no-deps radcad==0.14.0 fn-py py && pip install pathos")
        raise SystemExit(2)
    print(f"{OPERATORS} operators, {OPERATORS * PER_OPERATOR:,} delegators, {eras} eras x {seeds} seeds, "
          f"{SLASH_CHANCE:.0%} slash chance per operator-era, {VETO_CHANCE:.0%} vetoed")
    print("timed: radCAD, its whole experiment (model, initial state literal, run); tangle-sim, a run from its initial chain"
          " (restored from a snapshot) through the eras and slashes to reading the balances; the initial chain"
          " (4,020 dispatches, once per era length) is reported apart. Runs alternate between the two engines.")
    initial_chain(2)  # a throwaway build: imports and first-use caches warm before either section's build is timed
    _CHAINS.clear()
    for steps in (1, 100):
        timings: dict[str, list[float]] = {"tangle-sim": [], "radCAD deepcopy=False": [], "radCAD deepcopy=True": []}
        cpu: dict[str, list[float]] = {k: [] for k in timings}  # CPU seconds: steadier than wall time on a shared machine
        slashed = 0
        parts: dict[str, float] = {}
        build = initial_chain(steps)[4]
        for seed in range(seeds):
            slashed += sum(len(slashes(seed, e + 1)) for e in range(eras))
            started, started_cpu = time.perf_counter(), time.process_time()
            ours = tangle_run(seed, eras, steps)
            timings["tangle-sim"].append(time.perf_counter() - started)
            cpu["tangle-sim"].append(time.process_time() - started_cpu)
            for deep in (False, True):
                if deep and steps > 1:
                    continue  # deepcopy per timestep: minutes per seed (the issue measured ~380 s)
                started, started_cpu = time.perf_counter(), time.process_time()
                theirs = radcad_run(seed, eras, steps, deepcopy=deep)
                timings[f"radCAD deepcopy={deep}"].append(time.perf_counter() - started)
                cpu[f"radCAD deepcopy={deep}"].append(time.process_time() - started_cpu)
                if theirs != ours:
                    raise SystemExit(f"seed {seed}, {steps} steps/era: final balances differ between radCAD and tangle-sim")
        for seed in range(seeds):  # the breakdown below, from untimed runs (the same seeds)
            tangle_run(seed, eras, steps, parts)
        sim, sim_cpu = sum(timings["tangle-sim"]), sum(cpu["tangle-sim"])
        med = statistics.median(cpu["tangle-sim"])
        print(f"{steps:>3} timestep(s) per era: balances identical to the base unit in all {seeds} seeds ({slashed} slashes applied);"
              f" tangle-sim {sim:.2f} s wall, {sim_cpu:.2f} s CPU (median {med * 1e3:.0f} ms CPU per seed); initial chain built once in {build:.2f} s")
        for name in timings:
            if name == "tangle-sim" or not timings[name]:
                continue
            t, c = sum(timings[name]), sum(cpu[name])
            ratios = sorted(r / o for r, o in zip(cpu[name], cpu["tangle-sim"]))
            print(f"      {name}: {t:.2f} s wall, {c:.2f} s CPU -> radCAD/tangle-sim {c / sim_cpu:.2f} by CPU, {t / sim:.2f} by wall;"
                  f" per seed (CPU) median {statistics.median(ratios):.2f}, range {ratios[0]:.2f}-{ratios[-1]:.2f} ({len(ratios)} seeds);"
                  f" counting the chain's build too: {c / (sim_cpu + build):.2f}")
        # what each side pays per era, and what tangle-sim would have to pay to be 10x ahead
        radcad_era = statistics.median(cpu["radCAD deepcopy=False"]) / eras
        our_era = med / eras
        per_slash = parts["slash"] / max(parts["slashes"], 1)
        advance = parts["advance"] / (seeds * eras)
        slash_rate = parts["slashes"] / (seeds * eras)
        print(f"      per era (CPU): radCAD deepcopy=False {radcad_era * 1e6:,.0f} us (median seed; {radcad_era / steps * 1e6:,.1f} us per timestep);"
              f" tangle-sim {our_era * 1e6:,.0f} us (median seed) = the era's {steps} block(s) with its reward split {advance * 1e6:,.0f} us"
              f" + {slash_rate:.2f} slashes x {per_slash * 1e6:,.0f} us + the rest {(our_era - advance - slash_rate * per_slash) * 1e6:,.0f} us"
              f" (restore, the slash draws, reads; the parts are means over all seeds, from untimed runs of the same seeds); 10x ahead of radCAD needs <= {radcad_era / 10 * 1e6:,.0f} us per era")


if __name__ == "__main__":
    main(sys.argv[1:])
