"""Acceptance story 1 in the browser: a fax order from receipt to the delivery reply.

The sales clerk catalogues the fax with its PDF (FAX-<year>-0001), registers the order
from it with two lines, asks about an unclear point and records the answer; Sales, QC,
the workshop and the warehouse each sign their line of the review form at their own desk;
the clerk records the check against laws and regulations; the sales administrator
accepts. Stock covers half of each line: the warehouse ships it (F8, stock goes down);
the sales administrator sends the other half to the workshop (F4); the clerk replies the
delivery date. The customer page's timeline shows all of it.
"""

from decimal import Decimal

import pytest
from helpers import (
    chain_notices,
    check_laws,
    decide,
    desks_fixture,  # noqa: F401 (the ``desks`` fixture)
    in_days,
    make_staff,
    open_order,
    quantities_of,
    sign_for,
    story_1_customer,
    story_1_done,
    story_1_products,
    submit,
    switch_language,
    this_year,
    timeline_events,
    tiny_pdf,
)

from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import Topic
from liaison.customers.states import TimelineEvent
from liaison.orders.models import Order
from liaison.orders.states import OrderStatus, ReviewOutcome
from liaison.production.models import ProductionNotice
from liaison.production.states import NoticeStatus
from liaison.stock.models import OutboundSlip
from liaison.stock.selectors import stock_of

pytestmark = pytest.mark.browser


@pytest.fixture
def setting(db):
    staff = make_staff()
    bolt, nut = story_1_products()
    return staff, story_1_customer(), bolt, nut


