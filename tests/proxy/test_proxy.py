"""pallet_proxy: the behaviour upstream's proxy/src/tests.rs pins (stable2407), with the testnet's
ProxyType (Any, NonTransfer, Governance, Staking)."""

from __future__ import annotations

import pytest

from runtime import DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS
from pallets.primitives.dispatch import hash_of_call
from pallets.proxy import pure_account
from pallets.proxy.types import ProxyType
from tests.utility.gov_helpers import UNIT, c, free, names, remark, transfer

ALICE, BOB, CHARLIE, DAVE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave"))
BASE, FACTOR = 10_008 * UNIT // 1000, 33 * UNIT // 1000
ABASE, AFACTOR = 10_008 * UNIT // 1000, 66 * UNIT // 1000


def reserved(rt: Runtime, who: str) -> int:
    return rt.pallets["Balances"].reserved_balance(rt.account(who))


def fails(rt: Runtime, error: str, origin: str, fn: str, **args: object) -> None:
    root, n = rt.state_root(), len(rt.events)
    with pytest.raises(DispatchError) as exc:
        rt.dispatch(origin, "Proxy", fn, args)
    assert exc.value.qualified_name == error
    assert rt.state_root() == root and len(rt.events) == n


def add(rt: Runtime, real: str, delegate: str, kind: str = "Any", delay: int = 0):
    return rt.dispatch(real, "Proxy", "add_proxy", {"delegate": delegate, "proxy_type": kind, "delay": delay})


def proxied(rt: Runtime, who: str, real: str, call: dict, force: str | None = None):
    r = rt.dispatch(who, "Proxy", "proxy", {"real": real, "force_proxy_type": force, "call": call})
    executed = [e for e in r.triggered_events if e.name == "Proxy.ProxyExecuted"]
    assert executed, names(r.triggered_events)
    return r, executed[-1]["result"]


def test_add_remove_proxies_works(rt: Runtime) -> None:
    r0 = reserved(rt, "Alice")
    r = add(rt, "Alice", "Bob")
    assert r.triggered_events[-1].matches("ProxyAdded", delegator=ALICE, delegatee=BOB, proxy_type=ProxyType.Any, delay=0)
    assert reserved(rt, "Alice") == r0 + BASE + FACTOR
    fails(rt, "Proxy.Duplicate", "Alice", "add_proxy", delegate="Bob", proxy_type="Any", delay=0)
    add(rt, "Alice", "Bob", "Staking")
    add(rt, "Alice", "Charlie", "NonTransfer")
    assert reserved(rt, "Alice") == r0 + BASE + 3 * FACTOR
    fails(rt, "Proxy.NoSelfProxy", "Alice", "add_proxy", delegate="Alice", proxy_type="Any", delay=0)
    rt.dispatch("Alice", "Proxy", "remove_proxy", {"delegate": "Bob", "proxy_type": "Staking", "delay": 0})
    assert reserved(rt, "Alice") == r0 + BASE + 2 * FACTOR
    fails(rt, "Proxy.NotFound", "Alice", "remove_proxy", delegate="Bob", proxy_type="Staking", delay=0)
    fails(rt, "Proxy.NotFound", "Bob", "remove_proxy", delegate="Alice", proxy_type="Any", delay=0)
    rt.dispatch("Alice", "Proxy", "remove_proxy", {"delegate": "Bob", "proxy_type": "Any", "delay": 0})
    rt.dispatch("Alice", "Proxy", "remove_proxy", {"delegate": "Charlie", "proxy_type": "NonTransfer", "delay": 0})
    assert reserved(rt, "Alice") == r0
    assert rt.query("Proxy", "Proxies", ["Alice"]).value == ([], 0)


def test_sorted_definitions_and_too_many(rt: Runtime) -> None:
    for i in range(32):
        add(rt, "Alice", f"//P{i}", "Any", i % 3)
    fails(rt, "Proxy.TooMany", "Alice", "add_proxy", delegate="//Extra", proxy_type="Any", delay=0)
    proxies, deposit = rt.query("Proxy", "Proxies", ["Alice"]).raw
    assert deposit == BASE + 32 * FACTOR
    from runtime.accounts import account_bytes

    keys = [(account_bytes(p.delegate), p.delay) for p in proxies]
    assert keys == sorted(keys)
    rt.dispatch("Alice", "Proxy", "remove_proxies", {})
    assert reserved(rt, "Alice") == 0 and rt.query("Proxy", "Proxies", ["Alice"]).raw == ((), 0)


