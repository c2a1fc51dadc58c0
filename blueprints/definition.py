"""``Blueprint``: a blueprint declared in Python, compiled to exactly the ``create_blueprint`` params.

Jobs are plain functions registered with ``@bp.job(index)``; their type hints are the schema
(:mod:`blueprints.types`), so the handler and the on-chain ``JobDefinition`` cannot drift. The
compiled value is built as the pallet's own ``ServiceBlueprint`` struct and rendered with the
pallet's codec, so whatever ``compile()`` returns is by construction a value ``create_blueprint``
decodes (and the tests check it encodes against the real metadata too).
"""

from __future__ import annotations

import copy
import inspect
import typing
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from pallets.primitives.assets import Asset
from pallets.services.crypto import keccak_256
from pallets.services.manager import BlueprintServiceManager
from pallets.services.types import (
    FREE,
    AssetSecurityRequirement,
    EventDriven,
    Field,
    FieldType,
    JobDefinition,
    JobMetadata,
    MasterBlueprintServiceManagerRevision,
    MembershipModelType,
    PayOnce,
    PricingModel,
    ServiceBlueprint,
    ServiceMetadata,
    Subscription,
)
from pallets.services.types import BlueprintServiceManager as ManagerAddress
from runtime.codec import codec_of
from runtime.factories import factory_path

from blueprints.types import JobContext
from blueprints.values import SchemaError, Shape, ValueMismatch, shape_of

TNT = 0  # the native asset's id (Asset::Custom(0))


# ------------------------------------------------------------------------------------- pricing
_U128_MAX, _U32_MAX = 2**128 - 1, 2**32 - 1


def _checked(field: str, value: Any, maximum: int = _U128_MAX) -> int:
    """A pricing amount as the chain stores it (u128 balance, u32 block count): refuse the rest here,
    naming the field, rather than at ``create_blueprint`` far from the typo."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field} must be an integer in base units (e.g. 5 * 10**6 for 5 USDC), got {type(value).__name__} {value!r}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{field} must be in 0..{maximum}, got {value}")
    return value


def pay_once(amount: int) -> PricingModel:
    """``PayOnce{amount}``: the request must pay at least the cheapest pay-once job. Like the real
    chain, a job call itself charges nothing: the amount is the minimum up-front request payment."""
    return PricingModel.PayOnce(PayOnce(_checked("pay_once.amount", amount)))


def subscription(rate_per_interval: int, interval: int, maybe_end: int | None = None) -> PricingModel:
    """``Subscription``: billed every ``interval`` blocks to the owner, shared by the operators."""
    rate = _checked("subscription.rate_per_interval", rate_per_interval)
    every = _checked("subscription.interval", interval, _U32_MAX)
    end = None if maybe_end is None else _checked("subscription.maybe_end", maybe_end, _U32_MAX)
    return PricingModel.Subscription(Subscription(rate, every, end))


def event_driven(reward_per_event: int) -> PricingModel:
    return PricingModel.EventDriven(EventDriven(_checked("event_driven.reward_per_event", reward_per_event)))


def _pricing(value: Any) -> PricingModel:
    if value is None:
        return FREE
    if isinstance(value, PricingModel):
        return value
    return codec_of(PricingModel).decode(value, "pricing")


# ------------------------------------------------------------------------------------- security
def _asset(value: Any) -> Asset:
    if isinstance(value, Asset):
        return value
    if isinstance(value, int):
        return Asset.Custom(value)
    if isinstance(value, str) and value.upper() == "TNT":
        return Asset.Custom(TNT)
    return codec_of(Asset).decode(value, "asset")


def require(asset: Any, min_exposure_percent: int, max_exposure_percent: int) -> AssetSecurityRequirement:
    """A security requirement a request will carry: ``asset`` (an id, ``"TNT"`` or ``{"Custom": n}``)
    exposed between ``min`` and ``max`` percent of each operator's stake."""
    if not (0 <= min_exposure_percent <= max_exposure_percent <= 100):
        raise ValueError("need 0 <= min_exposure_percent <= max_exposure_percent <= 100")
    return AssetSecurityRequirement(_asset(asset), min_exposure_percent, max_exposure_percent)


# ------------------------------------------------------------------------------------- metadata
_MAX_METADATA = 1024  # bytes: the pallet's BoundedString for blueprint and job metadata


def _metadata_text(field: str, value: Any, optional: bool) -> None:
    """Metadata is a bounded UTF-8 string on chain: refuse anything else when declared, with its field."""
    if value is None and optional:
        return
    if not isinstance(value, str) or (not optional and not value):
        raise SchemaError(f"{field} must be a{'' if optional else ' non-empty'} str, got {type(value).__name__} {value!r:.60}")
    if len(value.encode()) > _MAX_METADATA:
        raise SchemaError(f"{field} is {len(value.encode()):,} bytes; the chain stores at most {_MAX_METADATA}")


