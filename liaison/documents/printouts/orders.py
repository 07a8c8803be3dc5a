"""The order chain's paper forms, printed: F1, F2, F3 and F4.

Each ``render_fN`` takes a record loaded by ``documents.selectors`` and the language to
print in, and returns the PDF. Labels are the model fields' own (translated) names, so
the printout says what the screens say.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from liaison.documents.pdf import (
    LANDSCAPE,
    Sheet,
    SignBox,
    field_label,
    fmt_check,
    fmt_date,
    fmt_datetime,
    fmt_person,
    fmt_quantity,
)
from liaison.documents.printouts.common import (
    channel_label,
    plural_label,
    prepared_by,
    replenishment_marks,
    void_watermark,
)
from liaison.orders.models import ChangeEntry, Clarification, Order, OrderLine, ReviewRound, ReviewSignOff
from liaison.orders.states import OrderStatus
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.states import NoticeStatus
from liaison.stock.models import Product


def _spec(line, product: Product) -> str:
    return getattr(line, "specification", "") or product.specification


def render_f1(order: Order, *, language: str) -> bytes:
    """F1 訂貨記錄: one order as logged, with its lines and clarifications (R-5.1.1, R-5.2.2)."""
    with translation.override(language):
        void = order.status == OrderStatus.VOID
        sheet = Sheet(
            form_id="F1",
            title=_("Order log"),
            number=order.number,
            language=language,
            sign_boxes=[
                prepared_by(order.created_by, order.created_at), SignBox(_("Reviewed by")), SignBox(_("Approved by"))
            ],
            watermark=void_watermark(language) if void else "",
        )
        label = lambda name: field_label(Order, name)  # noqa: E731
        story = []
        if void:
            story += [
                sheet.stamp(
                    sheet.watermark,
                    [
                        f"{label('voided_at')}: {fmt_datetime(order.voided_at)}　"
                        f"{label('voided_by')}: {fmt_person(order.voided_by)}",
                        f"{label('void_reason')}: {order.void_reason}",
                    ],
                ),
                sheet.space(),
            ]
        document = order.received_document
        story += [
            sheet.fields(
                [
                    (label("number"), order.number),
                    (label("status"), order.get_status_display()),
                    (label("customer"), order.customer.registered_name, "wide"),
                    (label("channel"), order.get_channel_display()),
                    (label("received_at"), fmt_datetime(order.received_at)),
                    (label("customer_po"), order.customer_po),
                    (label("received_document"), document.number if document else ""),
                    (label("promised_date"), fmt_date(order.promised_date)),
                    (_("Entered by"), fmt_person(order.created_by)),
                ]
            ),
            sheet.section(plural_label(OrderLine)),
            sheet.grid(
                [
                    field_label(OrderLine, "line_no"),
                    field_label(Product, "code"),
                    field_label(Product, "name"),
                    field_label(OrderLine, "specification"),
                    field_label(OrderLine, "quantity"),
                    field_label(Product, "unit"),
                    field_label(OrderLine, "required_date"),
                ],
                [
                    [
                        str(line.line_no),
                        line.product.code,
                        line.product.name,
                        _spec(line, line.product),
                        fmt_quantity(line.quantity),
                        line.product.unit,
                        fmt_date(line.required_date),
                    ]
                    for line in order.lines.all()
                ],
                [0.06, 0.14, 0.2, 0.24, 0.11, 0.08, 0.17],
                numeric=[4],
            ),
            sheet.space(),
            sheet.fields(
                [
                    (label("delivery_terms"), order.delivery_terms, "wide"),
                    (label("packaging"), order.packaging, "wide"),
                    (label("post_delivery"), order.post_delivery, "wide"),
                    (label("notes"), order.notes, "wide"),
                ]
            ),
            sheet.section(plural_label(Clarification)),
            sheet.grid(
                [
                    "#",
                    field_label(Clarification, "question"),
                    field_label(Clarification, "asked_at"),
                    field_label(Clarification, "answer"),
                    field_label(Clarification, "answered_at"),
                ],
                [
                    [
                        str(index),
                        item.question,
                        f"{fmt_datetime(item.asked_at)}\n{fmt_person(item.asked_by)}",
                        item.answer,
                        fmt_datetime(item.answered_at),
                    ]
                    for index, item in enumerate(order.clarifications.all(), start=1)
                ],
                [0.05, 0.3, 0.17, 0.31, 0.17],
            ),
        ]
        return sheet.build(story)


def f2_number(review_round: ReviewRound) -> str:
    return f"{review_round.order.number}-R{review_round.number}"


def render_f2(review_round: ReviewRound, *, language: str) -> bytes:
    """F2 合同評審表: one review round, each department's opinions and the decision (R-5.2.3.1)."""
    with translation.override(language):
        order = review_round.order
        sheet = Sheet(
            form_id="F2",
            title=_("Contract review form"),
            number=f2_number(review_round),
            language=language,
            sign_boxes=[
                prepared_by(review_round.created_by, review_round.opened_at),
                SignBox(_("Reviewed by")),
                SignBox(
                    _("Approved by"), fmt_person(review_round.decided_by), fmt_datetime(review_round.decided_at)
                ),
            ],
        )
        label = lambda name: field_label(ReviewRound, name)  # noqa: E731
        signoff = lambda name: field_label(ReviewSignOff, name)  # noqa: E731
        check = lambda value: sheet.para(fmt_check(value), "center")  # noqa: E731
        story = [
            sheet.fields(
                [
                    (field_label(Order, "number"), order.number),
                    (label("number"), str(review_round.number)),
                    (field_label(Order, "customer"), order.customer.registered_name, "wide"),
                    (label("reason"), review_round.get_reason_display()),
                    (label("change"), review_round.change.number if review_round.change else ""),
                    (label("opened_at"), fmt_datetime(review_round.opened_at)),
                    (label("status"), review_round.get_status_display()),
                ]
            ),
            sheet.section(plural_label(ReviewSignOff)),
            sheet.grid(
                [
                    signoff("department"),
                    signoff("capability_ok"),
                    signoff("capacity_ok"),
                    signoff("delivery_date_ok"),
                    signoff("quality_ok"),
                    signoff("opinion"),
                    signoff("signed_by"),
                    signoff("signed_at"),
                ],
                [
                    [
                        item.department.name,
                        check(item.capability_ok),
                        check(item.capacity_ok),
                        check(item.delivery_date_ok),
                        check(item.quality_ok),
                        # A "cannot meet" answered when the round was accepted with conditions.
                        f"{item.opinion} → {item.objection_answer}" if item.objection_answer else item.opinion,
                        fmt_person(item.signed_by),
                        fmt_datetime(item.signed_at),
                    ]
                    for item in review_round.sign_offs.all()
                ],
                [0.15, 0.1, 0.1, 0.1, 0.125, 0.195, 0.1, 0.13],
            ),
            sheet.para(_("✓ yes   × no   blank: not answered"), "small"),
            sheet.section(_("Decision")),
            sheet.fields(
                [
                    (label("legal_check_passed"), sheet.para(fmt_check(review_round.legal_check_passed))),
                    (label("outcome"), review_round.get_outcome_display()),
                    (label("legal_check_note"), review_round.legal_check_note, "wide"),
                    (label("conditions"), review_round.conditions, "wide"),
                    (label("decided_by"), fmt_person(review_round.decided_by)),
                    (label("decided_at"), fmt_datetime(review_round.decided_at)),
                ]
            ),
        ]
        return sheet.build(story)


