"""Service requests: ``request`` (4) and ``request_with_signed_price_quotes`` (18), in the real
check order (spec §5.5, §5.17).

A request names registered, MAD-active operators, per-asset security requirements (native TNT is
appended at 10-100 % if absent), a membership model the blueprint supports, and optionally a
payment staged in the pallet account. Every operator starts ``Pending``.

Extensions: with ``instance_limits`` an operator at its limit for the blueprint cannot be named
(``MaxServicesPerOperatorExceeded``); with ``request_expiry`` the request expires after
``request_expiry_blocks`` blocks (``expiry.py``).
"""

from __future__ import annotations

from runtime.accounts import display_name
from runtime.errors import RuntimePanic
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call
from runtime.primitives import H160, AccountId, CompactBalance, CompactU64, FixedBytes

from pallets.primitives.assets import NATIVE, Asset
from pallets.services.crypto import ecdsa_verify, is_valid_public_key
from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.manager import RequestParams
from pallets.services.types.field import Field
from pallets.services.types.membership import MembershipModel
from pallets.services.types.pricing import PricingQuote, hash_pricing_quote
from pallets.services.types.security import ApprovalState, AssetSecurityCommitment, AssetSecurityRequirement
from pallets.services.types.service import ServiceRequest

ZERO_H160 = "0x" + "00" * 20
PENDING = ApprovalState.Pending


