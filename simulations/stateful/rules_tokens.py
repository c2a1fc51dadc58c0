"""Rules for Balances and Assets: transfers, asset creation, minting, freezing and burning."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, multiple, rule

from simulations.stateful import strategies as S
from simulations.stateful import world
from simulations.stateful.bundles import accounts, assets
from simulations.stateful.rulebase import PERCENT, RuleMixin


class TokenRules(RuleMixin):
    """Balances and Assets calls. The ``assets`` bundle holds ``(asset id, owner)``: most calls come
    from the owner so they get past permission checks; ``by_owner=False`` sends the same call from
    anyone (the NoPermission paths)."""

    @initialize(target=accounts)
    def seed_accounts(self) -> Any:
        return multiple(*world.ACCOUNTS)

    @initialize(target=assets)
    def seed_assets(self) -> Any:
        return multiple((world.USDC_ID, world.DEV_ACCOUNTS["Alice"]))

    # ------------------------------------------------------------------ balances
    @rule(src=accounts, dest=accounts, value=S.amounts(), keep_alive=st.booleans(),
          mode=st.sampled_from(["amount", "amount", "share", "all_but"]), percent=PERCENT, left=st.sampled_from([1, S.ED - 1, S.ED, S.ED + 1]))
    def transfer(self, src: str, dest: str, value: int, keep_alive: bool, mode: str, percent: int, left: int) -> None:
        """A fixed amount, a share of the sender's balance, or all of it but ``left`` (around the
        existential deposit: what reaps accounts and burns dust)."""
        free = self.rt.free_balance(src)
        if mode == "share":
            value = self.share(free, percent)
        elif mode == "all_but":
            value = max(free - left, 0)
        fn = "transfer_keep_alive" if keep_alive else "transfer_allow_death"
        self.call(src, "Balances", fn, {"dest": dest, "value": value})

    @rule(src=accounts, fresh=st.sampled_from(world.FRESH_ACCOUNTS), dest=accounts, amount=st.sampled_from([S.ED, S.ED + 1, 2 * S.ED, S.UNIT]),
          left=st.sampled_from([1, S.ED - 1, S.ED, 0]))
    def reap_account(self, src: str, fresh: str, dest: str, amount: int, left: int) -> None:
        """Fund an account with little, then send all of it but ``left`` (allow death): below the
        existential deposit the account is reaped and its dust burned."""
        if self.ok(self.call(src, "Balances", "transfer_allow_death", {"dest": fresh, "value": amount})):
            self.call(fresh, "Balances", "transfer_allow_death", {"dest": dest, "value": max(self.rt.free_balance(fresh) - left, 0)})

    @rule(src=accounts, dest=accounts, keep_alive=st.booleans())
    def transfer_all(self, src: str, dest: str, keep_alive: bool) -> None:
        self.call(src, "Balances", "transfer_all", {"dest": dest, "keep_alive": keep_alive})

    # ------------------------------------------------------------------ assets
    @rule(target=assets, asset_id=st.integers(min_value=world.USDC_ID, max_value=world.USDC_ID + 4), owner=accounts, sufficient=st.booleans(),
          min_balance=st.integers(1, 1000))
    def create_asset(self, asset_id: int, owner: str, sufficient: bool, min_balance: int) -> Any:
        receipt = self.call("root", "Assets", "force_create", {"id": asset_id, "owner": owner, "is_sufficient": sufficient, "min_balance": min_balance})
        return (asset_id, owner) if self.ok(receipt) else multiple()

    @rule(asset=assets, other=accounts, who=accounts, amount=S.asset_amounts(), by_owner=S.mostly_true())
    def mint_asset(self, asset: tuple[int, str], other: str, who: str, amount: int, by_owner: bool) -> None:
        self.call(asset[1] if by_owner else other, "Assets", "mint", {"id": asset[0], "beneficiary": who, "amount": amount})

    @rule(asset=assets, src=accounts, dest=accounts, amount=S.asset_amounts(), keep_alive=st.booleans())
    def transfer_asset(self, asset: tuple[int, str], src: str, dest: str, amount: int, keep_alive: bool) -> None:
        self.call(src, "Assets", "transfer_keep_alive" if keep_alive else "transfer", {"id": asset[0], "target": dest, "amount": amount})

    @rule(asset=assets, other=accounts, who=accounts, freeze=st.booleans(), by_owner=S.mostly_true())
    def freeze_or_thaw(self, asset: tuple[int, str], other: str, who: str, freeze: bool, by_owner: bool) -> None:
        self.call(asset[1] if by_owner else other, "Assets", "freeze" if freeze else "thaw", {"id": asset[0], "who": who})

    @rule(asset=assets, other=accounts, who=accounts, amount=S.asset_amounts(), by_owner=S.mostly_true())
    def burn_asset(self, asset: tuple[int, str], other: str, who: str, amount: int, by_owner: bool) -> None:
        self.call(asset[1] if by_owner else other, "Assets", "burn", {"id": asset[0], "who": who, "amount": amount})
