"""The JSON-RPC node fronting the simulator, driven by the real, unmodified substrate-interface client."""

from __future__ import annotations

import hashlib
import json
import urllib.request

import pytest
from substrateinterface import Keypair, SubstrateInterface
from substrateinterface.exceptions import SubstrateRequestException

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.keys import storage_key
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.bridge.node.server import NodeThread
from runtime.bridge.registry import BOUNDED_TYPES
from runtime.bridge.samples import operator_key, services_blueprint
from runtime.genesis import UNIT

ALICE, BOB, CHARLIE, EVE = (DEV_ACCOUNTS[n] for n in ("Alice", "Bob", "Charlie", "Eve"))
KEYS = {n: Keypair.create_from_uri(f"//{n}") for n in ("Alice", "Bob", "Charlie", "Eve")}


@pytest.fixture(scope="module")
def chain(metadata: RuntimeMetadata) -> SimChain:
    return SimChain(metadata, Runtime.dev())


@pytest.fixture(scope="module")
def node(chain: SimChain):
    with NodeThread(RpcHandler(chain)) as running:
        yield running


@pytest.fixture(scope="module")
def substrate(node) -> SubstrateInterface:
    client = SubstrateInterface(url=node.url, type_registry=BOUNDED_TYPES)
    yield client
    client.close()


def send(substrate: SubstrateInterface, who: str, module: str, function: str, params: dict):  # type: ignore[no-untyped-def]
    call = substrate.compose_call(module, function, params)
    xt = substrate.create_signed_extrinsic(call=call, keypair=KEYS[who], era={"period": 64})
    return substrate.submit_extrinsic(xt, wait_for_inclusion=True)


def names(receipt) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{e.value['module_id']}.{e.value['event_id']}" for e in receipt.triggered_events]


def test_client_connects_and_reads_the_runtime(substrate: SubstrateInterface, chain: SimChain, metadata: RuntimeMetadata) -> None:
    substrate.init_runtime()
    assert substrate.runtime_version == metadata.spec_version
    assert substrate.transaction_version == metadata.transaction_version
    assert substrate.ss58_format == 42
    assert substrate.metadata[1].index == 14  # served as V14, what scalecodec clients decode
    assert substrate.get_block_hash(0) == chain.rt.genesis_hash
    assert substrate.get_constant("MultiAssetDelegation", "MinOperatorBondAmount").value == 100


def test_metadata_from_the_node_is_the_same_runtime(node, metadata: RuntimeMetadata) -> None:
    from runtime.bridge.metadata import metadata_from_node

    served = metadata_from_node(node.url)
    assert served.version == 14 and served.spec_version == metadata.spec_version
    assert served.pallet("Services").calls == metadata.pallet("Services").calls
    assert served.pallet("MultiAssetDelegation").errors == metadata.pallet("MultiAssetDelegation").errors


def test_head_subscriptions_deliver_headers(substrate: SubstrateInterface, chain: SimChain) -> None:
    header = substrate.subscribe_block_headers(lambda obj, update_nr, sub_id: obj)
    assert header["header"]["number"] == chain.head.number
    assert header["header"]["parentHash"] == chain.head.parent_hash


def test_ed25519_signers_are_accepted(substrate: SubstrateInterface, chain: SimChain) -> None:
    from substrateinterface import KeypairType

    ed = Keypair.create_from_seed("0x" + "42" * 32, crypto_type=KeypairType.ED25519)
    assert send(substrate, "Alice", "Balances", "transfer_keep_alive", {"dest": ed.ss58_address, "value": 5 * UNIT}).is_success
    call = substrate.compose_call("System", "remark_with_event", {"remark": "signed with ed25519"})
    receipt = substrate.submit_extrinsic(substrate.create_signed_extrinsic(call=call, keypair=ed, era={"period": 64}), wait_for_inclusion=True)
    remarked = [e for e in receipt.triggered_events if e.value["event_id"] == "Remarked"]
    assert receipt.is_success and remarked[0].value["attributes"]["sender"] == ed.ss58_address


