"""Operator registration: ``pre_register`` (1), ``register`` (2), ``unregister`` (3),
``update_rpc_address`` (17), in the real check order (spec §5.2-5.4, §5.16).

Only operators *active* in MultiAssetDelegation may register. The registration ``value`` goes from
the operator through the pallet account to the blueprint's master manager (``onRegister`` is called
with it as msg.value) and is never refunded.
"""

from __future__ import annotations

import dataclasses

from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import CompactBalance, CompactU64, BoundedText

from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.types.field import Field
from pallets.services.types.operator import EMPTY_PROFILE, ZERO_KEY, OperatorPreferences
from pallets.services.types.typecheck import type_checker


class RegistrationCalls:
    @call(1)
    def pre_register(self, origin: Origin, blueprint_id: CompactU64) -> None:
        """Signal interest (an event for operator software). Real: no checks at all; intended: the
        blueprint must exist (quirk ``services.pre_register_unchecked``)."""
        who = ensure_signed(origin)
        if not self.ctx.quirk("services.pre_register_unchecked"):
            self._blueprint(blueprint_id)
        self.deposit_event(Event.PreRegistration(who, blueprint_id))

    @call(2)
    def register(self, origin: Origin, blueprint_id: CompactU64, preferences: OperatorPreferences, registration_args: tuple[Field, ...], value: CompactBalance) -> None:
        who = ensure_signed(origin)
        if not self._is_operator_active(who):
            raise Error.OperatorNotActive()
        if preferences.key == ZERO_KEY:
            raise Error.InvalidKey()
        s = self.storage
        if (blueprint_id, who) in s.Operators:
            raise Error.AlreadyRegistered()
        if (blueprint_id, preferences.key) in s.RegisteredKeys:
            raise Error.DuplicateKey()
        _, blueprint = self._blueprint(blueprint_id)
        self._type_check(blueprint.registration_params, registration_args)
        mbsm_account = self.mbsm_account_of(blueprint)
        pallet_account = self.pallet_account()
        self.currency.transfer(who, pallet_account, value, keep_alive=True)
        if value:
            # onRegister is called with msg.value = value: the pallet's EVM balance moves to the master manager
            self.currency.transfer(pallet_account, mbsm_account, value, keep_alive=False)
        manager = self._manager(blueprint)
        self._hook(manager, "on_register", (blueprint_id, who, preferences, registration_args, value), Error.InvalidRegistrationInput, Error.OnRegisterHookFailed)
        s.Operators.insert((blueprint_id, who), preferences)
        s.RegisteredKeys.insert((blueprint_id, preferences.key), who)
        profile = s.OperatorsProfile.get(who) or EMPTY_PROFILE
        if blueprint_id not in profile.blueprints:
            if len(profile.blueprints) >= self.consts.MaxBlueprintsPerOperator:
                raise Error.MaxBlueprintsPerOperatorExceeded()
            profile = dataclasses.replace(profile, blueprints=profile.blueprints | {blueprint_id})
        s.OperatorsProfile.insert(who, profile)
        self.deposit_event(Event.Registered(who, blueprint_id, preferences, registration_args))

    @call(3)
    def unregister(self, origin: Origin, blueprint_id: CompactU64) -> None:
        who = ensure_signed(origin)
        s = self.storage
        _, blueprint = self._blueprint(blueprint_id)
        preferences = s.Operators.get((blueprint_id, who))
        if preferences is None:
            raise Error.NotRegistered()
        if self.ctx.quirk("services.unregister_blocked_by_any_service"):
            # real: any active service of the blueprint blocks, even one the caller does not run
            if s.ServiceStatus.iter_prefix(blueprint_id):
                raise Error.NotAllowedToUnregister()
        elif self._runs_service_of(who, blueprint_id):
            raise Error.NotAllowedToUnregister()
        if not self.ctx.quirk("services.unregister_ignores_approved_requests") and self._approved_request_of(who, blueprint_id):
            # intended: an approval is a commitment; the request starts the service with the operator
            # in it once the others approve, so leaving first would start a service with an operator
            # no longer registered on its blueprint (the real pallet lets it happen)
            raise Error.NotAllowedToUnregister()
        self._hook(self._manager(blueprint), "on_unregister", (blueprint_id, who, preferences), Error.NotAllowedToUnregister)
        s.Operators.remove((blueprint_id, who))
        s.RegisteredKeys.remove((blueprint_id, preferences.key))
        profile = s.OperatorsProfile.get(who)
        if profile is None or blueprint_id not in profile.blueprints:
            raise Error.NotRegistered()
        s.OperatorsProfile.insert(who, dataclasses.replace(profile, blueprints=profile.blueprints - {blueprint_id}))
        if self.ctx.extensions.instance_limits:
            s.OperatorInstanceLimits.remove((blueprint_id, who))
        self.deposit_event(Event.Unregistered(who, blueprint_id))

    @call(17)
    def update_rpc_address(self, origin: Origin, blueprint_id: CompactU64, rpc_address: BoundedText(256)) -> None:
        who = ensure_signed(origin)
        s = self.storage
        _, blueprint = self._blueprint(blueprint_id)
        preferences = s.Operators.get((blueprint_id, who))
        if preferences is None:
            raise Error.NotRegistered()
        updated = OperatorPreferences(preferences.key, rpc_address)
        self._hook(self._manager(blueprint), "on_update_rpc_address", (blueprint_id, who, updated), Error.NotAllowedToUpdateRpcAddress)
        s.Operators.insert((blueprint_id, who), updated)
        self.deposit_event(Event.RpcAddressUpdated(who, blueprint_id, rpc_address))

    # ------------------------------------------------------------------ helpers
    def _is_operator_active(self, who: str) -> bool:
        d = self.delegation
        return d is not None and d.is_operator_active(who)

    def _type_check(self, params: tuple, args: tuple) -> None:
        err = type_checker(params, args)
        if err is not None:
            exc = Error.TypeCheck(repr(err))
            exc.type_check_error = err  # type: ignore[attr-defined]
            raise exc

    def _approved_request_of(self, who: str, blueprint_id: int) -> bool:
        """Has ``who`` approved a pending request of ``blueprint_id``?"""
        for request in self.storage.ServiceRequests.values():
            if request.blueprint == blueprint_id and any(op == who and state.name == "Approved"
                                                         for op, state in request.operators_with_approval_state):
                return True
        return False

    def _runs_service_of(self, who: str, blueprint_id: int) -> bool:
        """Does ``who`` operate an active service of ``blueprint_id`` (from its profile)?"""
        profile = self.storage.OperatorsProfile.get(who)
        if profile is None:
            return False
        instances = self.storage.Instances
        for sid in profile.services:
            inst = instances.get(sid)
            if inst is not None and inst.blueprint == blueprint_id:
                return True
        return False
