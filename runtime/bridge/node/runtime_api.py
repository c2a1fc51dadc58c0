"""Runtime APIs served through ``state_call``: the SCALE inputs and outputs a real runtime gives.

Why: clients call the runtime directly for versions, metadata, nonces, fees and transaction
validity (polkadot.js at connect and for ``paymentInfo``; PAPI before every broadcast;
substrate-interface for ``get_payment_info``). Layouts: ``shared/spec/node.md`` §4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from runtime.bridge.keys import encode_value
from runtime.bridge.node.chain import PoolError
from runtime.bridge.node.events import dispatch_error_value
from runtime.bridge.node.fees import FeeModel
from runtime.bridge.normalize import chain_call_to_params
from runtime.scale import compact

if TYPE_CHECKING:
    from runtime.bridge.node.chain import SimChain


class ApiError(Exception):
    """A runtime API call that fails (missing function, undecodable input): a JSON-RPC error."""


# InvalidTransaction variant indices (sp-runtime transaction_validity)
INVALID_INDEX = {"Call": 0, "Payment": 1, "Future": 2, "Stale": 3, "BadProof": 4, "AncientBirthBlock": 5, "ExhaustsResources": 6, "BadMandatory": 8, "MandatoryValidation": 9, "BadSigner": 10}
CLASS_INDEX = {"Normal": 0, "Operational": 1, "Mandatory": 2}


def invalid_kind(error: PoolError) -> str:
    """The ``InvalidTransaction`` variant a pool rejection stands for."""
    text = (error.data or "").lower()
    if "future" in text:
        return "Future"
    if "outdated" in text:
        return "Stale"
    if "ancient" in text:
        return "AncientBirthBlock"
    if "fee" in text or "pay" in text:
        return "Payment"
    if "signature" in text or "proof" in text:
        return "BadProof"
    return "Call"


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def _string(s: str) -> bytes:
    raw = s.encode()
    return compact(len(raw)) + raw


def _split_xt(data: bytes) -> tuple[bytes, bytes]:
    """A length-prefixed extrinsic at the start of ``data``: (its full encoding, the rest)."""
    if not data:
        raise ApiError("missing extrinsic")
    mode = data[0] & 3
    if mode == 0:
        n, head = data[0] >> 2, 1
    elif mode == 1:
        n, head = int.from_bytes(data[:2], "little") >> 2, 2
    elif mode == 2:
        n, head = int.from_bytes(data[:4], "little") >> 2, 4
    else:
        raise ApiError("extrinsic length prefix too large")
    if len(data) < head + n:
        raise ApiError(f"extrinsic declares {n} bytes, {len(data) - head} given")
    return data[: head + n], data[head + n :]


class RuntimeApi:
    def __init__(self, chain: "SimChain") -> None:
        self.chain = chain
        self.md = chain.md
        self.fees: FeeModel = chain.fee_model  # one multiplier: the chain's, for the block being read
        types = chain.md.types
        self.dispatch_error_type = next(t for t, v in types.items() if v.get("path") == ["sp_runtime", "DispatchError"])
        self.calls: dict[str, Callable[[bytes], bytes]] = {
            "Core_version": self.core_version,
            "Metadata_metadata": lambda d: compact(len(self.md.v14_bytes())) + self.md.v14_bytes(),
            "Metadata_metadata_versions": self.metadata_versions,
            "Metadata_metadata_at_version": self.metadata_at_version,
            "AccountNonceApi_account_nonce": self.account_nonce,
            "TransactionPaymentApi_query_info": self.query_info,
            "TransactionPaymentApi_query_fee_details": self.query_fee_details,
            "TransactionPaymentApi_query_weight_to_fee": self.weight_to_fee,
            "TransactionPaymentApi_query_length_to_fee": self.length_to_fee,
            "TaggedTransactionQueue_validate_transaction": self.validate_transaction,
            "BlockBuilder_apply_extrinsic": self.apply_extrinsic,
        }

    def call(self, name: str, data: bytes) -> bytes:
        fn = self.calls.get(name)
        if fn is None:
            raise ApiError(f"Exported method {name} is not found")
        return fn(data)

    # --- Core / Metadata
    def core_version(self, data: bytes) -> bytes:
        v = self.chain.runtime_version()
        out = _string(v["specName"]) + _string(v["implName"]) + _u32(v["authoringVersion"]) + _u32(v["specVersion"]) + _u32(v["implVersion"])
        out += compact(len(v["apis"]))
        for api_id, version in v["apis"]:
            out += bytes.fromhex(api_id[2:]) + _u32(version)
        return out + _u32(v["transactionVersion"]) + bytes([v.get("stateVersion", 0)])

    def metadata_versions(self, data: bytes) -> bytes:
        versions = [14, 15] if self.md.version == 15 else [14]
        return compact(len(versions)) + b"".join(_u32(v) for v in versions)

    def metadata_at_version(self, data: bytes) -> bytes:
        if len(data) != 4:
            raise ApiError("Metadata_metadata_at_version takes a u32")
        version = int.from_bytes(data, "little")
        blob = self.md.v14_bytes() if version == 14 else self.md.raw if version == 15 and self.md.version == 15 else None
        return b"\x00" if blob is None else b"\x01" + compact(len(blob)) + blob

    # --- nonces
    def account_nonce(self, data: bytes) -> bytes:
        if len(data) != 32:
            raise ApiError("AccountNonceApi_account_nonce takes an AccountId32")
        from runtime.accounts import normalize_account

        return _u32(self.chain.nonce(normalize_account(data)))

    # --- fees
    def dispatch_weight(self, raw: bytes) -> tuple[int, str, bool, bool]:
        """(ref_time weight, class, pays fee, signed) of an extrinsic, without checking its signature."""
        xt = self.chain._decode(raw)
        module, function, _ = chain_call_to_params(xt.value["call"])
        signed = bool(xt.value.get("signature"))
        try:
            weight, pays = self.chain.dispatch_info(module, function)
        except Exception:  # noqa: BLE001 - a call the simulator does not model: no weight known
            raise ApiError(f"{module}.{function} is not implemented by the simulator (no weight known)") from None
        return weight, "Normal", pays, signed

    def fee_of(self, raw: bytes) -> tuple[int, str, Any]:
        weight, klass, pays, signed = self.dispatch_weight(raw)
        fee = self.fees.inclusion_fee(weight, len(raw)) if (pays and signed) else None
        return weight, klass, fee

    def query_info(self, data: bytes) -> bytes:
        raw, rest = _split_xt(data)
        weight, klass, fee = self.fee_of(raw)
        return compact(weight) + compact(0) + bytes([CLASS_INDEX[klass]]) + (fee.total if fee else 0).to_bytes(16, "little")

    def query_fee_details(self, data: bytes) -> bytes:
        raw, rest = _split_xt(data)
        _, _, fee = self.fee_of(raw)
        if fee is None:
            return b"\x00" + (0).to_bytes(16, "little")
        return b"\x01" + b"".join(v.to_bytes(16, "little") for v in (fee.base_fee, fee.len_fee, fee.adjusted_weight_fee)) + (0).to_bytes(16, "little")

    def weight_to_fee(self, data: bytes) -> bytes:
        from scalecodec.base import ScaleBytes

        obj = self.md.runtime_config.create_scale_object("Compact<u64>", data=ScaleBytes(bytearray(data)))
        try:  # Weight { ref_time: Compact<u64>, proof_size: Compact<u64> }; proof size plays no part in IdentityFee
            ref_time = int(obj.decode(check_remaining=False))
        except Exception:  # noqa: BLE001 - not a weight
            raise ApiError("TransactionPaymentApi_query_weight_to_fee takes a Weight") from None
        return min(ref_time, self.fees.max_block).to_bytes(16, "little")  # WeightToFee of the capped weight: no multiplier

    def length_to_fee(self, data: bytes) -> bytes:
        if len(data) != 4:
            raise ApiError("query_length_to_fee takes a u32")
        return (int.from_bytes(data, "little") * self.fees.inclusion_fee(0, 1).len_fee).to_bytes(16, "little")

    # --- validity
    def validate_transaction(self, data: bytes) -> bytes:
        if not data:
            raise ApiError("missing TransactionSource")
        raw, rest = _split_xt(data[1:])
        try:
            _, xt, signer = self.chain.check("0x" + raw.hex())
        except PoolError as exc:
            if exc.code in (1001, 1002):
                raise ApiError(exc.data or exc.message) from None
            return b"\x01\x00" + bytes([INVALID_INDEX[invalid_kind(exc)]])
        if signer is None:
            return b"\x01\x01\x01"  # Unknown(NoUnsignedValidator)
        from runtime.accounts import normalize_account
        from runtime.bridge.signing import signed_parts

        parts = signed_parts(raw, xt)
        who = _account_bytes(normalize_account(signer))
        provides = who + parts.nonce.to_bytes(4, "little")
        requires = [who + (parts.nonce - 1).to_bytes(4, "little")] if parts.nonce > self.chain.nonce(signer) else []
        era = parts.era
        longevity = 2**64 - 1
        if era not in ("00", None) and not (isinstance(era, tuple) and era == (0, 0)):
            from runtime.bridge.signing import era_death

            current = self.chain.next_number
            longevity = max(era_death(era, current) - current, 0)
        tip = int(xt.value.get("tip") or 0)
        module, function, _ = chain_call_to_params(xt.value["call"])
        try:  # ChargeTransactionPayment::validate: the priority grows with the tip per weight/length
            weight, _ = self.chain.dispatch_info(module, function)
        except Exception:  # noqa: BLE001 - a call the simulator does not model (the pool refuses it): no weight known, no fee
            priority = 0
        else:  # ... and it withdraws the fee (in a throwaway state): one it cannot pay is Invalid(Payment)
            if self.chain.payment_refusal(signer, self.chain.fee_due(module, function, len(raw), tip)) is not None:
                return b"\x01\x00" + bytes([INVALID_INDEX["Payment"]])
            priority = self.fees.priority(weight, len(raw), tip)
        out = b"\x00" + priority.to_bytes(8, "little")
        out += compact(len(requires)) + b"".join(compact(len(r)) + r for r in requires)
        out += compact(1) + compact(len(provides)) + provides
        return out + longevity.to_bytes(8, "little") + b"\x01"

    def apply_extrinsic(self, data: bytes) -> bytes:
        """``ApplyExtrinsicResult`` of the extrinsic against the current state, nothing kept (a dry run)."""
        raw, _ = _split_xt(data)
        return self.dry_run(raw)

    def dry_run(self, raw: bytes) -> bytes:
        chain = self.chain
        with chain.lock:
            snap = chain.rt.snapshot()
            saved = chain.save_open_block()
            try:
                try:
                    sub = chain._apply("0x" + raw.hex())
                except PoolError as exc:
                    if exc.code in (1001, 1002):
                        raise ApiError(exc.data or exc.message) from None
                    if exc.code != 1010:
                        raise ApiError(f"{exc.message}: {exc.data}") from None
                    return b"\x01\x00" + bytes([INVALID_INDEX[invalid_kind(exc)]])
                if sub.outcome == "ok":
                    return b"\x00\x00"
                return b"\x00\x01" + encode_value(self.md, self.dispatch_error_type, dispatch_error_value(self.md, sub.outcome))
            finally:
                chain.rt.restore(snap)
                chain.restore_open_block(saved)


def _account_bytes(ss58: str) -> bytes:
    from substrateinterface.utils.ss58 import ss58_decode

    return bytes.fromhex(ss58_decode(ss58))
