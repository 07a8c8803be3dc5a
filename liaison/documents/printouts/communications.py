"""F5 顧客溝通情況記錄表, printed: what was said with one customer in a period (R-5.4).

``render_f5`` takes the customer and the records ``documents.selectors`` read for the period.
"""

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from liaison.communications.models import CommunicationRecord
from liaison.customers.models import Customer
from liaison.documents.pdf import LANDSCAPE, Sheet, SignBox, field_label, fmt_datetime, fmt_person


def f5_number(customer: Customer, date_from: dt.date, date_to: dt.date) -> str:
    return f"F5-{customer.pk}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"


def render_f5(
    customer: Customer,
    records: list[CommunicationRecord],
    *,
    date_from: dt.date,
    date_to: dt.date,
    language: str,
) -> bytes:
    """F5 顧客溝通情況記錄表: what was said with one customer in a period (R-5.4)."""
    with translation.override(language):
        sheet = Sheet(
            form_id="F5",
            title=_("Customer communication record"),
            number=f5_number(customer, date_from, date_to),
            language=language,
            orientation=LANDSCAPE,
            sign_boxes=[SignBox(_("Prepared by")), SignBox(_("Reviewed by"))],
        )
        label = lambda name: field_label(CommunicationRecord, name)  # noqa: E731
        story = [
            sheet.fields(
                [
                    (label("customer"), customer.registered_name),
                    (_("Period"), f"{date_from.isoformat()} – {date_to.isoformat()}"),
                ]
            ),
            sheet.space(),
            sheet.grid(
                [
                    label("occurred_at"),
                    label("channel"),
                    label("direction"),
                    label("topic"),
                    label("summary"),
                    label("staff"),
                    _("Concerns"),
                ],
                [
                    [
                        fmt_datetime(record.occurred_at),
                        record.get_channel_display(),
                        record.get_direction_display(),
                        record.get_topic_display(),
                        record.summary,
                        fmt_person(record.staff),
                        str(record.about) if record.about is not None else "",
                    ]
                    for record in records
                ],
                [0.11, 0.07, 0.1, 0.11, 0.37, 0.1, 0.14],
            ),
        ]
        return sheet.build(story)
