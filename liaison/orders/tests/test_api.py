"""API of the orders app: the same services as the pages, refused the same way, by role."""

import datetime as dt
from decimal import Decimal

import pytest

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import Topic
from liaison.communications.tests.factories import received_document
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    UserFactory,
    frozen_today,
    local,
    member,
    review_departments,
    sales_admin,
    sales_head,
    workshop,
)
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.models import ChangeEntry, Clarification, Order
from liaison.orders.services import change_register, clarification_ask
from liaison.orders.states import ChangeStatus, OrderStatus, ReviewRoundStatus
from liaison.orders.tests.factories import OrderFactory, accepted_order, review_pass, sign_all
from liaison.production.services import notice_issue
from liaison.production.states import NoticeStatus
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


today = frozen_today(local(2026, 3, 10))


@pytest.fixture
def as_user(api_client):
    def sign_in(user):
        api_client.force_authenticate(user)
        return api_client

    return sign_in


def assert_refused(response, status_code: int, code: str):
    assert response.status_code == status_code, response.json()
    body = response.json()
    assert body["code"] == code and body["message"], body
    return body


def new_order_body(customer, product, **overrides):
    body = {
        "customer": customer.pk,
        "channel": "written",
        "customer_po": "PO-778",
        "delivery_terms": "FOB 上海",
        "packaging": "紙箱",
        "post_delivery": "隨貨附材質證明",
        "lines": [
            {
                "product": product.pk,
                "quantity": "2000",
                "specification": "M6×20",
                "required_date": "2026-04-01",
            }
        ],
    }
    body.update(overrides)
    return body


# ── orders ────────────────────────────────────────────────────────────────────


def test_r_5_1_1_register_an_order_with_its_lines(as_user):
    review_departments()
    customer, product = CustomerFactory(), ProductFactory(code="HB-M6-20")
    fax = received_document(customer=customer)
    response = as_user(member("sales")).post(
        ORDERS, new_order_body(customer, product, channel="fax", received_document=fax.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    assert Order.objects.get().received_document == fax
    body = response.json()
    assert body["number"] == "ORD-2026-0001" and body["status"] == OrderStatus.UNDER_REVIEW
    assert (body["channel"], body["customer_po"], body["packaging"]) == ("fax", "PO-778", "紙箱")
    [line] = body["lines"]
    assert (line["line_no"], line["product_code"], line["quantity"], line["required_date"]) == (
        1,
        "HB-M6-20",
        "2000.000",
        "2026-04-01",
    )
    [review_round] = body["review_rounds"]
    assert review_round["number"] == 1 and len(review_round["sign_offs"]) == 4


def test_register_with_bad_input_lists_the_fields_and_writes_nothing(as_user):
    review_departments()
    response = as_user(member("sales")).post(
        ORDERS, {"channel": "pigeon", "lines": [{"quantity": "x"}]}, format="json"
    )
    body = assert_refused(response, 400, "invalid")
    assert {"customer", "channel", "lines"} <= set(body["fields"])
    assert not Order.objects.exists()


def test_r_5_2_2_3_a_fax_order_without_its_fax_answers_the_services_code(as_user):
    review_departments()
    response = as_user(member("sales")).post(
        ORDERS, new_order_body(CustomerFactory(), ProductFactory(), channel="fax"), format="json"
    )
    body = assert_refused(response, 400, "fax_document_required")
    assert body["fields"] == {"received_document": [body["message"]]}
    assert not Order.objects.exists()


def test_register_without_lines_answers_the_services_code(as_user):
    review_departments()
    response = as_user(member("sales")).post(
        ORDERS, new_order_body(CustomerFactory(), ProductFactory(), lines=[]), format="json"
    )
    body = assert_refused(response, 400, "lines_required")
    assert body["fields"] == {"lines": [body["message"]]}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.QC_INSPECTOR, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.MANAGEMENT]
)
def test_r_3_5_only_sales_registers_orders_through_the_api(as_user, role):
    review_departments()
    response = as_user(UserFactory(roles=[role])).post(
        ORDERS, new_order_body(CustomerFactory(), ProductFactory()), format="json"
    )
    assert response.status_code == 403
    assert not Order.objects.exists()


