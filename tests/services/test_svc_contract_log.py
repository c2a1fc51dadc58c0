"""Contracts (service managers, ERC-20 tokens) are Python objects deployed between calls: the call
log keeps each deployment with the factory that rebuilds it, and mints made from outside any call,
so a replay meets the same contracts at the same point and reaches the same state root."""

from __future__ import annotations

import importlib.util
import io
import json
import sys
import textwrap
from pathlib import Path
from typing import Any, Sequence

import pytest
from svc_helpers import MANAGER, SVC, create_blueprint, join_and_register, make_rt, request
from typer.testing import CliRunner

from blueprints import BlueprintTestHarness
from blueprints.examples.incredible_squaring import MAX_ROOT, SquaringManager, build_blueprint
from pallets.services.manager import BlueprintServiceManager, Erc20Token, Revert
from runtime import DispatchError, Runtime
from runtime.accounts import evm_to_account
from runtime.calllog import CallLogError, replay
from simulations.cli import app
from simulations.stateful.core import replay_command

TOKEN, PAYER = "0x" + "a0" * 20, "0x" + "77" * 20


class RefuseEveryRequest(BlueprintServiceManager):
    """Importable by name (this test module), takes no arguments: the log can name it."""

    def on_request(self, *args: Any, **kwargs: Any) -> bool | None:
        raise Revert("closed")


class MintOnRegister(BlueprintServiceManager):
    """Mints from inside a call (the register hook): replaying the call mints again by itself."""

    def on_register(self, blueprint_id: int, operator: str, preferences: Any, registration_args: Sequence[Any], value: int) -> bool | None:
        self.pallet.contracts[TOKEN].mint(PAYER, 7)
        return None


def exported(rt: Runtime) -> list[str]:
    buf = io.StringIO()
    rt.export_log(buf)
    return buf.getvalue().splitlines()


def contract_entries(lines: list[str]) -> list[dict[str, Any]]:
    return [e for e in map(json.loads, lines) if e["kind"] == "contract"]


def squaring_run() -> Runtime:
    with BlueprintTestHarness(build_blueprint(), 3, seed=1) as h:
        assert h.call_job(0, 9).result == 81
        with pytest.raises(DispatchError, match="InvalidJobCallInput"):
            h.call_job(0, MAX_ROOT + 1)  # the manager refuses a square that does not fit a u64
        return h.rt


def test_a_manager_deployment_is_logged_and_replayed() -> None:
    rt = squaring_run()
    lines = exported(rt)
    [deploy] = [e for e in contract_entries(lines) if e["contract"] == "manager"]
    assert deploy["factory"] == "blueprints.examples.incredible_squaring:SquaringManager"
    assert deploy["source"].endswith("blueprints/examples/incredible_squaring.py")
    result = replay(lines)
    assert result.ok, [str(d) for d in result.divergences]
    assert result.runtime.state_root() == rt.state_root()
    assert isinstance(result.runtime.pallets[SVC].contracts[deploy["address"]], SquaringManager)
    assert exported(result.runtime) == lines  # the replay logs the deployment the same way


def test_without_the_deployment_the_replay_diverges() -> None:
    lines = [line for line in exported(squaring_run()) if json.loads(line)["kind"] != "contract"]
    result = replay(lines)
    # the default manager accepts the overflowing input: that call's outcome and the root differ
    assert any("outcome" in d.what for d in result.divergences) and any("state root" in d.what for d in result.divergences)


def test_a_configured_manager_is_not_named_by_its_class() -> None:
    services = make_rt().pallets[SVC]
    services.register_manager(MANAGER, SquaringManager(3))  # Quorum(3): SquaringManager() would build Quorum(2)
    services.register_manager("0x" + "22" * 20, SquaringManager(2))
    factories = {r.data["address"]: r.data["factory"] for r in services.ctx._rt.contract_log}
    assert factories == {MANAGER: None, "0x" + "22" * 20: "blueprints.examples.incredible_squaring:SquaringManager"}


def test_erc20_deploys_and_mints_replay_to_the_same_root() -> None:
    rt = make_rt(extensions={"request_expiry_blocks": 5})
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    token = rt.pallets[SVC].register_erc20(TOKEN)
    token.mint(PAYER, 1_000)
    rid = request(rt, evm_to_account(PAYER), ["Bob"], value=300, asset={"Erc20": TOKEN}, evm_origin=PAYER)
    rt.advance_blocks(2)
    token.mint(PAYER, 50)  # between calls, in a later block
    rt.advance_blocks(5)  # the request expires: 300 refunded from the pallet's token balance
    assert token.balance_of(PAYER) == 1_050 and not rt.pallets[SVC].storage.ServiceRequests.contains(rid)
    lines = exported(rt)
    assert [(e["action"], e["block"]) for e in contract_entries(lines)] == [("deploy", 1), ("mint", 1), ("mint", 3)]
    result = replay(lines)
    assert result.ok and result.runtime.state_root() == rt.state_root()
    assert result.runtime.pallets[SVC].contracts[TOKEN].balance_of(PAYER) == 1_050


