"""Services constants: the testnet values (metadata ``Services`` constants, tangle_services.rs)."""

from __future__ import annotations

from dataclasses import dataclass

# the pallet's EVM address (PalletEvmAccount); its substrate account is the hashed mapping of it
PALLET_EVM_ADDRESS = "0x09df6a941ee03b1e632904e382e10862fa9cc0e3"
# the master blueprint service manager the dev chain registers at genesis (revision 0), so that
# create_blueprint works out of the box; the address the real pallet's test mock uses for its MBSM
DEFAULT_MBSM_ADDRESS = "0x" + "12" * 20


@dataclass(frozen=True)
class ServicesConstants:
    PalletEvmAccount: str = PALLET_EVM_ADDRESS
    MaxFields: int = 256
    MaxFieldsSize: int = 1024
    MaxMetadataLength: int = 1024
    MaxJobsPerService: int = 1024
    MaxOperatorsPerService: int = 1024
    MaxPermittedCallers: int = 256
    MaxServicesPerOperator: int = 1024
    MaxBlueprintsPerOperator: int = 1024
    MaxServicesPerUser: int = 1024
    MaxBinariesPerGadget: int = 64
    MaxSourcesPerGadget: int = 64
    MaxGitOwnerLength: int = 1024
    MaxGitRepoLength: int = 1024
    MaxGitTagLength: int = 1024
    MaxBinaryNameLength: int = 1024
    MaxIpfsHashLength: int = 46
    MaxContainerRegistryLength: int = 1024
    MaxContainerImageNameLength: int = 1024
    MaxContainerImageTagLength: int = 1024
    MaxAssetsPerService: int = 64
    MaxRpcAddressLength: int = 256
    MaxResourceNameLength: int = 16
    MaxMasterBlueprintServiceManagerVersions: int = 4294967295
    SlashDeferDuration: int = 7
    MinimumNativeSecurityRequirement: int = 10  # Percent
    MaxSlashesPerBlock: int = 10
    MaxMetricsDataSize: int = 1024
    FallbackWeightReads: int = 100
    FallbackWeightWrites: int = 100


# hard-coded in the pallet's code (not metadata constants)
HEARTBEAT_SLASH_PERCENT = 50
MAX_SUBSCRIPTION_BILLINGS_PER_BLOCK = 50
MAX_SUBSCRIPTIONS_PER_USER = 100