def catalogue_the_fax(page, customer) -> str:
    """The clerk catalogues the received fax with its PDF in the admin; returns its number."""
    page.goto("/admin/communications/receiveddocument/add/")
    # The customer field searches as the clerk types (autocomplete).
    page.locator(
        ".field-customer .select2-selection, #id_customer + .select2 .select2-selection"
    ).first.click()
    page.locator(".select2-search__field").fill("瑞豐")
    page.locator(".select2-results__option", has_text=customer.short_name).click()
    page.locator("select[name=channel]").select_option("fax")
    page.locator("textarea[name=summary]").fill("訂單 PO-778：螺栓與螺母各一項")
    page.locator("input[type=file][name=file]").set_input_files(
        files=[{"name": "PO-778.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}]
    )
    with page.expect_navigation():
        page.locator("button[name=_save][form=receiveddocument_form]").click()
    assert "/add/" not in page.url, page.locator(".errorlist").all_inner_texts()
    number = f"FAX-{this_year()}-0001"
    assert page.get_by_text(number).first.is_visible()
    return number


def register_the_order(page, customer, fax_number: str, bolt, nut) -> Order:
    """The clerk registers the order from the catalogued fax: two lines, packaging, terms."""
    page.goto("/orders/register/")
    with page.expect_response(lambda r: "/orders/register/documents/" in r.url):
        page.locator("#id_customer").select_option(str(customer.pk))
    document = page.locator("#id_received_document")
    document.select_option(label=document.locator("option", has_text=fax_number).inner_text())
    page.locator("#id_channel").select_option("fax")
    page.locator("#id_customer_po").fill("PO-778")
    rows = page.locator("#line-rows tr.order-line")
    rows.nth(0).locator("[data-role=product]").select_option(str(bolt.pk))
    rows.nth(0).locator("input[name$='-quantity']").fill("2000")
    rows.nth(0).locator("[data-role=required-date]").fill(in_days(40).isoformat())
    page.locator("#add-line").click()
    rows.nth(1).locator("[data-role=product]").select_option(str(nut.pk))
    rows.nth(1).locator("input[name$='-quantity']").fill("1000")
    # The product's own specification filled the line's; the new line took the date above.
    assert rows.nth(1).locator("[data-role=specification]").input_value() == "M6 SUS304"
    assert rows.nth(1).locator("[data-role=required-date]").input_value() == in_days(40).isoformat()
    page.locator("#id_delivery_terms").fill("送貨到廠，運費我方負責")
    page.locator("#id_packaging").fill("紙箱，每箱 500 件")
    page.locator("#id_post_delivery").fill("隨貨附材質證明")
    with page.expect_navigation():
        page.locator("#register-submit").click()
    assert "/register/" not in page.url, page.locator(".errorlist").all_inner_texts()
    order = Order.objects.get()
    assert page.url.endswith(f"/orders/{order.pk}/")
    return order


def test_story_1_fax_order_from_receipt_to_delivery_reply(desks, setting, screenshot):
    staff, customer, bolt, nut = setting
    clerk = desks(staff.clerk)

    # The fax arrives and is catalogued with its file.
    fax_number = catalogue_the_fax(clerk, customer)
    fax = ReceivedDocument.objects.get()
    assert fax.number == fax_number and fax.customer == customer and fax.channel == "fax"
    [attachment] = fax.attachments.all()
    assert attachment.original_name == "PO-778.pdf"
    assert attachment.file.read().startswith(b"%PDF-1.4")

    # The order is logged (F1) from it; its review form (F2) opens.
    order = register_the_order(clerk, customer, fax_number, bolt, nut)
    assert (
        order.received_document == fax and order.channel == "fax" and order.customer_po == "PO-778"
    )
    assert [(line.product, line.quantity) for line in order.lines.order_by("line_no")] == [
        (bolt, Decimal(2000)),
        (nut, Decimal(1000)),
    ]
    assert clerk.locator("#order-status").get_attribute("data-status") == OrderStatus.UNDER_REVIEW
    assert clerk.locator("#f1").get_by_text(fax_number).is_visible()

    # One point is unclear: asked by phone, answered by fax.
    clerk.locator("#clarifications > details > summary").click()
    ask = clerk.locator("#ask-form")
    ask.locator("textarea[name=ask-question]").fill("螺母材質：鍍鋅還是 SUS304？")
    ask.locator("select[name=ask-channel]").select_option("phone")
    submit(clerk, ask)
    assert clerk.locator("[data-clarification][data-open='1']").count() == 1
    clerk.locator("[data-clarification][data-open='1'] summary").click()
    answer = clerk.locator("form.answer-form")
    answer.locator("textarea[name$='-answer']").fill("SUS304，與螺栓相同")
    answer.locator("select[name$='-channel']").select_option("fax")
    submit(clerk, answer)
    assert clerk.locator("[data-clarification][data-open='0']").count() == 1
    [clarification] = order.clarifications.all()
    assert clarification.answer == "SUS304，與螺栓相同" and not clarification.is_open

    # Every department signs its own line of the review form at its own desk.
    sign_for(clerk, order, "sales", "客戶信用良好")
    sign_for(desks(staff.qc), order, "qc", "按 GB/T 5782 檢驗")
    sign_for(desks(staff.workshop_lead), order, "workshop-1", "欠數可於四週內完成")
    sign_for(desks(staff.warehouse), order, "warehouse", "現有庫存可出一半")
    check_laws(clerk, order, "GB/T 5782-2016、GB/T 6170-2015")
    admin = desks(staff.admin)
    decide(admin, order, ReviewOutcome.ACCEPTED)
    order.refresh_from_db()
    review_round = order.review_rounds.get()
    assert order.status == OrderStatus.ACCEPTED and review_round.outcome == ReviewOutcome.ACCEPTED
    assert {s.department.code: s.signed_by for s in review_round.sign_offs.all()} == {
        "sales": staff.clerk,
        "qc": staff.qc,
        "workshop-1": staff.workshop_lead,
        "warehouse": staff.warehouse,
    }
    assert review_round.legal_check_passed is True and review_round.decided_by == staff.admin

    # Stock covers half: the warehouse ships it on an outbound slip (F8).
    warehouse = open_order(desks(staff.warehouse), order)
    ship = warehouse.locator("#ship-form")
    assert sorted(quantities_of(ship).values()) == [Decimal(500), Decimal(1000)]
    submit(warehouse, ship)
    slip = OutboundSlip.objects.get(order=order)
    assert sorted(line.quantity for line in slip.lines.all()) == [Decimal(500), Decimal(1000)]
    assert (stock_of(product=bolt), stock_of(product=nut)) == (Decimal(0), Decimal(0))
    assert warehouse.locator("#chain li[data-kind=slip]").get_by_text(slip.number).is_visible()

    # The other half goes to the workshop on a production notice (F4).
    open_order(admin, order)
    notice_form = admin.locator("#notice-form")
    assert sorted(quantities_of(notice_form).values()) == [Decimal(500), Decimal(1000)]
    notice_form.locator("select[name=notice-workshop]").select_option(
        str(staff.departments["workshop-1"].pk)
    )
    notice_form.locator("input[name=notice-due_date]").fill(in_days(30).isoformat())
    notice_form.locator("textarea[name=notice-instructions]").fill("材質 SUS304，與螺栓同批")
    submit(admin, notice_form)
    notice = ProductionNotice.objects.get(order=order)
    assert notice.status == NoticeStatus.ISSUED and notice.workshop.code == "workshop-1"
    assert notice.due_date == in_days(30)
    assert sorted(line.quantity for line in notice.lines.all()) == [Decimal(500), Decimal(1000)]
    assert chain_notices(admin) == [(notice.number, NoticeStatus.ISSUED)]
    # Still to deliver: the half on the notice, nothing left uncovered.
    column = "#order-lines td[data-col={}]".format
    assert admin.locator(column("on-notices")).all_inner_texts() == ["1000", "500"]
    assert admin.locator(column("outstanding")).all_inner_texts() == ["1000", "500"]
    assert admin.locator("#notice-form").count() == 0

    # The clerk replies the delivery date to the customer (F5).
    open_order(clerk, order)
    reply = clerk.locator("#reply-form")
    reply.locator("input[name=reply-promised_date]").fill(in_days(33).isoformat())
    reply.locator("select[name=reply-channel]").select_option("fax")
    reply.locator("textarea[name=reply-summary]").fill("1500 件今日出貨，餘 1500 件按回覆日期交貨")
    submit(clerk, reply)
    order.refresh_from_db()
    assert order.promised_date == in_days(33)
    assert clerk.locator("#promised-date").inner_text() == in_days(33).isoformat()
    topics = list(
        CommunicationRecord.objects.filter(customer=customer).order_by("occurred_at", "pk")
    )
    assert [r.topic for r in topics] == [
        Topic.CLARIFICATION,
        Topic.CLARIFICATION,
        Topic.DELIVERY_REPLY,
    ]
    clerk.evaluate("window.scrollTo(0, 0)")
    screenshot(clerk, "story-1-order-page-zh-hant")

    # All of it on the customer's timeline.
    clerk.locator("#order-page a", has_text=customer.registered_name).first.click()
    clerk.wait_for_load_state()
    events = timeline_events(clerk)
    for event in [
        TimelineEvent.DOCUMENT_RECEIVED,
        TimelineEvent.ORDER_REGISTERED,
        TimelineEvent.CLARIFICATION_ASKED,
        TimelineEvent.CLARIFICATION_ANSWERED,
        TimelineEvent.REVIEW_ACCEPTED,
        TimelineEvent.SHIPPED_FROM_STOCK,
        TimelineEvent.NOTICE_ISSUED,
        TimelineEvent.DELIVERY_REPLIED,
    ]:
        assert event in events, f"{event} missing from the timeline"
    in_order = [
        e
        for e in events
        if e
        in {
            "document_received",
            "order_registered",
            "review_accepted",
            "shipped_from_stock",
            "notice_issued",
            "delivery_replied",
        }
    ]
    assert in_order == [
        "document_received",
        "order_registered",
        "review_accepted",
        "shipped_from_stock",
        "notice_issued",
        "delivery_replied",
    ]
    assert events.count(TimelineEvent.REVIEW_SIGNED) == 4
    screenshot(clerk, "story-1-customer-timeline-zh-hant")

    # The same order page in English, for the English-speaking reader.
    switch_language(clerk, "English")
    open_order(clerk, order)
    assert clerk.locator("html").get_attribute("lang") == "en"
    screenshot(clerk, "story-1-order-page-en")

    for user in (staff.clerk, staff.admin, staff.qc, staff.workshop_lead, staff.warehouse):
        assert desks(user).js_errors == [], user.username


# What the walk-through above showed wrong (reported; the markers go when they are fixed)


def test_timeline_names_communication_records_in_local_time(desks, db):
    story = story_1_done()
    clerk = desks(story.staff.clerk)
    clerk.goto(story.customer.get_absolute_url())
    entries = clerk.locator("#timeline li[data-event=communication_recorded]")
    assert entries.count() == 3
    for i in range(entries.count()):
        entry = entries.nth(i)
        when = entry.locator("time").inner_text()
        assert entry.locator("a").inner_text().startswith(when), entry.inner_text()


def test_timeline_summary_of_a_decision_follows_the_readers_language(desks, db):
    story = story_1_done(until_decision=True)
    story.staff.admin.language = "en"
    story.staff.admin.save(update_fields=["language"])
    admin = desks(story.staff.admin)
    decide(admin, story.order, ReviewOutcome.ACCEPTED)
    assert admin.locator("html").get_attribute("lang") == "en"

    clerk = desks(story.staff.clerk)
    clerk.goto(story.customer.get_absolute_url())
    assert clerk.locator("html").get_attribute("lang") == "zh-hant"
    decided = clerk.locator("#timeline li[data-event=review_accepted]").inner_text()
    assert "Accepted" not in decided, decided
    assert "合同評審已接受" in decided, decided