def test_a_configured_token_needs_its_factory_named() -> None:
    rt = make_rt()
    rt.pallets[SVC].register_erc20(TOKEN, Erc20Token("USDC", 6))
    lines = exported(rt)
    assert contract_entries(lines)[0]["factory"] is None
    with pytest.raises(CallLogError, match=r"line 2: .*--contract 0xa0a0"):
        replay(lines)
    assert replay(lines, contracts={TOKEN: lambda: Erc20Token("USDC", 6)}).ok
    assert replay(lines, contracts={TOKEN.upper().replace("0X", "0x"): "pallets.services.manager:Erc20Token"}).ok


def test_mints_inside_a_call_are_the_calls_effect_not_logged_twice() -> None:
    rt = make_rt()
    token = rt.pallets[SVC].register_erc20(TOKEN)
    rt.pallets[SVC].register_manager(MANAGER, MintOnRegister())
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    assert token.balance_of(PAYER) == 7
    assert [r.data["action"] for r in rt.contract_log] == ["deploy", "deploy"]  # no mint entry
    result = replay(exported(rt))
    assert result.ok and result.runtime.pallets[SVC].contracts[TOKEN].balance_of(PAYER) == 7


def test_bad_mints_are_refused_and_change_nothing() -> None:
    rt = make_rt()
    token = rt.pallets[SVC].register_erc20(TOKEN)
    root, log = rt.state_root(), list(rt.contract_log)
    for amount in (-1, 1.5, "5", True):
        with pytest.raises(ValueError, match="non-negative integer"):
            token.mint(PAYER, amount)  # type: ignore[arg-type]
    assert rt.state_root() == root and rt.contract_log == log


def test_a_restore_keeps_deployments_and_forgets_mints() -> None:
    rt = make_rt()
    snap = rt.snapshot()
    token = rt.pallets[SVC].register_erc20(TOKEN)
    token.mint(PAYER, 10)
    rt.restore(snap)
    assert [r.data["action"] for r in rt.contract_log] == ["deploy"]  # the token object is still deployed
    assert token.balance_of(PAYER) == 0
    result = replay(exported(rt))
    assert result.ok and TOKEN in result.runtime.pallets[SVC].contracts


def test_a_manager_loaded_from_its_file_replays_from_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "my_bsm.py"
    source.write_text(textwrap.dedent("""
        from pallets.services.manager import BlueprintServiceManager, Revert

        class Closed(BlueprintServiceManager):
            def on_request(self, *args, **kwargs):
                raise Revert("closed")
    """))
    spec = importlib.util.spec_from_file_location("tangle_sim_test_bsm", source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "tangle_sim_test_bsm", module)  # imported under a name nothing else knows
    spec.loader.exec_module(module)
    rt = make_rt()
    rt.pallets[SVC].register_manager(MANAGER, module.Closed())
    create_blueprint(rt)
    join_and_register(rt, "Bob")
    with pytest.raises(DispatchError, match="InvalidRequestInput"):
        request(rt, "Eve", ["Bob"])  # refused by the manager: the default one would accept
    lines = exported(rt)
    entry = contract_entries(lines)[0]
    assert entry["factory"] == "tangle_sim_test_bsm:Closed" and Path(entry["source"]).resolve() == source.resolve()
    monkeypatch.delitem(sys.modules, "tangle_sim_test_bsm")
    result = replay(lines)
    assert result.ok, [str(d) for d in result.divergences]
    source.unlink()
    monkeypatch.delitem(sys.modules, "tangle_sim_test_bsm")
    with pytest.raises(CallLogError, match="no module named 'tangle_sim_test_bsm' .and its file .* is gone"):
        replay(lines)


@pytest.mark.parametrize("change, message", [
    ({"action": "burn"}, "unknown action 'burn'"),
    ({"address": 5}, "'address' must be str"),
    ({"contract": "oracle"}, "'manager' or an 'erc20'"),
    ({"factory": "no_colon"}, "not of the form 'package.module:Name'"),
    ({"factory": "no_such_module_here:X", "source": None}, "no module named 'no_such_module_here'"),
    ({"factory": "blueprints.examples.incredible_squaring:Nope"}, "has no 'Nope'"),
    ({"address": "0x1234"}, "line 2: .*address"),
    ({"block": "one"}, "integer 'block'"),
])
def test_malformed_contract_entries_name_their_line(change: dict[str, Any], message: str) -> None:
    rt = make_rt()
    rt.pallets[SVC].register_manager(MANAGER, RefuseEveryRequest())
    lines = exported(rt)
    entry = json.loads(lines[1])
    entry.update(change)
    lines[1] = json.dumps(entry)
    with pytest.raises(CallLogError, match=message):
        replay(lines)


def test_cli_replay_takes_contract_factories(tmp_path: Path) -> None:
    rt = make_rt()
    rt.pallets[SVC].register_manager(MANAGER, SquaringManager(3))
    create_blueprint(rt)
    log = tmp_path / "run.jsonl"
    rt.export_log(log)
    assert replay_command(rt, log) == f"tangle-sim replay {log} --contract {MANAGER}=package.module:Factory"
    runner = CliRunner()
    refused = runner.invoke(app, ["replay", str(log)])
    assert refused.exit_code == 2 and "--contract" in refused.output
    done = runner.invoke(app, ["replay", str(log), "--contract", f"{MANAGER}={__name__}:RefuseEveryRequest"])
    assert done.exit_code == 0, done.output
    assert "state root matches the log" in done.output
    bad = runner.invoke(app, ["replay", str(log), "--contract", "nonsense"])
    assert bad.exit_code == 2 and "ADDRESS=package.module:Factory" in bad.output
