"""What the satisfaction app puts in the workspace: its sidebar entries."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from liaison.core.workspace import sidebar_entry, sidebar_group

sidebar_group("satisfaction", _("Customer satisfaction"), order=40)
sidebar_entry(
    "satisfaction", _("Survey rounds"), icon="event_repeat", link=reverse_lazy("satisfaction:rounds"), order=10,
    permission="satisfaction.view_surveyround",
)
sidebar_entry(
    "satisfaction", _("Survey forms (F10)"), icon="assignment",
    link=reverse_lazy("admin:satisfaction_surveyform_changelist"), order=20,
    permission="satisfaction.view_surveyform",
)
sidebar_entry(
    "satisfaction", _("Satisfaction analysis"), icon="monitoring", link=reverse_lazy("satisfaction:analysis"),
    order=30, permission="satisfaction.view_surveyround",
)
