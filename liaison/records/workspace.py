"""What the records app puts in the workspace: retention and the audit trail in the sidebar."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from liaison.core.workspace import sidebar_entry

sidebar_entry(
    "organisation", _("Records retention"), icon="inventory", link=reverse_lazy("records:overview"), order=40,
    permission="records.view_retentionpolicy",
)
sidebar_entry(
    "organisation", _("Audit trail"), icon="manage_search", link=reverse_lazy("records:audit"), order=50,
    permission="records.audit_history",
)
