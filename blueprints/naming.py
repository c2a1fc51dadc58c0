"""One account naming for everything a person reads: a name when one is known, SS58 otherwise.

Events and storage carry SS58 addresses (as on chain); people read names. ``name_of`` gives the
dev name (``Bob``), a harness label (``Operator4``) or a ``//Name`` derivation when the account
has one, else the full SS58 address (never a shortened one: a shortened address cannot be pasted
back). ``account_of`` goes the other way, resolving exactly as ``rt.dispatch`` resolves an origin
(:func:`runtime.accounts.normalize_account`) plus the labels registered here, and refuses an
unknown name with a ValueError that says what it expected.
"""

from __future__ import annotations

from runtime.accounts import LABEL_HINTS, derive_account, display_name, normalize_account

_LABELS: dict[str, str] = {}  # label -> SS58, for accounts made with derive_account (harness operators)
_ROLES: dict[str, str] = {}  # SS58 -> a role name for infrastructure accounts (pallet, master manager)


def labelled_account(label: str) -> str:
    """The deterministic account of ``label`` (``derive_account``), remembered so ``account_of(label)``
    finds it again."""
    account = derive_account(label)
    _LABELS[label] = account
    LABEL_HINTS[label] = (f"{label!r} is a label the blueprint harness prints, not an account the runtime resolves "
                          f"(only what dispatch resolves): use h.operator({label!r}).account, or the harness's own "
                          f"h.free_balance({label!r})")
    return account


def name_role(account: str, role: str) -> None:
    """Name an infrastructure account (``Services pallet``, ``master manager``) for timelines."""
    _ROLES[account] = role


def role_of(account: str) -> str | None:
    """The role name of an infrastructure account (see :func:`name_role`), else None."""
    return _ROLES.get(account)


def account_of(who: str) -> str:
    """SS58 of ``who`` (SS58, dev name, ``//Name``, 0x-hex or a registered label); ValueError otherwise."""
    if isinstance(who, str) and who in _LABELS:
        return _LABELS[who]
    try:
        return normalize_account(who)
    except ValueError as exc:
        labels = f"; known labels: {', '.join(sorted(_LABELS))}" if _LABELS else ""
        raise ValueError(f"{exc}{labels}") from None


def name_of(account: str) -> str:
    """The name a person reads for ``account``: dev name, label, role, else the full SS58 address."""
    if not isinstance(account, str):
        return str(account)
    role = _ROLES.get(account)
    if role is not None:
        return role
    shown = display_name(account)
    return account if "…" in shown else shown


__all__ = ["account_of", "labelled_account", "name_of", "name_role", "role_of"]
