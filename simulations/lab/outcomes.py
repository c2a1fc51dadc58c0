"""What a finished arm comes to: ground truth against decisions, what is still pending, and every
loss by role and asset in base units and in one numeraire.

* **Ground truth.** Each slash record carries ``justified`` from the scenario (an injected fault is
  justified; ``faults[].justified: false`` and ``falsely_accused_p`` inject false accusations).
  *Honest slashed*: unjustified slashes that were applied (count and what they took). *Faulty
  escaped*: justified slashes that were vetoed (``faulty_escaped_vetoed``) or dodged: dropped
  because the operator left first, failed because it was no longer active or its service was gone,
  or rejected by the rule (``faulty_escaped_dodged``). *Late vetoes*: vetoes decided but landing
  after the rule's last veto block. *Time to resolution*: blocks from proposal to the block the
  record was closed (applied, vetoed, dropped, failed, rejected).
* **Censoring.** A record still open when the arm stops (the run was not drained, or the drain hit
  its bound) is counted in ``pending_at_end`` with its value at risk (what it would take now), never
  as a zero loss.
* **One numeraire.** Losses are exact base units per (role, asset); each is also valued with the
  scenario's price of that asset *in the round the loss happened* (a price path moves with time),
  so TNT and USDC add up. Values are summed exactly (fractions: the price as written times the
  tokens) and rounded to a float once, for reports, so the what-if table's per-entity values add
  up to the arm's total exactly. Without a price an asset's value is NaN, not zero.

Roles: ``operator``, ``delegator``, ``validator``, ``nominator``, ``pool_member`` (the pool's
creator included), ``requester`` (service owners and requesters), ``other``. The LST pool's bonded
account (``pool``) is reported but left out of totals: its loss is what the pool members lose.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from simulations.lab.governors import fastest_landing, instant_voters
from simulations.lab.slash_queue import FINAL, OPEN, SlashRecord
from simulations.scenario import NATIVE_SYMBOL, Scenario

if TYPE_CHECKING:
    from simulations.lab.loop import Simulation

ROLES = ("operator", "delegator", "validator", "nominator", "pool_member", "requester", "other")
ROLE_OF_ACTOR = {"operator": "operator", "delegator": "delegator", "validator": "validator", "pool_member": "pool_member",
                 "pool_creator": "pool_member", "requester": "requester", "service_owner": "requester", "nominator": "nominator",
                 "pool": "pool", "blueprint_owner": "other", "other": "other"}
ESCAPED_BY_DODGING = ("dropped", "failed", "rejected")


class Prices:
    """Price of one whole token per asset and round in the scenario's numeraire (floats: reports only)."""

    def __init__(self, sc: Scenario) -> None:
        self.decimals = sc.decimals()
        if sc.prices is None:
            self.numeraire = NATIVE_SYMBOL
            self.table: dict[str, float | list[float]] = {NATIVE_SYMBOL: 1.0}
        else:
            self.numeraire = sc.prices.numeraire
            self.table = dict(sc.prices.assets)

    def _written(self, symbol: str, round_: int) -> float | None:
        """The price the scenario gives ``symbol`` at ``round_`` (a path's last price past its
        end), or None without a price."""
        p = self.table.get(symbol)
        if isinstance(p, list):
            return p[min(max(round_, 0), len(p) - 1)]
        return p

    def price(self, symbol: str, round_: int) -> float:
        p = self._written(symbol, round_)
        return math.nan if p is None else float(p)

    def tokens(self, symbol: str, base: int) -> float:
        return base / 10 ** self.decimals.get(symbol, 0)

    def value(self, symbol: str, base: int, round_: int) -> float:
        if base == 0:
            return 0.0
        return self.tokens(symbol, base) * self.price(symbol, round_)

    def value_of(self, amounts: dict[str, int], round_: int) -> float:
        return sum((self.value(sym, amt, round_) for sym, amt in amounts.items()), 0.0)

    def exact_price(self, symbol: str, round_: int) -> Fraction | None:
        """The price as the scenario wrote it (``1.98`` is 99/50, not the float nearest to it), or
        None without a price."""
        p = self._written(symbol, round_)
        return None if p is None else Fraction(repr(float(p)))

    def exact_value(self, symbol: str, base: int, round_: int) -> Fraction | None:
        """``base`` units of ``symbol`` in the numeraire at ``round_``'s price, exactly (None: no price)."""
        if base == 0:
            return Fraction(0)
        price = self.exact_price(symbol, round_)
        return None if price is None else Fraction(base, 10 ** self.decimals.get(symbol, 0)) * price


