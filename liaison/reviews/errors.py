"""Error codes of the management review app, their wording for people, and its ACTIONS table."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from liaison.core.roles import actions


class ManagementErrorCode(StrEnum):
    NOT_ALLOWED = "review_not_allowed"
    TITLE_REQUIRED = "review_title_required"
    DATE_REQUIRED = "review_date_required"
    CHAIR_NOT_MANAGER = "review_chair_not_manager"
    PARTICIPANT_INACTIVE = "review_participant_inactive"
    MEETING_NOT_PLANNED = "review_meeting_not_planned"
    MEETING_CANCELLED = "review_meeting_cancelled"
    REASON_REQUIRED = "review_reason_required"
    CANCEL_REASON_REQUIRED = "review_cancel_reason_required"
    NOTHING_CHANGED = "review_nothing_changed"
    MINUTES_REQUIRED = "review_minutes_required"
    MEETING_IN_FUTURE = "review_meeting_in_future"
    MEETING_NOT_HELD = "review_meeting_not_held"
    ACTION_DESCRIPTION_REQUIRED = "review_action_description_required"
    ACTION_OWNER_CANNOT_COMPLETE = "review_action_owner_cannot_complete"
    ACTION_DUE_BEFORE_MEETING = "review_action_due_before_meeting"
    ACTION_NOT_OPEN = "review_action_not_open"
    ACTION_NOT_YOURS = "review_action_not_yours"
    OUTCOME_REQUIRED = "review_outcome_required"


Code = ManagementErrorCode

MESSAGES = {
    Code.TITLE_REQUIRED: _("Give the management review a title."),
    Code.DATE_REQUIRED: _("Give the date of the management review."),
    Code.CHAIR_NOT_MANAGER: _(
        "%(chair)s cannot chair a management review: the chair is a member of top management."
    ),
    Code.PARTICIPANT_INACTIVE: _("%(user)s is no longer an active user and cannot take part."),
    Code.MEETING_NOT_PLANNED: _(
        "Management review %(number)s is %(status)s; only a planned meeting can be %(action)s."
    ),
    Code.MEETING_CANCELLED: _("Management review %(number)s is cancelled; it cannot be changed."),
    Code.REASON_REQUIRED: _(
        "Management review %(number)s is %(status)s; say why it is changed (kept in its history)."
    ),
    Code.CANCEL_REASON_REQUIRED: _("Say why %(what)s is cancelled (kept in its history)."),
    Code.NOTHING_CHANGED: _("Nothing was changed on management review %(number)s."),
    Code.MINUTES_REQUIRED: _("Record the minutes of management review %(number)s: what was reviewed and decided."),
    Code.MEETING_IN_FUTURE: _(
        "Management review %(number)s is planned for %(date)s; its minutes are recorded once it has taken place "
        "(today is %(today)s)."
    ),
    Code.MEETING_NOT_HELD: _(
        "Management review %(number)s is %(status)s; actions are decided when the meeting is held."
    ),
    Code.ACTION_DESCRIPTION_REQUIRED: _("Describe the action to be taken."),
    Code.ACTION_OWNER_CANNOT_COMPLETE: _(
        "%(owner)s cannot report management review actions done; give the action to a department head or "
        "a member of top management."
    ),
    Code.ACTION_DUE_BEFORE_MEETING: _(
        "The action's due date %(due_date)s is before the meeting on %(meeting_date)s."
    ),
    Code.ACTION_NOT_OPEN: _("The action is %(status)s; only an open action can be %(action)s."),
    Code.ACTION_NOT_YOURS: _(
        "This action belongs to %(owner)s; only its owner or top management can report it done."
    ),
    Code.OUTCOME_REQUIRED: _("Say what was done: the outcome of the action is required."),
}

# The steps of management reviews: the permission each needs, and its words in a refusal.
ACTIONS = actions(
    Code.NOT_ALLOWED,
    {
        "plan": ("management.add_reviewmeeting", _("plan management reviews")),
        "change": ("management.change_reviewmeeting", _("change management reviews")),
        "hold": ("management.hold_reviewmeeting", _("record the minutes of management reviews")),
        "cancel": ("management.change_reviewmeeting", _("cancel management reviews")),
        "add_action": ("management.add_reviewaction", _("decide management review actions")),
        "complete": ("management.change_reviewaction", _("report management review actions done")),
        "cancel_action": ("management.hold_reviewmeeting", _("cancel management review actions")),
        # Not a model permission: a ``rules`` one (rules.py), held by those who read the pack's every source.
        "read_pack": ("management.view_reviewpack", _("read management review packs")),
    },
)
