"""The simulated EVM side of the pallet: the registry of Python "contracts" (service managers,
ERC-20 tokens) by H160 address, master manager revisions, and calling hooks with the real error
mapping (spec §7).

Hook results: allowed (``None``/``True``), refused (:class:`Revert`, or ``False`` unless quirk
``services.hook_return_values_ignored``) or failed (:class:`HookFailure`, an EVM runner error).
A refusal maps to the hook's "revert" error, a failure to its "hook error" (or, for hooks whose
runner errors propagate raw on chain, to a generic ``DispatchError``). Hooks whose reverts the
chain tolerates (``onOperatorJoined``, ``onOperatorLeft``, the heartbeat getters) deposit
``EvmReverted{from, to, data, reason}`` instead; ``data`` is a 4-byte pseudo-selector (keccak of
the hook's ABI name) since no ABI call data exists here.
"""

from __future__ import annotations

from typing import Any, Callable

from runtime.accounts import evm_to_account
from runtime.errors import DispatchError
from runtime.factories import describe_factory

from pallets.services.constants import PALLET_EVM_ADDRESS
from pallets.services.crypto import keccak_256
from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.manager import BlueprintServiceManager, Contract, Erc20Token, HookFailure, Revert, normalize_address
from pallets.services.types.blueprint import ServiceBlueprint

_ABI_NAMES = {
    "on_operator_joined": "onOperatorJoined", "on_operator_left": "onOperatorLeft",
    "get_heartbeat_interval": "getHeartbeatInterval", "get_heartbeat_threshold": "getHeartbeatThreshold",
    "get_slashing_window": "getSlashingWindow",
}


