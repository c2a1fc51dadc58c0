"""Money: the up-front request payment (staged in the pallet account, forwarded to the master
manager when the service starts, refunded on rejection or expiry) and, under the intended profile,
subscription billing per interval (``on_initialize``).

Assets: ``Custom(0)`` is native TNT (Balances), other ``Custom`` ids are pallet_assets, ``Erc20``
goes through the ERC-20 contract registered at the token address (see ``manager.Erc20Token``).

Subscription billing (intended; quirk ``services.subscriptions_never_billed`` = real, where the
code exists but nothing reaches it): when a service starts, each ``Subscription`` job gets a
``JobSubscriptionBillings[(service, job, owner)]`` entry; the request payment covers the first
interval, then every ``interval`` blocks ``rate_per_interval`` TNT moves from the owner to the
rewards pallet account and is recorded as pending rewards of the service's operators (equal
shares, the remainder to the first; ``RewardsManager.record_reward``), until ``maybe_end``. At
most 50 billings per block (later ones move to the next block). An interval the owner cannot pay
is skipped (no debt is kept). Termination ends the service's billings.
"""

from __future__ import annotations

from runtime.accounts import evm_to_account
from runtime.errors import BadOrigin, DispatchError, Token

from pallets.primitives.assets import Asset
from pallets.services.constants import MAX_SUBSCRIPTION_BILLINGS_PER_BLOCK, MAX_SUBSCRIPTIONS_PER_USER, PALLET_EVM_ADDRESS
from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.types.blueprint import PricingModelU64, ServiceBlueprint
from pallets.services.types.jobs import JobSubscriptionBilling
from pallets.services.types.service import Account, Service, StagingServicePayment


