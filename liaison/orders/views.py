"""Workflow pages of the orders app: register an order, the order page and its actions, my inbox.

Each action posts to its own small view: it calls one service and redirects back to
the order page with a message, or, when the service refuses, shows the order page
again with the error on that form and everything the clerk typed still in it.
"""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from liaison.communications.states import CommunicationChannel
from liaison.core.errors import LiaisonError
from liaison.core.forms import add_service_error
from liaison.orders import forms, selectors
from liaison.orders.models import Order
from liaison.orders.states import ChangeKind, OrderStatus, ReviewRoundStatus
from liaison.production.rules import sees_every_notice

# Each action: the permission it needs, the form's name in the page context, its anchor.
ACTIONS = {
    "ask": ("orders.add_clarification", "ask_form", "clarifications"),
    "answer": ("orders.change_clarification", "answer_form", "clarifications"),
    "sign": ("orders.change_reviewsignoff", "sign_form", "review"),
    "legal": ("orders.change_reviewround", "legal_form", "review"),
    "decide": ("orders.decide_reviewround", "decide_form", "review"),
    "ship": ("stock.add_outboundslip", "ship_form", "actions"),
    "notice": ("production.issue_productionnotice", "notice_form", "actions"),
    "reply": ("orders.change_order", "reply_form", "actions"),
    "change": ("orders.add_changeentry", "change_form", "changes"),
    "agree": ("orders.change_changeentry", "agree_form", "changes"),
    "withdraw": ("orders.change_changeentry", "withdraw_form", "changes"),
    "apply": ("orders.change_changeentry", "apply_form", "changes"),
}


