"""frame_system's account record, flattened for speed (the hottest value in the simulator)."""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from runtime.codec import Codec, ParamError


class AccountInfo(NamedTuple):
    """``AccountInfo<Nonce, AccountData>`` without the nonce (kept apart: see System.Nonces)."""

    consumers: int = 0
    providers: int = 0
    sufficients: int = 0
    free: int = 0
    reserved: int = 0
    frozen: int = 0
    flags: int = 0x8000_0000_0000_0000_0000_0000_0000_0000  # "new logic" flag, as on chain

    def encode(self, nonce: int = 0) -> dict[str, Any]:
        return {
            "nonce": nonce,
            "consumers": self.consumers,
            "providers": self.providers,
            "sufficients": self.sufficients,
            "data": {"free": self.free, "reserved": self.reserved, "frozen": self.frozen, "flags": self.flags},
        }


EMPTY_ACCOUNT = AccountInfo()


class AccountInfoCodec(Codec):
    type_name = "AccountInfo<u32, AccountData<u128>>"

    def decode(self, value: Any, path: str) -> AccountInfo:
        """From substrate-interface's shape (raw storage writes); the nonce is kept apart (System.Nonces)."""
        if not isinstance(value, dict) or not isinstance(value.get("data"), dict):
            raise ParamError(path, "expected an AccountInfo {nonce, consumers, providers, sufficients, data: {free, reserved, frozen, flags}}")
        data = value["data"]
        out = {}
        for src, name, bits in ((value, "nonce", 32), (value, "consumers", 32), (value, "providers", 32), (value, "sufficients", 32),
                                (data, "free", 128), (data, "reserved", 128), (data, "frozen", 128), (data, "flags", 128)):
            v = src.get(name)
            if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < 1 << bits:
                raise ParamError(f"{path}.{name}", f"expected a u{bits}")
            out[name] = v
        out.pop("nonce")
        return AccountInfo(**out)

    def encode(self, value: AccountInfo) -> dict[str, Any]:
        return value.encode()


AccountInfoT = Annotated[AccountInfo, AccountInfoCodec()]
