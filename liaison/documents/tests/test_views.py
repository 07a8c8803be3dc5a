"""The print URLs: who may print what, in which language, under which file name."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from liaison.core.roles import Role
from liaison.core.states import DepartmentKind
from liaison.core.tests.factories import DepartmentFactory
from liaison.documents.tests.data import chain
from liaison.orders.models import Order
from liaison.production.models import ProductionNotice

pytestmark = pytest.mark.django_db

F5_QUERY = "?from=2026-01-01&to=2026-12-31"


def urls(data) -> dict[str, str]:
    return {
        "f1": reverse("documents:f1", args=[data.order.pk]),
        "f2": reverse("documents:f2", args=[data.review_round.pk]),
        "f3": reverse("documents:f3", args=[data.order.pk]),
        "f4": reverse("documents:f4", args=[data.notice.pk]),
        "f5": reverse("documents:f5", args=[data.customer.pk]) + F5_QUERY,
        "f8": reverse("documents:f8", args=[data.slip.pk]),
    }


FILE_NAMES = {
    "f1": "ORD-2026-0001.pdf",
    "f2": "ORD-2026-0001-R1.pdf",
    "f3": "ORD-2026-0001-F3.pdf",
    "f4": "F4-2026-0002.pdf",
    "f8": "OUT-2026-0001.pdf",
}


@pytest.mark.parametrize("form", ["f1", "f2", "f3", "f4", "f5", "f8"])
def test_sales_staff_print_each_form_inline_named_by_its_number(client_as, form):
    data = chain()
    client = client_as(Role.SALES_STAFF)

    response = client.get(urls(data)[form])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    expected = FILE_NAMES.get(form, f"F5-{data.customer.pk}-20260101-20261231.pdf")
    assert response["Content-Disposition"] == f'inline; filename="{expected}"'


@pytest.mark.parametrize("form", ["f1", "f2", "f3", "f4", "f5", "f8"])
def test_a_role_without_the_view_permission_is_refused(client_as, form):
    data = chain()
    client = client_as(Role.RESPONSIBLE_MEMBER)

    assert client.get(urls(data)[form]).status_code == 403


@pytest.mark.parametrize(("form", "status"), [("f1", 200), ("f2", 200), ("f3", 403), ("f5", 403), ("f8", 403)])
def test_workshop_lead_prints_only_what_the_role_reads(client_as, user_with_role, form, status):
    data = chain()
    client = client_as(user_with_role(Role.WORKSHOP_LEAD, department=data.workshop))

    assert client.get(urls(data)[form]).status_code == status


def test_workshop_lead_prints_own_workshops_notice_but_not_anothers_by_id(client_as, user_with_role):
    data = chain()
    other = DepartmentFactory(code="workshop-2", name="二車間", kind=DepartmentKind.WORKSHOP)
    ProductionNotice.objects.filter(pk=data.replenishment_notice.pk).update(workshop=other)
    client = client_as(user_with_role(Role.WORKSHOP_LEAD, department=data.workshop))

    assert client.get(reverse("documents:f4", args=[data.notice.pk])).status_code == 200
    assert client.get(reverse("documents:f4", args=[data.replenishment_notice.pk])).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client):
    data = chain()

    response = client.get(urls(data)["f1"])

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_unknown_record_is_not_found(client_as):
    client = client_as(Role.SALES_STAFF)

    assert client.get(reverse("documents:f1", args=[999999])).status_code == 404
    assert client.get(reverse("documents:f5", args=[999999])).status_code == 404


@pytest.mark.parametrize("query", ["?from=2026-13-01", "?to=yesterday", "?from=2026-03-02&to=2026-03-01"])
def test_f5_refuses_a_malformed_period(client_as, query):
    data = chain()
    client = client_as(Role.SALES_STAFF)

    assert client.get(reverse("documents:f5", args=[data.customer.pk]) + query).status_code == 400


def test_f5_period_defaults_to_this_year_so_far(client_as):
    data = chain()
    client = client_as(Role.SALES_STAFF)

    with translation.override("en"):
        response = client.get(reverse("documents:f5", args=[data.customer.pk]) + "?to=2026-06-30")

    assert response["Content-Disposition"] == f'inline; filename="F5-{data.customer.pk}-20260101-20260630.pdf"'


def _title(pdf_text, response) -> str:
    return re.sub(r"\s+", "", pdf_text(response.content))


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
def test_form_prints_in_the_users_language_unless_asked_otherwise(client_as, user_with_role, pdf_text, language):
    data = chain()
    client = client_as(user_with_role(Role.SALES_STAFF, language=language))
    with translation.override(language):
        own_label = re.sub(r"\s+", "", str(Order._meta.get_field("number").verbose_name))

    own = client.get(urls(data)["f1"])
    english = client.get(urls(data)["f1"] + "?lang=en")

    assert own_label.lower() in _title(pdf_text, own).lower()
    assert "ordernumber" in _title(pdf_text, english).lower()


def test_unknown_language_falls_back_to_the_users(client_as, user_with_role, pdf_text):
    data = chain()
    client = client_as(user_with_role(Role.SALES_STAFF, language="en"))

    response = client.get(urls(data)["f1"] + "?lang=klingon")

    assert response.status_code == 200
    assert "Orderlog" in _title(pdf_text, response)
