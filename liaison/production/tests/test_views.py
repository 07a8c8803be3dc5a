"""Workshop pages (R-3.2): a lead sees only their workshop's notices, starts and completes them."""

import datetime as dt

import pytest
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, sales_admin, workshop_lead
from liaison.production.models import ProductionNotice
from liaison.production.services import notice_supersede
from liaison.production.states import NoticeStatus
from liaison.production.tests.factories import notice

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def workshops():
    return WorkshopFactory(name="一車間（沖壓）"), WorkshopFactory(name="二車間（裝配）")


@pytest.fixture
def notices(workshops):
    one, two = workshops
    actor = sales_admin()
    with clock.frozen(ISSUED_ON):
        return {
            "later": notice(workshop=one, due_date=dt.date(2026, 3, 30), actor=actor),
            "late": notice(workshop=one, due_date=dt.date(2026, 3, 10), actor=actor),
            "other": notice(workshop=two, due_date=dt.date(2026, 3, 12), actor=actor),
        }


@pytest.fixture
def lead(workshops):
    return workshop_lead(workshops[0])


def listed_numbers(response) -> list[str]:
    return [notice.number for notice in response.context["notices"]]


def test_r_3_2_workshop_sees_only_its_notices_overdue_first_with_days_late(client, lead, notices):
    client.force_login(lead)

    with clock.frozen(TODAY):
        response = client.get(reverse("production:list"))

    assert response.status_code == 200
    assert listed_numbers(response) == [notices["late"].number, notices["later"].number]
    html = response.content.decode()
    assert notices["other"].number not in html
    assert f'data-notice="{notices["late"].number}" data-overdue="1"' in html
    assert 'data-days-late="6"' in html


