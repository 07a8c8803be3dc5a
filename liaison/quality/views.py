"""Quality pages: register a complaint or return; the complaint page (F6) and the CAPA page (F7) with their steps.

Each step posts to its own small view: it calls one service and redirects back to the
page with a message, or, when the service refuses, shows the page again with the
error on that form and everything the clerk typed still in it. A refusal because of
the user's role or department comes back the same way, with status 403.
"""

from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.forms import plain_quantity
from liaison.orders import selectors as order_selectors
from liaison.quality import capa, capa_selectors, forms, selectors, services
from liaison.quality.models import CapaRequest, Complaint
from liaison.quality.states import (
    COMPLAINT_INSPECTABLE,
    COMPLAINT_TRANSITIONS,
    CapaStatus,
    CapaStepMeaning,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
)
from liaison.stock.selectors import stock_for_products

REPLACE_PERMS = ("production.issue_productionnotice", "stock.add_outboundslip")


def _pdf_url(name: str, pk: int) -> str:
    """The printed form's address, once the documents app serves it."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def _failed(request) -> None:
    messages.error(request, _("Nothing was saved; see the form marked below."))


# --- registering a complaint or a return (R-5.5.1.1, R-5.5.2.1) ------------------------------


def _register_initial(request) -> tuple[dict, object]:
    """Prefill from ``?document=`` (a catalogued fax or scan) or ``?customer=``."""
    customer = None
    initial: dict = {}
    document_pk = request.GET.get("document", "")
    customer_pk = request.GET.get("customer", "")
    if document_pk.isdigit():
        document = order_selectors.order_document(pk=int(document_pk))
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
        customer = order_selectors.customer_choices().filter(pk=int(customer_pk)).first()
        if customer is not None:
            initial["customer"] = customer.pk
    if request.GET.get("kind") in ComplaintKind.values:
        initial["kind"] = request.GET["kind"]
    return initial, customer


@login_required
@permission_required("quality.add_complaint", raise_exception=True)
def complaint_register(request):
    """Register a complaint or a return on F6 however it arrived, and start its timers (R-5.5.1.1)."""
    if request.method == "POST":
        form = forms.ComplaintRegisterForm(request.POST)
        lines = forms.return_line_formset(request.POST)
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_register(
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
                    forms.add_service_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(kind)s %(number)s is registered; acknowledge it to pass it to QC.")
                    % {"kind": complaint.get_kind_display(), "number": complaint.number},
                )
                return redirect(complaint.get_absolute_url())
        _failed(request)
    else:
        initial, customer = _register_initial(request)
        form = forms.ComplaintRegisterForm(initial=initial, customer=customer)
        lines = forms.return_line_formset()
    context = {
        **admin.site.each_context(request),
        "title": _("Register a complaint or return"),
        "opts": Complaint._meta,
        "form": form,
        "lines": lines,
    }
    return render(request, "quality/complaint_register.html", context)


@require_GET
@login_required
@permission_required("quality.add_complaint", raise_exception=True)
def complaint_register_orders(request):
    """The order field for the chosen customer (swapped in by htmx)."""
    customer_pk = request.GET.get("customer", "")
    customer = (
        order_selectors.customer_choices().filter(pk=int(customer_pk)).first() if customer_pk.isdigit() else None
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
    needed = [line for line in page.return_lines if line.inspected_at and line.replacement_needed > 0]
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
    workshops = order_selectors.workshop_list() if replacement and not replacement["arranged"] else []
    inspectable = state in COMPLAINT_INSPECTABLE

    def perm(*names) -> bool:
        return all(user.has_perm(name) for name in names)

    open_capas = [item for item in page.capas if item.status != CapaStatus.CLOSED]
    waiting_for_capa = bool(
        state == ComplaintStatus.INVESTIGATED and complaint.company_at_fault and (not page.capas or open_capas)
    )
    can = {
        "acknowledge": state == ComplaintStatus.REGISTERED and perm("quality.acknowledge_complaint"),
        "investigate": state == ComplaintStatus.ACKNOWLEDGED and perm("quality.investigate_complaint"),
        "capa": state == ComplaintStatus.INVESTIGATED
        and complaint.company_at_fault is True
        and perm(capa.ISSUE),
        "inspect": is_return and inspectable and perm("quality.change_returnline"),
        "dispose": perm("quality.dispose_nonconformancerecord"),
        "replace": bool(replacement)
        and bool(replacement["plan"])
        and not replacement["arranged"]
        and state != ComplaintStatus.VOID
        and perm(*REPLACE_PERMS),
        "result": state == ComplaintStatus.INVESTIGATED
        and not waiting_for_capa
        and not (is_return and any(line.inspected_at is None for line in page.return_lines))
        and perm("quality.investigate_complaint"),
        "feedback": state == ComplaintStatus.RESULT_RECORDED and perm("quality.feedback_complaint"),
        # Feeding back closes the complaint; a close asked for on its own only ever refuses, so it is
        # not offered (the route stays, as in the API, and shows that refusal).
        "close": False,
        # A complaint registered in error is voided by the Sales head, before QC investigates it.
        "void": state in COMPLAINT_TRANSITIONS["void"].source and perm("quality.void_complaint"),
    }
    # A form that came back refused is shown whatever the user may do, with its error.
    for key in bound:
        can[key if isinstance(key, str) else key[0]] = True
    unbound = {
        "acknowledge": lambda: forms.AcknowledgeForm(prefix="acknowledge"),
        "investigate": lambda: forms.InvestigateForm(prefix="investigate"),
        "capa": lambda: forms.CapaIssueForm(
            prefix="capa", initial={"problem": f"{complaint.number}: {complaint.root_cause or complaint.content}"}
        ),
        "replace": lambda: forms.ReplaceForm(prefix="replace", workshops=workshops),
        "result": lambda: forms.ResultForm(prefix="result"),
        "feedback": lambda: forms.FeedBackForm(prefix="feedback", initial={"channel": complaint.channel}),
        "close": lambda: forms.CloseForm(prefix="close"),
        "void": lambda: forms.VoidForm(prefix="void"),
    }
    action_forms = {
        f"{key}_form": bound.get(key) or build() for key, build in unbound.items() if can[key]
    }
    for line in page.return_lines:
        line.inspect_form = None
        if line.inspected_at is None and can["inspect"]:
            line.inspect_form = bound.get(("inspect", line.pk)) or forms.InspectForm(
                prefix=f"inspect-{line.pk}",
                initial={"line": line.pk, "arrived": plain_quantity(line.quantity), "replacement_needed": 0},
            )
    for record in page.nonconformances:
        record.dispose_form = None
        if not record.disposition and can["dispose"]:
            record.dispose_form = bound.get(("dispose", record.pk)) or forms.DisposeForm(
                prefix=f"dispose-{record.pk}", initial={"record": record.pk}
            )
    context = {
        **admin.site.each_context(request),
        "title": _("%(kind)s %(number)s") % {"kind": complaint.get_kind_display(), "number": complaint.number},
        "opts": Complaint._meta,
        "page": page,
        "complaint": complaint,
        "can": can,
        **action_forms,
        "replacement": replacement,
        "open_capas": open_capas,
        "today": clock.today(),
        "waiting_for_capa": waiting_for_capa,
        "lines_not_inspected": [line for line in page.return_lines if line.inspected_at is None],
        "pdf_f6": _pdf_url("documents:f6", complaint.pk),
        "history_url": reverse("admin:quality_complaint_history", args=[complaint.pk]),
        "list_url": reverse("admin:quality_complaint_changelist"),
    }
    return render(request, "quality/complaint_detail.html", context, status=status)


@login_required
@permission_required("quality.view_complaint", raise_exception=True)
def complaint_detail(request, pk: int):
    """One complaint or return: timers, investigation, CAPAs, goods, NCRs, replacement, result, feedback."""
    return _render_complaint(request, _complaint_page(pk))


def _complaint_step(key: str, anchor: str):
    """Wrap ``run(request, page, form) -> message`` as the POST view of one step of the complaint page.

    ``run.build(request, page, **kwargs) -> (form, bound key)`` makes the bound form.
    """

    def decorate(run):
        @require_POST
        @login_required
        @permission_required("quality.view_complaint", raise_exception=True)
        def view(request, pk: int, **kwargs):
            page = _complaint_page(pk)
            form, bound_key = run.build(request, page, **kwargs)
            status = 200
            if form.is_valid():
                try:
                    message = run(request, page, form)
                except LiaisonError as error:
                    forms.add_service_error(form, error)
                    status = 403 if error.forbidden else 200
                else:
                    messages.success(request, message)
                    return redirect(f"{page.complaint.get_absolute_url()}#{anchor}")
            _failed(request)
            return _render_complaint(request, page, {bound_key: form}, status=status)

        view.__name__ = view.__qualname__ = f"complaint_{key}"
        view.__doc__ = run.__doc__
        return view

    return decorate


def _plain(form_class, key: str, **extra):
    def build(request, page, **kwargs):
        return form_class(request.POST, prefix=key, **{name: value(page) for name, value in extra.items()}), key

    return build


def _acknowledge(request, page, form):
    """Sales acknowledges the complaint and passes it to QC (R-5.5.1.1)."""
    services.complaint_acknowledge(complaint=page.complaint, actor=request.user)
    return _("%(number)s is acknowledged and passed to QC.") % {"number": page.complaint.number}


_acknowledge.build = _plain(forms.AcknowledgeForm, "acknowledge")
complaint_acknowledge = _complaint_step("acknowledge", "investigation")(_acknowledge)


def _investigate(request, page, form):
    """QC records the cause: 6M, the 5-why chain, root cause, containment, at fault or not (R-5.5.1.2)."""
    data = form.cleaned_data
    fault = data["company_at_fault"]
    services.complaint_investigate(
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


_investigate.build = _plain(forms.InvestigateForm, "investigate")
complaint_investigate = _complaint_step("investigate", "investigation")(_investigate)


def _capa(request, page, form):
    """QC issues a CAPA request (F7) for the complaint to the responsible department (R-5.5.1.2)."""
    data = form.cleaned_data
    issued = capa.capa_issue(
        source=page.complaint,
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


_capa.build = _plain(forms.CapaIssueForm, "capa")
complaint_capa = _complaint_step("capa", "capas")(_capa)


def _inspect_build(request, page, *, line_pk: int):
    line = next((line for line in page.return_lines if line.pk == line_pk), None)
    if line is None:
        raise Http404
    form = forms.InspectForm(request.POST, prefix=f"inspect-{line_pk}")
    form.item = line
    return form, ("inspect", line_pk)


def _inspect(request, page, form):
    """QC inspects one returned line: good back to stock, nonconforming to an NCR (R-5.5.2.2)."""
    data = form.cleaned_data
    line = services.return_inspect(
        return_line=form.item,
        arrived=data["arrived"],
        good=data["good"],
        nonconforming=data["nonconforming"],
        replacement_needed=data["replacement_needed"] or 0,
        nonconformity=data["nonconformity"],
        actor=request.user,
    )
    return _("The returned %(product)s is inspected.") % {"product": line.product}


_inspect.build = _inspect_build
complaint_inspect = _complaint_step("inspect", "return-lines")(_inspect)


def _dispose_build(request, page, *, record_pk: int):
    record = next((record for record in page.nonconformances if record.pk == record_pk), None)
    if record is None:
        raise Http404
    form = forms.DisposeForm(request.POST, prefix=f"dispose-{record_pk}")
    form.item = record
    return form, ("dispose", record_pk)


def _dispose(request, page, form):
    """QC decides the disposition of nonconforming goods: rework, scrap, concession, return to supplier."""
    data = form.cleaned_data
    record = services.nonconformance_dispose(
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


_dispose.build = _dispose_build
complaint_dispose = _complaint_step("dispose", "nonconformances")(_dispose)


def _replace(request, page, form):
    """Replace the returned goods: a 補貨 slip from stock, a 補貨 notice for the shortfall (R-5.5.2.3)."""
    data = form.cleaned_data
    slip, notice = services.return_replace(
        complaint=page.complaint, workshop=data["workshop"], due_date=data["due_date"], actor=request.user
    )
    done = [number for number in (slip and slip.number, notice and notice.number) if number]
    return _("The replacement is arranged: %(documents)s.") % {"documents": ", ".join(done)}


_replace.build = _plain(forms.ReplaceForm, "replace", workshops=lambda page: order_selectors.workshop_list())
complaint_replace = _complaint_step("replace", "replacement")(_replace)


def _result(request, page, form):
    """QC records the handling result on F6 (R-5.5.1.2)."""
    services.complaint_record_result(complaint=page.complaint, result=form.cleaned_data["result"], actor=request.user)
    return _("The result of %(number)s is recorded; feed it back to the customer.") % {"number": page.complaint.number}


_result.build = _plain(forms.ResultForm, "result")
complaint_result = _complaint_step("result", "result")(_result)


def _feedback(request, page, form):
    """QC feeds the result back to the customer (F5); the complaint closes (R-5.5.1.3)."""
    services.complaint_feed_back(
        complaint=page.complaint,
        channel=form.cleaned_data["channel"],
        summary=form.feedback_text(),
        actor=request.user,
    )
    return _("The result is fed back to the customer and %(number)s is closed.") % {"number": page.complaint.number}


_feedback.build = _plain(forms.FeedBackForm, "feedback")
complaint_feedback = _complaint_step("feedback", "result")(_feedback)


def _close(request, page, form):
    """Close the complaint: only once the result has been fed back (R-5.5.1.3)."""
    services.complaint_close(complaint=page.complaint, actor=request.user)
    return _("%(number)s is closed.") % {"number": page.complaint.number}


_close.build = _plain(forms.CloseForm, "close")
complaint_close = _complaint_step("close", "result")(_close)


def _void(request, page, form):
    """The Sales head voids a complaint registered in error, before QC investigates it; its number stays (R-5.7)."""
    services.complaint_void(complaint=page.complaint, reason=form.cleaned_data["reason"], actor=request.user)
    return _("%(number)s is void; its number stays in the register.") % {"number": page.complaint.number}


_void.build = _plain(forms.VoidForm, "void")
complaint_void = _complaint_step("void", "complaint-registration")(_void)


# --- the CAPA page (R-5.5.1.2, R-3.4) ------------------------------------------------------------


def _capa_get(request, pk: int) -> CapaRequest:
    queryset = capa_selectors.capa_with_steps(capa_selectors.capa_queryset())
    try:
        return capa_selectors.capa_visible_to(user=request.user, queryset=queryset).get(pk=pk)
    except CapaRequest.DoesNotExist:
        raise Http404 from None


def _reviewed_this_round(record: CapaRequest) -> bool:
    """The department already acknowledged the request since it was issued or last sent back."""
    last = [
        step.meaning
        for step in record.steps.all()
        if step.meaning in (CapaStepMeaning.ISSUED, CapaStepMeaning.RETURNED, CapaStepMeaning.REVIEWED)
    ]
    return bool(last) and last[-1] == CapaStepMeaning.REVIEWED


def _render_capa(request, record: CapaRequest, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    state = record.status
    department_may = user.has_perm(capa.IMPLEMENT, record)
    can = {
        "review": state == CapaStatus.ISSUED and department_may and not _reviewed_this_round(record),
        "implement": state == CapaStatus.ISSUED and department_may,
        "verify_execution": state == CapaStatus.IMPLEMENTED and user.has_perm(capa.VERIFY),
        "verify_effectiveness": state == CapaStatus.EXECUTION_VERIFIED and user.has_perm(capa.VERIFY),
    }
    for key in bound:
        can[key] = True
    unbound = {
        "review": lambda: forms.CapaReviewForm(prefix="review"),
        "implement": lambda: forms.CapaImplementForm(
            prefix="implement",
            initial={
                "corrective_action": record.corrective_action,
                "preventive_action": record.preventive_action,
                "implementation": record.implementation,
            },
        ),
        "verify_execution": lambda: forms.CapaVerifyExecutionForm(prefix="verify_execution"),
        "verify_effectiveness": lambda: forms.CapaVerifyEffectivenessForm(prefix="verify_effectiveness"),
    }
    source_url, source_number = "", ""
    if record.source_type_id and record.source_type.model == "complaint":
        source_number = selectors.complaint_number(pk=record.source_id)
        if request.user.has_perm("quality.view_complaint"):  # a workshop lead sees the number, not a dead link
            source_url = reverse("quality:complaint", args=[record.source_id])
    context = {
        **admin.site.each_context(request),
        "title": _("CAPA request %(number)s") % {"number": record.number},
        "opts": CapaRequest._meta,
        "capa": record,
        "can": can,
        **{f"{key}_form": bound.get(key) or build() for key, build in unbound.items() if can[key]},
        "source_url": source_url,
        "source_number": source_number,
        "pdf_f7": _pdf_url("documents:f7", record.pk),
        "history_url": reverse("admin:quality_caparequest_history", args=[record.pk]),
        "list_url": reverse("admin:quality_caparequest_changelist"),
    }
    return render(request, "quality/capa_detail.html", context, status=status)


@login_required
@permission_required("quality.view_caparequest", raise_exception=True)
def capa_detail(request, pk: int):
    """One CAPA request with its signed steps; a department member sees only their department's."""
    return _render_capa(request, _capa_get(request, pk))