def test_cannot_add_proxy_without_balance(rt: Runtime) -> None:
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": "//Poor", "value": 5 * UNIT})
    fails(rt, "Balances.InsufficientBalance", "//Poor", "add_proxy", delegate="Bob", proxy_type="Any", delay=0)


def test_proxying_works(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "NonTransfer")
    add(rt, "Alice", "Charlie", "Any")
    fails(rt, "Proxy.NotProxy", "Dave", "proxy", real="Alice", force_proxy_type=None, call=remark())
    fails(rt, "Proxy.NotProxy", "Bob", "proxy", real="Alice", force_proxy_type="Any", call=remark())
    before = free(rt, "Dave")
    _, result = proxied(rt, "Charlie", "Alice", transfer("Dave", 3 * UNIT))
    assert result is None and free(rt, "Dave") == before + 3 * UNIT
    # a failing inner call is reported, the outer call still succeeds and leaves nothing behind
    r, result = proxied(rt, "Charlie", "Alice", transfer("Dave", 10**30))
    assert result == "Token.FundsUnavailable" and r.is_success
    # the call runs as Alice: remark_with_event names her
    r, _ = proxied(rt, "Bob", "Alice", remark())
    assert any(e.matches("Remarked", sender=ALICE) for e in r.triggered_events)


def test_filtering_works(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "Any")
    add(rt, "Alice", "Charlie", "NonTransfer")
    add(rt, "Alice", "Dave", "Staking")
    before = free(rt, "Eve")
    assert proxied(rt, "Bob", "Alice", transfer("Eve", UNIT))[1] is None
    assert proxied(rt, "Charlie", "Alice", transfer("Eve", UNIT))[1] == "System.CallFiltered"
    assert proxied(rt, "Dave", "Alice", transfer("Eve", UNIT))[1] == "System.CallFiltered"
    # NonTransfer may batch, but the filter follows the batch's items
    batch = c("Utility", "batch", calls=[remark(), transfer("Eve", UNIT)])
    r, result = proxied(rt, "Charlie", "Alice", batch)
    assert result is None and r.triggered_events[-2].matches("BatchInterrupted", index=1, error="System.CallFiltered")
    r, result = proxied(rt, "Charlie", "Alice", c("Utility", "batch_all", calls=[remark(), transfer("Eve", UNIT)]))
    assert result == "System.CallFiltered"
    # Staking may not even batch
    assert proxied(rt, "Dave", "Alice", c("Utility", "batch", calls=[remark()]))[1] == "System.CallFiltered"
    assert free(rt, "Eve") == before + UNIT
    # a proxy cannot grant (or revoke) more than it holds, nor remove all proxies unless Any
    add_any = c("Proxy", "add_proxy", delegate="Ferdie", proxy_type="Any", delay=0)
    assert proxied(rt, "Charlie", "Alice", add_any)[1] == "System.CallFiltered"
    assert proxied(rt, "Charlie", "Alice", c("Proxy", "add_proxy", delegate="Ferdie", proxy_type="Staking", delay=0))[1] is None
    assert proxied(rt, "Charlie", "Alice", c("Proxy", "remove_proxies"))[1] == "System.CallFiltered"
    assert proxied(rt, "Bob", "Alice", c("Proxy", "remove_proxies"))[1] is None
    assert reserved(rt, "Alice") == 0


def test_governance_proxy_allows_only_governance_pallets(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "Governance")
    assert proxied(rt, "Bob", "Alice", remark())[1] == "System.CallFiltered"
    assert proxied(rt, "Bob", "Alice", c("Staking", "chill"))[1] == "System.CallFiltered"


