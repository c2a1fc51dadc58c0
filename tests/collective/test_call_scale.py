"""Call bytes and call hashes are the chain's: the SCALE encoding built from the simulator's call
specs (real pallet and call indices) equals substrate-interface's ``compose_call`` against the real
metadata for a sample of every call, decodes back, and gives Council's ``hash_of(proposal)`` /
``length_bound`` and Multisig's ``call_hash`` as polkadot.js would compute them."""

from __future__ import annotations

import hashlib
import os

import pytest

from runtime import UNIT, DispatchError, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.calls import RuntimeCall, RuntimeCallCodec
from runtime.scale import ScaleDecodeError, decode_call as scale_decode
from pallets.primitives.dispatch import call_hash, decode_call, encode_call

A, B, C, D, E = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Dave", "Eve"))
W = {"ref_time": 10**12, "proof_size": 10**6}

# Independent vectors: substrate-interface 1.7 compose_call against ../shared/tangle's metadata, then
# blake2-256 (kept here so they are checked on machines without the metadata file too).
TRANSFER_TO_BOB = ("0603008eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a4813000064a7b3b6e00d",
                      "04658ca26a1347b2b59978771d77ae3238ad326a7e01627cb9124cdd9185192b")
HEARTBEAT_42 = ("33152a00000000000000", "3d722243088149c9d045453df9d0f1d8a401988323731c85b0c00b7a3ad0b3a8")


def call(module: str, function: str, **args: object) -> RuntimeCall:
    return RuntimeCallCodec().decode({"call_module": module, "call_function": function, "call_args": args}, "c")


@pytest.fixture(scope="module")
def offline():  # type: ignore[no-untyped-def]
    from runtime.bridge.encoding import _offline
    from runtime.bridge.metadata import default_metadata_path, load_metadata

    path = default_metadata_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("no runtime metadata file in CI")
        pytest.skip("no runtime metadata file: set TANGLE_METADATA")
    rt = Runtime.dev()
    return _offline(load_metadata(path), rt.genesis_hash, rt.block_hash)


def test_fixed_vectors(rt: Runtime) -> None:
    transfer = call("Balances", "transfer_keep_alive", dest="Bob", value=UNIT)
    assert encode_call(transfer).hex() == TRANSFER_TO_BOB[0] and call_hash(transfer).hex() == TRANSFER_TO_BOB[1]
    heartbeat = call("Services", "update_default_heartbeat_interval", interval=42)
    assert encode_call(heartbeat).hex() == HEARTBEAT_42[0] and call_hash(heartbeat).hex() == HEARTBEAT_42[1]


def test_every_call_encodes_as_substrate_interface_does_and_decodes_back(rt: Runtime, offline) -> None:  # type: ignore[no-untyped-def]
    from runtime.bridge.samples import sample_params

    checked = 0
    calls = [(p.name, name, spec) for p in rt.pallets.values() for name, spec in type(p).call_specs().items()]
    for module, function, spec in calls:  # this runtime's pallets (other tests register stand-ins)
        if spec.extension:
            continue
        for variant in range(3):
            args = spec.decode(sample_params(spec, variant))
            c = RuntimeCall(module, function, args)
            mine = encode_call(c)
            theirs = bytes(offline.compose_call(module, function, spec.encode(args)).data.data)
            assert mine == theirs, f"{module}.{function} (sample {variant})"
            assert decode_call(mine) == c
            checked += 1
    assert checked > 600


def test_nested_call_hash_matches_substrate_interface(rt: Runtime, offline) -> None:  # type: ignore[no-untyped-def]
    inner = {"call_module": "Balances", "call_function": "transfer_keep_alive", "call_args": {"dest": B, "value": 5 * UNIT}}
    batch = {"calls": [inner, {"call_module": "System", "call_function": "remark", "call_args": {"remark": "0x1234"}}]}
    theirs = bytes(offline.compose_call("Utility", "batch_all", batch).data.data)
    assert call_hash(call("Utility", "batch_all", **batch)) == hashlib.blake2b(theirs, digest_size=32).digest()