class Contracts:
    """Mixin of the Services pallet."""

    contracts: dict[str, Contract]

    def _init_contracts(self) -> None:
        self.contracts = {}
        default = BlueprintServiceManager()
        default._pallet = self  # type: ignore[assignment]
        self._default_manager = default

    # ------------------------------------------------------------------ registry
    def register_manager(self, address: str, manager: BlueprintServiceManager, *, factory: str | Callable[[], Any] | None = None) -> BlueprintServiceManager:
        """Deploy ``manager`` at ``address``: blueprints whose ``manager`` is ``Evm(address)`` use it.

        The call log records the deployment with what rebuilds the manager on replay: ``factory``
        (``"module:Name"`` or an importable callable taking no arguments), else the manager's class
        when that is importable and builds the same object.
        """
        if not isinstance(manager, BlueprintServiceManager):
            raise TypeError(f"a service manager must subclass BlueprintServiceManager, got {type(manager).__name__}")
        return self._deploy(address, manager, "manager", factory)

    def register_erc20(self, address: str, token: Erc20Token | None = None, *, factory: str | Callable[[], Any] | None = None) -> Erc20Token:
        """Deploy an ERC-20 token at ``address`` (for ``Erc20`` payment assets)."""
        if token is not None and not isinstance(token, Erc20Token):
            raise TypeError(f"an ERC-20 token must subclass Erc20Token, got {type(token).__name__}")
        return self._deploy(address, token if token is not None else Erc20Token(), "erc20", factory)

    def _deploy(self, address: str, contract: Any, kind: str, factory: str | Callable[[], Any] | None) -> Any:
        addr = normalize_address(address)
        path, source = describe_factory(contract, factory)  # before binding: compares with a fresh one
        contract.bind(self, addr)
        self.contracts[addr] = contract
        self.ctx.record_contract({"action": "deploy", "address": addr, "contract": kind, "factory": path, "source": source})
        return contract

    def manager_at(self, address: str) -> BlueprintServiceManager:
        c = self.contracts.get(address)
        return c if isinstance(c, BlueprintServiceManager) else self._default_manager

    # ------------------------------------------------------------------ master manager revisions
    def mbsm_latest_revision(self) -> int:
        """Number of stored revisions - 1 (0 when none)."""
        n = len(self.storage.MasterBlueprintServiceManagerRevisions.value())
        return n - 1 if n else 0

    def mbsm_address_of(self, blueprint: ServiceBlueprint) -> str:
        revisions = self.storage.MasterBlueprintServiceManagerRevisions.value()
        rev = blueprint.master_manager_revision
        index = self.mbsm_latest_revision() if rev.name == "Latest" else rev.value
        if index >= len(revisions):
            raise Error.MasterBlueprintServiceManagerRevisionNotFound()
        return revisions[index]

    def mbsm_account_of(self, blueprint: ServiceBlueprint) -> str:
        """The substrate account of the blueprint's master manager (where request payments go)."""
        return evm_to_account(self.mbsm_address_of(blueprint))

    def _manager(self, blueprint: ServiceBlueprint) -> BlueprintServiceManager:
        """The blueprint's manager (hooks go through its master manager on chain). The pinned revision
        was resolved when the blueprint was created and revisions are append-only, so it still exists:
        resolving it again (as the chain does on every hook) cannot fail and is skipped on this hot path."""
        c = self.contracts.get(blueprint.manager.value)
        return c if isinstance(c, BlueprintServiceManager) else self._default_manager

    # ------------------------------------------------------------------ calling hooks
    def _hook(self, manager: BlueprintServiceManager, name: str, args: tuple, revert_error: type[DispatchError], failure_error: type[DispatchError] | None = None) -> None:
        """Call a vetoing hook; raise ``revert_error`` on refusal, ``failure_error`` (or a raw error) on failure."""
        try:
            result = getattr(manager, name)(*args)
        except Revert as exc:
            raise revert_error(f"{name} reverted: {exc}") from None
        except HookFailure as exc:
            if failure_error is None:
                raise DispatchError(f"EVM runner error in {name}: {exc}") from None
            raise failure_error(f"{name}: {exc}") from None
        if result is False and not self.ctx.quirk("services.hook_return_values_ignored"):
            raise revert_error(f"{name} returned false")

    def _tolerant_hook(self, manager: BlueprintServiceManager, blueprint: ServiceBlueprint, name: str, args: tuple, failure_error: type[DispatchError]) -> None:
        """A hook whose revert the chain ignores (``EvmReverted`` event); failures still abort."""
        try:
            result = getattr(manager, name)(*args)
        except Revert as exc:
            self._evm_reverted(blueprint, name, exc.reason)
            return
        except HookFailure as exc:
            raise failure_error(f"{name}: {exc}") from None
        if result is False and not self.ctx.quirk("services.hook_return_values_ignored"):
            self._evm_reverted(blueprint, name, b"returned false")

    def _evm_reverted(self, blueprint: ServiceBlueprint, name: str, reason: bytes) -> None:
        abi = _ABI_NAMES.get(name, name)
        self.deposit_event(Event.EvmReverted(PALLET_EVM_ADDRESS, self.mbsm_address_of(blueprint), keccak_256(abi.encode())[:4], reason))

    def _query_origin(self, manager: BlueprintServiceManager, name: str, blueprint_id: int, service_id: int, none_error: type[DispatchError]) -> str:
        """``querySlashingOrigin``/``queryDisputeOrigin``: an account (H160 answers are mapped)."""
        try:
            answer = getattr(manager, name)(blueprint_id, service_id)
        except Revert:
            raise none_error() from None
        except HookFailure as exc:
            raise DispatchError(f"EVM runner error in {name}: {exc}") from None
        if answer is None:
            raise none_error()
        if isinstance(answer, (bytes, bytearray)) or (isinstance(answer, str) and answer.startswith("0x") and len(answer) == 42):
            return evm_to_account(normalize_address(answer))
        from runtime.accounts import normalize_account

        return normalize_account(answer)

    def _query_setting(self, manager: BlueprintServiceManager, blueprint: ServiceBlueprint, name: str, blueprint_id: int, service_id: int, failure_error: type[DispatchError]) -> tuple[bool, int]:
        """A heartbeat getter: (use_default, value); a revert means "use the default"."""
        try:
            answer = getattr(manager, name)(blueprint_id, service_id)
        except Revert as exc:
            self._evm_reverted(blueprint, name, exc.reason)
            return (True, 0)
        except HookFailure as exc:
            raise failure_error(f"{name}: {exc}") from None
        if self.ctx.quirk("services.heartbeat_getters_fail_on_success"):
            # declared with no outputs: a successful answer cannot be decoded (EVMAbiDecode -> failure_error)
            raise failure_error(f"{name}: the answer cannot be decoded (EVMAbiDecode)")
        use_default, value = answer
        return (bool(use_default), int(value))

    # ------------------------------------------------------------------ ERC-20
    def _erc20_transfer(self, token: str, sender: str, to: str, amount: int) -> None:
        """``token.transfer(to, amount)`` from ``sender`` (an H160); any failure is ERC20TransferFailed."""
        contract = self.contracts.get(token)
        if not isinstance(contract, Erc20Token):
            raise Error.ERC20TransferFailed(f"no ERC-20 contract at {token}")
        try:
            ok = contract.transfer(sender, to, amount)
        except (Revert, HookFailure):
            ok = False
        if not ok:
            raise Error.ERC20TransferFailed()