# ------------------------------------------------------------------------------------- jobs
class UnknownJob(KeyError):
    """``h.call_job(7)`` / ``h.call_job("sbumit")``: says which jobs exist (a KeyError, so ``except KeyError`` still works)."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Job:
    """One declared job: its index, handler, schema (from the hints) and pricing."""

    index: int
    name: str
    handler: Callable[..., Any]
    params: tuple[tuple[str, Shape], ...]
    results: tuple[Shape, ...]
    multi_result: bool
    context_param: str | None
    pricing: PricingModel = FREE
    description: str | None = None

    def definition(self) -> JobDefinition:
        return JobDefinition(JobMetadata(self.name, self.description), tuple(s.field_type for _, s in self.params),
                             tuple(s.field_type for s in self.results), self.pricing)

    # ---- values
    def encode_args(self, args: Sequence[Any]) -> tuple[Field, ...]:
        """Python arguments -> the ``args`` of ``Services.call`` (checked against the hints)."""
        if len(args) != len(self.params):
            raise ValueMismatch(f"job {self.index} ({self.name})", f"takes {len(self.params)} arguments, got {len(args)}")
        return tuple(s.to_field(v, f"{self.name}.{n}") for (n, s), v in zip(self.params, args))

    def decode_args(self, fields: Sequence[Field]) -> list[Any]:
        if len(fields) != len(self.params):
            raise ValueMismatch(f"job {self.index} ({self.name})", f"expected {len(self.params)} argument fields, got {len(fields)}")
        return [s.from_field(f, f"{self.name}.{n}") for (n, s), f in zip(self.params, fields)]

    def encode_result(self, value: Any) -> tuple[Field, ...]:
        """A handler's return value -> the ``result`` of ``Services.submit_result``."""
        if not self.results:
            if value is not None:
                raise ValueMismatch(f"{self.name} result", "the job declares no result (-> None) but the handler returned a value")
            return ()
        if self.multi_result:
            if not isinstance(value, tuple) or len(value) != len(self.results):
                raise ValueMismatch(f"{self.name} result", f"expected a tuple of {len(self.results)} values")
            return tuple(s.to_field(v, f"{self.name} result[{i}]") for i, (s, v) in enumerate(zip(self.results, value)))
        return (self.results[0].to_field(value, f"{self.name} result"),)

    def decode_result(self, fields: Sequence[Field]) -> Any:
        """Result fields -> the Python value the handler returned (a tuple for several results)."""
        if len(fields) != len(self.results):
            raise ValueMismatch(f"{self.name} result", f"expected {len(self.results)} fields, got {len(fields)}")
        values = [s.from_field(f, f"{self.name} result[{i}]") for i, (s, f) in enumerate(zip(self.results, fields))]
        if not self.results:
            return None
        return tuple(values) if self.multi_result else values[0]

    def run(self, args: Sequence[Field], ctx: JobContext) -> tuple[Field, ...]:
        """Decode ``args``, call the handler, encode what it returns."""
        values = self.decode_args(args)
        if self.context_param is None:
            out = self.handler(*values)
        else:
            out = self.handler(*values, **{self.context_param: ctx})
        return self.encode_result(out)


def _job_from_function(index: int, fn: Callable[..., Any], name: str | None, pricing: Any, description: str | None) -> Job:
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except NameError as exc:
        raise SchemaError(f"job {index} ({fn.__name__}): cannot resolve a type hint ({exc}); define types at module level") from None
    params: list[tuple[str, Shape]] = []
    context_param = None
    for p in inspect.signature(fn).parameters.values():
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            raise SchemaError(f"job {index} ({fn.__name__}): *args/**kwargs have no schema")
        if p.name not in hints:
            raise SchemaError(f"job {index} ({fn.__name__}): parameter {p.name!r} needs a type hint (e.g. U64)")
        if hints[p.name] is JobContext:
            context_param = p.name
            continue
        if context_param is not None:
            raise SchemaError(f"job {index} ({fn.__name__}): the JobContext parameter must come last")
        params.append((p.name, shape_of(hints[p.name], f"job {index} ({fn.__name__}).{p.name}")))
    if "return" not in hints:
        raise SchemaError(f"job {index} ({fn.__name__}): declare the result type (-> U64, or -> None for no result)")
    ret = hints["return"]
    where = f"job {index} ({fn.__name__}) result"
    multi = False
    if ret is None or ret is type(None):
        results: tuple[Shape, ...] = ()
    elif typing.get_origin(ret) is tuple and not (len(typing.get_args(ret)) == 2 and typing.get_args(ret)[1] is Ellipsis):
        results = tuple(shape_of(a, f"{where}[{i}]") for i, a in enumerate(typing.get_args(ret)))
        multi = True
    else:
        results = (shape_of(ret, where),)
    return Job(index, name or fn.__name__, fn, tuple(params), results, multi, context_param, _pricing(pricing), description or _doc_line(fn))