def test_council_propose_hash_and_length_bound(rt: Runtime) -> None:
    rt.dispatch("root", "Council", "set_members", {"new_members": [A, B, C, D, E], "prime": None, "old_count": 0})
    gated = {"call_module": "Services", "call_function": "update_default_heartbeat_interval", "call_args": {"interval": 42}}
    n = len(bytes.fromhex(HEARTBEAT_42[0]))  # 10 bytes on chain
    root = rt.state_root()
    with pytest.raises(DispatchError, match="Council.WrongProposalLength"):
        rt.dispatch("Alice", "Council", "propose", {"threshold": 3, "proposal": gated, "length_bound": n - 1})
    assert rt.state_root() == root
    r = rt.dispatch("Alice", "Council", "propose", {"threshold": 3, "proposal": gated, "length_bound": n})
    proposed = next(e for e in r.triggered_events if e.name == "Council.Proposed")
    assert proposed.values[2].hex() == HEARTBEAT_42[1]  # hash_of(proposal), as polkadot.js computes it
    assert rt.query("Council", "ProposalOf", ["0x" + HEARTBEAT_42[1]]).value is not None
    h = "0x" + HEARTBEAT_42[1]
    for who in ("Alice", "Bob", "Charlie"):
        rt.dispatch(who, "Council", "vote", {"proposal": h, "index": 0, "approve": True})
    with pytest.raises(DispatchError, match="Council.WrongProposalLength"):
        rt.dispatch("Dave", "Council", "close", {"proposal_hash": h, "index": 0, "proposal_weight_bound": W, "length_bound": n - 1})
    rt.dispatch("Dave", "Council", "close", {"proposal_hash": h, "index": 0, "proposal_weight_bound": W, "length_bound": n})
    assert rt.query("Services", "DefaultHeartbeatInterval").value == 42


def test_multisig_call_hash_is_the_chain_hash(rt: Runtime) -> None:
    from tests.multisig.test_multisig import others

    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": _multisig(), "value": 100 * UNIT})
    transfer = {"call_module": "Balances", "call_function": "transfer_keep_alive", "call_args": {"dest": "Bob", "value": UNIT}}
    r = rt.dispatch(A, "Multisig", "as_multi", {"threshold": 2, "other_signatories": others(A), "maybe_timepoint": None, "call": transfer, "max_weight": W})
    new = next(e for e in r.triggered_events if e.name == "Multisig.NewMultisig")
    assert new.values[2].hex() == TRANSFER_TO_BOB[1]
    # Bob approves by the hash a client computed, without the call
    r = rt.dispatch(B, "Multisig", "approve_as_multi", {"threshold": 2, "other_signatories": others(B), "maybe_timepoint": {"height": r.block_number, "index": r.extrinsic_idx},
                                                         "call_hash": "0x" + TRANSFER_TO_BOB[1], "max_weight": W})
    assert r.triggered_events[-1].name == "Multisig.MultisigApproval"


def _multisig() -> str:
    from tests.multisig.test_multisig import SIGS
    from pallets.multisig import multi_account_id

    return multi_account_id(SIGS, 2)


@pytest.mark.parametrize("data", [
    b"", b"\x06", b"\xff\x00", bytes.fromhex(HEARTBEAT_42[0]) + b"\x00",  # empty, truncated, no such call, trailing
    b"\x01\x00" + b"\xfe\xff\xff\xff",  # System.remark claiming a 1 GiB remark
    b"\x1f\x00" * 300,  # Utility.batch nested deeper than the chain decodes (or malformed)
])
def test_bad_bytes_are_not_calls(rt: Runtime, data: bytes) -> None:
    with pytest.raises(ScaleDecodeError):
        scale_decode(data)
    assert decode_call(data) is None


def test_simulator_extension_calls_keep_a_tagged_form(rt: Runtime) -> None:
    from pallets.primitives.dispatch import EXTENSION_TAG

    ext = call("Staking", "report_offence", validator="Alice", slash_fraction=10**8)
    wrapped = call("Utility", "batch", calls=[{"call_module": "Staking", "call_function": "report_offence", "call_args": {"validator": "Alice", "slash_fraction": 10**8}}])
    for c in (ext, wrapped):
        data = encode_call(c)
        assert data.startswith(EXTENSION_TAG) and decode_call(data) == c
    assert call_hash(ext) != call_hash(wrapped)
