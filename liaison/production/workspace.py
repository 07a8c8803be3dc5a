"""What the production app puts in the workspace: notices coming due, its sidebar entries."""

import datetime as dt

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.roles import allowed
from liaison.core.states import DepartmentKind
from liaison.core.workspace import InboxItem, WorkKind, inbox_item, inbox_kinds, list_link, sidebar_entry, sidebar_group
from liaison.production import selectors
from liaison.production.errors import ACTIONS

NOTICES = "admin:production_productionnotice_changelist"


def _notice_link(notice) -> str:
    """On the order page when the notice is for an order (its chain is there), else its own page."""
    if notice.order_id:
        return reverse("orders:detail", args=[notice.order_id]) + f"#notice-{notice.pk}"
    return notice.get_absolute_url()


@inbox_kinds(order=40)
def notice_work(user, today: dt.date) -> list[WorkKind]:
    """Production notices late or due within a week: every workshop's for Sales, their own for a workshop (R-3.2)."""
    if allowed(user, ACTIONS["issue"]):
        notices = selectors.notices_due(today=today)  # the sales administrator follows every workshop
    elif (
        allowed(user, ACTIONS["progress"])
        and user.department_id is not None
        and user.department.kind == DepartmentKind.WORKSHOP
    ):
        notices = selectors.notices_due(workshop_id=user.department_id, today=today)
    else:
        return []

    def item(notice) -> InboxItem:
        if notice.due_date < today:
            title = _("Production notice %(notice)s for %(workshop)s is %(days)s day(s) late") % {
                "notice": notice.number,
                "workshop": notice.workshop,
                "days": (today - notice.due_date).days,
            }
        else:
            title = _("Production notice %(notice)s for %(workshop)s is due") % {
                "notice": notice.number,
                "workshop": notice.workshop,
            }
        return inbox_item("notice_due", title, _notice_link(notice), notice.due_date, today, "precision_manufacturing")

    return [WorkKind("notice_due", _("production notices due"), notices, item, list_link(NOTICES))]


sidebar_group("production", gettext_lazy("Production"), order=20)
sidebar_entry(
    "production", gettext_lazy("Workshop notices"), icon="precision_manufacturing",
    link=reverse_lazy("production:list"), order=10, permission="production.view_productionnotice",
)
sidebar_entry(
    "production", gettext_lazy("Production notices (F4)"), icon="factory", link=reverse_lazy(NOTICES), order=20,
    permission="production.view_productionnotice",
)