def _capa_step(key: str, form_class):
    """Wrap ``run(request, record, form) -> message`` as the POST view of one step of the CAPA page."""

    def decorate(run):
        @require_POST
        @login_required
        @permission_required("quality.view_caparequest", raise_exception=True)
        def view(request, pk: int):
            record = _capa_get(request, pk)
            form = form_class(request.POST, prefix=key)
            status = 200
            if form.is_valid():
                try:
                    message = run(request, record, form)
                except LiaisonError as error:
                    forms.add_service_error(form, error)
                    status = 403 if error.forbidden else 200
                else:
                    messages.success(request, message)
                    return redirect(f"{record.get_absolute_url()}#capa-steps")
            _failed(request)
            return _render_capa(request, record, {key: form}, status=status)

        view.__name__ = view.__qualname__ = f"capa_{key}"
        view.__doc__ = run.__doc__
        return view

    return decorate


@_capa_step("review", forms.CapaReviewForm)
def capa_review(request, record, form):
    """The responsible department acknowledges the request it was issued (R-3.4)."""
    capa.capa_review(capa=record, note=form.cleaned_data["note"], actor=request.user)
    return _("%(department)s has acknowledged CAPA request %(number)s.") % {
        "department": record.department,
        "number": record.number,
    }


@_capa_step("implement", forms.CapaImplementForm)
def capa_implement(request, record, form):
    """The responsible department records its corrective and preventive action and their implementation."""
    data = form.cleaned_data
    capa.capa_implement(
        capa=record,
        corrective_action=data["corrective_action"],
        preventive_action=data["preventive_action"],
        implementation=data["implementation"],
        actor=request.user,
    )
    return _("The actions on CAPA request %(number)s are recorded; QC verifies their execution next.") % {
        "number": record.number
    }


@_capa_step("verify_execution", forms.CapaVerifyExecutionForm)
def capa_verify_execution(request, record, form):
    """QC verifies the department carried out the actions it recorded (R-5.5.1.2)."""
    capa.capa_verify_execution(capa=record, note=form.cleaned_data["note"], actor=request.user)
    return _("The execution of CAPA request %(number)s is verified.") % {"number": record.number}


@_capa_step("verify_effectiveness", forms.CapaVerifyEffectivenessForm)
def capa_verify_effectiveness(request, record, form):
    """QC judges effectiveness: effective closes; partly or not effective sends it back with a new due date."""
    data = form.cleaned_data
    result = capa.capa_verify_effectiveness(
        capa=record,
        effectiveness=data["effectiveness"],
        note=data["note"],
        new_due_date=data["new_due_date"],
        actor=request.user,
    )
    if result.status == CapaStatus.CLOSED:
        return _("CAPA request %(number)s is effective and closed.") % {"number": record.number}
    return _("CAPA request %(number)s goes back to %(department)s, due %(date)s.") % {
        "number": record.number,
        "department": record.department,
        "date": result.due_date.isoformat(),
    }