class Payments:
    _pallet_account_cache: str | None = None

    def pallet_account(self) -> str:
        """The pallet's substrate account: the hashed mapping of ``PalletEvmAccount``."""
        acc = self._pallet_account_cache
        if acc is None:
            acc = self._pallet_account_cache = evm_to_account(PALLET_EVM_ADDRESS)
        return acc

    # ------------------------------------------------------------------ request payments
    def _stage_payment(self, caller: str, evm_origin: str | None, request_id: int, asset: Asset, value: int) -> None:
        """Take the request payment into the pallet account and record where a refund goes.

        Intended: a payment below its asset's existential deposit / min_balance is refused
        (``Token.BelowMinimum``). The pallet account escrows every staged payment in one balance and
        pays each out with AllowDeath, so a payment that small, left alone in the account when
        another is paid out, is reaped as dust and its refund is lost; payments of at least the
        minimum never leave the account between 0 and the minimum. Real: accepted (quirk
        ``services.sub_minimum_payment_lost_as_dust``)."""
        if asset.name == "Custom" and value and not self.ctx.quirk("services.sub_minimum_payment_lost_as_dust"):  # type: ignore[attr-defined]
            minimum = self.currency.existential_deposit() if asset.value == 0 else self.fungibles.minimum_balance(asset.value)  # type: ignore[attr-defined]
            if value < minimum:
                raise Token.BelowMinimum()
        if asset.name == "Custom":
            if asset.value == 0:
                self.currency.transfer(caller, self.pallet_account(), value, keep_alive=True)
            else:
                self.fungibles.transfer(asset.value, caller, self.pallet_account(), value, keep_alive=True)
            refund_to = Account.Id(caller)
        else:
            if evm_origin is None:
                raise Error.MissingEVMOrigin()
            if evm_to_account(evm_origin) != caller:
                raise BadOrigin()
            self._erc20_transfer(asset.value, evm_origin, PALLET_EVM_ADDRESS, value)
            refund_to = Account.Address(evm_origin)
        self.storage.StagingServicePayments.insert(request_id, StagingServicePayment(request_id, refund_to, asset, value))

    def _refund_payment(self, request_id: int) -> int:
        """Refund a staged payment in full (if any) and delete it; returns the amount refunded."""
        payment = self.storage.StagingServicePayments.get(request_id)
        if payment is None:
            return 0
        asset = payment.asset
        if asset.name == "Custom":
            if payment.refund_to.name != "Id":
                raise Error.ExpectedAccountId()
            if asset.value == 0:
                self.currency.transfer(self.pallet_account(), payment.refund_to.value, payment.amount, keep_alive=False)
            else:
                self.fungibles.transfer(asset.value, self.pallet_account(), payment.refund_to.value, payment.amount, keep_alive=False)
        else:
            if payment.refund_to.name != "Address":
                raise Error.ExpectedEVMAddress()
            self._erc20_transfer(asset.value, PALLET_EVM_ADDRESS, payment.refund_to.value, payment.amount)
        self.storage.StagingServicePayments.remove(request_id)
        return payment.amount

    def _forward_payment(self, blueprint: ServiceBlueprint, payment: StagingServicePayment) -> None:
        """At initialization: the staged payment goes to the blueprint's master manager."""
        mbsm = self.mbsm_address_of(blueprint)
        asset = payment.asset
        if asset.name == "Custom":
            dest = evm_to_account(mbsm)
            if asset.value == 0:
                self.currency.transfer(self.pallet_account(), dest, payment.amount, keep_alive=False)
            else:
                self.fungibles.transfer(asset.value, self.pallet_account(), dest, payment.amount, keep_alive=False)
        else:
            self._erc20_transfer(asset.value, PALLET_EVM_ADDRESS, mbsm, payment.amount)

    @staticmethod
    def _validate_payment_amount(blueprint: ServiceBlueprint, value: int) -> None:
        """``validate_payment_amount``: a non-zero payment must reach the cheapest PayOnce job's amount,
        or (without PayOnce jobs) the cheapest subscription rate. Any asset; 0 is always fine."""
        if value == 0:
            return
        pay_once = [j.pricing_model.value.amount for j in blueprint.jobs if j.pricing_model.name == "PayOnce"]
        if pay_once:
            if value < min(pay_once):
                raise Error.InvalidRequestInput("the payment is below the cheapest pay-once job")
            return
        rates = [j.pricing_model.value.rate_per_interval for j in blueprint.jobs if j.pricing_model.name == "Subscription"]
        if rates and value < min(rates):
            raise Error.InvalidRequestInput("the payment does not cover one subscription interval")

    # ------------------------------------------------------------------ subscriptions (intended)
    def _billing_enabled(self) -> bool:
        return not self.ctx.quirk("services.subscriptions_never_billed")

    def _start_subscriptions(self, service: Service, blueprint: ServiceBlueprint) -> None:
        """Create the billing entries of a new service's Subscription jobs (first interval prepaid)."""
        now = self.block_number
        s = self.storage
        for index, job in enumerate(blueprint.jobs):
            if job.pricing_model.name != "Subscription":
                continue
            model = job.pricing_model.value
            count = s.UserSubscriptionCount.get(service.owner)
            if count >= MAX_SUBSCRIPTIONS_PER_USER:
                raise Error.TooManySubscriptions()
            s.UserSubscriptionCount.insert(service.owner, count + 1)
            key = (service.id, index, service.owner)
            s.JobSubscriptionBillings.insert(key, JobSubscriptionBilling(service.id, index, service.owner, now, model.maybe_end))
            if model.interval:
                self._schedule_billing(now + model.interval, key)

    def _schedule_billing(self, block: int, key: tuple[int, int, str]) -> None:
        q = self.storage.SubscriptionBillingQueue
        q.insert(block, q.get(block, ()) + (key,))

    def _end_subscriptions(self, service: Service, blueprint: ServiceBlueprint) -> None:
        s = self.storage
        for index in range(len(blueprint.jobs)):
            key = (service.id, index, service.owner)
            if s.JobSubscriptionBillings.remove(key) is not None:
                s.UserSubscriptionCount.insert(service.owner, max(s.UserSubscriptionCount.get(service.owner) - 1, 0))

    def _process_subscriptions(self, n: int) -> None:
        """Charge the subscriptions due at block ``n`` (at most 50; the rest move to ``n + 1``)."""
        s = self.storage
        due = s.SubscriptionBillingQueue.take(n)
        if not due:
            return
        now_batch, later = due[:MAX_SUBSCRIPTION_BILLINGS_PER_BLOCK], due[MAX_SUBSCRIPTION_BILLINGS_PER_BLOCK:]
        if later:
            s.SubscriptionBillingQueue.insert(n + 1, later + s.SubscriptionBillingQueue.get(n + 1, ()))
        for key in now_batch:
            self._bill(n, key)

    def _bill(self, n: int, key: tuple[int, int, str]) -> None:
        s = self.storage
        billing = s.JobSubscriptionBillings.get(key)
        service = s.Instances.get(key[0])
        if billing is None or service is None:
            return
        entry = s.Blueprints.get(service.blueprint)
        if entry is None:
            return
        job = entry[1].jobs[billing.job_index]
        model = job.pricing_model.value
        if billing.end_block is not None and n > billing.end_block:
            s.JobSubscriptionBillings.remove(key)
            s.UserSubscriptionCount.insert(billing.subscriber, max(s.UserSubscriptionCount.get(billing.subscriber) - 1, 0))
            return
        try:
            self.ctx.transactional(lambda: self._charge_subscription(n, service, billing, job.pricing_model, model.rate_per_interval))
        except DispatchError as exc:  # this interval is skipped, visibly
            self.deposit_event(Event.SubscriptionBillingSkipped(billing.subscriber, service.id, billing.job_index, model.rate_per_interval, n, exc.qualified_name))
        s.JobSubscriptionBillings.insert(key, JobSubscriptionBilling(billing.service_id, billing.job_index, billing.subscriber, n, billing.end_block))
        self._schedule_billing(n + model.interval, key)

    def _charge_subscription(self, n: int, service: Service, billing: JobSubscriptionBilling, pricing_model, amount: int) -> None:  # type: ignore[no-untyped-def]
        rewards = self.rewards
        pot = rewards.pallet_account() if rewards is not None and hasattr(rewards, "pallet_account") else self.pallet_account()
        self.currency.transfer(billing.subscriber, pot, amount, keep_alive=True)
        self.deposit_event(Event.SubscriptionBillingProcessed(billing.subscriber, service.id, billing.job_index, amount, n))
        if rewards is None or amount == 0:
            return
        if self.ctx.quirk("rewards.record_reward_to_payer"):
            rewards.record_reward(billing.subscriber, service.id, amount, pricing_model)
            return
        operators = service.operators()
        if not operators:
            return
        share = amount // len(operators)
        for i, op in enumerate(operators):
            part = share + (amount - share * len(operators) if i == 0 else 0)
            rewards.record_reward(op, service.id, part, pricing_model)
            self.deposit_event(Event.RewardDistributed(op, service.id, part, PricingModelU64.of(pricing_model)))
