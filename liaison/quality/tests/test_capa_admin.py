"""Back office of CAPA requests: read-only, filters (overdue from dates), steps inline, scoped."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import WorkshopFactory, department_member, qc_head, workshop_lead
from liaison.quality.capa.services import capa_implement
from liaison.quality.tests.factories import capa

pytestmark = pytest.mark.django_db

LIST = "admin:quality_caparequest_changelist"
CHANGE = "admin:quality_caparequest_change"
TODAY = dt.date(2026, 4, 20)
ACTIONS = {"corrective_action": "修模", "preventive_action": "首件檢", "implementation": "已完成"}


@pytest.fixture
def workshops():
    return WorkshopFactory(name="一車間"), WorkshopFactory(name="二車間")


@pytest.fixture
def requests(workshops):
    one, two = workshops
    inspector = qc_head()
    with clock.frozen(dt.date(2026, 4, 1)):
        made = {
            "late": capa(department=one, due_date=dt.date(2026, 4, 10), actor=inspector),
            "later": capa(department=one, due_date=dt.date(2026, 5, 30), actor=inspector),
            "other": capa(department=two, due_date=dt.date(2026, 4, 15), actor=inspector),
        }
        capa_implement(capa=made["other"], actor=workshop_lead(two), **ACTIONS)
    return made


def listed(response) -> list[str]:
    return [record.number for record in response.context["cl"].result_list]


def test_r_5_5_1_2_the_list_puts_overdue_first_and_filters(client, requests, workshops):
    client.force_login(qc_head())

    with clock.frozen(TODAY):
        everything = client.get(reverse(LIST))
        overdue = client.get(reverse(LIST), {"overdue": "yes"})
        not_overdue = client.get(reverse(LIST), {"overdue": "no"})
        implemented = client.get(reverse(LIST), {"status__exact": "implemented"})
        department = client.get(reverse(LIST), {"department__id__exact": workshops[1].pk})

    assert listed(everything) == [requests[key].number for key in ("late", "other", "later")]
    assert listed(overdue) == [requests["late"].number, requests["other"].number]
    assert listed(not_overdue) == [requests["later"].number]
    assert listed(implemented) == [requests["other"].number]
    assert listed(department) == [requests["other"].number]
    assert "10" in everything.content.decode()  # days late of the first


def test_r_3_4_a_department_sees_only_its_requests(client, requests, workshops):
    client.force_login(department_member(workshops[0]))

    response = client.get(reverse(LIST))
    other = client.get(reverse(CHANGE, args=[requests["other"].pk]))

    assert sorted(listed(response)) == sorted([requests["late"].number, requests["later"].number])
    assert other.status_code == 302  # the admin's "does not exist" redirect, not the request
    own = client.get(reverse(CHANGE, args=[requests["late"].pk]))
    assert own.status_code == 200 and own.context["original"] == requests["late"]
    assert requests["late"].number in own.content.decode()


def test_r_4_the_detail_shows_the_signed_steps_and_is_read_only(client_as, requests, workshops):
    client = client_as(Role.QC_HEAD)

    page = client.get(reverse(CHANGE, args=[requests["other"].pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "Issued" in html and "Implemented" in html
    assert 'name="_save"' not in html
    assert client.get(reverse("admin:quality_caparequest_add")).status_code == 403
    delete = client.post(reverse("admin:quality_caparequest_delete", args=[requests["late"].pk]))
    assert delete.status_code == 403


def test_r_4_a_role_without_the_view_right_is_refused(client_as, requests):
    client = client_as(Role.WAREHOUSE_CLERK)

    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(reverse(CHANGE, args=[requests["late"].pk])).status_code == 403


def test_the_list_queries_do_not_grow_with_requests(client_as, requests, workshops):
    client = client_as(Role.QC_INSPECTOR)
    client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as three:
        client.get(reverse(LIST))
    for _ in range(4):
        capa(department=workshops[1])
    with CaptureQueriesContext(connection) as seven:
        response = client.get(reverse(LIST))
    assert len(listed(response)) == 7
    assert len(seven) == len(three)
