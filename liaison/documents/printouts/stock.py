"""F8 出倉單, printed: goods leaving the warehouse for a customer (R-5.2.3.2, R-5.5.2.3)."""

from django.utils import translation
from django.utils.translation import gettext as _

from liaison.documents.pdf import Sheet, SignBox, field_label, fmt_datetime, fmt_person, fmt_quantity
from liaison.documents.printouts.common import plural_label, prepared_by, replenishment_marks
from liaison.stock.models import OutboundSlip, OutboundSlipLine, Product


def render_f8(slip: OutboundSlip, *, language: str) -> bytes:
    """F8 出倉單: goods leaving the warehouse for a customer; 補貨 marked (R-5.2.3.2, R-5.5.2.3)."""
    with translation.override(language):
        sheet = Sheet(
            form_id="F8",
            title=_("Warehouse outbound slip"),
            number=slip.number,
            language=language,
            sign_boxes=[
                prepared_by(slip.created_by, slip.created_at),
                SignBox(_("Approved by")),
                SignBox(_("Received by")),
            ],
            marks=replenishment_marks(language) if slip.replenishment else (),
        )
        label = lambda name: field_label(OutboundSlip, name)  # noqa: E731
        story = [
            sheet.fields(
                [
                    (label("number"), slip.number),
                    (label("shipped_at"), fmt_datetime(slip.shipped_at)),
                    (label("customer"), slip.customer.registered_name, "wide"),
                    (label("order"), slip.order.number if slip.order else ""),
                    (_("Issued by"), fmt_person(slip.created_by)),
                    (label("note"), slip.note, "wide"),
                ]
            ),
            sheet.section(plural_label(OutboundSlipLine)),
            sheet.grid(
                [
                    "#",
                    field_label(Product, "code"),
                    field_label(Product, "name"),
                    field_label(Product, "specification"),
                    field_label(OutboundSlipLine, "quantity"),
                    field_label(Product, "unit"),
                    field_label(OutboundSlipLine, "order_line"),
                ],
                [
                    [
                        str(index),
                        line.product.code,
                        line.product.name,
                        line.product.specification,
                        fmt_quantity(line.quantity),
                        line.product.unit,
                        str(line.order_line.line_no) if line.order_line else "",
                    ]
                    for index, line in enumerate(slip.lines.all(), start=1)
                ],
                [0.06, 0.15, 0.22, 0.26, 0.12, 0.08, 0.11],
                numeric=[4],
            ),
        ]
        return sheet.build(story)
