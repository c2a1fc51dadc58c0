"""substrate-interface without a node: compose, sign and decode extrinsics offline.

Why: encoding a whole call log (thousands of calls) through a live ``SubstrateInterface`` costs
three RPCs per call; offline, the library's own code paths (``compose_call``,
``generate_signature_payload``, ``create_signed_extrinsic``) run against the metadata with an
explicit nonce, era and genesis hash, and nothing is faked but the three answers a node would give:
the runtime version (from ``System.Version``), the genesis hash and block hashes for mortal eras.
"""

from __future__ import annotations

from typing import Any, Callable

from scalecodec.base import ScaleBytes
from scalecodec.types import GenericCall, GenericExtrinsic
from substrateinterface import Keypair, SubstrateInterface

from runtime.bridge.metadata import RuntimeMetadata
from runtime.bridge.registry import client_type_registry


class OfflineSubstrate(SubstrateInterface):
    """A ``SubstrateInterface`` bound to a metadata object and a block-hash oracle instead of a node."""

    def __init__(self, metadata: RuntimeMetadata, genesis_hash: str, block_hash: Callable[[int], str] | None = None) -> None:
        super().__init__(url="http://offline.invalid:9933", ss58_format=metadata.ss58_prefix, type_registry=client_type_registry(), auto_discover=False)
        self.md = metadata
        self.genesis_hash = genesis_hash
        self._block_hash = block_hash
        self.metadata = metadata.scale
        self.runtime_config.add_portable_registry(metadata.scale)
        self.runtime_config.set_active_spec_version_id(metadata.spec_version)
        self.runtime_version = metadata.spec_version
        self.transaction_version = metadata.transaction_version
        self.config["is_weight_v2"] = True
        self.runtime_config.update_type_registry_types({"Weight": "sp_weights::weight_v2::Weight"})
        # warm-up: the first isinstance checks against scalecodec's ABCs walk every registered scale
        # class (~0.3 s each); pay that here, not in the first encoded call
        warm = self.compose_call("System", "remark", {"remark": "0x"})
        self.decode_extrinsic(self.create_signed_extrinsic(warm, Keypair.create_from_uri("//Alice"), nonce=0).data)

    # --- what a node would answer
    def init_runtime(self, block_hash: Any = None, block_id: Any = None) -> None:
        return None

    def implements_scaleinfo(self) -> bool:
        return True

    def get_block_hash(self, block_id: int | None = None) -> str:
        if block_id == 0:
            return self.genesis_hash
        if self._block_hash is None or block_id is None:
            raise ValueError(f"offline: no hash known for block {block_id!r}")
        return self._block_hash(block_id)

    def rpc_request(self, method: str, params: Any, result_handler: Any = None) -> Any:
        raise RuntimeError(f"offline: {method} needs a node")

    # --- conveniences
    def decode_extrinsic(self, data: ScaleBytes | bytes | str) -> GenericExtrinsic:
        """Decode extrinsic bytes back (signer, era, nonce, call) against the same metadata."""
        if isinstance(data, str):
            data = ScaleBytes(data)
        elif isinstance(data, (bytes, bytearray)):
            data = ScaleBytes(bytearray(data))
        xt = self.runtime_config.create_scale_object("Extrinsic", data=data, metadata=self.metadata)
        xt.decode()
        return xt

    def sign(self, call: GenericCall, keypair: Keypair, *, nonce: int, era: dict[str, int] | str | None = None) -> GenericExtrinsic:
        """``create_signed_extrinsic`` with an explicit nonce and era (immortal when ``era`` is None)."""
        return self.create_signed_extrinsic(call=call, keypair=keypair, era=dict(era) if isinstance(era, dict) else era, nonce=nonce)
