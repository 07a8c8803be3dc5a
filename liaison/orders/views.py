"""Workflow pages of the orders app: register an order, the order page and its steps.

The order page is a ``core.pages.RecordPage``: each step (ask, answer, sign, legal,
decide, ship, notice, reply, change, agree, withdraw, apply) posts to its own small view,
which calls one service and redirects back to the order page at the step's anchor with a
message. A role the step is not for gets 403 before anything is read; when the service
refuses, the order page comes back with the error on that form and everything the clerk
typed still in it (403 when the refusal is about who the user is).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from liaison.communications.selectors import received_document_catalogued
from liaison.communications.states import CommunicationChannel, ReceivedChannel
from liaison.core.errors import LiaisonError
from liaison.core.forms import add_service_error
from liaison.core.pages import RecordPage, page_context, refusal_status, show_refused
from liaison.core.roles import allowed
from liaison.customers.selectors import customer_choices
from liaison.orders import forms, selectors, services
from liaison.orders.errors import ACTIONS
from liaison.orders.models import Order
from liaison.orders.states import ORDER_OPEN, ORDER_TRANSITIONS, ChangeKind, OrderStatus, ReviewRoundStatus
from liaison.production.errors import ACTIONS as PRODUCTION_ACTIONS
from liaison.production.rules import sees_every_notice
from liaison.production.services import notice_issue
from liaison.stock.errors import ACTIONS as STOCK_ACTIONS
from liaison.stock.selectors import product_choices
from liaison.stock.services import slip_issue

VIEW = "orders.view_order"

# What each step of the order page needs: applying a change also issues the successor notice.
STEP_ACTIONS = {
    "ask": (ACTIONS["ask"],),
    "answer": (ACTIONS["answer"],),
    "sign": (ACTIONS["sign"],),
    "legal": (ACTIONS["legal"],),
    "decide": (ACTIONS["decide"],),
    "ship": (STOCK_ACTIONS["issue"],),
    "notice": (PRODUCTION_ACTIONS["issue"],),
    "reply": (ACTIONS["reply"],),
    "change": (ACTIONS["change"],),
    "agree": (ACTIONS["agree"],),
    "withdraw": (ACTIONS["withdraw"],),
    "apply": (ACTIONS["apply"], PRODUCTION_ACTIONS["issue"]),
    # Voiding also voids the order's notices not yet started.
    "void": (ACTIONS["void"],),
}


def _may(user, step: str) -> bool:
    return all(allowed(user, action) for action in STEP_ACTIONS[step])


def _order(pk: int) -> Order:
    try:
        return selectors.order_get(pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None


def _load(request, pk: int) -> selectors.OrderPage:
    return selectors.order_page(order=_order(pk), user=request.user)


def _open_round(page: selectors.OrderPage):
    current = page.current_round
    return current if current is not None and current.status == ReviewRoundStatus.OPEN else None


# The order page


def _unbound_forms(page: selectors.OrderPage) -> dict:
    order = page.order
    first_due = min((f.line.required_date for f in page.lines if f.outstanding > 0), default=None)
    return {
        "ask_form": forms.ClarificationAskForm(prefix="ask"),
        "legal_form": forms.LegalCheckForm(prefix="legal"),
        "decide_form": forms.DecideForm(prefix="decide", objecting=_objecting(page)),
        "ship_form": forms.ShipForm(prefix="ship", lines=page.lines, initial_field="can_ship"),
        "notice_form": forms.NoticeIssueForm(
            prefix="notice",
            lines=page.lines,
            initial_field="shortfall",
            workshops=page.workshops,
            initial={"due_date": first_due, "workshop": page.workshops[0].pk if len(page.workshops) == 1 else None},
        ),
        "reply_form": forms.DeliveryReplyForm(
            prefix="reply", initial={"promised_date": order.promised_date or first_due}
        ),
        "change_form": forms.ChangeRegisterForm(prefix="change"),
        "void_form": forms.OrderVoidForm(prefix="void"),
    }


def _attach_item_forms(page: selectors.OrderPage, bound: dict, user) -> None:
    """Give each open clarification, sign-off line and change its own form (the bound one if it came back)."""
    for clarification in page.open_clarifications:
        clarification.answer_form = bound.get(("answer", clarification.pk)) or forms.ClarificationAnswerForm(
            prefix=f"answer-{clarification.pk}", initial={"clarification": clarification.pk}
        )
    open_round = _open_round(page)
    if open_round is not None:
        for sign_off in open_round.sign_offs.all():
            refused = bound.get(("sign", sign_off.pk))
            sign_off.sign_form = refused or forms.SignOffForm(
                prefix=f"sign-{sign_off.pk}", initial={"sign_off": sign_off.pk}
            )
            sign_off.may_sign = refused is not None or (
                not sign_off.is_signed and allowed(user, ACTIONS["sign"], sign_off)
            )
    for change in page.open_changes:
        refused = bound.get(("agree", change.pk))
        if refused is not None or change.kind == ChangeKind.COMPANY:
            change.agree_form = refused or forms.ChangeAgreementForm(
                prefix=f"agree-{change.pk}", initial={"change": change.pk}
            )
    for change in page.withdrawable_changes:
        change.withdraw_form = bound.get(("withdraw", change.pk)) or forms.ChangeWithdrawForm(
            prefix=f"withdraw-{change.pk}", initial={"change": change.pk}
        )
    channels = dict(CommunicationChannel.choices)
    for change in page.changes:
        change.via_label = channels.get(change.customer_agreed_via, change.customer_agreed_via)
    for change in page.agreed_changes:
        change.apply_form = bound.get(("apply", change.pk)) or forms.ChangeApplyForm(
            prefix=f"apply-{change.pk}",
            lines=page.lines if change.kind == ChangeKind.CUSTOMER else (),
            initial_field="ordered",
            initial={"change": change.pk, "due_date": change.new_due_date},
        )


def _render_page(request, page: selectors.OrderPage, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    order = page.order
    step_forms = _unbound_forms(page)
    step_forms.update({f"{key}_form": form for key, form in bound.items() if isinstance(key, str)})
    _attach_item_forms(page, bound, user)
    open_round = _open_round(page)
    accepted = order.status == OrderStatus.ACCEPTED
    is_open = order.status in ORDER_OPEN
    can = show_refused(
        {
            "ask": is_open and _may(user, "ask"),
            "answer": is_open and _may(user, "answer"),
            "legal": open_round is not None and _may(user, "legal"),
            "decide": open_round is not None and _may(user, "decide"),
            "ship": accepted and page.can_ship_any and _may(user, "ship"),
            "notice": accepted and page.shortfall_any and bool(page.workshops) and _may(user, "notice"),
            "reply": accepted and _may(user, "reply"),
            "change": accepted and not page.open_changes and not page.agreed_changes and _may(user, "change"),
            "agree": _may(user, "agree"),
            "withdraw": _may(user, "withdraw"),
            "apply": _may(user, "apply"),
            "void": ORDER_TRANSITIONS.allows(order, "void") and _may(user, "void"),
        },
        bound,
    )
    show = {
        "clarifications": user.has_perm("orders.view_clarification"),
        "changes": user.has_perm("orders.view_changeentry"),
        # The page's notices are already those the user may read (a workshop lead: their own);
        # the figures summed over every workshop's notices only for roles that see them all.
        "notices": user.has_perm("production.view_productionnotice"),
        "all_notices": user.has_perm("production.view_productionnotice") and sees_every_notice(user),
        "slips": user.has_perm("stock.view_outboundslip"),
        "stock": user.has_perm("stock.view_qualifiedstock"),
        "complaints": user.has_perm("quality.view_complaint"),
    }
    visible_kinds = {"review_round", "notice"}
    visible_kinds |= {"change"} if show["changes"] else set()
    visible_kinds |= {"slip"} if show["slips"] else set()
    context = page_context(
        request,
        title=_("Order %(number)s") % {"number": order.number},
        opts=Order._meta,
        object=order,
        order=order,
        page=page,
        open_round=open_round,
        **step_forms,
        can=can,
        show=show,
        chain=[link for link in page.chain if link.kind in visible_kinds],
        pdf={"f1": reverse("documents:f1", args=[order.pk]), "f3": reverse("documents:f3", args=[order.pk])},
        history_url=reverse("admin:orders_order_history", args=[order.pk]),
        list_url=reverse("admin:orders_order_changelist"),
    )
    return render(request, "orders/order_detail.html", context, status=status)


order_page = RecordPage(
    load=_load,
    render=_render_page,
    url=lambda page: page.order.get_absolute_url(),
    permission=VIEW,
)
order_detail = order_page.view(
    "The order page: F1, its lines and stock, clarifications, the review form (F2), F3, F4, F8."
)


def _with_open_round(page) -> dict:
    """The review form's legal check and decision need an open round: 404 without one."""
    if _open_round(page) is None:
        raise Http404
    return {}


