"""Registering complaints and returns on F6 (R-5.5.1.1, R-5.5.2.1) with their timers (R-1.2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import Direction, Topic
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.models import DocumentCounter
from liaison.core.roles import Role
from liaison.core.services import PROVISIONAL_MARK
from liaison.core.tests.factories import UserFactory, frozen_today, sales
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.tests.factories import accepted_order
from liaison.quality.errors import QualityErrorCode as Code
from liaison.quality.models import Complaint, ReturnLine
from liaison.quality.services.complaints import complaint_register
from liaison.quality.states import ComplaintChannel, ComplaintKind, ComplaintStatus
from liaison.quality.tests.factories import complaint, shipped

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MONDAY = dt.datetime(2026, 4, 13, 10, 30)


today = frozen_today(MONDAY)


def nothing_written():
    return (
        Complaint.objects.count(),
        ReturnLine.objects.count(),
        CommunicationRecord.objects.count(),
        TimelineEntry.objects.filter(
            event__in=[TimelineEvent.COMPLAINT_REGISTERED, TimelineEvent.RETURN_REGISTERED]
        ).count(),
    )


def test_r_5_5_1_1_sales_registers_a_complaint_with_timers_f5_and_timeline():
    customer = CustomerFactory()
    order = accepted_order(customer=customer)
    actor = sales()
    registered = complaint_register(
        customer=customer,
        channel=ComplaintChannel.FAX,
        complaint_date=dt.date(2026, 4, 10),
        content="第二批螺栓鍍層起皮",
        actor=actor,
        order=order,
        lot="L2604-07",
        requested_remedy="退換",
    )
    registered.refresh_from_db()
    assert registered.number == "CMP-2026-0001"
    assert registered.status == ComplaintStatus.REGISTERED
    assert registered.kind == ComplaintKind.COMPLAINT
    assert registered.created_by == actor
    # acknowledged within 24 hours of registration, resolved within 15 days of the complaint.
    assert registered.acknowledge_due == clock.now() + dt.timedelta(hours=24)
    assert registered.resolve_due == dt.date(2026, 4, 25)
    line = CommunicationRecord.objects.get(customer=customer)
    assert (line.direction, line.topic, line.channel) == (
        Direction.FROM_CUSTOMER,
        Topic.OTHER,
        "fax",
    )
    assert line.about == registered and "第二批螺栓鍍層起皮" in line.summary
    entry = TimelineEntry.objects.get(customer=customer, event=TimelineEvent.COMPLAINT_REGISTERED)
    assert entry.about == registered
    assert registered.history.first().history_change_reason == "Registered"


def test_r_1_2_timers_follow_the_procedure_settings(settings):
    settings.LIAISON_PROCEDURE = {"COMPLAINT_ACKNOWLEDGE_HOURS": 4, "COMPLAINT_RESOLVE_DAYS": 7}
    registered = complaint(complaint_date=dt.date(2026, 4, 13))
    assert registered.acknowledge_due == clock.now() + dt.timedelta(hours=4)
    assert registered.resolve_due == dt.date(2026, 4, 20)


def test_r_5_5_2_1_a_return_is_registered_with_its_quantities_against_what_was_shipped():
    customer, product, order = shipped(quantity=100)
    returned = complaint(
        customer=customer,
        order=order,
        kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": 100}],
    )
    assert returned.number == "CMP-2026-0001"  # complaints and returns share the F6 series
    assert [(line.product, line.quantity) for line in returned.return_lines.all()] == [
        (product, Decimal(100))
    ]
    assert (
        TimelineEntry.objects.filter(
            customer=customer, event=TimelineEvent.RETURN_REGISTERED
        ).count()
        == 1
    )


def test_r_5_5_2_1_returning_more_than_shipped_is_refused_and_nothing_changes():
    customer, product, _order = shipped(quantity=100)
    before = nothing_written()
    with pytest.raises(LiaisonError) as refused:
        complaint(
            customer=customer,
            kind=ComplaintKind.RETURN,
            return_lines=[{"product": product, "quantity": 101}],
        )
    assert refused.value.code == Code.RETURNED_MORE_THAN_SHIPPED
    assert "at most 100 pcs can come back" in str(refused.value)
    assert nothing_written() == before


def test_r_5_5_2_1_earlier_returns_count_against_what_was_shipped():
    customer, product, _order = shipped(quantity=100)
    complaint(
        customer=customer,
        kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": 60}],
    )
    before = nothing_written()
    with pytest.raises(LiaisonError) as refused:
        complaint(
            customer=customer,
            kind=ComplaintKind.RETURN,
            return_lines=[{"product": product, "quantity": 41}],
        )
    assert refused.value.code == Code.RETURNED_MORE_THAN_SHIPPED
    assert "60 pcs already returned" in str(refused.value)
    assert nothing_written() == before
    complaint(
        customer=customer,
        kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": 40}],
    )


def test_r_5_5_2_1_goods_shipped_to_another_customer_cannot_be_returned():
    _customer, product, _order = shipped(quantity=100)
    with pytest.raises(LiaisonError) as refused:
        complaint(kind=ComplaintKind.RETURN, return_lines=[{"product": product, "quantity": 1}])
    assert refused.value.code == Code.RETURNED_MORE_THAN_SHIPPED


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"kind": ComplaintKind.RETURN, "return_lines": []}, Code.RETURN_LINES_REQUIRED),
        ({"return_lines": [{"product": None, "quantity": 1}]}, Code.RETURN_LINES_ON_COMPLAINT),
        ({"content": "  "}, Code.CONTENT_REQUIRED),
        ({"channel": "pigeon"}, Code.CHANNEL_INVALID),
        ({"complaint_date": dt.date(2026, 4, 14)}, Code.COMPLAINT_DATE_IN_FUTURE),
    ],
)
def test_r_5_5_1_1_incomplete_registrations_are_refused_and_nothing_changes(kwargs, code):
    before = nothing_written()
    with pytest.raises(LiaisonError) as refused:
        complaint(**kwargs)
    assert refused.value.code == code
    assert nothing_written() == before


def test_r_5_5_2_1_a_returned_quantity_must_be_positive():
    customer, product, _order = shipped(quantity=10)
    with pytest.raises(LiaisonError) as refused:
        complaint(
            customer=customer,
            kind=ComplaintKind.RETURN,
            return_lines=[{"product": product, "quantity": 0}],
        )
    assert refused.value.code == Code.QUANTITY_NOT_POSITIVE


def test_r_5_5_1_1_an_order_of_another_customer_is_refused():
    before = nothing_written()
    with pytest.raises(LiaisonError) as refused:
        complaint(order=accepted_order())
    assert refused.value.code == Code.ORDER_OTHER_CUSTOMER
    assert nothing_written() == before


@pytest.mark.parametrize(
    "role", [Role.QC_INSPECTOR, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.MANAGEMENT]
)
def test_r_4_only_sales_registers_complaints(role):
    before = nothing_written()
    with pytest.raises(LiaisonError) as refused:
        complaint(actor=UserFactory(roles=[role]))
    assert refused.value.code == Code.NOT_ALLOWED
    assert str(refused.value) == "Your role does not allow you to register complaints and returns."
    assert nothing_written() == before


# ── Issue 7: the number taken last, few queries, same checks ────────────────────────────────


def test_r_5_5_1_1_no_record_of_the_registration_shows_a_stand_in_number():
    customer, product, order = shipped(quantity=10)
    actor = sales()
    returned = complaint(
        customer=customer, order=order, actor=actor, kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": 4}],
    )
    assert returned.number == "CMP-2026-0001"
    returned.refresh_from_db()
    assert returned.number == "CMP-2026-0001"
    assert list(returned.history.values_list("number", flat=True)) == ["CMP-2026-0001"]
    line = CommunicationRecord.objects.get(customer=customer, about_id=returned.pk)
    assert line.summary.startswith(f"CMP-2026-0001: {product.code} × 4")
    assert list(line.history.values_list("summary", flat=True)) == [line.summary]
    summaries = dict(
        TimelineEntry.objects.filter(
            customer=customer, event__in=[TimelineEvent.RETURN_REGISTERED, TimelineEvent.COMMUNICATION_RECORDED]
        ).values_list("event", "summary")
    )
    assert summaries == {
        TimelineEvent.RETURN_REGISTERED: line.summary,
        TimelineEvent.COMMUNICATION_RECORDED: line.summary,
    }
    assert not TimelineEntry.objects.filter(summary__contains=PROVISIONAL_MARK).exists()
    assert not CommunicationRecord.history.filter(summary__contains=PROVISIONAL_MARK).exists()
    return_history = ReturnLine.history.filter(complaint=returned)
    assert list(return_history.values_list("history_type", "history_change_reason", "history_user")) == [
        ("+", "Registered", actor.pk)
    ]


def test_registering_a_complaint_runs_a_fixed_number_of_queries(django_assert_num_queries):
    actor = sales()
    complaint(actor=actor)  # the year's counter exists, the content types are cached
    actor = type(actor).objects.get(pk=actor.pk)  # a fresh request: its permissions not yet read
    customer = CustomerFactory()
    # permissions 2, complaint + history 2, the F5 line (communications_record: its savepoint, 11
    # checks, the line, its history and its timeline line: 16), the complaint's timeline line 1,
    # the number 1 and put in place 5 (complaint, its history, F5 line, its history, timeline);
    # the savepoint and its release (the test's transaction).
    with django_assert_num_queries(29):
        registered = complaint(customer=customer, actor=actor)
    assert registered.number == "CMP-2026-0002"


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("lot", {"lot": "L" * 61}),
        ("kind", {"kind": "rumour"}),
    ],
)
def test_r_5_5_1_1_over_long_or_unknown_input_is_refused_naming_the_field_and_nothing_changes(field, kwargs):
    customer = CustomerFactory()
    before = nothing_written()
    with pytest.raises(ValidationError) as refused:
        complaint(customer=customer, **kwargs)
    assert field in refused.value.message_dict
    assert nothing_written() == before
    assert not DocumentCounter.objects.filter(doc_type="CMP").exists()


def test_r_5_5_2_1_an_over_precise_returned_quantity_is_refused_and_nothing_changes():
    customer, product, _order = shipped(quantity=10)
    before = nothing_written()
    with pytest.raises(ValidationError) as refused:
        complaint(
            customer=customer, kind=ComplaintKind.RETURN, return_lines=[{"product": product, "quantity": "1.0005"}]
        )
    assert "quantity" in refused.value.message_dict
    assert nothing_written() == before