def test_storage_reads_match_the_simulator(substrate: SubstrateInterface, chain: SimChain) -> None:
    info = substrate.query("System", "Account", [ALICE]).value
    assert info["data"]["free"] == chain.rt.free_balance(ALICE)
    assert info["nonce"] == chain.nonce(ALICE)
    assert substrate.query("Sudo", "Key").value == ALICE
    assert substrate.query("System", "Number").value == chain.rt.block_number
    nobody = "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM"
    absent = substrate.query("System", "Account", [nobody])
    assert absent.value["data"]["free"] == 0 and absent.meta_info["result_found"] is False
    validators = {k.value: v.value for k, v in substrate.query_map("Staking", "Validators")}
    assert set(validators) == {ALICE}


def test_storage_keys_agree_with_substrate_interface(substrate: SubstrateInterface, metadata: RuntimeMetadata) -> None:
    substrate.init_runtime()
    cases = [("System", "Account", [BOB]), ("Services", "Blueprints", [7]), ("MultiAssetDelegation", "Operators", [ALICE]),
             ("Services", "Operators", [7, BOB]), ("Assets", "Account", [1, BOB]), ("Staking", "Ledger", [ALICE]), ("Lst", "BondedPools", [3])]
    for pallet, item, params in cases:
        info = metadata.pallet(pallet)
        ours = storage_key(metadata, info.storage_prefix, info.storage[item], params)
        assert "0x" + ours.hex() == substrate.create_storage_key(pallet, item, params).to_hex(), (pallet, item)


def test_a_signed_transfer_is_included_with_its_events(substrate: SubstrateInterface, chain: SimChain) -> None:
    before_bob, before_alice = chain.rt.free_balance(BOB), chain.rt.free_balance(ALICE)
    head = chain.head.number
    call = substrate.compose_call("Balances", "transfer_keep_alive", {"dest": BOB, "value": 3 * UNIT})
    xt = substrate.create_signed_extrinsic(call=call, keypair=KEYS["Alice"], era={"period": 64})
    info = substrate.get_payment_info(call, KEYS["Alice"])
    quoted = info["partialFee"]
    assert info["weight"]["ref_time"] == chain.rt.call_spec("Balances", "transfer_keep_alive").weight and info["class"] == "Normal"
    receipt = substrate.submit_extrinsic(xt, wait_for_inclusion=True)
    assert receipt.is_success and receipt.error_message is None
    # fees are on, as on chain: withdrawn before the call (pre_dispatch), deposited after it
    # (post_dispatch), then TransactionFeePaid with the amount
    got = names(receipt)
    assert got == ["Balances.Withdraw", "Balances.Transfer", "Balances.Deposit", "TransactionPayment.TransactionFeePaid", "System.ExtrinsicSuccess"]
    transfer = receipt.triggered_events[1].value["attributes"]
    assert transfer == {"from": ALICE, "to": BOB, "amount": 3 * UNIT}
    fee = receipt.triggered_events[-2].value["attributes"]["actual_fee"]
    # the quote was for an immortal extrinsic (era 1 byte); this one is mortal (2 bytes): one byte fee more
    assert fee == receipt.total_fee_amount == quoted + 10**15
    # the multiplier in force: NextFeeMultiplier as the parent block left it (it moves every block)
    parent = chain.block(chain.block(receipt.block_hash).parent_hash)
    weight_fee = parent.fee_multiplier * info["weight"]["ref_time"] // 10**18
    assert fee == chain.fee_model.base_extrinsic + len(xt.data) * 10**15 + weight_fee
    assert chain.rt.free_balance(BOB) == before_bob + 3 * UNIT
    assert chain.rt.free_balance(ALICE) == before_alice - 3 * UNIT - fee
    assert substrate.query("System", "Account", [BOB]).value["data"]["free"] == before_bob + 3 * UNIT
    assert substrate.get_block_number(receipt.block_hash) == head + 1
    block = substrate.get_block(receipt.block_hash)
    assert [x.value["call"]["call_function"] for x in block["extrinsics"]] == ["set", "transfer_keep_alive"]
    assert receipt.extrinsic_idx == 1
    assert substrate.get_account_nonce(ALICE) == chain.nonce(ALICE) >= 1