def f3_number(order: Order) -> str:
    return f"{order.number}-F3"


def render_f3(order: Order, *, language: str) -> bytes:
    """F3 合同評審變更登記表: every change of one order, in the order registered (R-5.3)."""
    with translation.override(language):
        sheet = Sheet(
            form_id="F3",
            title=_("Contract change register"),
            number=f3_number(order),
            language=language,
            orientation=LANDSCAPE,
            sign_boxes=[SignBox(_("Prepared by")), SignBox(_("Reviewed by")), SignBox(_("Approved by"))],
        )
        label = lambda name: field_label(ChangeEntry, name)  # noqa: E731
        rows = []
        for entry in order.changes.all():
            agreement = ""
            if entry.customer_agreed_at or entry.customer_agreed_by:
                agreement = "\n".join(
                    part
                    for part in (
                        entry.customer_agreed_by,
                        fmt_datetime(entry.customer_agreed_at),
                        channel_label(entry.customer_agreed_via),
                    )
                    if part
                )
            rows.append(
                [
                    entry.number,
                    f"{fmt_date(entry.created_at)}\n{fmt_person(entry.created_by)}",
                    entry.get_kind_display(),
                    entry.get_reason_category_display(),
                    entry.reason,
                    entry.change_details,
                    fmt_date(entry.new_due_date),
                    agreement,
                    entry.get_status_display(),
                ]
            )
        story = [
            sheet.fields(
                [
                    (field_label(Order, "number"), order.number),
                    (field_label(Order, "status"), order.get_status_display()),
                    (field_label(Order, "customer"), order.customer.registered_name, "wide"),
                ]
            ),
            sheet.section(plural_label(ChangeEntry)),
            sheet.grid(
                [
                    label("number"),
                    _("Registered"),
                    label("kind"),
                    label("reason_category"),
                    label("reason"),
                    label("change_details"),
                    label("new_due_date"),
                    _("Customer agreement"),
                    label("status"),
                ],
                rows,
                [0.1, 0.09, 0.11, 0.08, 0.19, 0.16, 0.08, 0.11, 0.08],
            ),
        ]
        return sheet.build(story)


