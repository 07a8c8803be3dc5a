"""The CAPA page (F7, R-5.5.1.2, R-3.4): one request with its signed steps, and the step the user may take.

The named department reviews and implements; the QC head verifies execution (or sends the
request back as not done), then effectiveness — before the check date only with a reason, and
the page warns of it before and shows it after.
A department's member reads only their own department's requests (another one is not
found). Each step posts to its own view (``core.pages``), calling the same services as the API.
"""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.core import clock
from liaison.core.pages import RecordPage, page_context, show_refused
from liaison.core.roles import allowed
from liaison.quality import selectors as complaint_selectors
from liaison.quality.capa import selectors, services
from liaison.quality.capa.errors import ACTIONS
from liaison.quality.capa.forms import (
    CapaImplementForm,
    CapaReviewForm,
    CapaSendBackForm,
    CapaVerifyEffectivenessForm,
    CapaVerifyExecutionForm,
)
from liaison.quality.capa.rules import VIEW
from liaison.quality.models import CapaRequest
from liaison.quality.states import CAPA_ROUND_STEPS, CAPA_TRANSITIONS, CapaStatus, CapaStepMeaning


def _visible_capa(request, pk: int) -> CapaRequest:
    queryset = selectors.capa_with_steps(selectors.capa_queryset())
    try:
        return selectors.capa_visible_to(user=request.user, queryset=queryset).get(pk=pk)
    except CapaRequest.DoesNotExist:
        raise Http404 from None


def _reviewed_this_round(record: CapaRequest) -> bool:
    """The department already acknowledged the request since it was issued or last sent back."""
    last = [step.meaning for step in record.steps.all() if step.meaning in CAPA_ROUND_STEPS]
    return bool(last) and last[-1] == CapaStepMeaning.REVIEWED


def _early(record: CapaRequest) -> bool:
    """Judging the request's effectiveness today would come before its check date."""
    return clock.today() < record.effectiveness_check_date