def test_a_failed_call_reports_the_module_error_by_metadata_index(substrate: SubstrateInterface, chain: SimChain, metadata: RuntimeMetadata) -> None:
    reserved = substrate.query("System", "Account", [BOB]).value["data"]["reserved"]
    receipt = send(substrate, "Bob", "MultiAssetDelegation", "join_operators", {"bond_amount": 1})
    assert not receipt.is_success
    assert receipt.error_message["name"] == "BondTooLow"
    failed = receipt.triggered_events[-1].value
    assert failed["event_id"] == "ExtrinsicFailed"
    module = failed["attributes"]["dispatch_error"]["Module"]
    assert module["index"] == metadata.pallet("MultiAssetDelegation").index
    assert int(module["error"][2:4], 16) == metadata.pallet("MultiAssetDelegation").errors["BondTooLow"].index
    assert substrate.query("MultiAssetDelegation", "Operators", [BOB]).value is None  # nothing changed
    assert substrate.query("System", "Account", [BOB]).value["data"]["reserved"] == reserved


def test_sudo_calls_dispatch_as_root(substrate: SubstrateInterface, chain: SimChain) -> None:
    inner = substrate.compose_call("Assets", "force_create", {"id": 77, "owner": CHARLIE, "is_sufficient": True, "min_balance": 1})
    receipt = send(substrate, "Alice", "Sudo", "sudo", {"call": inner})
    assert receipt.is_success
    sudid = [e.value for e in receipt.triggered_events if e.value["event_id"] == "Sudid"][0]
    assert sudid["attributes"]["sudo_result"] == {"Ok": ()}
    assert substrate.query("Assets", "Asset", [77]).value["owner"] == CHARLIE
    again = send(substrate, "Alice", "Sudo", "sudo", {"call": inner})  # already exists: the inner call fails
    sudid = [e.value for e in again.triggered_events if e.value["event_id"] == "Sudid"][0]
    assert again.is_success and "Err" in sudid["attributes"]["sudo_result"]
    refused = send(substrate, "Bob", "Sudo", "sudo", {"call": inner})
    assert not refused.is_success and refused.error_message["name"] == "RequireSudo"