def test_orders_cannot_be_changed_or_deleted_through_the_api(as_user):
    order = OrderFactory()
    client = as_user(UserFactory(is_superuser=True))
    assert client.delete(f"{ORDERS}{order.pk}/").status_code == 405
    assert client.patch(f"{ORDERS}{order.pk}/", {"notes": "x"}, format="json").status_code == 405
    assert client.put(f"{ORDERS}{order.pk}/", {}, format="json").status_code == 405
    assert Order.objects.get().notes == ""


def test_the_order_log_lists_in_a_fixed_number_of_queries(as_user, django_assert_num_queries):
    client = as_user(member("sales"))
    client.get(ORDERS)  # loads the caller's permissions once
    OrderFactory()
    with django_assert_num_queries(3):
        first = client.get(ORDERS)
    OrderFactory(
        lines=[{"product": ProductFactory(), "quantity": 5, "required_date": dt.date(2026, 4, 1)}]
        * 3
    )
    OrderFactory()
    with django_assert_num_queries(3):
        response = client.get(ORDERS)
    assert first.json()["count"] == 1 and response.json()["count"] == 3
    assert [len(row["lines"]) for row in response.json()["results"]] == [1, 3, 1]


def test_the_order_log_filters_by_status_and_text(as_user):
    client = as_user(member("sales"))
    under_review = OrderFactory(customer_po="PO-AAA")
    accepted = accepted_order(customer_po="PO-BBB")
    found = client.get(ORDERS, {"status": "accepted"}).json()["results"]
    assert [row["number"] for row in found] == [accepted.number]
    found = client.get(ORDERS, {"q": "PO-AAA"}).json()["results"]
    assert [row["number"] for row in found] == [under_review.number]
    assert_refused(client.get(ORDERS, {"status": "lost"}), 400, "invalid")


def test_an_order_reads_with_its_whole_chain_in_a_fixed_number_of_queries(
    as_user, django_assert_num_queries
):
    client = as_user(member("sales"))
    client.get(ORDERS)  # loads the caller's permissions once
    order = accepted_order()
    change_register(
        order=order, kind="customer", reason_category="", reason="追加數量", requested_via="phone", actor=sales_admin()
    )
    with django_assert_num_queries(7):
        small = client.get(f"{ORDERS}{order.pk}/")
    for question in ("包裝？", "標籤？", "材質證明？"):
        clarification_ask(order=order, question=question, channel="phone", actor=sales_admin())
    sign_all(order.review_rounds.get(number=2))
    with django_assert_num_queries(7):
        response = client.get(f"{ORDERS}{order.pk}/")
    assert len(small.json()["clarifications"]) == 0
    body = response.json()
    assert [r["number"] for r in body["review_rounds"]] == [1, 2]
    assert (
        len(body["clarifications"]) == 3
        and body["changes"][0]["status"] == ChangeStatus.UNDER_REVIEW
    )


def test_r_4_a_workshop_lead_reads_orders_but_not_clarifications(as_user):
    order = OrderFactory()
    clarification = clarification_ask(
        order=order, question="顏色？", channel="phone", actor=sales_admin()
    )
    client = as_user(member("workshop-1"))
    assert client.get(f"{ORDERS}{order.pk}/").status_code == 200
    assert client.get(f"/api/v1/clarifications/{clarification.pk}/").status_code == 403
    answer = client.post(
        f"/api/v1/clarifications/{clarification.pk}/answer/",
        {"answer": "黑色", "channel": "phone"},
        format="json",
    )
    assert answer.status_code == 403
    assert Clarification.objects.get().is_open


