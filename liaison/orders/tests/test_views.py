"""The order pages: who may open them, what each action does, and that a refusal changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from liaison.communications.tests.factories import received_document
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    UserFactory,
    WorkshopFactory,
    frozen_today,
    local,
    member,
    review_departments,
    sales_admin,
    sales_head,
    workshop,
)
from liaison.orders import services
from liaison.orders.models import ChangeEntry, Order
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderStatus,
    ReviewOutcome,
    ReviewRoundStatus,
)
from liaison.orders.tests.factories import OrderFactory, accepted_order, order_line, sign_all
from liaison.production.models import ProductionNotice
from liaison.production.services import notice_issue
from liaison.production.states import NoticeStatus
from liaison.stock.models import OutboundSlip
from liaison.stock.selectors import stock_of
from liaison.stock.services import slip_issue
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

TODAY = local(2026, 3, 10)
ALLOWED_ON_ORDER_PAGE = set(Role) - {Role.RESPONSIBLE_MEMBER}


today = frozen_today(TODAY)


def page_url(order) -> str:
    return reverse("orders:detail", args=[order.pk])


def post(client, name: str, order, data: dict):
    return client.post(reverse(f"orders:{name}", args=[order.pk]), data)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# Who opens what


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_r_4_order_page_by_role_and_by_direct_address(client_as, role):
    order = OrderFactory()
    response = client_as(role).get(page_url(order))
    assert response.status_code == (200 if role in ALLOWED_ON_ORDER_PAGE else 403)


def test_an_order_that_does_not_exist_is_not_found(client):
    client.force_login(sales_admin())
    assert client.get(reverse("orders:detail", args=[999999])).status_code == 404


def test_signed_out_visitor_is_sent_to_log_in(client):
    order = OrderFactory()
    response = client.get(page_url(order))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize(
    ("role", "action"),
    [
        (Role.QC_INSPECTOR, "ask"),
        (Role.WORKSHOP_LEAD, "decide"),
        (Role.SALES_STAFF, "decide"),
        (Role.SALES_STAFF, "notice"),
        (Role.QC_HEAD, "ship"),
        (Role.MANAGEMENT, "reply"),
        (Role.WAREHOUSE_CLERK, "change"),
        (Role.SALES_STAFF, "apply"),
    ],
)
def test_r_4_an_action_outside_the_role_is_refused_and_changes_nothing(client_as, role, action):
    order = accepted_order()
    response = post(client_as(role), action, order, {})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert not order.clarifications.exists() and not order.changes.exists()


def test_actions_accept_only_post(client):
    order = OrderFactory()
    client.force_login(sales_admin())
    assert client.get(reverse("orders:decide", args=[order.pk])).status_code == 405


# Registering an order (R-5.2.2.1)


def register_data(customer, product, **overrides) -> dict:
    data = {
        "customer": customer.pk,
        "channel": "fax",
        "customer_po": "PO-778",
        "received_document": "",
        "received_at": "2026-03-10T08:30",
        "delivery_terms": "工廠交貨",
        "packaging": "紙箱，每箱500個",
        "post_delivery": "附材質證明",
        "notes": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": product.pk,
        "lines-0-quantity": "1000",
        "lines-0-specification": "M6×20 SUS304",
        "lines-0-required_date": "2026-04-10",
        # An empty second row, as the clerk left it after "Add a line".
        "lines-1-product": "",
        "lines-1-quantity": "",
        "lines-1-specification": "",
        "lines-1-required_date": "2026-04-10",
    }
    data.update(overrides)
    return data


def test_r_5_2_2_1_register_form_prefills_from_a_catalogued_fax(client):
    clerk = member("sales")
    document = received_document(actor=clerk)
    client.force_login(clerk)
    response = client.get(reverse("orders:register") + f"?document={document.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["customer"] == document.customer.pk
    assert form.initial["received_document"] == document.pk
    assert form.initial["channel"] == "fax"
    assert document.number in response.content.decode()
    # The line's required date is filled in already.
    assert response.context["lines"].forms[0].initial["required_date"] == TODAY.date() + dt.timedelta(days=30)


def test_register_documents_follow_the_customer(client):
    clerk = member("sales")
    mine = received_document(actor=clerk)
    other = received_document(actor=clerk)
    client.force_login(clerk)
    response = client.get(reverse("orders:register-documents") + f"?customer={mine.customer.pk}")
    html = response.content.decode()
    assert mine.number in html and other.number not in html


def test_r_5_2_2_1_registering_an_order_logs_it_and_opens_its_review(client):
    review_departments()
    clerk = member("sales")
    document = received_document(actor=clerk)
    product = ProductFactory()
    client.force_login(clerk)
    response = client.post(
        reverse("orders:register"),
        register_data(document.customer, product, received_document=document.pk),
    )
    assert response.status_code == 302, (
        response.context["form"].errors, response.context["lines"].errors, messages_of(response)
    )
    order = Order.objects.get()
    assert response["Location"] == page_url(order)
    assert order.received_document == document and order.customer_po == "PO-778"
    assert order.packaging == "紙箱，每箱500個" and order.post_delivery == "附材質證明"
    assert [(line.product, line.quantity) for line in order.lines.all()] == [(product, Decimal(1000))]
    assert order.review_rounds.get().status == ReviewRoundStatus.OPEN


def test_register_refused_by_the_service_keeps_everything_typed(client):
    """A fax of another customer: the service refuses, nothing is saved, the form comes back filled."""
    review_departments()
    clerk = member("sales")
    fax_of_someone_else = received_document(actor=clerk)
    customer = received_document(actor=clerk).customer
    product = ProductFactory()
    client.force_login(clerk)
    data = register_data(customer, product)
    data["received_document"] = fax_of_someone_else.pk
    response = client.post(reverse("orders:register"), data)
    assert response.status_code == 200
    assert not Order.objects.exists()
    form = response.context["form"]
    # The document is not among this customer's, so the choice itself is refused.
    assert form.errors == {
        "received_document": [f"Select a valid choice. {fax_of_someone_else.pk} is not one of the available choices."]
    }
    html = response.content.decode()
    assert "紙箱，每箱500個" in html and "PO-778" in html and "M6×20 SUS304" in html


def test_r_5_2_2_3_a_fax_order_without_its_fax_comes_back_with_the_error_on_the_document(client):
    review_departments()
    clerk = member("sales")
    customer = received_document(actor=clerk).customer
    client.force_login(clerk)
    response = client.post(reverse("orders:register"), register_data(customer, ProductFactory()))
    assert response.status_code == 200
    assert not Order.objects.exists()
    assert response.context["form"].errors["received_document"]
    assert "PO-778" in response.content.decode()


def test_register_without_lines_shows_the_error(client):
    review_departments()
    clerk = member("sales")
    customer = received_document(actor=clerk).customer
    client.force_login(clerk)
    data = register_data(customer, ProductFactory(), **{"lines-0-product": "", "lines-0-quantity": ""})
    response = client.post(reverse("orders:register"), data)
    assert response.status_code == 200
    assert not Order.objects.exists()
    first_line = response.context["lines"].errors[0]
    assert first_line == {"product": ["This field is required."], "quantity": ["This field is required."]}


def test_r_4_only_sales_registers_orders(client_as):
    assert client_as(Role.QC_INSPECTOR).get(reverse("orders:register")).status_code == 403


# Clarifications and the review (R-5.2.2.2, R-5.2.3.1, R-5.1.2)


def test_r_5_2_2_2_ask_and_answer_a_clarification(client):
    order = OrderFactory()
    clerk = member("sales")
    client.force_login(clerk)
    response = post(client, "ask", order, {"ask-question": "螺紋規格是粗牙還是細牙？", "ask-channel": "phone"})
    assert response.status_code == 302
    clarification = order.clarifications.get()
    assert clarification.is_open
    page = client.get(page_url(order))
    assert "螺紋規格是粗牙還是細牙？" in page.content.decode()
    prefix = f"answer-{clarification.pk}"
    response = post(
        client,
        "answer",
        order,
        {f"{prefix}-clarification": clarification.pk, f"{prefix}-answer": "粗牙", f"{prefix}-channel": "phone"},
    )
    assert response.status_code == 302
    clarification.refresh_from_db()
    assert clarification.answer == "粗牙" and not clarification.is_open


def test_r_5_2_2_2_decide_while_a_clarification_is_open_shows_why_and_changes_nothing(client):
    order = OrderFactory()
    review = order.review_rounds.get()
    decider = sales_admin()
    sign_all(review)
    services.review_legal_check(review_round=review, passed=True, note="GB/T 5782", actor=decider)
    services.clarification_ask(order=order, question="包裝方式？", channel="phone", actor=decider)
    client.force_login(decider)
    response = post(client, "decide", order, {"decide-outcome": ReviewOutcome.ACCEPTED, "decide-conditions": ""})
    assert response.status_code == 200
    form = response.context["decide_form"]
    assert "包裝方式？" in " ".join(str(e) for e in form.errors.values())
    assert "包裝方式？" in response.content.decode()
    order.refresh_from_db()
    review.refresh_from_db()
    assert order.status == OrderStatus.UNDER_REVIEW
    assert review.status == ReviewRoundStatus.OPEN


def test_r_5_2_3_1_accepting_with_conditions_answers_each_cannot_meet_on_the_page(client):
    order = OrderFactory()
    review = order.review_rounds.get()
    decider = sales_admin()
    sign_all(review)
    warehouse = review.sign_offs.get(department__code="warehouse")
    services.review_sign_off(
        sign_off=warehouse, capability_ok=True, capacity_ok=False, delivery_date_ok=True, quality_ok=True,
        opinion="倉位不足", actor=member("warehouse"),
    )
    services.review_legal_check(review_round=review, passed=True, note="GB/T 5782", actor=decider)
    client.force_login(decider)
    field = f"decide-answer_{warehouse.pk}"
    assert f'name="{field}"' in client.get(page_url(order)).content.decode()
    data = {"decide-outcome": ReviewOutcome.ACCEPTED_WITH_CONDITIONS, "decide-conditions": "分兩批交貨"}
    refused = post(client, "decide", order, data)
    assert refused.status_code == 200 and "分兩批交貨" in refused.content.decode()
    assert warehouse.department.name in " ".join(str(e) for e in refused.context["decide_form"].errors.values())
    review.refresh_from_db()
    assert review.status == ReviewRoundStatus.OPEN
    response = post(client, "decide", order, {**data, field: "第二批租用外倉"})
    assert response.status_code == 302
    warehouse.refresh_from_db()
    assert warehouse.objection_answer == "第二批租用外倉"
    assert "第二批租用外倉" in client.get(page_url(order)).content.decode()


def test_r_5_2_3_1_sign_form_shown_only_to_a_member_of_that_department(client):
    order = OrderFactory()
    inspector = member("qc")
    client.force_login(inspector)
    html = client.get(page_url(order)).content.decode()
    assert 'class="tight sign-form" data-department="qc"' in html
    assert html.count("tight sign-form") == 1
    client.force_login(member("warehouse"))
    html = client.get(page_url(order)).content.decode()
    assert 'class="tight sign-form" data-department="warehouse"' in html
    assert html.count("tight sign-form") == 1
    client.force_login(UserFactory(roles=[Role.MANAGEMENT]))
    assert "tight sign-form" not in client.get(page_url(order)).content.decode()


def test_r_5_2_3_1_a_department_signs_its_line(client):
    order = OrderFactory()
    inspector = member("qc")
    sign_off = order.review_rounds.get().sign_offs.get(department__code="qc")
    client.force_login(inspector)
    prefix = f"sign-{sign_off.pk}"
    response = post(
        client,
        "sign",
        order,
        {
            f"{prefix}-sign_off": sign_off.pk,
            f"{prefix}-capability_ok": "yes",
            f"{prefix}-capacity_ok": "yes",
            f"{prefix}-delivery_date_ok": "no",
            f"{prefix}-quality_ok": "yes",
            f"{prefix}-opinion": "交期需延後一週",
        },
    )
    assert response.status_code == 302
    sign_off.refresh_from_db()
    assert sign_off.signed_by == inspector and sign_off.delivery_date_ok is False


def test_r_5_2_3_1_a_no_without_opinion_is_shown_on_the_form_and_not_signed(client):
    order = OrderFactory()
    inspector = member("qc")
    sign_off = order.review_rounds.get().sign_offs.get(department__code="qc")
    client.force_login(inspector)
    prefix = f"sign-{sign_off.pk}"
    response = post(
        client,
        "sign",
        order,
        {
            f"{prefix}-sign_off": sign_off.pk,
            f"{prefix}-capability_ok": "no",
            f"{prefix}-capacity_ok": "yes",
            f"{prefix}-delivery_date_ok": "yes",
            f"{prefix}-quality_ok": "yes",
            f"{prefix}-opinion": "",
        },
    )
    assert response.status_code == 200
    sign_off.refresh_from_db()
    assert not sign_off.is_signed
    # The form comes back with the error and the clerk's answers still chosen.
    signed_form = next(s.sign_form for s in response.context["open_round"].sign_offs.all() if s.pk == sign_off.pk)
    assert signed_form.errors == {"opinion": ["Say in the opinion why 質檢部 answered no."]}
    assert signed_form["capability_ok"].value() == "no"


def test_r_5_2_3_1_another_departments_line_is_refused(client):
    order = OrderFactory()
    inspector = member("qc")
    sign_off = order.review_rounds.get().sign_offs.get(department__code="warehouse")
    client.force_login(inspector)
    prefix = f"sign-{sign_off.pk}"
    response = post(
        client,
        "sign",
        order,
        {
            f"{prefix}-sign_off": sign_off.pk,
            f"{prefix}-capability_ok": "yes",
            f"{prefix}-capacity_ok": "yes",
            f"{prefix}-delivery_date_ok": "yes",
            f"{prefix}-quality_ok": "yes",
        },
    )
    # Refused for who the user is (their department): 403, with the refusal on the form.
    assert response.status_code == 403
    refused = next(s.sign_form for s in response.context["open_round"].sign_offs.all() if s.pk == sign_off.pk)
    assert refused.errors == {"__all__": [f"Only a member of 倉庫 signs for 倉庫 on {order.number} F2/1."]}
    sign_off.refresh_from_db()
    assert not sign_off.is_signed


def test_a_sign_off_of_another_order_is_not_found(client):
    order, other = OrderFactory(), OrderFactory()
    inspector = member("qc")
    foreign = other.review_rounds.get().sign_offs.get(department__code="qc")
    client.force_login(inspector)
    prefix = f"sign-{foreign.pk}"
    response = post(client, "sign", order, {f"{prefix}-sign_off": foreign.pk, f"{prefix}-capability_ok": "yes"})
    assert response.status_code == 404


def test_r_5_1_2_legal_check_and_decision_accept_the_order(client):
    order = OrderFactory()
    review = order.review_rounds.get()
    sign_all(review)
    decider = sales_admin()
    client.force_login(decider)
    assert post(client, "legal", order, {"legal-passed": "yes", "legal-note": "GB/T 5782"}).status_code == 302
    response = post(client, "decide", order, {"decide-outcome": ReviewOutcome.ACCEPTED, "decide-conditions": ""})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


def test_r_5_1_2_decision_without_the_legal_check_is_refused(client):
    order = OrderFactory()
    sign_all(order.review_rounds.get())
    client.force_login(sales_admin())
    response = post(client, "decide", order, {"decide-outcome": ReviewOutcome.ACCEPTED, "decide-conditions": ""})
    assert response.status_code == 200
    assert response.context["decide_form"].errors == {
        "__all__": [
            f"Review {order.number} F2/1 cannot pass before the check against laws and regulations is recorded."
        ]
    }
    order.refresh_from_db()
    assert order.status == OrderStatus.UNDER_REVIEW


# Delivering (R-5.2.3.2, R-5.2.3.3)


def half_stocked_order():
    product = ProductFactory(stock=500)
    return accepted_order(lines=[order_line(product=product, quantity=Decimal(1000))])


def test_r_5_2_3_2_ship_form_is_prefilled_with_what_stock_covers(client):
    order = half_stocked_order()
    client.force_login(member("sales"))
    response = client.get(page_url(order))
    line = order.lines.get()
    assert response.context["ship_form"][f"line_{line.pk}"].initial == Decimal(500)
    assert response.context["notice_form"][f"line_{line.pk}"].initial == Decimal(500)


def test_r_5_2_3_2_shipping_from_stock_issues_a_slip(client):
    order = half_stocked_order()
    line = order.lines.get()
    client.force_login(member("sales"))
    response = post(client, "ship", order, {f"ship-line_{line.pk}": "500", "ship-note": ""})
    assert response.status_code == 302
    slip = OutboundSlip.objects.get(order=order)
    assert slip.lines.get().quantity == Decimal(500)
    assert stock_of(product=line.product) == 0
    page = client.get(page_url(order))
    assert page.context["page"].lines[0].shipped == Decimal(500)
    assert f"/documents/f8/{slip.pk}.pdf" in page.content.decode()


def test_r_5_2_3_2_shipping_more_than_stock_is_refused_and_nothing_moves(client):
    order = half_stocked_order()
    line = order.lines.get()
    client.force_login(member("sales"))
    response = post(client, "ship", order, {f"ship-line_{line.pk}": "800", "ship-note": "急件"})
    assert response.status_code == 200
    product = line.product
    assert response.context["ship_form"].errors == {
        "__all__": [f"Only 500 pcs of {product.code} {product.name} are in qualified stock; 800 cannot be taken out."]
    }
    assert not OutboundSlip.objects.exists()
    assert stock_of(product=line.product) == 500
    assert 'value="800' in response.content.decode()


def test_r_5_2_3_3_sales_admin_issues_a_notice_for_the_shortfall_and_replies(client):
    order = half_stocked_order()
    line = order.lines.get()
    admin_user = sales_admin()
    client.force_login(admin_user)
    response = post(
        client,
        "notice",
        order,
        {
            f"notice-line_{line.pk}": "500",
            "notice-workshop": workshop().pk,
            "notice-due_date": "2026-04-01",
            "notice-instructions": "",
        },
    )
    assert response.status_code == 302
    notice = ProductionNotice.objects.get(order=order)
    assert notice.lines.get().quantity == Decimal(500) and notice.workshop == workshop()
    reply = {"reply-promised_date": "2026-04-05", "reply-channel": "phone", "reply-summary": ""}
    response = post(client, "reply", order, reply)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 4, 5)


def test_a_reply_in_the_past_is_refused(client):
    order = accepted_order()
    client.force_login(member("sales"))
    response = post(client, "reply", order, {"reply-promised_date": "2026-01-05", "reply-channel": "phone"})
    assert response.status_code == 200
    assert response.context["reply_form"].errors == {
        "promised_date": ["The promised delivery date 01/05/2026 is already past."]
    }
    order.refresh_from_db()
    assert order.promised_date is None


def test_r_5_3_1_once_a_delay_is_agreed_the_delivery_reply_form_proposes_the_new_date(client):
    order = accepted_order()
    clerk = sales_admin()
    services.order_delivery_reply(order=order, promised_date=dt.date(2026, 3, 25), channel="phone", actor=clerk)
    change = services.change_register(
        order=order,
        kind=ChangeKind.COMPANY,
        reason_category=ChangeReasonCategory.MATERIAL,
        reason="SUS304 線材缺貨",
        new_due_date=dt.date(2026, 4, 8),
        actor=clerk,
    )
    client.force_login(clerk)
    assert client.get(page_url(order)).context["reply_form"].initial["promised_date"] == dt.date(2026, 3, 25)
    services.change_record_agreement(
        change=change, agreed_by="何志強", agreed_at=local(2026, 3, 10, 8), via="phone", actor=clerk
    )
    assert client.get(page_url(order)).context["reply_form"].initial["promised_date"] == dt.date(2026, 4, 8)


# Changes and the chain


def test_r_5_3_1_delay_agreed_and_applied_leaves_a_void_notice_in_the_chain(client):
    order = accepted_order()
    line = order.lines.get()
    admin_user = sales_admin()
    first = notice_issue(
        order=order,
        workshop=workshop(),
        due_date=dt.date(2026, 3, 25),
        lines=[{"product": line.product, "quantity": line.quantity, "order_line": line}],
        actor=admin_user,
    )
    client.force_login(admin_user)
    response = post(
        client,
        "change",
        order,
        {
            "change-kind": ChangeKind.COMPANY,
            "change-reason_category": ChangeReasonCategory.MATERIAL,
            "change-reason": "SUS304 線材缺貨",
            "change-new_due_date": "2026-04-08",
        },
    )
    assert response.status_code == 302
    change = ChangeEntry.objects.get(order=order)
    prefix = f"agree-{change.pk}"
    response = post(
        client,
        "agree",
        order,
        {
            f"{prefix}-change": change.pk,
            f"{prefix}-agreed_by": "何志強",
            f"{prefix}-agreed_at": "2026-03-10T08:00",
            f"{prefix}-via": "phone",
        },
    )
    assert response.status_code == 302
    prefix = f"apply-{change.pk}"
    response = post(client, "apply", order, {f"{prefix}-change": change.pk, f"{prefix}-due_date": "2026-04-08"})
    assert response.status_code == 302
    change.refresh_from_db()
    first.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED and first.status == NoticeStatus.VOID
    html = client.get(page_url(order)).content.decode()
    assert f"<del class=\"font-semibold\">{first.number}</del>" in html
    assert first.superseded_by.number in html
    assert f'/documents/f3/{order.pk}.pdf' in html


def test_r_5_3_1_a_delay_applied_with_nothing_left_to_make_says_no_notice_was_issued(client, english):
    order = accepted_order()
    clerk = sales_admin()
    change = services.change_register(
        order=order,
        kind=ChangeKind.COMPANY,
        reason_category=ChangeReasonCategory.MATERIAL,
        reason="SUS304 線材缺貨",
        new_due_date=dt.date(2026, 4, 8),
        actor=clerk,
    )
    services.change_record_agreement(
        change=change, agreed_by="何志強", agreed_at=local(2026, 3, 10, 8), via="phone", actor=clerk
    )
    client.force_login(clerk)
    prefix = f"apply-{change.pk}"
    response = post(client, "apply", order, {f"{prefix}-change": change.pk, f"{prefix}-due_date": "2026-04-08"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED_WITHOUT_NOTICE and not ProductionNotice.objects.exists()
    page = client.get(page_url(order))
    assert any("without a new notice" in message for message in messages_of(page))
    assert "Applied (without a new notice)" in page.content.decode()


def test_r_5_3_1_a_delay_the_customer_refuses_is_withdrawn_from_the_order_page(client):
    order = accepted_order()
    change = services.change_register(
        order=order,
        kind=ChangeKind.COMPANY,
        reason_category=ChangeReasonCategory.MATERIAL,
        reason="SUS304 線材缺貨",
        new_due_date=dt.date(2026, 4, 8),
        actor=sales_admin(),
    )
    client.force_login(sales_admin())
    html = client.get(page_url(order)).content.decode()
    assert 'class="mt-2 tight withdraw-form"' in html
    prefix = f"withdraw-{change.pk}"
    refused = post(client, "withdraw", order, {f"{prefix}-change": change.pk, f"{prefix}-reason": ""})
    assert refused.status_code == 200
    (withdrawable,) = refused.context["page"].withdrawable_changes
    assert withdrawable.withdraw_form.errors == {"reason": ["This field is required."]}
    change.refresh_from_db()
    assert change.status == ChangeStatus.REGISTERED
    response = post(
        client,
        "withdraw",
        order,
        {
            f"{prefix}-change": change.pk,
            f"{prefix}-reason": "客戶不接受延期",
            f"{prefix}-refused_via": "phone",
            f"{prefix}-refused_at": "2026-03-10T08:00",
        },
    )
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN
    page = client.get(page_url(order))
    assert page.context["can"]["change"] and "客戶不接受延期" in page.content.decode()


def test_r_5_3_1_a_delay_without_its_category_is_refused(client):
    order = accepted_order()
    client.force_login(sales_admin())
    response = post(
        client,
        "change",
        order,
        {
            "change-kind": ChangeKind.COMPANY,
            "change-reason_category": "",
            "change-reason": "缺料",
            "change-new_due_date": "2026-04-08",
        },
    )
    assert response.status_code == 200
    assert response.context["change_form"].errors == {
        "reason_category": ["Choose why the company must delay the delivery."]
    }
    assert not ChangeEntry.objects.exists()
    assert "缺料" in response.content.decode()


def test_r_5_3_2_a_customer_change_opens_round_two_and_round_one_folds_away(client):
    order = accepted_order()
    client.force_login(sales_admin())
    response = post(
        client,
        "change",
        order,
        {
            "change-kind": ChangeKind.CUSTOMER,
            "change-reason": "客戶追加數量",
            "change-change_details": "數量改為1500",
            "change-requested_via": "email",
        },
    )
    assert response.status_code == 302
    page = client.get(page_url(order))
    assert page.context["page"].current_round.number == 2
    assert [r.number for r in page.context["page"].earlier_rounds] == [1]
    assert 'id="earlier-rounds"' in page.content.decode()


def test_r_5_4_a_customer_change_without_how_it_came_is_refused_on_the_form_with_the_input_kept(client):
    order = accepted_order()
    client.force_login(sales_admin())
    response = post(
        client,
        "change",
        order,
        {"change-kind": ChangeKind.CUSTOMER, "change-reason": "客戶追加數量", "change-requested_via": ""},
    )
    assert response.status_code == 200
    assert response.context["change_form"].errors["requested_via"]
    assert response.context["change_form"]["reason"].value() == "客戶追加數量"
    assert not ChangeEntry.objects.exists()


# Fixed query counts


def _order_with_lines(count: int) -> Order:
    lines = [order_line(product=ProductFactory(stock=10)) for _ in range(count)]
    order = accepted_order(lines=lines)
    for line in order.lines.all()[:2]:
        notice_issue(
            order=order,
            workshop=workshop(),
            due_date=dt.date(2026, 4, 1),
            lines=[{"product": line.product, "quantity": Decimal(5), "order_line": line}],
            actor=sales_admin(),
        )
    return order


def test_order_page_query_count_does_not_grow_with_lines(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small, big = _order_with_lines(1), _order_with_lines(20)
    client.force_login(sales_admin())
    client.get(page_url(small))  # warm caches (content types, permissions)
    counts = []
    for order in (small, big):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(order)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_order_log_query_count_does_not_grow_with_orders(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:orders_order_changelist")
    accepted_order()
    client.force_login(sales_admin())
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for _ in range(19):
        OrderFactory()
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url)
    assert response.status_code == 200
    assert len(one) == len(twenty), "\n".join(q["sql"][:200] for q in twenty.captured_queries)


# Back office: read-only lists that open the order page, and the Excel export


def test_back_office_records_open_on_the_order_page(client):
    order = accepted_order()
    change = services.change_register(
        order=order,
        kind=ChangeKind.COMPANY,
        reason_category=ChangeReasonCategory.MATERIAL,
        reason="缺料",
        new_due_date=dt.date(2026, 4, 8),
        actor=sales_admin(),
    )
    client.force_login(member("sales"))
    for url in (
        reverse("admin:orders_order_change", args=[order.pk]),
        reverse("admin:orders_reviewround_change", args=[order.review_rounds.get().pk]),
        reverse("admin:orders_changeentry_change", args=[change.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == page_url(order)
    for name in ("order", "reviewround", "changeentry"):
        html = client.get(reverse(f"admin:orders_{name}_changelist")).content.decode()
        assert page_url(order) in html
    # No writing from the back office: "add" leads to the register page, nothing is deleted.
    assert client.get(reverse("admin:orders_order_add"))["Location"] == reverse("orders:register")


def test_order_log_search_finds_the_customer_in_the_other_script(client):
    order = OrderFactory()
    OrderFactory()
    client.force_login(member("sales"))
    query = order.customer.registered_name.replace("客戶", "客户")
    response = client.get(reverse("admin:orders_order_changelist"), {"q": query})
    assert [row.pk for row in response.context["cl"].result_list] == [order.pk]


def test_r_5_7_order_log_exports_to_excel(client):
    import io

    import openpyxl

    order = accepted_order(customer_po="PO-778")
    client.force_login(member("sales"))
    response = client.post(
        reverse("admin:orders_order_export"),
        {"format": "0", "resource": "0", "export_items": [order.pk]},
    )
    assert response.status_code == 200, response.content[:500]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert order.number in rows[1] and "PO-778" in rows[1]


def test_r_3_2_a_workshop_lead_does_not_see_another_workshops_notice_on_the_order_page(client):
    order = accepted_order()
    line = order.lines.get()
    admin_user = sales_admin()
    own = notice_issue(
        order=order,
        workshop=workshop(),
        due_date=dt.date(2026, 3, 25),
        lines=[{"product": line.product, "quantity": Decimal(40), "order_line": line}],
        actor=admin_user,
    )
    other = notice_issue(
        order=order,
        workshop=WorkshopFactory(name="二車間（熱處理）"),
        due_date=dt.date(2026, 3, 20),
        lines=[{"product": line.product, "quantity": Decimal(60), "order_line": line}],
        actor=admin_user,
    )
    client.force_login(member("workshop-1"))
    response = client.get(page_url(order))
    html = response.content.decode()
    assert response.status_code == 200
    assert own.number in html
    assert other.number not in html and "二車間" not in html
    assert 'data-col="on-notices"' not in html  # a sum over every workshop's notices
    client.force_login(admin_user)
    html = client.get(page_url(order)).content.decode()
    assert own.number in html and other.number in html and 'data-col="on-notices"' in html


# Voiding an order registered in error


def test_r_5_7_the_sales_head_voids_an_order_from_its_page(client):
    order = OrderFactory()
    client.force_login(sales_head())
    html = client.get(page_url(order)).content.decode()
    assert 'class="mt-2 tight void-form"' in html
    blank = post(client, "void", order, {"void-reason": "  "})
    assert blank.status_code == 200 and blank.context["void_form"].errors["reason"]
    order.refresh_from_db()
    assert order.status == OrderStatus.UNDER_REVIEW
    response = post(client, "void", order, {"void-reason": "同一傳真登記了兩次"})
    assert response.status_code == 302 and response["Location"] == page_url(order) + "#f1"
    order.refresh_from_db()
    assert (order.status, order.void_reason) == (OrderStatus.VOID, "同一傳真登記了兩次")
    assert order.review_rounds.get().status == ReviewRoundStatus.WITHDRAWN
    html = client.get(page_url(order)).content.decode()
    assert 'id="void-reason"' in html and "void-form" not in html


def test_r_5_7_a_void_refused_by_the_service_shows_why_and_keeps_the_reason(client):
    bolt = ProductFactory(stock=500)
    order = accepted_order(lines=[order_line(product=bolt, quantity=Decimal(300))])
    services_stock_ship(order, bolt)
    client.force_login(sales_head())
    response = post(client, "void", order, {"void-reason": "客戶取消"})
    assert response.status_code == 200
    assert response.context["void_form"].non_field_errors() or response.context["void_form"].errors
    assert "客戶取消" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


def services_stock_ship(order, product):
    return slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": product, "quantity": Decimal(100), "order_line": order.lines.get()}],
        actor=sales_admin(),
    )


@pytest.mark.parametrize("role", [Role.SALES_STAFF, Role.SALES_ADMIN, Role.QC_HEAD])
def test_r_4_only_the_sales_head_voids_an_order_from_its_page(client_as, role):
    order = OrderFactory()
    client = client_as(role)
    assert "void-form" not in client.get(page_url(order)).content.decode()
    assert post(client, "void", order, {"void-reason": "x"}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.UNDER_REVIEW
