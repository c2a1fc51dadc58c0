"""Loading the real metadata (V15 through the registry patch), the model, and the V15→V14 down-conversion."""

from __future__ import annotations

import pytest
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from runtime.bridge.downgrade import compact, extrinsic_type_id
from runtime.bridge.metadata import MetadataError, RuntimeMetadata, load_metadata, metadata_from_bytes


def test_runtime_version_comes_from_system_version(metadata: RuntimeMetadata) -> None:
    assert metadata.version == 15
    assert metadata.spec_name == "tangle-testnet"
    assert metadata.spec_version == 1403
    assert metadata.transaction_version == 1
    assert metadata.ss58_prefix == 42
    rv = metadata.runtime_version()
    assert rv["specVersion"] == 1403 and rv["transactionVersion"] == 1
    assert all(api[0].startswith("0x") and len(api[0]) == 18 for api in rv["apis"])


def test_model_has_pallets_calls_errors_events_storage(metadata: RuntimeMetadata) -> None:
    assert metadata.pallet("Services").index == 51
    assert metadata.pallet_by_index(45).name == "MultiAssetDelegation"
    request = metadata.pallet("Services").calls["request"]
    assert request.index == 4
    assert request.arg_names[:3] == ("evm_origin", "blueprint_id", "permitted_callers")
    args = {a.name: a.resolved for a in request.args}
    assert args["blueprint_id"] == "Compact<u64>"
    assert args["evm_origin"] == "Option<H160>"
    transfer = metadata.pallet("Balances").calls["transfer_keep_alive"]
    assert [a.resolved for a in transfer.args] == ["MultiAddress<AccountId32, u32>", "Compact<u128>"]
    assert metadata.pallet("MultiAssetDelegation").errors["BondTooLow"].index == 1
    assert metadata.pallet("MultiAssetDelegation").error_by_index(7).name == "LeavingRoundNotReached"
    assert metadata.pallet("Balances").events["Transfer"].field_names == ("from", "to", "amount")
    blueprints = metadata.pallet("Services").storage["Blueprints"]
    assert blueprints.hashers == ("Identity",) and blueprints.modifier == "Optional"
    assert blueprints.value_type == "(AccountId32, ServiceBlueprint)"
    account = metadata.pallet("System").storage["Account"]
    assert account.hashers == ("Blake2_128Concat",) and account.modifier == "Default"
    assert metadata.pallet("Lst").storage_prefix == "Lst"
    assert metadata.constant_value("MultiAssetDelegation", "MinOperatorBondAmount") == 100


def test_loading_is_cached_per_process(metadata: RuntimeMetadata) -> None:
    assert load_metadata(metadata.source) is metadata
    assert metadata_from_bytes(metadata.raw) is metadata


def test_bad_inputs_fail_with_a_clear_message(tmp_path) -> None:
    with pytest.raises(MetadataError, match="no such metadata file"):
        load_metadata(tmp_path / "absent.scale")
    bogus = tmp_path / "bogus.scale"
    bogus.write_bytes(b"nope" + bytes(10))
    with pytest.raises(MetadataError, match="magic"):
        load_metadata(bogus)
    old = tmp_path / "v13.scale"
    old.write_bytes(b"meta\x0d" + bytes(10))
    with pytest.raises(MetadataError, match="V13"):
        load_metadata(old)


def test_compact_encoding_matches_scale() -> None:
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset("core"))
    for n in (0, 1, 63, 64, 16383, 16384, 2**30 - 1, 2**30, 2**64, 2**128 - 1):
        assert "0x" + compact(n).hex() == rc.create_scale_object("Compact<u128>").encode(n).to_hex()


def test_v14_down_conversion_decodes_with_plain_scalecodec(metadata: RuntimeMetadata) -> None:
    v14 = metadata.v14_bytes()
    assert v14[:5] == b"meta\x0e"
    rc = RuntimeConfigurationObject(ss58_format=42)
    rc.update_type_registry(load_type_registry_preset("core"))  # no V15 patch: what a client has
    md14 = rc.create_scale_object("MetadataVersioned", data=ScaleBytes(v14))
    md14.decode()
    assert [p["name"].value for p in md14.pallets] == [p.name for p in metadata.pallets.values()]
    ext_ty = md14[1][1]["extrinsic"]["ty"].value
    assert ext_ty == extrinsic_type_id(metadata)
    assert metadata.types[ext_ty]["path"][-1] == "UncheckedExtrinsic"
    assert md14.get_signed_extensions() == metadata.scale.get_signed_extensions()


def test_v14_model_equals_v15_model(metadata: RuntimeMetadata) -> None:
    md14 = metadata_from_bytes(metadata.v14_bytes(), "v14")
    assert md14.version == 14
    assert md14.spec_version == metadata.spec_version
    for name, pallet in metadata.pallets.items():
        other = md14.pallet(name)
        assert other.index == pallet.index
        assert other.calls == pallet.calls, name
        assert other.events == pallet.events, name
        assert other.errors == pallet.errors, name
        assert other.storage == pallet.storage, name
        assert other.constants == pallet.constants, name