def _order(pk: int) -> Order:
    try:
        return selectors.order_get(pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None


# The order page


def _can(user, action: str) -> bool:
    perm = ACTIONS[action][0]
    if action == "apply":
        # Applying a change issues the successor notice (R-5.3.1).
        return user.has_perms([perm, "production.issue_productionnotice"])
    return user.has_perm(perm)


def _unbound_forms(page: selectors.OrderPage) -> dict:
    order = page.order
    first_due = min((f.line.required_date for f in page.lines if f.outstanding > 0), default=None)
    return {
        "ask_form": forms.ClarificationAskForm(prefix="ask"),
        "legal_form": forms.LegalCheckForm(prefix="legal"),
        "decide_form": forms.DecideForm(prefix="decide"),
        "ship_form": forms.ShipForm(prefix="ship", lines=page.lines, initial_field="can_ship"),
        "notice_form": forms.NoticeIssueForm(
            prefix="notice",
            lines=page.lines,
            initial_field="shortfall",
            workshops=page.workshops,
            initial={"due_date": first_due, "workshop": page.workshops[0].pk if len(page.workshops) == 1 else None},
        ),
        "reply_form": forms.DeliveryReplyForm(prefix="reply", initial={"promised_date": order.promised_date or first_due}),
        "change_form": forms.ChangeRegisterForm(prefix="change"),
    }


def _attach_item_forms(page: selectors.OrderPage, bound: dict) -> None:
    """Give each open clarification, sign-off line and change its own form (the bound one if it failed)."""
    for clarification in page.open_clarifications:
        clarification.answer_form = bound.get(("answer", clarification.pk)) or forms.ClarificationAnswerForm(
            prefix=f"answer-{clarification.pk}", initial={"clarification": clarification.pk}
        )
    current = page.current_round
    if current is not None and current.status == ReviewRoundStatus.OPEN:
        for sign_off in current.sign_offs.all():
            sign_off.sign_form = bound.get(("sign", sign_off.pk)) or forms.SignOffForm(
                prefix=f"sign-{sign_off.pk}", initial={"sign_off": sign_off.pk}
            )
    for change in page.open_changes:
        if change.kind == ChangeKind.COMPANY:
            change.agree_form = bound.get(("agree", change.pk)) or forms.ChangeAgreementForm(
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
    context_forms = _unbound_forms(page)
    context_forms.update({key: form for key, form in bound.items() if isinstance(key, str)})
    _attach_item_forms(page, bound)
    current = page.current_round
    open_round = current if current is not None and current.status == ReviewRoundStatus.OPEN else None
    if open_round is not None:
        for sign_off in open_round.sign_offs.all():
            sign_off.may_sign = not sign_off.is_signed and user.has_perm("orders.sign_reviewsignoff", sign_off)
    accepted = order.status == OrderStatus.ACCEPTED
    is_open = order.status in selectors.OPEN_STATUSES
    show = {
        "clarifications": user.has_perm("orders.view_clarification"),
        "changes": user.has_perm("orders.view_changeentry"),
        # The page's notices are already those the user may read (a workshop lead: their own);
        # the figures summed over every workshop's notices only for roles that see them all.
        "notices": user.has_perm("production.view_productionnotice"),
        "all_notices": user.has_perm("production.view_productionnotice") and sees_every_notice(user),
        "slips": user.has_perm("stock.view_outboundslip"),
        "stock": user.has_perm("stock.view_qualifiedstock"),
    }
    visible_kinds = {"review_round", "notice"}
    visible_kinds |= {"change"} if show["changes"] else set()
    visible_kinds |= {"slip"} if show["slips"] else set()
    context = {
        **admin.site.each_context(request),
        "title": _("Order %(number)s") % {"number": order.number},
        "opts": Order._meta,
        "object": order,
        "order": order,
        "page": page,
        "open_round": open_round,
        **context_forms,
        "can": {
            "ask": is_open and _can(user, "ask"),
            "answer": is_open and _can(user, "answer"),
            "legal": open_round is not None and _can(user, "legal"),
            "decide": open_round is not None and _can(user, "decide"),
            "ship": accepted and page.can_ship_any and _can(user, "ship"),
            "notice": accepted and page.shortfall_any and bool(page.workshops) and _can(user, "notice"),
            "reply": accepted and _can(user, "reply"),
            "change": accepted and not page.open_changes and not page.agreed_changes and _can(user, "change"),
            "agree": _can(user, "agree"),
            "withdraw": _can(user, "withdraw"),
            "apply": _can(user, "apply"),
        },
        "show": show,
        "chain": [link for link in page.chain if link.kind in visible_kinds],
        "pdf": {"f1": reverse("documents:f1", args=[order.pk]), "f3": reverse("documents:f3", args=[order.pk])},
        "history_url": reverse("admin:orders_order_history", args=[order.pk]),
        "list_url": reverse("admin:orders_order_changelist"),
    }
    return render(request, "orders/order_detail.html", context, status=status)


@login_required
@permission_required("orders.view_order", raise_exception=True)
def order_detail(request, pk: int):
    """The order page: F1, its lines and stock, clarifications, the review form (F2), F3, F4, F8."""
    return _render_page(request, selectors.order_page(order=_order(pk), user=request.user))


def _action_view(action: str):
    """Wrap a function (request, page, data) -> success message as the POST view of one action."""

    def decorate(run):
        @require_POST
        @login_required
        def view(request, pk: int):
            if not _can(request.user, action):
                raise PermissionDenied
            page = selectors.order_page(order=_order(pk), user=request.user)
            form, key = run.build(request, page)
            if form.is_valid():
                try:
                    message = run(request, page, form)
                except LiaisonError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, message)
                    return redirect(f"{page.order.get_absolute_url()}#{ACTIONS[action][2]}")
            messages.error(request, _("Nothing was saved; see the form marked below."))
            return _render_page(request, page, {key: form}, status=200)

        view.__name__ = view.__qualname__ = f"order_{action}"
        view.__doc__ = run.__doc__
        return view

    return decorate


def _builder(form_class, key, prefix, **extra):
    def build(request, page):
        return form_class(request.POST, prefix=prefix, **{k: v(page) for k, v in extra.items()}), key

    return build


def _item_builder(action: str, form_class, field: str, items, **extra):
    """A form about one item of the order (a clarification, a sign-off, a change), found by its id."""

    def build(request, page):
        raw = next((k for k in request.POST if k.startswith(f"{action}-") and k.endswith(f"-{field}")), "")
        try:
            item_pk = int(request.POST.get(raw, ""))
        except ValueError:
            raise Http404 from None
        item = next((obj for obj in items(page) if obj.pk == item_pk), None)
        if item is None:
            raise Http404
        form = form_class(request.POST, prefix=f"{action}-{item_pk}", **{k: v(page, item) for k, v in extra.items()})
        form.item = item
        return form, (action, item_pk)

    return build


# Clarifications


def _ask(request, page, form):
    """Record a question put to the customer (R-5.2.2.2)."""
    from liaison.orders import services

    services.clarification_ask(
        order=page.order, question=form.cleaned_data["question"], channel=form.cleaned_data["channel"], actor=request.user
    )
    return _("The question is recorded as an open clarification.")


_ask.build = _builder(forms.ClarificationAskForm, "ask_form", "ask")
order_ask = _action_view("ask")(_ask)


def _answer(request, page, form):
    """Record the customer's answer to an open clarification."""
    from liaison.orders import services

    services.clarification_answer(
        clarification=form.item,
        answer=form.cleaned_data["answer"],
        channel=form.cleaned_data["channel"],
        answered_at=form.cleaned_data.get("answered_at"),
        actor=request.user,
    )
    return _("The answer is recorded; the clarification is closed.")


_answer.build = _item_builder("answer", forms.ClarificationAnswerForm, "clarification", lambda p: p.open_clarifications)
order_answer = _action_view("answer")(_answer)


# The contract review form (F2)


def _open_round(page):
    round_ = page.current_round
    if round_ is None or round_.status != ReviewRoundStatus.OPEN:
        return None
    return round_


def _sign(request, page, form):
    """Sign one department's line of the review form."""
    from liaison.orders import services

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


def _sign_offs(page):
    round_ = _open_round(page)
    return list(round_.sign_offs.all()) if round_ else []


_sign.build = _item_builder("sign", forms.SignOffForm, "sign_off", _sign_offs)
order_sign = _action_view("sign")(_sign)


def _round_builder(form_class, key, prefix):
    def build(request, page):
        if _open_round(page) is None:
            raise Http404
        return form_class(request.POST, prefix=prefix), key

    return build


def _legal(request, page, form):
    """Record the check against laws and regulations (R-5.1.2)."""
    from liaison.orders import services

    services.review_legal_check(
        review_round=_open_round(page),
        passed=form.cleaned_data["passed"],
        note=form.cleaned_data["note"],
        actor=request.user,
    )
    return _("The check against laws and regulations is recorded.")


_legal.build = _round_builder(forms.LegalCheckForm, "legal_form", "legal")
order_legal = _action_view("legal")(_legal)


def _decide(request, page, form):
    """Decide the open review round: accepted, accepted with conditions, or rejected."""
    from liaison.orders import services

    review = _open_round(page)
    services.review_decide(
        review_round=review,
        outcome=form.cleaned_data["outcome"],
        conditions=form.cleaned_data["conditions"],
        actor=request.user,
    )
    return _("Review %(review)s is decided.") % {"review": review}


_decide.build = _round_builder(forms.DecideForm, "decide_form", "decide")
order_decide = _action_view("decide")(_decide)


# Delivering


def _ship(request, page, form):
    """Ship from qualified stock on an outbound slip, F8 (R-5.2.3.2)."""
    from liaison.stock import services

    slip = services.slip_issue(
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


_ship.build = _builder(forms.ShipForm, "ship_form", "ship", lines=lambda p: p.lines)
order_ship = _action_view("ship")(_ship)


def _notice(request, page, form):
    """Issue a production notice, F4, for the shortfall (R-5.2.3.3)."""
    from liaison.production import services

    data = form.cleaned_data
    notice = services.notice_issue(
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


_notice.build = _builder(
    forms.NoticeIssueForm, "notice_form", "notice", lines=lambda p: p.lines, workshops=lambda p: p.workshops
)
order_notice = _action_view("notice")(_notice)


def _reply(request, page, form):
    """Reply the delivery date to the customer (R-5.2.3.3; recorded on F5)."""
    from liaison.orders import services

    data = form.cleaned_data
    services.order_delivery_reply(
        order=page.order,
        promised_date=data["promised_date"],
        channel=data["channel"],
        summary=data["summary"],
        actor=request.user,
    )
    return _("The delivery date %(date)s is replied to the customer.") % {"date": data["promised_date"]}


_reply.build = _builder(forms.DeliveryReplyForm, "reply_form", "reply")
order_reply = _action_view("reply")(_reply)


# The change register (F3)


def _change(request, page, form):
    """Register a contract change: a company delay (R-5.3.1) or the customer's change (R-5.3.2)."""
    from liaison.orders import services

    data = form.cleaned_data
    change = services.change_register(
        order=page.order,
        kind=data["kind"],
        reason_category=data["reason_category"],
        reason=data["reason"],
        change_details=data["change_details"],
        new_due_date=data["new_due_date"],
        actor=request.user,
    )
    return _("Change %(change)s is registered.") % {"change": change.number}


_change.build = _builder(forms.ChangeRegisterForm, "change_form", "change")
order_change = _action_view("change")(_change)


def _agree(request, page, form):
    """Record who agreed to a company delay at the customer, when and how (R-5.3.1)."""
    from liaison.orders import services

    data = form.cleaned_data
    services.change_record_agreement(
        change=form.item, agreed_by=data["agreed_by"], agreed_at=data["agreed_at"], via=data["via"], actor=request.user
    )
    return _("The customer's agreement to %(change)s is recorded.") % {"change": form.item.number}


_agree.build = _item_builder("agree", forms.ChangeAgreementForm, "change", lambda p: p.open_changes)
order_agree = _action_view("agree")(_agree)


def _withdraw(request, page, form):
    """Withdraw a change not yet applied: the customer refused it, or it is no longer needed."""
    from liaison.orders import services

    data = form.cleaned_data
    services.change_withdraw(
        change=form.item,
        reason=data["reason"],
        refused_via=data["refused_via"],
        refused_at=data.get("refused_at"),
        actor=request.user,
    )
    return _("Change %(change)s is withdrawn.") % {"change": form.item.number}


_withdraw.build = _item_builder("withdraw", forms.ChangeWithdrawForm, "change", lambda p: p.withdrawable_changes)
order_withdraw = _action_view("withdraw")(_withdraw)


def _apply(request, page, form):
    """Apply an agreed change: the new notice replaces the current one, which is voided."""
    from liaison.orders import services

    quantities = {line.pk: quantity for line, quantity in form.line_quantities()}
    services.change_apply(
        change=form.item,
        due_date=form.cleaned_data.get("due_date"),
        line_quantities=quantities or None,
        actor=request.user,
    )
    return _("Change %(change)s is applied.") % {"change": form.item.number}


_apply.build = _item_builder(
    "apply",
    forms.ChangeApplyForm,
    "change",
    lambda p: p.agreed_changes,
    lines=lambda p, change: p.lines if change.kind == ChangeKind.CUSTOMER else (),
)
order_apply = _action_view("apply")(_apply)


# Registering an order


@login_required
@permission_required("orders.add_order", raise_exception=True)
def order_register(request):
    """Register an order in the order log (F1) and open its review form (F2) (R-5.2.2.1)."""
    from liaison.orders import services

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
    context = {
        **admin.site.each_context(request),
        "title": _("Register an order"),
        "opts": Order._meta,
        "form": form,
        "lines": lines,
        "products": selectors.product_choices(),
    }
    return render(request, "orders/order_register.html", context)


def _register_initial(request) -> tuple[dict, object]:
    """Prefill from ``?document=`` (a catalogued fax) or ``?customer=``."""
    from liaison.communications.states import ReceivedChannel

    customer = None
    initial: dict = {}
    document_pk = request.GET.get("document", "")
    customer_pk = request.GET.get("customer", "")
    if document_pk.isdigit():
        document = selectors.order_document(pk=int(document_pk))
        if document is not None:
            customer = document.customer
            channel = {ReceivedChannel.FAX: "fax", ReceivedChannel.EMAIL: "email"}.get(document.channel, "written")
            initial.update(
                customer=customer.pk, received_document=document.pk, channel=channel, received_at=document.received_at
            )
    elif customer_pk.isdigit():
        customer = selectors.customer_choices().filter(pk=int(customer_pk)).first()
        if customer is not None:
            initial["customer"] = customer.pk
    return initial, customer


@require_GET
@login_required
@permission_required("orders.add_order", raise_exception=True)
def order_register_documents(request):
    """The received-document field for the chosen customer (swapped in by htmx)."""
    customer_pk = request.GET.get("customer", "")
    customer = selectors.customer_choices().filter(pk=int(customer_pk)).first() if customer_pk.isdigit() else None
    form = forms.OrderRegisterForm(customer=customer)
    return render(request, "orders/_document_field.html", {"field": form["received_document"]})


# Lists


@login_required
@permission_required("orders.view_order", raise_exception=True)
def order_list(request):
    """The order log lives in the back office's list, with its search, filters and Excel export."""
    target = reverse("admin:orders_order_changelist")
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{target}?{query}" if query else target)
