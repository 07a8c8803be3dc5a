"""Complaint pages: register a complaint or return; the complaint page (F6) with its steps.

Each step posts to its own small view (``core.pages``): it calls one service and
redirects back to the page with a message, or, when the service refuses, shows the
page again with the error on that form and everything the clerk typed still in it
(403 when the refusal is about the user's role or department). A role the step is
not for is refused with 403 before anything is read. The CAPA page (F7) is in
``capa/views.py``, QC's report in ``report/views.py``.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liaison.communications.selectors import received_document_catalogued
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.forms import plain_quantity
from liaison.core.pages import RecordPage, nothing_saved, page_context, refusal_status, show_refused
from liaison.core.quantities import format_quantity
from liaison.core.roles import allowed
from liaison.core.selectors import workshop_list
from liaison.customers.selectors import customer_choices
from liaison.quality import forms, selectors
from liaison.quality.capa.errors import ACTIONS as CAPA_ACTIONS
from liaison.quality.capa.forms import CapaIssueForm
from liaison.quality.capa.services import capa_issue
from liaison.quality.errors import ACTIONS
from liaison.quality.models import Complaint
from liaison.quality.services import complaints, returns
from liaison.quality.states import (
    CAPA_OPEN,
    COMPLAINT_INSPECTABLE,
    COMPLAINT_PREVENTIVE_CAPA,
    COMPLAINT_TRANSITIONS,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
)
from liaison.stock.selectors import stock_for_products

VIEW = "quality.view_complaint"

# --- registering a complaint or a return (R-5.5.1.1, R-5.5.2.1) ------------------------------


def _register_initial(request) -> tuple[dict, object]:
    """Prefill from ``?document=`` (a catalogued fax or scan) or ``?customer=``."""
    customer = None
    initial: dict = {}
    document_pk = request.GET.get("document", "")
    customer_pk = request.GET.get("customer", "")
    if document_pk.isdigit():
        document = received_document_catalogued(pk=int(document_pk))
        if document is not None:
            customer = document.customer
            channel = document.channel if document.channel in ComplaintChannel.values else ComplaintChannel.LETTER
            initial.update(
                customer=customer.pk,
                channel=channel,
                complaint_date=document.received_at.date(),
                content=f"{document.number}: {document.summary}" if document.summary else document.number,
            )
    elif customer_pk.isdigit():
        customer = customer_choices().filter(pk=int(customer_pk)).first()
        if customer is not None:
            initial["customer"] = customer.pk
    if request.GET.get("kind") in ComplaintKind.values:
        initial["kind"] = request.GET["kind"]
    return initial, customer


@login_required
@permission_required(ACTIONS["register"].permission, raise_exception=True)
def complaint_register(request):
    """Register a complaint or a return on F6 however it arrived, and start its timers (R-5.5.1.1)."""
    status = 200
    if request.method == "POST":
        form = forms.ComplaintRegisterForm(request.POST)
        lines = forms.return_line_formset(request.POST)
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                complaint = complaints.complaint_register(
                    customer=data["customer"],
                    kind=data["kind"],
                    channel=data["channel"],
                    complaint_date=data["complaint_date"],
                    content=data["content"],
                    order=data["order"],
                    product=data["product"],
                    lot=data["lot"],
                    requested_remedy=data["requested_remedy"],
                    return_lines=lines.lines() if data["kind"] == ComplaintKind.RETURN else (),
                    actor=request.user,
                )
            except LiaisonError as error:
                if not (error.field == "return_lines" and lines.add_service_error(error)):
                    form.add_service_error(error)
                status = refusal_status(error)
            else:
                messages.success(
                    request,
                    _("%(kind)s %(number)s is registered; acknowledge it to pass it to QC.")
                    % {"kind": complaint.get_kind_display(), "number": complaint.number},
                )
                return redirect(complaint.get_absolute_url())
        nothing_saved(request)
    else:
        initial, customer = _register_initial(request)
        form = forms.ComplaintRegisterForm(initial=initial, customer=customer)
        lines = forms.return_line_formset()
    context = page_context(
        request, title=_("Register a complaint or return"), opts=Complaint._meta, form=form, lines=lines
    )
    return render(request, "quality/complaint_register.html", context, status=status)


@require_GET
@login_required
@permission_required(ACTIONS["register"].permission, raise_exception=True)
def complaint_register_orders(request):
    """The order field for the chosen customer (swapped in by htmx)."""
    customer_pk = request.GET.get("customer", "")
    customer = (
        customer_choices().filter(pk=int(customer_pk)).first() if customer_pk.isdigit() else None
    )
    form = forms.ComplaintRegisterForm(customer=customer)
    return render(request, "quality/_order_field.html", {"field": form["order"]})


# --- the complaint page ------------------------------------------------------------------------


def _complaint_page(pk: int) -> selectors.ComplaintPage:
    try:
        return selectors.complaint_page(pk=pk)
    except Complaint.DoesNotExist:
        raise Http404 from None


def _replacement(page: selectors.ComplaintPage) -> dict | None:
    """What replacing a return's goods would take now: from stock, to make, and what was issued."""
    complaint = page.complaint
    if complaint.kind != ComplaintKind.RETURN:
        return None
    slips, notices = selectors.replacement_documents(complaint=complaint)
    needed = [line for line in page.return_lines if line.replacement_needed > 0]
    stock = stock_for_products(product_ids={line.product_id for line in needed}) if needed else {}
    plan, left = [], dict(stock)
    for line in needed:
        from_stock = min(max(left.get(line.product_id, Decimal(0)), Decimal(0)), line.replacement_needed)
        left[line.product_id] = left.get(line.product_id, Decimal(0)) - from_stock
        plan.append(
            {
                "line": line,
                "stock": stock.get(line.product_id, Decimal(0)),
                "from_stock": from_stock,
                "to_make": line.replacement_needed - from_stock,
            }
        )
    return {
        "slips": slips,
        "notices": notices,
        "plan": plan,
        "short": any(row["to_make"] > 0 for row in plan),
        "arranged": bool(slips or notices),
    }


