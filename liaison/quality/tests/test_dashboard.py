"""The dashboard's quality part: open and overdue complaints, overdue CAPA requests, the Pareto chart of causes."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import ROLE_PERMISSIONS, Role
from liaison.core.tests.factories import UserFactory, frozen_today, local, qc_head, sales
from liaison.quality import selectors
from liaison.quality.services.complaints import complaint_feed_back, complaint_investigate, complaint_record_result
from liaison.quality.tests.factories import acknowledged, capa, complaint

pytestmark = pytest.mark.django_db

TODAY = local(2026, 5, 4)
SEES_COMPLAINTS = {role for role, perms in ROLE_PERMISSIONS.items() if "quality.view_complaint" in perms}


today = frozen_today(TODAY)


def investigated_on(day: dt.date, cause: str, *, void=False):
    with clock.frozen(local(day.year, day.month, day.day)):
        record = acknowledged(complaint_date=day)
        complaint_investigate(
            complaint=record,
            cause_category=cause,
            why_chain=["a"],
            root_cause="b",
            containment="",
            company_at_fault=False,
            actor=qc_head(),
        )
    return record


def test_r_3_3_pareto_of_causes_sorted_descending_with_cumulative_share(django_assert_num_queries):
    for cause, count in [("method", 1), ("material", 3), ("man", 2)]:
        for _ in range(count):
            investigated_on(dt.date(2026, 4, 1), cause)
    investigated_on(dt.date(2025, 5, 4), "machine")  # exactly 12 months ago: outside
    investigated_on(dt.date(2025, 5, 5), "measurement")  # inside
    complaint()  # not investigated: no cause yet
    with django_assert_num_queries(1):
        bars = selectors.complaint_cause_pareto()
    assert [(bar.category, bar.count) for bar in bars] == [
        ("material", 3),
        ("man", 2),
        ("measurement", 1),
        ("method", 1),
    ]
    assert [bar.cumulative_percent for bar in bars] == [42.9, 71.4, 85.7, 100.0]


def test_r_1_2_open_and_overdue_complaint_figures(django_assert_num_queries):
    with clock.frozen(TODAY - dt.timedelta(days=3)):
        complaint()  # not acknowledged within 24 hours
    complaint()
    record = acknowledged()
    with django_assert_num_queries(1):
        figures = selectors.complaint_figures()
    assert figures == {"open": 3, "overdue": 1}
    complaint_investigate(
        complaint=record, cause_category="man", why_chain=["a"], root_cause="b", containment="",
        company_at_fault=False, actor=qc_head(),
    )
    complaint_record_result(complaint=record, result="ok", actor=qc_head())
    complaint_feed_back(complaint=record, channel="phone", summary="ok", actor=qc_head())
    assert selectors.complaint_figures() == {"open": 2, "overdue": 1}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_r_3_3_the_quality_cards_and_chart_only_for_who_may_see_complaints(client, role):
    investigated_on(dt.date(2026, 4, 1), "material")
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    page = response.content.decode()
    shown = role in SEES_COMPLAINTS
    assert ('id="cause-pareto"' in page) == shown
    assert (reverse("admin:quality_complaint_changelist") in page) == shown


def test_the_dashboard_shows_the_counts_and_the_chart_data(client):
    investigated_on(dt.date(2026, 4, 1), "material")
    investigated_on(dt.date(2026, 4, 2), "material")
    investigated_on(dt.date(2026, 4, 3), "man")
    with clock.frozen(TODAY - dt.timedelta(days=40)):
        capa()
    client.force_login(sales())
    response = client.get(reverse("admin:index"))
    cards = {str(card.title): card for card in response.context["liaison_cards"]}
    assert cards["Open complaints and returns"].value == 3
    assert cards["Overdue CAPA requests"].value == 1 and cards["Overdue CAPA requests"].danger
    (pareto,) = [panel for panel in response.context["liaison_panels"] if panel.template.endswith("pareto.html")]
    chart = json.loads(pareto.context["data"])
    bar, line = chart["datasets"][1], chart["datasets"][0]
    assert chart["labels"] == ["Material", "Man"]
    assert bar["data"] == [2, 1] and line["data"] == [66.7, 100.0]
    assert 'data-causes="material:2,man:1"' in response.content.decode()


def test_the_dashboard_quality_part_costs_three_queries(client, django_assert_num_queries):
    from liaison.quality.workspace import cause_pareto, quality_cards

    investigated_on(dt.date(2026, 4, 1), "material")
    user = sales()
    user.has_perm("quality.view_complaint")
    with django_assert_num_queries(3):
        cards = quality_cards(user)
        panel = cause_pareto(user)
    assert len(cards) == 2 and len(panel.context["bars"]) == 1
