"""MultiAssetDelegation: the operator state machine, operator stake, and the two sides of every
delegation (the delegator's record and the operator's) agreeing."""

from __future__ import annotations

from collections import Counter

from runtime import Runtime
from simulations.stateful.invariants.ledger import Ledger, new_events, status_name

MAD = "MultiAssetDelegation"

#: Operator status edges every profile allows (spec §1.6), ``None`` = not an operator.
LEGAL_OPERATOR_EDGES: frozenset[tuple[str | None, str | None]] = frozenset({
    (None, "Active"),
    ("Active", "Inactive"),
    ("Inactive", "Active"),
    ("Active", "Leaving"),
    ("Inactive", "Leaving"),
    ("Leaving", "Active"),
    ("Leaving", None),
})
#: Intended only (quirk ``mad.cancel_leave_sets_active`` off): cancelling a leave restores Inactive.
INTENDED_OPERATOR_EDGES = LEGAL_OPERATOR_EDGES | {("Leaving", "Inactive")}


def operator_state_machine(rt: Runtime, ledger: Ledger) -> None:
    """Operators move only along legal edges (join → Active ⇄ Inactive → Leaving → gone, or back),
    one edge per event: ``OperatorJoined`` only for an account that is not an operator (nobody joins
    twice), ``OperatorLeaveExecuted`` only for one that is, and the set of operators changes only
    through those two events."""
    mad = rt.pallets.get(MAD)
    if mad is None:
        return
    now = {who: status_name(meta.status) for who, meta in mad.storage.Operators.items()}  # type: ignore[attr-defined]
    before = ledger.operator_status if ledger.operator_status is not None else {}
    members = set(before)
    for ev in new_events(rt, ledger, "operator_state_machine"):
        if ev.spec.pallet != MAD:
            continue
        if ev.spec.name == "OperatorJoined":
            assert ev["who"] not in members, f"{ev['who']} joined as an operator twice (block {ev.block})"
            members.add(ev["who"])
        elif ev.spec.name == "OperatorLeaveExecuted":
            assert ev["who"] in members, f"{ev['who']} left without being an operator (block {ev.block})"
            members.discard(ev["who"])
            ledger.departed_operators.add(ev["who"])
    if ledger.operator_status is not None:
        assert members == set(now), f"operators changed without join/leave events: {sorted(members ^ set(now))}"
    legal = LEGAL_OPERATOR_EDGES if rt.ctx.quirk("mad.cancel_leave_sets_active") else INTENDED_OPERATOR_EDGES
    for who in set(now) | set(before):
        edge = (before.get(who), now.get(who))
        if edge[0] != edge[1] and ledger.operator_status is not None:
            assert edge in legal, f"operator {who} moved {edge[0]} -> {edge[1]}, not a legal edge"
    ledger.operator_status = now


def _governance_deposits(rt: Runtime, spawners: dict[str, str], only: set[str] | None = None, out: Counter[str] | None = None) -> Counter[str]:
    """TNT each account has reserved as Proxy (proxies, announcements), Multisig and Democracy
    (proposal and seconds) deposits: reserves an operator may hold besides its stake. A pure
    proxy's deposit is recorded on the pure account but reserved from its spawner (``spawners``,
    read from ``Proxy.PureCreated`` events), as in pallet_proxy. With ``only``, just those accounts'
    (the rest are left out); added into ``out`` if given."""
    if out is None:
        out = Counter()
    keep = (lambda who: True) if only is None else only.__contains__
    proxy = rt.pallets.get("Proxy")
    if proxy is not None:
        creation = _pure_creation_deposit(proxy)
        for who, (_defs, deposit) in proxy.storage.Proxies.items():  # type: ignore[attr-defined]
            spawner = spawners.get(who)
            if spawner is None:
                if keep(who):
                    out[who] += deposit
            else:  # the spawner paid the creation deposit; proxies the pure account added, it paid itself
                share = min(deposit, creation)
                if keep(spawner):
                    out[spawner] += share
                if keep(who):
                    out[who] += deposit - share
        for who, (_anns, deposit) in proxy.storage.Announcements.items():  # type: ignore[attr-defined]
            if keep(who):
                out[who] += deposit
    multisig = rt.pallets.get("Multisig")
    if multisig is not None:
        for _key, m in multisig.storage.Multisigs.items():  # type: ignore[attr-defined]
            if keep(m.depositor):
                out[m.depositor] += m.deposit
    democracy = rt.pallets.get("Democracy")
    if democracy is not None:
        for _index, (depositors, deposit) in democracy.storage.DepositOf.items():  # type: ignore[attr-defined]
            for who in depositors:
                if keep(who):
                    out[who] += deposit
    return out


def _pure_creation_deposit(proxy: object) -> int:
    consts = proxy.consts  # type: ignore[attr-defined]
    return consts.ProxyDepositBase + consts.ProxyDepositFactor


