"""All 24 MultiAssetDelegation dispatchables, composed from the topic modules (real call indices)."""

from __future__ import annotations

from pallets.multi_asset_delegation.blueprints import BlueprintCalls
from pallets.multi_asset_delegation.delegations import DelegationCalls
from pallets.multi_asset_delegation.deposits import DepositCalls
from pallets.multi_asset_delegation.nomination import NominationCalls
from pallets.multi_asset_delegation.operators import OperatorCalls


class Calls(OperatorCalls, DepositCalls, DelegationCalls, NominationCalls, BlueprintCalls):
    """operators.py 0-9, deposits.py 10-13, delegations.py 14-17, nomination.py 18-21, blueprints.py 22-23."""
