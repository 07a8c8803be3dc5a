"""The back office's sidebar: each area's entries (``<app>/workspace.py``), grouped and filtered by role."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from liaison.core.workspace import sidebar_entry, sidebar_group, sidebar_layout

sidebar_group("overview", _("Overview"), order=0)
sidebar_entry("overview", _("Dashboard"), icon="dashboard", link=reverse_lazy("admin:index"), order=10)
sidebar_entry(
    "orders", _("My inbox"), icon="inbox", link=reverse_lazy("workspace:inbox"), order=0,
    badge="liaison.workspace.inbox.inbox_badge",
)
sidebar_group("organisation", _("Organisation"), order=90)
sidebar_entry(
    "organisation", _("Departments"), icon="corporate_fare", link=reverse_lazy("admin:core_department_changelist"),
    order=10, permission="core.view_department",
)
sidebar_entry(
    "organisation", _("Users"), icon="person", link=reverse_lazy("admin:core_user_changelist"), order=20,
    permission="core.view_user",
)
sidebar_entry(
    "organisation", _("Roles"), icon="group", link=reverse_lazy("admin:auth_group_changelist"), order=30,
    permission="auth.view_group",
)
sidebar_entry("organisation", _("API documentation"), icon="api", link=reverse_lazy("api-docs"), order=90)


def _check(permission):
    if permission is None or callable(permission):
        return permission
    return lambda request: request.user.has_perm(permission)


def sidebar(request) -> list[dict]:
    """The sidebar as unfold draws it; unfold hides the items whose permission check fails."""
    groups = []
    for group, entries in sidebar_layout():
        items = []
        for entry in entries:
            item = {"title": entry.title, "icon": entry.icon, "link": entry.link}
            if entry.permission is not None:
                item["permission"] = _check(entry.permission)
            if entry.badge is not None:
                item["badge"] = entry.badge
            items.append(item)
        groups.append({"title": group.title, "items": items, "separator": True, "collapsible": False})
    return groups
