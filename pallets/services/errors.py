"""Services errors: all 102 with their metadata indices (including the ones the chain never raises).

Simulator extensions reuse real errors so that every failure names an error the real metadata has:
* instance limits: ``MaxServicesPerOperatorExceeded`` (29, never raised on chain);
* a non-member submitting a result or heartbeat (intended rule): ``NotAnOperator`` (66, never raised);
* quoted requests whose quote count differs from the operator count (intended): ``SignatureCountMismatch``.
``TypeCheck`` carries its inner :class:`~pallets.services.types.TypeCheckError` as the raised
error's ``type_check_error`` attribute.
"""

from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Services"):
    BlueprintNotFound = 0
    BlueprintCreationInterrupted = 1
    AlreadyRegistered = 2
    NotRegistered = 3
    OperatorNotActive = 4
    InvalidRegistrationInput = 5
    NotAllowedToUnregister = 6
    NotAllowedToUpdateRpcAddress = 7
    InvalidRequestInput = 8
    InvalidJobCallInput = 9
    InvalidJobResult = 10
    ApprovalInterrupted = 11
    RejectionInterrupted = 12
    ServiceRequestNotFound = 13
    ServiceInitializationInterrupted = 14
    ServiceNotFound = 15
    TerminationInterrupted = 16
    TypeCheck = 17
    MaxPermittedCallersExceeded = 18
    MaxServiceProvidersExceeded = 19
    MaxServicesPerUserExceeded = 20
    MaxFieldsExceeded = 21
    ApprovalNotRequested = 22
    JobDefinitionNotFound = 23
    ServiceOrJobCallNotFound = 24
    JobCallResultNotFound = 25
    EVMAbiEncode = 26
    EVMAbiDecode = 27
    OperatorProfileNotFound = 28
    MaxServicesPerOperatorExceeded = 29
    MaxBlueprintsPerOperatorExceeded = 30
    DuplicateOperator = 31
    DuplicateKey = 32
    TooManyOperators = 33
    TooFewOperators = 34
    NoAssetsProvided = 35
    DuplicateAsset = 36
    MaxAssetsPerServiceExceeded = 37
    NativeAssetExposureTooLow = 38
    NoNativeAsset = 39
    OffenderNotOperator = 40
    NoSlashingOrigin = 41
    NoDisputeOrigin = 42
    UnappliedSlashNotFound = 43
    MasterBlueprintServiceManagerRevisionNotFound = 44
    DuplicateMembershipModel = 45
    MaxMasterBlueprintServiceManagerVersionsExceeded = 46
    ERC20TransferFailed = 47
    MissingEVMOrigin = 48
    ExpectedEVMAddress = 49
    ExpectedAccountId = 50
    OnRequestFailure = 51
    OnRegisterHookFailed = 52
    OnApproveFailure = 53
    OnRejectFailure = 54
    OnServiceInitHook = 55
    UnsupportedMembershipModel = 56
    DynamicMembershipNotSupported = 57
    JoinRejected = 58
    LeaveRejected = 59
    MaxOperatorsReached = 60
    OnCanJoinFailure = 61
    OnCanLeaveFailure = 62
    OnOperatorJoinFailure = 63
    OnOperatorLeaveFailure = 64
    AlreadyJoined = 65
    NotAnOperator = 66
    InvalidSlashPercentage = 67
    InvalidKey = 68
    InvalidSecurityCommitments = 69
    InvalidSecurityRequirements = 70
    InvalidQuoteSignature = 71
    SignatureCountMismatch = 72
    MissingQuoteSignature = 73
    InvalidKeyForQuote = 74
    SignatureVerificationFailed = 75
    InvalidSignatureBytes = 76
    GetHeartbeatIntervalFailure = 77
    GetHeartbeatThresholdFailure = 78
    GetSlashingWindowFailure = 79
    HeartbeatTooEarly = 80
    HeartbeatSignatureVerificationFailed = 81
    InvalidHeartbeatData = 82
    ServiceNotActive = 83
    InvalidJobId = 84
    PaymentAlreadyProcessed = 85
    PaymentCalculationOverflow = 86
    TooManySubscriptions = 87
    CustomAssetTransferFailed = 88
    AssetNotFound = 89
    InvalidErc20Address = 90
    InsufficientDelegatedStake = 91
    UnexpectedAssetCommitment = 92
    NoOperatorStake = 93
    CommitmentBelowMinimum = 94
    CommitmentAboveMaximum = 95
    MissingAssetCommitment = 96
    OperatorHasNoAssetStake = 97
    InvalidEventCount = 98
    MetricsDataTooLarge = 99
    SubscriptionNotValid = 100
    ServiceNotOwned = 101
