"""Service managers: Python objects standing in for the EVM contracts the real pallet calls.

On chain every lifecycle step of a blueprint calls its Blueprint Service Manager (BSM) contract
(through the Master BSM): ``onRegister``, ``onRequest``, ``onApprove``, ``onJobCall``... A hook that
*reverts* vetoes the step and the extrinsic fails with a step-specific error. Here a blueprint's
manager is a :class:`BlueprintServiceManager` registered at the blueprint's ``manager`` address
(``services.register_manager(address, manager)``); the pallet calls the same hooks at the same
points. A hook:

* allows by returning ``None`` or ``True``;
* refuses ("reverts") by raising :class:`Revert` (or, under the intended profile, by returning
  ``False``; on chain return data is ignored, quirk ``services.hook_return_values_ignored``);
* simulates an EVM runner failure (out of gas, pre-execution error) by raising :class:`HookFailure`.

The pallet turns a refusal into the real error (``BlueprintCreationInterrupted``,
``InvalidRegistrationInput``, ``ApprovalInterrupted``...) and the whole call changes nothing.
Any other exception from a hook is a bug in the manager and surfaces as ``RuntimePanic`` (after
rollback).

Addresses without a registered manager get the default behaviour (this base class): accept
everything, name the blueprint owner as slashing and dispute origin (under ``real``: the manager
contract itself, as tnt-core's stock manager does, quirk ``services.default_manager_names_itself``),
use the pallet's default heartbeat settings. A Python manager can return an H160 address, which is
mapped to an account with the chain's hashed mapping, exactly as on chain.

**Manager state.** A manager is code, like a contract: the registry (address -> object) lives on the
pallet instance, is per runtime and is not part of storage, snapshots or call logs (re-register
managers after building a runtime from a log). What a manager must *remember* belongs in
``self.state`` (a view of the extension storage item ``Services.ContractStorage``): it is
journaled (rolled back with a failed call), snapshotted and restored like chain state. Plain Python
attributes are not: they survive a failed call and a ``restore``; use them only for configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from runtime.codec import H160Codec

if TYPE_CHECKING:
    from pallets.primitives.assets import Asset
    from pallets.services import Services
    from pallets.services.types import Field, OperatorPreferences, ServiceBlueprint

_H160 = H160Codec()


def normalize_address(address: str | bytes) -> str:
    """An H160 as the pallet stores it: lowercase 0x-hex."""
    return _H160.decode(address, "address")


class Revert(Exception):
    """Raised by a hook to refuse: the contract reverted with ``reason``."""

    def __init__(self, reason: str | bytes = b"") -> None:
        self.reason = reason.encode() if isinstance(reason, str) else bytes(reason)
        super().__init__(self.reason.decode(errors="replace") or "reverted")


class HookFailure(Exception):
    """Raised by a hook to simulate an EVM runner error (the call could not even execute)."""


class RequestParams(NamedTuple):
    """What ``onRequest`` receives (the ABI ``RequestParams`` tuple): accounts as SS58 and integers as
    Python values, but ``request_args`` as the chain's ``Field`` values (a blueprint decodes them with
    its own types, e.g. ``blueprints``' ``bp.decode_request_args``)."""

    request_id: int
    requester: str
    operators: tuple["OperatorPreferences", ...]
    operator_accounts: tuple[str, ...]
    request_args: tuple["Field", ...]
    permitted_callers: tuple[str, ...]
    ttl: int
    payment_asset: "Asset"
    amount: int


class ContractState:
    """A contract's key/value storage, journaled with the runtime's state. Keys: str (or tuples of
    immutable values); values: immutable (ints, str, bytes, tuples, frozensets, structs)."""

    __slots__ = ("_item", "_address")

    def __init__(self, item: Any, address: str) -> None:
        self._item = item
        self._address = address

    def get(self, key: Any, default: Any = None) -> Any:
        return self._item.get((self._address, key), default)

    def set(self, key: Any, value: Any) -> None:
        self._item.insert((self._address, key), value)

    def remove(self, key: Any) -> Any:
        return self._item.remove((self._address, key))

    def __contains__(self, key: Any) -> bool:
        return (self._address, key) in self._item


