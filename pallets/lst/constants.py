from dataclasses import dataclass


@dataclass(frozen=True)
class LstConstants:
    """Testnet values (metadata: Lst constants; runtime/testnet/src/lib.rs).

    ``PostUnbondingPoolsWindow`` (4) and ``MaxMetadataLen`` (2 bytes, copied from the mock) are
    configuration the metadata does not list; ``BondingDuration`` comes from staking.
    """

    PalletId: bytes = b"py/tnlst"
    MaxPointsToBalance: int = 10
    MaxUnbonding: int = 32
    MaxNameLength: int = 50
    MaxIconLength: int = 500
    PostUnbondingPoolsWindow: int = 4
    MaxMetadataLen: int = 2