def _stranded_pure_deposits(rt: Runtime, ledger: Ledger, spawners: dict[str, str]) -> tuple[Counter[str], Counter[str]]:
    """Deposits a pure proxy's spawner may have lost for good: pallet_proxy's ``remove_proxies``
    sent by a pure account unreserves the deposit from the pure account (which holds none), leaving
    the spawner's reserve stranded ("the unreserved fees will be inaccessible", pallet_proxy's
    docs), while ``kill_pure`` gives it back; neither leaves an event, so when a pure account's
    ``Proxies`` entry disappears, its last deposit seen becomes an upper bound on what may be
    stranded (a pure emptied in the step that created it: the creation deposit); only the spawner's
    share (at most the creation deposit) can be stranded.

    Under the real profile (quirk ``proxy.kill_pure_unreserves_whole_deposit``) ``kill_pure`` also
    unreserves the pure account's own share from the spawner: the second counter bounds what a
    spawner's other reserves may have lost that way."""
    proxy = rt.pallets.get("Proxy")
    bound: Counter[str] = ledger.extra.setdefault("stranded_pure_deposit_bound", Counter())
    freed: Counter[str] = ledger.extra.setdefault("over_released_pure_deposit_bound", Counter())
    if proxy is None or not spawners:
        return bound, freed
    seen: dict[str, int] = ledger.extra.setdefault("pure_proxy_deposits", {})
    checked: set[str] = ledger.extra.setdefault("pure_proxies_checked", set())
    creation = _pure_creation_deposit(proxy)
    whole = rt.ctx.quirk("proxy.kill_pure_unreserves_whole_deposit")
    for pure, spawner in list(spawners.items()):
        entry = proxy.storage.Proxies.get(pure)  # type: ignore[attr-defined]
        if entry is not None and entry[1]:
            seen[pure] = entry[1]
        elif pure in seen or pure not in checked:
            last = seen.pop(pure, creation)
            bound[spawner] += min(last, creation)
            if whole:
                freed[spawner] += last - min(last, creation)
            # emptied (killed, or its proxies removed): the spawner's link ends here; proxies the
            # account adds later are its own, paid from its own balance
            del spawners[pure]
        checked.add(pure)
    return bound, freed


def _asset_deposits(rt: Runtime, only: set[str] | None = None) -> Counter[str]:
    """TNT each account has reserved as pallet_assets deposits (asset, metadata, account and
    approval deposits); with ``only``, just those accounts' (the rest are left out)."""
    out: Counter[str] = Counter()
    assets = rt.pallets.get("Assets")
    if assets is None:
        return out
    keep = (lambda who: True) if only is None else only.__contains__
    s = assets.storage  # type: ignore[attr-defined]
    owners = {}
    for asset_id, d in s.Asset.items():
        owners[asset_id] = d.owner
        if keep(d.owner):
            out[d.owner] += d.deposit
    for asset_id, meta in s.Metadata.items():
        if asset_id in owners and keep(owners[asset_id]):
            out[owners[asset_id]] += meta.deposit
    for (_asset_id, who), acc in s.Account.items():
        name = acc.reason.name
        if name == "DepositHeld":
            if keep(who):
                out[who] += acc.reason.value
        elif name == "DepositFrom":
            if keep(acc.reason.value[0]):
                out[acc.reason.value[0]] += acc.reason.value[1]
    for (_asset_id, owner, _delegate), approval in s.Approvals.items():
        if keep(owner):
            out[owner] += approval.deposit
    return out