ExactValue = Fraction | None  # a value in the numeraire; None when an asset has no price (shown as NaN, never zero)


def add_values(a: ExactValue, b: ExactValue) -> ExactValue:
    return None if a is None or b is None else a + b


def value_text(v: ExactValue) -> str | None:
    """An exact value for JSON (``"7/25"``), None for no price."""
    return None if v is None else str(v)


def value_of_text(text: str | None) -> ExactValue:
    return None if text is None else Fraction(text)


def value_float(v: ExactValue) -> float:
    """For reports: NaN without a price; beyond float's range (a 1e308 price) infinite, as float
    arithmetic would give, not an OverflowError."""
    if v is None:
        return math.nan
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def _add(into: dict[str, int], amounts: dict[str, int]) -> None:
    for sym, amt in amounts.items():
        into[sym] = into.get(sym, 0) + amt


def _round_of(sim: "Simulation", block: int | None) -> int:
    return sim.clock.round_of(block if block is not None else sim.rt.block_number)


def ground_truth(sim: "Simulation", prices: Prices) -> dict[str, Any]:
    """Per-run counts of the decisions against the truth, what is pending, and time to resolution."""
    recs: list[SlashRecord] = sim.queue.records
    honest_base: dict[str, int] = {}
    honest_value = 0.0
    pending_base: dict[str, int] = {}
    pending_value = 0.0
    end_round = _round_of(sim, None)
    resolution: list[int] = []
    out: dict[str, Any] = {"proposed": sum(1 for r in recs if r.proposed_block is not None), "justified": 0, "unjustified": 0,
                           "applied": 0, "vetoed": 0, "late_vetoes": 0, "late_vetoes_unjustified": 0,
                           "honest_slashed": 0, "honest_spared": 0, "faulty_punished": 0, "faulty_escaped": 0, "faulty_escaped_vetoed": 0,
                           "faulty_escaped_dodged": 0, "pending_at_end": 0, "pending_justified": 0, "pending_unjustified": 0}
    for r in recs:
        out["justified" if r.justified else "unjustified"] += 1
        if r.decision == "veto_late":
            out["late_vetoes"] += 1
            out["late_vetoes_unjustified"] += int(not r.justified)
        if r.status == "applied":
            out["applied"] += 1
        elif r.status == "vetoed":
            out["vetoed"] += 1
        if r.status in OPEN:
            out["pending_at_end"] += 1
            out["pending_justified" if r.justified else "pending_unjustified"] += 1
            risk = sim.value_at_risk(r)
            _add(pending_base, risk)
            pending_value += prices.value_of(risk, end_round)
            continue
        if r.closed_block is not None and r.proposed_block is not None:
            resolution.append(r.closed_block - r.proposed_block)
        if not r.justified:
            if r.status == "applied":
                out["honest_slashed"] += 1
                _add(honest_base, r.amounts)
                honest_value += prices.value_of(r.amounts, _round_of(sim, r.applied_block))
            elif r.status in FINAL:
                out["honest_spared"] += 1
        elif r.status == "applied":
            out["faulty_punished"] += 1
        elif r.status == "vetoed":
            out["faulty_escaped"] += 1
            out["faulty_escaped_vetoed"] += 1
        elif r.status in ESCAPED_BY_DODGING:
            out["faulty_escaped"] += 1
            out["faulty_escaped_dodged"] += 1
    out["honest_slashed_base"] = {s: honest_base.get(s, 0) for s in prices.decimals}
    out["honest_slashed_value"] = honest_value
    out["pending_base"] = {s: pending_base.get(s, 0) for s in prices.decimals}
    out["pending_value"] = pending_value
    out["resolution_blocks_mean"] = (sum(resolution) / len(resolution)) if resolution else None
    out["resolution_blocks_max"] = max(resolution) if resolution else None
    out["drained_rounds"] = sim.state.drained_rounds
    horizon = sim.state.at_horizon  # None: stopped at a fork point before the horizon
    if horizon is not None:
        out["pending_at_horizon"] = horizon["pending"]
        out["pending_at_horizon_value"] = prices.value_of(horizon["pending_base"], horizon["round"])
        out["gov_open_at_horizon"] = horizon["gov_open"]
    out["end_mode"] = sim.sc.end.pending
    return out


