"""The dashboard, the back office's landing page: who I am, each area's figures and charts, what happened, my inbox."""

from liaison.core.roles import Role, user_roles
from liaison.core.workspace import cards_for, panels_for
from liaison.customers.selectors import timeline_recent
from liaison.workspace.inbox import inbox_cached

INBOX_ON_DASHBOARD = 8
RECENT_EVENTS = 8


def dashboard_callback(request, context: dict) -> dict:
    """Fill the dashboard for the signed-in user (unfold's ``DASHBOARD_CALLBACK``)."""
    user = request.user
    # The sidebar badge computes the same inbox in this request; compute it once.
    inbox = inbox_cached(request)
    context.update(
        {
            "liaison_inbox": inbox.items[:INBOX_ON_DASHBOARD],
            "liaison_inbox_more": max(0, inbox.total - INBOX_ON_DASHBOARD),
            "liaison_roles": [Role(code).label for code in sorted(user_roles(user)) if code in Role.values],
            "liaison_cards": cards_for(user),
            "liaison_panels": panels_for(user),
            "liaison_recent": timeline_recent(limit=RECENT_EVENTS) if user.has_perm("customers.view_timelineentry") else [],
        }
    )
    return context
