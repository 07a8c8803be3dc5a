"""Pages of the workspace: my inbox."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.core.pages import page_context
from liaison.workspace.inbox import inbox_cached


@login_required
def inbox(request):
    """My inbox: what waits on me, overdue first (the most urgent of each kind, then "and K more")."""
    inbox = inbox_cached(request)
    context = page_context(request, title=_("My inbox"), items=inbox.items, more=inbox.more)
    return render(request, "workspace/inbox.html", context)
