"""Writes of the management review app: plan, change, hold and cancel meetings; decide and close actions.

Top management plans a meeting (numbered ``MR-yyyy-nnnn``), records its minutes when
it has taken place, and decides actions with an owner and a due date. The owner (or
top management) reports an action done with its outcome. Nothing is deleted: a
meeting or an action that is not needed any more is cancelled with its reason.

Every step is a durable transaction of its own: pages, the API and the demo data take them
one at a time; none is a building block of another app's step.
"""

import datetime as dt

from django.db import transaction

from liaison.core import clock
from liaison.core.errors import LiaisonError, refuse
from liaison.core.models import User
from liaison.core.roles import allowed, require
from liaison.core.services import number_next, sign_history, transition_apply, transition_check
from liaison.core.text import stripped
from liaison.reviews import rules as perms
from liaison.reviews.errors import ACTIONS, MESSAGES, Code
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.reviews.states import MEETING_CURRENT, MeetingStatus
from liaison.satisfaction.services import round_follow_meeting

MEETING_TYPE = "MR"
# Fields a meeting update may change.
MEETING_FIELDS = ("title", "meeting_date", "chair", "agenda", "minutes")


def _refuse(code: Code, **kwargs) -> LiaisonError:
    return refuse(MESSAGES, code, **kwargs)



def _status(record) -> str:
    return str(record.get_status_display()).lower()


def _not_planned(meeting: ReviewMeeting, step: str) -> LiaisonError:
    return _refuse(
        Code.MEETING_NOT_PLANNED, conflict=True, number=meeting.number, status=_status(meeting),
        action=ACTIONS[step].wording,
    )


def _not_open(action: ReviewAction, step: str) -> LiaisonError:
    return _refuse(Code.ACTION_NOT_OPEN, conflict=True, status=_status(action), action=ACTIONS[step].wording)


def _check_chair(chair: User | None) -> None:
    if chair is None or not chair.is_active or not perms.is_manager(chair):
        raise _refuse(Code.CHAIR_NOT_MANAGER, field="chair", chair=str(chair or "—"))


def _check_participants(participants) -> list[User]:
    participants = list(participants or [])
    for user in participants:
        if not user.is_active:
            raise _refuse(Code.PARTICIPANT_INACTIVE, field="participants", user=str(user))
    return participants


def _locked_meeting(meeting: ReviewMeeting) -> ReviewMeeting:
    return ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)


def _locked_action(action: ReviewAction) -> ReviewAction:
    return ReviewAction.objects.select_for_update(of=("self",)).select_related("meeting", "owner").get(pk=action.pk)


@transaction.atomic(durable=True)
def meeting_plan(
    *,
    title: str,
    meeting_date: dt.date,
    chair: User,
    actor: User,
    participants=(),
    agenda: str = "",
) -> ReviewMeeting:
    """Put a management review on the calendar; survey rounds are planned from its date (R-5.6.3)."""
    require(actor, ACTIONS["plan"])
    title = stripped(title)
    if not title:
        raise _refuse(Code.TITLE_REQUIRED, field="title")
    if meeting_date is None:
        raise _refuse(Code.DATE_REQUIRED, field="meeting_date")
    _check_chair(chair)
    participants = _check_participants(participants)
    meeting = ReviewMeeting(
        title=title,
        meeting_date=meeting_date,
        chair=chair,
        agenda=stripped(agenda),
        created_by=actor,
        updated_by=actor,
    )
    meeting.full_clean(exclude=["number", "status"])
    meeting.number = number_next(doc_type=MEETING_TYPE)
    sign_history(meeting, actor=actor, reason="Planned")
    meeting.save()
    meeting.participants.set(participants)
    return meeting


