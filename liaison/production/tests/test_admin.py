"""Back office of notices: read-only, filters (overdue from dates), a lead sees only their workshop's."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, sales_admin, workshop_lead
from liaison.production.services import notice_supersede
from liaison.production.tests.factories import notice

pytestmark = pytest.mark.django_db

LIST = "admin:production_productionnotice_changelist"
CHANGE = "admin:production_productionnotice_change"
ISSUED_ON = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def workshops():
    return WorkshopFactory(name="一車間"), WorkshopFactory(name="二車間")


@pytest.fixture
def notices(workshops):
    one, two = workshops
    actor = sales_admin()
    with clock.frozen(ISSUED_ON):
        return {
            "late": notice(workshop=one, due_date=dt.date(2026, 3, 10), actor=actor),
            "later": notice(workshop=one, due_date=dt.date(2026, 3, 30), actor=actor),
            "other": notice(workshop=two, due_date=dt.date(2026, 3, 12), actor=actor, replenishment=True),
        }


def listed(response) -> list[str]:
    return [n.number for n in response.context["cl"].result_list]


def test_the_list_puts_overdue_first_and_filters(client_as, notices, workshops):
    client = client_as(Role.SALES_STAFF)

    with clock.frozen(TODAY):
        everything = client.get(reverse(LIST))
        overdue = client.get(reverse(LIST), {"overdue": "yes"})
        not_overdue = client.get(reverse(LIST), {"overdue": "no"})
        replenishment = client.get(reverse(LIST), {"replenishment__exact": "1"})
        workshop = client.get(reverse(LIST), {"workshop__id__exact": workshops[1].pk})

    assert listed(everything) == [notices[k].number for k in ("late", "other", "later")]
    assert listed(overdue) == [notices["late"].number, notices["other"].number]
    assert listed(not_overdue) == [notices["later"].number]
    assert listed(replenishment) == [notices["other"].number]
    assert listed(workshop) == [notices["other"].number]


def test_void_filter_shows_the_chain_links(client, notices):
    successor = notice_supersede(notice=notices["later"], reason="延期", actor=sales_admin())
    client.force_login(UserFactory(roles=[Role.SALES_STAFF]))

    void = client.get(reverse(LIST), {"status__exact": "void"})
    page = client.get(reverse(CHANGE, args=[notices["later"].pk])).content.decode()

    assert listed(void) == [notices["later"].number]
    assert successor.get_absolute_url() in page


def test_r_3_2_a_lead_sees_only_its_workshops_notices(client, notices, workshops):
    client.force_login(workshop_lead(workshops[0]))

    response = client.get(reverse(LIST))
    other = client.get(reverse(CHANGE, args=[notices["other"].pk]))

    assert sorted(listed(response)) == sorted([notices["late"].number, notices["later"].number])
    assert other.status_code == 302  # the admin's "does not exist" redirect, not the notice
    assert client.get(reverse(CHANGE, args=[notices["late"].pk])).status_code == 200


def test_the_detail_is_read_only_and_nothing_is_added_or_deleted(client_as, notices):
    client = client_as(Role.ADMINISTRATOR)

    page = client.get(reverse(CHANGE, args=[notices["late"].pk]))

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:production_productionnotice_add")).status_code == 403
    delete = client.post(reverse("admin:production_productionnotice_delete", args=[notices["late"].pk]))
    assert delete.status_code == 403


def test_the_list_queries_do_not_grow_with_notices(client_as, notices, workshops):
    client = client_as(Role.SALES_HEAD)
    client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as three:
        client.get(reverse(LIST))
    with clock.frozen(ISSUED_ON):
        for _ in range(4):
            notice(workshop=workshops[1])
    with CaptureQueriesContext(connection) as seven:
        response = client.get(reverse(LIST))
    assert len(listed(response)) == 7
    assert len(seven) == len(three)
