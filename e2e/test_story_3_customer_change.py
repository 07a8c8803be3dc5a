"""Acceptance story 3 in the browser: the customer raises the quantity of story 2's order.

The clerk registers the customer's change (F3); it opens review round 2 of the contract
review form (F2), which every department signs again at its own desk; the clerk records
the check against laws and regulations and the sales administrator accepts; then the
sales administrator applies the change with the new quantity: a third production notice
replaces the second, which is voided. The chain shows three notices, one current.
"""

import re
from collections import Counter
from decimal import Decimal

import pytest
from helpers import (
    chain_notices,
    check_laws,
    decide,
    desks_fixture,  # noqa: F401 (the ``desks`` fixture)
    open_order,
    register_change,
    sign_for,
    story_2_done,
    submit,
    this_year,
    timeline_events,
)

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import CommunicationChannel, Direction, Topic
from liaison.customers.selectors import timeline_for
from liaison.customers.states import TimelineEvent
from liaison.orders.models import ChangeEntry
from liaison.orders.states import (
    ChangeKind,
    ChangeStatus,
    OrderStatus,
    ReviewOutcome,
    ReviewRoundReason,
)
from liaison.production.states import NoticeStatus

pytestmark = pytest.mark.browser

REASON = "客戶追加 500 件螺栓"


@pytest.fixture
def story(db):
    return story_2_done()