def _doc_line(fn: Callable[..., Any]) -> str | None:
    doc = inspect.getdoc(fn)
    return doc.splitlines()[0] if doc else None


# ------------------------------------------------------------------------------------- blueprint
ManagerSpec = type[BlueprintServiceManager] | Callable[[], BlueprintServiceManager] | BlueprintServiceManager | None


@dataclass
class Blueprint:
    """A blueprint: metadata, jobs, registration/request params, membership, security, manager.

    ``manager`` is a :class:`~pallets.services.manager.BlueprintServiceManager` subclass, a factory,
    or an (unregistered) instance that is copied per deployment: a manager is a contract, and each
    runtime gets its own deployment at ``manager_address``.
    """

    name: str
    description: str | None = None
    author: str | None = None
    category: str | None = None
    code_repository: str | None = None
    logo: str | None = None
    website: str | None = None
    license: str | None = None
    manager: ManagerSpec = None
    manager_address: str | None = None
    registration_params: Sequence[Any] = ()
    request_params: Sequence[Any] = ()
    membership: Sequence[str] = ("Fixed",)
    security: Sequence[AssetSecurityRequirement] = field(default_factory=lambda: (require("TNT", 10, 20),))
    master_manager_revision: Any = "Latest"
    sources: Sequence[Any] = ()
    jobs: dict[int, Job] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in ("name", "description", "author", "category", "code_repository", "logo", "website", "license"):
            _metadata_text(f"Blueprint.{key}", getattr(self, key), optional=key != "name")
        if self.manager_address is None:
            # a deterministic address per blueprint name (what a CREATE2 deployment would give)
            self.manager_address = "0x" + keccak_256(b"tangle-sim/blueprint-manager/" + self.name.encode())[12:].hex()
        self._registration = tuple(shape_of(h, f"registration_params[{i}]") for i, h in enumerate(self.registration_params))
        self._request = tuple(shape_of(h, f"request_params[{i}]") for i, h in enumerate(self.request_params))
        for m in self.membership:
            if m not in ("Fixed", "Dynamic"):
                raise SchemaError(f"membership models are 'Fixed' and 'Dynamic', got {m!r}")
        if not self.membership:
            raise SchemaError("a blueprint supports at least one membership model")

    # ---- declaring jobs
    def job(self, index: int, *, name: str | None = None, pricing: Any = None, description: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: register ``fn`` as job ``index``. The function stays callable as is."""
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= 255:
            raise SchemaError(f"job indices are u8 on chain (0..255), got {type(index).__name__} {index!r:.60}")
        _metadata_text("job name", name, optional=True)
        _metadata_text("job description", description, optional=True)

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if index in self.jobs:
                raise SchemaError(f"job {index} is declared twice ({self.jobs[index].handler.__name__} and {fn.__name__})")
            job = _job_from_function(index, fn, name, pricing, description)
            clash = [j.index for j in self.jobs.values() if j.name == job.name]
            if clash:
                raise SchemaError(f"job {index} is named {job.name!r} like job {clash[0]}: call_job finds jobs by name, so names are unique "
                                  "(pass name=...)")
            _metadata_text(f"job {index} name", job.name, optional=False)
            self.jobs[index] = job
            return fn

        return register

    def job_spec(self, index: int | str) -> Job:
        """Job ``index`` (its position on chain) or the job named ``index`` (the handler's name or ``name=``)."""
        if isinstance(index, str):
            for job in self.jobs.values():
                if job.name == index:
                    return job
            raise UnknownJob(f"{self.name} has no job named {index[:80]!r}; its jobs are {self._job_list()}")
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"job must be a job index (int) or a job name (str), got {type(index).__name__} {index!r:.60}")
        try:
            return self.jobs[index]
        except KeyError:
            raise UnknownJob(f"{self.name} has no job {index}; its jobs are {self._job_list()}") from None

    def _job_list(self) -> str:
        return ", ".join(f"{i} ({self.jobs[i].name})" for i in sorted(self.jobs)) or "none (declare one with @bp.job(0))"

    # ---- compiling
    def definition(self) -> ServiceBlueprint:
        """The pallet's ``ServiceBlueprint`` value. Job indices must be 0..n-1 with no gap: on chain
        a job *is* its position, so a gap would silently renumber every later job."""
        indices = sorted(self.jobs)
        if indices != list(range(len(indices))):
            raise SchemaError(f"job indices must be 0..{len(indices) - 1} without gaps, got {indices}")
        meta = ServiceMetadata(self.name, self.description, self.author, self.category, self.code_repository, self.logo, self.website, self.license)
        revision = self.master_manager_revision
        if not isinstance(revision, MasterBlueprintServiceManagerRevision):
            revision = codec_of(MasterBlueprintServiceManagerRevision).decode(revision, "master_manager_revision")
        from pallets.services.types import BlueprintSource

        sources = tuple(s if isinstance(s, BlueprintSource) else codec_of(BlueprintSource).decode(s, "sources") for s in self.sources)
        return ServiceBlueprint(
            metadata=meta,
            jobs=tuple(self.jobs[i].definition() for i in indices),
            registration_params=tuple(s.field_type for s in self._registration),
            request_params=tuple(s.field_type for s in self._request),
            manager=ManagerAddress.Evm(self.manager_address),
            master_manager_revision=revision,
            sources=sources,
            supported_membership_models=tuple(MembershipModelType.__units__[m] for m in self.membership),
        )

    def compile(self) -> dict[str, Any]:
        """Exactly the ``blueprint`` param of ``Services.create_blueprint`` (compose_call shape)."""
        return codec_of(ServiceBlueprint).encode(self.definition())

    # ---- values of registration and request params
    def registration_args(self, values: Iterable[Any]) -> tuple[Field, ...]:
        return _encode_all(self._registration, list(values), "registration_args")

    def request_args(self, values: Iterable[Any]) -> tuple[Field, ...]:
        return _encode_all(self._request, list(values), "request_args")

    def decode_registration_args(self, fields: Sequence[Field]) -> list[Any]:
        """An ``on_register`` hook's ``registration_args`` (``Field`` s) as the Python values the hints describe."""
        return _decode_all(self._registration, fields, "registration_args")

    def decode_request_args(self, fields: Sequence[Field]) -> list[Any]:
        """An ``on_request`` hook's ``params.request_args`` (``Field`` s) as the Python values the hints describe."""
        return _decode_all(self._request, fields, "request_args")

    # ---- the manager
    def new_manager(self) -> BlueprintServiceManager:
        """A fresh manager object for one deployment (None -> the default allow-everything manager)."""
        spec = self.manager
        if spec is None:
            return BlueprintServiceManager()
        if isinstance(spec, BlueprintServiceManager):
            if spec.address is not None:
                raise ValueError("pass the manager class or an unregistered instance; this one is already deployed")
            return copy.deepcopy(spec)
        made = spec()
        if not isinstance(made, BlueprintServiceManager):
            raise TypeError(f"the manager factory returned {type(made).__name__}, not a BlueprintServiceManager")
        return made

    def deploy_manager(self, services: Any) -> BlueprintServiceManager:
        """Deploy a fresh manager at ``manager_address`` on a runtime's Services pallet. A class or
        factory function given as ``manager`` is what the call log names to rebuild it on replay."""
        spec = self.manager
        factory = spec if callable(spec) and not isinstance(spec, BlueprintServiceManager) else None
        deployed = services.register_manager(self.manager_address, self.new_manager(),
                                             factory=factory if factory is not None and factory_path(factory) else None)
        # the Python jobs behind this deployment: the fuzzer's submit_result recipe answers a share
        # of job calls with them (simulations.fuzz.fields.honest_result), so the accept path runs too
        try:
            deployed.blueprint_definition = self
        except AttributeError:  # a manager with __slots__: the fuzzer answers at random only
            pass
        return deployed  # type: ignore[no-any-return]

    def field_types(self, job: int) -> tuple[tuple[FieldType, ...], tuple[FieldType, ...]]:
        j = self.job_spec(job)
        return tuple(s.field_type for _, s in j.params), tuple(s.field_type for s in j.results)


def _encode_all(shapes: Sequence[Shape], values: list[Any], what: str) -> tuple[Field, ...]:
    if len(values) != len(shapes):
        raise ValueMismatch(what, f"expected {len(shapes)} values, got {len(values)}")
    return tuple(s.to_field(v, f"{what}[{i}]") for i, (s, v) in enumerate(zip(shapes, values)))


def _decode_all(shapes: Sequence[Shape], fields: Sequence[Field], what: str) -> list[Any]:
    if len(fields) != len(shapes):  # zip would silently drop the extra ones
        raise ValueMismatch(what, f"expected {len(shapes)} fields, got {len(fields)}")
    return [s.from_field(f, f"{what}[{i}]") for i, (s, f) in enumerate(zip(shapes, fields))]
