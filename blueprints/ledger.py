"""Where the money went: payments (requester -> Services pallet -> master manager, subscriptions
-> Rewards pot -> operators) and per-era rewards per operator and delegator, read from the chain.

Payments are read from events: token transfers that touch an infrastructure account (the
Services pallet account, the master manager, the Rewards pot), the pallet's reward records and
claims. On chain (v1) the master manager contract splits a request payment between developer,
protocol, operators and restakers inside the EVM; the simulator does not run that split, so a
payment forwarded to it is shown as held by the master manager.

A subscription charge is one payment (payer -> Rewards pot, its job and service named), whatever
number of events the pallet deposits for it, and so is a reward claim (Rewards pot -> operator). An
operator's share of a charge (``Services.RewardDistributed``) is listed when it is recorded, with
``moved=False``: nothing moves until the claim, which is its own row. An interval the pallet could not bill (intended
extension event ``SubscriptionBillingSkipped``: the payer cannot pay, or a rate below the
existential deposit cannot open the empty Rewards pot) moved nothing, so it is not a payment: it
is a :class:`SkippedBill` (``skipped_bills``), with the reason in words.

Era rewards (the ``service_rewards`` extension) credit ``Rewards.PendingEraRewards`` at each era
start and emit one ``EraRewardsDistributed`` per rewarded operator; a delegator's share has no
event of its own. :class:`RewardLedger` watches the events and, at each era's distribution, reads
how much every account's pending credit grew (claims in between added back), which is exactly
what the era credited to it, delegators included. The harness polls often enough that at most one
era starts between two reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Iterable

from runtime.accounts import evm_to_account
from runtime.events import EventRecord

from blueprints.amounts import format_amount, tnt
from blueprints.naming import name_of, name_role

SERVICES_POT, MASTER_MANAGER, REWARDS_POT, MANAGER = "Services pallet", "master manager", "Rewards pot", "blueprint manager"


@dataclass(frozen=True)
class Payment:
    """One movement of value, as a person reads it."""

    block: int
    payer: str  # name (blueprints.naming.name_of)
    payee: str
    asset: int  # 0 = TNT, else the pallet_assets id
    amount: int  # base units
    what: str
    text: str  # amount formatted with the asset's decimals and symbol
    # False for a share the pallet records (Services.RewardDistributed): nothing moves until the
    # operator claims it, and the claim is its own row; sum rows with moved=True for what changed hands
    moved: bool = True

    def __str__(self) -> str:
        return f"{self.payer} → {self.payee}: {self.text} ({self.what})" + ("" if self.moved else " [credited, not moved]")


@dataclass(frozen=True)
class SkippedBill:
    """A subscription interval the pallet did not bill (nothing moved; no debt is kept)."""

    block: int
    payer: str  # name
    account: str  # SS58
    service_id: int
    job: int
    amount: int  # the rate that was not charged, TNT base units
    error: str  # the charge's error, "Pallet.Error"
    reason: str  # the error in words, with what to change

    def __str__(self) -> str:
        return (f"block {self.block}: {self.payer} NOT billed {tnt(self.amount)} for job {self.job} of service {self.service_id}: "
                f"interval skipped, nothing paid ({self.reason})")


def skip_reason(error: str, amount: int, rt: Any = None) -> str:
    """Why a subscription charge failed, for an author: the error name and what it means here."""
    if error == "Token.BelowMinimum":
        ed = None
        if rt is not None:
            try:
                ed = rt.pallets["Balances"].existential_deposit()
            except (KeyError, AttributeError):
                ed = None
        below = f" ({tnt(ed)})" if ed is not None else ""
        return (f"{error}: the rate, {amount:,} base units, is below TNT's existential deposit{below} and cannot open the empty "
                f"Rewards pot; rates are TNT base units (3 * 10**18 is 3 TNT)")
    if error in ("Token.FundsUnavailable", "Arithmetic.Underflow", "Balances.InsufficientBalance", "Token.NotExpendable"):
        return f"{error}: the payer cannot pay the rate and stay alive"
    return error


@dataclass(frozen=True)
class EraReward:
    """What one account was credited at one era start."""

    era: int
    block: int
    who: str  # name
    account: str  # SS58
    role: str  # "operator" or "delegator"
    amount: int  # TNT base units

    def __str__(self) -> str:
        return f"era {self.era}: {self.who} ({self.role}) earned {tnt(self.amount)}"


def name_infrastructure(rt: Any, manager_address: str | None = None) -> dict[str, str]:
    """Give the chain's money-handling accounts readable names; returns {SS58: role}."""
    from pallets.services.constants import DEFAULT_MBSM_ADDRESS

    roles = {rt.pallets["Services"].pallet_account(): SERVICES_POT, evm_to_account(DEFAULT_MBSM_ADDRESS): MASTER_MANAGER}
    rewards = rt.pallets.get("Rewards")
    if rewards is not None:
        roles[rewards.pallet_account()] = REWARDS_POT
    if manager_address is not None:
        roles[evm_to_account(manager_address)] = MANAGER
    for account, role in roles.items():
        name_role(account, role)
    return roles


def _purpose(src: str, dst: str, roles: dict[str, str]) -> str:
    s, d = roles.get(src), roles.get(dst)
    if d == SERVICES_POT:
        return "request payment, held by the Services pallet until the service starts"
    if s == SERVICES_POT and d == MASTER_MANAGER:
        return "forwarded to the master manager at service start (its EVM split is not simulated)"
    if s == SERVICES_POT:
        return "refund of a request payment"
    if d == REWARDS_POT:
        return "subscription payment into the Rewards pot"
    if s == REWARDS_POT:
        return "rewards paid out"
    return "transfer"