def test_story_3_customer_changes_the_quantity_three_notices_one_current(desks, story, screenshot):
    staff, order, second = story.staff, story.order, story.notice
    clerk, admin = desks(staff.clerk), desks(staff.admin)
    bolt_line, nut_line = order.lines.order_by("line_no")
    before = Counter(entry.event for entry in timeline_for(customer=story.customer))

    # The clerk registers the customer's change: it goes to a new review round.
    number = register_change(
        clerk,
        order,
        kind=ChangeKind.CUSTOMER,
        reason=REASON,
        details="HB-M6-20 數量 2000 → 2500",
        via=CommunicationChannel.FAX,
    )
    year = this_year()
    assert number == f"CHG-{year}-0002"
    change = ChangeEntry.objects.get(number=number)
    assert change.kind == ChangeKind.CUSTOMER and change.status == ChangeStatus.UNDER_REVIEW
    # The customer's request is on the communication record (F5), from the customer, by fax.
    request = CommunicationRecord.objects.get(
        about_id=change.pk, topic=Topic.ORDER_CHANGE, direction=Direction.FROM_CUSTOMER
    )
    assert (request.channel, request.about) == (CommunicationChannel.FAX, change)
    order.refresh_from_db()
    assert order.status == OrderStatus.UNDER_REVIEW
    review = clerk.locator("#review")
    assert (review.get_attribute("data-round"), review.get_attribute("data-status")) == (
        "2",
        "open",
    )
    assert number in review.inner_text()
    assert clerk.locator("#sign-offs tr[data-signed='0']").count() == 4

    # Round 2: every department signs again, at its own desk; laws checked; accepted.
    sign_for(clerk, order, "sales", "客戶追加，價格不變")
    sign_for(desks(staff.qc), order, "qc")
    sign_for(desks(staff.workshop_lead), order, "workshop-1", "追加 500 件可於原交期內完成")
    sign_for(desks(staff.warehouse), order, "warehouse")
    check_laws(clerk, order, "GB/T 5782-2016")
    decide(admin, order, ReviewOutcome.ACCEPTED)
    rounds = list(order.review_rounds.order_by("number"))
    assert [(r.number, r.reason, r.outcome) for r in rounds] == [
        (1, ReviewRoundReason.NEW_ORDER, ReviewOutcome.ACCEPTED),
        (2, ReviewRoundReason.CUSTOMER_CHANGE, ReviewOutcome.ACCEPTED),
    ]
    assert rounds[1].change == change
    assert {s.signed_by for s in rounds[1].sign_offs.all()} == {
        staff.clerk,
        staff.qc,
        staff.workshop_lead,
        staff.warehouse,
    }
    change.refresh_from_db()
    assert change.status == ChangeStatus.AGREED
    assert admin.locator("#earlier-rounds [data-round='1']").count() == 1
    # The decision goes back to the customer on F5, the way the request came.
    decision = CommunicationRecord.objects.get(
        about_id=change.pk, topic=Topic.ORDER_CHANGE, direction=Direction.TO_CUSTOMER
    )
    assert (decision.channel, decision.about) == (CommunicationChannel.FAX, change)

    # The sales administrator applies it with the new quantity: a third notice.
    open_order(admin, order)
    apply = admin.locator(f"#changes [data-change='{number}'] form.apply-form")
    quantity = apply.locator(f"input[name$='-line_{bolt_line.pk}']")
    assert quantity.input_value() == "2000"
    assert apply.locator(f"input[name$='-line_{nut_line.pk}']").input_value() == "1000"
    quantity.fill("2500")
    submit(admin, apply)
    change.refresh_from_db()
    bolt_line.refresh_from_db()
    second.refresh_from_db()
    third = second.superseded_by
    assert change.status == ChangeStatus.APPLIED and bolt_line.quantity == Decimal(2500)
    assert third is not None and third.change == change and third.status == NoticeStatus.ISSUED
    assert {line.order_line_id: line.quantity for line in third.lines.all()} == {
        bolt_line.pk: Decimal(1500),  # 1000 still to make + 500 more
        nut_line.pk: Decimal(500),
    }
    assert third.due_date == second.due_date
    notices = list(order.production_notices.order_by("issued_at", "pk"))
    assert [n.number for n in notices] == [f"PN-{year}-0001", f"PN-{year}-0002", f"PN-{year}-0003"]
    assert [n.status for n in notices] == [
        NoticeStatus.VOID,
        NoticeStatus.VOID,
        NoticeStatus.ISSUED,
    ]
    assert notices[0].superseded_by == notices[1] and notices[1].superseded_by == notices[2]

    # The chain on the page: two rounds, two register entries, three notices, one current.
    assert chain_notices(admin) == [(n.number, n.status) for n in notices]
    assert admin.locator("#chain li[data-kind=notice] del").count() == 2
    second_row = admin.locator(f"#chain li[data-notice='{second.number}'] .void-info").inner_text()
    assert REASON in second_row and third.number in second_row
    assert admin.locator("#chain li[data-kind=review_round]").count() == 2
    assert admin.locator("#chain li[data-kind=change]").count() == 2
    assert admin.locator("#changes [data-change]").evaluate_all(
        "es => es.map(e => e.dataset.status)"
    ) == [
        ChangeStatus.APPLIED,
        ChangeStatus.APPLIED,
    ]
    assert (
        admin.locator("#order-lines tr[data-line='1'] td[data-col=on-notices]").inner_text()
        == "1500"
    )
    admin.evaluate("window.scrollTo(0, 0)")
    screenshot(admin, "story-3-order-page-zh-hant")

    # The workshop lead sees only the current notice as open.
    workshop = desks(staff.workshop_lead)
    workshop.goto("/production/")
    rows = workshop.locator("#notices tr[data-notice]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.notice)") == [third.number]
    assert "1500" in rows.first.inner_text()

    # The customer's timeline: the change, round 2 signed and decided, the notice replaced.
    clerk.goto(story.customer.get_absolute_url())
    events = timeline_events(clerk)
    assert Counter(events) - before == Counter(
        [
            TimelineEvent.COMMUNICATION_RECORDED,  # the request (F5)
            TimelineEvent.CHANGE_REGISTERED,
            TimelineEvent.COMMUNICATION_RECORDED,  # the decision (F5)
            TimelineEvent.REVIEW_OPENED,
            *[TimelineEvent.REVIEW_SIGNED] * 4,
            TimelineEvent.REVIEW_ACCEPTED,
            TimelineEvent.NOTICE_ISSUED,
            TimelineEvent.NOTICE_VOIDED,
            TimelineEvent.CHANGE_APPLIED,
        ]
    )
    assert events[-3:] == [TimelineEvent.NOTICE_ISSUED, TimelineEvent.NOTICE_VOIDED, TimelineEvent.CHANGE_APPLIED]
    screenshot(clerk, "story-3-customer-timeline-zh-hant")

    for user in (staff.clerk, staff.admin, staff.qc, staff.workshop_lead, staff.warehouse):
        assert desks(user).js_errors == [], user.username


def test_customer_change_agreed_in_review_shows_no_empty_agreement(desks, story):
    from liaison.orders import services
    from liaison.orders.tests.factories import sign_all

    staff, order = story.staff, story.order
    change = services.change_register(
        order=order,
        kind=ChangeKind.CUSTOMER,
        reason_category="customer_request",
        reason=REASON,
        requested_via="phone",
        actor=staff.clerk,
    )
    review_round = order.review_rounds.get(number=2)
    sign_all(review_round)
    services.review_legal_check(
        review_round=review_round, passed=True, note="GB/T 5782", actor=staff.clerk
    )
    services.review_decide(
        review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=staff.admin
    )
    change.refresh_from_db()
    assert change.status == ChangeStatus.AGREED and not change.customer_agreed_by

    clerk = open_order(desks(staff.clerk), order)
    entry = clerk.locator(f"#changes [data-change='{change.number}']").inner_text()
    # Neither an empty "who" nor empty brackets where the channel should be.
    assert not re.search(r"[(（]\s*[)）]", entry), entry
    assert not re.search(r"^\s*於", entry, re.MULTILINE), entry
