"""Shared steps of the story browser tests: who works here, their browsers, and the clicks.

Each person of the procedure (sales clerk, sales administrator, Sales head, QC inspector,
QC head, workshop lead, warehouse clerk) is a user of their own department and works in their own browser
context, as they would at their own desk. The page helpers below click through the
workflow pages exactly as those people do; no service is called from them.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, review_departments

TEST_PASSWORD = "pw-for-tests"
VIEWPORT = {"width": 1400, "height": 900}


def this_year() -> int:
    return clock.now().year


def in_days(days: int) -> dt.date:
    return clock.today() + dt.timedelta(days=days)


def tiny_pdf() -> bytes:
    """A one-page, blank PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# The people


@dataclass
class Staff:
    clerk: object  # sales staff: registers, asks, signs for Sales, checks laws, replies
    admin: object  # sales administrator: decides reviews, issues and replaces notices
    qc: object  # QC inspector: signs for QC, inspects returned goods, disposes of nonconforming ones
    workshop_lead: object
    warehouse: object
    departments: dict
    # The heads the procedure settings name (liaison.core.procedure, R-5.5.1.1-3):
    sales_head: object  # 業務部負責人: confirms a complaint Sales staff registered and passes it to QC
    qc_head: object  # 質檢部負責人: decides the finding, verifies CAPA requests, feeds the result back


def make_staff() -> Staff:
    departments = review_departments()
    return Staff(
        clerk=UserFactory(
            username="meiling",
            last_name="陳",
            first_name="美玲",
            roles=[Role.SALES_STAFF],
            department=departments["sales"],
        ),
        admin=UserFactory(
            username="guoqiang",
            last_name="林",
            first_name="國強",
            roles=[Role.SALES_ADMIN],
            department=departments["sales"],
        ),
        qc=UserFactory(
            username="zhiming",
            last_name="黃",
            first_name="志明",
            roles=[Role.QC_INSPECTOR],
            department=departments["qc"],
        ),
        workshop_lead=UserFactory(
            username="haibo",
            last_name="張",
            first_name="海波",
            roles=[Role.WORKSHOP_LEAD],
            department=departments["workshop-1"],
        ),
        warehouse=UserFactory(
            username="lixin",
            last_name="吳",
            first_name="立新",
            roles=[Role.WAREHOUSE_CLERK],
            department=departments["warehouse"],
        ),
        departments=departments,
        sales_head=UserFactory(
            username="jiahui",
            last_name="何",
            first_name="嘉慧",
            roles=[Role.SALES_HEAD],
            department=departments["sales"],
        ),
        qc_head=UserFactory(
            username="jianguo",
            last_name="李",
            first_name="建國",
            roles=[Role.QC_HEAD],
            department=departments["qc"],
        ),
    )


