"""Rules for Lst (liquid-staking pools): create, join, bond extra, unbond (a share of the
holder's pool tokens), withdraw, pool withdraw, state changes, nominations, commission."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, multiple, rule

from simulations.stateful import strategies as S
from simulations.stateful import world
from simulations.stateful.bundles import accounts, pools
from simulations.stateful.rulebase import INDEX, PERCENT, RuleMixin

LST = "Lst"


class LstRules(RuleMixin):
    """Lst calls; the ``pools`` bundle holds ``(pool id, depositor)`` (the depositor is also the
    pool's root, nominator and bouncer, so admin calls by the depositor are permitted)."""

    @initialize(target=pools)
    def seed_pools(self) -> Any:
        return multiple((1, world.POOL_DEPOSITOR))

    def _holders(self, pool_id: int) -> list[str]:
        return sorted(who for (aid, who), acc in self.storage("Assets").Account.items() if aid == pool_id and acc.balance)

    @rule(target=pools, who=accounts, amount=S.stake_amounts())
    def create_pool(self, who: str, amount: int) -> Any:
        receipt = self.call(who, LST, "create", {"amount": amount, "root": who, "nominator": who, "bouncer": who, "name": None, "icon": None})
        if not self.ok(receipt):
            return multiple()
        return (receipt.event("Lst.Created")["pool_id"], who)  # type: ignore[union-attr]

    @rule(pool=pools, who=accounts, amount=S.stake_amounts(), extra=st.booleans())
    def join_pool(self, pool: tuple[int, str], who: str, amount: int, extra: bool) -> None:
        if extra:
            self.call(who, LST, "bond_extra", {"pool_id": pool[0], "extra": {"FreeBalance": amount}})
        else:
            self.call(who, LST, "join", {"amount": amount, "pool_id": pool[0]})

    @rule(pool=pools, pick=INDEX, percent=PERCENT, exact=S.mostly_true(), other=accounts, points=S.stake_amounts())
    def unbond_from_pool(self, pool: tuple[int, str], pick: int, percent: int, exact: bool, other: str, points: int) -> None:
        holder = self.pick(self._holders(pool[0]), pick) or other
        if exact:
            held = self.rt.pallets["Assets"].fungibles.balance(pool[0], holder)  # type: ignore[attr-defined]
            points = held if percent > 90 else self.share(held, percent)
        caller = holder if exact else other
        self.call(caller, LST, "unbond", {"member_account": holder, "pool_id": pool[0], "unbonding_points": points})

    @rule(pool=pools, pick=INDEX, other=accounts, own=S.mostly_true())
    def withdraw_from_pool(self, pool: tuple[int, str], pick: int, other: str, own: bool) -> None:
        members = sorted(self.storage(LST).UnbondingMembers.keys())
        member = self.pick(members, pick) or other
        self.call(member if own else other, LST, "withdraw_unbonded", {"member_account": member, "pool_id": pool[0], "num_slashing_spans": 0})

    @rule(pick=INDEX)
    def wait_and_withdraw_from_pool(self, pick: int) -> None:
        """An unbonding member waits for its unlock era (staking's planned era) and withdraws."""
        entries = [(member, era, pid) for member, rec in sorted(self.storage(LST).UnbondingMembers.items()) for era, (pid, _) in rec.unbonding_eras]
        chosen = self.pick(entries, pick)
        if chosen is None:
            return
        member, era, pid = chosen
        staking = self.rt.pallets["Staking"]
        self.advance_rounds_until(lambda: staking.current_era() >= era, 12)  # type: ignore[attr-defined]
        self.call(member, LST, "withdraw_unbonded", {"member_account": member, "pool_id": pid, "num_slashing_spans": 0})

    @rule(pool=pools, who=accounts)
    def pool_withdraw_unbonded(self, pool: tuple[int, str], who: str) -> None:
        self.call(who, LST, "pool_withdraw_unbonded", {"pool_id": pool[0], "num_slashing_spans": 0})

    @rule(pool=pools, other=accounts, by_owner=S.mostly_true(), state=st.sampled_from(["Open", "Blocked", "Destroying"]))
    def set_pool_state(self, pool: tuple[int, str], other: str, by_owner: bool, state: str) -> None:
        self.call(pool[1] if by_owner else other, LST, "set_state", {"pool_id": pool[0], "state": state})

    @rule(pool=pools, other=accounts, by_owner=S.mostly_true(), chill=st.booleans())
    def pool_nominate(self, pool: tuple[int, str], other: str, by_owner: bool, chill: bool) -> None:
        who = pool[1] if by_owner else other
        if chill:
            self.call(who, LST, "chill", {"pool_id": pool[0]})
        else:
            validators = sorted(self.storage("Staking").Validators.keys())
            self.call(who, LST, "nominate", {"pool_id": pool[0], "validators": validators[:2] or [other]})

    @rule(pool=pools, other=accounts, by_owner=S.mostly_true(), rate=st.sampled_from([0, 10_000_000, 100_000_000, 10**9]), claim=st.booleans())
    def pool_commission(self, pool: tuple[int, str], other: str, by_owner: bool, rate: int, claim: bool) -> None:
        who = pool[1] if by_owner else other
        if claim:
            self.call(who, LST, "claim_commission", {"pool_id": pool[0]})
        else:
            self.call(who, LST, "set_commission", {"pool_id": pool[0], "new_commission": (rate, who)})
