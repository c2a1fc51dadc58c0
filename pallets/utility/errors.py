from runtime.errors import ErrorSet


class Error(ErrorSet, pallet="Utility"):
    TooManyCalls = 0
