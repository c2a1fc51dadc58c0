"""``tangle-sim bridge replay`` end to end: call logs of real scenarios against ``tangle-sim node``
(and against a live node when ``TANGLE_WS_URL`` is set)."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from blueprints import U64, Blueprint
from pallets.services.manager import BlueprintServiceManager, Revert
from runtime import GenesisConfig, Runtime
from runtime.accounts import DEV_ACCOUNTS
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.node.chain import SimChain
from runtime.bridge.node.rpc import RpcHandler
from runtime.bridge.node.server import NodeThread
from runtime.bridge.replay import bridge_replay
from runtime.bridge.samples import SCENARIOS, sample_params
from runtime.genesis import UNIT
from simulations.cli import app

BOB = DEV_ACCOUNTS["Bob"]


def node_for(metadata: RuntimeMetadata, genesis: GenesisConfig, sealing: str = "manual") -> NodeThread:
    # fees off: the replay compares the node with a simulator run that charges none (the node charges
    # pallet-transaction-payment's fee by default since issue 17)
    return NodeThread(RpcHandler(SimChain(metadata, Runtime(genesis), sealing=sealing, fees=False)))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_replays_on_the_node_without_divergence(metadata: RuntimeMetadata, scenario: str, tmp_path) -> None:
    rt, _ = SCENARIOS[scenario]()
    log = tmp_path / f"{scenario}.jsonl"
    rt.export_log(log)
    with node_for(metadata, rt.genesis) as node:
        result = bridge_replay(log, node.url, keep_going=True)
    assert result.divergences == []
    assert not any("genesis" in n for n in result.notes), result.notes  # the node has the log's genesis: nothing to warn about
    assert len(result.steps) == len(rt.call_log)
    sent = [s for s in result.steps if not s.skipped]
    assert len(sent) == sum(1 for r in rt.call_log if not r.spec.extension)
    for step, record in zip(result.steps, rt.call_log):
        assert step.sim.status == record.outcome  # the simulator side reproduces the log
        if not step.skipped:
            assert step.node.block == record.block  # aligned: same block numbers on the node
            assert step.node.status == step.sim.status and step.node.events == step.sim.events


def test_replay_by_inclusion_on_an_instant_sealing_node(metadata: RuntimeMetadata, tmp_path) -> None:
    rt, _ = SCENARIOS["balances_assets"]()
    log = tmp_path / "log.jsonl"
    rt.export_log(log)
    with node_for(metadata, rt.genesis, sealing="instant") as node:
        result = bridge_replay(log, node.url, keep_going=True, align=False)
    assert any("not aligned" in n for n in result.notes)
    assert result.divergences == []
    blocks = [s.node.block for s in result.steps]
    assert blocks == sorted(blocks) and len(set(blocks)) == len(blocks)  # one block per extrinsic


def test_divergences_are_found_and_stop_the_replay(metadata: RuntimeMetadata, tmp_path) -> None:
    rt, _ = SCENARIOS["delegation"]()
    log = tmp_path / "log.jsonl"
    rt.export_log(log)
    # a node whose operators need far more bond: every successful join_operators diverges
    strict = rt.genesis.model_copy(update={"constants": {"MultiAssetDelegation": {"MinOperatorBondAmount": 10**24}}})
    with node_for(metadata, strict) as node:
        stopped = bridge_replay(log, node.url)
    assert stopped.stopped_early and len(stopped.divergences) == 1
    first = stopped.steps[-1]
    assert first.diverged and first.call == "MultiAssetDelegation.join_operators"
    assert (first.sim.status, first.node.status) == ("ok", "MultiAssetDelegation.BondTooLow")
    with node_for(metadata, strict) as node:
        full = bridge_replay(log, node.url, keep_going=True)
    assert not full.stopped_early and len(full.steps) == len(rt.call_log)
    assert len(full.divergences) > 1


def test_extensions_are_skipped_and_root_goes_through_sudo(metadata: RuntimeMetadata, tmp_path) -> None:
    rt = Runtime(GenesisConfig.dev(session_length=10))
    pallet, calls = next(iter(rt.supported_calls("extension").items()))
    rt.dispatch("Alice", pallet, calls[0], sample_params(rt.call_spec(pallet, calls[0])), raise_error=False)
    rt.dispatch("root", "Balances", "force_set_balance", {"who": BOB, "new_free": 7 * UNIT})
    rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": DEV_ACCOUNTS["Eve"], "value": UNIT})
    log = tmp_path / "log.jsonl"
    rt.export_log(log)
    with node_for(metadata, rt.genesis) as node:
        result = bridge_replay(log, node.url, keep_going=True)
    extension, root, transfer = result.steps
    assert extension.skipped and "simulator extension" in extension.note
    assert root.node.status == "ok" and "Sudo.sudo" in root.note and root.node.events == ["Balances.BalanceSet"]
    assert transfer.node.status == "ok" and not result.divergences


def test_cli_prints_side_by_side_and_exits_by_outcome(metadata: RuntimeMetadata, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "240")
    rt, _ = SCENARIOS["delegation"]()
    log = tmp_path / "log.jsonl"
    rt.export_log(log)
    runner = CliRunner()
    with node_for(metadata, rt.genesis) as node:
        ok = runner.invoke(app, ["bridge", "replay", str(log), "--url", node.url], terminal_width=240)
    assert ok.exit_code == 0, ok.output
    assert "MultiAssetDelegation.join_operators" in ok.output and "0 divergence(s)" in ok.output
    strict = rt.genesis.model_copy(update={"constants": {"MultiAssetDelegation": {"MinOperatorBondAmount": 10**24}}})
    with node_for(metadata, strict) as node:
        bad = runner.invoke(app, ["bridge", "replay", str(log), "--url", node.url, "--keep-going"], terminal_width=240)
    assert bad.exit_code == 1
    assert "BondTooLow" in bad.output and "divergence(s)" in bad.output and "stopped at the first divergence" not in bad.output
    missing = runner.invoke(app, ["bridge", "replay", str(tmp_path / "none.jsonl"), "--url", "ws://127.0.0.1:9"])
    assert missing.exit_code == 2 and "no such call log" in missing.output
    unreachable = runner.invoke(app, ["bridge", "replay", str(log), "--url", "ws://127.0.0.1:9"])
    assert unreachable.exit_code == 2 and "cannot reach" in unreachable.output


def test_live_node(metadata: RuntimeMetadata, tmp_path) -> None:
    """Runs against a real Tangle node (dev chain, Alice sudo) when TANGLE_WS_URL is set."""
    url = os.environ.get("TANGLE_WS_URL")
    if not url:
        pytest.skip("TANGLE_WS_URL is not set: no live Tangle node to test against")
    from runtime.bridge.conformance import check_conformance
    from runtime.bridge.metadata import metadata_from_node

    live = metadata_from_node(url)
    report = check_conformance(Runtime.dev(profile="real"), live)
    assert report.pallets and all(p.chain_index is not None for p in report.pallets.values())
    rt = Runtime.dev(profile="real")
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    rt.dispatch("Bob", "MultiAssetDelegation", "join_operators", {"bond_amount": 1}, raise_error=False)
    log = tmp_path / "live.jsonl"
    rt.export_log(log)
    result = bridge_replay(log, url, keep_going=True)
    assert [s.node is not None for s in result.steps] == [True, True]
    assert result.steps[0].node.status == "ok" and "Balances.Transfer" in result.steps[0].node.events


class RefuseBlueprints(BlueprintServiceManager):
    """Importable, no arguments: the call log names it, so the simulator side rebuilds it."""

    def on_blueprint_created(self, *args: object) -> bool | None:
        raise Revert("not here")


def test_contracts_are_deployed_on_the_simulator_side_only(metadata: RuntimeMetadata, tmp_path) -> None:
    bp = Blueprint("bridge-refused")

    @bp.job(0)
    def echo(x: U64) -> U64:
        return x

    rt = Runtime(GenesisConfig.dev(session_length=10))
    rt.pallets["Services"].register_manager(bp.manager_address, RefuseBlueprints())
    refused = rt.dispatch("Alice", "Services", "create_blueprint", {"blueprint": bp.compile()}, raise_error=False)
    assert refused.error_name == "Services.BlueprintCreationInterrupted"
    log = tmp_path / "log.jsonl"
    rt.export_log(log)
    with node_for(metadata, rt.genesis) as node:
        result = bridge_replay(log, node.url, keep_going=True)
    [step] = result.steps
    assert step.sim.status == "Services.BlueprintCreationInterrupted"  # the simulator side deployed the manager
    assert step.node.status == "ok" and step.diverged  # the node has no contract there: the default accepts
    assert any("contract deploy" in n and "simulator only" in n for n in result.notes)


def test_a_node_with_another_genesis_is_named_and_a_real_node_cannot_be_checked(metadata: RuntimeMetadata, tmp_path) -> None:
    """New-user finding A2: the note compared the simulator's seed-derived block hash with the node's
    header hash, so it fired on every replay. It now compares genesis state roots on the simulator's
    own node and says why it cannot on a real one."""
    from runtime.bridge.replay import genesis_note

    rt, _ = SCENARIOS["balances_assets"]()
    log = tmp_path / "log.jsonl"
    rt.export_log(log)
    richer = rt.genesis.model_copy(update={"balances": {**rt.genesis.balances, BOB: rt.genesis.balances.get(BOB, 0) + UNIT}})
    with node_for(metadata, richer) as node:
        result = bridge_replay(log, node.url, keep_going=True)
    [note] = [n for n in result.notes if "genesis" in n]
    assert "is not the log's" in note and "--genesis-log" in note
    assert genesis_note("0x" + "11" * 32, "0x" + "11" * 32, node_is_simulator=True) is None
    assert "cannot be compared" in genesis_note("0x" + "22" * 32, "0x" + "11" * 32, node_is_simulator=False)
