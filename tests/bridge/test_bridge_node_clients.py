"""Real JavaScript clients, unmodified, against the node on a free loopback port (issue 17).

The scripts live in ``tests/clients`` with their pinned packages (``npm ci`` there; ``.ci/run``
does it). Outside CI a machine without Node.js or the packages skips these tests visibly; in CI
(``CI`` set) that is a failure. The scripts install no uncaughtException handler: a client error
ends the script with a non-zero status and its trace, which fails the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from runtime import Runtime
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler, Session
from runtime.bridge.node.server import NodeThread

CLIENTS = Path(__file__).resolve().parents[1] / "clients"


def _require_js() -> str:
    node = shutil.which("node")
    problem = None
    if node is None:
        problem = "node (Node.js) is not installed"
    elif not (CLIENTS / "node_modules" / "@polkadot" / "api").is_dir():
        problem = f"the client packages are not installed (cd {CLIENTS} && npm ci)"
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}: CI must run the real client tests")
        pytest.skip(problem)
    return node  # type: ignore[return-value]


@pytest.fixture()
def node_url(metadata: RuntimeMetadata):
    with NodeThread(RpcHandler(SimChain(metadata, Runtime.dev(), finality_delay=0.1))) as running:
        yield running.url


def run_script(script: str, url: str, *args: str, timeout: int = 240, node_args: tuple[str, ...] = ()) -> dict[str, dict]:
    node = _require_js()
    proc = subprocess.run([node, *node_args, script, url, *args], cwd=CLIENTS, capture_output=True, text=True, timeout=timeout)
    checks = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            checks[record["check"]] = record
    assert proc.returncode == 0, f"{script} failed (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    assert "done" in checks, proc.stdout[-2000:]
    return checks


def test_polkadot_js_default_flow(node_url: str) -> None:
    checks = run_script("pjs_flow.mjs", node_url)
    sent = checks["signAndSend"]
    assert sent["statuses"][0] == "Ready" and sent["statuses"][-1] == "InBlock"
    assert "balances.Transfer" in sent["events"] and int(sent["actualFee"]) > 0
    assert int(checks["paymentInfo"]["partialFee"]) > 0
    assert int(checks["api.at"]["bobNow"]) - int(checks["api.at"]["bobBefore"]) == 2 * 10**18
    assert checks["module error"]["error"] == "services.OperatorNotActive"  # Bob is not an operator
    assert checks["finalized"]["statuses"] == ["Ready", "InBlock", "Finalized"]
    assert checks["finalized"]["finalizedHead"] == checks["finalized"]["block"]
    assert checks["connected"]["metadata"] == 15  # metadata_at_version(15) served and used


def test_polkadot_js_session_progress_follows_the_served_babe_clock(metadata: RuntimeMetadata) -> None:
    """derive.session.progress from Babe.CurrentSlot/EpochIndex/GenesisSlot and consts.babe.epochDuration
    agrees with the node's sessions (they read 0 before: progress stuck at 0)."""
    from runtime import GenesisConfig
    from runtime.bridge.node.chain import node_time_base

    chain = SimChain(metadata, Runtime(GenesisConfig.dev(**node_time_base(metadata))), finality_delay=0.1)
    chain.create_blocks(7205)  # block 7,205: session 1 began at block 7,201
    with NodeThread(RpcHandler(chain)) as running:
        checks = run_script("pjs_session.mjs", running.url)
    progress = checks["progress"]
    assert progress["isEpoch"] and progress["sessionLength"] == 7200 and progress["expectedBlockTime"] == 1000
    assert progress["head"] == 7205 and progress["currentIndex"] == 1
    assert progress["sessionProgress"] == 4  # blocks 7,201..7,205 are slots 0..4 of epoch 1
    assert checks["mortal era"]["period"] <= 256 and checks["mortal era"]["birth"] <= 7205


