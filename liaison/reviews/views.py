"""Workflow pages of the management review: the calendar, one meeting with its steps, the pack.

Each step posts to its own small view: it calls one service and redirects back to the
meeting page with a message, or, when the service refuses, shows the page again with
the error on that form and everything typed still in it.
"""

import json

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.core.errors import LiaisonError
from liaison.reviews import forms, pack, selectors, services
from liaison.reviews import rules as perms
from liaison.reviews.models import ReviewMeeting
from liaison.reviews.states import ActionStatus, MeetingStatus


def _meeting(pk: int) -> ReviewMeeting:
    try:
        return selectors.meeting_get(pk=pk)
    except ReviewMeeting.DoesNotExist:
        raise Http404 from None


# --- the calendar --------------------------------------------------------------------------------


def _render_calendar(request, plan_form=None, status: int = 200):
    user = request.user
    context = {
        **admin.site.each_context(request),
        "title": _("Management review calendar"),
        "opts": ReviewMeeting._meta,
        "calendar": selectors.meeting_calendar(),
        "can_plan": user.has_perm(perms.PLAN),
        "plan_form": plan_form or forms.MeetingPlanForm(prefix="plan"),
        "my_actions": list(selectors.actions_open(owner=user)) if user.has_perm(perms.VIEW_ACTION) else [],
    }
    return render(request, "management/calendar.html", context, status=status)


@login_required
@permission_required(perms.VIEW, raise_exception=True)
def calendar(request):
    """Upcoming and past management reviews, with their survey rounds and open actions."""
    return _render_calendar(request)


@require_POST
@login_required
@permission_required(perms.PLAN, raise_exception=True)
def meeting_plan(request):
    """Put a management review on the calendar."""
    form = forms.MeetingPlanForm(request.POST, prefix="plan")
    if form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan(
                title=data["title"], meeting_date=data["meeting_date"], chair=data["chair"],
                participants=data["participants"], agenda=data["agenda"], actor=request.user,
            )
        except LiaisonError as error:
            forms.add_service_error(form, error)
        else:
            messages.success(request, _("Management review %(number)s is planned.") % {"number": meeting.number})
            return redirect(meeting.get_absolute_url())
    messages.error(request, _("Nothing was saved; see the form marked below."))
    return _render_calendar(request, plan_form=form)


# --- one meeting ---------------------------------------------------------------------------------


def _update_initial(meeting: ReviewMeeting) -> dict:
    return {
        "title": meeting.title,
        "meeting_date": meeting.meeting_date,
        "chair": meeting.chair_id,
        "participants": [user.pk for user in meeting.participants.all()],
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
    }