class Contract:
    """Something deployed at an H160 address in the simulated EVM (a manager, an ERC-20 token)."""

    address: str | None = None
    _pallet: "Services | None" = None

    def bind(self, pallet: "Services", address: str) -> None:
        """Called by the pallet when the contract is registered."""
        self._pallet = pallet
        self.address = address

    @property
    def state(self) -> ContractState:
        if self._pallet is None or self.address is None:
            raise RuntimeError(f"{type(self).__name__} is not registered with a runtime yet (services.register_manager)")
        return ContractState(self._pallet.storage.ContractStorage, self.address)

    @property
    def pallet(self) -> "Services":
        """The services pallet this contract is deployed on (read it; never write its storage)."""
        if self._pallet is None:
            raise RuntimeError(f"{type(self).__name__} is not registered with a runtime yet")
        return self._pallet

    @property
    def block_number(self) -> int:
        return self.pallet.block_number


class BlueprintServiceManager(Contract):
    """The hooks the services pallet calls, with the default behaviour (allow everything).

    Subclass and override what a blueprint needs. Arguments are Python values (accounts as SS58,
    fields as :class:`~pallets.services.types.Field`); where the EVM hook receives only the
    operator's preferences, the operator's account is passed as well.
    """

    # ---- blueprint and registration
    def on_blueprint_created(self, blueprint_id: int, owner: str, mbsm: str, blueprint: "ServiceBlueprint") -> bool | None:
        """``create_blueprint``. Refusal: BlueprintCreationInterrupted."""
        return None

    def on_register(self, blueprint_id: int, operator: str, preferences: "OperatorPreferences", registration_args: Sequence["Field"], value: int) -> bool | None:
        """``register`` (``value`` is paid to the master manager). Refusal: InvalidRegistrationInput;
        HookFailure: OnRegisterHookFailed."""
        return None

    def on_unregister(self, blueprint_id: int, operator: str, preferences: "OperatorPreferences") -> bool | None:
        """``unregister``. Refusal: NotAllowedToUnregister."""
        return None

    def on_update_rpc_address(self, blueprint_id: int, operator: str, preferences: "OperatorPreferences") -> bool | None:
        """``update_rpc_address`` (``preferences`` already updated). Refusal: NotAllowedToUpdateRpcAddress."""
        return None

    # ---- requests
    def on_request(self, blueprint_id: int, params: RequestParams) -> bool | None:
        """``request`` / quoted request / (extension) ``modify_request``. Refusal: InvalidRequestInput;
        HookFailure: OnRequestFailure."""
        return None

    def on_approve(self, blueprint_id: int, operator: str, preferences: "OperatorPreferences", request_id: int, restaking_percent: int) -> bool | None:
        """Each approval (``restaking_percent`` is always 0 on chain). Refusal: ApprovalInterrupted;
        HookFailure: OnApproveFailure."""
        return None

    def on_reject(self, blueprint_id: int, operator: str, preferences: "OperatorPreferences", request_id: int) -> bool | None:
        """``reject``. Refusal: RejectionInterrupted; HookFailure: OnRejectFailure."""
        return None

    def on_service_initialized(self, blueprint_id: int, request_id: int, service_id: int, owner: str, permitted_callers: Sequence[str], ttl: int) -> bool | None:
        """The final approval starts the service. Refusal: ServiceInitializationInterrupted;
        HookFailure: OnServiceInitHook."""
        return None

    def on_service_termination(self, blueprint_id: int, service_id: int, owner: str) -> bool | None:
        """``terminate``. Refusal: TerminationInterrupted."""
        return None

    # ---- jobs
    def on_job_call(self, blueprint_id: int, service_id: int, job: int, call_id: int, args: Sequence["Field"]) -> bool | None:
        """``call``. Refusal: InvalidJobCallInput."""
        return None

    def on_job_result(self, blueprint_id: int, service_id: int, job: int, call_id: int, operator: str, preferences: "OperatorPreferences", args: Sequence["Field"], result: Sequence["Field"]) -> bool | None:
        """``submit_result``. Refusal: InvalidJobResult."""
        return None

    # ---- dynamic membership
    def can_join(self, blueprint_id: int, service_id: int, operator: str, preferences: "OperatorPreferences") -> bool | None:
        """``join_service``. Refusal: JoinRejected; HookFailure: OnCanJoinFailure."""
        return None

    def on_operator_joined(self, blueprint_id: int, service_id: int, operator: str, preferences: "OperatorPreferences") -> bool | None:
        """After a join. A refusal is ignored (an EvmReverted event); HookFailure: OnOperatorJoinFailure."""
        return None

    def can_leave(self, blueprint_id: int, service_id: int, operator: str) -> bool | None:
        """``leave_service``. Refusal: LeaveRejected; HookFailure: OnCanLeaveFailure."""
        return None

    def on_operator_left(self, blueprint_id: int, service_id: int, operator: str) -> bool | None:
        """After a leave. A refusal is ignored (an EvmReverted event); HookFailure: OnOperatorLeaveFailure."""
        return None

    # ---- queries
    def query_slashing_origin(self, blueprint_id: int, service_id: int) -> str | None:
        """Who may ``slash`` this service: an SS58 account or an H160 (mapped). None/Revert: NoSlashingOrigin.
        Default: the blueprint owner; under ``real`` the manager contract itself, as tnt-core's stock
        manager (quirk ``services.default_manager_names_itself``)."""
        return self._default_origin(blueprint_id)

    def query_dispute_origin(self, blueprint_id: int, service_id: int) -> str | None:
        """Who may ``dispute`` this service's slashes. None/Revert: NoDisputeOrigin. Default: as
        :meth:`query_slashing_origin`."""
        return self._default_origin(blueprint_id)

    def _default_origin(self, blueprint_id: int) -> str | None:
        entry = self.pallet.storage.Blueprints.get(blueprint_id)
        if entry is None:
            return None
        if self.pallet.ctx.quirk("services.default_manager_names_itself"):
            return entry[1].manager_address  # an H160: the pallet maps it as on chain
        return entry[0]

    def get_heartbeat_interval(self, blueprint_id: int, service_id: int) -> tuple[bool, int]:
        """(use_default, blocks). Default: use ``DefaultHeartbeatInterval``."""
        return (True, 0)

    def get_heartbeat_threshold(self, blueprint_id: int, service_id: int) -> tuple[bool, int]:
        """(use_default, percent). Default: use ``DefaultHeartbeatThreshold``."""
        return (True, 0)

    def get_slashing_window(self, blueprint_id: int, service_id: int) -> tuple[bool, int]:
        """(use_default, blocks). Default: use ``DefaultSlashingWindow``."""
        return (True, 0)

    # ---- helpers for subclasses
    def blueprint_owner(self, blueprint_id: int) -> str | None:
        entry = self.pallet.storage.Blueprints.get(blueprint_id)
        return None if entry is None else entry[0]


