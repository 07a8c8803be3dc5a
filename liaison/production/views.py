"""Workshop pages (R-3.2): a workshop's notices, overdue first, and one notice with its chain.

A workshop lead sees only their own workshop's notices (``rules``); Sales and the other
readers see every workshop's. Start and complete call the same services as the API.
"""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from liaison.core.errors import LiaisonError
from liaison.core.models import Department
from liaison.core.states import DepartmentKind
from liaison.production import selectors, services
from liaison.production.forms import StartForm
from liaison.production.models import ProductionNotice
from liaison.production.rules import PROGRESS, VIEW, sees_every_notice
from liaison.production.states import NoticeStatus


def _visible_notice(request, pk: int) -> ProductionNotice:
    try:
        notice = selectors.notice_get(pk=pk)
    except ProductionNotice.DoesNotExist:
        raise Http404 from None
    if not request.user.has_perm(VIEW, notice):
        raise PermissionDenied
    return notice


@login_required
@permission_required(VIEW, raise_exception=True)
def notice_list(request):
    """The notices the user may see, overdue first; void ones only on request."""
    sees_all = sees_every_notice(request.user)
    include_void = request.GET.get("void") == "1"
    workshops = []
    if sees_all:
        workshops = list(Department.objects.filter(kind=DepartmentKind.WORKSHOP).order_by("code"))
    workshop = next((w for w in workshops if str(w.pk) == request.GET.get("workshop")), None)
    notices = selectors.notice_visible_to(
        user=request.user, queryset=selectors.notice_list(workshop=workshop, include_void=include_void)
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Production notices"),
        "opts": ProductionNotice._meta,
        "notices": notices,
        "sees_all": sees_all,
        "workshops": workshops,
        "workshop": workshop,
        "include_void": include_void,
        "own_workshop": None if sees_all else request.user.department,
    }
    return render(request, "production/notice_list.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def notice_detail(request, pk: int):
    """One notice: lines, due date, lateness, status, void information and its chain."""
    notice = _visible_notice(request, pk)
    may_progress = request.user.has_perm(PROGRESS, notice)
    context = {
        **admin.site.each_context(request),
        "title": _("Production notice %(number)s") % {"number": notice.number},
        "opts": ProductionNotice._meta,
        "notice": notice,
        # Selected with the notice; a missing reverse one-to-one is an AttributeError.
        "predecessor": getattr(notice, "supersedes", None),
        "can_start": may_progress and notice.status == NoticeStatus.ISSUED,
        "can_complete": may_progress and notice.status in (NoticeStatus.ISSUED, NoticeStatus.IN_PROGRESS),
        "start_form": StartForm(),
        "can_view_order": request.user.has_perm("orders.view_order"),
    }
    return render(request, "production/notice_detail.html", context)


def _form_errors(form) -> str:
    """Each error after the label of its field, so the clerk knows which field to correct."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{capfirst(field.label or name)}: " if field is not None else ""
        parts.extend(f"{label}{error}" for error in errors)
    return " ".join(parts)


@login_required
@require_POST
def notice_start(request, pk: int):
    notice = _visible_notice(request, pk)
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(notice)
    try:
        services.notice_start(notice=notice, note=form.cleaned_data["note"], actor=request.user)
    except LiaisonError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Production of %(number)s has started.") % {"number": notice.number})
    return redirect(notice)


@login_required
@require_POST
def notice_complete(request, pk: int):
    notice = _visible_notice(request, pk)
    try:
        services.notice_complete(notice=notice, actor=request.user)
    except LiaisonError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Notice %(number)s is completed.") % {"number": notice.number})
    return redirect(notice)