def _objecting(page) -> list:
    """The open round's signed lines that answered "cannot meet" on some point."""
    open_round = _open_round(page)
    if open_round is None:
        return []
    return [s for s in open_round.sign_offs.all() if s.is_signed and not s.all_ok]


def _decide_kwargs(page) -> dict:
    return {**_with_open_round(page), "objecting": _objecting(page)}


# Clarifications


@order_page.step(
    "ask", form=forms.ClarificationAskForm, anchor="clarifications", actions=STEP_ACTIONS["ask"]
)
def order_ask(request, page, form):
    """Record a question put to the customer (R-5.2.2.2)."""
    services.clarification_ask(
        order=page.order,
        question=form.cleaned_data["question"],
        channel=form.cleaned_data["channel"],
        actor=request.user,
    )
    return _("The question is recorded as an open clarification.")


@order_page.step(
    "answer",
    form=forms.ClarificationAnswerForm,
    anchor="clarifications",
    actions=STEP_ACTIONS["answer"],
    items=lambda page: page.open_clarifications,
    item_field="clarification",
)
def order_answer(request, page, form):
    """Record the customer's answer to an open clarification."""
    services.clarification_answer(
        clarification=form.item,
        answer=form.cleaned_data["answer"],
        channel=form.cleaned_data["channel"],
        answered_at=form.cleaned_data.get("answered_at"),
        actor=request.user,
    )
    return _("The answer is recorded; the clarification is closed.")


