"""``impl OnUnbalanced<NegativeImbalance> for pallet_treasury::Pallet``.

Why a function and not a pallet instance: the Treasury is where slashed and issued funds end up,
and that is all the modelled pallets ask of it (FRAME wires it the same way, as a type in another
pallet's ``Config``). Source: polkadot-sdk stable2407 (pinned by tangle v1.4.3),
substrate/frame/treasury/src/lib.rs, ``on_nonzero_unbalanced``: ``resolve_creating`` the imbalance
into the Treasury's account, then ``Event::Deposit { value }``.
"""

from __future__ import annotations

from typing import Callable

from runtime.events import EventRecord
from runtime.traits import Currency

from pallets.treasury.account import treasury_account
from pallets.treasury.events import Event


def on_unbalanced(currency: Currency, deposit_event: Callable[[EventRecord], None], amount: int) -> None:
    """Put ``amount``, taken by a slash or issued (the caller already moved the issuance down or
    up by it, as the imbalance's creation does), into the Treasury's account.

    Events as on chain: ``Balances.Deposit { who: treasury }`` (``Currency::deposit_creating``),
    then ``Treasury.Deposit { value }``. The imbalances offset exactly, so no ``Issued`` or
    ``Rescinded``. If the account cannot take the funds (a new account below the existential
    deposit) they stay burned, as the dropped imbalance burns them, and the Treasury still emits
    its ``Deposit``, as the real handler does. A zero amount does nothing (``on_unbalanced``
    calls ``on_nonzero_unbalanced`` only for a non-zero imbalance)."""
    if amount == 0:
        return
    currency.deposit_creating(treasury_account(), amount)
    deposit_event(Event.Deposit(amount))