def test_pool_rejections_are_json_rpc_errors(substrate: SubstrateInterface, chain: SimChain) -> None:
    call = substrate.compose_call("Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    xt = substrate.create_signed_extrinsic(call=call, keypair=KEYS["Eve"], era={"period": 64})
    raw = bytearray(xt.data.data)
    raw[-1] ^= 1  # the value's last byte: the signature no longer covers the call
    with pytest.raises(SubstrateRequestException) as exc:
        substrate.rpc_request("author_submitExtrinsic", ["0x" + raw.hex()])
    assert exc.value.args[0] == {"code": 1010, "message": "Invalid Transaction", "data": "Transaction has a bad signature"}
    stale = substrate.create_signed_extrinsic(call=call, keypair=KEYS["Alice"], era={"period": 64}, nonce=0)
    with pytest.raises(SubstrateRequestException) as exc:
        substrate.submit_extrinsic(stale, wait_for_inclusion=True)
    assert exc.value.args[0]["code"] == 1010 and exc.value.args[0]["data"] == "Transaction is outdated"
    with pytest.raises(SubstrateRequestException) as exc:
        substrate.rpc_request("author_submitExtrinsic", ["0x1234"])
    assert exc.value.args[0]["code"] == 1040  # not an opaque extrinsic: sc-rpc's Error::Client
    unmodelled = substrate.compose_call("Identity", "clear_identity", {})
    xt = substrate.create_signed_extrinsic(call=unmodelled, keypair=KEYS["Eve"])
    with pytest.raises(SubstrateRequestException) as exc:
        substrate.submit_extrinsic(xt)
    assert exc.value.args[0]["code"] == 9000 and "Identity.clear_identity" in exc.value.args[0]["data"]


def test_services_blueprint_request_and_events(substrate: SubstrateInterface, chain: SimChain) -> None:
    if "Services" not in chain.rt.pallets:
        pytest.skip("the Services pallet is not in this tree")
    next_id = substrate.query("Services", "NextBlueprintId").value
    receipt = send(substrate, "Alice", "Services", "create_blueprint", {"blueprint": services_blueprint()})
    assert receipt.is_success and "Services.BlueprintCreated" in names(receipt)
    owner, blueprint = substrate.query("Services", "Blueprints", [next_id]).value
    assert owner == ALICE and blueprint["metadata"]["name"] == "CGGMP21 TSS" and len(blueprint["jobs"]) == 2
    raw = substrate.rpc_request("state_getStorage", [substrate.create_storage_key("Services", "Blueprints", [next_id + 50]).to_hex(), None])
    assert raw["result"] is None  # absent (query() trips on ResultQuery defaults: a client-side quirk)
    for op in ("Bob", "Charlie"):
        assert send(substrate, op, "MultiAssetDelegation", "join_operators", {"bond_amount": 1_000 * UNIT}).is_success
        prefs = {"key": operator_key(op), "rpc_address": f"https://{op.lower()}.example:9944"}
        assert send(substrate, op, "Services", "register", {"blueprint_id": next_id, "preferences": prefs, "registration_args": [], "value": 0}).is_success
    tnt = {"Custom": 0}
    request_id = substrate.query("Services", "NextServiceRequestId").value
    receipt = send(substrate, "Eve", "Services", "request", {
        "evm_origin": None, "blueprint_id": next_id, "permitted_callers": [ALICE], "operators": [BOB, CHARLIE], "request_args": [],
        "asset_security_requirements": [{"asset": tnt, "min_exposure_percent": 10, "max_exposure_percent": 20}],
        "ttl": 100, "payment_asset": tnt, "value": 0, "membership_model": {"Fixed": {"min_operators": 2}}})
    assert receipt.is_success
    requested = [e.value["attributes"] for e in receipt.triggered_events if e.value["event_id"] == "ServiceRequested"][0]
    assert requested["owner"] == EVE and requested["request_id"] == request_id and requested["pending_approvals"] == [BOB, CHARLIE]
    assert substrate.query("Services", "ServiceRequests", [request_id]).value["owner"] == EVE
    for op in ("Bob", "Charlie"):
        receipt = send(substrate, op, "Services", "approve", {"request_id": request_id, "security_commitments": [{"asset": tnt, "exposure_percent": 10}]})
    assert "Services.ServiceInitiated" in names(receipt)


def test_manual_sealing_puts_several_extrinsics_in_one_block(metadata: RuntimeMetadata) -> None:
    chain = SimChain(metadata, Runtime.dev(), sealing="manual")
    handler = RpcHandler(chain)
    session = Session(push=None)
    encoder_client = SubstrateInterface(url="http://unused.invalid", type_registry=BOUNDED_TYPES, auto_discover=False)
    from runtime.bridge.offline import OfflineSubstrate

    offline = OfflineSubstrate(metadata, chain.genesis_hash, chain.rt.block_hash)
    hashes = []
    for nonce, value in enumerate((UNIT, 2 * UNIT)):
        call = offline.compose_call("Balances", "transfer_keep_alive", {"dest": BOB, "value": value})
        xt = offline.sign(call, KEYS["Alice"], nonce=nonce)
        reply = handler.handle(session, {"jsonrpc": "2.0", "id": nonce, "method": "author_submitExtrinsic", "params": [xt.data.to_hex()]})
        hashes.append(reply["result"])
        assert reply["result"] == "0x" + hashlib.blake2b(bytes(xt.data.data), digest_size=32).hexdigest()
    assert len(handler.handle(session, {"id": 9, "method": "author_pendingExtrinsics", "params": []})["result"]) == 2
    assert chain.head.number == 0
    sealed = handler.handle(session, {"id": 10, "method": "engine_createBlock", "params": [True, True, None]})["result"]
    block = chain.block(sealed["hash"])
    assert block.number == 1 and len(block.extrinsics) == 3  # Timestamp.set, then the two transfers
    assert ["0x" + hashlib.blake2b(x, digest_size=32).hexdigest() for x in block.extrinsics[1:]] == hashes
    outcomes = [(e.qualified, e.extrinsic_idx) for e in block.events if e.qualified == "System.ExtrinsicSuccess"]
    assert outcomes == [("System.ExtrinsicSuccess", 0), ("System.ExtrinsicSuccess", 1), ("System.ExtrinsicSuccess", 2)]
    assert chain.encode_problems == [] and encoder_client is not None


def test_watching_an_extrinsic_on_a_manually_sealed_node(metadata: RuntimeMetadata) -> None:
    """submitAndWatch answers at once; inBlock/finalized follow when someone seals the block."""
    import threading

    chain = SimChain(metadata, Runtime.dev(), sealing="manual")
    with NodeThread(RpcHandler(chain)) as running:
        client = SubstrateInterface(url=running.url, type_registry=BOUNDED_TYPES)
        call = client.compose_call("Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
        xt = client.create_signed_extrinsic(call=call, keypair=KEYS["Charlie"], era={"period": 64})
        sealed: list[int] = []

        def sealer() -> None:  # seals as soon as the extrinsic is pending, like engine_createBlock would
            while not chain.pending():
                threading.Event().wait(0.01)
            sealed.append(chain.seal().number)

        thread = threading.Thread(target=sealer, daemon=True)
        thread.start()
        receipt = client.submit_extrinsic(xt, wait_for_inclusion=True)
        thread.join(30)
        assert receipt.is_success and "Balances.Transfer" in names(receipt)
        assert client.get_block_number(receipt.block_hash) == sealed[0] == 1
        client.close()


def test_http_transport_and_batches(node, chain: SimChain) -> None:
    def post(payload):  # type: ignore[no-untyped-def]
        req = urllib.request.Request(node.http_url, data=json.dumps(payload).encode(), headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    assert post({"jsonrpc": "2.0", "id": 1, "method": "chain_getBlockHash", "params": [0]})["result"] == chain.genesis_hash
    assert post({"jsonrpc": "2.0", "id": 1, "method": "chain_getBlockHash", "params": [2**32 - 1]})["result"] is None  # a block not built yet
    for huge in (2**32, 10**30, hex(2**40)):  # past u32: invalid params, not null (new-user finding D12)
        reply = post({"jsonrpc": "2.0", "id": 1, "method": "chain_getBlockHash", "params": [huge]})
        assert reply["error"]["code"] == -32602 and "u32::MAX" in reply["error"]["message"], reply
    batch = post([{"jsonrpc": "2.0", "id": 1, "method": "system_name", "params": []}, {"jsonrpc": "2.0", "id": 2, "method": "no_such", "params": []}])
    assert batch[0]["result"] == "tangle-sim" and batch[1]["error"]["code"] == -32601
    nonce = post({"jsonrpc": "2.0", "id": 3, "method": "state_call", "params": ["AccountNonceApi_account_nonce", "0x" + KEYS["Alice"].public_key.hex()]})["result"]
    assert int.from_bytes(bytes.fromhex(nonce[2:]), "little") == chain.nonce(ALICE)
    client = SubstrateInterface(url=node.http_url, type_registry=BOUNDED_TYPES)
    assert client.query("System", "Account", [CHARLIE]).value["data"]["free"] == chain.rt.free_balance(CHARLIE)


def test_every_event_of_the_scenarios_encodes_per_metadata(metadata: RuntimeMetadata) -> None:
    """Each simulator event (all pallets, all scenarios) becomes a valid System.Events record."""
    from runtime.bridge.node.events import encode_events, from_record, is_extension
    from runtime.bridge.samples import scenario_runtimes, sweep_runtime

    runtimes = [rt for _, rt, _ in scenario_runtimes()] + [sweep_runtime()[0]]
    seen = set()
    for rt in runtimes:
        records = [from_record(metadata, e) for e in rt.all_events() if not is_extension(e)]
        seen |= {r.qualified for r in records}
        encoded = encode_events(metadata, records)
        assert encoded.problems == []
        events_type = metadata.pallet("System").storage["Events"].value_type_id
        from scalecodec.base import ScaleBytes

        obj = metadata.runtime_config.create_scale_object(f"scale_info::{events_type}", data=ScaleBytes(bytearray(encoded.data)), metadata=metadata.scale)
        decoded = obj.decode()
        assert [f"{d['module_id']}.{d['event_id']}" for d in decoded] == [r.qualified for r in records]
    assert len(seen) > 30


def test_every_stored_value_encodes_per_metadata(metadata: RuntimeMetadata) -> None:
    """After the scenarios, every entry of every modelled storage item encodes as its metadata type
    and decodes, with the client's decoder, back to what the simulator's query returns."""
    from scalecodec.base import ScaleBytes

    from runtime.bridge.node.storage import StateReader
    from runtime.bridge.samples import scenario_runtimes

    def plain(v):  # type: ignore[no-untyped-def]
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        if isinstance(v, dict):
            return {k: plain(x) for k, x in v.items()}
        return v

    checked = 0
    for _, rt, _ in scenario_runtimes():
        reader = StateReader(metadata, rt, lambda h: b"\x00")
        for entry in reader.items.values():
            for key, params in reader.entry_keys(entry):
                data = reader.get(key)  # raises StorageEncodeError if the value does not fit the metadata type
                if data is None:
                    continue
                obj = metadata.runtime_config.create_scale_object(f"scale_info::{entry.info.value_type_id}", data=ScaleBytes(bytearray(data)), metadata=metadata.scale)
                assert plain(obj.decode()) == plain(rt.query(entry.pallet.name, entry.info.name, params).value), (entry.info.name, params)
                checked += 1
    assert checked > 100


def test_node_command_runs_as_a_subprocess(metadata: RuntimeMetadata, tmp_path) -> None:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "simulations.cli", "node", "--port", "0", "--metadata", metadata.source, "--profile", "real"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("tangle-sim node: ws://127.0.0.1:"), line
        url = line.split()[2]
        from runtime.bridge.rpc_client import rpc_call

        assert rpc_call(url, "system_name") == "tangle-sim"
        assert rpc_call(url, "state_getRuntimeVersion")["specVersion"] == metadata.spec_version
    finally:
        proc.terminate()
        proc.wait(30)


def test_substrate_interface_history_query_map_and_blocks_by_hash(substrate: SubstrateInterface, chain: SimChain) -> None:
    """The issue's substrate-interface flow beyond transfers: query at an older block hash, query_map,
    get_block by hash with the client's own header hash check, and the finalized head."""
    before = substrate.query("System", "Account", [CHARLIE]).value["data"]["free"]
    receipt = send(substrate, "Alice", "Balances", "transfer_keep_alive", {"dest": CHARLIE, "value": 4 * UNIT})
    block = substrate.get_block(block_hash=receipt.block_hash)
    parent = block["header"]["parentHash"]
    assert substrate.query("System", "Account", [CHARLIE], block_hash=parent).value["data"]["free"] == before
    assert substrate.query("System", "Account", [CHARLIE], block_hash=receipt.block_hash).value["data"]["free"] == before + 4 * UNIT
    header = substrate.get_block_header(receipt.block_hash)["header"]
    assert header["hash"] == receipt.block_hash == chain.block(receipt.block_hash).hash  # type: ignore[union-attr]
    accounts = {str(k.value): v.value["data"]["free"] for k, v in substrate.query_map("System", "Account", page_size=3)}
    assert accounts[CHARLIE] == before + 4 * UNIT and len(accounts) >= 4  # paged 3 at a time
    assert substrate.get_chain_finalised_head() in (receipt.block_hash, chain.block(chain.finalized_number).hash)  # type: ignore[union-attr]
