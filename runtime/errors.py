"""Dispatch errors, named as the chain names them.

A failed call surfaces exactly what substrate-interface would show for the same extrinsic on a
node: a module error ``{"type": "Module", "name": "ServiceRequestNotFound", "pallet": "Services"}``,
or one of the generic ``DispatchError`` variants (``BadOrigin``, ``Token(FundsUnavailable)``,
``Arithmetic(Underflow)``...). Pallets declare their errors in their own ``errors.py``::

    class Error(ErrorSet, pallet="Balances"):
        VestingBalance = 0
        InsufficientBalance = 2

and raise ``Error.InsufficientBalance()``; the integer is the error's index in the metadata.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DispatchError(Exception):
    """A dispatchable returned an error: the call's storage changes and events are discarded."""

    kind: ClassVar[str] = "Other"  # Module | BadOrigin | Token | Arithmetic | Other | ...
    pallet: ClassVar[str | None] = None
    error: ClassVar[str] = "Other"
    index: ClassVar[int | None] = None
    docs: ClassVar[str] = ""

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail
        self.receipt: Any = None  # set by the dispatcher when raised from Runtime.dispatch
        super().__init__(self.qualified_name + (f": {detail}" if detail else ""))

    @property
    def qualified_name(self) -> str:
        """``Services.ServiceRequestNotFound``, ``BadOrigin``, ``Token.FundsUnavailable``."""
        if self.kind == "Module":
            return f"{self.pallet}.{self.error}"
        if self.kind in ("BadOrigin", "CannotLookup", "Other"):
            return self.error
        return f"{self.kind}.{self.error}"

    @property
    def error_message(self) -> dict[str, Any]:
        """The shape of substrate-interface's ``ExtrinsicReceipt.error_message`` (plus the pallet)."""
        msg: dict[str, Any] = {"type": self.kind, "name": self.error, "docs": [self.docs] if self.docs else []}
        if self.kind == "Module":
            msg["pallet"] = self.pallet
        return msg

    def matches(self, name: str) -> bool:
        """True for ``"Services.ServiceNotFound"``, ``"ServiceNotFound"`` or ``"BadOrigin"``."""
        return name in (self.qualified_name, self.error)


class BadOrigin(DispatchError):
    kind = "BadOrigin"
    error = "BadOrigin"
    docs = "Bad origin."


class _Generic(DispatchError):
    """Base for ``Token(...)``, ``Arithmetic(...)`` and friends."""


def _generic(kind: str, name: str, docs: str = "") -> type[DispatchError]:
    return type(name, (_Generic,), {"kind": kind, "error": name, "docs": docs})


class Token:
    """``DispatchError::Token(TokenError::...)`` variants."""

    FundsUnavailable = _generic("Token", "FundsUnavailable", "Funds are unavailable.")
    OnlyProvider = _generic("Token", "OnlyProvider", "Some part of the balance gives the only provider reference to the account.")
    BelowMinimum = _generic("Token", "BelowMinimum", "Account cannot exist with the funds that would be given.")
    CannotCreate = _generic("Token", "CannotCreate", "Account cannot be created.")
    UnknownAsset = _generic("Token", "UnknownAsset", "The asset in question is unknown.")
    Frozen = _generic("Token", "Frozen", "Funds exist but are frozen.")
    Unsupported = _generic("Token", "Unsupported", "Operation is not supported by the asset.")
    NotExpendable = _generic("Token", "NotExpendable", "Account cannot be reduced below the minimum.")
    Blocked = _generic("Token", "Blocked", "Account cannot receive the assets.")


class Arithmetic:
    """``DispatchError::Arithmetic(ArithmeticError::...)`` variants."""

    Underflow = _generic("Arithmetic", "Underflow", "Underflow.")
    Overflow = _generic("Arithmetic", "Overflow", "Overflow.")
    DivisionByZero = _generic("Arithmetic", "DivisionByZero", "Division by zero.")


class ErrorSet:
    """A pallet's ``#[pallet::error]`` enum. Subclass with ``pallet="Name"`` and integer indices."""

    __pallet__: ClassVar[str]
    __errors__: ClassVar[dict[str, type[DispatchError]]]
    __docs__: ClassVar[dict[str, str]] = {}  # optional one-line docs per error, as in the metadata

    def __init_subclass__(cls, pallet: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__pallet__ = pallet
        cls.__errors__ = {}
        for name, value in list(vars(cls).items()):
            if name.startswith("_") or not isinstance(value, int):
                continue
            docs = getattr(cls, "__docs__", {}).get(name, "")
            err = type(name, (DispatchError,), {"kind": "Module", "pallet": pallet, "error": name, "index": value, "docs": docs, "__module__": cls.__module__, "__qualname__": f"{cls.__qualname__}.{name}"})
            cls.__errors__[name] = err
            setattr(cls, name, err)

    @classmethod
    def names(cls) -> list[str]:
        return sorted(cls.__errors__, key=lambda n: cls.__errors__[n].index or 0)


class RuntimePanic(RuntimeError):
    """Pallet code raised something other than a DispatchError: a simulator bug, never user error.

    The call or hook is rolled back before this propagates, so state is not corrupted."""


class UnknownCall(ValueError):
    """The (pallet, call) pair is not implemented by the simulator (or does not exist on chain)."""


class InvalidTransaction(ValueError):
    """The transaction would be rejected by the pool (signed extension check), so no receipt exists.

    substrate-interface raises ``SubstrateRequestException`` for these; ``code``/``data`` mirror it.
    """

    def __init__(self, data: str, custom: int | None = None) -> None:
        self.data = data
        self.custom = custom
        super().__init__(f"Invalid Transaction: {data}")