def entity_losses(sim: "Simulation", prices: Prices) -> dict[tuple[str, str, str], tuple[int, ExactValue]]:
    """(entity, role, asset) -> (loss in base units, its exact value in the numeraire): each
    slash valued at the price of the round it happened, an LST member's lost token value at the
    price of the arm's last round. The what-if table and the arm's totals both add these up, so
    they reconcile exactly."""
    out: dict[tuple[str, str, str], tuple[int, ExactValue]] = {}

    def add(key: tuple[str, str, str], base: int, value: ExactValue) -> None:
        b, v = out.get(key, (0, Fraction(0)))
        out[key] = (b + base, add_values(v, value))

    per_round: dict[tuple[str, str, int], int] = {}  # exact ints first: one multiplication per (account, asset, round), not per event
    for round_, account, sym, amount in sim.state.loss_events:
        per_round[(account, sym, round_)] = per_round.get((account, sym, round_), 0) + amount
    names: dict[str, tuple[str, str]] = {}
    for (account, sym, round_), amount in per_round.items():
        if account not in names:
            names[account] = (sim.entity_name(account), sim.role_of(account))
        add((*names[account], sym), amount, prices.exact_value(sym, amount, round_))
    end_round = _round_of(sim, None)
    for m in sim.losses():
        if m.role == "pool_member" and m.metric == "loss":  # LST members: value their tokens lost since setup
            add((m.entity, "pool_member", m.asset), m.value, prices.exact_value(m.asset, m.value, end_round))
    return out


def losses_by_role(sim: "Simulation", prices: Prices, by_entity: dict[tuple[str, str, str], tuple[int, ExactValue]] | None = None) -> list[dict[str, Any]]:
    """Every (role, asset) with its loss in base units, whole tokens and the numeraire (``value``:
    a float; ``value_exact``: the exact fraction as text, None without a price); zeros are
    explicit so that a table of runs always has the same columns."""
    base: dict[tuple[str, str], int] = {}
    value: dict[tuple[str, str], ExactValue] = {}
    for (_, role, sym), (b, v) in (entity_losses(sim, prices) if by_entity is None else by_entity).items():
        key = (ROLE_OF_ACTOR.get(role, "other"), sym)
        base[key] = base.get(key, 0) + b
        value[key] = add_values(value.get(key, Fraction(0)), v)
    rows = []
    for role in ROLES + ("pool",):
        for sym in prices.decimals:
            if role == "pool" and (role, sym) not in base:
                continue
            b = base.get((role, sym), 0)
            exact = value.get((role, sym), Fraction(0)) if b else Fraction(0)
            rows.append({"role": role, "asset": sym, "base": b, "tokens": prices.tokens(sym, b), "value": value_float(exact),
                         "value_exact": value_text(exact), "in_total": role != "pool"})
    return rows


