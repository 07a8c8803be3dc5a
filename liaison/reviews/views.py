"""Workflow pages of the management review: the calendar, one meeting with its steps, the pack.

Each step posts to its own small view (``core.pages``): it calls one service and redirects
back to the meeting page with a message, or, when the service refuses, shows the page again
with the error on that form and everything typed still in it (403 when the refusal is about
who the user is). A role the step is not for gets 403 before anything is read.
"""

import json

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.core.pages import Done, RecordPage, page_context, require_page, show_refused
from liaison.core.roles import allowed
from liaison.quality.states import CapaStatus
from liaison.reviews import forms, pack, selectors, services
from liaison.reviews.errors import ACTIONS
from liaison.reviews.models import ReviewMeeting
from liaison.reviews.rules import VIEW, VIEW_ACTION
from liaison.reviews.states import MEETING_CURRENT, MEETING_TRANSITIONS, ActionStatus, MeetingStatus


def _meeting(pk: int) -> ReviewMeeting:
    try:
        return selectors.meeting_get(pk=pk)
    except ReviewMeeting.DoesNotExist:
        raise Http404 from None


# --- the calendar --------------------------------------------------------------------------------


def _render_calendar(request, page=None, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    can = show_refused({"plan": allowed(user, ACTIONS["plan"])}, bound)
    context = page_context(
        request,
        title=_("Management review calendar"),
        opts=ReviewMeeting._meta,
        calendar=selectors.meeting_calendar(),
        can_plan=can["plan"],
        plan_form=bound.get("plan") or forms.MeetingPlanForm(prefix="plan"),
        my_actions=list(selectors.actions_open(owner=user)) if user.has_perm(VIEW_ACTION) else [],
    )
    return render(request, "management/calendar.html", context, status=status)


# The calendar is the page of the plan step, which sends the clerk to the meeting it planned.
calendar_page = RecordPage(
    load=lambda request: None,
    render=_render_calendar,
    url=lambda _page: reverse("management:calendar"),
    permission=VIEW,
)
calendar = calendar_page.view("Upcoming and past management reviews, with their survey rounds and open actions.")


@calendar_page.step("plan", form=forms.MeetingPlanForm, actions=[ACTIONS["plan"]])
def meeting_plan(request, page, form):
    """Put a management review on the calendar."""
    data = form.cleaned_data
    meeting = services.meeting_plan(
        title=data["title"], meeting_date=data["meeting_date"], chair=data["chair"],
        participants=data["participants"], agenda=data["agenda"], actor=request.user,
    )
    message = _("Management review %(number)s is planned.") % {"number": meeting.number}
    return Done(message, meeting.get_absolute_url())


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
    held = meeting.status == MeetingStatus.HELD
    can = show_refused(
        {
            "update": meeting.status in MEETING_CURRENT and allowed(user, ACTIONS["change"]),
            "hold": MEETING_TRANSITIONS.allows(meeting, "hold") and allowed(user, ACTIONS["hold"]),
            "cancel": MEETING_TRANSITIONS.allows(meeting, "cancel") and allowed(user, ACTIONS["cancel"]),
            "add_action": held and allowed(user, ACTIONS["add_action"]),
            "cancel_action": allowed(user, ACTIONS["cancel_action"]),
            "pack": allowed(user, ACTIONS["read_pack"]),
        },
        bound,
    )
    actions = list(meeting.actions.all())
    for action in actions:
        is_open = action.status == ActionStatus.OPEN
        # A form that came back refused is shown, whatever the user may do now.
        action.may_complete = ("complete", action.pk) in bound or (
            is_open and allowed(user, ACTIONS["complete"], action)
        )
        action.may_cancel = ("cancel_action", action.pk) in bound or (
            is_open and allowed(user, ACTIONS["cancel_action"])
        )
        action.complete_form = bound.get(("complete", action.pk)) or forms.ActionCompleteForm(
            prefix=f"complete-{action.pk}", initial={"action": action.pk}
        )
        action.cancel_form = bound.get(("cancel_action", action.pk)) or forms.ActionCancelForm(
            prefix=f"cancel-action-{action.pk}", initial={"action": action.pk}
        )
    context = page_context(
        request,
        title=_("Management review %(number)s") % {"number": meeting.number},
        opts=ReviewMeeting._meta,
        meeting=meeting,
        actions=actions,
        survey_round=selectors.survey_rounds_for([meeting.pk]).get(meeting.pk),
        can=can,
        update_form=bound.get("update") or forms.MeetingUpdateForm(prefix="update", initial=_update_initial(meeting)),
        hold_form=bound.get("hold") or forms.MeetingHoldForm(prefix="hold", initial={"minutes": meeting.agenda}),
        cancel_form=bound.get("cancel") or forms.ReasonForm(prefix="cancel"),
        action_form=bound.get("add_action") or forms.ActionAddForm(prefix="action"),
        calendar_url=reverse("management:calendar"),
        pack_url=reverse("management:pack", args=[meeting.pk]),
        pdf_url=reverse("documents:review-pack", args=[meeting.pk]),
        history_url=reverse("admin:management_reviewmeeting_history", args=[meeting.pk]),
    )
    return render(request, "management/meeting.html", context, status=status)


meeting_page = RecordPage(
    load=lambda request, pk: _meeting(pk),
    render=_render_meeting,
    url=lambda meeting: meeting.get_absolute_url(),
    permission=VIEW,
)
meeting_detail = meeting_page.view("One management review: agenda, minutes, actions and the steps the user may take.")


def _actions(meeting: ReviewMeeting):
    return meeting.actions.all()


@meeting_page.step("update", form=forms.MeetingUpdateForm, actions=[ACTIONS["change"]])
def meeting_update(request, meeting, form):
    """Change a meeting's title, date, chair, participants, agenda (and its minutes once held)."""
    data = form.cleaned_data
    services.meeting_update(
        meeting=meeting, actor=request.user, reason=data["reason"], participants=data["participants"],
        title=data["title"], meeting_date=data["meeting_date"], chair=data["chair"], agenda=data["agenda"],
        **({"minutes": data["minutes"]} if meeting.status == MeetingStatus.HELD else {}),
    )
    return _("Management review %(number)s is changed.") % {"number": meeting.number}


@meeting_page.step("hold", form=forms.MeetingHoldForm, actions=[ACTIONS["hold"]])
def meeting_hold(request, meeting, form):
    """Record the minutes: the meeting is held."""
    services.meeting_hold(meeting=meeting, minutes=form.cleaned_data["minutes"], actor=request.user)
    return _("The minutes of %(number)s are recorded.") % {"number": meeting.number}


@meeting_page.step("cancel", form=forms.ReasonForm, actions=[ACTIONS["cancel"]])
def meeting_cancel(request, meeting, form):
    """Cancel a planned meeting, with the reason."""
    services.meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"], actor=request.user)
    return _("Management review %(number)s is cancelled.") % {"number": meeting.number}


@meeting_page.step("add_action", form=forms.ActionAddForm, prefix="action", actions=[ACTIONS["add_action"]])
def action_add(request, meeting, form):
    """Record an action the held meeting decided."""
    data = form.cleaned_data
    services.action_add(
        meeting=meeting, description=data["description"], owner=data["owner"], due_date=data["due_date"],
        actor=request.user,
    )
    return _("The action is recorded on %(number)s.") % {"number": meeting.number}


@meeting_page.step(
    "complete", form=forms.ActionCompleteForm, actions=[ACTIONS["complete"]], items=_actions, item_field="action"
)
def action_complete(request, meeting, form):
    """The owner (or top management) reports an action done, with its outcome."""
    services.action_complete(action=form.item, outcome=form.cleaned_data["outcome"], actor=request.user)
    return _("The action of %(number)s is reported done.") % {"number": meeting.number}


@meeting_page.step(
    "cancel_action", form=forms.ActionCancelForm, prefix="cancel-action", actions=[ACTIONS["cancel_action"]],
    items=_actions, item_field="action",
)
def action_cancel(request, meeting, form):
    """Top management drops an action that is no longer needed."""
    services.action_cancel(action=form.item, reason=form.cleaned_data["reason"], actor=request.user)
    return _("The action of %(number)s is cancelled.") % {"number": meeting.number}


# --- the pack ------------------------------------------------------------------------------------


def _pack(request, pk: int) -> pack.ReviewPack:
    require_page(request.user, ACTIONS["read_pack"])
    try:
        return pack.pack_build(meeting_pk=pk)
    except ReviewMeeting.DoesNotExist:
        raise Http404 from None


def _chart(labels, datasets) -> str:
    return json.dumps({"labels": [str(label) for label in labels], "datasets": datasets}, ensure_ascii=False)


def _charts(review: pack.ReviewPack) -> dict:
    """The pack's charts as Chart.js data for unfold's chart components."""
    survey = review.satisfaction
    delivery = review.delivery.rows
    causes = review.complaints.causes
    return {
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
        "causes": _chart(
            [cause.label for cause in causes],
            [
                {"label": str(_("Company at fault")), "data": [cause.at_fault for cause in causes],
                 "backgroundColor": "#C62828"},
                {"label": str(_("Not at fault")), "data": [cause.not_at_fault for cause in causes],
                 "backgroundColor": "#90A4AE"},
            ],
        ) if causes else None,
    }


def _capa_rows(review: pack.ReviewPack) -> list[tuple[str, int]]:
    counts = review.capa.counts
    return [(status.label, counts.get(status.value, 0)) for status in CapaStatus] + [
        (_("Overdue"), counts.get("overdue", 0))
    ]


@login_required
@permission_required(VIEW, raise_exception=True)
def pack_page(request, pk: int):
    """The management review pack on screen (R-5.6.7): the same sections as the PDF."""
    review = _pack(request, pk)
    context = page_context(
        request,
        title=_("Management review pack %(number)s") % {"number": review.meeting.number},
        opts=ReviewMeeting._meta,
        pack=review,
        meeting=review.meeting,
        sections=pack.section_titles(),
        charts=_charts(review),
        capa_statuses=_capa_rows(review),
        meeting_url=review.meeting.get_absolute_url(),
        pdf_url=reverse("documents:review-pack", args=[pk]),
    )
    return render(request, "management/pack.html", context)
