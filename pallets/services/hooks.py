"""``on_initialize``: every block, (1) due slashes (``slashing.py``), (2) subscription billing
(``payments.py``, intended only) and (3) request expiry (``expiry.py``, extension). Each step does
work proportional to what is due in this block (indexes, no scans)."""

from __future__ import annotations


class Hooks:
    def on_initialize(self, n: int) -> None:
        self._process_slashes()
        if self._billing_enabled():
            self._process_subscriptions(n)
        if self.ctx.extensions.request_expiry:
            self._process_expiries(n)
