"""What the orders app puts in the workspace: its inbox work, its sidebar entries."""

import datetime as dt

from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.roles import allowed
from liaison.core.workspace import InboxItem, WorkKind, inbox_item, inbox_kinds, list_link, sidebar_entry, sidebar_group
from liaison.orders import selectors
from liaison.orders.errors import ACTIONS
from liaison.production.errors import ACTIONS as PRODUCTION_ACTIONS

ORDERS = "admin:orders_order_changelist"
ROUNDS = "admin:orders_reviewround_changelist"


def order_link(order, anchor: str = "") -> str:
    return reverse("orders:detail", args=[order.pk]) + (f"#{anchor}" if anchor else "")


@inbox_kinds(order=10)
def review_work(user, today: dt.date) -> list[WorkKind]:
    """Contract reviews to decide and to sign, clarifications awaiting the customer's answer (R-5.2)."""
    kinds: list[WorkKind] = []
    if allowed(user, ACTIONS["decide"]):

        def decide(review) -> InboxItem:
            title = _("Decide the contract review of %(order)s (%(customer)s): %(signed)s of %(total)s signed") % {
                "order": review.order.number,
                "customer": review.order.customer,
                "signed": review.signed,
                "total": review.departments,
            }
            link = order_link(review.order, "review")
            return inbox_item("decide", title, link, review.first_required, today, "gavel")

        rows = selectors.review_rounds_awaiting_decision()
        link = list_link(ROUNDS, "status__exact=open")
        kinds.append(WorkKind("decide", _("contract reviews to decide"), rows, decide, link))
    if user.department_id is not None and allowed(user, ACTIONS["sign"]):

        def sign(sign_off) -> InboxItem:
            order = sign_off.review_round.order
            title = _("Sign the contract review of %(order)s (%(customer)s) for %(department)s") % {
                "order": order.number,
                "customer": order.customer,
                "department": sign_off.department,
            }
            return inbox_item("sign_off", title, order_link(order, "review"), sign_off.first_required, today, "draw")

        rows = selectors.sign_offs_awaiting(department_id=user.department_id)
        link = list_link(ROUNDS, "status__exact=open")
        kinds.append(WorkKind("sign_off", _("contract reviews to sign"), rows, sign, link))
    if allowed(user, ACTIONS["answer"]):

        def clarify(clarification) -> InboxItem:
            title = _("Get the answer of %(customer)s on %(order)s: %(question)s") % {
                "customer": clarification.order.customer,
                "order": clarification.order.number,
                "question": clarification.question[:60],
            }
            link = order_link(clarification.order, "clarifications")
            return inbox_item("clarification", title, link, clarification.first_required, today, "help")

        rows = selectors.clarifications_open()
        kinds.append(WorkKind("clarification", _("questions awaiting an answer"), rows, clarify))
    return kinds


@inbox_kinds(order=70)
def delivery_work(user, today: dt.date) -> list[WorkKind]:
    """Delivery dates to reply (R-5.2.3.3) and agreed changes to apply (R-5.3)."""
    kinds: list[WorkKind] = []
    if allowed(user, ACTIONS["reply"]):

        def reply(order) -> InboxItem:
            title = _("Reply the delivery date of %(order)s to %(customer)s") % {
                "order": order.number,
                "customer": order.customer,
            }
            return inbox_item("reply_owed", title, order_link(order, "actions"), order.first_required, today, "reply")

        rows = selectors.orders_awaiting_reply()
        link = list_link(ORDERS, "status__exact=accepted")
        kinds.append(WorkKind("reply_owed", _("delivery dates to reply"), rows, reply, link))
    if allowed(user, ACTIONS["apply"]) and allowed(user, PRODUCTION_ACTIONS["issue"]):

        def apply(change) -> InboxItem:
            title = _("Apply agreed change %(change)s to %(order)s: issue the new production notice") % {
                "change": change.number,
                "order": change.order.number,
            }
            link = order_link(change.order, "changes")
            return inbox_item("change_apply", title, link, change.new_due_date, today, "published_with_changes")

        link = list_link("admin:orders_changeentry_changelist", "status__exact=agreed")
        kinds.append(WorkKind("change_apply", _("agreed changes to apply"), selectors.changes_to_apply(), apply, link))
    return kinds


sidebar_group("orders", gettext_lazy("Orders"), order=10)
sidebar_entry(
    "orders", gettext_lazy("Order log (F1)"), icon="receipt_long", link=reverse_lazy(ORDERS), order=10,
    permission="orders.view_order",
)
sidebar_entry(
    "orders", gettext_lazy("Register an order"), icon="add_shopping_cart", link=reverse_lazy("orders:register"),
    order=20, permission=ACTIONS["register"].permission,
)
sidebar_entry(
    "orders", gettext_lazy("Contract reviews (F2)"), icon="fact_check", link=reverse_lazy(ROUNDS), order=30,
    permission="orders.view_reviewround",
)
sidebar_entry(
    "orders", gettext_lazy("Change register (F3)"), icon="published_with_changes",
    link=reverse_lazy("admin:orders_changeentry_changelist"), order=40, permission="orders.view_changeentry",
)
