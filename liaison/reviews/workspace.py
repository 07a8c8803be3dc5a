"""What the management review app puts in the workspace: review actions owed, its sidebar entries."""

import datetime as dt

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.roles import allowed
from liaison.core.workspace import InboxItem, WorkKind, inbox_item, inbox_kinds, list_link, sidebar_entry, sidebar_group
from liaison.reviews import selectors
from liaison.reviews.errors import ACTIONS


@inbox_kinds(order=60)
def review_action_work(user, today: dt.date) -> list[WorkKind]:
    """The management review actions the user owns and has not reported done (one query)."""
    if not allowed(user, ACTIONS["complete"]):
        return []

    def item(action) -> InboxItem:
        title = _("Management review %(meeting)s: %(action)s") % {
            "meeting": action.meeting.number,
            "action": action.description[:60],
        }
        link = action.meeting.get_absolute_url() + "#actions"
        return inbox_item("review_action", title, link, action.due_date, today, "task_alt")

    link = list_link("admin:management_reviewaction_changelist", f"status__exact=open&owner__id__exact={user.pk}")
    rows = selectors.actions_open(owner=user, today=today)
    return [WorkKind("review_action", _("management review actions"), rows, item, link)]


sidebar_group("management", gettext_lazy("Management review"), order=50)
sidebar_entry(
    "management", gettext_lazy("Review calendar"), icon="event_note", link=reverse_lazy("management:calendar"),
    order=10, permission="management.view_reviewmeeting",
)
sidebar_entry(
    "management", gettext_lazy("Review actions"), icon="task_alt",
    link=reverse_lazy("admin:management_reviewaction_changelist"), order=20,
    permission="management.view_reviewaction",
)