def _render_complaint(request, page: selectors.ComplaintPage, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    complaint = page.complaint
    state = complaint.status
    is_return = complaint.kind == ComplaintKind.RETURN
    replacement = _replacement(page)
    workshops = workshop_list() if replacement and not replacement["arranged"] else []

    def may(*steps) -> bool:
        return all(allowed(user, ACTIONS[step]) for step in steps)

    open_capas = [item for item in page.capas if item.status in CAPA_OPEN]
    waiting_for_capa = bool(
        state == ComplaintStatus.INVESTIGATED and complaint.company_at_fault and (not page.capas or open_capas)
    )
    can = show_refused(
        {
            "acknowledge": COMPLAINT_TRANSITIONS.allows(complaint, "acknowledge") and may("acknowledge"),
            "investigate": COMPLAINT_TRANSITIONS.allows(complaint, "investigate") and may("investigate"),
            # Corrective while the result waits for it (at fault); preventive once no fault was found (R-5.5.1.2).
            "capa": (
                (state == ComplaintStatus.INVESTIGATED and complaint.company_at_fault is True)
                or (state in COMPLAINT_PREVENTIVE_CAPA and complaint.company_at_fault is False)
            )
            and allowed(user, CAPA_ACTIONS["issue"]),
            "inspect": is_return and state in COMPLAINT_INSPECTABLE and may("inspect"),
            # The rest of a line the customer will not send after all (who, why), while QC may still inspect.
            "not_coming": is_return and state in COMPLAINT_INSPECTABLE and may("not_coming"),
            "dispose": may("dispose"),
            "replace": bool(replacement)
            and bool(replacement["plan"])
            and not replacement["arranged"]
            and state != ComplaintStatus.VOID
            and may("replace_by_notice", "replace_by_slip"),
            "result": COMPLAINT_TRANSITIONS.allows(complaint, "record_result")
            and not waiting_for_capa
            and not (is_return and any(not line.settled for line in page.return_lines))
            and may("record_result"),
            # Feeding the result back closes the complaint (R-5.5.1.3).
            "feedback": COMPLAINT_TRANSITIONS.allows(complaint, "close") and may("feedback"),
            # Feeding back closes the complaint (R-5.5.1.3: no separate close); a close asked for on its own
            # is not offered (the route stays, as in the API, and says that the feedback closes it).
            "close": False,
            # A complaint registered in error is voided by the Sales head, before QC investigates it.
            "void": COMPLAINT_TRANSITIONS.allows(complaint, "void") and may("void"),
        },
        bound,
    )
    unbound = {
        "acknowledge": lambda: forms.AcknowledgeForm(prefix="acknowledge"),
        "investigate": lambda: forms.InvestigateForm(prefix="investigate"),
        "capa": lambda: CapaIssueForm(
            prefix="capa", initial={"problem": f"{complaint.number}: {complaint.root_cause or complaint.content}"}
        ),
        "replace": lambda: forms.ReplaceForm(prefix="replace", workshops=workshops),
        "result": lambda: forms.ResultForm(prefix="result"),
        "feedback": lambda: forms.FeedBackForm(prefix="feedback", initial={"channel": complaint.channel}),
        "close": lambda: forms.CloseForm(prefix="close"),
        "void": lambda: forms.VoidForm(prefix="void"),
    }
    action_forms = {f"{key}_form": bound.get(key) or build() for key, build in unbound.items() if can[key]}
    for line in page.return_lines:
        line.inspect_form = line.not_coming_form = None
        if not line.settled and can["inspect"]:
            line.inspect_form = bound.get(("inspect", line.pk)) or forms.InspectForm(
                prefix=f"inspect-{line.pk}",
                initial={"line": line.pk, "arrived": plain_quantity(line.remaining), "replacement_needed": 0},
            )
        if not line.settled and can["not_coming"]:
            line.not_coming_form = bound.get(("not_coming", line.pk)) or forms.NotComingForm(
                prefix=f"not-coming-{line.pk}", initial={"line": line.pk}
            )
    for record in page.nonconformances:
        record.dispose_form = None
        if not record.disposition and can["dispose"]:
            record.dispose_form = bound.get(("dispose", record.pk)) or forms.DisposeForm(
                prefix=f"dispose-{record.pk}", initial={"record": record.pk}
            )
    context = page_context(
        request,
        title=_("%(kind)s %(number)s") % {"kind": complaint.get_kind_display(), "number": complaint.number},
        opts=Complaint._meta,
        page=page,
        complaint=complaint,
        can=can,
        **action_forms,
        replacement=replacement,
        open_capas=open_capas,
        capa_kind=complaint.capa_kind,
        today=clock.today(),
        waiting_for_capa=waiting_for_capa,
        lines_not_inspected=[line for line in page.return_lines if not line.settled],
        pdf_f6=reverse("documents:f6", args=[complaint.pk]),
        history_url=reverse("admin:quality_complaint_history", args=[complaint.pk]),
        list_url=reverse("admin:quality_complaint_changelist"),
    )
    return render(request, "quality/complaint_detail.html", context, status=status)


# The inspection and disposition routes name their line or record too; the step finds it from its form.
complaint_page = RecordPage(
    load=lambda request, pk, **item: _complaint_page(pk),
    render=_render_complaint,
    url=lambda page: page.complaint.get_absolute_url(),
    permission=VIEW,
)
complaint_detail = complaint_page.view(
    "One complaint or return: timers, investigation, CAPAs, goods, NCRs, replacement, result, feedback."
)


@complaint_page.step(
    "acknowledge", form=forms.AcknowledgeForm, anchor="investigation", actions=[ACTIONS["acknowledge"]]
)
def complaint_acknowledge(request, page, form):
    """Sales acknowledges the complaint and passes it to QC (R-5.5.1.1)."""
    complaints.complaint_acknowledge(complaint=page.complaint, actor=request.user)
    return _("%(number)s is acknowledged and passed to QC.") % {"number": page.complaint.number}


@complaint_page.step(
    "investigate", form=forms.InvestigateForm, anchor="investigation", actions=[ACTIONS["investigate"]]
)
def complaint_investigate(request, page, form):
    """QC records the cause: 6M, the 5-why chain, root cause, containment, at fault or not (R-5.5.1.2)."""
    data = form.cleaned_data
    fault = data["company_at_fault"]
    complaints.complaint_investigate(
        complaint=page.complaint,
        cause_category=data["cause_category"],
        why_chain=form.why_chain(),
        root_cause=data["root_cause"],
        containment=data["containment"],
        company_at_fault=fault,
        actor=request.user,
    )
    if fault:
        return _("The investigation is recorded: the company is at fault; issue a CAPA request (F7).")
    return _("The investigation is recorded: the company is not at fault; record the result.")


@complaint_page.step("capa", form=CapaIssueForm, anchor="capas", actions=[CAPA_ACTIONS["issue"]])
def complaint_capa(request, page, form):
    """QC issues a CAPA request (F7) for the complaint to the responsible department (R-5.5.1.2)."""
    data = form.cleaned_data
    issued = capa_issue(
        source=page.complaint,
        kind=page.complaint.capa_kind,
        department=data["department"],
        problem=data["problem"],
        effectiveness_criterion=data["effectiveness_criterion"],
        due_date=data["due_date"],
        effectiveness_check_date=data["effectiveness_check_date"],
        actor=request.user,
    )
    return _("CAPA request %(number)s is issued to %(department)s.") % {
        "number": issued.number,
        "department": issued.department,
    }


@complaint_page.step(
    "inspect",
    form=forms.InspectForm,
    anchor="return-lines",
    actions=[ACTIONS["inspect"]],
    items=lambda page: page.return_lines,
    item_field="line",
)
def complaint_inspect(request, page, form):
    """QC inspects what arrived of one returned line, all of it: good back to stock, nonconforming to an NCR."""
    data = form.cleaned_data
    line = returns.return_inspect(
        return_line=form.item,
        arrived=data["arrived"],
        good=data["good"],
        nonconforming=data["nonconforming"],
        replacement_needed=data["replacement_needed"] or 0,
        nonconformity=data["nonconformity"],
        actor=request.user,
    )
    if line.settled:
        return _("The returned %(product)s is inspected.") % {"product": line.product}
    return _("The inspection of %(product)s is recorded; %(remaining)s %(unit)s still to inspect.") % {
        "product": line.product,
        "remaining": format_quantity(line.remaining),
        "unit": line.product.unit,
    }


@complaint_page.step(
    "not_coming",
    form=forms.NotComingForm,
    prefix="not-coming",
    anchor="return-lines",
    actions=[ACTIONS["not_coming"]],
    items=lambda page: page.return_lines,
    item_field="line",
)
def complaint_not_coming(request, page, form):
    """The rest of a returned line will not arrive: who records it and why (R-5.5.2.2)."""
    line = returns.return_rest_not_coming(
        return_line=form.item, reason=form.cleaned_data["reason"], actor=request.user
    )
    return _("%(quantity)s %(unit)s of %(product)s are recorded as not coming.") % {
        "quantity": format_quantity(line.not_coming),
        "unit": line.product.unit,
        "product": line.product,
    }


@complaint_page.step(
    "dispose",
    form=forms.DisposeForm,
    anchor="nonconformances",
    actions=[ACTIONS["dispose"]],
    items=lambda page: page.nonconformances,
    item_field="record",
)
def complaint_dispose(request, page, form):
    """QC decides the disposition of nonconforming goods: rework, scrap, concession, return to supplier."""
    data = form.cleaned_data
    record = returns.nonconformance_dispose(
        record=form.item,
        disposition=data["disposition"],
        note=data["note"],
        concession_authorised_by=data["concession_authorised_by"],
        actor=request.user,
    )
    return _("The disposition of %(number)s is recorded: %(disposition)s.") % {
        "number": record.number,
        "disposition": record.get_disposition_display(),
    }


@complaint_page.step(
    "replace",
    form=forms.ReplaceForm,
    anchor="replacement",
    actions=[ACTIONS["replace_by_notice"], ACTIONS["replace_by_slip"]],
    form_kwargs=lambda page: {"workshops": workshop_list()},
)
def complaint_replace(request, page, form):
    """Replace the returned goods: a 補貨 slip from stock, a 補貨 notice for the shortfall (R-5.5.2.3)."""
    data = form.cleaned_data
    slip, notice = returns.return_replace(
        complaint=page.complaint, workshop=data["workshop"], due_date=data["due_date"], actor=request.user
    )
    done = [number for number in (slip and slip.number, notice and notice.number) if number]
    return _("The replacement is arranged: %(documents)s.") % {"documents": ", ".join(done)}


@complaint_page.step("result", form=forms.ResultForm, anchor="result", actions=[ACTIONS["record_result"]])
def complaint_result(request, page, form):
    """QC records the handling result on F6 (R-5.5.1.2)."""
    complaints.complaint_record_result(
        complaint=page.complaint, result=form.cleaned_data["result"], actor=request.user
    )
    return _("The result of %(number)s is recorded; feed it back to the customer.") % {"number": page.complaint.number}


@complaint_page.step("feedback", form=forms.FeedBackForm, anchor="result", actions=[ACTIONS["feedback"]])
def complaint_feedback(request, page, form):
    """QC feeds the result back to the customer (F5); the complaint closes (R-5.5.1.3)."""
    complaints.complaint_feed_back(
        complaint=page.complaint,
        channel=form.cleaned_data["channel"],
        summary=form.feedback_text(),
        actor=request.user,
    )
    return _("The result is fed back to the customer and %(number)s is closed.") % {"number": page.complaint.number}


@complaint_page.step("close", form=forms.CloseForm, anchor="result", actions=[ACTIONS["feedback"]])
def complaint_close(request, page, form):
    """A close asked for on its own: feeding the result back closes the complaint, and this says so (R-5.5.1.3)."""
    closed = complaints.complaint_close(complaint=page.complaint, actor=request.user)
    return _("%(number)s was closed when its result was fed back to the customer on %(when)s.") % {
        "number": closed.number,
        "when": date_format(timezone.localtime(closed.closed_at), "Y-m-d H:i"),
    }


@complaint_page.step("void", form=forms.VoidForm, anchor="complaint-registration", actions=[ACTIONS["void"]])
def complaint_void(request, page, form):
    """The Sales head voids a complaint registered in error, before QC investigates it; its number stays (R-5.7)."""
    complaints.complaint_void(complaint=page.complaint, reason=form.cleaned_data["reason"], actor=request.user)
    return _("%(number)s is void; its number stays in the register.") % {"number": page.complaint.number}
