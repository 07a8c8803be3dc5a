"""Acceptance story 5 in the browser: a return of 100 pieces, 70 good, 30 replaced.

In October 瑞豐機電 received 100 HB-M6-20 bolts on order ORD-2026-0001. On 2026-11-16
they send all 100 back (threads out of tolerance). The sales clerk registers the return
on the register page against that order (first typing 120 by mistake: refused, no more
than was shipped); the Sales head confirms it from the inbox and passes it to QC. The QC
inspector inspects what arrived: 70 pass and go back into
qualified stock, 30 are nonconforming and go to a nonconformance record, which QC
disposes of (scrap); the customer needs 30 replacements. Meanwhile the warehouse ships
60 of the 70 to another customer, so stock has 10. The sales administrator arranges the
replacement on the return's page: a 補貨 outbound slip for the 10 in stock and a 補貨
production notice for the other 20.

The clerks read the pages in English; at the end the clerk switches to Simplified Chinese.
"""

import datetime as dt
from decimal import Decimal

import pytest
from helpers import (
    complaint_status,
    desks_fixture,  # noqa: F401 (the ``desks`` fixture)
    errors_on,
    make_staff,
    open_complaint,
    press,
    register_complaint,
    story_1_customer,
    switch_language,
    timeline_events,
)

from liaison.core import clock
from liaison.customers.states import TimelineEvent
from liaison.orders.tests.factories import accepted_order, order_line
from liaison.production.models import ProductionNotice
from liaison.quality.models import Complaint, NonconformanceRecord
from liaison.quality.states import ComplaintKind, ComplaintStatus, Disposition
from liaison.quality.tests.factories import shipped
from liaison.stock.models import OutboundSlip, StockMove
from liaison.stock.selectors import stock_of
from liaison.stock.services import slip_issue
from liaison.stock.states import MoveReason
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.browser
EN = "en-US"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute)


@pytest.fixture
def setting(db):
    """瑞豐機電 received 100 bolts in October (opening stock 100, shipped: stock 0)."""
    with clock.frozen(dt.date(2026, 10, 20), all_threads=True):
        staff = make_staff()
        customer = story_1_customer()
        bolt = ProductFactory(code="HB-M6-20", name="六角螺栓 M6×20", specification="M6×20 SUS304")
        customer, bolt, order = shipped(customer=customer, product=bolt, quantity=100, actor=staff.warehouse)
    assert stock_of(product=bolt) == 0
    return staff, customer, bolt, order


def ship_elsewhere(product, quantity: int, actor) -> None:
    """The warehouse's other business: a regular shipment to another customer's order."""
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(quantity))])
    line = order.lines.get()
    slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": product, "order_line": line, "quantity": Decimal(quantity)}],
        actor=actor,
    )


def cells(row) -> dict[str, str]:
    return {
        name: row.locator(f"td[data-col={name}]").inner_text().strip()
        for name in ("arrived", "good", "nonconforming", "replacement")
    }