def test_pure_works(rt: Runtime) -> None:
    r0 = reserved(rt, "Alice")
    r = rt.dispatch("Alice", "Proxy", "create_pure", {"proxy_type": "Any", "delay": 0, "index": 0})
    height, ext = r.block_number, r.extrinsic_idx
    pure = pure_account(ALICE, ProxyType.Any, 0, height, ext)
    assert r.triggered_events[-1].matches("PureCreated", pure=pure, who=ALICE, proxy_type=ProxyType.Any, disambiguation_index=0)
    assert reserved(rt, "Alice") == r0 + BASE + FACTOR
    # another index (or another extrinsic) gives another account
    r2 = rt.dispatch("Alice", "Proxy", "create_pure", {"proxy_type": "Any", "delay": 0, "index": 1})
    pure2 = r2.triggered_events[-1]["pure"]
    assert pure2 != pure
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": pure, "value": 50 * UNIT})
    before = free(rt, "Dave")
    assert proxied(rt, "Alice", pure, transfer("Dave", 10 * UNIT))[1] is None
    assert free(rt, "Dave") == before + 10 * UNIT
    # only the pure account itself may kill it, with the creation coordinates
    fails(rt, "Proxy.NoPermission", "Alice", "kill_pure", spawner="Alice", proxy_type="Any", index=0, height=height, ext_index=ext)
    kill_wrong = c("Proxy", "kill_pure", spawner="Alice", proxy_type="Any", index=0, height=height, ext_index=ext + 7)
    assert proxied(rt, "Alice", pure, kill_wrong)[1] == "Proxy.NoPermission"
    kill = c("Proxy", "kill_pure", spawner="Alice", proxy_type="Any", index=0, height=height, ext_index=ext)
    assert proxied(rt, "Alice", pure, kill)[1] is None
    assert reserved(rt, "Alice") == r0 + BASE + FACTOR  # pure2's deposit remains
    fails(rt, "Proxy.NotProxy", "Alice", "proxy", real=pure, force_proxy_type=None, call=remark())


@pytest.mark.parametrize("profile", ["intended", "real"])
def test_kill_pure_returns_each_share_of_the_deposit(profile: str) -> None:
    """A pure account that added proxies reserved those deposits itself; killing it gives the spawner
    back what the spawner reserved, and the pure account its own share. The real pallet unreserves
    the whole deposit from the spawner (quirk ``proxy.kill_pure_unreserves_whole_deposit``): with an
    operator's stake reserved beside it, that frees part of the stake."""
    rt = Runtime.dev(profile=profile)
    rt.dispatch("Charlie", "MultiAssetDelegation", "join_operators", {"bond_amount": 1_000 * UNIT})
    r0 = reserved(rt, "Charlie")
    r = rt.dispatch("Charlie", "Proxy", "create_pure", {"proxy_type": "Any", "delay": 0, "index": 0})
    pure = r.triggered_events[-1]["pure"]
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": pure, "value": 50 * UNIT})
    assert proxied(rt, "Charlie", pure, c("Proxy", "add_proxy", delegate="Dave", proxy_type="Any", delay=0))[1] is None
    assert proxied(rt, "Charlie", pure, c("Proxy", "add_proxy", delegate="Eve", proxy_type="Any", delay=0))[1] is None
    assert reserved(rt, "Charlie") == r0 + BASE + FACTOR  # the spawner paid the creation deposit only
    assert rt.pallets["Balances"].reserved_balance(pure) == 2 * FACTOR
    kill = c("Proxy", "kill_pure", spawner="Charlie", proxy_type="Any", index=0, height=r.block_number, ext_index=r.extrinsic_idx)
    assert proxied(rt, "Charlie", pure, kill)[1] is None
    stake = rt.pallets["MultiAssetDelegation"].storage.Operators.get(rt.account("Charlie")).stake
    assert stake == 1_000 * UNIT
    if profile == "intended":
        assert reserved(rt, "Charlie") == r0 == stake
        assert rt.pallets["Balances"].reserved_balance(pure) == 0
    else:
        assert reserved(rt, "Charlie") == r0 - 2 * FACTOR < stake
        assert rt.pallets["Balances"].reserved_balance(pure) == 2 * FACTOR


def test_pure_duplicate_in_the_same_extrinsic_position(rt: Runtime) -> None:
    call = c("Proxy", "create_pure", proxy_type="Any", delay=0, index=0)
    r = rt.dispatch("Alice", "Utility", "batch", {"calls": [call, call]})
    assert r.triggered_events[-1].matches("BatchInterrupted", index=1, error="Proxy.Duplicate")


def test_announcement_works(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "Any", 1)
    add(rt, "Charlie", "Bob", "Any", 1)
    r0 = reserved(rt, "Bob")
    h = b"\x01" * 32
    r = rt.dispatch("Bob", "Proxy", "announce", {"real": "Alice", "call_hash": "0x" + h.hex()})
    assert r.triggered_events[-1].matches("Announced", real=ALICE, proxy=BOB, call_hash=h)
    assert reserved(rt, "Bob") == r0 + ABASE + AFACTOR
    rt.dispatch("Bob", "Proxy", "announce", {"real": "Charlie", "call_hash": "0x" + ("02" * 32)})
    pending, dep = rt.query("Proxy", "Announcements", ["Bob"]).raw
    assert [(a.real, a.call_hash, a.height) for a in pending] == [(ALICE, h, rt.block_number), (CHARLIE, b"\x02" * 32, rt.block_number)]
    assert dep == ABASE + 2 * AFACTOR == reserved(rt, "Bob") - r0


