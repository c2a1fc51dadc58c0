"""Real names: MultiAssetDelegation and Rewards calls, arguments, errors, events, storage and
constants against the testnet metadata summary (skipped when ../shared/tangle is not present)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from runtime import Runtime

META = Path(__file__).resolve().parents[3] / "shared" / "tangle" / "tangle_calls.json"
pytestmark = pytest.mark.skipif(not META.exists(), reason="testnet metadata summary not available")


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads(META.read_text())


@pytest.mark.parametrize("pallet", ["MultiAssetDelegation", "Rewards"])
def test_calls_errors_events_storage_match_the_metadata(meta: dict, pallet: str) -> None:
    rt = Runtime.dev()
    p = rt.pallets[pallet]
    real = meta[pallet]
    assert p.index == real["index"]
    specs = {name: spec for name, spec in type(p).call_specs().items() if not spec.extension}
    assert {n: (s.index, list(s.arg_names)) for n, s in specs.items()} == {n: (c["index"], [a for a, _ in c["args"]]) for n, c in real["calls"].items()}
    assert {n: e.index for n, e in p.Error.__errors__.items()} == real["errors_detail"]
    events = {n: (e.index, list(e.fields)) for n, e in p.Event.__events__.items() if e.index is not None}
    assert events == {n: (e["index"], [f for f, _ in e["fields"]]) for n, e in real["events_detail"].items()}
    declared = {name for name, d in p.Storage.__decls__.items() if not d.extension}
    assert declared == set(real["storage"])


@pytest.mark.parametrize("pallet", ["MultiAssetDelegation", "Rewards"])
def test_constants_are_the_testnet_values(meta: dict, pallet: str) -> None:
    consts = dataclasses.asdict(Runtime.dev().pallets[pallet].consts)
    for name, c in meta[pallet]["constants"].items():
        if name in consts and isinstance(c["value"], int):
            assert consts[name] == c["value"], name
    if pallet == "MultiAssetDelegation":
        assert "0x" + consts["PalletId"].hex() == meta[pallet]["constants"]["PalletId"]["value"]
        assert Runtime.dev().pallets[pallet].slash_recipient() == meta[pallet]["constants"]["SlashRecipient"]["value"]