def operator_stake_is_reserved(rt: Runtime, ledger: Ledger) -> None:
    """An operator's self-stake is exactly what is reserved in its own account, besides any
    pallet_assets deposits: joining, bonding more, unstaking, leaving and service slashes move
    reserve and stake together.

    One exception, which is how pallet_balances works on chain: a lock (a staking bond) is also
    satisfied by reserved funds, so an operator can bond its MAD stake in pallet_staking too and
    transfer the rest away; a staking slash (``Balances.Slashed``) then burns free balance first and
    the *reserved* MAD stake after it. For an account hit by such a slash, the reserve may fall
    short of the stake (never exceed it)."""
    mad = rt.pallets.get(MAD)
    if mad is None:
        return
    slashed: set[str] = ledger.extra.setdefault("balance_slashed_accounts", set())
    spawners: dict[str, str] = ledger.extra.setdefault("pure_proxy_spawners", {})
    for ev in new_events(rt, ledger, "operator_stake_is_reserved"):
        if ev.spec.pallet == "Balances" and ev.spec.name == "Slashed":
            slashed.add(ev["who"])
        elif ev.spec.pallet == "Proxy" and ev.spec.name == "PureCreated":
            spawners[ev["pure"]] = ev["who"]
    balances = rt.pallets["Balances"]
    stranded, freed = _stranded_pure_deposits(rt, ledger, spawners)  # first: it ends the links of emptied pure accounts
    operators = list(mad.storage.Operators.items())  # type: ignore[attr-defined]
    # only the operators' deposits are compared: summed for them alone (every holder's, then added
    # as Counters, was most of this check's cost); deposits are never negative, so the sums are those
    accounts = {who for who, _meta in operators}
    deposits = _governance_deposits(rt, spawners, accounts, _asset_deposits(rt, accounts))
    for who, meta in operators:
        reserved = balances.reserved_balance(who)  # type: ignore[attr-defined]
        expected = meta.stake + deposits[who]
        # the allowances combine: a spawner hit by a staking slash can also have stranded a pure
        # proxy's deposit (a 10^7-step campaign, seed 2830, found the two together)
        low = None if who in slashed else expected - freed[who]
        high = expected + stranded[who]
        if (low is None or low <= reserved) and reserved <= high:
            continue
        allowances = [f"its stake {meta.stake} and {deposits[who]} asset and governance deposits"]
        if stranded[who]:
            allowances.append(f"plus at most {stranded[who]} stranded by pure proxies")
        if who in slashed:
            allowances.append("less any amount a Balances.Slashed took")
        elif freed[who]:
            allowances.append(f"less at most {freed[who]} freed by kill_pure (real profile)")
        allowed = f"at most {high}" if low is None else (f"{low}..{high}" if low != high else f"exactly {high}")
        raise AssertionError(f"operator {who} has {reserved} reserved; {', '.join(allowances)}: allow {allowed}")


def delegation_books_balance(rt: Runtime, ledger: Ledger) -> None:
    """Both sides of every delegation agree (intended profile: no slash residue):

    * an operator's ``(delegator, asset)`` bond equals the delegator's delegations to it in that
      asset (a nomination and a ``Custom(0)`` delegation share one bond), ``delegation_count`` is
      the number of bonds, and every bond's delegator exists;
    * a deposit's ``delegated_amount`` is the sum of its non-nomination delegations and never
      exceeds the deposit;
    * pending unstake requests never ask for more than is delegated (nobody unstakes more than
      they delegated).
    """
    mad = rt.pallets.get(MAD)
    if mad is None or rt.ctx.quirk("mad.slash_leaves_residue"):
        return
    s = mad.storage  # type: ignore[attr-defined]
    delegators = dict(s.Delegators.items())
    operators = dict(s.Operators.items())
    if rt.ctx.quirk("mad.rejoin_forgets_delegations"):
        # the real pallet: a rejoined operator's record does not count the delegations it had before
        operators = {op: m for op, m in operators.items() if op not in ledger.departed_operators}
    by_bond: Counter[tuple[str, str, object]] = Counter()
    for who, meta in delegators.items():
        delegated: Counter[object] = Counter()
        for d in meta.delegations:
            assert d.amount > 0, f"{who} keeps an empty delegation to {d.operator}"
            if d.operator in operators:
                by_bond[(d.operator, who, d.asset)] += d.amount
            if not d.is_nomination:
                delegated[d.asset] += d.amount
        for asset, dep in meta.deposits:
            assert dep.delegated_amount <= dep.amount, f"{who} delegated {dep.delegated_amount} of a {dep.amount} deposit of {asset}"
            assert dep.delegated_amount == delegated[asset], f"{who}'s deposit of {asset} records {dep.delegated_amount} delegated, its delegations add up to {delegated[asset]}"
        for asset in delegated:
            assert meta.deposit(asset) is not None, f"{who} delegates {asset} without a deposit"
        pending: Counter[tuple[str, object, bool]] = Counter()
        for r in meta.delegator_unstake_requests:
            pending[(r.operator, r.asset, r.is_nomination)] += r.amount
        for (op, asset, nomination), amount in pending.items():
            idx = meta.delegation_index(op, asset, nomination)
            have = meta.delegations[idx].amount if idx is not None else 0
            assert amount <= have, f"{who} has {amount} of {asset} pending unstake from {op} but only {have} delegated"
    for op, meta in operators.items():
        assert meta.delegation_count == len(meta.delegations), f"operator {op}: delegation_count {meta.delegation_count} != {len(meta.delegations)} bonds"
        for bond in meta.delegations:
            assert bond.delegator in delegators, f"operator {op} has a bond from {bond.delegator}, who is not a delegator"
            have = by_bond.pop((op, bond.delegator, bond.asset), 0)
            assert bond.amount == have, f"operator {op} records {bond.amount} of {bond.asset} from {bond.delegator}, whose delegations add up to {have}"
    assert not by_bond, f"delegations with no operator-side bond: {dict(by_bond)}"
