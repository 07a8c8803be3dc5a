"""My inbox at scale: the badge is one counting query, the page lists the most urgent few of each kind."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from liaison.core.tests.factories import frozen_today, local, member, sales_admin
from liaison.orders import services
from liaison.orders.tests.factories import OrderFactory, order_line
from liaison.workspace import inbox

pytestmark = pytest.mark.django_db

TODAY = local(2026, 3, 10)


today = frozen_today(TODAY)


def questions(count: int) -> list:
    """``count`` open clarifications, the first ones on the orders required earliest (overdue)."""
    orders = []
    for day in range(count):
        order = OrderFactory(lines=[order_line(required_date=dt.date(2026, 3, 1) + dt.timedelta(days=day))])
        services.clarification_ask(order=order, question="?", channel="phone", actor=sales_admin())
        orders.append(order)
    return orders


def test_the_badge_counts_every_kind_of_work_in_one_query(django_assert_num_queries):
    questions(7)
    user = member("sales")
    user.has_perm("orders.view_order")  # permissions are cached per user, as in a request
    with django_assert_num_queries(1):
        counts = inbox.inbox_counts(user=user)
    assert counts["clarification"] == 7 and sum(counts.values()) == len(inbox.inbox_for(user=user))
    request = RequestFactory().get("/")
    request.user = user
    with django_assert_num_queries(1):
        assert inbox.inbox_badge(request) == sum(counts.values())
        assert inbox.inbox_badge(request) == sum(counts.values())  # once per request


def test_the_inbox_lists_the_most_urgent_of_each_kind_and_counts_the_rest(django_assert_num_queries):
    orders = questions(7)
    user = member("sales")
    user.has_perm("orders.view_order")
    kinds = len(inbox.inbox_counts(user=user))
    with django_assert_num_queries(kinds + 1):  # one query per kind, one counting the kinds with more
        read = inbox.inbox_read(user=user, limit=3)
    listed = [item for item in read.items if item.kind == "clarification"]
    assert [orders[day].number in item.title for day, item in enumerate(listed)] == [True] * 3
    assert [item.overdue for item in listed] == [True, True, True]  # required 1–3 March: late on the 10th
    assert [more.count for more in read.more if more.kind == "clarification"] == [4]
    assert read.total == sum(inbox.inbox_counts(user=user).values())


def test_the_inbox_page_says_how_many_more_and_links_to_their_list(client, monkeypatch):
    questions(4)
    monkeypatch.setattr(inbox, "INBOX_PER_KIND", 2)
    user = member("sales")
    client.force_login(user)
    response = client.get(reverse("workspace:inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-kind="clarification"') == 3  # two items, and the line saying how many more
    assert "and 2 more: questions awaiting an answer" in html
