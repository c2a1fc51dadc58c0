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
from runtime.bridge.node.rpc import RpcHandler
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


def run_script(script: str, url: str, timeout: int = 240) -> dict[str, dict]:
    node = _require_js()
    proc = subprocess.run([node, script, url], cwd=CLIENTS, capture_output=True, text=True, timeout=timeout)
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
