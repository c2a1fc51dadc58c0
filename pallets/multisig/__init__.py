"""pallet_multisig (index 32): accounts controlled by k of n signatories, approving a call
across several extrinsics with a deposit and a timepoint."""

from __future__ import annotations

from typing import Any

from runtime.pallet import Pallet

from pallets.multisig.calls import Calls
from pallets.multisig.constants import MultisigConstants
from pallets.multisig.errors import Error
from pallets.multisig.events import Event
from pallets.multisig.storage import MultisigStorage
from pallets.primitives.derivation import multi_account_id


class Multisig(Calls, Pallet):
    name = "Multisig"
    index = 32
    Storage = MultisigStorage
    Error = Error
    Event = Event
    Constants = MultisigConstants

    def __init__(self, ctx: Any, constants: Any = None, *, currency: Any = None) -> None:
        super().__init__(ctx, constants)
        self.currency = currency  # ReservableCurrency (Balances)


__all__ = ["Multisig", "MultisigConstants", "multi_account_id"]
