"""Reads for printing: each record with everything its form shows, in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from liaison.communications.models import CommunicationRecord
from liaison.communications.selectors import communication_record_list
from liaison.communications.states import Topic
from liaison.customers.models import Customer
from liaison.orders.models import ChangeEntry, Clarification, Order, OrderLine, ReviewRound, ReviewSignOff
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.quality import selectors as quality_selectors
from liaison.quality.capa import selectors as capa_selectors
from liaison.quality.models import CapaRequest, Complaint, NonconformanceRecord, ReturnLine
from liaison.satisfaction.models import SurveyForm
from liaison.stock.models import OutboundSlip, OutboundSlipLine


def order_for_f1(*, pk: int) -> Order:
    """The order with its customer, received document, lines and clarifications (3 queries)."""
    return (
        Order.objects.select_related("customer", "received_document", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("line_no")),
            Prefetch(
                "clarifications",
                queryset=Clarification.objects.select_related("asked_by").order_by("asked_at", "pk"),
            ),
        )
        .get(pk=pk)
    )


def review_round_for_f2(*, pk: int) -> ReviewRound:
    """One review round with its order, change entry and the departments' sign-offs (2 queries)."""
    return (
        ReviewRound.objects.select_related("order__customer", "change", "decided_by", "created_by")
        .prefetch_related(
            Prefetch(
                "sign_offs",
                queryset=ReviewSignOff.objects.select_related("department", "signed_by").order_by(
                    "department__kind", "department__code"
                ),
            )
        )
        .get(pk=pk)
    )


def order_for_f3(*, pk: int) -> Order:
    """The order with every entry of its change register, oldest first (2 queries)."""
    return (
        Order.objects.select_related("customer")
        .prefetch_related(
            Prefetch(
                "changes",
                queryset=ChangeEntry.objects.select_related("created_by", "agreement_recorded_by").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .get(pk=pk)
    )


def notice_for_f4(*, pk: int) -> ProductionNotice:
    """The notice with its order, workshop, both chain links and lines (2 queries)."""
    return (
        ProductionNotice.objects.select_related(
            "order__customer", "workshop", "issued_by", "voided_by", "change", "superseded_by", "supersedes"
        )
        .prefetch_related(
            Prefetch("lines", queryset=NoticeLine.objects.select_related("product", "order_line").order_by("pk"))
        )
        .get(pk=pk)
    )


def customer_for_f5(*, pk: int) -> Customer:
    return Customer.objects.get(pk=pk)


def communications_for_f5(*, customer: Customer, date_from: dt.date, date_to: dt.date) -> list[CommunicationRecord]:
    """The customer's communication records from ``date_from`` to ``date_to`` (local dates, inclusive).

    One query, plus one per kind of record they concern.
    """
    return list(
        CommunicationRecord.objects.filter(
            customer=customer, occurred_at__date__gte=date_from, occurred_at__date__lte=date_to
        )
        .select_related("staff")
        .prefetch_related("about")
        .order_by("occurred_at", "pk")
    )


def slip_for_f8(*, pk: int) -> OutboundSlip:
    """The outbound slip with its customer, order and lines (2 queries)."""
    return (
        OutboundSlip.objects.select_related("customer", "order", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=OutboundSlipLine.objects.select_related("product", "order_line").order_by("pk"))
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class F6Record:
    """What F6 prints of one complaint: its goods, nonconformance records, CAPA requests and feedback line."""

    complaint: Complaint
    return_lines: list[ReturnLine]
    nonconformances: list[NonconformanceRecord]
    capas: list[CapaRequest]
    feedback: CommunicationRecord | None  # the F5 line written when QC fed the result back


def complaint_for_f6(*, pk: int) -> F6Record:
    """The complaint with its goods, nonconformance records, CAPA requests and feedback line (5 queries).

    Raises ``Complaint.DoesNotExist``.
    """
    complaint = quality_selectors.complaint_queryset().select_related("created_by", "voided_by").get(pk=pk)
    lines = list(
        ReturnLine.objects.filter(complaint=complaint).select_related("product", "inspected_by").order_by("pk")
    )
    records = list(
        NonconformanceRecord.objects.filter(return_line__complaint=complaint)
        .select_related("product", "disposed_by")
        .order_by("pk")
    )
    capas = list(quality_selectors.capa_for_complaint(complaint=complaint))
    feedback = None
    if complaint.feedback_at is not None:
        feedback = communication_record_list(about=complaint, topic=Topic.COMPLAINT_FEEDBACK).first()
    return F6Record(complaint=complaint, return_lines=lines, nonconformances=records, capas=capas, feedback=feedback)


def capa_for_f7(*, pk: int) -> CapaRequest:
    """The CAPA request with its department, customer, source and signed steps (3 queries).

    Raises ``CapaRequest.DoesNotExist``.
    """
    return capa_selectors.capa_with_steps(capa_selectors.capa_queryset()).prefetch_related("source").get(pk=pk)


def form_for_f10(*, pk: int) -> SurveyForm:
    """The form with its customer, contact, round, questionnaire criteria and scores (3 queries).

    Raises ``SurveyForm.DoesNotExist``.
    """
    return (
        SurveyForm.objects.select_related(
            "customer", "contact", "round", "round__meeting", "template", "entered_by", "voided_by"
        )
        .prefetch_related("template__criteria", "scores")
        .get(pk=pk)
    )
