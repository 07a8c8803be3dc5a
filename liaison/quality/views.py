"""Quality pages: one complaint or return (F6) with its goods, NCRs and CAPAs; one CAPA request (F7).

Read-only for now: the steps are taken through the API and the services behind it.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.quality import capa_selectors, selectors
from liaison.quality.models import CapaRequest, Complaint


@login_required
@permission_required("quality.view_complaint", raise_exception=True)
def complaint_detail(request, pk: int):
    """One complaint or return: timers, investigation, result, feedback, goods, NCRs and CAPAs."""
    try:
        page = selectors.complaint_page(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404 from None
    context = {
        **admin.site.each_context(request),
        "title": _("Complaint %(number)s") % {"number": page.complaint.number},
        "opts": Complaint._meta,
        "page": page,
        "complaint": page.complaint,
    }
    return render(request, "quality/complaint_detail.html", context)


@login_required
@permission_required("quality.view_caparequest", raise_exception=True)
def capa_detail(request, pk: int):
    """One CAPA request with its signed steps; a department member sees only their department's."""
    queryset = capa_selectors.capa_with_steps(capa_selectors.capa_queryset())
    try:
        capa = capa_selectors.capa_visible_to(user=request.user, queryset=queryset).get(pk=pk)
    except CapaRequest.DoesNotExist:
        raise Http404 from None
    context = {
        **admin.site.each_context(request),
        "title": _("CAPA request %(number)s") % {"number": capa.number},
        "opts": CapaRequest._meta,
        "capa": capa,
    }
    return render(request, "quality/capa_detail.html", context)