class RecordingHandler(RpcHandler):
    """Notes every method a client calls, to tell PAPI's native path from its compatibility layer."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.called: list[str] = []

    def handle(self, session: Session, request):  # type: ignore[no-untyped-def]
        if isinstance(request, dict) and isinstance(request.get("method"), str):
            self.called.append(request["method"])
        return super().handle(session, request)


def papi_descriptors(url: str, workdir: Path) -> Path:
    """``papi add -w`` against the node: its metadata, then descriptors for what papi_flow.mjs uses.

    Generated in a scratch directory (nothing lands in the repository): ``.papi/whitelist.ts``
    limits codegen to the items the script uses, and ``noDescriptorsPackage`` stops ``papi
    generate`` from rewriting package.json and running ``npm install`` (which needs the registry).
    """
    node = _require_js()
    (workdir / "node_modules").symlink_to(CLIENTS / "node_modules")
    papi_dir = workdir / ".papi"
    papi_dir.mkdir()
    (papi_dir / "whitelist.ts").write_text((CLIENTS / "papi-whitelist.ts").read_text())
    config = {"version": 0, "descriptorPath": ".papi/descriptors", "entries": {}, "options": {"noDescriptorsPackage": True}}
    (papi_dir / "polkadot-api.json").write_text(json.dumps(config))
    cli = CLIENTS / "node_modules" / "polkadot-api" / "bin" / "cli.js"
    proc = subprocess.run(
        [node, "--import", str(CLIENTS / "ws-shim.mjs"), str(cli), "add", "tangle", "-w", url], cwd=workdir, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, f"papi add failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    descriptors = papi_dir / "descriptors"
    assert (descriptors / "dist" / "index.js").is_file(), proc.stdout[-3000:]
    return descriptors


def test_polkadot_api_typed_flow_on_the_new_json_rpc_spec(metadata: RuntimeMetadata, tmp_path: Path) -> None:
    _require_js()
    if not (CLIENTS / "node_modules" / "polkadot-api").is_dir():
        pytest.fail("polkadot-api is not installed (cd tests/clients && npm ci)")
    handler = RecordingHandler(SimChain(metadata, Runtime.dev(), finality_delay=0.1))
    with NodeThread(handler) as running:
        descriptors = papi_descriptors(running.url, tmp_path)
        handler.called.clear()
        checks = run_script("papi_flow.mjs", running.url, str(descriptors), node_args=("--import", "./ws-shim.mjs"))
    assert checks["connected"]["genesis"] == handler.chain.genesis_hash
    sent = checks["transfer"]
    assert sent["statuses"] == ["signed", "broadcasted", "txBestBlocksState:true", "finalized"]
    assert "Balances.Transfer" in sent["events"] and int(sent["actualFee"]) > 0
    assert int(sent["bobAfter"]) - int(checks["storage"]["bobFree"]) == 2 * 10**18
    assert handler.chain.block(sent["block"]["hash"]).number == sent["block"]["number"]
    assert checks["dispatch error"]["error"] == {"type": "Token", "value": {"type": "FundsUnavailable"}}
    assert "System.ExtrinsicFailed" in checks["dispatch error"]["events"]
    assert sent["block"]["number"] in checks["follow"]["blocks"]
    # PAPI ran natively on the node's new-spec methods, not on its legacy emulation
    called = set(handler.called)
    assert {"chainHead_v1_follow", "chainHead_v1_storage", "chainHead_v1_call", "chainHead_v1_body", "transaction_v1_broadcast", "chainSpec_v1_genesisHash"} <= called
    legacy = {"chain_subscribeAllHeads", "chain_subscribeFinalizedHeads", "chain_subscribeNewHeads", "author_submitExtrinsic", "state_getStorage", "state_call"}
    assert not called & legacy, sorted(called & legacy)


def test_polkadot_js_sees_batch_failures_fee_order_and_fee_details(node_url: str) -> None:
    """user7 A2, A3, B4: a partly failed batch, the fee's Deposit after the call, u128 fee details."""
    checks = run_script("pjs_batch_fees.mjs", node_url)
    events = checks["transfer"]["events"]  # Bob may be endowed first (System.NewAccount, Balances.Endowed)
    assert events[:2] == ["balances.Withdraw", "balances.Transfer"]
    assert events[-3:] == ["balances.Deposit", "transactionPayment.TransactionFeePaid", "system.ExtrinsicSuccess"]
    assert events.count("balances.Deposit") == 1
    for kind in ("batch", "forceBatch"):  # the fee's Deposit comes after every event of the batch's calls
        names = [e["name"] for e in checks[kind]["events"]]
        assert names[0] == "balances.Withdraw" and names[-3:] == ["balances.Deposit", "transactionPayment.TransactionFeePaid", "system.ExtrinsicSuccess"]
    batch = checks["batch"]
    assert batch["dispatchError"] is None  # batch itself succeeds; the interruption is an event
    interrupted = [e for e in batch["events"] if e["name"] == "utility.BatchInterrupted"]
    assert interrupted == [{"name": "utility.BatchInterrupted", "error": "multiAssetDelegation.AlreadyOperator", "index": "1"}]
    assert [e["name"] for e in batch["events"]].count("utility.ItemCompleted") == 1
    force = checks["forceBatch"]
    failed = [e for e in force["events"] if e["name"] == "utility.ItemFailed"]
    assert failed == [{"name": "utility.ItemFailed", "error": "multiAssetDelegation.AlreadyOperator", "index": None}]
    assert "utility.BatchCompletedWithErrors" in [e["name"] for e in force["events"]]
    for name in ("small", "remark30k"):
        d = checks[f"feeDetails {name}"]
        assert int(d["baseFee"]) + int(d["lenFee"]) + int(d["adjustedWeightFee"]) == int(d["partialFee"]) > 0
    big = checks["feeDetails remark30k"]
    assert int(big["lenFee"]) > 2**64  # above u64::MAX: only the hex form carries it
    assert int(big["lenFee"]) == big["length"] * 10**15  # MILLIUNIT per byte (spec §4.1)
