"""CAPA requests (F7): issue, review, implement, verify execution (or send back), verify effectiveness.

QC issues a request to the responsible department and follows it up until closed
(R-5.5.1.2, R-3.3); only that department records and carries out the corrective and
preventive action (R-3.4). Every step is a dated signature with its meaning
(``CapaStep``), written in the step's own transaction and never edited (R-4).

``capa_issue`` is a building block too: the satisfaction app raises a dissatisfied
customer's request with it inside its own transaction.
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model

from liaison.core import clock, procedure
from liaison.core.errors import LiaisonError, refuse
from liaison.core.models import Department, User
from liaison.core.roles import allowed, require
from liaison.core.services import number_next, sign_history, transition_apply, transition_check
from liaison.core.text import stripped
from liaison.customers.models import Customer
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.quality.capa.errors import ACTIONS, CHECKED_EARLY_WARNING, MESSAGES, CapaErrorCode
from liaison.quality.models import CapaRequest, CapaStep, Complaint
from liaison.quality.states import (
    CAPA_ROUND_STEPS,
    CapaKind,
    CapaSource,
    CapaStatus,
    CapaStepMeaning,
    ComplaintKind,
    ComplaintStatus,
    Effectiveness,
)

CAPA_TYPE = "CAPA"
# A satisfaction survey form comes from the surveys app, above this one: known by its app label.
Code = CapaErrorCode


def _refuse(code: CapaErrorCode, **kwargs) -> LiaisonError:
    return refuse(MESSAGES, code, **kwargs)


def _locked(capa: CapaRequest) -> CapaRequest:
    """The request's own row, locked (PostgreSQL cannot lock an outer join's side)."""
    return (
        CapaRequest.objects.select_for_update(of=("self",))
        .select_related("department", "customer")
        .get(pk=capa.pk)
    )


def _locked_for_department(capa: CapaRequest, actor: User, action: str) -> CapaRequest:
    """Lock the request for its department's step; refuse anyone outside that department."""
    require(actor, ACTIONS[action])
    capa = _locked(capa)
    if not allowed(actor, ACTIONS[action], capa):
        raise _refuse(
            Code.NOT_YOUR_DEPARTMENT,
            forbidden=True,
            number=capa.number,
            department=str(capa.department),
            action=ACTIONS[action].wording,
        )
    return capa


def _status(capa: CapaRequest) -> str:
    return str(CapaStatus(capa.status).label).lower()


def _refuse_closed(capa: CapaRequest) -> None:
    if capa.status == CapaStatus.CLOSED:
        raise _refuse(Code.CLOSED, conflict=True, number=capa.number)


def _sign(capa: CapaRequest, meaning: CapaStepMeaning, actor: User, note: str = "") -> CapaStep:
    """Append one dated signature with its meaning to the request's step log."""
    step = CapaStep(capa=capa, meaning=meaning, signed_by=actor, signed_at=clock.now(), note=note)
    step.full_clean()
    step.save()
    return step



def _summary(capa: CapaRequest) -> str:
    return f"{capa.number} · {capa.department} · {capa.due_date:%Y-%m-%d} · {capa.problem}"


def _source_kind(source: Model | None) -> CapaSource:
    """What kind of feedback the request comes from.

    A complaint or return is this app's; a record of an app above that may be a CAPA's source
    (a satisfaction survey form) says which kind it is in its model's ``capa_source_kind``.
    """
    if source is None:
        return CapaSource.MANUAL
    if isinstance(source, Complaint):
        return CapaSource.RETURN if source.kind == ComplaintKind.RETURN else CapaSource.COMPLAINT
    kind = getattr(source, "capa_source_kind", None)
    if kind in CapaSource.values:
        return CapaSource(kind)
    raise _refuse(Code.SOURCE_NOT_SUPPORTED, field="source", source=str(source._meta.verbose_name))


def _check_source(source: Model | None, kind: str) -> None:
    """A complaint's request waits for the QC head's finding: corrective at fault, preventive without (R-5.5.1.2)."""
    if not isinstance(source, Complaint):
        return
    if source.status == ComplaintStatus.VOID:
        raise _refuse(Code.SOURCE_VOID, field="source", source=source.number)
    if source.company_at_fault is None:
        raise _refuse(Code.SOURCE_NOT_INVESTIGATED, field="source", source=source.number)
    if kind != source.capa_kind:
        code = Code.PREVENTIVE_AT_FAULT if source.company_at_fault else Code.SOURCE_NOT_AT_FAULT
        raise _refuse(code, field="kind", source=source.number)