# The contract review form (F2)


@order_page.step(
    "sign",
    form=forms.SignOffForm,
    anchor="review",
    actions=STEP_ACTIONS["sign"],
    items=lambda page: _open_round(page).sign_offs.all() if _open_round(page) else (),
    item_field="sign_off",
)
def order_sign(request, page, form):
    """Sign one department's line of the review form."""
    data = form.cleaned_data
    services.review_sign_off(
        sign_off=form.item,
        capability_ok=data["capability_ok"],
        capacity_ok=data["capacity_ok"],
        delivery_date_ok=data["delivery_date_ok"],
        quality_ok=data["quality_ok"],
        opinion=data["opinion"],
        actor=request.user,
    )
    return _("%(department)s has signed the review.") % {"department": form.item.department}


@order_page.step(
    "legal", form=forms.LegalCheckForm, anchor="review", actions=STEP_ACTIONS["legal"], form_kwargs=_with_open_round
)
def order_legal(request, page, form):
    """Record the check against laws and regulations (R-5.1.2)."""
    services.review_legal_check(
        review_round=_open_round(page),
        passed=form.cleaned_data["passed"],
        note=form.cleaned_data["note"],
        actor=request.user,
    )
    return _("The check against laws and regulations is recorded.")


@order_page.step(
    "decide", form=forms.DecideForm, anchor="review", actions=STEP_ACTIONS["decide"], form_kwargs=_decide_kwargs
)
def order_decide(request, page, form):
    """Decide the open review round: accepted, accepted with conditions, or rejected."""
    review = _open_round(page)
    services.review_decide(
        review_round=review,
        outcome=form.cleaned_data["outcome"],
        conditions=form.cleaned_data["conditions"],
        answers=form.answers(),
        actor=request.user,
    )
    return _("Review %(review)s is decided.") % {"review": review}


# Delivering


