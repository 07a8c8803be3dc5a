"""Reads of the communications app; every list runs a fixed number of queries."""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch, Q, QuerySet
from django.utils import timezone

from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import ReceivedDocumentStatus
from liaison.core.models import Attachment
from liaison.customers.models import Customer
from liaison.customers.selectors import customer_search


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def within_days(
    queryset: QuerySet, *, field: str, date_from: dt.date | None, date_to: dt.date | None
) -> QuerySet:
    """Rows whose ``field`` falls between two local calendar days, both included."""
    if date_from is not None:
        queryset = queryset.filter(**{f"{field}__gte": _day_start(date_from)})
    if date_to is not None:
        queryset = queryset.filter(**{f"{field}__lt": _day_start(date_to + dt.timedelta(days=1))})
    return queryset


def received_document_search(*, queryset: QuerySet | None = None, query: str = "") -> QuerySet:
    """Documents whose number or subject contains ``query``, or whose sender's name matches it.

    The sender is matched like the customer list does, so 客户 finds 客戶 and pinyin works.
    """
    queryset = ReceivedDocument.objects.all() if queryset is None else queryset
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(number__icontains=query)
        | Q(summary__icontains=query)
        | Q(customer__in=customer_search(query=query).values("pk"))
    )


def received_document_list(
    *,
    query: str = "",
    customer: Customer | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    status: str | None = None,
) -> QuerySet:
    """The catalogue, newest first: two queries (documents, then their files).

    ``date_from`` and ``date_to`` are calendar days in the installation's time zone,
    both included.
    """
    queryset = received_document_search(query=query)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    queryset = within_days(queryset, field="received_at", date_from=date_from, date_to=date_to)
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("customer", "created_by", "voided_by")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("uploaded_at", "pk"))
        )
        .order_by("-received_at", "-pk")
    )


def received_documents_catalogued(*, customer: Customer | None, limit: int = 50) -> list[ReceivedDocument]:
    """The customer's catalogued (not void) received documents, newest first: what an order links to."""
    if customer is None:
        return []
    return list(received_document_list(customer=customer, status=ReceivedDocumentStatus.CATALOGUED)[:limit])


def received_document_catalogued(*, pk: int) -> ReceivedDocument | None:
    """One catalogued (not void) received document a record can be registered from, or None."""
    return received_document_list(status=ReceivedDocumentStatus.CATALOGUED).filter(pk=pk).first()


def received_document_get(*, pk: int) -> ReceivedDocument:
    return received_document_list().get(pk=pk)


def communication_record_search(*, queryset: QuerySet | None = None, query: str = "") -> QuerySet:
    """Records whose summary contains ``query`` or whose customer's name matches it."""
    queryset = CommunicationRecord.objects.all() if queryset is None else queryset
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(summary__icontains=query) | Q(customer__in=customer_search(query=query).values("pk"))
    )


def communication_record_list(
    *,
    customer: Customer | None = None,
    topic: str | None = None,
    about: Model | None = None,
    query: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet:
    """The communication record (F5), newest first, in one query."""
    queryset = communication_record_search(query=query)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if topic:
        queryset = queryset.filter(topic=topic)
    if about is not None:
        queryset = queryset.filter(
            about_type=ContentType.objects.get_for_model(about), about_id=about.pk
        )
    queryset = within_days(queryset, field="occurred_at", date_from=date_from, date_to=date_to)
    return queryset.select_related("customer", "staff", "about_type").order_by(
        "-occurred_at", "-pk"
    )


def received_document_file(*, document_pk: int, attachment_pk: int) -> Attachment:
    """One file of a received document (raises ``Attachment.DoesNotExist`` for any other)."""
    return Attachment.objects.get(
        pk=attachment_pk,
        owner_type=ContentType.objects.get_for_model(ReceivedDocument),
        owner_id=document_pk,
    )
