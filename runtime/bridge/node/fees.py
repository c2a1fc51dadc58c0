"""Transaction fees as pallet-transaction-payment computes them for the Tangle testnet runtime.

Why: clients show ``paymentInfo`` before signing and read ``TransactionFeePaid`` after; both must
be the amount the chain would charge. ``compute_fee_raw``: inclusion fee = base fee + length fee +
multiplier x weight fee, with Tangle's ``WeightToFee = IdentityFee`` (ref_time as balance),
``LengthToFee = ConstantMultiplier<TransactionByteFee = MILLIUNIT>`` and the base extrinsic weight
from ``System.BlockWeights`` (read from the metadata). The fee multiplier is
``TransactionPayment.NextFeeMultiplier``; the simulator does not model its per-block adjustment
(``TargetedFeeAdjustment``) and keeps its genesis value, 1: a limit of the model, not a quirk. Nor
is the refund of unused weight modelled (the simulator's weights are the charged weights).
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.bridge.metadata import RuntimeMetadata

MILLIUNIT = 10**15  # Tangle: UNIT = 10^18 base units
TRANSACTION_BYTE_FEE = MILLIUNIT
MULTIPLIER_ONE = 10**18  # FixedU128 1.0 (NextFeeMultiplier at genesis)


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
        self.max_block = int(weights["max_block"]["ref_time"])
        self.multiplier = multiplier

    def inclusion_fee(self, weight: int, length: int) -> InclusionFee:
        """``compute_fee_raw`` for a dispatch that pays: weight is ref_time, length the extrinsic's byte length."""
        weight = min(weight, self.max_block)
        return InclusionFee(self.base_extrinsic, length * TRANSACTION_BYTE_FEE, self.multiplier * weight // MULTIPLIER_ONE)
