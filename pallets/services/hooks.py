"""``on_initialize``: every block, (1) due slashes (``slashing.py``), (2) subscription billing
(``payments.py``, intended only) and (3) request expiry (``expiry.py``, extension). Each step does
work proportional to what is due in this block (indexes, no scans)."""

from __future__ import annotations


class Hooks:
    def on_initialize(self, n: int) -> None:
        s = self.storage
        if len(s.SlashQueue):
            self._process_slashes()
        # each step starts by taking block n's queue entry: nothing to do without one (most blocks)
        if n in s.SubscriptionBillingQueue and self._billing_enabled():
            self._process_subscriptions(n)
        if n in s.RequestExpiryCount and self.ctx.extensions.request_expiry:
            self._process_expiries(n)

    def next_hook_block(self, after: int) -> int | None:
        """The first block >= ``after`` at which ``on_initialize`` may act (None: none scheduled):
        any block while a queued slash is due (one that fails to apply is retried every block),
        else the next billing or expiry block. Lets the runtime cross idle blocks at once.

        A slash queued for a later round is not due in any of the blocks crossed: slashes fall due
        when MultiAssetDelegation's round changes, and the round changes only in a session
        rotation, a block the Session pallet declares busy itself (it is built, and the runtime
        asks again after it). So queued slashes no longer make every block of a fuzz run busy."""
        s = self.storage
        if len(s.SlashQueue) and self._slashes_due():
            return after
        first = None
        billing, expiry = s.SubscriptionBillingQueue, s.RequestExpiryCount
        if len(billing) and self._billing_enabled():
            first = min([b for b in billing.keys() if b >= after], default=None)
        if len(expiry) and self.ctx.extensions.request_expiry:
            nxt = min([b for b in expiry.keys() if b >= after], default=None)
            if nxt is not None and (first is None or nxt < first):
                first = nxt
        return first
