"""What the communications app puts in the workspace: its sidebar entries."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from liaison.core.workspace import sidebar_entry, sidebar_group

sidebar_group("communications", _("Communications"), order=70)
sidebar_entry(
    "communications", _("Received documents"), icon="fax",
    link=reverse_lazy("admin:communications_receiveddocument_changelist"), order=10,
    permission="communications.view_receiveddocument",
)
sidebar_entry(
    "communications", _("Communication record (F5)"), icon="forum",
    link=reverse_lazy("admin:communications_communicationrecord_changelist"), order=20,
    permission="communications.view_communicationrecord",
)
