from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Proxy"):
    TooMany = 0
    NotFound = 1
    NotProxy = 2
    Unproxyable = 3
    Duplicate = 4
    NoPermission = 5
    Unannounced = 6
    NoSelfProxy = 7
