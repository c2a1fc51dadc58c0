"""Readable timelines of what happened on chain: requests, job calls, results, rewards, slashes.

The examples' demos print these; tests read :func:`timeline_rows` to check a story is complete.
Each event of interest becomes one line in words ("Eve called job 0 (square) on service 0: 7"),
with dev names instead of SS58 addresses and job arguments/results decoded through the blueprint.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Iterator

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from runtime.events import EventRecord

from blueprints.amounts import format_amount, tnt
from blueprints.definition import Blueprint
from blueprints.naming import name_of, role_of

# event name -> category shown in the timeline
CATEGORIES = {
    "BlueprintCreated": "setup", "Registered": "setup", "OperatorJoined": "setup", "Delegated": "setup",
    "ServiceRequested": "request", "ServiceRequestApproved": "request", "ServiceInitiated": "request",
    "ServiceTerminated": "request", "ServiceRequestRejected": "request", "ServiceRequestExpired": "request",
    "JobCalled": "job", "JobResultSubmitted": "result", "HeartbeatReceived": "heartbeat",
    "SubscriptionBillingProcessed": "payment", "SubscriptionBillingSkipped": "payment", "PayOncePaymentProcessed": "payment",
    "RewardDistributed": "reward", "RewardRecorded": "reward", "OperatorRewardsClaimed": "reward",
    "EraRewardsDistributed": "reward", "EraRewardsClaimed": "reward", "Transfer": "payment", "Transferred": "payment",
    "UnappliedSlash": "slash", "SlashDiscarded": "slash", "SlashDropped": "slash", "OperatorSlashed": "slash", "DelegatorSlashed": "slash",
}


def _who(account: Any) -> str:
    return name_of(account) if isinstance(account, str) else str(account)


def _fmt(value: Any) -> str:
    """A value for humans: bytes as short 0x-hex, dataclasses as Name(field=...), accounts as names."""
    if isinstance(value, (bytes, bytearray)):
        h = bytes(value).hex()
        return "0x" + (h if len(h) <= 16 else h[:12] + "…")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        inner = ", ".join(f"{f.name}={_fmt(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({inner})"
    if isinstance(value, tuple):  # shown as Python writes it: a tuple result never reads as a list-typed one
        return "(" + ", ".join(_fmt(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, str) and len(value) == 48 and value.startswith("5"):
        return name_of(value)
    return repr(value)


def _short(value: Any, limit: int = 90) -> str:
    text = _fmt(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(ev: EventRecord, blueprint: Blueprint | None = None, rt: Any = None, operator: str | None = None) -> str | None:
    """One event in words, or None for events a timeline does not show. ``rt`` supplies asset
    metadata (decimals, symbol) for non-TNT amounts; without it they are shown in base units.
    ``operator``: for a ``DelegatorSlashed``, the operator whose slash it is (the event has no such
    field; :func:`timeline_rows` knows it from the ``OperatorSlashed`` deposited just before)."""
    n = ev.spec.name
    a = ev.attributes
    if n == "BlueprintCreated":
        return f"{_who(a['owner'])} created blueprint {a['blueprint_id']}"
    if n == "Registered":
        return f"{_who(a['provider'])} registered as an operator of blueprint {a['blueprint_id']}"
    if n == "OperatorJoined" and ev.spec.pallet == "MultiAssetDelegation":
        return f"{_who(a['who'])} joined MultiAssetDelegation as an operator"
    if n == "Delegated":
        return f"{_who(a['who'])} delegated {format_amount(rt, a['asset'], a['amount'])} to {_who(a['operator'])}"
    if n == "ServiceRequested":
        return f"{_who(a['owner'])} requested a service (request {a['request_id']}) from {', '.join(_who(o) for o in a['pending_approvals'])}"
    if n == "ServiceRequestApproved":
        return f"{_who(a['operator'])} approved request {a['request_id']}"
    if n == "ServiceInitiated":
        return f"service {a['service_id']} started for {_who(a['owner'])}"
    if n == "JobCalled":
        return f"{_who(a['caller'])} called {_job_name(blueprint, a['job'])} (call {a['call_id']}){_values(blueprint, a['job'], a['args'], 'args')}"
    if n == "JobResultSubmitted":
        return f"{_who(a['operator'])} answered call {a['call_id']}{_values(blueprint, a['job'], a['result'], 'result')}"
    if n == "HeartbeatReceived":
        return f"heartbeat from {_who(a['operator'])}"
    if n in ("Transfer", "Transferred") and ev.spec.pallet in ("Balances", "Assets"):
        src, dst = a["from"], a["to"]
        if role_of(src) is None and role_of(dst) is None:
            return None  # a transfer between people: not a payment of this blueprint
        from blueprints.ledger import _purpose

        roles = {acc: role_of(acc) for acc in (src, dst) if role_of(acc) is not None}
        amount = tnt(a["amount"]) if n == "Transfer" else format_amount(rt, int(a["asset_id"]), a["amount"])
        return f"{_who(src)} paid {amount} to {_who(dst)}: {_purpose(src, dst, roles)}"
    if n == "EraRewardsDistributed":
        kept = a["total"] - a["to_delegators"]
        return (f"era {a['era']}: {_who(a['operator'])} earned {tnt(kept)} (commission {tnt(a['commission'])} included), "
                f"its delegators {tnt(a['to_delegators'])}")
    if n == "EraRewardsClaimed":
        return f"{_who(a['account'])} claimed {tnt(a['amount'])} of era rewards"
    if n == "SubscriptionBillingProcessed":
        return (f"{_who(a['subscriber'])} billed {tnt(a['amount'])} for {_job_name(blueprint, a['job_index'])} of service {a['service_id']} "
                f"(one subscription interval, paid into the Rewards pot)")
    if n == "SubscriptionBillingSkipped":
        from blueprints.ledger import skip_reason

        return (f"{_who(a['subscriber'])} NOT billed {tnt(a['amount'])} for {_job_name(blueprint, a['job_index'])} of service {a['service_id']}: "
                f"interval skipped, nothing paid ({skip_reason(a['error'], a['amount'], rt)})")
    if n == "RewardDistributed":
        return f"{_who(a['operator'])} earned {tnt(a['amount'])} from service {a['service_id']} (recorded, claimable)"
    if n == "RewardRecorded":
        return None  # the same amount as RewardDistributed, recorded by the rewards pallet
    if n == "OperatorRewardsClaimed":
        return f"{_who(a['operator'])} claimed {tnt(a['amount'])} of rewards (paid out of the Rewards pot)"
    if n == "UnappliedSlash":
        return f"slash of {a['slash_percent']}% proposed against {_who(a['operator'])} (round {a['era']}, index {a['index']})"
    if n == "SlashDiscarded":
        return f"slash {a['index']} against {_who(a['operator'])} disputed and discarded"
    if n == "SlashDropped":
        return f"slash {a['index']} against {_who(a['operator'])} dropped"
    if n == "OperatorSlashed":
        return f"{_who(a['operator'])} lost {tnt(a['amount'])} of self-stake"
    if n == "DelegatorSlashed":
        asset = a.get("asset")
        shown = tnt(a["amount"]) if asset is None else format_amount(rt, asset, a["amount"])
        of = "" if operator is None else f" delegated to {_who(operator)}"
        return f"delegator {_who(a['delegator'])} lost {shown}{of} (service {a['service_id']})"
    return None


def _job_name(blueprint: Blueprint | None, job: int) -> str:
    if blueprint is not None and job in blueprint.jobs:
        return f"job {job} ({blueprint.jobs[job].name})"
    return f"job {job}"


def _values(blueprint: Blueprint | None, job: int, fields: Any, what: str) -> str:
    if blueprint is None or job not in blueprint.jobs:
        return ""
    spec = blueprint.jobs[job]
    try:
        if what == "args":
            values = spec.decode_args(fields)
            return ": " + ", ".join(_short(v) for v in values) if values else ""
        value = spec.decode_result(fields)
    except ValueError:
        return f": {len(fields)} field(s)"
    return "" if value is None else f" → {_short(value)}"


def with_slash_operator(events: Iterable[EventRecord]) -> Iterator[tuple[EventRecord, str | None]]:
    """Each event with, for a ``DelegatorSlashed``, the operator whose slash it is (else None).

    MultiAssetDelegation applies a slash as one OperatorSlashed, then one DelegatorSlashed per
    delegator with the same (service, blueprint, round) and no operator field: two operators
    slashed in one block would give identical delegator rows without the operator remembered here."""
    slashing: tuple[tuple[int, Any, Any, Any], str] | None = None
    for ev in events:
        name = ev.spec.name
        if name == "OperatorSlashed":
            a = ev.attributes
            slashing = ((ev.block, a["service_id"], a["blueprint_id"], a["era"]), a["operator"])
        elif name == "DelegatorSlashed" and slashing is not None:
            a = ev.attributes
            if slashing[0] == (ev.block, a["service_id"], a["blueprint_id"], a["era"]):
                yield ev, slashing[1]
                continue
        yield ev, None


def timeline_rows(events: Iterable[EventRecord], blueprint: Blueprint | None = None, *, skip: Callable[[EventRecord], bool] | None = None,
                  categories: Iterable[str] | None = None, rt: Any = None) -> list[tuple[int, str, str]]:
    """(block, category, text) for every event a timeline shows."""
    wanted = set(categories) if categories is not None else None
    rows: list[tuple[int, str, str]] = []
    transfer: tuple[int, EventRecord] | None = None  # the last row, when it is a TNT transfer (see below)
    for ev, operator in with_slash_operator(events):
        name = ev.spec.name
        cat = CATEGORIES.get(name)
        if cat is None or (wanted is not None and cat not in wanted) or (skip is not None and skip(ev)):
            continue
        text = describe(ev, blueprint, rt, operator)
        if text is None:
            continue
        if transfer is not None and moved_by(ev, transfer[1]):
            del rows[transfer[0]]  # a subscription charge, or a reward claim, is one movement: its transfer and its own event are one row
        rows.append((ev.block, cat, text))
        transfer = (len(rows) - 1, ev) if ev.spec.pallet == "Balances" and ev.spec.name == "Transfer" else None
    return rows


def moved_by(event: EventRecord, transfer: EventRecord) -> bool:
    """Whether ``event`` is the pallet's own account of the ``Balances.Transfer`` just before it: a
    subscription charge (``Services.SubscriptionBillingProcessed``, from the subscriber) or a reward
    claim paid out of the Rewards pot (``Rewards.OperatorRewardsClaimed``, to the operator). The
    pallet deposits both events for one movement, so a timeline shows it once."""
    a, t = event.attributes, transfer.attributes
    if transfer.block != event.block:
        return False
    if event.spec.pallet == "Services" and event.spec.name == "SubscriptionBillingProcessed":
        return t["from"] == a["subscriber"] and t["amount"] == a["amount"]
    if event.spec.pallet == "Rewards" and event.spec.name == "OperatorRewardsClaimed":
        return t["to"] == a["operator"] and t["amount"] == a["amount"]
    return False


STYLES = {"setup": "dim", "request": "cyan", "job": "bold", "result": "green", "heartbeat": "dim", "payment": "yellow",
          "reward": "yellow", "slash": "bold red", "note": "magenta"}


def heading(console: Console, text: str) -> None:
    """A demo's title, wrapped at the console's width (``console.rule`` would cut it)."""
    console.print()
    console.print(f"[bold]{escape(text)}[/bold]")
    console.print("─" * min(console.width, 80), style="dim")


def demo_table(title: str, columns: Iterable[str], *, right: Iterable[str] = ()) -> Table:
    """A table whose every column wraps (``fold``) instead of cutting: an error name is never
    shortened to ``InvalidJo…``, at 80 columns or less."""
    table = Table(title=title)
    aligned = set(right)
    for col in columns:
        table.add_column(col, overflow="fold", justify="right" if col in aligned else "left")
    return table


def fit_words(table: Table, width: int = 80) -> Table:
    """Fix each column's width so the table fits ``width`` and wraps only between words: a name
    (``InvalidJobResult``, ``LeaderImpersonation``) is never split or cut. Each column gets its
    longest word, then the room left goes to the columns whose text is longer, in order. If even
    the longest words do not fit, the table is left to fold (words split, never cut)."""
    texts = [[str(col.header), *(str(c) for c in col._cells)] for col in table.columns]
    mins = [max((len(w) for t in ts for w in t.split()), default=1) for ts in texts]
    naturals = [max((len(t) for t in ts), default=1) for ts in texts]
    room = width - 3 * len(mins) - 1  # borders and one space of padding each side
    if sum(mins) > room:
        return table
    widths = list(mins)
    spare = room - sum(widths)
    for i, natural in enumerate(naturals):
        extra = min(spare, max(0, natural - widths[i]))
        widths[i] += extra
        spare -= extra
    for col, w in zip(table.columns, widths):
        col.width = w
    return table


def print_timeline(console: Console, rows: Iterable[tuple[int, str, str]], title: str = "Timeline") -> None:
    table = Table(title=title)
    table.add_column("block", justify="right", overflow="fold")
    table.add_column("what", overflow="fold")
    table.add_column("", overflow="fold")
    for block, cat, text in rows:
        style = STYLES.get(cat, "")
        table.add_row(f"{block:,}", cat, f"[{style}]{escape(text)}[/{style}]" if style else escape(text))
    table.columns[0].min_width, table.columns[1].min_width = 6, 9
    console.print(table)