def _render_meeting(request, meeting: ReviewMeeting, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    planned = meeting.status == MeetingStatus.PLANNED
    held = meeting.status == MeetingStatus.HELD
    can = {
        "update": meeting.status != MeetingStatus.CANCELLED and user.has_perm(perms.CHANGE),
        "hold": planned and user.has_perm(perms.HOLD),
        "cancel": planned and user.has_perm(perms.CHANGE),
        "add_action": held and user.has_perm(perms.ADD_ACTION),
        "cancel_action": user.has_perm(perms.HOLD),
        "pack": perms.can_read_pack(user),
    }
    actions = list(meeting.actions.all())
    for action in actions:
        action.may_complete = action.status == ActionStatus.OPEN and user.has_perm(perms.COMPLETE, action)
        action.may_cancel = action.status == ActionStatus.OPEN and can["cancel_action"]
        action.complete_form = bound.get(("complete", action.pk)) or forms.ActionCompleteForm(
            prefix=f"complete-{action.pk}", initial={"action": action.pk}
        )
        action.cancel_form = bound.get(("cancel_action", action.pk)) or forms.ActionCancelForm(
            prefix=f"cancel-action-{action.pk}", initial={"action": action.pk}
        )
    context = {
        **admin.site.each_context(request),
        "title": _("Management review %(number)s") % {"number": meeting.number},
        "opts": ReviewMeeting._meta,
        "meeting": meeting,
        "actions": actions,
        "survey_round": selectors.survey_rounds_for([meeting.pk]).get(meeting.pk),
        "can": can,
        "update_form": bound.get("update") or forms.MeetingUpdateForm(prefix="update", initial=_update_initial(meeting)),
        "hold_form": bound.get("hold") or forms.MeetingHoldForm(prefix="hold", initial={"minutes": meeting.agenda}),
        "cancel_form": bound.get("cancel") or forms.ReasonForm(prefix="cancel"),
        "action_form": bound.get("add_action") or forms.ActionAddForm(prefix="action"),
        "calendar_url": reverse("management:calendar"),
        "pack_url": reverse("management:pack", args=[meeting.pk]),
        "pdf_url": reverse("documents:review-pack", args=[meeting.pk]),
        "history_url": reverse("admin:management_reviewmeeting_history", args=[meeting.pk]),
    }
    return render(request, "management/meeting.html", context, status=status)


@login_required
@permission_required(perms.VIEW, raise_exception=True)
def meeting_detail(request, pk: int):
    """One management review: agenda, minutes, actions and the steps the user may take."""
    return _render_meeting(request, _meeting(pk))


def _step(key: str, perm: str, form_class, prefix: str, run, success: str, *, item: bool = False):
    """The POST view of one step: validate, call the service, redirect or show the refusal."""

    @require_POST
    @login_required
    def view(request, pk: int):
        if not request.user.has_perm(perm):
            raise PermissionDenied
        meeting = _meeting(pk)
        target = None
        if item:
            raw = next((k for k in request.POST if k.startswith(f"{prefix}-") and k.endswith("-action")), "")
            try:
                action_pk = int(request.POST.get(raw, ""))
            except ValueError:
                raise Http404 from None
            target = next((action for action in meeting.actions.all() if action.pk == action_pk), None)
            if target is None:
                raise Http404
            form = form_class(request.POST, prefix=f"{prefix}-{action_pk}")
            bound_key = (key, action_pk)
        else:
            form = form_class(request.POST, prefix=prefix)
            bound_key = key
        if form.is_valid():
            try:
                run(request, meeting, form.cleaned_data, target)
            except LiaisonError as error:
                forms.add_service_error(form, error)
                if error.forbidden:
                    # The user has no form for this step on the page: say why here.
                    messages.error(request, str(error))
            else:
                messages.success(request, success % {"number": meeting.number})
                return redirect(meeting.get_absolute_url())
        messages.error(request, _("Nothing was saved; see the form marked below."))
        return _render_meeting(request, _meeting(pk), {bound_key: form})

    view.__name__ = view.__qualname__ = f"meeting_{key}"
    return view


def _update(request, meeting, data, _target):
    services.meeting_update(
        meeting=meeting, actor=request.user, reason=data["reason"], participants=data["participants"],
        title=data["title"], meeting_date=data["meeting_date"], chair=data["chair"], agenda=data["agenda"],
        **({"minutes": data["minutes"]} if meeting.status == MeetingStatus.HELD else {}),
    )


def _hold(request, meeting, data, _target):
    services.meeting_hold(meeting=meeting, minutes=data["minutes"], actor=request.user)


def _cancel(request, meeting, data, _target):
    services.meeting_cancel(meeting=meeting, reason=data["reason"], actor=request.user)


def _add_action(request, meeting, data, _target):
    services.action_add(
        meeting=meeting, description=data["description"], owner=data["owner"], due_date=data["due_date"],
        actor=request.user,
    )


def _complete(request, meeting, data, target):
    services.action_complete(action=target, outcome=data["outcome"], actor=request.user)


def _cancel_action(request, meeting, data, target):
    services.action_cancel(action=target, reason=data["reason"], actor=request.user)


meeting_update = _step(
    "update", perms.CHANGE, forms.MeetingUpdateForm, "update", _update, _("Management review %(number)s is changed.")
)
meeting_hold = _step(
    "hold", perms.HOLD, forms.MeetingHoldForm, "hold", _hold, _("The minutes of %(number)s are recorded.")
)
meeting_cancel = _step(
    "cancel", perms.CHANGE, forms.ReasonForm, "cancel", _cancel, _("Management review %(number)s is cancelled.")
)
action_add = _step(
    "add_action", perms.ADD_ACTION, forms.ActionAddForm, "action", _add_action,
    _("The action is recorded on %(number)s."),
)
action_complete = _step(
    "complete", perms.COMPLETE, forms.ActionCompleteForm, "complete", _complete,
    _("The action of %(number)s is reported done."), item=True,
)
action_cancel = _step(
    "cancel_action", perms.HOLD, forms.ActionCancelForm, "cancel-action", _cancel_action,
    _("The action of %(number)s is cancelled."), item=True,
)


# --- the pack ------------------------------------------------------------------------------------


def _pack(request, pk: int) -> pack.ReviewPack:
    if not perms.can_read_pack(request.user):
        raise PermissionDenied
    try:
        return pack.pack_build(meeting_pk=pk)
    except ReviewMeeting.DoesNotExist:
        raise Http404 from None


def _chart(labels, datasets) -> str:
    return json.dumps({"labels": [str(label) for label in labels], "datasets": datasets}, ensure_ascii=False)


def _charts(review: pack.ReviewPack) -> dict:
    """The pack's charts as Chart.js data for unfold's chart components."""
    from liaison.quality.states import CapaStatus

    survey = review.satisfaction
    delivery = review.delivery.rows
    charts = {
        "delivery": _chart(
            [row.workshop for row in delivery],
            [
                {"label": str(_("On time")), "data": [row.on_time for row in delivery], "backgroundColor": "#2E7D32"},
                {"label": str(_("Late")), "data": [row.late for row in delivery], "backgroundColor": "#C62828"},
                {"label": str(_("Open, past due")), "data": [row.open_overdue for row in delivery],
                 "backgroundColor": "#90A4AE"},
            ],
        ) if delivery else None,
        "capa": _chart(
            [status.label for status in CapaStatus],
            [{"label": str(_("Requests")), "data": [review.capa.counts.get(s.value, 0) for s in CapaStatus],
              "backgroundColor": "#1565C0"}],
        ),
        "criteria": _chart(
            [figure.label for figure in survey.criteria],
            [{"label": str(_("Mean score")), "data": [figure.value for figure in survey.criteria],
              "backgroundColor": "#1565C0"}],
        ) if survey.criteria else None,
        "trend": _chart(
            [figure.label for figure in survey.trend],
            [{"label": str(_("Satisfaction index by round")), "data": [figure.value for figure in survey.trend],
              "borderColor": "#1565C0", "backgroundColor": "#1565C0"}],
        ) if survey.trend else None,
    }
    complaints = review.complaints
    causes = getattr(complaints, "causes", ()) if complaints is not None else ()
    charts["causes"] = _chart(
        [cause.label for cause in causes],
        [
            {"label": str(_("Company at fault")), "data": [cause.at_fault for cause in causes],
             "backgroundColor": "#C62828"},
            {"label": str(_("Not at fault")), "data": [cause.not_at_fault for cause in causes],
             "backgroundColor": "#90A4AE"},
        ],
    ) if causes else None
    return charts


@login_required
@permission_required(perms.VIEW, raise_exception=True)
def pack_page(request, pk: int):
    """The management review pack on screen (R-5.6.7): the same sections as the PDF."""
    review = _pack(request, pk)
    context = {
        **admin.site.each_context(request),
        "title": _("Management review pack %(number)s") % {"number": review.meeting.number},
        "opts": ReviewMeeting._meta,
        "pack": review,
        "meeting": review.meeting,
        "sections": pack.section_titles(),
        "charts": _charts(review),
        "capa_statuses": _capa_rows(review),
        "meeting_url": review.meeting.get_absolute_url(),
        "pdf_url": reverse("documents:review-pack", args=[pk]),
    }
    return render(request, "management/pack.html", context)


def _capa_rows(review: pack.ReviewPack) -> list[tuple[str, int]]:
    from liaison.quality.states import CapaStatus

    counts = review.capa.counts
    return [(status.label, counts.get(status.value, 0)) for status in CapaStatus] + [
        (_("Overdue"), counts.get("overdue", 0))
    ]