@pytest.fixture(name="desks")
def desks_fixture(browser, live_server):
    """``desks(user)``: that user's own signed-in browser page (one context per user, reused)."""
    contexts = {}

    def open_desk(user, locale: str = "zh-TW"):
        if user.pk in contexts:
            return contexts[user.pk][1]
        context = browser.new_context(
            base_url=live_server.url, viewport=VIEWPORT, locale=locale, timezone_id="Asia/Taipei"
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        page.goto("/admin/login/")
        page.fill("input[name=username]", user.get_username())
        page.fill("input[name=password]", TEST_PASSWORD)
        page.locator("form [type=submit]").first.click()
        page.wait_for_url(lambda url: "/login/" not in url)
        contexts[user.pk] = (context, page)
        return page

    yield open_desk
    for context, _page in contexts.values():
        context.close()


def switch_language(page, name: str):
    """Open the account menu (bottom left) and pick a language by its own name."""
    page.locator("[x-data*=openUserLinks] > div.cursor-pointer").click()
    page.get_by_role("button", name=re.compile(name)).click()
    page.wait_for_load_state()


# The order page


def open_order(page, order):
    response = page.goto(f"/orders/{order.pk}/")
    assert response.status == 200, f"order page answered {response.status}"
    return page


def submit(page, form):
    """Press an order-page form's button; a saved action comes back to the order page.

    A refused one shows the page again at the action's own address with the error
    beside the form: fail with what it says.
    """
    with page.expect_navigation():
        form.locator("[type=submit]").first.click()
    if not re.search(r"/orders/\d+/(#\w*)?$", page.url):
        errors = page.locator(".errorlist, ul.errorlist li, [role=alert]").all_inner_texts()
        pytest.fail(f"refused at {page.url}: {errors}")
    return page


def answer_yes_on_every_question(form):
    for name in ("capability_ok", "capacity_ok", "delivery_date_ok", "quality_ok"):
        form.locator(f"input[type=radio][name$='-{name}'][value=yes]").check()


def sign_for(page, order, department_code: str, opinion: str = ""):
    """The department's member signs its line of the open review round: ✓ on every question."""
    open_order(page, order)
    form = page.locator(f"form.sign-form[data-department='{department_code}']")
    assert form.count() == 1, f"no sign-off form for {department_code} on the order page"
    # Nobody may sign for another department: this member sees one form, their own.
    assert page.locator("form.sign-form").count() == 1
    answer_yes_on_every_question(form)
    if opinion:
        form.locator("textarea[name$='-opinion']").fill(opinion)
    submit(page, form)
    assert (
        page.locator(f"#sign-offs tr[data-department='{department_code}']").get_attribute(
            "data-signed"
        )
        == "1"
    )


def check_laws(page, order, note: str):
    open_order(page, order)
    page.locator("#legal-check summary").click()
    form = page.locator("#legal-form")
    form.locator("input[type=radio][name=legal-passed][value=yes]").check()
    form.locator("input[name=legal-note]").fill(note)
    submit(page, form)


def decide(page, order, outcome: str = "accepted"):
    open_order(page, order)
    form = page.locator("#decide-form")
    form.locator("select[name=decide-outcome]").select_option(outcome)
    submit(page, form)
    assert page.locator("#review").get_attribute("data-status") == "decided"


def quantities_of(form) -> dict[str, Decimal]:
    """The prefilled per-line quantities of a ship / notice / apply form, by field name."""
    boxes = form.locator("input[name*='-line_']")
    return {
        boxes.nth(i).get_attribute("name"): Decimal(boxes.nth(i).input_value() or "0")
        for i in range(boxes.count())
    }


def chain_notices(page) -> list[tuple[str, str]]:
    """(number, status) of each production notice in the order's chain, oldest first."""
    items = page.locator("#chain li[data-kind=notice]")
    return [
        (items.nth(i).get_attribute("data-notice"), items.nth(i).get_attribute("data-status"))
        for i in range(items.count())
    ]


def timeline_events(page) -> list[str]:
    """The customer page's timeline events, oldest first."""
    items = page.locator("#timeline li[data-event]")
    return list(reversed([items.nth(i).get_attribute("data-event") for i in range(items.count())]))


# Story 1's end state, made through the services: the starting point of stories 2 and 3


@dataclass
class Story:
    staff: Staff
    customer: object
    bolt: object
    nut: object
    order: object
    notice: object


def story_1_products():
    from liaison.stock.tests.factories import ProductFactory

    bolt = ProductFactory(
        code="HB-M6-20", name="六角螺栓 M6×20", specification="M6×20 SUS304", stock=1000
    )
    nut = ProductFactory(code="HN-M6", name="六角螺母 M6", specification="M6 SUS304", stock=500)
    return bolt, nut


def story_1_customer():
    from liaison.customers.tests.factories import CustomerFactory

    return CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司", short_name="瑞豐機電")


def story_1_done(*, until_decision: bool = False) -> Story:
    """What story 1 leaves: the order accepted, half shipped, half on PN-<year>-0001, replied.

    ``until_decision`` stops before the sales administrator decides the review.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liaison.communications.services import received_document_catalogue
    from liaison.communications.states import CommunicationChannel, ReceivedChannel
    from liaison.orders import services
    from liaison.orders.states import OrderChannel, ReviewOutcome
    from liaison.production.services import notice_issue
    from liaison.stock.services import slip_issue

    staff = make_staff()
    customer = story_1_customer()
    bolt, nut = story_1_products()
    fax = received_document_catalogue(
        customer=customer,
        channel=ReceivedChannel.FAX,
        summary="訂單 PO-778：螺栓與螺母各一項",
        upload=SimpleUploadedFile("PO-778.pdf", tiny_pdf(), content_type="application/pdf"),
        actor=staff.clerk,
    )
    order = services.order_register(
        customer=customer,
        channel=OrderChannel.FAX,
        received_document=fax,
        received_at=fax.received_at,
        customer_po="PO-778",
        lines=[
            {
                "product": bolt,
                "quantity": Decimal(2000),
                "specification": "M6×20 SUS304",
                "required_date": in_days(40),
            },
            {
                "product": nut,
                "quantity": Decimal(1000),
                "specification": "M6 SUS304",
                "required_date": in_days(40),
            },
        ],
        packaging="紙箱，每箱 500 件",
        actor=staff.clerk,
    )
    question = services.clarification_ask(
        order=order,
        question="螺母材質：鍍鋅還是 SUS304？",
        channel=CommunicationChannel.PHONE,
        actor=staff.clerk,
    )
    services.clarification_answer(
        clarification=question,
        answer="SUS304，與螺栓相同",
        channel=CommunicationChannel.FAX,
        actor=staff.clerk,
    )
    review_round = order.review_rounds.get()
    signers = {
        "sales": staff.clerk,
        "qc": staff.qc,
        "workshop-1": staff.workshop_lead,
        "warehouse": staff.warehouse,
    }
    for sign_off in review_round.sign_offs.select_related("department"):
        services.review_sign_off(
            sign_off=sign_off,
            capability_ok=True,
            capacity_ok=True,
            delivery_date_ok=True,
            quality_ok=True,
            opinion="",
            actor=signers[sign_off.department.code],
        )
    services.review_legal_check(
        review_round=review_round, passed=True, note="GB/T 5782-2016", actor=staff.clerk
    )
    if until_decision:
        return Story(staff=staff, customer=customer, bolt=bolt, nut=nut, order=order, notice=None)
    services.review_decide(
        review_round=review_round, outcome=ReviewOutcome.ACCEPTED, conditions="", actor=staff.admin
    )
    bolt_line, nut_line = order.lines.order_by("line_no")
    slip_issue(
        customer=customer,
        order=order,
        lines=[
            {"product": bolt, "quantity": Decimal(1000), "order_line": bolt_line},
            {"product": nut, "quantity": Decimal(500), "order_line": nut_line},
        ],
        actor=staff.warehouse,
    )
    notice = notice_issue(
        order=order,
        workshop=staff.departments["workshop-1"],
        due_date=in_days(30),
        lines=[
            {"product": bolt, "quantity": Decimal(1000), "order_line": bolt_line},
            {"product": nut, "quantity": Decimal(500), "order_line": nut_line},
        ],
        actor=staff.admin,
    )
    services.order_delivery_reply(
        order=order,
        promised_date=in_days(33),
        channel=CommunicationChannel.FAX,
        summary="1500 件今日出貨，餘 1500 件按回覆日期交貨",
        actor=staff.clerk,
    )
    order.refresh_from_db()
    return Story(staff=staff, customer=customer, bolt=bolt, nut=nut, order=order, notice=notice)


# Contract changes (F3)


def register_change(
    page, order, *, kind: str, reason: str, category: str = "", details: str = "", new_due=None, via: str = ""
):
    """The clerk registers a change on the order page; returns the register entry's number.

    ``via``: how the customer asked for their change (it goes on F5).
    """
    open_order(page, order)
    form = page.locator("#change-form")
    form.locator("select[name=change-kind]").select_option(kind)
    if category:
        form.locator("select[name=change-reason_category]").select_option(category)
    if via:
        form.locator("select[name=change-requested_via]").select_option(via)
    form.locator("textarea[name=change-reason]").fill(reason)
    if details:
        form.locator("textarea[name=change-change_details]").fill(details)
    if new_due:
        form.locator("input[name=change-new_due_date]").fill(new_due.isoformat())
    before = {
        n
        for n in page.locator("#changes [data-change]").evaluate_all(
            "es => es.map(e => e.dataset.change)"
        )
    }
    submit(page, form)
    after = page.locator("#changes [data-change]").evaluate_all(
        "es => es.map(e => e.dataset.change)"
    )
    [number] = [n for n in after if n not in before]
    return number


def story_2_done() -> Story:
    """Story 2 on top of story 1, through the services: a material delay, agreed, applied."""
    from liaison.communications.states import CommunicationChannel
    from liaison.orders import services
    from liaison.orders.states import ChangeKind, ChangeReasonCategory

    story = story_1_done()
    change = services.change_register(
        order=story.order,
        kind=ChangeKind.COMPANY,
        reason_category=ChangeReasonCategory.MATERIAL,
        reason="SUS304 線材缺貨，供應商延後兩週",
        new_due_date=in_days(44),
        actor=story.staff.clerk,
    )
    services.change_record_agreement(
        change=change,
        agreed_by="陳經理（採購）",
        agreed_at=clock.now(),
        via=CommunicationChannel.PHONE,
        actor=story.staff.clerk,
    )
    [successor] = services.change_apply(change=change, actor=story.staff.admin)
    story.order.refresh_from_db()
    story.notice = successor
    return story


# Complaints and returns (F6) and CAPA requests (F7): stories 4 and 5


def open_complaint(page, complaint):
    response = page.goto(f"/quality/{complaint.pk}/")
    assert response.status == 200, f"complaint page answered {response.status}"
    return page


def complaint_status(page) -> str:
    return page.locator("#complaint-page").get_attribute("data-status")


def errors_on(page) -> list[str]:
    """What a refused form says: the banner above the page and the errors beside the fields."""
    texts = page.locator(".errornote, form .text-red-600 li").all_inner_texts()
    return [" ".join(text.split()) for text in texts if text.strip()]


def press(page, form_id: str, *, back_to: str = r"/quality/(capa/)?\d+/(#[\w-]*)?$"):
    """Press the button of one step's form; a saved step comes back to its page (``back_to``).

    A refused one shows the page again at the step's own address with the error beside
    the form: fail with what it says.
    """
    with page.expect_navigation():
        page.locator(f"#{form_id} [type=submit]").first.click()
    if not re.search(back_to, page.url):
        pytest.fail(f"refused at {page.url}: {errors_on(page)}")
    return page


def post_without_the_page(page, action: str, fields: dict | None = None):
    """Send a step's form the page does not offer this user now (a stale tab, a forwarded link).

    The CSRF token is the one the open page carries. Returns the response the browser got.
    """
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                const input = document.querySelector("input[name=csrfmiddlewaretoken]");
                const token = input ? input.value : document.cookie.match(/csrftoken=([^;]+)/)[1];
                for (const [name, value] of Object.entries({csrfmiddlewaretoken: token, ...fields})) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = name;
                    input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [action, fields or {}],
        )
    return navigation.value


def register_complaint(
    page,
    customer,
    *,
    content: str,
    channel: str = "phone",
    kind: str = "complaint",
    order=None,
    product=None,
    lot: str = "",
    remedy: str = "",
    lines: tuple = (),
):
    """The clerk registers a complaint or a return on the register page; returns it (F6)."""
    from liaison.quality.models import Complaint

    page.goto("/quality/register/")
    if kind != "complaint":
        page.locator(f"#complaint-register input[name=kind][value={kind}]").check()
    # The order choice follows the customer (swapped in by htmx).
    with page.expect_response(lambda r: "/quality/register/orders/" in r.url):
        page.locator("#id_customer").select_option(str(customer.pk))
    page.locator("#id_channel").select_option(channel)
    page.locator("#id_content").fill(content)
    if remedy:
        page.locator("#id_requested_remedy").fill(remedy)
    if order is not None:
        page.locator("#id_order").select_option(str(order.pk))
    if product is not None:
        page.locator("#id_product").select_option(str(product.pk))
    if lot:
        page.locator("#id_lot").fill(lot)
    for index, (line_product, quantity) in enumerate(lines):
        if index:
            page.locator("#add-return-line").click()
        row = page.locator("#return-line-rows tr.return-line").nth(index)
        row.locator("[data-role=product]").select_option(str(line_product.pk))
        row.locator("input[name$='-quantity']").fill(str(quantity))
    before = set(Complaint.objects.values_list("pk", flat=True))
    with page.expect_navigation():
        page.locator("#complaint-register-submit").click()
    assert "/register/" not in page.url, errors_on(page)
    [complaint] = Complaint.objects.exclude(pk__in=before)
    assert page.url.endswith(f"/quality/{complaint.pk}/")
    return complaint