def _customer(source: Model | None, customer: Customer | None) -> Customer | None:
    """The customer concerned: the source's, which a given customer must match."""
    source_customer = getattr(source, "customer", None) if source is not None else None
    if source_customer is None:
        return customer
    if customer is not None and customer.pk != source_customer.pk:
        raise _refuse(
            Code.CUSTOMER_MISMATCH,
            field="customer",
            source=str(source),
            source_customer=str(source_customer),
            customer=str(customer),
        )
    return source_customer


def _dates(due_date: dt.date | None, check_date: dt.date | None) -> tuple[dt.date, dt.date]:
    """The due date and effectiveness check date, defaulted from the procedure settings."""
    today = clock.today()
    due_days = procedure.setting("CAPA_DUE_DAYS")
    check_days = procedure.setting("CAPA_EFFECTIVENESS_CHECK_DAYS")
    if due_date is None:
        due_date = today + dt.timedelta(days=due_days)
    elif due_date < today:
        raise _refuse(
            Code.DUE_DATE_IN_PAST,
            field="due_date",
            due_date=due_date.isoformat(),
            today=today.isoformat(),
        )
    if check_date is None:
        # As long after issue as the procedure says, and never before the actions are due.
        check_date = max(
            today + dt.timedelta(days=check_days),
            due_date + dt.timedelta(days=max(check_days - due_days, 1)),
        )
    if check_date <= due_date:
        raise _refuse(
            Code.CHECK_DATE_NOT_AFTER_DUE,
            field="effectiveness_check_date",
            check_date=check_date.isoformat(),
            due_date=due_date.isoformat(),
        )
    return due_date, check_date


# --- services ------------------------------------------------------------------------------


@transaction.atomic
def capa_issue(
    *,
    source: Model | None,
    department: Department,
    problem: str,
    actor: User,
    effectiveness_criterion: str,
    due_date: dt.date | None = None,
    effectiveness_check_date: dt.date | None = None,
    customer: Customer | None = None,
    kind: str = CapaKind.CORRECTIVE,
) -> CapaRequest:
    """QC issues a CAPA request (F7) to the responsible department (R-5.5.1.2, R-3.3).

    ``source`` is the complaint or return (its kind decides which), a satisfaction
    survey form, or None for a request raised by hand. A complaint's request is issued
    once the QC head has decided the fault: ``kind`` corrective when the company is at
    fault, preventive (a kind of its own) when it is not. The due date and the date
    effectiveness is checked default from the procedure settings; the criterion
    effectiveness is judged by is fixed now and required. The customer is the
    source's. Everything is checked before the number is taken.
    """
    require(actor, ACTIONS["issue"])
    if kind not in CapaKind.values:
        raise _refuse(Code.KIND_INVALID, field="kind")
    source_kind = _source_kind(source)
    if source is not None and source.pk is None:
        raise _refuse(
            Code.SOURCE_NOT_SUPPORTED, field="source", source=str(source._meta.verbose_name)
        )
    if isinstance(source, Complaint):
        source = Complaint.objects.select_for_update().select_related("customer").get(pk=source.pk)
    _check_source(source, kind)
    customer = _customer(source, customer)
    if department is None or not department.active:
        raise _refuse(
            Code.DEPARTMENT_INACTIVE, field="department", department=str(department or "—")
        )
    problem = stripped(problem)
    if not problem:
        raise _refuse(Code.PROBLEM_REQUIRED, field="problem")
    criterion = stripped(effectiveness_criterion)
    if not criterion:
        raise _refuse(Code.CRITERION_REQUIRED, field="effectiveness_criterion")
    due_date, check_date = _dates(due_date, effectiveness_check_date)

    capa = CapaRequest(
        kind=kind,
        source_kind=source_kind,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=source.pk if source is not None else None,
        customer=customer,
        department=department,
        problem=problem,
        due_date=due_date,
        effectiveness_criterion=criterion,
        effectiveness_check_date=check_date,
        created_by=actor,
        updated_by=actor,
    )
    # The status is the state machine's (protected; full_clean would assign it).
    capa.full_clean(exclude=["number", "status"])
    capa.number = number_next(doc_type=CAPA_TYPE)
    issued = "Issued (preventive)" if kind == CapaKind.PREVENTIVE else "Issued"
    sign_history(capa, actor=actor, reason=f"{issued} for {source}" if source is not None else issued)
    capa.save()
    _sign(capa, CapaStepMeaning.ISSUED, actor)
    if customer is not None:
        timeline_record(
            customer=customer,
            event=TimelineEvent.CAPA_ISSUED,
            actor=actor,
            summary=_summary(capa),
            about=capa,
        )
    return capa


