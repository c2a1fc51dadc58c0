"""The what-if table's numbers: per entity and asset, the loss with and without the veto of the
fork's slash, in exact tokens and in the numeraire, and the totals that reconcile with the arm table.

Why both: under a moving price the two can point opposite ways. The arm table values every loss at
the price of the round it happened; a veto that spares one loss now but lets a later one through
(a mover that restakes, an operator slashed again) moves losses between rounds. With a falling
price, a veto can cost tokens and still save value (the extra losses land in cheaper rounds). So each
row carries its exact value (a fraction, as text: ``"7/25"``; None when the asset has no price),
each total row adds them exactly, and the table says when prices moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from simulations.lab.outcomes import ExactValue, Prices, add_values, value_float, value_of_text, value_text

if TYPE_CHECKING:
    from simulations.runner import ArmResult
    from simulations.scenario import Scenario

POOL_ROLE = "pool"  # an LST pool's bonded account: what its members lose, so left out of totals (as in the arm table)


def branch_difference(results: dict[str, "ArmResult"]) -> list[dict[str, Any]]:
    """Per entity and asset: loss without the veto, with it, and what the veto saved, in base
    units (``loss_*``, ``saved_by_veto``) and in the numeraire (``value_*``, ``saved_value``:
    exact fractions as text, each loss at its round's price). An LST member's tokens saved are
    the difference of its final token values."""
    table: dict[tuple[str, str, str], dict[str, Any]] = {}

    def row(key: tuple[str, str, str]) -> dict[str, Any]:
        return table.setdefault(key, {"veto": 0, "no_veto": 0, "value_veto": Fraction(0), "value_no_veto": Fraction(0)})

    for branch in ("veto", "no_veto"):
        for m in results[branch].losses:
            row((m.entity, m.role, m.asset))[branch] += m.value
        for key, (_, value) in results[branch].loss_values.items():
            r = row(key)
            r[f"value_{branch}"] = add_values(r[f"value_{branch}"], value)
        for m in results[branch].final_metrics:
            if m.role == "pool_member":
                row((m.entity, m.role, m.asset))[f"held_{branch}"] = m.value
    out = []
    for (entity, role, asset), v in sorted(table.items()):
        if role == "pool_member":
            saved = v.get("held_veto", 0) - v.get("held_no_veto", 0)
        else:
            saved = v["no_veto"] - v["veto"]
        no_veto, veto = v["value_no_veto"], v["value_veto"]
        out.append({"entity": entity, "role": role, "asset": asset, "loss_no_veto": v["no_veto"], "loss_veto": v["veto"], "saved_by_veto": saved,
                    "value_no_veto": value_text(no_veto), "value_veto": value_text(veto),
                    "saved_value": value_text(None if no_veto is None or veto is None else no_veto - veto)})
    return out


def totals(rows: list[dict[str, Any]]) -> tuple[dict[str, dict[str, int]], dict[str, ExactValue]]:
    """Per asset, the token columns added up; per asset and ``""`` (all assets), the saved value
    added up exactly (None when a row has no value). Pool accounts are left out, as in the arm
    table. So ``value[""]`` is the no_veto arm's total loss minus the veto arm's."""
    tokens: dict[str, dict[str, int]] = {}
    value: dict[str, ExactValue] = {"": Fraction(0)}
    for r in rows:
        if r["role"] == POOL_ROLE:
            continue
        t = tokens.setdefault(r["asset"], {"loss_no_veto": 0, "loss_veto": 0, "saved_by_veto": 0})
        for k in t:
            t[k] += r[k]
        saved = value_of_text(r["saved_value"]) if "saved_value" in r else None
        value[r["asset"]] = add_values(value.get(r["asset"], Fraction(0)), saved)
        value[""] = add_values(value[""], saved)
    return tokens, value


def price_moves(sc: "Scenario", last_round: int) -> dict[str, list[float]]:
    """Assets whose price changed over rounds 0..``last_round``: ``[first, last, lowest, highest]``
    (floats: for the printed note only)."""
    prices = Prices(sc)
    out: dict[str, list[float]] = {}
    for sym, p in prices.table.items():
        if not isinstance(p, list):
            continue
        path = [float(x) for x in p[:max(last_round, 0) + 1]]
        if len(set(path)) > 1:
            out[sym] = [path[0], path[-1], min(path), max(path)]
    return out


def what_if_context(sc: "Scenario", results: dict[str, "ArmResult"]) -> dict[str, Any]:
    """What the printed table needs besides its rows: the numeraire and the prices that moved
    over the longer of the two branches."""
    last = max(int(results[b].summary.get("round", 0)) for b in ("veto", "no_veto"))
    return {"numeraire": Prices(sc).numeraire, "price_moves": price_moves(sc, last), "last_round": last}


def moved_note(numeraire: str, moves: dict[str, list[float]], last_round: int) -> str | None:
    """One line saying why the token and value totals can differ in sign; None when no price moved."""
    if not moves:
        return None
    what = ", ".join(f"{sym} {a:g} → {b:g}" + (f" (between {lo:g} and {hi:g})" if (lo, hi) != tuple(sorted((a, b))) else "")
                     for sym, (a, b, lo, hi) in sorted(moves.items()))
    return (f"Prices moved over rounds 0-{last_round} ({what} {numeraire}): each loss is valued at the price of its round, so a token "
            f"total and its {numeraire} total can differ in sign (a veto that moves a loss to a round where the token is worth less or more "
            f"changes its value, not its size).")


def veto_miss(status: str, decision: str | None, note: str, applied_block: int | None, slash_id: int) -> str | None:
    """Why the veto branch's fork slash was not vetoed (None: it was). The branch forces
    governance's decision to veto, but on a real governance path the veto is a process that may
    not land before the slash applies: then both branches apply it and the table measures no veto."""
    if status == "vetoed":
        return None
    what = {"applied": f"applied at block {applied_block}", "pending": "still pending when the run stopped"}.get(status, status)
    if decision == "veto_late":
        why = "its veto came too late"
    elif decision == "veto_failed":
        why = "its veto failed"
    elif decision == "veto":
        why = "its veto process was still open"
    else:
        why = f"governance decided {decision or 'nothing'}"
    gov = [part.strip() for part in (note or "").split(";") if part.strip().startswith("gov ")]
    return (f"the veto did not land in the veto branch: fork slash {slash_id} was {what}, {why}" + (f" ({gov[0]})" if gov else "")
            + ": both branches apply it, so this table measures no saving of a veto (not a saving of 0); compare paths with tangle-sim sweep")


def fork_veto_miss(store: Any, run_id: int) -> str | None:
    """:func:`veto_miss` for a stored run's what-if (None without a fork, or when the veto landed)."""
    import json

    arm = next((a for a in store.arms(run_id) if a.branch == "veto"), None)
    if arm is None:
        return None
    fork = json.loads(arm.summary_json or "{}").get("fork")
    if not fork:
        return None
    row = next((r for r in store.slashes(arm.id) if r.slash_id == fork["slash_id"]), None)
    if row is None:
        return None
    return veto_miss(row.status, row.decision, row.note, row.applied_block, row.slash_id)


TOKEN_COLUMNS = (("loss_no_veto", "loss without veto (tokens)"), ("loss_veto", "loss with veto (tokens)"), ("saved_by_veto", "saved by the veto (tokens)"))


@dataclass
class WhatIfTable:
    """The table as text, for the terminal and the HTML report alike: ``labels`` (entity, role,
    asset) of the entity rows, then of the total rows (the first ``body`` are entity rows);
    ``cells[key][i]`` is row ``i``'s text in column ``key``; ``notes``: lines to print under it."""

    columns: list[tuple[str, str]]
    labels: list[tuple[str, str, str]]
    cells: dict[str, list[str]]
    body: int
    notes: list[str] = field(default_factory=list)
    title: str = "what-if: the fork slash vetoed vs applied"


def value_cell(text: str | None) -> str:
    """An exact value (``"7/25"``) shown in the numeraire: a float, for people, beside the exact tokens."""
    v = value_float(value_of_text(text))
    return "no price" if v != v else f"{v:,.2f}"


def what_if_table(diff: list[dict[str, Any]], context: dict[str, Any], decimals: dict[str, int], missed: str | None = None) -> WhatIfTable:
    """The rows of a run's ``branch_difference`` with total rows, each amount in exact whole tokens
    (``format_units``: never rounded), what the veto saved in the numeraire, and the notes that
    reconcile it with the arm table. ``context``: the run's ``what_if`` info (numeraire, price
    moves); rows stored before values were kept get the token columns only. ``missed``: why the
    veto did not land in the veto branch (:func:`fork_veto_miss`): then the table has no "saved"
    columns (there was no veto to save anything) and its first note says why."""
    from blueprints.amounts import format_units

    numeraire = context.get("numeraire", "numeraire")
    valued = bool(diff) and all("saved_value" in row for row in diff)
    token_totals, value_totals = totals(diff)
    who = "all but pools" if any(r["role"] == POOL_ROLE for r in diff) else "all"
    rows: list[dict[str, Any]] = [dict(row) for row in diff]
    for asset, t in sorted(token_totals.items()):
        rows.append({"entity": "total", "role": who, "asset": asset, **t, "saved_value": value_text(value_totals.get(asset))})
    if valued and len(token_totals) > 1 and not missed:
        rows.append({"entity": "total", "role": who, "asset": "all assets", "loss_no_veto": None, "loss_veto": None, "saved_by_veto": None,
                     "saved_value": value_text(value_totals[""])})
    columns = list(TOKEN_COLUMNS) + ([("saved_value", f"saved by the veto ({numeraire})")] if valued else [])
    if missed:
        columns = [(k, h.replace("with veto", "in the veto branch (not vetoed)")) for k, h in columns if k not in ("saved_by_veto", "saved_value")]
    cells: dict[str, list[str]] = {}
    for key, _ in columns:
        if key == "saved_value":
            cells[key] = [value_cell(row["saved_value"]) for row in rows]
        else:
            cells[key] = ["" if row[key] is None else format_units(row[key], decimals.get(row["asset"], 18 if row["asset"] == "TNT" else 0), "").rstrip()
                          for row in rows]
    notes = [missed] if missed else []
    if valued and not missed:
        notes.append(f"{numeraire}: each loss valued at the price of the round it happened, as in the arm table; the {numeraire} total is "
                     f"the no_veto arm's loss minus the veto arm's." + (" Pools' bonded accounts are left out of totals (their members' losses are counted)."
                                                                         if who != "all" else ""))
        note = moved_note(numeraire, context.get("price_moves") or {}, int(context.get("last_round", 0)))
        if note:
            notes.append(note)
    title = "what-if: the fork slash vetoed vs applied" if not missed else "what-if: the fork slash, veto branch (the veto did not land) vs applied"
    return WhatIfTable(columns, [(r["entity"], r["role"], r["asset"]) for r in rows], cells, len(diff), notes, title)


__all__ = ["WhatIfTable", "branch_difference", "fork_veto_miss", "veto_miss", "moved_note", "price_moves", "totals", "value_cell", "what_if_context", "what_if_table"]