def governance_outcome(sim: "Simulation") -> dict[str, Any]:
    """Per veto governance wanted: how it went on the arm's path. ``processes``: one row per veto
    process (when it started, when its call executed or would execute, when the slash applied,
    landed / late / failed / pending and why). Under the shortcut every decided veto counts, landed
    if the slash was vetoed, late if the veto came after the window. ``pending``: still running at
    the horizon (censored: neither landed nor late). ``lateness``: blocks past the last block a veto
    could land in (landed: 0); ``needed_window``: blocks from the slash's proposal to the veto's
    execution, inclusive (how long the window would have had to be).

    A path other than the shortcut governs only the slashes the rule keeps in a pallet's queue
    (``native``); the vetoes of the slashes it models in Python still take the shortcut. Those are
    counted apart, under ``shortcut`` (with the slash ``targets``), never under the path asked for:
    a council motion that cannot cancel anything must not be credited with their vetoes.
    ``fastest_landing_blocks``: the earliest a veto on the path can execute after a proposal (None:
    never), against ``window_blocks_max``, the most blocks any of its vetoes had before its slash
    applied: the governance pallets keep the testnet's periods while a scenario may compress rounds."""
    board = sim.state.gov
    recs = {r.slash_id: r for r in sim.queue.records}
    rows = [p.row() for p in board.processes] if board is not None else _shortcut_rows(sim.queue.records)
    modelled = _shortcut_rows([r for r in sim.queue.records if not r.native]) if board is not None else []
    for row in rows + modelled:
        rec = recs.get(row["slash_id"])
        enact = row["enact_block"]
        row["needed_window"] = (enact - rec.proposed_block + 1) if enact is not None and rec is not None and rec.proposed_block is not None and row["outcome"] in ("landed", "late") else None
        if row["outcome"] not in ("landed", "late"):
            row["lateness"] = None
    lateness = [r["lateness"] for r in rows if r["outcome"] == "late" and r["lateness"] is not None]
    needed = [r["needed_window"] for r in rows if r["needed_window"] is not None]
    path = sim.sc.governance.path if board is not None else "shortcut"
    fastest, basis = fastest_landing(path, sim.rt, sim.sc.governance.fast_track_voting_period)
    windows = [r["apply_block"] - 1 - recs[r["slash_id"]].proposed_block for r in rows
               if r["apply_block"] is not None and recs[r["slash_id"]].proposed_block is not None]
    return {"path": path, "processes": rows + modelled, "wanted": len(rows), **_outcome_counts(rows),
            "lateness_max": max(lateness) if lateness else None, "lateness_min": min(lateness) if lateness else None,
            "needed_window_max": max(needed) if needed else None, "reasons": _reasons(rows),
            "late_bounded": sum(1 for r in rows if r["outcome"] == "late" and r.get("lateness_bound")),
            "shortcut": {"wanted": len(modelled), **_outcome_counts(modelled), "reasons": _reasons(modelled),
                         "targets": sorted({r["target"] for r in modelled})},
            "fastest_landing_blocks": fastest, "fastest_landing_basis": basis, "window_blocks_max": max(windows) if windows else None,
            "round_blocks": sim.clock.session_length, "asked_path": sim.sc.governance.path,
            "instant_voters": instant_voters(sim.sc.governance) if path == "referendum_instant" else None}


def _shortcut_rows(records: list[SlashRecord]) -> list[dict[str, Any]]:
    """One row per decided veto that took the shortcut (landing ``reaction_blocks`` after the proposal)."""
    rows = []
    for r in records:
        if r.decision not in ("veto", "veto_late") or r.proposed_block is None:
            continue
        landed = r.status == "vetoed"
        outcome = "landed" if landed else ("late" if r.decision == "veto_late" else "pending" if r.status in OPEN else "failed")
        apply = r.timing.execute_block if r.timing else None
        rows.append({"slash_id": r.slash_id, "path": "shortcut", "target": r.target, "started_block": r.proposed_block,
                     "enact_block": r.veto_block if landed else None, "apply_block": apply, "landed": landed, "outcome": outcome,
                     "failure": r.note if outcome in ("late", "failed") else "", "lateness": 0 if landed else None, "stage": "done"})
    return rows


def _outcome_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {k: sum(1 for r in rows if r["outcome"] == k) for k in ("landed", "late", "failed", "pending")}


def _reasons(rows: list[dict[str, Any]]) -> dict[str, int]:
    reasons: dict[str, int] = {}
    for r in rows:
        if r["outcome"] in ("late", "failed"):
            key = f"{r['outcome']}: {_reason(r['failure'])}"
            reasons[key] = reasons.get(key, 0) + 1
    return dict(sorted(reasons.items()))


def _reason(text: str) -> str:
    """A failure's kind, without its block numbers (so runs can be counted together)."""
    if text.startswith("slash applied at block"):
        return "slash applied before enactment" if " while the " not in text else "slash applied while the process was open"
    return "".join(ch for ch in text.split(" (")[0] if not ch.isdigit()).strip()


