"""Services constants: the testnet values (metadata ``Services`` constants, tangle_services.rs)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.primitives import Percent, U32, U64

# the pallet's EVM address (PalletEvmAccount); its substrate account is the hashed mapping of it
PALLET_EVM_ADDRESS = "0x09df6a941ee03b1e632904e382e10862fa9cc0e3"
# the master blueprint service manager the dev chain registers at genesis (revision 0), so that
# create_blueprint works out of the box; the address the real pallet's test mock uses for its MBSM
DEFAULT_MBSM_ADDRESS = "0x" + "12" * 20


@dataclass(frozen=True)
class ServicesConstants:
    PalletEvmAccount: str = PALLET_EVM_ADDRESS
    MaxFields: U32 = 256
    MaxFieldsSize: U32 = 1024
    MaxMetadataLength: U32 = 1024
    MaxJobsPerService: U32 = 1024
    MaxOperatorsPerService: U32 = 1024
    MaxPermittedCallers: U32 = 256
    MaxServicesPerOperator: U32 = 1024
    MaxBlueprintsPerOperator: U32 = 1024
    MaxServicesPerUser: U32 = 1024
    MaxBinariesPerGadget: U32 = 64
    MaxSourcesPerGadget: U32 = 64
    MaxGitOwnerLength: U32 = 1024
    MaxGitRepoLength: U32 = 1024
    MaxGitTagLength: U32 = 1024
    MaxBinaryNameLength: U32 = 1024
    MaxIpfsHashLength: U32 = 46
    MaxContainerRegistryLength: U32 = 1024
    MaxContainerImageNameLength: U32 = 1024
    MaxContainerImageTagLength: U32 = 1024
    MaxAssetsPerService: U32 = 64
    MaxRpcAddressLength: U32 = 256
    MaxResourceNameLength: U32 = 16
    MaxMasterBlueprintServiceManagerVersions: U32 = 4294967295
    SlashDeferDuration: U32 = 7
    MinimumNativeSecurityRequirement: Percent = 10  # Percent
    MaxSlashesPerBlock: U32 = 10
    MaxMetricsDataSize: U32 = 1024
    FallbackWeightReads: U64 = 100
    FallbackWeightWrites: U64 = 100


# hard-coded in the pallet's code (not metadata constants)
HEARTBEAT_SLASH_PERCENT = 50
MAX_SUBSCRIPTION_BILLINGS_PER_BLOCK = 50
MAX_SUBSCRIPTIONS_PER_USER = 100