def test_announcer_must_be_proxy(rt: Runtime) -> None:
    fails(rt, "Proxy.NotProxy", "Bob", "announce", real="Alice", call_hash="0x" + "00" * 32)


def test_remove_and_reject_announcement(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "Any", 1)
    r0 = reserved(rt, "Bob")
    for i in (1, 2):
        rt.dispatch("Bob", "Proxy", "announce", {"real": "Alice", "call_hash": "0x" + f"{i:02x}" * 32})
    fails(rt, "Proxy.NotFound", "Bob", "remove_announcement", real="Alice", call_hash="0x" + "07" * 32)
    rt.dispatch("Bob", "Proxy", "remove_announcement", {"real": "Alice", "call_hash": "0x" + "01" * 32})
    assert reserved(rt, "Bob") == r0 + ABASE + AFACTOR
    fails(rt, "Proxy.NotFound", "Charlie", "reject_announcement", delegate="Bob", call_hash="0x" + "02" * 32)
    rt.dispatch("Alice", "Proxy", "reject_announcement", {"delegate": "Bob", "call_hash": "0x" + "02" * 32})
    assert reserved(rt, "Bob") == r0 and rt.query("Proxy", "Announcements", ["Bob"]).raw == ((), 0)


def test_delayed_requires_pre_announcement(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "Any", 1)
    fails(rt, "Proxy.Unannounced", "Bob", "proxy", real="Alice", force_proxy_type=None, call=remark())
    call = transfer("Dave", UNIT)
    fails(rt, "Proxy.Unannounced", "Charlie", "proxy_announced", delegate="Bob", real="Alice", force_proxy_type=None, call=call)
    rt.dispatch("Bob", "Proxy", "announce", {"real": "Alice", "call_hash": "0x" + hash_of_call(call).hex()})
    # the delay (1 block) has not passed yet
    fails(rt, "Proxy.Unannounced", "Charlie", "proxy_announced", delegate="Bob", real="Alice", force_proxy_type=None, call=call)
    rt.advance_blocks(1)
    before = free(rt, "Dave")
    # any signed account may submit it once the delay has passed; a different call is still unannounced
    fails(rt, "Proxy.Unannounced", "Charlie", "proxy_announced", delegate="Bob", real="Alice", force_proxy_type=None, call=transfer("Dave", 2 * UNIT))
    r = rt.dispatch("Charlie", "Proxy", "proxy_announced", {"delegate": "Bob", "real": "Alice", "force_proxy_type": None, "call": call})
    assert r.triggered_events[-1].matches("ProxyExecuted", result=None)
    assert free(rt, "Dave") == before + UNIT


def test_proxy_announced_removes_announcement_and_returns_deposit(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "Any", 1)
    add(rt, "Charlie", "Bob", "Any", 1)
    r0 = reserved(rt, "Bob")
    call = remark()
    h = "0x" + hash_of_call(call).hex()
    rt.dispatch("Bob", "Proxy", "announce", {"real": "Alice", "call_hash": h})
    rt.dispatch("Bob", "Proxy", "announce", {"real": "Charlie", "call_hash": h})
    rt.advance_blocks(1)
    rt.dispatch("Bob", "Proxy", "proxy_announced", {"delegate": "Bob", "real": "Alice", "force_proxy_type": None, "call": call})
    pending, dep = rt.query("Proxy", "Announcements", ["Bob"]).raw
    assert [a.real for a in pending] == [CHARLIE] and reserved(rt, "Bob") == r0 + ABASE + AFACTOR == r0 + dep


def test_calling_proxy_doesnt_remove_announcement(rt: Runtime) -> None:
    add(rt, "Alice", "Bob", "Any", 0)
    call = remark()
    rt.dispatch("Bob", "Proxy", "announce", {"real": "Alice", "call_hash": "0x" + hash_of_call(call).hex()})
    proxied(rt, "Bob", "Alice", call)
    assert len(rt.query("Proxy", "Announcements", ["Bob"]).raw[0]) == 1
