"""Call logs of real scenarios encode as signed extrinsics against the real metadata and decode back."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from runtime import Runtime
from runtime.accounts import DEV_ACCOUNTS, derive_account
from runtime.bridge.encoding import LogEncoder, encode_log, encode_runtime
from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.samples import SCENARIOS, sweep_runtime
from runtime.bridge.signing import SignatureError, signed_parts, verify_signature
from runtime.genesis import UNIT
from simulations.cli import app

ALICE, BOB = DEV_ACCOUNTS["Alice"], DEV_ACCOUNTS["Bob"]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_logs_encode_and_decode_back(metadata: RuntimeMetadata, scenario: str) -> None:
    rt, problems = SCENARIOS[scenario]()
    assert problems == []
    assert rt.call_log, "the scenario dispatched nothing"
    report = encode_runtime(rt, metadata)
    assert report.failures == []
    assert len(report.calls) == len(rt.call_log)
    assert report.encoded == sum(1 for r in rt.call_log if not r.spec.extension)
    assert any(r.success for r in rt.call_log) and report.count("ok") == report.encoded


def test_every_real_call_of_every_pallet_encodes(metadata: RuntimeMetadata) -> None:
    """One sample of each call the simulator implements (new pallets included as they land)."""
    rt, problems = sweep_runtime(variants=2)
    assert problems == []
    report = encode_runtime(rt, metadata)
    assert report.failures == [], [f"{c.name}: {c.detail}" for c in report.failures[:5]]
    encoded = {(c.module, c.function) for c in report.calls if c.status == "ok"}
    expected = {(p, c) for p, calls in rt.supported_calls("real").items() for c in calls}
    assert encoded == expected


def test_root_and_governance_calls_go_through_sudo(metadata: RuntimeMetadata) -> None:
    rt = Runtime.dev()
    rt.dispatch("root", "Assets", "force_create", {"id": 3, "owner": BOB, "is_sufficient": True, "min_balance": 1})
    rt.dispatch("council", "Balances", "force_set_balance", {"who": BOB, "new_free": UNIT}, raise_error=False)
    report = encode_runtime(rt, metadata)
    assert report.failures == []
    encoder = LogEncoder(metadata, rt.genesis)
    for call in report.calls:
        assert call.wrapped and call.signer == ALICE  # Alice is the dev chain's sudo key
        decoded = encoder.sub.decode_extrinsic(call.extrinsic).value
        assert decoded["call"]["call_module"] == "Sudo" and decoded["call"]["call_function"] == "sudo"
        inner = decoded["call"]["call_args"][0]["value"]
        assert (inner["call_module"], inner["call_function"]) == (call.module, call.function)


def test_nonces_count_per_signer_and_eras_are_mortal(metadata: RuntimeMetadata) -> None:
    rt = Runtime.dev()
    for _ in range(3):
        rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    rt.dispatch("Bob", "Balances", "transfer_keep_alive", {"dest": ALICE, "value": UNIT})
    rt.advance_blocks(100)
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    report = encode_runtime(rt, metadata)
    encoder = LogEncoder(metadata, rt.genesis)
    decoded = [encoder.sub.decode_extrinsic(c.extrinsic).value for c in report.calls]
    assert [(d["address"], d["nonce"]) for d in decoded] == [(ALICE, 0), (ALICE, 1), (ALICE, 2), (BOB, 0), (ALICE, 3)]
    assert decoded[0]["era"][0] == 64 and decoded[-1]["era"][0] == 64
    assert decoded[0]["era"] != decoded[-1]["era"]  # born in different blocks


def test_extension_calls_are_skipped_with_a_note(metadata: RuntimeMetadata) -> None:
    rt = Runtime.dev()
    extension = rt.supported_calls("extension")
    pallet, calls = next(iter(extension.items()))
    spec = rt.call_spec(pallet, calls[0])
    from runtime.bridge.samples import sample_params

    rt.dispatch("Alice", pallet, calls[0], sample_params(spec), raise_error=False)
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    report = encode_runtime(rt, metadata)
    assert [c.status for c in report.calls] == ["skipped", "ok"]
    assert "simulator extension" in report.calls[0].detail and report.calls[0].extrinsic is None


def test_accounts_without_a_key_get_a_placeholder_signature(metadata: RuntimeMetadata) -> None:
    rt = Runtime.dev()
    ghost = derive_account("bridge-ghost")
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": ghost, "value": 10 * UNIT})
    rt.dispatch(ghost, "Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    report = encode_runtime(rt, metadata)
    assert report.failures == []
    assert "placeholder signature" in report.calls[1].detail
    assert LogEncoder(metadata, rt.genesis).sub.decode_extrinsic(report.calls[1].extrinsic).value["address"] == ghost


def test_a_changed_param_is_caught(metadata: RuntimeMetadata, monkeypatch) -> None:
    rt = Runtime.dev()
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    original = LogEncoder.compose

    def tampered(self, module, function, params):  # type: ignore[no-untyped-def]
        if module == "Balances":
            params = {**params, "value": params["value"] + 1}
        return original(self, module, function, params)

    monkeypatch.setattr(LogEncoder, "compose", tampered)
    report = encode_runtime(rt, metadata)
    assert report.calls[0].status == "failed"
    assert report.calls[0].detail.startswith("value: 1000000000000000000 != 1000000000000000001")


def test_signature_checks_catch_another_chain_and_a_flipped_bit(metadata: RuntimeMetadata) -> None:
    rt = Runtime.dev()
    rt.dispatch("Alice", "Balances", "transfer_keep_alive", {"dest": BOB, "value": UNIT})
    report = encode_runtime(rt, metadata)
    encoder = LogEncoder(metadata, rt.genesis)
    raw = bytes.fromhex(report.calls[0].extrinsic[2:])
    decoded = encoder.sub.decode_extrinsic(raw)
    genesis = bytes.fromhex(rt.genesis_hash[2:])
    hashes = lambda n: bytes.fromhex(rt.block_hash(n)[2:])  # noqa: E731
    verify_signature(signed_parts(raw, decoded), metadata, genesis, hashes, 1)
    with pytest.raises(SignatureError, match="bad signature"):
        verify_signature(signed_parts(raw, decoded), metadata, bytes(32), hashes, 1)
    flipped = bytearray(raw)
    flipped[-1] ^= 1  # the last byte of the call's value
    decoded = encoder.sub.decode_extrinsic(bytes(flipped))
    with pytest.raises(SignatureError, match="bad signature"):
        verify_signature(signed_parts(bytes(flipped), decoded), metadata, genesis, hashes, 1)


def test_cli_encode_reports_and_fails_on_a_call_the_chain_lacks(metadata: RuntimeMetadata, tmp_path) -> None:
    rt, _ = SCENARIOS["balances_assets"]()
    good = tmp_path / "good.jsonl"
    rt.export_log(good)
    result = CliRunner().invoke(app, ["bridge", "encode", str(good), "--metadata", metadata.source], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "throughput" in result.output and "extrinsics/s" in result.output
    lines = good.read_text().splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], lines[1].replace('"transfer_keep_alive"', '"transfer_with_memo"'), lines[-1]]) + "\n")
    result = CliRunner().invoke(app, ["bridge", "encode", str(bad), "--metadata", metadata.source], terminal_width=200)
    assert result.exit_code == 1
    assert "transfer_with_memo" in result.output and "encode" in result.output
    assert encode_log(bad, metadata).failures[0].detail.startswith("encode:")
