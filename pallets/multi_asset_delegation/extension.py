"""The ``CheckNominatedRestaked`` signed extension: a ``Staking.unbond`` must not uncover restaked
nominations. Registered with ``rt.register_validator`` by runtime/construct.py; a violation is an
invalid transaction (``InvalidTransaction::Custom(1)``), so no receipt exists and no fee is paid.

It looks inside ``Utility.batch / batch_all / force_batch`` (recursively) and ``Proxy.proxy`` (the
``real`` account is checked), as on chain; other wrappers are not inspected (spec §1.9).
"""

from __future__ import annotations

from typing import Any

from runtime.calls import CALL_REGISTRY, RuntimeCall
from runtime.errors import InvalidTransaction


_BATCHES = ("batch", "batch_all", "force_batch")


class CheckNominatedRestaked:
    def __init__(self, mad: "MultiAssetDelegation") -> None:
        self.mad = mad

    def __call__(self, origin: Any, spec: Any, args: tuple) -> None:
        if origin.kind != "signed":
            return
        self._check(origin.who, spec.pallet, spec.name, args)

    def _check(self, who: str, pallet: str, name: str, args: tuple) -> None:
        if pallet == "Staking" and name == "unbond":
            if not self.mad.can_unbound(who, args[0]):
                raise InvalidTransaction("Custom error: 1 (unbond would uncover restaked nominations)", custom=1)
        elif pallet == "Utility" and name in _BATCHES:
            for inner in args[0]:
                self._inner(who, inner)
        elif pallet == "Proxy" and name == "proxy":
            real = args[0]
            self._inner(real if isinstance(real, str) else who, args[-1])

    def _inner(self, who: str, call: Any) -> None:
        if isinstance(call, RuntimeCall) and (call.call_module, call.call_function) in CALL_REGISTRY:
            self._check(who, call.call_module, call.call_function, call.args)
