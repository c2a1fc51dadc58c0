"""Every quirk of the real runtime the simulator can reproduce, in one place, with its source.

The simulator runs the *intended* behaviour by default (what the design notes and the doc
comments describe). Under the ``real`` profile it reproduces the deployed runtime (tangle v1.4.3,
spec_version 1403) quirk for quirk, so that the bridge can diff it against a live node. Pallet
code asks ``self.ctx.quirk("services.terminate_clears_all_round_slashes")``; each key below names
the pallet, what the real code does, and where (file in tangle-network/tangle, or the spec section
in ../shared/spec that traced it).

Simulator *extensions* (features the real runtime lacks: request expiry, instance limits...) are
the opposite case and live in :mod:`runtime.profile`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quirk:
    key: str
    pallet: str
    summary: str
    source: str


_SVC = "pallets/services/src"
_MAD = "pallets/multi-asset-delegation/src"
_LST = "pallets/tangle-lst/src"
_REW = "pallets/rewards/src"

QUIRKS: dict[str, Quirk] = {
    q.key: q
    for q in [
        # ---------------------------------------------------------------- Services
        Quirk("services.slash_manager_noop", "Services",
              "SlashManager = (): applying a due slash only deletes it; no stake moves (testnet and mainnet).",
              "runtime/testnet/src/tangle_services.rs (services.md §4, §11.4)"),
        Quirk("services.slash_applied_only_in_exact_round", "Services",
              "on_initialize applies only slashes of era == current_round - SlashDeferDuration; leftovers of older "
              "eras are never processed, and round-0 slashes apply at once while current_round <= 7.",
              f"{_SVC}/lib.rs on_initialize (services.md §6.1, §11.3)"),
        Quirk("services.terminate_clears_all_round_slashes", "Services",
              "terminate applies this service's slashes of the current and previous round immediately and deletes "
              "every unapplied slash of those two rounds, other services' included.",
              f"{_SVC}/lib.rs terminate (services.md §5.8, §11.2)"),
        Quirk("services.sub_minimum_payment_lost_as_dust", "Services",
              "A request payment below its asset's existential deposit / min_balance is staged; the pallet account pays "
              "staged payments out with AllowDeath, so when such a payment is all that is left after another is paid out, "
              "the account is reaped (Balances.DustLost) and the payment can no longer be refunded or forwarded.",
              f"{_SVC}/functions/request.rs, approve.rs (staging and forwarding with ExistenceRequirement::AllowDeath; services.md §8.14)"),
        Quirk("services.unregister_ignores_approved_requests", "Services",
              "unregister does not look at pending requests the caller approved; when the other operators approve, "
              "the service starts with the caller as an operator no longer registered on its blueprint.",
              f"{_SVC}/lib.rs unregister, functions/approve.rs (services.md §5.4: pending requests are not touched)"),
        Quirk("services.unregister_blocked_by_any_service", "Services",
              "unregister fails if the blueprint has any active service, even one the caller does not operate.",
              f"{_SVC}/lib.rs unregister (services.md §5.4, §11.1)"),
        Quirk("services.rejection_not_final", "Services",
              "A rejected request stays; rejected operators may approve later, approved ones may reject; the first "
              "rejection refunds the payment even if the service later starts.",
              f"{_SVC}/functions/reject.rs, approve.rs (services.md §5.6-5.7, §11.6)"),
        Quirk("services.submit_result_any_registered", "Services",
              "submit_result and heartbeat only require registration on the blueprint, not membership of the service.",
              f"{_SVC}/lib.rs submit_result (services.md §5.10, §11.8)"),
        Quirk("services.join_leave_silent", "Services",
              "join_service/leave_service emit no events, do not update OperatorsProfile.services, and leave_service "
              "does not check the caller is a member.",
              f"{_SVC}/lib.rs join_service/leave_service (services.md §5.14-5.15, §11.9)"),
        Quirk("services.quoted_request_quirks", "Services",
              "request_with_signed_price_quotes pairs quotes by sorted AccountId, skips membership checks and fails "
              "whenever min_operators < number of operators.",
              f"{_SVC}/lib.rs request_with_signed_price_quotes (services.md §5.17, §11.10)"),
        Quirk("services.heartbeat_quirks", "Services",
              "Heartbeat threshold is a count, a zero interval panics, the slash is re-queued at every late heartbeat.",
              f"{_SVC}/lib.rs heartbeat (services.md §5.18, §11.11)"),
        Quirk("services.profile_overflow_as_not_registered", "Services",
              "A full OperatorsProfile.services set at initialization is reported as NotRegistered.",
              f"{_SVC}/functions/approve.rs (services.md §11.13)"),
        Quirk("services.pre_register_unchecked", "Services",
              "pre_register does not check that the blueprint exists.",
              f"{_SVC}/lib.rs pre_register (services.md §5.2, §11.14)"),
        Quirk("services.hook_return_values_ignored", "Services",
              "Manager hooks veto only by reverting: return data is ignored, so a hook returning false (canJoin and "
              "canLeave included) still counts as allowed.",
              f"{_SVC}/functions/evm_hooks.rs (services.md §7)"),
        Quirk("services.heartbeat_getters_fail_on_success", "Services",
              "getHeartbeatInterval/Threshold/SlashingWindow are declared with no outputs, so a manager that answers "
              "fails to decode (Get...Failure); only a reverting manager falls back to the defaults.",
              f"{_SVC}/functions/evm_hooks.rs get_heartbeat_interval_hook (services.md §7, §11.11)"),
        Quirk("services.dispute_requires_active_service", "Services",
              "dispute fails with ServiceNotFound once the slashed service is terminated, although the slash itself "
              "still waits to be applied.",
              f"{_SVC}/lib.rs dispute (services.md §5.12)"),
        Quirk("services.subscriptions_never_billed", "Services",
              "Job pricing is dead code: no extrinsic creates subscription billings, so Subscription jobs are never "
              "charged (only the request payment moves funds).",
              f"{_SVC}/payment_processing.rs (services.md §6.1, §8.14, §11.12)"),
        Quirk("services.default_manager_names_itself", "Services",
              "A blueprint whose manager is the stock tnt-core V1 BlueprintServiceManagerBase answers "
              "querySlashingOrigin / queryDisputeOrigin with its own address (address(this)): only the contract can "
              "slash or dispute (through the Services precompile, the hashed mapping of that address). Intended: the "
              "default manager names the blueprint owner, as a blueprint author who wants a person to slash would "
              "deploy it.",
              "tnt-core V1 BlueprintServiceManagerBase.sol querySlashingOrigin / queryDisputeOrigin (services.md §7)"),
        # ---------------------------------------------------------------- MultiAssetDelegation
        Quirk("mad.cancel_leave_sets_active", "MultiAssetDelegation",
              "cancel_leave_operators sets the status to Active even if the operator was Inactive before.",
              f"{_MAD}/functions/operator.rs (delegation_lst_rewards.md §1.6)"),
        Quirk("mad.rejoin_forgets_delegations", "MultiAssetDelegation",
              "An operator that left and joins again starts with no delegations, though delegators who did not "
              "unstake still delegate to it (their records point at it, its record does not count them).",
              f"{_MAD}/functions/operator.rs handle_deposit_and_create_operator (found by the stress kit)"),
        Quirk("mad.leave_ignores_delegations", "MultiAssetDelegation",
              "execute_leave_operators leaves delegations dangling; delegators' unstakes then fail with NotAnOperator.",
              f"{_MAD}/functions/operator.rs (delegation_lst_rewards.md §1.6)"),
        Quirk("mad.double_delegated_event", "MultiAssetDelegation",
              "delegate and delegate_nomination emit Delegated / NominationDelegated twice.",
              f"{_MAD}/functions/delegate.rs (delegation_lst_rewards.md §1.8)"),
        Quirk("mad.execute_unstake_includes_nomination", "MultiAssetDelegation",
              "execute_delegator_unstake also processes matured nomination requests and fails with NoActiveDelegation "
              "if no regular delegation matches.",
              f"{_MAD}/functions/delegate.rs (delegation_lst_rewards.md §1.8)"),
        Quirk("mad.topup_refused_at_max_delegations", "MultiAssetDelegation",
              "An operator with MaxDelegations entries refuses even a top-up of an existing entry.",
              f"{_MAD}/functions/delegate.rs (delegation_lst_rewards.md §1.8)"),
        Quirk("mad.nomination_lock_overwritten", "MultiAssetDelegation",
              "One 'delegate' lock per account, overwritten with the amount of the delegation just touched.",
              f"{_MAD}/functions/native_restaking.rs (delegation_lst_rewards.md §1.9)"),
        Quirk("mad.slash_leaves_residue", "MultiAssetDelegation",
              "A slash reduces delegation amounts but not deposits, operator bond entries or vault totals.",
              f"{_MAD}/functions/slash.rs (delegation_lst_rewards.md §1.11)"),
        Quirk("mad.multi_asset_delegator_slashed_twice", "MultiAssetDelegation",
              "A delegator with two assets on one operator has its first matching delegation slashed twice.",
              f"{_MAD}/functions/slash.rs (delegation_lst_rewards.md §1.11)"),
        Quirk("mad.native_slash_moves_nothing", "MultiAssetDelegation",
              "Slashing native (Custom(0)) or nomination delegations only changes accounting; no TNT moves.",
              f"{_MAD}/functions/slash.rs (delegation_lst_rewards.md §1.11)"),
        Quirk("mad.failed_slash_transfer_ignored", "MultiAssetDelegation",
              "A slashed Custom-asset share whose transfer to the SlashRecipient fails (asset frozen or being destroyed, "
              "the pot's account frozen or blocked) is still taken from the delegation: Fungibles::transfer's result is "
              "ignored and the tokens stay in the pallet account. Intended: the delegator is skipped, as an ERC20 share's "
              "failed transfer skips it (ERC20TransferFailed).",
              f"{_MAD}/functions/slash.rs (delegation_lst_rewards.md §1.11, 4d)"),
        Quirk("mad.slash_requires_active_operator", "MultiAssetDelegation",
              "slash_operator fails with NotActiveOperator for an Inactive or Leaving operator (the slash waits).",
              f"{_MAD}/functions/slash.rs (delegation_lst_rewards.md §1.11)"),
        Quirk("mad.full_unbond_rejected", "MultiAssetDelegation",
              "CheckNominatedRestaked rejects any Staking.unbond leaving zero free (non-restaked) active stake.",
              f"{_MAD}/extension.rs (delegation_lst_rewards.md §1.9)"),
        # ---------------------------------------------------------------- Lst
        Quirk("lst.unbond_burn_before_pricing", "Lst",
              "unbond prices the points after burning them, over-paying the unbonder at the others' expense.",
              f"{_LST}/lib.rs unbond (delegation_lst_rewards.md §2.5)"),
        Quirk("lst.no_full_unbond", "Lst",
              "The burn uses Preservation::Preserve: nobody can unbond their whole balance (>= 1 unit stays).",
              f"{_LST}/lib.rs unbond (delegation_lst_rewards.md §2.5, §2.10)"),
        Quirk("lst.depositor_withdraw_dissolves_pool", "Lst",
              "When the depositor withdraws its last unbonding chunk the whole pool is dissolved.",
              f"{_LST}/lib.rs withdraw_unbonded (delegation_lst_rewards.md §2.5)"),
        Quirk("lst.withdraw_exact_era", "Lst",
              "withdraw_unbonded works only during an era equal to one of the member's unlock eras.",
              f"{_LST}/lib.rs withdraw_unbonded (delegation_lst_rewards.md §2.5)"),
        Quirk("lst.unbonding_members_overwrite", "Lst",
              "Two unbonds by one account in the same era overwrite each other in UnbondingMembers.",
              f"{_LST}/lib.rs unbond (delegation_lst_rewards.md §2.5)"),
        Quirk("lst.on_slash_not_wired", "Lst",
              "Staking's slash listener is NominationPools, so LST sub-pools and TVL ignore slashes.",
              "runtime/testnet/src/lib.rs (delegation_lst_rewards.md §2.9)"),
        Quirk("lst.auto_withdraw_not_in_tvl", "Lst",
              "TotalValueLocked falls only by what Lst's own withdraw_from_staking sees leave the ledger: when "
              "pallet_staking's unbond auto-withdraws a pool's unlocked chunks (all MaxUnlockingChunks used), nobody "
              "tells Lst, so TVL keeps counting tokens that are free in the bonded account (polkadot-sdk issue #3055, "
              "fixed upstream by OnStakingUpdate::on_withdraw in PR #3052, which the fork lacks). Intended: on_withdraw.",
              f"{_LST}/types/bonded_pool.rs withdraw_from_staking, lib.rs OnStakingUpdate impl (on_slash only); "
              "runtime/testnet/src/lib.rs (Staking EventListeners = NominationPools)"),
        Quirk("lst.pool_withdraw_inverted", "Lst",
              "pool_withdraw_unbonded is refused while the pool is Destroying and allowed otherwise.",
              f"{_LST}/lib.rs pool_withdraw_unbonded (delegation_lst_rewards.md §2.5)"),
        Quirk("lst.depositor_cannot_fully_unbond", "Lst",
              "The depositor's 'destroying and only holder' check compares the pool's points with the points left "
              "after the unbond, so the depositor can never unbond fully.",
              f"{_LST}/types/bonded_pool.rs ok_to_unbond_with (delegation_lst_rewards.md §2.5 step 3)"),
        Quirk("lst.unbond_sweeps_pool_dust", "Lst",
              "An unbond leaving the pool's active bond below the existential deposit unbonds the remainder too "
              "(pallet_staking's dust sweep), but the sub-pool records only the priced amount: the swept stake is "
              "owed to no one and the remaining points are backed by nothing. Intended: MinimumBondNotMet.",
              f"{_LST}/lib.rs unbond; polkadot-sdk substrate/frame/staking/src/pallet/mod.rs unbond "
              "(delegation_lst_rewards.md §2.5 step 7)"),
        Quirk("lst.zero_point_unbond", "Lst",
              "An unbond of 0 points succeeds for any account in a pool it may unbond from (in a Destroying pool: "
              "anyone, even an account that never held the pool's token), burning 0, emitting Unbonded and recording "
              "a 0-point UnbondingMembers chunk, which dangles once the pool is dissolved. Intended: NoBalanceToUnbond.",
              f"{_LST}/lib.rs unbond (delegation_lst_rewards.md §2.5 steps 2-4, 10)"),
        Quirk("lst.min_bond_compares_points", "Lst",
              "unbond's minimum-bond check compares the remaining points (not their balance) with MinJoinBond or the "
              "depositor minimum.",
              f"{_LST}/types/bonded_pool.rs ok_to_unbond_with (delegation_lst_rewards.md §2.5 step 3)"),
        # ---------------------------------------------------------------- Rewards
        Quirk("rewards.score_uses_total_deposit", "Rewards",
              "A user's score is the whole deposit plus lock amounts on top; vault score counts only delegations.",
              f"{_REW}/functions/rewards.rs (delegation_lst_rewards.md §3.5)"),
        Quirk("rewards.undelegate_score_unboosted", "Rewards",
              "record_undelegate lowers the vault score by the plain amount, not amount x multiplier.",
              f"{_REW}/impls.rs (delegation_lst_rewards.md §3.4)"),
        Quirk("rewards.record_reward_to_payer", "Rewards",
              "Service job payments are recorded as pending rewards of the payer, not the operators.",
              f"{_SVC}/payment_processing.rs (delegation_lst_rewards.md §3.6)"),
        # ---------------------------------------------------------------- Assets (polkadot-sdk FRAME)
        Quirk("assets.trait_transfer_destroys_dust", "Assets",
              "fungibles::Mutate::transfer (what Services and MultiAssetDelegation move assets with) debits the amount "
              "plus the dust of a source it empties below min_balance, but credits only the amount: the dust leaves "
              "every account while the asset's supply keeps counting it, and Transferred reports the amount alone. "
              "Intended: the dust goes to the destination, as the Assets.transfer extrinsic does.",
              "polkadot-sdk substrate/frame/support/src/traits/tokens/fungibles/regular.rs Mutate::transfer; "
              "substrate/frame/assets/src/impl_fungibles.rs Unbalanced::decrease_balance, functions.rs prep_debit"),
        # ---------------------------------------------------------------- Proxy (polkadot-sdk FRAME)
        Quirk("proxy.kill_pure_unreserves_whole_deposit", "Proxy",
              "kill_pure unreserves the pure account's whole Proxies deposit from the spawner, though the spawner "
              "reserved only the creation deposit (ProxyDepositBase + ProxyDepositFactor) and the pure account "
              "reserved the rest when it added proxies: the spawner's other reserves (an operator's stake) are "
              "freed and the pure account's share stays reserved for good.",
              "polkadot-sdk substrate/frame/proxy/src/lib.rs kill_pure (Proxies::take then Currency::unreserve(&spawner, deposit))"),
    ]
}


def quirk_keys(pallet: str | None = None) -> list[str]:
    return sorted(k for k, q in QUIRKS.items() if pallet is None or q.pallet == pallet)