@order_page.step(
    "ship",
    form=forms.ShipForm,
    anchor="actions",
    actions=STEP_ACTIONS["ship"],
    form_kwargs=lambda page: {"lines": page.lines},
)
def order_ship(request, page, form):
    """Ship from qualified stock on an outbound slip, F8 (R-5.2.3.2)."""
    slip = slip_issue(
        customer=page.order.customer,
        order=page.order,
        lines=[
            {"product": line.product, "quantity": quantity, "order_line": line}
            for line, quantity in form.line_quantities()
        ],
        note=form.cleaned_data["note"],
        actor=request.user,
    )
    return _("Outbound slip %(slip)s is issued.") % {"slip": slip.number}


@order_page.step(
    "notice",
    form=forms.NoticeIssueForm,
    anchor="actions",
    actions=STEP_ACTIONS["notice"],
    form_kwargs=lambda page: {"lines": page.lines, "workshops": page.workshops},
)
def order_notice(request, page, form):
    """Issue a production notice, F4, for the shortfall (R-5.2.3.3)."""
    data = form.cleaned_data
    notice = notice_issue(
        order=page.order,
        workshop=data["workshop"],
        due_date=data["due_date"],
        replenishment=data["replenishment"],
        instructions=data["instructions"],
        lines=[
            {
                "product": line.product,
                "quantity": quantity,
                "order_line": line,
                "specification": line.specification,
            }
            for line, quantity in form.line_quantities()
        ],
        actor=request.user,
    )
    return _("Production notice %(notice)s is issued to %(workshop)s.") % {
        "notice": notice.number,
        "workshop": notice.workshop,
    }


@order_page.step("reply", form=forms.DeliveryReplyForm, anchor="actions", actions=STEP_ACTIONS["reply"])
def order_reply(request, page, form):
    """Reply the delivery date to the customer (R-5.2.3.3; recorded on F5)."""
    data = form.cleaned_data
    services.order_delivery_reply(
        order=page.order,
        promised_date=data["promised_date"],
        channel=data["channel"],
        summary=data["summary"],
        actor=request.user,
    )
    return _("The delivery date %(date)s is replied to the customer.") % {"date": data["promised_date"]}


# The change register (F3)


@order_page.step("change", form=forms.ChangeRegisterForm, anchor="changes", actions=STEP_ACTIONS["change"])
def order_change(request, page, form):
    """Register a contract change: a company delay (R-5.3.1) or the customer's change (R-5.3.2)."""
    data = form.cleaned_data
    change = services.change_register(
        order=page.order,
        kind=data["kind"],
        reason_category=data["reason_category"],
        reason=data["reason"],
        change_details=data["change_details"],
        new_due_date=data["new_due_date"],
        requested_via=data["requested_via"],
        actor=request.user,
    )
    return _("Change %(change)s is registered.") % {"change": change.number}


@order_page.step(
    "agree",
    form=forms.ChangeAgreementForm,
    anchor="changes",
    actions=STEP_ACTIONS["agree"],
    items=lambda page: page.open_changes,
    item_field="change",
)
def order_agree(request, page, form):
    """Record who agreed to a company delay at the customer, when and how (R-5.3.1)."""
    data = form.cleaned_data
    services.change_record_agreement(
        change=form.item, agreed_by=data["agreed_by"], agreed_at=data["agreed_at"], via=data["via"], actor=request.user
    )
    return _("The customer's agreement to %(change)s is recorded.") % {"change": form.item.number}


@order_page.step(
    "withdraw",
    form=forms.ChangeWithdrawForm,
    anchor="changes",
    actions=STEP_ACTIONS["withdraw"],
    items=lambda page: page.withdrawable_changes,
    item_field="change",
)
def order_withdraw(request, page, form):
    """Withdraw a change not yet applied: the customer refused it, or it is no longer needed."""
    data = form.cleaned_data
    services.change_withdraw(
        change=form.item,
        reason=data["reason"],
        refused_via=data["refused_via"],
        refused_at=data.get("refused_at"),
        actor=request.user,
    )
    return _("Change %(change)s is withdrawn.") % {"change": form.item.number}


