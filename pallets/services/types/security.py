"""Per-asset security: what a request requires (exposure bounds per asset), what an operator
commits (its exposure per asset), and each operator's approval state on a request."""

from __future__ import annotations

from typing import Sequence

from runtime.codec import ScaleEnum, struct
from runtime.primitives import Percent

from pallets.primitives.assets import Asset


@struct
class AssetSecurityRequirement:
    asset: Asset
    min_exposure_percent: Percent
    max_exposure_percent: Percent


@struct
class AssetSecurityCommitment:
    asset: Asset
    exposure_percent: Percent


@struct(name="ApprovalState::Approved")
class Approved:
    security_commitments: tuple[AssetSecurityCommitment, ...]


class ApprovalState(ScaleEnum):
    Pending: None
    Approved: Approved
    Rejected: None


def validate_security(requirements: Sequence[AssetSecurityRequirement], commitments: Sequence[AssetSecurityCommitment]) -> bool:
    """The strict rule (``validate_security``): same length and, position by position, the same
    asset with ``min <= exposure <= max``. Order matters."""
    if len(requirements) != len(commitments):
        return False
    for req, com in zip(requirements, commitments):
        if com.asset != req.asset or not (req.min_exposure_percent <= com.exposure_percent <= req.max_exposure_percent):
            return False
    return True