@transaction.atomic(durable=True)
def meeting_update(*, meeting: ReviewMeeting, actor: User, reason: str = "", participants=None, **changes) -> ReviewMeeting:
    """Change a meeting's title, date, chair, participants, agenda or minutes.

    Free while the meeting is planned; once held, only with a reason, kept in its
    history; a cancelled meeting is not changed. Only the fields given are changed.
    A new date moves its survey round's send day, if the round is not sent yet (R-5.6.3).
    """
    require(actor, ACTIONS["change"])
    unknown = set(changes) - set(MEETING_FIELDS)
    if unknown:
        raise TypeError(f"meeting_update() got unexpected fields: {', '.join(sorted(unknown))}")
    meeting = _locked_meeting(meeting)
    if meeting.status not in MEETING_CURRENT:
        raise _refuse(Code.MEETING_CANCELLED, conflict=True, number=meeting.number)
    reason = stripped(reason)
    if meeting.status == MeetingStatus.HELD and not reason:
        raise _refuse(Code.REASON_REQUIRED, field="reason", number=meeting.number, status=_status(meeting))
    for name in ("title", "agenda", "minutes"):
        if name in changes:
            changes[name] = stripped(changes[name])
    if "title" in changes and not changes["title"]:
        raise _refuse(Code.TITLE_REQUIRED, field="title")
    if "meeting_date" in changes and changes["meeting_date"] is None:
        raise _refuse(Code.DATE_REQUIRED, field="meeting_date")
    if "chair" in changes and changes["chair"] != meeting.chair:
        _check_chair(changes["chair"])
    if "minutes" in changes and meeting.status == MeetingStatus.HELD and not changes["minutes"]:
        raise _refuse(Code.MINUTES_REQUIRED, field="minutes", number=meeting.number)
    changed = [name for name, value in changes.items() if getattr(meeting, name) != value]
    new_participants = None
    if participants is not None:
        new_participants = _check_participants(participants)
        if {user.pk for user in new_participants} == set(meeting.participants.values_list("pk", flat=True)):
            new_participants = None
    if not changed and new_participants is None:
        raise _refuse(Code.NOTHING_CHANGED, number=meeting.number)
    for name in changed:
        setattr(meeting, name, changes[name])
    meeting.full_clean(exclude=["status"])
    sign_history(meeting, actor=actor, reason=reason or "Changed while planned")
    meeting.save(update_fields=[*changed, "updated_by"])
    if "meeting_date" in changed:
        round_follow_meeting(meeting=meeting, actor=actor)  # its planned survey round moves with it
    if new_participants is not None:
        meeting.participants.set(new_participants)
    return meeting


@transaction.atomic(durable=True)
def meeting_hold(*, meeting: ReviewMeeting, minutes: str, actor: User, actions=()) -> ReviewMeeting:
    """Record that the meeting took place, with its minutes and the actions it decided.

    ``actions``: dicts with ``description``, ``owner`` and ``due_date``; each is checked
    like ``action_add``, and a refused one leaves the meeting planned.
    """
    require(actor, ACTIONS["hold"])
    meeting = _locked_meeting(meeting)
    transition_check(meeting, "hold", lambda: _not_planned(meeting, "hold"))
    minutes = stripped(minutes)
    if not minutes:
        raise _refuse(Code.MINUTES_REQUIRED, field="minutes", number=meeting.number)
    today = clock.today()
    if meeting.meeting_date > today:
        raise _refuse(
            Code.MEETING_IN_FUTURE, conflict=True, number=meeting.number,
            date=meeting.meeting_date.isoformat(), today=today.isoformat(),
        )
    if actions:
        require(actor, ACTIONS["add_action"])
    transition_apply(
        meeting, "hold", params={"minutes": minutes}, actor=actor, reason="Held: minutes recorded",
        fields=["minutes", "held_at"],
    )
    for action in actions:
        _action_create(meeting=meeting, actor=actor, **action)
    return meeting