def test_a_user_without_a_role_reads_nothing_by_id(as_user):
    order = OrderFactory()
    client = as_user(UserFactory())
    for url in (
        f"{ORDERS}{order.pk}/",
        f"/api/v1/review-rounds/{order.review_rounds.get().pk}/",
        f"/api/v1/sign-offs/{order.review_rounds.get().sign_offs.first().pk}/",
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_callers_are_turned_away(api_client):
    order = OrderFactory()
    assert api_client.get(f"{ORDERS}{order.pk}/").status_code in (401, 403)


# ── clarifications and the delivery reply ────────────────────────────────────


def test_r_5_2_2_2_clarification_asked_and_answered_through_the_api(as_user):
    order = OrderFactory()
    client = as_user(member("sales"))
    asked = client.post(
        f"{ORDERS}{order.pk}/clarifications/",
        {"question": "鍍鋅還是不鏽鋼？", "channel": "phone"},
        format="json",
    )
    assert asked.status_code == 201, asked.json()
    assert asked.json()["is_open"] is True
    answered = client.post(
        f"/api/v1/clarifications/{asked.json()['id']}/answer/",
        {"answer": "不鏽鋼", "channel": "fax"},
        format="json",
    )
    assert answered.status_code == 200, answered.json()
    assert answered.json()["is_open"] is False and answered.json()["answer"] == "不鏽鋼"
    assert CommunicationRecord.objects.filter(topic=Topic.CLARIFICATION).count() == 2
    again = client.post(
        f"/api/v1/clarifications/{asked.json()['id']}/answer/",
        {"answer": "x", "channel": "fax"},
        format="json",
    )
    assert_refused(again, 409, "already_answered")


def test_r_5_2_3_3_delivery_reply_through_the_api(as_user):
    order = accepted_order()
    client = as_user(member("sales"))
    response = client.post(
        f"{ORDERS}{order.pk}/delivery-reply/",
        {"promised_date": "2026-03-30", "channel": "fax"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["promised_date"] == "2026-03-30"
    assert CommunicationRecord.objects.filter(
        topic=Topic.DELIVERY_REPLY, about_id=order.pk
    ).exists()


def test_delivery_reply_on_an_order_under_review_answers_409(as_user):
    order = OrderFactory()
    response = as_user(member("sales")).post(
        f"{ORDERS}{order.pk}/delivery-reply/",
        {"promised_date": "2026-03-30", "channel": "fax"},
        format="json",
    )
    assert_refused(response, 409, "order_not_accepted")
    order.refresh_from_db()
    assert order.promised_date is None


# ── review ────────────────────────────────────────────────────────────────────


def test_r_5_2_3_1_a_department_signs_its_line_and_not_anothers(as_user):
    review_round = OrderFactory().review_rounds.get()
    qc_line = review_round.sign_offs.get(department__code="qc")
    answers = {
        "capability_ok": True,
        "capacity_ok": True,
        "delivery_date_ok": True,
        "quality_ok": True,
    }
    refused = as_user(member("warehouse")).post(
        f"/api/v1/sign-offs/{qc_line.pk}/sign/", answers, format="json"
    )
    assert_refused(refused, 403, "not_your_department")
    qc_line.refresh_from_db()
    assert not qc_line.is_signed
    signed = as_user(member("qc")).post(
        f"/api/v1/sign-offs/{qc_line.pk}/sign/", answers, format="json"
    )
    assert signed.status_code == 200, signed.json()
    assert signed.json()["signed_at"] is not None


def test_r_5_2_2_2_decide_refused_while_a_clarification_is_open(as_user):
    order = OrderFactory()
    review_round = order.review_rounds.get()
    clarification_ask(
        order=order, question="鍍鋅還是不鏽鋼？", channel="phone", actor=sales_admin()
    )
    sign_all(review_round)
    client = as_user(sales_admin())
    legal = client.post(
        f"/api/v1/review-rounds/{review_round.pk}/legal-check/",
        {"passed": True, "note": "GB/T 5782"},
        format="json",
    )
    assert legal.status_code == 200 and legal.json()["legal_check_passed"] is True
    response = client.post(
        f"/api/v1/review-rounds/{review_round.pk}/decide/", {"outcome": "accepted"}, format="json"
    )
    body = assert_refused(response, 400, "clarification_open")
    assert order.number in body["message"] and "鍍鋅還是不鏽鋼" in body["message"]
    review_round.refresh_from_db()
    assert review_round.status == ReviewRoundStatus.OPEN


def test_r_5_2_3_1_accepted_with_conditions_answers_each_cannot_meet_through_the_api(as_user):
    review_round = OrderFactory().review_rounds.get()
    sign_all(review_round, capacity_ok=False, opinion="產能已滿")
    client = as_user(sales_admin())
    url = f"/api/v1/review-rounds/{review_round.pk}/"
    client.post(url + "legal-check/", {"passed": True, "note": "GB/T 5782"}, format="json")
    body = {"outcome": "accepted_with_conditions", "conditions": "分兩批交貨"}
    assert_refused(client.post(url + "decide/", body, format="json"), 400, "objection_unanswered")
    answers = {str(s.pk): "加開夜班" for s in review_round.sign_offs.all()}
    response = client.post(url + "decide/", {**body, "answers": answers}, format="json")
    assert response.status_code == 200, response.json()
    assert {s["objection_answer"] for s in response.json()["sign_offs"]} == {"加開夜班"}


def test_r_3_1_sales_staff_cannot_decide_the_sales_administrator_can(as_user):
    review_round = OrderFactory().review_rounds.get()
    sign_all(review_round)
    refused = as_user(member("sales")).post(
        f"/api/v1/review-rounds/{review_round.pk}/legal-check/", {"passed": True}, format="json"
    )
    assert refused.status_code == 200
    refused = as_user(member("sales")).post(
        f"/api/v1/review-rounds/{review_round.pk}/decide/", {"outcome": "accepted"}, format="json"
    )
    assert_refused(refused, 403, "not_allowed")
    decided = as_user(sales_admin()).post(
        f"/api/v1/review-rounds/{review_round.pk}/decide/", {"outcome": "accepted"}, format="json"
    )
    assert decided.status_code == 200, decided.json()
    assert (
        decided.json()["status"] == ReviewRoundStatus.DECIDED
        and decided.json()["outcome"] == "accepted"
    )


def test_a_bad_outcome_is_invalid(as_user):
    review_round = OrderFactory().review_rounds.get()
    response = as_user(sales_admin()).post(
        f"/api/v1/review-rounds/{review_round.pk}/decide/", {"outcome": "maybe"}, format="json"
    )
    body = assert_refused(response, 400, "invalid")
    assert "outcome" in body["fields"]


# ── the change register ──────────────────────────────────────────────────────


def test_r_5_3_1_delay_registered_agreed_and_applied_through_the_api(as_user):
    order = accepted_order()
    line = order.lines.get()
    clerk = sales_admin()
    original = notice_issue(
        order=order,
        workshop=workshop(),
        due_date=dt.date(2026, 3, 25),
        lines=[{"product": line.product, "quantity": line.quantity, "order_line": line}],
        actor=clerk,
    )
    client = as_user(clerk)
    registered = client.post(
        "/api/v1/changes/",
        {
            "order": order.pk,
            "kind": "company",
            "reason_category": "material",
            "reason": "線材缺貨",
            "new_due_date": "2026-04-08",
        },
        format="json",
    )
    assert registered.status_code == 201, registered.json()
    change_id = registered.json()["id"]
    assert registered.json()["number"] == "CHG-2026-0001"
    agreed = client.post(
        f"/api/v1/changes/{change_id}/agreement/",
        {"agreed_by": "陳經理", "agreed_at": "2026-03-10T08:00:00+08:00", "via": "phone"},
        format="json",
    )
    assert agreed.status_code == 200 and agreed.json()["status"] == ChangeStatus.AGREED
    applied = client.post(f"/api/v1/changes/{change_id}/apply/", {}, format="json")
    assert applied.status_code == 200, applied.json()
    [successor] = applied.json()["notices"]
    assert successor["due_date"] == "2026-04-08" and successor["status"] == NoticeStatus.ISSUED
    assert applied.json()["change"]["status"] == ChangeStatus.APPLIED
    original.refresh_from_db()
    assert original.status == NoticeStatus.VOID and original.superseded_by_id == successor["id"]


def test_r_5_3_2_customer_change_with_new_quantities_through_the_api(as_user):
    order = accepted_order(
        lines=[
            {
                "product": ProductFactory(),
                "quantity": Decimal(100),
                "required_date": dt.date(2026, 4, 1),
            }
        ]
    )
    line = order.lines.get()
    clerk = sales_admin()
    notice_issue(
        order=order,
        workshop=workshop(),
        due_date=dt.date(2026, 3, 25),
        lines=[{"product": line.product, "quantity": Decimal(100), "order_line": line}],
        actor=clerk,
    )
    client = as_user(clerk)
    registered = client.post(
        "/api/v1/changes/",
        {"order": order.pk, "kind": "customer", "reason": "追加數量", "requested_via": "phone"},
        format="json",
    )
    assert registered.status_code == 201, registered.json()
    change = ChangeEntry.objects.get()
    assert change.status == ChangeStatus.UNDER_REVIEW
    review_pass(order.review_rounds.get(number=2), actor=clerk)
    applied = client.post(
        f"/api/v1/changes/{change.pk}/apply/",
        {"line_quantities": [{"order_line": line.pk, "quantity": "150"}]},
        format="json",
    )
    assert applied.status_code == 200, applied.json()
    line.refresh_from_db()
    assert line.quantity == Decimal(150)


def test_a_customer_change_cannot_be_agreed_by_hand_409(as_user):
    order = accepted_order()
    change = change_register(
        order=order, kind="customer", reason_category="", reason="改包裝", requested_via="email", actor=sales_admin()
    )
    response = as_user(sales_admin()).post(
        f"/api/v1/changes/{change.pk}/agreement/",
        {"agreed_by": "陳經理", "agreed_at": "2026-03-10T08:00:00+08:00", "via": "phone"},
        format="json",
    )
    assert_refused(response, 409, "change_agreed_by_review")


@pytest.mark.parametrize("role", [Role.QC_HEAD, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK])
def test_r_3_5_other_roles_read_the_register_but_do_not_write_it(as_user, role):
    order = accepted_order()
    change = change_register(
        order=order,
        kind="company",
        reason_category="material",
        reason="缺料",
        new_due_date=dt.date(2026, 4, 8),
        actor=sales_admin(),
    )
    client = as_user(UserFactory(roles=[role]))
    readable = role != Role.WORKSHOP_LEAD  # the workshop reads orders and notices, not F3
    assert client.get(f"/api/v1/changes/{change.pk}/").status_code == (200 if readable else 403)
    registered = client.post(
        "/api/v1/changes/",
        {
            "order": order.pk,
            "kind": "company",
            "reason_category": "quality",
            "reason": "x",
            "new_due_date": "2026-04-08",
        },
        format="json",
    )
    assert registered.status_code == 403
    agreement = client.post(
        f"/api/v1/changes/{change.pk}/agreement/",
        {"agreed_by": "陳經理", "agreed_at": "2026-03-10T08:00:00+08:00", "via": "phone"},
        format="json",
    )
    assert agreement.status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeStatus.REGISTERED and ChangeEntry.objects.count() == 1


def test_r_5_3_1_a_delay_the_customer_refuses_is_withdrawn_through_the_api(as_user):
    order = accepted_order()
    change = change_register(
        order=order,
        kind="company",
        reason_category="material",
        reason="缺料",
        new_due_date=dt.date(2026, 4, 8),
        actor=sales_admin(),
    )
    url = f"/api/v1/changes/{change.pk}/withdraw/"
    body = {"reason": "客戶不接受延期", "refused_via": "phone", "refused_at": "2026-03-10T09:00:00+08:00"}
    assert_refused(as_user(UserFactory(roles=[Role.QC_HEAD])).post(url, body, format="json"), 403, "not_allowed")
    response = as_user(sales_admin()).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == ChangeStatus.WITHDRAWN
    assert response.json()["withdrawal_reason"] == "客戶不接受延期"
    assert CommunicationRecord.objects.filter(topic=Topic.ORDER_CHANGE, about_id=change.pk).exists()
    assert_refused(as_user(sales_admin()).post(url, body, format="json"), 409, "change_not_withdrawable")


# ── the role is checked before the body ───────────────────────────────────────


def test_r_4_a_role_the_step_is_not_for_gets_403_even_with_a_bad_body(as_user):
    """A refused role learns nothing about the body it sent: 403 from the role check, not a 400."""
    order = accepted_order()
    review_round = OrderFactory().review_rounds.get()
    clarification = clarification_ask(order=review_round.order, question="鍍鋅？", channel="phone", actor=sales_admin())
    change = change_register(
        order=order, kind="company", reason_category="material", reason="缺料", new_due_date=dt.date(2026, 4, 8),
        actor=sales_admin(),
    )
    sign_off = review_round.sign_offs.get(department__code="qc")
    quality_head = as_user(UserFactory(roles=[Role.QC_HEAD]))  # reads orders, takes none of these steps
    bad = {"outcome": "maybe", "passed": "perhaps", "promised_date": "tomorrow", "reason": "", "answer": ""}
    urls = [
        f"{ORDERS}{order.pk}/clarifications/",
        f"{ORDERS}{order.pk}/delivery-reply/",
        f"/api/v1/clarifications/{clarification.pk}/answer/",
        f"/api/v1/review-rounds/{review_round.pk}/legal-check/",
        f"/api/v1/review-rounds/{review_round.pk}/decide/",
        f"/api/v1/changes/{change.pk}/agreement/",
        f"/api/v1/changes/{change.pk}/withdraw/",
        f"/api/v1/changes/{change.pk}/apply/",
    ]
    for url in urls:
        assert_refused(quality_head.post(url, bad, format="json"), 403, "not_allowed")
    management = as_user(UserFactory(roles=[Role.MANAGEMENT]))  # reads sign-offs, signs none
    assert_refused(management.post(f"/api/v1/sign-offs/{sign_off.pk}/sign/", bad, format="json"), 403, "not_allowed")
    # The step's own role still gets the 400 about its body, with the field named.
    body = assert_refused(
        as_user(sales_admin()).post(f"/api/v1/review-rounds/{review_round.pk}/decide/", bad, format="json"),
        400, "invalid",
    )
    assert "outcome" in body["fields"]
    review_round.refresh_from_db()
    change.refresh_from_db()
    clarification.refresh_from_db()
    assert review_round.status == ReviewRoundStatus.OPEN and review_round.legal_check_passed is None
    assert change.status == ChangeStatus.REGISTERED and clarification.answered_at is None


# ── voiding an order registered in error ─────────────────────────────


def test_r_5_7_the_sales_head_voids_an_order_through_the_api(as_user):
    order = OrderFactory()
    client = as_user(sales_head())
    url = f"{ORDERS}{order.pk}/void/"
    assert_refused(client.post(url, {"reason": " "}, format="json"), 400, "void_reason_required")
    response = client.post(url, {"reason": "重複登記"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["void_reason"]) == (order.number, OrderStatus.VOID, "重複登記")
    assert [r["status"] for r in body["review_rounds"]] == [ReviewRoundStatus.WITHDRAWN]
    assert_refused(client.post(url, {"reason": "again"}, format="json"), 409, "order_not_voidable")


def test_r_4_the_sales_administrator_does_not_void_orders_through_the_api(as_user):
    order = OrderFactory()
    response = as_user(sales_admin()).post(f"{ORDERS}{order.pk}/void/", {"reason": "x"}, format="json")
    assert_refused(response, 403, "not_allowed")
    order.refresh_from_db()
    assert order.status == OrderStatus.UNDER_REVIEW
