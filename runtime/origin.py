"""Origins: who a call is dispatched as.

``rt.dispatch(origin, ...)`` takes an account (SS58, dev name, ``//Name``, 0x-hex), ``"root"``,
``"none"`` (unsigned) or a named governance origin. The governance origins are the ones the testnet
runtime wires into privileged calls: ``"council"`` is ">1/2 of the Council" (accepted wherever the
runtime says ``EnsureRootOrHalfCouncil``), ``"slash_cancel"`` is staking's ``AdminOrigin``.
"""

from __future__ import annotations

from runtime.accounts import CANONICAL_SEEN, normalize_account
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


_ORIGIN_NAMES = frozenset(("root", "none", "unsigned", *GOVERNANCE_ORIGINS))
_LONGEST_NAME = max(map(len, _ORIGIN_NAMES))  # str.lower() never shortens a string


def to_origin(value: object) -> Origin:
    """Resolve what a user passes as an origin. Raises ValueError for something unrecognisable."""
    if isinstance(value, Origin):
        return value
    if isinstance(value, str):
        if len(value) > MAX_ACCOUNT_TEXT:
            raise ValueError(f"origin: too long for an account: {len(value)} characters (an SS58 address has at most 50)")
        if type(value) is str and value in CANONICAL_SEEN:  # a canonical address seen before
            return Origin("signed", value)
        hit = _origin_cache.get(value)
        if hit is not None:
            return hit
        if len(value) <= _LONGEST_NAME:  # no lower() copy of an address
            lowered = value.lower()
            if lowered in _ORIGIN_NAMES:
                return _origin_cache[lowered]
        try:
            origin = Origin("signed", normalize_account(value))
        except ValueError as exc:
            raise ValueError(f"origin: {exc}; or use 'root', 'none' or one of {GOVERNANCE_ORIGINS}") from None
        # A canonical address is answered by normalize_account's set of them (above: one probe in a
        # set, where a cache of origins per signer was a second million-entry dict, two random
        # memory reads per dispatch at 10^6 signers, for an allocation saved). Other spellings are
        # cached, up to a bound.
        if origin.who != value and len(_origin_cache) < 100_000:
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
    if origin.kind != "root" and not is_half_council(origin):
        raise BadOrigin()


def ensure_none(origin: Origin) -> None:
    if origin.kind != "none":
        raise BadOrigin()


# --------------------------------------------------------------------------------------------
# Origins that nested dispatch creates (Utility, Proxy, Multisig, Council). Additive: the plain
# kinds above stay as they are; these subclasses carry what FRAME's ``RuntimeOrigin`` carries
# besides the caller: call filters, and pallet_collective's ``RawOrigin``.



class FilteredOrigin(Origin):
    """A signed origin with call filters (``OriginTrait::add_filter``): a proxy type's
    ``InstanceFilter``, batch_all's no-nesting rule. Every nested dispatch made with it checks each
    filter first (``System.CallFiltered``); Root bypasses filters, as on chain."""

    __slots__ = ("filters",)

    def __init__(self, who: str, filters: tuple = ()) -> None:
        super().__init__("signed", who)
        self.filters = filters

    def __repr__(self) -> str:
        return f"Origin.signed({self.who}, {len(self.filters)} filter(s))"


def origin_filters(origin: Origin) -> tuple:
    return getattr(origin, "filters", ())


def with_filter(origin: Origin, check: object) -> Origin:
    """``origin.add_filter(check)``: the same caller, one more filter (Root is returned unchanged:
    it bypasses every filter)."""
    if origin.kind != "signed":
        return origin
    return FilteredOrigin(origin.who, origin_filters(origin) + (check,))  # type: ignore[arg-type]


def with_caller(origin: Origin, who: str) -> Origin:
    """``origin.set_caller_from(Signed(who))``: a new signer, the old filters kept."""
    filters = origin_filters(origin)
    return FilteredOrigin(who, filters) if filters else Origin.signed(who)


def call_allowed(origin: Origin, call: object) -> bool:
    """``origin.filter_call(call)``: Root passes everything, others pass every filter they carry."""
    if origin.kind == "root":
        return True
    return all(f(call) for f in origin_filters(origin))  # type: ignore[operator]


class CollectiveOrigin(Origin):
    """``pallet_collective::RawOrigin``: ``Members(n, m)`` (a motion approved by n of m members, or
    ``n = 1`` for a threshold-1 proposal) or ``Member(who)`` (``execute`` by one member)."""

    __slots__ = ("instance", "n", "m")

    def __init__(self, instance: str, n: int = 0, m: int = 0, member: str | None = None) -> None:
        super().__init__("collective", member)
        self.instance = instance
        self.n = n
        self.m = m

    @property
    def is_member(self) -> bool:
        return self.who is not None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CollectiveOrigin) and (other.instance, other.n, other.m, other.who) == (self.instance, self.n, self.m, self.who)

    def __hash__(self) -> int:
        return hash((self.instance, self.n, self.m, self.who))

    def to_json(self) -> str:
        return f"{self.instance}.Member({self.who})" if self.who else f"{self.instance}.Members({self.n},{self.m})"

    def __repr__(self) -> str:
        return f"Origin.{self.to_json()}"


def _members(origin: Origin, instance: str) -> tuple[int, int] | None:
    if isinstance(origin, CollectiveOrigin) and origin.instance == instance and not origin.is_member:
        return origin.n, origin.m
    return None


def ensure_proportion_more_than(origin: Origin, num: int, den: int, instance: str = "Council") -> tuple[int, int]:
    """``EnsureProportionMoreThan<AccountId, I, N, D>``: ``Members(n, m)`` with ``n·D > N·m``."""
    nm = _members(origin, instance)
    if nm is None or not nm[0] * den > num * nm[1]:
        raise BadOrigin()
    return nm


def ensure_proportion_at_least(origin: Origin, num: int, den: int, instance: str = "Council") -> tuple[int, int]:
    """``EnsureProportionAtLeast<AccountId, I, N, D>``: ``Members(n, m)`` with ``n·D ≥ N·m``."""
    nm = _members(origin, instance)
    if nm is None or not nm[0] * den >= num * nm[1]:
        raise BadOrigin()
    return nm


def ensure_collective_member(origin: Origin, instance: str = "Council") -> str:
    """``EnsureMember<AccountId, I>``: only ``Member(who)`` (``Council.execute``) passes."""
    if isinstance(origin, CollectiveOrigin) and origin.instance == instance and origin.is_member:
        return origin.who  # type: ignore[return-value]
    raise BadOrigin()


def is_half_council(origin: Origin) -> bool:
    """More than half of the Council: the legacy ``"council"`` origin name or ``Members(n, m)``, 2n > m."""
    if origin.kind == "council":
        return True
    nm = _members(origin, "Council")
    return nm is not None and nm[0] * 2 > nm[1]
