"""Jobs: ``call`` (8) and ``submit_result`` (9) (spec §5.9, §5.10).

``call``: the service owner or a permitted caller invokes job ``job`` with arguments type-checked
against the job's params; the id comes from the global ``NextJobCallId``.
``submit_result``: a result for an existing call of that service (``JobCalls[(service, call)]``;
a result naming another service's call or an unknown call id fails ``ServiceOrJobCallNotFound``),
type-checked against the job's result types; the last result wins.

Who may submit (quirk ``services.submit_result_any_registered``): real, any operator registered on
the blueprint; intended (the issue's rule), only the service's own operators: a registered
non-member gets ``NotAnOperator`` (a real error the chain never raises).

These two calls are the simulator's hottest path: no scans, a handful of storage reads and writes.
"""

from __future__ import annotations

from runtime.accounts import display_name
from runtime.errors import BadOrigin
from runtime.origin import Origin, ensure_signed
from runtime.pallet import call as dispatchable  # `call` is also the name of a dispatchable here
from runtime.primitives import CompactU8, CompactU64

from pallets.services.errors import Error
from pallets.services.events import Event
from pallets.services.manager import BlueprintServiceManager
from pallets.services.types.field import Field
from pallets.services.types.jobs import JobCall, JobCallResult

# the default hooks allow everything: a manager that does not override them needs no call at all
_DEFAULT_ON_JOB_CALL = BlueprintServiceManager.on_job_call
_DEFAULT_ON_JOB_RESULT = BlueprintServiceManager.on_job_result


class JobsCalls:
    @dispatchable(8)
    def call(self, origin: Origin, service_id: CompactU64, job: CompactU8, args: tuple[Field, ...]) -> None:
        who = ensure_signed(origin)
        s = self.storage
        service = s.Instances.get(service_id)
        if service is None:
            raise Error.ServiceNotFound()
        entry = s.Blueprints.get(service.blueprint)
        if entry is None:
            raise Error.BlueprintNotFound()
        blueprint = entry[1]
        if who != service.owner and who not in service.permitted_callers:
            raise BadOrigin()
        jobs = blueprint.jobs
        if job >= len(jobs):
            raise Error.JobDefinitionNotFound()
        if len(args) > self.consts.MaxFields:
            raise Error.MaxFieldsExceeded()
        self._type_check(jobs[job].params, args)
        call_id = s.NextJobCallId.value()
        manager = self._manager(blueprint)
        if type(manager).on_job_call is not _DEFAULT_ON_JOB_CALL:
            self._hook(manager, "on_job_call", (service.blueprint, service_id, job, call_id, args), Error.InvalidJobCallInput)
        s.JobCalls.insert((service_id, call_id), JobCall(service_id, job, args))
        s.NextJobCallId.put(call_id + 1)
        self.deposit_event(Event.JobCalled(who, service_id, call_id, job, args))

    @dispatchable(9)
    def submit_result(self, origin: Origin, service_id: CompactU64, call_id: CompactU64, result: tuple[Field, ...]) -> None:
        who = ensure_signed(origin)
        s = self.storage
        job_call = s.JobCalls.get((service_id, call_id))
        if job_call is None:
            raise Error.ServiceOrJobCallNotFound()
        service = s.Instances.get(service_id)
        if service is None:
            raise Error.ServiceNotFound()
        entry = s.Blueprints.get(service.blueprint)
        if entry is None:
            raise Error.BlueprintNotFound()
        blueprint = entry[1]
        prefs = s.Operators.get((service.blueprint, who))
        if prefs is None:
            raise Error.NotRegistered(f"{display_name(who)} is not registered on blueprint {service.blueprint}, whose service {service_id} this is")
        if not service.has_operator(who) and not self.ctx.quirk("services.submit_result_any_registered"):
            raise Error.NotAnOperator("only the service's operators may submit its results")
        jobs = blueprint.jobs
        if job_call.job >= len(jobs):
            raise Error.JobDefinitionNotFound()
        if len(result) > self.consts.MaxFields:
            raise Error.MaxFieldsExceeded()
        self._type_check(jobs[job_call.job].result, result)
        manager = self._manager(blueprint)
        if type(manager).on_job_result is not _DEFAULT_ON_JOB_RESULT:
            self._hook(manager, "on_job_result", (service.blueprint, service_id, job_call.job, call_id, who, prefs, job_call.args, result),
                       Error.InvalidJobResult)
        s.JobResults.insert((service_id, call_id), JobCallResult(service_id, call_id, result))
        self.deposit_event(Event.JobResultSubmitted(who, service_id, call_id, job_call.job, result))
