"""What the satisfaction app puts in the workspace: rounds to send, dissatisfied customers, its sidebar entries."""

import datetime as dt

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.roles import allowed
from liaison.core.workspace import InboxItem, WorkKind, inbox_item, inbox_kinds, list_link, sidebar_entry, sidebar_group
from liaison.satisfaction import selectors
from liaison.satisfaction.errors import ACTIONS


@inbox_kinds(order=45)
def survey_work(user, today: dt.date) -> list[WorkKind]:
    """Survey rounds due to go out (Sales) and dissatisfied forms without a CAPA request (QC), one query each.

    Both are read from the dates and links on the records, so they show on the day even
    when the scheduled job has not run.
    """
    kinds = []
    if allowed(user, ACTIONS["send"]):

        def round_item(survey_round) -> InboxItem:
            title = _("Send survey round %(number)s (management review %(meeting)s)") % {
                "number": survey_round.number, "meeting": survey_round.meeting.meeting_date.isoformat(),
            }
            link = survey_round.get_absolute_url() + "#forms"
            return inbox_item("survey_round_send", title, link, survey_round.planned_send_on, today, "outgoing_mail")

        rows = selectors.rounds_to_send(today=today)
        link = list_link("satisfaction:rounds")
        kinds.append(WorkKind("survey_round_send", _("survey rounds to send"), rows, round_item, link))
    if allowed(user, ACTIONS["raise_capa"]):

        def form_item(form) -> InboxItem:
            title = _("Issue a CAPA request for dissatisfied customer %(customer)s (survey form %(number)s)") % {
                "customer": form.customer.registered_name, "number": form.number,
            }
            link = form.get_absolute_url() + "#capa"
            # No deadline of its own: dated by the return, never overdue.
            return InboxItem(kind="survey_dissatisfied", title=title, link=link, due_date=form.returned_on,
                             overdue=False, icon="sentiment_dissatisfied")

        rows = selectors.dissatisfied_without_capa()
        link = list_link("satisfaction:analysis")  # its per-customer rows mark the dissatisfied
        kinds.append(WorkKind("survey_dissatisfied", _("dissatisfied customers without a CAPA request"), rows,
                              form_item, link))
    return kinds


sidebar_group("satisfaction", gettext_lazy("Customer satisfaction"), order=40)
sidebar_entry(
    "satisfaction", gettext_lazy("Survey rounds"), icon="event_repeat", link=reverse_lazy("satisfaction:rounds"),
    order=10, permission="satisfaction.view_surveyround",
)
sidebar_entry(
    "satisfaction", gettext_lazy("Survey forms (F10)"), icon="assignment",
    link=reverse_lazy("admin:satisfaction_surveyform_changelist"), order=20,
    permission="satisfaction.view_surveyform",
)
sidebar_entry(
    "satisfaction", gettext_lazy("Satisfaction analysis"), icon="monitoring",
    link=reverse_lazy("satisfaction:analysis"), order=30, permission="satisfaction.view_surveyround",
)
