"""Origins: who a call is dispatched as.

``rt.dispatch(origin, ...)`` takes an account (SS58, dev name, ``//Name``, 0x-hex), ``"root"``,
``"none"`` (unsigned) or a named governance origin. The governance origins are the ones the testnet
runtime wires into privileged calls: ``"council"`` is ">1/2 of the Council" (accepted wherever the
runtime says ``EnsureRootOrHalfCouncil``), ``"slash_cancel"`` is staking's ``AdminOrigin``.
"""

from __future__ import annotations

from runtime.accounts import normalize_account
from runtime.codec import MAX_ACCOUNT_TEXT
from runtime.errors import BadOrigin

GOVERNANCE_ORIGINS = ("council", "technical_committee", "slash_cancel")


class Origin:
    """A dispatch origin. ``who`` is the signer's address for signed origins."""

    __slots__ = ("kind", "who")

    def __init__(self, kind: str, who: str | None = None) -> None:
        self.kind = kind  # "signed" | "root" | "none" | a governance origin name
        self.who = who

    @property
    def is_root(self) -> bool:
        return self.kind == "root"

    def to_json(self) -> str:
        return self.who if self.kind == "signed" else self.kind  # type: ignore[return-value]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Origin) and other.kind == self.kind and other.who == self.who

    def __hash__(self) -> int:
        return hash((self.kind, self.who))

    def __repr__(self) -> str:
        return f"Origin.signed({self.who})" if self.kind == "signed" else f"Origin.{self.kind}"

    @staticmethod
    def signed(who: str) -> "Origin":
        return Origin("signed", normalize_account(who))


ROOT = Origin("root")
NONE = Origin("none")
_origin_cache: dict[str, Origin] = {"root": ROOT, "none": NONE, "unsigned": NONE}
for _name in GOVERNANCE_ORIGINS:
    _origin_cache[_name] = Origin(_name)


def to_origin(value: object) -> Origin:
    """Resolve what a user passes as an origin. Raises ValueError for something unrecognisable."""
    if isinstance(value, Origin):
        return value
    if isinstance(value, str):
        if len(value) > MAX_ACCOUNT_TEXT:
            raise ValueError(f"origin: too long for an account: {len(value)} characters (an SS58 address has at most 50)")
        hit = _origin_cache.get(value)
        if hit is not None:
            return hit
        lowered = value.lower()
        if lowered in ("root", "none", "unsigned", *GOVERNANCE_ORIGINS):
            return _origin_cache[lowered]
        try:
            origin = Origin("signed", normalize_account(value))
        except ValueError as exc:
            raise ValueError(f"origin: {exc}; or use 'root', 'none' or one of {GOVERNANCE_ORIGINS}") from None
        if len(_origin_cache) < 100_000:
            _origin_cache[value] = origin
        return origin
    if isinstance(value, bytes):
        try:
            return Origin("signed", normalize_account(value))
        except ValueError as exc:
            raise ValueError(f"origin: {exc}") from None
    raise ValueError(f"origin: expected an account, 'root' or a governance origin name, got {type(value).__name__}")


def ensure_signed(origin: Origin) -> str:
    """The signer, or ``BadOrigin``."""
    if origin.kind != "signed":
        raise BadOrigin()
    return origin.who  # type: ignore[return-value]


def ensure_root(origin: Origin) -> None:
    if origin.kind != "root":
        raise BadOrigin()


def ensure_root_or_half_council(origin: Origin) -> None:
    """``EitherOfDiverse<EnsureRoot, EnsureProportionMoreThan<Council, 1, 2>>``."""
    if origin.kind not in ("root", "council"):
        raise BadOrigin()


def ensure_none(origin: Origin) -> None:
    if origin.kind != "none":
        raise BadOrigin()