def payments(events: Iterable[EventRecord], rt: Any, roles: dict[str, str]) -> list[Payment]:
    """Every payment-related movement in ``events`` (see the module doc)."""
    out: list[Payment] = []
    for ev in events:
        pallet, name, a = ev.spec.pallet, ev.spec.name, ev.attributes
        if pallet == "Services" and name == "SubscriptionBillingProcessed":
            last = out[-1] if out else None  # the charge's transfer, just listed: say what it paid for
            if last is not None and last.block == ev.block and last.asset == 0 and last.amount == a["amount"] and last.payer == name_of(a["subscriber"]):
                out[-1] = replace(last, what=f"subscription interval of job {a['job_index']} of service {a['service_id']}, into the Rewards pot")
        elif pallet == "Balances" and name == "Transfer" and (a["from"] in roles or a["to"] in roles):
            out.append(Payment(ev.block, name_of(a["from"]), name_of(a["to"]), 0, a["amount"], _purpose(a["from"], a["to"], roles),
                               tnt(a["amount"])))
        elif pallet == "Assets" and name == "Transferred" and (a["from"] in roles or a["to"] in roles):
            out.append(Payment(ev.block, name_of(a["from"]), name_of(a["to"]), int(a["asset_id"]), a["amount"],
                               _purpose(a["from"], a["to"], roles), format_amount(rt, int(a["asset_id"]), a["amount"])))
        elif pallet == "Services" and name == "RewardDistributed":
            out.append(Payment(ev.block, REWARDS_POT, name_of(a["operator"]), 0, a["amount"],
                               f"operator's share of service {a['service_id']}, claimable with Rewards.claim_rewards", tnt(a["amount"]), moved=False))
        elif pallet == "Rewards" and name == "OperatorRewardsClaimed":
            what = "service rewards claimed, paid out of the Rewards pot"
            last = out[-1] if out else None  # the claim's transfer, just listed: one movement, not two
            if last is not None and last.block == ev.block and last.asset == 0 and last.amount == a["amount"] and last.payee == name_of(a["operator"]) and last.moved:
                out[-1] = replace(last, what=what)
            else:
                out.append(Payment(ev.block, REWARDS_POT, name_of(a["operator"]), 0, a["amount"], what, tnt(a["amount"])))
        elif pallet == "Rewards" and name == "EraRewardsClaimed":
            out.append(Payment(ev.block, "new issuance", name_of(a["account"]), 0, a["amount"], "era rewards claimed (minted)", tnt(a["amount"])))
    return out


def skipped_bills(events: Iterable[EventRecord], rt: Any = None) -> list[SkippedBill]:
    """Every subscription interval the pallet skipped (``Services.SubscriptionBillingSkipped``), in order."""
    out: list[SkippedBill] = []
    for ev in events:
        if ev.spec.pallet == "Services" and ev.spec.name == "SubscriptionBillingSkipped":
            a = ev.attributes
            out.append(SkippedBill(ev.block, name_of(a["subscriber"]), a["subscriber"], a["service_id"], a["job_index"], a["amount"],
                                   a["error"], skip_reason(a["error"], a["amount"], rt)))
    return out


class RewardLedger:
    """Per-era credits per account (see the module doc). Feed it every event in order
    (:meth:`on_event`) and call :meth:`settle` after each batch."""

    def __init__(self, rt: Any) -> None:
        self.rt = rt
        self.rows: list[EraReward] = []
        self._seen: dict[str, int] = dict(self._pending())
        self._claimed: dict[str, int] = {}
        self._era: tuple[int, int] | None = None  # (era, block) distributed in this batch
        self._operators: set[str] = set()

    def _pending(self) -> Iterable[tuple[str, int]]:
        rewards = self.rt.pallets.get("Rewards")
        if rewards is None:
            return ()
        return rewards.storage.PendingEraRewards.items()

    def on_event(self, ev: EventRecord) -> None:
        if ev.spec.pallet != "Rewards":
            return
        if ev.spec.name == "EraRewardsDistributed":
            if self._era is not None and self._era[0] != ev["era"]:
                self.settle()  # a second era in one batch: credit the first with what we know so far
            self._era = (ev["era"], ev.block)
            self._operators.add(ev["operator"])
        elif ev.spec.name == "EraRewardsClaimed":
            self._claimed[ev["account"]] = self._claimed.get(ev["account"], 0) + ev["amount"]

    def settle(self) -> None:
        """Turn the growth of pending credits since the last read into this batch's era rows."""
        if self._era is None:  # no distribution in this batch: only claims moved credits (no storage read)
            for account, amount in self._claimed.items():
                self._seen[account] = self._seen.get(account, 0) - amount
            self._claimed = {}
            return
        now = dict(self._pending())
        if self._era is not None:
            era, block = self._era
            for account in sorted(set(now) | set(self._seen) | set(self._claimed)):
                credit = now.get(account, 0) - self._seen.get(account, 0) + self._claimed.get(account, 0)
                if credit > 0:
                    role = "operator" if account in self._operators else "delegator"
                    self.rows.append(EraReward(era, block, name_of(account), account, role, credit))
        self._seen, self._claimed, self._era, self._operators = now, {}, None, set()


__all__ = ["EraReward", "Payment", "RewardLedger", "SkippedBill", "name_infrastructure", "payments", "skip_reason", "skipped_bills"]
