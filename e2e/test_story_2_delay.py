"""Acceptance story 2 in the browser: a material shortage delays story 1's order.

The clerk registers the company's delay (reason category: material) in the change
register (F3), then records that the customer's buyer agreed by phone; the sales
administrator applies the change: the production notice is replaced by a new one with
the new due date, and the old one stays, void, struck through, with its reason and
successor. The workshop lead's page lists only the new notice as open.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone
from helpers import (
    chain_notices,
    desks_fixture,  # noqa: F401 (the ``desks`` fixture)
    in_days,
    open_order,
    register_change,
    story_1_done,
    submit,
    timeline_events,
)

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import CommunicationChannel, Direction, Topic
from liaison.customers.selectors import timeline_for
from liaison.customers.states import TimelineEvent
from liaison.orders.models import ChangeEntry
from liaison.orders.states import ChangeKind, ChangeReasonCategory, ChangeStatus
from liaison.production.states import NoticeStatus

pytestmark = pytest.mark.browser

REASON = "SUS304 線材缺貨，供應商延後兩週"


@pytest.fixture
def story(db):
    return story_1_done()


def test_story_2_material_shortage_delays_the_order(desks, story, screenshot):
    staff, order, original = story.staff, story.order, story.notice
    clerk, admin = desks(staff.clerk), desks(staff.admin)
    new_due = in_days(44)
    before = Counter(entry.event for entry in timeline_for(customer=story.customer))

    # The clerk registers the company's delay in the change register (F3).
    number = register_change(
        clerk,
        order,
        kind=ChangeKind.COMPANY,
        category=ChangeReasonCategory.MATERIAL,
        reason=REASON,
        new_due=new_due,
    )
    change = ChangeEntry.objects.get(number=number)
    assert (change.kind, change.reason_category, change.status) == (
        ChangeKind.COMPANY,
        ChangeReasonCategory.MATERIAL,
        ChangeStatus.REGISTERED,
    )
    assert change.new_due_date == new_due and change.reason == REASON
    entry = clerk.locator(f"#changes [data-change='{number}']")
    assert entry.get_by_text(REASON).is_visible()
    # Nothing is replaced before the customer agrees.
    assert entry.locator("form.apply-form").count() == 0
    assert chain_notices(clerk) == [(original.number, NoticeStatus.ISSUED)]

    # The customer's buyer agrees by phone: who, when (the time it is now, prefilled) and how.
    entry.locator("summary").first.click()
    agree = entry.locator("form.agree-form")
    agree.locator("input[name$='-agreed_by']").fill("陳經理（採購）")
    agreed_at = timezone.make_aware(
        dt.datetime.fromisoformat(agree.locator("input[name$='-agreed_at']").input_value())
    )
    agree.locator("select[name$='-via']").select_option(CommunicationChannel.PHONE)
    submit(clerk, agree)
    change.refresh_from_db()
    assert change.status == ChangeStatus.AGREED
    assert (change.customer_agreed_by, change.customer_agreed_via) == (
        "陳經理（採購）",
        CommunicationChannel.PHONE,
    )
    assert change.customer_agreed_at == agreed_at
    # The agreed date is the promise now: the order log reads lateness against it, the reply proposes it.
    order.refresh_from_db()
    assert order.promised_date == new_due
    open_order(clerk, order)
    assert clerk.locator("#reply-form input[name=reply-promised_date]").input_value() == new_due.isoformat()
    agreement = CommunicationRecord.objects.get(topic=Topic.ORDER_CHANGE)
    assert (agreement.channel, agreement.direction) == (
        CommunicationChannel.PHONE,
        Direction.FROM_CUSTOMER,
    )
    assert (
        clerk.locator(f"#changes [data-change='{number}']")
        .get_by_text("陳經理（採購）")
        .is_visible()
    )
    # The clerk may not issue notices, so the change waits for the sales administrator.
    assert clerk.locator("form.apply-form").count() == 0

    # The sales administrator applies it: the new notice replaces the old one.
    open_order(admin, order)
    apply = admin.locator(f"#changes [data-change='{number}'] form.apply-form")
    assert apply.locator("input[name$='-due_date']").input_value() == new_due.isoformat()
    submit(admin, apply)
    change.refresh_from_db()
    original.refresh_from_db()
    successor = original.superseded_by
    assert change.status == ChangeStatus.APPLIED
    assert original.status == NoticeStatus.VOID and successor is not None
    assert (
        successor.status == NoticeStatus.ISSUED
        and successor.due_date == new_due
        and successor.change == change
    )
    assert sorted(line.quantity for line in successor.lines.all()) == [Decimal(500), Decimal(1000)]
    assert REASON in original.void_reason

    # On the page: the old notice struck through, with its reason and successor; the new one current.
    assert chain_notices(admin) == [
        (original.number, NoticeStatus.VOID),
        (successor.number, NoticeStatus.ISSUED),
    ]
    voided = admin.locator(f"#chain li[data-notice='{original.number}']")
    assert voided.locator("del", has_text=original.number).is_visible()
    assert (
        voided.locator("del").evaluate("e => getComputedStyle(e).textDecorationLine")
        == "line-through"
    )
    void_info = voided.locator(".void-info").inner_text()
    assert (
        REASON in void_info and successor.number in void_info and staff.admin.last_name in void_info
    )
    current = admin.locator(f"#chain li[data-notice='{successor.number}']")
    assert current.locator("del").count() == 0 and number in current.inner_text()
    assert new_due.isoformat() in current.inner_text()
    admin.evaluate("window.scrollTo(0, 0)")
    screenshot(admin, "story-2-order-page-zh-hant")

    # The workshop lead's open notices: only the new one; the old one only among void ones.
    workshop = desks(staff.workshop_lead)
    workshop.goto("/production/")
    rows = workshop.locator("#notices tr[data-notice]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.notice)") == [successor.number]
    assert new_due.isoformat() in rows.first.inner_text()
    screenshot(workshop, "story-2-workshop-notices-zh-hant")
    workshop.goto("/production/?void=1")
    assert sorted(
        workshop.locator("#notices tr[data-notice]").evaluate_all(
            "rs => rs.map(r => r.dataset.notice)"
        )
    ) == [
        original.number,
        successor.number,
    ]

    # The customer's timeline: registered, agreed (by phone, in F5), new notice, old one voided.
    clerk.goto(story.customer.get_absolute_url())
    events = timeline_events(clerk)
    # The agreement is dated when the customer agreed (prefilled to the minute), so in a
    # test that runs within one minute it sorts among story 1's events: compare what is new.
    assert Counter(events) - before == Counter(
        [
            TimelineEvent.CHANGE_REGISTERED,
            TimelineEvent.COMMUNICATION_RECORDED,
            TimelineEvent.CHANGE_AGREED,
            TimelineEvent.NOTICE_ISSUED,
            TimelineEvent.NOTICE_VOIDED,
            TimelineEvent.CHANGE_APPLIED,
        ]
    )
    assert events[-3:] == [TimelineEvent.NOTICE_ISSUED, TimelineEvent.NOTICE_VOIDED, TimelineEvent.CHANGE_APPLIED]
    screenshot(clerk, "story-2-customer-timeline-zh-hant")

    for user in (staff.clerk, staff.admin, staff.workshop_lead):
        assert desks(user).js_errors == [], user.username