def render_f4(notice: ProductionNotice, *, language: str) -> bytes:
    """F4 生產通知單: what a workshop makes for which order by when; 補貨 and void marked (R-5.2.3.3, R-5.3)."""
    with translation.override(language):
        void = notice.status == NoticeStatus.VOID
        sheet = Sheet(
            form_id="F4",
            title=_("Production notice"),
            number=notice.number,
            language=language,
            sign_boxes=[
                prepared_by(notice.issued_by, notice.issued_at), SignBox(_("Reviewed by")), SignBox(_("Approved by"))
            ],
            marks=replenishment_marks(language) if notice.replenishment else (),
            watermark=void_watermark(language) if void else "",
        )
        label = lambda name: field_label(ProductionNotice, name)  # noqa: E731
        story = []
        if void:
            successor = notice.superseded_by
            story += [
                sheet.stamp(
                    sheet.watermark,
                    [
                        f"{label('voided_at')}: {fmt_datetime(notice.voided_at)}　"
                        f"{label('voided_by')}: {fmt_person(notice.voided_by)}",
                        f"{label('void_reason')}: {notice.void_reason}",
                        f"{label('superseded_by')}: {successor.number}" if successor else "",
                    ],
                ),
                sheet.space(),
            ]
        order = notice.order
        predecessor = getattr(notice, "supersedes", None)
        story += [
            sheet.fields(
                [
                    (label("number"), notice.number),
                    (label("status"), notice.get_status_display()),
                    (label("order"), order.number if order else ""),
                    (label("workshop"), notice.workshop.name),
                    (field_label(Order, "customer"), order.customer.registered_name if order else "", "wide"),
                    (label("due_date"), fmt_date(notice.due_date)),
                    (label("issued_at"), fmt_datetime(notice.issued_at)),
                    (label("change"), notice.change.number if notice.change else ""),
                    (_("Replaces notice"), predecessor.number if predecessor else ""),
                    (label("instructions"), notice.instructions, "wide"),
                ]
            ),
            sheet.section(plural_label(NoticeLine)),
            sheet.grid(
                [
                    "#",
                    field_label(Product, "code"),
                    field_label(Product, "name"),
                    field_label(NoticeLine, "specification"),
                    field_label(NoticeLine, "quantity"),
                    field_label(Product, "unit"),
                    field_label(NoticeLine, "order_line"),
                ],
                [
                    [
                        str(index),
                        line.product.code,
                        line.product.name,
                        _spec(line, line.product),
                        fmt_quantity(line.quantity),
                        line.product.unit,
                        str(line.order_line.line_no) if line.order_line else "",
                    ]
                    for index, line in enumerate(notice.lines.all(), start=1)
                ],
                [0.06, 0.15, 0.22, 0.26, 0.12, 0.08, 0.11],
                numeric=[4],
            ),
        ]
        return sheet.build(story)
