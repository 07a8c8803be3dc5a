"""Back office and pages of complaints: read-only lists with filters and search, the complaint page."""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, frozen_today, qc_head, qc_inspector, sales, sales_head
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality.services.complaints import complaint_acknowledge, complaint_void
from liaison.quality.services.feedback import feedback_record
from liaison.quality.services.returns import return_inspect
from liaison.quality.tests.factories import acknowledged, capa, complaint, found, investigated, shipped

pytestmark = pytest.mark.django_db

LIST = reverse("admin:quality_complaint_changelist")
TODAY = dt.date(2026, 4, 20)


today = frozen_today(TODAY)


@pytest.fixture
def logged_in(client_as):
    return client_as(Role.SALES_STAFF)


def test_r_5_5_1_1_search_finds_the_customer_in_either_script(logged_in):
    mine = complaint(customer=CustomerFactory(registered_name="廈門海天精密电子有限公司"))
    other = complaint(customer=CustomerFactory(registered_name="天津聯合電器有限公司"))
    html = logged_in.get(LIST, {"q": "厦门 海天"}).content.decode()
    assert mine.number in html and other.number not in html
    html = logged_in.get(LIST, {"q": mine.number}).content.decode()
    assert mine.number in html and other.number not in html


def test_r_1_2_the_overdue_filters(logged_in):
    with clock.frozen(dt.date(2026, 4, 1)):
        late = complaint(complaint_date=dt.date(2026, 4, 1))  # not acknowledged, resolve by 04-16
    in_time = acknowledged()
    html = logged_in.get(LIST, {"overdue": "acknowledge"}).content.decode()
    assert late.number in html and in_time.number not in html
    html = logged_in.get(LIST, {"overdue": "resolve"}).content.decode()
    assert late.number in html and in_time.number not in html
    html = logged_in.get(LIST, {"status": "acknowledged"}).content.decode()
    assert in_time.number in html and late.number not in html


def test_r_4_the_complaint_detail_is_read_only(logged_in):
    record = complaint()
    response = logged_in.get(reverse("admin:quality_complaint_change", args=[record.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and record.number in html and str(record.customer) in html
    assert 'name="_save"' not in html
    assert logged_in.get(reverse("admin:quality_complaint_add")).status_code == 403


def test_the_complaint_page_shows_goods_ncrs_and_capas(logged_in):
    customer, product, order = shipped(quantity=20)
    record = complaint(
        customer=customer,
        order=order,
        kind="return",
        return_lines=[{"product": product, "quantity": 20}],
    )
    complaint_acknowledge(complaint=record, actor=sales_head())
    return_inspect(
        return_line=record.return_lines.get(),
        arrived=20,
        good=15,
        nonconforming=5,
        nonconformity="變形",
        actor=qc_head(),
    )
    request = capa(source=found(record))
    response = logged_in.get(reverse("quality:complaint", args=[record.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert record.number in html and "NCR-2026-0001" in html and request.number in html
    assert request.get_absolute_url() in html


def test_the_capa_page_follows_the_department_rule(client_as):
    request = capa(source=investigated(at_fault=True))
    url = request.get_absolute_url()
    inspector = client_as(Role.QC_INSPECTOR).get(url)
    assert inspector.status_code == 200
    assert f'data-number="{request.number}"' in inspector.content.decode()
    assert 'id="capa-implement"' not in inspector.content.decode()  # QC does not implement
    member = UserFactory(roles=[Role.RESPONSIBLE_MEMBER], department=request.department)
    page = client_as(member).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-number="{request.number}"' in html and 'id="capa-implement"' in html  # its department acts
    assert client_as(Role.RESPONSIBLE_MEMBER).get(url).status_code == 404  # another department's request
    assert client_as(Role.WAREHOUSE_CLERK).get(url).status_code == 403


def test_the_nonconformance_list_shows_the_record_of_a_return(logged_in):
    customer, product, order = shipped(quantity=20)
    record = complaint(
        customer=customer, order=order, kind="return", return_lines=[{"product": product, "quantity": 20}]
    )
    complaint_acknowledge(complaint=record, actor=sales_head())
    return_inspect(
        return_line=record.return_lines.get(),
        arrived=20,
        good=15,
        nonconforming=5,
        nonconformity="變形",
        actor=qc_inspector(),
    )
    other = complaint()
    response = logged_in.get(reverse("admin:quality_nonconformancerecord_changelist"))
    assert [ncr.number for ncr in response.context["cl"].result_list] == ["NCR-2026-0001"]
    html = response.content.decode()
    assert "NCR-2026-0001" in html and record.number in html and product.code in html
    assert other.number not in html


def test_r_5_5_3_the_feedback_list_shows_what_was_recorded(logged_in):
    praised = CustomerFactory(registered_name="廈門海天精密电子有限公司")
    feedback_record(customer=praised, kind="request", channel="email", content="請提供材質證明", actor=sales())
    response = logged_in.get(reverse("admin:quality_feedback_changelist"))
    (row,) = response.context["cl"].result_list
    assert (row.customer, row.kind, row.channel) == (praised, "request", "email")
    assert str(praised) in response.content.decode()
    found = logged_in.get(reverse("admin:quality_feedback_changelist"), {"q": "海天"})
    nothing = logged_in.get(reverse("admin:quality_feedback_changelist"), {"q": "天津"})
    assert len(found.context["cl"].result_list) == 1 and not nothing.context["cl"].result_list


def test_r_5_5_the_list_opens_on_open_complaints_and_all_shows_the_closed_ones(logged_in):
    with clock.frozen(dt.date(2026, 4, 1)):
        late = complaint(complaint_date=dt.date(2026, 4, 1))  # resolve by 04-16
        closed = complaint(complaint_date=dt.date(2026, 4, 1))
        complaint_void(complaint=closed, reason="重複登記", actor=UserFactory(roles=[Role.SALES_HEAD]))
    recent = complaint()
    html = logged_in.get(LIST).content.decode()
    assert late.number in html and recent.number in html and closed.number not in html
    assert html.index(late.number) < html.index(recent.number)  # overdue first
    html = logged_in.get(LIST, {"scope": "all"}).content.decode()
    assert late.number in html and recent.number in html and closed.number in html
    assert html.index(recent.number) < html.index(late.number)  # newest first
    html = logged_in.get(LIST, {"status__exact": "void"}).content.decode()
    assert closed.number in html and late.number not in html
