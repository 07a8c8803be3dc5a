"""Records pages: the retention overview (R-5.7)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.core.pages import page_context
from liaison.records import selectors
from liaison.records.models import RetentionPolicy


@login_required
@permission_required("records.view_retentionpolicy", raise_exception=True)
def overview(request):
    """Per record type: owner, period, counts, what is due this month, holds and the next disposal."""
    context = page_context(
        request,
        title=_("Records retention"),
        opts=RetentionPolicy._meta,
        rows=selectors.overview(),
        last_entries=list(selectors.disposal_log()[:10]),
    )
    return render(request, "records/overview.html", context)
