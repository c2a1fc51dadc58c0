"""Transaction fees as pallet-transaction-payment computes them for the Tangle testnet runtime.

Why: clients show ``paymentInfo`` before signing and read ``TransactionFeePaid`` after; both must
be the amount the chain would charge. ``compute_fee_raw``: inclusion fee = base fee + length fee +
multiplier x weight fee, with Tangle's ``WeightToFee = IdentityFee`` (ref_time as balance),
``LengthToFee = ConstantMultiplier<TransactionByteFee = MILLIUNIT>`` and the base extrinsic weight
from ``System.BlockWeights`` (read from the metadata). The fee multiplier is
``TransactionPayment.NextFeeMultiplier`` (1 at genesis), moved at the end of every block by the
runtime's ``TargetedFeeAdjustment<TargetBlockFullness 25 %, AdjustmentVariable 1/100 000,
MinimumMultiplier 1/10^9, MaximumMultiplier max>`` (tangle v1.4.3 ``runtime/testnet/src/lib.rs``)
from the block's normal-class weight, in ``FixedU128`` arithmetic. The refund of unused weight is
not modelled: the simulator's weights are the weights it charges (actual = declared); the refund of
the whole inclusion fee for a call that returns ``Pays::No`` after dispatch is (``PAYS_NO_ON_SUCCESS``).
The signer's tip is charged on top of the inclusion fee and sets the pool priority (``priority``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from runtime.bridge.metadata import RuntimeMetadata

MILLIUNIT = 10**15  # Tangle: UNIT = 10^18 base units
TRANSACTION_BYTE_FEE = MILLIUNIT
MULTIPLIER_ONE = 10**18  # FixedU128 1.0 (NextFeeMultiplier at genesis)
U128_MAX = 2**128 - 1
U64_MAX = 2**64 - 1

# Calls whose real pallet ends a successful dispatch with ``Ok(Pays::No.into())``: the fee withdrawn
# before dispatch (inclusion fee; the tip is kept) is refunded by ``correct_and_deposit_fee`` and
# ``ExtrinsicSuccess.dispatch_info.pays_fee`` is ``No`` (frame_system ``extract_actual_pays_fee``).
# A failed dispatch (``RequireSudo``, a bad lookup) keeps the declared ``Pays::Yes``. Source:
# polkadot-sdk stable2407 ``substrate/frame/sudo/src/lib.rs`` ("Sudo user does not pay a fee").
# Conditional ones (``pays_no_after``), pallet_collective stable2407: ``vote`` returns ``Pays::No`` for a
# member's first vote on the motion (``is_account_voting_first_time``), ``close`` when the motion is
# disapproved (``do_close``'s disapprove branch; an approved one pays). Services ``heartbeat``
# (tangle v1.4.3 ``pallets/services/src/lib.rs``) ends with ``Ok(PostDispatchInfo { actual_weight: None,
# pays_fee: Pays::No })``; its errors (``?``/``ensure!``) carry the default post info, so they pay. Not
# modelled: pallet_preimage ``note_preimage`` (a requested preimage), pallet_balances
# ``upgrade_accounts`` (>= 90 % upgraded).
PAYS_NO_ON_SUCCESS = frozenset({("Sudo", "sudo"), ("Sudo", "sudo_unchecked_weight"), ("Sudo", "set_key"), ("Sudo", "sudo_as"), ("Sudo", "remove_key"), ("Services", "heartbeat")})

# The chain's declared dispatch info (ref_time weight, pays) where the simulator's ``@call`` declares
# otherwise. Services ``heartbeat`` is ``#[pallet::weight(10_000)]`` on chain (tangle v1.4.3): the
# default ``Pays::Yes`` and Normal class, so the fee is withdrawn before dispatch and ``payment_queryInfo``
# quotes it; the simulator's pallet declares it ``pays_fee=False`` (its own fee model has no post-dispatch
# refund), which would make a failed heartbeat free.
CHAIN_DISPATCH_INFO: dict[tuple[str, str], tuple[int, bool]] = {("Services", "heartbeat"): (10_000, True)}

TARGET_BLOCK_FULLNESS = (25, 100)  # Perquintill::from_percent(25)
ADJUSTMENT_VARIABLE = MULTIPLIER_ONE // 100_000  # Multiplier::saturating_from_rational(1, 100_000)
MINIMUM_MULTIPLIER = MULTIPLIER_ONE // 1_000_000_000  # saturating_from_rational(1, 1_000_000_000)
MAXIMUM_MULTIPLIER = U128_MAX  # Bounded::max_value()


def _fmul(a: int, b: int) -> int:
    """FixedU128 saturating_mul (rounds down)."""
    return min(a * b // MULTIPLIER_ONE, U128_MAX)


def _per_mul(parts: tuple[int, int], n: int) -> int:
    """A PerThing times an integer, rounded to nearest with ties down (``Perquintill * u64``)."""
    num, den = parts
    q, r = divmod(n * num, den)
    return q + 1 if 2 * r > den else q


def next_multiplier(previous: int, normal_weight: int, max_normal: int) -> int:
    """``TargetedFeeAdjustment::convert``: the multiplier after a block whose normal-class weight
    (ref_time; the simulator models no proof size, so ref_time is the limiting dimension) is given."""
    previous = max(previous, MINIMUM_MULTIPLIER)
    block = min(normal_weight, max_normal)
    target = _per_mul(TARGET_BLOCK_FULLNESS, max_normal)
    positive = block >= target
    diff = min(abs(block - target) * MULTIPLIER_ONE // max(max_normal, 1), U128_MAX)
    diff_squared = _fmul(diff, diff)
    v_squared_2 = _fmul(ADJUSTMENT_VARIABLE, ADJUSTMENT_VARIABLE) // 2
    first, second = _fmul(ADJUSTMENT_VARIABLE, diff), _fmul(v_squared_2, diff_squared)
    if positive:
        moved = min(previous + _fmul(min(first + second, U128_MAX), previous), U128_MAX)
    else:
        moved = max(previous - _fmul(max(first - second, 0), previous), 0)
    return min(max(moved, MINIMUM_MULTIPLIER), MAXIMUM_MULTIPLIER)


def declared_info(spec: Any, module: str, function: str) -> tuple[int, bool]:
    """(ref_time weight, pays fee) the chain declares for a call (``GetDispatchInfo``, before dispatch):
    the simulator's declaration unless ``CHAIN_DISPATCH_INFO`` records the chain's own."""
    return CHAIN_DISPATCH_INFO.get((module, function)) or (int(spec.weight), bool(spec.pays_fee))


def payment_refusal(free: int, frozen: int, existential_deposit: int, fee: int) -> str | None:
    """Why the testnet's fee withdrawal refuses ``fee`` (the tip included), or None if it can be paid.

    Tangle v1.4.3 ``runtime/testnet/src/lib.rs``: ``OnChargeTransaction = CurrencyAdapter<Balances, _>``.
    polkadot-sdk ``substrate/frame/transaction-payment/src/payment.rs`` (``CurrencyAdapter::withdraw_fee``):
    ``C::withdraw(who, fee, TRANSACTION_PAYMENT [| TIP], ExistenceRequirement::KeepAlive)``, any error
    mapped to ``InvalidTransaction::Payment``; ``ChargeTransactionPayment::validate`` (stable2407) calls
    that same ``withdraw_fee``, so the pool refuses the transaction at submission (code 1010).
    ``substrate/frame/balances/src/impl_currency.rs`` (``Currency::withdraw``, ``ensure_can_withdraw``):
    ``InsufficientBalance`` when the fee exceeds the free balance; ``Expendability`` when KeepAlive would take
    a free balance at or above the existential deposit below it (an account already below it, kept alive by
    its reserve, may pay); ``LiquidityRestrictions`` when what is left is below the frozen amount, compared
    with the free balance alone (the fungible traits' ``reducible_balance`` counts the reserve against
    freezes; this legacy path does not). A zero fee is never refused. Read at polkadot-sdk 04d2623d
    (payment.rs) and 40d608a2 (impl_currency.rs): the stable2407 head the runtime pins (ee3531f0) was not
    readable here. Those later versions split ``validate``'s check into ``can_withdraw_fee`` (for
    ``CurrencyAdapter``: the frozen check without KeepAlive); stable2407's ``SignedExtension::validate``
    is ``self.withdraw_fee(who, call, info, len)``, the KeepAlive withdrawal above."""
    if fee == 0:
        return None
    if fee > free:
        return "InsufficientBalance"
    left = free - fee
    if left < existential_deposit <= free:
        return "Expendability"
    if left < frozen:
        return "LiquidityRestrictions"
    return None


def pays_no_after(rt: Any, module: str, function: str, params: dict[str, Any], signer: str | None) -> Callable[[Any], bool]:
    """Before dispatch: a test of the dispatch's receipt telling whether the real call's post-dispatch
    info says ``Pays::No`` (a failed dispatch keeps the declared ``Pays::Yes``)."""
    if (module, function) in PAYS_NO_ON_SUCCESS:
        return lambda receipt: receipt.error_name is None
    if (module, function) == ("Council", "vote"):
        try:
            votes = rt.query("Council", "Voting", [params["proposal"]]).value
            first = votes is None or (signer not in votes["ayes"] and signer not in votes["nays"])
        except Exception:  # noqa: BLE001 - unreadable proposal: the call fails and pays anyway
            first = False
        return lambda receipt: receipt.error_name is None and first
    if (module, function) == ("Council", "close"):
        return lambda receipt: receipt.error_name is None and any(e.name == "Council.Disapproved" for e in receipt.triggered_events)
    return lambda receipt: False


@dataclass(frozen=True)
class InclusionFee:
    base_fee: int
    len_fee: int
    adjusted_weight_fee: int

    @property
    def total(self) -> int:
        return self.base_fee + self.len_fee + self.adjusted_weight_fee


class FeeModel:
    """Fees for one runtime (the constants come from its metadata)."""

    def __init__(self, md: RuntimeMetadata, multiplier: int = MULTIPLIER_ONE) -> None:
        weights = md.constant_value("System", "BlockWeights")
        self.base_extrinsic = int(weights["per_class"]["normal"]["base_extrinsic"]["ref_time"])
        self.base_block = int(weights["base_block"]["ref_time"])
        self.max_block = int(weights["max_block"]["ref_time"])
        normal_max = (weights["per_class"]["normal"].get("max_total") or weights["max_block"])["ref_time"]
        self.max_normal = int(normal_max)
        self.max_block_proof = int(weights["max_block"]["proof_size"])
        self.max_length_normal = int(md.constant_value("System", "BlockLength")["max"]["normal"])
        self.multiplier = multiplier

    def priority(self, weight: int, length: int, tip: int) -> int:
        """``ChargeTransactionPayment::get_priority`` for a Normal-class call (the only class the
        simulator's calls have): ``(tip + 1) x`` how many such extrinsics fit an empty block, by weight
        (``max_block.checked_div_per_component(bounded_weight)``) or length (``BlockLength.max.normal``),
        whichever is scarcer, saturated to u64. ``weight`` is the call's dispatch weight (no base
        extrinsic); the simulator models no proof size, so it counts as 1, as the real bound does."""
        ref = min(max(weight, 1), self.max_block)
        per_weight = min(self.max_block // ref, self.max_block_proof)  # proof size 1
        per_length = self.max_length_normal // min(max(length, 1), self.max_length_normal)
        return min((tip + 1) * min(per_weight, per_length), U64_MAX)

    def block_weight(self, call_weight: int) -> int:
        """What one signed extrinsic adds to the block's normal-class weight."""
        return self.base_extrinsic + min(call_weight, self.max_block)

    def inclusion_fee(self, weight: int, length: int) -> InclusionFee:
        """``compute_fee_raw`` for a dispatch that pays: weight is ref_time, length the extrinsic's byte length."""
        weight = min(weight, self.max_block)
        return InclusionFee(self.base_extrinsic, length * TRANSACTION_BYTE_FEE, self.multiplier * weight // MULTIPLIER_ONE)