@transaction.atomic(durable=True)
def capa_review(*, capa: CapaRequest, actor: User, note: str = "") -> CapaRequest:
    """The responsible department acknowledges the request it was issued (R-3.4).

    Once per round: again only after QC has sent the request back.
    """
    capa = _locked_for_department(capa, actor, "review")
    _refuse_closed(capa)
    if capa.status != CapaStatus.ISSUED:
        raise _refuse(Code.NOT_ISSUED, conflict=True, number=capa.number, status=_status(capa))
    last = (
        capa.steps.filter(meaning__in=CAPA_ROUND_STEPS)
        .order_by("-signed_at", "-pk")
        .values_list("meaning", flat=True)
        .first()
    )
    if last == CapaStepMeaning.REVIEWED:
        raise _refuse(Code.ALREADY_REVIEWED, conflict=True, number=capa.number)
    _sign(capa, CapaStepMeaning.REVIEWED, actor, stripped(note))
    return capa


@transaction.atomic(durable=True)
def capa_implement(
    *,
    capa: CapaRequest,
    corrective_action: str,
    preventive_action: str,
    implementation: str,
    actor: User,
) -> CapaRequest:
    """The responsible department records its actions and how it carried them out (R-3.4).

    Only a member of the department the request is issued to (an administrator may
    too); another department implementing it is refused.
    """
    capa = _locked_for_department(capa, actor, "implement")
    _refuse_closed(capa)
    transition_check(
        capa, "implement", lambda: _refuse(Code.NOT_ISSUED, conflict=True, number=capa.number, status=_status(capa))
    )
    corrective, preventive, done = (
        stripped(corrective_action),
        stripped(preventive_action),
        stripped(implementation),
    )
    if not (corrective and preventive and done):
        missing = next(
            name
            for name, value in [
                ("corrective_action", corrective),
                ("preventive_action", preventive),
                ("implementation", done),
            ]
            if not value
        )
        raise _refuse(Code.ACTIONS_REQUIRED, field=missing, number=capa.number)
    capa.corrective_action, capa.preventive_action, capa.implementation = corrective, preventive, done
    capa.full_clean(exclude=["status"])
    transition_apply(
        capa,
        "implement",
        actor=actor,
        reason="Implemented",
        fields=["corrective_action", "preventive_action", "implementation"],
    )
    _sign(capa, CapaStepMeaning.IMPLEMENTED, actor)
    return capa


@transaction.atomic(durable=True)
def capa_verify_execution(*, capa: CapaRequest, actor: User, note: str = "") -> CapaRequest:
    """QC verifies the department carried out the actions it recorded (R-5.5.1.2)."""
    require(actor, ACTIONS["verify"])
    capa = _locked(capa)
    _refuse_closed(capa)
    transition_apply(
        capa,
        "verify_execution",
        actor=actor,
        reason="Execution verified",
        refusal=lambda: _refuse(Code.NOT_IMPLEMENTED, conflict=True, number=capa.number, status=_status(capa)),
    )
    _sign(capa, CapaStepMeaning.EXECUTION_VERIFIED, actor, stripped(note))
    return capa


def _moved_check_date(capa: CapaRequest, new_due_date: dt.date) -> dt.date:
    """The effectiveness check date for a new due date, keeping its distance from the due date."""
    return new_due_date + max(capa.effectiveness_check_date - capa.due_date, dt.timedelta(days=1))


def _refuse_unless_future(new_due_date: dt.date) -> None:
    today = clock.today()
    if new_due_date <= today:
        raise _refuse(
            Code.NEW_DUE_DATE_NOT_FUTURE,
            field="new_due_date",
            due_date=new_due_date.isoformat(),
            today=today.isoformat(),
        )