class RequestCalls:
    @call(4)
    def request(self, origin: Origin, evm_origin: H160 | None, blueprint_id: CompactU64, permitted_callers: tuple[AccountId, ...],
                operators: tuple[AccountId, ...], request_args: tuple[Field, ...], asset_security_requirements: tuple[AssetSecurityRequirement, ...],
                ttl: CompactU64, payment_asset: Asset, value: CompactBalance, membership_model: MembershipModel) -> None:
        caller = ensure_signed(origin)
        for op in operators:
            if not self._is_operator_active(op):
                raise Error.OperatorNotActive(f"{display_name(op)} is not an active MultiAssetDelegation operator")
        self._validate_requirements(asset_security_requirements)
        if len(set(operators)) != len(operators):
            raise Error.DuplicateOperator()
        _, blueprint = self._blueprint(blueprint_id)
        self._check_membership(blueprint, membership_model, len(operators))
        self._check_registered(blueprint_id, operators)
        self._do_request(caller, evm_origin, blueprint_id, permitted_callers, operators, request_args, asset_security_requirements,
                         ttl, payment_asset, value, membership_model)

    @call(18)
    def request_with_signed_price_quotes(self, origin: Origin, evm_origin: H160 | None, blueprint_id: CompactU64, permitted_callers: tuple[AccountId, ...],
                                         operators: tuple[AccountId, ...], request_args: tuple[Field, ...],
                                         asset_security_requirements: tuple[AssetSecurityRequirement, ...], ttl: CompactU64, payment_asset: Asset,
                                         membership_model: MembershipModel, pricing_quotes: tuple[PricingQuote, ...],
                                         operator_signatures: tuple[FixedBytes(65), ...], security_commitments: tuple[AssetSecurityCommitment, ...]) -> None:
        """Request and approve in one call, paying ``sum(total_cost_rate) * ttl`` for operator-signed quotes.

        Real (quirk ``services.quoted_request_quirks``): quotes are matched to operators in ascending
        AccountId order, the membership model is not checked, fewer quotes than operators panics,
        and each operator's approval runs ``do_approve`` (which starts the service as soon as
        ``min_operators`` approved, so any further approval fails ``ServiceRequestNotFound``).
        Intended: quote *i* belongs to operator *i* (``SignatureCountMismatch`` if the counts
        differ), the membership model is checked as in ``request``, and every operator approves
        before the service starts once.
        """
        caller = ensure_signed(origin)
        real = self.ctx.quirk("services.quoted_request_quirks")
        for op in operators:
            if not self._is_operator_active(op):
                raise Error.OperatorNotActive(f"{display_name(op)} is not an active MultiAssetDelegation operator")
        if len(set(operators)) != len(operators):
            raise Error.DuplicateOperator()
        _, blueprint = self._blueprint(blueprint_id)
        if not real:
            self._check_membership(blueprint, membership_model, len(operators))
        self._check_registered(blueprint_id, operators)
        if len(operator_signatures) < len(operators):
            raise Error.MissingQuoteSignature()
        if real:
            from runtime.accounts import account_bytes

            pairs = sorted(zip(operators, operator_signatures), key=lambda p: account_bytes(p[0]))
        else:
            if len(pricing_quotes) != len(operators) or len(operator_signatures) != len(operators):
                raise Error.SignatureCountMismatch()
            pairs = list(zip(operators, operator_signatures))
        for i, (op, signature) in enumerate(pairs):
            if i >= len(pricing_quotes):  # real only (intended checked the counts)
                raise RuntimePanic("index out of bounds: fewer pricing quotes than operators (the real runtime panics)")
            key = self.storage.Operators.get((blueprint_id, op)).key
            if not is_valid_public_key(key):
                raise Error.InvalidKeyForQuote()
            if not ecdsa_verify(signature, hash_pricing_quote(pricing_quotes[i]), key):
                raise Error.SignatureVerificationFailed()
        value = sum(q.total_cost_rate for q in pricing_quotes) * ttl
        value = min(value, (1 << 128) - 1)
        request_id = self._do_request(caller, evm_origin, blueprint_id, permitted_callers, operators, request_args, asset_security_requirements,
                                      ttl, payment_asset, value, membership_model)
        if real:
            for op in operators:
                self._do_approve(op, request_id, security_commitments)
        else:
            for op in operators:
                self._do_approve(op, request_id, security_commitments, initialize=False)
            request = self.storage.ServiceRequests.get(request_id)
            if request.is_approved():
                self._initialize_service(request_id, request)

    # ------------------------------------------------------------------ shared steps
    def _do_request(self, caller: str, evm_origin: str | None, blueprint_id: int, permitted_callers: tuple, operators: tuple, request_args: tuple,
                    requirements: tuple, ttl: int, payment_asset: Asset, value: int, membership_model: MembershipModel) -> int:
        """``do_request``: steps 8-19 of ``request``; returns the request id."""
        s = self.storage
        _, blueprint = self._blueprint(blueprint_id)
        self._type_check(blueprint.request_params, request_args)
        self._validate_payment_amount(blueprint, value)
        requirements = self._finalize_requirements(requirements)
        preferences = []
        for op in operators:
            prefs = s.Operators.get((blueprint_id, op))
            if prefs is None:
                raise Error.NotRegistered()
            preferences.append(prefs)
        request_id = s.NextServiceRequestId.value()
        if value:
            self._stage_payment(caller, evm_origin, request_id, payment_asset, value)
        params = RequestParams(request_id, caller, tuple(preferences), operators, request_args, permitted_callers, ttl, payment_asset, value)
        self._hook(self._manager(blueprint), "on_request", (blueprint_id, params), Error.InvalidRequestInput, Error.OnRequestFailure)
        self._check_request_bounds(permitted_callers, request_args)
        if len(operators) > self.consts.MaxOperatorsPerService:
            raise Error.MaxServiceProvidersExceeded()
        s.ServiceRequests.insert(request_id, ServiceRequest(blueprint_id, caller, requirements, ttl, request_args, permitted_callers,
                                                            tuple((op, PENDING) for op in operators), membership_model))
        s.NextServiceRequestId.put(request_id + 1)
        self.deposit_event(Event.ServiceRequested(caller, request_id, blueprint_id, operators, (), requirements))
        if self.ctx.extensions.request_expiry:
            self._schedule_expiry(request_id)
        return request_id

    def _check_registered(self, blueprint_id: int, operators: tuple) -> None:
        ops = self.storage.Operators
        for op in operators:
            if (blueprint_id, op) not in ops:
                raise Error.NotRegistered()
        if self.ctx.extensions.instance_limits:
            for op in operators:
                self._check_capacity(blueprint_id, op)

    def _check_request_bounds(self, permitted_callers: tuple, request_args: tuple) -> None:
        if len(permitted_callers) > self.consts.MaxPermittedCallers:
            raise Error.MaxPermittedCallersExceeded()
        if len(request_args) > self.consts.MaxFields:
            raise Error.MaxFieldsExceeded()

    @staticmethod
    def _check_membership(blueprint, model: MembershipModel, n: int) -> None:  # type: ignore[no-untyped-def]
        supported = {m.name for m in blueprint.supported_membership_models}
        if model.name == "Fixed":
            if "Fixed" not in supported:
                raise Error.UnsupportedMembershipModel()
            if model.value.min_operators == 0 or n < model.value.min_operators:
                raise Error.TooFewOperators()
        else:
            if "Dynamic" not in supported:
                raise Error.UnsupportedMembershipModel()
            if n < model.value.min_operators:
                raise Error.TooFewOperators()
            if model.value.max_operators is not None and n > model.value.max_operators:
                raise Error.TooManyOperators()

    @staticmethod
    def _validate_requirements(requirements: tuple) -> None:
        """``validate_asset_security_requirements``, per requirement in order."""
        seen = set()
        for r in requirements:
            if r.asset.name == "Erc20" and r.asset.value == ZERO_H160:
                raise Error.InvalidErc20Address()
            if r.asset in seen:
                raise Error.DuplicateAsset()
            seen.add(r.asset)
            if not (0 < r.min_exposure_percent <= r.max_exposure_percent <= 100):
                raise Error.InvalidSecurityRequirements()

    def _finalize_requirements(self, requirements: tuple) -> tuple:
        """Non-empty, valid, native TNT appended (10-100 %) if absent, native minimum, bounded."""
        if not requirements:
            raise Error.NoAssetsProvided()
        self._validate_requirements(requirements)
        minimum = self.consts.MinimumNativeSecurityRequirement
        native = next((r for r in requirements if r.asset == NATIVE), None)
        if native is None:
            native = AssetSecurityRequirement(NATIVE, minimum, 100)
            requirements = tuple(requirements) + (native,)
        if native.min_exposure_percent < minimum:
            raise Error.NativeAssetExposureTooLow()
        if len(requirements) > self.consts.MaxAssetsPerService:
            raise Error.MaxAssetsPerServiceExceeded()
        return tuple(requirements)
