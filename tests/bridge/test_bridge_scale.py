"""The registry-driven SCALE encoder the node uses: byte-identical to scalecodec where scalecodec is
right, and right where scalecodec is not (generic BTreeMaps, one-field newtypes, key order)."""

from __future__ import annotations

import pytest

from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.encoding import LogEncoder
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.events import from_record, is_extension
from runtime.bridge.samples import scenario_runtimes, sweep_runtime
from runtime.bridge.scale import ScaleEncodeError


@pytest.fixture(scope="module")
def runtimes():
    return [rt for _, rt, _ in scenario_runtimes()] + [sweep_runtime()[0]]


def test_calls_encode_exactly_like_substrate_interface(metadata: RuntimeMetadata, runtimes) -> None:
    call_type = metadata.inner["extrinsic"].value["call_type"]
    compared = 0
    for rt in runtimes:
        encoder = LogEncoder(metadata, rt.genesis)
        for record in rt.call_log:
            if record.spec.extension:
                continue
            params = record.call_params
            theirs = bytes(encoder.compose(record.call_module, record.call_function, params).data.data)
            ours = metadata.encoder.encode(call_type, {record.call_module: {record.call_function: params}})
            assert ours == theirs, record
            compared += 1
    assert compared > 500


def test_events_encode_exactly_like_scalecodec(metadata: RuntimeMetadata, runtimes) -> None:
    compared = 0
    for rt in runtimes:
        for record in rt.all_events():
            if is_extension(record):
                continue
            event = from_record(metadata, record)
            pallet = metadata.pallet(event.pallet)
            info = pallet.events[event.name]
            value = {event.name: {f.name: event.attributes[f.name] for f in info.fields}} if info.fields else event.name
            theirs = bytes(metadata.runtime_config.create_scale_object(f"scale_info::{pallet.event_type_id}").encode(value).data)
            assert metadata.encoder.encode(pallet.event_type_id, value) == theirs, event.qualified
            compared += 1
    assert compared > 100


def _type(metadata: RuntimeMetadata, pallet: str, item: str) -> int:
    return metadata.pallet(pallet).storage[item].value_type_id


def test_btreemap_entries_follow_key_order(metadata: RuntimeMetadata) -> None:
    points = _type(metadata, "Staking", "ErasRewardPoints")  # {total, individual: BTreeMap<AccountId32, u32>}
    accounts = list(DEV_ACCOUNTS.values())
    encoded = metadata.encoder.encode(points, {"total": 6, "individual": [(a, 1) for a in reversed(accounts)]})
    from scalecodec.utils.ss58 import ss58_decode

    raw = [bytes.fromhex(ss58_decode(a)) for a in accounts]
    offsets = [encoded.index(r) for r in sorted(raw)]
    assert offsets == sorted(offsets)  # by AccountId bytes, whatever order they were given in
    assert metadata.encoder.encode(points, {"total": 6, "individual": {a: 1 for a in accounts}}) == encoded
    sub_pools = _type(metadata, "Lst", "SubPoolsStorage")  # with_era: BoundedBTreeMap<u32 era, UnbondPool>
    pool = {"points": 1, "balance": 2}
    encoded = metadata.encoder.encode(sub_pools, {"no_era": pool, "with_era": [(256, pool), (1, pool)]})
    era_1, era_256 = encoded.index((1).to_bytes(4, "little") + b"\x01"), encoded.index((256).to_bytes(4, "little") + b"\x01")
    assert era_1 < era_256  # numeric order (u32's Ord), not the order of the little-endian bytes


def test_newtypes_are_transparent_and_sets_sorted(metadata: RuntimeMetadata) -> None:
    user_services = _type(metadata, "Services", "UserServices")  # BoundedBTreeSet<u64>
    enc = metadata.encoder
    assert enc.encode(user_services, []) == b"\x00" == enc.encode(user_services, ([],))
    assert enc.encode(user_services, [256, 1]) == bytes([8]) + (1).to_bytes(8, "little") + (256).to_bytes(8, "little")


def test_bad_values_name_the_field(metadata: RuntimeMetadata) -> None:
    account = metadata.pallet("System").storage["Account"].value_type_id
    with pytest.raises(ScaleEncodeError, match="missing field"):
        metadata.encoder.encode(account, {"nonce": 0})
    ledger = _type(metadata, "Staking", "Ledger")
    with pytest.raises(ScaleEncodeError, match="stash: expected an AccountId32"):
        metadata.encoder.encode(ledger, {"stash": "Alice", "total": 1, "active": 1, "unlocking": [], "legacy_claimed_rewards": []})