def test_story_5_return_of_100_pieces(desks, setting, screenshot):
    staff, customer, bolt, order = setting
    clerk = desks(staff.clerk, locale=EN)

    # 2026-11-16: the customer sends everything back. The clerk types 120 first: refused.
    with clock.frozen(at(16, 9, 20), all_threads=True):
        clerk.goto("/quality/register/")
        clerk.locator("#complaint-register input[name=kind][value=return]").check()
        with clerk.expect_response(lambda r: "/quality/register/orders/" in r.url):
            clerk.locator("#id_customer").select_option(str(customer.pk))
        clerk.locator("#id_channel").select_option("fax")
        clerk.locator("#id_content").fill("整批退貨：螺紋超差，通止規不通過")
        clerk.locator("#id_order").select_option(str(order.pk))
        row = clerk.locator("#return-line-rows tr.return-line").first
        row.locator("[data-role=product]").select_option(str(bolt.pk))
        row.locator("input[name$='-quantity']").fill("120")
        with clerk.expect_navigation():
            clerk.locator("#complaint-register-submit").click()
        assert clerk.url.endswith("/quality/register/")
        refusal = clerk.locator("#return-line-rows tr.return-line").first.locator(".text-red-600").inner_text()
        assert "HB-M6-20" in refusal and "100" in refusal, refusal
        screenshot(clerk, "story5-01-return-more-than-shipped-refused-en")
        assert not Complaint.objects.filter(customer=customer).exists()

        record = register_complaint(
            clerk,
            customer,
            kind=ComplaintKind.RETURN,
            channel="fax",
            content="整批退貨：螺紋超差，通止規不通過",
            order=order,
            lines=[(bolt, 100)],
        )
        assert record.kind == ComplaintKind.RETURN and record.order == order
        line = record.return_lines.get()
        assert (line.product, line.quantity) == (bolt, 100)
        assert clerk.locator(f"#return-lines tr[data-line='{line.pk}']").get_attribute("data-inspected") == "0"
        # Confirming it and passing it to QC is the Sales head's (R-5.5.1.1): the clerk is not offered it.
        assert clerk.locator("#complaint-acknowledge").count() == 0
        screenshot(clerk, "story5-02-return-registered-en")

    # Half an hour later the Sales head confirms it from the inbox.
    head = desks(staff.sales_head, locale=EN)
    with clock.frozen(at(16, 9, 50), all_threads=True):
        head.goto("/")
        head.locator('a[href="/inbox/"]').first.click()  # "My inbox" in the sidebar
        head.wait_for_load_state()
        head.locator("#inbox li[data-kind=complaint_acknowledge] a", has_text=record.number).click()
        head.wait_for_load_state()
        press(head, "complaint-acknowledge")
        assert complaint_status(head) == ComplaintStatus.ACKNOWLEDGED
        record.refresh_from_db()
        assert (record.created_by, record.acknowledged_by) == (staff.clerk, staff.sales_head)

    # 2026-11-17: QC inspects what arrived: 70 good back into stock, 30 nonconforming; 30 to replace.
    qc = desks(staff.qc, locale=EN)
    with clock.frozen(at(17, 10, 0), all_threads=True):
        qc.goto("/")
        qc.locator('a[href="/inbox/"]').first.click()  # "My inbox" in the sidebar
        qc.wait_for_load_state()
        qc.locator("#inbox li[data-kind=return_inspect] a", has_text=record.number).click()
        qc.wait_for_load_state()
        inspect = qc.locator(f"#inspect-{line.pk}")
        assert inspect.locator(f"input[name=inspect-{line.pk}-arrived]").input_value() == "100"
        inspect.locator(f"input[name=inspect-{line.pk}-good]").fill("70")
        inspect.locator(f"input[name=inspect-{line.pk}-nonconforming]").fill("30")
        inspect.locator(f"input[name=inspect-{line.pk}-replacement_needed]").fill("30")
        inspect.locator(f"textarea[name=inspect-{line.pk}-nonconformity]").fill("牙距超差，通止規不通過")
        press(qc, f"inspect-{line.pk}")
        row = qc.locator(f"#return-lines tr[data-line='{line.pk}']")
        assert row.get_attribute("data-inspected") == "1"
        assert cells(row) == {"arrived": "100", "good": "70", "nonconforming": "30", "replacement": "30"}
        assert stock_of(product=bolt) == 70
        move = StockMove.objects.get(product=bolt, reason=MoveReason.RETURN_GOOD)
        assert (move.quantity, move.document_ref) == (70, record.number)

        # The 30 go to a nonconformance record; QC decides: scrap.
        ncr = NonconformanceRecord.objects.get()
        assert (ncr.quantity, ncr.product, ncr.return_line) == (30, bolt, line)
        entry = qc.locator(f"#nonconformances > [data-record='{ncr.number}']")
        assert entry.get_attribute("data-disposition") == ""
        entry.locator("summary").click()
        dispose = entry.locator("form.dispose-form")
        dispose.locator(f"select[name=dispose-{ncr.pk}-disposition]").select_option(Disposition.SCRAP)
        dispose.locator(f"textarea[name=dispose-{ncr.pk}-note]").fill("螺紋損壞，無法返工")
        press(qc, f"dispose-{ncr.pk}")
        assert qc.locator(f"#nonconformances > [data-record='{ncr.number}']").get_attribute(
            "data-disposition"
        ) == Disposition.SCRAP
        # Replacing is the sales administrator's: QC sees the plan, not the button.
        assert qc.locator("#replacement-plan").is_visible() and qc.locator("#complaint-replace").count() == 0
        screenshot(qc, "story5-03-inspected-en")
    ncr.refresh_from_db()
    assert (ncr.disposition, ncr.disposed_by) == (Disposition.SCRAP, staff.qc)

    # Meanwhile 60 of the 70 leave on another customer's order: stock has 10.
    with clock.frozen(at(17, 15, 0), all_threads=True):
        ship_elsewhere(bolt, 60, staff.warehouse)
    assert stock_of(product=bolt) == 10

    # 2026-11-18: the sales administrator arranges the replacement of 30: 10 from stock, 20 to make.
    admin = desks(staff.admin, locale=EN)
    with clock.frozen(at(18, 9, 0), all_threads=True):
        open_complaint(admin, record)
        plan = admin.locator("#replacement-plan tr[data-product='HB-M6-20']")
        assert plan.locator("td[data-col=from-stock]").inner_text() == "10"
        assert plan.locator("td[data-col=to-make]").inner_text() == "20"
        screenshot(admin, "story5-04-replacement-plan-en")
        replace = admin.locator("#complaint-replace")
        replace.locator("select[name=replace-workshop]").select_option(str(staff.departments["workshop-1"].pk))
        replace.locator("input[name=replace-due_date]").fill("2026-11-28")
        press(admin, "complaint-replace")
        assert errors_on(admin) == []
        slip = OutboundSlip.objects.get(replenishment=True)
        notice = ProductionNotice.objects.get(replenishment=True)
        documents = admin.locator("#replacement-documents")
        slip_item = documents.locator(f"li[data-slip='{slip.number}']")
        notice_item = documents.locator(f"li[data-notice='{notice.number}']")
        assert "HB-M6-20 × 10" in slip_item.inner_text() and "補貨" in slip_item.inner_text()
        assert "HB-M6-20 × 20" in notice_item.inner_text() and "補貨" in notice_item.inner_text()
        assert "2026-11-28" in notice_item.inner_text()
        assert admin.locator("#complaint-replace").count() == 0  # a return is replaced once
        screenshot(admin, "story5-05-replacement-arranged-en")
    assert [(item.product, item.quantity) for item in slip.lines.all()] == [(bolt, 10)]
    assert [(item.product, item.quantity) for item in notice.lines.all()] == [(bolt, 20)]
    assert (slip.customer, notice.order, notice.workshop) == (customer, order, staff.departments["workshop-1"])
    assert notice.due_date == dt.date(2026, 11, 28)
    assert stock_of(product=bolt) == 0

    # The customer's timeline shows the return, its inspection and the 補貨 notice.
    clerk.goto(customer.get_absolute_url())
    events = timeline_events(clerk)
    for event in (TimelineEvent.RETURN_REGISTERED, TimelineEvent.RETURN_INSPECTED, TimelineEvent.NOTICE_ISSUED):
        assert event in events, f"{event}: {events}"
    assert events.index(TimelineEvent.RETURN_INSPECTED) < events.index(TimelineEvent.NOTICE_ISSUED)
    screenshot(clerk, "story5-06-customer-timeline-en")

    # The clerk reads the return in Simplified Chinese.
    switch_language(clerk, "简体中文")
    open_complaint(clerk, record)
    assert clerk.locator("html").get_attribute("lang") == "zh-hans"
    assert clerk.locator(f"#replacement-documents li[data-notice='{notice.number}']").is_visible()
    screenshot(clerk, "story5-07-return-page-zh-hans")

    for user in (staff.clerk, staff.sales_head, staff.qc, staff.admin):
        assert desks(user).js_errors == [], user.username
