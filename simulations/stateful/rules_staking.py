"""Rules for pallet_staking: bond, bond more, unbond, withdraw, rebond, validate, nominate,
chill, payouts and (root) offences."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, multiple, rule

from simulations.stateful import strategies as S
from simulations.stateful import world
from simulations.stateful.bundles import accounts, stakers
from simulations.stateful.rulebase import INDEX, PERCENT, RuleMixin

PAYEES = st.sampled_from(["Staked", "Stash", "Staked"])


class StakingRules(RuleMixin):
    """Staking calls by bonded stashes (the ``stakers`` bundle) with affordable amounts."""

    @initialize(target=stakers)
    def seed_stakers(self) -> Any:
        return multiple(world.DEV_ACCOUNTS["Alice"], world.VALIDATOR)

    def _validators(self) -> list[str]:
        return sorted(self.storage("Staking").Validators.keys())

    @rule(target=stakers, who=accounts, percent=st.integers(1, 50), exact=S.mostly_true(), value=S.stake_amounts(), payee=PAYEES)
    def bond(self, who: str, percent: int, exact: bool, value: int, payee: str) -> Any:
        if exact:
            value = self.share(self.rt.free_balance(who), percent)
        return who if self.ok(self.call(who, "Staking", "bond", {"value": value, "payee": payee})) else multiple()

    @rule(who=stakers, amount=S.stake_amounts())
    def bond_extra(self, who: str, amount: int) -> None:
        self.call(who, "Staking", "bond_extra", {"max_additional": amount})

    @rule(who=stakers, percent=PERCENT, exact=S.mostly_true(), value=S.stake_amounts())
    def unbond(self, who: str, percent: int, exact: bool, value: int) -> None:
        ledger = self.storage("Staking").Ledger.get(who)
        if exact and ledger is not None:
            value = self.share(ledger.active, percent)
        self.call(who, "Staking", "unbond", {"value": value})

    @rule(who=stakers, action=st.sampled_from(["withdraw_unbonded", "withdraw_unbonded", "rebond"]), value=S.stake_amounts())
    def withdraw_or_rebond(self, who: str, action: str, value: int) -> None:
        params = {"num_slashing_spans": 0} if action == "withdraw_unbonded" else {"value": value}
        self.call(who, "Staking", action, params)

    @rule(pick=INDEX)
    def wait_and_withdraw_unbonded(self, pick: int) -> None:
        """A stash with unlocking chunks waits for the first to unlock and withdraws it. (Not an Lst
        pool's bonded account: nobody holds its key; the pool withdraws through Lst.)"""
        pools = self.storage("Lst").ReversePoolIdLookup if "Lst" in self.rt.pallets else None
        chunks = [(stash, min(c.era for c in led.unlocking)) for stash, led in sorted(self.storage("Staking").Ledger.items())
                  if led.unlocking and (pools is None or not pools.contains(stash))]
        chosen = self.pick(chunks, pick)
        if chosen is None:
            return
        stash, era = chosen
        self.advance_rounds_until(lambda: self.rt.current_era >= era, 12)
        self.call(stash, "Staking", "withdraw_unbonded", {"num_slashing_spans": 0})

    @rule(who=stakers, commission=st.sampled_from([0, 0, 50_000_000, 10**9]), blocked=st.booleans())
    def validate(self, who: str, commission: int, blocked: bool) -> None:
        self.call(who, "Staking", "validate", {"prefs": {"commission": commission, "blocked": blocked}})

    @rule(who=stakers, pick=INDEX, many=st.booleans(), other=accounts)
    def nominate(self, who: str, pick: int, many: bool, other: str) -> None:
        validators = self._validators()
        targets = validators if many and validators else [self.pick(validators, pick) or other]
        self.call(who, "Staking", "nominate", {"targets": targets})

    @rule(who=stakers)
    def chill(self, who: str) -> None:
        self.call(who, "Staking", "chill", {})

    @rule(who=accounts, pick=INDEX, back=st.integers(0, 3))
    def payout_stakers(self, who: str, pick: int, back: int) -> None:
        validator = self.pick(self._validators(), pick) or who
        era = max(self.rt.current_era - 1 - back, 0)
        self.call(who, "Staking", "payout_stakers", {"validator_stash": validator, "era": era})

    @rule(pick=INDEX, fraction=st.sampled_from([10**7, 10**8, 5 * 10**8]))
    def report_offence(self, pick: int, fraction: int) -> None:
        """Root reports an offence of a validator that can be slashed: elected in the active era
        (an offence needs an exposure) and not an invulnerable."""
        staking = self.rt.pallets["Staking"]
        invulnerable = set(self.storage("Staking").Invulnerables.value())
        era = self.rt.current_era
        elected = [v for v in self._validators() if v not in invulnerable and staking.eras_stakers(era, v).total > 0]  # type: ignore[attr-defined]
        validator = self.pick(elected, pick)
        if validator is not None:
            self.call("root", "Staking", "report_offence", {"validator": validator, "slash_fraction": fraction})

    @rule(pick=INDEX)
    def wait_for_deferred_slash(self, pick: int) -> None:
        """Advance to the era in which a reported offence's deferred slash is due (eras pass slowly
        in a 50-step run, so without this step deferred staking slashes would rarely be applied)."""
        due = self.pick(sorted(self.storage("Staking").UnappliedSlashes.keys()), pick)
        if due is None:
            return
        self.advance_rounds_until(lambda: self.rt.current_era >= due, 3 * self.rt.genesis.sessions_per_era * (due - self.rt.current_era + 1))

    @rule(pick=INDEX, which=st.integers(0, 3))
    def cancel_deferred_slash(self, pick: int, which: int) -> None:
        """Governance vetoes a deferred slash (root, as the slash_cancel origin) before it is due."""
        queue = self.storage("Staking").UnappliedSlashes
        era = self.pick(sorted(era for era, slashes in queue.items() if slashes), pick)  # cancelled-out eras stay as empty lists
        if era is not None:
            self.call("root", "Staking", "cancel_deferred_slash", {"era": era, "slash_indices": [which % len(queue.get(era))]})

