"""Records decided, closed or voided at a chosen moment, made through the services."""

import datetime as dt

from django.utils import timezone

from liaison.core import clock
from liaison.orders.models import ReviewRound
from liaison.orders.tests.factories import OrderFactory, review_pass

TODAY = dt.date(2026, 11, 27)


def moment(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


NOW = moment(TODAY)


def years_ago(years: int, *, days: int = 0, at: dt.datetime = NOW) -> dt.datetime:
    return at.replace(year=at.year - years) - dt.timedelta(days=days)


def decided_round(at: dt.datetime) -> ReviewRound:
    """An order registered and its review round 1 decided (accepted) at ``at``."""
    with clock.frozen(at):
        order = OrderFactory()
        review_round = order.review_rounds.get()
        review_pass(review_round)
    review_round.refresh_from_db()
    return review_round