def _render_capa(request, record: CapaRequest, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    department_may = allowed(user, ACTIONS["implement"], record)
    can = show_refused(
        {
            # The department acknowledges a request it may still carry out.
            "review": CAPA_TRANSITIONS.allows(record, "implement") and department_may
            and not _reviewed_this_round(record),
            "implement": CAPA_TRANSITIONS.allows(record, "implement") and department_may,
            "verify_execution": CAPA_TRANSITIONS.allows(record, "verify_execution")
            and allowed(user, ACTIONS["verify"]),
            # Instead of verifying: the actions are not done, back to the department with the reason.
            "send_back": CAPA_TRANSITIONS.allows(record, "send_back_not_done") and allowed(user, ACTIONS["verify"]),
            # Judging effectiveness closes the request or sends it back.
            "verify_effectiveness": CAPA_TRANSITIONS.allows(record, "close_effective")
            and allowed(user, ACTIONS["verify"]),
        },
        bound,
    )
    unbound = {
        "review": lambda: CapaReviewForm(prefix="review"),
        "implement": lambda: CapaImplementForm(
            prefix="implement",
            initial={
                "corrective_action": record.corrective_action,
                "preventive_action": record.preventive_action,
                "implementation": record.implementation,
            },
        ),
        "verify_execution": lambda: CapaVerifyExecutionForm(prefix="verify_execution"),
        "send_back": lambda: CapaSendBackForm(prefix="send_back"),
        "verify_effectiveness": lambda: CapaVerifyEffectivenessForm(
            prefix="verify_effectiveness", early=_early(record)
        ),
    }
    source_url, source_number = "", ""
    if record.source_type_id and record.source_type.model == "complaint":
        source_number = complaint_selectors.complaint_number(pk=record.source_id)
        if user.has_perm("quality.view_complaint"):  # a workshop lead sees the number, not a dead link
            source_url = reverse("quality:complaint", args=[record.source_id])
    context = page_context(
        request,
        title=_("CAPA request %(number)s") % {"number": record.number},
        opts=CapaRequest._meta,
        capa=record,
        can=can,
        **{f"{key}_form": bound.get(key) or build() for key, build in unbound.items() if can[key]},
        source_url=source_url,
        source_number=source_number,
        early=can["verify_effectiveness"] and _early(record),
        early_warning=services.checked_early_warning(record),
        pdf_f7=reverse("documents:f7", args=[record.pk]),
        history_url=reverse("admin:quality_caparequest_history", args=[record.pk]),
        list_url=reverse("admin:quality_caparequest_changelist"),
    )
    return render(request, "quality/capa_detail.html", context, status=status)


capa_page = RecordPage(
    load=lambda request, pk: _visible_capa(request, pk),
    render=_render_capa,
    url=lambda record: record.get_absolute_url(),
    permission=VIEW,
)
capa_detail = capa_page.view(
    "One CAPA request with its signed steps; a department member sees only their department's."
)


@capa_page.step("review", form=CapaReviewForm, anchor="capa-steps", actions=[ACTIONS["review"]])
def capa_review(request, record, form):
    """The responsible department acknowledges the request it was issued (R-3.4)."""
    services.capa_review(capa=record, note=form.cleaned_data["note"], actor=request.user)
    return _("%(department)s has acknowledged CAPA request %(number)s.") % {
        "department": record.department,
        "number": record.number,
    }


@capa_page.step("implement", form=CapaImplementForm, anchor="capa-steps", actions=[ACTIONS["implement"]])
def capa_implement(request, record, form):
    """The responsible department records its corrective and preventive action and their implementation."""
    data = form.cleaned_data
    services.capa_implement(
        capa=record,
        corrective_action=data["corrective_action"],
        preventive_action=data["preventive_action"],
        implementation=data["implementation"],
        actor=request.user,
    )
    return _("The actions on CAPA request %(number)s are recorded; QC verifies their execution next.") % {
        "number": record.number
    }


@capa_page.step("verify_execution", form=CapaVerifyExecutionForm, anchor="capa-steps", actions=[ACTIONS["verify"]])
def capa_verify_execution(request, record, form):
    """QC verifies the department carried out the actions it recorded (R-5.5.1.2)."""
    services.capa_verify_execution(capa=record, note=form.cleaned_data["note"], actor=request.user)
    return _("The execution of CAPA request %(number)s is verified.") % {"number": record.number}


@capa_page.step("send_back", form=CapaSendBackForm, anchor="capa-steps", actions=[ACTIONS["verify"]])
def capa_send_back(request, record, form):
    """QC finds the actions recorded as implemented not done: back to the department (R-5.5.1.2)."""
    data = form.cleaned_data
    result = services.capa_send_back(
        capa=record, reason=data["reason"], new_due_date=data["new_due_date"], actor=request.user
    )
    return _("CAPA request %(number)s goes back to %(department)s as not done, due %(date)s.") % {
        "number": record.number,
        "department": record.department,
        "date": result.due_date.isoformat(),
    }


@capa_page.step(
    "verify_effectiveness",
    form=CapaVerifyEffectivenessForm,
    anchor="capa-steps",
    actions=[ACTIONS["verify"]],
    form_kwargs=lambda record: {"early": _early(record)},
)
def capa_verify_effectiveness(request, record, form):
    """QC judges effectiveness: effective closes; partly or not effective sends it back with a new due date."""
    data = form.cleaned_data
    result = services.capa_verify_effectiveness(
        capa=record,
        effectiveness=data["effectiveness"],
        note=data["note"],
        new_due_date=data["new_due_date"],
        early_reason=data.get("early_reason", ""),  # asked only before the check date
        actor=request.user,
    )
    if result.status == CapaStatus.CLOSED:
        message = _("CAPA request %(number)s is effective and closed.") % {"number": record.number}
    else:
        message = _("CAPA request %(number)s goes back to %(department)s, due %(date)s.") % {
            "number": record.number,
            "department": record.department,
            "date": result.due_date.isoformat(),
        }
    warning = services.checked_early_warning(result)
    return f"{message} {warning}" if warning else message
