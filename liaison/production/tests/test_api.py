"""API of production notices: list by role, read by id, issue, start, complete, void."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, frozen_today, sales_admin, workshop_lead
from liaison.orders.tests.factories import OrderFactory, accepted_order
from liaison.production.models import ProductionNotice
from liaison.production.states import NoticeStatus
from liaison.production.tests.factories import notice

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/production-notices/"
ISSUED_ON = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 3, 16)


today = frozen_today(TODAY)


@pytest.fixture
def workshops():
    return WorkshopFactory(name="一車間"), WorkshopFactory(name="二車間")


@pytest.fixture
def notices(workshops):
    one, two = workshops
    actor = sales_admin()
    with clock.frozen(ISSUED_ON):
        return {
            "mine": notice(workshop=one, due_date=dt.date(2026, 3, 10), actor=actor),
            "other": notice(workshop=two, due_date=dt.date(2026, 3, 30), actor=actor),
        }


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def numbers(response) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


def test_r_3_2_a_workshop_lead_lists_only_its_notices(api_client, workshops, notices):
    api = as_user(api_client, workshop_lead(workshops[0]))

    response = api.get(NOTICES)

    assert response.status_code == 200
    assert numbers(response) == [notices["mine"].number]
    row = response.json()["results"][0]
    assert row["days_late"] == 6
    assert row["workshop_name"] == "一車間"
    assert row["lines"][0]["quantity"] == "50.000"


def test_r_3_2_another_workshops_notice_by_id_is_not_found(api_client, workshops, notices):
    api = as_user(api_client, workshop_lead(workshops[0]))
    other = notices["other"]

    assert api.get(f"{NOTICES}{other.pk}/").status_code == 404
    assert api.post(f"{NOTICES}{other.pk}/start/", {"note": "x"}).status_code == 404
    assert api.post(f"{NOTICES}{other.pk}/complete/").status_code == 404
    assert ProductionNotice.objects.get(pk=other.pk).status == NoticeStatus.ISSUED


def test_sales_lists_every_notice_and_filters(api_client, workshops, notices):
    api = as_user(api_client, UserFactory(roles=[Role.SALES_STAFF]))

    assert numbers(api.get(NOTICES)) == [notices["mine"].number, notices["other"].number]
    assert numbers(api.get(NOTICES, {"workshop": workshops[1].pk})) == [notices["other"].number]
    assert numbers(api.get(NOTICES, {"overdue": "true"})) == [notices["mine"].number]
    assert numbers(api.get(NOTICES, {"status": "void"})) == []
    assert api.get(NOTICES, {"status": "nonsense"}).json()["code"] == "invalid"


def test_the_list_runs_a_fixed_number_of_queries(api_client, workshops, notices, django_assert_num_queries):
    api = as_user(api_client, UserFactory(roles=[Role.SALES_STAFF]))
    api.get(NOTICES)  # the user's permissions and roles are cached on it from now on
    # count, notices, lines
    with django_assert_num_queries(3):
        api.get(NOTICES)
    with clock.frozen(ISSUED_ON):
        notice(workshop=workshops[0])
        notice(workshop=workshops[1])
    with django_assert_num_queries(3):
        assert len(numbers(api.get(NOTICES))) == 4


def test_r_5_2_3_3_sales_admin_issues_a_notice(api_client, workshops):
    actor = sales_admin()
    order = accepted_order()
    line = order.lines.get()
    api = as_user(api_client, actor)

    response = api.post(
        NOTICES,
        {
            "order": order.pk,
            "workshop": workshops[0].pk,
            "due_date": "2026-04-15",
            "instructions": "加急",
            "lines": [{"product": line.product.pk, "order_line": line.pk, "quantity": "50"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "PN-2026-0001"
    assert body["status"] == "issued"
    assert body["lines"][0]["order_line"] == line.pk
    assert ProductionNotice.objects.get().issued_by == actor


def test_r_5_2_3_3_a_workshop_lead_may_not_issue(api_client, workshops):
    order = accepted_order()
    line = order.lines.get()
    api = as_user(api_client, workshop_lead(workshops[0]))

    response = api.post(
        NOTICES,
        {
            "order": order.pk,
            "workshop": workshops[0].pk,
            "due_date": "2026-04-15",
            "lines": [{"product": line.product.pk, "order_line": line.pk, "quantity": "50"}],
        },
        format="json",
    )

    assert response.status_code == 403
    assert not ProductionNotice.objects.exists()


def test_a_refused_issue_answers_with_its_code(api_client, workshops):
    order = OrderFactory()  # under review
    line = order.lines.get()
    api = as_user(api_client, sales_admin())

    response = api.post(
        NOTICES,
        {
            "order": order.pk,
            "workshop": workshops[0].pk,
            "due_date": "2026-04-15",
            "lines": [{"product": line.product.pk, "order_line": line.pk, "quantity": "50"}],
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "order_not_accepted"
    assert "order" in response.json()["fields"]
    assert not ProductionNotice.objects.exists()


def test_r_3_2_the_lead_starts_and_completes_through_the_api(api_client, workshops, notices):
    api = as_user(api_client, workshop_lead(workshops[0]))
    mine = notices["mine"]

    started = api.post(f"{NOTICES}{mine.pk}/start/", {"note": "已開工"})
    again = api.post(f"{NOTICES}{mine.pk}/start/", {"note": "再開工"})
    completed = api.post(f"{NOTICES}{mine.pk}/complete/")

    assert started.status_code == 200 and started.json()["progress_note"] == "已開工"
    assert again.status_code == 409 and again.json()["code"] == "notice_already_started"
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed" and completed.json()["days_late"] == 6


def test_sales_admin_voids_and_a_second_void_conflicts(api_client, notices):
    api = as_user(api_client, sales_admin())
    url = f"{NOTICES}{notices['mine'].pk}/void/"

    first = api.post(url, {"reason": "客戶取消"})
    second = api.post(url, {"reason": "再作廢"})
    missing = api.post(f"{NOTICES}{notices['other'].pk}/void/", {})

    assert first.status_code == 200 and first.json()["status"] == "void"
    assert first.json()["void_reason"] == "客戶取消"
    assert second.status_code == 409 and second.json()["code"] == "notice_already_void"
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    assert ProductionNotice.objects.get(pk=notices["other"].pk).status == NoticeStatus.ISSUED


@pytest.mark.parametrize(
    ("step", "role"),
    [
        ("start", Role.SALES_ADMIN),  # sales may not mark progress
        *[("void", role) for role in (Role.SALES_STAFF, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.QC_HEAD)],
    ],
    ids=lambda value: getattr(value, "value", value),
)
def test_a_step_the_role_may_not_take_is_refused_and_changes_nothing(api_client, notices, workshops, step, role):
    api = as_user(api_client, UserFactory(roles=[role], department=workshops[0] if step == "void" else None))
    body = {"reason": "x"} if step == "void" else {"note": ""}
    assert api.post(f"{NOTICES}{notices['mine'].pk}/{step}/", body).status_code == 403
    assert ProductionNotice.objects.get(pk=notices["mine"].pk).status == NoticeStatus.ISSUED


def test_notices_are_never_deleted_or_edited(api_client, notices):
    api = as_user(api_client, UserFactory(roles=[Role.ADMINISTRATOR]))
    url = f"{NOTICES}{notices['mine'].pk}/"
    assert api.delete(url).status_code in {403, 405}
    assert api.patch(url, {"due_date": "2026-12-31"}).status_code in {403, 405}
    assert ProductionNotice.objects.filter(pk=notices["mine"].pk).exists()


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_list_and_detail_by_role(api_client, notices, role, workshops):
    api = as_user(api_client, UserFactory(roles=[role], department=workshops[0]))
    readers = set(Role) - {Role.RESPONSIBLE_MEMBER}

    listing = api.get(NOTICES)
    detail = api.get(f"{NOTICES}{notices['other'].pk}/")

    if role in readers:
        assert listing.status_code == 200
        expected = 404 if role == Role.WORKSHOP_LEAD else 200
        assert detail.status_code == expected
    else:
        assert listing.status_code == 403
        assert detail.status_code == 403
