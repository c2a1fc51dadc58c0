"""scalecodec type-registry patches: metadata V15 and the BoundedVec paths.

Why: scalecodec 1.2.12 decodes metadata only up to V14, and the runtime's
``bounded_collections::…::BoundedVec`` paths are not mapped to its ``BoundedVec`` class (so a
BoundedVec decodes as a list but refuses to encode one). The registry is data-driven, so both are
fixed by registering types, without forking the library. The V15 structs reuse scalecodec's V14
base classes, so every existing helper (``get_metadata_pallet``, ``get_module_error``,
``get_signed_extensions``, ``Call``/``Extrinsic`` encoding) keeps working on V15 metadata.
"""

from __future__ import annotations

from typing import Any

#: What every client talking to a Tangle runtime needs (also against a live node, which serves V14).
BOUNDED_TYPES: dict[str, Any] = {
    "types": {
        "bounded_collections::bounded_vec::BoundedVec": "BoundedVec",
        "bounded_collections::weak_bounded_vec::WeakBoundedVec": "BoundedVec",
    }
}

_VERSIONS = [[f"V{i}", f"TypeNotSupported<MetadataV{i}>"] for i in range(9)] + [[f"V{i}", f"MetadataV{i}"] for i in range(9, 16)]

#: Metadata V15 (frame-metadata 16.x ``RuntimeMetadataV15``) expressed with V14 building blocks.
V15_TYPES: dict[str, Any] = {
    "types": {
        "MetadataAll": {"type": "enum", "base_class": "GenericMetadataAll", "type_mapping": _VERSIONS},
        "MetadataV15": {
            "type": "struct",
            "type_mapping": [
                ["types", "PortableRegistry"],
                ["pallets", "Vec<PalletMetadataV15>"],
                ["extrinsic", "ExtrinsicMetadataV15"],
                ["runtime_type", "SiLookupTypeId"],
                ["apis", "Vec<RuntimeApiMetadataV15>"],
                ["outer_enums", "OuterEnumsV15"],
                ["custom", "CustomMetadataV15"],
            ],
        },
        "PalletMetadataV15": {
            "type": "struct",
            "base_class": "ScaleInfoPalletMetadata",
            "type_mapping": [
                ["name", "Text"],
                ["storage", "Option<StorageMetadataV14>"],
                ["calls", "Option<PalletCallMetadataV14>"],
                ["event", "Option<PalletEventMetadataV14>"],
                ["constants", "Vec<PalletConstantMetadataV14>"],
                ["error", "Option<PalletErrorMetadataV14>"],
                ["index", "u8"],
                ["docs", "Vec<Text>"],
            ],
        },
        "ExtrinsicMetadataV15": {
            "type": "struct",
            "type_mapping": [
                ["version", "u8"],
                ["address_type", "SiLookupTypeId"],
                ["call_type", "SiLookupTypeId"],
                ["signature_type", "SiLookupTypeId"],
                ["extra_type", "SiLookupTypeId"],
                ["signed_extensions", "Vec<SignedExtensionMetadataV14>"],
            ],
        },
        "RuntimeApiMetadataV15": {"type": "struct", "type_mapping": [["name", "Text"], ["methods", "Vec<RuntimeApiMethodMetadataV15>"], ["docs", "Vec<Text>"]]},
        "RuntimeApiMethodMetadataV15": {
            "type": "struct",
            "type_mapping": [["name", "Text"], ["inputs", "Vec<RuntimeApiMethodParamMetadataV15>"], ["output", "SiLookupTypeId"], ["docs", "Vec<Text>"]],
        },
        "RuntimeApiMethodParamMetadataV15": {"type": "struct", "type_mapping": [["name", "Text"], ["type", "SiLookupTypeId"]]},
        "OuterEnumsV15": {"type": "struct", "type_mapping": [["call_type", "SiLookupTypeId"], ["event_type", "SiLookupTypeId"], ["error_type", "SiLookupTypeId"]]},
        "CustomMetadataV15": {"type": "struct", "type_mapping": [["map", "Vec<(Text, CustomValueMetadataV15)>"]]},
        "CustomValueMetadataV15": {"type": "struct", "type_mapping": [["type", "SiLookupTypeId"], ["value", "Bytes"]]},
    }
}


def client_type_registry() -> dict[str, Any]:
    """The ``type_registry=`` to give ``SubstrateInterface`` for a Tangle node (V14 or V15 aware)."""
    return {"types": {**V15_TYPES["types"], **BOUNDED_TYPES["types"]}}