@order_page.step(
    "apply",
    form=forms.ChangeApplyForm,
    anchor="changes",
    actions=STEP_ACTIONS["apply"],
    items=lambda page: page.agreed_changes,
    item_field="change",
    form_kwargs=lambda page, change: {"lines": page.lines if change.kind == ChangeKind.CUSTOMER else ()},
)
def order_apply(request, page, form):
    """Apply an agreed change: the new notice replaces the current one, which is voided."""
    quantities = {line.pk: quantity for line, quantity in form.line_quantities()}
    issued = services.change_apply(
        change=form.item,
        due_date=form.cleaned_data.get("due_date"),
        line_quantities=quantities or None,
        actor=request.user,
    )
    if not issued:
        # say so when nothing was left to make (or a line's shortfall waits for its own notice).
        return _("Change %(change)s is applied without a new notice; check the lines' shortfall.") % {
            "change": form.item.number
        }
    return _("Change %(change)s is applied.") % {"change": form.item.number}


# Voiding (R-5.7: numbered records are voided, never deleted)


@order_page.step("void", form=forms.OrderVoidForm, anchor="f1", actions=STEP_ACTIONS["void"])
def order_void(request, page, form):
    """Void an order registered in error: the Sales head, with the reason; the number stays."""
    services.order_void(order=page.order, reason=form.cleaned_data["reason"], actor=request.user)
    return _("Order %(order)s is voided; it keeps its number.") % {"order": page.order.number}


# Registering an order


@login_required
@permission_required(ACTIONS["register"].permission, raise_exception=True)
def order_register(request):
    """Register an order in the order log (F1) and open its review form (F2) (R-5.2.2.1)."""
    status = 200
    if request.method == "POST":
        form = forms.OrderRegisterForm(request.POST)
        lines = forms.order_line_formset(request.POST)
        if form.is_valid() and lines.is_valid():
            data = form.cleaned_data
            try:
                order = services.order_register(
                    customer=data["customer"],
                    channel=data["channel"],
                    customer_po=data["customer_po"],
                    received_document=data["received_document"],
                    received_at=data["received_at"],
                    delivery_terms=data["delivery_terms"],
                    packaging=data["packaging"],
                    post_delivery=data["post_delivery"],
                    notes=data["notes"],
                    lines=lines.lines(),
                    actor=request.user,
                )
            except LiaisonError as error:
                add_service_error(form, error)
                status = refusal_status(error)
            else:
                messages.success(
                    request,
                    _("Order %(number)s is registered; its contract review is open.") % {"number": order.number},
                )
                return redirect(order.get_absolute_url())
    else:
        initial, customer = _register_initial(request)
        form = forms.OrderRegisterForm(initial=initial, customer=customer)
        lines = forms.order_line_formset()
    context = page_context(
        request,
        title=_("Register an order"),
        opts=Order._meta,
        form=form,
        lines=lines,
        products=product_choices(),
    )
    return render(request, "orders/order_register.html", context, status=status)


def _register_initial(request) -> tuple[dict, object]:
    """Prefill from ``?document=`` (a catalogued fax) or ``?customer=``."""
    customer = None
    initial: dict = {}
    document_pk = request.GET.get("document", "")
    customer_pk = request.GET.get("customer", "")
    if document_pk.isdigit():
        document = received_document_catalogued(pk=int(document_pk))
        if document is not None:
            customer = document.customer
            channel = {ReceivedChannel.FAX: "fax", ReceivedChannel.EMAIL: "email"}.get(document.channel, "written")
            initial.update(
                customer=customer.pk, received_document=document.pk, channel=channel, received_at=document.received_at
            )
    elif customer_pk.isdigit():
        customer = customer_choices().filter(pk=int(customer_pk)).first()
        if customer is not None:
            initial["customer"] = customer.pk
    return initial, customer


@require_GET
@login_required
@permission_required(ACTIONS["register"].permission, raise_exception=True)
def order_register_documents(request):
    """The received-document field for the chosen customer (swapped in by htmx)."""
    customer_pk = request.GET.get("customer", "")
    customer = customer_choices().filter(pk=int(customer_pk)).first() if customer_pk.isdigit() else None
    form = forms.OrderRegisterForm(customer=customer)
    return render(request, "orders/_document_field.html", {"field": form["received_document"]})


# Lists


@login_required
@permission_required(VIEW, raise_exception=True)
def order_list(request):
    """The order log lives in the back office's list, with its search, filters and Excel export."""
    target = reverse("admin:orders_order_changelist")
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{target}?{query}" if query else target)
