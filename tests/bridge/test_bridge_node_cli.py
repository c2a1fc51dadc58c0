"""``tangle-sim node``'s chain options: validated before anything starts, and applied to the chain."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.cli import node_options_problem
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.rpc_client import RpcError, rpc_call
from runtime.genesis import UNIT
from simulations.cli import app

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"sealing": "eventually"}, "--sealing"),
        ({"history": 0}, "--history"),
        ({"history": 10**9}, "--history"),
        ({"finality_lag": -1}, "--finality-lag"),
        ({"finality_lag": 256}, "--finality-lag (256) must be smaller than --history (256)"),
        ({"finality_delay": -0.5}, "--finality-delay"),
        ({"finality_delay": float("nan")}, "--finality-delay"),
        ({"block_time": float("inf")}, "--block-time"),
        ({"port": 70000}, "--port"),
    ],
)
def test_bad_node_options_name_the_option(options: dict, fragment: str) -> None:
    base = {"sealing": "instant", "history": 256, "finality_lag": 0, "finality_delay": 0.5, "block_time": 0.0, "port": 0}
    assert node_options_problem(**{**base, **options}) is not None
    assert fragment in node_options_problem(**{**base, **options})  # type: ignore[operator]
    assert node_options_problem(**base) is None


@pytest.mark.parametrize("args", [["--history", "0"], ["--sealing", "later"], ["--finality-lag", "-2"], ["--history", "abc"]])
def test_the_command_refuses_bad_options_before_serving(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["node", "--port", "0", *args])
    assert result.exit_code == 2
    assert args[0] in result.output and "Traceback" not in result.output


def test_options_reach_the_chain(metadata: RuntimeMetadata) -> None:
    """Manual build mode, a 3-block history, finality 2 blocks behind, no fees: each one observable."""
    from substrateinterface import Keypair

    from runtime.bridge.keys import storage_key
    from runtime.bridge.offline import OfflineSubstrate

    cmd = [sys.executable, "-m", "simulations.cli", "node", "--port", "0", "--metadata", metadata.source,
           "--build-mode", "Manual", "--history", "3", "--finality-lag", "2", "--no-fees"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert line.startswith("tangle-sim node: ws://127.0.0.1:"), line
        url = line.split()[2]
        genesis = rpc_call(url, "chain_getBlockHash", [0])
        offline = OfflineSubstrate(metadata, genesis, lambda n: genesis)
        call = offline.compose_call("Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
        xt = offline.sign(call, Keypair.create_from_uri("//Alice"), nonce=0).data.to_hex()
        quoted = int(rpc_call(url, "payment_queryInfo", [xt])["partialFee"])
        system = metadata.pallets["System"]
        alice_key = "0x" + storage_key(metadata, system.storage_prefix, system.storage["Account"], [ALICE]).hex()
        before = rpc_call(url, "state_getStorage", [alice_key])
        rpc_call(url, "author_submitExtrinsic", [xt])
        assert rpc_call(url, "chain_getHeader")["number"] == "0x0"  # manual: nothing sealed yet
        head = rpc_call(url, "dev_newBlock", [{"count": 4}])
        assert rpc_call(url, "chain_getHeader", [head])["number"] == "0x4"
        assert rpc_call(url, "chain_getFinalizedHead") == rpc_call(url, "chain_getBlockHash", [2])  # lag 2
        after = rpc_call(url, "state_getStorage", [alice_key])
        free = lambda raw: int.from_bytes(bytes.fromhex(raw[2:])[16:32], "little")  # noqa: E731 - AccountInfo.data.free
        assert quoted > 0 and free(before) - free(after) == UNIT  # the transfer only: no fee charged
        assert rpc_call(url, "state_getStorage", [alice_key, rpc_call(url, "chain_getBlockHash", [2])]) == after
        with pytest.raises(RpcError, match="--history"):
            rpc_call(url, "state_getStorage", [alice_key, rpc_call(url, "chain_getBlockHash", [1])])
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_bad_profile_and_a_busy_port_are_refused_in_one_line_before_the_metadata_load() -> None:
    import socket

    result = CliRunner().invoke(app, ["node", "--port", "0", "--profile", "weird", "--metadata", "/nonexistent/metadata.scale"])
    assert result.exit_code == 2 and "--profile" in result.output and "Traceback" not in result.output
    assert "metadata" not in result.output  # refused before the metadata is even looked at
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["node", "--port", str(port), "--metadata", "/nonexistent/metadata.scale"])
    assert result.exit_code == 2 and f"127.0.0.1:{port}" in result.output and "--port" in result.output
    assert "Traceback" not in result.output and "metadata" not in result.output