@transaction.atomic(durable=True)
def meeting_cancel(*, meeting: ReviewMeeting, reason: str, actor: User) -> ReviewMeeting:
    """Cancel a planned meeting; it stays on the calendar, marked, with the reason.

    Its survey round, if not sent yet, is cancelled with it in the same transaction (R-5.6.3).
    """
    require(actor, ACTIONS["cancel"])
    meeting = _locked_meeting(meeting)
    transition_check(meeting, "cancel", lambda: _not_planned(meeting, "cancel"))
    reason = stripped(reason)
    if not reason:
        raise _refuse(Code.CANCEL_REASON_REQUIRED, field="reason", what=meeting.number)
    transition_apply(
        meeting, "cancel", params={"reason": reason}, actor=actor, reason=f"Cancelled: {reason}",
        fields=["cancel_reason"],
    )
    round_follow_meeting(meeting=meeting, actor=actor)  # its survey round, not sent yet, is cancelled
    return meeting


def _action_create(
    *, meeting: ReviewMeeting, description: str, owner: User, due_date: dt.date, actor: User
) -> ReviewAction:
    description = stripped(description)
    if not description:
        raise _refuse(Code.ACTION_DESCRIPTION_REQUIRED, field="description")
    if owner is None or not owner.is_active or not perms.can_complete_action(owner, None):
        raise _refuse(Code.ACTION_OWNER_CANNOT_COMPLETE, field="owner", owner=str(owner or "—"))
    if due_date is None or due_date < meeting.meeting_date:
        raise _refuse(
            Code.ACTION_DUE_BEFORE_MEETING, field="due_date",
            due_date=due_date.isoformat() if due_date else "—", meeting_date=meeting.meeting_date.isoformat(),
        )
    action = ReviewAction(
        meeting=meeting, description=description, owner=owner, due_date=due_date, created_by=actor, updated_by=actor
    )
    action.full_clean(exclude=["status"])
    sign_history(action, actor=actor, reason=f"Decided at {meeting.number}")
    action.save()
    return action


@transaction.atomic(durable=True)
def action_add(
    *, meeting: ReviewMeeting, description: str, owner: User, due_date: dt.date, actor: User
) -> ReviewAction:
    """Record an action the meeting decided: what, who owns it, by when (only on a held meeting)."""
    require(actor, ACTIONS["add_action"])
    meeting = _locked_meeting(meeting)
    if meeting.status != MeetingStatus.HELD:
        raise _refuse(Code.MEETING_NOT_HELD, conflict=True, number=meeting.number, status=_status(meeting))
    return _action_create(meeting=meeting, description=description, owner=owner, due_date=due_date, actor=actor)


@transaction.atomic(durable=True)
def action_complete(*, action: ReviewAction, outcome: str, actor: User) -> ReviewAction:
    """The owner (or top management) reports the action done, with what was done."""
    require(actor, ACTIONS["complete"])
    action = _locked_action(action)
    if not allowed(actor, ACTIONS["complete"], action):
        raise _refuse(Code.ACTION_NOT_YOURS, forbidden=True, owner=str(action.owner))
    transition_check(action, "complete", lambda: _not_open(action, "complete"))
    outcome = stripped(outcome)
    if not outcome:
        raise _refuse(Code.OUTCOME_REQUIRED, field="outcome")
    return transition_apply(
        action, "complete", params={"outcome": outcome}, actor=actor, reason="Done", fields=["outcome", "done_at"]
    )


@transaction.atomic(durable=True)
def action_cancel(*, action: ReviewAction, reason: str, actor: User) -> ReviewAction:
    """Top management drops an action that is no longer needed, with the reason."""
    require(actor, ACTIONS["cancel_action"])
    action = _locked_action(action)
    transition_check(action, "cancel", lambda: _not_open(action, "cancel_action"))
    reason = stripped(reason)
    if not reason:
        raise _refuse(Code.CANCEL_REASON_REQUIRED, field="reason", what=str(action))
    return transition_apply(
        action, "cancel", params={"reason": reason}, actor=actor, reason=f"Cancelled: {reason}",
        fields=["cancel_reason"],
    )