def outcomes(sim: "Simulation") -> dict[str, Any]:
    """The per-run outcome record (plain data: JSON-able, stored in the arm's summary)."""
    prices = Prices(sim.sc)
    sim.scan_events()
    truth = ground_truth(sim, prices)
    losses = losses_by_role(sim, prices)
    total: ExactValue = Fraction(0)
    for r in losses:
        if r["in_total"]:
            total = add_values(total, value_of_text(r["value_exact"]))
    return {**truth, "numeraire": prices.numeraire, "decimals": dict(prices.decimals), "losses_by_role": losses, "loss_total_value": value_float(total),
            "loss_total_value_exact": value_text(total), "governance": governance_outcome(sim)}


def run_row(outcome: dict[str, Any]) -> dict[str, Any]:
    """Flatten an outcome record into DataFrame columns: ``*_base`` exact ints (base units), the
    same name without ``_base`` in whole tokens (float), ``*_value`` in the numeraire (float)."""
    o = outcome
    row: dict[str, Any] = {k: o[k] for k in ("proposed", "justified", "unjustified", "applied", "vetoed", "late_vetoes", "late_vetoes_unjustified",
                                             "honest_slashed", "honest_spared", "faulty_punished", "faulty_escaped", "faulty_escaped_vetoed",
                                             "faulty_escaped_dodged", "pending_at_end", "pending_justified", "pending_unjustified", "drained_rounds")}
    dec = o["decimals"]
    for prefix, key in (("honest_slashed", "honest_slashed_base"), ("pending", "pending_base")):
        for sym, b in o[key].items():
            row[f"{prefix}_{sym}_base"] = b
            row[f"{prefix}_{sym}"] = b / 10 ** dec[sym] if sym in dec else math.nan
    row["honest_slashed_value"] = o["honest_slashed_value"]
    row["pending_value"] = o["pending_value"]
    for k in ("pending_at_horizon", "pending_at_horizon_value", "gov_open_at_horizon"):  # outcomes stored before this have none
        if k in o:
            row[k] = o[k]
    row["resolution_blocks_mean"] = math.nan if o["resolution_blocks_mean"] is None else o["resolution_blocks_mean"]
    per_role_value: dict[str, float] = {}
    for r in o["losses_by_role"]:
        row[f"loss_{r['role']}_{r['asset']}_base"] = r["base"]
        row[f"loss_{r['role']}_{r['asset']}"] = r["tokens"]
        per_role_value[r["role"]] = per_role_value.get(r["role"], 0.0) + r["value"]
    for role, v in per_role_value.items():
        row[f"loss_{role}_value"] = v
    row["loss_total_value"] = o["loss_total_value"]
    row["numeraire"] = o["numeraire"]
    gov = o.get("governance")
    if gov is not None:  # outcomes stored before governance paths existed have none
        row["gov_path"] = gov["path"]
        for k in ("wanted", "landed", "late", "failed", "pending"):
            row[f"gov_{k}"] = gov[k]
        for k in ("lateness_max", "lateness_min", "needed_window_max"):
            row[f"gov_{k}"] = math.nan if gov[k] is None else gov[k]
        row["gov_reasons"] = json.dumps(gov["reasons"], sort_keys=True)
        row["gov_late_bounded"] = gov.get("late_bounded", 0)  # late vetoes whose lateness is a lower bound
        cut = gov.get("shortcut")  # outcomes stored before the shortcut was counted apart have none
        if cut is not None:  # the vetoes of slashes the rule models in Python: the shortcut, whatever the path
            for k in ("wanted", "landed", "late", "failed", "pending"):
                row[f"gov_shortcut_{k}"] = cut[k]
            row["gov_shortcut_reasons"] = json.dumps(cut["reasons"], sort_keys=True)
            row["gov_shortcut_targets"] = ",".join(cut["targets"])
        if "fastest_landing_basis" in gov:  # what the notes on a path's reach and clock need (None: never lands -> NaN)
            for k in ("fastest_landing_blocks", "window_blocks_max", "round_blocks"):
                row[f"gov_{k}"] = math.nan if gov[k] is None else gov[k]
            row["gov_fastest_landing_basis"] = gov["fastest_landing_basis"]
            row["gov_asked_path"] = gov.get("asked_path", gov["path"])
        iv = gov.get("instant_voters")
        if iv is not None:  # who could vote in an instant referendum's single block
            for k, v in iv.items():
                row[f"gov_instant_{k}"] = v
    return row
