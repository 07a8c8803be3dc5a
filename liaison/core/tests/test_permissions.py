"""R-4: each role reaches only what the procedure gives it, by menu and by direct address.

One table drives the test: every role × page, allowed (200) or refused (403, or the
admin's redirect to login for a page the role has no business on).
"""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.core.roles import ROLE_PERMISSIONS, Role
from liaison.customers.models import Customer
from liaison.customers.tests.factories import CustomerFactory
from liaison.orders.models import Order
from liaison.orders.tests.factories import OrderFactory, order_line
from liaison.quality.tests.factories import complaint
from liaison.stock.models import Product
from liaison.stock.tests.factories import ProductFactory

R = Role
SALES = {R.SALES_STAFF, R.SALES_ADMIN, R.SALES_HEAD}
QC = {R.QC_INSPECTOR, R.QC_HEAD}
EVERYONE = set(Role)

# page name → roles allowed to open it; every other role is refused.
PAGES = {
    "customer_list": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "customer_change": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "customer_page": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "customer_add": SALES | {R.ADMINISTRATOR},
    "product_list": EVERYONE - {R.RESPONSIBLE_MEMBER},
    "product_add": {R.SALES_ADMIN, R.SALES_HEAD, R.WAREHOUSE_CLERK, R.ADMINISTRATOR},
    "stockmove_list": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "user_list": {R.ADMINISTRATOR},
    "api_customer_list": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "api_customer_detail": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "api_stock_list": EVERYONE - {R.RESPONSIBLE_MEMBER},
    "received_document_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "received_document_add": SALES | {R.ADMINISTRATOR},
    "communication_record_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "communication_record_add": SALES | {R.ADMINISTRATOR},
    "api_received_document_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "api_communication_record_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "dashboard": EVERYONE,
    "notice_list": SALES | QC | {R.WORKSHOP_LEAD, R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "workshop_notices": SALES | QC | {R.WORKSHOP_LEAD, R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "api_notice_list": SALES | QC | {R.WORKSHOP_LEAD, R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "outboundslip_list": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "api_outboundslip_list": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "order_log": EVERYONE - {R.RESPONSIBLE_MEMBER},
    "order_page": EVERYONE - {R.RESPONSIBLE_MEMBER},
    "order_register": SALES | {R.ADMINISTRATOR},
    "order_export": SALES | {R.ADMINISTRATOR},
    "reviewround_list": EVERYONE - {R.RESPONSIBLE_MEMBER},
    "changeentry_list": SALES | QC | {R.WAREHOUSE_CLERK, R.MANAGEMENT, R.ADMINISTRATOR},
    "inbox": EVERYONE,
    "complaint_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "complaint_page": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "nonconformance_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "feedback_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "api_complaint_list": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    "api_complaint_detail": SALES | QC | {R.MANAGEMENT, R.ADMINISTRATOR},
    # Every role reads the review calendar, minutes and actions (an action may fall to any department).
    "review_calendar": EVERYONE,
    "review_action_list": EVERYONE,
    "api_review_meeting_list": EVERYONE,
    "security_log": {R.ADMINISTRATOR},
    "login_attempts": {R.ADMINISTRATOR},
    # the retention overview, its policies and the disposal log.
    "retention_overview": {R.SALES_HEAD, R.QC_HEAD, R.ADMINISTRATOR},
    "retention_policy_list": {R.SALES_HEAD, R.QC_HEAD, R.ADMINISTRATOR},
    "disposal_log": {R.SALES_HEAD, R.QC_HEAD, R.ADMINISTRATOR},
    "api_retention_overview": {R.SALES_HEAD, R.QC_HEAD, R.ADMINISTRATOR},
    "api_disposal_log": {R.SALES_HEAD, R.QC_HEAD, R.ADMINISTRATOR},
}


def _order_pk(customer: Customer) -> int:
    order = Order.objects.filter(customer=customer).first() or OrderFactory(
        customer=customer, lines=[order_line(product=Product.objects.get(code="HB-M6-20"))]
    )
    return order.pk


def _complaint_pk(customer: Customer) -> int:
    return complaint(customer=customer, complaint_date=dt.date(2026, 1, 5), content="包裝破損").pk


def url_of(page: str, customer: Customer) -> str:
    if page == "order_page":
        return reverse("orders:detail", args=[_order_pk(customer)])
    if page == "complaint_page":
        return reverse("quality:complaint", args=[_complaint_pk(customer)])
    if page == "api_complaint_detail":
        return f"/api/v1/complaints/{_complaint_pk(customer)}/"
    return {
        "customer_list": reverse("admin:customers_customer_changelist"),
        "customer_change": reverse("admin:customers_customer_change", args=[customer.pk]),
        "customer_page": reverse("customers:detail", args=[customer.pk]),
        "customer_add": reverse("admin:customers_customer_add"),
        "product_list": reverse("admin:stock_product_changelist"),
        "product_add": reverse("admin:stock_product_add"),
        "stockmove_list": reverse("admin:stock_stockmove_changelist"),
        "user_list": reverse("admin:core_user_changelist"),
        "api_customer_list": "/api/v1/customers/",
        "api_customer_detail": f"/api/v1/customers/{customer.pk}/",
        "api_stock_list": "/api/v1/stock/",
        "received_document_list": reverse("admin:communications_receiveddocument_changelist"),
        "received_document_add": reverse("admin:communications_receiveddocument_add"),
        "communication_record_list": reverse("admin:communications_communicationrecord_changelist"),
        "communication_record_add": reverse("admin:communications_communicationrecord_add"),
        "api_received_document_list": "/api/v1/received-documents/",
        "api_communication_record_list": "/api/v1/communication-records/",
        "dashboard": reverse("admin:index"),
        "notice_list": reverse("admin:production_productionnotice_changelist"),
        "workshop_notices": reverse("production:list"),
        "api_notice_list": "/api/v1/production-notices/",
        "outboundslip_list": reverse("admin:stock_outboundslip_changelist"),
        "api_outboundslip_list": "/api/v1/outbound-slips/",
        "order_log": reverse("admin:orders_order_changelist"),
        "order_register": reverse("orders:register"),
        "order_export": reverse("admin:orders_order_export"),
        "reviewround_list": reverse("admin:orders_reviewround_changelist"),
        "changeentry_list": reverse("admin:orders_changeentry_changelist"),
        "inbox": reverse("workspace:inbox"),
        "complaint_list": reverse("admin:quality_complaint_changelist"),
        "nonconformance_list": reverse("admin:quality_nonconformancerecord_changelist"),
        "feedback_list": reverse("admin:quality_feedback_changelist"),
        "api_complaint_list": "/api/v1/complaints/",
        "review_calendar": reverse("management:calendar"),
        "review_action_list": reverse("admin:management_reviewaction_changelist"),
        "api_review_meeting_list": "/api/v1/review-meetings/",
        "retention_overview": reverse("records:overview"),
        "retention_policy_list": reverse("admin:records_retentionpolicy_changelist"),
        "disposal_log": reverse("admin:records_disposallogentry_changelist"),
        "api_retention_overview": "/api/v1/retention-overview/",
        "api_disposal_log": "/api/v1/disposal-log/",
        "security_log": reverse("admin:security_securityevent_changelist"),
        "login_attempts": reverse("admin:axes_accessattempt_changelist"),
    }[page]


@pytest.fixture
def customer(db):
    ProductFactory(code="HB-M6-20", name="螺栓")
    return CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司")


def test_every_role_has_a_group_with_exactly_its_permissions(db):
    from django.contrib.auth.models import Group

    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert held == set(perms), role


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("page", list(PAGES))
def test_r_4_role_reaches_only_its_pages(client_as, customer, role, page):
    response = client_as(role).get(url_of(page, customer))
    if role in PAGES[page]:
        assert response.status_code == 200, (role, page, response.status_code)
    else:
        assert response.status_code in {302, 403}, (role, page, response.status_code)
        if response.status_code == 302:
            assert "/login/" in response["Location"]


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_r_4_sidebar_shows_only_the_roles_menus(client_as, role):
    html = client_as(role).get(reverse("admin:index")).content.decode()
    assert (reverse("admin:customers_customer_changelist") in html) == (role in PAGES["customer_list"])
    assert (reverse("admin:core_user_changelist") in html) == (role in PAGES["user_list"])
    assert (reverse("production:list") in html) == (role in PAGES["workshop_notices"])
    assert (reverse("admin:orders_order_changelist") in html) == (role in PAGES["order_log"])
    assert (reverse("orders:register") in html) == (role in PAGES["order_register"])
    assert (reverse("admin:quality_complaint_changelist") in html) == (role in PAGES["complaint_list"])
    assert (reverse("management:calendar") in html) == (role in PAGES["review_calendar"])
    assert (reverse("records:overview") in html) == (role in PAGES["retention_overview"])
