"""Workshop pages (R-3.2): a workshop's notices, overdue first, and one notice with its chain.

A workshop lead sees only their own workshop's notices (``rules``); Sales and the other
readers see every workshop's. Start and complete are steps of the notice page
(``core.pages``), calling the same services as the API.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from liaison.core.models import Department
from liaison.core.pages import RecordPage, page_context, require_page, show_refused
from liaison.core.roles import allowed
from liaison.core.states import DepartmentKind
from liaison.production import selectors, services
from liaison.production.errors import ACTIONS
from liaison.production.forms import CompleteForm, StartForm
from liaison.production.models import ProductionNotice
from liaison.production.rules import VIEW, sees_every_notice
from liaison.production.states import NOTICE_TRANSITIONS


def _visible_notice(request, pk: int) -> ProductionNotice:
    try:
        notice = selectors.notice_get(pk=pk)
    except ProductionNotice.DoesNotExist:
        raise Http404 from None
    require_page(request.user, VIEW, notice)
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
    context = page_context(
        request,
        title=_("Production notices"),
        opts=ProductionNotice._meta,
        notices=notices,
        sees_all=sees_all,
        workshops=workshops,
        workshop=workshop,
        include_void=include_void,
        own_workshop=None if sees_all else request.user.department,
    )
    return render(request, "production/notice_list.html", context)


def _render_notice(request, notice: ProductionNotice, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    may_progress = allowed(request.user, ACTIONS["progress"], notice)
    can = show_refused(
        {
            "start": may_progress and NOTICE_TRANSITIONS.allows(notice, "start"),
            "complete": may_progress and NOTICE_TRANSITIONS.allows(notice, "complete"),
        },
        bound,
    )
    context = page_context(
        request,
        title=_("Production notice %(number)s") % {"number": notice.number},
        opts=ProductionNotice._meta,
        notice=notice,
        # Selected with the notice; a missing reverse one-to-one is an AttributeError.
        predecessor=getattr(notice, "supersedes", None),
        can_start=can["start"],
        can_complete=can["complete"],
        start_form=bound.get("start") or StartForm(prefix="start"),
        complete_form=bound.get("complete") or CompleteForm(prefix="complete"),
        can_view_order=request.user.has_perm("orders.view_order"),
    )
    return render(request, "production/notice_detail.html", context, status=status)


notice_page = RecordPage(
    load=lambda request, pk: _visible_notice(request, pk),
    render=_render_notice,
    url=lambda notice: notice.get_absolute_url(),
    permission=VIEW,
)
notice_detail = notice_page.view("One notice: lines, due date, lateness, status, void information and its chain.")


@notice_page.step("start", form=StartForm, actions=[ACTIONS["progress"]])
def notice_start(request, notice, form):
    """The workshop starts production, with a progress note (R-3.2)."""
    services.notice_start(notice=notice, note=form.cleaned_data["note"], actor=request.user)
    return _("Production of %(number)s has started.") % {"number": notice.number}


@notice_page.step("complete", form=CompleteForm, actions=[ACTIONS["progress"]])
def notice_complete(request, notice, form):
    """The workshop has made everything on the notice; the goods go into qualified stock (R-3.2)."""
    services.notice_complete(notice=notice, actor=request.user)
    return _("Notice %(number)s is completed.") % {"number": notice.number}
