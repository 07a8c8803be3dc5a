"""Optimistic locking (issue 6 item 5): the second of two saves on the same version is refused, nothing overwritten."""

import pytest
from django.contrib.admin import AdminSite
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from liaison.core.admin_base import LiaisonAdmin
from liaison.core.concurrency import (
    ConcurrencyErrorCode,
    VersionConflict,
    changes_since,
    expect_version,
    version_of,
)
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.customers.models import Contact, Customer
from liaison.customers.tests.factories import ContactFactory, CustomerFactory
from liaison.customers.tests.test_admin import change_form_data
from liaison.quality.models import Complaint
from liaison.quality.tests.factories import closed as closed_complaint
from liaison.quality.tests.factories import complaint, voided
from liaison.stock.models import Product
from liaison.stock.tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _person(username, first_name):
    return UserFactory(roles=[Role.SALES_ADMIN], username=username, first_name=first_name, last_name="Chen")


def _session(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# --- the back office -------------------------------------------------------------------------


def test_r_5_7_second_back_office_save_is_refused_with_what_changed_and_the_first_kept():
    customer = CustomerFactory(phone="0769-1000", fax="0769-5000")
    first, second = _person("first", "Mei"), _person("second", "Hua")
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    first_session, second_session = _session(first), _session(second)

    # Both open the same customer.
    first_form = first_session.get(url).context["adminform"].form
    second_form = second_session.get(url).context["adminform"].form
    assert first_form.initial["version"] == second_form.initial["version"] == version_of(customer)
    assert 'name="version"' in second_session.get(url).content.decode()

    saved = first_session.post(url, {**change_form_data(customer, phone="0769-2000"),
                                      "version": first_form.initial["version"]})
    assert saved.status_code == 302
    refused = second_session.post(url, {**change_form_data(customer, phone="0769-3000", fax="0769-6000"),
                                        "version": second_form.initial["version"]})

    assert refused.status_code == 200
    form = refused.context["adminform"].form
    (message,) = form.non_field_errors()
    assert "changed by someone else after you opened it" in message and "Nothing was saved" in message
    assert "“0769-1000” → “0769-2000”" in message and "Mei Chen (first)" in message
    assert "0769-2000" in form.errors["phone"][0]
    customer.refresh_from_db()
    assert (customer.phone, customer.fax) == ("0769-2000", "0769-5000")  # the first's save kept, nothing of the second's
    assert customer.history.count() == 2 and customer.history.latest("history_id").history_user == first


def test_back_office_save_on_the_current_version_goes_through():
    customer = CustomerFactory(phone="0769-1000")
    session = _session(_person("clerk", "Mei"))
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    version = session.get(url).context["adminform"].form.initial["version"]

    response = session.post(url, {**change_form_data(customer, phone="0769-2000", change_reason="new line"),
                                  "version": version})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.phone == "0769-2000"
    assert customer.history.latest("history_id").history_change_reason == "new line"


# --- the API ---------------------------------------------------------------------------------


def test_r_5_7_second_api_update_gets_409_with_what_changed_and_the_first_kept(api_client):
    customer = CustomerFactory(phone="0769-1000")
    first, second = _person("first", "Mei"), _person("second", "Hua")
    url = f"/api/v1/customers/{customer.pk}/"
    api_client.force_authenticate(first)
    version = api_client.get(url).json()["version"]
    assert version == version_of(customer)

    saved = api_client.patch(url, {"phone": "0769-2000", "version": version}, format="json")
    assert saved.status_code == 200 and saved.json()["version"] != version
    api_client.force_authenticate(second)
    refused = api_client.patch(url, {"phone": "0769-3000", "address": "elsewhere", "version": version},
                               format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert refused.status_code == 409
    body = refused.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == ConcurrencyErrorCode.STALE_VERSION
    assert "“0769-1000” → “0769-2000”" in body["message"]
    assert set(body["fields"]) == {"version", "phone"}
    assert "Mei Chen (first)" in body["fields"]["phone"][0]
    customer.refresh_from_db()
    assert customer.phone == "0769-2000" and customer.address != "elsewhere"


def test_api_update_checks_an_if_match_header_too(api_client):
    product = ProductFactory(name="M6 螺絲")
    api_client.force_authenticate(UserFactory(roles=[Role.SALES_ADMIN]))
    url = f"/api/v1/products/{product.pk}/"
    version = api_client.get(url).json()["version"]
    assert api_client.patch(url, {"name": "M6 螺絲（鍍鋅）"}, format="json", HTTP_IF_MATCH=f'"{version}"').status_code == 200

    refused = api_client.patch(url, {"name": "M8 螺絲"}, format="json", HTTP_IF_MATCH=f'"{version}"')

    assert refused.status_code == 409
    assert set(refused.json()["fields"]) == {"version", "name"}
    assert Product.objects.get(pk=product.pk).name == "M6 螺絲（鍍鋅）"


def test_contact_api_update_is_checked(api_client):
    contact = ContactFactory(phone="0769-1000")
    api_client.force_authenticate(UserFactory(roles=[Role.SALES_STAFF]))
    url = f"/api/v1/contacts/{contact.pk}/"
    version = api_client.get(url).json()["version"]
    api_client.patch(url, {"phone": "0769-2000", "version": version}, format="json")

    assert api_client.patch(url, {"phone": "0769-3000", "version": version}, format="json").status_code == 409
    assert Contact.objects.get(pk=contact.pk).phone == "0769-2000"


def test_api_update_without_a_version_is_not_checked_and_a_bad_version_is_refused(api_client):
    customer = CustomerFactory(phone="0769-1000")
    api_client.force_authenticate(UserFactory(roles=[Role.SALES_STAFF]))
    url = f"/api/v1/customers/{customer.pk}/"

    assert api_client.patch(url, {"phone": "0769-2000"}, format="json").status_code == 200
    bad = api_client.patch(url, {"phone": "0769-3000", "version": "yesterday"}, format="json")

    assert bad.status_code == 400 and bad.json()["code"] == ConcurrencyErrorCode.VERSION_INVALID
    assert Customer.objects.get(pk=customer.pk).phone == "0769-2000"


def test_api_create_ignores_a_version(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.SALES_ADMIN]))
    response = api_client.post(
        "/api/v1/products/", {"code": "P-900", "name": "墊片", "unit": "pcs", "version": "x"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["version"] == version_of(Product.objects.get(code="P-900"))


# --- the service helper ------------------------------------------------------------------------


def test_expect_version_lists_every_field_changed_since_with_the_last_changer():
    customer = CustomerFactory(phone="0769-1000", fax="0769-5000")
    version = version_of(customer)
    first, second = _person("first", "Mei"), _person("second", "Hua")
    from liaison.customers.services import customer_save

    for actor, values in [(first, {"phone": "0769-2000"}), (second, {"phone": "0769-3000", "fax": "0769-6000"})]:
        current = Customer.objects.get(pk=customer.pk)
        for name, value in values.items():
            setattr(current, name, value)
        customer_save(customer=current, actor=actor)

    changes = {change.field: change for change in changes_since(model=Customer, pk=customer.pk,
                                                                 version=customer.updated_at)}
    assert (changes["phone"].old, changes["phone"].new, changes["phone"].user) == ("0769-1000", "0769-3000",
                                                                                   str(second))
    assert (changes["fax"].old, changes["fax"].new) == ("0769-5000", "0769-6000")
    with transaction.atomic(), pytest.raises(VersionConflict) as refused:
        expect_version(customer, version)
    assert refused.value.conflict is True
    with transaction.atomic():
        current = Customer.objects.get(pk=customer.pk)
        assert expect_version(current, version_of(current)) == current
        assert expect_version(current, "") is None  # no version, no check


@pytest.mark.django_db(transaction=True)
def test_expect_version_must_run_in_the_saving_transaction():
    customer = CustomerFactory()
    with pytest.raises(LiaisonError) as refused:
        expect_version(customer, version_of(customer))
    assert refused.value.code == ConcurrencyErrorCode.OUTSIDE_TRANSACTION


# --- a closed record needs a reason ------------------------------------------------------------


class _ComplaintAdmin(LiaisonAdmin):
    fields = ["content"]


def _complaint_form(record, data):
    model_admin = _ComplaintAdmin(Complaint, AdminSite())
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True)
    form_class = model_admin.get_form(request, record, change=True, fields=[*model_admin.fields, "change_reason",
                                                                           "version"])
    return form_class(data=data, instance=record)


def test_r_5_7_editing_a_closed_record_needs_a_reason():
    closed = closed_complaint()

    with transaction.atomic():
        form = _complaint_form(closed, {"content": "更正：M6×25", "version": version_of(closed)})
        assert not form.is_valid()
        assert form.errors["change_reason"] == [
            "This record is “Closed”: give the reason for changing it; it is kept in its history."
        ]
    with transaction.atomic():
        form = _complaint_form(closed, {"content": "更正：M6×25", "version": version_of(closed),
                                        "change_reason": "Typing error in the size"})
        assert form.is_valid(), form.errors


def test_an_open_record_needs_no_reason_and_the_reason_field_shows_for_a_closed_one():
    open_complaint = complaint()
    with transaction.atomic():
        assert _complaint_form(open_complaint, {"content": "x", "version": version_of(open_complaint)}).is_valid()
    model_admin = _ComplaintAdmin(Complaint, AdminSite())
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True)
    closed = voided()

    def flat(fieldsets):
        return [name for _title, options in fieldsets for name in options["fields"]]

    assert flat(model_admin.get_fieldsets(request, closed)) == ["content", "change_reason", "version"]
    assert flat(model_admin.get_fieldsets(request, open_complaint)) == ["content", "version"]