@transaction.atomic(durable=True)
def capa_send_back(
    *, capa: CapaRequest, reason: str, actor: User, new_due_date: dt.date | None = None
) -> CapaRequest:
    """QC finds the actions recorded as implemented not done and sends the request back (R-5.5.1.2).

    Instead of verifying the execution: the reason is required and signed (``NOT_DONE``), on
    the history and the customer's timeline; the department reviews and implements again,
    by ``new_due_date`` when given (after today; the effectiveness check moves with it),
    else by the due date it had.
    """
    require(actor, ACTIONS["verify"])
    capa = _locked(capa)
    _refuse_closed(capa)
    transition_check(
        capa,
        "send_back_not_done",
        lambda: _refuse(Code.NOT_IMPLEMENTED, conflict=True, number=capa.number, status=_status(capa)),
    )
    reason = stripped(reason)
    if not reason:
        raise _refuse(
            Code.SEND_BACK_REASON_REQUIRED, field="reason", number=capa.number, department=str(capa.department)
        )
    history_reason = f"Sent back, not done: {reason}"
    if new_due_date is not None:
        _refuse_unless_future(new_due_date)
        capa.effectiveness_check_date = _moved_check_date(capa, new_due_date)
        history_reason += f" (due {new_due_date.isoformat()})"
    transition_apply(
        capa,
        "send_back_not_done",
        params={"due_date": new_due_date or capa.due_date},
        actor=actor,
        reason=history_reason,
        fields=["due_date", "effectiveness_check_date"],
    )
    _sign(capa, CapaStepMeaning.NOT_DONE, actor, reason)
    if capa.customer is not None:
        timeline_record(
            customer=capa.customer,
            event=TimelineEvent.CAPA_NOT_DONE,
            actor=actor,
            summary=f"{capa.number} · {capa.department}: {reason}",
            about=capa,
        )
    return capa


def checked_early_warning(capa: CapaRequest) -> str | None:
    """What the page and the API say of a request whose last effectiveness judgment came early, or None."""
    if not capa.checked_early:
        return None
    return str(CHECKED_EARLY_WARNING) % {
        "number": capa.number,
        "check_date": capa.effectiveness_check_date.isoformat(),
    }


@transaction.atomic(durable=True)
def capa_verify_effectiveness(
    *,
    capa: CapaRequest,
    effectiveness: str,
    actor: User,
    note: str = "",
    new_due_date: dt.date | None = None,
    early_reason: str = "",
) -> CapaRequest:
    """QC judges the action against the criterion: effective closes the request (R-5.5.1.2).

    Partly or not effective sends it back to the department with ``new_due_date``
    (required, after today); the effectiveness check moves with it, keeping its
    distance from the due date. Before the effectiveness check date the judgment is
    early: refused without ``early_reason``; with it, the request records that it was
    early and why (``checked_early``, ``early_check_reason``, the history).
    """
    require(actor, ACTIONS["verify"])
    if effectiveness not in Effectiveness.values:
        raise _refuse(Code.EFFECTIVENESS_INVALID, field="effectiveness")
    capa = _locked(capa)
    _refuse_closed(capa)
    # Effective closes it and anything else sends it back: both only once its execution is verified.
    transition_check(
        capa,
        "close_effective",
        lambda: _refuse(Code.EXECUTION_NOT_VERIFIED, conflict=True, number=capa.number, status=_status(capa)),
    )
    note = stripped(note)
    today = clock.today()
    check_date = capa.effectiveness_check_date
    early_reason = stripped(early_reason) if today < check_date else ""
    if today < check_date and not early_reason:
        raise _refuse(
            Code.CHECKED_EARLY,
            field="early_reason",
            number=capa.number,
            check_date=check_date.isoformat(),
            today=today.isoformat(),
        )
    capa.checked_early, capa.early_check_reason = bool(early_reason), early_reason
    early = f"; checked early (check date {check_date.isoformat()}): {early_reason}" if early_reason else ""
    early_fields = ["checked_early", "early_check_reason"]
    if effectiveness == Effectiveness.EFFECTIVE:
        transition_apply(
            capa,
            "close_effective",
            actor=actor,
            reason=f"Effective: closed{early}",
            fields=["effectiveness", "closed_at", *early_fields],
        )
        _sign(capa, CapaStepMeaning.EFFECTIVENESS_VERIFIED, actor, note)
        if capa.customer is not None:
            timeline_record(
                customer=capa.customer,
                event=TimelineEvent.CAPA_CLOSED,
                actor=actor,
                summary=f"{capa.number} · {capa.department}",
                about=capa,
            )
        return capa

    if new_due_date is None:
        raise _refuse(
            Code.NEW_DUE_DATE_REQUIRED,
            field="new_due_date",
            number=capa.number,
            department=str(capa.department),
        )
    _refuse_unless_future(new_due_date)
    capa.effectiveness_check_date = _moved_check_date(capa, new_due_date)
    transition_apply(
        capa,
        "return_to_department",
        params={"effectiveness": effectiveness, "due_date": new_due_date},
        actor=actor,
        reason=f"Returned ({effectiveness}), due {new_due_date.isoformat()}{early}",
        fields=["effectiveness", "due_date", "effectiveness_check_date", *early_fields],
    )
    _sign(capa, CapaStepMeaning.EFFECTIVENESS_VERIFIED, actor, note)
    _sign(capa, CapaStepMeaning.RETURNED, actor, new_due_date.isoformat())
    return capa