class Erc20Token(Contract):
    """A minimal ERC-20 token contract for payments in ``Erc20`` assets (``register_erc20``).

    Balances are keyed by H160 and kept in ``ContractStorage`` (journaled). ``transfer`` returns
    False (as a token returning ``false``) when the sender lacks funds. An ``Erc20`` payment in a
    token with no contract registered fails with ``ERC20TransferFailed``, as a call to a
    non-contract address does on chain.
    """

    def __init__(self, symbol: str = "TOKEN", decimals: int = 18) -> None:
        self.symbol = symbol
        self.decimals = decimals

    def balance_of(self, who: str) -> int:
        return self.state.get(("balance", normalize_address(who)), 0)

    def total_supply(self) -> int:
        return self.state.get("supply", 0)

    def mint(self, to: str, amount: int) -> None:
        """Create tokens (outside dispatch: not undoable, like genesis; the call log keeps it)."""
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise ValueError(f"mint: amount must be a non-negative integer (base units), got {amount!r}")
        holder = normalize_address(to)
        key = ("balance", holder)
        self.state.set(key, self.state.get(key, 0) + amount)
        self.state.set("supply", self.total_supply() + amount)
        self.pallet.ctx.record_contract({"action": "mint", "address": self.address, "to": holder, "amount": amount})

    def transfer(self, sender: str, to: str, amount: int) -> bool:
        """``transfer(to, amount)`` called by ``sender``; False if its balance is too low."""
        src = ("balance", normalize_address(sender))
        have = self.state.get(src, 0)
        if have < amount:
            return False
        dst = ("balance", normalize_address(to))
        self.state.set(src, have - amount)
        self.state.set(dst, self.state.get(dst, 0) + amount)
        return True