def test_r_3_2_workshop_list_runs_a_fixed_number_of_queries(client, lead, notices):
    """More notices, same queries: the list reads notices and lines once (selectors pin each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(lead)
    client.get(reverse("production:list"))  # warm the session

    with CaptureQueriesContext(connection) as two_notices:
        client.get(reverse("production:list"))
    with clock.frozen(ISSUED_ON):
        for _ in range(3):
            notice(workshop=lead.department)
    with CaptureQueriesContext(connection) as five_notices:
        response = client.get(reverse("production:list"))

    assert len(response.context["notices"]) == 5
    assert len(five_notices) == len(two_notices)


@pytest.mark.parametrize("role", [Role.SALES_STAFF, Role.SALES_ADMIN, Role.SALES_HEAD, Role.MANAGEMENT])
def test_sales_sees_every_workshops_notices_and_can_filter(client_as, role, notices, workshops):
    client = client_as(role)

    with clock.frozen(TODAY):
        everything = client.get(reverse("production:list"))
        one = client.get(reverse("production:list"), {"workshop": workshops[1].pk})

    assert listed_numbers(everything) == [notices[k].number for k in ("late", "other", "later")]
    assert listed_numbers(one) == [notices["other"].number]


def test_void_notices_show_only_on_request(client_as, notices):
    client = client_as(Role.SALES_ADMIN)
    successor = notice_supersede(notice=notices["later"], reason="延期", actor=sales_admin())

    current = listed_numbers(client.get(reverse("production:list")))
    with_void = listed_numbers(client.get(reverse("production:list"), {"void": "1"}))

    assert notices["later"].number not in current and successor.number in current
    assert notices["later"].number in with_void


def test_r_3_2_another_workshops_notice_by_id_is_refused(client, lead, notices):
    client.force_login(lead)
    other = notices["other"]

    assert client.get(reverse("production:detail", args=[other.pk])).status_code == 403
    assert client.post(reverse("production:start", args=[other.pk]), {"start-note": "x"}).status_code == 403
    assert client.post(reverse("production:complete", args=[other.pk])).status_code == 403
    assert ProductionNotice.objects.get(pk=other.pk).status == NoticeStatus.ISSUED


def test_an_unknown_notice_is_not_found(client, lead):
    client.force_login(lead)
    assert client.get(reverse("production:detail", args=[999999])).status_code == 404


def test_r_3_2_the_lead_starts_with_a_note_then_completes_from_the_notice_page(client, lead, notices):
    client.force_login(lead)
    late = notices["late"]
    url = reverse("production:detail", args=[late.pk])

    with clock.frozen(TODAY):
        page = client.get(url)
        assert page.context["can_start"] and page.context["can_complete"]
        assert 'id="notice-start"' in page.content.decode()
        response = client.post(reverse("production:start", args=[late.pk]), {"start-note": "已開工"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    late.refresh_from_db()
    assert (late.status, late.progress_note) == (NoticeStatus.IN_PROGRESS, "已開工")

    with clock.frozen(TODAY):
        page = client.get(url)
        assert not page.context["can_start"] and page.context["can_complete"]
        client.post(reverse("production:complete", args=[late.pk]))
    late.refresh_from_db()
    assert late.status == NoticeStatus.COMPLETED
    assert late.days_late() == 6
    page = client.get(url)
    assert not page.context["can_start"] and not page.context["can_complete"]


def test_a_refused_step_is_shown_on_its_form_with_the_input_kept_and_changes_nothing(client, lead, notices):
    client.force_login(lead)
    late = notices["late"]
    client.post(reverse("production:start", args=[late.pk]), {"start-note": "一"})

    # The page was opened before the notice was started: the refusal comes back on the form.
    response = client.post(reverse("production:start", args=[late.pk]), {"start-note": "二"})

    assert response.status_code == 200
    form = response.context["start_form"]
    assert form.non_field_errors() and form["note"].value() == "二"
    assert 'id="notice-start"' in response.content.decode()
    late.refresh_from_db()
    assert late.progress_note == "一"


def test_the_progress_endpoints_take_only_post(client, lead, notices):
    client.force_login(lead)
    assert client.get(reverse("production:start", args=[notices["late"].pk])).status_code == 405


def test_sales_sees_the_notice_page_without_progress_buttons(client_as, notices):
    client = client_as(Role.SALES_ADMIN)

    page = client.get(reverse("production:detail", args=[notices["other"].pk]))

    assert page.status_code == 200
    assert not page.context["can_start"] and not page.context["can_complete"]
    html = page.content.decode()
    assert 'id="notice-start"' not in html
    # Sales reads notices but does not record the workshops' progress: refused before anything is read.
    response = client.post(reverse("production:start", args=[notices["other"].pk]), {"start-note": "x"})
    assert response.status_code == 403
    assert ProductionNotice.objects.get(pk=notices["other"].pk).status == NoticeStatus.ISSUED


def test_the_notice_page_shows_void_information_the_chain_and_the_replenishment_mark(client, notices):
    actor = sales_admin()
    first = notice(replenishment=True, actor=actor)
    successor = notice_supersede(notice=first, reason="設備故障，延期", actor=actor)
    client.force_login(UserFactory(roles=[Role.SALES_STAFF]))

    old_page = client.get(reverse("production:detail", args=[first.pk])).content.decode()
    new_page = client.get(reverse("production:detail", args=[successor.pk])).content.decode()

    assert 'id="notice-void"' in old_page and "設備故障，延期" in old_page
    assert successor.get_absolute_url() in old_page
    assert first.get_absolute_url() in new_page
    assert 'id="notice-void"' not in new_page
    assert "補貨" in new_page and "補貨" in old_page


def test_a_role_without_notices_is_refused(client_as, notices):
    client = client_as(Role.RESPONSIBLE_MEMBER)
    assert client.get(reverse("production:list")).status_code == 403
    assert client.get(reverse("production:detail", args=[notices["late"].pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, notices):
    response = client.get(reverse("production:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]



def test_a_form_error_names_its_field(client, lead, notices):
    from django.utils import translation

    from liaison.production.forms import StartForm

    late = notices["late"]
    client.force_login(lead)
    response = client.post(reverse("production:start", args=[late.pk]), {"start-note": "x" * 301})
    assert response.status_code == 200 and response.context["start_form"].errors["note"]
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        label = str(StartForm().fields["note"].label)
    assert f"{label}: " in response.content.decode()
    late.refresh_from_db()
    assert late.status == NoticeStatus.ISSUED
